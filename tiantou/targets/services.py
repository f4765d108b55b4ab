"""Every write of target sheets (总体目标): the sheet, its items, their split among
receivers (townships, departments, enterprises) and the signing of each receiver's
responsibility letter (责任状).

A sheet is drafted, then issued; an issued sheet's items and splits are frozen, and only
then are the letters signed.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tiantou.accounts.models import User
from tiantou.accounts.permissions import ensure_can
from tiantou.core import audit, regioncodes
from tiantou.core.models import AuditAction
from tiantou.core.numbers import plain
from tiantou.core.services import apply_changes, check_version, create_audited
from tiantou.indicators import registry
from tiantou.regions.models import Organisation, Region

from .choices import SheetStatus, TargetKind
from .models import TargetItem, TargetSheet, TargetSplit

ADD_PERM = "targets.add_targetsheet"
CHANGE_PERM = "targets.change_targetsheet"
FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_VALUE = Decimal("9999999999999999.99")
# A split receiver: a child region of the sheet's region, or an organisation inside it.
Receiver = Region | Organisation
SplitRow = tuple[Receiver, Any, Any]


def _ensure_draft(sheet: TargetSheet) -> None:
    if sheet.status != SheetStatus.DRAFT:
        raise ValidationError(
            _(
                "This target sheet has been issued: its targets and their split can no "
                "longer change."
            )
        )


def _locked_sheet(sheet: TargetSheet) -> TargetSheet:
    """The sheet as stored now, locked, so that issuing and editing cannot interleave."""
    return TargetSheet.objects.select_for_update().select_related("region").get(pk=sheet.pk)


def _decimal(raw: Any, field: str, *, required: bool = False) -> Decimal | None:
    """A number ≥ 0 from a form or an import; a Chinese error on the field otherwise."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            raise ValidationError({field: _("Enter a number.")})
        return None
    try:
        number = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter a number.")}) from None
    if not number.is_finite() or number < 0:
        raise ValidationError({field: _("Enter a number of 0 or more.")})
    if number > MAX_VALUE:
        raise ValidationError({field: _("This number is too large.")})
    return number.quantize(Decimal("0.01"))


# ---- sheets ----


