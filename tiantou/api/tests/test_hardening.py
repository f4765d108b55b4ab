"""What the fuzzer found (issue 18): no input answers 500 or an HTML page."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from conftest import TOWNSHIP_A
from tiantou.accounts import services as account_services
from tiantou.api.schemas import BIGINT_MAX, PAGE_MAX
from tiantou.core.validators import NUL_MESSAGE
from tiantou.ledger.services import clean_measure
from tiantou.regions.services import organisation_create

API = "/api/v1"


def _client(user) -> Client:
    _token, raw = account_services.token_create(actor=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.fixture
def org_a(alice, township_a):
    return organisation_create(
        actor=alice,
        name="岸堤农技协",
        kind="association",
        region=township_a,
        phone="0539-1234567",
    )


@pytest.mark.parametrize(
    "path", ["/organisations/abc", "/organisations/null,null", "/no-such-thing", "/activities"]
)
def test_unknown_paths_answer_json_404(bob, path):
    response = _client(bob).get(API + path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert _has_chinese(response.json()["detail"])


@pytest.mark.parametrize("page", [PAGE_MAX + 1, 2**64])
def test_a_huge_page_is_refused_not_overflowed(bob, page):
    response = _client(bob).get(f"{API}/organisations/?page={page}")
    assert response.status_code == 422
    assert "page" in response.json()["errors"]


def test_a_page_beyond_the_last_is_empty(bob, org_a):
    response = _client(bob).get(f"{API}/organisations/?page={PAGE_MAX}")
    assert response.status_code == 200
    assert response.json() == {"items": [], "count": 1}


@pytest.mark.parametrize("pk", [BIGINT_MAX + 1, 10**30])
def test_a_huge_id_is_refused(bob, pk):
    assert _client(bob).get(f"{API}/organisations/{pk}").status_code == 422
    assert _client(bob).get(f"{API}/activities/?technology={pk}").status_code == 422


def test_the_schema_declares_the_bounds(client, db):
    document = client.get(f"{API}/openapi.json").json()
    operation = document["paths"][f"{API}/organisations/{{pk}}"]["get"]
    assert operation["parameters"][0]["schema"]["maximum"] == BIGINT_MAX
    assert {"400", "404", "422"} <= set(operation["responses"])


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/regions/?q=a%00b", None),
        ("get", "/regions/3713%00", None),
        ("post", "/organisations/", {"name": "a\x00b", "kind": "association"}),
    ],
)
def test_nul_is_refused_with_a_chinese_422(bob, method, path, body):
    client = _client(bob)
    if body is None:
        response = getattr(client, method)(API + path)
    else:
        response = client.post(API + path, json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert _has_chinese(response.json()["detail"])
    errors = response.json()["errors"]
    assert [str(NUL_MESSAGE)] in errors.values()


def test_nul_in_a_page_query_is_refused(client_for, bob):
    assert client_for(bob).get("/regions/?q=a%00b").status_code == 400


def test_null_clears_an_optional_text_in_a_patch(alice, org_a):
    response = _client(alice).patch(
        f"{API}/organisations/{org_a.pk}",
        json.dumps({"version": org_a.version, "phone": None, "notes": None}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["phone"] == ""


@pytest.mark.parametrize("field", ["name", "kind", "region_code", "association_type"])
def test_null_for_a_required_field_in_a_patch_is_refused(alice, org_a, field):
    response = _client(alice).patch(
        f"{API}/organisations/{org_a.pk}",
        json.dumps({"version": org_a.version, field: None}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert field in response.json()["errors"]


def test_a_huge_area_is_refused_by_the_schema(ming, posting_ming):
    body = {
        "activity_type": "training",
        "title": "果树修剪培训",
        "region_code": TOWNSHIP_A,
        "starts_on": "2026-01-05",
        "area_mu": 1e300,
        "technologies": [2**63],
    }
    response = _client(ming).post(
        f"{API}/activities/", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422
    assert {"area_mu", "technologies.0"} <= set(response.json()["errors"])


def test_the_service_compares_a_decimal_with_its_range_before_rounding():
    with pytest.raises(ValidationError) as caught:
        clean_measure("area_mu", "1e300", decimal=True)
    assert caught.value.code == "too_large"
