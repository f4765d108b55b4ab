"""The one engine that computes every figure: many indicators, for a region subtree or an
organisation, over a period (and the same period last year, and its months), for the
scope as a whole and for each of its child regions.

    result = evaluate(["trainings", "trainees"], scope=Scope(region=county),
                      period=Period.year(2026), by=CHILDREN, compare=True)
    result.value("trainees").number            # the county
    result.value("trainees", "371321101000")   # one township
    result.value("trainees").growth            # 同比, in %, None from a zero base

From a township's value back to the query, in five steps:

1. "trainees" is declared in `registry`: the sum of `participants` of the source
   "activities" (`sources.ActivitySource`), where the type is training.
2. The period becomes date `Window`s: the period itself (`CURRENT`), with `compare` the
   same span last year (`PREVIOUS`), with `by=MONTHS` each of its months as well.
3. Indicators whose sources read the same table form a `Family`, read in one query over
   the scope's rows in any window, grouped by the child region's code prefix
   (`SUBSTRING(region_id, 1, 9)` for townships; or by month, `_by_month`). Each
   (indicator, window) pair is one `Column` of it, a conditional aggregate:
   `SUM(participants) FILTER (WHERE starts_on BETWEEN … AND activity_type_id IN …) AS "c0"`.
4. Each number a query returns is filed under its `Cell`: (indicator, window, region),
   region None for the scope as a whole. The whole is the sum of its groups, or, for a
   distinct count (not the sum of its parts), the total row of the same scan on
   PostgreSQL (`with_grouping_sets`), a second query elsewhere.
5. A `Value` joins the current cell of a place (`Place`: the whole, a child, a month)
   with last year's and the link to its records (`records`, the provenance page). Ratios
   are derived from their parts' cells here; they have no column of their own.

The number of queries depends on the tables asked for, never on the data or the number of
regions (decision 0005).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db import connections
from django.db.models import Aggregate, Q, QuerySet
from django.db.models.expressions import Func
from django.db.models.functions import Substr, TruncMonth
from django.urls import reverse
from django.utils import timezone

from tiantou.core import regioncodes
from tiantou.core.periods import MONTH as MONTH_KIND
from tiantou.core.periods import Period
from tiantou.regions.models import Organisation, Region

from . import registry
from .registry import FLOW, STYLE_SHARE, Indicator
from .sources import SOURCES, Source

CHILDREN = "children"
MONTHS = "months"
Number = int | Decimal


# ---------------------------------------------------------------- what callers get


@dataclass(frozen=True)
class Scope:
    """What a value is computed for: a region's subtree, or one organisation's records."""

    region: Region | None = None
    organisation: Organisation | None = None

    def __post_init__(self) -> None:
        if (self.region is None) == (self.organisation is None):
            raise ValueError("a scope is a region or an organisation")

    def q(self, source: Source) -> Q:
        """The source's rows in the scope (a code range on its region column)."""
        if self.region is not None:
            low, high = regioncodes.subtree_range(self.region.code)
            field = source.region_field
            return Q(**{f"{field}__gte": low, f"{field}__lte": high})
        if not source.organisation_field:
            return Q(pk__in=[])
        assert self.organisation is not None
        return Q(**{source.organisation_field: self.organisation.pk})

    @property
    def params(self) -> dict[str, str]:
        """The scope in the query string of a value's link."""
        if self.region is not None:
            return {"region": self.region.code}
        assert self.organisation is not None
        return {"organisation": str(self.organisation.pk)}

    @property
    def name(self) -> str:
        return str(self.region or self.organisation)


@dataclass
class Value:
    """A number with what it is, the same figure a year earlier, and its records' link."""

    indicator: Indicator
    number: Number | None
    previous: Number | None = None
    url: str = ""

    @property
    def growth(self) -> Decimal | None:
        """Year-on-year growth in %; None when last year is zero or missing."""
        if self.number is None or not self.previous:
            return None
        return (Decimal(self.number) - Decimal(self.previous)) * 100 / Decimal(self.previous)

    @property
    def change(self) -> Number | None:
        """The difference from last year (percentage points for shares)."""
        if self.number is None or self.previous is None:
            return None
        return self.number - self.previous

    @property
    def is_share(self) -> bool:
        return self.indicator.style == STYLE_SHARE


@dataclass
class Group:
    """A row or column of a result: a child region or a month."""

    key: str
    label: str
    period: Period | None = None
    is_own_level: bool = False