def _check_sheet(*, region: Region, year: Any, title: str) -> tuple[int, str]:
    if region.level >= regioncodes.VILLAGE:
        raise ValidationError({"region": _("A village has no receivers to split targets among.")})
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(
            {
                "year": _("Enter a year from %(first)s to %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR}
            }
        )
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the sheet a title.")})
    return year, title


def _unique_title(*, region: Region, year: int, title: str, exclude: int | None = None) -> None:
    taken = TargetSheet.objects.filter(region=region, year=year, title=title)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ValidationError(
            {"title": _("This region already has a target sheet of this title for this year.")}
        )


@transaction.atomic
def sheet_create(
    *, actor: User, region: Region, year: Any, title: str, note: str = ""
) -> TargetSheet:
    """Draft a year's target sheet for a region."""
    ensure_can(actor, ADD_PERM, region)
    year, title = _check_sheet(region=region, year=year, title=title)
    _unique_title(region=region, year=year, title=title)
    sheet = TargetSheet(region=region, year=year, title=title, note=(note or "").strip())
    return create_audited(actor=actor, obj=sheet)


@transaction.atomic
def sheet_update(
    *,
    actor: User,
    sheet: TargetSheet,
    year: Any,
    title: str,
    note: str = "",
    expected_version: int | None = None,
) -> TargetSheet:
    """Change a sheet's title, year or note; once issued only its note may change."""
    ensure_can(actor, CHANGE_PERM, sheet)
    check_version(sheet, expected_version)
    sheet = _locked_sheet(sheet)
    year, title = _check_sheet(region=sheet.region, year=year, title=title)
    if sheet.status != SheetStatus.DRAFT and (year != sheet.year or title != sheet.title):
        _ensure_draft(sheet)
    if year != sheet.year and _deadlines_before(sheet, year):
        raise ValidationError(
            {"year": _("Some targets have a deadline before this year: change them first.")}
        )
    _unique_title(region=sheet.region, year=year, title=title, exclude=sheet.pk)
    apply_changes(
        actor=actor,
        obj=sheet,
        changes={"year": year, "title": title, "note": (note or "").strip()},
    )
    return sheet


def _deadlines_before(sheet: TargetSheet, year: int) -> bool:
    return sheet.items.filter(deadline__lt=dt.date(year, 1, 1)).exists()


@transaction.atomic
def sheet_issue(
    *, actor: User, sheet: TargetSheet, expected_version: int | None = None
) -> TargetSheet:
    """Issue a drafted sheet: its targets and splits are frozen from now on."""
    ensure_can(actor, CHANGE_PERM, sheet)
    check_version(sheet, expected_version)
    sheet = _locked_sheet(sheet)
    _ensure_draft(sheet)
    if not sheet.items.exists():
        raise ValidationError(_("Add at least one target before issuing the sheet."))
    apply_changes(actor=actor, obj=sheet, changes={"status": SheetStatus.ISSUED}, note=_("Issued."))
    return sheet


# ---- items ----

ITEM_FIELDS = (
    "name",
    "indicator",
    "kind",
    "value",
    "value_max",
    "stretch_value",
    "unit",
    "lead_unit",
    "responsible_person",
    "deadline",
    "order",
)


def _organisations_inside(sheet: TargetSheet, organisations: Iterable[Organisation]) -> None:
    for organisation in organisations:
        if not regioncodes.contains(sheet.region_id, organisation.region_id):
            raise ValidationError(
                _("%(name)s is not inside %(region)s.")
                % {"name": organisation.name, "region": sheet.region.name}
            )


class ItemFields(TypedDict, total=False):
    """What a target says, as `item_create` and `item_update` take it besides its name."""

    kind: str
    indicator: str
    value: Any
    value_max: Any
    stretch_value: Any
    unit: str
    lead_unit: Organisation | None
    responsible_units: Sequence[Organisation]
    responsible_person: str
    deadline: dt.date | None
    order: Any


def _item_changes(
    sheet: TargetSheet,
    *,
    name: str,
    kind: str = TargetKind.REACH,
    indicator: str = "",
    value: Any = None,
    value_max: Any = None,
    stretch_value: Any = None,
    unit: str = "",
    lead_unit: Organisation | None = None,
    responsible_units: Sequence[Organisation] = (),
    responsible_person: str = "",
    deadline: dt.date | None = None,
    order: Any = 0,
) -> dict[str, Any]:
    """The validated field values of an item (a reach, minimum or range target)."""
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Say what the target is.")
    indicator = (indicator or "").strip()
    if indicator and indicator not in registry.INDICATORS:
        errors["indicator"] = _("Choose an indicator from the list.")
    if kind not in TargetKind.values:
        errors["kind"] = _("Choose how the target reads.")
    numbers: dict[str, Decimal | None] = {}
    for field, raw in (
        ("value", value),
        ("value_max", value_max),
        ("stretch_value", stretch_value),
    ):
        try:
            numbers[field] = _decimal(raw, field)
        except ValidationError as error:
            errors[field] = error.message_dict[field][0]
    if errors:
        raise ValidationError(errors)
    low, high, stretch = numbers["value"], numbers["value_max"], numbers["stretch_value"]
    if indicator and low is None:
        errors["value"] = _("A target measured by an indicator needs a value.")
    if low is None and (high is not None or stretch is not None):
        errors["value"] = _("Enter the target value first.")
    if kind == TargetKind.RANGE:
        if high is None:
            errors["value_max"] = _("A range needs its upper bound (e.g. 3 for 2-3).")
        elif low is not None and high <= low:
            errors["value_max"] = _("The upper bound must be above the lower bound.")
    elif high is not None:
        errors["value_max"] = _("Only a range has an upper bound.")
    if stretch is not None and low is not None:
        floor = high if kind == TargetKind.RANGE and high is not None else low
        if stretch <= floor:
            errors["stretch_value"] = _("The stretch value (力争) must be above the target.")
    if deadline is not None and deadline < dt.date(sheet.year, 1, 1):
        errors["deadline"] = _("The deadline falls before the sheet's year.")
    try:
        order = int(order or 0)
    except (TypeError, ValueError):
        order = -1
    if not 0 <= order <= 32767:
        errors["order"] = _("Enter a whole number from 0 up.")
    if errors:
        raise ValidationError(errors)
    units = [u for u in (lead_unit, *responsible_units) if u is not None]
    try:
        _organisations_inside(sheet, units)
    except ValidationError as error:
        raise ValidationError({"lead_unit": error.messages[0]}) from None
    unit = (unit or "").strip()
    if not unit and indicator:
        unit = registry.get(indicator).unit
    return {
        "name": name,
        "indicator": indicator,
        "kind": kind,
        "value": low,
        "value_max": high,
        "stretch_value": stretch,
        "unit": unit[:10],
        "lead_unit": lead_unit,
        "responsible_person": (responsible_person or "").strip(),
        "deadline": deadline,
        "order": order,
    }


@transaction.atomic
def item_create(
    *, actor: User, sheet: TargetSheet, name: str, **fields: Unpack[ItemFields]
) -> TargetItem:
    """Add a target to a draft sheet; the unit defaults to the indicator's."""
    ensure_can(actor, CHANGE_PERM, sheet)
    sheet = _locked_sheet(sheet)
    _ensure_draft(sheet)
    if fields.get("order") in (None, ""):
        fields["order"] = sheet.items.count() + 1
    changes = _item_changes(sheet, name=name, **fields)
    item = create_audited(
        actor=actor,
        obj=TargetItem(sheet=sheet, **changes),
        links={"responsible_units": list(fields.get("responsible_units", ()))},
    )
    return item


@transaction.atomic
def item_update(
    *,
    actor: User,
    item: TargetItem,
    name: str,
    expected_version: int | None = None,
    **fields: Unpack[ItemFields],
) -> TargetItem:
    """Change a target of a draft sheet; its existing split must still reach it."""
    ensure_can(actor, CHANGE_PERM, item.sheet)
    sheet = _locked_sheet(item.sheet)
    _ensure_draft(sheet)
    check_version(item, expected_version)
    changes = _item_changes(sheet, name=name, **fields)
    splits = list(item.splits.all())
    if splits:
        if changes["value"] is None:
            raise ValidationError(
                {"value": _("This target has been split: remove its split before its value.")}
            )
        probe = TargetItem(
            sheet=sheet,
            value=changes["value"],
            stretch_value=changes["stretch_value"],
            indicator=changes["indicator"],
        )
        _check_totals(probe, [(s.value, s.stretch_value) for s in splits], field="value")
    # The units are set with the fields, so the one audit row shows them by name.
    changes["responsible_units"] = list(fields.get("responsible_units", ()))
    apply_changes(actor=actor, obj=item, changes=changes)
    return item


@transaction.atomic
def item_delete(*, actor: User, item: TargetItem) -> None:
    """Remove a target (and its split) from a draft sheet."""
    ensure_can(actor, CHANGE_PERM, item.sheet)
    _ensure_draft(_locked_sheet(item.sheet))
    before = audit.snapshot(item)
    audit.record(actor=actor, obj=item, action=AuditAction.DELETE, before=before)
    item.delete()


# ---- splits ----


def _check_totals(
    item: TargetItem,
    rows: Sequence[tuple[Decimal, Decimal | None]],
    *,
    field: str | None = None,
) -> None:
    """The shares must reach the target (the lower bound of a range), and the stretch
    shares the stretch value. A share without its own stretch value counts with its
    base share. More than the target is allowed (and shown as a notice)."""
    if not rows or item.value is None:
        return
    indicator = registry.INDICATORS.get(item.indicator)
    if indicator is not None and indicator.is_derived:
        return  # a rate of the whole is not the sum of the receivers' rates
    total = sum((value for value, _stretch in rows), Decimal(0))
    if total < item.value:
        _refuse(
            _(
                "The shares add up to %(sum)s, less than the target of %(total)s: "
                "split the whole target."
            )
            % {"sum": plain(total, missing="—"), "total": plain(item.value, missing="—")},
            field,
        )
    if item.stretch_value is not None and any(stretch is not None for _v, stretch in rows):
        stretch_total = sum(
            (stretch if stretch is not None else value for value, stretch in rows), Decimal(0)
        )
        if stretch_total < item.stretch_value:
            _refuse(
                _("The stretch shares add up to %(sum)s, less than the stretch value of %(total)s.")
                % {
                    "sum": plain(stretch_total, missing="—"),
                    "total": plain(item.stretch_value, missing="—"),
                },
                field,
            )


def _refuse(message: str, field: str | None) -> None:
    raise ValidationError({field: message} if field else message)


def _split_receiver(sheet: TargetSheet, receiver: Any) -> tuple[str, TargetSplit]:
    """(a key to find duplicates, an unsaved split naming the receiver), or a Chinese
    error when the receiver is not the sheet's to split to."""
    if isinstance(receiver, Region):
        if receiver.parent_id != sheet.region_id or not receiver.is_active:
            raise ValidationError(
                _("%(name)s is not a township (or other region) directly under %(region)s.")
                % {"name": receiver.name, "region": sheet.region.name}
            )
        return f"r{receiver.pk}", TargetSplit(region=receiver)
    if isinstance(receiver, Organisation):
        _organisations_inside(sheet, [receiver])
        if not receiver.is_active:
            raise ValidationError(_("%(name)s is no longer active.") % {"name": receiver.name})
        return f"o{receiver.pk}", TargetSplit(organisation=receiver)
    raise ValidationError(_("Choose a township or a unit to take on the share."))


def _describe(splits: Iterable[TargetSplit]) -> str:
    parts = []
    for split in splits:
        text = f"{split.receiver_name} {plain(split.value)}"
        if split.stretch_value is not None:
            text += _(" (stretch %(value)s)") % {"value": plain(split.stretch_value, missing="—")}
        parts.append(text)
    return "；".join(parts) or "—"


@transaction.atomic
def splits_save(
    *,
    actor: User,
    item: TargetItem,
    splits: Sequence[SplitRow],
    expected_version: int | None = None,
) -> list[TargetSplit]:
    """Replace an item's split in one go: [(receiver, value, stretch value or None)].

    Receivers are child regions of the sheet's region or organisations inside it, each
    once; the shares must reach the target (see `_check_totals`).
    """
    ensure_can(actor, CHANGE_PERM, item.sheet)
    sheet = _locked_sheet(item.sheet)
    _ensure_draft(sheet)
    check_version(item, expected_version)
    item = TargetItem.objects.select_for_update().get(pk=item.pk)
    if splits and item.value is None:
        raise ValidationError(_("This target has no value to split."))
    seen: set[str] = set()
    new: list[TargetSplit] = []
    for receiver, raw_value, raw_stretch in splits:
        key, split = _split_receiver(sheet, receiver)
        if key in seen:
            raise ValidationError(
                _("%(name)s is named twice: give each receiver one share.")
                % {"name": str(receiver)}
            )
        seen.add(key)
        try:
            value = _decimal(raw_value, "value", required=True)
            stretch = _decimal(raw_stretch, "stretch_value")
        except ValidationError as error:
            raise ValidationError(
                _("%(name)s: %(error)s") % {"name": str(receiver), "error": error.messages[0]}
            ) from None
        assert value is not None
        if stretch is not None and stretch < value:
            raise ValidationError(
                _("%(name)s: the stretch share is below the share itself.")
                % {"name": str(receiver)}
            )
        split.item, split.value, split.stretch_value = item, value, stretch
        new.append(split)
    _check_totals(item, [(s.value, s.stretch_value) for s in new])
    old = list(item.splits.select_related("region", "organisation"))
    before = audit.snapshot(item)
    item.splits.all().delete()
    try:
        with transaction.atomic():
            TargetSplit.objects.bulk_create(new)
    except IntegrityError:
        raise ValidationError(_("Each receiver takes one share.")) from None
    item.version += 1
    item.save(update_fields=["version", "updated_at"])
    audit.record(
        actor=actor,
        obj=item,
        action=AuditAction.UPDATE,
        before=before,
        note=_("Split: %(before)s → %(after)s")
        % {"before": _describe(old), "after": _describe(new)},
    )
    return list(item.splits.select_related("region", "organisation"))


def receiver_splits(split: TargetSplit) -> QuerySet[TargetSplit]:
    """Every split of the same receiver in the same sheet (one letter covers them all)."""
    receiver = (
        {"region_id": split.region_id}
        if split.region_id
        else {"organisation_id": split.organisation_id}
    )
    return TargetSplit.objects.filter(item__sheet_id=split.item.sheet_id, **receiver)


@transaction.atomic
def letter_sign(*, actor: User, split: TargetSplit, signed_on: dt.date | None) -> list[TargetSplit]:
    """Record the date the receiver's responsibility letter (责任状) was signed, on every
    share the receiver takes in the sheet."""
    sheet = split.item.sheet
    ensure_can(actor, CHANGE_PERM, sheet)
    sheet = _locked_sheet(sheet)
    if sheet.status != SheetStatus.ISSUED:
        raise ValidationError(_("Responsibility letters are signed once the sheet is issued."))
    if not isinstance(signed_on, dt.date):
        raise ValidationError({"signed_on": _("Enter the date the letter was signed.")})
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": _("The letter cannot be signed in the future.")})
    if signed_on.year < sheet.year - 1:
        raise ValidationError({"signed_on": _("The date is long before the sheet's year.")})
    saved = []
    for each in receiver_splits(split).select_for_update().select_related("item__sheet"):
        if each.letter_signed_on == signed_on:
            continue
        before = audit.snapshot(each)
        each.letter_signed_on = signed_on
        each.save(update_fields=["letter_signed_on"])
        audit.record(
            actor=actor,
            obj=each,
            action=AuditAction.UPDATE,
            before=before,
            note=_("Responsibility letter signed."),
        )
        saved.append(each)
    return saved
