"""Reading the first sheet of an uploaded .xlsx file (python-calamine) into parsed rows.

An upload is checked first (`check_workbook`): a hostile file (a zip bomb, a cell at
XFD1048576, a damaged or crafted zip) is refused with a message before calamine sees
it, at the cost of unzipping it once with nothing kept.
"""

import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any
from xml.parsers import expat

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


class Refused(Exception):
    """A workbook refused before calamine reads it; the message says why, in words for
    the person who uploaded it."""


# Rows a sheet may reach beyond the importer's data rows: the header, blank rows, and
# empty cells formatted ahead (the template formats its first 500 rows).
ROW_HEADROOM = 1_000
# Parts this small are not checked for their compression ratio (an empty sheet
# compresses hundreds of times).
RATIO_FLOOR = 1024 * 1024
# The largest part other than the first sheet that is parsed here (the workbook and its
# relationships, a few kilobytes in any real file).
SMALL_PART = 4 * 1024 * 1024
CHUNK = 64 * 1024
WORKSHEET_TYPE = "spreadsheetml.worksheet+xml"
LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
LOCAL_SIGNATURE = b"PK\x03\x04"
# Excel keeps at most this many characters in a cell.
EXCEL_CELL_CHARS = 32_767
SHOWN_CHARS = 200


def _not_xlsx() -> Refused:
    return Refused(
        _(
            "This is not an Excel .xlsx file. Open it in Excel or WPS and save it as "
            "“Excel workbook (*.xlsx)”, then upload it again."
        )
    )


