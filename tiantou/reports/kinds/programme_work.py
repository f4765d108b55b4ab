"""The dispatch programme's 工作总结 (科技副职 / 科技助理 / 科技特派员; seeds 000 and 001 §1):
opening formula, 一、各级领导齐抓共管 with the cadres in office (I055: 其中县派…含聘请县外…
乡镇派…), work reports and spot checks, 二、工作成效 with the cadres' "五个一" figures from
the ledger, a table by township, 存在的问题 and 下一步工作.

One report covers every programme running in the region; with several, the title names
them and a sentence breaks the cadres down by programme."""

from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _

from tiantou.core import regioncodes
from tiantou.core.periods import Period

from .. import context
from ..document import Figure
from ..writer import Writer
from . import ReportKind, register

# How a report names the cadres of each programme kind (people.choices.ProgrammeKind).
KIND_WORDS = {
    "deputy": "科技副职",
    "assistant": "科技助理",
    "commissioner": "科技特派员",
    "commissioner_team": "科技特派员团队成员",
    "commissioner_legal": "法人科技特派员",
    "expert_pool": "科技专家",
    "volunteer": "科技志愿者",
}
# The words for cadres of several programmes, or of none yet.
ALL_CADRES = "派驻科技干部"

INDICATORS = [
    "cadres_in_office",
    "cadres_county_level",
    "cadres_county_level_outside",
    "cadres_township_level",
    "cadres_township_level_outside",
    "cadres_hired",
    "hired_share",
    "cadres_new",
    "cadres_recalled",
    "cadres_recording",
    "cadre_activities",
    "cadre_trainings",
    "cadre_trainees",
    "cadre_technologies",
    "cadre_varieties",
    "cadre_enterprises",
    "cadre_output_value",
    "work_reports_due",
    "work_reports_submitted",
    "work_reports_on_time",
    "work_report_rate",
    "spotchecks_drawn",
    "spotchecks_present",
    "spotchecks_excused",
    "spotchecks_absent",
    "spotchecks_pending",
    "presence_rate",
    *(f"cadres_{kind}" for kind in KIND_WORDS),
]
TABLE_KEYS = [
    "cadres_in_office",
    "cadres_county_level",
    "cadres_township_level",
    "cadre_activities",
    "cadre_trainings",
    "cadre_trainees",
]

Clause = tuple[str, Figure | None]


def join_clauses(clauses: Sequence[Clause], sep: str = "，") -> tuple[str, dict[str, Figure]]:
    """A template and its slots from (words with "{}" where the figure goes, figure) pairs;
    pairs without a figure are left out: "推广引进新技术{}" → "推广引进新技术7项"."""
    parts: list[str] = []
    slots: dict[str, Figure] = {}
    for words, figure in clauses:
        if figure is None:
            continue
        name = f"f{len(slots)}"
        parts.append(words.replace("{}", "{" + name + "}"))
        slots[name] = figure
    return sep.join(parts), slots


def positive(w: Writer, key: str, group: str | None = None) -> Figure | None:
    """The figure when its value is above zero (a clause about nothing is left out)."""
    number = w.number(key, group)
    return w.figure(key, group) if number else None


def items_or_paragraph(w: Writer, items: list[tuple[str, dict]], *, lead: str = "") -> None:
    """一是…；二是… for two or more points; a single point is a plain sentence."""
    if len(items) == 1:
        template, slots = items[0]
        w.paragraph(f"{lead}{template.rstrip('。；')}。", **slots)
    elif items:
        w.items(items, lead=lead)


def tier(scope) -> str:
    """县 or 市: the level whose Party committee and government a report names."""
    if scope.region is not None and regioncodes.level_of(scope.region.code) <= 2:
        return "市"
    return "县"


def build(*, scope, period: Period, today=None):
    w = Writer(scope=scope, period=period, indicators=INDICATORS, today=today)
    setting = context.setting_for(scope, period)
    running = [kind for kind in KIND_WORDS if w.number(f"cadres_{kind}")]
    words = _words(running)
    title = f"{scope.name}{period.label}{words}工作总结"

    _opening(w, setting, words)
    w.heading(1, f"各级领导齐抓共管，为{words}工作提供良好环境")
    _in_office(w, running, words)
    _oversight(w, words)
    _results(w, words)
    w.children_table(f"{period.label}各乡镇{words}及工作情况", TABLE_KEYS)
    _problems(w, words)
    _next_steps(w, words)
    return w.document(title)


