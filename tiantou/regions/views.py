"""Pages for regions and organisations (being built: see issue 2)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tiantou.accounts.permissions import audit_history, ensure_can, has_perm
from tiantou.core.exporting import xlsx_response
from tiantou.core.import_views import import_page
from tiantou.core.views import AuthedRequest, form_view

from . import selectors as region_selectors
from . import services as region_services
from .choices import Level
from .filters import OrganisationFilterSet
from .forms import DeactivateForm, OrganisationForm, VillageEditForm, VillageForm
from .importers import ORGANISATION_COLUMNS, OrganisationImporter, VillageImporter
from .models import Organisation, Region

# ---- region browser ----


@login_required
def region_list(request: AuthedRequest) -> HttpResponse:
    """The top regions of the user's scope, and a name search inside it."""
    q = request.GET.get("q", "").strip()
    context = {
        "roots": region_selectors.top_regions(user=request.user),
        "q": q,
        "results": region_selectors.region_search(user=request.user, q=q) if q else None,
        "search_limit": region_selectors.SEARCH_LIMIT,
    }
    template = "regions/region_list.html"
    if request.htmx:
        template += "#results"
    return render(request, template, context)


@login_required
def region_detail(request: AuthedRequest, code: str) -> HttpResponse:
    """One region: where it sits, its children with what they hold, and its history."""
    region = region_selectors.region_get(user=request.user, code=code)
    user = request.user
    context = {
        "region": region,
        "ancestors": region_selectors.region_ancestors(user=user, region=region),
        "children": region_selectors.region_children(user=user, region=region),
        "can_add_village": region.level == Level.TOWNSHIP
        and has_perm(user, "regions.add_region", region),
        "can_edit": region.level == Level.VILLAGE
        and has_perm(user, "regions.change_region", region),
        "can_add_organisation": region.level >= Level.COUNTY
        and has_perm(user, "regions.add_organisation", region),
        "can_import_villages": region.level in (Level.COUNTY, Level.TOWNSHIP)
        and has_perm(user, "regions.import_region", region),
        "history": audit_history(user, region),
    }
    return render(request, "regions/region_detail.html", context)


@login_required
def village_create(request: AuthedRequest, code: str) -> HttpResponse:
    """Add a village or community to a township."""
    township = region_selectors.region_get(user=request.user, code=code)
    if township.level != Level.TOWNSHIP:
        raise Http404
    ensure_can(request.user, "regions.add_region", township)
    form = VillageForm(request.POST or None)
    return form_view(
        request,
        form=form,
        save=lambda: region_services.village_create(
            actor=request.user, township=township, **form.cleaned_data
        ),
        success_message=lambda village: _("%(name)s added.") % {"name": village.name},
        success_url=lambda _village: reverse("regions:region_detail", args=[township.code]),
        template="regions/village_form.html",
        context={"region": township, "title": _("Add a village or community")},
    )


@login_required
def village_edit(request: AuthedRequest, code: str) -> HttpResponse:
    """Rename a village, change its kind or take it out of use."""
    village = region_selectors.region_get(user=request.user, code=code)
    if village.level != Level.VILLAGE:
        raise Http404
    ensure_can(request.user, "regions.change_region", village)
    initial = {
        "name": village.name,
        "kind": village.kind,
        "is_active": village.is_active,
        "version": village.version,
    }
    form = VillageEditForm(request.POST or None, initial=initial)

    def save() -> Region:
        changes = dict(form.cleaned_data)
        version = changes.pop("version")
        return region_services.region_update(
            actor=request.user, region=village, expected_version=version, **changes
        )

    return form_view(
        request,
        form=form,
        save=save,
        success_message=lambda _saved: _("%(name)s saved.") % {"name": village.name},
        success_url=lambda _saved: reverse("regions:region_detail", args=[village.code]),
        template="regions/village_form.html",
        context={"region": village, "title": _("Edit village or community")},
    )


# ---- organisations ----

ORGANISATIONS_PER_PAGE = 50


def _organisation_for(request: AuthedRequest, pk: int, perm: str | None = None) -> Organisation:
    """An organisation in the user's scope (else 404) on which the user holds `perm` (else 403)."""
    organisation = region_selectors.organisation_get(user=request.user, pk=pk)
    if perm:
        ensure_can(request.user, perm, organisation)
    return organisation


def _organisation_filter(request: AuthedRequest) -> OrganisationFilterSet:
    return OrganisationFilterSet(
        request.GET,
        queryset=region_selectors.organisation_list(user=request.user),
        request=request,
    )


