"""Every write to the work ledger's activities: record, submit, confirm, lock, reopen."""

import datetime
import hashlib
import secrets
import uuid as uuid_lib
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tiantou.accounts.models import User
from tiantou.accounts.permissions import ensure_can, has_perm
from tiantou.core import audit, regioncodes
from tiantou.core.importing import not_in_area
from tiantou.core.models import AuditAction
from tiantou.core.periods import Period
from tiantou.people.models import Posting
from tiantou.regions.choices import Level
from tiantou.regions.models import Organisation, Region

from . import evidence
from .choices import MEASURE_KEYS, MEASURES, ActivityStatus
from .models import (
    Activity,
    ActivityPhoto,
    ActivityType,
    ConfirmationLink,
    LedgerPeriod,
    Technology,
)

# Statuses in which the author may still change a record.
EDITABLE = (ActivityStatus.DRAFT, ActivityStatus.SUBMITTED, ActivityStatus.REJECTED)
COUNTED = (ActivityStatus.CONFIRMED, ActivityStatus.LOCKED)
INTEGER_MAX = 2_147_483_647
DECIMAL_LIMITS = {"area_mu": Decimal("9999999999.99"), "output_value": Decimal("99999999999999.99")}
# A coordinate as the phone or the form sends it.
Coordinate = Decimal | float | str | None


# ---- validation helpers ----


def _parse_uuid(value: uuid_lib.UUID | str | None) -> uuid_lib.UUID | None:
    if value in (None, ""):
        return None
    if isinstance(value, uuid_lib.UUID):
        return value
    try:
        return uuid_lib.UUID(str(value))
    except ValueError as error:
        raise ValidationError(
            {"uuid": _("The record id sent by the phone is not valid.")}, code="invalid_uuid"
        ) from error


def clean_measure(key: str, value: object, *, decimal: bool) -> int | Decimal | None:
    """A measure value as typed (number or text) made into int/Decimal, or a ValidationError.

    The one rule for a measure's value: the services and the import's cells use it.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValidationError(_("Enter a number."), code="not_a_number")
    if decimal:
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation as error:
            raise ValidationError(_("Enter a number."), code="not_a_number") from error
        if not number.is_finite():
            raise ValidationError(_("Enter a number."), code="not_a_number")
        if number < 0:
            raise ValidationError(_("Enter a number of 0 or more."), code="negative")
        # The range first: quantizing 1E+300 to cents exceeds the decimal context.
        if number > DECIMAL_LIMITS[key]:
            raise ValidationError(_("This number is too large."), code="too_large")
        return number.quantize(Decimal("0.01"))
    try:
        text = str(value).strip()
        number_d = Decimal(text)
    except InvalidOperation as error:
        raise ValidationError(_("Enter a whole number."), code="not_a_number") from error
    if not number_d.is_finite() or number_d != number_d.to_integral_value():
        raise ValidationError(_("Enter a whole number."), code="not_a_number")
    if number_d < 0:
        raise ValidationError(_("Enter a number of 0 or more."), code="negative")
    if number_d > INTEGER_MAX:
        raise ValidationError(_("This number is too large."), code="too_large")
    return int(number_d)


def clean_measures(activity_type: ActivityType, measures: dict[str, Any]) -> dict:
    """Only the type's measures, the required ones present, every value a number ≥ 0."""
    unknown = set(measures) - set(MEASURE_KEYS)
    if unknown:
        raise TypeError(f"unknown measures {sorted(unknown)}")
    errors: dict[str, list] = {}
    cleaned: dict = {}
    recorded = set(activity_type.measures or [])
    for measure in MEASURES:
        raw = measures.get(measure.key)
        try:
            value = clean_measure(measure.key, raw, decimal=measure.decimal)
        except ValidationError as error:
            errors[measure.key] = error.error_list
            continue
        if value is not None and measure.key not in recorded:
            errors[measure.key] = [
                ValidationError(
                    _("A %(type)s does not record %(measure)s.")
                    % {"type": activity_type.name, "measure": measure.label},
                    code="not_recorded",
                )
            ]
            continue
        if measure.key in recorded:
            cleaned[measure.key] = value
    for key in activity_type.required_measures or []:
        if key not in errors and cleaned.get(key) is None:
            errors[key] = [ValidationError(_("This figure is required."), code="required")]
    if errors:
        raise ValidationError(errors)
    # Measures the type does not record are kept empty.
    return {key: cleaned.get(key) for key in MEASURE_KEYS}


