"""Reads of target sheets: which sheets a user sees, and each item's and each share's
progress, with every actual number read from the indicator engine.

Who sees a sheet:

- everyone whose scope contains the sheet's region sees the whole sheet (a county's
  admins and viewers the county's sheets and its townships' sheets);
- a township's users also see an *issued* sheet of a region above them when one of its
  shares names a region inside their scope (the county's targets split among
  townships): they see the targets and only their own shares, with their progress,
  and their responsibility letter. A draft above them, and every other township's share
  and the county's own totals, stay hidden (404 on another township's share).

Progress of a sheet takes one engine evaluation of all its indicators for the sheet's
region with its child regions (`by=CHILDREN`: every township's actual at once), plus one
evaluation per organisation that takes a share (departments and enterprises: a handful
per sheet). The number of queries does not grow with the number of items or townships.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiantou.accounts.models import User
from tiantou.accounts.scoping import scope_for
from tiantou.core.numbers import plain
from tiantou.core.periods import Period
from tiantou.indicators import engine, registry
from tiantou.indicators.engine import CHILDREN, Evaluation, Number, Scope, Value
from tiantou.indicators.registry import Indicator
from tiantou.regions.models import Organisation, Region

from .choices import SheetStatus, TargetKind
from .models import TargetItem, TargetSheet, TargetSplit

if TYPE_CHECKING:
    # Type-checking only: the stubs' helpers are not installed in production.
    from django_stubs_ext import StrOrPromise

# Progress statuses, best first.
STRETCH = "stretch"
REACHED = "reached"
ON_SCHEDULE = "on_schedule"
BEHIND = "behind"
NO_DATA = "no_data"
QUALITATIVE = "qualitative"
STATUS_LABELS = {
    STRETCH: _("stretch value reached"),
    REACHED: _("reached"),
    ON_SCHEDULE: _("on schedule"),
    BEHIND: _("behind schedule"),
    NO_DATA: _("no figure yet"),
    QUALITATIVE: _("qualitative"),
}
STATUS_BADGES = {
    STRETCH: "text-bg-success",
    REACHED: "text-bg-success",
    ON_SCHEDULE: "text-bg-primary",
    BEHIND: "text-bg-danger",
    NO_DATA: "text-bg-secondary",
    QUALITATIVE: "text-bg-light border",
}
HUNDRED = Decimal(100)


# ---- which sheets ----


def _shares_in_scope(user: User) -> Q:
    """Issued sheets with a share naming a region inside the user's scope."""
    scope = scope_for(user)
    shares = TargetSplit.objects.filter(item__sheet_id=OuterRef("pk")).filter(
        scope.region_q("region__code")
    )
    return Q(status=SheetStatus.ISSUED) & Q(Exists(shares))


def sheets_visible(user: User) -> QuerySet[TargetSheet]:
    """Sheets of regions in the user's scope, and issued sheets that give them a share."""
    scope = scope_for(user)
    if scope.is_empty:
        return TargetSheet.objects.none()
    return TargetSheet.objects.filter(scope.region_q("region__code") | _shares_in_scope(user))


def sheet_list(user: User, *, year: int | None = None) -> QuerySet[TargetSheet]:
    """The sheets the user sees, newest year first, with their regions."""
    sheets = sheets_visible(user).select_related("region")
    if year:
        sheets = sheets.filter(year=year)
    return sheets.order_by("-year", "region_id", "title")


def sheet_get(user: User, pk: int) -> TargetSheet:
    """One sheet the user sees, or 404."""
    return get_object_or_404(sheets_visible(user).select_related("region"), pk=pk)


def sees_whole(user: User, sheet: TargetSheet) -> bool:
    """Whether the user sees the whole sheet (its region is in their scope) rather than
    only their own shares."""
    return scope_for(user).contains_code(sheet.region_id)


def shares_seen(user: User, sheet: TargetSheet) -> Callable[[TargetSplit], bool]:
    """A predicate on splits: whether the user sees this share of the sheet."""
    if sees_whole(user, sheet):
        return lambda split: True
    scope = scope_for(user)
    return lambda split: bool(split.region_id and scope.contains_code(split.region_id))


def item_get(user: User, pk: int) -> TargetItem:
    """One item of a sheet the user sees whole (items are edited there), or 404."""
    scope = scope_for(user)
    items = TargetItem.objects.filter(scope.region_q("sheet__region__code")).select_related(
        "sheet__region", "lead_unit"
    )
    return get_object_or_404(items, pk=pk)


def split_get(user: User, pk: int) -> TargetSplit:
    """One share the user sees: any share of a sheet they see whole, or their own share of
    an issued sheet above them; 404 otherwise."""
    scope = scope_for(user)
    visible = scope.region_q("item__sheet__region__code") | (
        Q(item__sheet__status=SheetStatus.ISSUED) & scope.region_q("region__code")
    )
    splits = TargetSplit.objects.filter(visible).select_related(
        "item__sheet__region", "region", "organisation"
    )
    return get_object_or_404(splits, pk=pk)


