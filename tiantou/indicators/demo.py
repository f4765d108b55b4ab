"""Demo data of indicators and reports for the demo county: figures from the statistics
bureau (last year and this year's first half, confirmed by the S&T bureau), this year's
issued target sheet split among the townships, next year's draft targets, a township
scorecard on this year's sheet, the year's report settings and a draft annual summary.

Everything goes through the services; each piece is looked up first, so a rerun adds
nothing.
"""

import math
from decimal import Decimal

from django.utils import timezone

from tiantou.accounts.models import User

from . import scorecards, targets
from .figures import services as figures
from .models import ExternalFigure, ScoreScheme, TargetSheet

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
# (name, indicator, kind, value, stretch, unit, split among the townships)
TARGETS = [
    ("举办科技培训", "trainings", "reach", 20, None, "期", True),
    ("培训农牧民", "trainees", "reach", 2400, 3000, "人次", True),
    ("推广引进新技术", "technologies", "reach", 7, 10, "项", False),
    ("组织送科技下乡活动", "countryside_events", "minimum", 3, None, "次", False),
    ("研究制定县“十五五”科技发展规划", "", "reach", None, None, "", False),
]
NEXT_TARGETS = [
    ("引进推广农业新品种", "varieties", "reach", 20, None, "个"),
    ("新发展优质食用菌", "promoted_area", "reach", 3000, 5000, "亩"),
    ("举办食用菌生产技术培训班", "trainings", "range", 2, None, "期"),
    ("组织送科技下乡活动", "countryside_events", "minimum", 3, None, "次"),
]


def seed(ctx) -> None:
    year = timezone.localdate().year
    bureau = User.objects.filter(username=BUREAU).first() or ctx.actor
    _figures(ctx, bureau, year)
    sheet = _this_year(ctx, year)
    _next_year(ctx, year + 1)
    _scheme(ctx, sheet, year)


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


def _this_year(ctx, year: int) -> TargetSheet:
    title = f"{year}年全县科技工作目标"
    sheet = TargetSheet.objects.filter(region=ctx.county, year=year, title=title).first()
    if sheet is not None:
        return sheet
    sheet = targets.sheet_create(actor=ctx.actor, region=ctx.county, year=year, title=title)
    townships = ctx.townships
    for order, (name, indicator, kind, value, stretch, unit, split) in enumerate(TARGETS, 1):
        item = targets.item_create(
            actor=ctx.actor,
            sheet=sheet,
            name=name,
            kind=kind,
            indicator=indicator,
            value=value,
            stretch_value=stretch,
            unit=unit,
            responsible_person="县科技局",
            order=order,
        )
        if split and townships and value is not None:
            share = math.ceil(value / len(townships))
            stretch_share = math.ceil(stretch / len(townships)) if stretch else None
            targets.splits_save(
                actor=ctx.actor,
                item=item,
                splits=[(township, share, stretch_share) for township in townships],
            )
    targets.sheet_issue(actor=ctx.actor, sheet=sheet)
    ctx.log.append(f"目标表：{title}（已下达，分解到{len(townships)}个乡镇）")
    return sheet


def _next_year(ctx, year: int) -> None:
    title = f"{year}年全县科技工作目标"
    if TargetSheet.objects.filter(region=ctx.county, year=year, title=title).exists():
        return
    sheet = targets.sheet_create(actor=ctx.actor, region=ctx.county, year=year, title=title)
    for order, (name, indicator, kind, value, stretch, unit) in enumerate(NEXT_TARGETS, 1):
        targets.item_create(
            actor=ctx.actor,
            sheet=sheet,
            name=name,
            kind=kind,
            indicator=indicator,
            value=value,
            value_max=3 if kind == "range" else None,
            stretch_value=stretch,
            unit=unit,
            order=order,
        )
    ctx.log.append(f"目标表：{title}（草稿）")


def _scheme(ctx, sheet: TargetSheet, year: int) -> None:
    name = f"{year}年乡镇科技进步目标责任制考核"
    if ScoreScheme.objects.filter(region=ctx.county, year=year, name=name).exists():
        return
    scheme = scorecards.scheme_create(
        actor=ctx.actor, region=ctx.county, year=year, name=name, sheet=sheet
    )
    scorecards.rules_save(
        actor=ctx.actor,
        scheme=scheme,
        rules=[
            {"indicator": "trainings", "weight": 60, "cap_percent": 120, "stretch_bonus": 0},
            {"indicator": "trainees", "weight": 40, "cap_percent": 100, "stretch_bonus": 5},
        ],
    )
    ctx.log.append(f"考核方案：{name}")
