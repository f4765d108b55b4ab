"""Report pages: write a draft, edit a paragraph, issue, versions; scope and rights."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from conftest import COUNTY, TOWNSHIP_A
from tiantou.core.periods import Period
from tiantou.indicators.tests.test_engine import activity
from tiantou.regions.models import Region
from tiantou.reports import services
from tiantou.reports.document import Document
from tiantou.reports.models import Report, ReportSetting

pytestmark = pytest.mark.django_db
YEAR = dt.date.today().year


@pytest.fixture
def records(regions, posting_ming):
    for n in range(3):
        activity("training", TOWNSHIP_A, dt.date(YEAR, 1, 1 + n), participants=40)


@pytest.fixture
def report(bob, records):
    return services.report_generate(
        actor=bob,
        kind="county_work",
        region=Region.objects.get(code=COUNTY),
        period=Period.year(YEAR),
    )


def test_a_county_admin_writes_a_draft_from_the_form(client_for, bob, records):
    client = client_for(bob)
    assert client.get(reverse("reports:report_list")).status_code == 200
    response = client.post(
        reverse("reports:report_list"),
        {"kind": "county_work", "region": COUNTY, "period": str(YEAR)},
    )
    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:report_detail", args=[report.pk])
    page = client.get(response["Location"]).content.decode()
    assert "举办科技培训3期" in re.sub(r"<[^>]+>", "", page)
    assert 'class="tt-figure" href="/indicators/value/?' in page
    assert 'data-testid="report-chart"' in page
    assert "data:image/png;base64," in page


def test_bad_requests_keep_the_form_with_chinese_messages(client_for, bob, records):
    client = client_for(bob)
    response = client.post(
        reverse("reports:report_list"), {"kind": "county_work", "region": COUNTY, "period": "明年"}
    )
    assert response.status_code == 200 and "不是期间" in response.content.decode()
    response = client.post(
        reverse("reports:report_list"),
        {"kind": "county_work", "region": TOWNSHIP_A, "period": str(YEAR)},
    )
    assert response.status_code == 200 and not Report.objects.exists()
    response = client.post(
        reverse("reports:report_list"),
        {"kind": "county_work", "region": "371322000000", "period": str(YEAR)},
    )
    assert response.status_code == 200 and not Report.objects.exists()


def test_edit_a_paragraph_then_issue(client_for, bob, report):
    client = client_for(bob)
    block = next(b for b in Document.from_json(report.draft).blocks if b.kind == "paragraph")
    url = reverse("reports:block_edit", args=[report.pk, block.id])
    assert "textarea" in client.get(url).content.decode()
    response = client.post(url, {"text": "我局坚持科技兴县。", "version": report.version})
    assert response.status_code == 302
    report.refresh_from_db()
    assert Document.from_json(report.draft).block(block.id).text == "我局坚持科技兴县。"
    stale = client.post(url, {"text": "旧版本上的修改。", "version": report.version - 1})
    assert stale.status_code == 200 and "其他人" in stale.content.decode()
    response = client.post(
        reverse("reports:report_issue", args=[report.pk]), {"version": report.version}
    )
    assert response["Location"] == reverse("reports:version_detail", args=[report.pk, 1])
    page = client.get(response["Location"]).content.decode()
    assert "我局坚持科技兴县。" in page and 'data-testid="version-badge"' in page


def test_an_htmx_edit_answers_with_a_client_redirect(client_for, bob, report):
    block = Document.from_json(report.draft).blocks[0]
    response = client_for(bob).post(
        reverse("reports:block_edit", args=[report.pk, block.id]),
        {"text": "新的开头。", "version": report.version},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and response["HX-Redirect"].endswith(f"#block-{block.id}")


def test_neighbours_get_404_and_viewers_cannot_write(client_for, charlie, dana, report):
    client = client_for(charlie)
    for url in (
        reverse("reports:report_detail", args=[report.pk]),
        reverse("reports:block_edit", args=[report.pk, "b1"]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("reports:report_issue", args=[report.pk])).status_code == 404
    viewer = client_for(dana)
    assert viewer.get(reverse("reports:report_detail", args=[report.pk])).status_code == 200
    assert viewer.post(reverse("reports:report_issue", args=[report.pk])).status_code == 403


def test_settings_are_quoted_in_the_next_draft(client_for, bob, records):
    client = client_for(bob)
    response = client.post(
        reverse("reports:setting_edit"),
        {"year": YEAR, "guiding_ideology": "科学发展观", "issuer": "沂南县科学技术局"},
    )
    assert response.status_code == 302
    assert ReportSetting.objects.get().issuer == "沂南县科学技术局"
    report = services.report_generate(
        actor=bob,
        kind="county_work",
        region=Region.objects.get(code=COUNTY),
        period=Period.year(YEAR),
    )
    doc = Document.from_json(report.draft)
    assert doc.title.startswith("沂南县科学技术局")
    assert "坚持以科学发展观为指导" in doc.blocks[0].text
    assert not any(b.kind == "gap" and "指导思想" in b.text for b in doc.blocks)


def test_a_bad_year_in_the_settings_address_falls_back_to_this_year(client_for, bob, regions):
    response = client_for(bob).get(reverse("reports:setting_edit"), {"year": "明年"})
    assert response.status_code == 200
    assert response.context["form"].initial["year"] == dt.date.today().year
