"""What report kinds read besides indicator values: the year's settings, targets behind
schedule and the next period's targets (through the targets' own selectors)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from tiantou.core import numbers
from tiantou.core.numbers import plain
from tiantou.core.periods import HALF, Period
from tiantou.indicators.engine import Scope
from tiantou.targets import selectors as target_selectors

from .document import Figure
from .models import ReportSetting


def setting_for(scope: Scope, period: Period) -> ReportSetting | None:
    """The year's settings of the scope's region, or of the nearest region above it."""
    if scope.region is None:
        return None
    code = scope.region.code
    prefixes = [code[:n].ljust(12, "0") for n in (12, 9, 6, 4, 2)]
    found = {
        s.region_id: s
        for s in ReportSetting.objects.filter(region_id__in=prefixes, year=period.start.year)
    }
    return next((found[c] for c in prefixes if c in found), None)


def issuer(scope: Scope, setting: ReportSetting | None) -> str:
    """Who writes: the configured body, or the region's S&T bureau."""
    if setting and setting.issuer:
        return setting.issuer
    return f"{scope.name}科技局"


@dataclass
class Behind:
    """A target behind schedule, as a report words it."""

    name: str
    target: str
    share: str
    figure: Figure


def targets_behind(scope: Scope, period: Period, today: dt.date) -> list[Behind]:
    """Items of the scope's sheets of the period's year that are behind schedule."""
    if scope.region is None:
        return []
    sheets = target_selectors.sheets_of(scope.region, period.start.year)
    rows: list[Behind] = []
    for sheet in sheets:
        progress = target_selectors.sheet_progress(sheet, today=min(today, period.end))
        for row in progress.items:
            p = row.progress
            if (
                p.status != target_selectors.BEHIND
                or p.value is None
                or p.actual is None
                or p.target is None
            ):
                continue
            unit = row.item.unit or p.value.indicator.unit
            rows.append(
                Behind(
                    name=row.item.name,
                    target=f"{plain(p.target)}{unit}",
                    share=numbers.percent(p.percent or 0),
                    figure=Figure(
                        text=f"{plain(Decimal(p.actual))}{unit}",
                        indicator=row.item.indicator,
                        value=str(p.actual),
                        unit=unit,
                        label=f"{row.item.name} · {period.label}",
                        url=p.url,
                    ),
                )
            )
    return rows


def next_targets(scope: Scope, period: Period) -> list[str]:
    """The next period's targets as the seeds write them: 新发展优质食用菌3000亩，力争5000亩.

    After a first half-year: this year's targets; otherwise next year's."""
    if scope.region is None:
        return []
    year = period.start.year if period.kind == HALF else period.start.year + 1
    items = target_selectors.items_of(scope.region, year)
    return [f"{item.name}{target_selectors.target_text(item)}" for item in items]
