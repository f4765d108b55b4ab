"""Excel import framework: column specs, templates, reading and checking sheets.

An importer declares its columns once. The same spec writes the template, reads an
uploaded file and (through `exporting.py`) writes exports that import back unchanged.

Reading parses every cell in Python and keeps no per-row database work: the
importer's service then resolves references with one query per referenced table for
the whole sheet, and writes all rows in one transaction, or none if any row is wrong.
"""

import datetime as dt
import decimal
import functools
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook, SheetTypeEnum

from . import audit, regioncodes
from .models import AuditEntry
from .validators import normalise_uscc

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Errors kept for display; the rest are only counted (a wrong file can have 100 000).
MAX_ERRORS_KEPT = 200
PREVIEW_ROWS = 10
# Rows of the template pre-formatted as text so that long codes keep their digits.
TEMPLATE_TEXT_ROWS = 500
# Chunk for `field__in` lookups: below every database's parameter limit.
IN_CHUNK = 5000


# ---- cell parsers: raw cell value → Python value, or ValidationError ----


def _as_text(value: Any) -> str:
    """A cell as text; whole numbers typed into General cells lose their “.0”."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        value = value.date()
    return str(value).strip()


def text(max_length: int | None = None) -> Callable[[Any], str]:
    """Free text, at most `max_length` characters."""

    def parse(value: Any) -> str:
        result = _as_text(value)
        if max_length and len(result) > max_length:
            raise ValidationError(
                _("At most %(max)d characters (this has %(n)d)."),
                params={"max": max_length, "n": len(result)},
            )
        return result

    return parse


def integer(minimum: int | None = None, maximum: int | None = None) -> Callable[[Any], int]:
    """A whole number, optionally bounded."""

    def parse(value: Any) -> int:
        try:
            number = decimal.Decimal(_as_text(value).replace(",", ""))
            if number != number.to_integral_value():
                raise ValueError
            result = int(number)
        except (ValueError, decimal.InvalidOperation):
            raise ValidationError(
                _("“%(value)s” is not a whole number."), params={"value": _as_text(value)}
            ) from None
        if (minimum is not None and result < minimum) or (maximum is not None and result > maximum):
            raise ValidationError(
                _("%(value)d is outside the allowed range %(min)s to %(max)s."),
                params={"value": result, "min": minimum, "max": maximum},
            )
        return result

    return parse


def decimal_number(places: int = 2) -> Callable[[Any], decimal.Decimal]:
    """A decimal number rounded to `places` digits."""

    def parse(value: Any) -> decimal.Decimal:
        try:
            number = decimal.Decimal(_as_text(value).replace(",", ""))
            if not number.is_finite():
                raise ValueError
        except (ValueError, decimal.InvalidOperation):
            raise ValidationError(
                _("“%(value)s” is not a number."), params={"value": _as_text(value)}
            ) from None
        return number.quantize(decimal.Decimal(1).scaleb(-places))

    return parse


DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def date() -> Callable[[Any], dt.date]:
    """A date cell, or text such as 2026-03-01, 2026/3/1 or 2026年3月1日."""

    def parse(value: Any) -> dt.date:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        raw = _as_text(value)
        for fmt in DATE_FORMATS:
            try:
                return dt.datetime.strptime(raw, fmt).date()  # noqa: DTZ007 (a date only)
            except ValueError:
                continue
        raise ValidationError(
            _("“%(value)s” is not a date: write it as 2026-03-01."), params={"value": raw}
        )

    return parse


TRUE_WORDS = {"是", "有", "√", "✓", "y", "yes", "true", "1"}
FALSE_WORDS = {"否", "无", "×", "n", "no", "false", "0"}


def boolean() -> Callable[[Any], bool]:
    """是 / 否 (also yes / no, 1 / 0)."""

    def parse(value: Any) -> bool:
        if isinstance(value, bool):
            return value
        raw = _as_text(value).lower()
        if raw in TRUE_WORDS:
            return True
        if raw in FALSE_WORDS:
            return False
        raise ValidationError(_("Write 是 or 否, not “%(value)s”."), params={"value": raw})

    return parse


def _labels_in_languages(label: Any) -> set[str]:
    """A label as shown in the current language and in Chinese (files travel between users)."""
    labels = {str(label).strip()}
    with translation.override("zh-hans"):
        labels.add(str(label).strip())
    return labels


def choice(choices: Any, *, aliases: dict[str, Any] | None = None) -> Callable[[Any], Any]:
    """One of a Choices class (or (value, label) pairs), written as its label or value.

    Labels are accepted in the current language and in Chinese.
    """
    pairs = [(v, label) for v, label in getattr(choices, "choices", choices) if str(v)]
    cache: dict[str, dict[str, Any]] = {}

    def lookup() -> dict[str, Any]:
        language = translation.get_language() or ""
        if language not in cache:
            table = {str(v): v for v, _label in pairs}
            for value, label in pairs:
                for text_label in _labels_in_languages(label):
                    table[text_label] = value
            table.update(aliases or {})
            cache[language] = table
        return cache[language]

    def parse(value: Any) -> Any:
        raw = _as_text(value)
        table = lookup()
        if raw in table:
            return table[raw]
        raise ValidationError(
            _("“%(value)s” is not one of: %(allowed)s."),
            params={"value": raw, "allowed": "、".join(str(label) for _v, label in pairs)},
        )

    return parse


def region_code() -> Callable[[Any], str]:
    """A division code: 12 digits, or a shorter prefix filled with zeros."""
    return regioncodes.normalise


def credit_code() -> Callable[[Any], str]:
    """A unified social credit code (GB 32100-2015), check character verified."""
    return lambda value: normalise_uscc(_as_text(value))


# ---- column spec ----


@dataclass(frozen=True)
class Column:
    """One column of an import/export sheet: header label, key, parser and help."""

    key: str
    label: Any  # a lazy translation: the header users see
    parser: Callable[[Any], Any] = field(default_factory=text)
    required: bool = False
    help: Any = ""
    example: Any = ""
    # obj → cell value for exports; by default the attribute named `key`.
    export: Callable[[Any], Any] | None = None
    empty: Any = ""  # value of a blank optional cell
    width: int = 16
    number_format: str = "@"  # text, so that codes keep their digits

    def value_of(self, obj: Any) -> Any:
        """The value of this column for one object, as written to an export."""
        if self.export is not None:
            return self.export(obj)
        return getattr(obj, self.key)


def _normalise_header(value: Any) -> str:
    return str(value).replace("*", "").replace("＊", "").replace(" ", "").replace("\u3000", "")


# ---- results ----


@dataclass
class RowError:
    """A problem in one cell, one row, or the whole file (row and column left empty)."""

    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        if self.row and self.column:
            return _("Row %(row)d, “%(column)s”: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        if self.row:
            return _("Row %(row)d: %(message)s") % {"row": self.row, "message": self.message}
        return self.message


@dataclass
class ParsedRow:
    """One data row: its Excel row number and its parsed values by column key."""

    number: int
    values: dict[str, Any]
    action: str = ""  # "create" / "update" / "unchanged", set by the importer's planner
    has_error: bool = False  # a cell could not be parsed: planners skip the row
    shown: list[str] | None = None  # the cells as typed, kept for the preview rows only


CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
ACTION_LABELS = {
    CREATE: gettext_lazy("new"),
    UPDATE: gettext_lazy("changed"),
    UNCHANGED: gettext_lazy("unchanged"),
}


@dataclass
class ImportResult:
    """What reading, checking and (unless a dry run) writing a sheet gave."""

    columns: list[Column]
    dry_run: bool = True
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    present: set[str] = field(default_factory=set)  # keys of the columns in the file
    to_create: int = 0
    to_update: int = 0
    unchanged: int = 0
    written: bool = False

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def row_count(self) -> int:
        return len(self.rows)

    @property
    def hidden_error_count(self) -> int:
        return self.error_count - len(self.errors)

    def add_error(self, row: int | None, column: Any, message: Any) -> None:
        """Record an error; `column` is a Column, a key, a label or empty."""
        self.error_count += 1
        if len(self.errors) >= MAX_ERRORS_KEPT:
            return
        if isinstance(column, Column):
            column = column.label
        elif isinstance(column, str) and column in self.labels:
            column = self.labels[column]
        self.errors.append(RowError(row, str(column or ""), str(message)))

    def add_validation_error(self, row: int | None, error: ValidationError) -> None:
        """Record a Django ValidationError, mapping field names to column headers."""
        if hasattr(error, "error_dict"):
            for name, errors in error.message_dict.items():
                for message in errors:
                    self.add_error(row, "" if name == "__all__" else name, message)
        else:
            for message in error.messages:
                self.add_error(row, "", message)

    @functools.cached_property
    def labels(self) -> dict[str, Any]:
        return {c.key: c.label for c in self.columns}

    def count(self) -> None:
        """Fill the summary from the rows' planned actions."""
        actions = [r.action for r in self.rows]
        self.to_create = actions.count(CREATE)
        self.to_update = actions.count(UPDATE)
        self.unchanged = actions.count(UNCHANGED)

    def preview(self) -> list[dict]:
        """The first rows as typed, with what will happen to each."""
        return [
            {"number": r.number, "action": ACTION_LABELS.get(r.action, ""), "cells": r.shown}
            for r in self.rows[:PREVIEW_ROWS]
        ]