def sheets_of(region: Region, year: int) -> QuerySet[TargetSheet]:
    """The sheets a region set itself for a year (for reports written for that region,
    whose scope has been checked by the report)."""
    return TargetSheet.objects.filter(region=region, year=year).select_related("region")


def items_of(region: Region, year: int) -> QuerySet[TargetItem]:
    """The items of the sheets a region set for a year, in sheet order."""
    return TargetItem.objects.filter(sheet__region=region, sheet__year=year).order_by(
        "sheet_id", "order", "id"
    )


def child_regions(sheet: TargetSheet) -> list[Region]:
    """The regions directly under the sheet's region: the receivers of a split."""
    return list(Region.objects.filter(parent_id=sheet.region_id, is_active=True).order_by("code"))


def organisations_inside(sheet: TargetSheet) -> QuerySet[Organisation]:
    """Active organisations located in the sheet's region (lead units, receivers)."""
    return Organisation.objects.filter(
        region__code__range=sheet.region.subtree, is_active=True
    ).select_related("region")


def sheet_items(sheet: TargetSheet) -> list[TargetItem]:
    """The sheet's items with their shares and units (three queries)."""
    return list(
        sheet.items.select_related("lead_unit")
        .prefetch_related(
            "responsible_units",
            Prefetch(
                "splits",
                queryset=TargetSplit.objects.select_related("region", "organisation").order_by(
                    "region_id", "organisation__name", "pk"
                ),
            ),
        )
        .order_by("order", "pk")
    )


# ---- progress ----


@dataclass
class Progress:
    """How far a target (a whole item or one share) is: the actual value from the engine,
    the share reached, what the time of year expects, and a status."""

    target: Decimal | None
    stretch: Decimal | None
    value: Value | None = None
    time_share: float = 1.0
    status: str = QUALITATIVE

    @property
    def actual(self) -> Number | None:
        return self.value.number if self.value is not None else None

    @property
    def url(self) -> str:
        return self.value.url if self.value is not None else ""

    @property
    def percent(self) -> Decimal | None:
        """The share of the target reached, in %; None without a positive target."""
        if self.actual is None or not self.target:
            return None
        return (Decimal(self.actual) * HUNDRED / self.target).quantize(
            Decimal("0.1"), ROUND_HALF_UP
        )

    @property
    def expected(self) -> Decimal | None:
        """What the target expects by now: the target × the share of time passed."""
        if self.target is None:
            return None
        return (self.target * Decimal(str(self.time_share))).quantize(
            Decimal("0.01"), ROUND_HALF_UP
        )

    @property
    def bar(self) -> int:
        """The width of a progress bar (0–100)."""
        percent = self.percent
        if percent is None:
            return 100 if self.status in (REACHED, STRETCH) else 0
        return int(min(percent, HUNDRED))

    @property
    def status_label(self) -> "StrOrPromise":
        return STATUS_LABELS[self.status]

    @property
    def badge(self) -> str:
        return STATUS_BADGES[self.status]


def _status(
    target: Decimal | None, stretch: Decimal | None, actual: Number | None, time_share: float
) -> str:
    if target is None:
        return QUALITATIVE
    if actual is None:
        return NO_DATA
    actual = Decimal(actual)
    if stretch is not None and actual >= stretch:
        return STRETCH
    if actual >= target:
        return REACHED
    if actual >= target * Decimal(str(time_share)):
        return ON_SCHEDULE
    return BEHIND


def progress_of(
    target: Decimal | None, stretch: Decimal | None, value: Value | None, time_share: float
) -> Progress:
    """The progress of one target (or share) given the engine's value."""
    if value is None:
        status = QUALITATIVE if target is None else NO_DATA
        return Progress(target=target, stretch=stretch, time_share=time_share, status=status)
    return Progress(
        target=target,
        stretch=stretch,
        value=value,
        time_share=time_share,
        status=_status(target, stretch, value.number, time_share),
    )


def time_share(item: TargetItem, year: int, today: dt.date) -> float:
    """How much of the item's time has passed: from 1 January to its deadline, or the
    year."""
    if item.deadline is not None and item.deadline >= dt.date(year, 1, 1):
        return Period.between(dt.date(year, 1, 1), item.deadline).elapsed_share(today)
    return Period.year(year).elapsed_share(today)


@dataclass
class SplitProgress:
    """One receiver's share of an item and its progress."""

    split: TargetSplit
    progress: Progress


