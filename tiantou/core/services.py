"""Helpers shared by every app's services."""

from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from . import audit
from .models import AuditAction, VersionedModel

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
