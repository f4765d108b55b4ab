"""Demo data of indicators for the demo county: figures from the statistics bureau (last
year and this year's first half, confirmed by the S&T bureau).

Everything goes through the services; each piece is looked up first, so a rerun adds
nothing.
"""

from decimal import Decimal

from django.utils import timezone

from tiantou.accounts.models import User

from .figures import services as figures
from .models import ExternalFigure

BUREAU = "kjj"  # the demo county S&T admin confirms what the system administrator entered
# (indicator, period, value in 元) reported by the statistics bureau.
# Half-years, so that this year's first half compares with last year's (同比).
FIGURES = [
    ("above_scale_output", "{last}-H1", "1260000000"),
    ("above_scale_output", "{last}-H2", "1408000000"),
    ("hitech_output", "{last}-H1", "237000000"),
    ("hitech_output", "{last}-H2", "237000000"),
    ("above_scale_output", "{year}-H1", "1334000000"),
    ("hitech_output", "{year}-H1", "309500000"),
]


def seed(ctx) -> None:
    year = timezone.localdate().year
    bureau = User.objects.filter(username=BUREAU).first() or ctx.actor
    _figures(ctx, bureau, year)


def _figures(ctx, bureau, year: int) -> None:
    for indicator, period, value in FIGURES:
        key = period.format(year=year, last=year - 1)
        if ExternalFigure.objects.filter(indicator=indicator, region=ctx.county, period=key):
            continue
        figure = figures.figure_enter(
            actor=ctx.actor,
            indicator=indicator,
            region=ctx.county,
            period=key,
            value=Decimal(value),
            source="县统计局",
        )
        figures.figure_confirm(actor=bureau, figure=figure)
    ctx.log.append(f"外部数据：{len(FIGURES)}条（统计局报送）")
