"""Numbering, the document's JSON, and the county work summary written from records."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B
from tiantou.core.periods import Period
from tiantou.indicators.models import ExternalFigure
from tiantou.indicators.tests.test_engine import activity
from tiantou.regions.models import Region
from tiantou.reports import services
from tiantou.reports.document import (
    GAP,
    HEADING,
    Block,
    Document,
    Figure,
    chinese_number,
    enumerate_items,
    numbered,
    segments,
)
from tiantou.reports.models import ReportVersion
from tiantou.targets.models import TargetItem, TargetSheet

TODAY = dt.date(2027, 1, 10)  # the 2026 summary is written once the year is over


def test_chinese_numbers_and_heading_numbering_never_skip():
    assert [chinese_number(n) for n in (1, 9, 10, 11, 20, 35)] == [
        "一",
        "九",
        "十",
        "十一",
        "二十",
        "三十五",
    ]
    blocks = [
        Block(id="1", kind=HEADING, level=1, text="甲"),
        Block(id="2", kind=HEADING, level=2, text="子"),
        Block(id="3", kind=HEADING, level=2, text="丑"),
        Block(id="4", kind="paragraph", text="正文"),
        Block(id="5", kind=HEADING, level=1, text="乙"),
        Block(id="6", kind=HEADING, level=2, text="寅"),
        Block(id="7", kind=HEADING, level=3, text="卯"),
    ]
    labels = [label for _b, label in numbered(blocks)]
    assert labels == ["一、", "（一）", "（二）", "", "二、", "（一）", "1."]
    # A removed section leaves no gap.
    labels = [label for _b, label in numbered(blocks[:1] + blocks[4:])]
    assert labels == ["一、", "二、", "（一）", "1."]


def test_items_are_numbered_one_is_two_is():
    assert enumerate_items(["开展培训。", "", "推广技术；"]) == "一是开展培训；二是推广技术。"


def test_segments_link_figures_in_order_and_drop_edited_ones():
    figures = [
        Figure("60多期", "trainings", "63", "期", "", "/a"),
        Figure("8万余人次", "trainees", "80412", "人次", "", "/b"),
    ]
    parts = segments("开展培训60多期，培训8万余人次。", figures)
    assert [(text, f.url if f else None) for text, f in parts] == [
        ("开展培训", None),
        ("60多期", "/a"),
        ("，培训", None),
        ("8万余人次", "/b"),
        ("。", None),
    ]
    parts = segments("开展培训63期，培训8万余人次。", figures)
    assert [f.url for _t, f in parts if f] == ["/b"]


def test_document_round_trips_through_json():
    doc = Document(
        title="题",
        blocks=[
            Block(
                id="b1",
                kind="paragraph",
                text="x7项",
                figures=[Figure("7项", "k", "7", "项", "l", "/u")],
            )
        ],
    )
    assert Document.from_json(doc.to_json()) == doc


@pytest.fixture
def county_year(regions, posting_ming):
    d = dt.date
    for n in range(12):
        activity("training", TOWNSHIP_A, d(2026, 3, 1 + n), participants=900, posting=posting_ming)
    activity("training", TOWNSHIP_B, d(2026, 4, 1), participants=300)
    activity("tech_promotion", TOWNSHIP_A, d(2026, 4, 2), technologies=["水肥一体化技术"])
    activity("three_to_countryside", TOWNSHIP_B, d(2026, 5, 4), participants=4200, materials=15300)
    activity("training", TOWNSHIP_A, d(2025, 3, 1), participants=5000)
    for key, value in (("hitech_output", "619000000"), ("above_scale_output", "2668000000")):
        ExternalFigure.objects.create(
            indicator=key,
            region_id=COUNTY,
            period="2026",
            period_start=d(2026, 1, 1),
            period_end=d(2026, 12, 31),
            value=Decimal(value),
            status="confirmed",
        )
    ExternalFigure.objects.create(
        indicator="hitech_output",
        region_id=COUNTY,
        period="2025",
        period_start=d(2025, 1, 1),
        period_end=d(2025, 12, 31),
        value=Decimal("474000000"),
        status="confirmed",
    )
    sheet = TargetSheet.objects.create(region_id=COUNTY, year=2027, title="2027年总体目标")
    TargetItem.objects.create(
        sheet=sheet, order=1, name="新发展优质食用菌", value=3000, stretch_value=5000, unit="亩"
    )
    TargetItem.objects.create(
        sheet=sheet, order=2, name="组织送科技下乡活动", kind="minimum", value=3, unit="次"
    )


def test_the_county_work_summary_is_written_from_the_records(bob, county_year):
    report = services.report_generate(
        actor=bob,
        kind="county_work",
        region=Region.objects.get(code=COUNTY),
        period=Period.year(2026),
        today=TODAY,
    )
    doc = Document.from_json(report.draft)
    text = "\n".join(b.full_text for b in doc.blocks)
    assert doc.title == "沂南县科技局2026年工作总结"
    assert "现将2026年工作情况总结如下" in text
    assert "举办科技培训10多期" in text  # 13 sessions
    assert "培训农牧民1.1万余人次" in text  # 12×900 + 300 = 11 100 person-times
    assert "同比增长122%" in text  # 11 100 against 5 000
    assert "推广引进新技术1项" in text
    assert "发放科技资料1.5万余份" in text
    assert "高新技术产业产值完成6.19亿元，同比增长30.6%" in text
    assert "比重达到23.2%" in text
    assert "岸堤镇、孙祖镇等乡镇" in text
    assert "一是新发展优质食用菌3000亩，力争5000亩；二是组织送科技下乡活动3次以上。" in text
    headings = [label + b.text for b, label in numbered(doc.blocks) if b.kind == HEADING]
    assert headings[0].startswith("一、") and headings[-1] == "五、下一步工作"
    # No guiding ideology configured: a marked gap, never "xxx".
    assert any(b.kind == GAP and "指导思想" in b.text for b in doc.blocks)
    assert "xxx" not in text
    # Every quoted figure links to its records.
    assert all(f.url.startswith("/indicators/value/?") for f in doc.figures)


def test_issued_versions_are_frozen(bob, county_year):
    report = services.report_generate(
        actor=bob,
        kind="county_work",
        region=Region.objects.get(code=COUNTY),
        period=Period.year(2026),
        today=TODAY,
    )
    first = services.report_issue(actor=bob, report=report)
    frozen = first.content
    block = next(b for b in Document.from_json(report.draft).blocks if b.kind == "paragraph")
    services.block_edit(actor=bob, report=report, block_id=block.id, text="改写的开头。")
    activity("training", TOWNSHIP_A, dt.date(2026, 6, 1), participants=50_000)
    services.report_regenerate(actor=bob, report=report, today=TODAY)
    second = services.report_issue(actor=bob, report=report)
    first.refresh_from_db()
    assert first.content == frozen and first.number == 1 and second.number == 2
    assert "6.1万余人次" in str(second.content) and "6.1万余人次" not in str(first.content)
    with pytest.raises(ValidationError):
        first.save()
    assert ReportVersion.objects.filter(report=report).count() == 2


def test_editing_keeps_the_figures_whose_words_remain(bob, county_year):
    report = services.report_generate(
        actor=bob,
        kind="county_work",
        region=Region.objects.get(code=COUNTY),
        period=Period.year(2026),
        today=TODAY,
    )
    doc = Document.from_json(report.draft)
    block = next(b for b in doc.blocks if "举办科技培训" in b.text)
    edited = block.text.replace("举办科技培训10多期，", "全年办班13期，")
    services.block_edit(actor=bob, report=report, block_id=block.id, text=edited)
    report.refresh_from_db()
    block = Document.from_json(report.draft).block(block.id)
    assert block.edited and block.text == edited
    assert "trainings" not in [f.indicator for f in block.figures]
    assert "trainees" in [f.indicator for f in block.figures]


def test_bad_requests_get_chinese_messages(bob, alice, county_year):
    county = Region.objects.get(code=COUNTY)
    with pytest.raises(ValidationError):
        services.report_generate(actor=bob, kind="nope", region=county, period=Period.year(2026))
    with pytest.raises(ValidationError):
        services.report_generate(
            actor=bob, kind="county_work", region=county, period=Period.month(2026, 3)
        )
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.report_generate(
            actor=alice, kind="county_work", region=county, period=Period.year(2026)
        )


def test_a_report_is_written_in_chinese_whatever_the_page_language(bob, county_year):
    from django.utils import translation

    with translation.override("en"):
        report = services.report_generate(
            actor=bob,
            kind="county_work",
            region=Region.objects.get(code=COUNTY),
            period=Period.year(2026),
            today=TODAY,
        )
    text = "\n".join(b.full_text for b in Document.from_json(report.draft).blocks)
    assert "组织送科技下乡活动3次以上" in text
    table = next(b for b in Document.from_json(report.draft).blocks if b.kind == "table")
    assert table.table["columns"][1] == "科技培训（期）"
