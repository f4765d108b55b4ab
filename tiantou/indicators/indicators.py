"""The indicators app's own declarations: figures entered from outside (other bureaus'
statistics, domain spec §4.2 I032–I040) and the shares derived from them. Collected by
the registry like every app's `indicators.py`."""

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tiantou.core.periods import Period

from . import registry, sources
from .models import ExternalFigure
from .registry import RATIO, STYLE_AMOUNT, STYLE_SHARE, SUM, Indicator
from .sources import RecordColumn, Source, township_of


class FigureSource(Source):
    """Confirmed figures entered from outside; a figure counts in every window that holds
    its whole period (services refuse overlapping periods, so nothing counts twice)."""

    key = "figures"
    empty_is_missing = True
    region_field = "region_id"
    organisation_field = ""
    columns = {"township": township_of("region_id")}
    related = ("region", "entered_by")

    @property
    def record_columns(self) -> list[RecordColumn]:  # type: ignore[override]
        return [
            RecordColumn(_("region"), lambda f: f.region.name),
            RecordColumn(_("period"), lambda f: Period.parse(f.period).label),
            RecordColumn(_("value"), lambda f: f.value),
            RecordColumn(_("source"), lambda f: f.source),
            RecordColumn(_("entered by"), lambda f: str(f.entered_by or "")),
        ]

    def base(self) -> QuerySet:
        return ExternalFigure.objects.filter(status="confirmed")

    def rows_for(self, start: dt.date, end: dt.date, today: dt.date) -> Q:
        return Q(period_start__gte=start, period_end__lte=end)

    def in_window(self, indicator: Indicator, window: Period, today: dt.date) -> Q:
        return Q(period_start__gte=window.start, period_end__lte=window.end)

    def where(self, indicator: Indicator, context: dict[str, Any]) -> Q:
        return Q(indicator=indicator.key)

    def aggregate(
        self, indicator: Indicator, condition: Q, window: Period | None = None, today=None
    ) -> Any:
        return Sum("value", filter=condition)

    def record_url(self, record: Any) -> str:
        return reverse("indicators:figure_list") + f"?indicator={record.indicator}"


sources.register(FigureSource())

registry.register(
    Indicator(
        "above_scale_output",
        _("output of above-scale industry"),
        "元",
        "figures",
        SUM,
        style=STYLE_AMOUNT,
        description=_("Reported by the statistics bureau."),
    ),
    Indicator(
        "hitech_output",
        _("output of the high-tech industry"),
        "元",
        "figures",
        SUM,
        style=STYLE_AMOUNT,
        description=_("Reported by the high-tech enterprises (高新技术产业调度)."),
    ),
    Indicator(
        "above_scale_profit_tax",
        _("profits and taxes of above-scale industry"),
        "元",
        "figures",
        SUM,
        style=STYLE_AMOUNT,
    ),
    Indicator(
        "hitech_share",
        _("high-tech share of above-scale output"),
        "%",
        "derived",
        RATIO,
        style=STYLE_SHARE,
        numerator="hitech_output",
        denominator="above_scale_output",
    ),
)
