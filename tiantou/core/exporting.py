"""Excel exports written in constant memory from the same column spec as the importers.

An export therefore imports back unchanged. The workbook is written row by row
(openpyxl write-only) into an anonymous temporary file and streamed from there.
"""

import json
import tempfile
from collections.abc import Iterable
from typing import IO, Any

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .importing import XLSX_CONTENT_TYPE, Column
from .models import AuditEntry

# Text starting with one of these is read as a formula by Excel or LibreOffice (“=”, and
# “+”, “-”, “@” when typed or re-entered), or hides one behind a tab or carriage return.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(sheet: Any, value: Any) -> Any:
    """A value made safe to write into `sheet` with `append()` (normal or write-only).

    Text that could be read as a formula becomes an explicit string cell with the quote
    prefix set: Excel and LibreOffice both show it as the same text and keep it text when
    the cell is edited. Illegal control characters are dropped. Anything else is returned
    as it is. Every exporter writes its cells through this function.
    """
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not value.startswith(FORMULA_TRIGGERS):
        return value
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def text_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """`text_cell` over a row, for `sheet.append(text_row(sheet, values))`."""
    return [text_cell(sheet, value) for value in values]


def _cell(sheet: Any, value: Any) -> Any:
    return None if value is None else text_cell(sheet, value)


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


# ---- the audit log, for auditors (the audit page's export and `export_audit`) ----


def _changes(entry: AuditEntry) -> str:
    return "\n".join(f"{name}: {_text(old)} → {_text(new)}" for name, old, new in entry.changes())


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


AUDIT_COLUMNS = [
    Column("at", _("Time"), export=lambda e: f"{timezone.localtime(e.at):%Y-%m-%d %H:%M:%S}"),
    Column("actor", _("User"), export=lambda e: str(e.actor) if e.actor else "—"),
    Column("username", _("User name"), export=lambda e: e.actor.username if e.actor else ""),
    Column("action", _("Action"), export=lambda e: e.get_action_display(), width=10),
    Column("object_type", _("Record type"), export=lambda e: e.content_type.name),
    Column("object_id", _("Record id"), width=10),
    Column("object_repr", _("Record"), width=30),
    Column("region_code", _("Region code"), width=14),
    Column("changes", _("Changes"), export=_changes, width=60),
    Column("note", _("Note"), width=30),
]


def _rows(entries: Any) -> Any:
    return entries.select_related("actor", "content_type").order_by("at", "id").iterator(2000)


def audit_xlsx_file(entries: Any) -> IO[bytes]:
    """The entries as an .xlsx file, oldest first, written in constant memory."""
    return write_xlsx(AUDIT_COLUMNS, _rows(entries), sheet_title=_("Audit log"))


def audit_xlsx_response(entries: Any, *, filename: str) -> Any:
    """The entries as an .xlsx download, oldest first, streamed."""
    return xlsx_response(
        AUDIT_COLUMNS, _rows(entries), filename=filename, sheet_title=_("Audit log")
    )
