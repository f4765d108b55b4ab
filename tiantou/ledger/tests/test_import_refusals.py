"""Every refusal of `activity_create` is also the ledger import's, with the same message.

Each case builds what the service is given and the sheet row that says the same thing,
runs both, and expects the service's message among the row's errors.
"""

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B
from tiantou.ledger import services
from tiantou.ledger.importers import activity_import
from tiantou.ledger.models import Activity, ActivityType, Technology
from tiantou.regions.models import Organisation, Region
from tiantou.regions.services import organisation_create

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)
TOMORROW = TODAY + datetime.timedelta(days=1)


def _service_messages(actor, **given) -> list[str]:
    arguments: dict[str, Any] = {
        "activity_type": ActivityType.objects.get(key="training"),
        "title": "蔬菜栽培技术培训",
        "region": Region.objects.get(code=TOWNSHIP_A),
        "starts_on": YESTERDAY,
        "posting": None,
        "organisation": Organisation.objects.get(name="示范合作社"),
        "participants": 40,
    }
    arguments |= given
    with pytest.raises(ValidationError) as refused:
        services.activity_create(actor=actor, **arguments)
    return refused.value.messages


def _import_messages(actor, **cells) -> list[str]:
    row = {
        "activity_type": "科技培训",
        "title": "蔬菜栽培技术培训",
        "region": TOWNSHIP_A,
        "starts_on": YESTERDAY,
        "organisation": "示范合作社",
        "participants": 40,
    }
    row |= cells
    result = activity_import(actor=actor, rows=[row], dry_run=True)
    assert not result.ok
    return [error.message for error in result.errors]


@pytest.fixture
def units(bob, township_a, township_b):
    organisation_create(actor=bob, name="示范合作社", kind="cooperative", region=township_a)
    organisation_create(actor=bob, name="外乡合作社", kind="cooperative", region=township_b)


def _same(service: list[str], imported: list[str]) -> None:
    assert service, "the service must refuse"
    for message in service:
        assert message in imported, (message, imported)


def test_the_fixture_row_is_accepted(alice, units):
    result = activity_import(
        actor=alice,
        rows=[
            {
                "activity_type": "科技培训",
                "title": "培训",
                "region": TOWNSHIP_A,
                "starts_on": YESTERDAY,
                "organisation": "示范合作社",
                "participants": 40,
            }
        ],
        dry_run=True,
    )
    assert result.ok, [str(e) for e in result.errors]


def test_a_place_above_township(bob, units):
    county = Region.objects.get(code=COUNTY)
    _same(_service_messages(bob, region=county), _import_messages(bob, region=COUNTY))


def test_a_date_in_the_future(alice, units):
    _same(_service_messages(alice, starts_on=TOMORROW), _import_messages(alice, starts_on=TOMORROW))


def test_an_end_before_the_start(alice, units):
    before = YESTERDAY - datetime.timedelta(days=1)
    _same(
        _service_messages(alice, ends_on=before),
        _import_messages(alice, ends_on=before),
    )


def test_an_end_in_the_future(alice, units):
    _same(_service_messages(alice, ends_on=TOMORROW), _import_messages(alice, ends_on=TOMORROW))


def test_no_organiser(alice, units):
    _same(
        _service_messages(alice, organisation=None),
        _import_messages(alice, organisation=""),
    )


def test_a_unit_outside_the_area(alice, units):
    outside = Organisation.objects.get(name="外乡合作社")
    _same(
        _service_messages(alice, organisation=outside),
        _import_messages(alice, organisation="外乡合作社"),
    )


def test_a_type_no_longer_in_use(alice, units):
    ActivityType.objects.filter(key="training").update(is_active=False)
    _same(_service_messages(alice), _import_messages(alice))


@pytest.mark.parametrize("participants", [-1, 2_147_483_648])
def test_a_count_out_of_range(alice, units, participants):
    _same(
        _service_messages(alice, participants=participants),
        _import_messages(alice, participants=participants),
    )


def test_a_measure_the_type_does_not_record(alice, units):
    _same(
        _service_messages(alice, area_mu=3),
        _import_messages(alice, area_mu=3),
    )


def test_a_required_measure_missing(alice, units):
    _same(
        _service_messages(alice, participants=None),
        _import_messages(alice, participants=None),
    )


def test_technologies_on_a_type_that_records_none(alice, units):
    technology = Technology.objects.filter(is_active=True).first()
    assert technology is not None
    consultation = ActivityType.objects.get(key="consultation")
    _same(
        _service_messages(
            alice,
            activity_type=consultation,
            participants=None,
            consultations=3,
            technologies=[technology],
        ),
        _import_messages(
            alice,
            activity_type="科技咨询",
            participants=None,
            consultations=3,
            technologies=[technology.name],
        ),
    )


def test_a_technology_no_longer_in_the_catalogue(alice, units):
    technology = Technology.objects.filter(is_active=True).first()
    assert technology is not None
    Technology.objects.filter(pk=technology.pk).update(is_active=False)
    technology.refresh_from_db()
    _same(
        _service_messages(alice, technologies=[technology]),
        _import_messages(alice, technologies=[technology.name]),
    )


def test_someone_elses_posting_without_the_confirm_right(alice, posting_ming, units, monkeypatch):
    real = services.has_perm
    monkeypatch.setattr(
        services,
        "has_perm",
        lambda user, perm, obj=None: perm != "ledger.confirm_activity" and real(user, perm, obj),
    )
    _same(
        _service_messages(alice, posting=posting_ming),
        _import_messages(alice, posting_name="刘明"),
    )
    assert not Activity.objects.exists()


def test_a_township_outside_the_area_is_refused_by_both(alice, units):
    # The service answers 403, the import a row error.
    with pytest.raises(PermissionDenied):
        _service_messages(alice, region=Region.objects.get(code=TOWNSHIP_B))
    assert _import_messages(alice, region=TOWNSHIP_B)
