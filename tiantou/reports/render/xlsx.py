"""A report's numbers as Excel (.xlsx): a first sheet 数字 with every figure the text quotes
(how it is written, its indicator, exact value, unit, label and the link to its records),
then one sheet per table with numbers written as numbers."""

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from tiantou.core.exporting import text_row
from tiantou.indicators import registry

from ..document import TABLE, Block, Document
from .common import cell_number, figure_number

FIGURES_SHEET = "数字"
FIGURE_COLUMNS = ["文字", "指标", "精确值", "单位", "说明", "链接"]
FIGURE_WIDTHS = [16, 22, 16, 8, 40, 60]
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)


def render_xlsx(document: Document, base_url: str = "") -> bytes:
    """The figures and tables as .xlsx bytes. The document's records links are relative: with
    `base_url` ("https://host") they become clickable hyperlinks, without it the 链接 column
    shows the path only (a relative hyperlink in Excel would point at a file)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = FIGURES_SHEET
    _figures(sheet, document, base_url)
    used = {FIGURES_SHEET}
    for block in document.blocks:
        if block.kind == TABLE and block.table.get("columns"):
            _table(workbook.create_sheet(_sheet_title(block, used)), block, base_url)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _figures(sheet, document: Document, base_url: str) -> None:
    sheet.append(FIGURE_COLUMNS)
    for cell in sheet[1]:
        cell.font = BOLD
    for figure in document.figures:
        number = figure_number(figure.value)
        values = [
            figure.text,
            _indicator_name(figure.indicator),
            number if number is not None else "—",
            figure.unit,
            figure.label,
            base_url + figure.url if figure.url else "",
        ]
        sheet.append(text_row(sheet, values))
        if figure.url and base_url:
            link = sheet.cell(row=sheet.max_row, column=len(FIGURE_COLUMNS))
            link.hyperlink = link.value
            link.style = "Hyperlink"
    for index, width in enumerate(FIGURE_WIDTHS, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def _indicator_name(key: str) -> str:
    try:
        return str(registry.get(key).name)
    except KeyError:
        return key


def _sheet_title(block: Block, used: set[str]) -> str:
    """The caption as a sheet name: no []:*?/\\, at most 31 characters, unique."""
    base = _SHEET_UNSAFE.sub("", block.text).strip("' ")[:31] or "表格"
    title, n = base, 1
    while title in used:
        n += 1
        suffix = f"({n})"
        title = base[: 31 - len(suffix)] + suffix
    used.add(title)
    return title


def _table(sheet, block: Block, base_url: str) -> None:
    columns = block.table["columns"]
    rows = block.table.get("rows", [])
    urls = block.table.get("urls") or []
    sheet.append(text_row(sheet, [block.text]))
    sheet["A1"].font = TITLE
    if len(columns) > 1:
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    sheet.append(text_row(sheet, columns))
    for cell in sheet[2]:
        cell.font = BOLD
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    widths = [_width(str(c)) for c in columns]
    for r, values in enumerate(rows):
        written = []
        formats = []
        for text in values:
            number, percent = cell_number(text)
            written.append(text if number is None else number)
            formats.append("0.0%" if percent else None)
        sheet.append(text_row(sheet, written))
        row = sheet.max_row
        for c, (text, number_format) in enumerate(zip(values, formats, strict=True)):
            cell = sheet.cell(row=row, column=c + 1)
            if number_format:
                cell.number_format = number_format
            elif isinstance(cell.value, int):
                cell.number_format = "#,##0"
            if text == "合计":
                cell.font = BOLD
            url = urls[r][c] if r < len(urls) and c < len(urls[r]) else ""
            if url and base_url:
                cell.hyperlink = base_url + url
            widths[c] = max(widths[c], _width(text))
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, 50)
    sheet.freeze_panes = "B3"


def _width(text: str) -> int:
    """Column width in Excel units: CJK characters count double."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
