"""The documents of target sheets: each receiver's responsibility letter (责任状) in Word,
in the shared 公文 layout (`core.gongwen`), and the sheet with its split and progress in
Excel."""

import io

from django.utils.translation import gettext as _
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from tiantou.core import gongwen
from tiantou.core.numbers import plain
from tiantou.indicators import registry

from . import services
from .models import TargetSheet, TargetSplit
from .selectors import SheetProgress, target_text

DOCX_CONTENT_TYPE = gongwen.CONTENT_TYPE
XLSX_BODY_FONT = "仿宋"
# Letter table columns (centimetres): they add up to the 公文 type area's 15.6 cm.
LETTER_WIDTHS = (1.0, 5.0, 2.4, 2.2, 2.6, 2.4)


def letter_title(sheet: TargetSheet) -> str:
    """E.g. 沂南县2027年科技工作目标责任状."""
    return _("%(region)s %(year)s S&T work responsibility letter") % {
        "region": sheet.region.name,
        "year": sheet.year,
    }


def _date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def letter_docx(split: TargetSplit) -> bytes:
    """The receiver's responsibility letter: every share it takes in the sheet, with the
    stretch values, lead units and deadlines, and the two signature blocks."""
    sheet = split.item.sheet
    shares = list(
        services.receiver_splits(split)
        .select_related("item__lead_unit")
        .order_by("item__order", "item_id")
    )
    receiver = split.receiver_name
    title = letter_title(sheet)
    document = gongwen.new_document(title=title)
    gongwen.paragraph(document, "title", title)
    gongwen.paragraph(document, "plain", "")
    gongwen.paragraph(document, "plain", _("Responsible party: %(name)s") % {"name": receiver})
    gongwen.paragraph(
        document,
        "body",
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
    rows = []
    for number, share in enumerate(shares, start=1):
        item = share.item
        rows.append(
            [
                str(number),
                item.name,
                target_text(item, share.value),
                f"{plain(share.stretch_value)}{item.unit}"
                if share.stretch_value is not None
                else "—",
                item.lead_unit.name if item.lead_unit else "—",
                _date(item.deadline)
                if item.deadline
                else _("end of %(year)s") % {"year": sheet.year},
            ]
        )
    gongwen.table(document, headers, rows, widths=[Cm(width) for width in LETTER_WIDTHS])
    gongwen.paragraph(
        document,
        "body",
        _(
            "Progress is reviewed against the records in Tiantou; the results count in the "
            "year's assessment."
        ),
    )
    gongwen.paragraph(document, "plain", "")
    signatures = document.add_table(rows=3, cols=2)
    lines = [
        (
            _("%(name)s (seal)") % {"name": sheet.region.name},
            _("%(name)s (seal)") % {"name": receiver},
        ),
        (_("Principal (signature):"), _("Principal (signature):")),
        (_("Date:"), _("Date:")),
    ]
    for row, (left, right) in zip(signatures.rows, lines, strict=True):
        for box, text in zip(row.cells, (left, right), strict=True):
            gongwen.cell(box, text, key="plain")
    signed = split.letter_signed_on
    if signed:
        gongwen.paragraph(
            document,
            "plain",
            _("Signed on %(date)s.") % {"date": _date(signed)},
            align=WD_ALIGN_PARAGRAPH.RIGHT,
        )
    return gongwen.to_bytes(document)


def _number(value):
    return float(value) if value is not None else None


def sheet_xlsx(progress: SheetProgress) -> bytes:
    """The sheet as .xlsx: its items with progress, and every share with progress."""
    sheet = progress.sheet
    workbook = Workbook()
    items = workbook.active
    items.title = _("Targets")
    items.append([f"{sheet.region.name} {sheet.title}"])
    items["A1"].font = Font(name=gongwen.SONG_FONT, size=14, bold=True)
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
                target_text(item),
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
            cell.font = Font(name=XLSX_BODY_FONT, bold=True)
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
