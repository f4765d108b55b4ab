"""Log-in throttling: the (user name, IP address) pair locks, one IP address with many
failures is refused, and every failure waits a moment."""

import time

from django.urls import reverse

from conftest import PASSWORD

IP_A, IP_B = "10.0.0.1", "10.0.0.2"


def _login(client, username, password, ip=IP_A):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_lockout_is_by_user_name_and_address(client, alice):
    for _ in range(4):
        assert _login(client, "alice", "wrong-password").status_code == 200
    assert _login(client, "alice", "wrong-password").status_code == 429
    assert _login(client, "alice", PASSWORD).status_code == 429  # locked from IP A
    response = _login(client, "alice", PASSWORD, ip=IP_B)
    assert response.status_code == 302  # a guesser elsewhere cannot lock her out
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_many_user_names_from_one_address_are_refused(client, settings, alice):
    settings.TIANTOU_LOGIN_IP_FAILURE_LIMIT = 30
    statuses = [_login(client, f"guess{n}", "wrong-password").status_code for n in range(30)]
    assert statuses[:29] == [200] * 29
    assert statuses[29] == 429
    # The address is refused even for a right password; other addresses are not.
    assert _login(client, "alice", PASSWORD).status_code == 429
    assert _login(client, "alice", PASSWORD, ip=IP_B).status_code == 302


def test_guesses_a_minute_from_one_address(client, settings, capsys, db):
    """Passwords one address gets checked in a minute of guessing as fast as it can (no
    delay here, so only the limits count): the failure that reaches the limit is checked and
    answered with a lockout, every later one is refused unchecked until AXES_COOLOFF_TIME has
    passed without failures. Issue 18 measured 202 a minute before."""
    # Two guesses per user name, as a guesser rotating names would make.
    statuses = [_login(client, f"user{n // 2}", f"guess-{n}").status_code for n in range(100)]
    locked_at = statuses.index(429)
    assert set(statuses[:locked_at]) == {200}
    assert set(statuses[locked_at:]) == {429}
    checked = locked_at + 1  # the failure that locked was checked too
    with capsys.disabled():
        print(f"\npasswords checked for one address in its first minute: {checked}")
    assert checked == settings.TIANTOU_LOGIN_IP_FAILURE_LIMIT


def test_each_failure_waits(client, settings, alice):
    settings.TIANTOU_LOGIN_FAILURE_DELAY = 0.2
    started = time.monotonic()
    _login(client, "alice", "wrong-password")
    assert time.monotonic() - started >= 0.2
    started = time.monotonic()
    assert _login(client, "alice", PASSWORD, ip=IP_B).status_code == 302
    assert time.monotonic() - started < 0.2
