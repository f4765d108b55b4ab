"""The record sources indicators read: what counts, where a record is, when it happened,
and how an indicator's filter and column translate into that source's columns.

A source never runs a query per number: the engine asks it for conditions and aggregate
expressions and puts every indicator of the source into one grouped query.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from django.db.models import Count, Expression, F, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tiantou.core.periods import Period

from .registry import COUNT, DISTINCT, FLOW, SUM, Indicator


@dataclass(frozen=True)
class RecordColumn:
    """A column of the provenance table: its heading and how to read it off a record."""

    label: str | Promise
    read: Callable[[Any], Any]


class Source:
    """Base of the sources. Subclasses name their model's columns and filters."""

    key = ""
    # Sources that read the same table with a narrower base name the widest one here and
    # say how they narrow it (`narrow`): the engine then reads the table once for both.
    family = ""
    region_field = ""
    organisation_field = ""
    # The date column flow values may be grouped by month on ("" when none).
    month_field = ""
    # Whether no rows means "not reported" (None) rather than 0.
    empty_is_missing = False
    columns: dict[str, Any] = {}
    record_columns: list[RecordColumn] = []
    related: tuple[str, ...] = ()

    def base(self) -> QuerySet:
        raise NotImplementedError

    def prepare(self, context: dict[str, Any]) -> dict[str, Any]:
        """Look up what the source needs once per evaluation (e.g. type keys to ids) into
        `context`, which all sources of one evaluation share."""
        return context

    def rows_for(self, start: dt.date, end: dt.date, today: dt.date) -> Q:
        """Rows that can matter to any window between start and end (an indexable filter)."""
        raise NotImplementedError

    def narrow(self) -> Q:
        """This source's rows among its family's (see `family`)."""
        return Q()

    def in_window(self, indicator: Indicator, window: Period, today: dt.date) -> Q:
        raise NotImplementedError

    def where(self, indicator: Indicator, context: dict[str, Any]) -> Q:
        return Q()

    def column(self, name: str) -> Expression | F:
        return self.columns.get(name) or F(name)

    def aggregate(
        self, indicator: Indicator, condition: Q, window: Period | None = None, today=None
    ) -> Any:
        """The aggregate of the indicator over the rows meeting `condition` (which holds the
        window's condition); `window` and `today` for sources whose measure itself depends
        on the days (None when the engine groups by month)."""
        if indicator.aggregation == COUNT:
            return Count("pk", filter=condition)
        if indicator.aggregation == SUM:
            return Sum(self.column(indicator.column), filter=condition)
        if indicator.aggregation == DISTINCT:
            return Count(self.column(indicator.column), filter=condition, distinct=True)
        raise ValueError(indicator.aggregation)

    def records(
        self, indicator: Indicator, condition: Q, window: Period | None = None, today=None
    ) -> QuerySet:
        """The records behind a value (its provenance), as the engine selected them."""
        return self.base().filter(condition).select_related(*self.related)

    def record_url(self, record: Any) -> str:
        return ""


def _township_prefix(field: str) -> Substr:
    return Substr(field, 1, 9)


class ActivitySource(Source):
    """Confirmed (or locked) activities of the work ledger, by place and date."""

    key = "activities"
    region_field = "region_id"
    organisation_field = "organisation_id"
    month_field = "starts_on"
    columns = {"township": _township_prefix("region_id"), "person": F("posting__person_id")}
    related: tuple[str, ...] = ("activity_type", "region", "posting__person", "organisation")

    @property
    def record_columns(self) -> list[RecordColumn]:  # type: ignore[override]
        from tiantou.ledger.choices import MEASURES

        return [
            RecordColumn(_("date"), lambda a: a.starts_on),
            RecordColumn(_("title"), lambda a: a.title),
            RecordColumn(_("type"), lambda a: a.activity_type.name),
            RecordColumn(_("place"), lambda a: a.region.name),
            RecordColumn(_("cadre"), lambda a: a.posting.person.name if a.posting else ""),
            RecordColumn(_("unit"), lambda a: a.organisation.name if a.organisation else ""),
        ] + [RecordColumn(f"{m.label}（{m.unit}）", attrgetter(m.key)) for m in MEASURES]

    def base(self) -> QuerySet:
        from tiantou.ledger.models import Activity

        return Activity.objects.counted()

    def prepare(self, context: dict[str, Any]) -> dict[str, Any]:
        from tiantou.ledger.models import ActivityType

        if "type_ids" not in context:
            context["type_ids"] = dict(ActivityType.objects.values_list("key", "id"))
        return context

    def rows_for(self, start: dt.date, end: dt.date, today: dt.date) -> Q:
        return Q(starts_on__range=(start, end))

    def in_window(self, indicator: Indicator, window: Period, today: dt.date) -> Q:
        return Q(starts_on__range=(window.start, window.end))

    def where(self, indicator: Indicator, context: dict[str, Any]) -> Q:
        condition = Q()
        if types := indicator.where.get("types"):
            ids = [context["type_ids"][key] for key in types if key in context["type_ids"]]
            condition &= Q(activity_type_id__in=ids)
        return condition

    def record_url(self, record: Any) -> str:
        return reverse("ledger:activity_detail", args=[record.pk])


