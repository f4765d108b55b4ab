"""Audit rows for every write: services call `snapshot` before and `record` after.

A snapshot holds the concrete fields and the many-to-many links (as sorted ids), so a
service that changes links takes `snapshot` before setting them and `record` after.
"""

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import QuerySet
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

from .models import AuditAction, AuditEntry

if TYPE_CHECKING:
    from django.db.models import Field

# Audit entries are kept at least this long (about six months), whatever the setting says.
MIN_RETENTION_DAYS = 183
DEFAULT_RETENTION_DAYS = 365


def retention_days() -> int:
    """How many days audit entries are kept: TIANTOU_AUDIT_RETENTION_DAYS (checked at
    start-up to be at least MIN_RETENTION_DAYS)."""
    return int(getattr(settings, "TIANTOU_AUDIT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


# Fields never copied into the audit log.
SECRET_FIELDS = {"password", "key_hash"}
# Bookkeeping and protected fields never shown in a change list.
HIDDEN_FIELDS = frozenset(
    {"version", "created_at", "updated_at", "id_number_encrypted", "id_number_digest"}
)


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The concrete field values of `obj` and its many-to-many links (sorted ids) as
    JSON-ready data."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in SECRET_FIELDS:
            continue
        value = getattr(obj, field.attname)
        if isinstance(value, FieldFile):
            value = value.name or ""  # the stored file's name, not the file
        data[field.name] = _json_ready(value)
    for m2m in obj._meta.many_to_many:
        if m2m.name not in SECRET_FIELDS:
            data[m2m.name] = _linked_ids(obj, m2m.name)
    return data


def _json_ready(value: Any) -> Any:
    needs_encoding = value is not None and not isinstance(
        value, str | int | float | bool | list | dict
    )
    return DjangoJSONEncoder().default(value) if needs_encoding else value


def _linked_ids(obj: models.Model, name: str) -> list:
    """The ids `obj` links to through a many-to-many field, sorted. Links prefetched
    whole are used as they are: setting links through the manager drops that cache, so it
    is never stale (a prefetch filtered to some links would be wrong here)."""
    if obj.pk is None or obj._state.adding:
        return []
    prefetched = getattr(obj, "_prefetched_objects_cache", {}).get(name)
    if prefetched is not None:
        ids = [linked.pk for linked in prefetched]
    else:
        ids = list(getattr(obj, name).order_by().values_list("pk", flat=True))
    return [_json_ready(pk) for pk in sorted(ids)]


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


def entries_for(obj: models.Model) -> QuerySet[AuditEntry]:
    """Audit rows of one object, newest first."""
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=str(obj.pk),
    ).select_related("actor")


def readable_changes(entry: AuditEntry) -> list[tuple[str, object, object]]:
    """The changes of an audit row as a person reads them: field labels, choice labels,
    是/否, and linked records by name."""
    if not entry.before:
        return []
    model = entry.content_type.model_class()
    fields: dict[str, Any] = {}
    if model is not None:
        fields = {f.name: f for f in (*model._meta.concrete_fields, *model._meta.many_to_many)}
    # A selector may hide more fields of one reader's rows (a person's birth date beside
    # the masked ID number) by setting `hidden_fields` on the entries it hands out.
    hidden = getattr(entry, "hidden_fields", HIDDEN_FIELDS)
    rows: list[tuple[str, object, object]] = []
    for name, old, new in entry.changes():
        if name in hidden:
            continue
        field = fields.get(name)
        label = str(field.verbose_name) if field is not None else name
        if field is not None and field.many_to_many:
            rows.append((label, *_linked_labels(field, old, new)))
        else:
            rows.append((label, _display(field, old), _display(field, new)))
    return rows


def _display(field: "Field | None", value: Any) -> Any:
    """A stored value as shown to users: the label of a choice, 是/否 for a flag."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field is not None and field.choices:
        return dict(field.flatchoices).get(value, value)
    return value


def _linked_labels(field: Any, old: Any, new: Any) -> tuple[str, str]:
    """Two lists of linked ids as the names of the records, read in one query; a record
    deleted since shows its id."""
    old, new = list(old or []), list(new or [])
    related = field.related_model._default_manager.filter(pk__in={*old, *new})
    names = {str(linked.pk): str(linked) for linked in related}

    def joined(ids: list) -> str:
        return "、".join(names.get(str(pk), f"#{pk}") for pk in ids) or "—"

    return joined(old), joined(new)


def record_event(
    *,
    actor: Any,
    model: type[models.Model],
    object_id: str,
    object_repr: str,
    note: str,
    details: dict[str, Any] | None = None,
    region_code: str = "",
    action: str = AuditAction.OTHER,
) -> AuditEntry:
    """Write one audit row for something that happened to a record without changing it
    (a log-in, a lockout), or to one that does not exist (a log-in under an unknown name).
    `details` are kept as the row's `after`: there is no snapshot to take."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=True),
        object_id=object_id[:64],
        object_repr=object_repr[:200],
        region_code=region_code,
        after=details,
        note=note,
    )
