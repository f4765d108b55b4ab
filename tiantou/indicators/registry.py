"""Every indicator, declared once: key, Chinese name, measure word, how it aggregates, the
records it reads (its source and filter), stock or flow, and the number idiom that fits.

Later capabilities add their indicators to `INDICATORS` with `register`; the engine,
targets, scorecards, dashboard, API and reports only ever look indicators up here.
"""

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Aggregations.
COUNT = "count"  # number of records (次, 期, 名 …)
SUM = "sum"  # sum of a measure (人次, 份, 亩, 元 …)
DISTINCT = "distinct"  # number of distinct things (项 technologies, 名 persons …)
RATIO = "ratio"  # numerator ÷ denominator × 100, in % (shares, rates)

# Natures.
FLOW = "flow"  # what happened within the period (当年 / 新增)
STOCK = "stock"  # what stands at the period's end (累计 / 达到)

# Number idioms for prose (the report formatter reads this).
STYLE_COUNT = "count"  # 60多期, 8万余人次
STYLE_AMOUNT = "amount"  # 6.19亿元, 6303万元: statistical amounts written precisely
STYLE_SHARE = "share"  # 23.2%, 提高3个百分点


@dataclass(frozen=True)
class Indicator:
    """One figure the county lives by, and how to compute it from records."""

    key: str
    name: str | Promise
    unit: str
    source: str
    aggregation: str
    nature: str = FLOW
    style: str = STYLE_COUNT
    # The measure column summed, or the column counted distinct.
    column: str = ""
    # The source's own filter vocabulary (e.g. {"types": ["training"]}).
    where: dict[str, Any] = field(default_factory=dict)
    # For RATIO: the keys of the indicators divided.
    numerator: str = ""
    denominator: str = ""
    description: str | Promise = ""

    @property
    def is_additive(self) -> bool:
        """Whether the value of a whole is the sum of the values of its parts."""
        return self.aggregation in (COUNT, SUM)

    @property
    def is_derived(self) -> bool:
        return self.aggregation == RATIO


INDICATORS: dict[str, Indicator] = {}


def register(*indicators: Indicator) -> None:
    """Add indicators to the registry; a key is declared once."""
    for indicator in indicators:
        if indicator.key in INDICATORS:
            raise ValueError(f"indicator {indicator.key!r} is declared twice")
        INDICATORS[indicator.key] = indicator


def get(key: str) -> Indicator:
    """The indicator with this key; KeyError when there is none."""
    return INDICATORS[key]


def choices() -> list[tuple[str, str]]:
    """(key, "name（unit）") pairs for select boxes, in declaration order."""
    return [(key, f"{ind.name}（{ind.unit}）") for key, ind in INDICATORS.items()]


EVENT_TYPES = ["sci_week", "three_to_countryside", "popularisation_campaign"]
FIELD_TYPES = ["tech_promotion", "new_variety", "demo_base"]

