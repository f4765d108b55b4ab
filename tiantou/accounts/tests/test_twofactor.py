"""Two-factor login: enrolment, the code step, recovery codes, disabling and resets.

The test settings turn the requirement off for the cast; these tests turn it on.
"""

from binascii import unhexlify

import pytest
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.contrib.messages import constants as message_levels
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD
from tiantou.accounts import services as account_services
from tiantou.accounts.models import User
from tiantou.accounts.twofactor import selectors, services
from tiantou.core.models import AuditEntry

ENROL = reverse("accounts:twofactor_enrol")
VERIFY = reverse("accounts:twofactor_verify")


@pytest.fixture
def required(settings):
    settings.TIANTOU_2FA_REQUIRED = True


def code_for(key_hex: str, steps_ahead: int = 0) -> str:
    """The app's code for a key (hex), now or a few 30-second steps ahead."""
    return f"{totp(unhexlify(key_hex), drift=steps_ahead):06d}"


def enrolled(user: User) -> list[str]:
    """Set up two-factor login for `user`; returns the recovery codes."""
    key = services.new_key()
    return services.enrol(actor=user, key=key, code=code_for(key))


def next_code(user: User) -> str:
    """A code the app shows soon (the current one was used up by enrolment)."""
    return code_for(TOTPDevice.objects.get(user=user).key, steps_ahead=1)


def verified_client(user: User) -> Client:
    """A client logged in as `user` that has given its code where one is set up."""
    client = Client()
    client.force_login(user)
    if selectors.has_confirmed_device(user):
        assert client.post(VERIFY, {"code": next_code(user)}).status_code == 302
    return client


def password_login(client: Client, username: str) -> str:
    """Log in through the log-in page; returns where it sends the browser next."""
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    response = client.get(response["Location"])
    return response["Location"] if response.status_code == 302 else response.request["PATH_INFO"]


# ---- who must ----


def test_county_admin_and_superuser_must_township_admin_need_not(required, alice, bob):
    root = User.objects.create_superuser(username="root", password=PASSWORD)
    assert selectors.is_required(bob)
    assert selectors.is_required(root)
    assert not selectors.is_required(alice)


def test_nobody_must_while_the_setting_is_off(bob):
    assert not selectors.is_required(bob)
    assert password_login(Client(), "bob") == reverse("web:dashboard")


def test_shared_demo_accounts_never_must_and_cannot_enrol(required, bob):
    bob.is_demo = True
    bob.save()
    assert not selectors.is_required(bob)
    with pytest.raises(PermissionDenied):
        enrolled(bob)


# ---- enrolment ----


def test_required_admin_is_sent_to_enrolment_and_held_there(required, bob):
    client = Client()
    assert password_login(client, "bob").startswith(ENROL)
    for path in ("/", reverse("accounts:user_list"), reverse("accounts:profile")):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(ENROL), path
    assert client.get(VERIFY).status_code == 302  # nothing to verify yet
    assert client.get("/static/tiantou/tiantou.css").status_code != 302
    client.post(reverse("logout"))
    assert AUTH_SESSION_KEY not in client.session


def test_enrolment_shows_qr_and_secret_confirms_first_code_and_shows_ten_codes(required, bob):
    client = Client()
    password_login(client, "bob")
    page = client.get(ENROL)
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    assert 'src="data:image/svg+xml' in page.content.decode()
    key = client.session["tiantou_2fa_key"]
    assert page.context["secret"].replace(" ", "") in page.content.decode().replace(" ", "")

    wrong = client.post(ENROL, {"code": "000000" if code_for(key) != "000000" else "111111"})
    assert wrong.status_code == 400
    assert not TOTPDevice.objects.filter(user=bob).exists()

    response = client.post(ENROL, {"code": code_for(key), "next": "/"})
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10 == len(set(codes))
    assert "text/plain" in response.content.decode()  # the download link
    assert TOTPDevice.objects.get(user=bob, confirmed=True).key == key
    assert StaticToken.objects.filter(device__user=bob).count() == 10
    assert AuditEntry.objects.filter(object_id=str(bob.pk), note="two-factor enrolled").exists()
    # The session is through; the codes are never shown again.
    assert client.get("/").status_code == 200
    assert client.get(reverse("accounts:twofactor")).context["codes_left"] == 10


# ---- the code step ----


def test_enrolled_admin_gives_a_code_after_the_password(required, bob):
    enrolled(bob)
    client = Client()
    assert password_login(client, "bob").startswith(VERIFY)
    assert client.get(reverse("people:person_list"))["Location"].startswith(VERIFY)
    assert client.get(ENROL)["Location"].startswith(VERIFY)  # no replacing the app without it
    wrong = client.post(VERIFY, {"code": "12345x"})
    assert wrong.status_code == 400
    response = client.post(VERIFY, {"code": next_code(bob), "next": "/people/"})
    assert response.status_code == 302
    assert response["Location"] == "/people/"
    assert client.get("/").status_code == 200


