"""Every write of figures from outside (the statistics bureau's above-scale output …):
entering and correcting them, confirming and returning them, and importing them from Excel.

A figure counts in every window that holds its whole period, so two figures of one
indicator whose periods overlap, in one region or in a region and one of its ancestors
or descendants, would count twice: entering such a figure is refused.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tiantou.accounts.models import User
from tiantou.accounts.permissions import ensure_can
from tiantou.core import audit, regioncodes
from tiantou.core.models import AuditAction
from tiantou.core.periods import Period
from tiantou.core.services import apply_changes, check_version, create_audited
from tiantou.regions.models import Region

from .. import registry
from ..choices import FigureStatus
from ..models import ExternalFigure
from ..registry import Indicator

FIGURE_SOURCE = "figures"
# ExternalFigure.value: 18 digits, 2 of them decimals.
MAX_VALUE = Decimal("1e16")
ADD_PERM = "indicators.add_externalfigure"
CHANGE_PERM = "indicators.change_externalfigure"
CONFIRM_PERM = "indicators.confirm_externalfigure"


def figure_indicators() -> list[Indicator]:
    """The indicators whose values are entered as figures from outside."""
    return [i for i in registry.INDICATORS.values() if i.source == FIGURE_SOURCE]


def not_a_figure(value: object) -> ValidationError:
    """The refusal of an indicator whose figures are not entered from outside."""
    return ValidationError(
        {
            "indicator": _(
                "“%(value)s” is not an indicator entered from outside. Use one of: %(names)s."
            )
            % {
                "value": value or "",
                "names": "、".join(str(i.name) for i in figure_indicators()),
            }
        },
        code="not_a_figure",
    )


def clean_indicator(key: str) -> Indicator:
    """An indicator whose figures are entered from outside, by its key."""
    indicator = registry.INDICATORS.get((key or "").strip())
    if indicator is None or indicator.source != FIGURE_SOURCE:
        raise not_a_figure(key)
    return indicator


def clean_period(text: Period | str | None) -> Period:
    """A period key such as 2026, 2026-H1, 2026-Q2 or 2026-03."""
    if isinstance(text, Period):
        return text
    try:
        return Period.parse(str(text or ""))
    except ValueError as error:
        raise ValidationError({"period": str(error)}, code="bad_period") from None


def clean_value(value: Decimal | int | float | str | None) -> Decimal:
    """A figure's value: a number of 0 or more, two decimals, within the column's size."""
    try:
        number = Decimal(str(value).strip().replace(",", "")) if value is not None else None
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite():
        raise ValidationError({"value": _("Enter a number.")}, code="bad_value")
    if number < 0:
        raise ValidationError({"value": _("Enter a number of 0 or more.")}, code="negative")
    number = number.quantize(Decimal("0.01"))
    if number >= MAX_VALUE:
        raise ValidationError({"value": _("This number is too large.")}, code="too_large")
    return number


def related_regions_q(code: str, field: str = "region_id") -> Q:
    """A filter on a region-code column: the region, its ancestors and its descendants."""
    ancestors = []
    parent = regioncodes.parent_code(code)
    while parent is not None:
        ancestors.append(parent)
        parent = regioncodes.parent_code(parent)
    low, high = regioncodes.subtree_range(code)
    return Q(**{f"{field}__in": ancestors}) | Q(**{f"{field}__gte": low, f"{field}__lte": high})


def _are_related(first: str, second: str) -> bool:
    """Whether one region code lies in the other's subtree (or they are the same)."""
    return regioncodes.contains(first, second) or regioncodes.contains(second, first)


def overlaps(
    first_region: str,
    first_start: datetime.date,
    first_end: datetime.date,
    second_region: str,
    second_start: datetime.date,
    second_end: datetime.date,
) -> bool:
    """The overlap rule: figures of one indicator count twice when their regions are the
    same or one lies below the other, and their periods share a day. (`_check_no_overlap`
    asks the database the same question through `related_regions_q`.)"""
    return (
        _are_related(first_region, second_region)
        and first_start <= second_end
        and first_end >= second_start
    )


def check_source(source: str) -> str:
    """Where the figure comes from: at most 200 characters."""
    source = (source or "").strip()
    if len(source) > 200:
        raise ValidationError({"source": _("At most 200 characters.")}, code="too_long")
    return source


def check_not_confirmed(figure: ExternalFigure) -> None:
    """A confirmed figure is not corrected (it can be returned first)."""
    if figure.status == FigureStatus.CONFIRMED:
        raise ValidationError(
            _("This figure has been confirmed and can no longer be changed."), code="confirmed"
        )


def overlap_message(other_region: str, other_period: str) -> str:
    """The refusal naming the figure already there (its region and period)."""
    return _(
        "A figure of this indicator is already entered for %(region)s, %(period)s: its period "
        "overlaps this one in the same region or in a region above or below it, so both "
        "would count. Correct that figure instead."
    ) % {"region": other_region, "period": other_period}


def period_label(key: str) -> str:
    try:
        return Period.parse(key).label
    except ValueError:
        return key


