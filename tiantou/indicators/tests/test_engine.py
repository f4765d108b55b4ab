"""The engine against hand-computed fixtures."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A
from tiantou.core.periods import Period
from tiantou.indicators import engine, registry
from tiantou.indicators.engine import CHILDREN, MONTHS, Scope
from tiantou.indicators.models import ExternalFigure
from tiantou.indicators.sources import SOURCES
from tiantou.ledger.models import Activity, ActivityType, Technology
from tiantou.people.models import Posting
from tiantou.regions.models import Region

pytestmark = pytest.mark.django_db

Y2026 = Period.year(2026)
TODAY = dt.date(2026, 11, 23)


def activity(kind, region, day, status="confirmed", technologies=(), **measures):
    record = Activity.objects.create(
        activity_type=ActivityType.objects.get(key=kind),
        title=f"{kind} {day}",
        region_id=region,
        starts_on=day,
        status=status,
        **measures,
    )
    if technologies:
        record.technologies.set(Technology.objects.filter(name__in=technologies))
    return record


@pytest.fixture
def ledger(regions, posting_ming):
    """2026: three trainings in A (one in its village), one in B, one at county level; a
    promotion in A and one in B naming the same technology; records not confirmed; 2025:
    one training in A. Another county's training must never count."""
    other = Region.objects.create(
        code="371322000000", name="别县", level=3, kind="county", parent_id="371300000000"
    )
    d = dt.date
    activity("training", TOWNSHIP_A, d(2026, 3, 5), participants=30, posting=posting_ming)
    activity("training", TOWNSHIP_A, d(2026, 3, 20), participants=20, posting=posting_ming)
    activity("training", VILLAGE_A, d(2026, 7, 1), participants=15)
    activity("training", TOWNSHIP_B, d(2026, 5, 9), participants=40)
    activity("training", COUNTY, d(2026, 9, 9), participants=100)
    activity(
        "tech_promotion",
        TOWNSHIP_A,
        d(2026, 4, 1),
        technologies=["水肥一体化技术", "济麦22"],
        area_mu=Decimal("150.50"),
    )
    activity("tech_promotion", TOWNSHIP_B, d(2026, 6, 1), technologies=["水肥一体化技术"])
    activity("training", TOWNSHIP_A, d(2026, 3, 6), status="submitted", participants=999)
    activity("training", TOWNSHIP_A, d(2026, 3, 7), status="draft", participants=999)
    activity("training", TOWNSHIP_A, d(2026, 3, 8), status="deleted", participants=999)
    activity("training", TOWNSHIP_A, d(2025, 3, 5), participants=50)
    activity("training", other.code, d(2026, 3, 5), participants=777)


def _number(result: engine.Evaluation, key: str, group: str | None = None) -> engine.Number:
    """A number the test expects to be there (a missing one fails here, by its key)."""
    number = result.number(key, group)
    assert number is not None, (key, group)
    return number


def county_scope():
    return Scope(region=Region.objects.get(code=COUNTY))


def test_counts_and_sums_only_confirmed_records_in_scope(ledger):
    result = engine.evaluate(["trainings", "trainees"], scope=county_scope(), period=Y2026)
    assert result.number("trainings") == 5
    assert result.number("trainees") == 30 + 20 + 15 + 40 + 100


def test_person_times_are_not_distinct_persons(ledger):
    """ming ran two trainings for 50 person-times: one cadre recorded work."""
    result = engine.evaluate(
        ["trainees", "cadres_recording"],
        scope=Scope(region=Region.objects.get(code=TOWNSHIP_A)),
        period=Y2026,
    )
    assert result.number("trainees") == 30 + 20 + 15
    assert result.number("cadres_recording") == 1


def test_distinct_technologies_count_once_in_the_county_and_once_per_township(ledger):
    result = engine.evaluate(
        ["technologies", "varieties", "promoted_area"],
        scope=county_scope(),
        period=Y2026,
        by=CHILDREN,
    )
    assert result.number("technologies") == 1  # the same technology in A and B
    assert result.number("technologies", TOWNSHIP_A) == 1
    assert result.number("technologies", TOWNSHIP_B) == 1
    assert result.number("varieties") == 1
    assert result.number("promoted_area") == Decimal("150.50")
    assert result.number("promoted_area", TOWNSHIP_B) == 0


def test_children_add_up_and_the_county_level_is_its_own_group(ledger):
    result = engine.evaluate(
        ["trainings", "trainees"], scope=county_scope(), period=Y2026, by=CHILDREN
    )
    keys = [g.key for g in result.groups]
    assert keys[0] == COUNTY and result.groups[0].is_own_level
    assert TOWNSHIP_A in keys and TOWNSHIP_B in keys
    assert result.number("trainings", TOWNSHIP_A) == 3  # the village's counts in A
    assert result.number("trainings", TOWNSHIP_B) == 1
    assert result.number("trainings", COUNTY) == 1
    assert sum(_number(result, "trainees", k) for k in keys) == result.number("trainees")