register(
    # ---- the work ledger (domain spec §4.1, §4.4, §4.6) ----
    Indicator(
        "activities",
        _("activities recorded"),
        "次",
        "activities",
        COUNT,
        description=_("Confirmed activities of every type."),
    ),
    Indicator(
        "trainings",
        _("training sessions"),
        "期",
        "activities",
        COUNT,
        where={"types": ["training"]},
        description=_("Confirmed activities of the type 科技培训."),
    ),
    Indicator(
        "trainees",
        _("people trained"),
        "人次",
        "activities",
        SUM,
        column="participants",
        where={"types": ["training"]},
        description=_("Sum of the participants of confirmed training sessions (person-times)."),
    ),
    Indicator(
        "technologies",
        _("new technologies promoted"),
        "项",
        "technologies",
        DISTINCT,
        column="technology_id",
        where={"kind": "technology"},
        description=_(
            "Distinct technologies of the catalogue named on confirmed records: one "
            "technology promoted in three villages counts once."
        ),
    ),
    Indicator(
        "varieties",
        _("new varieties introduced"),
        "个",
        "technologies",
        DISTINCT,
        column="technology_id",
        where={"kind": "variety"},
        description=_("Distinct varieties of the catalogue named on confirmed records."),
    ),
    Indicator(
        "promotions",
        _("technology promotions"),
        "次",
        "activities",
        COUNT,
        where={"types": ["tech_promotion", "new_variety"]},
    ),
    Indicator(
        "promoted_area",
        _("area of promotions and demonstration bases"),
        "亩",
        "activities",
        SUM,
        column="area_mu",
        where={"types": FIELD_TYPES},
    ),
    Indicator(
        "output_value",
        _("added output value"),
        "元",
        "activities",
        SUM,
        style=STYLE_AMOUNT,
        column="output_value",
    ),
    Indicator(
        "demo_bases",
        _("demonstration bases built"),
        "个",
        "activities",
        COUNT,
        where={"types": ["demo_base"]},
    ),
    Indicator(
        "enterprises_supported",
        _("enterprises supported"),
        "家",
        "activities",
        SUM,
        column="enterprises",
        where={"types": ["enterprise_support"]},
    ),
    Indicator(
        "consultations",
        _("people consulted"),
        "人次",
        "activities",
        SUM,
        column="consultations",
    ),
    Indicator(
        "materials",
        _("materials handed out"),
        "份",
        "activities",
        SUM,
        column="materials",
    ),
    Indicator(
        "boards",
        _("display boards shown"),
        "块",
        "activities",
        SUM,
        column="boards",
    ),
    Indicator(
        "experts",
        _("experts taking part"),
        "人次",
        "activities",
        SUM,
        column="experts",
    ),
    Indicator(
        "events",
        _("science events held"),
        "次",
        "activities",
        COUNT,
        where={"types": EVENT_TYPES},
        description=_("科技活动周, 科技三下乡 and 科普大行动 events."),
    ),
    Indicator(
        "event_participants",
        _("people reached by science events"),
        "人次",
        "activities",
        SUM,
        column="participants",
        where={"types": EVENT_TYPES},
    ),
    Indicator(
        "countryside_events",
        _("science-to-countryside events"),
        "次",
        "activities",
        COUNT,
        where={"types": ["three_to_countryside"]},
    ),
    Indicator(
        "lectures",
        _("popular-science lectures"),
        "场",
        "activities",
        COUNT,
        where={"types": ["lecture"]},
    ),
    Indicator(
        "participants",
        _("participants in all activities"),
        "人次",
        "activities",
        SUM,
        column="participants",
    ),
    Indicator(
        "townships_reached",
        _("townships reached"),
        "个",
        "activities",
        DISTINCT,
        column="township",
        description=_("Distinct townships where confirmed activities took place."),
    ),
    Indicator(
        "cadres_recording",
        _("cadres with recorded work"),
        "名",
        "activities",
        DISTINCT,
        column="person",
        description=_("Distinct persons whose postings organised confirmed activities."),
    ),
    # ---- the dispatch programmes (domain spec §4.1, I055) ----
    Indicator(
        "cadres_in_office",
        _("cadres in office"),
        "名",
        "postings",
        DISTINCT,
        nature=STOCK,
        column="person",
        description=_("Distinct persons in office at the end of the period."),
    ),
    Indicator(
        "cadres_county_level",
        _("cadres sent by the county"),
        "名",
        "postings",
        DISTINCT,
        nature=STOCK,
        column="person",
        where={"dispatch_level": ["city", "county"]},
    ),
    Indicator(
        "cadres_township_level",
        _("cadres sent by townships"),
        "名",
        "postings",
        DISTINCT,
        nature=STOCK,
        column="person",
        where={"dispatch_level": ["township"]},
    ),
    Indicator(
        "cadres_from_outside",
        _("cadres hired from outside the county"),
        "名",
        "postings",
        DISTINCT,
        nature=STOCK,
        column="person",
        where={"from_outside": True},
    ),
    Indicator(
        "cadres_hired",
        _("cadres hired (外聘)"),
        "名",
        "postings",
        DISTINCT,
        nature=STOCK,
        column="person",
        where={"mode": ["hired"]},
    ),
    Indicator(
        "hired_share",
        _("share of hired cadres"),
        "%",
        "derived",
        RATIO,
        nature=STOCK,
        style=STYLE_SHARE,
        numerator="cadres_hired",
        denominator="cadres_in_office",
    ),
    Indicator(
        "cadres_new",
        _("cadres newly sent"),
        "名",
        "postings",
        DISTINCT,
        column="person",
        description=_("Distinct persons whose postings started within the period."),
    ),
    Indicator(
        "cadres_recalled",
        _("cadres recalled"),
        "名",
        "postings",
        DISTINCT,
        column="person",
        where={"recalled": True},
    ),
    # ---- figures from outside (entered; domain spec §4.2 I032–I040) ----
    Indicator(
        "above_scale_output",
        _("output of above-scale industry"),
        "元",
        "figures",
        SUM,
        style=STYLE_AMOUNT,
        description=_("Reported by the statistics bureau."),
    ),
    Indicator(
        "hitech_output",
        _("output of the high-tech industry"),
        "元",
        "figures",
        SUM,
        style=STYLE_AMOUNT,
        description=_("Reported by the high-tech enterprises (高新技术产业调度)."),
    ),
    Indicator(
        "above_scale_profit_tax",
        _("profits and taxes of above-scale industry"),
        "元",
        "figures",
        SUM,
        style=STYLE_AMOUNT,
    ),
    Indicator(
        "hitech_share",
        _("high-tech share of above-scale output"),
        "%",
        "derived",
        RATIO,
        style=STYLE_SHARE,
        numerator="hitech_output",
        denominator="above_scale_output",
    ),
)
