"""Excel importer (and export columns) of an existing work ledger (台帐): one row, one activity.

Cells are parsed here without touching the database; `import_services.activity_import`
resolves types, places, technologies, units and cadres for the whole sheet at once and
writes every row, or none.
"""

import decimal
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tiantou.core import importing
from tiantou.core.importing import Column, Importer, ImportResult
from tiantou.core.validators import normalise_id_number

# Largest values the measure columns hold (PositiveIntegerField; DecimalField digits).
MAX_COUNT = 2_147_483_647
MAX_DECIMALS = {"area_mu": decimal.Decimal("1e10"), "output_value": decimal.Decimal("1e14")}
TECHNOLOGY_SEPARATORS = re.compile(r"[、,，;；\n]+")


def record_id() -> Callable[[Any], uuid.UUID]:
    """A record ID (UUID) as written by an export or a phone."""

    def parse(value: Any) -> uuid.UUID:
        raw = importing.text()(value)
        try:
            return uuid.UUID(raw)
        except ValueError:
            raise ValidationError(
                _("“%(value)s” is not a record ID (such as %(example)s)."),
                params={"value": raw, "example": "6f1c2a3e-8b4d-4c5e-9f60-7a8b9c0d1e2f"},
            ) from None

    return parse


def count() -> Callable[[Any], int]:
    """A count: a whole number, 0 or more."""
    whole = importing.integer()

    def parse(value: Any) -> int:
        number = whole(value)
        if number < 0:
            raise ValidationError(_("Enter a number of 0 or more."))
        if number > MAX_COUNT:
            raise ValidationError(_("This number is too large."))
        return number

    return parse


def amount(key: str) -> Callable[[Any], decimal.Decimal]:
    """An area or a value: a number with at most two decimals, 0 or more."""
    number = importing.decimal_number(2)

    def parse(value: Any) -> decimal.Decimal:
        result = number(value)
        if result < 0:
            raise ValidationError(_("Enter a number of 0 or more."))
        if result >= MAX_DECIMALS[key]:
            raise ValidationError(_("This number is too large."))
        return result

    return parse


def names() -> Callable[[Any], list[str]]:
    """Several names separated by 、 (or a comma); checked against the catalogue later."""

    def parse(value: Any) -> list[str]:
        found = [n.strip() for n in TECHNOLOGY_SEPARATORS.split(importing.text()(value))]
        return list(dict.fromkeys(n for n in found if n))

    return parse


def id_number() -> Callable[[Any], str]:
    """A resident ID number, check character verified."""

    def parse(value: Any) -> str:
        try:
            return normalise_id_number(importing.text()(value))
        except ValidationError as error:
            raise ValidationError(error.messages) from None

    return parse


def _date(value: Any) -> Any:
    return value or None


def _measure(key: str, label: Any, unit_help: Any) -> Column:
    decimal_measure = key in MAX_DECIMALS
    return Column(
        key,
        label,
        amount(key) if decimal_measure else count(),
        help=unit_help,
        empty=None,
        export=lambda r: r[key],
        width=10,
        number_format="0.00" if decimal_measure else "0",
    )


