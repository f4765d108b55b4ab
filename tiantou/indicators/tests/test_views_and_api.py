"""The indicator pages, the dashboard's figures and the API: values, provenance, scope."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B
from tiantou.accounts import services as account_services
from tiantou.indicators.tests.test_engine import activity
from tiantou.ledger.models import Activity

pytestmark = pytest.mark.django_db
YEAR = dt.date.today().year


@pytest.fixture
def records(regions):
    activity("training", TOWNSHIP_A, dt.date(YEAR, 1, 10), participants=30)
    activity("training", TOWNSHIP_A, dt.date(YEAR, 1, 11), participants=12)
    activity("training", TOWNSHIP_B, dt.date(YEAR, 1, 12), participants=7)
    activity("training", TOWNSHIP_B, dt.date(YEAR - 1, 1, 12), participants=20)
    activity("training", TOWNSHIP_A, dt.date(YEAR, 1, 13), status="submitted", participants=99)


def test_overview_shows_every_indicator_with_children(client_for, bob, records):
    response = client_for(bob).get(reverse("indicators:overview"), {"by": "children"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="value-trainees">49<' in page
    assert "岸堤镇" in page and "孙祖镇" in page
    assert "+145.0%" in page  # 49 against 20 last year


def test_value_page_lists_the_records_behind_the_number(client_for, bob, records):
    url = reverse("indicators:value")
    response = client_for(bob).get(
        url, {"indicator": "trainings", "region": TOWNSHIP_A, "period": str(YEAR)}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="value-number">2<' in page
    for record in Activity.objects.filter(region_id=TOWNSHIP_A, status="confirmed"):
        assert reverse("ledger:activity_detail", args=[record.pk]) in page
    assert "999" not in page.split('data-testid="value-records"')[1]  # the submitted one


def test_every_overview_number_opens_a_page_with_the_same_number(client_for, bob, records):
    client = client_for(bob)
    overview = client.get(reverse("indicators:overview"), {"by": "children"})
    rows = {row["indicator"].key: row for row in overview.context["rows"]}
    cell = rows["trainings"]["cells"][0]  # first township
    response = client.get(cell.url)
    assert response.status_code == 200
    assert response.context["value"].number == cell.number


def test_a_neighbouring_township_gets_404(client_for, charlie, records):
    client = client_for(charlie)
    for region in (TOWNSHIP_A, COUNTY):
        assert client.get(reverse("indicators:overview"), {"region": region}).status_code == 404
        response = client.get(
            reverse("indicators:value"), {"indicator": "trainings", "region": region}
        )
        assert response.status_code == 404
    own = client.get(reverse("indicators:overview"))
    assert own.status_code == 200 and own.context["scope"].region.code == TOWNSHIP_B


def test_a_cadre_may_not_see_indicators(client_for, ming, records):
    assert client_for(ming).get(reverse("indicators:overview")).status_code == 403


def test_bad_input_gets_a_chinese_message_or_404(client_for, bob, records):
    client = client_for(bob)
    response = client.get(reverse("indicators:overview"), {"period": "去年"})
    assert response.status_code == 200
    assert "不是期间" in response.content.decode()
    assert client.get(reverse("indicators:value"), {"indicator": "nope"}).status_code == 404
    assert client.get(reverse("indicators:overview"), {"region": "12ab"}).status_code == 404


def test_dashboard_shows_cards_and_charts_in_constant_queries(client_for, bob, records):
    client = client_for(bob)
    response = client.get(reverse("web:dashboard"))
    page = response.content.decode()
    assert 'data-testid="card-trainees">49<' in page
    assert 'id="trend-data"' in page and 'id="compare-data"' in page
    trainees = response.context["figures"]["trend"]["series"][1]
    assert trainees["this_year"][0] == 49 and trainees["last_year"][0] == 20
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("web:dashboard"))
    for n in range(20):
        activity("training", TOWNSHIP_B, dt.date(YEAR, 2, 1 + n), participants=n)
    with CaptureQueriesContext(connection) as after:
        client.get(reverse("web:dashboard"))
    assert len(after.captured_queries) == len(before.captured_queries)


def _api(user):
    from django.test import Client

    _token, raw = account_services.token_create(actor=user, name="t")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_api_values_with_children_and_growth(bob, records):
    response = _api(bob).get(
        "/api/v1/indicators/values",
        {"indicators": "trainees,trainings", "by": "children", "compare": "true"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["scope"] == COUNTY and body["period"] == str(YEAR)
    total = next(v for v in body["values"] if v["indicator"] == "trainees" and v["group"] is None)
    assert float(total["value"]) == 49 and float(total["previous"]) == 20
    assert float(total["growth_percent"]) == pytest.approx(145.0)
    assert total["records_url"].startswith("http://testserver/indicators/value/?")
    town_a = next(
        v for v in body["values"] if v["indicator"] == "trainees" and v["group"] == TOWNSHIP_A
    )
    assert float(town_a["value"]) == 42 and town_a["group_name"] == "岸堤镇"


def test_api_refuses_unknown_indicators_and_periods_in_chinese(bob, records):
    client = _api(bob)
    response = client.get("/api/v1/indicators/values", {"indicators": "nope"})
    assert response.status_code == 422 and "nope" in response.json()["errors"]["indicators"][0]
    response = client.get("/api/v1/indicators/values", {"period": "2026-13"})
    assert response.status_code == 422 and "期间" in response.json()["errors"]["period"][0]


def test_api_scope(charlie, records):
    client = _api(charlie)
    response = client.get("/api/v1/indicators/values", {"region": TOWNSHIP_A})
    assert response.status_code == 404
    assert client.get("/api/v1/indicators/").status_code == 200


def test_a_batch_term_is_offered_as_a_period(client_for, bob, programme):
    import datetime

    from tiantou.people.selection import services as selection

    selection.batch_create(
        actor=bob, programme=programme, year=2024, number=2, term_start_on=datetime.date(2024, 3, 1)
    )
    response = client_for(bob).get(reverse("indicators:overview"))
    choices = dict(response.context["period_choices"])
    assert "2024-03-01..2027-02-28" in choices  # a 36-month term
    assert "第2批任期" in choices["2024-03-01..2027-02-28"]
