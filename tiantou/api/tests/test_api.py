import json

import pytest
from django.test import Client
from django.utils import translation

from tiantou.accounts import services
from tiantou.regions.services import organisation_create

API = "/api/v1"


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _token_client(user) -> Client:
    _token, raw = services.token_create(actor=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.fixture
def org_a(alice, township_a):
    return organisation_create(
        actor=alice, name="岸堤农技协", kind="association", region=township_a
    )


def test_openapi_document_is_json_with_paths(client, db):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    assert {f"{API}/regions/", f"{API}/organisations/", f"{API}/me"} <= set(document["paths"])


def test_docs_page_uses_no_cdn(client, db):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()


def test_it_needs_authentication(client, db):
    response = client.get(f"{API}/me")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(response.content)["detail"]


def test_token_auth_works(ming):
    response = _token_client(ming).get(f"{API}/me")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "ming"
    assert body["memberships"][0]["role"] == "cadre"
    assert "regions.view_region" in body["permissions"]


def test_session_auth_works(client_for, bob):
    response = client_for(bob).get(f"{API}/me")
    assert response.status_code == 200
    assert response.json()["username"] == "bob"


def test_session_post_needs_csrf(bob, county):
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    response = client.post(
        f"{API}/organisations/",
        {"name": "x", "kind": "enterprise", "region_code": county.code},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_revoked_token_gets_401_json(ming):
    token, raw = services.token_create(actor=ming, name="old")
    services.token_revoke(actor=ming, token=token)
    response = Client(headers={"Authorization": f"Bearer {raw}"}).get(f"{API}/me")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    detail = response.json()["detail"]
    with translation.override("zh-hans"):
        expected = translation.gettext(
            "Log in first, or send a valid personal token as "
            "“Authorization: Bearer <token>”. Revoked tokens no longer work."
        )
    assert detail == expected
    assert _has_chinese(detail)


def test_region_list_and_detail(alice, township_a):
    client = _token_client(alice)
    top = client.get(f"{API}/regions/").json()
    assert [r["code"] for r in top["items"]] == [township_a.code]
    children = client.get(f"{API}/regions/", {"parent": township_a.code}).json()
    assert [r["name"] for r in children["items"]] == ["岸堤村"]
    assert children["count"] == 1
    found = client.get(f"{API}/regions/", {"q": "岸堤"}).json()
    assert found["count"] == 2
    detail = client.get(f"{API}/regions/{township_a.code}").json()
    assert detail["parent_code"] == "371321000000"


def test_charlie_gets_404_on_township_a(charlie, township_a, org_a):
    client = _token_client(charlie)
    response = client.get(f"{API}/regions/{township_a.code}")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert client.get(f"{API}/regions/", {"parent": township_a.code}).status_code == 404
    assert client.get(f"{API}/organisations/{org_a.pk}").status_code == 404
    response = client.patch(
        f"{API}/organisations/{org_a.pk}",
        {"version": 1, "name": "x"},
        content_type="application/json",
    )
    assert response.status_code == 404
    listed = client.get(f"{API}/organisations/").json()
    assert listed["count"] == 0


def test_organisation_list_uses_the_filterset(bob, township_a, township_b, alice, charlie):
    organisation_create(actor=alice, name="岸堤合作社", kind="cooperative", region=township_a)
    organisation_create(actor=charlie, name="孙祖中学", kind="school", region=township_b)
    client = _token_client(bob)
    body = client.get(f"{API}/organisations/").json()
    assert body["count"] == 2
    body = client.get(f"{API}/organisations/", {"kind": "school"}).json()
    assert [o["name"] for o in body["items"]] == ["孙祖中学"]
    body = client.get(f"{API}/organisations/", {"q": "合作"}).json()
    assert body["count"] == 1


def test_organisation_list_filters_by_region(bob, township_a, township_b, alice, charlie):
    organisation_create(actor=alice, name="岸堤合作社", kind="cooperative", region=township_a)
    organisation_create(actor=charlie, name="孙祖中学", kind="school", region=township_b)
    response = _token_client(bob).get(f"{API}/organisations/", {"region": township_a.code})
    assert response.status_code == 200
    assert [o["region_name"] for o in response.json()["items"]] == ["岸堤镇"]


def test_organisation_list_bad_filter_is_422(alice, township_b):
    response = _token_client(alice).get(f"{API}/organisations/", {"region": township_b.code})
    assert response.status_code == 422
    assert "region" in response.json()["errors"]


def test_organisation_list_query_count_does_not_grow(
    bob, township_a, alice, django_assert_max_num_queries
):
    client = _token_client(bob)
    for n in range(3):
        organisation_create(actor=alice, name=f"企业{n}", kind="enterprise", region=township_a)
    with django_assert_max_num_queries(6) as ctx:
        client.get(f"{API}/organisations/")
    few = len(ctx.captured_queries)
    for n in range(3, 20):
        organisation_create(actor=alice, name=f"企业{n}", kind="enterprise", region=township_a)
    with django_assert_max_num_queries(few):
        assert client.get(f"{API}/organisations/").json()["count"] == 20


def test_dana_cannot_create(dana, county):
    response = _token_client(dana).post(
        f"{API}/organisations/",
        {"name": "县农业局", "kind": "department", "region_code": county.code},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["detail"]


def test_alice_creates_organisation(alice, township_a):
    response = _token_client(alice).post(
        f"{API}/organisations/",
        {"name": "岸堤合作社", "kind": "cooperative", "region_code": township_a.code},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["region_code"] == township_a.code
    assert body["version"] == 1


def test_alice_cannot_create_in_township_b(alice, township_b):
    response = _token_client(alice).post(
        f"{API}/organisations/",
        {"name": "孙祖合作社", "kind": "cooperative", "region_code": township_b.code},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "region_code" in response.json()["errors"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": "x", "kind": "spaceship", "region_code": "371321101000"},
        {"name": "", "kind": "enterprise", "region_code": "371321101000"},
        {"name": "x", "kind": "enterprise", "region_code": "371321101000", "parent_id": "a"},
        {"name": "x", "kind": "enterprise", "region_code": "371321101000", "credit_code": "1"},
        ["not", "an", "object"],
    ],
)
def test_bad_body_is_422_json(alice, township_a, body):
    response = _token_client(alice).post(
        f"{API}/organisations/", body, content_type="application/json"
    )
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")
    payload = response.json()
    assert payload["detail"] and payload["errors"]


def test_invalid_json_is_422(alice, township_a):
    response = _token_client(alice).post(
        f"{API}/organisations/", "{not json", content_type="application/json"
    )
    assert response.status_code in (400, 422)
    assert response["Content-Type"].startswith("application/json")


def test_patch_with_version_and_conflict(alice, org_a):
    client = _token_client(alice)
    url = f"{API}/organisations/{org_a.pk}"
    response = client.patch(
        url, {"version": 1, "phone": "0539-1234567"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["version"] == 2
    stale = client.patch(url, {"version": 1, "phone": "0"}, content_type="application/json")
    assert stale.status_code == 409
    assert stale.json()["detail"]
    missing = client.patch(url, {"phone": "0"}, content_type="application/json")
    assert missing.status_code == 422
    assert "version" in missing.json()["errors"]


def test_dana_cannot_patch(dana, org_a):
    response = _token_client(dana).patch(
        f"{API}/organisations/{org_a.pk}",
        {"version": 1, "name": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_unknown_organisation_is_404_json(alice, db):
    response = _token_client(alice).get(f"{API}/organisations/999999")
    assert response.status_code == 404
    assert response.json()["detail"]
