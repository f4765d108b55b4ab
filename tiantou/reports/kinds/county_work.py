"""The county S&T bureau's annual and half-year 工作总结 (seeds 001 §5 and 002): opening
formula, the year's work in numbered sections with 一是…二是, the high-tech industry,
a table by township, 存在的问题 from targets behind schedule and data gaps, and 下一步工作
from the next period's targets."""

from django.utils.translation import gettext_lazy as _

from tiantou.core.periods import HALF, Period

from .. import context
from ..writer import Writer
from . import ReportKind, register

INDICATORS = [
    "activities",
    "trainings",
    "trainees",
    "technologies",
    "varieties",
    "consultations",
    "materials",
    "boards",
    "events",
    "event_participants",
    "countryside_events",
    "demo_bases",
    "promoted_area",
    "enterprises_supported",
    "output_value",
    "cadres_in_office",
    "cadres_county_level",
    "cadres_township_level",
    "cadres_county_level_outside",
    "cadres_township_level_outside",
    "cadres_new",
    "cadres_recording",
    "hitech_output",
    "above_scale_output",
    "hitech_share",
]
TABLE_KEYS = ["trainings", "trainees", "technologies", "events", "cadres_in_office"]


def build(*, scope, period: Period, today=None):
    w = Writer(scope=scope, period=period, indicators=INDICATORS, today=today)
    setting = context.setting_for(scope, period)
    issuer = context.issuer(scope, setting)
    half = period.kind == HALF
    title = f"{issuer}{period.label}工作{'汇报' if half else '总结'}"

    _opening(w, setting, half)
    _services(w)
    _cadres(w)
    _high_tech(w)
    w.children_table(f"{period.label}各乡镇主要工作数据", TABLE_KEYS)
    w.children_chart(f"{period.label}各乡镇培训人次", "trainees")
    _problems(w)
    _next_steps(w, half)
    return w.document(title)


def _opening(w: Writer, setting, half: bool) -> None:
    guiding = setting.guiding_ideology.strip() if setting else ""
    clause = f"我局坚持以{guiding}为指导，" if guiding else "我局"
    w.paragraph(
        f"{w.period.label}，在县委、县政府的正确领导和上级科技部门的关心指导下，{clause}"
        "以科技服务为抓手，以项目建设为重心，狠抓各项工作落实。"
        f"现将{w.period.label}工作情况{'汇报' if half else '总结'}如下："
    )
    if not guiding:
        w.gap(f"待补：{w.period.start.year}年的指导思想表述（在“报告设置”中填写后重新生成）。")


def _services(w: Writer) -> None:
    w.heading(1, "强化科技服务，基层科技工作扎实推进")
    if not w.number("activities"):
        w.gap(f"{w.period.label}尚无已确认的活动记录，本节数据待补。")
        return
    w.paragraph(
        f"{w.span_label}，全县共开展各类科技活动{{a}}，其中举办科技培训{{t}}，"
        "培训农牧民{p}{g}；推广引进新技术{tech}，引进新品种{v}。",
        a=w.figure("activities"),
        t=w.figure("trainings"),
        p=w.figure("trainees"),
        g=("，", w.growth("trainees")),
        tech=w.figure("technologies"),
        v=w.figure("varieties"),
    )
    leaders = w.leaders("trainees")
    if leaders:
        w.paragraph(f"{'、'.join(leaders)}等乡镇培训人次位居全县前列。")
    items = []
    if w.number("events"):
        items.append(
            (
                "以“科技活动周”“科技三下乡”等活动为契机，组织科普活动{e}，受益群众{ep}",
                {"e": w.figure("events"), "ep": w.figure("event_participants")},
            )
        )
    if w.number("consultations") or w.number("materials"):
        items.append(
            (
                "深入乡镇开展科技咨询，咨询群众{c}，发放科技资料{m}，展出科普展板{b}",
                {
                    "c": w.figure("consultations"),
                    "m": w.figure("materials"),
                    "b": w.figure("boards"),
                },
            )
        )
    if w.number("demo_bases") or w.number("promoted_area"):
        items.append(
            (
                "建设科技示范基地{d}，推广示范面积{ar}",
                {"d": w.figure("demo_bases"), "ar": w.figure("promoted_area")},
            )
        )
    if w.number("enterprises_supported"):
        items.append(
            (
                "帮扶企业{en}，增加产值{o}",
                {"en": w.figure("enterprises_supported"), "o": w.figure("output_value")},
            )
        )
    if items:
        w.items(items)