def test_growth_from_last_year(ledger):
    result = engine.evaluate(
        ["trainees", "technologies"],
        scope=Scope(region=Region.objects.get(code=TOWNSHIP_A)),
        period=Y2026,
        compare=True,
    )
    trainees = result.value("trainees")
    assert (trainees.number, trainees.previous) == (65, 50)
    assert trainees.growth == Decimal(30)  # (65 - 50) / 50
    technologies = result.value("technologies")
    assert (technologies.number, technologies.previous) == (1, 0)
    assert technologies.growth is None  # never a percentage from a zero base


def test_a_running_period_compares_with_the_same_span_last_year(ledger):
    """On 2026-03-31, 2026 so far is compared with 2025 up to 31 March only."""
    activity("training", TOWNSHIP_A, dt.date(2025, 9, 1), participants=400)
    scope = Scope(region=Region.objects.get(code=TOWNSHIP_A))
    running = engine.evaluate(
        ["trainees"], scope=scope, period=Y2026, compare=True, today=dt.date(2026, 3, 31)
    )
    assert running.value("trainees").previous == 50  # not the 400 of September 2025
    over = engine.evaluate(
        ["trainees"], scope=scope, period=Y2026, compare=True, today=dt.date(2027, 1, 5)
    )
    assert over.value("trainees").previous == 450


def test_months(ledger):
    result = engine.evaluate(
        ["trainings", "technologies"], scope=county_scope(), period=Y2026, by=MONTHS
    )
    assert result.number("technologies") == 1  # distinct over the year, not summed months
    assert [v.number for v in result.series("technologies")][3:6] == [1, 0, 1]
    assert len(result.groups) == 12
    assert [v.number for v in result.series("trainings")] == [0, 0, 2, 0, 1, 0, 1, 0, 1, 0, 0, 0]
    assert result.number("trainings") == 5


def test_months_with_last_year_and_distinct_counts(ledger):
    result = engine.evaluate(
        ["trainings", "technologies", "cadres_in_office"],
        scope=county_scope(),
        period=Y2026,
        by=MONTHS,
        compare=True,
        today=dt.date(2027, 1, 5),
    )
    march = result.value("trainings", "m2")
    assert (march.number, march.previous) == (2, 1)  # 2025's training was in March too
    assert [v.number for v in result.series("technologies")][3:6] == [1, 0, 1]
    assert result.number("technologies") == 1  # the whole year: one distinct technology
    assert result.value("trainings").previous == 1
    assert result.number("cadres_in_office", "m11") == 1  # a stock, read at each month's end


def test_stock_and_flow_of_postings(bob, posting_ming):
    """ming took office on 2025-03-01: in office at the end of 2025 and in 2026 so far (a
    stock); newly sent in 2025 only (a flow)."""
    scope = county_scope()
    y2025 = engine.evaluate(
        ["cadres_in_office", "cadres_new"], scope=scope, period=Period.year(2025), today=TODAY
    )
    y2026 = engine.evaluate(
        ["cadres_in_office", "cadres_new"], scope=scope, period=Y2026, today=TODAY
    )
    assert (y2025.number("cadres_in_office"), y2025.number("cadres_new")) == (1, 1)
    assert (y2026.number("cadres_in_office"), y2026.number("cadres_new")) == (1, 0)
    before = engine.evaluate(["cadres_in_office"], scope=scope, period=Period.year(2024))
    assert before.number("cadres_in_office") == 0


def test_a_recalled_cadre_leaves_the_stock(bob, posting_ming):
    Posting.objects.filter(pk=posting_ming.pk).update(
        status="recalled", ended_on=dt.date(2026, 7, 15)
    )
    scope = county_scope()
    h1 = engine.evaluate(["cadres_in_office"], scope=scope, period=Period.half(2026, 1))
    h2 = engine.evaluate(
        ["cadres_in_office", "cadres_recalled"], scope=scope, period=Period.half(2026, 2)
    )
    assert h1.number("cadres_in_office") == 1
    assert (h2.number("cadres_in_office"), h2.number("cadres_recalled")) == (0, 1)
    h1 = engine.evaluate(["cadres_recalled"], scope=scope, period=Period.half(2026, 1))
    assert h1.number("cadres_recalled") == 0


