"""Uploaded import files: recorded with fingerprints, a re-import asks first, clean-up."""

import io
import os
import time
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tiantou.core import services
from tiantou.core.models import ImportRecord, ImportStatus
from tiantou.core.tests.xlsx import xlsx_upload
from tiantou.ledger.models import Activity
from tiantou.ledger.tests.test_importers import _row, _workbook
from tiantou.regions.choices import OrganisationKind
from tiantou.regions.importers import ORGANISATION_COLUMNS

URL = reverse("regions:organisation_import")


@pytest.fixture
def storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


def sheet(township, *names):
    header = [str(c.label) for c in ORGANISATION_COLUMNS]
    kind = str(OrganisationKind.ASSOCIATION.label)
    return xlsx_upload([header, *[[name, kind, None, township.code] for name in names]])


def test_an_upload_is_recorded_and_closed(client_for, alice, township_a, storage):
    client = client_for(alice)
    preview = client.post(URL, {"file": sheet(township_a, "甲协会", "乙协会")})
    record = ImportRecord.objects.get()
    assert record.status == ImportStatus.PENDING
    assert (record.actor, record.kind, record.row_count) == (alice, "organisations", 2)
    assert len(record.file_sha256) == len(record.rows_sha256) == 64
    assert (storage / record.stored_name).is_file()
    assert preview.context["earlier"] is None
    client.post(URL, {"confirm": "1", "token": preview.context["token"]})
    record.refresh_from_db()
    assert record.status == ImportStatus.DONE
    assert record.finished_at is not None
    assert not list((storage / "imports").iterdir())


def test_a_new_upload_discards_the_waiting_one(client_for, alice, township_a, storage):
    client = client_for(alice)
    client.post(URL, {"file": sheet(township_a, "甲协会")})
    client.post(URL, {"file": sheet(township_a, "乙协会")})
    statuses = list(ImportRecord.objects.order_by("id").values_list("status", flat=True))
    assert statuses == [ImportStatus.DISCARDED, ImportStatus.PENDING]
    assert len(list((storage / "imports").iterdir())) == 1


def _activities(*titles):
    upload = _workbook([_row(title=title) for title in titles])
    upload.name = "台帐.xlsx"
    return upload


def test_the_same_rows_again_ask_for_confirmation(client_for, alice, posting_ming, storage):
    url = reverse("ledger:activity_import")
    client = client_for(alice)
    first = client.post(url, {"file": _activities("甲培训", "乙培训")})
    assert first.context["earlier"] is None
    client.post(url, {"confirm": "1", "token": first.context["token"]})
    assert Activity.objects.count() == 2

    # The same rows in another order (another file): recognised by the rows' fingerprint.
    again = client.post(url, {"file": _activities("乙培训", "甲培训")})
    earlier = again.context["earlier"]
    assert earlier is not None and earlier.actor == alice
    assert again.context["result"].to_create == 2
    assert 'data-testid="import-again"' in again.content.decode()
    token = again.context["token"]

    refused = client.post(url, {"confirm": "1", "token": token})
    assert refused.status_code == 200
    assert not refused.context["result"].written
    assert refused.context["earlier"] == earlier
    assert Activity.objects.count() == 2

    done = client.post(url, {"confirm": "1", "token": token, "confirm_again": "1"})
    assert done.context["result"].written
    assert Activity.objects.count() == 4


def test_other_rows_do_not_ask(client_for, alice, township_a, storage):
    client = client_for(alice)
    first = client.post(URL, {"file": sheet(township_a, "甲协会")})
    client.post(URL, {"confirm": "1", "token": first.context["token"]})
    other = client.post(URL, {"file": sheet(township_a, "丙协会")})
    assert other.context["earlier"] is None


def _backdate(path, hours):
    stamp = time.time() - hours * 3600
    os.utime(path, (stamp, stamp))


def _record(status, name, hours):
    record = services.import_record_create(
        actor=None,
        kind="organisations",
        filename="x.xlsx",
        stored_name=name,
        file_sha256="0" * 64,
        rows_sha256="1" * 64,
        row_count=1,
    )
    ImportRecord.objects.filter(pk=record.pk).update(
        status=status, created_at=timezone.now() - timedelta(hours=hours)
    )
    return record


def test_clean_uploads_deletes_abandoned_and_killed_files(db, storage):
    names = {}
    for key in ("orphan_old", "orphan_new", "abandoned", "killed", "waiting"):
        names[key] = default_storage.save(f"imports/{key}.xlsx", ContentFile(b"x"))
    for key in ("orphan_old", "abandoned", "killed", "waiting"):
        _backdate(storage / names[key], 30)
    abandoned = _record(ImportStatus.PENDING, names["abandoned"], 30)
    killed = _record(ImportStatus.RUNNING, names["killed"], 30)
    # Waiting a short while: its file is old (a slow clock) but the upload is live.
    waiting = _record(ImportStatus.PENDING, names["waiting"], 1)

    out = io.StringIO()
    call_command("clean_uploads", "--hours", "24", stdout=out)

    left = sorted(p.name for p in (storage / "imports").iterdir())
    assert left == ["orphan_new.xlsx", "waiting.xlsx"]
    abandoned.refresh_from_db()
    killed.refresh_from_db()
    waiting.refresh_from_db()
    assert (abandoned.status, killed.status, waiting.status) == (
        ImportStatus.DISCARDED,
        ImportStatus.FAILED,
        ImportStatus.PENDING,
    )
    assert "Deleted 3 files; closed 2" in out.getvalue()


def test_clean_uploads_without_any_upload(db, storage):
    assert services.uploads_clean(older_than_hours=24) == (0, 0)
