"""The allocation list of a batch (分配去向) as an Excel workbook and a Word document."""

import io

from django.utils.translation import gettext as _
from docx.shared import Cm
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from tiantou.core import gongwen
from tiantou.core.exporting import text_row

from .models import Batch
from .selection.selectors import AllocationRow, allocation_rows

DOCX_CONTENT_TYPE = gongwen.CONTENT_TYPE
# Fonts of the workbook (Excel has no styles to share with Word).
TITLE_FONT = gongwen.SONG_FONT
BODY_FONT = "仿宋"
# Column widths in the workbook (characters) and in the document (centimetres).
XLSX_WIDTHS = (6, 10, 6, 14, 24, 30, 14)
DOCX_WIDTHS = (1.3, 2.2, 1.3, 2.8, 5.0, 6.8, 3.2)


def allocation_title(batch: Batch) -> str:
    """E.g. 沂南县2026年第1批科技副职分配去向."""
    return _("%(region)s %(programme)s, %(year)s batch %(number)s: allocation") % {
        "region": batch.programme.region.name,
        "year": batch.year,
        "number": batch.number,
        "programme": batch.programme.name,
    }


def allocation_headers() -> list[str]:
    """Column headings: 序号, 姓名, 性别, 职称, 派出单位, 分配去向, 职务."""
    return [
        _("No."),
        _("Name"),
        _("Gender"),
        _("Professional title"),
        _("Home unit"),
        _("Allocated to"),
        _("Post"),
    ]


def allocation_filename(batch: Batch, extension: str) -> str:
    """The download's file name: the title and the extension."""
    return f"{allocation_title(batch)}.{extension}"


def _values(row: AllocationRow) -> list:
    return [
        row.number,
        row.name,
        row.gender,
        row.title,
        row.home_unit,
        row.destination,
        row.post,
    ]


def allocation_xlsx(batch: Batch) -> bytes:
    """The allocation list as .xlsx: the title in row 1, headings in row 2, one row each."""
    rows = allocation_rows(batch=batch)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Allocation")
    headers = allocation_headers()
    sheet.append(text_row(sheet, [allocation_title(batch)]))
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet["A1"].font = Font(name=TITLE_FONT, size=16, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 30
    sheet.append(text_row(sheet, headers))
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for cell in sheet[2]:
        cell.font = Font(name=BODY_FONT, bold=True)
        cell.alignment = Alignment(horizontal="center")
        cell.border = border
    for row in rows:
        sheet.append(text_row(sheet, _values(row)))
        for cell in sheet[sheet.max_row]:
            cell.font = Font(name=BODY_FONT)
            cell.border = border
            cell.alignment = Alignment(vertical="center", wrap_text=True)
    for index, width in enumerate(XLSX_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "2:2"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def allocation_docx(batch: Batch) -> bytes:
    """The allocation list as .docx: a 公文 title over a table, on a landscape A4 page."""
    rows = allocation_rows(batch=batch)
    title = allocation_title(batch)
    document = gongwen.new_document(title=title, landscape=True)
    gongwen.paragraph(document, "title", title)
    gongwen.paragraph(document, "plain", "")
    gongwen.table(
        document,
        allocation_headers(),
        [[str(value) for value in _values(row)] for row in rows],
        widths=[Cm(width) for width in DOCX_WIDTHS],
    )
    if not rows:
        gongwen.paragraph(document, "plain", _("No one has been selected in this batch."))
    return gongwen.to_bytes(document)