@dataclass
class Evaluation:
    """Values of several indicators for a scope and period, as a whole and per group."""

    indicators: list[Indicator]
    scope: Scope
    period: Period
    by: str | None
    compare: bool
    groups: list[Group] = field(default_factory=list)
    # (indicator key, group key or None for the scope as a whole) → its value.
    values: dict[tuple[str, str | None], Value] = field(default_factory=dict)

    def value(self, key: str, group: str | None = None) -> Value:
        """The value of one indicator for the scope (group None) or one group."""
        return self.values[(key, group)]

    def number(self, key: str, group: str | None = None) -> Number | None:
        return self.value(key, group).number

    def series(self, key: str) -> list[Value]:
        """The indicator's values across the groups, in their order (for a chart)."""
        return [self.value(key, g.key) for g in self.groups]


# ---------------------------------------------------------------- the engine's own names


@dataclass(frozen=True)
class Window:
    """Which stretch of days a number covers: the period asked for (`month` None) or its
    n-th month (by MONTHS), this year or the same span last year (compare). Its dates
    are looked up in the evaluation's windows (`_windows`), which depend on `today`."""

    month: int | None = None
    last_year: bool = False

    @property
    def name(self) -> str:
        """Its short name: cur, prev, m0…, p0…; a month's group in a result is keyed by it."""
        if self.month is None:
            return "prev" if self.last_year else "cur"
        return f"{'p' if self.last_year else 'm'}{self.month}"

    def a_year_earlier(self) -> "Window":
        """The window a value's `previous` number covers."""
        return Window(month=self.month, last_year=True)


CURRENT = Window()
PREVIOUS = CURRENT.a_year_earlier()


@dataclass(frozen=True)
class Cell:
    """Where one number the queries return belongs: an indicator, over a window, for a
    child region (its 12-digit code) or the scope as a whole (region None)."""

    indicator: str
    window: Window
    region: str | None = None


# The numbers as the queries return them (None where no row counted), by cell.
Found = dict[Cell, Any]


@dataclass(frozen=True)
class Member:
    """An indicator read in a family's scan, with its own source (how to narrow the
    family's rows, filter them and measure)."""

    source: Source
    indicator: Indicator


@dataclass(frozen=True)
class Family:
    """The indicators read from one table, in one query: `lead` is the widest source of
    the table (its base and scope restrict the rows); sources that narrow the same table
    (e.g. the cadres' own activities) name the lead as their `family`."""

    lead: Source
    members: list[Member] = field(default_factory=list)

    @property
    def sources(self) -> list[Source]:
        """The members' sources, once each, in order."""
        return list({member.source.key: member.source for member in self.members}.values())

    @property
    def is_additive(self) -> bool:
        """Whether the whole of every member is the sum of its groups."""
        return all(member.indicator.is_additive for member in self.members)


@dataclass(frozen=True)
class Column:
    """One conditional aggregate of a family's query, named `alias` ("c0", "c1" …) in its
    SQL: an indicator over a window (None in a query grouped by month, where the row's
    month is the window)."""

    alias: str
    indicator: str
    window: Window | None
    aggregate: Aggregate = field(compare=False)


@dataclass(frozen=True)
class Place:
    """Where a result's value reads its numbers: its group (None for the scope as a
    whole), the window and region of its current cell, and the scope of its link."""

    group: str | None
    window: Window
    region: str | None
    link: dict[str, str]


# ---------------------------------------------------------------- evaluating


def evaluate(
    keys: Iterable[str],
    *,
    scope: Scope,
    period: Period,
    by: str | None = None,
    compare: bool = False,
    today: dt.date | None = None,
) -> Evaluation:
    """Compute the indicators for the scope and period; see the module's docstring.

    by: None (the scope as a whole), CHILDREN (also each child region of the scope's
    region) or MONTHS (also each month of the period). compare: also the same period last
    year, for growth.
    """
    today = today or timezone.localdate()
    wanted, needed = _indicators_with_parts(keys)
    windows = _windows(period, by, compare, today)
    child_length = None
    if by == CHILDREN and scope.region is not None:
        level = regioncodes.level_of(scope.region.code)
        child_length = regioncodes.PREFIX_LENGTH.get(level + 1)
    numbers: dict[Cell, Number | None] = {}
    context: dict[str, Any] = {}
    for family in _families(needed):
        found = _query_family(
            family,
            scope=scope,
            windows=windows,
            by=by,
            child_length=child_length,
            today=today,
            context=context,
        )
        for cell, number in found.items():
            numbers[cell] = _finish(number, family.lead)
    found_codes = {cell.region for cell in numbers if cell.region is not None}
    result = Evaluation(
        indicators=wanted,
        scope=scope,
        period=period,
        by=by,
        compare=compare,
        groups=_groups(scope, by, period, found_codes),
    )
    places = _places(scope, by, result.groups)
    for indicator in needed:
        for place in places:
            previous = place.window.a_year_earlier()
            result.values[(indicator.key, place.group)] = Value(
                indicator=indicator,
                number=_number(indicator, numbers, place.window, place.region),
                previous=(_number(indicator, numbers, previous, place.region) if compare else None),
                url=_value_url(indicator, place.link, windows[place.window]),
            )
    return result