def date_errors(
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
    *,
    today: datetime.date | None = None,
) -> dict[str, list]:
    """The activity's dates: given, not in the future, the end not before the start."""
    errors: dict[str, list] = {}
    today = today or timezone.localdate()
    if not isinstance(starts_on, datetime.date):
        errors["starts_on"] = [_("Enter the date of the activity.")]
        return errors
    if starts_on > today:
        errors["starts_on"] = [_("The date cannot be in the future.")]
    if ends_on is not None:
        if ends_on < starts_on:
            errors["ends_on"] = [_("The end date cannot be before the start date.")]
        elif ends_on > today:
            errors["ends_on"] = [_("The end date cannot be in the future.")]
    return errors


def _clean_coordinates(
    latitude: Coordinate, longitude: Coordinate
) -> tuple[Decimal | None, Decimal | None]:
    if latitude in (None, "") or longitude in (None, ""):
        return None, None
    try:
        lat = Decimal(str(latitude)).quantize(Decimal("0.000001"))
        lon = Decimal(str(longitude)).quantize(Decimal("0.000001"))
    except InvalidOperation as error:
        raise ValidationError(
            {"latitude": _("The location from the phone is not valid.")}, code="bad_location"
        ) from error
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationError(
            {"latitude": _("The location from the phone is not valid.")}, code="bad_location"
        )
    return lat, lon


def check_place(region: Region) -> None:
    """An activity takes place in a township or a village."""
    if region.level not in (Level.TOWNSHIP, Level.VILLAGE):
        raise ValidationError(
            {"region": _("An activity takes place in a township or a village.")}, code="level"
        )


def check_posting(*, actor: User, posting: Posting | None, region: Region) -> None:
    """Only an admin who may confirm there records under someone else's posting."""
    if posting is None:
        return
    own = posting.person.user_id is not None and posting.person.user_id == actor.pk
    if not own and not has_perm(actor, "ledger.confirm_activity", region):
        raise ValidationError(
            {"posting": _("You can only record activities under your own posting.")},
            code="not_own_posting",
        )


def organiser_errors(posting: Posting | None, organisation: Organisation | None) -> dict[str, list]:
    """A cadre, a unit or both must have organised the activity."""
    if posting is None and organisation is None:
        return {"posting": [_("Say who organised the activity: a cadre, a unit or both.")]}
    return {}


def check_activity_type(activity_type: ActivityType | None) -> None:
    """The type must exist and be in use."""
    if activity_type is None or not activity_type.is_active:
        raise ValidationError(
            {"activity_type": _("Choose a type of activity in use.")}, code="inactive_type"
        )


def _check_place_and_organisers(
    *,
    actor: User,
    region: Region,
    posting: Posting | None,
    organisation: Organisation | None,
) -> None:
    ensure_can(actor, "ledger.add_activity", region)
    check_place(region)
    check_posting(actor=actor, posting=posting, region=region)
    if organisation is not None and not has_perm(actor, "regions.view_organisation", organisation):
        raise ValidationError(
            {"organisation": not_in_area(_("unit"), organisation.name)}, code="organisation_scope"
        )


def _validate(*, actor: User, values: dict, keep_type: bool = False) -> dict:
    """The checks `activity_create` and `activity_update` share, on the record's fields.

    Returns the cleaned title and measures; raises one ValidationError listing every
    field's problems (place and organisers are refused first, on their own).
    """
    _check_place_and_organisers(
        actor=actor,
        region=values["region"],
        posting=values["posting"],
        organisation=values["organisation"],
    )
    errors: dict[str, list] = {}
    title = (values["title"] or "").strip()
    if not title:
        errors["title"] = [_("Give the activity a title.")]
    activity_type = values["activity_type"]
    if not (keep_type and activity_type is not None):
        try:
            check_activity_type(activity_type)
        except ValidationError as error:
            errors |= error.message_dict
    errors |= date_errors(values["starts_on"], values["ends_on"])
    errors |= organiser_errors(values["posting"], values["organisation"])
    measures: dict = {}
    if activity_type is not None:
        try:
            measures = clean_measures(activity_type, values["measures"])
        except ValidationError as error:
            errors |= error.message_dict
    if errors:
        raise ValidationError(errors)
    return {"title": title, **measures}


