"""Pages of the oversight of cadres: scope (404), rights (403), the cadre's own reports,
the main journeys, and query counts independent of the rows."""

import datetime
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import _user
from tiantou.accounts.models import User
from tiantou.accounts.roles import Role
from tiantou.ledger.choices import DisciplineLevel
from tiantou.ledger.models import DisciplineCase, TrainingRecord, WorkReport
from tiantou.ledger.oversight import services as oversight
from tiantou.people import services as people_services
from tiantou.people.choices import PostingStatus

TODAY = datetime.date(2026, 11, 23)
REAL_LOCALDATE = timezone.localdate
LIST_PAGES = [
    "ledger:oversight",
    "ledger:report_mine",
    "ledger:report_inbox",
    "ledger:spotcheck_list",
    "ledger:spotcheck_presence",
    "ledger:discipline_list",
    "ledger:training_list",
]


@pytest.fixture(autouse=True)
def today():
    def localdate(value=None, timezone=None):
        return TODAY if value is None else REAL_LOCALDATE(value, timezone)

    with mock.patch("django.utils.timezone.localdate", side_effect=localdate):
        yield TODAY


@pytest.fixture
def a_objects(posting_ming, ming, bob, township_a):
    """A submitted report, a draw with an absence and its case, and a training, in A."""
    report = oversight.work_report_save(
        actor=ming,
        posting=posting_ming,
        year=2026,
        number=1,
        study="学",
        work="做",
        thoughts="想",
        submit=True,
    )
    draw = oversight.spotcheck_draw(actor=bob, region=township_a, size=1, seed=7)
    check = draw.checks.get()
    oversight.spotcheck_record(actor=bob, check=check, result="absent", note="不在岗")
    oversight.training_record(
        actor=bob,
        posting=posting_ming,
        attended_on=datetime.date(2026, 5, 1),
        hours=8,
        topic="果树",
    )
    return {
        "report": report,
        "draw": draw,
        "check": check,
        "case": DisciplineCase.objects.get(),
        "posting": posting_ming,
    }


def _urls(a):
    return [
        reverse("ledger:report_detail", args=[a["report"].pk]),
        reverse("ledger:report_mark_read", args=[a["report"].pk]),
        reverse("ledger:report_write", args=[a["posting"].pk, 2026, 2]),
        reverse("ledger:spotcheck_detail", args=[a["draw"].pk]),
        reverse("ledger:spotcheck_record", args=[a["check"].pk]),
        reverse("ledger:discipline_detail", args=[a["case"].pk]),
        reverse("ledger:discipline_escalate", args=[a["case"].pk]),
        reverse("ledger:discipline_close", args=[a["case"].pk]),
        reverse("ledger:training_posting", args=[a["posting"].pk]),
    ]


def test_charlie_gets_404_on_township_a_reports_checks_and_cases(client_for, charlie, a_objects):
    client = client_for(charlie)
    for url in _urls(a_objects):
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url, {"reason": "x", "recipient": "township_party"}).status_code == 404
    assert DisciplineCase.objects.get().steps.count() == 1