def records(
    indicator: Indicator, *, scope: Scope, period: Period, today: dt.date | None = None
) -> tuple[Source, QuerySet]:
    """The records behind one value (its provenance): (source, queryset), with exactly the
    conditions the engine used. Derived indicators have none of their own."""
    if indicator.is_derived:
        raise ValueError("a derived indicator has no records of its own")
    today = today or timezone.localdate()
    source = SOURCES[indicator.source]
    context = source.prepare({})
    condition = (
        scope.q(source)
        & source.in_window(indicator, period, today)
        & source.where(indicator, context)
    )
    queryset = source.records(indicator, condition, period, today)
    if indicator.aggregation == registry.SUM and indicator.column:
        queryset = queryset.filter(**{f"{indicator.column}__gt": 0})
    return source, queryset


def _windows(period: Period, by: str | None, compare: bool, today: dt.date) -> dict[Window, Period]:
    """The windows of the values and their dates. Last year's is the same span: while the
    period is running, only up to today's date a year ago (同比 compares like with like)."""
    windows = {CURRENT: period}
    if compare:
        windows[PREVIOUS] = period.cut(today).last_year()
    if by == MONTHS:
        for n, month in enumerate(period.months()):
            windows[Window(month=n)] = month
            if compare:
                windows[Window(month=n, last_year=True)] = month.last_year()
    return windows


def _indicators_with_parts(keys: Iterable[str]) -> tuple[list[Indicator], list[Indicator]]:
    """The indicators asked for, and every indicator the engine must compute for them."""
    wanted = [registry.get(key) for key in keys]
    needed: dict[str, Indicator] = {}
    for indicator in wanted:
        for part in (indicator.numerator, indicator.denominator):
            if part:
                needed.setdefault(part, registry.get(part))
        needed.setdefault(indicator.key, indicator)
    return wanted, list(needed.values())


def _families(indicators: Iterable[Indicator]) -> list[Family]:
    """The indicators read from records, by the table their source reads."""
    families: dict[str, Family] = {}
    for indicator in indicators:
        if indicator.is_derived:
            continue
        source = SOURCES[indicator.source]
        lead = source.family or source.key
        family = families.setdefault(lead, Family(lead=SOURCES[lead]))
        family.members.append(Member(source=source, indicator=indicator))
    return list(families.values())


# ---------------------------------------------------------------- one query per family


def _query_family(
    family: Family,
    *,
    scope: Scope,
    windows: dict[Window, Period],
    by: str | None,
    child_length: int | None,
    today: dt.date,
    context: dict[str, Any],
) -> Found:
    """The numbers of every indicator of a family, in one scan of its table where the
    database allows (a second for the whole when a distinct count cannot be summed)."""
    for source in family.sources:
        source.prepare(context)
    lead = family.lead
    start = min(dates.start for dates in windows.values())
    end = max(dates.end for dates in windows.values())
    queryset: QuerySet = (
        lead.base().filter(scope.q(lead) & lead.rows_for(start, end, today)).order_by()
    )
    months = [dates for window, dates in windows.items() if window.month is not None]
    if (
        by == MONTHS
        and lead.month_field
        and all(member.indicator.nature == FLOW for member in family.members)
        and all(dates.kind == MONTH_KIND for dates in months)
    ):
        return _by_month(queryset, family, windows, today, context)
    columns = _columns(family.members, windows, today, context)
    if child_length is None:
        return _cells(columns, queryset.aggregate(**_aggregates(columns)))
    group = Substr(lead.region_field, 1, child_length)
    rows, total = _grouped_rows(
        queryset, group, _aggregates(columns), with_total=not family.is_additive
    )
    found: Found = {}
    sums: dict[str, Any] = defaultdict(lambda: None)
    for row in rows:
        found |= _cells(columns, row, region=row["g"].ljust(12, "0"))
        for column in columns:
            if row[column.alias] is not None:
                sums[column.alias] = (sums[column.alias] or 0) + row[column.alias]
    found |= _cells(columns, sums if total is None else total)
    return found


