"""Rules of the oversight of cadres: work reports, spot checks, discipline, training."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import _user
from tiantou.accounts.models import Membership, User
from tiantou.accounts.roles import Role
from tiantou.core.models import AuditEntry
from tiantou.ledger.choices import DisciplineLevel, RecipientKind, SpotCheckResult
from tiantou.ledger.models import DisciplineCase, SpotCheck, WorkReport
from tiantou.ledger.oversight import selectors
from tiantou.ledger.oversight import services as oversight
from tiantou.people import services as people_services
from tiantou.people.choices import PostingStatus

TODAY = datetime.date(2026, 11, 23)
REAL_LOCALDATE = timezone.localdate


@pytest.fixture(autouse=True)
def today():
    """Pin "today" so that the slots and terms of the fixtures read the same every year."""

    def localdate(value=None, timezone=None):
        return TODAY if value is None else REAL_LOCALDATE(value, timezone)

    with mock.patch("django.utils.timezone.localdate", side_effect=localdate):
        yield TODAY


def _write(posting, ming, year=2026, number=1, submit=True):
    return oversight.work_report_save(
        actor=ming,
        posting=posting,
        year=year,
        number=number,
        study="学习了农技推广法",
        work="推广玉米新品种3个",
        thoughts="思想稳定",
        requests="希望增加培训",
        submit=submit,
    )


@pytest.fixture
def org_dept(regions):
    return _user("zuzhi", "组织部", Role.ORG_DEPT, regions["county"])


@pytest.fixture
def unit_user(home_unit):
    user = _user("unit", "农业局")
    Membership.objects.create(user=user, role=Role.HOME_UNIT, organisation=home_unit)
    return user


@pytest.fixture
def posting_b(bob, county, programme, township_b):
    person = people_services.person_create(actor=bob, name="孙祖人", region=county)
    posting = people_services.posting_create(
        actor=bob,
        person=person,
        programme=programme,
        host_region=township_b,
        starts_on=datetime.date(2025, 3, 1),
    )
    return people_services.posting_activate(actor=bob, posting=posting)


# ---- work reports ----


def test_two_reports_a_year_are_due_on_30_june_and_31_december(posting_ming):
    assert selectors.reports_due(posting_ming, 2026) == [
        (1, datetime.date(2026, 6, 30)),
        (2, datetime.date(2026, 12, 31)),
    ]
    # The term starts on 2025-03-01 and ends on 2028-02-29: only slots inside it.
    assert selectors.reports_due(posting_ming, 2025) == [
        (1, datetime.date(2025, 6, 30)),
        (2, datetime.date(2025, 12, 31)),
    ]
    assert selectors.reports_due(posting_ming, 2028) == []


def test_one_report_a_year_is_due_on_31_december(posting_ming, programme):
    programme.reports_per_year = 1
    programme.save()
    posting_ming.refresh_from_db()
    assert selectors.reports_due(posting_ming, 2026) == [(1, datetime.date(2026, 12, 31))]
    programme.reports_per_year = 0
    programme.save()
    posting_ming.refresh_from_db()
    assert selectors.reports_due(posting_ming, 2026) == []


def test_only_the_cadre_writes_and_only_until_submitted(posting_ming, ming, bob, alice):
    for other in (bob, alice):
        with pytest.raises(PermissionDenied):
            _write(posting_ming, other)
    draft = _write(posting_ming, ming, submit=False)
    assert draft.submitted_at is None and draft.due_on == datetime.date(2026, 6, 30)
    again = oversight.work_report_save(
        actor=ming,
        posting=posting_ming,
        year=2026,
        number=1,
        study="改",
        work="改",
        thoughts="改",
        submit=True,
        expected_version=draft.version,
    )
    assert again.pk == draft.pk and again.submitted_at is not None and again.version == 2
    with pytest.raises(ValidationError):
        _write(posting_ming, ming)
    assert AuditEntry.objects.filter(object_id=str(draft.pk), object_repr__contains="2026").count()


def test_a_report_only_for_a_due_slot_and_complete_to_submit(posting_ming, ming):
    with pytest.raises(ValidationError):
        _write(posting_ming, ming, number=3)
    with pytest.raises(ValidationError):
        _write(posting_ming, ming, year=2028)  # no slot within the term
    with pytest.raises(ValidationError) as error:
        oversight.work_report_save(
            actor=ming, posting=posting_ming, year=2026, number=2, study="只写了学习", submit=True
        )
    assert set(error.value.message_dict) == {"work", "thoughts"}
    assert not WorkReport.objects.exists()


def test_a_recalled_cadre_writes_no_more_reports(posting_ming, ming, bob):
    people_services.posting_recall(actor=bob, posting=posting_ming, reason="调回")
    with pytest.raises(ValidationError):
        _write(posting_ming, ming)


def test_each_recipient_marks_once_and_only_its_own_people(
    posting_ming, ming, bob, alice, charlie, dana, org_dept, unit_user
):
    report = _write(posting_ming, ming)
    # The organisation department's mark: the org dept or the county admin.
    oversight.work_report_mark_read(actor=org_dept, report=report, recipient="org_dept")
    with pytest.raises(ValidationError):
        oversight.work_report_mark_read(actor=bob, report=report, recipient="org_dept")
    # The township party committee: a township admin of the host township only.
    for actor in (bob, org_dept, unit_user):
        with pytest.raises(PermissionDenied):
            oversight.work_report_mark_read(actor=actor, report=report, recipient="township_party")
    for actor in (charlie, dana):
        with pytest.raises(PermissionDenied):
            oversight.work_report_mark_read(actor=actor, report=report, recipient="township_party")
    oversight.work_report_mark_read(actor=alice, report=report, recipient="township_party")
    # The home unit: a home-unit role on the cadre's home unit.
    with pytest.raises(PermissionDenied):
        oversight.work_report_mark_read(actor=alice, report=report, recipient="home_unit")
    read = oversight.work_report_mark_read(actor=unit_user, report=report, recipient="home_unit")
    assert read.read_by == unit_user
    assert set(report.reads.values_list("recipient", flat=True)) == set(RecipientKind.values)
    with pytest.raises(ValidationError):
        oversight.work_report_mark_read(actor=unit_user, report=report, recipient="home_unit")


def test_a_draft_cannot_be_marked_read(posting_ming, ming, alice):
    draft = _write(posting_ming, ming, submit=False)
    with pytest.raises(ValidationError):
        oversight.work_report_mark_read(actor=alice, report=draft, recipient="township_party")


def test_overdue_and_unread_lists_per_recipient(
    posting_ming, posting_b, ming, alice, charlie, org_dept
):
    report = _write(posting_ming, ming, year=2025, number=1)
    inbox = selectors.report_inbox(user=alice, recipient="township_party", today=TODAY)
    # ming owes 2025-12-31 and 2026-06-30; 2026-12-31 is not yet due.
    assert [(row["posting"], row["slots"]) for row in inbox["overdue"]] == [
        (
            posting_ming,
            [(2025, 2, datetime.date(2025, 12, 31)), (2026, 1, datetime.date(2026, 6, 30))],
        )
    ]
    assert inbox["unread"] == [report]
    # charlie's township's cadre owes everything; ming's report is not charlie's to read.
    inbox_b = selectors.report_inbox(user=charlie, recipient="township_party", today=TODAY)
    assert [row["posting"] for row in inbox_b["overdue"]] == [posting_b]
    assert len(inbox_b["overdue"][0]["slots"]) == 3 and inbox_b["unread"] == []
    # The org dept sees both townships; a mark by one recipient leaves the others unread.
    oversight.work_report_mark_read(actor=alice, report=report, recipient="township_party")
    assert selectors.report_inbox(user=alice, recipient="township_party")["unread"] == []
    county_inbox = selectors.report_inbox(user=org_dept, recipient="org_dept", today=TODAY)
    assert county_inbox["unread"] == [report]
    assert {row["posting"] for row in county_inbox["overdue"]} == {posting_ming, posting_b}
    # Someone who reads for no recipient sees an empty inbox.
    assert selectors.report_inbox(user=alice, recipient="org_dept")["overdue"] == []


def test_a_cadre_opens_only_his_own_reports(posting_ming, posting_b, ming, bob, township_a):
    mine = _write(posting_ming, ming)
    # Another cadre posted to township A, whose login holds the cadre role there too.
    other_user = _user("hong", "红", Role.CADRE, township_a)
    person = people_services.person_create(
        actor=bob, name="红", region=township_a.parent, user=other_user
    )
    other = people_services.posting_create(
        actor=bob,
        person=person,
        programme=posting_b.programme,
        host_region=township_a,
        starts_on=datetime.date(2025, 3, 1),
    )
    people_services.posting_activate(actor=bob, posting=other)
    theirs = _write(other, other_user)
    assert list(selectors.work_report_list(user=ming)) == [mine]
    assert list(selectors.work_report_list(user=other_user)) == [theirs]
    assert set(selectors.work_report_list(user=bob)) == {mine, theirs}


# ---- spot checks ----


def test_a_draw_is_reproducible_from_its_seed(posting_ming, posting_b, bob, county):
    draw = oversight.spotcheck_draw(actor=bob, region=county, size=1, seed=12345)
    assert draw.seed == 12345 and draw.population == sorted([posting_ming.pk, posting_b.pk])
    assert selectors.spotcheck_verify(draw)
    again = oversight.spotcheck_draw(actor=bob, region=county, size=1, seed=12345)
    assert list(again.checks.values_list("posting_id", flat=True)) == list(
        draw.checks.values_list("posting_id", flat=True)
    )
    # A check that was not drawn breaks the proof.
    SpotCheck.objects.filter(draw=draw).update(
        posting_id=({posting_ming.pk, posting_b.pk} - {draw.checks.get().posting_id}).pop()
    )
    assert not selectors.spotcheck_verify(draw)


def test_the_sample_is_never_larger_than_the_population(posting_ming, posting_b, bob, county):
    draw = oversight.spotcheck_draw(actor=bob, region=county, size=10)
    assert draw.size == 2 and draw.checks.count() == 2
    assert 0 <= draw.seed < 2**32
    assert selectors.spotcheck_verify(draw)


def test_a_draw_takes_only_postings_in_office_in_the_region(
    posting_ming, posting_b, bob, township_a, alice
):
    draw = oversight.spotcheck_draw(actor=bob, region=township_a, size=5, seed=1)
    assert draw.population == [posting_ming.pk]
    people_services.posting_recall(actor=bob, posting=posting_ming, reason="调回")
    with pytest.raises(ValidationError):
        oversight.spotcheck_draw(actor=bob, region=township_a, size=5)
    with pytest.raises(PermissionDenied):
        oversight.spotcheck_draw(actor=alice, region=township_a, size=1)


def test_an_absence_opens_a_case_with_its_first_step(posting_ming, bob, township_a, dana):
    check = oversight.spotcheck_draw(actor=bob, region=township_a, size=1).checks.get()
    with pytest.raises(PermissionDenied):
        oversight.spotcheck_record(actor=dana, check=check, result="absent", note="x")
    with pytest.raises(ValidationError):
        oversight.spotcheck_record(actor=bob, check=check, result="absent", note=" ")
    oversight.spotcheck_record(actor=bob, check=check, result="absent", note="上午不在岗")
    case = DisciplineCase.objects.get()
    assert case.spot_check == check and case.reason == "上午不在岗" and case.closed_at is None
    step = case.steps.get()
    assert (step.level, step.taken_by, step.reason) == (
        DisciplineLevel.CRITICISM,
        bob,
        "上午不在岗",
    )
    with pytest.raises(ValidationError):
        oversight.spotcheck_record(actor=bob, check=check, result="present")


def test_presence_and_excused_absence_open_no_case(posting_ming, posting_b, bob, county):
    draw = oversight.spotcheck_draw(actor=bob, region=county, size=2)
    first, second = draw.checks.order_by("posting_id")
    oversight.spotcheck_record(actor=bob, check=first, result="present")
    oversight.spotcheck_record(actor=bob, check=second, result="excused", note="请假")
    assert not DisciplineCase.objects.exists()


def test_the_ladder_goes_in_order_and_the_recall_ends_the_posting(
    posting_ming, bob, dana, township_a
):
    check = oversight.spotcheck_draw(actor=bob, region=township_a, size=1).checks.get()
    oversight.spotcheck_record(actor=bob, check=check, result="absent", note="不在岗")
    case = DisciplineCase.objects.get()
    with pytest.raises(PermissionDenied):
        oversight.discipline_escalate(actor=dana, case=case, reason="x")
    with pytest.raises(ValidationError):  # skipping to the recall
        oversight.discipline_escalate(
            actor=bob, case=case, reason="x", level=DisciplineLevel.RECALL
        )
    with pytest.raises(ValidationError):  # repeating the first step
        oversight.discipline_escalate(
            actor=bob, case=case, reason="x", level=DisciplineLevel.CRITICISM
        )
    with pytest.raises(ValidationError):
        oversight.discipline_escalate(actor=bob, case=case, reason=" ")
    talk = oversight.discipline_escalate(actor=bob, case=case, reason="再次不在岗")
    assert talk.level == DisciplineLevel.WARNING_TALK
    recall = oversight.discipline_escalate(
        actor=bob, case=case, reason="戒免谈话后仍未改正", level=DisciplineLevel.RECALL
    )
    assert recall.level == DisciplineLevel.RECALL
    case.refresh_from_db()
    posting_ming.refresh_from_db()
    assert case.closed_at is not None
    assert posting_ming.status == PostingStatus.RECALLED and posting_ming.ended_on == TODAY
    assert posting_ming.events.last().note == "戒免谈话后仍未改正"
    owed = people_services.subsidy_owed(posting_ming, until=datetime.date(2027, 6, 1))
    assert owed[-1][0] == datetime.date(2026, 11, 1)  # nothing after the recall
    assert owed[-1][1] == Decimal("115.00")  # 23 of 30 days
    assert list(case.steps.values_list("level", "taken_by")) == [
        (1, bob.pk),
        (2, bob.pk),
        (3, bob.pk),
    ]
    with pytest.raises(ValidationError):
        oversight.discipline_escalate(actor=bob, case=case, reason="again")


def test_a_failed_recall_leaves_no_step(posting_ming, bob, township_a):
    case = oversight.discipline_open(actor=bob, posting=posting_ming, reason="工作无成效")
    oversight.discipline_escalate(actor=bob, case=case, reason="谈话")
    people_services.posting_recall(actor=bob, posting=posting_ming, reason="另案调回")
    with pytest.raises(ValidationError):
        oversight.discipline_escalate(actor=bob, case=case, reason="退回")
    assert case.steps.count() == 2


def test_a_case_can_be_closed_with_a_reason_once(posting_ming, bob, alice):
    with pytest.raises(PermissionDenied):
        oversight.discipline_open(actor=alice, posting=posting_ming, reason="x")
    case = oversight.discipline_open(actor=bob, posting=posting_ming, reason="工作无成效")
    with pytest.raises(ValidationError):
        oversight.discipline_close(actor=bob, case=case, reason="")
    oversight.discipline_close(actor=bob, case=case, reason="已改正")
    assert AuditEntry.objects.filter(object_id=str(case.pk), note__contains="已改正").exists()
    with pytest.raises(ValidationError):
        oversight.discipline_close(actor=bob, case=case, reason="again")
    with pytest.raises(ValidationError):
        oversight.discipline_escalate(actor=bob, case=case, reason="x")


def test_presence_rates_per_cadre_and_township(
    posting_ming, posting_b, bob, county, django_assert_num_queries
):
    for result in ("present", "absent", "excused", "present"):
        draw = oversight.spotcheck_draw(actor=bob, region=county, size=2)
        for check in draw.checks.all():
            note = "不在" if result == "absent" else ""
            outcome = result if check.posting_id == posting_ming.pk else "present"
            oversight.spotcheck_record(actor=bob, check=check, result=outcome, note=note)
    oversight.spotcheck_draw(actor=bob, region=county, size=2)  # not checked yet: not counted
    fresh = User.objects.get(pk=bob.pk)
    with django_assert_num_queries(3):  # memberships, the grouped query, township names
        rates = selectors.presence_rates(user=fresh)
    by_name = {row["name"]: row for row in rates["cadres"]}
    assert (by_name["刘明"]["present"], by_name["刘明"]["absent"]) == (2, 1)
    assert by_name["刘明"]["excused"] == 1 and by_name["刘明"]["rate"] == pytest.approx(2 / 3)
    assert by_name["孙祖人"]["rate"] == 1.0 and by_name["孙祖人"]["present"] == 4
    townships = {row["name"]: row["rate"] for row in rates["townships"]}
    assert townships == {"岸堤镇": pytest.approx(2 / 3), "孙祖镇": 1.0}
    assert SpotCheck.objects.filter(result=SpotCheckResult.PENDING).count() == 2


# ---- training ----


def test_training_hours_are_checked(posting_ming, bob, alice):
    day = datetime.date(2026, 5, 10)
    with pytest.raises(PermissionDenied):
        oversight.training_record(
            actor=alice, posting=posting_ming, attended_on=day, hours=2, topic="x"
        )
    for hours in (0, -1, "25", "abc"):
        with pytest.raises(ValidationError) as error:
            oversight.training_record(
                actor=bob, posting=posting_ming, attended_on=day, hours=hours, topic="x"
            )
        assert "hours" in error.value.message_dict
    for bad_day in (TODAY + datetime.timedelta(days=1), datetime.date(2025, 1, 5)):
        with pytest.raises(ValidationError) as error:
            oversight.training_record(
                actor=bob, posting=posting_ming, attended_on=bad_day, hours=2, topic="x"
            )
        assert "attended_on" in error.value.message_dict


def test_training_shortfall_against_the_programme_guarantee(posting_ming, posting_b, bob):
    oversight.training_record(
        actor=bob,
        posting=posting_ming,
        attended_on=datetime.date(2026, 5, 10),
        hours="24",
        topic="果树修剪",
        organiser="县科技局",
    )
    oversight.training_record(
        actor=bob,
        posting=posting_ming,
        attended_on=datetime.date(2026, 9, 1),
        hours="16",
        topic="设施农业",
    )
    oversight.training_record(
        actor=bob, posting=posting_b, attended_on=datetime.date(2026, 3, 1), hours="8", topic="x"
    )
    oversight.training_record(
        actor=bob, posting=posting_b, attended_on=datetime.date(2025, 12, 1), hours="20", topic="x"
    )
    summary = selectors.training_hours(user=bob, year=2026)
    hours = {row.posting: (row.hours, row.shortfall) for row in summary["rows"]}
    assert hours == {posting_ming: (Decimal("40"), 0), posting_b: (Decimal("8"), Decimal("32"))}
    assert [row.posting for row in summary["short"]] == [posting_b]
    last_year = selectors.training_hours(user=bob, year=2025)
    assert {row.posting: row.hours for row in last_year["rows"]}[posting_b] == Decimal("20")
