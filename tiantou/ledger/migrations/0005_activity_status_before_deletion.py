"""Keep on a deleted activity the status a restore returns it to.

Restoring used to search the audit log for it. Records deleted before this migration get
it from the audit log once, the same way: the newest audit row that moved the record to
"deleted" from a status its author could still change. A record with no such row keeps
it empty, and a restore makes it a draft, as before.
"""

from django.db import migrations, models

EDITABLE = ("draft", "submitted", "rejected")
CHUNK = 500


def fill_from_the_audit_log(apps, schema_editor):
    Activity = apps.get_model("ledger", "Activity")
    AuditEntry = apps.get_model("core", "AuditEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type = ContentType.objects.filter(app_label="ledger", model="activity").first()
    if content_type is None:
        return
    deleted = list(Activity.objects.filter(status="deleted").values_list("pk", flat=True))
    previous: dict[str, str] = {}
    for start in range(0, len(deleted), CHUNK):
        rows = (
            AuditEntry.objects.filter(
                content_type=content_type,
                object_id__in=[str(pk) for pk in deleted[start : start + CHUNK]],
                after__status="deleted",
            )
            .order_by("-at", "-id")
            .values_list("object_id", "before")
        )
        for object_id, before in rows:
            status = (before or {}).get("status")
            if object_id not in previous and status in EDITABLE:
                previous[object_id] = status
    for status in EDITABLE:
        pks = [int(pk) for pk, value in previous.items() if value == status]
        for start in range(0, len(pks), CHUNK):
            Activity.objects.filter(pk__in=pks[start : start + CHUNK]).update(
                status_before_deletion=status
            )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_initial"),
        ("ledger", "0004_indicator_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="activity",
            name="status_before_deletion",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                choices=[
                    ("draft", "draft"),
                    ("submitted", "submitted"),
                    ("confirmed", "confirmed"),
                    ("rejected", "rejected"),
                    ("locked", "locked"),
                    ("deleted", "deleted"),
                ],
                max_length=12,
                verbose_name="status before deletion",
            ),
        ),
        migrations.RunPython(fill_from_the_audit_log, migrations.RunPython.noop),
    ]