def check_technologies(
    activity_type: ActivityType, technologies: Iterable[Technology] | None
) -> list[Technology]:
    technologies = list(technologies or ())
    if not technologies:
        return []
    if not activity_type.records_technologies:
        raise ValidationError(
            {
                "technologies": _("A %(type)s does not record technologies.")
                % {"type": activity_type.name}
            },
            code="no_technologies",
        )
    inactive = [t for t in technologies if not t.is_active]
    if inactive:
        raise ValidationError(
            {
                "technologies": _("%(name)s is no longer in the catalogue.")
                % {"name": inactive[0].name}
            },
            code="inactive_technology",
        )
    return technologies


def _is_own(actor: User, activity: Activity) -> bool:
    """Whether the actor entered the record or organised it under their posting."""
    if activity.created_by_id is not None and activity.created_by_id == actor.pk:
        return True
    posting = activity.posting
    return posting is not None and posting.person.user_id == actor.pk


def _ensure_may_edit(actor: User, activity: Activity) -> None:
    """The author, or an admin who may confirm there, may change a record."""
    ensure_can(actor, "ledger.change_activity", activity)
    if not _is_own(actor, activity) and not has_perm(actor, "ledger.confirm_activity", activity):
        raise PermissionDenied(_("Only the author or the township admin can change this record."))


def _lock(activity: Activity) -> Activity:
    return (
        Activity.objects.select_for_update(of=("self",))
        .select_related("activity_type", "region", "posting__person")
        .get(pk=activity.pk)
    )


def _move(
    activity: Activity, *, actor: User | None, to: str, note: str = "", **changes: Any
) -> Activity:
    before = audit.snapshot(activity)
    activity.status = to
    for name, value in changes.items():
        setattr(activity, name, value)
    activity.version += 1
    activity.save()
    audit.record(actor=actor, obj=activity, action=AuditAction.UPDATE, before=before, note=note)
    return activity


def _require_reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: _("Give a reason.")}, code="reason_required")
    return reason


def _period_closed(activity: Activity) -> bool:
    """Whether a closed period covers the activity's month and place."""
    day = activity.starts_on
    codes = []
    code: str | None = activity.region_id
    while code is not None:
        codes.append(code)
        code = regioncodes.parent_code(code)
    return LedgerPeriod.objects.filter(region_id__in=codes, year=day.year, month=day.month).exists()


# ---- recording ----


@transaction.atomic
def activity_create(
    *,
    actor: User,
    uuid: uuid_lib.UUID | str | None = None,
    activity_type: ActivityType,
    title: str,
    region: Region,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    posting: Posting | None = None,
    organisation: Organisation | None = None,
    description: str = "",
    technologies: Iterable[Technology] = (),
    latitude: Coordinate = None,
    longitude: Coordinate = None,
    submit: bool = False,
    **measures: Any,
) -> tuple[Activity, bool]:
    """Record an activity (a draft, or submitted); the same client uuid again is a no-op."""
    record_id = _parse_uuid(uuid)
    if record_id is not None:
        existing = Activity.objects.filter(uuid=record_id).first()
        if existing is not None:
            return _existing_for(actor, existing), False
    cleaned = _validate(
        actor=actor,
        values={
            "activity_type": activity_type,
            "title": title,
            "region": region,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "posting": posting,
            "organisation": organisation,
            "measures": measures,
        },
    )
    techs = check_technologies(activity_type, technologies)
    lat, lon = _clean_coordinates(latitude, longitude)
    activity = Activity(
        activity_type=activity_type,
        description=(description or "").strip(),
        region=region,
        posting=posting,
        organisation=organisation,
        starts_on=starts_on,
        ends_on=ends_on,
        latitude=lat,
        longitude=lon,
        created_by=actor,
        **cleaned,
    )
    if record_id is not None:
        activity.uuid = record_id
    activity.full_clean(validate_unique=False, validate_constraints=False)
    try:
        # A savepoint, so that a concurrent insert of the same uuid can be recovered from.
        with transaction.atomic():
            activity.save()
    except IntegrityError:
        existing = Activity.objects.filter(uuid=activity.uuid).first()
        if existing is None:
            raise
        return _existing_for(actor, existing), False
    if techs:
        activity.technologies.set(techs)
    audit.record(actor=actor, obj=activity, action=AuditAction.CREATE)
    if submit:
        activity = activity_submit(actor=actor, activity=activity)
    return activity, True


