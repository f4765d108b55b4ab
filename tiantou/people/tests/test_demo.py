"""The people demo step: deterministic, through the services, and idempotent."""

import io
import random

import pytest
from django.core.management import call_command

from tiantou.accounts.models import User
from tiantou.core.validators import normalise_id_number
from tiantou.people import demo
from tiantou.people.choices import BatchStatus, PostingEventKind, PostingStatus
from tiantou.people.models import Batch, Person, Posting, Programme, Score
from tiantou.regions.models import Region
from tiantou.web.demo import DEFAULT_COUNTY, DemoContext

pytestmark = pytest.mark.django_db


def test_people_are_drawn_the_same_for_the_same_seed(regions):
    county = Region.objects.get(code=DEFAULT_COUNTY)

    def draw(seed):
        return demo._draw_people(DemoContext(county=county, actor=User(), rng=random.Random(seed)))

    first = draw(7)
    assert first == draw(7) and first != draw(8)
    assert len({p["name"] for p in first}) == len(first) == demo.PEOPLE
    for person in first:
        assert normalise_id_number(person["id_number"]) == person["id_number"]
        assert person["id_number"][6:14] == f"{person['birth_date']:%Y%m%d}"
        # The 17th digit is odd for men, even for women.
        assert int(person["id_number"][16]) % 2 == (person["gender"] == "M")


def test_the_demo_county_gets_programmes_people_batches_and_postings():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    programmes = Programme.objects.filter(region_id=DEFAULT_COUNTY)
    assert set(programmes.values_list("name", flat=True)) == {
        "科技副职",
        "乡镇长科技助理",
        "科技特派员",
    }
    deputy = programmes.get(name="科技副职")
    assert (deputy.treatment_grade, deputy.monthly_subsidy, deputy.default_term_months) == (
        "副科级",
        150,
        36,
    )
    people = Person.objects.filter(is_demo=True)
    assert people.count() == demo.PEOPLE
    assert all(p.id_number_digest and p.id_number_masked for p in people)
    assert {p.home_unit.name for p in people if p.home_unit} <= {
        "县农业农村局",
        "县农业科学研究所",
        "县畜牧兽医局",
        "县林业局",
    }

    earlier = Batch.objects.get(programme=deputy, year=2021)
    assert earlier.status == BatchStatus.PUBLISHED
    assert set(earlier.postings.values_list("status", flat=True)) == {PostingStatus.COMPLETED}
    assert earlier.postings.count() == len(demo.EARLIER_BATCH)

    recalled = Posting.objects.get(status=PostingStatus.RECALLED)
    assert recalled.events.get(kind=PostingEventKind.RECALLED).note == demo.RECALL_REASON
    assert Posting.objects.filter(is_from_outside_county=True, mode="hired").count() == 1
    assert Posting.objects.filter(dispatch_level="township").exists()
    assert Posting.objects.filter(host_region__level=5).exists()  # some in villages
    active = Posting.objects.filter(status=PostingStatus.ACTIVE)
    assert active.count() == len(demo.POSTED) - 1
    assert len(set(active.values_list("host_region_id", flat=True))) > 10

    scoring = Batch.objects.get(programme=deputy, year=2026)
    assert scoring.status == BatchStatus.SCORING and scoring.published_at is None
    assert scoring.applications.count() == len(demo.APPLICANTS)
    # Two judges (the system administrator and the demo organisation department) scored all.
    assert scoring.judges.count() == 2
    assert Score.objects.filter(application__batch=scoring).count() == 2 * len(demo.APPLICANTS)
    assert not scoring.postings.exists()

    cadre = User.objects.get(username="cadre")
    assert cadre.person.postings.filter(status=PostingStatus.ACTIVE).exists()

    counts = (Person.objects.count(), Posting.objects.count(), Batch.objects.count())
    names = set(people.values_list("name", flat=True))
    rerun = io.StringIO()
    call_command("seed_demo", stdout=rerun)
    assert (Person.objects.count(), Posting.objects.count(), Batch.objects.count()) == counts
    # The rerun drew the same people (same seed) and found every one of them again.
    assert set(people.values_list("name", flat=True)) == names