def _words(running: list[str]) -> str:
    """科技副职; 科技副职、科技助理 for two or three programmes; 派驻科技干部 otherwise."""
    if not running or len(running) > 3:
        return ALL_CADRES
    return "、".join(KIND_WORDS[kind] for kind in running)


def _opening(w: Writer, setting, words: str) -> None:
    guiding = setting.guiding_ideology.strip() if setting else ""
    t = tier(w.scope)
    clause = f"坚持以{guiding}为指导，" if guiding else ""
    w.paragraph(
        f"为了进一步加快“科技兴{t}”战略的实施步伐，加强乡镇科技力量，全面提高农村科技水平，"
        f"{w.period.label}，在{t}委、{t}政府的正确领导和{t}委组织部的具体指导下，"
        f"全{t}{words}{clause}在当地党委、政府的直接领导下，深入基层开展科技服务，"
        "较好地推进了乡镇科技工作，自身也在基层得到了磨练和锻炼。"
        f"现将{w.period.label}{words}工作情况总结如下："
    )
    if not guiding:
        w.gap(f"{w.period.start.year}年的指导思想表述——尚未在“报告设置”中填写，填写后重新生成")


def _in_office(w: Writer, running: list[str], words: str) -> None:
    w.heading(2, "领导重视，工作扎实")
    t = tier(w.scope)
    if not w.number("cadres_in_office"):
        w.gap(f"在岗{words}人数——尚无在岗派驻干部的记录，录入派驻记录后重新生成")
        return
    county = positive(w, "cadres_county_level")
    township = positive(w, "cadres_township_level")
    template, slots = join_clauses(
        [
            (f"目前全{t}共有在岗{words}{{}}", w.figure("cadres_in_office")),
            (f"其中{t}派{{}}", county),
            ("含聘请县外{}", positive(w, "cadres_county_level_outside") if county else None),
            ("乡镇派{}", township),
            ("含聘请县外{}", positive(w, "cadres_township_level_outside") if township else None),
        ]
    )
    w.paragraph(template + "。", **slots)
    if len(running) > 1:
        template, slots = join_clauses(
            [(f"{KIND_WORDS[kind]}{{}}", w.figure(f"cadres_{kind}")) for kind in running],
            sep="、",
        )
        w.paragraph(f"按选派项目分，{template}。", **slots)
    template, slots = join_clauses(
        [
            (f"{w.period.label}新选派{{}}", positive(w, "cadres_new")),
            ("外聘{}", positive(w, "cadres_hired")),
            ("外聘比例达到{}", w.figure("hired_share") if w.number("cadres_hired") else None),
            ("因工作需要等原因召回{}", positive(w, "cadres_recalled")),
        ]
    )
    if template:
        w.paragraph(template + "。", **slots)
    w.paragraph(
        f"各乡镇主要领导把{words}作为联系上级部门的桥梁和纽带，亲自过问其工作，"
        "工作上支持，生活上关心，努力创造良好的内外环境。"
    )


def _oversight(w: Writer, words: str) -> None:
    w.heading(2, "管理规范，制度健全")
    label = w.period.label
    wrote = False
    if w.number("work_reports_due"):
        template, slots = join_clauses(
            [
                (
                    f"按照每年报送思想和工作汇报的要求，{label}{words}应交汇报{{}}",
                    w.figure("work_reports_due"),
                ),
                ("已交{}", w.figure("work_reports_submitted")),
                ("其中按时上交{}", positive(w, "work_reports_on_time")),
                ("上交率{}", w.figure("work_report_rate")),
            ]
        )
        w.paragraph(template + "。", **slots)
        wrote = True
    if w.number("spotchecks_drawn"):
        template, slots = join_clauses(
            [
                (
                    f"通过随机查岗加强跟踪管理，{label}共抽查{words}{{}}",
                    w.figure("spotchecks_drawn"),
                ),
                ("在岗{}", w.figure("spotchecks_present")),
                ("请假外出{}", positive(w, "spotchecks_excused")),
                ("无故不在岗{}", positive(w, "spotchecks_absent")),
                (
                    "在岗率{}",
                    w.figure("presence_rate") if w.number("presence_rate") is not None else None,
                ),
            ]
        )
        tail = "，对无故不在岗的及时进行了批评教育" if w.number("spotchecks_absent") else ""
        w.paragraph(template + tail + "。", **slots)
        wrote = True
    if not wrote:
        w.gap(f"{label}思想和工作汇报、随机查岗情况——尚无应交汇报和查岗记录")


