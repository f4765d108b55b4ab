"""Every write of figures from outside (the statistics bureau's above-scale output …):
entering and correcting them, confirming and returning them, and importing them from Excel.

A figure counts in every window that holds its whole period, so two figures of one
indicator whose periods overlap, in one region or in a region and one of its ancestors
or descendants, would count twice: entering such a figure is refused.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tiantou.accounts.permissions import ensure_can, has_perm
from tiantou.core import audit, importing, regioncodes
from tiantou.core.models import AuditAction, AuditEntry
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


def _indicator(key: str) -> Indicator:
    indicator = registry.INDICATORS.get((key or "").strip())
    if indicator is None or indicator.source != FIGURE_SOURCE:
        raise ValidationError(
            {"indicator": _("Choose an indicator whose figures are entered from outside.")},
            code="not_a_figure",
        )
    return indicator


def _period(text) -> Period:
    if isinstance(text, Period):
        return text
    try:
        return Period.parse(str(text or ""))
    except ValueError as error:
        raise ValidationError({"period": str(error)}, code="bad_period") from None


def _value(value) -> Decimal:
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
        raise ValidationError(
            overlap_message(other.region.name, period_label(other.period)), code="overlap"
        )


def _lock_tree(region: Region) -> None:
    """Serialise entries in one province: two overlapping figures entered at the same
    moment cannot both pass the overlap check."""
    top = regioncodes.prefix_of(region.code, regioncodes.PROVINCE).ljust(12, "0")
    list(Region.objects.select_for_update().filter(code=top).values_list("code", flat=True))


@transaction.atomic
def figure_enter(
    *,
    actor,
    indicator: str,
    region: Region,
    period,
    value,
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
    for name, check, raw in (
        ("indicator", _indicator, indicator),
        ("period", _period, period),
        ("value", _value, value),
    ):
        try:
            found[name] = check(raw)
        except ValidationError as error:
            errors.update(error.message_dict)
    source = (source or "").strip()
    if len(source) > 200:
        errors["source"] = [_("At most 200 characters.")]
    if errors:
        raise ValidationError(errors)
    ind, per, number = found["indicator"], found["period"], found["value"]
    _lock_tree(region)
    if figure is not None:
        check_version(figure, expected_version)
        figure = ExternalFigure.objects.select_for_update().get(pk=figure.pk)
        if figure.status == FigureStatus.CONFIRMED:
            raise ValidationError(
                _("This figure has been confirmed and can no longer be changed."),
                code="confirmed",
            )
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


def _ensure_may_confirm(actor, figure: ExternalFigure) -> None:
    ensure_can(actor, CONFIRM_PERM, figure)


@transaction.atomic
def figure_confirm(
    *, actor, figure: ExternalFigure, expected_version: int | None = None
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
    *, actor, figure: ExternalFigure, reason: str, expected_version: int | None = None
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


# ---- import from Excel ----


@dataclass
class _Planned:
    row: importing.ParsedRow
    indicator: Indicator
    region: Region
    period: Period
    value: Decimal
    source: str
    existing: ExternalFigure | None


def indicator_lookup() -> dict[str, str]:
    """Indicator keys by every way a sheet may name them: key, name (current language
    and Chinese) and “name（unit）”."""
    table: dict[str, str] = {}
    for indicator in figure_indicators():
        table[indicator.key] = indicator.key
        with translation.override("zh-hans"):
            chinese = str(indicator.name)
        for name in {str(indicator.name), chinese}:
            table[name] = indicator.key
            table[f"{name}（{indicator.unit}）"] = indicator.key
            table[f"{name}({indicator.unit})"] = indicator.key
    return table


def figure_import(*, actor, rows: Iterable, dry_run: bool = False, result=None, note: str = ""):
    """Create or correct figures from sheet rows; with any error nothing is written.

    A row names an indicator (name or key), a region code, a period, a value and a source.
    A row for a figure already there (same indicator, region and period) corrects it
    unless it is confirmed. Overlaps are refused against stored figures and between rows.
    References are resolved with one query per table for the whole sheet.
    """
    from .importers import FIGURE_COLUMNS

    ensure_can(actor, ADD_PERM)
    rows = importing.rows_from(rows)
    if result is None:
        result = importing.ImportResult(columns=FIGURE_COLUMNS, dry_run=dry_run)
        result.rows = rows
    try:
        with transaction.atomic():
            planned = _plan_import(actor, rows, result)
            result.count()
            if not result.ok or dry_run:
                return result
            _write_import(actor, planned, note)
            result.written = True
    except IntegrityError:
        result.add_error(
            None, "", _("Someone changed figures while this file was being imported. Try again.")
        )
    return result


def _plan_import(actor, rows, result) -> list[_Planned]:
    lookup = indicator_lookup()
    regions = {
        r.code: r
        for r in importing.fetch_in(
            Region.objects.all(), "code", (row.values.get("region") for row in rows)
        )
    }
    allowed: dict[str, bool] = {}
    checked: list[_Planned] = []
    for row in rows:
        if row.has_error:
            continue
        data = row.values
        errors_before = result.error_count
        key = lookup.get(str(data.get("indicator") or "").strip())
        if key is None:
            result.add_error(
                row.number,
                "indicator",
                _("“%(value)s” is not an indicator entered from outside. Use one of: %(names)s.")
                % {
                    "value": data.get("indicator") or "",
                    "names": "、".join(str(i.name) for i in figure_indicators()),
                },
            )
        code = data.get("region") or ""
        region = regions.get(code)
        if region is None:
            result.add_error(
                row.number, "region", _("No region has the code %(code)s.") % {"code": code}
            )
        else:
            if code not in allowed:
                allowed[code] = has_perm(actor, ADD_PERM, region)
            if not allowed[code]:
                result.add_error(
                    row.number,
                    "region",
                    _("Region %(code)s is outside your area of work.") % {"code": code},
                )
        period = None
        try:
            period = _period(data.get("period"))
        except ValidationError as error:
            result.add_error(row.number, "period", error.message_dict["period"][0])
        value = None
        try:
            value = _value(data.get("value"))
        except ValidationError as error:
            result.add_error(row.number, "value", error.message_dict["value"][0])
        if result.error_count > errors_before:
            continue
        assert key is not None and region is not None and period is not None
        assert value is not None
        checked.append(
            _Planned(
                row=row,
                indicator=registry.get(key),
                region=region,
                period=period,
                value=value,
                source=str(data.get("source") or ""),
                existing=None,
            )
        )
    if not checked:
        return []
    _lock_tree(checked[0].region)
    stored = list(
        ExternalFigure.objects.filter(
            indicator__in={p.indicator.key for p in checked},
            period_start__lte=max(p.period.end for p in checked),
            period_end__gte=min(p.period.start for p in checked),
        ).select_related("region")
    )
    same = {(f.indicator, f.region_id, f.period): f for f in stored}
    planned: list[_Planned] = []
    taken: list[_Planned] = []
    for plan in checked:
        row = plan.row
        plan.existing = same.get((plan.indicator.key, plan.region.code, plan.period.key))
        if plan.existing is not None and plan.existing.status == FigureStatus.CONFIRMED:
            unchanged = plan.existing.value == plan.value and plan.existing.source == plan.source
            if unchanged:
                row.action = importing.UNCHANGED
                continue
            result.add_error(
                row.number,
                "value",
                _("This figure has been confirmed and can no longer be changed."),
            )
            continue
        clash = next(
            (
                f
                for f in stored
                if f.indicator == plan.indicator.key
                and (plan.existing is None or f.pk != plan.existing.pk)
                and _are_related(f.region_id, plan.region.code)
                and f.period_start <= plan.period.end
                and f.period_end >= plan.period.start
            ),
            None,
        )
        if clash is not None:
            result.add_error(
                row.number, "period", overlap_message(clash.region.name, period_label(clash.period))
            )
            continue
        earlier = next(
            (
                p
                for p in taken
                if p.indicator.key == plan.indicator.key
                and _are_related(p.region.code, plan.region.code)
                and p.period.start <= plan.period.end
                and p.period.end >= plan.period.start
            ),
            None,
        )
        if earlier is not None:
            result.add_error(
                row.number,
                "period",
                _(
                    "Row %(first)d already has a figure of this indicator whose period and "
                    "region overlap this one."
                )
                % {"first": earlier.row.number},
            )
            continue
        taken.append(plan)
        if plan.existing is None:
            row.action = importing.CREATE
        elif (
            plan.existing.value == plan.value
            and plan.existing.source == plan.source
            and plan.existing.status == FigureStatus.SUBMITTED
        ):
            row.action = importing.UNCHANGED
            continue
        else:
            row.action = importing.UPDATE
        planned.append(plan)
    return planned


def _write_import(actor, planned: list[_Planned], note: str) -> None:
    creates: list[ExternalFigure] = []
    entries: list[AuditEntry] = []
    for plan in planned:
        fields = {
            "value": plan.value,
            "source": plan.source,
            "status": FigureStatus.SUBMITTED,
            "status_reason": "",
            "entered_by": actor,
        }
        if plan.existing is None:
            figure = ExternalFigure(
                indicator=plan.indicator.key,
                region=plan.region,
                period=plan.period.key,
                period_start=plan.period.start,
                period_end=plan.period.end,
                **fields,
            )
            figure.full_clean(validate_unique=False, validate_constraints=False)
            creates.append(figure)
            continue
        figure = plan.existing
        before = audit.snapshot(figure)
        for name, value in fields.items():
            setattr(figure, name, value)
        figure.version += 1
        figure.save()
        entries.append(importing.audit_entry(actor=actor, obj=figure, before=before, note=note))
    importing.bulk_insert(ExternalFigure, creates)
    entries += [
        importing.audit_entry(actor=actor, obj=figure, before=None, note=note) for figure in creates
    ]
    AuditEntry.objects.bulk_create(entries)
