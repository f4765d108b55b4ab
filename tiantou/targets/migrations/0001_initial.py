"""The models of target sheets and township scorecards, moved here from `indicators`.

Their tables keep their names (`indicators_targetsheet` …): the state moves, the database
does not. The content types of the moved models are relabelled in place, so that their
permissions (now `targets.change_targetsheet` …) and the audit rows that point at them
keep working; contenttypes would otherwise create new, empty ones after `migrate`.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

MODELS = ("targetsheet", "targetitem", "targetsplit", "scorescheme", "scorerule")


def _relabel(apps, old: str, new: str) -> None:
    """Move the content types of MODELS from app `old` to app `new`.

    Where both exist (contenttypes already made the new ones, e.g. on a database that ran
    `migrate` on a partial checkout), the references of the old one move over to the new
    one and the old one goes."""
    content_type = apps.get_model("contenttypes", "ContentType")
    permission = apps.get_model("auth", "Permission")
    audit_entry = apps.get_model("core", "AuditEntry")
    db = content_type.objects.db
    for model in MODELS:
        source = content_type.objects.using(db).filter(app_label=old, model=model).first()
        if source is None:
            continue
        target = content_type.objects.using(db).filter(app_label=new, model=model).first()
        if target is None:
            source.app_label = new
            source.save(update_fields=["app_label"])
            continue
        audit_entry.objects.using(db).filter(content_type=source).update(content_type=target)
        for perm in permission.objects.using(db).filter(content_type=source):
            twin = (
                permission.objects.using(db)
                .filter(content_type=target, codename=perm.codename)
                .first()
            )
            if twin is None:
                perm.content_type = target
                perm.save(update_fields=["content_type"])
                continue
            for group in perm.group_set.all():
                group.permissions.add(twin)
            for user in perm.user_set.all():
                user.user_permissions.add(twin)
            perm.delete()
        source.delete()
    content_type.objects.clear_cache()


def to_targets(apps, schema_editor) -> None:
    _relabel(apps, "indicators", "targets")


def to_indicators(apps, schema_editor) -> None:
    _relabel(apps, "targets", "indicators")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_initial"),
        ("indicators", "0001_initial"),
        ("regions", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables exist already (made by indicators.0001_initial).
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="TargetSheet",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="created at"),
                        ),
                        (
                            "updated_at",
                            models.DateTimeField(auto_now=True, verbose_name="updated at"),
                        ),
                        ("version", models.PositiveIntegerField(default=1, verbose_name="version")),
                        ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                        ("title", models.CharField(max_length=100, verbose_name="title")),
                        (
                            "status",
                            models.CharField(
                                choices=[("draft", "draft"), ("issued", "issued")],
                                default="draft",
                                max_length=8,
                                verbose_name="status",
                            ),
                        ),
                        ("note", models.TextField(blank=True, verbose_name="note")),
                        (
                            "region",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="regions.region",
                                verbose_name="region",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "target sheet",
                        "verbose_name_plural": "target sheets",
                        "db_table": "indicators_targetsheet",
                        "ordering": ["-year", "region_id"],
                    },
                ),
                migrations.CreateModel(
                    name="TargetItem",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="created at"),
                        ),
                        (
                            "updated_at",
                            models.DateTimeField(auto_now=True, verbose_name="updated at"),
                        ),
                        ("version", models.PositiveIntegerField(default=1, verbose_name="version")),
                        (
                            "order",
                            models.PositiveSmallIntegerField(default=0, verbose_name="order"),
                        ),
                        ("name", models.CharField(max_length=200, verbose_name="target")),
                        (
                            "indicator",
                            models.CharField(blank=True, max_length=60, verbose_name="measured by"),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("reach", "reach the value"),
                                    ("minimum", "at least the value"),
                                    ("range", "within a range"),
                                ],
                                default="reach",
                                max_length=8,
                                verbose_name="kind",
                            ),
                        ),
                        (
                            "value",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=18,
                                null=True,
                                validators=[django.core.validators.MinValueValidator(0)],
                                verbose_name="target value",
                            ),
                        ),
                        (
                            "value_max",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=18,
                                null=True,
                                validators=[django.core.validators.MinValueValidator(0)],
                                verbose_name="upper bound",
                            ),
                        ),
                        (
                            "stretch_value",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=18,
                                null=True,
                                validators=[django.core.validators.MinValueValidator(0)],
                                verbose_name="stretch value",
                            ),
                        ),
                        ("unit", models.CharField(blank=True, max_length=10, verbose_name="unit")),
                        (
                            "responsible_person",
                            models.CharField(
                                blank=True, max_length=50, verbose_name="responsible person"
                            ),
                        ),
                        (
                            "deadline",
                            models.DateField(blank=True, null=True, verbose_name="deadline"),
                        ),
                        (
                            "lead_unit",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="regions.organisation",
                                verbose_name="lead unit",
                            ),
                        ),
                        (
                            "responsible_units",
                            models.ManyToManyField(
                                blank=True,
                                related_name="+",
                                to="regions.organisation",
                                verbose_name="responsible units",
                            ),
                        ),
                        (
                            "sheet",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="items",
                                to="targets.targetsheet",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "target",
                        "verbose_name_plural": "targets",
                        "db_table": "indicators_targetitem",
                        "ordering": ["sheet", "order", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="ScoreScheme",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="created at"),
                        ),
                        (
                            "updated_at",
                            models.DateTimeField(auto_now=True, verbose_name="updated at"),
                        ),
                        ("version", models.PositiveIntegerField(default=1, verbose_name="version")),
                        ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                        ("name", models.CharField(max_length=100, verbose_name="name")),
                        (
                            "region",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="regions.region",
                                verbose_name="region",
                            ),
                        ),
                        (
                            "sheet",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="schemes",
                                to="targets.targetsheet",
                                verbose_name="targets from",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "scorecard scheme",
                        "verbose_name_plural": "scorecard schemes",
                        "db_table": "indicators_scorescheme",
                        "ordering": ["-year", "name"],
                    },
                ),
                migrations.CreateModel(
                    name="TargetSplit",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "value",
                            models.DecimalField(
                                decimal_places=2,
                                max_digits=18,
                                validators=[django.core.validators.MinValueValidator(0)],
                                verbose_name="share of the target",
                            ),
                        ),
                        (
                            "stretch_value",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=18,
                                null=True,
                                validators=[django.core.validators.MinValueValidator(0)],
                                verbose_name="stretch value",
                            ),
                        ),
                        (
                            "letter_signed_on",
                            models.DateField(
                                blank=True,
                                null=True,
                                verbose_name="responsibility letter signed on",
                            ),
                        ),
                        (
                            "item",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="splits",
                                to="targets.targetitem",
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="regions.organisation",
                                verbose_name="unit",
                            ),
                        ),
                        (
                            "region",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="regions.region",
                                verbose_name="township",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "target split",
                        "verbose_name_plural": "target splits",
                        "db_table": "indicators_targetsplit",
                        "ordering": ["item", "region_id", "organisation_id"],
                    },
                ),
                migrations.CreateModel(
                    name="ScoreRule",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "order",
                            models.PositiveSmallIntegerField(default=0, verbose_name="order"),
                        ),
                        ("indicator", models.CharField(max_length=60, verbose_name="indicator")),
                        (
                            "weight",
                            models.DecimalField(
                                decimal_places=2,
                                max_digits=6,
                                validators=[django.core.validators.MinValueValidator(0)],
                                verbose_name="points",
                            ),
                        ),
                        (
                            "cap_percent",
                            models.PositiveSmallIntegerField(
                                default=100, verbose_name="share counted at most (%)"
                            ),
                        ),
                        (
                            "stretch_bonus",
                            models.DecimalField(
                                decimal_places=2,
                                default=0,
                                max_digits=6,
                                validators=[django.core.validators.MinValueValidator(0)],
                                verbose_name="bonus for the stretch value",
                            ),
                        ),
                        (
                            "scheme",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="rules",
                                to="targets.scorescheme",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "scorecard rule",
                        "verbose_name_plural": "scorecard rules",
                        "db_table": "indicators_scorerule",
                        "ordering": ["scheme", "order", "id"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("scheme", "indicator"), name="score_rule_once"
                            )
                        ],
                    },
                ),
                migrations.AddConstraint(
                    model_name="targetsheet",
                    constraint=models.UniqueConstraint(
                        fields=("region", "year", "title"), name="target_sheet_once"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="targetsplit",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("region__isnull", True),
                            ("organisation__isnull", True),
                            _connector="XOR",
                        ),
                        name="target_split_one_receiver",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="targetsplit",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("region__isnull", False)),
                        fields=("item", "region"),
                        name="target_split_region_once",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="targetsplit",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("organisation__isnull", False)),
                        fields=("item", "organisation"),
                        name="target_split_organisation_once",
                    ),
                ),
            ],
        ),
        migrations.RunPython(to_targets, to_indicators),
    ]
