"""Excel import framework: column specs, templates, reading, checking and writing sheets.

An importer declares its columns once. The same spec writes the template, reads an
uploaded file and (through `exporting.py`) writes exports that import back unchanged.

Reading parses every cell in Python and keeps no per-row database work: the
importer's planner then resolves references with one query per referenced table for
the whole sheet, checks each row through the services' own validators, and writes all
rows in one transaction, or none if any row is wrong.

Modules: `parsers` (cell → value), `columns` (the spec), `results` (rows, errors,
actions), `reader` (the sheet), `writer` (bulk inserts and audit rows), `templates`,
`fingerprints` (recognising a file uploaded again) and `base` (the importer and the
planning helpers). The names below are the public
interface; callers import them from here.
"""

from django.core.exceptions import ValidationError

from .base import (
    IN_CHUNK,
    Importer,
    Lookup,
    add_errors,
    check_unique_in_file,
    fetch_in,
    not_in_area,
    refuse,
    rows_from,
)
from .columns import Column
from .fingerprints import file_sha256, rows_sha256
from .parsers import (
    DATE_FORMATS,
    as_text,
    boolean,
    choice,
    credit_code,
    date,
    decimal_number,
    integer,
    region_code,
    text,
)
from .reader import read_sheet
from .results import (
    ACTION_LABELS,
    CREATE,
    MAX_ERRORS_KEPT,
    PREVIEW_ROWS,
    UNCHANGED,
    UPDATE,
    ImportResult,
    ParsedRow,
    RowError,
)
from .templates import XLSX_CONTENT_TYPE, build_template
from .writer import audit_entry, bulk_insert, import_note

__all__ = [
    "ACTION_LABELS",
    "CREATE",
    "DATE_FORMATS",
    "IN_CHUNK",
    "MAX_ERRORS_KEPT",
    "PREVIEW_ROWS",
    "UNCHANGED",
    "UPDATE",
    "XLSX_CONTENT_TYPE",
    "Column",
    "ImportResult",
    "Importer",
    "Lookup",
    "ParsedRow",
    "RowError",
    "ValidationError",
    "add_errors",
    "as_text",
    "audit_entry",
    "import_note",
    "boolean",
    "build_template",
    "bulk_insert",
    "check_unique_in_file",
    "choice",
    "credit_code",
    "date",
    "decimal_number",
    "fetch_in",
    "file_sha256",
    "integer",
    "not_in_area",
    "read_sheet",
    "refuse",
    "region_code",
    "rows_from",
    "rows_sha256",
    "text",
]
