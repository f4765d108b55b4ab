"""Issue 18's headers and sessions: the Content-Security-Policy, no caching of signed-in
responses, the 8-hour session with its idle timeout, and the production settings."""

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone, translation

from conftest import PASSWORD
from tiantou.accounts.services import token_create

MAIN_PAGES = [
    "/",
    "/people/",
    "/people/register/",
    "/ledger/",
    "/ledger/new/",
    "/indicators/",
    "/indicators/targets/",
    "/reports/",
    "/accounts/tokens/",
    "/api/v1/docs",
]


@pytest.mark.parametrize("path", MAIN_PAGES)
def test_main_pages_carry_the_policy_and_no_store(client_for, bob, path):
    response = client_for(bob).get(path)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert re.search(r"script-src 'self'(;|$)", policy)
    assert "frame-ancestors 'none'" in policy
    assert "form-action 'self'" in policy
    assert "img-src 'self' data:" in policy
    assert "no-store" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY"


def test_the_login_page_has_the_policy(client, db):
    response = client.get("/login/")
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_anonymous_pages_are_left_to_the_views_caching(client, db):
    response = client.get("/i18n/setlang/")
    assert "no-store" not in response.get("Cache-Control", "")


def test_files_and_json_to_signed_in_users_are_not_stored(client_for, bob):
    client = client_for(bob)
    export = client.get("/people/export/")
    assert export.status_code == 200
    assert "no-store" in export["Cache-Control"]
    api = client.get("/api/v1/me")
    assert api.status_code == 200
    assert "no-store" in api["Cache-Control"]


