"""Every write to people, programmes, batches, applications and postings."""

import calendar
import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tiantou.accounts.models import User
from tiantou.accounts.permissions import ensure_can
from tiantou.core import audit, protected
from tiantou.core.models import AuditAction
from tiantou.core.services import apply_changes, create_audited
from tiantou.core.validators import mask_id_number, normalise_id_number
from tiantou.regions.choices import Level
from tiantou.regions.models import Organisation, Region

from .choices import PostingEventKind, PostingStatus
from .models import (
    Application,
    Batch,
    LetterTarget,
    Person,
    Posting,
    PostingEvent,
    Programme,
    ResponsibilityLetter,
    Specialty,
)
from .selectors import can_read_id_number
from .titles import post_title

# ---- people ----

# A person's details other than name, place, unit and login (the roster sheet's too).
PERSON_DETAILS = (
    "gender",
    "birth_date",
    "ethnic_group",
    "political_status",
    "education",
    "title",
    "title_rank",
    "phone",
)
PERSON_FIELDS = {"name", *PERSON_DETAILS, "home_unit", "region", "user", "is_demo"}


def _set_id_number(person: Person, id_number: str) -> None:
    """Store an ID number protected: encrypted, digested for look-up, masked for display."""
    if not id_number:
        person.id_number_encrypted = person.id_number_digest = person.id_number_masked = ""
        return
    try:
        code = normalise_id_number(id_number)
    except ValidationError as error:
        raise ValidationError({"id_number": error.messages}) from error
    digest = protected.digest(code)
    if Person.objects.filter(id_number_digest=digest).exclude(pk=person.pk).exists():
        raise ValidationError(
            {"id_number": _("Another person is already registered with this ID number.")}
        )
    person.id_number_encrypted = protected.encrypt(code)
    person.id_number_digest = digest
    person.id_number_masked = mask_id_number(code)


@dataclass(frozen=True)
class IdNumberShown:
    """A person's ID number as one user sees it: in full, masked, or unreadable."""

    text: str
    is_full: bool


def person_id_number(*, actor: User, person: Person) -> IdNumberShown:
    """The ID number as `actor` may see it: in full for those allowed (each read leaves an
    audit row: who, when, whose), else masked. A value no configured key decrypts reads
    “cannot be decrypted”, also audited, never an error page."""
    if not person.id_number_encrypted or not can_read_id_number(actor, person):
        return IdNumberShown(person.id_number_masked, is_full=False)
    try:
        number = protected.decrypt(person.id_number_encrypted)
    except protected.Undecryptable:
        audit.record(
            actor=actor,
            obj=person,
            action=AuditAction.OTHER,
            note=_("The full ID number could not be decrypted with the configured keys."),
        )
        return IdNumberShown(_("cannot be decrypted"), is_full=False)
    audit.record(actor=actor, obj=person, action=AuditAction.OTHER, note=_("Full ID number read"))
    return IdNumberShown(number, is_full=True)


def _check_person_fields(fields: dict) -> dict:
    unknown = set(fields) - PERSON_FIELDS - {"specialties", "id_number"}
    unknown -= {"id_number_encrypted", "id_number_digest", "id_number_masked"}
    if unknown:
        raise ValueError(f"unknown person fields {sorted(unknown)}")
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
    return fields


@transaction.atomic
def person_create(
    *,
    actor: User,
    name: str,
    region: Region,
    id_number: str = "",
    specialties: Iterable[Specialty] = (),
    **fields: Any,
) -> Person:
    """Register a person in a county's (or city's) register."""
    ensure_can(actor, "people.add_person", region)
    fields = _check_person_fields({"name": name, "region": region, **fields})
    person = Person(**fields)
    _set_id_number(person, id_number)
    create_audited(
        actor=actor, obj=person, links={"specialties": specialties} if specialties else None
    )
    return person


