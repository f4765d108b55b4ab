"""Importing an existing 台帐 from Excel: bad files, bad measures, scope, all or nothing."""

import datetime
import io
import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from conftest import ID_MING, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A
from tiantou.core.models import AuditEntry
from tiantou.ledger.choices import ActivityStatus
from tiantou.ledger.importers import ACTIVITY_COLUMNS, ActivityImporter, activity_import
from tiantou.ledger.models import Activity

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)
LABELS = {c.key: str(c.label) for c in ACTIVITY_COLUMNS}
HEADER = ["activity_type", "title", "region", "starts_on", "ends_on", "participants"]


def _row(**values):
    row = {
        "activity_type": "科技培训",
        "title": "蔬菜栽培技术培训",
        "region": TOWNSHIP_A,
        "starts_on": YESTERDAY.isoformat(),
        "participants": 40,
        "organisation": "",
        "posting_name": "刘明",
    }
    row |= values
    return row


def _workbook(rows, keys=None) -> io.BytesIO:
    keys = keys or list(dict.fromkeys(k for row in rows for k in row))
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([LABELS[k] for k in keys])
    for row in rows:
        sheet.append([row.get(k) for k in keys])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def _run(actor, rows, *, dry_run=False):
    return ActivityImporter(actor=actor).run(_workbook(rows), dry_run=dry_run)


def _messages(result) -> list[str]:
    return [str(e) for e in result.errors]


@pytest.fixture
def setting(alice, posting_ming, township_a):
    return posting_ming


def test_good_rows_import_confirmed_with_technologies_cadre_and_audit(setting, alice):
    rows = [
        _row(technologies="水肥一体化技术、测土配方施肥技术", experts=2),
        _row(
            activity_type="技术推广",
            title="推广",
            region=VILLAGE_A,
            participants=None,
            area_mu="12.5",
            posting_name="",
            posting_id_number=ID_MING,
        ),
    ]
    dry = _run(alice, rows, dry_run=True)
    assert dry.ok, _messages(dry)
    assert dry.to_create == 2 and Activity.objects.count() == 0
    result = _run(alice, rows)
    assert result.ok and result.written
    first, second = Activity.objects.order_by("id")
    assert first.status == ActivityStatus.CONFIRMED and first.confirmed_by == alice
    assert first.posting == setting and first.experts == 2
    assert {t.name for t in first.technologies.all()} == {"水肥一体化技术", "测土配方施肥技术"}
    assert str(second.area_mu) == "12.50" and second.posting == setting
    assert AuditEntry.objects.filter(action="import", object_id=str(first.pk)).count() == 1


def test_without_the_confirm_right_rows_come_in_submitted(setting, alice, monkeypatch):
    from tiantou.ledger import importers

    real = importers.has_perm
    monkeypatch.setattr(
        importers,
        "has_perm",
        lambda user, perm, obj=None: perm != "ledger.confirm_activity" and real(user, perm, obj),
    )
    assert _run(alice, [_row()]).written
    assert Activity.objects.get().status == ActivityStatus.SUBMITTED


def test_a_record_id_makes_the_import_idempotent(setting, alice):
    record_id = str(uuid.uuid4())
    assert _run(alice, [_row(uuid=record_id)]).to_create == 1
    again = _run(alice, [_row(uuid=record_id, title="别的")])
    assert again.ok and again.unchanged == 1 and again.to_create == 0
    assert Activity.objects.get().title == "蔬菜栽培技术培训"
    repeated = _run(alice, [_row(uuid=record_id), _row(uuid=record_id)])
    assert any("row 2" in m.lower() or "2" in m for m in _messages(repeated))


def test_every_row_field_audit_and_link_is_written_as_the_planner_made_it(setting, alice):
    """The bulk writer (COPY on PostgreSQL) stores what the ORM would have stored."""
    record_id = uuid.uuid4()
    rows = [
        _row(
            uuid=str(record_id),
            title="带\t制表符\n和换行的标题",
            description="说明：\\ 反斜杠",
            starts_on=(YESTERDAY - datetime.timedelta(days=2)).isoformat(),
            ends_on=YESTERDAY.isoformat(),
            participants=100000,  # above the usual attendance: flagged
            technologies="水肥一体化技术",
        ),
        _row(activity_type="技术推广", participants=None, area_mu="0.5", output_value="1234.5"),
    ]
    result = _run(alice, rows)
    assert result.ok and result.written, _messages(result)
    first, second = Activity.objects.order_by("id")
    assert first.uuid == record_id and first.title == "带\t制表符\n和换行的标题"
    assert first.description == "说明：\\ 反斜杠" and first.ends_on == YESTERDAY
    assert first.flags and first.flags[0]["participants"] == 100000
    assert first.created_at is not None and first.updated_at is not None
    assert [t.name for t in first.technologies.all()] == ["水肥一体化技术"]
    assert str(second.output_value) == "1234.50" and second.participants is None
    entries = AuditEntry.objects.filter(action="import").order_by("id")
    assert [e.object_id for e in entries] == [str(first.pk), str(second.pk)]
    first_after, second_after = entries[0].after, entries[1].after
    assert first_after is not None and second_after is not None
    assert first_after["uuid"] == str(record_id)
    assert first_after["title"] == first.title and entries[0].actor == alice
    assert second_after["output_value"] == "1234.50"
    assert first_after["technologies"] == [t.pk for t in first.technologies.all()]
    assert second_after["technologies"] == []
    # New records get keys after those written by the bulk writer.
    later = _run(alice, [_row(title="后来")])
    assert later.written and Activity.objects.get(title="后来").pk > second.pk