def test_api_token_answers_are_not_stored(client, bob):
    _token, secret = token_create(actor=bob, name="laptop")
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_templates_have_no_inline_script_nor_event_handler():
    templates = Path(settings.BASE_DIR) / "templates"
    for template in templates.rglob("*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag or 'type="application/json"' in tag, (template, tag)
        assert not re.search(r"\son[a-z]+\s*=", text), template
        assert "javascript:" not in text, template


# ---- sessions ----


@pytest.fixture
def clock(monkeypatch):
    """Moves the site's clock (django.utils.timezone.now) forward: `clock(minutes=31)`."""
    real_now = timezone.now
    offset = dt.timedelta()

    def now():
        return real_now() + offset

    def advance(**delta):
        nonlocal offset
        offset += dt.timedelta(**delta)

    monkeypatch.setattr(timezone, "now", now)
    return advance


def logged_in(client, clock):
    assert client.post("/login/", {"username": "bob", "password": PASSWORD}).status_code == 302
    assert client.get("/").status_code == 200
    return client


def test_idle_for_31_minutes_logs_out_with_a_message(client, bob, clock):
    logged_in(client, clock)
    clock(minutes=31)
    response = client.get("/ledger/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/ledger/"
    login_page = client.get(response["Location"])
    with translation.override("zh-hans"):
        message = translation.gettext(
            "You were logged out after %(minutes)d minutes without activity. Please log in again."
        ) % {"minutes": 30}
    assert message in login_page.content.decode()
    assert "_auth_user_id" not in client.session


def test_activity_within_30_minutes_keeps_the_session(client, bob, clock):
    logged_in(client, clock)
    for _ in range(4):
        clock(minutes=29)
        assert client.get("/ledger/").status_code == 200
    assert client.session["_auth_user_id"] == str(bob.pk)


def test_a_session_from_before_the_limits_gets_them(client, bob, clock):
    from tiantou.core.middleware import LAST_SEEN_KEY, STARTED_KEY

    logged_in(client, clock)
    session = client.session
    del session[STARTED_KEY], session[LAST_SEEN_KEY]
    session.save()
    assert client.get("/").status_code == 200
    assert STARTED_KEY in client.session
    clock(minutes=31)
    assert client.get("/").status_code == 302


def test_the_idle_limit_is_a_setting(client, bob, clock, settings):
    settings.TIANTOU_SESSION_IDLE_MINUTES = 10
    logged_in(client, clock)
    clock(minutes=9)
    assert client.get("/").status_code == 200
    clock(minutes=11)
    assert client.get("/").status_code == 302


def test_no_idle_limit_when_set_to_zero(client, bob, clock, settings):
    settings.TIANTOU_SESSION_IDLE_MINUTES = 0
    logged_in(client, clock)
    clock(hours=2)
    assert client.get("/").status_code == 200


def test_the_session_ends_8_hours_after_login_whatever_the_activity(client, bob, clock):
    logged_in(client, clock)
    for _ in range(16):
        clock(minutes=29)
        assert client.get("/").status_code == 200
    clock(minutes=20)  # 7 h 64 min after logging in
    response = client.get("/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_session_cookie_expires_with_the_absolute_limit(client, bob, clock):
    logged_in(client, clock)
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    clock(minutes=29)
    client.get("/ledger/")
    clock(minutes=2)
    response = client.get("/ledger/")  # the last-seen time is written: the session saved
    expiry = client.session.get_expiry_date()
    assert expiry <= timezone.now() + dt.timedelta(hours=8) - dt.timedelta(minutes=30)
    assert response.status_code == 200


def test_an_htmx_request_after_the_idle_limit_loads_the_login_page(client, bob, clock):
    logged_in(client, clock)
    clock(minutes=31)
    response = client.get(
        "/ledger/",
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/ledger/?q=x",
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/login/?next=/ledger/%3Fq%3Dx"


def test_the_api_answers_401_after_the_idle_limit(client, bob, clock):
    logged_in(client, clock)
    clock(minutes=31)
    assert client.get("/api/v1/me").status_code == 401


# ---- production settings ----

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "test-only-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    "TIANTOU_FIELD_KEY": "test-only-field-key",
    "DATABASE_URL": "sqlite:///:memory:",
    "DJANGO_ALLOWED_HOSTS": "tiantou.example.cn",
}


def in_production(*command, **env):
    """Runs a Python command under the production settings (a fresh process: the settings
    read the environment once)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TIANTOU_"))}
    environment |= PRODUCTION_ENV | env | {"DJANGO_SETTINGS_MODULE": "config.settings.prod"}
    return subprocess.run(  # noqa: S603 (the test's own commands)
        [sys.executable, *command], cwd=ROOT, env=environment, capture_output=True, text=True
    )


def production_settings(**env):
    names = [
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "X_FRAME_OPTIONS",
        "SECURE_REFERRER_POLICY",
        "SECURE_PROXY_SSL_HEADER",
        "SILENCED_SYSTEM_CHECKS",
        "SESSION_COOKIE_AGE",
    ]
    code = (
        "import json, config.settings.prod as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in {names!r}}}))"
    )
    done = in_production("-c", code, **env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_production_settings_are_https_only():
    prod = production_settings()
    assert prod["SECURE_HSTS_SECONDS"] == 365 * 24 * 60 * 60
    assert prod["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert prod["SECURE_SSL_REDIRECT"]
    assert prod["SESSION_COOKIE_SECURE"] and prod["CSRF_COOKIE_SECURE"]
    assert prod["X_FRAME_OPTIONS"] == "DENY"
    assert prod["SECURE_REFERRER_POLICY"] == "same-origin"
    assert prod["SECURE_PROXY_SSL_HEADER"] is None
    assert "security.W008" not in prod["SILENCED_SYSTEM_CHECKS"]
    assert prod["SESSION_COOKIE_AGE"] == 8 * 60 * 60


def test_production_behind_a_tls_proxy():
    prod = production_settings(DJANGO_BEHIND_TLS_PROXY="1", DJANGO_SECURE_SSL_REDIRECT="0")
    assert prod["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert not prod["SECURE_SSL_REDIRECT"]
    assert "security.W008" in prod["SILENCED_SYSTEM_CHECKS"]


def test_check_deploy_is_clean_under_production_settings():
    done = in_production("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARNINGS" not in done.stdout + done.stderr
