"""The county science association's (科协) annual 工作总结, on the skeleton of seed 003:
引言 → 一、工作回顾 ((一) the popular-science network 一是…五是; (二) featured work 1–6) →
二、存在的困难和问题 → 三、来年工作思路 ((一) 指导思想; (二) 科普工作要点).

Every slot of the seed (domain spec §8.1) whose data Tiantou holds is filled from the
engine; every slot whose data does not exist yet (learned societies, 农技协, volunteers,
facilities, broadcasts, students, themed events …) is a marked gap saying what is missing
and where it will come from. Never "xxx", never a made-up number."""

from django.utils.translation import gettext_lazy as _

from tiantou.core.periods import Period

from .. import context
from ..writer import Writer
from . import ReportKind, register
from .programme_work import items_or_paragraph, join_clauses, positive

INDICATORS = [
    "events",
    "event_participants",
    "event_experts",
    "event_townships",
    "consultation_sessions",
    "consultations",
    "countryside_events",
    "countryside_experts",
    "countryside_participants",
    "youth_activities",
    "youth_participants",
    "trainings",
    "trainees",
    "lectures",
    "media_outputs",
    "materials",
    "boards",
    "exhibitions",
    "demo_bases",
    "technologies",
    "varieties",
]
TABLE_KEYS = ["events", "event_participants", "trainings", "trainees", "consultations"]

# Where the missing data will come from, named once.
SOCIETY_REGISTER = "尚无学会、协会登记数据，待学会、协会名册录入系统后生成"
ASSOCIATION_REGISTER = "尚无农村专业技术协会登记数据，待农技协名册录入系统后生成"
FACILITY_LEDGER = "尚无科普设施台帐，待科普设施登记后生成"
MEDIA_LOG = "尚无媒体播出登记，待电视台、报社播出记录录入后生成"

WORK_POINTS = [
    "广泛开展形式多样、内容丰富、效果明显的群众性科普活动",
    "大力开展科技人才培训",
    "积极开展经济技术协作，促进科技成果的转化",
    "加强科普宣传，发挥科普阵地作用",
    "建设好“科技工作者之家”",
]


def build(*, scope, period: Period, today=None):
    w = Writer(scope=scope, period=period, indicators=INDICATORS, today=today)
    setting = context.setting_for(scope, period)
    title = f"{scope.name}科协{period.label}工作总结"

    _opening(w, setting)
    w.heading(1, "工作回顾")
    _network(w)
    w.heading(2, "创新工作思路，认真开展具有特色的科普工作")
    _activities(w)
    _training(w)
    _publicity(w)
    _associations(w)
    _demonstration(w)
    _societies(w)
    w.children_table(f"{period.label}各乡镇科普工作数据", TABLE_KEYS)
    _problems(w)
    _next_year(w, setting)
    return w.document(title)


def _guiding(setting) -> str:
    return setting.guiding_ideology.strip() if setting else ""


def _opening(w: Writer, setting) -> None:
    guiding = _guiding(setting)
    clause = f"以{guiding}为指导，" if guiding else ""
    w.paragraph(
        "一年来，在县委、县政府的正确领导下，在上级科协的指导下，我县科协坚持从实际出发，"
        f"{clause}以《科普法》为动力，不断加强自身建设，完善内部管理，充分发挥自身优势，"
        "围绕县委、县政府的中心工作，动员和组织广大科技工作者积极投身科普，"
        "积极组织开展科普活动，大力开展科技培训，广泛开展科普宣传，认真推广科技成果，"
        "全县科普工作取得了较显著的成效。现总结如下："
    )
    if not guiding:
        w.gap(f"{w.period.start.year}年的指导思想表述——尚未在“报告设置”中填写，填写后重新生成")


