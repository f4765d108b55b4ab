"""Reads of township scorecards: the schemes a user may see, and a scheme's scores.

Scores read every actual value through ONE `engine.evaluate` call for all townships and
rules (by child region), and every target through one query of the target sheet's split:
the number of queries does not grow with townships or rules.

Scoring a rule for a township (points rounded to 0.01, half up):

    points = weight × min(actual ÷ target, cap_percent ÷ 100)
             + stretch_bonus   when the split has a stretch value and actual ≥ it

A township without a share of the target for a rule gets no points for it (“未分解目标”).
A target of 0 counts as reached (full weight, not the cap): any actual value meets it,
and no share of a zero target can be computed. A value that is missing (a figure from
outside not reported) counts as 0.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet
from django.http import Http404

from tiantou.accounts.models import User
from tiantou.accounts.scoping import scope_for
from tiantou.core.periods import Period
from tiantou.indicators import engine, registry
from tiantou.indicators.engine import CHILDREN, Number, Scope, Value
from tiantou.indicators.registry import Indicator
from tiantou.indicators.templatetags.figures import exact
from tiantou.regions.models import Region

from ..models import ScoreRule, ScoreScheme, TargetSheet, TargetSplit

CENT = Decimal("0.01")


def schemes_visible_to(user: User) -> QuerySet:
    """Schemes of regions in the user's scope."""
    return ScoreScheme.objects.filter(scope_for(user).region_q("region__pk"))


def scheme_list(*, user: User) -> QuerySet:
    return schemes_visible_to(user).select_related("region", "sheet").order_by("-year", "name")


def scheme_get(*, user: User, pk: int) -> ScoreScheme:
    """One scheme the user may see; 404 otherwise."""
    scheme = schemes_visible_to(user).select_related("region", "sheet").filter(pk=pk).first()
    if scheme is None:
        raise Http404
    return scheme


def sheets_for(*, user: User) -> QuerySet:
    """Target sheets a scheme may take its targets from: those the user may see."""
    return (
        TargetSheet.objects.filter(scope_for(user).region_q("region__pk"))
        .select_related("region")
        .order_by("-year", "region_id", "title")
    )


def round_points(number: Decimal) -> Decimal:
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Cell:
    """One township's score on one rule."""

    rule: ScoreRule
    value: Value
    target: Decimal | None
    stretch: Decimal | None
    points: Decimal | None
    bonus: Decimal = Decimal(0)

    @property
    def has_target(self) -> bool:
        return self.target is not None

    @property
    def target_text(self) -> str:
        return exact(self.target, share=self.value.is_share)

    @property
    def stretch_text(self) -> str:
        return exact(self.stretch, share=self.value.is_share)

    @property
    def reached(self) -> Decimal | None:
        """The share of the target reached, in % (None without a target or from zero)."""
        if self.target is None or not self.target:
            return None
        return Decimal(self.value.number or 0) * 100 / self.target


@dataclass
class Row:
    """A township: its cells in rule order, total and rank."""

    region: Region
    cells: list[Cell]
    total: Decimal = Decimal(0)
    rank: int = 0


@dataclass
class ScoreTable:
    scheme: ScoreScheme
    rules: list[ScoreRule]
    indicators: list[Indicator]
    period: Period
    rows: list[Row] = field(default_factory=list)

    @property
    def weight_total(self) -> Decimal:
        return sum((r.weight for r in self.rules), Decimal(0))

    @property
    def bonus_total(self) -> Decimal:
        return sum((r.stretch_bonus for r in self.rules), Decimal(0))

    @property
    def weights_add_up(self) -> bool:
        return self.weight_total == 100


def score(
    rule: ScoreRule, actual: Number | None, target: Decimal | None, stretch: Decimal | None
) -> tuple[Decimal | None, Decimal]:
    """(points, of which bonus) of one rule for one township; None without a target."""
    if target is None:
        return None, Decimal(0)
    number = Decimal(actual or 0)
    cap = Decimal(rule.cap_percent) / 100
    share = Decimal(1) if target == 0 else min(number / target, cap)
    share = max(share, Decimal(0))
    bonus = Decimal(0)
    if stretch is not None and number >= stretch:
        bonus = rule.stretch_bonus
    points = round_points(rule.weight * share) + round_points(bonus)
    return points, round_points(bonus)


def _targets(scheme: ScoreScheme, keys: list[str]) -> dict[tuple[str, str], tuple]:
    """(indicator, township code) → (target, stretch) from the scheme's sheet, one query.
    When two items of the sheet are measured by one indicator, the first item counts."""
    if scheme.sheet_id is None or not keys:
        return {}
    splits = (
        TargetSplit.objects.filter(
            item__sheet_id=scheme.sheet_id, item__indicator__in=keys, region__isnull=False
        )
        .order_by("item__order", "item_id")
        .values_list("item__indicator", "region_id", "value", "stretch_value")
    )
    found: dict[tuple[str, str], tuple] = {}
    for key, code, value, stretch in splits:
        found.setdefault((key, code), (value, stretch))
    return found


def rank(rows: list[Row]) -> None:
    """Order rows by total, highest first; equal totals share a rank (1, 1, 3)."""
    rows.sort(key=lambda r: (-r.total, r.region.code))
    previous: Decimal | None = None
    for position, row in enumerate(rows, start=1):
        if previous is None or row.total != previous:
            row.rank = position
        else:
            row.rank = rows[position - 2].rank
        previous = row.total


def scheme_scores(scheme: ScoreScheme, today: dt.date | None = None) -> ScoreTable:
    """Every township's (child region's) score on every rule, its total and rank."""
    rules = [r for r in scheme.rules.all() if r.indicator in registry.INDICATORS]
    keys = [r.indicator for r in rules]
    period = Period.year(scheme.year)
    region = scheme.region
    children = list(Region.objects.filter(parent_id=region.code, is_active=True).order_by("code"))
    table = ScoreTable(
        scheme=scheme,
        rules=rules,
        indicators=[registry.get(k) for k in keys],
        period=period,
    )
    if not rules:
        table.rows = [Row(region=child, cells=[]) for child in children]
        rank(table.rows)
        return table
    result = engine.evaluate(
        keys, scope=Scope(region=region), period=period, by=CHILDREN, today=today
    )
    targets = _targets(scheme, keys)
    for child in children:
        cells = []
        for rule in rules:
            value = result.value(rule.indicator, child.code)
            target, stretch = targets.get((rule.indicator, child.code), (None, None))
            points, bonus = score(rule, value.number, target, stretch)
            cells.append(Cell(rule, value, target, stretch, points, bonus))
        total = sum((c.points for c in cells if c.points is not None), Decimal(0))
        table.rows.append(Row(region=child, cells=cells, total=total))
    rank(table.rows)
    return table
