"""`seed_demo` builds the real demo county through the services, and a rerun adds nothing."""

import io

import pytest
from django.core.management import call_command

from tiantou.accounts.models import Membership, User
from tiantou.core.models import AuditEntry
from tiantou.regions.choices import Level, OrganisationKind
from tiantou.regions.models import Organisation, Region
from tiantou.web.demo import DEFAULT_COUNTY

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_the_county_and_is_idempotent():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    county = Region.objects.get(code=DEFAULT_COUNTY)
    low, high = county.subtree
    in_county = Region.objects.filter(code__range=(low, high))
    assert county.name == "沂南县"
    assert in_county.filter(level=Level.TOWNSHIP).count() == 15
    assert in_county.filter(level=Level.VILLAGE).count() == 305
    organisations = Organisation.objects.filter(region__code__range=(low, high))
    assert organisations.filter(kind=OrganisationKind.DEPARTMENT, name="县科学技术局").exists()
    assert organisations.filter(is_demo=False).count() == 0
    firms = organisations.filter(kind=OrganisationKind.ENTERPRISE)
    assert firms.exists() and all(len(f.credit_code) == 18 for f in firms)
    assert "kjj" in out.getvalue() and "Tiantou-demo-2026" in out.getvalue()
    # Every demo write went through a service and left an audit row.
    assert AuditEntry.objects.filter(action="create").count() >= organisations.count()

    # People: programmes, a register, a completed batch, postings (one recalled), a
    # batch being scored, and the demo cadre's login linked to a person in office.
    from tiantou.people.models import Batch, Person, Posting, PostingEvent, Programme, Score

    assert Programme.objects.filter(region=county).count() == 3
    assert Person.objects.filter(region=county, is_demo=True).count() == 40
    assert Posting.objects.filter(status="completed", batch__year=2021).exists()
    assert Posting.objects.filter(status="recalled").count() == 1
    assert Posting.objects.filter(is_from_outside_county=True).count() == 1
    assert Batch.objects.filter(status="scoring").exists() and Score.objects.exists()
    assert Person.objects.filter(user__username="cadre").exists()

    # Ledger: confirmed activities across types, townships and months, a few waiting.
    from tiantou.ledger.models import Activity

    activities = Activity.objects.filter(region__code__range=(low, high))
    confirmed = activities.filter(status="confirmed")
    assert confirmed.count() >= 250
    assert activities.filter(status="submitted").count() >= 5
    assert confirmed.values("activity_type").distinct().count() >= 8
    assert len({code[:9] for code in confirmed.values_list("region_id", flat=True)}) >= 10
    assert confirmed.dates("starts_on", "month").count() >= 12
    assert confirmed.filter(technologies__isnull=False).exists()
    assert confirmed.filter(posting__isnull=False).exists()

    def counted():
        return (
            organisations.count(),
            User.objects.count(),
            Membership.objects.count(),
            Programme.objects.count(),
            Person.objects.count(),
            Batch.objects.count(),
            Posting.objects.count(),
            PostingEvent.objects.count(),
            Score.objects.count(),
            Activity.objects.count(),
            AuditEntry.objects.count(),
        )

    counts = counted()
    call_command("seed_demo", stdout=io.StringIO())
    assert counted() == counts


def test_seed_demo_refuses_a_code_that_is_not_a_county():
    from django.core.management.base import CommandError

    call_command("load_regions", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("seed_demo", "--county", "371321101000", stdout=io.StringIO())
