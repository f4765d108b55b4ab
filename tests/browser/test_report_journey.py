"""Issue 6's journey in a real browser: the county admin writes the annual 工作总结 from the
data, edits a paragraph, issues it, and clicks a number to land on its records."""

import datetime as dt
import re

import pytest

from conftest import PASSWORD, TOWNSHIP_A, TOWNSHIP_B
from tests.browser.conftest import login
from tiantou.indicators.tests.test_engine import activity
from tiantou.reports.models import ReportVersion

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("standard_types"),
]
YEAR = dt.date.today().year


def test_write_edit_issue_and_follow_a_number(page, live_server, bob, regions):
    for n in range(3):
        activity("training", TOWNSHIP_A, dt.date(YEAR, 1, 2 + n), participants=120)
    activity("training", TOWNSHIP_B, dt.date(YEAR, 1, 9), participants=45)
    base = live_server.url
    login(page, base, "bob", PASSWORD)

    page.goto(base + "/reports/")
    page.select_option("#id_kind", "county_work")
    assert page.input_value("#id_region") == "371321000000"
    page.fill("#id_period", str(YEAR))
    page.click("[data-testid=report-generate]")
    page.wait_for_url(re.compile(r"/reports/\d+/$"))
    document = page.locator("[data-testid=report-document]")
    assert "举办科技培训4期" in document.inner_text()
    assert "一、强化科技服务" in document.inner_text()

    # Edit the opening paragraph in place.
    page.locator("[data-testid=edit-b1]").click()
    page.fill("[data-testid=block-form] textarea", "全县上下齐心协力，科技工作取得新进展。")
    page.click("[data-testid=block-save]")
    page.wait_for_load_state("networkidle")
    assert "全县上下齐心协力" in page.locator("#block-b1").inner_text()

    # Issue it: a frozen version 1.
    page.click("[data-testid=report-issue]")
    page.wait_for_url(re.compile(r"/reports/\d+/v1/$"))
    assert page.locator("[data-testid=version-badge]").is_visible()
    assert ReportVersion.objects.get().number == 1

    # Click the number of trainings and land on the four records behind it.
    page.locator("a.tt-figure", has_text="4期").first.click()
    page.wait_for_url(re.compile(r"/indicators/value/\?"))
    assert page.locator("[data-testid=value-number]").inner_text() == "4"
    assert page.locator("[data-testid=value-records] tbody tr").count() == 4
