"""Figures from outside: entering, overlaps, confirming, returning, importing, completeness
and what the engine counts."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A
from tiantou.accounts.models import Membership, User
from tiantou.accounts.roles import Role
from tiantou.core.importing.results import RowError
from tiantou.core.models import AuditAction, AuditEntry
from tiantou.core.periods import Period
from tiantou.indicators import engine, registry
from tiantou.indicators.engine import CHILDREN, Scope
from tiantou.indicators.figures import selectors as figure_selectors
from tiantou.indicators.figures import services as figures
from tiantou.indicators.figures.importers import FigureImporter
from tiantou.indicators.models import ExternalFigure
from tiantou.regions.models import Region

pytestmark = pytest.mark.django_db

OUTPUT = "above_scale_output"
HITECH = "hitech_output"


@pytest.fixture
def carol(regions):
    """A second county admin: confirms what bob enters."""
    user = User.objects.create_user(username="carol", password="x", name="陈卡罗")
    Membership.objects.create(user=user, role=Role.COUNTY_ADMIN, region=regions["county"])
    return user


def enter(actor, code, period, value, indicator=OUTPUT, **kwargs):
    return figures.figure_enter(
        actor=actor,
        indicator=indicator,
        region=Region.objects.get(code=code),
        period=period,
        value=value,
        **kwargs,
    )


def error_of(excinfo) -> str:
    return " ".join(excinfo.value.messages)


# ---- entering ----


def test_entering_keeps_who_what_and_status_with_an_audit_row(alice):
    figure = enter(alice, TOWNSHIP_A, "2026-H1", "1250000.5", source="县统计局")
    figure.refresh_from_db()
    assert figure.status == "submitted"
    assert figure.entered_by == alice
    assert figure.value == Decimal("1250000.50")
    assert (figure.period, figure.period_start, figure.period_end) == (
        "2026-H1",
        dt.date(2026, 1, 1),
        dt.date(2026, 6, 30),
    )
    entry = AuditEntry.objects.get(object_id=str(figure.pk), action=AuditAction.CREATE)
    assert entry.actor == alice and entry.region_code == TOWNSHIP_A


def test_only_indicators_entered_from_outside_are_taken(alice):
    with pytest.raises(ValidationError) as excinfo:
        enter(alice, TOWNSHIP_A, "2026", "10", indicator="trainings")
    assert set(excinfo.value.message_dict) == {"indicator"}
    with pytest.raises(ValidationError) as excinfo:
        enter(alice, TOWNSHIP_A, "2026", "10", indicator="hitech_share")  # derived
    assert set(excinfo.value.message_dict) == {"indicator"}
    assert not ExternalFigure.objects.exists()


def test_bad_period_and_negative_value_are_refused_together(alice):
    with pytest.raises(ValidationError) as excinfo:
        enter(alice, TOWNSHIP_A, "2026-13", "-1")
    assert set(excinfo.value.message_dict) == {"period", "value"}
    assert "2026-13" in excinfo.value.message_dict["period"][0]
    assert not ExternalFigure.objects.exists()


def test_a_neighbouring_township_cannot_enter_or_correct(alice, charlie, dana):
    with pytest.raises(PermissionDenied):
        enter(charlie, TOWNSHIP_A, "2026", "1")
    with pytest.raises(PermissionDenied):
        enter(dana, TOWNSHIP_A, "2026", "1")
    figure = enter(alice, TOWNSHIP_A, "2026", "1")
    with pytest.raises(PermissionDenied):
        enter(charlie, TOWNSHIP_B, "2026", "2", figure=figure)


# ---- overlaps ----


def test_an_overlapping_period_in_the_same_region_is_refused(alice):
    enter(alice, TOWNSHIP_A, "2026-H1", "100")
    for period in ("2026", "2026-Q2", "2026-03", "2026-06-30..2026-07-31"):
        with pytest.raises(ValidationError) as excinfo:
            enter(alice, TOWNSHIP_A, period, "5")
        assert "岸堤镇" in error_of(excinfo) and "2026年上半年" in error_of(excinfo)
    assert ExternalFigure.objects.count() == 1


def test_an_ancestor_figure_blocks_a_township_figure(alice, bob):
    enter(bob, COUNTY, "2026", "5000")
    with pytest.raises(ValidationError) as excinfo:
        enter(alice, TOWNSHIP_A, "2026-05", "100")
    assert "沂南县" in error_of(excinfo) and "2026年" in error_of(excinfo)
    with pytest.raises(ValidationError):
        enter(alice, VILLAGE_A, "2026-Q1", "1")
    assert ExternalFigure.objects.count() == 1


def test_a_descendant_figure_blocks_a_county_figure(alice, bob):
    enter(alice, VILLAGE_A, "2026-H1", "100")
    with pytest.raises(ValidationError) as excinfo:
        enter(bob, COUNTY, "2026", "5000")
    assert "岸堤村" in error_of(excinfo) and "2026年上半年" in error_of(excinfo)
    assert ExternalFigure.objects.count() == 1


def test_what_does_not_overlap_is_taken(alice, bob, charlie):
    enter(alice, TOWNSHIP_A, "2026-H1", "100")
    enter(alice, TOWNSHIP_A, "2026-H2", "120")  # the next half of the year
    enter(charlie, TOWNSHIP_B, "2026", "300")  # another township
    enter(alice, TOWNSHIP_A, "2026", "9", indicator=HITECH)  # another indicator
    enter(bob, COUNTY, "2025", "700")  # another year at county level
    assert ExternalFigure.objects.count() == 5


def test_a_returned_figure_still_blocks_until_corrected(alice, bob):
    """It is waiting to be corrected: a second figure would count twice once both are
    confirmed."""
    figure = enter(alice, TOWNSHIP_A, "2026", "100")
    figures.figure_return(actor=bob, figure=figure, reason="数据有误")
    with pytest.raises(ValidationError):
        enter(alice, TOWNSHIP_A, "2026-H1", "60")


def test_correcting_a_figure_does_not_overlap_itself(alice):
    figure = enter(alice, TOWNSHIP_A, "2026", "100")
    corrected = enter(alice, TOWNSHIP_A, "2026-H1", "60", figure=figure, expected_version=1)
    corrected.refresh_from_db()
    assert (corrected.pk, corrected.period, corrected.value) == (figure.pk, "2026-H1", 60)
    assert corrected.version == 2


# ---- confirming and returning ----


def test_nobody_confirms_a_figure_they_entered(bob, carol):
    figure = enter(bob, COUNTY, "2026", "5000")
    with pytest.raises(PermissionDenied):
        figures.figure_confirm(actor=bob, figure=figure)
    figure.refresh_from_db()
    assert figure.status == "submitted"
    figures.figure_confirm(actor=carol, figure=figure)
    figure.refresh_from_db()
    assert (figure.status, figure.confirmed_by) == ("confirmed", carol)
    assert figure.confirmed_at is not None


def test_a_township_admin_cannot_confirm(alice, charlie):
    figure = enter(charlie, TOWNSHIP_B, "2026", "1")
    with pytest.raises(PermissionDenied):
        figures.figure_confirm(actor=alice, figure=figure)
    with pytest.raises(PermissionDenied):
        figures.figure_confirm(actor=charlie, figure=figure)


def test_only_a_submitted_figure_is_confirmed_and_stale_copies_are_refused(alice, bob):
    figure = enter(alice, TOWNSHIP_A, "2026", "1")
    with pytest.raises(ValidationError) as excinfo:
        figures.figure_confirm(actor=bob, figure=figure, expected_version=0)
    assert excinfo.value.code == "stale_version"
    figures.figure_confirm(actor=bob, figure=figure, expected_version=1)
    with pytest.raises(ValidationError):
        figures.figure_confirm(actor=bob, figure=figure)


def test_returning_needs_a_reason_and_the_correction_is_submitted_again(alice, bob):
    figure = enter(alice, TOWNSHIP_A, "2026", "100")
    with pytest.raises(ValidationError) as excinfo:
        figures.figure_return(actor=bob, figure=figure, reason="  ")
    assert set(excinfo.value.message_dict) == {"reason"}
    figure.refresh_from_db()
    assert figure.status == "submitted"
    figures.figure_return(actor=bob, figure=figure, reason="口径不对")
    figure.refresh_from_db()
    assert (figure.status, figure.status_reason) == ("returned", "口径不对")
    assert AuditEntry.objects.filter(object_id=str(figure.pk), note="口径不对").exists()
    with pytest.raises(ValidationError):
        figures.figure_return(actor=bob, figure=figure, reason="again")
    enter(alice, TOWNSHIP_A, "2026", "110", figure=figure)
    figure.refresh_from_db()
    assert (figure.status, figure.status_reason, figure.value) == ("submitted", "", 110)


def test_a_confirmed_figure_is_not_corrected_but_can_be_returned(alice, bob):
    figure = enter(alice, TOWNSHIP_A, "2026", "100")
    figures.figure_confirm(actor=bob, figure=figure)
    with pytest.raises(ValidationError):
        enter(alice, TOWNSHIP_A, "2026", "1", figure=figure)
    figures.figure_return(actor=bob, figure=figure, reason="统计局修订")
    figure.refresh_from_db()
    assert (figure.status, figure.confirmed_by) == ("returned", None)


# ---- the engine counts confirmed figures only ----


def test_the_engine_sees_only_confirmed_figures(alice, bob, charlie, county):
    a = enter(alice, TOWNSHIP_A, "2026", "100")
    b = enter(charlie, TOWNSHIP_B, "2026-H1", "50")
    enter(charlie, TOWNSHIP_B, "2026-H2", "25")
    scope = Scope(region=county)

    def values():
        result = engine.evaluate([OUTPUT], scope=scope, period=Period.year(2026), by=CHILDREN)
        return (
            result.number(OUTPUT),
            result.number(OUTPUT, TOWNSHIP_A),
            result.number(OUTPUT, TOWNSHIP_B),
        )

    assert values() == (None, None, None)
    figures.figure_confirm(actor=bob, figure=a)
    assert values() == (100, 100, None)
    figures.figure_confirm(actor=bob, figure=b)
    assert values() == (150, 100, 50)
    figures.figure_return(actor=bob, figure=a, reason="错")
    assert values() == (50, None, 50)


# ---- import ----


def workbook(rows, header=("指标", "区划代码", "期间", "数值", "来源")):
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "figures.xlsx"
    return buffer


def run(actor, rows, dry_run=True, **kwargs):
    return FigureImporter(actor=actor, filename="f.xlsx").run(
        workbook(rows, **kwargs), dry_run=dry_run
    )


def name(key):
    return str(registry.get(key).name)


def test_import_dry_run_then_write(alice):
    rows = [
        (OUTPUT, TOWNSHIP_A, "2026-H1", 1200.5, "县统计局"),
        (name(HITECH), "371321101", "2026", "300", ""),
        (name(OUTPUT), TOWNSHIP_A, "2026-07", 10, ""),
    ]
    result = run(alice, rows)
    assert result.ok, [str(e) for e in result.errors]
    assert (result.to_create, result.to_update) == (3, 0)
    assert not ExternalFigure.objects.exists()
    result = run(alice, rows, dry_run=False)
    assert result.written
    saved = {(f.indicator, f.period): f.value for f in ExternalFigure.objects.all()}
    assert saved == {
        (OUTPUT, "2026-H1"): Decimal("1200.50"),
        (HITECH, "2026"): Decimal("300.00"),
        (OUTPUT, "2026-07"): Decimal("10.00"),
    }
    assert set(ExternalFigure.objects.values_list("status", "entered_by")) == {
        ("submitted", alice.pk)
    }
    assert AuditEntry.objects.filter(action=AuditAction.IMPORT).count() == 3
    again = run(alice, rows, dry_run=False)
    assert (again.to_create, again.to_update, again.unchanged) == (0, 0, 3)


def test_import_reports_every_bad_row_and_writes_nothing(alice, bob):
    enter(bob, COUNTY, "2025", "1")  # blocks 2025 figures of the county's townships
    rows = [
        (OUTPUT, TOWNSHIP_A, "2026-H1", 100, ""),  # 2: good
        ("不存在的指标", TOWNSHIP_A, "2026", 1, ""),  # 3: unknown indicator
        ("trainings", TOWNSHIP_A, "2026", 1, ""),  # 4: not entered from outside
        (OUTPUT, TOWNSHIP_B, "2026", 1, ""),  # 5: outside alice's township
        (OUTPUT, TOWNSHIP_A, "2026-13", 1, ""),  # 6: not a period
        (OUTPUT, TOWNSHIP_A, "2026-H2", -5, ""),  # 7: negative
        (OUTPUT, TOWNSHIP_A, "2025-03", 1, ""),  # 8: the county's 2025 figure
        (OUTPUT, VILLAGE_A, "2026-05", 1, ""),  # 9: overlaps row 2 (village of A)
        (OUTPUT, "371321999000", "2026", 1, ""),  # 10: no such region
        (OUTPUT, TOWNSHIP_A, "2027", "", ""),  # 11: value missing
    ]
    result = run(alice, rows, dry_run=False)
    assert not result.ok and not result.written
    by_row: dict[int, list[RowError]] = {}
    for error in result.errors:
        by_row.setdefault(error.row or 0, []).append(error)
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert "沂南县" in by_row[8][0].message and "2025年" in by_row[8][0].message
    assert "2" in by_row[9][0].message
    assert ExternalFigure.objects.count() == 1  # only bob's


def test_import_corrects_a_returned_figure_and_refuses_a_confirmed_one(alice, bob):
    returned = enter(alice, TOWNSHIP_A, "2026-H1", "100")
    figures.figure_return(actor=bob, figure=returned, reason="错")
    confirmed = enter(alice, TOWNSHIP_A, "2026-H2", "100")
    figures.figure_confirm(actor=bob, figure=confirmed)
    result = run(alice, [(OUTPUT, TOWNSHIP_A, "2026-H1", 90, "")], dry_run=False)
    assert result.written and result.to_update == 1
    returned.refresh_from_db()
    assert (returned.status, returned.value, returned.version) == ("submitted", 90, 3)
    result = run(alice, [(OUTPUT, TOWNSHIP_A, "2026-H2", 90, "")], dry_run=False)
    assert not result.written and [e.row for e in result.errors] == [2]
    confirmed.refresh_from_db()
    assert confirmed.value == 100


def test_import_refuses_unknown_columns(alice):
    result = run(
        alice,
        [(OUTPUT, TOWNSHIP_A, "2026", 1, "", "x")],
        header=("指标", "区划代码", "期间", "数值", "来源", "备注"),
    )
    assert not result.ok and result.errors[0].row is None


def test_import_needs_the_right_to_enter_figures(dana):
    with pytest.raises(PermissionDenied):
        run(dana, [(OUTPUT, TOWNSHIP_A, "2026", 1, "")])


# ---- completeness ----


@pytest.fixture
def township_c(county):
    return Region.objects.create(
        code="371321103000", name="界湖街道", level=4, kind="subdistrict", parent=county
    )


def test_completeness_counts_each_township_by_status(alice, bob, charlie, township_c):
    a = enter(alice, TOWNSHIP_A, "2026-H1", "1")
    enter(alice, VILLAGE_A, "2026-H2", "1")  # a village's figure counts for its township
    figures.figure_confirm(actor=bob, figure=a)
    b = enter(charlie, TOWNSHIP_B, "2026", "1")
    figures.figure_return(actor=bob, figure=b, reason="错")
    enter(bob, COUNTY, "2026", "1", indicator=HITECH)  # another indicator
    enter(charlie, TOWNSHIP_B, "2027", "1")  # another period
    table = figure_selectors.completeness(
        user=bob, indicator=registry.get(OUTPUT), period=Period.year(2026)
    )
    assert not table.at_own_level
    statuses = {row.region.code: row.status for row in table.rows}
    assert statuses == {
        TOWNSHIP_A: "submitted",  # one confirmed, one still submitted
        TOWNSHIP_B: "returned",
        township_c.code: "missing",
    }
    assert (table.total, table.reported, table.missing) == (3, 2, 1)
    assert (table.confirmed, table.submitted, table.returned) == (0, 1, 1)


def test_completeness_of_a_county_level_figure_shows_the_county(bob, carol):
    figure = enter(bob, COUNTY, "2026", "1")
    figures.figure_confirm(actor=carol, figure=figure)
    table = figure_selectors.completeness(
        user=bob, indicator=registry.get(OUTPUT), period=Period.year(2026)
    )
    assert table.at_own_level
    assert [(row.region.code, row.status) for row in table.rows] == [(COUNTY, "confirmed")]


def test_completeness_reads_the_same_queries_for_any_number_of_townships(bob, alice, county):
    enter(alice, TOWNSHIP_A, "2026", "1")
    indicator, period = registry.get(OUTPUT), Period.year(2026)
    figure_selectors.completeness(user=bob, indicator=indicator, period=period)  # warm caches
    with CaptureQueriesContext(connection) as few:
        small = figure_selectors.completeness(user=bob, indicator=indicator, period=period)
    for n in range(3, 13):
        code = f"371321{100 + n:03d}000"
        Region.objects.create(code=code, name=f"镇{n}", level=4, kind="town", parent=county)
        ExternalFigure.objects.create(
            indicator=OUTPUT,
            region_id=code,
            period="2026",
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 12, 31),
            value=1,
            entered_by=bob,
        )
    with CaptureQueriesContext(connection) as many:
        large = figure_selectors.completeness(user=bob, indicator=indicator, period=period)
    assert (small.total, large.total, large.reported) == (2, 12, 11)
    assert len(many) == len(few) <= 2
