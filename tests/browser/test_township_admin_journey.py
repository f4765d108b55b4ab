"""Issue 2's journey in a real browser, at desktop and phone size: a township admin logs in,
browses to a village, registers an organisation there, finds it listed, and logs out."""

import pytest

from conftest import PASSWORD, TOWNSHIP_A, VILLAGE_A
from tests.browser.conftest import login
from tiantou.regions.models import Organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_township_admin_registers_an_organisation_in_a_village(
    size, page, phone_page, live_server, alice, charlie
):
    tab = page if size == "desktop" else phone_page
    login(tab, live_server.url, "alice", PASSWORD)

    if size == "phone":
        tab.get_by_role("button", name="菜单").click()
        tab.wait_for_selector("#main-nav.show:not(.collapsing)")
    tab.get_by_role("button", name="基础数据").click()
    tab.get_by_role("link", name="地区").click()
    tab.get_by_role("link", name="岸堤镇").first.click()
    tab.wait_for_url(f"{live_server.url}/regions/{TOWNSHIP_A}/")
    tab.get_by_role("link", name="岸堤村").click()
    tab.wait_for_url(f"{live_server.url}/regions/{VILLAGE_A}/")

    tab.get_by_role("link", name="在此新增单位").click()
    tab.fill("#id_name", "岸堤村蔬菜专业合作社")
    tab.select_option("#id_kind", "cooperative")
    assert tab.locator("#id_region").input_value() == VILLAGE_A
    tab.fill("#id_contact_person", "王建国")
    tab.get_by_role("button", name="保存").click()
    tab.wait_for_url(f"{live_server.url}/regions/organisations/*/")
    assert "已添加岸堤村蔬菜专业合作社" in tab.locator(".alert-success").inner_text()

    organisation = Organisation.objects.get(name="岸堤村蔬菜专业合作社")
    assert organisation.region_id == VILLAGE_A

    tab.goto(f"{live_server.url}/regions/organisations/")
    assert tab.get_by_role("link", name="岸堤村蔬菜专业合作社").is_visible()

    if size == "phone":
        tab.get_by_role("button", name="菜单").click()
        # Bootstrap ignores clicks inside the menu while it is still sliding open.
        tab.wait_for_selector("#main-nav.show:not(.collapsing)")
    tab.get_by_test_id("user-menu").click()
    tab.get_by_role("button", name="退出").click()
    tab.wait_for_url(f"{live_server.url}/login/")
    tab.goto(f"{live_server.url}/regions/organisations/")
    assert tab.url.startswith(f"{live_server.url}/login/")

    # The neighbouring township's admin does not even learn that it exists.
    login(tab, live_server.url, "charlie", PASSWORD)
    response = tab.goto(f"{live_server.url}/regions/organisations/{organisation.pk}/")
    assert response.status == 404
    assert "未找到" in tab.locator("h1").inner_text()
