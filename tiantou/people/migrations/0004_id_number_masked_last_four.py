"""Masked ID numbers keep only their last 4 characters (issue 18).

The old mask showed the 6-digit region before the last 4; with the birth date beside it
that gave the whole number away. The new mask is made from the old one, without
decrypting anything.
"""

from django.db import migrations


def mask_last_four(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    rows = list(
        Person.objects.exclude(id_number_masked="")
        .order_by("pk")
        .values_list("pk", "id_number_masked")
    )
    changed = [
        Person(pk=pk, id_number_masked="*" * 14 + masked[-4:])
        for pk, masked in rows
        if len(masked) == 18 and masked[:14] != "*" * 14
    ]
    Person.objects.bulk_update(changed, ["id_number_masked"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("people", "0003_choice_labels")]

    operations = [migrations.RunPython(mask_last_four, migrations.RunPython.noop, elidable=True)]