class TechnologySource(ActivitySource):
    """Technologies and varieties named on confirmed activities (for distinct counts)."""

    key = "technologies"
    region_field = "activity__region_id"
    organisation_field = "activity__organisation_id"
    month_field = "activity__starts_on"
    columns = {"township": _township_prefix("activity__region_id")}
    related = (
        "activity__activity_type",
        "activity__region",
        "activity__posting__person",
        "activity__organisation",
        "technology",
    )

    @property
    def record_columns(self) -> list[RecordColumn]:  # type: ignore[override]
        return [
            RecordColumn(_("technology or variety"), lambda t: t.technology.name),
            RecordColumn(_("date"), lambda t: t.activity.starts_on),
            RecordColumn(_("title"), lambda t: t.activity.title),
            RecordColumn(_("type"), lambda t: t.activity.activity_type.name),
            RecordColumn(_("place"), lambda t: t.activity.region.name),
            RecordColumn(
                _("cadre"),
                lambda t: t.activity.posting.person.name if t.activity.posting else "",
            ),
        ]

    def base(self) -> QuerySet:
        from tiantou.ledger.models import Activity
        from tiantou.ledger.querysets import COUNTED

        return Activity.technologies.through.objects.filter(activity__status__in=COUNTED)

    def rows_for(self, start: dt.date, end: dt.date, today: dt.date) -> Q:
        return Q(activity__starts_on__range=(start, end))

    def in_window(self, indicator: Indicator, window: Period, today: dt.date) -> Q:
        return Q(activity__starts_on__range=(window.start, window.end))

    def where(self, indicator: Indicator, context: dict[str, Any]) -> Q:
        condition = Q()
        if kind := indicator.where.get("kind"):
            condition &= Q(technology__kind=kind)
        if types := indicator.where.get("types"):
            ids = [context["type_ids"][key] for key in types if key in context["type_ids"]]
            condition &= Q(activity__activity_type_id__in=ids)
        return condition

    def records(
        self, indicator: Indicator, condition: Q, window: Period | None = None, today=None
    ) -> QuerySet:
        return super().records(indicator, condition).order_by("technology__name", "activity_id")

    def record_url(self, record: Any) -> str:
        return reverse("ledger:activity_detail", args=[record.activity_id])


# Postings that were never taken up do not count.
NOT_TAKEN_UP = ("planned", "withdrawn")


class PostingSource(Source):
    """Postings of the dispatch programmes, by host township: in office at a day (stock),
    started or recalled within a period (flow)."""

    key = "postings"
    region_field = "host_region_id"
    organisation_field = "host_organisation_id"
    columns = {"township": _township_prefix("host_region_id"), "person": F("person_id")}
    related = ("person", "programme", "host_region")

    @property
    def record_columns(self) -> list[RecordColumn]:  # type: ignore[override]
        return [
            RecordColumn(_("name"), lambda p: p.person.name),
            RecordColumn(_("post title"), lambda p: p.title),
            RecordColumn(_("programme"), lambda p: p.programme.name),
            RecordColumn(_("township"), lambda p: p.host_region.name),
            RecordColumn(_("engagement"), lambda p: p.get_mode_display()),
            RecordColumn(_("dispatched by"), lambda p: p.get_dispatch_level_display()),
            RecordColumn(_("term starts on"), lambda p: p.starts_on),
            RecordColumn(_("term ends on"), lambda p: p.ends_on),
            RecordColumn(_("status"), lambda p: p.get_status_display()),
        ]

    def base(self) -> QuerySet:
        from tiantou.people.models import Posting

        return Posting.objects.exclude(status__in=NOT_TAKEN_UP)

    def rows_for(self, start: dt.date, end: dt.date, today: dt.date) -> Q:
        return Q(starts_on__lte=end)

    def in_window(self, indicator: Indicator, window: Period, today: dt.date) -> Q:
        if indicator.where.get("recalled"):
            return Q(status="recalled", ended_on__range=(window.start, window.end))
        if indicator.nature == FLOW:
            return Q(starts_on__range=(window.start, window.end))
        day = min(window.end, today)
        return Q(starts_on__lte=day, ends_on__gte=day) & (
            Q(ended_on__isnull=True) | Q(ended_on__gt=day)
        )

    def where(self, indicator: Indicator, context: dict[str, Any]) -> Q:
        condition = Q()
        if levels := indicator.where.get("dispatch_level"):
            condition &= Q(dispatch_level__in=levels)
        if modes := indicator.where.get("mode"):
            condition &= Q(mode__in=modes)
        if indicator.where.get("from_outside"):
            condition &= Q(is_from_outside_county=True)
        return condition

    def record_url(self, record: Any) -> str:
        return reverse("people:posting_detail", args=[record.pk])


class FigureSource(Source):
    """Confirmed figures entered from outside; a figure counts in every window that holds
    its whole period (services refuse overlapping periods, so nothing counts twice)."""

    key = "figures"
    empty_is_missing = True
    region_field = "region_id"
    organisation_field = ""
    columns = {"township": _township_prefix("region_id")}
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
        from .models import ExternalFigure

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


SOURCES: dict[str, Source] = {
    source.key: source
    for source in (ActivitySource(), TechnologySource(), PostingSource(), FigureSource())
}