@transaction.atomic
def person_update(
    *, actor: User, person: Person, expected_version: int | None = None, **changes: Any
) -> Person:
    """Change a person's record; `id_number` is re-validated and stored protected."""
    ensure_can(actor, "people.change_person", person)
    changes = _check_person_fields(changes)
    if "specialties" in changes and changes["specialties"] is None:
        del changes["specialties"]  # None leaves them as they are
    if "id_number" in changes:
        holder = Person(pk=person.pk)
        _set_id_number(holder, changes.pop("id_number"))
        if holder.id_number_digest != person.id_number_digest:
            changes |= {
                name: getattr(holder, name)
                for name in ("id_number_encrypted", "id_number_digest", "id_number_masked")
            }
    apply_changes(actor=actor, obj=person, changes=changes, expected_version=expected_version)
    return person


# ---- postings ----


def _event(
    posting: Posting,
    actor: User | None,
    kind: str,
    note: str = "",
    effective_on: datetime.date | None = None,
) -> None:
    PostingEvent.objects.create(
        posting=posting,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        note=note,
        effective_on=effective_on,
    )


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (the month's last day when it has no such day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_term_end(starts_on: datetime.date, programme: Programme) -> datetime.date:
    """The last day of a term of the programme's default length."""
    return add_months(starts_on, programme.default_term_months) - datetime.timedelta(days=1)


def overlap_refusal(
    person: Person, programme: Programme, start: datetime.date, end: datetime.date
) -> ValidationError:
    """The refusal of a term overlapping the person's live term from `start` to `end`."""
    return ValidationError(
        _(
            "%(person)s already has a posting in %(programme)s from %(start)s to %(end)s; "
            "terms of one programme cannot overlap."
        )
        % {"person": person, "programme": programme, "start": start, "end": end},
        code="overlap",
    )


def _check_no_overlap(posting: Posting) -> None:
    """One person holds at most one live posting of a programme over any stretch of time."""
    live = (PostingStatus.PLANNED, PostingStatus.ACTIVE)
    overlapping = (
        Posting.objects.filter(person_id=posting.person_id, programme_id=posting.programme_id)
        .filter(status__in=live, starts_on__lte=posting.ends_on, ends_on__gte=posting.starts_on)
        .exclude(pk=posting.pk)
        .first()
    )
    if overlapping is not None:
        raise overlap_refusal(
            posting.person, posting.programme, overlapping.starts_on, overlapping.ends_on
        )


def check_term(starts_on: datetime.date, ends_on: datetime.date) -> None:
    """A term ends after it starts."""
    if ends_on <= starts_on:
        raise ValidationError({"ends_on": _("The term must end after it starts.")}, code="term")


def check_host_organisation(host_region: Region, host_organisation: Organisation | None) -> None:
    """The host unit lies in the host township or village."""
    if host_organisation is not None and not host_region.contains(host_organisation.region_id):
        raise ValidationError(
            {"host_organisation": _("The host unit must lie in the host township or village.")},
            code="host_organisation",
        )


def check_recall(*, starts_on: datetime.date, on: datetime.date, reason: str) -> str:
    """A recall gives a reason and takes effect once the term has started."""
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = [_("A recall needs a reason.")]
    if on < starts_on:
        errors["on"] = [_("A recall cannot take effect before the term starts.")]
    if errors:
        raise ValidationError(errors, code="recall")
    return reason.strip()


def already_active() -> ValidationError:
    """The refusal of a second active post of a person in one programme."""
    return ValidationError(
        _("This person already holds an active post in this programme."), code="active"
    )


@transaction.atomic
def posting_create(
    *,
    actor: User,
    person: Person,
    programme: Programme,
    host_region: Region,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    batch: Batch | None = None,
    application: Application | None = None,
    host_organisation: Organisation | None = None,
    **fields: Any,
) -> Posting:
    """Post a person to a township or village (or a unit in it): a planned posting.

    The title follows the township's kind; the benefits start as the programme's.
    """
    ensure_can(actor, "people.add_posting", host_region)
    if host_region.level not in (Level.TOWNSHIP, Level.VILLAGE):
        raise ValidationError({"host_region": _("A cadre is posted to a township or a village.")})
    check_host_organisation(host_region, host_organisation)
    defaults = {
        "treatment_grade": programme.treatment_grade,
        "salary_step_up": programme.salary_step_up,
        "monthly_subsidy": programme.monthly_subsidy,
    }
    posting = Posting(
        person=person,
        programme=programme,
        batch=batch,
        application=application,
        host_region=host_region,
        host_organisation=host_organisation,
        title=post_title(programme.kind, host_region),
        starts_on=starts_on,
        ends_on=ends_on or default_term_end(starts_on, programme),
        status=PostingStatus.PLANNED,
        **{**defaults, **fields},
    )
    check_term(posting.starts_on, posting.ends_on)
    _check_no_overlap(posting)
    create_audited(actor=actor, obj=posting)
    _event(posting, actor, PostingEventKind.CREATED)
    return posting


def _lock(posting: Posting) -> Posting:
    return (
        Posting.objects.select_for_update().select_related("person", "programme").get(pk=posting.pk)
    )


def _move(
    posting: Posting,
    *,
    actor: User | None,
    to: str,
    kind: str,
    note: str = "",
    on: datetime.date | None = None,
    **changes: Any,
) -> Posting:
    before = audit.snapshot(posting)
    posting.status = to
    for name, value in changes.items():
        setattr(posting, name, value)
    posting.version += 1
    posting.save()
    audit.record(actor=actor, obj=posting, action=AuditAction.UPDATE, before=before, note=note)
    _event(posting, actor, kind, note=note, effective_on=on)
    return posting


@transaction.atomic
def posting_activate(*, actor: User, posting: Posting, on: datetime.date | None = None) -> Posting:
    """The cadre takes up the post (到岗)."""
    ensure_can(actor, "people.change_posting", posting)
    posting = _lock(posting)
    if posting.status != PostingStatus.PLANNED:
        raise ValidationError(_("Only a planned posting can start."))
    if Posting.objects.filter(
        person_id=posting.person_id, programme_id=posting.programme_id, status=PostingStatus.ACTIVE
    ).exists():
        raise already_active()
    return _move(
        posting, actor=actor, to=PostingStatus.ACTIVE, kind=PostingEventKind.ACTIVATED, on=on
    )


@transaction.atomic
def posting_recall(
    *, actor: User, posting: Posting, reason: str, on: datetime.date | None = None
) -> Posting:
    """Recall a cadre to the home unit (退回原单位): the posting ends and benefits stop that day."""
    ensure_can(actor, "people.recall_posting", posting)
    if not reason.strip():
        raise ValidationError({"reason": _("A recall needs a reason.")})
    posting = _lock(posting)
    if posting.effective_status() != PostingStatus.ACTIVE:
        raise ValidationError(_("Only an active posting can be recalled."))
    on = on or timezone.localdate()
    reason = check_recall(starts_on=posting.starts_on, on=on, reason=reason)
    return _move(
        posting,
        actor=actor,
        to=PostingStatus.RECALLED,
        kind=PostingEventKind.RECALLED,
        note=reason,
        on=on,
        ended_on=on,
    )


@transaction.atomic
def posting_withdraw(*, actor: User, posting: Posting, reason: str) -> Posting:
    """Call off a planned posting before it starts."""
    ensure_can(actor, "people.change_posting", posting)
    if not reason.strip():
        raise ValidationError({"reason": _("Please give a reason.")})
    posting = _lock(posting)
    if posting.status != PostingStatus.PLANNED:
        raise ValidationError(_("Only a planned posting can be withdrawn."))
    return _move(
        posting,
        actor=actor,
        to=PostingStatus.WITHDRAWN,
        kind=PostingEventKind.WITHDRAWN,
        note=reason.strip(),
    )


@transaction.atomic
def postings_close_ended(*, today: datetime.date | None = None) -> int:
    """Record as completed every active posting whose term has ended (a system write).

    Reading never waits for this: an active posting past its end already reads as
    completed. This makes the stored status match and leaves the event in the history.
    """
    today = today or timezone.localdate()
    ended = list(
        Posting.objects.select_for_update().filter(status=PostingStatus.ACTIVE, ends_on__lt=today)
    )
    for posting in ended:
        _move(
            posting,
            actor=None,
            to=PostingStatus.COMPLETED,
            kind=PostingEventKind.COMPLETED,
            on=posting.ends_on,
            ended_on=posting.ends_on,
        )
    return len(ended)


# ---- benefits ----

CENT = Decimal("0.01")


def subsidy_owed(
    posting: Posting, *, until: datetime.date | None = None
) -> list[tuple[datetime.date, Decimal]]:
    """The monthly subsidy owed, month by month: (first day of month, amount).

    Owed for every day in office from the start of the term to the earliest of its end,
    the day the cadre left (a recall stops it from that day) and `until` (today by
    default); a part month is paid by its days. Never typed, always computed.
    """
    if posting.status in (PostingStatus.PLANNED, PostingStatus.WITHDRAWN):
        return []
    last = min(d for d in (posting.ends_on, posting.ended_on, until or timezone.localdate()) if d)
    months: list[tuple[datetime.date, Decimal]] = []
    day = posting.starts_on
    while day <= last:
        days_in_month = calendar.monthrange(day.year, day.month)[1]
        month_end = day.replace(day=days_in_month)
        served = (min(month_end, last) - day).days + 1
        amount = (posting.monthly_subsidy * served / days_in_month).quantize(
            CENT, rounding=ROUND_HALF_UP
        )
        months.append((day.replace(day=1), amount))
        day = month_end + datetime.timedelta(days=1)
    return months


# ---- programmes ----

PROGRAMME_FIELDS = {
    "name",
    "kind",
    "default_term_months",
    "treatment_grade",
    "salary_step_up",
    "monthly_subsidy",
    "reports_per_year",
    "training_hours_per_year",
    "min_title_rank",
    "is_active",
}


def _check_programme_fields(fields: dict) -> dict:
    unknown = set(fields) - PROGRAMME_FIELDS
    if unknown:
        raise ValueError(f"unknown programme fields {sorted(unknown)}")
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
    return fields


@transaction.atomic
def programme_create(
    *, actor: User, region: Region, name: str, kind: str, **fields: Any
) -> Programme:
    """Configure a dispatch programme run by a county (or city, or township)."""
    ensure_can(actor, "people.manage_programme", region)
    fields = _check_programme_fields({"name": name, "kind": kind, **fields})
    return create_audited(actor=actor, obj=Programme(region=region, **fields))


@transaction.atomic
def programme_update(
    *, actor: User, programme: Programme, expected_version: int | None = None, **changes: Any
) -> Programme:
    """Change a programme's settings; postings keep the benefits they were given."""
    ensure_can(actor, "people.manage_programme", programme)
    changes = _check_programme_fields(changes)
    apply_changes(actor=actor, obj=programme, changes=changes, expected_version=expected_version)
    return programme


# ---- posting changes and the responsibility letter ----

POSTING_EDITABLE_FIELDS = {
    "treatment_grade",
    "salary_step_up",
    "monthly_subsidy",
    "mode",
    "post_type",
    "dispatch_level",
    "is_from_outside_county",
    "host_organisation",
    "ends_on",
}
CLOSED_STATUSES = (PostingStatus.RECALLED, PostingStatus.WITHDRAWN)


@transaction.atomic
def posting_update(
    *,
    actor: User,
    posting: Posting,
    expected_version: int | None = None,
    note: str = "",
    **changes: Any,
) -> Posting:
    """Change a posting's benefits, engagement, dispatch level, host unit or term end."""
    ensure_can(actor, "people.change_posting", posting)
    unknown = set(changes) - POSTING_EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"unknown posting fields {sorted(unknown)}")
    status = Posting.objects.select_for_update().values_list("status", flat=True).get(pk=posting.pk)
    if status in CLOSED_STATUSES:
        raise ValidationError(_("A recalled or withdrawn posting can no longer be changed."))
    check_host_organisation(posting.host_region, changes.get("host_organisation"))
    ends_on = changes.get("ends_on")
    if ends_on is not None:
        check_term(posting.starts_on, ends_on)
    if ends_on is not None and ends_on != posting.ends_on:
        _check_no_overlap(Posting(**{**_posting_keys(posting), "ends_on": ends_on}))
    if apply_changes(
        actor=actor, obj=posting, changes=changes, expected_version=expected_version, note=note
    ):
        _event(posting, actor, PostingEventKind.CHANGED, note=note)
    return posting