def test_dana_gets_403_on_writes(client_for, dana, a_objects):
    client = client_for(dana)
    a = a_objects
    posts = {
        reverse("ledger:report_mark_read", args=[a["report"].pk]): {"recipient": "org_dept"},
        reverse("ledger:spotcheck_record", args=[a["check"].pk]): {"result": "present"},
        reverse("ledger:discipline_escalate", args=[a["case"].pk]): {"escalate-reason": "x"},
        reverse("ledger:discipline_close", args=[a["case"].pk]): {"close-reason": "x"},
        reverse("ledger:spotcheck_draw"): {"region": "371321101000", "size": 1},
        reverse("ledger:discipline_open"): {"reason": "x"},
        reverse("ledger:training_create"): {"topic": "x"},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 403, url
    for name in ("ledger:spotcheck_draw", "ledger:discipline_open", "ledger:training_create"):
        assert client.get(reverse(name)).status_code == 403
    # dana reads what she may read.
    for url in _urls(a)[:1] + [reverse("ledger:spotcheck_detail", args=[a["draw"].pk])]:
        assert client.get(url).status_code == 200
    assert DisciplineCase.objects.get().steps.count() == 1


def test_ming_sees_only_his_own_reports(client_for, ming, bob, a_objects, township_a, programme):
    other_user = _user("hong", "红", Role.CADRE, township_a)
    person = people_services.person_create(
        actor=bob, name="红", region=township_a.parent, user=other_user
    )
    other = people_services.posting_create(
        actor=bob,
        person=person,
        programme=programme,
        host_region=township_a,
        starts_on=datetime.date(2025, 3, 1),
    )
    people_services.posting_activate(actor=bob, posting=other)
    theirs = oversight.work_report_save(
        actor=other_user,
        posting=other,
        year=2026,
        number=1,
        study="学",
        work="做",
        thoughts="想",
        submit=True,
    )
    client = client_for(ming)
    mine = reverse("ledger:report_detail", args=[a_objects["report"].pk])
    assert client.get(mine).status_code == 200
    assert client.get(reverse("ledger:report_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("ledger:report_write", args=[other.pk, 2026, 2])).status_code == 404
    rows = client.get(reverse("ledger:report_mine")).context["rows"]
    assert [row["posting"] for row in rows] == [a_objects["posting"]]
    # ming reads for no recipient, and the registers of checks and cases are not his.
    for name in ("ledger:report_inbox", "ledger:spotcheck_list", "ledger:discipline_list"):
        assert client.get(reverse(name)).status_code == 403
    draw_url = reverse("ledger:spotcheck_detail", args=[a_objects["draw"].pk])
    assert client.get(draw_url).status_code == 403
    assert client.post(
        reverse("ledger:report_mark_read", args=[a_objects["report"].pk]),
        {"recipient": "township_party"},
    ).status_code in (403, 404)


def test_ming_writes_saves_and_submits_a_report(client_for, ming, posting_ming):
    client = client_for(ming)
    slots = client.get(reverse("ledger:report_mine")).context["rows"][0]["slots"]
    assert [(s.year, s.number) for s in slots] == [(2026, 2), (2026, 1), (2025, 2), (2025, 1)]
    url = reverse("ledger:report_write", args=[posting_ming.pk, 2026, 2])
    assert client.get(url).status_code == 200
    data = {"study": "学习", "work": "", "thoughts": "", "requests": "", "version": ""}
    response = client.post(url, {**data, "save": "1"})
    assert response.status_code == 302
    report = WorkReport.objects.get()
    assert report.submitted_at is None and report.study == "学习"
    # Submitting an incomplete report shows the missing sections.
    response = client.post(url, {**data, "version": report.version, "submit": "1"})
    assert response.status_code == 200 and response.context["form"].errors["work"]
    full = {**data, "work": "工作", "thoughts": "思想", "version": report.version, "submit": "1"}
    response = client.post(url, full)
    assert response.status_code == 302 and response.url == reverse(
        "ledger:report_detail", args=[report.pk]
    )
    report.refresh_from_db()
    assert report.submitted_at is not None
    # Once submitted, the write page leads to the report.
    assert client.get(url).status_code == 302
    assert (
        client.get(reverse("ledger:report_write", args=[posting_ming.pk, 2026, 3])).status_code
        == 404
    )


def test_alice_marks_read_for_the_township_party_committee(client_for, alice, a_objects):
    client = client_for(alice)
    report = a_objects["report"]
    inbox = client.get(reverse("ledger:report_inbox")).context
    assert inbox["recipient"] == "township_party" and inbox["unread"] == [report]
    page = client.get(reverse("ledger:report_detail", args=[report.pk]))
    assert 'data-testid="mark-township_party"' in page.content.decode()
    assert 'data-testid="mark-org_dept"' not in page.content.decode()
    url = reverse("ledger:report_mark_read", args=[report.pk])
    assert client.post(url, {"recipient": "org_dept"}).status_code == 403
    assert client.post(url, {"recipient": "township_party"}).status_code == 302
    assert list(report.reads.values_list("recipient", flat=True)) == ["township_party"]
    assert client.get(reverse("ledger:report_inbox")).context["unread"] == []


def test_bob_draws_records_and_climbs_the_ladder(client_for, bob, posting_ming, township_a):
    client = client_for(bob)
    response = client.post(
        reverse("ledger:spotcheck_draw"), {"region": township_a.code, "size": 3, "seed": 42}
    )
    assert response.status_code == 302
    page = client.get(response.url)
    assert page.context["verified"] and page.context["draw"].seed == 42
    check = page.context["checks"][0]
    record = reverse("ledger:spotcheck_record", args=[check.pk])
    client.post(record, {"result": "absent", "note": ""})  # refused: no note
    assert not DisciplineCase.objects.exists()
    client.post(record, {"result": "absent", "note": "不在岗"})
    case = DisciplineCase.objects.get()
    detail = reverse("ledger:discipline_detail", args=[case.pk])
    assert client.get(detail).context["next_level"] == DisciplineLevel.WARNING_TALK
    escalate = reverse("ledger:discipline_escalate", args=[case.pk])
    # A stale page that still offers the recall does not skip the talk.
    client.post(escalate, {"escalate-reason": "x", "escalate-level": DisciplineLevel.RECALL})
    assert case.steps.count() == 1
    client.post(escalate, {"escalate-reason": "谈话", "escalate-level": 2})
    assert client.get(detail).context["is_recall_next"]
    client.post(escalate, {"escalate-reason": "退回原单位", "escalate-level": 3})
    posting_ming.refresh_from_db()
    assert posting_ming.status == PostingStatus.RECALLED
    assert client.get(detail).context["can_manage"] is False


def test_bob_records_training_and_sees_the_shortfall(client_for, bob, posting_ming):
    client = client_for(bob)
    response = client.post(
        reverse("ledger:training_create"),
        {"posting": posting_ming.pk, "attended_on": "2026-05-01", "hours": "30", "topic": "x"},
    )
    assert response.status_code == 200 and response.context["form"].errors["hours"]
    response = client.post(
        reverse("ledger:training_create"),
        {"posting": posting_ming.pk, "attended_on": "2026-05-01", "hours": "12.5", "topic": "x"},
    )
    assert response.status_code == 302
    assert TrainingRecord.objects.get().hours == 12.5
    page = client.get(reverse("ledger:training_list"), {"year": 2026})
    assert [row.posting for row in page.context["short"]] == [posting_ming]
    assert "27.5" in page.content.decode()
    records = client.get(reverse("ledger:training_posting", args=[posting_ming.pk]))
    assert len(records.context["records"]) == 1


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_pages_query_counts_do_not_grow_with_rows(
    client, bob, county, programme, posting_ming, ming, township_a, township_b
):
    org_dept = _user("zuzhi", "组织部", Role.ORG_DEPT, county)

    def add_cadre(name, township):
        person = people_services.person_create(actor=bob, name=name, region=county)
        posting = people_services.posting_create(
            actor=bob,
            person=person,
            programme=programme,
            host_region=township,
            starts_on=datetime.date(2025, 3, 1),
        )
        posting = people_services.posting_activate(actor=bob, posting=posting)
        oversight.training_record(
            actor=bob, posting=posting, attended_on=datetime.date(2026, 5, 1), hours=2, topic="x"
        )
        draw = oversight.spotcheck_draw(actor=bob, region=township, size=1)
        for check in draw.checks.all():
            oversight.spotcheck_record(actor=bob, check=check, result="absent", note="x")

    def counts():
        client.force_login(User.objects.get(pk=org_dept.pk))
        return {name: _count(client, reverse(name)) for name in LIST_PAGES}

    add_cadre("一", township_a)
    few = counts()
    for n, township in enumerate([township_a, township_b, township_b]):
        add_cadre(f"多{n}", township)
    assert counts() == few
