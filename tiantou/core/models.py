"""Base models, the audit log and the import records shared by every app."""

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Abstract base: when a row was created and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(TimeStampedModel):
    """Abstract base for records edited in forms: `version` detects concurrent edits."""

    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        abstract = True


class AuditAction(models.TextChoices):
    """What a write did."""

    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DEACTIVATE = "deactivate", _("Deactivated")
    DELETE = "delete", _("Deleted")
    IMPORT = "import", _("Imported")
    GRANT = "grant", _("Granted")
    REVOKE = "revoke", _("Revoked")
    OTHER = "other", _("Other")


# Set only while `prune_audit` deletes entries past the retention period: the one way
# an audit entry may leave the database.
_audit_pruning = contextvars.ContextVar("audit_pruning", default=False)


@contextlib.contextmanager
def audit_pruning() -> Iterator[None]:
    """Allow deleting audit entries inside this block (the retention prune only)."""
    token = _audit_pruning.set(True)
    try:
        yield
    finally:
        _audit_pruning.reset(token)


class AuditLogIsAppendOnly(Exception):
    """Raised by any attempt to change or delete an audit entry."""


class AuditEntryQuerySet(models.QuerySet):
    """Audit entries are appended, never changed; deleted only by the retention prune."""

    def update(self, **kwargs: Any) -> int:
        # Deleting a user clears the entries' actor (on_delete=SET_NULL): the one update.
        if set(kwargs) != {"actor"} or kwargs["actor"] is not None:
            raise AuditLogIsAppendOnly("Audit entries cannot be changed.")
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if not _audit_pruning.get():
            raise AuditLogIsAppendOnly("Audit entries are deleted only by prune_audit.")
        return super().delete()


class AuditEntry(models.Model):
    """One write made through a service: who, when, what the row was before and after.

    Append-only: `save()` refuses to change a stored entry and `delete()` (on a row or a
    queryset) refuses outside `audit_pruning()`, which only the retention prune uses.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    action = models.CharField(_("action"), max_length=16, choices=AuditAction.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    # Region code of the object, so the audit log itself can be scoped.
    region_code = models.CharField(max_length=12, blank=True, db_index=True)
    before = models.JSONField(_("before"), null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("after"), null=True, blank=True, encoder=DjangoJSONEncoder)
    note = models.TextField(_("note"), blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditLogIsAppendOnly("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if not _audit_pruning.get():
            raise AuditLogIsAppendOnly("Audit entries are deleted only by prune_audit.")
        return super().delete(*args, **kwargs)

    def changes(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for every field whose value differs."""
        before, after = self.before or {}, self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]

    def readable_changes(self) -> list[tuple[str, object, object]]:
        """The changes as a person reads them: field labels, choice labels, 是/否, names."""
        # Imported here: `audit` imports this module's models.
        from . import audit

        return audit.readable_changes(self)


class ImportStatus(models.TextChoices):
    """Where an uploaded import file stands."""

    PENDING = "pending", _("Waiting for confirmation")
    RUNNING = "running", _("Being saved")
    DONE = "done", _("Saved")
    FAILED = "failed", _("Failed")
    DISCARDED = "discarded", _("Discarded")


class ImportRecord(models.Model):
    """One uploaded import file: who sent it, its fingerprints, and what became of it.

    The fingerprints (of the file's bytes and of its rows, in any order) let a later
    upload of the same data be recognised before it creates every row a second time.
    `stored_name` names the file waiting in storage between the check and the
    confirmation; `clean_uploads` deletes files nobody will confirm.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("import"), max_length=100, db_index=True)
    filename = models.CharField(_("file name"), max_length=100)
    stored_name = models.CharField(max_length=200, blank=True)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    rows_sha256 = models.CharField(max_length=64, db_index=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import record")
        verbose_name_plural = _("import records")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.filename} {self.created_at:%Y-%m-%d %H:%M}"
