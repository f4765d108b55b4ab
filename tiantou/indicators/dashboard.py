"""What the dashboard shows of the indicators for a user's scope: key figures with last
year, a comparison across the scope's subdivisions and monthly trends. Two engine calls
in all, whatever the amount of data."""

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from tiantou.core.periods import Period

from . import engine, registry
from .engine import Scope, Value
from .templatetags.figures import chart_number

CARDS = ["trainings", "trainees", "technologies", "events", "consultations", "cadres_in_office"]
COMPARED = ["activities", "trainees", "technologies"]
TRENDS = ["activities", "trainees"]


@dataclass
class Card:
    """A key figure: its value this period, last year's and the link to its records."""

    key: str
    value: Value

    @property
    def name(self) -> str:
        return str(self.value.indicator.name)


def dashboard_figures(*, scope: Scope, period: Period | None = None, today=None) -> dict[str, Any]:
    """Cards, the comparison across subdivisions and the monthly trend, ready for charts."""
    today = today or timezone.localdate()
    period = period or Period.year(today.year)
    by_child = engine.evaluate(
        CARDS + COMPARED,
        scope=scope,
        period=period,
        by=engine.CHILDREN if scope.region is not None else None,
        compare=True,
        today=today,
    )
    # Last year's months as a period of their own: whole months add up in one scan of each
    # year, where "compare" would also read last year's span up to today for its total.
    by_month = engine.evaluate(TRENDS, scope=scope, period=period, by=engine.MONTHS, today=today)
    last_year = engine.evaluate(
        TRENDS, scope=scope, period=period.last_year(), by=engine.MONTHS, today=today
    )
    cards = [Card(key, by_child.value(key)) for key in CARDS]
    compared = None
    if by_child.groups:
        compared = {
            "names": [g.label for g in by_child.groups],
            "series": [
                {
                    "name": f"{registry.get(key).name}（{registry.get(key).unit}）",
                    "data": [chart_number(v.number) for v in by_child.series(key)],
                    "urls": [v.url for v in by_child.series(key)],
                }
                for key in COMPARED
            ],
        }
    months = [g.label for g in by_month.groups]
    trend = {
        "months": months,
        "series": [
            {
                "name": f"{registry.get(key).name}（{registry.get(key).unit}）",
                "this_year": [
                    chart_number(v.number) if g.period and g.period.start <= today else None
                    for g, v in zip(by_month.groups, by_month.series(key), strict=True)
                ],
                "last_year": [chart_number(v.number) for v in last_year.series(key)],
                "urls": [v.url for v in by_month.series(key)],
            }
            for key in TRENDS
        ],
        "labels": {"this_year": period.label, "last_year": period.last_year().label},
    }
    return {
        "scope": scope,
        "period": period,
        "cards": cards,
        "compared": compared,
        "trend": trend,
    }
