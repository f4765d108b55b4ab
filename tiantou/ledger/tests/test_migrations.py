"""Data migrations of the ledger, run forward on records made under the schema before."""

import datetime
import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tiantou.ledger.models import Activity

BEFORE = ("ledger", "0004_indicator_indexes")
AFTER = ("ledger", "0005_activity_status_before_deletion")


def _migrate(target):
    """Migrate the ledger to `target`; the models of every app as they are then."""
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] != target[0]]
    return executor.loader.project_state([target, *others]).apps


@pytest.fixture
def old_apps(transactional_db):
    apps = _migrate(BEFORE)
    yield apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_deleted_records_get_their_status_before_deletion_from_the_audit_log(old_apps, township_a):
    OldActivity = old_apps.get_model("ledger", "Activity")
    AuditEntry = old_apps.get_model("core", "AuditEntry")
    ContentType = old_apps.get_model("contenttypes", "ContentType")
    ActivityType = old_apps.get_model("ledger", "ActivityType")
    content_type, _ = ContentType.objects.get_or_create(app_label="ledger", model="activity")
    # A transactional test before this one may have flushed the types the migrations seed.
    standard_types = importlib.import_module("tiantou.ledger.migrations.0002_standard_types")
    standard_types.add(old_apps, None)
    training = ActivityType.objects.get(key="training")

    def activity(title: str, status: str):
        return OldActivity.objects.create(
            activity_type=training,
            title=title,
            region_id=township_a.code,
            starts_on=datetime.date(2026, 3, 2),
            status=status,
        )

    def move(obj, old: str, new: str) -> None:
        AuditEntry.objects.create(
            action="update",
            content_type=content_type,
            object_id=str(obj.pk),
            object_repr=obj.title,
            before={"status": old},
            after={"status": new},
        )

    submitted = activity("提交后删除", "deleted")
    move(submitted, "draft", "submitted")
    move(submitted, "submitted", "deleted")
    twice = activity("删除两次", "deleted")
    move(twice, "draft", "deleted")
    move(twice, "deleted", "draft")
    move(twice, "draft", "rejected")
    move(twice, "rejected", "deleted")
    unknown = activity("无日志", "deleted")
    alive = activity("未删除", "submitted")
    move(alive, "submitted", "deleted")
    move(alive, "deleted", "submitted")

    _migrate(AFTER)

    statuses = dict(Activity.objects.values_list("title", "status_before_deletion"))
    assert statuses == {
        "提交后删除": "submitted",
        "删除两次": "rejected",
        "无日志": "",
        "未删除": "",
    }
    assert Activity.objects.get(pk=unknown.pk).status == "deleted"
