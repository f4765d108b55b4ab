"""The registry: every app's `indicators.py` is collected by one rule, keys are declared once,
and the Chinese names say what they count."""

import pytest
from django.apps import apps
from django.utils import translation

from tiantou.indicators import registry, sources
from tiantou.indicators.registry import Indicator

# A few indicators and sources of each app that declares some, to show its module was found.
DECLARED = {
    "tiantou.ledger": (
        ["activities", "trainees", "cadre_trainees", "work_report_rate", "presence_rate"],
        ["activities", "technologies", "cadre_activities", "spotchecks", "work_report_slots"],
    ),
    "tiantou.people": (
        ["cadres_in_office", "hired_share", "cadres_deputy", "cadres_township_level_outside"],
        ["postings", "programme_postings"],
    ),
    "tiantou.indicators": (["above_scale_output", "hitech_share"], ["figures"]),
}


def chinese_name(indicator: Indicator) -> str:
    with translation.override("zh-hans"):
        return str(indicator.name)


@pytest.mark.parametrize("app", sorted(DECLARED))
def test_each_app_declares_its_indicators_and_sources_in_its_own_module(app):
    keys, source_keys = DECLARED[app]
    assert set(keys) <= set(registry.INDICATORS)
    for key in source_keys:
        assert type(sources.SOURCES[key]).__module__ == f"{app}.indicators"


def test_the_listing_follows_installed_apps_then_each_module():
    order = [config.name for config in apps.get_app_configs() if config.name in DECLARED]
    firsts = [list(registry.INDICATORS).index(DECLARED[app][0][0]) for app in order]
    assert firsts == sorted(firsts)
    keys = list(registry.INDICATORS)
    assert keys.index("activities") < keys.index("trainings") < keys.index("trainees")


def test_collecting_again_declares_nothing_twice():
    before = list(registry.INDICATORS), list(sources.SOURCES)
    registry.autodiscover()
    assert (list(registry.INDICATORS), list(sources.SOURCES)) == before


def test_a_key_is_declared_once():
    with pytest.raises(ValueError, match="trainees"):
        registry.register(registry.get("trainees"))
    with pytest.raises(ValueError, match="postings"):
        sources.register(sources.SOURCES["postings"])


def test_every_indicator_reads_a_declared_source_or_declared_parts():
    for indicator in registry.INDICATORS.values():
        if indicator.is_derived:
            assert indicator.numerator in registry.INDICATORS
            assert indicator.denominator in registry.INDICATORS
        else:
            assert indicator.source in sources.SOURCES, indicator.key


def test_no_two_indicators_share_a_chinese_name():
    names = [chinese_name(i) for i in registry.INDICATORS.values()]
    assert len(names) == len(set(names))


def test_person_times_are_named_person_times():
    """人次 counts attendances, not people: an indicator measured in 人次 says 人次 in its
    name (培训人次, never 培训人数), and one counting people (名) does not."""
    assert chinese_name(registry.get("trainees")) == "培训人次"
    person_times = [i for i in registry.INDICATORS.values() if i.unit == "人次"]
    assert len(person_times) > 10
    for indicator in person_times:
        name = chinese_name(indicator)
        assert name.endswith("人次") and "人数" not in name, (indicator.key, name)
    for indicator in registry.INDICATORS.values():
        if indicator.unit == "名":
            assert "人次" not in chinese_name(indicator), indicator.key