def _posting_keys(posting: Posting) -> dict:
    return {
        "pk": posting.pk,
        "person_id": posting.person_id,
        "programme_id": posting.programme_id,
        "starts_on": posting.starts_on,
        "ends_on": posting.ends_on,
    }


LETTER_MAX_BYTES = 10 * 1024 * 1024
# What a signed letter may be: a scan (JPEG, PNG) or a PDF, told apart by first bytes.
LETTER_SIGNATURES = {
    ".pdf": (b"%PDF",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}


def _check_letter_file(upload: File) -> None:
    """Accept a PDF, JPEG or PNG of at most 10 MB, by name and by content."""
    name = (getattr(upload, "name", "") or "").lower()
    suffix = name[name.rfind(".") :] if "." in name else ""
    if suffix not in LETTER_SIGNATURES:
        raise ValidationError(
            {
                "file": ValidationError(
                    _("The signed letter must be a PDF, JPEG or PNG file."), code="file_type"
                )
            }
        )
    if upload.size > LETTER_MAX_BYTES:
        raise ValidationError(
            {
                "file": ValidationError(
                    _("The signed letter may be at most 10 MB."), code="file_size"
                )
            }
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in LETTER_SIGNATURES[suffix]):
        raise ValidationError(
            {
                "file": ValidationError(
                    _("The file is not a readable PDF, JPEG or PNG."), code="file_content"
                )
            }
        )


def _clean_targets(posting: Posting, targets: Iterable[Mapping[str, Any]]) -> list[LetterTarget]:
    rows = []
    first, last = posting.starts_on.year, posting.ends_on.year
    for target in targets:
        description = (target.get("description") or "").strip()
        if not description:
            continue
        year = int(target["year"])
        if not first <= year <= last:
            raise ValidationError(
                {
                    "targets": _(
                        "A target's year must lie within the term (%(first)s to %(last)s)."
                    )
                    % {"first": first, "last": last}
                }
            )
        rows.append(
            LetterTarget(
                year=year,
                description=description,
                target_value=target.get("target_value"),
                unit=(target.get("unit") or "").strip(),
            )
        )
    if not rows:
        raise ValidationError({"targets": _("A responsibility letter needs at least one target.")})
    return rows


@transaction.atomic
def letter_sign(
    *,
    actor: User,
    posting: Posting,
    signed_on: datetime.date,
    targets: Iterable[Mapping[str, Any]],
    file: File | None = None,
) -> ResponsibilityLetter:
    """Record the signed term target-responsibility letter (任期目标责任书) and its targets.

    Signing again replaces the targets (and the file, when a new one is given).
    """
    ensure_can(actor, "people.change_posting", posting)
    posting = _lock(posting)
    if posting.status in CLOSED_STATUSES:
        raise ValidationError(_("A recalled or withdrawn posting takes no responsibility letter."))
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": _("The signing date cannot be in the future.")})
    rows = _clean_targets(posting, targets)
    if file:
        _check_letter_file(file)
    letter = ResponsibilityLetter.objects.filter(posting=posting).first()
    if letter is None:
        letter = ResponsibilityLetter(posting=posting, signed_on=signed_on)
        if file:
            letter.file = file
        create_audited(actor=actor, obj=letter, note=_targets_note(rows))
    else:
        before = audit.snapshot(letter)
        letter.signed_on = signed_on
        if file:
            letter.file = file
        letter.save()
        letter.targets.all().delete()
        audit.record(actor=actor, obj=letter, before=before, note=_targets_note(rows))
    for row in rows:
        row.letter = letter
    LetterTarget.objects.bulk_create(rows)
    _event(posting, actor, PostingEventKind.LETTER_SIGNED, effective_on=signed_on)
    return letter


def _targets_note(rows: list[LetterTarget]) -> str:
    """The targets as one line per target, for the audit row."""
    return "\n".join(
        f"{r.year} {r.description} {r.target_value if r.target_value is not None else ''}"
        f"{r.unit}".rstrip()
        for r in rows
    )


def posting_close_history(
    *, actor: User, posting: Posting, to: str, on: datetime.date, note: str = ""
) -> Posting:
    """Record a posting that was already over when it was registered: served, then ended.

    It never holds the active status, so an earlier term registered late does not collide
    with the person's current post in the same programme.
    """
    ensure_can(actor, "people.change_posting", posting)
    if to == PostingStatus.RECALLED:
        ensure_can(actor, "people.recall_posting", posting)
    posting = _lock(posting)
    if posting.status == PostingStatus.PLANNED:
        _event(posting, actor, PostingEventKind.ACTIVATED, effective_on=posting.starts_on)
    kind = PostingEventKind.RECALLED if to == PostingStatus.RECALLED else PostingEventKind.COMPLETED
    return _move(posting, actor=actor, to=to, kind=kind, note=note, on=on, ended_on=on)


@dataclass
class KeyRotation:
    """What `person_field_keys_rotate` did: re-encrypted, already current, unreadable."""

    rotated: int = 0
    current: int = 0
    undecryptable: list[int] = field(default_factory=list)


def person_field_keys_rotate(
    *, actor: User | None = None, dry_run: bool = False, batch: int = 500
) -> KeyRotation:
    """Re-encrypt every stored ID number with the newest field key and digest it again.

    Run after putting a new key first in TIANTOU_FIELD_KEY; afterwards the older keys can
    be dropped. Each re-encrypted person gets an audit row; values no configured key
    decrypts are left untouched and listed. Running it again changes nothing.
    """
    result = KeyRotation()
    pks = list(
        Person.objects.exclude(id_number_encrypted="").order_by("pk").values_list("pk", flat=True)
    )
    for start in range(0, len(pks), batch):
        with transaction.atomic():
            people = Person.objects.select_for_update().filter(pk__in=pks[start : start + batch])
            for person in people.order_by("pk"):
                try:
                    number = protected.decrypt(person.id_number_encrypted)
                except protected.Undecryptable:
                    result.undecryptable.append(person.pk)
                    continue
                new_digest = protected.digest(number)
                if (
                    not protected.needs_rotation(person.id_number_encrypted)
                    and person.id_number_digest == new_digest
                ):
                    result.current += 1
                    continue
                result.rotated += 1
                if dry_run:
                    continue
                before = audit.snapshot(person)
                person.id_number_encrypted = protected.encrypt(number)
                person.id_number_digest = new_digest
                person.id_number_masked = mask_id_number(number)
                person.save(
                    update_fields=[
                        "id_number_encrypted",
                        "id_number_digest",
                        "id_number_masked",
                        "updated_at",
                    ]
                )
                audit.record(
                    actor=actor,
                    obj=person,
                    before=before,
                    note=_("ID number re-encrypted with the newest field key"),
                )
    return result
