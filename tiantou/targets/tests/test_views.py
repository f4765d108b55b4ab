"""Target sheet pages: who sees what (a township sees its own shares of the county's issued
sheet, nothing of a draft), the forms, the Word letter and the Excel export re-opened."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from conftest import TOWNSHIP_A, TOWNSHIP_B
from tiantou.indicators.tests.test_engine import activity
from tiantou.regions.services import organisation_create
from tiantou.targets import services as targets
from tiantou.targets.models import TargetItem, TargetSheet, TargetSplit

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


@pytest.fixture
def sheet(bob, county, township_a, township_b):
    """The county's sheet: 食用菌3000亩 (力争5000亩) split A 2000 (力争3500) and B 1500,
    with a lead unit; two confirmed promotions in A this year (1200 亩)."""
    unit = organisation_create(actor=bob, name="县农业农村局", kind="department", region=county)
    sheet = targets.sheet_create(actor=bob, region=county, year=YEAR, title="科技工作目标")
    item = targets.item_create(
        actor=bob,
        sheet=sheet,
        name="新发展优质食用菌",
        indicator="promoted_area",
        value=3000,
        stretch_value=5000,
        lead_unit=unit,
        deadline=dt.date(YEAR, 12, 31),
    )
    targets.splits_save(
        actor=bob, item=item, splits=[(township_a, 2000, 3500), (township_b, 1500, None)]
    )
    activity("tech_promotion", TOWNSHIP_A, dt.date(YEAR, 1, 2), area_mu=Decimal("700"))
    activity("tech_promotion", TOWNSHIP_A, dt.date(YEAR, 1, 3), area_mu=Decimal("500"))
    return sheet


@pytest.fixture
def issued(bob, sheet):
    return targets.sheet_issue(actor=bob, sheet=sheet)


def split_of(code):
    return TargetSplit.objects.get(region_id=code)


def test_bob_sees_the_list_and_the_sheet_with_progress(client_for, bob, sheet):
    client = client_for(bob)
    listing = client.get(reverse("targets:sheet_list"))
    assert listing.status_code == 200 and "科技工作目标" in listing.content.decode()
    response = client.get(reverse("targets:sheet_detail", args=[sheet.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    item = TargetItem.objects.get()
    assert 'class="progress' in page
    assert 'data-testid="item-actual">1,200<' in page
    # The number links to the records behind it, in the county and in each township.
    assert "indicator=promoted_area&amp;period=" in page
    assert f"region={TOWNSHIP_A}" in page and f"region={TOWNSHIP_B}" in page
    assert f'data-testid="splits-{item.pk}"' in page
    assert "岸堤镇" in page and "孙祖镇" in page
    assert "县农业农村局" in page
    assert 'data-testid="sheet-issue"' in page  # a draft, bob may issue it


def test_forms_render_for_bob(client_for, bob, sheet):
    client = client_for(bob)
    item = TargetItem.objects.get()
    for url in (
        reverse("targets:sheet_create"),
        reverse("targets:sheet_edit", args=[sheet.pk]),
        reverse("targets:item_create", args=[sheet.pk]),
        reverse("targets:item_edit", args=[item.pk]),
        reverse("targets:item_splits", args=[item.pk]),
    ):
        assert client.get(url).status_code == 200, url
    splits_page = client.get(reverse("targets:item_splits", args=[item.pk])).content.decode()
    assert f'name="r{TOWNSHIP_A}"' in splits_page and f'name="r{TOWNSHIP_B}"' in splits_page
    assert 'value="2000.00"' in splits_page


def test_creating_a_sheet_and_an_item_through_the_forms(client_for, bob, county):
    client = client_for(bob)
    response = client.post(
        reverse("targets:sheet_create"),
        {"region": county.code, "year": YEAR, "title": "新目标", "note": ""},
    )
    sheet = TargetSheet.objects.get(title="新目标")
    assert response.status_code == 302
    response = client.post(
        reverse("targets:item_create", args=[sheet.pk]),
        {"name": "举办培训班", "indicator": "trainings", "kind": "range", "value": "2"},
    )
    assert response.status_code == 200  # a range without its upper bound
    assert not sheet.items.exists()
    response = client.post(
        reverse("targets:item_create", args=[sheet.pk]),
        {
            "name": "举办培训班",
            "indicator": "trainings",
            "kind": "range",
            "value": "2",
            "value_max": "3",
        },
    )
    assert response.status_code == 302
    assert sheet.items.get().unit == "期"


def test_a_split_below_the_total_is_refused_on_the_page(client_for, bob, sheet):
    item = TargetItem.objects.get()
    url = reverse("targets:item_splits", args=[item.pk])
    response = client_for(bob).post(
        url, {f"r{TOWNSHIP_A}": "1000", f"r{TOWNSHIP_B}": "1000", "version": item.version}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="split-error"' in page and "2000" in page and "3000" in page
    assert split_of(TOWNSHIP_A).value == Decimal("2000.00")  # unchanged
    response = client_for(bob).post(
        url,
        {
            f"r{TOWNSHIP_A}": "2500",
            f"r{TOWNSHIP_A}_stretch": "3000",
            f"r{TOWNSHIP_B}": "1500",
            f"r{TOWNSHIP_B}_stretch": "2000",
            "version": item.version,
        },
    )
    assert response.status_code == 302
    assert split_of(TOWNSHIP_A).value == Decimal("2500.00")
    page = client_for(bob).get(reverse("targets:sheet_detail", args=[item.sheet_id]))
    assert 'data-testid="over-assigned"' in page.content.decode()  # 4000 of 3000


def test_issue_then_sign_then_letters_and_export(client_for, bob, sheet):
    client = client_for(bob)
    response = client.post(reverse("targets:sheet_issue", args=[sheet.pk]))
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.status == "issued"
    item = TargetItem.objects.get()
    assert client.get(reverse("targets:item_splits", args=[item.pk])).status_code == 302
    signed_on = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(
        reverse("targets:split_sign", args=[split_of(TOWNSHIP_A).pk]),
        {"signed_on": signed_on.isoformat()},
    )
    assert response.status_code == 302
    assert split_of(TOWNSHIP_A).letter_signed_on == signed_on

    response = client.get(reverse("targets:split_letter", args=[split_of(TOWNSHIP_A).pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "沂南县" in text and str(YEAR) in text and "岸堤镇" in text
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "新发展优质食用菌" in cells
    assert "2000亩" in cells and "3500亩" in cells  # A's share and its stretch value
    assert "县农业农村局" in cells
    assert f"{YEAR}年12月31日" in cells
    assert "1500亩" not in cells  # B's share is not in A's letter
    assert f"{signed_on.year}年{signed_on.month}月{signed_on.day}日" in text

    response = client.get(reverse("targets:sheet_export", args=[sheet.pk]))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    items, shares = workbook.worksheets
    assert "科技工作目标" in items["A1"].value
    row = [cell.value for cell in items[3]]
    assert row[1] == "新发展优质食用菌" and row[4] == 3000 and row[6] == 5000
    assert row[12] == 1200 and row[13] == 40  # 1200 of 3000 亩
    rows = {r[2]: r for r in shares.iter_rows(min_row=2, values_only=True)}
    assert rows["岸堤镇"][3] == 2000 and rows["岸堤镇"][6] == 1200 and rows["岸堤镇"][7] == 60
    assert rows["孙祖镇"][6] == 0
    assert rows["岸堤镇"][9].date() == signed_on


def test_charlie_sees_nothing_of_a_draft_above_him(client_for, charlie, sheet):
    client = client_for(charlie)
    assert client.get(reverse("targets:sheet_detail", args=[sheet.pk])).status_code == 404
    assert client.get(reverse("targets:sheet_export", args=[sheet.pk])).status_code == 404
    letter = reverse("targets:split_letter", args=[split_of(TOWNSHIP_B).pk])
    assert client.get(letter).status_code == 404
    listing = client.get(reverse("targets:sheet_list")).content.decode()
    assert "科技工作目标" not in listing


def test_charlie_sees_his_own_share_of_the_issued_sheet_only(client_for, charlie, issued):
    client = client_for(charlie)
    listing = client.get(reverse("targets:sheet_list")).content.decode()
    assert "科技工作目标" in listing
    response = client.get(reverse("targets:sheet_detail", args=[issued.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "孙祖镇" in page and "岸堤镇" not in page
    assert 'data-testid="item-actual"' not in page  # the county's total is not his
    assert f"region={TOWNSHIP_B}" in page
    assert 'data-testid="sheet-issue"' not in page
    b_letter = client.get(reverse("targets:split_letter", args=[split_of(TOWNSHIP_B).pk]))
    assert b_letter.status_code == 200
    a_letter = client.get(reverse("targets:split_letter", args=[split_of(TOWNSHIP_A).pk]))
    assert a_letter.status_code == 404
    assert client.get(reverse("targets:sheet_export", args=[issued.pk])).status_code == 403
    assert client.get(reverse("targets:sheet_edit", args=[issued.pk])).status_code == 403
    sign = reverse("targets:split_sign", args=[split_of(TOWNSHIP_B).pk])
    assert client.post(sign, {"signed_on": "2026-01-01"}).status_code == 403
    item = TargetItem.objects.get()
    assert client.get(reverse("targets:item_edit", args=[item.pk])).status_code == 404


def test_dana_reads_but_does_not_write(client_for, dana, sheet):
    client = client_for(dana)
    assert client.get(reverse("targets:sheet_detail", args=[sheet.pk])).status_code == 200
    assert client.get(reverse("targets:sheet_export", args=[sheet.pk])).status_code == 200
    assert client.get(reverse("targets:sheet_create")).status_code == 403
    assert client.get(reverse("targets:sheet_edit", args=[sheet.pk])).status_code == 403
    assert client.post(reverse("targets:sheet_issue", args=[sheet.pk])).status_code == 403
    item = TargetItem.objects.get()
    assert client.get(reverse("targets:item_splits", args=[item.pk])).status_code == 403
    assert client.post(reverse("targets:item_delete", args=[item.pk])).status_code == 403
    assert TargetItem.objects.exists()


def test_a_cadre_has_no_target_pages(client_for, ming, sheet):
    assert client_for(ming).get(reverse("targets:sheet_list")).status_code == 403


def test_alice_manages_her_townships_sheet_and_charlie_gets_404(
    client_for, alice, charlie, township_a
):
    sheet = targets.sheet_create(actor=alice, region=township_a, year=YEAR, title="岸堤镇目标")
    targets.item_create(actor=alice, sheet=sheet, name="培训", indicator="trainings", value=2)
    assert (
        client_for(alice).get(reverse("targets:sheet_detail", args=[sheet.pk])).status_code == 200
    )
    client = client_for(charlie)
    for name in ("sheet_detail", "sheet_edit", "sheet_export", "item_create"):
        assert client.get(reverse(f"targets:{name}", args=[sheet.pk])).status_code == 404


def test_the_sheet_page_query_count_does_not_grow_with_items(client_for, bob, sheet):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(bob)
    url = reverse("targets:sheet_detail", args=[sheet.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n, key in enumerate(["trainings", "trainees", "boards"]):
        targets.item_create(actor=bob, sheet=sheet, name=f"目标{n}", indicator=key, value=1)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)