def _check_no_overlap(
    indicator: Indicator, region: Region, period: Period, exclude_pk: int | None
) -> None:
    others = ExternalFigure.objects.filter(
        related_regions_q(region.code),
        indicator=indicator.key,
        period_start__lte=period.end,
        period_end__gte=period.start,
    ).select_related("region")
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    other = others.order_by("period_start", "region_id").first()
    if other is not None:
        raise overlap_refusal(other)


def overlap_refusal(other: ExternalFigure) -> ValidationError:
    """The refusal of a figure overlapping `other` (see `overlaps`)."""
    return ValidationError(
        overlap_message(other.region.name, period_label(other.period)), code="overlap"
    )


def lock_tree(region: Region) -> None:
    """Serialise entries in one province: two overlapping figures entered at the same
    moment cannot both pass the overlap check."""
    top = regioncodes.prefix_of(region.code, regioncodes.PROVINCE).ljust(12, "0")
    list(Region.objects.select_for_update().filter(code=top).values_list("code", flat=True))


@transaction.atomic
def figure_enter(
    *,
    actor: User,
    indicator: str,
    region: Region,
    period: Period | str,
    value: Decimal | int | float | str | None,
    source: str = "",
    figure: ExternalFigure | None = None,
    expected_version: int | None = None,
) -> ExternalFigure:
    """Enter a figure (submitted, waiting to be confirmed), or correct a submitted or
    returned one; a correction is submitted again. Refuses periods overlapping another
    figure of the indicator in the region, its ancestors or its descendants."""
    if figure is None:
        ensure_can(actor, ADD_PERM, region)
    else:
        ensure_can(actor, CHANGE_PERM, figure)
        ensure_can(actor, CHANGE_PERM, region)
    errors: dict[str, list[str]] = {}
    found: dict = {}
    checks: tuple[tuple[str, Callable[[Any], object], object], ...] = (
        ("indicator", clean_indicator, indicator),
        ("period", clean_period, period),
        ("value", clean_value, value),
        ("source", check_source, source),
    )
    for name, check, raw in checks:
        try:
            found[name] = check(raw)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    ind, per, number, source = found["indicator"], found["period"], found["value"], found["source"]
    lock_tree(region)
    if figure is not None:
        check_version(figure, expected_version)
        figure = ExternalFigure.objects.select_for_update().get(pk=figure.pk)
        check_not_confirmed(figure)
    _check_no_overlap(ind, region, per, figure.pk if figure is not None else None)
    changes = {
        "indicator": ind.key,
        "region": region,
        "period": per.key,
        "period_start": per.start,
        "period_end": per.end,
        "value": number,
        "source": source,
    }
    if figure is None:
        return create_audited(
            actor=actor,
            obj=ExternalFigure(**changes, status=FigureStatus.SUBMITTED, entered_by=actor),
        )
    changes |= {"status": FigureStatus.SUBMITTED, "status_reason": "", "entered_by": actor}
    apply_changes(actor=actor, obj=figure, changes=changes)
    return figure


def _ensure_may_confirm(actor: User, figure: ExternalFigure) -> None:
    ensure_can(actor, CONFIRM_PERM, figure)


@transaction.atomic
def figure_confirm(
    *, actor: User, figure: ExternalFigure, expected_version: int | None = None
) -> ExternalFigure:
    """Confirm a submitted figure: from now on it counts. Not by the person who entered it."""
    _ensure_may_confirm(actor, figure)
    check_version(figure, expected_version)
    figure = ExternalFigure.objects.select_for_update().get(pk=figure.pk)
    if figure.entered_by_id is not None and figure.entered_by_id == actor.pk:
        raise PermissionDenied(_("You cannot confirm a figure you entered yourself."))
    if figure.status != FigureStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted figure can be confirmed."), code="not_submitted")
    before = audit.snapshot(figure)
    figure.status, figure.status_reason = FigureStatus.CONFIRMED, ""
    figure.confirmed_by, figure.confirmed_at = actor, timezone.now()
    figure.version += 1
    figure.save()
    audit.record(actor=actor, obj=figure, action=AuditAction.UPDATE, before=before)
    return figure


@transaction.atomic
def figure_return(
    *, actor: User, figure: ExternalFigure, reason: str, expected_version: int | None = None
) -> ExternalFigure:
    """Send a submitted (or a confirmed but wrong) figure back for correction, with a
    reason; it stops counting until corrected and confirmed again."""
    _ensure_may_confirm(actor, figure)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")}, code="reason_required")
    check_version(figure, expected_version)
    figure = ExternalFigure.objects.select_for_update().get(pk=figure.pk)
    if figure.status == FigureStatus.RETURNED:
        raise ValidationError(
            _("This figure has already been returned for correction."), code="returned"
        )
    before = audit.snapshot(figure)
    figure.status, figure.status_reason = FigureStatus.RETURNED, reason
    figure.confirmed_by, figure.confirmed_at = None, None
    figure.version += 1
    figure.save()
    audit.record(actor=actor, obj=figure, action=AuditAction.UPDATE, before=before, note=reason)
    return figure