# ---- reading ----


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
        for label in (*_labels_in_languages(column.label), column.key):
            names[_normalise_header(label)] = column
    positions: list[tuple[Column, int]] = []
    seen: set[str] = set()
    unknown: list[str] = []
    repeated: list[str] = []
    for index, cell in enumerate(header):
        if _is_blank(cell):
            continue
        found = names.get(_normalise_header(cell))
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
            "" if _is_blank(cells[i] if i < width else None) else _as_text(cells[i])
            for _c, i in positions
        ]
    has_error = result.error_count > errors_before
    return ParsedRow(number=number, values=values, shown=shown, has_error=has_error)


def rows_from(data: Iterable[Any], *, first_number: int = 2) -> list[ParsedRow]:
    """Rows for an import service from parsed rows or plain dicts (API, tests, commands)."""
    rows = []
    for offset, item in enumerate(data):
        if isinstance(item, ParsedRow):
            rows.append(item)
        else:
            rows.append(ParsedRow(number=first_number + offset, values=dict(item)))
    return rows


def check_unique_in_file(
    result: ImportResult, key: Callable[[ParsedRow], Any], column: Any, message: str
) -> None:
    """Report rows repeating a key already used by an earlier row of the same file.

    `message` may use %(first)d: the row where the key first appeared.
    """
    first_seen: dict[Any, int] = {}
    for row in result.rows:
        value = key(row)
        if value in (None, "", ()):
            continue
        if value in first_seen:
            result.add_error(row.number, column, message % {"first": first_seen[value]})
        else:
            first_seen[value] = row.number


