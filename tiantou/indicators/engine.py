"""The one engine that computes every figure: many indicators, for a region subtree or an
organisation, over a period (and the same period last year, and its months), for the
scope as a whole and for each of its child regions.

It reads each table once (activities, technologies named on them, postings, figures from
outside …; sources of one table share the scan), never a query per number: each
(indicator, window) pair is a conditional aggregate of that query, grouped by child region
or by month. Distinct counts of the whole come from the same scan (GROUPING SETS on
PostgreSQL, a second query elsewhere). Ratios are derived from their parts afterwards.
Every value carries the link to the records behind it.

    result = evaluate(["trainings", "trainees"], scope=Scope(region=county),
                      period=Period.year(2026), by=CHILDREN, compare=True)
    result.value("trainees").number            # the county
    result.value("trainees", "371321101000")   # one township
    result.value("trainees").growth            # 同比, in %, None from a zero base
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db import connections
from django.db.models import Q, QuerySet
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
CURRENT, PREVIOUS = "cur", "prev"
Number = int | Decimal


@dataclass(frozen=True)
class Scope:
    """What a value is computed for: a region's subtree, or one organisation's records."""

    region: Region | None = None
    organisation: Organisation | None = None

    def __post_init__(self) -> None:
        if (self.region is None) == (self.organisation is None):
            raise ValueError("a scope is a region or an organisation")

    def q(self, source: Source) -> Q:
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
    values: dict[tuple[str, str | None], Value] = field(default_factory=dict)

    def value(self, key: str, group: str | None = None) -> Value:
        """The value of one indicator for the scope (group None) or one group."""
        return self.values[(key, group)]

    def number(self, key: str, group: str | None = None) -> Number | None:
        return self.value(key, group).number

    def series(self, key: str) -> list[Value]:
        """The indicator's values across the groups, in their order (for a chart)."""
        return [self.value(key, g.key) for g in self.groups]


def _windows(period: Period, by: str | None, compare: bool, today: dt.date) -> dict[str, Period]:
    """The date windows of the values. Last year's is the same span: while the period is
    running, only up to today's date a year ago (同比 compares like with like)."""
    windows = {CURRENT: period}
    if compare:
        windows[PREVIOUS] = period.cut(today).last_year()
    if by == MONTHS:
        for n, month in enumerate(period.months()):
            windows[f"m{n}"] = month
            if compare:
                windows[f"p{n}"] = month.last_year()
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


def _value_url(indicator: Indicator, params: dict[str, str], window: Period) -> str:
    query = {"indicator": indicator.key, "period": window.key, **params}
    return f"{reverse('indicators:value')}?{urlencode(query)}"


def _finish(number: Any, source: Source) -> Number | None:
    """An empty sum of records is 0; an unreported figure from outside stays missing."""
    if number is None:
        return None if source.empty_is_missing else 0
    return number


Member = tuple[Source, Indicator]
Found = dict[tuple[str, str, str | None], Any]


def _aggregates(
    members: list[Member],
    windows: dict[str, Period | None],
    today: dt.date,
    context: dict[str, Any],
) -> tuple[dict[str, tuple[str, str]], dict[str, Any]]:
    """One conditional aggregate per (indicator, window): alias → (key, window), alias → it.
    A window of None adds no date condition (the query groups by the date instead)."""
    aliases: dict[str, tuple[str, str]] = {}
    aggregates: dict[str, Any] = {}
    for source, indicator in members:
        where = source.where(indicator, context) & source.narrow()
        for wkey, window in windows.items():
            alias = f"c{len(aliases)}"
            aliases[alias] = (indicator.key, wkey)
            if window is not None:
                condition = source.in_window(indicator, window, today) & where
            else:
                condition = where
            aggregates[alias] = source.aggregate(indicator, condition, window, today)
    return aliases, aggregates


