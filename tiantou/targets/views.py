"""Pages of target sheets: the list, a sheet with every item's and every share's progress,
the forms that draft it, its split among receivers, each receiver's responsibility letter
(责任状, Word) and the sheet with its progress as Excel (both built in `documents`).

Sheets and shares are fetched through `selectors` (404 outside scope), rights are
checked with `ensure_can` (403), and every write goes through `services.py`.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tiantou.accounts.permissions import audit_history, ensure_can, has_perm
from tiantou.core.importing import XLSX_CONTENT_TYPE
from tiantou.core.numbers import plain
from tiantou.core.views import AuthedRequest, errors_to_messages, file_response, form_view
from tiantou.indicators import registry

from . import selectors, services
from .choices import SheetStatus
from .documents import DOCX_CONTENT_TYPE, letter_docx, letter_title, sheet_xlsx
from .forms import ItemForm, SheetForm, SignForm, SplitsForm
from .models import TargetItem, TargetSheet, TargetSplit

VIEW_PERM = "targets.view_targetsheet"


# ---- sheets ----


@login_required
def sheet_list(request: AuthedRequest) -> HttpResponse:
    """The target sheets the user sees, newest year first."""
    ensure_can(request.user, VIEW_PERM)
    context = {
        "sheets": list(selectors.sheet_list(request.user)[:200]),
        "can_add": has_perm(request.user, services.ADD_PERM),
    }
    return render(request, "targets/sheet_list.html", context)


def _sheet_url(sheet: TargetSheet) -> str:
    return reverse("targets:sheet_detail", args=[sheet.pk])


@login_required
def sheet_create(request: AuthedRequest) -> HttpResponse:
    """Draft a year's target sheet for a region."""
    ensure_can(request.user, services.ADD_PERM)
    form = SheetForm(request.POST or None, user=request.user)
    return form_view(
        request,
        form=form,
        save=lambda: services.sheet_create(
            actor=request.user,
            region=form.cleaned_data["region"],
            year=form.cleaned_data["year"],
            title=form.cleaned_data["title"],
            note=form.cleaned_data["note"],
        ),
        success_message=_("Target sheet drafted: now add its targets."),
        success_url=_sheet_url,
        template="targets/sheet_form.html",
        context={"sheet": None},
    )


@login_required
def sheet_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """A sheet: every item with its progress, its shares with theirs, and the letters."""
    sheet = selectors.sheet_get(request.user, pk)
    whole = selectors.sees_whole(request.user, sheet)
    ensure_can(request.user, VIEW_PERM, sheet if whole else None)
    progress = selectors.sheet_progress(sheet)
    seen = selectors.shares_seen(request.user, sheet)
    rows = []
    for row in progress.items:
        splits = [s for s in row.splits if seen(s.split)]
        rows.append(
            {
                "row": row,
                "splits": splits,
                "target": selectors.target_text(row.item),
                "indicator": registry.INDICATORS.get(row.item.indicator),
                "shares": [
                    (s, selectors.target_text(row.item, s.split.value, s.split.stretch_value))
                    for s in splits
                ],
            }
        )
    can_change = has_perm(request.user, services.CHANGE_PERM, sheet)
    is_draft = sheet.status == SheetStatus.DRAFT
    receivers = [r for r in progress.receivers() if seen(r["split"])]
    context = {
        "sheet": sheet,
        "progress": progress,
        "rows": rows,
        "whole": whole,
        "receivers": receivers,
        "can_edit": can_change and is_draft,
        "can_change": can_change,
        "can_sign": can_change and not is_draft,
        "is_draft": is_draft,
        "sign_form": SignForm(),
        "year_percent": f"{progress.year_share * 100:.1f}%",
        "history": audit_history(request.user, sheet) if whole else None,
    }
    return render(request, "targets/sheet_detail.html", context)


@login_required
def sheet_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Change a sheet's year, title or note (only the note once issued)."""
    sheet = selectors.sheet_get(request.user, pk)
    ensure_can(request.user, services.CHANGE_PERM, sheet)
    initial = {"year": sheet.year, "title": sheet.title, "note": sheet.note}
    initial["version"] = sheet.version
    form = SheetForm(request.POST or None, user=request.user, sheet=sheet, initial=initial)
    return form_view(
        request,
        form=form,
        save=lambda: services.sheet_update(
            actor=request.user,
            sheet=sheet,
            year=form.cleaned_data["year"],
            title=form.cleaned_data["title"],
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"],
        ),
        success_message=_("Saved."),
        success_url=_sheet_url,
        template="targets/sheet_form.html",
        context={"sheet": sheet},
    )


@login_required
@require_POST
def sheet_issue(request: AuthedRequest, pk: int) -> HttpResponse:
    """Issue a drafted sheet: its targets and split are frozen."""
    sheet = selectors.sheet_get(request.user, pk)
    ensure_can(request.user, services.CHANGE_PERM, sheet)
    version = request.POST.get("version", "")
    try:
        services.sheet_issue(
            actor=request.user,
            sheet=sheet,
            expected_version=int(version) if version.isdigit() else None,
        )
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(request, _("The target sheet has been issued."))
    return redirect("targets:sheet_detail", pk=sheet.pk)


# ---- items ----


