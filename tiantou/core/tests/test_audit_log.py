"""The audit log: append-only, kept for the retention period, readable and exportable."""

import io
from datetime import date, timedelta

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tiantou.accounts.models import User
from tiantou.core import services
from tiantou.core.exporting import AUDIT_COLUMNS
from tiantou.core.models import AuditEntry, AuditLogIsAppendOnly
from tiantou.regions import services as region_services
from tiantou.regions.choices import OrganisationKind

URL = reverse("core:audit_log")


def make_org(actor, region, name):
    return region_services.organisation_create(
        actor=actor, name=name, kind=OrganisationKind.COOPERATIVE, region=region
    )


def age(entry: AuditEntry, days: int) -> None:
    """Backdate an entry by raw SQL: the model itself refuses any change."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditentry SET at = %s WHERE id = %s",
            [timezone.now() - timedelta(days=days), entry.pk],
        )


@pytest.fixture
def entries(alice, charlie, township_a, township_b):
    make_org(alice, township_a, "岸堤合作社")
    make_org(charlie, township_b, "=HYPERLINK(1)")
    return list(AuditEntry.objects.order_by("id"))


def test_a_stored_entry_cannot_be_changed(entries):
    entry = entries[0]
    entry.note = "changed"
    with pytest.raises(AuditLogIsAppendOnly):
        entry.save()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(note="changed")


def test_an_entry_cannot_be_deleted_outside_the_prune(entries):
    with pytest.raises(AuditLogIsAppendOnly):
        entries[0].delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.count() == len(entries)


def test_deleting_a_user_keeps_their_entries(db, township_a):
    user = User.objects.create_superuser(username="gone", password="x-Tiantou-2026")
    make_org(user, township_a, "某合作社")
    user.delete()
    entry = AuditEntry.objects.get(object_repr="某合作社")
    assert entry.actor is None


def test_prune_deletes_only_entries_past_the_retention(entries, settings):
    settings.TIANTOU_AUDIT_RETENTION_DAYS = 200
    age(entries[0], 201)
    age(entries[1], 199)
    call_command("prune_audit", stdout=io.StringIO())
    assert list(AuditEntry.objects.order_by("id")) == entries[1:]


def test_a_retention_below_six_months_is_refused(entries, settings):
    settings.TIANTOU_AUDIT_RETENTION_DAYS = 182
    assert [m.id for m in run_checks() if m.id == "tiantou.E001"] == ["tiantou.E001"]
    age(entries[0], 300)
    with pytest.raises(ImproperlyConfigured):
        services.audit_prune()
    assert AuditEntry.objects.count() == len(entries)
    settings.TIANTOU_AUDIT_RETENTION_DAYS = 183
    assert not [m for m in run_checks() if m.id == "tiantou.E001"]


def test_the_audit_page_checks_access(client_for, dana, entries):
    assert client_for(dana).get(URL).status_code == 403


def test_the_audit_page_shows_the_entries_in_scope(client_for, bob, charlie, entries):
    response = client_for(bob).get(URL)
    assert response.status_code == 200
    assert {e.object_repr for e in response.context["entries"]} >= {
        "岸堤合作社",
        "=HYPERLINK(1)",
    }
    response = client_for(charlie).get(URL)
    reprs = {e.object_repr for e in response.context["entries"]}
    assert "=HYPERLINK(1)" in reprs
    assert "岸堤合作社" not in reprs


def test_the_audit_page_filters(client_for, bob, alice, entries):
    client = client_for(bob)
    reprs = {e.object_repr for e in client.get(URL, {"user": "alice"}).context["entries"]}
    assert reprs == {"岸堤合作社"}
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert not client.get(URL, {"since": tomorrow}).context["entries"]
    today = timezone.localdate().isoformat()
    found = client.get(URL, {"since": today, "until": today}).context["entries"]
    assert len(found) == AuditEntry.objects.count()  # the entries and bob's log-in
    object_type = entries[0].content_type_id
    found = client.get(URL, {"object_type": object_type}).context["entries"]
    assert {e.content_type_id for e in found} == {object_type}


def test_the_audit_export_is_a_sheet_with_text_cells(client_for, bob, entries):
    response = client_for(bob).get(URL, {"export": "xlsx", "user": "charlie"})
    assert response.status_code == 200
    assert response.streaming
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.worksheets[0].iter_rows())
    assert [c.value for c in rows[0]] == [str(c.label) for c in AUDIT_COLUMNS]
    assert len(rows) == 2
    record = rows[1][[c.key for c in AUDIT_COLUMNS].index("object_repr")]
    assert record.value == "=HYPERLINK(1)"
    assert record.data_type == "s"  # text, never a live formula


def test_export_audit_command_writes_the_days_asked(entries, tmp_path):
    age(entries[0], 10)
    out = tmp_path / "audit.xlsx"
    today = timezone.localdate()
    call_command(
        "export_audit",
        "--since",
        (today - timedelta(days=1)).isoformat(),
        "--until",
        today.isoformat(),
        "--out",
        str(out),
        stdout=io.StringIO(),
    )
    rows = list(load_workbook(out).worksheets[0].iter_rows(values_only=True))
    assert [row[6] for row in rows[1:]] == ["=HYPERLINK(1)"]
    assert date.fromisoformat(str(rows[1][0])[:10]) == today


def test_the_back_office_cannot_change_or_delete_an_entry(client, entries):
    root = User.objects.create_superuser(username="root", password="x-Tiantou-2026")
    client.force_login(root)
    count = AuditEntry.objects.count()  # the entries and root's log-in
    base = f"/backoffice/core/auditentry/{entries[0].pk}"
    assert client.get(f"{base}/change/").status_code == 200  # shown read-only
    assert client.post(f"{base}/change/", {"note": "x"}).status_code == 403
    assert client.post(f"{base}/delete/", {"post": "yes"}).status_code == 403
    response = client.post(
        "/backoffice/core/auditentry/",
        {"action": "delete_selected", "_selected_action": [entries[0].pk], "post": "yes"},
    )
    assert response.status_code in (200, 302, 403)
    assert AuditEntry.objects.count() == count
