"""Pages of figures from outside: the list (with export), entering and correcting a figure,
confirming or returning it, the Excel import and the completeness table.

Figures are fetched through `selectors` (404 outside scope), rights are checked
with `ensure_can` (403), and every write goes through `services.py`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from tiantou.accounts.permissions import audit_history, ensure_can, has_perm
from tiantou.core.exporting import xlsx_response
from tiantou.core.forms import add_service_errors
from tiantou.core.import_views import import_page
from tiantou.core.views import errors_to_messages, posted_version
from tiantou.regions.choices import Level

from .. import registry
from .. import selectors as indicator_selectors
from ..choices import FigureStatus
from ..templatetags.figures import exact
from . import selectors, services
from .forms import CompletenessForm, FigureFilterForm, FigureForm, ReturnForm
from .importers import FIGURE_COLUMNS, FigureImporter

VIEW_PERM = "indicators.view_externalfigure"
PER_PAGE = 50


def _back_to_list(request):
    """The list the user came from (its filters kept), else the plain list."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith(reverse("indicators:figure_list")):
        return redirect(target)
    return redirect("indicators:figure_list")


def _filtered(request):
    form = FigureFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    return form, selectors.figure_list(user=request.user, **filters)


@login_required
def figure_list(request):
    """Figures the user may see, filtered by indicator, region, period and status, each
    with what the user may do to it."""
    user = request.user
    ensure_can(user, VIEW_PERM)
    form, figures_qs = _filtered(request)
    page = Paginator(figures_qs, PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    for figure in page:
        indicator = registry.INDICATORS.get(figure.indicator)
        may_confirm = has_perm(user, services.CONFIRM_PERM, figure)
        rows.append(
            {
                "figure": figure,
                "indicator": indicator,
                "period": services.period_label(figure.period),
                "value": exact(figure.value),
                "can_edit": figure.status != FigureStatus.CONFIRMED
                and has_perm(user, services.CHANGE_PERM, figure),
                "can_confirm": may_confirm
                and figure.status == FigureStatus.SUBMITTED
                and figure.entered_by_id != user.pk,
                "can_return": may_confirm and figure.status != FigureStatus.RETURNED,
            }
        )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "can_add": has_perm(user, services.ADD_PERM),
        "period_choices": indicator_selectors.period_choices(),
        "return_form": ReturnForm(),
    }
    return render(request, "indicators/figure_list.html", context)


@login_required
def figure_export(request):
    """The filtered list as an .xlsx file that imports back unchanged."""
    ensure_can(request.user, VIEW_PERM)
    _form, figures_qs = _filtered(request)
    filename = _("figures from outside") + f"-{timezone.localdate():%Y%m%d}.xlsx"
    return xlsx_response(
        FIGURE_COLUMNS,
        figures_qs.iterator(chunk_size=2000),
        filename=filename,
        sheet_title=FigureImporter.sheet_title,
    )


