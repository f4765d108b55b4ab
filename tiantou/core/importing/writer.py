"""Writing checked rows in bulk: `bulk_insert` (COPY on PostgreSQL) and import audit rows."""

import functools
import json
from collections.abc import Callable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext

from tiantou.core import audit
from tiantou.core.models import AuditAction, AuditEntry

# Field types whose Python values the database driver writes as they are.
_PLAIN_FIELDS = (
    models.AutoField,
    models.BigAutoField,
    models.SmallAutoField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveBigIntegerField,
    models.PositiveSmallIntegerField,
    models.CharField,
    models.SlugField,
    models.TextField,
    models.BooleanField,
    models.DateField,
    models.DateTimeField,
    models.DecimalField,
    models.UUIDField,
    models.ForeignKey,
)


def bulk_insert(model: type[models.Model], objects: list, *, batch_size: int = 2000) -> None:
    """Insert new, unsaved objects in bulk and set their primary keys.

    What `bulk_create` does, without its per-value work where it can: on PostgreSQL the
    keys are drawn from the table's sequence in one query and the rows are sent with
    COPY; elsewhere `bulk_create` does it. `auto_now` and `auto_now_add` fields get one
    timestamp for the whole batch. No signals are sent (as with `bulk_create`).
    """
    if not objects:
        return
    meta = model._meta
    now = timezone.now()
    stamped = [
        f.attname
        for f in meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for obj in objects:
        for attname in stamped:
            setattr(obj, attname, now)
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objects, batch_size=batch_size)  # type: ignore[attr-defined]
        return
    pk = meta.pk
    assert pk is not None
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        new = [obj for obj in objects if obj.pk is None]
        if new:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, pk.column, len(new)],
            )
            for obj, (key,) in zip(new, cursor.fetchall(), strict=True):
                obj.pk = key
        fields = list(meta.concrete_fields)
        prepare: list[Callable[[Any], Any] | None] = []
        for f in fields:
            if isinstance(f, models.JSONField):
                prepare.append(functools.partial(_json_or_null, encoder=f.encoder))
            elif type(f) in _PLAIN_FIELDS:
                prepare.append(None)
            else:
                prepare.append(functools.partial(f.get_db_prep_save, connection=connection))
        attnames = [f.attname for f in fields]
        columns = ", ".join(quote(str(f.column)) for f in fields)
        sql = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
        # Driver errors (a duplicate key written meanwhile) become Django's IntegrityError.
        with connection.wrap_database_errors, cursor.copy(sql) as copy:  # type: ignore[attr-defined]
            for obj in objects:
                values = obj.__dict__
                copy.write_row(
                    [
                        values[name] if how is None else how(values[name])
                        for name, how in zip(attnames, prepare, strict=True)
                    ]
                )
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias


def _json_or_null(value: Any, *, encoder: Any) -> str | None:
    return None if value is None else json.dumps(value, cls=encoder)


def import_note(filename: str = "") -> str:
    """The note of an import's audit rows, naming the file when it is known."""
    if filename:
        return gettext("Imported from Excel %(file)s") % {"file": filename}
    return gettext("Imported from Excel")


def audit_entry(*, actor: Any, obj: models.Model, before: dict | None, note: str) -> AuditEntry:
    """An unsaved import audit row for `obj` as it is now; save many with bulk_create."""
    return AuditEntry(
        actor=actor if getattr(actor, "pk", None) else None,
        action=AuditAction.IMPORT,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        region_code=audit.region_code_of(obj),
        before=before,
        after=audit.snapshot(obj),
        note=note,
    )