def fetch_in(queryset: models.QuerySet, field_name: str, values: Iterable[Any]) -> list:
    """Objects whose `field_name` is one of `values`: one query per 5 000 values."""
    values = sorted({v for v in values if v not in (None, "")})
    found: list = []
    for start in range(0, len(values), IN_CHUNK):
        found.extend(queryset.filter(**{f"{field_name}__in": values[start : start + IN_CHUNK]}))
    return found


# Field types whose Python values the database driver writes as they are.
_PLAIN_FIELDS = (
    models.AutoField,
    models.BigAutoField,
    models.SmallAutoField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveBigIntegerField,
    models.PositiveSmallIntegerField,
    models.CharField,
    models.SlugField,
    models.TextField,
    models.BooleanField,
    models.DateField,
    models.DateTimeField,
    models.DecimalField,
    models.UUIDField,
    models.ForeignKey,
)


def bulk_insert(model: type[models.Model], objects: list, *, batch_size: int = 2000) -> None:
    """Insert new, unsaved objects in bulk and set their primary keys.

    What `bulk_create` does, without its per-value work where it can: on PostgreSQL the
    keys are drawn from the table's sequence in one query and the rows are sent with
    COPY; elsewhere `bulk_create` does it. `auto_now` and `auto_now_add` fields get one
    timestamp for the whole batch. No signals are sent (as with `bulk_create`).
    """
    if not objects:
        return
    meta = model._meta
    now = timezone.now()
    stamped = [
        f.attname
        for f in meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for obj in objects:
        for attname in stamped:
            setattr(obj, attname, now)
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objects, batch_size=batch_size)  # type: ignore[attr-defined]
        return
    pk = meta.pk
    assert pk is not None
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        new = [obj for obj in objects if obj.pk is None]
        if new:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, pk.column, len(new)],
            )
            for obj, (key,) in zip(new, cursor.fetchall(), strict=True):
                obj.pk = key
        fields = list(meta.concrete_fields)
        prepare: list[Callable[[Any], Any] | None] = []
        for f in fields:
            if isinstance(f, models.JSONField):
                prepare.append(functools.partial(_json_or_null, encoder=f.encoder))
            elif type(f) in _PLAIN_FIELDS:
                prepare.append(None)
            else:
                prepare.append(functools.partial(f.get_db_prep_save, connection=connection))
        attnames = [f.attname for f in fields]
        columns = ", ".join(quote(str(f.column)) for f in fields)
        sql = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
        # Driver errors (a duplicate key written meanwhile) become Django's IntegrityError.
        with connection.wrap_database_errors, cursor.copy(sql) as copy:  # type: ignore[attr-defined]
            for obj in objects:
                values = obj.__dict__
                copy.write_row(
                    [
                        values[name] if how is None else how(values[name])
                        for name, how in zip(attnames, prepare, strict=True)
                    ]
                )
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias


def _json_or_null(value: Any, *, encoder: Any) -> str | None:
    return None if value is None else json.dumps(value, cls=encoder)


def audit_entry(*, actor: Any, obj: models.Model, before: dict | None, note: str) -> AuditEntry:
    """An unsaved import audit row for `obj` as it is now; save many with bulk_create."""
    from .models import AuditAction

    return AuditEntry(
        actor=actor if getattr(actor, "pk", None) else None,
        action=AuditAction.IMPORT,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        region_code=audit.region_code_of(obj),
        before=before,
        after=audit.snapshot(obj),
        note=note,
    )


# ---- templates ----


def build_template(
    columns: list[Column], *, sheet_title: Any, instructions: Iterable[Any] = ()
) -> bytes:
    """An .xlsx template: header row, one example row, and an instructions sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(sheet_title)[:31]
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        header = sheet.cell(row=1, column=index, value=str(column.label))
        header.font = bold
        if column.required:
            header.fill = required_fill
        sheet.column_dimensions[letter].width = column.width
        value = column.example
        if isinstance(value, Promise):
            value = str(value)
        example = sheet.cell(row=2, column=index, value=value if value != "" else None)
        example.number_format = column.number_format
        for row in range(3, TEMPLATE_TEXT_ROWS + 2):
            sheet.cell(row=row, column=index).number_format = column.number_format
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet(_("Instructions")[:31])
    notes.column_dimensions["A"].width = 22
    notes.column_dimensions["B"].width = 10
    notes.column_dimensions["C"].width = 60
    notes.column_dimensions["D"].width = 24
    general = [
        _("Fill in the first sheet, one row per record, from row 2 on; keep the header row."),
        _("Replace or delete the example row before uploading."),
        _("Columns with a yellow header must be filled in."),
        _("The upload is checked first; nothing is saved until every row is correct."),
        *[str(line) for line in instructions],
    ]
    for line in general:
        notes.append([line])
    notes.append([])
    notes.append([_("Column"), _("Required"), _("How to fill it in"), _("Example")])
    for cell in notes[notes.max_row]:
        cell.font = bold
    for column in columns:
        notes.append(
            [
                str(column.label),
                _("Yes") if column.required else _("No"),
                str(column.help),
                str(column.example),
            ]
        )
    for row in notes.iter_rows(min_row=1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---- importers ----


class Importer:
    """Base of every Excel importer: a column spec, a row limit and a service that writes.

    Subclasses set `columns` and implement `apply(result, dry_run=...)`, which hands
    the parsed rows to the app's import service (one transaction, all or nothing).
    """

    columns: ClassVar[list[Column]] = []
    sheet_title: ClassVar[Any] = gettext_lazy("Data")
    file_stem: ClassVar[Any] = gettext_lazy("import template")
    instructions: ClassVar[list[Any]] = []
    max_rows: ClassVar[int] = 10_000

    def __init__(self, *, actor: Any, **context: Any) -> None:
        self.actor = actor
        self.context = context

    def template_bytes(self) -> bytes:
        """The .xlsx template of this importer."""
        return build_template(
            self.columns, sheet_title=self.sheet_title, instructions=self.instructions
        )

    def template_response(self) -> HttpResponse:
        """The template as a download."""
        response = HttpResponse(self.template_bytes(), content_type=XLSX_CONTENT_TYPE)
        from django.utils.http import content_disposition_header

        response["Content-Disposition"] = content_disposition_header(True, f"{self.file_stem}.xlsx")
        return response

    def read(self, file: Any) -> ImportResult:
        """Parse the file's cells; no database access."""
        return read_sheet(file, self.columns, max_rows=self.max_rows)

    def apply(self, result: ImportResult, *, dry_run: bool) -> None:
        """Plan (and unless `dry_run`, write) the rows through the app's service."""
        raise NotImplementedError

    def run(self, file: Any, *, dry_run: bool = True) -> ImportResult:
        """Read, check and plan the file; write it too unless `dry_run`."""
        result = self.read(file)
        result.dry_run = dry_run
        if result.rows:
            # Even with bad cells, the other rows are checked against the database so
            # that one upload lists every problem; nothing is written unless all is well.
            self.apply(result, dry_run=dry_run)
            result.errors.sort(key=lambda error: error.row or 0)
        return result