def _results(w: Writer, words: str) -> None:
    w.heading(1, f"{words}工作成效显著")
    if not w.number("cadre_activities"):
        w.gap(f"{w.period.label}{words}工作成效——工作台帐中尚无已确认的{words}工作记录")
        return
    t = tier(w.scope)
    achieved, slots = join_clauses(
        [
            ("推广引进新技术{}", positive(w, "cadre_technologies")),
            ("引进新品种{}", positive(w, "cadre_varieties")),
            ("开展科技培训{}", positive(w, "cadre_trainings")),
            ("培训农牧民{}", positive(w, "cadre_trainees")),
            ("扶持发展企业{}", positive(w, "cadre_enterprises")),
            ("增加产值{}", positive(w, "cadre_output_value")),
        ]
    )
    lead = f"选派{words}，有力地促进了全{t}科技及经济工作的开展。"
    if achieved:
        w.paragraph(f"{lead}{w.period.label}，{words}共{achieved}。", **slots)
    else:
        w.paragraph(
            f"{lead}{w.period.label}，{words}共开展各类工作{{a}}。", a=w.figure("cadre_activities")
        )
    leaders = w.leaders("cadre_activities")
    recording, slots = join_clauses(
        [(f"全{t}有{{}}{words}在工作台帐中记录了工作", positive(w, "cadres_recording"))]
    )
    named = f"{'、'.join(leaders)}等乡镇开展工作较多" if leaders else ""
    sentence = "，".join(part for part in (recording, named) if part)
    if sentence:
        w.paragraph(sentence + "。", **slots)


def _problems(w: Writer, words: str) -> None:
    w.heading(1, "存在的问题")
    label = w.period.label
    items: list[tuple[str, dict]] = [
        (
            f"{row.name}进度滞后，目标{row.target}，目前完成{{v}}，完成进度{row.share}",
            {"v": row.figure},
        )
        for row in context.targets_behind(w.scope, w.period, w.today)
    ]
    rate = w.number("work_report_rate")
    if rate is not None and rate < 100:
        items.append(
            (
                f"思想和工作汇报上交率为{{r}}，部分{words}未按要求报送汇报",
                {"r": w.figure("work_report_rate")},
            )
        )
    if w.number("spotchecks_absent"):
        items.append(
            (
                f"随机查岗发现无故不在岗{{a}}，个别{words}存在擅自离岗现象",
                {"a": w.figure("spotchecks_absent")},
            )
        )
    if w.number("spotchecks_pending"):
        items.append(("随机查岗尚有{p}未录入查岗结果", {"p": w.figure("spotchecks_pending")}))
    if w.number("cadres_in_office") and not w.number("spotchecks_drawn"):
        items.append((f"{label}尚未开展随机查岗，跟踪管理有待加强", {}))
    if items:
        items_or_paragraph(w, items)
    else:
        w.paragraph("对照年度目标和管理要求，各项工作进展正常，暂未发现突出问题。")


def _next_steps(w: Writer, words: str) -> None:
    w.heading(1, "下一步工作")
    targets = context.next_targets(w.scope, w.period)
    if targets:
        w.items([(text, {}) for text in targets], lead="主要目标是：")
    else:
        year = w.period.start.year + (0 if w.period.kind == "half" else 1)
        w.gap(f"{year}年目标表——尚未制定，下一步工作目标待补")
    w.paragraph(
        f"总体上看，{words}在推动科技兴{tier(w.scope)}战略实施中发挥了积极作用。"
        "我们将把这项工作长期开展下去，并在工作中不断充实完善，"
        "依靠科技进步促进经济社会持续健康发展。"
    )


register(
    ReportKind(
        key="programme_work",
        name=_("Dispatch programme work summary (S&T deputies, assistants, commissioners)"),
        build=build,
        levels=frozenset({2, 3}),
        periods=frozenset({"year", "half"}),
    )
)
