"""The roster import: people and postings from Excel, dry run first, all or nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from conftest import ID_MING, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A
from tiantou.core import protected
from tiantou.core.models import AuditEntry
from tiantou.core.tests.xlsx import xlsx_upload
from tiantou.core.validators import id_check_char
from tiantou.people import importers
from tiantou.people.choices import PostingEventKind, PostingStatus
from tiantou.people.importers import ROSTER_COLUMNS, RosterImporter
from tiantou.people.models import Person, Posting

pytestmark = pytest.mark.django_db

KEYS = [c.key for c in ROSTER_COLUMNS]
HEADER = [str(c.label) for c in ROSTER_COLUMNS]


def id_number(n: int, birth: str = "19850601") -> str:
    body = f"371321{birth}{n:03d}"
    return body + id_check_char(body)


def row(**values):
    base = {
        "name": "王建国",
        "gender": "男",
        "birth_date": "1985-06-01",
        "ethnic_group": "汉族",
        "political_status": "中共党员",
        "education": "大学本科",
        "title": "农艺师",
        "title_rank": "中级",
        "specialties": "种植业、蔬菜",
        "phone": "13800000001",
        "id_number": id_number(1),
        "home_unit": "县农业农村局",
        "programme": "科技副职",
        "township": TOWNSHIP_A,
        "starts_on": "2025-03-01",
        "status": "在岗",
    }
    base.update(values)
    return [base.get(key) for key in KEYS]


def roster(actor, rows, *, dry_run=True):
    return RosterImporter(actor=actor).run(xlsx_upload([HEADER, *rows]), dry_run=dry_run)


def sample_rows():
    return [
        row(),
        # The same person's earlier, completed term (one row per posting).
        row(starts_on="2020-01-01", ends_on="2022-12-31", status="已期满"),
        row(
            name="李秀英",
            gender="女",
            id_number=id_number(2, "19900315"),
            title="畜牧师",
            specialties="畜牧兽医",
            township="",
            village=VILLAGE_A,
            starts_on="2024-06-01",
            status="已退回",
            recalled_on="2025-01-15",
            recall_reason="工作调动",
        ),
        row(
            name="张志强",
            id_number="",
            township=TOWNSHIP_B,
            mode="外聘",
            is_from_outside_county="是",
            dispatch_level="乡镇派",
            post_type="实职",
            starts_on="2026-12-01",
            status="计划",
        ),
    ]


@pytest.fixture
def ready(programme, home_unit, bob):
    return bob


def test_dry_run_counts_people_and_postings_and_saves_nothing(ready):
    result = roster(ready, sample_rows())
    assert result.ok, [str(e) for e in result.errors]
    assert not result.written
    assert (result.people_created, result.people_updated) == (3, 0)
    assert (result.postings_created, result.postings_unchanged) == (4, 0)
    assert (result.to_create, result.to_update, result.unchanged) == (4, 0, 0)
    assert Person.objects.count() == 0 and Posting.objects.count() == 0


def test_import_writes_through_the_services_and_a_rerun_changes_nothing(ready, township_a):
    result = roster(ready, sample_rows(), dry_run=False)
    assert result.written, [str(e) for e in result.errors]
    wang = Person.objects.get(name="王建国")
    # The ID number is stored protected: digest for look-up, masked, encrypted.
    assert wang.id_number_digest == protected.digest(id_number(1))
    assert wang.id_number_masked == "*" * 14 + id_number(1)[-4:]
    assert protected.decrypt(wang.id_number_encrypted) == id_number(1)
    assert wang.home_unit is not None and wang.home_unit.name == "县农业农村局"
    assert sorted(s.name for s in wang.specialties.all()) == ["种植业", "蔬菜"]
    assert wang.region_id == "371321000000"
    statuses = dict(wang.postings.values_list("starts_on", "status"))
    assert statuses == {
        datetime.date(2025, 3, 1): PostingStatus.ACTIVE,
        datetime.date(2020, 1, 1): PostingStatus.COMPLETED,
    }
    current = wang.postings.get(status=PostingStatus.ACTIVE)
    assert current.title == "科技副镇长" and current.ends_on == datetime.date(2028, 2, 29)
    recalled = Posting.objects.get(person__name="李秀英")
    assert recalled.status == PostingStatus.RECALLED
    assert recalled.host_region_id == VILLAGE_A and recalled.title == "村科技副主任"
    assert recalled.ended_on == datetime.date(2025, 1, 15)
    event = recalled.events.get(kind=PostingEventKind.RECALLED)
    assert event.note == "工作调动"
    hired = Posting.objects.get(person__name="张志强")
    assert (hired.status, hired.mode, hired.is_from_outside_county) == ("planned", "hired", True)
    assert (hired.dispatch_level, hired.post_type) == ("township", "substantive")

    audit_rows = AuditEntry.objects.count()
    again = roster(ready, sample_rows(), dry_run=False)
    assert again.ok, [str(e) for e in again.errors]
    assert (again.people_created, again.people_updated, again.postings_created) == (0, 0, 0)
    assert (again.to_create, again.to_update, again.unchanged) == (0, 0, 4)
    assert AuditEntry.objects.count() == audit_rows
    assert Person.objects.count() == 3 and Posting.objects.count() == 4


def test_changed_details_and_a_later_status_update_the_register(ready):
    roster(ready, sample_rows(), dry_run=False)
    rows = sample_rows()
    rows[0] = row(phone="13900000000")
    rows[3] = row(
        name="张志强",
        id_number="",
        township=TOWNSHIP_B,
        mode="外聘",
        is_from_outside_county="是",
        dispatch_level="乡镇派",
        post_type="实职",
        starts_on="2026-12-01",
        status="计划",
        title="高级农艺师",
    )
    rows[1][KEYS.index("phone")] = "13900000000"
    result = roster(ready, rows, dry_run=False)
    assert result.written, [str(e) for e in result.errors]
    assert (result.people_created, result.people_updated) == (0, 2)
    assert Person.objects.get(name="王建国").phone == "13900000000"
    # Matched by name in the county: no ID number was given.
    assert Person.objects.get(name="张志强").title == "高级农艺师"


def test_an_active_posting_recalled_in_the_file_is_recalled(ready):
    roster(ready, sample_rows()[:1], dry_run=False)
    result = roster(
        ready, [row(status="已退回", recalled_on="2026-10-08", recall_reason="考核不称职")]
    )
    assert result.ok and (result.postings_changed, result.to_update) == (1, 1)
    roster(
        ready,
        [row(status="已退回", recalled_on="2026-10-08", recall_reason="考核不称职")],
        dry_run=False,
    )
    posting = Posting.objects.get()
    assert posting.status == PostingStatus.RECALLED
    assert posting.ended_on == datetime.date(2026, 10, 8)


def test_row_errors_name_row_and_column_and_nothing_is_written(ready):
    bad_id = id_number(3)[:-1] + ("0" if id_number(3)[-1] != "0" else "1")
    rows = [
        row(),
        row(name="甲", id_number=bad_id),
        row(name="乙", id_number=id_number(4), home_unit="不存在的单位"),
        row(name="丙", id_number=id_number(5), specialties="种植业、天文"),
        row(name="丁", id_number=id_number(6), township="371399101000"),
        row(name="戊", id_number=id_number(7), status="已退回"),
        row(name="己", id_number=id_number(8), programme="不存在的项目"),
        row(name="庚", id_number=id_number(9), starts_on=""),
    ]
    result = roster(ready, rows, dry_run=False)
    assert not result.ok and not result.written
    by_row: dict[int | None, list[str]] = {}
    for error in result.errors:
        by_row.setdefault(error.row, []).append(error.column)
    assert set(by_row) == {3, 4, 5, 6, 7, 8, 9}
    assert str(ROSTER_COLUMNS[KEYS.index("id_number")].label) in by_row[3]
    assert str(ROSTER_COLUMNS[KEYS.index("home_unit")].label) in by_row[4]
    assert str(ROSTER_COLUMNS[KEYS.index("specialties")].label) in by_row[5]
    assert str(ROSTER_COLUMNS[KEYS.index("township")].label) in by_row[6]
    recall_columns = {
        str(ROSTER_COLUMNS[KEYS.index(k)].label) for k in ("recalled_on", "recall_reason")
    }
    assert recall_columns <= set(by_row[7])
    # Messages already in the catalogue read in Chinese.
    texts = {e.row: str(e) for e in result.errors}
    assert texts[9].startswith("第9行") and "必须填写" in texts[9]
    assert Person.objects.count() == 0 and Posting.objects.count() == 0


def test_an_overlapping_term_is_a_row_error_not_a_crash(ready, posting_ming):
    result = roster(
        ready,
        [row(name="刘明", id_number=ID_MING, starts_on="2026-01-01", ends_on="2027-12-31")],
        dry_run=False,
    )
    assert not result.ok and not result.written
    assert [e.row for e in result.errors] == [2]
    assert "2025-03-01" in result.errors[0].message
    assert Posting.objects.count() == 1


def test_the_same_posting_twice_in_a_file_is_refused(ready):
    result = roster(ready, [row(), row()])
    assert [e.row for e in result.errors] == [3]


def test_a_township_outside_scope_is_refused(ready, charlie, programme):
    from tiantou.accounts.models import Membership

    # charlie administers township B; as 组织部 there he could import, but not into A.
    Membership.objects.filter(user=charlie).update(role="org_dept")
    charlie = type(charlie).objects.get(pk=charlie.pk)
    result = roster(charlie, [row(township=TOWNSHIP_A)])
    assert [e.row for e in result.errors] == [2]
    assert TOWNSHIP_A in result.errors[0].message


@pytest.mark.parametrize("who", ["alice", "dana"])
def test_only_those_who_may_import_people(who, request, programme):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        roster(user, [row()])


def test_the_service_takes_plain_rows(ready, township_a):
    result = importers.roster_import(
        actor=ready,
        rows=[
            {
                "name": "赵六",
                "programme": "科技副职",
                "township": TOWNSHIP_A,
                "starts_on": datetime.date(2025, 5, 1),
                "status": "active",
            }
        ],
    )
    assert result.written, [str(e) for e in result.errors]
    assert Posting.objects.get().person.name == "赵六"


def test_the_import_page_checks_then_saves(ready, client_for, dana):
    client = client_for(ready)
    url = reverse("people:roster_import")
    template = client.get(url + "?template=1")
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd")
    upload = xlsx_upload([HEADER, *sample_rows()])
    checked = client.post(url, {"file": upload})
    assert checked.status_code == 200 and Posting.objects.count() == 0
    token = checked.context["token"]
    assert token
    saved = client.post(url, {"confirm": "1", "token": token})
    assert saved.status_code == 200 and saved.context["result"].written
    assert Posting.objects.count() == 4
    client.force_login(dana)
    assert client.get(url).status_code == 403