def test_share_of_hired_cadres(bob, posting_ming):
    scope = county_scope()
    result = engine.evaluate(["hired_share"], scope=scope, period=Y2026, today=TODAY)
    assert result.number("hired_share") == 0
    Posting.objects.filter(pk=posting_ming.pk).update(mode="hired")
    result = engine.evaluate(["hired_share"], scope=scope, period=Y2026, today=TODAY)
    assert result.number("hired_share") == 100


def figure(indicator, code, period, value, status="confirmed"):
    p = Period.parse(period)
    return ExternalFigure.objects.create(
        indicator=indicator,
        region_id=code,
        period=p.key,
        period_start=p.start,
        period_end=p.end,
        value=Decimal(value),
        status=status,
    )


def test_figures_from_outside_and_a_share_of_them(regions):
    figure("above_scale_output", COUNTY, "2026", "2668000000")
    figure("hitech_output", COUNTY, "2026-H1", "300000000")
    figure("hitech_output", COUNTY, "2026-H2", "319000000")
    figure("hitech_output", COUNTY, "2025", "474000000")
    figure("hitech_output", TOWNSHIP_A, "2026", "999", status="submitted")
    result = engine.evaluate(
        ["hitech_output", "hitech_share", "above_scale_output"],
        scope=county_scope(),
        period=Y2026,
        compare=True,
        today=dt.date(2027, 1, 20),  # the year is over: all of 2025 is the same period
    )
    hitech = result.value("hitech_output")
    assert hitech.number == Decimal("619000000")
    assert hitech.growth is not None and round(hitech.growth, 1) == Decimal("30.6")  # 同比增长30.6%
    assert round(_number(result, "hitech_share"), 1) == Decimal("23.2")  # 占…比重达到23.2%
    # Last year's above-scale output was never reported: no share, no change.
    share = result.value("hitech_share")
    assert share.previous is None and share.change is None
    assert result.value("above_scale_output").previous is None


def test_every_value_links_to_its_records(ledger):
    scope = county_scope()
    result = engine.evaluate(["trainings", "trainees", "technologies"], scope=scope, period=Y2026)
    assert "indicator=trainings" in result.value("trainings").url
    assert f"region={COUNTY}" in result.value("trainings").url
    _source, rows = engine.records(registry.get("trainings"), scope=scope, period=Y2026)
    assert rows.count() == result.number("trainings")
    _source, rows = engine.records(registry.get("trainees"), scope=scope, period=Y2026)
    assert sum(r.participants for r in rows) == result.number("trainees")
    _source, rows = engine.records(registry.get("technologies"), scope=scope, period=Y2026)
    assert len({r.technology_id for r in rows}) == result.number("technologies")


def test_an_organisation_scope_counts_its_own_records(bob, township_a, ledger):
    from tiantou.regions.services import organisation_create

    unit = organisation_create(actor=bob, name="岸堤农技站", kind="department", region=township_a)
    Activity.objects.filter(participants=30).update(organisation=unit)
    result = engine.evaluate(
        ["trainings", "trainees"], scope=Scope(organisation=unit), period=Y2026
    )
    assert (result.number("trainings"), result.number("trainees")) == (1, 30)


def test_query_count_does_not_grow_with_the_records(ledger):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            engine.evaluate(
                registry.INDICATORS, scope=county_scope(), period=Y2026, by=CHILDREN, compare=True
            )
        return len(ctx.captured_queries)

    before = queries()
    for n in range(30):
        activity("training", TOWNSHIP_B, dt.date(2026, 2, 1 + n % 28), participants=n)
    assert queries() == before
    # At most a grouped and a total query per source, the type lookup and the children.
    assert before <= 2 * len(SOURCES) + 2


def test_every_declared_indicator_is_computable(ledger):
    result = engine.evaluate(registry.INDICATORS, scope=county_scope(), period=Y2026, by=CHILDREN)
    assert {i.key for i in result.indicators} == set(registry.INDICATORS)


def test_the_ledger_summary_by_township_agrees_with_the_engine(ledger, bob):
    """The ledger's grouped list (any filter of the list) and the engine count alike."""
    from tiantou.ledger import selectors as ledger_selectors

    visible = Activity.objects.visible_to(bob).filter(starts_on__year=2026)
    rows = ledger_selectors.activity_summary(queryset=visible, by="township")
    result = engine.evaluate(
        ["activities", "participants", "technologies", "varieties"],
        scope=county_scope(),
        period=Y2026,
        by=CHILDREN,
    )
    assert rows
    for row in rows:
        assert row.activities == result.number("activities", row.key)
        assert row.participants == result.number("participants", row.key)
        # The ledger's column counts technologies and varieties together.
        both = _number(result, "technologies", row.key) + _number(result, "varieties", row.key)
        assert row.technologies == both