def _item_form_page(
    request: AuthedRequest, sheet: TargetSheet, item: TargetItem | None
) -> HttpResponse:
    if item is None:
        initial: dict = {}
    else:
        initial = {
            name: getattr(item, name)
            for name in (*services.ITEM_FIELDS, "version")
            if name != "lead_unit"
        }
        initial["lead_unit"] = item.lead_unit_id
        initial["responsible_units"] = [u.pk for u in item.responsible_units.all()]
    form = ItemForm(request.POST or None, sheet=sheet, initial=initial)

    def save() -> TargetItem:
        if item is None:
            return services.item_create(actor=request.user, sheet=sheet, **form.service_fields())
        return services.item_update(
            actor=request.user,
            item=item,
            expected_version=form.cleaned_data["version"],
            **form.service_fields(),
        )

    return form_view(
        request,
        form=form,
        save=save,
        success_message=_("Target saved."),
        success_url=lambda _item: _sheet_url(sheet),
        template="targets/item_form.html",
        context={
            "sheet": sheet,
            "item": item,
            "units": {key: ind.unit for key, ind in registry.INDICATORS.items()},
        },
    )


@login_required
def item_create(request: AuthedRequest, pk: int) -> HttpResponse:
    """Add a target to a draft sheet."""
    sheet = selectors.sheet_get(request.user, pk)
    ensure_can(request.user, services.CHANGE_PERM, sheet)
    if sheet.status != SheetStatus.DRAFT:
        messages.error(request, _("This target sheet has been issued: it can no longer change."))
        return redirect("targets:sheet_detail", pk=sheet.pk)
    return _item_form_page(request, sheet, None)


@login_required
def item_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Change a target of a draft sheet."""
    item = selectors.item_get(request.user, pk)
    ensure_can(request.user, services.CHANGE_PERM, item.sheet)
    if item.sheet.status != SheetStatus.DRAFT:
        messages.error(request, _("This target sheet has been issued: it can no longer change."))
        return redirect("targets:sheet_detail", pk=item.sheet_id)
    return _item_form_page(request, item.sheet, item)


@login_required
@require_POST
def item_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    """Remove a target (and its split) from a draft sheet."""
    item = selectors.item_get(request.user, pk)
    ensure_can(request.user, services.CHANGE_PERM, item.sheet)
    try:
        services.item_delete(actor=request.user, item=item)
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(request, _("Target removed."))
    return redirect("targets:sheet_detail", pk=item.sheet_id)


@login_required
def item_splits(request: AuthedRequest, pk: int) -> HttpResponse:
    """Split a target among the townships (one row each) and units; shows the total and
    whether it reaches the target."""
    item = selectors.item_get(request.user, pk)
    sheet = item.sheet
    ensure_can(request.user, services.CHANGE_PERM, sheet)
    if sheet.status != SheetStatus.DRAFT:
        messages.error(request, _("This target sheet has been issued: it can no longer change."))
        return redirect("targets:sheet_detail", pk=sheet.pk)
    organisations = selectors.organisations_inside(sheet).order_by("region_id", "name")
    form = SplitsForm(
        request.POST or None,
        item=item,
        regions=selectors.child_regions(sheet),
        organisations=organisations,
    )

    def save() -> list[TargetSplit]:
        saved = services.splits_save(
            actor=request.user,
            item=item,
            splits=form.splits(),
            expected_version=form.cleaned_data["version"],
        )
        total = sum((s.value for s in saved), Decimal(0))
        if item.value is not None and saved and total > item.value:
            messages.warning(
                request,
                _("The shares add up to %(sum)s, more than the target of %(total)s.")
                % {"sum": plain(total), "total": plain(item.value)},
            )
        return saved

    current = list(item.splits.all())
    return form_view(
        request,
        form=form,
        save=save,
        success_message=_("Split saved."),
        success_url=lambda _saved: _sheet_url(sheet),
        template="targets/item_splits.html",
        context={
            "sheet": sheet,
            "item": item,
            "target": selectors.target_text(item),
            "current_total": sum((s.value for s in current), Decimal(0)) if current else None,
        },
    )


# ---- responsibility letters ----


@login_required
def split_letter(request: AuthedRequest, pk: int) -> HttpResponse:
    """A receiver's responsibility letter (责任状) as a Word document."""
    split = selectors.split_get(request.user, pk)
    ensure_can(request.user, VIEW_PERM)
    filename = f"{letter_title(split.item.sheet)}（{split.receiver_name}）.docx"
    return file_response(letter_docx(split), DOCX_CONTENT_TYPE, filename)


@login_required
@require_POST
def split_sign(request: AuthedRequest, pk: int) -> HttpResponse:
    """Record the date a receiver's letter was signed (on all its shares of the sheet)."""
    split = selectors.split_get(request.user, pk)
    sheet = split.item.sheet
    ensure_can(request.user, services.CHANGE_PERM, sheet)
    form = SignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the date the letter was signed."))
        return redirect("targets:sheet_detail", pk=sheet.pk)
    try:
        services.letter_sign(
            actor=request.user, split=split, signed_on=form.cleaned_data["signed_on"]
        )
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(
            request,
            _("Letter of %(name)s recorded as signed.") % {"name": split.receiver_name},
        )
    return redirect("targets:sheet_detail", pk=sheet.pk)


# ---- export ----


@login_required
def sheet_export(request: AuthedRequest, pk: int) -> HttpResponse:
    """The sheet, its split and progress as an Excel workbook (for whoever sees it whole)."""
    sheet = selectors.sheet_get(request.user, pk)
    ensure_can(request.user, VIEW_PERM, sheet)
    progress = selectors.sheet_progress(sheet)
    filename = f"{sheet.region.name}{sheet.title}.xlsx"
    return file_response(sheet_xlsx(progress), XLSX_CONTENT_TYPE, filename)
