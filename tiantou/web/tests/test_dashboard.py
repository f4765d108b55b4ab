from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tiantou.regions.choices import OrganisationKind
from tiantou.regions.services import organisation_create
from tiantou.web.navigation import leaves


def test_it_requires_login(client, regions):
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_counts_are_limited_to_the_scope(client_for, alice, bob, township_a, township_b):
    organisation_create(
        actor=bob, name="岸堤合作社", kind=OrganisationKind.COOPERATIVE, region=township_a
    )
    organisation_create(
        actor=bob, name="孙祖合作社", kind=OrganisationKind.COOPERATIVE, region=township_b
    )

    summary = client_for(alice).get(reverse("web:dashboard")).context["summary"]
    assert (summary["townships"], summary["villages"], summary["organisations"]) == (1, 1, 1)

    summary = client_for(bob).get(reverse("web:dashboard")).context["summary"]
    assert (summary["townships"], summary["villages"], summary["organisations"]) == (2, 2, 2)


def test_query_count_does_not_grow_with_data(client_for, bob, township_a):
    client = client_for(bob)
    client.get(reverse("web:dashboard"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("web:dashboard"))
    for n in range(30):
        organisation_create(
            actor=bob, name=f"单位{n}", kind=OrganisationKind.BASE, region=township_a
        )
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("web:dashboard"))
    assert len(many) == len(few)


def test_menu_follows_the_role(client_for, ming, bob):
    body = client_for(ming).get(reverse("web:dashboard")).content.decode()
    assert reverse("accounts:user_list") not in body
    body = client_for(bob).get(reverse("web:dashboard")).content.decode()
    assert reverse("accounts:user_list") in body


def test_unknown_page_is_a_chinese_404(client_for, alice):
    response = client_for(alice).get("/no-such-page/")
    assert response.status_code == 404
    assert "不在您的工作范围内" in response.content.decode()


def test_county_users_get_a_chart_per_township(client_for, bob, alice, township_a):
    organisation_create(actor=bob, name="岸堤基地", kind=OrganisationKind.BASE, region=township_a)
    breakdown = client_for(bob).get(reverse("web:dashboard")).context["breakdown"]
    assert breakdown["names"] == ["岸堤镇", "孙祖镇"]
    assert breakdown["villages"] == [1, 1]
    assert breakdown["organisations"] == [1, 0]
    # A township admin's top region is the township: no breakdown by village.
    assert client_for(alice).get(reverse("web:dashboard")).context["breakdown"] is None


def test_menu_marks_the_deepest_matching_entry(client_for, bob):
    response = client_for(bob).get(reverse("regions:organisation_list"))
    entries = leaves(response.context["nav_items"])
    active = [i["label"] for i in entries if i["active"]]
    assert [str(label) for label in active] == ["单位"]


def test_cadres_in_office_are_counted_in_scope(client_for, posting_ming, alice, charlie):
    assert (
        client_for(alice).get(reverse("web:dashboard")).context["summary"]["cadres_in_office"] == 1
    )
    assert (
        client_for(charlie).get(reverse("web:dashboard")).context["summary"]["cadres_in_office"]
        == 0
    )
