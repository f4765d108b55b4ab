"""Issue 18: the pages work under the Content-Security-Policy. The browser reports every
violation (a `securitypolicyviolation` event, a console error): there must be none on the
dashboard with its charts, a list, a form, a report and the API docs."""

import datetime as dt
import re

import pytest

from conftest import PASSWORD, TOWNSHIP_A
from tests.browser.conftest import login
from tiantou.indicators.tests.test_engine import activity

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("standard_types"),
]
YEAR = dt.date.today().year

LISTEN = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.tiantouCspViolation(
    `${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


def watch_violations(page) -> list[str]:
    """Collects the policy violations of every page the tab opens from now on."""
    violations: list[str] = []

    def report(text: str) -> None:
        violations.append(text)

    def console(message) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    page.expose_function("tiantouCspViolation", report)
    page.add_init_script(LISTEN)
    page.on("console", console)
    return violations


def test_the_main_pages_run_without_policy_violations(page, live_server, bob, regions):
    for n in range(3):
        activity("training", TOWNSHIP_A, dt.date(YEAR, 1, 2 + n), participants=120)
    base = live_server.url
    violations = watch_violations(page)
    login(page, base, "bob", PASSWORD)

    # The dashboard draws its charts with ECharts (canvas).
    page.wait_for_selector("#breakdown-chart canvas")
    page.goto(base + "/ledger/")
    page.wait_for_load_state("networkidle")
    page.goto(base + "/ledger/new/")
    page.wait_for_load_state("networkidle")
    page.goto(base + "/people/counts/")
    page.wait_for_load_state("networkidle")

    page.goto(base + "/reports/")
    page.select_option("#id_kind", "county_work")
    page.fill("#id_period", str(YEAR))
    page.click("[data-testid=report-generate]")
    page.wait_for_url(re.compile(r"/reports/\d+/$"))
    page.wait_for_load_state("networkidle")

    page.goto(base + "/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info")
    page.wait_for_load_state("networkidle")

    # The behaviours moved out of inline handlers still work: the language switch submits.
    page.goto(base + "/ledger/")
    page.select_option("select[name=language]", "en")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"

    assert violations == []
