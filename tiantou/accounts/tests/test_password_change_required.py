"""A password chosen by an administrator must be replaced by its owner before anything else."""

from django.urls import reverse

from conftest import PASSWORD
from tiantou.accounts import services
from tiantou.accounts.models import User

NEW = "Xin-mima-2026"


def _created_by(actor, username="wang", **kwargs):
    return services.user_create(
        actor=actor, username=username, password=PASSWORD, name="王五", **kwargs
    )


def test_new_account_and_admin_reset_must_change(alice, ming):
    assert _created_by(alice).must_change_password
    assert not ming.must_change_password  # existing accounts are not forced
    services.user_set_password(actor=alice, user=ming, password=NEW)
    ming.refresh_from_db()
    assert ming.must_change_password
    services.user_change_own_password(actor=ming, old_password=NEW, new_password="Zi-ji-de-2026")
    ming.refresh_from_db()
    assert not ming.must_change_password


def test_demo_accounts_are_not_forced(alice, ming):
    assert not _created_by(alice, is_demo=True).must_change_password
    User.objects.filter(pk=ming.pk).update(is_demo=True)
    ming.refresh_from_db()
    services.user_set_password(actor=alice, user=ming, password=NEW)
    assert not ming.must_change_password


def test_forced_user_is_sent_to_change_the_password(client, alice, ming):
    services.user_set_password(actor=alice, user=ming, password=NEW)
    client.post(reverse("login"), {"username": "ming", "password": NEW})
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    page = client.get(reverse("accounts:profile"))
    assert page.status_code == 200
    assert len(list(page.context["messages"])) == 1
    # An htmx request is redirected as a whole page, not swapped into a fragment.
    htmx = client.get(reverse("accounts:user_list"), headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"] == reverse("accounts:profile")

    response = client.post(
        reverse("accounts:profile"),
        {"old_password": NEW, "new_password1": "Zi-ji-de-2026", "new_password2": "Zi-ji-de-2026"},
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session  # still logged in after the change
    assert client.get(reverse("web:dashboard")).status_code == 200


def test_forced_user_can_log_out(client, alice, ming):
    services.user_set_password(actor=alice, user=ming, password=NEW)
    client.post(reverse("login"), {"username": "ming", "password": NEW})
    client.post(reverse("logout"))
    assert "_auth_user_id" not in client.session


def test_api_tokens_are_not_affected(client, alice, ming):
    _token, raw = services.token_create(actor=ming, name="统计同步")
    services.user_set_password(actor=alice, user=ming, password=NEW)
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200


def test_admin_sees_the_flag_on_the_account_page(client_for, alice):
    user = _created_by(alice)
    services.membership_grant(
        actor=alice, user=user, role="viewer", region=alice.memberships.get().region
    )
    page = client_for(alice).get(reverse("accounts:user_detail", args=[user.pk]))
    assert 'data-testid="must-change-password"' in page.content.decode()
