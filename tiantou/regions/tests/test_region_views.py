"""The region browser: list and search, region page, adding and editing villages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A
from tiantou.regions import services
from tiantou.regions.choices import Level, OrganisationKind, RegionKind
from tiantou.regions.models import Organisation, Region


def detail_url(code):
    return reverse("regions:region_detail", args=[code])


def add_url(code=TOWNSHIP_A):
    return reverse("regions:village_create", args=[code])


def edit_url(code=VILLAGE_A):
    return reverse("regions:village_edit", args=[code])


# ---- list and search ----


def test_region_list_needs_login(client, regions):
    response = client.get(reverse("regions:region_list"))
    assert response.status_code == 302


def test_region_list_shows_the_top_of_the_scope(client_for, alice):
    response = client_for(alice).get(reverse("regions:region_list"))
    assert response.status_code == 200
    assert [r.code for r in response.context["roots"]] == [TOWNSHIP_A]


def test_search_finds_names_in_scope_only(client_for, alice, charlie):
    url = reverse("regions:region_list")
    response = client_for(alice).get(url, {"q": "村"})
    assert [r.code for r in response.context["results"]] == [VILLAGE_A]
    response = client_for(charlie).get(url, {"q": "岸堤"})
    assert response.context["results"] == []


def test_search_with_htmx_renders_the_results_only(client_for, bob):
    response = client_for(bob).get(
        reverse("regions:region_list"), {"q": "孙祖"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert "孙祖镇" in body and "孙祖村" in body


# ---- region page ----


def test_region_detail_checks_scope(client_for, charlie):
    client = client_for(charlie)
    assert client.get(detail_url(TOWNSHIP_A)).status_code == 404
    assert client.get(detail_url(VILLAGE_A)).status_code == 404
    assert client.get(detail_url(COUNTY)).status_code == 404
    assert client.get(detail_url(TOWNSHIP_B)).status_code == 200


def test_region_detail_breadcrumbs_link_only_inside_scope(client_for, alice, bob):
    response = client_for(alice).get(detail_url(VILLAGE_A))
    assert response.status_code == 200
    assert [(a.code, inside) for a, inside in response.context["ancestors"]] == [
        ("370000000000", False),
        ("371300000000", False),
        (COUNTY, False),
        (TOWNSHIP_A, True),
    ]
    body = response.content.decode()
    assert f'href="{detail_url(TOWNSHIP_A)}"' in body
    assert f'href="{detail_url(COUNTY)}"' not in body

    response = client_for(bob).get(detail_url(TOWNSHIP_A))
    assert f'href="{detail_url(COUNTY)}"' in response.content.decode()


def test_region_detail_counts_what_each_child_holds(client_for, bob, regions):
    services.organisation_create(
        actor=bob, name="岸堤镇农技站", kind=OrganisationKind.DEPARTMENT, region=regions["a"]
    )
    response = client_for(bob).get(detail_url(COUNTY))
    children = {c.code: c for c in response.context["children"]}
    a, b = children[TOWNSHIP_A], children[TOWNSHIP_B]
    assert (a.n_children, a.n_villages, a.n_organisations) == (1, 1, 1)
    assert (b.n_children, b.n_villages, b.n_organisations) == (1, 1, 0)
    organisations = reverse("regions:organisation_list")
    assert f'href="{organisations}?region={TOWNSHIP_A}"' in response.content.decode()


def _add_townships(county, n):
    """`n` more townships in the county, each with two villages and an organisation."""
    townships = [
        Region(
            code=f"371321{200 + i:03d}000",
            name=f"测试乡{i}",
            level=Level.TOWNSHIP,
            kind=RegionKind.TOWNSHIP,
            parent=county,
        )
        for i in range(n)
    ]
    Region.objects.bulk_create(townships)
    Region.objects.bulk_create(
        Region(
            code=t.code[:9] + f"{v:03d}",
            name=f"{t.name}{v}村",
            level=Level.VILLAGE,
            kind=RegionKind.VILLAGE,
            parent=t,
        )
        for t in townships
        for v in (1, 2)
    )
    Organisation.objects.bulk_create(
        Organisation(name=f"{t.name}站", kind=OrganisationKind.DEPARTMENT, region=t)
        for t in townships
    )


def _queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_region_detail_query_count_does_not_grow_with_children(client_for, bob, county):
    client = client_for(bob)
    _queries_for(client, detail_url(COUNTY))  # warm the session and caches
    with_two = _queries_for(client, detail_url(COUNTY))
    _add_townships(county, 18)
    with_twenty = _queries_for(client, detail_url(COUNTY))
    assert with_twenty == with_two
    response = client.get(detail_url(COUNTY))
    assert len(response.context["children"]) == 20
    assert all(c.n_villages == 2 for c in response.context["children"] if c.name[:3] == "测试乡")


@pytest.mark.parametrize(
    ("status", "text"),
    [("renamed", "岸堤新镇"), ("absent", "2026"), ("new", "2026")],
)
def test_region_detail_shows_the_2026_status_of_a_township(client_for, alice, status, text):
    Region.objects.filter(code=TOWNSHIP_A).update(
        official_status=status, official_name_now="岸堤新镇" if status == "renamed" else ""
    )
    response = client_for(alice).get(detail_url(TOWNSHIP_A))
    assert 'data-testid="official-status"' in response.content.decode()
    assert text in response.content.decode()


def test_region_detail_shows_buttons_and_history_by_right(client_for, alice, dana, ming):
    village = Region.objects.get(code=VILLAGE_A)
    services.region_update(actor=alice, region=village, name="岸堤一村")
    response = client_for(alice).get(detail_url(TOWNSHIP_A))
    assert response.context["can_add_village"]
    assert add_url() in response.content.decode()
    response = client_for(alice).get(detail_url(VILLAGE_A))
    assert response.context["can_edit"]
    assert len(response.context["history"]) == 1
    assert "岸堤一村" in response.content.decode()

    response = client_for(dana).get(detail_url(TOWNSHIP_A))
    assert not response.context["can_add_village"]
    assert add_url() not in response.content.decode()
    response = client_for(ming).get(detail_url(VILLAGE_A))
    assert not response.context["can_edit"]
    assert response.context["history"] is None


# ---- adding a village ----


def test_village_create_checks_scope_and_right(client_for, charlie, dana, ming):
    assert client_for(charlie).get(add_url()).status_code == 404
    assert client_for(charlie).post(add_url(), {"name": "x", "kind": "village"}).status_code == 404
    for user in (dana, ming):
        assert client_for(user).get(add_url()).status_code == 403
        assert client_for(user).post(add_url(), {"name": "x", "kind": "village"}).status_code == 403
    assert not Region.objects.filter(name="x").exists()


def test_village_create_only_under_a_township(client_for, bob):
    assert client_for(bob).get(add_url(COUNTY)).status_code == 404


def test_alice_adds_a_village_and_it_shows_in_the_list(client_for, alice):
    client = client_for(alice)
    assert client.get(add_url()).status_code == 200
    response = client.post(add_url(), {"name": "新建村", "kind": "village", "code": ""})
    assert response.status_code == 302
    assert response["Location"] == detail_url(TOWNSHIP_A)
    village = Region.objects.get(name="新建村")
    assert village.code == "371321101002"
    response = client.get(detail_url(TOWNSHIP_A))
    assert "新建村" in response.content.decode()


@pytest.mark.parametrize("code", ["3713211010", "371321102005", VILLAGE_A, "abc"])
def test_village_create_shows_bad_codes_on_the_form(client_for, alice, code):
    before = Region.objects.count()
    response = client_for(alice).post(
        add_url(), {"name": "新建村", "kind": "village", "code": code}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors
    assert 'class="invalid-feedback' in response.content.decode() or form.non_field_errors()
    assert Region.objects.count() == before


# ---- editing a village ----


def test_village_edit_checks_scope_and_right(client_for, charlie, dana, ming):
    data = {"name": "x", "kind": "village", "is_active": "on", "version": 1}
    assert client_for(charlie).get(edit_url()).status_code == 404
    assert client_for(charlie).post(edit_url(), data).status_code == 404
    for user in (dana, ming):
        assert client_for(user).get(edit_url()).status_code == 403
        assert client_for(user).post(edit_url(), data).status_code == 403
    assert Region.objects.get(code=VILLAGE_A).name == "岸堤村"


def test_village_edit_only_for_villages(client_for, bob):
    assert client_for(bob).get(edit_url(TOWNSHIP_A)).status_code == 404


def test_alice_edits_a_village(client_for, alice):
    client = client_for(alice)
    response = client.get(edit_url())
    assert response.context["form"].initial["version"] == 1
    data = {"name": "岸堤新村", "kind": "community", "version": 1}  # unticked: not in use
    response = client.post(edit_url(), data)
    assert response.status_code == 302
    village = Region.objects.get(code=VILLAGE_A)
    assert (village.name, village.kind, village.is_active, village.version) == (
        "岸堤新村",
        "community",
        False,
        2,
    )


def test_village_edit_with_a_stale_version_keeps_the_input(client_for, alice, bob):
    village = Region.objects.get(code=VILLAGE_A)
    services.region_update(actor=bob, region=village, expected_version=1, name="博的村名")
    data = {"name": "爱丽的村名", "kind": "village", "is_active": "on", "version": 1}
    response = client_for(alice).post(edit_url(), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert [e.code for e in form.non_field_errors().as_data()] == ["stale_version"]
    assert "爱丽的村名" in response.content.decode()
    assert Region.objects.get(code=VILLAGE_A).name == "博的村名"
