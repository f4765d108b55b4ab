"""The importer base class and the helpers every import planner uses.

An importer reads a sheet (`reader`), hands the parsed rows to its planner, which
resolves references with one query per table for the whole sheet and checks each row
through the same validators as the app's services, and writes all rows or none.
"""

from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from django.db import models
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy

from .columns import Column
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
