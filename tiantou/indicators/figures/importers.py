"""Excel importer (and export columns) of figures from outside: one row, one figure.

Cells are parsed here without touching the database; `services.figure_import` resolves
indicators and regions for the whole sheet, refuses overlapping periods and writes every
row, or none.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _

from tiantou.core import importing
from tiantou.core.importing import Column, Importer, ImportResult

from .. import registry
from . import services


class _IndicatorHelp:
    """The help of the indicator column: the indicators entered from outside."""

    def __str__(self) -> str:
        names = "、".join(f"{i.name}（{i.key}）" for i in services.figure_indicators())
        return str(_("The indicator's name or key, one of: %(names)s.")) % {"names": names}


def _indicator_name(figure: Any) -> str:
    indicator = registry.INDICATORS.get(figure.indicator)
    return str(indicator.name) if indicator else figure.indicator


def _ignored(value: Any) -> str:
    return importing.text()(value)


FIGURE_COLUMNS = [
    Column(
        "indicator",
        _("Indicator"),
        importing.text(100),
        required=True,
        help=_IndicatorHelp(),
        example=_("output of above-scale industry"),
        export=_indicator_name,
        width=28,
    ),
    Column(
        "region",
        _("Division code"),
        importing.region_code(),
        required=True,
        help=_("The 12-digit division code of the county or township the figure is for."),
        example="371321101000",
        export=lambda f: f.region_id,
        width=16,
    ),
    Column(
        "period",
        _("Period"),
        importing.text(24),
        required=True,
        help=_("2026 (a year), 2026-H1 (a half-year), 2026-Q3 (a quarter) or 2026-05 (a month)."),
        example="2026-H1",
        width=12,
    ),
    Column(
        "value",
        _("value"),
        importing.decimal_number(2),
        required=True,
        help=_("A number of 0 or more, in the indicator's unit (元 for amounts)."),
        example="1250000",
        width=18,
        number_format="0.00",
    ),
    Column(
        "source",
        _("Source"),
        importing.text(200),
        help=_("Who reported it, e.g. 县统计局."),
        example="县统计局",
        width=20,
    ),
    Column(
        "region_name",
        _("Region"),
        _ignored,
        help=_("Filled in by the export; ignored on import."),
        export=lambda f: f.region.name,
        width=14,
    ),
    Column(
        "period_label",
        _("Period name"),
        _ignored,
        help=_("Filled in by the export; ignored on import."),
        export=lambda f: services.period_label(f.period),
        width=14,
    ),
    Column(
        "status",
        _("Status"),
        _ignored,
        help=_("Filled in by the export; ignored on import."),
        export=lambda f: f.get_status_display(),
        width=12,
    ),
    Column(
        "entered_by",
        _("entered by"),
        _ignored,
        help=_("Filled in by the export; ignored on import."),
        export=lambda f: str(f.entered_by or ""),
        width=12,
    ),
]


class FigureImporter(Importer):
    """Figures from outside from Excel: a row for a figure already there corrects it."""

    columns = FIGURE_COLUMNS
    sheet_title = _("Figures")
    file_stem = _("figures import template")
    instructions = [
        _(
            "A row for a figure already entered (same indicator, region and period) corrects "
            "it unless it has been confirmed; any other row enters a new figure."
        ),
        _(
            "Periods of one indicator must not overlap in a region, or in a region and one "
            "above or below it: the figure would count twice."
        ),
        _("Imported figures count once the county has confirmed them."),
    ]
    max_rows = 5_000

    def apply(self, result: ImportResult, *, dry_run: bool) -> None:
        services.figure_import(
            actor=self.actor,
            rows=result.rows,
            dry_run=dry_run,
            result=result,
            note=self.context.get("filename", ""),
        )