ACTIVITY_COLUMNS = [
    Column(
        "uuid",
        gettext_lazy("Record ID"),
        record_id(),
        help=gettext_lazy(
            "Leave empty for new records. An export fills it in: importing the same record "
            "twice then changes nothing."
        ),
        empty=None,
        export=lambda r: str(r["uuid"]),
        width=38,
    ),
    Column(
        "activity_type",
        gettext_lazy("Type"),
        importing.text(40),
        required=True,
        help=gettext_lazy("The name of an activity type, such as 科技培训 or 技术推广."),
        example="科技培训",
        export=lambda r: r["activity_type__name"],
        width=14,
    ),
    Column(
        "title",
        gettext_lazy("Title"),
        importing.text(200),
        required=True,
        help=gettext_lazy("What was done, in a few words."),
        example="日光温室蔬菜栽培技术培训班",
        export=lambda r: r["title"],
        width=30,
    ),
    Column(
        "region",
        gettext_lazy("Township or village code"),
        importing.region_code(),
        required=True,
        help=gettext_lazy(
            "The 12-digit division code of the township or village where it took place "
            "(a shorter prefix such as 371321101 is filled with zeros)."
        ),
        example="371321101000",
        export=lambda r: r["region_id"],
        width=14,
    ),
    Column(
        "starts_on",
        gettext_lazy("Start date"),
        importing.date(),
        required=True,
        help=gettext_lazy("For example 2026-03-01; not in the future."),
        example="2026-03-01",
        export=lambda r: r["starts_on"],
        width=12,
        number_format="yyyy-mm-dd",
    ),
    Column(
        "ends_on",
        gettext_lazy("End date"),
        importing.date(),
        help=gettext_lazy("Only for work over several days; not before the start date."),
        empty=None,
        export=lambda r: r["ends_on"],
        width=12,
        number_format="yyyy-mm-dd",
    ),
    _measure("participants", gettext_lazy("Participants (person-times)"), ""),
    _measure("experts", gettext_lazy("Experts (person-times)"), ""),
    _measure("consultations", gettext_lazy("Consultations (person-times)"), ""),
    _measure("materials", gettext_lazy("Materials handed out (copies)"), ""),
    _measure("boards", gettext_lazy("Display boards"), ""),
    _measure("enterprises", gettext_lazy("Enterprises"), ""),
    _measure("area_mu", gettext_lazy("Area (mu)"), ""),
    _measure("output_value", gettext_lazy("Output value (yuan)"), ""),
    Column(
        "technologies",
        gettext_lazy("Technologies or varieties"),
        names(),
        help=gettext_lazy(
            "Names from the technology catalogue, separated by 、; only for types that "
            "record technologies."
        ),
        example="日光温室蔬菜高效栽培技术",
        empty=[],
        export=lambda r: r["technologies"],
        width=28,
    ),
    Column(
        "organisation",
        gettext_lazy("Organising unit"),
        importing.text(200),
        help=gettext_lazy("The registered name of a unit in your area; may be left empty."),
        export=lambda r: r["organisation__name"] or "",
        width=24,
    ),
    Column(
        "posting_id_number",
        gettext_lazy("Cadre's ID number"),
        id_number(),
        help=gettext_lazy(
            "The ID number of the dispatched cadre who organised it; may be left empty."
        ),
        export=lambda r: "",
        width=20,
    ),
    Column(
        "posting_name",
        gettext_lazy("Cadre's name"),
        importing.text(50),
        help=gettext_lazy(
            "Or the cadre's name, if no other cadre in your area has the same name. Give a cadre, "
            "a unit or both."
        ),
        export=lambda r: r["posting__person__name"] or "",
        width=10,
    ),
    Column(
        "description",
        gettext_lazy("Description"),
        importing.text(5000),
        export=lambda r: r["description"],
        width=40,
    ),
]
MEASURE_COLUMNS = [c.key for c in ACTIVITY_COLUMNS[6:14]]


class ActivityImporter(Importer):
    """The ledger import: activities from an existing 台帐, all or nothing."""

    columns = ACTIVITY_COLUMNS
    sheet_title = gettext_lazy("Work ledger")
    file_stem = gettext_lazy("work ledger import template")
    instructions = [
        gettext_lazy(
            "Each row is one activity. The measures that may be filled in depend on the "
            "type; a measure the type does not record is refused."
        ),
        gettext_lazy(
            "Records come in as confirmed where you may confirm activities; elsewhere they "
            "come in as submitted and wait for confirmation."
        ),
        gettext_lazy(
            "Dates may not lie in the future, and an end date may not come before the start."
        ),
    ]
    max_rows = 100_000

    def apply(self, result: ImportResult, *, dry_run: bool) -> None:
        """Check the rows, and unless `dry_run` write them, through the import service."""
        from .import_services import activity_import

        activity_import(actor=self.actor, rows=result.rows, dry_run=dry_run, result=result)
