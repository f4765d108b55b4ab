"""The engine's parts: its named keys, its families and the GROUPING SETS rewrite."""

import datetime as dt

import pytest
from django.db.models import Count, Q
from django.db.models.functions import Substr

from conftest import TOWNSHIP_A, TOWNSHIP_B
from tiantou.core.periods import Period
from tiantou.indicators import engine
from tiantou.indicators.engine import CURRENT, MONTHS, PREVIOUS, Cell, Column, Window
from tiantou.indicators.registry import COUNT, DISTINCT, RATIO, SUM, Indicator
from tiantou.indicators.sources import SOURCES
from tiantou.ledger.indicators import ActivitySource
from tiantou.ledger.models import Activity, ActivityType


def test_windows_are_named_as_the_result_keys_them():
    assert (CURRENT.name, PREVIOUS.name) == ("cur", "prev")
    assert (Window(month=3).name, Window(month=3, last_year=True).name) == ("m3", "p3")
    assert CURRENT.a_year_earlier() == PREVIOUS
    assert Window(month=3).a_year_earlier() == Window(month=3, last_year=True)


def test_windows_and_cells_are_keys_by_value():
    numbers = {Cell("trainings", Window(month=2), TOWNSHIP_A): 2}
    assert numbers[Cell("trainings", Window(month=2), TOWNSHIP_A)] == 2
    assert Cell("trainings", CURRENT) == Cell("trainings", Window(), None)
    assert Cell("trainings", CURRENT) != Cell("trainings", PREVIOUS)
    assert Cell("trainings", CURRENT, TOWNSHIP_A) != Cell("trainings", CURRENT, TOWNSHIP_B)
    with pytest.raises(AttributeError):
        CURRENT.last_year = True  # type: ignore[misc]


def test_the_windows_of_an_evaluation():
    """Last year's whole is cut at today's date a year ago; its months are whole."""
    windows = engine._windows(Period.half(2026, 1), MONTHS, True, dt.date(2026, 3, 31))
    assert [w.name for w in windows] == ["cur", "prev"] + [
        name for n in range(6) for name in (f"m{n}", f"p{n}")
    ]
    assert windows[PREVIOUS] == Period(dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    assert windows[Window(month=5, last_year=True)] == Period.month(2025, 6)
    assert list(engine._windows(Period.year(2026), None, False, dt.date(2026, 3, 31))) == [CURRENT]


def test_a_column_is_named_by_its_alias_indicator_and_window():
    """Columns compare by what they compute a number for, not by their expression."""
    one = Column("c0", "trainings", CURRENT, Count("pk"))
    assert one == Column("c0", "trainings", CURRENT, Count("pk", filter=Q(pk=1)))
    assert engine._cells([one], {"c0": 4}, region=TOWNSHIP_A) == {
        Cell("trainings", CURRENT, TOWNSHIP_A): 4
    }
    by_month = Column("c0", "trainings", None, Count("pk"))
    assert engine._cells([by_month], {"c0": 1}, window=Window(month=2)) == {
        Cell("trainings", Window(month=2)): 1
    }


class _Narrow(ActivitySource):
    """Activities of one type, read in the scan of all activities."""

    key = "narrow_activities"
    family = "activities"

    def narrow(self) -> Q:
        return Q(activity_type__key="training")


def test_families_gather_the_indicators_of_one_table(monkeypatch):
    monkeypatch.setitem(SOURCES, _Narrow.key, _Narrow())
    count = Indicator("a", "a", "次", "activities", COUNT)
    narrow = Indicator("b", "b", "人次", _Narrow.key, SUM, column="participants")
    distinct = Indicator("c", "c", "项", "technologies", DISTINCT, column="technology_id")
    ratio = Indicator("d", "d", "%", "", RATIO, numerator="b", denominator="a")
    activities, technologies = engine._families([count, distinct, narrow, ratio])
    assert activities.lead is SOURCES["activities"]
    assert [m.indicator for m in activities.members] == [count, narrow]
    assert [s.key for s in activities.sources] == ["activities", _Narrow.key]
    assert activities.is_additive
    assert technologies.lead is SOURCES["technologies"] and not technologies.is_additive


def test_the_grouping_sets_rewrite_of_a_small_query():
    sql = (
        'SELECT SUBSTRING("a"."region_id", 1, 9) AS "g", '
        'COUNT(DISTINCT "a"."technology_id") FILTER (WHERE "a"."kind" = %s) AS "c0" '
        'FROM "a" WHERE "a"."region_id" >= %s GROUP BY 1'
    )
    assert engine.with_grouping_sets(sql) == (
        'SELECT SUBSTRING("a"."region_id", 1, 9) AS "g", '
        'COUNT(DISTINCT "a"."technology_id") FILTER (WHERE "a"."kind" = %s) AS "c0" '
        'FROM "a" WHERE "a"."region_id" >= %s GROUP BY GROUPING SETS ((1), ())'
    )
    with pytest.raises(ValueError):
        engine.with_grouping_sets('SELECT COUNT(*) FROM "a"')


@pytest.mark.django_db
def test_the_rewrite_of_a_query_django_writes():
    grouped = (
        Activity.objects.order_by()
        .annotate(g=Substr("region_id", 1, 9))
        .values("g")
        .annotate(c0=Count("pk"))
    )
    sql, _params = grouped.query.sql_with_params()
    head, _sep, groups = sql.rpartition(" GROUP BY ")
    assert engine.with_grouping_sets(sql) == f"{head} GROUP BY GROUPING SETS (({groups}), ())"


@pytest.mark.django_db
def test_grouped_rows_with_the_whole_in_one_scan_or_two(regions):
    """On PostgreSQL the whole is the GROUPING SETS' total row; elsewhere a second query;
    either way a distinct count of the whole is not the sum of its groups."""
    training = ActivityType.objects.get(key="training")
    for code, title in ((TOWNSHIP_A, "x"), (TOWNSHIP_A, "y"), (TOWNSHIP_B, "x")):
        Activity.objects.create(
            activity_type=training,
            title=title,
            region_id=code,
            starts_on=dt.date(2026, 3, 1),
            status="confirmed",
        )
    rows, total = engine._grouped_rows(
        Activity.objects.order_by(),
        Substr("region_id", 1, 9),
        {"c0": Count("title", distinct=True), "c1": Count("pk")},
        with_total=True,
    )
    assert sorted((row["g"], row["c0"], row["c1"]) for row in rows) == [
        (TOWNSHIP_A[:9], 2, 2),
        (TOWNSHIP_B[:9], 1, 1),
    ]
    assert total is not None and (total["c0"], total["c1"]) == (2, 3)
    _rows, total = engine._grouped_rows(
        Activity.objects.order_by(), Substr("region_id", 1, 9), {"c0": Count("pk")}, False
    )
    assert total is None
