"""The shell in a real browser: log in, see the overview in Chinese, log out."""

import pytest

from conftest import PASSWORD
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_overview_logout(page, live_server, alice):
    login(page, live_server.url, "alice", PASSWORD)
    assert page.locator("h1").first.inner_text().startswith("概况")
    assert page.get_by_test_id("count-villages").inner_text() == "1"
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(live_server.url + "/login/")


def test_wrong_password_is_refused_in_chinese(page, live_server, alice):
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "wrong-password")
    page.click("button[type=submit]")
    assert "用户名" in page.locator(".alert-danger").inner_text()
