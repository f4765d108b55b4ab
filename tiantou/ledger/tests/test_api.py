"""The ledger API: idempotent create, list with the page's filters, confirm, reject, scope."""

import datetime
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import TOWNSHIP_A, TOWNSHIP_B
from tiantou.accounts import services as account_services
from tiantou.ledger import services
from tiantou.ledger.models import Activity, ActivityType, Technology

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)
BASE = "/api/v1/activities/"


def _client(user) -> Client:
    _token, raw = account_services.token_create(actor=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _body(posting, **values):
    body = {
        "uuid": str(uuid.uuid4()),
        "activity_type": "training",
        "title": "果树修剪培训",
        "region_code": TOWNSHIP_A,
        "starts_on": YESTERDAY.isoformat(),
        "posting_id": posting.pk,
        "participants": 35,
        "technologies": [Technology.objects.get(name="果树高接换优技术").pk],
        "submit": True,
    }
    body |= values
    return body


@pytest.fixture
def submitted(ming, posting_ming, township_a):
    activity, _ = services.activity_create(
        actor=ming,
        activity_type=ActivityType.objects.get(key="training"),
        title="已提交",
        region=township_a,
        starts_on=YESTERDAY,
        posting=posting_ming,
        participants=12,
        submit=True,
    )
    return activity


def test_create_is_idempotent_on_the_client_uuid(ming, posting_ming):
    client = _client(ming)
    body = _body(posting_ming)
    first = client.post(BASE, body, content_type="application/json")
    assert first.status_code == 201, first.json()
    data = first.json()
    assert data["uuid"] == body["uuid"] and data["status"] == "submitted"
    assert data["technologies"] == ["果树高接换优技术"] and data["cadre_name"] == "刘明"
    again = client.post(BASE, body | {"title": "改了"}, content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == data["id"]
    assert Activity.objects.count() == 1 and Activity.objects.get().title == "果树修剪培训"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"participants": -3}, "participants"),
        ({"participants": "很多"}, "participants"),
        ({"starts_on": "2999-01-01"}, "starts_on"),
        ({"ends_on": "2000-01-01"}, "ends_on"),
        ({"activity_type": "nope"}, "activity_type"),
        ({"region_code": TOWNSHIP_B}, "region_code"),
        ({"area_mu": 3}, "area_mu"),
    ],
)
def test_create_refuses_bad_values_in_chinese_json(ming, posting_ming, values, field):
    response = _client(ming).post(
        BASE, _body(posting_ming, **values), content_type="application/json"
    )
    assert response.status_code == 422
    body = response.json()
    assert field in body["errors"], body
    assert Activity.objects.count() == 0


def test_list_uses_the_page_filters_and_counts_confirmed_by_default(alice, submitted):
    client = _client(alice)
    assert client.get(BASE).json() == {"items": [], "count": 0, "count_capped": False}
    listed = client.get(BASE, {"status": "submitted"}).json()
    assert [item["id"] for item in listed["items"]] == [submitted.pk]
    bad = client.get(BASE, {"month": "2026-13"})
    assert bad.status_code == 422 and "month" in bad.json()["errors"]


def _confirmed_rows(n, *, creator, region, technology=None):
    kind = ActivityType.objects.get(key="training")
    made = Activity.objects.bulk_create(
        Activity(
            activity_type=kind,
            title=f"记录{i}",
            region=region,
            starts_on=YESTERDAY - datetime.timedelta(days=i),
            status="confirmed",
            participants=i,
            created_by=creator,
        )
        for i in range(n)
    )
    if technology is not None:
        for activity in Activity.objects.filter(pk__in=[a.pk for a in made]):
            activity.technologies.add(technology)
    return made


def test_list_pages_newest_first_and_caps_its_count(alice, township_a, monkeypatch):
    from tiantou.ledger import api

    _confirmed_rows(5, creator=alice, region=township_a)
    client = _client(alice)
    first = client.get(BASE, {"page_size": 2}).json()
    assert first["count"] == 5 and first["count_capped"] is False
    assert [item["title"] for item in first["items"]] == ["记录0", "记录1"]
    third = client.get(BASE, {"page_size": 2, "page": 3}).json()
    assert [item["title"] for item in third["items"]] == ["记录4"]
    monkeypatch.setattr(api, "COUNT_LIMIT", 3)
    capped = client.get(BASE, {"page_size": 2, "page": 2}).json()
    assert capped["count"] == 3 and capped["count_capped"] is True
    # Pages beyond the counted rows are still served.
    assert [item["title"] for item in capped["items"]] == ["记录2", "记录3"]


def test_list_query_count_does_not_depend_on_rows(alice, township_a):
    technology = Technology.objects.get(name="果树高接换优技术")
    _confirmed_rows(2, creator=alice, region=township_a, technology=technology)
    client = _client(alice)
    client.get(BASE)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(BASE).json()["items"]) == 2
    _confirmed_rows(120, creator=alice, region=township_a, technology=technology)
    with CaptureQueriesContext(connection) as many:
        items = client.get(BASE).json()["items"]
    assert len(items) == 100 and items[0]["technologies"] == ["果树高接换优技术"]
    assert len(many) == len(few)


def test_confirm_and_reject(alice, submitted, ming, posting_ming, township_a):
    client = _client(alice)
    confirmed = client.post(f"{BASE}{submitted.pk}/confirm")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    assert client.post(f"{BASE}{submitted.pk}/confirm").status_code == 422
    other, _ = services.activity_create(
        actor=ming,
        activity_type=ActivityType.objects.get(key="training"),
        title="待退回",
        region=township_a,
        starts_on=YESTERDAY,
        posting=posting_ming,
        participants=5,
        submit=True,
    )
    no_reason = client.post(
        f"{BASE}{other.pk}/reject", {"reason": ""}, content_type="application/json"
    )
    assert no_reason.status_code == 422
    rejected = client.post(
        f"{BASE}{other.pk}/reject", {"reason": "照片不清楚"}, content_type="application/json"
    )
    assert rejected.status_code == 200 and rejected.json()["status_reason"] == "照片不清楚"


def test_it_checks_access(submitted, charlie, dana, posting_ming):
    for user, status in ((charlie, 404), (dana, 403)):
        client = _client(user)
        assert client.post(f"{BASE}{submitted.pk}/confirm").status_code == status
        assert (
            client.post(
                f"{BASE}{submitted.pk}/reject", {"reason": "x"}, content_type="application/json"
            ).status_code
            == status
        )
    assert _client(charlie).get(f"{BASE}{submitted.pk}").status_code == 404
    assert _client(dana).get(f"{BASE}{submitted.pk}").status_code == 200
    created = _client(dana).post(BASE, _body(posting_ming), content_type="application/json")
    assert created.status_code == 403
    assert Client().get(BASE).status_code == 401