def _save(request, form, figure=None):
    data = form.cleaned_data
    try:
        return services.figure_enter(
            actor=request.user,
            indicator=data["indicator"],
            region=data["region"],
            period=data["period"],
            value=data["value"],
            source=data["source"],
            figure=figure,
            expected_version=data.get("version"),
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return None


@login_required
def figure_create(request):
    """Enter a figure: it waits for the county to confirm it."""
    ensure_can(request.user, services.ADD_PERM)
    initial = {k: request.GET[k] for k in ("indicator", "period") if request.GET.get(k)}
    form = FigureForm(
        request.POST or None, initial=initial, user=request.user, perm=services.ADD_PERM
    )
    if request.method == "POST" and form.is_valid():
        figure = _save(request, form)
        if figure is not None:
            messages.success(request, _("The figure has been entered; it counts once confirmed."))
            return redirect("indicators:figure_list")
    context = {"form": form, "period_choices": indicator_selectors.period_choices()}
    return render(request, "indicators/figure_form.html", context)


@login_required
def figure_edit(request, pk: int):
    """Correct a submitted or returned figure; it is submitted again."""
    figure = selectors.figure_get(user=request.user, pk=pk)
    ensure_can(request.user, services.CHANGE_PERM, figure)
    if figure.status == FigureStatus.CONFIRMED:
        raise PermissionDenied(_("This figure has been confirmed and can no longer be changed."))
    initial = {
        "indicator": figure.indicator,
        "region": figure.region,
        "period": figure.period,
        "value": figure.value,
        "source": figure.source,
        "version": figure.version,
    }
    form = FigureForm(
        request.POST or None, initial=initial, user=request.user, perm=services.CHANGE_PERM
    )
    if request.method == "POST" and form.is_valid() and _save(request, form, figure):
        messages.success(request, _("The figure has been corrected and submitted again."))
        return redirect("indicators:figure_list")
    history = audit_history(request.user, figure)
    context = {
        "form": form,
        "figure": figure,
        "history": history,
        "period_choices": indicator_selectors.period_choices(),
    }
    return render(request, "indicators/figure_form.html", context)


@login_required
@require_POST
def figure_confirm(request, pk: int):
    """Confirm a submitted figure (not one's own)."""
    figure = selectors.figure_get(user=request.user, pk=pk)
    ensure_can(request.user, services.CONFIRM_PERM, figure)
    try:
        services.figure_confirm(
            actor=request.user, figure=figure, expected_version=posted_version(request)
        )
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(request, _("The figure has been confirmed."))
    return _back_to_list(request)


@login_required
@require_POST
def figure_return(request, pk: int):
    """Return a figure for correction, with a reason."""
    figure = selectors.figure_get(user=request.user, pk=pk)
    ensure_can(request.user, services.CONFIRM_PERM, figure)
    reason = request.POST.get("reason", "")
    try:
        services.figure_return(
            actor=request.user,
            figure=figure,
            reason=reason,
            expected_version=posted_version(request),
        )
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(request, _("The figure has been returned for correction."))
    return _back_to_list(request)


def _importer(request, **context):
    return FigureImporter(actor=request.user, **context)


@login_required
def figure_import(request):
    """Import figures from Excel: template, upload, dry run, confirm."""
    ensure_can(request.user, services.ADD_PERM)
    return import_page(
        request,
        kind="figures",
        make_importer=lambda **context: _importer(request, **context),
        context={
            "title": _("Import figures from outside"),
            "back_url": reverse("indicators:figure_list"),
            "back_label": _("Figures from outside"),
        },
    )


@login_required
def figure_template(request):
    """The Excel template of the figure import."""
    ensure_can(request.user, services.ADD_PERM)
    return _importer(request).template_response()


def _headline(table: selectors.Completeness) -> str:
    """“15个乡镇中已报送12个”."""
    values = {"total": table.total, "reported": table.reported}
    if table.region.level == Level.COUNTY:
        return (
            ngettext(
                "%(reported)d of %(total)d township has reported",
                "%(reported)d of %(total)d townships have reported",
                table.total,
            )
            % values
        )
    return (
        ngettext(
            "%(reported)d of %(total)d subdivision has reported",
            "%(reported)d of %(total)d subdivisions have reported",
            table.total,
        )
        % values
    )


@login_required
def figure_completeness(request):
    """For an indicator and period: which townships have reported, and in what status."""
    user = request.user
    ensure_can(user, VIEW_PERM)
    indicators = services.figure_indicators()
    data = {
        "indicator": request.GET.get("indicator") or (indicators[0].key if indicators else ""),
        "period": request.GET.get("period") or str(timezone.localdate().year),
    }
    form = CompletenessForm(data)
    table = None
    if form.is_valid():
        indicator = registry.get(form.cleaned_data["indicator"])
        table = selectors.completeness(
            user=user, indicator=indicator, period=form.cleaned_data["period"]
        )
    context = {
        "form": form,
        "table": table,
        "headline": _headline(table) if table else "",
        "period_choices": indicator_selectors.period_choices(),
        "can_add": has_perm(user, services.ADD_PERM),
    }
    return render(request, "indicators/figure_completeness.html", context)
