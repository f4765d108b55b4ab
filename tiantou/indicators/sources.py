"""The machinery of the record sources indicators read: what counts, where a record is,
when it happened, and how an indicator's filter and column translate into that source's
columns.

A source never runs a query per number: the engine asks it for conditions and aggregate
expressions and puts every indicator of the source into one grouped query.

The sources themselves are declared by the apps that own their records, in
`<app>/indicators.py` next to the indicators that read them, with `register`.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Expression, F, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.functional import Promise

from tiantou.core import regioncodes
from tiantou.core.periods import Period

from .registry import COUNT, DISTINCT, SUM, Indicator


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


TOWNSHIP_LENGTH = regioncodes.PREFIX_LENGTH[regioncodes.TOWNSHIP]


def township_of(field: str) -> Substr:
    """The township code of a region column: its first digits (a code range, see core)."""
    return Substr(field, 1, TOWNSHIP_LENGTH)


def day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, the day after end 00:00) in the local time zone: an indexable range
    for a datetime column, without a date function on every row."""
    low = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    high = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    return low, high


# Every source by key, filled by the apps' `indicators.py` through `register`.
SOURCES: dict[str, Source] = {}


def register(*sources: Source) -> None:
    """Add sources for indicators to read; a key is declared once."""
    for source in sources:
        if source.key in SOURCES:
            raise ValueError(f"source {source.key!r} is declared twice")
        SOURCES[source.key] = source
