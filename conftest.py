"""The fixed cast every test uses (see docs/testing.md).

A county (沂南县) with two townships: **alice** administers township A (岸堤镇),
**bob** the county, **charlie** township B (孙祖镇) and must get 404 on A's data,
**dana** reads the county (403 on writes), **ming** is a dispatched cadre in A.
"""

import pytest

from tiantou.accounts.models import User
from tiantou.accounts.roles import Role
from tiantou.regions.choices import Level, RegionKind
from tiantou.regions.models import Region

COUNTY = "371321000000"
TOWNSHIP_A = "371321101000"
TOWNSHIP_B = "371321102000"
VILLAGE_A = "371321101001"
VILLAGE_B = "371321102001"
PASSWORD = "Tiantou-test-2026"  # noqa: S105


def _region(code, name, level, kind, parent=None):
    return Region.objects.create(code=code, name=name, level=level, kind=kind, parent=parent)


def _user(username, name, role=None, region=None):
    from tiantou.accounts.models import Membership

    user = User.objects.create_user(username=username, password=PASSWORD, name=name)
    if role:
        Membership.objects.create(user=user, role=role, region=region)
    return user


@pytest.fixture
def regions(db):
    """Province → city → county → two townships → a village in each."""
    province = _region("370000000000", "山东省", Level.PROVINCE, RegionKind.PROVINCE)
    city = _region("371300000000", "临沂市", Level.CITY, RegionKind.CITY, province)
    county = _region(COUNTY, "沂南县", Level.COUNTY, RegionKind.COUNTY, city)
    a = _region(TOWNSHIP_A, "岸堤镇", Level.TOWNSHIP, RegionKind.TOWN, county)
    b = _region(TOWNSHIP_B, "孙祖镇", Level.TOWNSHIP, RegionKind.TOWN, county)
    _region(VILLAGE_A, "岸堤村", Level.VILLAGE, RegionKind.VILLAGE, a)
    _region(VILLAGE_B, "孙祖村", Level.VILLAGE, RegionKind.VILLAGE, b)
    return {"county": county, "a": a, "b": b}


@pytest.fixture
def county(regions):
    return regions["county"]


@pytest.fixture
def township_a(regions):
    return regions["a"]


@pytest.fixture
def township_b(regions):
    return regions["b"]


@pytest.fixture
def alice(regions):
    return _user("alice", "王爱丽", Role.TOWNSHIP_ADMIN, regions["a"])


@pytest.fixture
def bob(regions):
    return _user("bob", "李博", Role.COUNTY_ADMIN, regions["county"])


@pytest.fixture
def charlie(regions):
    return _user("charlie", "张查理", Role.TOWNSHIP_ADMIN, regions["b"])


@pytest.fixture
def dana(regions):
    return _user("dana", "赵丹", Role.VIEWER, regions["county"])


@pytest.fixture
def ming(regions):
    return _user("ming", "刘明", Role.CADRE, regions["a"])


@pytest.fixture
def client_for(client):
    """Log a user in on the test client: `client_for(alice).get(...)`."""

    def login(user):
        client.force_login(user)
        return client

    return login


# ---- dispatch programmes (issue 3) ----

ID_MING = "371321199001011232"  # a valid ID number (check character computed)


@pytest.fixture
def programme(bob, county):
    """The county's 科技副职 programme: 3-year terms, 副科级待遇, 150 元 a month."""
    from decimal import Decimal

    from tiantou.core.services import create_audited
    from tiantou.people.models import Programme

    return create_audited(
        actor=bob,
        obj=Programme(
            name="科技副职",
            kind="deputy",
            region=county,
            treatment_grade="副科级",
            salary_step_up=True,
            monthly_subsidy=Decimal("150"),
            reports_per_year=2,
            training_hours_per_year=40,
        ),
    )


@pytest.fixture
def home_unit(bob, county):
    from tiantou.regions.services import organisation_create

    return organisation_create(actor=bob, name="县农业农村局", kind="department", region=county)


@pytest.fixture
def person_ming(bob, county, ming, home_unit):
    """ming's entry in the county's register, linked to his login."""
    from tiantou.people.services import person_create

    return person_create(
        actor=bob,
        name="刘明",
        region=county,
        id_number=ID_MING,
        gender="M",
        title="农艺师",
        title_rank=2,
        home_unit=home_unit,
        user=ming,
    )


@pytest.fixture
def posting_ming(bob, person_ming, programme, township_a):
    """ming posted to township A as 科技副镇长 from 2025-03-01, active."""
    import datetime

    from tiantou.people.services import posting_activate, posting_create

    posting = posting_create(
        actor=bob,
        person=person_ming,
        programme=programme,
        host_region=township_a,
        starts_on=datetime.date(2025, 3, 1),
    )
    return posting_activate(actor=bob, posting=posting)
