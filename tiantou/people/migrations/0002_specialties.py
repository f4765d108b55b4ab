"""The standard specialty fields people are matched and filtered by."""

from django.db import migrations

SPECIALTIES = [
    "种植业",
    "畜牧兽医",
    "林业",
    "水产",
    "果树",
    "蔬菜",
    "食用菌",
    "中药材",
    "茶叶",
    "植物保护",
    "土壤肥料",
    "农业机械",
    "农产品加工",
    "农村经营管理",
    "工业技术",
    "信息技术",
    "医疗卫生",
    "教育",
    "其他",
]


def add_specialties(apps, schema_editor):
    Specialty = apps.get_model("people", "Specialty")
    for name in SPECIALTIES:
        Specialty.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(add_specialties, migrations.RunPython.noop)]
