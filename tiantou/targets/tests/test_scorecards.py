"""Township scorecards: the services, and the scores against hand-computed values."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B
from tiantou.core.models import AuditEntry
from tiantou.indicators.models import ExternalFigure
from tiantou.ledger.models import Activity, ActivityType
from tiantou.regions.models import Region
from tiantou.targets.models import ScoreRule, TargetItem, TargetSheet, TargetSplit
from tiantou.targets.scorecards import selectors as scorecard_selectors
from tiantou.targets.scorecards import services as scorecards
from tiantou.targets.scorecards.selectors import Row, rank, score

pytestmark = pytest.mark.django_db

TOWNSHIP_C = "371321103000"
TODAY = dt.date(2026, 11, 23)


def training(code, day=dt.date(2026, 3, 5), status="confirmed"):
    return Activity.objects.create(
        activity_type=ActivityType.objects.get(key="training"),
        title=f"培训 {code}",
        region_id=code,
        starts_on=day,
        status=status,
        participants=10,
    )


def output(code, value, period="2026", status="confirmed"):
    from tiantou.core.periods import Period

    p = Period.parse(period)
    return ExternalFigure.objects.create(
        indicator="above_scale_output",
        region_id=code,
        period=p.key,
        period_start=p.start,
        period_end=p.end,
        value=Decimal(value),
        status=status,
    )


def sheet_for(region, year=2026, title="2026年科技工作目标"):
    return TargetSheet.objects.create(region=region, year=year, title=title)


def item(sheet, indicator, splits, order=0):
    """A target measured by `indicator`, split {code: value or (value, stretch)}."""
    target = TargetItem.objects.create(
        sheet=sheet, order=order, name=indicator, indicator=indicator
    )
    for code, share in splits.items():
        value, stretch = share if isinstance(share, tuple) else (share, None)
        TargetSplit.objects.create(
            item=target, region_id=code, value=Decimal(value), stretch_value=stretch
        )
    return target


@pytest.fixture
def township_c(county):
    return Region.objects.create(
        code=TOWNSHIP_C, name="界湖街道", level=4, kind="subdistrict", parent=county
    )


@pytest.fixture
def scheme(bob, county, township_c):
    """Trainings worth 30 (counted up to 120 %, bonus 5 at the stretch value) and
    above-scale output worth 70 (up to 100 %).

    Targets: trainings A 4 (stretch 5), B 2, C none; output A 1000, B 1000, C none.
    Actual: trainings A 5, B 1 (and one not confirmed), C 2; output A 900, B 1000,
    C 5000 (confirmed), and a submitted figure in B that does not count.
    """
    sheet = sheet_for(county)
    item(sheet, "trainings", {TOWNSHIP_A: ("4", Decimal("5")), TOWNSHIP_B: "2"}, order=1)
    item(sheet, "above_scale_output", {TOWNSHIP_A: "1000", TOWNSHIP_B: "1000"}, order=2)
    for _n in range(5):
        training(TOWNSHIP_A)
    training(TOWNSHIP_B)
    training(TOWNSHIP_B, status="submitted")
    training(TOWNSHIP_C)
    training(TOWNSHIP_C)
    training(TOWNSHIP_A, day=dt.date(2025, 6, 1))  # last year
    output(TOWNSHIP_A, "900")
    output(TOWNSHIP_B, "1000")
    output(TOWNSHIP_C, "5000")
    output(TOWNSHIP_B, "777", period="2027", status="submitted")
    created = scorecards.scheme_create(
        actor=bob, region=county, year=2026, name="2026年乡镇科技工作考核", sheet=sheet
    )
    scorecards.rules_save(
        actor=bob,
        scheme=created,
        rules=[
            {"indicator": "trainings", "weight": "30", "cap_percent": 120, "stretch_bonus": "5"},
            {"indicator": "above_scale_output", "weight": "70", "cap_percent": 100},
        ],
    )
    created.refresh_from_db()
    return created


# ---- scoring arithmetic ----


def test_scores_by_hand(scheme):
    table = scorecard_selectors.scheme_scores(scheme, today=TODAY)
    rows = {row.region.code: row for row in table.rows}
    a, b, c = rows[TOWNSHIP_A], rows[TOWNSHIP_B], rows[TOWNSHIP_C]
    # A: trainings 5 of 4 = 125 %, capped at 120 % → 30 × 1.2 = 36, + 5 (stretch 5 reached)
    assert (a.cells[0].value.number, a.cells[0].target) == (5, Decimal("4"))
    assert (a.cells[0].points, a.cells[0].bonus) == (Decimal("41.00"), Decimal("5.00"))
    # A: output 900 of 1000 → 70 × 0.9 = 63
    assert a.cells[1].points == Decimal("63.00")
    # B: trainings 1 of 2 → 15; output 1000 of 1000 → 70 (the submitted 2027 figure not)
    assert [cell.points for cell in b.cells] == [Decimal("15.00"), Decimal("70.00")]
    # C: no share of either target: no points, whatever it did
    assert [cell.points for cell in c.cells] == [None, None]
    assert not c.cells[0].has_target and c.cells[0].value.number == 2
    assert [(r.region.code, r.total, r.rank) for r in table.rows] == [
        (TOWNSHIP_A, Decimal("104.00"), 1),
        (TOWNSHIP_B, Decimal("85.00"), 2),
        (TOWNSHIP_C, Decimal("0"), 3),
    ]
    assert table.weight_total == 100 and table.weights_add_up


def test_each_cell_links_to_the_records_behind_its_value(scheme):
    table = scorecard_selectors.scheme_scores(scheme, today=TODAY)
    cell = next(r for r in table.rows if r.region.code == TOWNSHIP_B).cells[0]
    assert cell.value.url.startswith(reverse("indicators:value"))
    assert f"region={TOWNSHIP_B}" in cell.value.url and "indicator=trainings" in cell.value.url
    assert "period=2026" in cell.value.url


def test_the_stretch_bonus_needs_the_stretch_value(scheme):
    TargetSplit.objects.filter(region_id=TOWNSHIP_A, item__indicator="trainings").update(
        stretch_value=6
    )
    table = scorecard_selectors.scheme_scores(scheme, today=TODAY)
    a = next(r for r in table.rows if r.region.code == TOWNSHIP_A)
    assert (a.cells[0].points, a.cells[0].bonus) == (Decimal("36.00"), Decimal("0"))


def test_points_are_rounded_half_up_per_cell():
    rule = ScoreRule(indicator="trainings", weight=Decimal("1"), cap_percent=100)
    assert score(rule, 1, Decimal("8"), None)[0] == Decimal("0.13")  # 0.125
    rule.weight = Decimal("10")
    assert score(rule, 2, Decimal("3"), None)[0] == Decimal("6.67")
    assert score(rule, 1, Decimal("3"), None)[0] == Decimal("3.33")


def test_a_zero_target_counts_as_reached_and_no_target_gives_nothing():
    rule = ScoreRule(indicator="trainings", weight=Decimal("20"), cap_percent=150)
    assert score(rule, 0, Decimal("0"), None) == (Decimal("20.00"), Decimal("0"))
    assert score(rule, 7, Decimal("0"), None) == (Decimal("20.00"), Decimal("0"))
    assert score(rule, 7, None, None) == (None, Decimal("0"))
    assert score(rule, None, Decimal("5"), None) == (Decimal("0.00"), Decimal("0"))


def test_ties_share_a_rank(regions):
    county, a, b = regions["county"], regions["a"], regions["b"]
    rows = [
        Row(region=b, cells=[], total=Decimal("10")),
        Row(region=county, cells=[], total=Decimal("5")),
        Row(region=a, cells=[], total=Decimal("10")),
    ]
    rank(rows)
    assert [(r.region.code, r.rank) for r in rows] == [
        (TOWNSHIP_A, 1),
        (TOWNSHIP_B, 1),
        (COUNTY, 3),
    ]


def test_a_scheme_without_a_sheet_has_no_targets(bob, county, township_c):
    training(TOWNSHIP_A)
    bare = scorecards.scheme_create(actor=bob, region=county, year=2026, name="无目标")
    scorecards.rules_save(actor=bob, scheme=bare, rules=[{"indicator": "trainings", "weight": 50}])
    table = scorecard_selectors.scheme_scores(bare, today=TODAY)
    assert [r.rank for r in table.rows] == [1, 1, 1]
    assert all(cell.points is None for r in table.rows for cell in r.cells)
    assert not table.weights_add_up


def test_queries_do_not_grow_with_townships_or_rules(bob, county, township_c):
    sheet = sheet_for(county)
    item(sheet, "trainings", {TOWNSHIP_A: "1", TOWNSHIP_B: "1"})
    small = scorecards.scheme_create(actor=bob, region=county, year=2026, name="小", sheet=sheet)
    scorecards.rules_save(actor=bob, scheme=small, rules=[{"indicator": "trainings", "weight": 10}])
    with CaptureQueriesContext(connection) as few:
        scorecard_selectors.scheme_scores(small, today=TODAY)
    for n in range(4, 14):
        code = f"371321{100 + n:03d}000"
        Region.objects.create(code=code, name=f"镇{n}", level=4, kind="town", parent=county)
        training(code)
        output(code, "10")
    keys = ["trainings", "trainees", "above_scale_output", "hitech_output", "events"]
    for order, key in enumerate(keys[1:], start=2):
        item(sheet, key, {f"371321{100 + n:03d}000": "5" for n in range(4, 14)}, order=order)
    large = scorecards.scheme_create(actor=bob, region=county, year=2026, name="大", sheet=sheet)
    scorecards.rules_save(
        actor=bob, scheme=large, rules=[{"indicator": k, "weight": 20} for k in keys]
    )
    with CaptureQueriesContext(connection) as many:
        table = scorecard_selectors.scheme_scores(large, today=TODAY)
    assert len(table.rows) == 13 and len(table.rules) == 5
    # Two more sources (figures; another activity query is the same one): +1 query.
    assert len(many) == len(few) + 1
    assert len(many) <= 7


# ---- services ----


def test_rules_are_checked_and_saved_with_an_audit_row(bob, scheme):
    with pytest.raises(ValidationError) as excinfo:
        scorecards.rules_save(
            actor=bob,
            scheme=scheme,
            rules=[
                {"indicator": "no_such", "weight": 10},
                {"indicator": "trainings", "weight": -1},
                {"indicator": "trainees", "weight": 10, "cap_percent": 50},
                {"indicator": "trainees", "weight": 10, "stretch_bonus": "x"},
                {"indicator": "events", "weight": ""},
            ],
        )
    errors = excinfo.value.message_dict
    assert set(errors) == {"indicator", "weight", "cap_percent", "stretch_bonus"}
    assert len(errors["indicator"]) == 2 and len(errors["weight"]) == 2
    assert any("3" in message for message in errors["indicator"])  # first in line 3
    assert scheme.rules.count() == 2
    version = scheme.version
    rules = scorecards.rules_save(
        actor=bob,
        scheme=scheme,
        rules=[{"indicator": "events", "weight": "12.5"}, {"indicator": "trainings", "weight": 40}],
    )
    scheme.refresh_from_db()
    assert [(r.indicator, r.weight, r.order) for r in scheme.rules.all()] == [
        ("events", Decimal("12.50"), 1),
        ("trainings", Decimal("40.00"), 2),
    ]
    assert len(rules) == 2 and scheme.version == version + 1
    assert AuditEntry.objects.filter(object_id=str(scheme.pk), note__contains="12.50").exists()


def test_a_stale_copy_of_the_scheme_is_refused(bob, scheme):
    with pytest.raises(ValidationError) as excinfo:
        scorecards.rules_save(
            actor=bob, scheme=scheme, rules=[], expected_version=scheme.version - 1
        )
    assert excinfo.value.code == "stale_version"
    assert scheme.rules.count() == 2


def test_scheme_fields_are_checked(bob, county, township_a):
    other_year = sheet_for(county, year=2025, title="2025")
    other_region = sheet_for(township_a, title="岸堤")
    with pytest.raises(ValidationError) as excinfo:
        scorecards.scheme_create(actor=bob, region=county, year=2026, name=" ", sheet=other_year)
    assert set(excinfo.value.message_dict) == {"name", "sheet"}
    with pytest.raises(ValidationError) as excinfo:
        scorecards.scheme_create(actor=bob, region=county, year=1999, name="x", sheet=other_region)
    assert set(excinfo.value.message_dict) == {"year", "sheet"}
    village = Region.objects.get(code="371321101001")
    with pytest.raises(ValidationError) as excinfo:
        scorecards.scheme_create(actor=bob, region=village, year=2026, name="x")
    assert set(excinfo.value.message_dict) == {"region"}


def test_only_scorecard_managers_write(alice, dana, charlie, bob, county, township_a):
    for user in (alice, dana, charlie):
        with pytest.raises(PermissionDenied):
            scorecards.scheme_create(actor=user, region=county, year=2026, name="x")
    scheme = scorecards.scheme_create(actor=bob, region=township_a, year=2026, name="岸堤")
    with pytest.raises(PermissionDenied):
        scorecards.rules_save(actor=alice, scheme=scheme, rules=[])


def test_update_changes_fields_and_rules_all_or_nothing(bob, scheme):
    with pytest.raises(ValidationError) as excinfo:
        scorecards.scheme_update(
            actor=bob,
            scheme=scheme,
            name="新名称",
            year=2026,
            sheet=scheme.sheet,
            rules=[{"indicator": "bad", "weight": 1}],
        )
    assert set(excinfo.value.message_dict) == {"indicator"}
    scheme.refresh_from_db()
    assert scheme.name == "2026年乡镇科技工作考核"
    scorecards.scheme_update(
        actor=bob,
        scheme=scheme,
        name="新名称",
        year=2026,
        sheet=None,
        rules=[{"indicator": "trainings", "weight": 100}],
    )
    scheme.refresh_from_db()
    assert (scheme.name, scheme.sheet_id, scheme.rules.count()) == ("新名称", None, 1)


# ---- Excel ----


def test_the_ranking_exports_to_excel(scheme, client_for, dana):
    response = client_for(dana).get(reverse("targets:scheme_export", args=[scheme.pk]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == 4 and len(rows[0]) == 2 + 3 * 2 + 1
    first = rows[1]
    assert first[0] == 1 and first[1] == "岸堤镇"
    assert first[2:5] == (5, 4, 41)  # trainings: actual, target, points
    assert first[5:8] == (900, 1000, 63)
    assert first[8] == 104
    last = rows[3]
    assert last[1] == "界湖街道" and last[2] == 2 and last[3] == last[4] != None  # noqa: E711
    assert last[8] == 0