def _network(w: Writer) -> None:
    w.heading(2, "健全科普组织网络，继续强化科普服务功能")
    w.items(
        [
            ("继续完善县科协的工作职能", {}),
            ("巩固和发展县直专业技术学协会（研究会），吸收科技人员成为会员", {}),
            ("联合科研院所，发展以科技专家为依托、农村科技能手参加的农民专业技术协会", {}),
            ("壮大县科普志愿者队伍，扩大科普服务有生力量", {}),
            ("强化各级科普硬件，建设农民技术学校、科普图书室和科普宣传橱窗", {}),
        ],
        lead="为适应新形势发展的需要，我们积极探索建立健全科协和科普服务组织的新渠道、新方法。",
    )
    w.gap(
        f"县直专业技术学协会（研究会）累计数量、其中厂矿科协数量及会员科技人员人数——{SOCIETY_REGISTER}"
    )
    w.gap(f"农民专业技术协会数量及会员人数——{ASSOCIATION_REGISTER}")
    w.gap("县科普志愿者队伍人数——尚无科普志愿者登记数据，待志愿者名册录入系统后生成")
    w.gap(f"各村科普图书室藏书量——{FACILITY_LEDGER}")
    w.gap(f"科普橱窗总数、县级科普画廊数量及本年新建县级科普宣传橱窗数量——{FACILITY_LEDGER}")


def _activities(w: Writer) -> None:
    w.heading(3, "创新科普活动方式，打造精品科普活动")
    items: list[tuple[str, dict]] = []
    big, slots = join_clauses(
        [
            (
                "认真组织好“科技活动周”“科技三下乡”“科普大行动”等大型科普活动{}",
                positive(w, "events"),
            ),
            ("参加活动的专家和科普工作者{}", positive(w, "event_experts")),
            ("活动覆盖{}乡镇", positive(w, "event_townships")),
            ("直接受益群众{}", positive(w, "event_participants")),
        ]
    )
    if w.number("events"):
        items.append((big, slots))
    countryside, slots = join_clauses(
        [
            ("组织开展科技咨询活动{}", positive(w, "consultation_sessions")),
            ("接待咨询群众{}", positive(w, "consultations")),
            ("组织“三下乡”活动{}", positive(w, "countryside_events")),
            ("参加活动的专家{}", positive(w, "countryside_experts")),
            ("参加活动的群众{}", positive(w, "countryside_participants")),
        ]
    )
    if countryside:
        items.append(("抓好科技下乡和科技咨询活动，" + countryside, slots))
    youth, slots = join_clauses(
        [
            ("开展青少年科技活动{}", positive(w, "youth_activities")),
            ("参加活动的青少年{}", positive(w, "youth_participants")),
        ]
    )
    if youth:
        items.append(("联合教育部门开展青少年爱科学实践活动，" + youth, slots))
    if items:
        items_or_paragraph(w, items, lead="今年科普活动项目较多，我们主要在突出实效上下功夫。")
    else:
        w.gap(f"{w.period.label}大型科普活动、科技咨询和“三下乡”情况——尚无已确认的活动记录")
    w.gap("参加大型科普活动的部门和单位数——活动记录中尚无协办单位，待登记协办单位后生成")
    w.gap("大型科普活动覆盖面（%）——尚无活动覆盖范围的统计口径和全县村（社区）基数")
    w.gap("“科学·人口”等主题科普活动的参加单位、活动项目和参加人数——活动记录中尚无主题活动分类")
    w.gap(
        "配合科普教育基地开展的科普知识教育活动主题、到县科普活动中心参加活动的群众人次"
        "——尚无科普教育基地和科普活动中心的活动登记"
    )
    w.gap("全县中小学生参加活动人数及参与率——尚无学生参加名单和在校学生总数（教育部门数据）")


def _training(w: Writer) -> None:
    w.heading(3, "借助社会科普力量，大力开展科技培训")
    text, slots = join_clauses(
        [
            ("全县共举办各类科技培训班{}", positive(w, "trainings")),
            ("培训{}", positive(w, "trainees")),
            ("举办科普讲座{}", positive(w, "lectures")),
        ]
    )
    if text:
        w.paragraph(
            "利用县、乡、村三级科普网络，按农时向农村干部和群众传授农村实用技术，"
            f"并联合相关部门举办各类培训。{w.period.label}，{text}。",
            **slots,
        )
    else:
        w.gap(f"{w.period.label}科技培训情况——尚无已确认的培训记录")
    w.gap("依托科普项目重点培训的技术——培训记录尚未与科普项目关联，待关联后生成")


