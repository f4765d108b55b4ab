"""Two-factor login in a real browser: a county admin who must use it sets it up by
reading the secret off the page, keeps the recovery codes, logs out and back in with a
code from the (computed) authenticator app."""

from base64 import b32decode

import pytest
from django_otp.oath import totp

from conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_enrols_then_logs_in_with_a_code(page, live_server, settings, bob):
    settings.TIANTOU_2FA_REQUIRED = True
    base = live_server.url
    page.goto(base + "/login/")
    page.fill("#id_username", "bob")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/me/two-factor/set-up/**")
    assert page.locator("img[src^='data:image/svg+xml']").is_visible()

    # Any other page sends the admin back here until the app is set up.
    page.goto(base + "/people/")
    page.wait_for_url("**/accounts/me/two-factor/set-up/**")

    key = b32decode(page.get_by_test_id("totp-secret").inner_text().replace(" ", ""))
    page.fill("#id_code", f"{totp(key):06d}")
    page.get_by_test_id("enrol-submit").click()
    codes = page.get_by_test_id("recovery-code")
    codes.first.wait_for()
    assert codes.count() == 10
    assert page.get_by_test_id("recovery-download").is_visible()
    page.get_by_test_id("recovery-done").click()
    page.wait_for_url(base + "/people/")

    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(base + "/login/")

    page.fill("#id_username", "bob")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/me/two-factor/verify/**")
    # The code the app shows next (the current one went into the set-up).
    page.fill("#id_code", f"{totp(key, drift=1):06d}")
    page.get_by_test_id("verify-submit").click()
    page.wait_for_url(base + "/")
    assert page.locator("h1").first.inner_text().startswith("概况")
