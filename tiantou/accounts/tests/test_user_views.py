import pytest
from django.urls import reverse

from conftest import PASSWORD
from tiantou.accounts import services
from tiantou.accounts.models import Membership, User
from tiantou.accounts.roles import Role
from tiantou.core.models import AuditAction, AuditEntry


@pytest.fixture
def only_in_a(alice, township_a):
    """A user whose only membership is in township A."""
    return services.user_create_with_membership(
        actor=alice,
        username="zhou",
        password="Xin-mima-2026",
        name="周一",
        role=Role.VIEWER,
        region=township_a,
    )


def test_it_needs_login(client, db):
    response = client.get(reverse("accounts:user_list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_viewer_gets_403_on_user_list(client_for, dana):
    assert client_for(dana).get(reverse("accounts:user_list")).status_code == 403


def test_cadre_gets_403_on_user_pages(client_for, ming, only_in_a):
    client = client_for(ming)
    assert client.get(reverse("accounts:user_create")).status_code == 403
    assert client.get(reverse("accounts:user_detail", args=[only_in_a.pk])).status_code == 403


def test_user_list_shows_users_in_scope(client_for, alice, bob, charlie, ming):
    response = client_for(alice).get(reverse("accounts:user_list"))
    assert response.status_code == 200
    usernames = {u.username for u in response.context["users"]}
    assert usernames == {"alice", "ming"}


def test_user_list_filters_by_role_and_name(client_for, bob, alice, charlie, ming):
    client = client_for(bob)
    response = client.get(reverse("accounts:user_list"), {"role": Role.TOWNSHIP_ADMIN})
    assert {u.username for u in response.context["users"]} == {"alice", "charlie"}
    response = client.get(reverse("accounts:user_list"), {"q": "刘"})
    assert [u.username for u in response.context["users"]] == ["ming"]


def test_user_list_htmx_returns_table_only(client_for, alice, ming):
    response = client_for(alice).get(reverse("accounts:user_list"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert "刘明".encode() in response.content


def test_user_list_query_count_does_not_grow(client_for, bob, township_a, township_b):
    client = client_for(bob)
    client.get(reverse("accounts:user_list"))  # warm caches (session, content types)

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("accounts:user_list")).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for n in range(12):
        services.user_create_with_membership(
            actor=bob,
            username=f"user{n}",
            password="Xin-mima-2026",
            role=Role.VIEWER,
            region=township_a if n % 2 else township_b,
        )
    assert count() == before


def test_charlie_gets_404_on_user_in_a(client_for, charlie, only_in_a):
    client = client_for(charlie)
    assert client.get(reverse("accounts:user_detail", args=[only_in_a.pk])).status_code == 404
    for name in ("user_deactivate", "user_reactivate", "user_unlock", "user_password"):
        response = client.post(reverse(f"accounts:{name}", args=[only_in_a.pk]))
        assert response.status_code == 404, name
    only_in_a.refresh_from_db()
    assert only_in_a.is_active


def test_alice_creates_user_with_membership_in_a(client_for, alice, township_a):
    response = client_for(alice).post(
        reverse("accounts:user_create"),
        {
            "username": "sun",
            "name": "孙七",
            "phone": "13800000000",
            "password": "Xin-mima-2026",
            "role": Role.CADRE,
            "region": township_a.code,
        },
    )
    user = User.objects.get(username="sun")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:user_detail", args=[user.pk])
    membership = user.memberships.get()
    assert (membership.role, membership.region_id) == (Role.CADRE, township_a.code)
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, object_id=str(user.pk)).exists()


def test_create_form_limits_regions_to_scope(client_for, alice, township_b):
    response = client_for(alice).post(
        reverse("accounts:user_create"),
        {
            "username": "sun",
            "name": "孙七",
            "password": "Xin-mima-2026",
            "role": Role.CADRE,
            "region": township_b.code,
        },
    )
    assert response.status_code == 200
    assert "region" in response.context["form"].errors
    assert not User.objects.filter(username="sun").exists()


def test_create_form_offers_only_grantable_roles(client_for, alice):
    response = client_for(alice).get(reverse("accounts:user_create"))
    roles = {value for value, _label in response.context["form"].fields["role"].choices}
    assert Role.COUNTY_ADMIN not in roles
    assert Role.TOWNSHIP_ADMIN in roles


def test_create_form_rejects_weak_password(client_for, alice, township_a):
    response = client_for(alice).post(
        reverse("accounts:user_create"),
        {
            "username": "sun",
            "name": "孙七",
            "password": "123",
            "role": Role.CADRE,
            "region": township_a.code,
        },
    )
    assert "password" in response.context["form"].errors


def test_user_page_grants_and_revokes(client_for, alice, only_in_a, township_a):
    client = client_for(alice)
    url = reverse("accounts:user_detail", args=[only_in_a.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        reverse("accounts:membership_grant", args=[only_in_a.pk]),
        {"role": Role.CADRE, "region": township_a.code},
    )
    assert response.status_code == 302
    membership = only_in_a.memberships.get(role=Role.CADRE)
    response = client.post(
        reverse("accounts:membership_revoke", args=[only_in_a.pk, membership.pk])
    )
    assert response.status_code == 302
    assert not only_in_a.memberships.filter(role=Role.CADRE).exists()


def test_grant_refuses_role_alice_does_not_hold(client_for, alice, only_in_a, county):
    response = client_for(alice).post(
        reverse("accounts:membership_grant", args=[only_in_a.pk]),
        {"role": Role.COUNTY_ADMIN, "region": county.code},
    )
    assert response.status_code == 400
    assert not only_in_a.memberships.filter(role=Role.COUNTY_ADMIN).exists()


def test_revoke_membership_outside_scope_is_404(client_for, alice, bob, ming):
    # ming is in alice's scope, but bob's county membership is not.
    bob_membership = Membership.objects.get(user=bob)
    response = client_for(alice).post(
        reverse("accounts:membership_revoke", args=[ming.pk, bob_membership.pk])
    )
    assert response.status_code == 404


def test_deactivate_reactivate_and_password(client_for, alice, ming):
    client = client_for(alice)
    client.post(reverse("accounts:user_deactivate", args=[ming.pk]))
    ming.refresh_from_db()
    assert not ming.is_active
    client.post(reverse("accounts:user_reactivate", args=[ming.pk]))
    ming.refresh_from_db()
    assert ming.is_active
    response = client.post(
        reverse("accounts:user_password", args=[ming.pk]),
        {"new_password1": "Xin-mima-2026", "new_password2": "Xin-mima-2026"},
    )
    assert response.status_code == 302
    ming.refresh_from_db()
    assert ming.check_password("Xin-mima-2026")


def test_password_mismatch_shows_error(client_for, alice, ming):
    response = client_for(alice).post(
        reverse("accounts:user_password", args=[ming.pk]),
        {"new_password1": "Xin-mima-2026", "new_password2": "Xin-mima-2027"},
    )
    assert response.status_code == 400
    assert "new_password2" in response.context["password_form"].errors


def test_deactivate_self_shows_message(client_for, alice):
    response = client_for(alice).post(
        reverse("accounts:user_deactivate", args=[alice.pk]), follow=True
    )
    assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.is_active


def test_profile_shows_own_memberships_and_changes_password(client_for, ming):
    client = client_for(ming)
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 200
    assert [m.role for m in response.context["memberships"]] == [Role.CADRE]
    response = client.post(
        reverse("accounts:profile"),
        {
            "old_password": "wrong",
            "new_password1": "Xin-mima-2026",
            "new_password2": "Xin-mima-2026",
        },
    )
    assert response.status_code == 400
    assert "old_password" in response.context["form"].errors
    response = client.post(
        reverse("accounts:profile"),
        {
            "old_password": PASSWORD,
            "new_password1": "Xin-mima-2026",
            "new_password2": "Xin-mima-2026",
        },
    )
    assert response.status_code == 302
    ming.refresh_from_db()
    assert ming.check_password("Xin-mima-2026")
    # Still logged in after changing the password.
    assert client.get(reverse("accounts:profile")).status_code == 200
