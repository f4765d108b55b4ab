"""Failed-login lockout (by user name and address) and unlocking by an administrator."""

from django.urls import reverse
from django.utils import translation

from conftest import PASSWORD
from tiantou.accounts import services


def _login(client, password):
    return client.post(reverse("login"), {"username": "ming", "password": password})


def test_sixth_attempt_is_refused_even_with_right_password(client, ming, alice):
    for _ in range(4):
        response = _login(client, "wrong-password")
        assert response.status_code == 200  # the form again, with its error
    assert _login(client, "wrong-password").status_code == 429  # the fifth failure locks
    response = _login(client, PASSWORD)
    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    with translation.override("zh-hans"):
        heading = translation.gettext("Account locked for a while")
    assert heading != "Account locked for a while", "the Chinese catalogue must translate it"
    assert heading in response.content.decode()
    assert "_auth_user_id" not in client.session

    services.user_unlock(actor=alice, user=ming)
    response = _login(client, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(ming.pk)


def test_unlock_from_user_page(client, client_for, alice, ming):
    for _ in range(5):
        _login(client, "wrong-password")
    assert _login(client, PASSWORD).status_code == 429
    admin = client_for(alice)
    page = admin.get(reverse("accounts:user_detail", args=[ming.pk]))
    assert page.context["failed_logins"] >= 5
    assert admin.post(reverse("accounts:user_unlock", args=[ming.pk])).status_code == 302
    admin.logout()
    assert _login(admin, PASSWORD).status_code == 302


def test_lockout_of_one_name_leaves_other_names_at_the_same_address(client, ming, alice):
    for _ in range(5):
        _login(client, "wrong-password")
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
