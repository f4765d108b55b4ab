"""The scorecard pages: access (403 without the right, 404 outside scope), creating and
editing a scheme with its rules, the ranking page with its chart."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import TOWNSHIP_A, TOWNSHIP_B
from tiantou.ledger.models import Activity, ActivityType
from tiantou.targets.models import ScoreScheme, TargetItem, TargetSheet, TargetSplit
from tiantou.targets.scorecards import services as scorecards

pytestmark = pytest.mark.django_db


@pytest.fixture
def sheet(county):
    sheet = TargetSheet.objects.create(region=county, year=2026, title="2026年目标")
    target = TargetItem.objects.create(sheet=sheet, name="培训", indicator="trainings")
    TargetSplit.objects.create(item=target, region_id=TOWNSHIP_A, value=2)
    TargetSplit.objects.create(item=target, region_id=TOWNSHIP_B, value=4)
    return sheet


@pytest.fixture
def scheme(bob, county, sheet):
    training = ActivityType.objects.get(key="training")
    for code in (TOWNSHIP_A, TOWNSHIP_A, TOWNSHIP_B):
        Activity.objects.create(
            activity_type=training,
            title="培训",
            region_id=code,
            starts_on=dt.date(2026, 3, 1),
            status="confirmed",
        )
    scheme = scorecards.scheme_create(
        actor=bob, region=county, year=2026, name="2026年考核", sheet=sheet
    )
    scorecards.rules_save(
        actor=bob, scheme=scheme, rules=[{"indicator": "trainings", "weight": 60}]
    )
    scheme.refresh_from_db()
    return scheme


def test_list_and_detail(client_for, dana, scheme):
    client = client_for(dana)
    response = client.get(reverse("targets:scheme_list"))
    assert response.status_code == 200 and list(response.context["schemes"]) == [scheme]
    response = client.get(reverse("targets:scheme_detail", args=[scheme.pk]))
    assert response.status_code == 200
    rows = response.context["table"].rows
    # A: 2 of 2 → 60; B: 1 of 4 → 15
    assert [(r.region.code, r.total, r.rank) for r in rows] == [
        (TOWNSHIP_A, Decimal("60.00"), 1),
        (TOWNSHIP_B, Decimal("15.00"), 2),
    ]
    assert response.context["chart"]["totals"] == [60.0, 15.0]
    page = response.content.decode()
    assert "scorecard-chart.js" in page and 'id="scorecard-data"' in page
    assert rows[0].cells[0].value.url.replace("&", "&amp;") in page
    assert not response.context["can_edit"]


def test_the_detail_page_reads_a_fixed_number_of_queries(client_for, bob, scheme, county):
    from tiantou.regions.models import Region

    client = client_for(bob)
    url = reverse("targets:scheme_detail", args=[scheme.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(3, 12):
        Region.objects.create(
            code=f"371321{100 + n:03d}000", name=f"镇{n}", level=4, kind="town", parent=county
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["table"].rows) == 11
    assert len(many) == len(few)


def test_access(client_for, alice, charlie, dana, scheme):
    detail = reverse("targets:scheme_detail", args=[scheme.pk])
    edit = reverse("targets:scheme_edit", args=[scheme.pk])
    assert client_for(charlie).get(detail).status_code == 404
    assert client_for(charlie).get(edit).status_code == 404
    assert client_for(dana).get(edit).status_code == 403
    assert client_for(dana).get(reverse("targets:scheme_create")).status_code == 403
    assert client_for(alice).get(reverse("targets:scheme_create")).status_code == 403


def test_create_then_edit_rules(client_for, bob, county, sheet):
    client = client_for(bob)
    response = client.post(
        reverse("targets:scheme_create"),
        {"region": county.code, "year": 2026, "name": "新方案", "sheet": sheet.pk},
    )
    assert response.status_code == 302
    scheme = ScoreScheme.objects.get()
    edit = reverse("targets:scheme_edit", args=[scheme.pk])
    assert response["Location"] == edit
    assert client.get(edit).status_code == 200
    form = {
        "year": 2026,
        "name": "新方案",
        "sheet": sheet.pk,
        "version": scheme.version,
        "rules-TOTAL_FORMS": 3,
        "rules-INITIAL_FORMS": 0,
        "rules-0-indicator": "trainings",
        "rules-0-weight": "40",
        "rules-0-cap_percent": "120",
        "rules-0-stretch_bonus": "2",
        "rules-1-indicator": "trainings",
        "rules-1-weight": "10",
        "rules-2-indicator": "",
    }
    response = client.post(edit, form)
    assert response.status_code == 200  # the same indicator twice
    assert response.context["formset"].rule_errors
    assert scheme.rules.count() == 0
    form["rules-1-indicator"] = "trainees"
    response = client.post(edit, form)
    assert response.status_code == 302
    assert [(r.indicator, r.weight, r.cap_percent) for r in scheme.rules.all()] == [
        ("trainings", Decimal("40.00"), 120),
        ("trainees", Decimal("10.00"), 100),
    ]
    page = client.get(reverse("targets:scheme_detail", args=[scheme.pk])).content.decode()
    assert 'data-testid="weight-total"' in page and "50.00" in page


def test_a_stale_edit_is_refused(client_for, bob, scheme):
    response = client_for(bob).post(
        reverse("targets:scheme_edit", args=[scheme.pk]),
        {
            "year": 2026,
            "name": "改名",
            "version": scheme.version - 1,
            "rules-TOTAL_FORMS": 0,
            "rules-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    scheme.refresh_from_db()
    assert scheme.name == "2026年考核"


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "dana", "ming"])
def test_every_figure_and_scorecard_page_answers_every_cast_member(who, request, scheme):
    """What tests/test_scope_everywhere.py does for the other apps' pages."""
    client = request.getfixturevalue("client_for")(request.getfixturevalue(who))
    for name in (
        "indicators:figure_list",
        "indicators:figure_create",
        "indicators:figure_import",
        "indicators:figure_template",
        "indicators:figure_export",
        "indicators:figure_completeness",
        "targets:scheme_list",
        "targets:scheme_create",
    ):
        response = client.get(reverse(name))
        assert response.status_code in (200, 302, 403), (name, response.status_code)
