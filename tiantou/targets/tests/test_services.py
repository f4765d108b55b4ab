"""Target sheets: the services' rules (split against the total, frozen once issued,
receivers inside the region, audit rows) and progress against hand-computed records."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A
from tiantou.core import audit
from tiantou.core.models import AuditEntry
from tiantou.ledger.models import Activity, ActivityType
from tiantou.regions.models import Organisation, Region
from tiantou.regions.services import organisation_create
from tiantou.targets import selectors
from tiantou.targets import services as targets
from tiantou.targets.models import TargetItem, TargetSplit

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 7, 1)  # 182 of 365 days of 2026 have passed (1 July counted)
YEAR_SHARE = Decimal(182) / Decimal(365)


def activity(kind, region, day, status="confirmed", **measures):
    return Activity.objects.create(
        activity_type=ActivityType.objects.get(key=kind),
        title=f"{kind} {day}",
        region_id=region,
        starts_on=day,
        status=status,
        **measures,
    )


def audit_rows(obj, action=None):
    rows = audit.entries_for(obj)
    return rows.filter(action=action) if action else rows


@pytest.fixture
def sheet(bob, county):
    return targets.sheet_create(actor=bob, region=county, year=2026, title="2026年科技工作目标")


@pytest.fixture
def fungus(bob, sheet):
    """新发展优质食用菌3000亩，力争5000亩."""
    return targets.item_create(
        actor=bob,
        sheet=sheet,
        name="新发展优质食用菌",
        indicator="promoted_area",
        value=3000,
        stretch_value=5000,
    )


@pytest.fixture
def enterprise(bob, county):
    return organisation_create(actor=bob, name="沂蒙菇业", kind="enterprise", region=county)


def test_sheet_create_checks_rights_and_leaves_an_audit_row(bob, alice, charlie, county, sheet):
    assert sheet.status == "draft"
    assert audit_rows(sheet, "create").count() == 1
    with pytest.raises(PermissionDenied):
        targets.sheet_create(actor=charlie, region=county, year=2026, title="越权")
    with pytest.raises(ValidationError) as error:
        targets.sheet_create(actor=bob, region=county, year=2026, title="2026年科技工作目标")
    assert "title" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        targets.sheet_create(actor=bob, region=county, year=1999, title="太早")
    assert "year" in error.value.message_dict
    township_sheet = targets.sheet_create(
        actor=alice, region=Region.objects.get(code=TOWNSHIP_A), year=2026, title="岸堤镇目标"
    )
    assert township_sheet.region_id == TOWNSHIP_A


def test_a_village_sheet_is_refused(bob, regions):
    with pytest.raises(ValidationError) as error:
        targets.sheet_create(
            actor=bob, region=Region.objects.get(code=VILLAGE_A), year=2026, title="村"
        )
    assert "region" in error.value.message_dict


def test_item_unit_defaults_to_the_indicator_and_kinds_are_checked(bob, sheet, fungus):
    assert fungus.unit == "亩"
    assert (fungus.value, fungus.stretch_value) == (Decimal("3000.00"), Decimal("5000.00"))
    assert audit_rows(fungus, "create").count() == 1
    cases: list[tuple[dict[str, Any], str]] = [
        ({"kind": "range", "value": 2}, "value_max"),  # 2-3期 needs its upper bound
        ({"kind": "range", "value": 3, "value_max": 2}, "value_max"),
        ({"kind": "minimum", "value": 3, "value_max": 5}, "value_max"),
        ({"kind": "reach", "value": 3000, "stretch_value": 2000}, "stretch_value"),
        ({"kind": "reach", "value": -1}, "value"),
        ({"kind": "reach", "indicator": "trainings"}, "value"),  # measured needs a value
        ({"kind": "reach", "indicator": "no_such_indicator", "value": 1}, "indicator"),
        ({"kind": "reach", "value": "三千"}, "value"),
        ({"kind": "reach", "value": 1, "deadline": dt.date(2025, 12, 31)}, "deadline"),
    ]
    for fields, field in cases:
        with pytest.raises(ValidationError) as error:
            targets.item_create(actor=bob, sheet=sheet, name="培训班", **fields)
        assert field in error.value.message_dict, fields
    assert TargetItem.objects.filter(sheet=sheet).count() == 1
    classes = targets.item_create(
        actor=bob, sheet=sheet, name="举办培训班", indicator="trainings", kind="range",
        value=2, value_max=3,
    )  # fmt: skip
    assert (classes.unit, classes.value_max) == ("期", Decimal("3.00"))


def test_lead_units_must_lie_inside_the_sheets_region(bob, sheet, regions):
    elsewhere = Region.objects.create(
        code="371322000000", name="别县", level=3, kind="county", parent_id="371300000000"
    )
    outsider = Organisation.objects.create(name="别县科技局", kind="department", region=elsewhere)
    with pytest.raises(ValidationError) as error:
        targets.item_create(actor=bob, sheet=sheet, name="x", value=1, lead_unit=outsider)
    assert "lead_unit" in error.value.message_dict
    with pytest.raises(ValidationError):
        targets.item_create(actor=bob, sheet=sheet, name="x", value=1, responsible_units=[outsider])
    assert not TargetItem.objects.exists()


def test_a_split_below_the_total_is_refused_naming_both_numbers(
    bob, fungus, township_a, township_b
):
    with pytest.raises(ValidationError) as error:
        targets.splits_save(
            actor=bob, item=fungus, splits=[(township_a, 1000, None), (township_b, 1500, None)]
        )
    message = " ".join(error.value.messages)
    assert "2500" in message and "3000" in message
    assert not TargetSplit.objects.exists()


def test_a_split_above_the_total_is_saved_and_shown_as_over_assigned(
    bob, fungus, township_a, township_b
):
    saved = targets.splits_save(
        actor=bob, item=fungus, splits=[(township_a, 2000, None), (township_b, 1500, None)]
    )
    assert {(s.region_id, s.value) for s in saved} == {
        (TOWNSHIP_A, Decimal("2000.00")),
        (TOWNSHIP_B, Decimal("1500.00")),
    }
    fungus.refresh_from_db()
    assert fungus.version == 2
    entry = audit_rows(fungus, "update").get()
    assert "岸堤镇 2000" in entry.note
    row = selectors.sheet_progress(fungus.sheet, today=TODAY).items[0]
    assert row.split_total == Decimal("3500.00")
    assert row.over_assigned == Decimal("500.00")


def test_the_split_replaces_the_previous_one(bob, fungus, township_a, township_b):
    targets.splits_save(actor=bob, item=fungus, splits=[(township_a, 3000, None)])
    targets.splits_save(actor=bob, item=fungus, splits=[(township_b, 3000, None)])
    assert list(fungus.splits.values_list("region_id", flat=True)) == [TOWNSHIP_B]
    targets.splits_save(actor=bob, item=fungus, splits=[])
    assert not fungus.splits.exists()


def test_stretch_shares_must_reach_the_stretch_value(bob, fungus, township_a, township_b):
    # B without its own stretch counts with its base share: 3000 + 1500 < 5000.
    with pytest.raises(ValidationError) as error:
        targets.splits_save(
            actor=bob, item=fungus, splits=[(township_a, 2000, 3000), (township_b, 1500, None)]
        )
    message = " ".join(error.value.messages)
    assert "4500" in message and "5000" in message
    targets.splits_save(
        actor=bob, item=fungus, splits=[(township_a, 2000, 3000), (township_b, 1500, 2000)]
    )
    assert fungus.splits.count() == 2
    with pytest.raises(ValidationError):  # a stretch share below the share itself
        targets.splits_save(
            actor=bob, item=fungus, splits=[(township_a, 3000, 2500), (township_b, 1, 5000)]
        )


def test_range_and_minimum_targets_split_against_their_lower_value(
    bob, sheet, township_a, township_b
):
    classes = targets.item_create(
        actor=bob, sheet=sheet, name="举办培训班", indicator="trainings", kind="range",
        value=2, value_max=3,
    )  # fmt: skip
    with pytest.raises(ValidationError) as error:
        targets.splits_save(actor=bob, item=classes, splits=[(township_a, 1, None)])
    assert "1" in error.value.messages[0] and "2" in error.value.messages[0]
    targets.splits_save(
        actor=bob, item=classes, splits=[(township_a, 1, None), (township_b, 1, None)]
    )
    events = targets.item_create(
        actor=bob, sheet=sheet, name="送科技下乡", indicator="countryside_events",
        kind="minimum", value=3,
    )  # fmt: skip
    with pytest.raises(ValidationError):
        targets.splits_save(
            actor=bob, item=events, splits=[(township_a, 1, None), (township_b, 1, None)]
        )
    targets.splits_save(
        actor=bob, item=events, splits=[(township_a, 2, None), (township_b, 1, None)]
    )
    assert events.splits.count() == 2


def test_receivers_must_be_inside_the_region_and_named_once(
    bob, fungus, township_a, township_b, enterprise
):
    elsewhere = Region.objects.create(
        code="371322000000", name="别县", level=3, kind="county", parent_id="371300000000"
    )
    other_town = Region.objects.create(
        code="371322101000", name="别镇", level=4, kind="town", parent_id="371322000000"
    )
    far_firm = Organisation.objects.create(name="别县企业", kind="enterprise", region=elsewhere)
    village = Region.objects.get(code=VILLAGE_A)
    refused: list[list[tuple[Any, Any, Any]]] = [
        [(other_town, 3000, None)],  # a township of another county
        [(village, 3000, None)],  # a village is not directly under the county
        [(far_firm, 3000, None)],  # an enterprise of another county
        [(township_a, 1500, None), (township_a, 1500, None)],  # named twice
        [(enterprise, 1500, None), (enterprise, 1500, None)],
        [(township_a, -5, None), (township_b, 3005, None)],  # below zero
        [(township_a, "许多", None)],
        [("岸堤镇", 3000, None)],  # not a receiver at all
    ]
    for splits in refused:
        with pytest.raises(ValidationError):
            targets.splits_save(actor=bob, item=fungus, splits=splits)
    assert not TargetSplit.objects.exists()
    assert not audit_rows(fungus, "update").exists()
    targets.splits_save(
        actor=bob, item=fungus, splits=[(township_a, 2500, None), (enterprise, 500, None)]
    )
    assert fungus.splits.filter(organisation=enterprise).exists()


def test_only_the_sheets_managers_split_it(alice, charlie, dana, fungus, township_a):
    for user in (alice, charlie, dana):
        with pytest.raises(PermissionDenied):
            targets.splits_save(actor=user, item=fungus, splits=[(township_a, 3000, None)])


def test_an_item_cannot_rise_above_its_split(bob, fungus, township_a):
    targets.splits_save(actor=bob, item=fungus, splits=[(township_a, 3000, None)])
    fungus.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        targets.item_update(
            actor=bob, item=fungus, name=fungus.name, indicator="promoted_area", value=4000
        )
    assert "value" in error.value.message_dict
    targets.item_update(
        actor=bob, item=fungus, name="新发展食用菌", indicator="promoted_area", value=2500
    )
    fungus.refresh_from_db()
    assert (fungus.name, fungus.value) == ("新发展食用菌", Decimal("2500.00"))


def test_a_stale_edit_is_refused(bob, fungus):
    stale = fungus.version
    targets.item_update(actor=bob, item=fungus, name="第一次", indicator="promoted_area", value=1)
    with pytest.raises(ValidationError) as error:
        targets.item_update(
            actor=bob,
            item=fungus,
            name="第二次",
            indicator="promoted_area",
            value=2,
            expected_version=stale,
        )
    assert error.value.code == "stale_version"
    fungus.refresh_from_db()
    assert fungus.name == "第一次"


def test_an_issued_sheet_is_frozen(bob, sheet, fungus, township_a):
    targets.splits_save(actor=bob, item=fungus, splits=[(township_a, 3000, None)])
    targets.sheet_issue(actor=bob, sheet=sheet)
    sheet.refresh_from_db()
    assert sheet.status == "issued"
    fungus.refresh_from_db()
    attempts = [
        lambda: targets.item_create(actor=bob, sheet=sheet, name="新", value=1),
        lambda: targets.item_update(actor=bob, item=fungus, name="改", value=1),
        lambda: targets.item_delete(actor=bob, item=fungus),
        lambda: targets.splits_save(actor=bob, item=fungus, splits=[(township_a, 9000, None)]),
        lambda: targets.sheet_issue(actor=bob, sheet=sheet),
        lambda: targets.sheet_update(actor=bob, sheet=sheet, year=2026, title="改名"),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError):
            attempt()
    assert TargetItem.objects.get().name == "新发展优质食用菌"
    assert TargetSplit.objects.get().value == Decimal("3000.00")
    targets.sheet_update(actor=bob, sheet=sheet, year=2026, title=sheet.title, note="已印发")
    sheet.refresh_from_db()
    assert sheet.note == "已印发"


def test_an_empty_sheet_cannot_be_issued(bob, sheet):
    with pytest.raises(ValidationError):
        targets.sheet_issue(actor=bob, sheet=sheet)


def test_item_delete_is_audited_and_takes_its_split(bob, fungus, township_a):
    targets.splits_save(actor=bob, item=fungus, splits=[(township_a, 3000, None)])
    pk = fungus.pk
    targets.item_delete(actor=bob, item=fungus)
    assert not TargetItem.objects.filter(pk=pk).exists()
    assert not TargetSplit.objects.exists()
    deleted = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(TargetItem), object_id=str(pk)
    )
    assert deleted.filter(action="delete").count() == 1


def test_letters_are_signed_once_issued_on_every_share_of_the_receiver(
    bob, sheet, fungus, township_a, township_b
):
    classes = targets.item_create(
        actor=bob, sheet=sheet, name="培训班", indicator="trainings", value=2
    )
    targets.splits_save(
        actor=bob, item=fungus, splits=[(township_a, 2000, None), (township_b, 1000, None)]
    )
    targets.splits_save(actor=bob, item=classes, splits=[(township_a, 2, None)])
    split = fungus.splits.get(region=township_a)
    with pytest.raises(ValidationError):
        targets.letter_sign(actor=bob, split=split, signed_on=dt.date(2026, 3, 1))
    targets.sheet_issue(actor=bob, sheet=sheet)
    with pytest.raises(ValidationError):
        targets.letter_sign(actor=bob, split=split, signed_on=dt.date(2999, 1, 1))
    saved = targets.letter_sign(actor=bob, split=split, signed_on=dt.date(2026, 3, 1))
    assert len(saved) == 2
    assert set(
        TargetSplit.objects.filter(region=township_a).values_list("letter_signed_on", flat=True)
    ) == {dt.date(2026, 3, 1)}
    assert TargetSplit.objects.get(region=township_b).letter_signed_on is None
    rows = audit.entries_for(saved[0]) | audit.entries_for(saved[1])
    assert rows.filter(action="update").count() == 2


# ---- progress ----


@pytest.fixture
def progress_sheet(bob, sheet, fungus, township_a, township_b, enterprise):
    """Records of 2026 by 1 July and a sheet of five targets (see each test)."""
    d = dt.date
    activity("training", TOWNSHIP_A, d(2026, 3, 5), participants=30)
    activity("training", TOWNSHIP_A, d(2026, 4, 5), participants=40)
    activity("training", TOWNSHIP_A, d(2026, 4, 6), status="submitted", participants=99)
    activity("training", TOWNSHIP_A, d(2025, 4, 6), participants=99)  # last year
    activity("tech_promotion", TOWNSHIP_A, d(2026, 4, 1), area_mu=Decimal("1800"))
    record = activity("demo_base", TOWNSHIP_A, d(2026, 5, 1), area_mu=Decimal("300"))
    record.organisation = enterprise
    record.save()
    activity("tech_promotion", TOWNSHIP_B, d(2026, 6, 1), area_mu=Decimal("700"))
    activity("three_to_countryside", TOWNSHIP_B, d(2026, 2, 1))
    # 1. 举办2-3期培训班 (a range), one each for A and B.
    classes = targets.item_create(
        actor=bob, sheet=sheet, name="举办培训班", indicator="trainings", kind="range",
        value=2, value_max=3, order=1,
    )  # fmt: skip
    targets.splits_save(
        actor=bob, item=classes, splits=[(township_a, 1, None), (township_b, 1, None)]
    )
    # 2. 新发展优质食用菌3000亩，力争5000亩: A 2000 (力争3500), B 1500, the enterprise 500.
    fungus.order = 2
    fungus.save()
    targets.splits_save(
        actor=bob,
        item=fungus,
        splits=[(township_a, 2000, 3500), (township_b, 1500, None), (enterprise, 500, None)],
    )
    # 3. 送科技下乡3次以上 by the end of March.
    targets.item_create(
        actor=bob, sheet=sheet, name="送科技下乡", indicator="countryside_events",
        kind="minimum", value=3, deadline=d(2026, 3, 31), order=3,
    )  # fmt: skip
    # 4. 培训50人次，力争60人次, all of it in A.
    trainees = targets.item_create(
        actor=bob, sheet=sheet, name="培训农民", indicator="trainees", value=50,
        stretch_value=60, order=4,
    )  # fmt: skip
    targets.splits_save(actor=bob, item=trainees, splits=[(township_a, 50, 60)])
    # 5. 研究制定十一五科技发展规划 (qualitative).
    targets.item_create(actor=bob, sheet=sheet, name="研究制定科技发展规划", order=5)
    return sheet


def test_progress_of_each_item_and_share(progress_sheet, enterprise):
    progress = selectors.sheet_progress(progress_sheet, today=TODAY)
    assert progress.year_share == pytest.approx(182 / 365)
    classes, fungus, countryside, trainees, plan = progress.items

    # Two confirmed trainings in A this year: the range's lower bound 2 is reached.
    assert (classes.progress.actual, classes.progress.status) == (2, selectors.REACHED)
    assert classes.progress.percent == Decimal("100.0")
    a, b = classes.splits
    assert (a.split.region_id, a.progress.actual, a.progress.status) == (
        TOWNSHIP_A,
        2,
        selectors.REACHED,
    )
    assert a.progress.percent == Decimal("200.0")
    # B: none, where 1 × 182/365 was expected by now.
    assert (b.progress.actual, b.progress.status) == (0, selectors.BEHIND)
    assert b.progress.expected == Decimal("0.50")

    # A: 1800 + 300 = 2100 of 2000 (力争3500); B: 700 of 1500, below 1500 × 182/365 = 747.95;
    # the county: 2800 of 3000, above 3000 × 182/365 = 1495.89; the enterprise: 300 of 500.
    assert fungus.progress.actual == Decimal("2800")
    assert fungus.progress.percent == Decimal("93.3")
    assert fungus.progress.status == selectors.ON_SCHEDULE
    assert fungus.progress.expected == Decimal("1495.89")
    by_receiver = {s.split.region_id or s.split.organisation_id: s for s in fungus.splits}
    share_a, share_b = by_receiver[TOWNSHIP_A].progress, by_receiver[TOWNSHIP_B].progress
    share_firm = by_receiver[enterprise.pk].progress
    assert (share_a.actual, share_a.status, share_a.percent) == (
        Decimal("2100"),
        selectors.REACHED,
        Decimal("105.0"),
    )
    assert (share_b.actual, share_b.status, share_b.percent) == (
        Decimal("700"),
        selectors.BEHIND,
        Decimal("46.7"),
    )
    assert share_b.expected == Decimal("747.95")
    assert (share_firm.actual, share_firm.status, share_firm.percent) == (
        Decimal("300"),
        selectors.ON_SCHEDULE,
        Decimal("60.0"),
    )
    assert fungus.over_assigned == Decimal("1000.00")
    assert "region=371321101000" in share_a.url and "indicator=promoted_area" in share_a.url
    assert f"organisation={enterprise.pk}" in share_firm.url
    assert "region=371321000000" in fungus.progress.url and "period=2026" in fungus.progress.url

    # Due by 31 March, the whole time has passed: 1 of at least 3 is behind.
    assert countryside.progress.time_share == 1.0
    assert (countryside.progress.actual, countryside.progress.status) == (1, selectors.BEHIND)

    # 30 + 40 = 70 person-times: above the stretch value 60, for the county and for A.
    assert (trainees.progress.actual, trainees.progress.status) == (70, selectors.STRETCH)
    assert trainees.splits[0].progress.status == selectors.STRETCH

    assert plan.progress.status == selectors.QUALITATIVE
    assert plan.progress.actual is None and plan.progress.url == ""


def test_on_schedule_arithmetic_with_a_deadline(bob, sheet):
    item = targets.item_create(
        actor=bob, sheet=sheet, name="x", indicator="trainings", value=10,
        deadline=dt.date(2026, 6, 30),
    )  # fmt: skip
    # 31 March: 90 of the 181 days to 30 June have passed.
    share = selectors.time_share(item, 2026, dt.date(2026, 3, 31))
    assert share == pytest.approx(90 / 181)
    # 10 × 90/181 = 4.97: 5 is on schedule, 4 behind.
    assert selectors.progress_of(Decimal(10), None, _value(5), share).status == (
        selectors.ON_SCHEDULE
    )
    assert selectors.progress_of(Decimal(10), None, _value(4), share).status == selectors.BEHIND
    assert selectors.progress_of(Decimal(10), None, _value(None), share).status == (
        selectors.NO_DATA
    )
    assert selectors.time_share(item, 2026, dt.date(2025, 12, 1)) == 0.0
    no_deadline = TargetItem(sheet=sheet, name="y", value=1)
    assert selectors.time_share(no_deadline, 2026, TODAY) == pytest.approx(182 / 365)


def _value(number):
    from tiantou.indicators import registry
    from tiantou.indicators.engine import Value

    return Value(indicator=registry.get("trainings"), number=number, url="/x")


def test_progress_queries_do_not_grow_with_items_and_shares(
    bob, sheet, fungus, township_a, township_b, enterprise
):
    targets.splits_save(
        actor=bob,
        item=fungus,
        splits=[(township_a, 2000, None), (township_b, 500, None), (enterprise, 500, None)],
    )
    with CaptureQueriesContext(connection) as few:
        selectors.sheet_progress(sheet, today=TODAY)
    for n, key in enumerate(["trainings", "trainees", "events", "countryside_events", "boards"]):
        item = targets.item_create(actor=bob, sheet=sheet, name=f"目标{n}", indicator=key, value=4)
        targets.splits_save(
            actor=bob,
            item=item,
            splits=[(township_a, 2, None), (township_b, 1, None), (enterprise, 1, None)],
        )
        targets.item_create(actor=bob, sheet=sheet, name=f"定性{n}")
    with CaptureQueriesContext(connection) as many:
        progress = selectors.sheet_progress(sheet, today=TODAY)
    assert len(progress.items) == 11
    assert len(many.captured_queries) == len(few.captured_queries)


def test_target_text_reads_like_the_sheet(bob, sheet, fungus):
    text = selectors.target_text(fungus)
    assert text.startswith("3000亩") and text.endswith("5000亩") and "3,000" not in text
    classes = targets.item_create(
        actor=bob, sheet=sheet, name="培训班", indicator="trainings", kind="range",
        value=2, value_max=3,
    )  # fmt: skip
    assert selectors.target_text(classes).replace(" ", "").startswith("2-3期")
    assert "1.5" in selectors.target_text(classes, Decimal("1.50"))


def test_a_change_of_responsible_units_is_audited_by_name(bob, sheet, county):
    science = organisation_create(actor=bob, name="县科技局", kind="department", region=county)
    farming = organisation_create(actor=bob, name="县农业农村局", kind="department", region=county)
    item = targets.item_create(
        actor=bob, sheet=sheet, name="推广新技术", value=10, responsible_units=[science]
    )
    created = audit_rows(item, "create").get()
    assert created.after is not None
    assert created.after["responsible_units"] == [science.pk]
    version = item.version
    targets.item_update(
        actor=bob, item=item, name="推广新技术", value=10, responsible_units=[science, farming]
    )
    item.refresh_from_db()
    assert item.version == version + 1
    (updated,) = audit_rows(item, "update")
    (units,) = [row for row in audit.readable_changes(updated) if row[1] == "县科技局"]
    assert set(str(units[2]).split("、")) == {"县科技局", "县农业农村局"}