def _existing_for(actor: User, existing: Activity) -> Activity:
    if not Activity.objects.visible_to(actor).filter(pk=existing.pk).exists():
        raise ValidationError(
            {"uuid": _("This record id is already used by another record.")}, code="uuid_taken"
        )
    return existing


@transaction.atomic
def activity_update(
    *,
    actor: User,
    activity: Activity,
    expected_version: int | None = None,
    technologies: Iterable[Technology] | None = None,
    **changes: Any,
) -> Activity:
    """Change a draft, submitted or rejected record; a confirmed or locked one is refused."""
    _ensure_may_edit(actor, activity)
    activity = _lock(activity)
    if activity.status not in EDITABLE:
        raise ValidationError(
            _("A confirmed, locked or deleted record cannot be changed."), code="not_editable"
        )
    if expected_version is not None and int(expected_version) != activity.version:
        raise ValidationError(
            _(
                "Someone else changed this record while you were editing it. "
                "Reload the page to see their changes, then edit again."
            ),
            code="stale_version",
        )
    allowed = {
        "activity_type",
        "title",
        "region",
        "starts_on",
        "ends_on",
        "posting",
        "organisation",
        "description",
        "latitude",
        "longitude",
        *MEASURE_KEYS,
    }
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"unknown activity fields {sorted(unknown)}")
    values = {name: getattr(activity, name) for name in allowed}
    values |= changes
    # A type no longer in use may stay on a record made before; a new choice must be in use.
    kept_type = "activity_type" not in changes or values["activity_type"] == activity.activity_type
    cleaned = _validate(
        actor=actor,
        values=values | {"measures": {k: values[k] for k in MEASURE_KEYS}},
        keep_type=kept_type,
    )
    activity_type = values["activity_type"]
    if technologies is None:
        techs = list(activity.technologies.all()) if activity_type.records_technologies else []
    else:
        techs = check_technologies(activity_type, technologies)
    values["latitude"], values["longitude"] = _clean_coordinates(
        values["latitude"], values["longitude"]
    )
    values["description"] = (values["description"] or "").strip()
    values |= cleaned
    before = audit.snapshot(activity)
    for name, value in values.items():
        setattr(activity, name, value)
    activity.full_clean(validate_unique=False, validate_constraints=False)
    if activity.status == ActivityStatus.SUBMITTED:
        activity.flags = evidence.activity_flags(activity)
    activity.version += 1
    activity.save()
    activity.technologies.set(techs)
    audit.record(actor=actor, obj=activity, action=AuditAction.UPDATE, before=before)
    return activity


# ---- the confirmation workflow ----


@transaction.atomic
def activity_submit(*, actor: User, activity: Activity) -> Activity:
    """Send a draft (or a corrected rejected record) for confirmation; computes the flags."""
    _ensure_may_edit(actor, activity)
    activity = _lock(activity)
    if activity.status == ActivityStatus.SUBMITTED:
        return activity
    if activity.status not in (ActivityStatus.DRAFT, ActivityStatus.REJECTED):
        raise ValidationError(
            _("Only a draft or a rejected record can be submitted."), code="not_submittable"
        )
    return _move(
        activity,
        actor=actor,
        to=ActivityStatus.SUBMITTED,
        submitted_at=timezone.now(),
        flags=evidence.activity_flags(activity),
        status_reason="",
    )


def _ensure_may_confirm(actor: User, activity: Activity) -> None:
    ensure_can(actor, "ledger.confirm_activity", activity)
    if _is_own(actor, activity):
        raise PermissionDenied(_("You cannot confirm or reject your own record."))


