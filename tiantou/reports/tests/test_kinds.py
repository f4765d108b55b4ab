"""The four further report kinds, written from hand-made records with hand-computed
figures: the dispatch programme's 工作总结, the 科协's annual 工作总结 (gaps, never "xxx"),
the allocation list and the spot-check 通报; then every kind on the demo county."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B
from tiantou.core.periods import Period
from tiantou.core.services import create_audited
from tiantou.indicators import engine
from tiantou.indicators.engine import Scope
from tiantou.indicators.tests.test_engine import activity
from tiantou.ledger.models import SpotCheck, SpotCheckDraw, WorkReport
from tiantou.ledger.oversight import services as oversight
from tiantou.people import services as people_services
from tiantou.people.models import Programme
from tiantou.people.selection import services as selection
from tiantou.people.tests.test_selection_services import make_person, scored_batch
from tiantou.regions.models import Region
from tiantou.reports import kinds
from tiantou.reports.document import GAP, HEADING, TABLE, Document, numbered
from tiantou.reports.models import ReportSetting
from tiantou.reports.render.docx import render_docx
from tiantou.reports.render.markdown import render_md
from tiantou.web.demo import DEFAULT_COUNTY

# After the year's end: both 2026 due dates of the work reports have passed.
TODAY = dt.date(2027, 1, 10)
Y2026 = Period.year(2026)
GUIDING = "习近平新时代中国特色社会主义思想"


def write(kind: str, code: str = COUNTY, period: Period = Y2026, today=TODAY) -> Document:
    return kinds.get(kind).make(
        scope=Scope(region=Region.objects.get(code=code)), period=period, today=today
    )


def text_of(doc: Document) -> str:
    return "\n".join(b.full_text for b in doc.blocks)


def headings(doc: Document) -> list[str]:
    return [label + b.text for b, label in numbered(doc.blocks) if b.kind == HEADING]


def gaps(doc: Document) -> list[str]:
    return [b.text for b in doc.blocks if b.kind == GAP]


def table(doc: Document, caption_part: str) -> dict:
    return next(b.table for b in doc.blocks if b.kind == TABLE and caption_part in b.text)


def local(year, month, day, hour=10):
    return timezone.make_aware(dt.datetime(year, month, day, hour))


# ---- fixtures ----


@pytest.fixture
def posting_chen(bob, county, township_b):
    """陈红: a 科技助理 (one report a year) hired from outside the county, sent by the
    township to B from 2026-03-01."""
    assistants = create_audited(
        actor=bob,
        obj=Programme(name="乡镇长科技助理", kind="assistant", region=county, reports_per_year=1),
    )
    person = people_services.person_create(actor=bob, name="陈红", region=county, gender="F")
    posting = people_services.posting_create(
        actor=bob,
        person=person,
        programme=assistants,
        host_region=township_b,
        starts_on=dt.date(2026, 3, 1),
        dispatch_level="township",
        mode="hired",
        is_from_outside_county=True,
    )
    return people_services.posting_activate(actor=bob, posting=posting, on=dt.date(2026, 3, 1))


@pytest.fixture
def cadre_year(bob, posting_ming, posting_chen):
    """2026: ming (科技副职, A) runs 12 trainings of 900, promotes two technologies and a
    variety; chen (科技助理, B) supports 3 enterprises adding 9 650 000 元; a training in B
    by nobody's posting. Reports: ming's first on time, his second late, chen's missing.
    A spot check drew both on 12 May: ming present, chen absent (admonitory talk since)."""
    d = dt.date
    for n in range(12):
        activity("training", TOWNSHIP_A, d(2026, 3, 1 + n), participants=900, posting=posting_ming)
    activity(
        "tech_promotion",
        TOWNSHIP_A,
        d(2026, 4, 2),
        technologies=["水肥一体化技术", "测土配方施肥技术"],
        posting=posting_ming,
    )
    activity(
        "new_variety", TOWNSHIP_A, d(2026, 4, 3), technologies=["济麦22"], posting=posting_ming
    )
    activity(
        "enterprise_support",
        TOWNSHIP_B,
        d(2026, 6, 1),
        enterprises=3,
        output_value=Decimal("9650000"),
        posting=posting_chen,
    )
    activity("training", TOWNSHIP_B, d(2026, 4, 1), participants=300)  # not a cadre's
    activity("training", TOWNSHIP_A, d(2025, 4, 1), participants=500, posting=posting_ming)
    WorkReport.objects.create(
        posting=posting_ming,
        year=2026,
        number=1,
        due_on=d(2026, 6, 30),
        submitted_at=local(2026, 6, 28),
    )
    WorkReport.objects.create(
        posting=posting_ming,
        year=2026,
        number=2,
        due_on=d(2026, 12, 31),
        submitted_at=local(2027, 1, 5),
    )
    draw = SpotCheckDraw.objects.create(
        region_id=COUNTY,
        drawn_by=bob,
        seed=7,
        size=2,
        population=sorted([posting_ming.pk, posting_chen.pk]),
    )
    SpotCheckDraw.objects.filter(pk=draw.pk).update(drawn_at=local(2026, 5, 12))
    for posting in (posting_ming, posting_chen):
        SpotCheck.objects.create(draw=draw, posting=posting)
    checks = {c.posting_id: c for c in draw.checks.all()}
    oversight.spotcheck_record(actor=bob, check=checks[posting_ming.pk], result="present")
    oversight.spotcheck_record(
        actor=bob, check=checks[posting_chen.pk], result="absent", note="未请假外出"
    )
    case = checks[posting_chen.pk].case
    oversight.discipline_escalate(actor=bob, case=case, reason="第二次谈话")
    return draw


# ---- the oversight indicators ----


def test_oversight_indicators_count_slots_reports_and_checks(cadre_year):
    result = engine.evaluate(
        [
            "work_reports_due",
            "work_reports_submitted",
            "work_reports_on_time",
            "work_report_rate",
            "spotchecks_drawn",
            "spotchecks_present",
            "spotchecks_absent",
            "presence_rate",
            "cadre_trainings",
            "cadre_trainees",
            "cadre_technologies",
        ],
        scope=Scope(region=Region.objects.get(code=COUNTY)),
        period=Y2026,
        by=engine.CHILDREN,
        today=TODAY,
    )
    # ming owes 30 June and 31 December (two a year), chen 31 December (one a year).
    assert result.number("work_reports_due") == 3
    assert result.number("work_reports_due", TOWNSHIP_A) == 2
    assert result.number("work_reports_submitted") == 2
    assert result.number("work_reports_on_time") == 1
    rate = result.number("work_report_rate")
    assert rate is not None and round(rate, 1) == Decimal("66.7")
    assert result.number("spotchecks_drawn") == 2
    assert (result.number("spotchecks_present"), result.number("spotchecks_absent")) == (1, 1)
    assert result.number("presence_rate") == 50
    assert result.number("presence_rate", TOWNSHIP_A) == 100
    assert result.number("cadre_trainings") == 12  # the training of nobody's posting is out
    assert result.number("cadre_trainees") == 10_800
    assert result.number("cadre_technologies") == 2
    # Before 30 June nothing is owed yet; the first half-year owes ming's first report.
    early = engine.evaluate(
        ["work_reports_due", "work_reports_submitted"],
        scope=Scope(region=Region.objects.get(code=COUNTY)),
        period=Y2026,
        today=dt.date(2026, 6, 1),
    )
    assert (early.number("work_reports_due"), early.number("work_reports_submitted")) == (0, 0)
    half = engine.evaluate(
        ["work_reports_due"],
        scope=Scope(region=Region.objects.get(code=COUNTY)),
        period=Period.half(2026, 1),
        today=TODAY,
    )
    assert half.number("work_reports_due") == 1


def test_the_slot_records_are_the_postings_that_owe(cadre_year, posting_ming, posting_chen):
    from tiantou.indicators import registry

    _source, rows = engine.records(
        registry.get("work_reports_due"),
        scope=Scope(region=Region.objects.get(code=COUNTY)),
        period=Period.half(2026, 2),
        today=TODAY,
    )
    assert {p.pk for p in rows} == {posting_ming.pk, posting_chen.pk}
    _source, rows = engine.records(
        registry.get("work_reports_due"),
        scope=Scope(region=Region.objects.get(code=COUNTY)),
        period=Period.half(2026, 1),
        today=TODAY,
    )
    assert [p.pk for p in rows] == [posting_ming.pk]


# ---- the dispatch programme's 工作总结 ----


def test_the_programme_summary_is_written_from_the_cadres_records(cadre_year):
    doc = write("programme_work")
    text = text_of(doc)
    assert doc.title == "沂南县2026年科技副职、科技助理工作总结"
    assert headings(doc) == [
        "一、各级领导齐抓共管，为科技副职、科技助理工作提供良好环境",
        "（一）领导重视，工作扎实",
        "（二）管理规范，制度健全",
        "二、科技副职、科技助理工作成效显著",
        "三、存在的问题",
        "四、下一步工作",
    ]
    assert "现将2026年科技副职、科技助理工作情况总结如下：" in text
    # I055: ming is sent by the county, chen by the township and hired from outside.
    assert "目前全县共有在岗科技副职、科技助理2名，其中县派1名，乡镇派1名，含聘请县外1名。" in text
    assert "按选派项目分，科技副职1名、科技助理1名。" in text
    assert "2026年新选派1名，外聘1名，外聘比例达到50%。" in text
    assert (
        "应交汇报3份，已交2份，其中按时上交1份，上交率66.7%。" in text
    )  # 2 of 3, one of them late
    assert "共抽查科技副职、科技助理2人次，在岗1人次，无故不在岗1人次，在岗率50%" in text
    # The "五个一" of the cadres only: 12 trainings of 900, not the 13th of nobody's.
    assert (
        "2026年，科技副职、科技助理共推广引进新技术2项，引进新品种1个，开展科技培训10多期，"
        "培训农牧民1万余人次，扶持发展企业3家，增加产值近千万元。"
    ) in text
    assert (
        "全县有2名科技副职、科技助理在工作台帐中记录了工作，岸堤镇、孙祖镇等乡镇开展工作较多。"
        in text
    )
    assert "一是思想和工作汇报上交率为66.7%" in text
    assert "二是随机查岗发现无故不在岗1人次" in text
    # No guiding phrase, no next year's targets: marked gaps, never "xxx".
    assert any("指导思想" in g for g in gaps(doc))
    assert any("2027年目标表" in g for g in gaps(doc))
    assert "xxx" not in text
    cadres = table(doc, "各乡镇")
    assert cadres["rows"][-1][0] == "合计" and cadres["rows"][-1][1] == "2"
    assert all(f.url.startswith("/indicators/value/?") for f in doc.figures)


def test_one_programme_is_named_alone_and_the_guiding_phrase_is_quoted(posting_ming, county):
    ReportSetting.objects.create(region=county, year=2026, guiding_ideology=GUIDING)
    doc = write("programme_work")
    text = text_of(doc)
    assert doc.title == "沂南县2026年科技副职工作总结"
    assert f"全县科技副职坚持以{GUIDING}为指导" in text
    assert "按选派项目分" not in text
    assert not any("指导思想" in g for g in gaps(doc))
    # No ledger record by a cadre: the results are a gap, not "0期".
    assert any("尚无已确认的科技副职工作记录" in g for g in gaps(doc))
    assert "0期" not in text
    # ming owed two reports in 2026 and wrote none; nobody was spot-checked.
    assert "一是思想和工作汇报上交率为0%" in text
    assert "二是2026年尚未开展随机查岗，跟踪管理有待加强。" in text


# ---- the 科协's annual 工作总结 ----


@pytest.fixture
def science_year(regions):
    d = dt.date
    activity("sci_week", TOWNSHIP_A, d(2026, 5, 20), participants=5000, experts=30)
    activity(
        "three_to_countryside",
        TOWNSHIP_B,
        d(2026, 1, 15),
        participants=4200,
        experts=25,
        materials=15300,
        boards=85,
    )
    activity("consultation", TOWNSHIP_A, d(2026, 3, 15), consultations=11800)
    for day in (1, 2, 3):
        activity("training", TOWNSHIP_A, d(2026, 7, day), participants=120)
    activity("youth_activity", TOWNSHIP_A, d(2026, 6, 1), participants=650)
    activity("tech_promotion", TOWNSHIP_A, d(2026, 4, 2), technologies=["水肥一体化技术"])
    activity("demo_base", TOWNSHIP_B, d(2026, 4, 9), technologies=["济麦22"])


def test_the_science_association_summary_fills_what_exists_and_marks_the_rest(science_year, county):
    ReportSetting.objects.create(region=county, year=2026, guiding_ideology=GUIDING)
    doc = write("sci_assoc")
    text = text_of(doc)
    assert doc.title == "沂南县科协2026年工作总结"
    assert headings(doc) == [
        "一、工作回顾",
        "（一）健全科普组织网络，继续强化科普服务功能",
        "（二）创新工作思路，认真开展具有特色的科普工作",
        "1.创新科普活动方式，打造精品科普活动",
        "2.借助社会科普力量，大力开展科技培训",
        "3.强化科普宣传阵地，拓宽科普宣传领域",
        "4.打造农村专业技术协会，树立科普工作特色",
        "5.实施科普示范项目，发挥科普示范作用",
        "6.发挥群团优势，竭力为社会服务",
        "二、存在的困难和问题",
        "三、来年工作思路",
        "（一）指导思想",
        "（二）科普工作要点",
    ]
    assert f"我县科协坚持从实际出发，以{GUIDING}为指导" in text
    # 一是…五是 of the network, numbered by the generator.
    assert "一是继续完善县科协的工作职能；" in text and "五是强化各级科普硬件" in text
    # Two big events (科技活动周 5 000 + 三下乡 4 200 people, 30 + 25 experts, 2 townships).
    assert (
        "一是认真组织好“科技活动周”“科技三下乡”“科普大行动”等大型科普活动2次，"
        "参加活动的专家和科普工作者50多人次，活动覆盖2个乡镇，直接受益群众9200人次"
    ) in text
    assert (
        "二是抓好科技下乡和科技咨询活动，组织开展科技咨询活动1期，接待咨询群众1.1万余人次，"
        "组织“三下乡”活动1次，参加活动的专家20多人次，参加活动的群众4200人次"
    ) in text
    assert "参加活动的青少年650人次" in text
    assert "全县共举办各类科技培训班3期，培训360人次。" in text
    assert "统一下发科普资料1.5万余份，展出科普展板80多块。" in text
    assert "建设科技示范基地1个，共引进新品种1个，新技术1项。" in text
    # What Tiantou does not hold yet is a marked gap naming where it will come from.
    marked = gaps(doc)
    assert len(marked) >= 16
    assert any("学协会（研究会）累计数量" in g and "尚无学会、协会登记数据" in g for g in marked)
    assert any("科普志愿者" in g for g in marked)
    assert any("参与率" in g and "教育部门" in g for g in marked)
    assert any("《科普园地》" in g for g in marked)
    assert not any("指导思想" in g for g in marked)
    assert "xxx" not in text and "xx" not in text.lower()
    assert all(f.url.startswith("/indicators/value/?") for f in doc.figures)
    # The gaps are marked in every rendering.
    assert "【待补：县直专业技术学协会" in render_md(doc)


def test_the_science_association_summary_without_records_is_all_gaps_but_no_zeros(regions):
    doc = write("sci_assoc")
    text = text_of(doc)
    assert "xxx" not in text and "0次" not in text and "0期" not in text
    assert any("尚无已确认的活动记录" in g for g in gaps(doc))
    assert any("2026年的指导思想表述" in g for g in gaps(doc))
    assert any("2027年的指导思想表述" in g for g in gaps(doc))


# ---- the allocation list ----


@pytest.fixture
def published_batch(bob, programme, county, township_a, township_b, home_unit):
    people = [
        make_person(bob, county, "甲", unit=home_unit),
        make_person(bob, county, "乙", title="畜牧师"),
    ]
    batch, apps = scored_batch(
        bob,
        programme,
        people,
        {"甲": 90, "乙": 85},
        {township_a: 1, township_b: 1},
        {},
    )
    selection.application_decide(
        actor=bob, application=apps["甲"], status="selected", allocated_region=township_a
    )
    selection.application_decide(
        actor=bob, application=apps["乙"], status="selected", allocated_region=township_b
    )
    return batch


def test_the_allocation_list_is_the_batchs_own_rows(published_batch, bob):
    doc = write("allocation")
    assert any("尚未公布分配去向" in g for g in gaps(doc))
    selection.batch_publish(actor=bob, batch=published_batch)
    doc = write("allocation")
    text = text_of(doc)
    assert doc.title == "沂南县2026年第1批科技副职分配去向"
    assert "确定了2026年新选派的科技副职挂职干部2名，现将分配去向公布如下：" in text
    rows = table(doc, "分配去向")["rows"]
    assert [row[1] for row in rows] == ["甲", "乙"]
    assert [row[4:] for row in rows] == [
        ["县农业农村局", "岸堤镇", "科技副镇长"],
        ["", "孙祖镇", "科技副镇长"],
    ]
    figure = doc.figures[0]
    assert figure.text == "2名" and figure.url == f"/people/selection/{published_batch.pk}/"
    # Another year has no batch.
    assert any("尚无选派批次" in g for g in gaps(write("allocation", period=Period.year(2025))))


# ---- the spot-check 通报 ----


def test_the_spot_check_bulletin_reports_the_draw_and_the_absent(cadre_year):
    doc = write("spot_check")
    text = text_of(doc)
    assert doc.title == "关于沂南县2026年派驻干部随机查岗情况的通报"
    assert headings(doc) == ["一、查岗基本情况", "二、查岗结果", "三、处理情况", "四、工作要求"]
    assert text.startswith("为加强") and "一是2026年5月12日" not in text
    assert (
        "2026年5月12日，由李博在沂南县在岗的2名派驻干部中随机抽取2名"
        "（随机种子7，经复核与原抽取结果一致）"
    ) in text
    assert (
        "2026年，共抽查派驻干部2人次，其中在岗1人次，无故不在岗1人次；"
        "按在岗与无故不在岗人次计算，在岗率为50%。"
    ) in text
    # A single case (or draw) is a sentence, not a one-item 一是 list.
    assert (
        "无故不在岗人员及处理情况：孙祖镇镇长科技助理陈红无故不在岗，已对其批评教育、戒免谈话。"
        in text
    )
    rows = {row[0]: row for row in table(doc, "各乡镇")["rows"]}
    assert rows["岸堤镇"][1:4] == ["1", "1", "0"] and rows["孙祖镇"][1:5] == ["1", "0", "0", "1"]
    assert rows["合计"][1] == "2"
    assert "xxx" not in text


def test_the_bulletin_of_a_township_or_an_empty_period(cadre_year):
    doc = write("spot_check", code=TOWNSHIP_A)
    text = text_of(doc)
    assert "共抽查派驻干部1人次，其中在岗1人次；按在岗与无故不在岗人次计算，在岗率为100%。" in text
    assert "陈红" not in text and "未发现无故不在岗人员" in text
    doc = write("spot_check", period=Period.half(2026, 2))
    assert any("尚无随机查岗记录" in g for g in gaps(doc))
    assert headings(doc) == ["一、查岗基本情况", "二、工作要求"]


def test_every_kind_renders_to_word(cadre_year, published_batch, bob):
    selection.batch_publish(actor=bob, batch=published_batch)
    for key in ("programme_work", "sci_assoc", "allocation", "spot_check"):
        doc = write(key)
        assert render_docx(doc)[:2] == b"PK"
        assert doc.title in render_md(doc)


# ---- the demo county ----


def test_every_kind_on_the_demo_county(db):
    call_command("seed_demo", stdout=io.StringIO())

    for key in ("county_work", "programme_work", "sci_assoc", "allocation", "spot_check"):
        doc = write(key, code=DEFAULT_COUNTY, today=dt.date(2026, 11, 23))
        text = text_of(doc)
        assert "xxx" not in text, key
        assert all(f.url for f in doc.figures), key
    doc = write("programme_work", code=DEFAULT_COUNTY, today=dt.date(2026, 11, 23))
    assert doc.title == "沂南县2026年科技副职、科技助理、科技特派员工作总结"
    assert "按选派项目分，科技副职" in text_of(doc)
    # The 2026 batch is still being scored: no list yet, a gap says so.
    doc = write("allocation", code=DEFAULT_COUNTY, today=dt.date(2026, 11, 23))
    assert any("科技副职第1批尚未公布分配去向" in g for g in gaps(doc))
