"""Audit rows for every write: services call `snapshot` before and `record` after."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.fields.files import FieldFile

from .models import AuditAction, AuditEntry

# Fields never copied into the audit log.
SECRET_FIELDS = {"password", "key_hash"}


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The concrete field values of `obj` as JSON-ready data."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in SECRET_FIELDS:
            continue
        value = getattr(obj, field.attname)
        if isinstance(value, FieldFile):
            value = value.name or ""  # the stored file's name, not the file
        data[field.name] = DjangoJSONEncoder().default(value) if _needs_encoding(value) else value
    return data


def _needs_encoding(value: object) -> bool:
    return value is not None and not isinstance(value, str | int | float | bool | list | dict)


def region_code_of(obj: models.Model) -> str:
    """The region code an object belongs to, for scoping its audit rows."""
    code = getattr(obj, "scope_region_code", "")
    return code() if callable(code) else (code or "")


def record(
    *,
    actor: Any,
    obj: models.Model,
    action: str = AuditAction.UPDATE,
    before: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEntry:
    """Write one audit row for `obj` as it is now."""
    after = None if action == AuditAction.DELETE else snapshot(obj)
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        region_code=region_code_of(obj),
        before=before,
        after=after,
        note=note,
    )


def entries_for(obj: models.Model):
    """Audit rows of one object, newest first."""
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=str(obj.pk),
    ).select_related("actor")
