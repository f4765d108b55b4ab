"""The allocation list of a batch (分配去向) as an Excel workbook and a Word document."""

import io

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from tiantou.core.exporting import text_row

from .models import Batch
from .selection_selectors import AllocationRow, allocation_rows

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TITLE_FONT = "宋体"
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


def _font(run, name: str, size: float, bold: bool = False) -> None:
    """Set a run's font for Latin and CJK text alike (Word reads w:eastAsia for Chinese)."""
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def allocation_docx(batch: Batch) -> bytes:
    """The allocation list as .docx: a centred title and a table, in 宋体 / 仿宋."""
    rows = allocation_rows(batch=batch)
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.0))
    normal = document.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(allocation_title(batch)), TITLE_FONT, 18, bold=True)

    headers = allocation_headers()
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text, width in zip(table.rows[0].cells, headers, DOCX_WIDTHS, strict=True):
        cell.width = Cm(width)
        paragraph = cell.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(paragraph.add_run(text), BODY_FONT, 12, bold=True)
    for row in rows:
        cells = table.add_row().cells
        for cell, value, width in zip(cells, _values(row), DOCX_WIDTHS, strict=True):
            cell.width = Cm(width)
            _font(cell.paragraphs[0].add_run(str(value)), BODY_FONT, 12)
    if not rows:
        document.add_paragraph(_("No one has been selected in this batch."))
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()
