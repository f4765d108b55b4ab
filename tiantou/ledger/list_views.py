"""The ledger's list, summaries, Excel export and Excel import pages.

The list counts at most `COUNT_LIMIT` rows: on a ledger of millions an exact COUNT(*)
would cost more than the page itself, and nobody pages that far.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tiantou.accounts.permissions import ensure_can, has_perm
from tiantou.core.exporting import xlsx_response
from tiantou.core.import_views import import_page

from . import selectors
from .filters import ActivityFilterSet
from .importers import ACTIVITY_COLUMNS, ActivityImporter
from .querysets import COUNT_LIMIT, CappedPaginator

PER_PAGE = 50

SUMMARY_TITLES = {
    "township": gettext_lazy("By township"),
    "cadre": gettext_lazy("By cadre"),
    "type": gettext_lazy("By type"),
    "month": gettext_lazy("By month"),
}
SUMMARY_HEADINGS = {
    "township": gettext_lazy("Township"),
    "cadre": gettext_lazy("Cadre"),
    "type": gettext_lazy("Type"),
    "month": gettext_lazy("Month"),
}


def _filter(request) -> ActivityFilterSet:
    return ActivityFilterSet(
        request.GET, queryset=selectors.activity_list(user=request.user), request=request
    )


def _query(request, *drop: str) -> str:
    query = request.GET.copy()
    for name in ("page", *drop):
        query.pop(name, None)
    return query.urlencode()


@login_required
def activity_list(request):
    """The ledger the user can see, filtered and 50 to a page; htmx refreshes the table."""
    ensure_can(request.user, "ledger.view_activity")
    filterset = _filter(request)
    # The page's ids first (a narrow sorted scan), then their rows with what they show:
    # joining five tables before sorting a million rows would cost seconds.
    ids = filterset.qs.values_list("pk", flat=True)
    paginator = CappedPaginator(ids, PER_PAGE, limit=COUNT_LIMIT)
    page = paginator.get_page(request.GET.get("page"))
    found = selectors.activity_list(user=request.user).in_bulk(list(page.object_list))
    page.object_list = [found[pk] for pk in page.object_list if pk in found]
    context = {
        "filter": filterset,
        "page": page,
        "capped": paginator.is_capped,
        "limit": paginator.limit,
        "query": _query(request),
        "can_import": has_perm(request.user, "ledger.import_activity"),
    }
    template = "ledger/ledger_list.html"
    if request.htmx:
        template += "#table"
    return render(request, template, context)


@login_required
def activity_export(request):
    """The filtered ledger as an .xlsx file in the import template's columns, streamed."""
    ensure_can(request.user, "ledger.view_activity")
    filterset = _filter(request)
    filename = _("work ledger %(date)s.xlsx") % {"date": f"{timezone.localdate():%Y%m%d}"}
    return xlsx_response(
        ACTIVITY_COLUMNS,
        selectors.activity_export_rows(filterset.qs),
        filename=filename,
        sheet_title=ActivityImporter.sheet_title,
    )


def _summary(request, by: str):
    ensure_can(request.user, "ledger.view_activity")
    if by not in SUMMARY_TITLES:
        raise Http404
    # Summaries count only confirmed records, whatever the status filter says.
    data = request.GET.copy()
    data.pop("status", None)
    filterset = ActivityFilterSet(
        data, queryset=selectors.activity_list(user=request.user), request=request
    )
    queryset = filterset.qs
    rows = selectors.activity_summary(queryset=queryset, by=by)
    total = selectors.summary_total(rows, queryset=queryset)
    base = request.GET.copy()
    for name in ("page", "status", "by"):
        base.pop(name, None)
    for row in rows:
        query = base.copy()
        for name, value in row.query.items():
            query[name] = value
        row.url = query.urlencode()  # type: ignore[attr-defined]
    context = {
        "filter": filterset,
        "by": by,
        "title": SUMMARY_TITLES[by],
        "heading": SUMMARY_HEADINGS[by],
        "tabs": [
            (name, title, reverse(f"ledger:summary_{name}"))
            for name, title in SUMMARY_TITLES.items()
        ],
        "rows": rows,
        "total": total,
        "total_url": base.urlencode(),
        "list_url": reverse("ledger:activity_list"),
        "query": _query(request, "status"),
    }
    template = "ledger/summary_page.html"
    if request.htmx:
        template += "#table"
    return render(request, template, context)


@login_required
def summary_township(request):
    """Counted activities, participants and distinct technologies per township."""
    return _summary(request, "township")


@login_required
def summary_cadre(request):
    """Counted activities, participants and distinct technologies per cadre (posting)."""
    return _summary(request, "cadre")


@login_required
def summary_type(request):
    """Counted activities, participants and distinct technologies per activity type."""
    return _summary(request, "type")


@login_required
def summary_month(request):
    """Counted activities, participants and distinct technologies per month."""
    return _summary(request, "month")


@login_required
def activity_import(request):
    """Import an existing 台帐 from Excel: template, upload, dry run, confirm."""
    ensure_can(request.user, "ledger.import_activity")
    return import_page(
        request,
        kind="activities",
        make_importer=lambda **context: ActivityImporter(actor=request.user, **context),
        context={
            "title": _("Import the work ledger"),
            "back_url": reverse("ledger:activity_list"),
            "back_label": _("Work ledger"),
        },
    )
