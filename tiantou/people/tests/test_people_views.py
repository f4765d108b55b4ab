import pytest
from django.urls import reverse

from conftest import ID_MING
from tiantou.accounts.models import Membership, User
from tiantou.people import services
from tiantou.people.models import Person, Programme

MASKED = "**************1232"


def detail(person):
    return reverse("people:person_detail", args=[person.pk])


@pytest.mark.parametrize("name", ["person_detail", "person_edit"])
def test_charlie_gets_404_on_a_person_of_township_a(client_for, charlie, posting_ming, name):
    url = reverse(f"people:{name}", args=[posting_ming.person_id])
    assert client_for(charlie).get(url).status_code == 404
    assert client_for(charlie).post(url, {"name": "x"}).status_code == 404


def test_dana_gets_403_on_writes(client_for, dana, person_ming, programme):
    client = client_for(dana)
    assert client.get(reverse("people:person_create")).status_code == 403
    assert client.get(reverse("people:person_edit", args=[person_ming.pk])).status_code == 403
    assert client.get(reverse("people:programme_create")).status_code == 403
    assert client.get(reverse("people:programme_edit", args=[programme.pk])).status_code == 403
    assert client.get(detail(person_ming)).status_code == 200


@pytest.mark.parametrize(("who", "shown"), [("alice", MASKED), ("dana", MASKED), ("bob", ID_MING)])
def test_the_id_number_is_masked_except_for_those_allowed(
    client_for, request, posting_ming, who, shown
):
    response = client_for(request.getfixturevalue(who)).get(detail(posting_ming.person))
    assert response.context["id_number"] == shown
    content = response.content.decode()
    assert shown in content
    if shown == MASKED:
        assert ID_MING not in content


def test_person_page_lists_postings_and_history_for_auditors(client_for, bob, dana, posting_ming):
    response = client_for(bob).get(detail(posting_ming.person))
    assert [p.pk for p in response.context["postings"]] == [posting_ming.pk]
    assert response.context["history"]
    assert client_for(dana).get(detail(posting_ming.person)).context["history"] is None


def test_bob_registers_a_person_and_a_bad_id_keeps_the_input(client_for, bob, county, home_unit):
    url = reverse("people:person_create")
    client = client_for(bob)
    data = {
        "name": "孙丽",
        "title_rank": 2,
        "region": county.code,
        "home_unit": home_unit.pk,
        "id_number": "371321199001011233",
        "phone": "13900000000",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "id_number" in response.context["form"].errors
    assert "13900000000" in response.content.decode()
    data["id_number"] = "37132119900101123X"[:-1] + "2"
    response = client.post(url, data)
    person = Person.objects.get(name="孙丽")
    assert response.status_code == 302
    assert person.id_number_masked == MASKED


def test_create_form_offers_only_registers_where_the_user_may_add(client_for, bob, township_a):
    response = client_for(bob).post(
        reverse("people:person_create"), {"name": "x", "title_rank": 0, "region": township_a.code}
    )
    assert "region" in response.context["form"].errors


def test_edit_with_stale_version_keeps_the_input(client_for, bob, person_ming, county):
    url = reverse("people:person_edit", args=[person_ming.pk])
    data = {"name": "刘明", "title_rank": 2, "region": county.code, "version": 1, "phone": "1"}
    client = client_for(bob)
    assert client.post(url, data).status_code == 302
    data["phone"] = "13812345678"
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "13812345678" in response.content.decode()
    person_ming.refresh_from_db()
    assert person_ming.phone == "1" and person_ming.id_number_masked == MASKED


def test_person_list_is_scoped_and_searchable(
    client_for, alice, charlie, bob, posting_ming, county
):
    services.person_create(actor=bob, name="赵六", region=county, phone="13700000000")
    url = reverse("people:person_list")
    assert "刘明" in client_for(alice).get(url).content.decode()
    assert "刘明" not in client_for(charlie).get(url).content.decode()
    response = client_for(bob).get(url, {"q": "137"}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert "<html" not in content and "赵六" in content and "刘明" not in content


def test_a_home_unit_sees_only_its_own_people(client_for, bob, county, posting_ming, home_unit):
    services.person_create(actor=bob, name="外单位", region=county)
    unit_user = User.objects.create_user(username="unit", password="x")
    Membership.objects.create(user=unit_user, role="home_unit", organisation=home_unit)
    content = client_for(unit_user).get(reverse("people:person_list")).content.decode()
    assert "刘明" in content and "外单位" not in content
    roster = client_for(unit_user).get(reverse("people:roster"))
    assert [p.pk for p in roster.context["page"].object_list] == [posting_ming.pk]


def test_programmes_list_create_and_edit(client_for, bob, county, programme):
    client = client_for(bob)
    assert "科技副职" in client.get(reverse("people:programme_list")).content.decode()
    data = {
        "name": "科技特派员",
        "kind": "commissioner",
        "region": county.code,
        "default_term_months": 36,
        "monthly_subsidy": "200",
        "reports_per_year": 2,
        "min_title_rank": 2,
        "is_active": "on",
    }
    assert client.post(reverse("people:programme_create"), data).status_code == 302
    created = Programme.objects.get(name="科技特派员")
    url = reverse("people:programme_edit", args=[created.pk])
    data |= {"version": 1, "monthly_subsidy": "250"}
    del data["region"]
    assert client.post(url, data).status_code == 302
    response = client.post(url, data)  # stale
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    created.refresh_from_db()
    assert str(created.monthly_subsidy) == "250.00"


def test_ming_sees_his_own_posting_only(client_for, ming, bob, posting_ming, township_a, county):
    other = services.person_create(actor=bob, name="王五", region=county)
    services.posting_create(
        actor=bob,
        person=other,
        programme=posting_ming.programme,
        host_region=township_a,
        starts_on=posting_ming.starts_on,
    )
    response = client_for(ming).get(reverse("people:my_postings"))
    rows = response.context["rows"]
    assert [r["posting"].pk for r in rows] == [posting_ming.pk]
    content = response.content.decode()
    assert "科技副镇长" in content and "王五" not in content
    assert "副科级" in content


def test_my_postings_without_a_person_is_friendly(client_for, alice):
    response = client_for(alice).get(reverse("people:my_postings"))
    assert response.status_code == 200
    assert not response.context["has_person"]
    assert 'data-testid="no-person"' in response.content.decode()


def test_menu_shows_my_posting_only_to_cadres(client_for, alice, ming, person_ming):
    url = reverse("people:my_postings")
    assert url in client_for(ming).get(reverse("web:dashboard")).content.decode()
    assert url not in client_for(alice).get(reverse("web:dashboard")).content.decode()