def _by_month(
    queryset: QuerySet,
    family: Family,
    windows: dict[Window, Period],
    today: dt.date,
    context: dict[str, Any],
) -> Found:
    """Flow values per month by grouping on the month (not a window per month). The whole
    period is the sum of its months when they add up; otherwise (distinct counts, or last
    year's span cut at today's date) a second, lighter query reads it."""
    month_windows = {
        (dates.start.year, dates.start.month): window
        for window, dates in windows.items()
        if window.month is not None
    }
    found: Found = {}
    columns = _columns(family.members, None, today, context)
    # Without last year, the query reads exactly the period: its whole is the total row of
    # the same scan (GROUPING SETS), distinct counts included.
    whole = PREVIOUS not in windows and _month_aligned(windows[CURRENT])
    grouped, total = _grouped_rows(
        queryset, TruncMonth(family.lead.month_field), _aggregates(columns), with_total=whole
    )
    rows = {(row["g"].year, row["g"].month): row for row in grouped}
    for month, row in rows.items():
        if (window := month_windows.get(month)) is not None:
            found |= _cells(columns, row, window=window)
    if whole and total is not None:
        found |= _cells(columns, total, window=CURRENT)
        return found
    queried: dict[Window, Period] = {}
    for window in (CURRENT, PREVIOUS):
        dates = windows.get(window)
        if dates is None:
            continue
        if not (family.is_additive and _month_aligned(dates)):
            queried[window] = dates
            continue
        inside = [
            row
            for (year, month), row in rows.items()
            if dates.start <= dt.date(year, month, 1) <= dates.end
        ]
        for column in columns:
            parts = [row[column.alias] for row in inside if row[column.alias] is not None]
            found[Cell(column.indicator, window)] = sum(parts) if parts else None
    if queried:
        columns = _columns(family.members, queried, today, context)
        found |= _cells(columns, queryset.aggregate(**_aggregates(columns)))
    return found


def _month_aligned(window: Period) -> bool:
    """Whether a window is made of whole calendar months."""
    return window.start.day == 1 and (window.end + dt.timedelta(days=1)).day == 1


def _columns(
    members: list[Member],
    windows: dict[Window, Period] | None,
    today: dt.date,
    context: dict[str, Any],
) -> list[Column]:
    """One conditional aggregate per (indicator, window); with `windows` None one per
    indicator without a date condition (the query groups by the date instead)."""
    dated: Iterable[tuple[Window | None, Period | None]] = (
        windows.items() if windows is not None else [(None, None)]
    )
    columns: list[Column] = []
    for member in members:
        source, indicator = member.source, member.indicator
        where = source.where(indicator, context) & source.narrow()
        for window, dates in dated:
            if dates is not None:
                condition = source.in_window(indicator, dates, today) & where
            else:
                condition = where
            columns.append(
                Column(
                    alias=f"c{len(columns)}",
                    indicator=indicator.key,
                    window=window,
                    aggregate=source.aggregate(indicator, condition, dates, today),
                )
            )
    return columns


def _aggregates(columns: list[Column]) -> dict[str, Aggregate]:
    """The columns as the keyword arguments of `annotate` or `aggregate`."""
    return {column.alias: column.aggregate for column in columns}


def _cells(
    columns: list[Column],
    row: dict[str, Any],
    *,
    region: str | None = None,
    window: Window | None = None,
) -> Found:
    """A row of a query as numbers by cell: each column's indicator over its window (or
    `window`, the row's month, in a query grouped by month), for `region`."""
    found: Found = {}
    for column in columns:
        covered = window if window is not None else column.window
        assert covered is not None, "a column without a window is read by month"
        found[Cell(column.indicator, covered, region)] = row[column.alias]
    return found


