"""The province tier's bulk generator, at a tiny scale: counts, consistency, idempotence.

The generator is set-based PostgreSQL SQL; on SQLite `seed_demo --size province` refuses
(tested below), so the generator's tests run on PostgreSQL only.
"""

import datetime
import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tiantou.core.periods import Period
from tiantou.indicators import engine
from tiantou.ledger.models import Activity, ActivityType
from tiantou.people.models import Person, Posting
from tiantou.regions.choices import Level, OrganisationKind, RegionKind
from tiantou.regions.models import Organisation, Region
from tiantou.web import demo, demo_province

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the province tier is PostgreSQL SQL"
)
MEASURES = demo_province.MEASURES
SCALE = demo_province.Scale(
    counties=2, people=40, activities=3000, chunk=1000, rebuild_indexes_above=2000
)


@pytest.fixture
def province(regions, bob):
    """The fixed county plus a second county of Shandong with two townships; a unit in
    each county and a cooperative in one township."""
    city = regions["county"].parent
    other = Region.objects.create(
        code="371322000000", name="郯城县", level=Level.COUNTY, kind=RegionKind.COUNTY, parent=city
    )
    for n, name in ((1, "郯城街道"), (2, "马头镇")):
        Region.objects.create(
            code=f"371322{100 + n}000",
            name=name,
            level=Level.TOWNSHIP,
            kind=RegionKind.TOWN,
            parent=other,
        )
    for county in (regions["county"], other):
        Organisation.objects.create(
            name="县农业农村局", kind=OrganisationKind.DEPARTMENT, region=county, is_demo=True
        )
    Organisation.objects.create(
        name="岸堤合作社", kind=OrganisationKind.COOPERATIVE, region=regions["a"], is_demo=True
    )
    ctx = demo.DemoContext(
        county=regions["county"], actor=bob, rng=random.Random(2026), size="province"
    )
    return ctx


def _indexes() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s",
            [Activity._meta.db_table],
        )
        return {name for (name,) in cursor.fetchall()}


@postgres_only
def test_it_builds_people_postings_and_activities(province):
    indexes = _indexes()
    lines: list[str] = []
    demo_province.seed(province, SCALE, progress=lines.append)

    people = Person.objects.filter(is_demo=True)
    assert people.count() == 40
    assert dict(people.values_list("region_id").annotate(n=Count("id"))) == {
        "371321000000": 20,
        "371322000000": 20,
    }
    postings = Posting.objects.select_related("person")
    # Two in three posted, from a hash: between 20 and 36 of 40.
    assert 20 <= postings.count() <= 36
    today = timezone.localdate()
    for posting in postings:
        assert posting.host_region_id[:6] == posting.person.region_id[:6]
        assert posting.host_region_id[6:9] != "000"  # a township, not the county
        assert posting.ends_on > posting.starts_on >= datetime.date(2023, 1, 1)
        assert posting.status in ("active", "completed", "recalled")
        if posting.status == "active":
            assert posting.ended_on is None and posting.ends_on >= today
        else:
            assert posting.ended_on is not None and posting.ended_on < today
    assert postings.filter(status="active").exists()

    activities = Activity.objects.all()
    assert activities.count() == 3000
    assert activities.filter(is_demo=True).count() == 3000
    assert activities.filter(uuid=demo_province.activity_uuid(3000)).exists()
    assert activities.filter(starts_on__range=(demo_province.FIRST_DAY, today)).count() == 3000
    townships = {"371321101000", "371321102000", "371322101000", "371322102000"}
    assert set(activities.values_list("region_id", flat=True).distinct()) == townships
    confirmed = activities.filter(status="confirmed").count()
    assert 0.85 * 3000 < confirmed < 0.95 * 3000
    assert activities.filter(status="confirmed", confirmed_by__isnull=True).count() == 0
    assert activities.filter(posting__isnull=False).exists()
    assert activities.filter(organisation__isnull=False).exists()
    # An organising cadre's posting is hosted in the activity's township.
    assert (
        not activities.filter(posting__isnull=False)
        .exclude(posting__host_region_id=F("region_id"))
        .exists()
    )
    # Each type records exactly its own measures.
    for kind in ActivityType.objects.all():
        of_kind = activities.filter(activity_type=kind)
        for measure in MEASURES:
            if measure in kind.measures:
                assert not of_kind.filter(**{f"{measure}__isnull": True}).exists(), measure
            else:
                assert not of_kind.filter(**{f"{measure}__isnull": False}).exists(), measure
    # Technologies only on promotion types; varieties on new varieties.
    links = Activity.technologies.through.objects.select_related("activity__activity_type")
    assert links.exists()
    for link in links.select_related("technology"):
        key = link.activity.activity_type.key
        assert key in demo_province.TECHNOLOGY_TYPES
        assert link.technology.kind == ("variety" if key == "new_variety" else "technology")

    assert _indexes() == indexes  # dropped for the load and built again
    assert any("3000 / 3000" in line for line in lines)


@postgres_only
def test_the_engine_reads_what_it_wrote(province):
    demo_province.seed(province, SCALE)
    year = timezone.localdate().year
    result = engine.evaluate(
        ["activities"], scope=engine.Scope(region=province.county), period=Period.year(year)
    )
    expected = Activity.objects.filter(
        Q(status="confirmed") & Q(region__code__startswith="371321") & Q(starts_on__year=year)
    ).count()
    assert expected > 0
    assert result.number("activities") == expected


@postgres_only
def test_a_second_run_adds_nothing(province):
    demo_province.seed(province, SCALE)
    counts = (Person.objects.count(), Posting.objects.count(), Activity.objects.count())
    links = Activity.technologies.through.objects.count()
    province.log.clear()
    demo_province.seed(province, SCALE)
    assert (Person.objects.count(), Posting.objects.count(), Activity.objects.count()) == counts
    assert Activity.technologies.through.objects.count() == links
    assert province.log == [_("Province tier: already there, nothing added.")]


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite refuses the tier")
def test_sqlite_refuses_the_province_tier(regions):
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("seed_demo", "--size", "province")
    assert not Person.objects.exists()
