"""Villages added by hand and region edits: rules, scope, versions and audit rows."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import TOWNSHIP_A, VILLAGE_A
from tiantou.core.audit import entries_for
from tiantou.core.models import AuditAction
from tiantou.regions import services
from tiantou.regions.choices import Level, RegionKind, RegionSource
from tiantou.regions.models import Region


def test_village_create_takes_the_next_free_code_and_audits(alice, township_a):
    village = services.village_create(actor=alice, township=township_a, name=" 新村 ")
    assert village.code == TOWNSHIP_A[:9] + "002"
    assert (village.name, village.level, village.source) == ("新村", Level.VILLAGE, "manual")
    assert village.parent_id == TOWNSHIP_A
    (entry,) = entries_for(village)
    assert (entry.actor, entry.action, entry.region_code) == (
        alice,
        AuditAction.CREATE,
        village.code,
    )


def test_village_create_with_a_code_and_kind(alice, township_a):
    village = services.village_create(
        actor=alice,
        township=township_a,
        name="东岸社区",
        code="371321101050",
        kind=RegionKind.COMMUNITY,
    )
    assert (village.code, village.kind) == ("371321101050", RegionKind.COMMUNITY)
    assert services.next_village_code(township_a) == "371321101051"


@pytest.mark.parametrize(
    "code",
    [
        "3713211010",  # not a code length
        "371321102005",  # another township's prefix
        "371321101000",  # the township itself
        VILLAGE_A,  # already used
    ],
)
def test_village_create_refuses_bad_codes(alice, township_a, code):
    before = Region.objects.count()
    with pytest.raises(ValidationError):
        services.village_create(actor=alice, township=township_a, name="新村", code=code)
    assert Region.objects.count() == before


def test_village_create_checks_scope_and_right(charlie, dana, ming, township_a):
    for user in (charlie, dana, ming):
        with pytest.raises(PermissionDenied):
            services.village_create(actor=user, township=township_a, name="新村")
    assert not Region.objects.filter(name="新村").exists()


def test_village_create_only_under_a_township(bob, county):
    with pytest.raises(ValidationError):
        services.village_create(actor=bob, township=county, name="新村")


def test_region_update_bumps_version_and_audits(alice, regions):
    village = Region.objects.get(code=VILLAGE_A)
    services.region_update(
        actor=alice, region=village, expected_version=1, name="岸堤新村", is_active=False
    )
    village.refresh_from_db()
    assert (village.name, village.is_active, village.version) == ("岸堤新村", False, 2)
    (entry,) = entries_for(village)
    assert entry.action == AuditAction.UPDATE
    assert ("name", "岸堤村", "岸堤新村") in entry.changes()


def test_region_update_refuses_a_stale_version(alice, bob, regions):
    village = Region.objects.get(code=VILLAGE_A)
    services.region_update(actor=bob, region=village, expected_version=1, name="博的名字")
    # alice's form was loaded at version 1, before bob saved.
    current = Region.objects.get(code=VILLAGE_A)
    with pytest.raises(ValidationError) as error:
        services.region_update(actor=alice, region=current, expected_version=1, name="爱丽的名字")
    assert error.value.code == "stale_version"
    village.refresh_from_db()
    assert (village.name, village.version) == ("博的名字", 2)
    assert entries_for(village).count() == 1


def test_region_update_without_change_writes_nothing(alice, regions):
    village = Region.objects.get(code=VILLAGE_A)
    services.region_update(actor=alice, region=village, expected_version=1, name="岸堤村")
    assert village.version == 1
    assert not entries_for(village).exists()


def test_region_update_checks_scope_and_fields(charlie, dana, alice, regions):
    village = Region.objects.get(code=VILLAGE_A)
    for user in (charlie, dana):
        with pytest.raises(PermissionDenied):
            services.region_update(actor=user, region=village, name="x")
    with pytest.raises(ValueError, match="code"):
        services.region_update(actor=alice, region=village, code="371321101009")
    assert Region.objects.get(code=VILLAGE_A).source == RegionSource.OFFICIAL