def _grouped_rows(queryset: QuerySet, group: Any, aggregates: dict[str, Any], with_total: bool):
    """Rows of a grouped query (key "g"); with `with_total` also the whole as a row whose "g"
    is None, in the same scan (GROUPING SETS) where the database has them."""
    grouped = queryset.annotate(g=group).values("g").annotate(**aggregates)
    if not with_total:
        return list(grouped), None
    database = connections[queryset.db]
    if database.vendor == "postgresql":
        sql, params = grouped.query.sql_with_params()
        head, _sep, tail = sql.rpartition(" GROUP BY ")
        with database.cursor() as cursor:
            cursor.execute(f"{head} GROUP BY GROUPING SETS (({tail}), ())", params)
            names = [column[0] for column in cursor.description]
            rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
        total = next((r for r in rows if r["g"] is None), dict.fromkeys(aggregates))
        return [r for r in rows if r["g"] is not None], total
    return list(grouped), queryset.aggregate(**aggregates)


def _query_family(
    lead: Source,
    members: list[Member],
    *,
    scope: Scope,
    windows: dict[str, Period],
    by: str | None,
    child_length: int | None,
    today: dt.date,
    context: dict[str, Any],
) -> Found:
    """The values of every indicator read from one table, in one scan of it where the
    database allows (a second for the whole when a distinct count cannot be summed)."""
    for source in {source.key: source for source, _i in members}.values():
        source.prepare(context)
    start = min(w.start for w in windows.values())
    end = max(w.end for w in windows.values())
    queryset: QuerySet = (
        lead.base().filter(scope.q(lead) & lead.rows_for(start, end, today)).order_by()
    )
    additive = all(indicator.is_additive for _s, indicator in members)
    found: Found = {}
    months = [w for wkey, w in windows.items() if wkey not in (CURRENT, PREVIOUS)]
    if (
        by == MONTHS
        and lead.month_field
        and all(indicator.nature == FLOW for _s, indicator in members)
        and all(w.kind == MONTH_KIND for w in months)
    ):
        return _by_month(queryset, lead, members, windows, today, context)
    aliases, aggregates = _aggregates(members, dict(windows), today, context)
    if child_length is None:
        row = queryset.aggregate(**aggregates)
        return {(key, wkey, None): row[alias] for alias, (key, wkey) in aliases.items()}
    group = Substr(lead.region_field, 1, child_length)
    rows, total = _grouped_rows(queryset, group, aggregates, with_total=not additive)
    sums: dict[str, Any] = defaultdict(lambda: None)
    for row in rows:
        code = row["g"].ljust(12, "0")
        for alias, (key, wkey) in aliases.items():
            found[(key, wkey, code)] = row[alias]
            if row[alias] is not None:
                sums[alias] = (sums[alias] or 0) + row[alias]
    for alias, (key, wkey) in aliases.items():
        found[(key, wkey, None)] = sums[alias] if total is None else total[alias]
    return found


def _by_month(
    queryset: QuerySet,
    lead: Source,
    members: list[Member],
    windows: dict[str, Period],
    today: dt.date,
    context: dict[str, Any],
) -> Found:
    """Flow values per month by grouping on the month (not a window per month). The whole
    period is the sum of its months when they add up; otherwise (distinct counts, or last
    year's span cut at today's date) a second, lighter query reads it."""
    month_keys = {
        (w.start.year, w.start.month): wkey
        for wkey, w in windows.items()
        if wkey not in (CURRENT, PREVIOUS)
    }
    found: Found = {}
    aliases, aggregates = _aggregates(members, {"all": None}, today, context)
    # Without last year, the query reads exactly the period: its whole is the total row of
    # the same scan (GROUPING SETS), distinct counts included.
    current = windows[CURRENT]
    whole = PREVIOUS not in windows and _month_aligned(current)
    grouped, total = _grouped_rows(
        queryset, TruncMonth(lead.month_field), aggregates, with_total=whole
    )
    rows = {(row["g"].year, row["g"].month): row for row in grouped}
    for month, row in rows.items():
        if (wkey := month_keys.get(month)) is not None:
            for alias, (key, _all) in aliases.items():
                found[(key, wkey, None)] = row[alias]
    if whole and total is not None:
        for alias, (key, _all) in aliases.items():
            found[(key, CURRENT, None)] = total[alias]
        return found
    additive = all(indicator.is_additive for _s, indicator in members)
    queried: dict[str, Period | None] = {}
    for wkey in (CURRENT, PREVIOUS):
        window = windows.get(wkey)
        if window is None:
            continue
        if not (additive and _month_aligned(window)):
            queried[wkey] = window
            continue
        inside = [
            row
            for (year, month), row in rows.items()
            if window.start <= dt.date(year, month, 1) <= window.end
        ]
        for alias, (key, _all) in aliases.items():
            numbers = [row[alias] for row in inside if row[alias] is not None]
            found[(key, wkey, None)] = sum(numbers) if numbers else None
    if queried:
        aliases, aggregates = _aggregates(members, queried, today, context)
        row = queryset.aggregate(**aggregates)
        for alias, (key, wkey) in aliases.items():
            found[(key, wkey, None)] = row[alias]
    return found


