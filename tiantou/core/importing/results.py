"""What reading, checking and writing a sheet gives: rows, their actions and errors."""

import functools
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .columns import Column

# Errors kept for display; the rest are only counted (a wrong file can have 100 000).
MAX_ERRORS_KEPT = 200
PREVIEW_ROWS = 10


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
    rows_sha256: str = ""  # fingerprint of the rows as read, in any order

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
