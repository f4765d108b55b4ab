"""Issue 5's journey in a real browser: the county admin sets a target, splits it between
two townships and scores them with a scheme; as activities are recorded, progress and the
ranking move."""

import datetime as dt
import re

import pytest

from conftest import PASSWORD, TOWNSHIP_A, TOWNSHIP_B
from tests.browser.conftest import login
from tiantou.indicators.tests.test_engine import activity
from tiantou.regions.services import organisation_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("standard_types"),
]
YEAR = dt.date.today().year


def test_set_split_score_and_watch_the_ranking_move(
    page, phone_page, live_server, bob, alice, regions
):
    base = live_server.url
    unit = organisation_create(
        actor=bob, name="岸堤镇农技站", kind="department", region=regions["a"]
    )
    login(page, base, "bob", PASSWORD)

    # A target sheet with one target: 4 training sessions this year.
    page.goto(base + "/indicators/targets/new/")
    page.select_option("#id_region", "371321000000")
    page.fill("#id_year", str(YEAR))
    page.fill("#id_title", f"{YEAR}年科技工作目标")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/indicators/targets/\d+/$"))
    sheet_url = page.url
    page.click("[data-testid=item-create]")
    page.fill("#id_name", "举办科技培训")
    page.select_option("#id_indicator", "trainings")
    page.fill("#id_value", "4")
    page.click("main form button[type=submit]")
    page.wait_for_url(sheet_url)

    # Split it: 2 for each township; a split short of the total is refused first.
    page.get_by_role("link", name="分解").first.click()
    page.fill(f"#id_r{TOWNSHIP_A}", "2")
    page.fill(f"#id_r{TOWNSHIP_B}", "1")
    page.click("main form button[type=submit]")
    assert "低于目标值" in page.locator("[data-testid=split-error]").inner_text()
    page.fill(f"#id_r{TOWNSHIP_B}", "2")
    page.click("main form button[type=submit]")
    page.wait_for_url(sheet_url)

    # A scheme scoring the townships on it: 100 points for trainings.
    page.goto(base + "/indicators/scorecards/new/")
    page.select_option("#id_region", "371321000000")
    page.fill("#id_year", str(YEAR))
    page.fill("#id_name", f"{YEAR}年乡镇科技工作考核")
    page.select_option("#id_sheet", index=1)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/indicators/scorecards/\d+/edit/$"))
    page.select_option("select[name$='-indicator'] >> nth=0", "trainings")
    page.fill("input[name$='-weight'] >> nth=0", "100")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/indicators/scorecards/\d+/$"))
    scheme_url = page.url

    def ranks():
        rows = page.locator("[data-testid=scores] tbody tr")
        return {
            rows.nth(n).locator("td").nth(1).inner_text(): (
                rows.nth(n).locator("[data-testid=rank]").inner_text(),
                rows.nth(n).locator("[data-testid=total]").inner_text(),
            )
            for n in range(rows.count())
        }

    assert ranks()["岸堤镇"][1] == ranks()["孙祖镇"][1]

    # Township A records two trainings (one through the ledger form, confirmed in its
    # queue): it reaches its share and leads the ranking.
    activity("training", TOWNSHIP_A, dt.date(YEAR, 1, 5), participants=30)
    page.goto(base + "/ledger/new/")
    page.select_option("#id_activity_type", label="科技培训")
    page.select_option("#id_region", TOWNSHIP_A)
    page.fill("#id_title", "果树修剪技术培训")
    page.fill("#id_starts_on", dt.date(YEAR, 1, 6).isoformat())
    page.fill("#id_participants", "30")
    page.select_option("#id_organisation", label=unit.name)
    page.click("[data-testid=submit]")
    page.wait_for_url(re.compile(r"/ledger/\d+/$"))
    login(phone_page, base, "alice", PASSWORD)  # the township admin, on her phone
    phone_page.goto(base + "/ledger/queue/")
    phone_page.locator("[data-testid=queue-row]", has_text="果树修剪技术培训").locator(
        "[data-testid=confirm]"
    ).click()
    phone_page.locator("[data-testid=queue-row] [data-testid=status]").filter(
        has_text="已确认"
    ).wait_for()
    page.goto(scheme_url)
    scores = ranks()
    assert scores["岸堤镇"] == ("1", "100.00")
    assert scores["孙祖镇"][0] == "2"
    page.goto(sheet_url)
    assert page.locator("[data-testid=item-actual]").first.inner_text() == "2"
    assert "50.0%" in page.locator("main").inner_text()  # 2 of 4 reached