def with_grouping_sets(sql: str) -> str:
    """A grouped query rewritten to also return the whole, as one more row of the same scan
    (PostgreSQL): its GROUP BY becomes the GROUPING SETS of its groups and of nothing.

    A distinct count of the whole is not the sum of its groups' (a technology promoted in
    two townships is one technology of the county), so without this the whole takes a
    second query over the same rows. The extra row is the one whose group column is
    NULL. The engine's grouped queries have no ordering and no HAVING, so their GROUP BY
    runs to the end of the SQL. Technologies of a county by township:

        SELECT SUBSTRING("ledger_activity"."region_id", 1, 9) AS "g",
               COUNT(DISTINCT "ledger_activity_technologies"."technology_id")
                   FILTER (WHERE ("ledger_activity"."starts_on" BETWEEN … AND …)) AS "c0"
        FROM "ledger_activity_technologies" INNER JOIN "ledger_activity" ON (…)
        WHERE ("ledger_activity"."status" IN (…) AND "ledger_activity"."region_id" >= …)
        GROUP BY 1

    becomes the same query ending in

        GROUP BY GROUPING SETS ((1), ())

    which returns a row per township (g = '371321101') and the county's (g = NULL).
    """
    head, separator, groups = sql.rpartition(" GROUP BY ")
    if not separator:
        raise ValueError("not a grouped query")
    return f"{head} GROUP BY GROUPING SETS (({groups}), ())"


def _grouped_rows(
    queryset: QuerySet, group: Func, aggregates: dict[str, Aggregate], with_total: bool
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Rows of a grouped query (the group in "g"); with `with_total` also the whole as a
    row, in the same scan where the database has GROUPING SETS, from a second query
    elsewhere."""
    grouped = queryset.annotate(g=group).values("g").annotate(**aggregates)
    if not with_total:
        return list(grouped), None
    database = connections[queryset.db]
    if database.vendor != "postgresql":
        return list(grouped), queryset.aggregate(**aggregates)
    sql, params = grouped.query.sql_with_params()
    with database.cursor() as cursor:
        cursor.execute(with_grouping_sets(sql), params)
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    total = next((row for row in rows if row["g"] is None), dict.fromkeys(aggregates))
    return [row for row in rows if row["g"] is not None], total


# ---------------------------------------------------------------- from numbers to values


def _groups(scope: Scope, by: str | None, period: Period, found_codes: set[str]) -> list[Group]:
    """The groups of a result: the months of the period, or the active child regions of
    the scope's region (its own level first when it has records of its own)."""
    if by == MONTHS:
        return [
            Group(key=Window(month=n).name, label=f"{m.start.month}月", period=m)
            for n, m in enumerate(period.months())
        ]
    if by != CHILDREN or scope.region is None:
        return []
    region = scope.region
    children = list(
        Region.objects.filter(parent_id=region.code, is_active=True).values_list("code", "name")
    )
    groups = [Group(key=code, label=name) for code, name in children]
    if region.code in found_codes:
        groups.insert(0, Group(key=region.code, label=f"{region.name}本级", is_own_level=True))
    known = {g.key for g in groups}
    for code in sorted(found_codes - known):  # records in a region no longer in use
        groups.append(Group(key=code, label=code))
    return groups


def _places(scope: Scope, by: str | None, groups: list[Group]) -> list[Place]:
    """The scope as a whole, then each group: a month is the scope's number over that
    month's window; a child region is its own number over the period, linked to itself."""
    whole = Place(group=None, window=CURRENT, region=None, link=scope.params)
    if by == MONTHS:
        return [whole] + [
            Place(group=g.key, window=Window(month=n), region=None, link=scope.params)
            for n, g in enumerate(groups)
        ]
    return [whole] + [
        Place(group=g.key, window=CURRENT, region=g.key, link={"region": g.key}) for g in groups
    ]


def _number(
    indicator: Indicator,
    numbers: dict[Cell, Number | None],
    window: Window,
    region: str | None,
) -> Number | None:
    """The indicator's number in a cell; a ratio's from its parts' cells."""
    if indicator.is_derived:
        numerator = _number(registry.get(indicator.numerator), numbers, window, region)
        denominator = _number(registry.get(indicator.denominator), numbers, window, region)
        if numerator is None or not denominator:
            return None
        return Decimal(numerator) * 100 / Decimal(denominator)
    cell = Cell(indicator.key, window, region)
    if cell in numbers:
        return numbers[cell]
    # A group without any record of the source: nothing happened there.
    return _finish(None, SOURCES[indicator.source])


def _finish(number: Any, source: Source) -> Number | None:
    """An empty sum of records is 0; an unreported figure from outside stays missing."""
    if number is None:
        return None if source.empty_is_missing else 0
    return number


def _value_url(indicator: Indicator, params: dict[str, str], window: Period) -> str:
    """The link to the records behind a value (`records`, the provenance page)."""
    query = {"indicator": indicator.key, "period": window.key, **params}
    return f"{reverse('indicators:value')}?{urlencode(query)}"
