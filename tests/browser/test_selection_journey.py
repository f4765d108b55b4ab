"""Issue 3's selection journey in a real browser: the organisation department opens a batch,
sets quotas, enters two applicants, scores them as a judge, allocates them by rank, publishes
the list and downloads it; the selected cadre then logs in (at phone size) and sees the post."""

import datetime

import pytest
from openpyxl import load_workbook

from conftest import PASSWORD, TOWNSHIP_A, TOWNSHIP_B
from tests.browser.conftest import login
from tiantou.accounts.models import Membership, User
from tiantou.accounts.roles import Role
from tiantou.people.choices import BatchStatus, PostingStatus
from tiantou.people.models import Batch, Posting
from tiantou.people.services import person_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cast(bob, county, programme, home_unit):
    """The organisation department's officer and two candidates, one with a login."""
    officer = User.objects.create_user(username="zhou", password=PASSWORD, name="周组织")
    Membership.objects.create(user=officer, role=Role.ORG_DEPT, region=county)
    cadre_login = User.objects.create_user(username="xiaoli", password=PASSWORD, name="李小丽")
    first = person_create(
        actor=bob,
        name="李小丽",
        region=county,
        gender="F",
        title="农艺师",
        title_rank=2,
        home_unit=home_unit,
        user=cadre_login,
    )
    second = person_create(
        actor=bob, name="王大山", region=county, gender="M", title="畜牧师", title_rank=2
    )
    return {"officer": officer, "first": first, "second": second}


def test_the_organisation_department_selects_and_the_cadre_sees_the_posting(
    page, phone_page, live_server, cast, programme, home_unit, tmp_path
):
    base = live_server.url
    officer, first, second = cast["officer"], cast["first"], cast["second"]
    login(page, base, "zhou", PASSWORD)

    # A new batch, with the officer on the panel.
    page.goto(base + "/people/selection/")
    page.get_by_test_id("batch-add").click()
    page.select_option("#id_programme", str(programme.pk))
    page.fill("#id_year", "2026")
    page.fill("#id_number", "1")
    page.fill("#id_term_start_on", "2026-04-01")
    page.select_option("#id_judges", [str(officer.pk)])
    page.get_by_test_id("save").click()
    page.wait_for_url(f"{base}/people/selection/*/")
    batch = Batch.objects.get()
    detail = f"{base}/people/selection/{batch.pk}/"

    # One place in each township.
    page.fill(f"#id_quota_{TOWNSHIP_A}", "1")
    page.fill(f"#id_quota_{TOWNSHIP_B}", "1")
    page.get_by_test_id("save-quotas").click()
    page.wait_for_url(detail)
    assert {(q.region_id, q.quota) for q in batch.quotas.all()} == {
        (TOWNSHIP_A, 1),
        (TOWNSHIP_B, 1),
    }

    # Two applicants: one recommended by her unit, one who applied himself.
    page.get_by_test_id("applicant-add").click()
    page.select_option("#id_person", str(first.pk))
    page.select_option("#id_recommended_by", str(home_unit.pk))
    page.select_option("#id_preferred_region", TOWNSHIP_A)
    page.get_by_test_id("save-add-another").click()
    page.wait_for_url(f"{detail}applicants/add/")
    page.select_option("#id_person", str(second.pk))
    page.select_option("#id_preferred_region", TOWNSHIP_A)
    page.get_by_test_id("save").click()
    page.wait_for_url(detail)
    assert page.get_by_test_id("applicant-李小丽").is_visible()
    assert page.get_by_test_id("applicant-王大山").is_visible()

    # The defence: the officer, as judge, scores both.
    page.get_by_test_id("start-scoring").click()
    page.wait_for_url(detail)
    page.get_by_test_id("score").click()
    page.wait_for_url(f"{detail}score/")
    apps = {a.person.name: a for a in batch.applications.select_related("person")}
    page.fill(f"#id_a{apps['李小丽'].pk}-score", "92.5")
    page.fill(f"#id_a{apps['王大山'].pk}-score", "88")
    page.get_by_test_id("save-scores").click()
    page.wait_for_url(f"{detail}score/")
    page.goto(detail)
    page.get_by_test_id("close-scoring").click()
    page.wait_for_url(detail)

    # 择优选派 by rank: both want township A, which has one place.
    page.get_by_test_id("auto-allocate").click()
    page.wait_for_url(detail)
    statuses = dict(batch.applications.values_list("person__name", "status"))
    assert statuses == {"李小丽": "selected", "王大山": "waiting"}
    # The officer reviews and sends the runner-up to township B instead (htmx, in place).
    row = page.get_by_test_id("decide-王大山")
    row.locator("select[name=status]").select_option("selected")
    row.locator("select[name=allocated_region]").select_option(TOWNSHIP_B)
    with page.expect_response(f"{base}/people/selection/applicants/{apps['王大山'].pk}/decide/"):
        row.get_by_role("button").click()
    page.get_by_test_id("decide-王大山").wait_for()
    statuses = dict(batch.applications.values_list("person__name", "status"))
    assert statuses == {"李小丽": "selected", "王大山": "selected"}

    # Publish, after the confirmation page.
    page.get_by_test_id("publish").click()
    page.wait_for_url(f"{detail}publish/")
    assert "李小丽" in page.content()
    page.get_by_test_id("confirm-publish").click()
    page.wait_for_url(detail)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PUBLISHED

    # The allocation list downloads as Excel.
    with page.expect_download() as download_info:
        page.get_by_test_id("download-xlsx").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / "allocation.xlsx"
    download.save_as(saved)
    names = [row[1] for row in load_workbook(saved).active.iter_rows(min_row=3, values_only=True)]
    assert names == ["李小丽", "王大山"]

    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(f"{base}/login/")

    # The selected cadre logs in on her phone and finds her post.
    posting = Posting.objects.get(person=first)
    assert posting.status == PostingStatus.PLANNED
    assert posting.starts_on == datetime.date(2026, 4, 1)
    login(phone_page, base, "xiaoli", PASSWORD)
    phone_page.goto(base + "/people/mine/")
    card = phone_page.get_by_test_id("my-posting")
    assert card.count() == 1
    text = card.inner_text()
    assert "科技副镇长" in text and "岸堤镇" in text and "2026-04-01" in text
