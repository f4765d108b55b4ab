"""Reading the first sheet of an uploaded .xlsx file (python-calamine) into parsed rows."""

import io
import zipfile
from collections.abc import Iterator, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook, SheetTypeEnum

from .columns import Column, normalise_header
from .parsers import as_text, labels_in_languages
from .results import PREVIEW_ROWS, ImportResult, ParsedRow


def _file_error(result: ImportResult, message: str) -> ImportResult:
    result.add_error(None, "", message)
    return result


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _workbook_bytes(file: Any) -> bytes:
    if hasattr(file, "seek"):
        file.seek(0)
    if hasattr(file, "chunks"):  # an upload: in memory or in a temporary file
        return b"".join(file.chunks())
    return file.read()


def _is_xlsx(data: bytes) -> bool:
    """Whether `data` is an Office Open XML workbook (.xlsx, .xlsm and their templates).

    The reader would also take .xls, .xlsb and .ods files; the page promises .xlsx only.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            content_types = archive.read("[Content_Types].xml")
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError, RuntimeError):
        return False
    return b"spreadsheetml.worksheet+xml" in content_types


def read_sheet(file: Any, columns: list[Column], *, max_rows: int) -> ImportResult:
    """Read the first sheet of an .xlsx file and parse every cell with the column spec.

    The sheet is read with calamine (Rust): several times faster than openpyxl on a
    100 000-row ledger. Cells come back as str ("" when empty), float, bool, date,
    datetime or time, which the parsers above take as they took openpyxl's values.
    """
    result = ImportResult(columns=columns)
    size = getattr(file, "size", None)
    if size == 0:
        return _file_error(result, _("The file is empty."))
    if size and size > settings.TIANTOU_IMPORT_MAX_BYTES:
        return _file_error(
            result,
            _("The file is too large: at most %(mb)d MB.")
            % {"mb": settings.TIANTOU_IMPORT_MAX_BYTES // (1024 * 1024)},
        )
    not_xlsx = _(
        "This is not an Excel .xlsx file. Open it in Excel or WPS and save it as "
        "“Excel workbook (*.xlsx)”, then upload it again."
    )
    try:
        data = _workbook_bytes(file)
        if not _is_xlsx(data):
            return _file_error(result, not_xlsx)
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        del data
        sheets = [s.name for s in workbook.sheets_metadata if s.typ == SheetTypeEnum.WorkSheet]
        if not sheets:
            return _file_error(result, _("The file has no sheets."))
        sheet = workbook.get_sheet_by_name(sheets[0])
        # Every row from A1 on, whatever the stored dimensions say, so that row numbers
        # are the ones Excel shows.
        cells = sheet.to_python(skip_empty_area=False)
    except Exception:  # damaged XML inside the zip, or a part missing
        return _file_error(result, not_xlsx)
    _read_rows(result, cells, sheet.name, columns, max_rows)
    return result


def _read_rows(
    result: ImportResult, cells: list[list], title: str, columns: list[Column], max_rows: int
) -> None:
    rows: Iterator[tuple[int, list]] = iter(enumerate(cells, start=1))
    header: list = []
    for _number, row_cells in rows:
        if not all(_is_blank(v) for v in row_cells):
            header = row_cells
            break
    if not header:
        _file_error(
            result,
            _("The first sheet is empty. Download the template, fill it in and upload it."),
        )
        return
    positions = _match_header(result, tuple(header), columns)
    if positions is None:
        return
    result.present = {c.key for c, _i in positions}
    for number, row_cells in rows:
        if all(_is_blank(v) for v in row_cells):
            continue
        if len(result.rows) >= max_rows:
            result.rows.clear()
            _file_error(
                result,
                _("Too many rows: at most %(max)d data rows in one file. Split the file.")
                % {"max": max_rows},
            )
            return
        result.rows.append(_parse_row(result, number, row_cells, positions))
    if not result.rows:
        _file_error(
            result,
            _("The sheet “%(sheet)s” has a header but no data rows below it.") % {"sheet": title},
        )


def _match_header(
    result: ImportResult, header: tuple, columns: list[Column]
) -> list[tuple[Column, int]] | None:
    names: dict[str, Column] = {}
    for column in columns:
        for label in (*labels_in_languages(column.label), column.key):
            names[normalise_header(label)] = column
    positions: list[tuple[Column, int]] = []
    seen: set[str] = set()
    unknown: list[str] = []
    repeated: list[str] = []
    for index, cell in enumerate(header):
        if _is_blank(cell):
            continue
        found = names.get(normalise_header(cell))
        if found is None:
            unknown.append(str(cell).strip())
        elif found.key in seen:
            repeated.append(str(cell).strip())
        else:
            seen.add(found.key)
            positions.append((found, index))
    # Cells are kept in the spec's order whatever the order of the file's columns.
    positions.sort(key=lambda position: columns.index(position[0]))
    missing = [str(c.label) for c in columns if c.required and c.key not in seen]
    if missing:
        result.add_error(
            None,
            "",
            _("Missing columns: %(columns)s. Download the template to see the columns needed.")
            % {"columns": "、".join(f"「{m}」" for m in missing)},
        )
    if unknown:
        result.add_error(
            None,
            "",
            _("Unknown columns: %(columns)s. Delete them or rename them to one of: %(known)s.")
            % {
                "columns": "、".join(f"「{u}」" for u in unknown),
                "known": "、".join(str(c.label) for c in columns),
            },
        )
    if repeated:
        result.add_error(
            None,
            "",
            _("Columns appear twice: %(columns)s.")
            % {"columns": "、".join(f"「{r}」" for r in repeated)},
        )
    return None if (missing or unknown or repeated) else positions


def _parse_row(
    result: ImportResult, number: int, cells: Sequence[Any], positions: list[tuple[Column, int]]
) -> ParsedRow:
    values: dict[str, Any] = {}
    width = len(cells)
    errors_before = result.error_count
    for column, index in positions:
        raw = cells[index] if index < width else None
        if _is_blank(raw):
            if column.required:
                result.add_error(number, column, _("This column must be filled in."))
            values[column.key] = column.empty
            continue
        try:
            values[column.key] = column.parser(raw)
        except ValidationError as error:
            for message in error.messages:
                result.add_error(number, column, message)
    shown = None
    if len(result.rows) < PREVIEW_ROWS:
        shown = [
            "" if _is_blank(cells[i] if i < width else None) else as_text(cells[i])
            for _c, i in positions
        ]
    has_error = result.error_count > errors_before
    return ParsedRow(number=number, values=values, shown=shown, has_error=has_error)
