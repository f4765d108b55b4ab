"""Target sheets and scorecards moved to the `targets` app (its 0001_initial): they leave
this app's state only; their tables stay where they are, now owned by `targets`."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0001_initial"),
        ("targets", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name="scorescheme",
                    name="region",
                ),
                migrations.RemoveField(
                    model_name="scorescheme",
                    name="sheet",
                ),
                migrations.RemoveField(
                    model_name="targetitem",
                    name="lead_unit",
                ),
                migrations.RemoveField(
                    model_name="targetitem",
                    name="responsible_units",
                ),
                migrations.RemoveField(
                    model_name="targetitem",
                    name="sheet",
                ),
                migrations.RemoveField(
                    model_name="targetsplit",
                    name="item",
                ),
                migrations.RemoveField(
                    model_name="targetsheet",
                    name="region",
                ),
                migrations.RemoveField(
                    model_name="targetsplit",
                    name="organisation",
                ),
                migrations.RemoveField(
                    model_name="targetsplit",
                    name="region",
                ),
                migrations.DeleteModel(
                    name="ScoreRule",
                ),
                migrations.DeleteModel(
                    name="ScoreScheme",
                ),
                migrations.DeleteModel(
                    name="TargetItem",
                ),
                migrations.DeleteModel(
                    name="TargetSheet",
                ),
                migrations.DeleteModel(
                    name="TargetSplit",
                ),
            ],
        ),
    ]