def _too_big_unzipped() -> Refused:
    return Refused(
        _(
            "The workbook holds more than %(mb)d MB once unzipped, more than an import "
            "takes. Keep only the sheet to import, or split the file."
        )
        % {"mb": settings.TIANTOU_IMPORT_MAX_UNZIPPED_BYTES // (1024 * 1024)}
    )


def _too_compressed() -> Refused:
    return Refused(
        _(
            "A part of the workbook is compressed more than %(ratio)d times, which no "
            "real sheet is: the file is refused."
        )
        % {"ratio": settings.TIANTOU_IMPORT_MAX_COMPRESSION_RATIO}
    )


@dataclass
class SheetLimits:
    """How far the first sheet may reach: rows, columns and cells in all."""

    rows: int
    columns: int
    cells: int

    @classmethod
    def for_rows(cls, max_rows: int) -> "SheetLimits":
        return cls(
            rows=max_rows + ROW_HEADROOM,
            columns=settings.TIANTOU_IMPORT_MAX_COLUMNS,
            cells=settings.TIANTOU_IMPORT_MAX_CELLS,
        )

    def check_extent(self, rows: int, columns: int) -> None:
        """Refuse a sheet spanning `rows` × `columns` beyond the limits."""
        if rows > self.rows or columns > self.columns or rows * columns > self.cells:
            raise Refused(
                _(
                    "The sheet spans %(rows)d rows × %(cols)d columns, more than an import "
                    "takes (at most %(max_rows)d rows × %(max_cols)d columns, %(max_cells)d "
                    "cells in all). Delete the rows and columns beyond your data, or "
                    "split the file."
                )
                % {
                    "rows": rows,
                    "cols": columns,
                    "max_rows": self.rows,
                    "max_cols": self.columns,
                    "max_cells": self.cells,
                }
            )


def _cell_position(ref: str) -> tuple[int, int] | None:
    """(row, column) of a reference such as "XFD1048576", both from 1; None if not one."""
    letters = ref.rstrip("0123456789")
    digits = ref[len(letters) :].lstrip("$")
    letters = letters.strip("$").upper()
    if not digits or not letters or len(letters) > 3 or not letters.isalpha():
        return None
    column = 0
    for letter in letters:
        column = column * 26 + ord(letter) - 64
    return int(digits), column


# The quick scan of a sheet: cell references found by regular expressions, a whole
# chunk at a time (a Python callback per cell would take longer than calamine's read).
# It reads cells written as Excel, WPS and openpyxl write them (`<c r="B7" ...`).
CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')
DIMENSION = re.compile(rb'<(?:[\w.-]+:)?dimension\s[^>]*?\bref="([^"]*)"')
# The longest tag carried from one chunk to the next.
MAX_TAG = 1024 * 1024


class _QuickScan:
    """Finds the first sheet's extent from its declared dimension and its cells'
    references, refusing it beyond the limits. Anything it cannot read plainly (a cell
    without a reference, a prefixed tag, a comment) makes it `unsure`: the sheet is then
    walked again, element by element, by `_SheetScan`."""

    def __init__(self, limits: SheetLimits) -> None:
        self.limits = limits
        self.carry = b""
        self.rows = 0
        self.columns = 0
        self.in_data = False
        self.unsure = False

    def feed(self, data: bytes, final: bool = False) -> None:
        buffer = self.carry + data
        self.carry = b""
        if not final:
            last = buffer.rfind(b"<")
            if last != -1 and buffer.find(b">", last) == -1:  # a tag cut in two
                buffer, self.carry = buffer[:last], buffer[last:]
                if len(self.carry) > MAX_TAG:
                    raise _not_xlsx()
        if b"<!" in buffer:
            if b"<!DOCTYPE" in buffer or b"<!ENTITY" in buffer:
                raise _not_xlsx()
            self.unsure = True  # a comment or a CDATA section
        if not self.in_data:  # the dimension comes before the cells
            for ref in DIMENSION.findall(buffer):
                position = _cell_position(ref.decode("ascii", "replace").rpartition(":")[2])
                if position is not None:
                    self.limits.check_extent(*position)
            self.in_data = b"sheetData" in buffer
        refs = CELL_REF.findall(buffer)
        rows = set(map(itemgetter(1), refs))
        columns = set(map(itemgetter(0), refs))
        cells = buffer.count(b"<c ") + buffer.count(b"<c>") + buffer.count(b"<c/>")
        if b":c " in buffer or b":c>" in buffer or b":c/>" in buffer:
            self.unsure = True  # perhaps prefixed cells (`<x:c`)
        elif cells != len(refs):
            self.unsure = True
        if rows:
            self.rows = max(self.rows, max(int(number) for number in rows))
            self.columns = max(self.columns, max(_column_number(c) for c in columns))
            self.limits.check_extent(self.rows, self.columns)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


class _SheetScan:
    """Walks the first sheet's XML as it is unzipped, refusing it as soon as its
    declared dimension or a cell lies beyond the limits: nothing is kept but counters."""

    def __init__(self, limits: SheetLimits) -> None:
        self.limits = limits
        self.row = 0
        self.column = 0
        self.widest = 0
        self.parser = expat.ParserCreate()
        self.parser.StartElementHandler = self.start
        # A sheet has no document type: refusing one refuses entity expansion with it.
        self.parser.StartDoctypeDeclHandler = self.refuse_doctype
        self.parser.EntityDeclHandler = self.refuse_doctype

    def refuse_doctype(self, *args: Any) -> None:
        raise _not_xlsx()

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if local == "c":
            position = _cell_position(attrs.get("r", ""))
            if position is None:
                self.column += 1
            else:
                self.row = max(self.row, position[0])
                self.column = position[1]
            if self.column > self.widest:
                self.widest = self.column
            if self.column > self.limits.columns or self.row * self.widest > self.limits.cells:
                self.limits.check_extent(self.row, self.widest)
        elif local == "row":
            number = attrs.get("r", "")
            self.row = int(number) if number.isdigit() else self.row + 1
            self.column = 0
            if self.row > self.limits.rows:
                self.limits.check_extent(self.row, self.widest)
        elif local == "dimension":
            ref = attrs.get("ref", "A1").rpartition(":")[2]
            position = _cell_position(ref)
            if position is not None:
                self.limits.check_extent(*position)

    def feed(self, data: bytes, final: bool = False) -> None:
        try:
            self.parser.Parse(data, final)
        except expat.ExpatError:
            raise _not_xlsx() from None


def _member_bytes(data: bytes, info: zipfile.ZipInfo) -> memoryview:
    """The raw (still compressed) bytes of a member, found through its local header, which
    must agree with the central directory that other zip readers follow."""
    offset = info.header_offset
    header = data[offset : offset + LOCAL_HEADER.size]
    if len(header) < LOCAL_HEADER.size:
        raise _not_xlsx()
    fields = LOCAL_HEADER.unpack(header)
    signature, method, compressed, size, name_length, extra_length = (
        fields[0],
        fields[4],
        fields[8],
        fields[9],
        fields[10],
        fields[11],
    )
    if signature != LOCAL_SIGNATURE or method != info.compress_type:
        raise _not_xlsx()
    sizes_in_header = not info.flag_bits & 0x08 and compressed != 0xFFFFFFFF  # not zip64
    if sizes_in_header and (compressed, size) != (info.compress_size, info.file_size):
        raise _not_xlsx()
    start = offset + LOCAL_HEADER.size + name_length + extra_length
    raw = memoryview(data)[start : start + info.compress_size]
    if len(raw) != info.compress_size:
        raise _not_xlsx()  # cut short
    return raw


def _unzip(data: bytes, info: zipfile.ZipInfo, budget: int) -> Iterator[bytes]:
    """A member's bytes as they are unzipped, chunk by chunk, counted against `budget`
    whatever sizes the zip declares: a part that says 1 KB and unzips to 1 GB stops at
    the budget. Only stored and deflated parts, the two an .xlsx file may use."""
    raw = _member_bytes(data, info)
    ratio = settings.TIANTOU_IMPORT_MAX_COMPRESSION_RATIO
    produced = 0
    crc = 0
    if info.compress_type == zipfile.ZIP_STORED:
        chunks: Iterator[bytes] = (bytes(raw[i : i + CHUNK]) for i in range(0, len(raw), CHUNK))
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        chunks = _inflate(raw)
    else:
        raise _not_xlsx()
    for chunk in chunks:
        produced += len(chunk)
        if produced > budget:
            raise _too_big_unzipped()
        if produced > info.file_size:
            raise _not_xlsx()  # more than it says: a damaged or crafted file
        if produced > RATIO_FLOOR and produced > ratio * info.compress_size:
            raise _too_compressed()
        crc = zlib.crc32(chunk, crc)
        yield chunk
    if produced != info.file_size or crc != info.CRC:
        raise _not_xlsx()


def _inflate(raw: memoryview) -> Iterator[bytes]:
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        for i in range(0, len(raw), CHUNK):
            pending = bytes(raw[i : i + CHUNK])
            while pending:
                yield inflater.decompress(pending, CHUNK)
                pending = inflater.unconsumed_tail
        yield inflater.flush()
    except zlib.error:
        raise _not_xlsx() from None
    if not inflater.eof:
        raise _not_xlsx()


def _small_part(data: bytes, archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise _not_xlsx() from None
    if info.file_size > SMALL_PART:
        raise _not_xlsx()
    return b"".join(_unzip(data, info, SMALL_PART))


def _elements(xml: bytes, wanted: str) -> list[dict[str, str]]:
    """The attributes of every element named `wanted` (any prefix) in a small part."""
    found: list[dict[str, str]] = []
    parser = expat.ParserCreate()

    def start(name: str, attrs: dict[str, str]) -> None:
        if name.rpartition(":")[2] == wanted:
            found.append(attrs)

    def refuse(*args: Any) -> None:
        raise _not_xlsx()

    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(xml, True)
    except expat.ExpatError:
        raise _not_xlsx() from None
    return found


def _first_sheet_part(data: bytes, archive: zipfile.ZipFile) -> str | None:
    """The part of the first worksheet, as the workbook lists its sheets (calamine reads
    that one), or None when the workbook has no worksheet."""
    sheets = _elements(_small_part(data, archive, "xl/workbook.xml"), "sheet")
    relations = {
        r.get("Id", ""): r
        for r in _elements(_small_part(data, archive, "xl/_rels/workbook.xml.rels"), "Relationship")
    }
    for sheet in sheets:
        rid = next((v for k, v in sheet.items() if k.rpartition(":")[2] == "id"), "")
        relation = relations.get(rid)
        if relation is None or not relation.get("Type", "").endswith("/worksheet"):
            continue
        target = relation.get("Target", "")
        part = target[1:] if target.startswith("/") else posixpath.join("xl", target)
        return posixpath.normpath(part)
    return None


def check_workbook(data: bytes, *, max_rows: int) -> None:
    """Refuse (`Refused`) a workbook that would cost more to read than an import may:
    checked before calamine reads it, unzipping part by part with nothing kept.

    - a valid zip whose local headers agree with its directory, no part named twice;
    - its parts together under TIANTOU_IMPORT_MAX_UNZIPPED_BYTES once unzipped (counted
      while unzipping: the sizes a zip declares may lie), none compressed more than
      TIANTOU_IMPORT_MAX_COMPRESSION_RATIO times;
    - the first sheet's declared dimension and its cells within the importer's rows
      (plus ROW_HEADROOM), TIANTOU_IMPORT_MAX_COLUMNS and TIANTOU_IMPORT_MAX_CELLS:
      calamine sets aside memory for the whole extent (a cell at XFD1048576 asks for
      hundreds of gigabytes), so the extent is checked first.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        raise _not_xlsx() from None
    with archive:
        infos = archive.infolist()
        if len({info.filename for info in infos}) != len(infos):
            raise _not_xlsx()
        limit = settings.TIANTOU_IMPORT_MAX_UNZIPPED_BYTES
        ratio = settings.TIANTOU_IMPORT_MAX_COMPRESSION_RATIO
        if sum(info.file_size for info in infos) > limit:
            raise _too_big_unzipped()
        for info in infos:
            if info.file_size > RATIO_FLOOR and info.file_size > ratio * info.compress_size:
                raise _too_compressed()
        if WORKSHEET_TYPE.encode() not in _small_part(data, archive, "[Content_Types].xml"):
            raise _not_xlsx()
        sheet = _first_sheet_part(data, archive)
        limits = SheetLimits.for_rows(max_rows)
        budget = limit
        for info in infos:
            scan = _QuickScan(limits) if info.filename == sheet else None
            for chunk in _unzip(data, info, budget):
                budget -= len(chunk)
                if scan is not None:
                    scan.feed(chunk)
            if scan is not None:
                scan.feed(b"", final=True)
                if scan.unsure:  # walk it again, element by element
                    full = _SheetScan(limits)
                    for chunk in _unzip(data, info, limit):
                        full.feed(chunk)
                    full.feed(b"", final=True)


def read_sheet(file: Any, columns: list[Column], *, max_rows: int) -> ImportResult:
    """Read the first sheet of an .xlsx file and parse every cell with the column spec.

    The file is checked first (`check_workbook`). The sheet is then read with calamine
    (Rust): several times faster than openpyxl on a 100 000-row ledger. Cells come back
    as str ("" when empty), float, bool, date, datetime or time, which the parsers above
    take as they took openpyxl's values.
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
    try:
        data = _workbook_bytes(file)
        check_workbook(data, max_rows=max_rows)
    except Refused as refused:
        return _file_error(result, str(refused))
    try:
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
        return _file_error(result, str(_not_xlsx()))
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


def _shown(value: Any) -> str:
    """A cell as the preview shows it: a long text is cut (the whole of it may be
    megabytes of a hostile file)."""
    text = as_text(value[: SHOWN_CHARS + 1] if isinstance(value, str) else value)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


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
        if isinstance(raw, str) and len(raw) > EXCEL_CELL_CHARS:
            result.add_error(
                number,
                column,
                _("At most %(max)d characters (this has %(n)d).")
                % {"max": EXCEL_CELL_CHARS, "n": len(raw)},
            )
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
            "" if _is_blank(cells[i] if i < width else None) else _shown(cells[i])
            for _c, i in positions
        ]
    has_error = result.error_count > errors_before
    return ParsedRow(number=number, values=values, shown=shown, has_error=has_error)
