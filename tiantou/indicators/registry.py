"""Every indicator, declared once: key, Chinese name, measure word, how it aggregates, the
records it reads (its source and filter), stock or flow, and the number idiom that fits.

The registry knows no app. Each app declares its own indicators, and the sources they
read, in `<app>/indicators.py` (as it declares `admin.py`) and adds them with `register`;
`autodiscover` imports those modules once, when the indicators app is ready. The engine,
targets, scorecards, dashboard, API and reports only ever look indicators up here.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules

from tiantou.core.periods import Period

if TYPE_CHECKING:
    from tiantou.accounts.models import User

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


# Every indicator by key, in the order of INSTALLED_APPS, then of each app's declarations:
# pages, select boxes and the API list them in this order.
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


# Named periods an app offers beside years, halves, quarters and months (the people app:
# the terms of the latest selection batches), as (label, period) pairs for one user.
PeriodProvider = Callable[["User"], list[tuple[str, Period]]]
PERIOD_PROVIDERS: list[PeriodProvider] = []


def register_periods(provider: PeriodProvider) -> PeriodProvider:
    """Offer an app's named periods on the indicator pages (a decorator, used once)."""
    if provider not in PERIOD_PROVIDERS:
        PERIOD_PROVIDERS.append(provider)
    return provider


def autodiscover() -> None:
    """Import every installed app's `indicators` module, which registers its indicators and
    sources. A module imported once is not run again, so a second call adds nothing."""
    autodiscover_modules("indicators")
