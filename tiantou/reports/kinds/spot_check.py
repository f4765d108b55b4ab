"""The 通报 of the spot checks (随机查岗) of a period: when and by whom each draw was made and
that anyone can redo it from its seed, the counts present / away with leave / absent
without leave and the presence rate (oversight indicators), a table by township, the
cadres absent without leave with the steps taken (批评教育 → 戒免谈话 → 退回原单位), and
the requirements that follow. A bulletin (通报), not a summary."""

from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiantou.core import regioncodes
from tiantou.core.periods import Period
from tiantou.indicators.sources import day_bounds
from tiantou.ledger.models import SpotCheckDraw
from tiantou.ledger.oversight.selectors import draw_checks, spotcheck_verify

from ..writer import Writer
from . import ReportKind, register
from .programme_work import items_or_paragraph, join_clauses, positive, tier

INDICATORS = [
    "spotchecks_drawn",
    "spotchecks_present",
    "spotchecks_excused",
    "spotchecks_absent",
    "spotchecks_pending",
    "spotchecks_rated",
    "presence_rate",
]
TABLE_KEYS = [
    "spotchecks_drawn",
    "spotchecks_present",
    "spotchecks_excused",
    "spotchecks_absent",
    "presence_rate",
]
# The rungs of the discipline ladder as a bulletin words them (ledger.DisciplineLevel).
STEP_WORDS = {1: "批评教育", 2: "戒免谈话", 3: "退回原单位，取消各种待遇"}


def _draws(scope, period: Period) -> list:
    """Draws of the period with at least one drawn cadre hosted inside the scope.

    Read here because the ledger's draw list is per user (see the report)."""
    if scope.region is None:
        return []
    low, high = regioncodes.subtree_range(scope.region.code)
    start, end = day_bounds(period.start, period.end)
    ids = (
        SpotCheckDraw.objects.filter(
            drawn_at__gte=start,
            drawn_at__lt=end,
            checks__posting__host_region__code__range=(low, high),
        )
        .values("pk")
        .distinct()
    )
    return list(
        SpotCheckDraw.objects.filter(pk__in=ids)
        .select_related("region", "drawn_by")
        .order_by("drawn_at", "pk")
    )


def _day(moment) -> str:
    local = timezone.localtime(moment)
    return f"{local.year}年{local.month}月{local.day}日"


def build(*, scope, period: Period, today=None):
    w = Writer(scope=scope, period=period, indicators=INDICATORS, today=today)
    t = tier(scope)
    title = f"关于{scope.name}{period.label}派驻干部随机查岗情况的通报"
    draws = _draws(scope, period)

    w.paragraph(
        f"为加强对派驻干部的跟踪管理，督促派驻干部安心基层、扎实工作，根据{t}委组织部"
        "关于派驻干部管理的有关规定，对在岗派驻干部开展了随机查岗。现将查岗情况通报如下："
    )
    w.heading(1, "查岗基本情况")
    if not draws:
        w.gap(f"{period.label}随机查岗情况——尚无随机查岗记录，抽取并录入查岗结果后重新生成")
        _requirements(w, t)
        return w.document(title)
    items_or_paragraph(w, [(_draw_text(draw), {}) for draw in draws])
    w.paragraph(
        "每次抽取均保存随机种子和抽取范围，任何人可用同一种子重新抽取，结果与原抽取一致，"
        "确保查岗公平公正。"
    )

    w.heading(1, "查岗结果")
    counts, slots = join_clauses(
        [
            ("共抽查派驻干部{}", w.figure("spotchecks_drawn")),
            ("其中在岗{}", w.figure("spotchecks_present")),
            ("请假外出{}", positive(w, "spotchecks_excused")),
            ("无故不在岗{}", positive(w, "spotchecks_absent")),
            ("尚未录入查岗结果{}", positive(w, "spotchecks_pending")),
        ]
    )
    rate = w.figure("presence_rate") if w.number("presence_rate") is not None else None
    w.paragraph(
        f"{period.label}，{counts}{{rate}}。",
        **slots,
        rate=("；按在岗与无故不在岗人次计算，在岗率为", rate),
    )
    w.children_table(f"{period.label}各乡镇随机查岗结果", TABLE_KEYS)

    w.heading(1, "处理情况")
    absent = _absent(scope, draws)
    if absent:
        items_or_paragraph(
            w, [(_absent_text(check), {}) for check in absent], lead="无故不在岗人员及处理情况："
        )
    else:
        w.paragraph("本次查岗未发现无故不在岗人员，派驻干部总体能够坚守岗位，履职尽责。")
    _requirements(w, t)
    return w.document(title)


def _draw_text(draw) -> str:
    who = ""
    if draw.drawn_by is not None:
        who = f"由{draw.drawn_by.name or draw.drawn_by.username}"
    proof = (
        "，经复核与原抽取结果一致" if spotcheck_verify(draw) else "，复核结果与原抽取不一致，需核查"
    )
    return (
        f"{_day(draw.drawn_at)}，{who}在{draw.region.name}在岗的{len(draw.population)}名"
        f"派驻干部中随机抽取{draw.size}名（随机种子{draw.seed}{proof}）"
    )


def _absent(scope, draws) -> list:
    """Checks inside the scope that found a cadre absent without leave, with their cases."""
    low, high = regioncodes.subtree_range(scope.region.code)
    found = [
        check
        for draw in draws
        for check in draw_checks(draw=draw)
        if check.result == "absent" and low <= check.posting.host_region_id <= high
    ]
    cases = [c.case for c in found if getattr(c, "case", None) is not None]
    prefetch_related_objects(cases, "steps")
    return found


def _absent_text(check) -> str:
    posting = check.posting
    person = posting.person
    unit = f"（{person.home_unit.name}）" if person.home_unit is not None else ""
    text = f"{posting.host_region.name}{posting.title}{person.name}{unit}无故不在岗"
    case = getattr(check, "case", None)
    if case is None:
        return text + "，处理意见待定"
    steps = [STEP_WORDS.get(step.level, "") for step in case.steps.all()]
    if steps:
        text += f"，已对其{'、'.join(s for s in steps if s)}"
    if case.closed_at and 3 not in [step.level for step in case.steps.all()]:
        text += "，经教育已整改"
    return text


def _requirements(w: Writer, t: str) -> None:
    w.heading(1, "工作要求")
    w.items(
        [
            (
                "各乡镇党委、政府和派出单位要切实负起管理责任，把对派驻干部的日常管理"
                "作为干部管理工作的重要内容，既热情帮助，又严格要求",
                {},
            ),
            (
                "派驻干部要严格遵守“八要八不要”，遵章守规，不准擅自离岗，"
                "确需离岗的要按规定履行请假手续",
                {},
            ),
            (
                f"{t}委组织部将继续通过经常听取汇报、定期考察及随机查岗等方式加强跟踪管理，"
                "对无故不在岗、工作无成效的及时进行批评教育，由主要领导对其进行戒免谈话；"
                "情节严重的，退回原单位，取消各种待遇",
                {},
            ),
        ]
    )


register(
    ReportKind(
        key="spot_check",
        name=_("Spot-check bulletin"),
        build=build,
        levels=frozenset({2, 3, 4}),
        periods=frozenset({"year", "half", "quarter", "month"}),
    )
)
