"""Upgrading a database of the release before the targets app: the rows of target sheets,
items, splits and scorecards stay, and so do their content types, permissions and audit
rows, now under `targets`."""

import datetime as dt
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from conftest import COUNTY, TOWNSHIP_A

BEFORE = [("indicators", "0001_initial"), ("targets", None)]
MOVED = ("targetsheet", "targetitem", "targetsplit", "scorescheme", "scorerule")


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


def _old_release_content_types(apps) -> dict[str, Any]:
    """The content types and permissions as the old release left them: under
    `indicators` (whatever contenttypes made for this test database is put back so)."""
    content_type = apps.get_model("contenttypes", "ContentType")
    permission = apps.get_model("auth", "Permission")
    made = {}
    for model in MOVED:
        content_type.objects.filter(app_label="targets", model=model).delete()
        made[model], _created = content_type.objects.get_or_create(
            app_label="indicators", model=model
        )
        for action in ("add", "change", "delete", "view"):
            permission.objects.get_or_create(
                content_type=made[model],
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {model}"},
            )
    return made


@pytest.mark.django_db(transaction=True)
def test_upgrade_keeps_rows_content_types_permissions_and_audit_rows(regions):
    executor = _migrate(BEFORE)
    others = [
        n for n in executor.loader.graph.leaf_nodes() if n[0] not in ("indicators", "targets")
    ]
    old = executor.loader.project_state([*others, ("indicators", "0001_initial")]).apps
    types = _old_release_content_types(old)
    region = old.get_model("regions", "Region")
    county, township = region.objects.get(code=COUNTY), region.objects.get(code=TOWNSHIP_A)
    sheet = old.get_model("indicators", "TargetSheet").objects.create(
        region=county, year=2026, title="2026年科技工作目标", status="issued"
    )
    item = old.get_model("indicators", "TargetItem").objects.create(
        sheet=sheet, name="举办科技培训", indicator="trainings", value=20, unit="期"
    )
    split = old.get_model("indicators", "TargetSplit").objects.create(
        item=item, region=township, value=10, letter_signed_on=dt.date(2026, 3, 1)
    )
    scheme = old.get_model("indicators", "ScoreScheme").objects.create(
        region=county, year=2026, name="2026年乡镇考核", sheet=sheet
    )
    old.get_model("indicators", "ScoreRule").objects.create(
        scheme=scheme, indicator="trainings", weight=60
    )
    audit = old.get_model("core", "AuditEntry")
    for model, obj in (("targetsheet", sheet), ("targetsplit", split), ("scorescheme", scheme)):
        audit.objects.create(
            action="create",
            content_type=types[model],
            object_id=str(obj.pk),
            object_repr=str(obj.pk),
            region_code=COUNTY,
        )
    group = old.get_model("auth", "Group").objects.create(name="旧版县科技局")
    group.permissions.add(
        old.get_model("auth", "Permission").objects.get(
            content_type=types["targetsheet"], codename="change_targetsheet"
        )
    )
    old_ids = {model: content_type.pk for model, content_type in types.items()}

    _migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()

    from django.contrib.auth.models import Group, Permission

    from tiantou.core.audit import entries_for
    from tiantou.targets.models import ScoreRule, ScoreScheme, TargetItem, TargetSheet, TargetSplit

    moved = TargetSheet.objects.get(pk=sheet.pk)
    assert moved.title == "2026年科技工作目标" and moved.status == "issued"
    assert TargetItem.objects.get(pk=item.pk).sheet == moved
    kept = TargetSplit.objects.get(pk=split.pk)
    assert kept.region_id == TOWNSHIP_A and kept.letter_signed_on == dt.date(2026, 3, 1)
    assert ScoreScheme.objects.get(pk=scheme.pk).sheet == moved
    assert ScoreRule.objects.get(scheme_id=scheme.pk).weight == 60
    # The same content type rows, relabelled: nothing left under indicators.
    for model in MOVED:
        content_type = ContentType.objects.get(app_label="targets", model=model)
        assert content_type.pk == old_ids[model]
        assert not ContentType.objects.filter(app_label="indicators", model=model).exists()
    assert ContentType.objects.get_for_model(TargetSheet).pk == old_ids["targetsheet"]
    codenames = set(
        Permission.objects.filter(content_type__app_label="targets").values_list(
            "codename", flat=True
        )
    )
    assert {"add_targetsheet", "change_targetsheet", "view_scorescheme"} <= codenames
    assert Group.objects.get(name="旧版县科技局").permissions.get().content_type.app_label == (
        "targets"
    )
    assert [e.object_id for e in entries_for(moved)] == [str(sheet.pk)]
    assert entries_for(ScoreScheme.objects.get(pk=scheme.pk)).count() == 1
    assert entries_for(kept).count() == 1


@pytest.mark.django_db(transaction=True)
def test_upgrade_merges_content_types_contenttypes_made_already(regions):
    """A database where `targets` content types exist beside the old ones (contenttypes
    ran on a partial upgrade): audit rows and group permissions move to the new ones."""
    executor = _migrate(BEFORE)
    others = [
        n for n in executor.loader.graph.leaf_nodes() if n[0] not in ("indicators", "targets")
    ]
    old = executor.loader.project_state([*others, ("indicators", "0001_initial")]).apps
    types = _old_release_content_types(old)
    content_type = old.get_model("contenttypes", "ContentType")
    permission = old.get_model("auth", "Permission")
    twin_type = content_type.objects.create(app_label="targets", model="targetsheet")
    twin = permission.objects.create(
        content_type=twin_type, codename="change_targetsheet", name="Can change"
    )
    group = old.get_model("auth", "Group").objects.create(name="旧版县科技局")
    group.permissions.add(
        permission.objects.get(content_type=types["targetsheet"], codename="change_targetsheet")
    )
    old.get_model("core", "AuditEntry").objects.create(
        action="create", content_type=types["targetsheet"], object_id="7", object_repr="7"
    )

    _migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()

    from django.contrib.auth.models import Group, Permission

    from tiantou.core.models import AuditEntry

    assert not ContentType.objects.filter(app_label="indicators", model="targetsheet").exists()
    assert ContentType.objects.get(app_label="targets", model="targetsheet").pk == twin_type.pk
    assert list(Group.objects.get(name="旧版县科技局").permissions.all()) == [
        Permission.objects.get(pk=twin.pk)
    ]
    assert Permission.objects.filter(
        content_type_id=twin_type.pk, codename="view_targetsheet"
    ).exists()
    assert AuditEntry.objects.get(object_id="7").content_type_id == twin_type.pk
