"""The standard activity types and a starting technology catalogue."""

from django.db import migrations

EVENT = ["participants", "experts", "consultations", "materials", "boards"]
TYPES = [
    # key, name, measures, required, records technologies, usual largest attendance
    ("training", "科技培训", ["participants", "experts", "materials"], ["participants"], True, 300),
    ("tech_promotion", "技术推广", ["participants", "area_mu", "output_value"], [], True, 300),
    ("new_variety", "新品种引进", ["area_mu", "output_value"], [], True, None),
    ("consultation", "科技咨询", ["consultations", "experts", "materials"], ["consultations"], False, 2000),
    ("demo_base", "示范基地建设", ["area_mu", "output_value"], [], True, None),
    ("enterprise_support", "企业帮扶", ["enterprises", "output_value"], ["enterprises"], True, None),
    ("sci_week", "科技活动周", EVENT, ["participants"], False, 10000),
    ("three_to_countryside", "科技三下乡", EVENT, ["participants"], False, 10000),
    ("popularisation_campaign", "科普大行动", EVENT, ["participants"], False, 10000),
    ("lecture", "科普讲座", ["participants", "experts"], ["participants"], True, 500),
    ("exhibition", "科普展览", ["participants", "boards", "materials"], [], False, 5000),
    ("youth_activity", "青少年科技活动", ["participants", "experts"], ["participants"], False, 2000),
    ("media_output", "媒体宣传", ["materials"], [], False, None),
    ("other", "其他", ["participants", "materials"], [], False, 1000),
]
TECHNOLOGIES = [
    ("technology", "测土配方施肥技术"),
    ("technology", "水肥一体化技术"),
    ("technology", "病虫害绿色防控技术"),
    ("technology", "日光温室蔬菜高效栽培技术"),
    ("technology", "食用菌工厂化栽培技术"),
    ("technology", "果树高接换优技术"),
    ("technology", "畜禽粪污资源化利用技术"),
    ("technology", "玉米免耕精量播种技术"),
    ("technology", "中药材规范化种植技术"),
    ("technology", "生猪健康养殖技术"),
    ("variety", "济麦22"),
    ("variety", "郑单958"),
    ("variety", "花育25号"),
    ("variety", "鲁西黄牛"),
    ("variety", "金针菇F21"),
]


def add(apps, schema_editor):
    ActivityType = apps.get_model("ledger", "ActivityType")
    Technology = apps.get_model("ledger", "Technology")
    for order, (key, name, measures, required, techs, usual) in enumerate(TYPES):
        ActivityType.objects.get_or_create(
            key=key,
            defaults={
                "name": name,
                "measures": measures,
                "required_measures": required,
                "records_technologies": techs,
                "usual_max_participants": usual,
                "order": order,
            },
        )
    for kind, name in TECHNOLOGIES:
        Technology.objects.get_or_create(kind=kind, name=name)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
