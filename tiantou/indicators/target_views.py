"""Pages of target sheets: the list, a sheet with every item's and every share's progress,
the forms that draft it, its split among receivers, each receiver's responsibility letter
(责任状, Word) and the sheet with its progress as Excel.

Sheets and shares are fetched through `target_selectors` (404 outside scope), rights are
checked with `ensure_can` (403), and every write goes through `targets.py`.
"""

import io
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from tiantou.accounts.permissions import audit_history, ensure_can, has_perm
from tiantou.core.forms import add_service_errors
from tiantou.core.importing import XLSX_CONTENT_TYPE
from tiantou.core.views import errors_to_messages, file_response

from . import registry, targets
from . import target_selectors as selectors
from .choices import SheetStatus
from .models import TargetItem, TargetSheet, TargetSplit
from .target_forms import ItemForm, SheetForm, SignForm, SplitsForm

VIEW_PERM = "indicators.view_targetsheet"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TITLE_FONT = "宋体"
BODY_FONT = "仿宋"


# ---- sheets ----


@login_required
def sheet_list(request):
    """The target sheets the user sees, newest year first."""
    ensure_can(request.user, VIEW_PERM)
    context = {
        "sheets": list(selectors.sheet_list(request.user)[:200]),
        "can_add": has_perm(request.user, targets.ADD_PERM),
    }
    return render(request, "indicators/target_sheet_list.html", context)


