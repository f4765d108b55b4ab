"""Excel exports written in constant memory from the same column spec as the importers.

An export therefore imports back unchanged. The workbook is written row by row
(openpyxl write-only) into an anonymous temporary file and streamed from there.
"""

import tempfile
from collections.abc import Iterable
from typing import IO, Any

from django.http import FileResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .importing import XLSX_CONTENT_TYPE, Column


def _cell(sheet: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith("="):
            # Text beginning with “=” would otherwise become a live formula.
            cell = WriteOnlyCell(sheet, value)
            cell.data_type = "s"
            return cell
    return value


def write_xlsx(columns: list[Column], objects: Iterable[Any], *, sheet_title: Any) -> IO[bytes]:
    """Write a header row and one row per object; return the file, rewound."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(sheet_title)[:31])
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, str(column.label))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for obj in objects:
        sheet.append([_cell(sheet, column.value_of(obj)) for column in columns])
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (closed by FileResponse)
    workbook.save(output)
    output.seek(0)
    return output


def xlsx_response(
    columns: list[Column], objects: Iterable[Any], *, filename: str, sheet_title: Any
) -> FileResponse:
    """An .xlsx download of `objects`, streamed from a temporary file deleted when sent."""
    output = write_xlsx(columns, objects, sheet_title=sheet_title)
    return FileResponse(
        output, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