@transaction.atomic
def activity_confirm(*, actor: User, activity: Activity) -> Activity:
    """The township admin confirms a submitted record: from now on it counts."""
    _ensure_may_confirm(actor, activity)
    activity = _lock(activity)
    if activity.status != ActivityStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted record can be confirmed."), code="not_submitted")
    # A record confirmed into a month already closed is locked at once.
    to = ActivityStatus.LOCKED if _period_closed(activity) else ActivityStatus.CONFIRMED
    return _move(
        activity,
        actor=actor,
        to=to,
        confirmed_by=actor,
        confirmed_at=timezone.now(),
        status_reason="",
    )


@transaction.atomic
def activity_reject(*, actor: User, activity: Activity, reason: str) -> Activity:
    """Send a submitted record back to its author with a reason."""
    _ensure_may_confirm(actor, activity)
    reason = _require_reason(reason)
    activity = _lock(activity)
    if activity.status != ActivityStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted record can be rejected."), code="not_submitted")
    return _move(
        activity, actor=actor, to=ActivityStatus.REJECTED, note=reason, status_reason=reason
    )


@transaction.atomic
def activity_reopen(*, actor: User, activity: Activity, reason: str) -> Activity:
    """The level above puts a confirmed or locked record back to submitted, with a reason."""
    ensure_can(actor, "ledger.reopen_activity", activity)
    reason = _require_reason(reason)
    activity = _lock(activity)
    if activity.status not in COUNTED:
        raise ValidationError(
            _("Only a confirmed or locked record can be reopened."), code="not_counted"
        )
    return _move(
        activity,
        actor=actor,
        to=ActivityStatus.SUBMITTED,
        note=reason,
        status_reason=reason,
        confirmed_by=None,
        confirmed_at=None,
        confirmed_by_party="",
    )


@transaction.atomic
def activity_delete(*, actor: User, activity: Activity, reason: str) -> Activity:
    """Mark a record deleted (never removed); a counted record must be reopened first."""
    _ensure_may_edit(actor, activity)
    reason = _require_reason(reason)
    activity = _lock(activity)
    if activity.status not in EDITABLE:
        raise ValidationError(
            _("A confirmed or locked record cannot be deleted; it must be reopened first."),
            code="not_deletable",
        )
    return _move(
        activity,
        actor=actor,
        to=ActivityStatus.DELETED,
        note=reason,
        status_reason=reason,
        status_before_deletion=activity.status,
    )


@transaction.atomic
def activity_restore(*, actor: User, activity: Activity) -> Activity:
    """Undo a deletion: the record returns to the status it had before (kept on it)."""
    _ensure_may_edit(actor, activity)
    activity = _lock(activity)
    if activity.status != ActivityStatus.DELETED:
        raise ValidationError(_("This record is not deleted."), code="not_deleted")
    previous = activity.status_before_deletion or ActivityStatus.DRAFT
    return _move(activity, actor=actor, to=previous, status_reason="", status_before_deletion="")


# ---- the served party's one-time link ----


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def confirmation_link_create(
    *, actor: User, activity: Activity, days: int = 7
) -> tuple[ConfirmationLink, str]:
    """A one-time link for the served party; only the token's hash is stored."""
    _ensure_may_edit(actor, activity)
    if activity.status != ActivityStatus.SUBMITTED:
        raise ValidationError(
            _("Submit the record before asking the served party to confirm it."),
            code="not_submitted",
        )
    token = secrets.token_urlsafe(24)
    link = ConfirmationLink.objects.create(
        activity=activity,
        token_hash=_token_hash(token),
        expires_at=timezone.now() + datetime.timedelta(days=days),
        created_by=actor,
    )
    audit.record(actor=actor, obj=link, action=AuditAction.CREATE)
    return link, token


def confirmation_link_get(*, token: str) -> ConfirmationLink:
    """The live link for a token, or a ValidationError saying why it cannot be used."""
    link = (
        ConfirmationLink.objects.select_related("activity__activity_type", "activity__region")
        .filter(token_hash=_token_hash(token or ""))
        .first()
    )
    if link is None:
        raise ValidationError(_("This confirmation link is not valid."), code="unknown_token")
    if link.used_at is not None:
        raise ValidationError(_("This confirmation link has already been used."), code="used")
    if link.expires_at <= timezone.now():
        raise ValidationError(_("This confirmation link has expired."), code="expired")
    return link