@login_required
def sheet_create(request):
    """Draft a year's target sheet for a region."""
    ensure_can(request.user, targets.ADD_PERM)
    form = SheetForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sheet = targets.sheet_create(
                actor=request.user,
                region=data["region"],
                year=data["year"],
                title=data["title"],
                note=data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Target sheet drafted: now add its targets."))
            return redirect("indicators:sheet_detail", pk=sheet.pk)
    return render(request, "indicators/target_sheet_form.html", {"form": form, "sheet": None})


@login_required
def sheet_detail(request, pk: int):
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
    can_change = has_perm(request.user, targets.CHANGE_PERM, sheet)
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
    return render(request, "indicators/target_sheet_detail.html", context)


@login_required
def sheet_edit(request, pk: int):
    """Change a sheet's year, title or note (only the note once issued)."""
    sheet = selectors.sheet_get(request.user, pk)
    ensure_can(request.user, targets.CHANGE_PERM, sheet)
    initial = {"year": sheet.year, "title": sheet.title, "note": sheet.note}
    initial["version"] = sheet.version
    form = SheetForm(request.POST or None, user=request.user, sheet=sheet, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            targets.sheet_update(
                actor=request.user,
                sheet=sheet,
                year=data["year"],
                title=data["title"],
                note=data["note"],
                expected_version=data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("indicators:sheet_detail", pk=sheet.pk)
    return render(request, "indicators/target_sheet_form.html", {"form": form, "sheet": sheet})


@login_required
@require_POST
def sheet_issue(request, pk: int):
    """Issue a drafted sheet: its targets and split are frozen."""
    sheet = selectors.sheet_get(request.user, pk)
    ensure_can(request.user, targets.CHANGE_PERM, sheet)
    version = request.POST.get("version", "")
    try:
        targets.sheet_issue(
            actor=request.user,
            sheet=sheet,
            expected_version=int(version) if version.isdigit() else None,
        )
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(request, _("The target sheet has been issued."))
    return redirect("indicators:sheet_detail", pk=sheet.pk)


# ---- items ----


def _item_form_page(request, sheet: TargetSheet, item: TargetItem | None):
    if item is None:
        initial: dict = {}
    else:
        initial = {
            name: getattr(item, name)
            for name in (
                "name",
                "indicator",
                "kind",
                "value",
                "value_max",
                "stretch_value",
                "unit",
                "responsible_person",
                "deadline",
                "order",
                "version",
            )
        }
        initial["lead_unit"] = item.lead_unit_id
        initial["responsible_units"] = [u.pk for u in item.responsible_units.all()]
    form = ItemForm(request.POST or None, sheet=sheet, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if item is None:
                targets.item_create(actor=request.user, sheet=sheet, **form.service_fields())
            else:
                targets.item_update(
                    actor=request.user,
                    item=item,
                    expected_version=form.cleaned_data["version"],
                    **form.service_fields(),
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Target saved."))
            return redirect("indicators:sheet_detail", pk=sheet.pk)
    context = {
        "form": form,
        "sheet": sheet,
        "item": item,
        "units": {key: ind.unit for key, ind in registry.INDICATORS.items()},
    }
    return render(request, "indicators/target_item_form.html", context)


@login_required
def item_create(request, pk: int):
    """Add a target to a draft sheet."""
    sheet = selectors.sheet_get(request.user, pk)
    ensure_can(request.user, targets.CHANGE_PERM, sheet)
    if sheet.status != SheetStatus.DRAFT:
        messages.error(request, _("This target sheet has been issued: it can no longer change."))
        return redirect("indicators:sheet_detail", pk=sheet.pk)
    return _item_form_page(request, sheet, None)


@login_required
def item_edit(request, pk: int):
    """Change a target of a draft sheet."""
    item = selectors.item_get(request.user, pk)
    ensure_can(request.user, targets.CHANGE_PERM, item.sheet)
    if item.sheet.status != SheetStatus.DRAFT:
        messages.error(request, _("This target sheet has been issued: it can no longer change."))
        return redirect("indicators:sheet_detail", pk=item.sheet_id)
    return _item_form_page(request, item.sheet, item)


@login_required
@require_POST
def item_delete(request, pk: int):
    """Remove a target (and its split) from a draft sheet."""
    item = selectors.item_get(request.user, pk)
    ensure_can(request.user, targets.CHANGE_PERM, item.sheet)
    try:
        targets.item_delete(actor=request.user, item=item)
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(request, _("Target removed."))
    return redirect("indicators:sheet_detail", pk=item.sheet_id)


@login_required
def item_splits(request, pk: int):
    """Split a target among the townships (one row each) and units; shows the total and
    whether it reaches the target."""
    item = selectors.item_get(request.user, pk)
    sheet = item.sheet
    ensure_can(request.user, targets.CHANGE_PERM, sheet)
    if sheet.status != SheetStatus.DRAFT:
        messages.error(request, _("This target sheet has been issued: it can no longer change."))
        return redirect("indicators:sheet_detail", pk=sheet.pk)
    organisations = selectors.organisations_inside(sheet).order_by("region_id", "name")
    form = SplitsForm(
        request.POST or None,
        item=item,
        regions=selectors.child_regions(sheet),
        organisations=organisations,
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = targets.splits_save(
                actor=request.user,
                item=item,
                splits=form.splits(),
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            total = sum((s.value for s in saved), Decimal(0))
            if item.value is not None and saved and total > item.value:
                messages.warning(
                    request,
                    _("The shares add up to %(sum)s, more than the target of %(total)s.")
                    % {"sum": selectors.plain(total), "total": selectors.plain(item.value)},
                )
            messages.success(request, _("Split saved."))
            return redirect("indicators:sheet_detail", pk=sheet.pk)
    current = list(item.splits.all())
    context = {
        "form": form,
        "sheet": sheet,
        "item": item,
        "target": selectors.target_text(item),
        "current_total": sum((s.value for s in current), Decimal(0)) if current else None,
    }
    return render(request, "indicators/target_item_splits.html", context)


# ---- responsibility letters ----


def _font(run, name: str, size: float, bold: bool = False) -> None:
    """Set a run's font for Latin and CJK text alike (Word reads w:eastAsia for Chinese)."""
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _paragraph(document, text: str, *, size: float = 14, bold=False, align=None, font=BODY_FONT):
    paragraph = document.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    _font(paragraph.add_run(text), font, size, bold)
    return paragraph


def letter_title(sheet: TargetSheet) -> str:
    """E.g. 沂南县2027年科技工作目标责任状."""
    return _("%(region)s %(year)s S&T work responsibility letter") % {
        "region": sheet.region.name,
        "year": sheet.year,
    }


def letter_docx(split: TargetSplit) -> bytes:
    """The receiver's responsibility letter: every share it takes in the sheet, with the
    stretch values, lead units and deadlines, and the two signature blocks."""
    sheet = split.item.sheet
    shares = list(
        targets.receiver_splits(split)
        .select_related("item__lead_unit")
        .order_by("item__order", "item_id")
    )
    receiver = split.receiver_name
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.6))
    normal = document.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)

    _paragraph(
        document,
        letter_title(sheet),
        size=22,
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        font=TITLE_FONT,
    )
    _paragraph(document, _("Responsible party: %(name)s") % {"name": receiver}, size=16)
    _paragraph(
        document,
        _(
            "To make sure the S&T work targets of %(region)s for %(year)s are met in full, "
            "%(region)s and %(receiver)s sign this letter and set out the following targets."
        )
        % {"region": sheet.region.name, "year": sheet.year, "receiver": receiver},
    )
    headers = [
        _("No."),
        _("Target"),
        _("Share"),
        _("Stretch value"),
        _("Lead unit"),
        _("Deadline"),
    ]
    widths = (1.2, 5.6, 2.6, 2.4, 2.8, 2.6)
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text, width in zip(table.rows[0].cells, headers, widths, strict=True):
        cell.width = Cm(width)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(cell.paragraphs[0].add_run(text), BODY_FONT, 12, bold=True)
    for number, share in enumerate(shares, start=1):
        item = share.item
        deadline = item.deadline or None
        values = [
            str(number),
            item.name,
            selectors.target_text(item, share.value),
            f"{selectors.plain(share.stretch_value)}{item.unit}"
            if share.stretch_value is not None
            else "—",
            item.lead_unit.name if item.lead_unit else "—",
            f"{deadline.year}年{deadline.month}月{deadline.day}日"
            if deadline
            else _("end of %(year)s") % {"year": sheet.year},
        ]
        cells = table.add_row().cells
        for cell, value, width in zip(cells, values, widths, strict=True):
            cell.width = Cm(width)
            _font(cell.paragraphs[0].add_run(value), BODY_FONT, 12)
    _paragraph(
        document,
        _(
            "Progress is reviewed against the records in Tiantou; the results count in the "
            "year's assessment."
        ),
    )
    document.add_paragraph()
    signatures = document.add_table(rows=3, cols=2)
    lines = [
        (
            _("%(name)s (seal)") % {"name": sheet.region.name},
            _("%(name)s (seal)") % {"name": receiver},
        ),
        (_("Principal (signature):"), _("Principal (signature):")),
        (_("Date:"), _("Date:")),
    ]
    signed = split.letter_signed_on
    for row, (left, right) in zip(signatures.rows, lines, strict=True):
        for cell, text in zip(row.cells, (left, right), strict=True):
            _font(cell.paragraphs[0].add_run(text), BODY_FONT, 14)
    if signed:
        _paragraph(
            document,
            _("Signed on %(date)s.") % {"date": f"{signed.year}年{signed.month}月{signed.day}日"},
            align=WD_ALIGN_PARAGRAPH.RIGHT,
        )
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


@login_required
def split_letter(request, pk: int):
    """A receiver's responsibility letter (责任状) as a Word document."""
    split = selectors.split_get(request.user, pk)
    ensure_can(request.user, VIEW_PERM)
    filename = f"{letter_title(split.item.sheet)}（{split.receiver_name}）.docx"
    return file_response(letter_docx(split), DOCX_CONTENT_TYPE, filename)


@login_required
@require_POST
def split_sign(request, pk: int):
    """Record the date a receiver's letter was signed (on all its shares of the sheet)."""
    split = selectors.split_get(request.user, pk)
    sheet = split.item.sheet
    ensure_can(request.user, targets.CHANGE_PERM, sheet)
    form = SignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the date the letter was signed."))
        return redirect("indicators:sheet_detail", pk=sheet.pk)
    try:
        targets.letter_sign(
            actor=request.user, split=split, signed_on=form.cleaned_data["signed_on"]
        )
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(
            request,
            _("Letter of %(name)s recorded as signed.") % {"name": split.receiver_name},
        )
    return redirect("indicators:sheet_detail", pk=sheet.pk)


# ---- export ----


def _number(value):
    return float(value) if value is not None else None


def sheet_xlsx(progress: selectors.SheetProgress) -> bytes:
    """The sheet as .xlsx: its items with progress, and every share with progress."""
    sheet = progress.sheet
    workbook = Workbook()
    items = workbook.active
    items.title = _("Targets")
    items.append([f"{sheet.region.name} {sheet.title}"])
    items["A1"].font = Font(name=TITLE_FONT, size=14, bold=True)
    item_headers = [
        _("No."),
        _("Target"),
        _("Measured by"),
        _("As written"),
        _("Target value"),
        _("Upper bound"),
        _("Stretch value"),
        _("Unit"),
        _("Lead unit"),
        _("Responsible units"),
        _("Responsible person"),
        _("Deadline"),
        _("Actual"),
        _("Reached (%)"),
        _("Expected by now"),
        _("Status"),
    ]
    items.append(item_headers)
    for number, row in enumerate(progress.items, start=1):
        item, p = row.item, row.progress
        indicator = registry.INDICATORS.get(item.indicator)
        items.append(
            [
                number,
                item.name,
                str(indicator.name) if indicator else "",
                selectors.target_text(item),
                _number(item.value),
                _number(item.value_max),
                _number(item.stretch_value),
                item.unit,
                item.lead_unit.name if item.lead_unit else "",
                "、".join(u.name for u in item.responsible_units.all()),
                item.responsible_person,
                item.deadline,
                _number(p.actual),
                _number(p.percent),
                _number(p.expected) if indicator else None,
                str(p.status_label),
            ]
        )
    shares = workbook.create_sheet(_("Split"))
    shares.append(
        [
            _("No."),
            _("Target"),
            _("Receiver"),
            _("Share"),
            _("Stretch value"),
            _("Unit"),
            _("Actual"),
            _("Reached (%)"),
            _("Status"),
            _("Letter signed on"),
        ]
    )
    for number, row in enumerate(progress.items, start=1):
        for each in row.splits:
            split, p = each.split, each.progress
            shares.append(
                [
                    number,
                    row.item.name,
                    split.receiver_name,
                    _number(split.value),
                    _number(split.stretch_value),
                    row.item.unit,
                    _number(p.actual),
                    _number(p.percent),
                    str(p.status_label),
                    split.letter_signed_on,
                ]
            )
    for worksheet, header_row in ((items, 2), (shares, 1)):
        for cell in worksheet[header_row]:
            cell.font = Font(name=BODY_FONT, bold=True)
            cell.alignment = Alignment(horizontal="center", wrap_text=True)
        for index in range(1, worksheet.max_column + 1):
            worksheet.column_dimensions[get_column_letter(index)].width = 14
        worksheet.column_dimensions["B"].width = 36
        worksheet.freeze_panes = worksheet.cell(row=header_row + 1, column=1)
        for row_cells in worksheet.iter_rows(min_row=header_row + 1):
            for cell in row_cells:
                if hasattr(cell.value, "isoformat"):
                    cell.number_format = "yyyy-mm-dd"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


@login_required
def sheet_export(request, pk: int):
    """The sheet, its split and progress as an Excel workbook (for whoever sees it whole)."""
    sheet = selectors.sheet_get(request.user, pk)
    ensure_can(request.user, VIEW_PERM, sheet)
    progress = selectors.sheet_progress(sheet)
    filename = f"{sheet.region.name}{sheet.title}.xlsx"
    return file_response(sheet_xlsx(progress), XLSX_CONTENT_TYPE, filename)
