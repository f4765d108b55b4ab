"""Excel import (and export columns) of figures from outside: one row, one figure.

Cells are parsed without touching the database; `figure_import` then resolves
indicators and regions for the whole sheet, checks each row through the validators of
`services` (the rules of `figure_enter`), refuses overlapping periods and writes every
row, or none.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tiantou.accounts.permissions import ensure_can, has_perm
from tiantou.core import audit, importing
from tiantou.core.importing import Column, Importer, ImportResult, Lookup, ParsedRow
from tiantou.core.models import AuditEntry
from tiantou.core.periods import Period
from tiantou.regions.models import Region

from .. import registry
from ..choices import FigureStatus
from ..models import ExternalFigure
from ..registry import Indicator
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
        lambda value: services.check_source(importing.as_text(value)),
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


# ---- checking and writing a sheet (all rows are written, or none) ----


@dataclass
class _Planned:
    row: ParsedRow
    indicator: Indicator
    region: Region
    period: Period
    value: Decimal
    source: str
    existing: ExternalFigure | None

    def overlaps(self, region: str, start: datetime.date, end: datetime.date) -> bool:
        """Whether a figure of the same indicator there and then would count twice."""
        return services.overlaps(
            self.region.code, self.period.start, self.period.end, region, start, end
        )


def _names_of(indicator: Indicator) -> list[str]:
    """Every way a sheet may name an indicator: key, name (current language and Chinese)
    and “name（unit）”."""
    with translation.override("zh-hans"):
        chinese = str(indicator.name)
    names = [indicator.key]
    for name in dict.fromkeys([str(indicator.name), chinese]):
        names += [name, f"{name}（{indicator.unit}）", f"{name}({indicator.unit})"]
    return names


def indicator_lookup() -> Lookup:
    """The indicators entered from outside, by every way a sheet may name them."""
    return Lookup(
        services.figure_indicators(),
        what=gettext("indicator"),
        keys=_names_of,
        missing=lambda name: services.not_a_figure(name).messages[0],
    )


def figure_import(*, actor, rows: Iterable, dry_run: bool = False, result=None, note: str = ""):
    """Create or correct figures from sheet rows; with any error nothing is written.

    A row names an indicator (name or key), a region code, a period, a value and a source.
    A row for a figure already there (same indicator, region and period) corrects it
    unless it is confirmed. Overlaps are refused against stored figures and between rows.
    References are resolved with one query per table for the whole sheet.
    """
    ensure_can(actor, services.ADD_PERM)
    rows = importing.rows_from(rows)
    if result is None:
        result = ImportResult(columns=FIGURE_COLUMNS, dry_run=dry_run)
        result.rows = rows
    try:
        with transaction.atomic():
            planned = _plan_import(actor, rows, result)
            result.count()
            if not result.ok or dry_run:
                return result
            _write_import(actor, planned, note)
            result.written = True
    except IntegrityError:
        result.add_error(
            None,
            "",
            gettext("Someone changed figures while this file was being imported. Try again."),
        )
    return result


def _plan_import(actor, rows, result) -> list[_Planned]:
    lookup = indicator_lookup()
    regions = {
        r.code: r
        for r in importing.fetch_in(
            Region.objects.all(), "code", (row.values.get("region") for row in rows)
        )
    }
    allowed: dict[str, bool] = {}
    checked: list[_Planned] = []
    for row in rows:
        if row.has_error:
            continue
        data = row.values
        errors_before = result.error_count
        name = str(data.get("indicator") or "").strip()
        indicator = lookup.find(result, row, "indicator", name)
        if not name:
            importing.add_errors(result, row, services.not_a_figure(name))
        code = data.get("region") or ""
        region = regions.get(code)
        if region is None:
            result.add_error(
                row.number, "region", gettext("No region has the code %(code)s.") % {"code": code}
            )
        else:
            if code not in allowed:
                allowed[code] = has_perm(actor, services.ADD_PERM, region)
            if not allowed[code]:
                result.add_error(
                    row.number,
                    "region",
                    gettext("Region %(code)s is outside your area of work.") % {"code": code},
                )
        found: dict[str, Any] = {}
        for name, check in (
            ("period", services.clean_period),
            ("value", services.clean_value),
            ("source", services.check_source),
        ):
            try:
                found[name] = check(data.get(name))
            except ValidationError as error:
                importing.add_errors(result, row, error)
        period, value = found.get("period"), found.get("value")
        if result.error_count > errors_before:
            continue
        assert indicator is not None and region is not None and period is not None
        assert value is not None
        checked.append(
            _Planned(
                row=row,
                indicator=indicator,
                region=region,
                period=period,
                value=value,
                source=found["source"],
                existing=None,
            )
        )
    if not checked:
        return []
    services.lock_tree(checked[0].region)
    stored = list(
        ExternalFigure.objects.filter(
            indicator__in={p.indicator.key for p in checked},
            period_start__lte=max(p.period.end for p in checked),
            period_end__gte=min(p.period.start for p in checked),
        ).select_related("region")
    )
    same = {(f.indicator, f.region_id, f.period): f for f in stored}
    planned: list[_Planned] = []
    taken: list[_Planned] = []
    for plan in checked:
        row = plan.row
        plan.existing = same.get((plan.indicator.key, plan.region.code, plan.period.key))
        if plan.existing is not None and plan.existing.status == FigureStatus.CONFIRMED:
            unchanged = plan.existing.value == plan.value and plan.existing.source == plan.source
            if unchanged:
                row.action = importing.UNCHANGED
                continue
            importing.refuse(
                result,
                row,
                services.check_not_confirmed,
                plan.existing,
                columns={"__all__": "value"},
            )
            continue
        clash = next(
            (
                f
                for f in stored
                if f.indicator == plan.indicator.key
                and (plan.existing is None or f.pk != plan.existing.pk)
                and plan.overlaps(f.region_id, f.period_start, f.period_end)
            ),
            None,
        )
        if clash is not None:
            importing.add_errors(
                result, row, services.overlap_refusal(clash), columns={"__all__": "period"}
            )
            continue
        earlier = next(
            (
                p
                for p in taken
                if p.indicator.key == plan.indicator.key
                and plan.overlaps(p.region.code, p.period.start, p.period.end)
            ),
            None,
        )
        if earlier is not None:
            result.add_error(
                row.number,
                "period",
                gettext(
                    "Row %(first)d already has a figure of this indicator whose period and "
                    "region overlap this one."
                )
                % {"first": earlier.row.number},
            )
            continue
        taken.append(plan)
        if plan.existing is None:
            row.action = importing.CREATE
        elif (
            plan.existing.value == plan.value
            and plan.existing.source == plan.source
            and plan.existing.status == FigureStatus.SUBMITTED
        ):
            row.action = importing.UNCHANGED
            continue
        else:
            row.action = importing.UPDATE
        planned.append(plan)
    return planned


def _write_import(actor, planned: list[_Planned], note: str) -> None:
    creates: list[ExternalFigure] = []
    entries: list[AuditEntry] = []
    for plan in planned:
        fields = {
            "value": plan.value,
            "source": plan.source,
            "status": FigureStatus.SUBMITTED,
            "status_reason": "",
            "entered_by": actor,
        }
        if plan.existing is None:
            figure = ExternalFigure(
                indicator=plan.indicator.key,
                region=plan.region,
                period=plan.period.key,
                period_start=plan.period.start,
                period_end=plan.period.end,
                **fields,
            )
            figure.full_clean(validate_unique=False, validate_constraints=False)
            creates.append(figure)
            continue
        figure = plan.existing
        before = audit.snapshot(figure)
        for name, value in fields.items():
            setattr(figure, name, value)
        figure.version += 1
        figure.save()
        entries.append(importing.audit_entry(actor=actor, obj=figure, before=before, note=note))
    importing.bulk_insert(ExternalFigure, creates)
    entries += [
        importing.audit_entry(actor=actor, obj=figure, before=None, note=note) for figure in creates
    ]
    AuditEntry.objects.bulk_create(entries)


# ---- the importer ----


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
    service = figure_import
