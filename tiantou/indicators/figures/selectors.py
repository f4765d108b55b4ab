"""Reads of figures from outside: the list a user may see, one figure, and which units
have reported an indicator for a period. Every read starts from the user's scope."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404

from tiantou.accounts.models import User
from tiantou.accounts.scoping import scope_for
from tiantou.core import regioncodes
from tiantou.core.periods import Period
from tiantou.regions.models import Region

from .. import selectors as indicator_selectors
from ..choices import FigureStatus
from ..models import ExternalFigure
from ..registry import Indicator
from ..templatetags.figures import exact

NOT_REPORTED = "missing"


def in_scope_q(user: User, field: str = "region_id") -> Q:
    """A filter on a region-code column: inside the user's scope (an indexed range scan
    on the column itself, without joining the regions)."""
    scope = scope_for(user)
    if scope.everything:
        return Q()
    q = Q(pk__in=[])
    for low, high in scope.ranges:
        q |= Q(**{f"{field}__gte": low, f"{field}__lte": high})
    return q


def _subtree_q(code: str, field: str = "region_id") -> Q:
    low, high = regioncodes.subtree_range(code)
    return Q(**{f"{field}__gte": low, f"{field}__lte": high})


def figures_visible_to(user: User) -> QuerySet:
    """Figures of regions in the user's scope."""
    return ExternalFigure.objects.filter(in_scope_q(user))


def figure_list(
    *,
    user: User,
    indicator: str = "",
    region: str = "",
    period: Period | None = None,
    status: str = "",
) -> QuerySet:
    """Visible figures, filtered: an indicator, a region's subtree, figures whose period
    lies within a period (as the engine counts them), a status."""
    figures = figures_visible_to(user).select_related("region", "entered_by", "confirmed_by")
    if indicator:
        figures = figures.filter(indicator=indicator)
    if region:
        figures = figures.filter(_subtree_q(region))
    if period is not None:
        figures = figures.filter(period_start__gte=period.start, period_end__lte=period.end)
    if status:
        figures = figures.filter(status=status)
    return figures.order_by("-period_end", "indicator", "region_id", "pk")


def figure_get(*, user: User, pk: int) -> ExternalFigure:
    """One figure the user may see; 404 otherwise."""
    figure = figures_visible_to(user).select_related("region", "entered_by").filter(pk=pk).first()
    if figure is None:
        raise Http404
    return figure


@dataclass
class UnitStatus:
    """One unit of the completeness table and what it has reported."""

    region: Region
    label: str
    status: str = NOT_REPORTED
    figures: list[ExternalFigure] = field(default_factory=list)

    @property
    def is_reported(self) -> bool:
        return self.status != NOT_REPORTED

    @property
    def status_label(self) -> str:
        return str(FigureStatus(self.status).label) if self.is_reported else ""


@dataclass
class Completeness:
    """Which units of a region have reported an indicator for a period."""

    indicator: Indicator
    period: Period
    region: Region
    at_own_level: bool
    rows: list[UnitStatus]

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def reported(self) -> int:
        return sum(1 for row in self.rows if row.is_reported)

    @property
    def confirmed(self) -> int:
        return self.count(FigureStatus.CONFIRMED)

    @property
    def submitted(self) -> int:
        return self.count(FigureStatus.SUBMITTED)

    @property
    def returned(self) -> int:
        return self.count(FigureStatus.RETURNED)

    @property
    def missing(self) -> int:
        return self.count(NOT_REPORTED)


def _status_of(figures: list[ExternalFigure]) -> str:
    """A unit's status from its figures: returned if any is, confirmed if all are."""
    if not figures:
        return NOT_REPORTED
    statuses = {f.status for f in figures}
    if FigureStatus.RETURNED in statuses:
        return FigureStatus.RETURNED
    if statuses == {FigureStatus.CONFIRMED}:
        return FigureStatus.CONFIRMED
    return FigureStatus.SUBMITTED


def completeness(*, user: User, indicator: Indicator, period: Period) -> Completeness:
    """For the user's home region: each child region (township) with the status of its
    figures of the indicator whose period lies within `period` (its villages' figures
    count for it). An indicator entered at the home region's own level (a county-level
    figure) shows that one row instead: the townships cannot report it too.

    Two queries whatever the number of townships: the children, and the figures.
    """
    home = indicator_selectors.home_region(user)
    if home is None:
        raise Http404
    figures = list(
        ExternalFigure.objects.filter(
            _subtree_q(home.code),
            indicator=indicator.key,
            period_start__gte=period.start,
            period_end__lte=period.end,
        )
        .select_related("region", "entered_by")
        .order_by("period_start", "region_id")
    )
    for figure in figures:
        figure.value_text = exact(figure.value)  # type: ignore[attr-defined]
    own = [f for f in figures if f.region_id == home.code]
    if own:
        row = UnitStatus(region=home, label=home.name, status=_status_of(own), figures=own)
        return Completeness(indicator, period, home, at_own_level=True, rows=[row])
    children = list(Region.objects.filter(parent=home, is_active=True).order_by("code"))
    length = regioncodes.PREFIX_LENGTH.get(home.level + 1, 12)
    by_child: dict[str, list[ExternalFigure]] = defaultdict(list)
    for figure in figures:
        by_child[figure.region_id[:length].ljust(12, "0")].append(figure)
    rows = [
        UnitStatus(
            region=child,
            label=child.name,
            status=_status_of(by_child[child.code]),
            figures=by_child[child.code],
        )
        for child in children
    ]
    return Completeness(indicator, period, home, at_own_level=False, rows=rows)