def _month_aligned(window: Period) -> bool:
    """Whether a window is made of whole calendar months."""
    return window.start.day == 1 and (window.end + dt.timedelta(days=1)).day == 1


def _groups(scope: Scope, by: str | None, period: Period, found_codes: set[str]) -> list[Group]:
    if by == MONTHS:
        return [
            Group(key=f"m{n}", label=f"{m.start.month}月", period=m)
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
    # Sources reading the same table (e.g. all activities, and those of cadres) share a scan.
    families: dict[str, list[Member]] = defaultdict(list)
    for indicator in needed:
        if not indicator.is_derived:
            source = SOURCES[indicator.source]
            families[source.family or source.key].append((source, indicator))
    raw: dict[tuple[str, str, str | None], Number | None] = {}
    context: dict[str, Any] = {}
    for family, members in families.items():
        lead = SOURCES[family]
        found = _query_family(
            lead,
            members,
            scope=scope,
            windows=windows,
            by=by,
            child_length=child_length,
            today=today,
            context=context,
        )
        for (key, wkey, group), number in found.items():
            raw[(key, wkey, group)] = _finish(number, lead)
    found_codes = {group for (_k, _w, group) in raw if group is not None}
    result = Evaluation(
        indicators=wanted,
        scope=scope,
        period=period,
        by=by,
        compare=compare,
        groups=_groups(scope, by, period, found_codes),
    )
    cells: list[tuple[str | None, str, str, dict[str, str]]] = []
    # (group key, window of the value, window of last year, scope params of its link)
    if by == MONTHS:
        cells = [(None, CURRENT, PREVIOUS, scope.params)] + [
            (g.key, g.key, "p" + g.key[1:], scope.params) for g in result.groups
        ]
    else:
        cells = [(None, CURRENT, PREVIOUS, scope.params)] + [
            (g.key, CURRENT, PREVIOUS, {"region": g.key}) for g in result.groups
        ]
    for indicator in needed:
        for group, wkey, pkey, params in cells:
            source_group = None if by == MONTHS else group
            number = _number(indicator, raw, wkey, source_group)
            previous = _number(indicator, raw, pkey, source_group) if compare else None
            result.values[(indicator.key, group)] = Value(
                indicator=indicator,
                number=number,
                previous=previous,
                url=_value_url(indicator, params, windows[wkey]),
            )
    return result


def _number(
    indicator: Indicator,
    raw: dict[tuple[str, str, str | None], Number | None],
    wkey: str,
    group: str | None,
) -> Number | None:
    if indicator.is_derived:
        numerator = _number(registry.get(indicator.numerator), raw, wkey, group)
        denominator = _number(registry.get(indicator.denominator), raw, wkey, group)
        if numerator is None or not denominator:
            return None
        return Decimal(numerator) * 100 / Decimal(denominator)
    if (indicator.key, wkey, group) in raw:
        return raw[(indicator.key, wkey, group)]
    # A group without any record of the source: nothing happened there.
    source = SOURCES[indicator.source]
    return _finish(None, source)


def records(indicator: Indicator, *, scope: Scope, period: Period, today: dt.date | None = None):
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