@transaction.atomic
def activity_confirm_by_link(*, token: str, name: str) -> Activity:
    """The served party confirms the activity through a one-time link, giving their name."""
    link = confirmation_link_get(token=token)
    link = ConfirmationLink.objects.select_for_update().get(pk=link.pk)
    if link.used_at is not None:
        raise ValidationError(_("This confirmation link has already been used."), code="used")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give your name.")}, code="name_required")
    activity = _lock(link.activity)
    if activity.status != ActivityStatus.SUBMITTED:
        raise ValidationError(_("This record cannot be confirmed now."), code="not_submitted")
    before = audit.snapshot(link)
    link.used_at = timezone.now()
    link.save(update_fields=["used_at", "updated_at"])
    audit.record(actor=None, obj=link, before=before)
    to = ActivityStatus.LOCKED if _period_closed(activity) else ActivityStatus.CONFIRMED
    return _move(
        activity,
        actor=None,
        to=to,
        note=name[:100],
        confirmed_by_party=name[:100],
        confirmed_at=timezone.now(),
        status_reason="",
    )


# ---- periods ----


@transaction.atomic
def period_close(*, actor: User, region: Region, year: int, month: int) -> LedgerPeriod:
    """Close a month of a region's ledger: every confirmed record in it is locked.

    The records are locked with one UPDATE that also bumps their versions (a copy read
    before the close is out of date); the one audit row, on the period, names the month
    and how many records it locked."""
    ensure_can(actor, "ledger.close_period", region)
    try:
        first = datetime.date(int(year), int(month), 1)
    except (TypeError, ValueError) as error:
        raise ValidationError({"month": _("Choose a valid month.")}, code="bad_month") from error
    today = timezone.localdate()
    if (first.year, first.month) >= (today.year, today.month):
        raise ValidationError(
            {"month": _("Only a month that has ended can be closed.")}, code="open_month"
        )
    if LedgerPeriod.objects.filter(region=region, year=first.year, month=first.month).exists():
        raise ValidationError(
            {"month": _("This month is already closed for this region.")}, code="closed"
        )
    period = LedgerPeriod.objects.create(
        region=region, year=first.year, month=first.month, closed_by=actor
    )
    low, high = region.subtree
    locked = Activity.objects.filter(
        region__code__range=(low, high),
        status=ActivityStatus.CONFIRMED,
        starts_on__year=first.year,
        starts_on__month=first.month,
    ).update(status=ActivityStatus.LOCKED, version=F("version") + 1, updated_at=timezone.now())
    audit.record(
        actor=actor,
        obj=period,
        action=AuditAction.CREATE,
        note=_("%(month)s of %(region)s closed: %(count)s confirmed records locked.")
        % {
            "month": Period.month(first.year, first.month).label,
            "region": region.name,
            "count": locked,
        },
    )
    return period


# ---- photos ----


@transaction.atomic
def activity_photo_add(
    *,
    actor: User,
    activity: Activity,
    image: File,
    latitude: Coordinate = None,
    longitude: Coordinate = None,
) -> ActivityPhoto:
    """Attach a photo: its time and place from EXIF (else the phone's location), its hash."""
    _ensure_may_edit(actor, activity)
    activity = _lock(activity)
    if activity.status not in EDITABLE:
        raise ValidationError(
            _("A confirmed, locked or deleted record cannot be changed."), code="not_editable"
        )
    info = evidence.inspect_image(image)
    photo = ActivityPhoto(activity=activity, image=image, uploaded_by=actor, phash=info.phash)
    photo.taken_at = info.taken_at
    if info.latitude is not None and info.longitude is not None:
        photo.latitude, photo.longitude = info.latitude, info.longitude
        photo.location_source = "exif"
    else:
        lat, lon = _clean_coordinates(latitude, longitude)
        if lat is not None:
            photo.latitude, photo.longitude, photo.location_source = lat, lon, "browser"
    photo.save()
    audit.record(actor=actor, obj=photo, action=AuditAction.CREATE)
    if activity.status == ActivityStatus.SUBMITTED:
        before = audit.snapshot(activity)
        activity.flags = evidence.activity_flags(activity)
        activity.save(update_fields=["flags", "updated_at"])
        audit.record(actor=actor, obj=activity, before=before)
    return photo