@login_required
def organisation_list(request: AuthedRequest) -> HttpResponse:
    """Organisations in scope, filtered and 50 to a page; htmx refreshes only the table."""
    filterset = _organisation_filter(request)
    page = Paginator(filterset.qs, ORGANISATIONS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    user = request.user
    context = {
        "filter": filterset,
        "page": page,
        "query": query.urlencode(),
        "can_add": has_perm(user, "regions.add_organisation"),
        "can_import": has_perm(user, "regions.import_organisation"),
    }
    template = "regions/organisation_list.html"
    if request.htmx:
        template += "#table"
    return render(request, template, context)


@login_required
def organisation_export(request: AuthedRequest) -> FileResponse:
    """The filtered list as an .xlsx file that imports back unchanged."""
    filterset = _organisation_filter(request)
    filename = _("organisations") + f"-{timezone.localdate():%Y%m%d}.xlsx"
    return xlsx_response(
        ORGANISATION_COLUMNS,
        filterset.qs.iterator(chunk_size=2000),
        filename=filename,
        sheet_title=OrganisationImporter.sheet_title,
    )


@login_required
def organisation_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """One organisation and, for those who may read it, its history."""
    organisation = _organisation_for(request, pk)
    user = request.user
    history = region_selectors.organisation_history(user=user, organisation=organisation)
    context = {
        "organisation": organisation,
        "can_edit": has_perm(user, "regions.change_organisation", organisation),
        "can_read_audit": has_perm(user, "core.view_auditentry", organisation),
        "history": list(history[:50]),
    }
    return render(request, "regions/organisation_detail.html", context)


def _organisation_url(organisation: Organisation) -> str:
    return reverse("regions:organisation_detail", args=[organisation.pk])


@login_required
def organisation_create(request: AuthedRequest) -> HttpResponse:
    """Register an organisation in a region where the user may add one."""
    ensure_can(request.user, "regions.add_organisation")
    # From a region's page the form opens with that region chosen.
    initial = {"region": request.GET.get("region", "")}
    form = OrganisationForm(request.POST or None, user=request.user, initial=initial)
    return form_view(
        request,
        form=form,
        save=lambda: region_services.organisation_create(
            actor=request.user, **form.service_fields()
        ),
        success_message=lambda organisation: _("%(name)s added.") % {"name": organisation.name},
        success_url=_organisation_url,
        template="regions/organisation_form.html",
        context={"title": _("Add an organisation")},
    )


@login_required
def organisation_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Edit an organisation; an edit made meanwhile by someone else is refused, not lost."""
    organisation = _organisation_for(request, pk, "regions.change_organisation")
    form = OrganisationForm(request.POST or None, user=request.user, organisation=organisation)
    return form_view(
        request,
        form=form,
        save=lambda: region_services.organisation_update(
            actor=request.user,
            organisation=organisation,
            expected_version=form.cleaned_data["version"],
            **form.service_fields(),
        ),
        success_message=lambda saved: _("%(name)s saved.") % {"name": saved.name},
        success_url=_organisation_url,
        template="regions/organisation_form.html",
        context={"organisation": organisation, "title": _("Edit organisation")},
    )


@login_required
def organisation_deactivate(request: AuthedRequest, pk: int) -> HttpResponse:
    """Mark an organisation as no longer active, with a reason kept in its history."""
    organisation = _organisation_for(request, pk, "regions.change_organisation")
    form = DeactivateForm(request.POST or None)
    return form_view(
        request,
        form=form,
        save=lambda: region_services.organisation_deactivate(
            actor=request.user, organisation=organisation, reason=form.cleaned_data["reason"]
        ),
        # The reason is the only field: every refusal goes above the form.
        on_error=lambda error: form.add_error(None, error),
        success_message=lambda saved: _("%(name)s deactivated.") % {"name": saved.name},
        success_url=_organisation_url,
        template="regions/organisation_deactivate.html",
        context={"organisation": organisation},
    )


@login_required
def organisation_import(request: AuthedRequest) -> HttpResponse:
    """Import organisations from Excel: template, upload, preview, confirm."""
    ensure_can(request.user, "regions.import_organisation")
    return import_page(
        request,
        kind="organisations",
        make_importer=lambda **context: OrganisationImporter(actor=request.user, **context),
        context={
            "title": _("Import organisations"),
            "back_url": reverse("regions:organisation_list"),
            "back_label": _("Organisations"),
        },
    )


@login_required
def region_import_villages(request: AuthedRequest, code: str) -> HttpResponse:
    """Import the villages and communities of a township (or a county) from Excel."""
    region = region_selectors.region_get(user=request.user, code=code)
    if region.level not in (Level.COUNTY, Level.TOWNSHIP):
        raise Http404
    ensure_can(request.user, "regions.import_region", region)
    return import_page(
        request,
        kind=f"villages-{region.code}",
        make_importer=lambda **context: VillageImporter(
            actor=request.user, region=region, **context
        ),
        context={
            "title": _("Import villages and communities into %(region)s") % {"region": region.name},
            "back_url": reverse("regions:region_detail", args=[region.code]),
            "back_label": region.name,
        },
    )