@dataclass
class ItemProgress:
    """An item, its progress as a whole, and its shares with theirs."""

    item: TargetItem
    progress: Progress
    splits: list[SplitProgress] = field(default_factory=list)

    @property
    def indicator(self) -> Indicator | None:
        return registry.INDICATORS.get(self.item.indicator)

    @property
    def split_total(self) -> Decimal | None:
        if not self.splits:
            return None
        return sum((s.split.value for s in self.splits), Decimal(0))

    @property
    def stretch_total(self) -> Decimal | None:
        if not self.splits or not any(s.split.stretch_value is not None for s in self.splits):
            return None
        return sum(
            (
                s.split.stretch_value if s.split.stretch_value is not None else s.split.value
                for s in self.splits
            ),
            Decimal(0),
        )

    @property
    def over_assigned(self) -> Decimal | None:
        """How much more than the target the shares add up to (a notice), or None."""
        total = self.split_total
        if total is None or self.item.value is None or total <= self.item.value:
            return None
        return total - self.item.value


@dataclass
class SheetProgress:
    """Every item of a sheet with its progress, on `today`."""

    sheet: TargetSheet
    today: dt.date
    year_share: float
    items: list[ItemProgress]

    def receivers(self) -> list[dict]:
        """Each receiver once (for the letters): its first share and whether signed."""
        found: dict[str, dict] = {}
        for row in self.items:
            for each in row.splits:
                split = each.split
                key = f"r{split.region_id}" if split.region_id else f"o{split.organisation_id}"
                entry = found.setdefault(
                    key,
                    {"split": split, "name": split.receiver_name, "shares": 0, "signed_on": None},
                )
                entry["shares"] += 1
                entry["signed_on"] = entry["signed_on"] or split.letter_signed_on
        return sorted(found.values(), key=lambda e: (e["split"].region_id or "~", e["name"]))


def _value(result: Evaluation | None, key: str, group: str | None) -> Value | None:
    if result is None:
        return None
    try:
        return result.value(key, group)
    except KeyError:  # a receiver no longer under the region, or an unknown indicator
        return None


def sheet_progress(
    sheet: TargetSheet, *, items: list[TargetItem] | None = None, today: dt.date | None = None
) -> SheetProgress:
    """Progress of every item and share: one engine call for the sheet's region and its
    children, one per organisation receiver (see the module's docstring)."""
    today = today or timezone.localdate()
    items = sheet_items(sheet) if items is None else items
    period = Period.year(sheet.year)
    keys = sorted({item.indicator for item in items if item.indicator in registry.INDICATORS})
    by_region: Evaluation | None = None
    if keys:
        by_region = engine.evaluate(
            keys, scope=Scope(region=sheet.region), period=period, by=CHILDREN, today=today
        )
    org_keys: dict[int, set[str]] = defaultdict(set)
    orgs: dict[int, Organisation] = {}
    for item in items:
        if item.indicator not in registry.INDICATORS:
            continue
        for split in item.splits.all():
            if split.organisation_id and split.organisation is not None:
                org_keys[split.organisation_id].add(item.indicator)
                orgs[split.organisation_id] = split.organisation
    by_org = {
        pk: engine.evaluate(
            sorted(org_keys[pk]), scope=Scope(organisation=orgs[pk]), period=period, today=today
        )
        for pk in sorted(org_keys)
    }
    rows = []
    for item in items:
        share = time_share(item, sheet.year, today)
        measured = item.indicator in registry.INDICATORS
        whole = _value(by_region, item.indicator, None) if measured else None
        target = item.value if measured else None
        row = ItemProgress(
            item=item, progress=progress_of(target, item.stretch_value, whole, share)
        )
        if item.indicator and not measured:  # an indicator no longer declared
            row.progress.status = NO_DATA
        for split in item.splits.all():
            value = None
            if measured:
                if split.region_id:
                    value = _value(by_region, item.indicator, split.region_id)
                elif split.organisation_id:
                    value = _value(by_org.get(split.organisation_id), item.indicator, None)
            progress = progress_of(
                split.value if measured else None, split.stretch_value, value, share
            )
            row.splits.append(SplitProgress(split=split, progress=progress))
        rows.append(row)
    return SheetProgress(
        sheet=sheet,
        today=today,
        year_share=Period.year(sheet.year).elapsed_share(today),
        items=rows,
    )


# ---- how a target reads ----


def target_text(
    item: TargetItem, value: Decimal | None = None, stretch: Decimal | None = None
) -> str:
    """The target as written: 3000亩，力争5000亩 / 3次以上 / 2-3期 (for a share, its own
    value and stretch)."""
    low = item.value if value is None else value
    if low is None:
        return ""
    unit = item.unit
    if item.kind == TargetKind.RANGE and value is None and item.value_max is not None:
        text = _("%(low)s-%(high)s%(unit)s") % {
            "low": plain(low),
            "high": plain(item.value_max),
            "unit": unit,
        }
    elif item.kind == TargetKind.MINIMUM:
        text = _("at least %(value)s%(unit)s") % {"value": plain(low), "unit": unit}
    else:
        text = f"{plain(low)}{unit}"
    high = item.stretch_value if value is None else stretch
    if high is not None:
        text += _(", stretch %(value)s%(unit)s") % {"value": plain(high), "unit": unit}
    return str(text)