def _cadres(w: Writer) -> None:
    w.heading(1, "加强派驻干部管理，科技人才作用充分发挥")
    if not w.number("cadres_in_office"):
        w.gap("尚无在岗派驻干部的记录，本节数据待补。")
        return

    def outside(key: str):  # "含聘请县外…" only where it is so (I055)
        return ("，含聘请县外", w.figure(key) if w.number(key) else None)

    w.paragraph(
        "全县共有在岗派驻干部{n}，其中县派{c}{co}，乡镇派{t}{to}。",
        n=w.figure("cadres_in_office"),
        c=w.figure("cadres_county_level"),
        co=outside("cadres_county_level_outside"),
        t=w.figure("cadres_township_level"),
        to=outside("cadres_township_level_outside"),
    )
    pieces = [
        (template, key)
        for template, key in (
            ("新选派干部{new}", "cadres_new"),
            ("有工作记录的派驻干部{rec}", "cadres_recording"),
        )
        if w.number(key)
    ]
    if pieces:
        w.paragraph(
            f"{w.span_label}" + "，".join(t for t, _k in pieces) + "。",
            new=w.figure("cadres_new"),
            rec=w.figure("cadres_recording"),
        )


def _high_tech(w: Writer) -> None:
    w.heading(1, "培育高新技术产业，产业规模不断壮大")
    if w.number("hitech_output") is None:
        w.gap(f"{w.period.label}高新技术产业产值尚未录入或确认，本节数据待补。")
        return
    share = w.figure("hitech_share") if w.number("hitech_share") is not None else None
    w.paragraph(
        "全县高新技术产业产值完成{h}{g}{s}。",
        h=w.figure("hitech_output"),
        g=("，", w.growth("hitech_output")),
        s=("，占全县规模以上工业总产值的比重达到", share),
    )
    if share is None:
        w.gap(f"{w.period.label}规模以上工业总产值尚未录入或确认，比重无法计算。")


def _problems(w: Writer) -> None:
    w.heading(1, "存在的问题")
    behind = context.targets_behind(w.scope, w.period, w.today)
    gaps = [
        str(w.value(key).indicator.name)
        for key in ("hitech_output", "above_scale_output")
        if w.number(key) is None
    ]
    items = [
        (
            f"{row.name}进度滞后，目标{row.target}，目前完成{{v}}，完成进度{row.share}",
            {"v": row.figure},
        )
        for row in behind
    ]
    if gaps:
        items.append((f"{'、'.join(gaps)}等数据尚未报送，部分指标无法统计", {}))
    if items:
        w.items(items)
    else:
        w.paragraph("对照年度目标，各项工作进度正常，暂无进度滞后的目标项目。")


def _next_steps(w: Writer, half: bool) -> None:
    w.heading(1, "下半年工作计划" if half else "下一步工作")
    targets = context.next_targets(w.scope, w.period)
    if not targets:
        year = w.period.start.year if half else w.period.start.year + 1
        w.gap(f"{year}年目标表尚未制定，下一步工作目标待补。")
        return
    w.items([(text, {}) for text in targets], lead="主要目标是：")


register(
    ReportKind(
        key="county_work",
        name=_("County S&T bureau work summary (annual or half-year)"),
        build=build,
        levels=frozenset({3}),
        periods=frozenset({"year", "half"}),
    )
)
