"""Who sees discipline cases (issue 18): the organisation department, the county S&T
admin and the home unit for its own people; not viewers, the science association,
townships or cadres. Seeing the cadre without the right is 403, not seeing the cadre
404 (decision 0003)."""

import pytest
from django.urls import reverse

from conftest import _user
from tiantou.accounts.models import Membership
from tiantou.accounts.permissions import has_perm
from tiantou.accounts.roles import Role
from tiantou.accounts.scoping import forget_scope
from tiantou.ledger.models import DisciplineCase
from tiantou.ledger.oversight import selectors
from tiantou.ledger.oversight import services as oversight
from tiantou.regions.services import organisation_create


@pytest.fixture
def case(posting_ming, bob, township_a):
    draw = oversight.spotcheck_draw(actor=bob, region=township_a, size=1, seed=7)
    check = draw.checks.get()
    oversight.spotcheck_record(actor=bob, check=check, result="absent", note="不在岗")
    return DisciplineCase.objects.get()


def _unit_user(username, organisation):
    user = _user(username, username)
    Membership.objects.create(user=user, role=Role.HOME_UNIT, organisation=organisation)
    return user


@pytest.fixture
def users(regions, bob, alice, dana, ming, home_unit):
    county = regions["county"]
    other_unit = organisation_create(actor=bob, name="县林业局", kind="department", region=county)
    return {
        "county_admin": bob,
        "org_dept": _user("zuzhi", "组织部", Role.ORG_DEPT, county),
        "home_unit": _unit_user("danwei", home_unit),
        "other_unit": _unit_user("linye", other_unit),
        "sci_assoc": _user("kexie", "科协", Role.SCIENCE_ASSOCIATION, county),
        "township": alice,
        "viewer": dana,
        "cadre": ming,
    }


SEES = {"county_admin", "org_dept", "home_unit"}
NO_RIGHT = {"sci_assoc", "township", "viewer", "cadre"}


def test_the_rule_in_the_queryset(users, case):
    for name, user in users.items():
        visible = list(DisciplineCase.objects.visible_to(user))
        assert visible == ([case] if name in SEES else []), name
        assert list(selectors.discipline_list(user=user)) == visible, name


def test_the_permission_per_role(users, case):
    for name, user in users.items():
        assert has_perm(user, "ledger.view_disciplinecase", case) == (name in SEES), name
    assert has_perm(users["other_unit"], "ledger.view_disciplinecase")
    assert not has_perm(users["other_unit"], "ledger.view_disciplinecase", case)


def test_the_host_unit_does_not_see_the_case(users, case, posting_ming, bob, township_a):
    """A unit that hosts the cadre sees the posting but not the case: only the home unit."""
    host = organisation_create(actor=bob, name="岸堤合作社", kind="cooperative", region=township_a)
    posting_ming.host_organisation = host
    posting_ming.save(update_fields=["host_organisation"])
    user = _unit_user("hezuoshe", host)
    assert not DisciplineCase.objects.visible_to(user).exists()
    assert not has_perm(user, "ledger.view_disciplinecase", case)


def test_list_page_per_role(client, users, case):
    for name, user in users.items():
        client.force_login(user)
        response = client.get(reverse("ledger:discipline_list"))
        if name in NO_RIGHT:
            assert response.status_code == 403, name
        else:
            assert response.status_code == 200, name
            expected = [] if name == "other_unit" else [case]
            assert response.context["cases"] == expected, name


def test_detail_page_per_role(client, users, case):
    url = reverse("ledger:discipline_detail", args=[case.pk])
    for name, user in users.items():
        client.force_login(user)
        status = client.get(url).status_code
        expected = 200 if name in SEES else 403 if name in NO_RIGHT else 404
        assert status == expected, name


def test_the_right_held_elsewhere_does_not_open_the_case(client, case, alice, bob, county):
    """A township admin of A who is also another unit's home-unit user holds the right,
    but not over this case, which is in her township: 403, and not in her list."""
    other = organisation_create(actor=bob, name="别的单位", kind="department", region=county)
    Membership.objects.create(user=alice, role=Role.HOME_UNIT, organisation=other)
    forget_scope(alice)
    client.force_login(alice)
    assert client.get(reverse("ledger:discipline_list")).context["cases"] == []
    url = reverse("ledger:discipline_detail", args=[case.pk])
    assert client.get(url).status_code == 403


def test_outside_the_scope_is_404(client, case, charlie, users):
    """A township admin of B, or another unit, does not see the cadre at all: 404."""
    url = reverse("ledger:discipline_detail", args=[case.pk])
    for user in (charlie, users["other_unit"]):
        client.force_login(user)
        assert client.get(url).status_code == 404
        escalate = reverse("ledger:discipline_escalate", args=[case.pk])
        assert client.post(escalate, {"escalate-reason": "x"}).status_code == 404


def test_escalate_and_close_refused_without_the_right(client, users, case):
    for name in ("home_unit", "viewer", "township", "sci_assoc"):
        client.force_login(users[name])
        for action in ("discipline_escalate", "discipline_close"):
            url = reverse(f"ledger:{action}", args=[case.pk])
            assert client.post(url, {"escalate-reason": "x"}).status_code == 403, name
    assert case.steps.count() == 1


def test_the_spot_check_page_links_a_case_only_for_those_who_may_see_it(client, users, case):
    url = reverse("ledger:spotcheck_detail", args=[case.spot_check.draw_id])
    case_url = reverse("ledger:discipline_detail", args=[case.pk])
    client.force_login(users["viewer"])
    assert case_url not in client.get(url).content.decode()
    client.force_login(users["county_admin"])
    assert case_url in client.get(url).content.decode()
