"""Helpers shared by every app's services, and the writes of the core tables: the
audit log's retention prune and the records of uploaded import files."""

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .models import (
    AuditAction,
    AuditEntry,
    ImportRecord,
    ImportStatus,
    VersionedModel,
    audit_pruning,
)

# Where uploaded import files wait between the check and the confirmation.
UPLOADS_DIR = "imports"

if TYPE_CHECKING:
    from tiantou.accounts.models import User

M = TypeVar("M", bound=models.Model)


def check_version(obj: VersionedModel, expected: int | None) -> None:
    """Refuse a save based on an out-of-date copy of the record.

    The version is read again from the database with the row locked, so two saves that
    both started from the same version cannot both succeed. Call inside a transaction.
    """
    if expected is None:
        return
    current = (
        type(obj)
        ._default_manager.select_for_update()
        .values_list("version", flat=True)
        .get(pk=obj.pk)
    )
    if int(expected) != current:
        raise ValidationError(
            _(
                "Someone else changed this record while you were editing it. "
                "Reload the page to see their changes, then edit again."
            ),
            code="stale_version",
        )


def apply_changes(
    *,
    actor: "User",
    obj: VersionedModel,
    changes: dict[str, Any],
    expected_version: int | None = None,
    note: str = "",
) -> bool:
    """Set fields, validate, bump the version, save and audit. Returns whether anything changed.

    Many-to-many fields among `changes` are set after validation, so the one audit row
    shows their change with the others."""
    check_version(obj, expected_version)
    links = {f.name for f in obj._meta.many_to_many} & set(changes)
    before = audit.snapshot(obj)
    for name, value in changes.items():
        if name not in links:
            setattr(obj, name, value)
    obj.full_clean()
    for name in links:
        getattr(obj, name).set(changes[name])
    if audit.snapshot(obj) == before:
        return False
    obj.version += 1
    obj.save()
    audit.record(actor=actor, obj=obj, action=AuditAction.UPDATE, before=before, note=note)
    return True


def create_audited(
    *, actor: "User", obj: M, note: str = "", links: dict[str, Any] | None = None
) -> M:
    """Validate, save and audit a new object; `links` sets many-to-many fields before
    the audit row is written (e.g. `{"specialties": [...]}`)."""
    obj.full_clean()
    obj.save()
    for name, value in (links or {}).items():
        getattr(obj, name).set(value)
    audit.record(actor=actor, obj=obj, action=AuditAction.CREATE, note=note)
    return obj


# ---- the audit log's retention ----


@transaction.atomic
def audit_prune(*, now: datetime | None = None) -> int:
    """Delete the audit entries older than the retention period; returns how many.

    The only way an audit entry leaves the database. Refuses a retention period below
    the legal minimum even if the start-up check was skipped.
    """
    days = audit.retention_days()
    if days < audit.MIN_RETENTION_DAYS:
        raise ImproperlyConfigured(retention_too_short_message(days))
    cutoff = (now or timezone.now()) - timedelta(days=days)
    with audit_pruning():
        deleted, _per_model = AuditEntry.objects.filter(at__lt=cutoff).delete()
    return deleted


def retention_too_short_message(days: int) -> str:
    """The refusal of a retention period shorter than the minimum."""
    return _(
        "TIANTOU_AUDIT_RETENTION_DAYS is %(days)d: audit entries must be kept at least "
        "%(minimum)d days (six months)."
    ) % {"days": days, "minimum": audit.MIN_RETENTION_DAYS}


# ---- uploaded import files ----
# These rows are bookkeeping about a file, not records of the ledger: the import itself
# writes the audit rows of what it saves, so these services write none.


def import_record_create(
    *,
    actor,
    kind: str,
    filename: str,
    stored_name: str,
    file_sha256: str,
    rows_sha256: str,
    row_count: int,
) -> ImportRecord:
    """Record a checked upload waiting in storage for its confirmation."""
    return ImportRecord.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        kind=kind,
        filename=filename[:100],
        stored_name=stored_name,
        file_sha256=file_sha256,
        rows_sha256=rows_sha256,
        row_count=row_count,
    )


def import_record_start(*, record: ImportRecord) -> None:
    """Mark a confirmed upload as being saved (an import killed now stays RUNNING)."""
    ImportRecord.objects.filter(pk=record.pk).update(status=ImportStatus.RUNNING)
    record.status = ImportStatus.RUNNING


def import_record_finish(*, record: ImportRecord, status: str) -> None:
    """Close an upload's record (saved, failed or discarded) and forget its file."""
    record.status, record.finished_at = status, timezone.now()
    record.stored_name = ""
    ImportRecord.objects.filter(pk=record.pk).update(
        status=record.status, finished_at=record.finished_at, stored_name=""
    )


def uploads_clean(*, older_than_hours: int, now: datetime | None = None) -> tuple[int, int]:
    """Delete upload files nobody will confirm; returns (files deleted, records closed).

    Uploads still waiting after `older_than_hours` were abandoned; uploads still being
    saved that long were killed (the worker died before its clean-up). Both are closed
    and their files deleted, as is any older file under the uploads folder that no
    waiting upload names.
    """
    cutoff = (now or timezone.now()) - timedelta(hours=older_than_hours)
    stale = list(
        ImportRecord.objects.filter(
            status__in=[ImportStatus.PENDING, ImportStatus.RUNNING], created_at__lt=cutoff
        )
    )
    deleted = 0
    for record in stale:
        if record.stored_name and default_storage.exists(record.stored_name):
            default_storage.delete(record.stored_name)
            deleted += 1
        abandoned = record.status == ImportStatus.PENDING
        import_record_finish(
            record=record, status=ImportStatus.DISCARDED if abandoned else ImportStatus.FAILED
        )
    live = set(
        ImportRecord.objects.filter(
            status__in=[ImportStatus.PENDING, ImportStatus.RUNNING]
        ).values_list("stored_name", flat=True)
    )
    for name in _stored_uploads():
        if name in live:
            continue
        if default_storage.get_modified_time(name) < cutoff:
            default_storage.delete(name)
            deleted += 1
    return deleted, len(stale)


def _stored_uploads() -> list[str]:
    """The names of the files under the uploads folder."""
    try:
        _dirs, files = default_storage.listdir(UPLOADS_DIR)
    except FileNotFoundError:
        return []
    return [f"{UPLOADS_DIR}/{name}" for name in files]
