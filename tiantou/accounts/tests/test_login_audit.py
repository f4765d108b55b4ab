"""Every log-in, log-out, failed log-in and lockout leaves an audit row."""

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from conftest import PASSWORD
from tiantou.accounts import signals
from tiantou.accounts.models import User
from tiantou.core.models import AuditEntry

IP = "10.0.0.7"


def _login(client, username, password):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=IP
    )


def _events(event):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), after__event=event
    )


def test_login_and_logout_are_audited(client, ming, township_a):
    assert _login(client, "ming", PASSWORD).status_code == 302
    entry = _events(signals.LOGIN).get()
    assert entry.actor == ming
    assert entry.object_id == str(ming.pk)
    assert entry.after == {"event": "login", "username": "ming", "ip_address": IP}
    assert IP in entry.note
    assert entry.region_code == township_a.code  # scoped like the person's membership

    client.post(reverse("logout"), REMOTE_ADDR=IP)
    logout = _events(signals.LOGOUT).get()
    assert (logout.actor, logout.object_id) == (ming, str(ming.pk))


def test_failed_login_is_audited_for_known_and_unknown_names(client, ming):
    _login(client, "ming", "wrong-password")
    _login(client, "nobody", "wrong-password")
    known, unknown = _events(signals.LOGIN_FAILED).order_by("id")
    assert known.actor is None  # whoever typed it did not prove to be ming
    assert (known.object_id, known.after["username"]) == (str(ming.pk), "ming")
    assert (unknown.object_id, unknown.object_repr) == ("", "nobody")
    assert unknown.after["ip_address"] == IP
    assert unknown.region_code == ""


def test_lockout_is_audited(client, ming):
    for _ in range(5):
        _login(client, "ming", "wrong-password")
    entry = _events(signals.LOCKED_OUT).get()
    assert entry.object_id == str(ming.pk)
    assert entry.after == {"event": "locked_out", "username": "ming", "ip_address": IP}
    assert _events(signals.LOGIN_FAILED).count() == 5


def test_address_refusal_is_audited(client, settings, db):
    settings.TIANTOU_LOGIN_IP_FAILURE_LIMIT = 3
    for n in range(3):
        _login(client, f"guess{n}", "wrong-password")
    entry = _events(signals.LOCKED_OUT).get()
    assert IP in entry.note and "guess2" in entry.note


def test_account_page_shows_log_ins_to_audit_readers(client, client_for, alice, ming):
    _login(client, "ming", "wrong-password")
    _login(client, "ming", PASSWORD)
    page = client_for(alice).get(reverse("accounts:user_detail", args=[ming.pk]))
    events = [entry.after["event"] for entry in page.context["history"] if entry.after]
    assert events[:2] == ["login", "login_failed"]  # newest first
    assert IP in page.content.decode()


def test_account_history_needs_the_audit_right(dana, ming):
    from tiantou.accounts.selectors import account_history

    memberships = list(ming.memberships.all())
    assert account_history(actor=dana, user=ming, memberships=memberships) is None
