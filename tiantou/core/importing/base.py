"""The importer base class and the helpers every import planner uses.

An importer reads a sheet (`reader`), hands the parsed rows to its planner, which
resolves references with one query per table for the whole sheet and checks each row
through the same validators as the app's services, and writes all rows or none.
"""

from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .columns import Column
from .fingerprints import rows_sha256
from .reader import read_sheet
from .results import ImportResult, ParsedRow
from .templates import XLSX_CONTENT_TYPE, build_template

# Chunk for `field__in` lookups: below every database's parameter limit.
IN_CHUNK = 5000


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


# ---- named objects within the actor's scope ----


def not_in_area(what: Any, name: Any) -> str:
    """The one message for a named object the actor cannot use: absent or out of scope."""
    return _("No %(what)s “%(name)s” in your area of work.") % {"what": what, "name": name}


class Lookup:
    """Objects of one kind by the names (or codes) a sheet gives, fetched once for all rows.

    The objects come from a queryset already limited to what the actor may use (through
    `visible_to`, or a catalogue); `keys` gives the names an object is known by. A name
    that matches nothing is "not in your area" (or what `missing` says, for a catalogue); one that
    matches several objects is refused as ambiguous, unless `prefer` narrows them to one.
    """

    def __init__(
        self,
        objects: Iterable[Any],
        *,
        what: Any,
        keys: Callable[[Any], Iterable[Any]],
        missing: Callable[[Any], str] | None = None,
        ambiguous: Any = None,
    ) -> None:
        self.what = what
        self.missing = missing
        self.ambiguous = ambiguous
        self.by_key: dict[Any, list[Any]] = {}
        for obj in objects:
            for key in dict.fromkeys(keys(obj)):
                self.by_key.setdefault(key, []).append(obj)

    @classmethod
    def fetch(
        cls, queryset: models.QuerySet, field_name: str, values: Iterable[Any], **options: Any
    ) -> "Lookup":
        """The objects of `queryset` whose `field_name` is one of the rows' `values`."""
        path = field_name.split("__")

        def key(obj: Any) -> list[Any]:
            for part in path:
                obj = getattr(obj, part)
            return [obj]

        options.setdefault("keys", key)
        return cls(fetch_in(queryset, field_name, values), **options)

    def candidates(self, name: Any) -> list[Any]:
        """Every object known by `name` (no error reported)."""
        return list(self.by_key.get(name, []))

    def not_found(self, name: Any) -> str:
        """The message for a name that matches nothing the actor may use."""
        if self.missing is not None:
            return self.missing(name)
        return not_in_area(self.what, name)

    def find(
        self,
        result: ImportResult,
        row: ParsedRow,
        column: str,
        name: Any,
        *,
        prefer: Callable[[Any], bool] | None = None,
    ) -> Any:
        """The one object named `name`, or None with the row's error recorded."""
        if name in (None, ""):
            return None
        found = self.candidates(name)
        if len(found) > 1 and prefer is not None:
            found = [obj for obj in found if prefer(obj)] or found
        if not found:
            result.add_error(row.number, column, self.not_found(name))
            return None
        if len(found) > 1:
            message = self.ambiguous or _(
                "Several %(what)s are named “%(name)s”; ask an administrator to tell them apart."
            )
            result.add_error(row.number, column, str(message) % {"what": self.what, "name": name})
            return None
        return found[0]


# ---- a service's refusal on a row ----


def refuse(
    result: ImportResult,
    row: ParsedRow,
    check: Callable[..., Any],
    *args: Any,
    columns: dict[str, str] | None = None,
    **kwargs: Any,
) -> bool:
    """Run a service's validator on a row; its refusal becomes the row's errors.

    `columns` renames the validator's field names to the sheet's column keys. Returns
    whether the validator refused.
    """
    try:
        check(*args, **kwargs)
    except ValidationError as error:
        add_errors(result, row, error, columns=columns)
        return True
    return False


def add_errors(
    result: ImportResult, row: ParsedRow, error: ValidationError, *, columns: dict | None = None
) -> None:
    """Record a service's ValidationError on a row, naming the sheet's columns.

    `columns` maps the service's field names to column keys; "__all__" names the column
    that an error about the whole record belongs to on the sheet.
    """
    if columns and hasattr(error, "error_dict"):
        error = ValidationError(
            {columns.get(name, name): errors for name, errors in error.error_dict.items()}
        )
    elif columns and "__all__" in columns:
        error = ValidationError({columns["__all__"]: error.error_list})
    result.add_validation_error(row.number, error)


# ---- the importer ----


class Importer:
    """Base of every Excel importer: a column spec, a row limit and a service that writes.

    Subclasses set `columns` and `service`, the app's import function (one transaction,
    all or nothing), to which `apply` hands the parsed rows.
    """

    columns: ClassVar[list[Column]] = []
    sheet_title: ClassVar[Any] = gettext_lazy("Data")
    file_stem: ClassVar[Any] = gettext_lazy("import template")
    instructions: ClassVar[list[Any]] = []
    max_rows: ClassVar[int] = 10_000
    # Called as `service(actor=, rows=, dry_run=, result=, **service_arguments())`. Read
    # through the class, so a plain function stays a plain function (not a bound method).
    service: ClassVar[Callable[..., Any]]

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
        response["Content-Disposition"] = content_disposition_header(True, f"{self.file_stem}.xlsx")
        return response

    def read(self, file: Any) -> ImportResult:
        """Parse the file's cells; no database access."""
        return read_sheet(file, self.columns, max_rows=self.max_rows)

    def service_arguments(self) -> dict[str, Any]:
        """The service's further keyword arguments: the uploaded file's name as the note
        of the audit rows."""
        return {"note": self.context.get("filename", "")}

    def apply(self, result: ImportResult, *, dry_run: bool) -> None:
        """Plan (and unless `dry_run`, write) the rows through the app's service."""
        type(self).service(
            actor=self.actor,
            rows=result.rows,
            dry_run=dry_run,
            result=result,
            **self.service_arguments(),
        )

    def run(self, file: Any, *, dry_run: bool = True) -> ImportResult:
        """Read, check and plan the file; write it too unless `dry_run`."""
        result = self.read(file)
        result.dry_run = dry_run
        # Fingerprinted as read: planners may add what they resolve to the values.
        result.rows_sha256 = rows_sha256(result)
        if result.rows:
            # Even with bad cells, the other rows are checked against the database so
            # that one upload lists every problem; nothing is written unless all is well.
            self.apply(result, dry_run=dry_run)
            result.errors.sort(key=lambda error: error.row or 0)
        return result