def test_wrong_codes_slow_the_next_attempt_down(required, bob):
    enrolled(bob)
    assert services.verify(actor=bob, code="000000" if next_code(bob) != "000000" else "1") is None
    assert services.verify(actor=bob, code=next_code(bob)) is None  # too soon after


def test_a_code_is_not_accepted_twice(required, bob):
    enrolled(bob)
    code = next_code(bob)
    assert services.verify(actor=bob, code=code) is not None
    assert services.verify(actor=bob, code=code) is None


def test_verify_refuses_unsafe_next(required, bob):
    enrolled(bob)
    client = Client()
    password_login(client, "bob")
    response = client.post(VERIFY, {"code": next_code(bob), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_recovery_code_logs_in_once(required, settings, bob):
    settings.OTP_STATIC_THROTTLE_FACTOR = 0  # no wait after the refused second use
    codes = enrolled(bob)
    client = Client()
    password_login(client, "bob")
    response = client.post(VERIFY, {"code": codes[0].upper()})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert StaticToken.objects.filter(device__user=bob).count() == 9
    assert AuditEntry.objects.filter(object_id=str(bob.pk), note="recovery code used").exists()

    client.post(reverse("logout"))
    password_login(client, "bob")
    assert client.post(VERIFY, {"code": codes[0]}).status_code == 400
    assert client.post(VERIFY, {"code": codes[1]}).status_code == 302


def test_optional_user_who_enrolled_is_asked_too(required, alice):
    enrolled(alice)
    assert password_login(Client(), "alice").startswith(VERIFY)


def test_htmx_request_is_redirected_by_header(required, bob):
    client = Client()
    password_login(client, "bob")
    response = client.get("/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == ENROL


# ---- the API ----


def test_personal_token_api_is_not_held(required, bob):
    _token, raw = account_services.token_create(actor=bob, name="script")
    response = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me")
    assert response.status_code == 200


def test_session_api_waits_for_the_code(required, bob):
    client = Client()
    password_login(client, "bob")
    assert client.get("/api/v1/me").status_code == 403


# ---- turning off, resets ----


def test_optional_user_can_turn_it_off_required_admin_cannot(required, alice, bob):
    enrolled(alice)
    enrolled(bob)
    verified_client(alice).post(reverse("accounts:twofactor_disable"))
    assert not selectors.has_confirmed_device(alice)
    assert AuditEntry.objects.filter(object_id=str(alice.pk), note="two-factor disabled").exists()

    response = verified_client(bob).post(reverse("accounts:twofactor_disable"), follow=True)
    assert [m.level for m in response.context["messages"]] == [message_levels.ERROR]
    assert selectors.is_enrolled(bob)


def test_county_admin_resets_a_user_in_scope_with_a_reason(required, alice, bob):
    enrolled(alice)
    enrolled(bob)
    client = verified_client(bob)
    url = reverse("accounts:twofactor_reset", args=[alice.pk])

    assert client.post(url, {"reason": " "}).status_code == 302
    assert selectors.has_confirmed_device(alice)  # no reason, no reset

    detail = client.get(reverse("accounts:user_detail", args=[alice.pk]))
    assert detail.status_code == 200
    assert 'data-testid="twofactor-card"' in detail.content.decode()

    assert client.post(url, {"reason": "丢失手机"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=alice).exists()
    assert not StaticDevice.objects.filter(user=alice).exists()
    entry = AuditEntry.objects.get(object_id=str(alice.pk), note__startswith="two-factor reset")
    assert entry.actor == bob
    assert "丢失手机" in entry.note


def test_reset_admin_must_enrol_again(required, alice, bob):
    root = User.objects.create_superuser(username="root", password=PASSWORD)
    enrolled(bob)
    services.reset(actor=root, user=bob, reason="新手机")
    assert password_login(Client(), "bob").startswith(ENROL)


def test_charlie_gets_404_resetting_a_user_outside_his_township(alice, charlie):
    enrolled(alice)
    client = Client()
    client.force_login(charlie)
    response = client.post(reverse("accounts:twofactor_reset", args=[alice.pk]), {"reason": "试试"})
    assert response.status_code == 404
    assert selectors.has_confirmed_device(alice)


def test_no_reset_of_ones_own(alice):
    enrolled(alice)
    with pytest.raises(ValidationError):
        services.reset(actor=alice, user=alice, reason="x")