def _publicity(w: Writer) -> None:
    w.heading(3, "强化科普宣传阵地，拓宽科普宣传领域")
    text, slots = join_clauses(
        [
            ("开展媒体宣传{}", positive(w, "media_outputs")),
            ("统一下发科普资料{}", positive(w, "materials")),
            ("展出科普展板{}", positive(w, "boards")),
            ("举办科普展览{}", positive(w, "exhibitions")),
        ]
    )
    if text:
        w.paragraph(f"为了更好地宣传科普，我们积极扩大科普宣传的方式，{text}。", **slots)
    else:
        w.gap(f"{w.period.label}科普宣传情况——尚无已确认的宣传、展览记录")
    w.gap(f"电视台《科普园地》播放期数、科普节目播出次数和时长、科普新闻报道篇数——{MEDIA_LOG}")
    w.gap(f"利用社会力量新建科普宣传栏数量——{FACILITY_LEDGER}")


def _associations(w: Writer) -> None:
    w.heading(3, "打造农村专业技术协会，树立科普工作特色")
    w.paragraph(
        "在巩固原有农技协组织的基础上，不断建立新的农技协，帮助协会依照章程开展技术培训、"
        "技术交流等活动，引导农民建立农技协。"
    )
    w.gap(
        "农技协引进的技术和品种、科技热线服务、农技协负责人培训，"
        f"以及本年新成立农技协的名称和数量——{ASSOCIATION_REGISTER}"
    )


def _demonstration(w: Writer) -> None:
    w.heading(3, "实施科普示范项目，发挥科普示范作用")
    text, slots = join_clauses(
        [
            ("建设科技示范基地{}", positive(w, "demo_bases")),
            ("共引进新品种{}", positive(w, "varieties")),
            ("新技术{}", positive(w, "technologies")),
        ]
    )
    if text:
        w.paragraph(
            "以“实际、实用、实效”为目的，积极开展科普示范，为农民推介新品种新技术。"
            f"{w.period.label}，{text}。",
            **slots,
        )
    else:
        w.gap(f"{w.period.label}科普示范项目情况——尚无已确认的示范基地和技术推广记录")
    w.gap("科普示范园、示范基地的名称——示范基地尚未登记名称，待示范基地名册录入后生成")


def _societies(w: Writer) -> None:
    w.heading(3, "发挥群团优势，竭力为社会服务")
    w.paragraph("组织学会、协会开展学术研究和学术交流，为科技工作者提供学术交流平台。")
    w.gap(f"学会、协会学术交流活动和专家讲座的主题——{SOCIETY_REGISTER}")


def _problems(w: Writer) -> None:
    w.heading(1, "存在的困难和问题")
    items: list[tuple[str, dict]] = [
        (
            f"{row.name}进度滞后，目标{row.target}，目前完成{{v}}，完成进度{row.share}",
            {"v": row.figure},
        )
        for row in context.targets_behind(w.scope, w.period, w.today)
    ]
    items.append(
        (
            "学协会、农技协、科普志愿者、科普设施和媒体宣传等基础数据尚未纳入系统统计，"
            "部分工作成效还无法用数据反映",
            {},
        )
    )
    items_or_paragraph(w, items)


def _next_year(w: Writer, setting) -> None:
    year = w.period.start.year + 1
    w.heading(1, "来年工作思路")
    w.heading(2, "指导思想")
    upcoming = context.setting_for(w.scope, Period.year(year))
    guiding = _guiding(upcoming) or _guiding(setting)
    clause = f"以{guiding}为指导，" if guiding else ""
    w.paragraph(
        f"{clause}认真贯彻实施《科普法》，紧紧围绕县委、县政府的中心工作，与时俱进，不断创新，"
        "进一步提升经济技术协作、科学普及等工作的水平，充分调动和发挥广大科技工作者的积极性、"
        "主动性和创造性，为促进全县科普事业发展做出新的贡献。"
    )
    if not guiding:
        w.gap(f"{year}年的指导思想表述——尚未在“报告设置”中填写，填写后重新生成")
    w.heading(2, "科普工作要点")
    w.items([(point, {}) for point in WORK_POINTS])
    targets = context.next_targets(w.scope, w.period)
    if targets:
        w.items([(text, {}) for text in targets], lead="主要目标是：")
    else:
        w.gap(f"{year}年科普工作目标——目标表尚未制定，制定后重新生成")


register(
    ReportKind(
        key="sci_assoc",
        name=_("Science association annual work summary"),
        build=build,
        levels=frozenset({3}),
        periods=frozenset({"year"}),
    )
)
