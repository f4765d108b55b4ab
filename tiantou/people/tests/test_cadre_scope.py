"""Issue 18 (5): a dispatched cadre sees their own person, postings and work, not their
township peers'; the pages and the API answer alike because they read one selector."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tiantou.accounts import services as account_services
from tiantou.accounts.models import Membership, User
from tiantou.accounts.roles import Role
from tiantou.ledger import services as ledger_services
from tiantou.ledger.models import Activity, ActivityType
from tiantou.people import services
from tiantou.people.models import Person, Posting

pytestmark = pytest.mark.django_db
YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)
ID_LEI = "371321198505050014"


@pytest.fixture
def lei(regions):
    """Another dispatched cadre in township A, ming's peer."""
    user = User.objects.create_user(username="lei", password="x-Tiantou-2026", name="王磊")
    Membership.objects.create(user=user, role=Role.CADRE, region=regions["a"])
    return user


@pytest.fixture
def posting_lei(bob, lei, county, township_a, programme, home_unit):
    from tiantou.core.validators import id_check_char

    person = services.person_create(
        actor=bob,
        name="王磊",
        region=county,
        id_number=ID_LEI[:17] + id_check_char(ID_LEI[:17]),
        phone="13955556666",
        home_unit=home_unit,
        user=lei,
    )
    posting = services.posting_create(
        actor=bob,
        person=person,
        programme=programme,
        host_region=township_a,
        starts_on=datetime.date(2025, 3, 1),
    )
    return services.posting_activate(actor=bob, posting=posting)


def _activity(actor, region, posting=None, title="培训", organisation=None) -> Activity:
    activity, _ = ledger_services.activity_create(
        actor=actor,
        activity_type=ActivityType.objects.get(key="training"),
        title=title,
        region=region,
        starts_on=YESTERDAY,
        posting=posting,
        organisation=organisation,
        participants=20,
        submit=True,
    )
    return activity


@pytest.fixture
def records(ming, lei, alice, posting_ming, posting_lei, township_a):
    from tiantou.regions.services import organisation_create

    station = organisation_create(
        actor=alice, name="岸堤镇农技站", kind="department", region=township_a
    )
    return {
        "own_activity": _activity(ming, township_a, posting_ming, "刘明的培训"),
        "peer_activity": _activity(lei, township_a, posting_lei, "王磊的培训"),
        "township_activity": _activity(alice, township_a, None, "乡镇的培训", station),
    }


def _api(user) -> Client:
    _token, raw = account_services.token_create(actor=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_a_cadre_gets_404_on_a_peers_person_posting_and_activity(
    client_for, ming, posting_lei, records
):
    web, api = client_for(ming), _api(ming)
    peer_activity = records["peer_activity"]
    for url in (
        reverse("people:person_detail", args=[posting_lei.person_id]),
        reverse("people:posting_detail", args=[posting_lei.pk]),
        reverse("ledger:activity_detail", args=[peer_activity.pk]),
        reverse("ledger:activity_detail", args=[records["township_activity"].pk]),
    ):
        assert web.get(url).status_code == 404, url
    for url in (
        f"/api/v1/people/{posting_lei.person_id}",
        f"/api/v1/postings/{posting_lei.pk}",
        f"/api/v1/activities/{peer_activity.pk}",
        f"/api/v1/activities/{records['township_activity'].pk}",
    ):
        assert api.get(url).status_code == 404, url


def test_a_cadre_sees_their_own_person_posting_and_work(client_for, ming, posting_ming, records):
    web, api = client_for(ming), _api(ming)
    own = records["own_activity"]
    for url in (
        reverse("people:person_detail", args=[posting_ming.person_id]),
        reverse("people:posting_detail", args=[posting_ming.pk]),
        reverse("ledger:activity_detail", args=[own.pk]),
        reverse("people:my_postings"),
    ):
        assert web.get(url).status_code == 200, url
    for url in (
        f"/api/v1/people/{posting_ming.person_id}",
        f"/api/v1/postings/{posting_ming.pk}",
        f"/api/v1/activities/{own.pk}",
    ):
        assert api.get(url).status_code == 200, url


def test_a_cadres_lists_hold_only_their_own(client_for, ming, posting_ming, posting_lei, records):
    api = _api(ming)
    postings = api.get("/api/v1/postings/").json()["items"]
    assert [p["id"] for p in postings] == [posting_ming.pk]  # no peer's subsidy
    roster = client_for(ming).get(reverse("people:roster")).content.decode()
    assert "王磊" not in roster and "刘明" in roster
    activities = api.get("/api/v1/activities/", {"status": "submitted"}).json()["items"]
    assert [a["id"] for a in activities] == [records["own_activity"].pk]
    assert list(Activity.objects.visible_to(ming)) == [records["own_activity"]]
    assert list(Person.objects.visible_to(ming)) == [posting_ming.person]
    assert list(Posting.objects.visible_to(ming)) == [posting_ming]


def test_the_township_admin_still_sees_every_cadre_and_activity(alice, posting_lei, records):
    assert Posting.objects.visible_to(alice).count() == 2
    assert Activity.objects.visible_to(alice).count() == 3


def test_a_role_without_the_right_gets_403_on_page_and_api_alike(
    client_for, home_unit, posting_ming
):
    # An enterprise filer of the home unit sees the unit's people in scope but may not
    # read the register: the page refuses as the API does.
    filer = User.objects.create_user(username="firm", password="x-Tiantou-2026")
    Membership.objects.create(user=filer, role=Role.ENTERPRISE, organisation=home_unit)
    url = reverse("people:person_detail", args=[posting_ming.person_id])
    assert client_for(filer).get(url).status_code == 403
    assert _api(filer).get(f"/api/v1/people/{posting_ming.person_id}").status_code == 403
