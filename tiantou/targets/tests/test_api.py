"""The target-sheet API: the sheets a user sees and a sheet's progress, whole or by share."""

import datetime as dt

import pytest

from conftest import TOWNSHIP_A, TOWNSHIP_B
from tiantou.accounts import services as account_services
from tiantou.indicators.tests.test_engine import activity
from tiantou.targets import services as targets

pytestmark = pytest.mark.django_db
YEAR = dt.date.today().year


@pytest.fixture
def records(regions):
    activity("training", TOWNSHIP_A, dt.date(YEAR, 1, 10), participants=30)
    activity("training", TOWNSHIP_A, dt.date(YEAR, 1, 11), participants=12)
    activity("training", TOWNSHIP_B, dt.date(YEAR, 1, 12), participants=7)


def _api(user):
    from django.test import Client

    _token, raw = account_services.token_create(actor=user, name="t")
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.fixture
def sheet(bob, township_a, township_b, records):
    county = township_a.parent
    sheet = targets.sheet_create(actor=bob, region=county, year=YEAR, title="目标")
    item = targets.item_create(
        actor=bob, sheet=sheet, name="举办科技培训", indicator="trainings", value=4
    )
    targets.splits_save(actor=bob, item=item, splits=[(township_a, 2, None), (township_b, 2, None)])
    return targets.sheet_issue(actor=bob, sheet=sheet)


def test_api_target_progress(bob, charlie, sheet):
    response = _api(bob).get(f"/api/v1/targets/{sheet.pk}/progress")
    assert response.status_code == 200
    item = response.json()["items"][0]
    assert item["as_written"] == "4期" and float(item["progress"]["actual"]) == 3
    assert float(item["progress"]["percent"]) == 75.0
    assert item["progress"]["records_url"].startswith("http://testserver/indicators/value/?")
    shares = {s["receiver"]: s["progress"] for s in item["shares"]}
    assert float(shares["岸堤镇"]["actual"]) == 2 and shares["岸堤镇"]["status"] == "reached"
    assert float(shares["孙祖镇"]["actual"]) == 1
    assert [s["id"] for s in _api(bob).get("/api/v1/targets/").json()] == [sheet.pk]
    # A township receiving shares of the county's issued sheet sees its own share only.
    own = _api(charlie).get(f"/api/v1/targets/{sheet.pk}/progress").json()
    assert [s["receiver"] for s in own["items"][0]["shares"]] == ["孙祖镇"]