def test_a_record_written_meanwhile_fails_the_whole_import(setting, alice, monkeypatch):
    from tiantou.ledger import importers

    record_id = str(uuid.uuid4())
    assert _run(alice, [_row(uuid=record_id)]).written
    real_fetch = importers._Planner.fetch

    def fetch_before_the_other_import(self):
        real_fetch(self)
        self.existing, self.visible_existing = {}, set()  # as if read before it was written

    monkeypatch.setattr(importers._Planner, "fetch", fetch_before_the_other_import)
    result = _run(alice, [_row(title="新的"), _row(uuid=record_id, title="同一记录")])
    assert not result.ok and not result.written
    assert "changed the ledger" in _messages(result)[0] or "台帐" in _messages(result)[0]
    assert Activity.objects.count() == 1
    assert AuditEntry.objects.filter(action="import").count() == 1


@pytest.mark.parametrize(
    ("values", "column"),
    [
        ({"participants": -5}, "participants"),
        ({"participants": "很多"}, "participants"),
        ({"participants": "3.5"}, "participants"),
        ({"experts": "两人"}, "experts"),
        ({"starts_on": (TODAY + datetime.timedelta(days=3)).isoformat()}, "starts_on"),
        ({"starts_on": "去年"}, "starts_on"),
        (
            {"starts_on": YESTERDAY.isoformat(), "ends_on": "2020-01-01"},
            "ends_on",
        ),
        ({"activity_type": "跳广场舞"}, "activity_type"),
        ({"region": TOWNSHIP_B}, "region"),
        ({"region": "999999999999"}, "region"),
        ({"area_mu": "5"}, "area_mu"),  # a training does not record an area
        ({"participants": None}, "participants"),  # a training requires participants
        ({"technologies": "永动机技术"}, "technologies"),
        ({"posting_name": "王五"}, "posting_name"),
        ({"posting_name": "", "organisation": ""}, "organisation"),
        ({"organisation": "不存在的单位", "posting_name": ""}, "organisation"),
        ({"title": ""}, "title"),
    ],
)
def test_a_bad_row_is_reported_by_row_and_column_and_nothing_is_saved(
    setting, alice, values, column
):
    result = _run(alice, [_row(title="好的一行"), _row(**values)])
    assert not result.ok
    assert not result.written
    assert Activity.objects.count() == 0
    assert {(e.row, e.column) for e in result.errors} == {(3, LABELS[column])}, _messages(result)
    assert "3" in _messages(result)[0]


def test_every_bad_row_is_listed_at_once(setting, alice):
    rows = [_row(participants=-1), _row(), _row(starts_on="2999-01-01"), _row(region=TOWNSHIP_B)]
    result = _run(alice, rows)
    assert sorted(e.row for e in result.errors) == [2, 4, 5]
    assert Activity.objects.count() == 0


@pytest.mark.parametrize(
    "content",
    [b"", b"not an excel file", b"PK\x03\x04broken zip"],
)
def test_a_file_that_is_not_xlsx_is_refused(setting, alice, content):
    result = ActivityImporter(actor=alice).run(io.BytesIO(content), dry_run=True)
    assert not result.ok and result.errors[0].row is None


def test_missing_and_unknown_columns_are_refused(setting, alice):
    workbook = Workbook()
    workbook.active.append([LABELS["title"], "天气"])
    workbook.active.append(["培训", "晴"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = ActivityImporter(actor=alice).run(buffer, dry_run=True)
    text = " ".join(_messages(result))
    assert LABELS["activity_type"] in text and "天气" in text


def test_the_template_reads_back_and_explains_the_status(setting, alice):
    workbook = load_workbook(io.BytesIO(ActivityImporter(actor=alice).template_bytes()))
    assert [c.value for c in workbook.worksheets[0][1]] == list(LABELS.values())
    notes = " ".join(str(c.value) for row in workbook.worksheets[1].iter_rows() for c in row)
    assert str(ActivityImporter.instructions[1]) in notes


def test_import_needs_the_right(setting, dana):
    with pytest.raises(PermissionDenied):
        activity_import(actor=dana, rows=[_row()])


def test_import_page_dry_run_then_confirm(setting, alice, client_for):
    client = client_for(alice)
    url = reverse("ledger:activity_import")
    assert client.get(url, {"template": 1}).status_code == 200
    upload = _workbook([_row()])
    upload.name = "台帐.xlsx"
    response = client.post(url, {"file": upload})
    assert response.status_code == 200 and response.context["result"].ok
    assert Activity.objects.count() == 0
    token = response.context["token"]
    client.post(url, {"confirm": "1", "token": token})
    assert Activity.objects.count() == 1


def test_import_page_checks_access(setting, client_for, dana):
    assert client_for(dana).get(reverse("ledger:activity_import")).status_code == 403


def test_rows_may_come_as_dicts_from_a_command(setting, alice, township_a):
    result = activity_import(
        actor=alice,
        rows=[
            {
                "activity_type": "科技培训",
                "title": "命令行导入",
                "region": TOWNSHIP_A,
                "starts_on": YESTERDAY,
                "participants": 3,
                "posting_name": "刘明",
            }
        ],
    )
    assert result.written and Activity.objects.get().region == township_a


def test_the_audit_rows_read_the_technologies_once_a_batch_not_once_a_record(setting, alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(count: int, start: int) -> int:
        rows = [_row(title=f"培训{start + n}", technologies="水肥一体化技术") for n in range(count)]
        with CaptureQueriesContext(connection) as context:
            assert _run(alice, rows).written
        return len(context.captured_queries)

    queries(1, 100)  # fills the per-process caches (content types)
    assert queries(2, 0) == queries(6, 10)
