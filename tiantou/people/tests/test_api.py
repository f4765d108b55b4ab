"""The people and postings API: scoped reads, masked ID numbers, recall through the service."""

import json

import pytest
from django.test import Client

from conftest import ID_MING, TOWNSHIP_A, TOWNSHIP_B
from tiantou.accounts import services as account_services
from tiantou.people.choices import PostingStatus
from tiantou.people.models import Posting

API = "/api/v1"
pytestmark = pytest.mark.django_db


def api_client(user) -> Client:
    _token, raw = account_services.token_create(actor=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_the_endpoints_are_in_the_openapi_document(client):
    document = json.loads(client.get(f"{API}/openapi.json").content)
    paths = set(document["paths"])
    assert {
        f"{API}/people/",
        f"{API}/people/{{pk}}",
        f"{API}/postings/",
        f"{API}/postings/{{pk}}",
        f"{API}/postings/{{pk}}/recall",
    } <= paths
    person = document["components"]["schemas"]["PersonDetailOut"]["properties"]
    assert "id_number" in person and "id_number_masked" in person
    assert not {"id_number_encrypted", "id_number_digest"} & set(person)
    assert (
        "subsidy_owed_total" in document["components"]["schemas"]["PostingDetailOut"]["properties"]
    )


def test_bob_sees_the_full_id_number_and_alice_the_masked_one(posting_ming, bob, alice):
    pk = posting_ming.person_id
    full = api_client(bob).get(f"{API}/people/{pk}").json()
    assert full["id_number"] == ID_MING and full["id_number_is_full"] is True
    masked = api_client(alice).get(f"{API}/people/{pk}").json()
    assert masked["id_number"] == masked["id_number_masked"] != ID_MING
    assert masked["id_number"] == "**************1232"
    assert masked["id_number_is_full"] is False
    for body in (full, masked):
        assert not {"id_number_encrypted", "id_number_digest"} & set(body)


def test_lists_never_carry_the_full_id_number(posting_ming, bob):
    response = api_client(bob).get(f"{API}/people/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert ID_MING not in response.content.decode()
    assert body["items"][0]["home_unit_name"] == "县农业农村局"


def test_people_filters(posting_ming, bob):
    client = api_client(bob)
    assert client.get(f"{API}/people/", {"q": "刘"}).json()["count"] == 1
    assert client.get(f"{API}/people/", {"q": "王"}).json()["count"] == 0
    programme = posting_ming.programme_id
    assert client.get(f"{API}/people/", {"programme": programme}).json()["count"] == 1
    assert client.get(f"{API}/people/", {"programme": programme + 99}).json()["count"] == 0
    assert client.get(f"{API}/people/", {"township": TOWNSHIP_A}).json()["count"] == 1
    assert client.get(f"{API}/people/", {"township": TOWNSHIP_B}).json()["count"] == 0
    bad = client.get(f"{API}/people/", {"township": "abc"})
    assert bad.status_code == 422 and _has_chinese(bad.json()["detail"])


def test_posting_list_filters_by_effective_status_township_programme_and_person(posting_ming, bob):
    client = api_client(bob)
    items = client.get(f"{API}/postings/").json()["items"]
    assert [i["id"] for i in items] == [posting_ming.pk]
    assert items[0]["effective_status"] == "active" and items[0]["title"] == "科技副镇长"
    for params, count in (
        ({"status": "active"}, 1),
        ({"status": "completed"}, 0),
        ({"township": TOWNSHIP_A}, 1),
        ({"township": TOWNSHIP_B}, 0),
        ({"programme": posting_ming.programme_id}, 1),
        ({"person": posting_ming.person_id}, 1),
        ({"person": posting_ming.person_id + 99}, 0),
    ):
        assert client.get(f"{API}/postings/", params).json()["count"] == count, params
    assert client.get(f"{API}/postings/", {"status": "nonsense"}).status_code == 422


def test_posting_detail_has_events_and_the_subsidy_owed(posting_ming, bob):
    body = api_client(bob).get(f"{API}/postings/{posting_ming.pk}").json()
    assert [e["kind"] for e in body["events"]] == ["created", "activated"]
    assert float(body["subsidy_owed_total"]) > 0
    assert body["subsidy_owed"][0] == {"month": "2025-03-01", "amount": "150.00"}


def test_charlie_gets_404_everywhere(posting_ming, charlie):
    client = api_client(charlie)
    pk, person = posting_ming.pk, posting_ming.person_id
    assert client.get(f"{API}/people/{person}").status_code == 404
    assert client.get(f"{API}/postings/{pk}").status_code == 404
    recall = client.post(
        f"{API}/postings/{pk}/recall", {"reason": "x"}, content_type="application/json"
    )
    assert recall.status_code == 404 and _has_chinese(recall.json()["detail"])
    assert client.get(f"{API}/people/").json()["count"] == 0
    assert client.get(f"{API}/postings/").json()["count"] == 0


def test_dana_may_read_but_gets_403_on_recall(posting_ming, dana):
    client = api_client(dana)
    assert client.get(f"{API}/postings/{posting_ming.pk}").status_code == 200
    response = client.post(
        f"{API}/postings/{posting_ming.pk}/recall",
        {"reason": "考核不合格"},
        content_type="application/json",
    )
    assert response.status_code == 403 and _has_chinese(response.json()["detail"])
    posting_ming.refresh_from_db()
    assert posting_ming.status == PostingStatus.ACTIVE


def test_bob_recalls_through_the_service(posting_ming, bob):
    client = api_client(bob)
    url = f"{API}/postings/{posting_ming.pk}/recall"
    missing = client.post(url, {}, content_type="application/json")
    assert missing.status_code == 422 and "reason" in missing.json()["errors"]
    response = client.post(
        url, {"reason": "工作调动", "on": "2026-01-15"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == body["effective_status"] == "recalled"
    assert body["ended_on"] == "2026-01-15"
    assert body["events"][-1]["kind"] == "recalled" and body["events"][-1]["note"] == "工作调动"
    assert Posting.objects.get().status == PostingStatus.RECALLED
    again = client.post(url, {"reason": "再次"}, content_type="application/json")
    assert again.status_code == 422 and _has_chinese(again.json()["detail"])


def test_ming_sees_his_own_posting_and_record(posting_ming, ming):
    client = api_client(ming)
    assert client.get(f"{API}/postings/{posting_ming.pk}").status_code == 200
    me = client.get(f"{API}/people/{posting_ming.person_id}")
    assert me.status_code == 200 and me.json()["id_number_is_full"] is False
    # A cadre has no right to list the register.
    assert client.get(f"{API}/people/").status_code == 403


def test_list_query_count_does_not_grow_with_rows(posting_ming, bob, django_assert_max_num_queries):
    client = api_client(bob)
    client.get(f"{API}/postings/")
    with django_assert_max_num_queries(12):
        assert client.get(f"{API}/postings/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(f"{API}/people/").status_code == 200
