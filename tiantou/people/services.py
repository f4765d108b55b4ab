"""Every write to people, programmes, batches, applications and postings."""

import calendar
import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tiantou.accounts.permissions import ensure_can
from tiantou.core import audit, protected
from tiantou.core.models import AuditAction
from tiantou.core.services import apply_changes, create_audited
from tiantou.core.validators import mask_id_number, normalise_id_number
from tiantou.regions.choices import Level

from .choices import PostingEventKind, PostingStatus
from .models import Person, Posting, PostingEvent, Programme
from .titles import post_title

# ---- people ----

PERSON_FIELDS = {
    "name",
    "gender",
    "birth_date",
    "ethnic_group",
    "political_status",
    "education",
    "title",
    "title_rank",
    "phone",
    "home_unit",
    "region",
    "user",
    "is_demo",
}


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


def person_id_number(*, actor, person: Person) -> str:
    """The full ID number for those allowed to see it, else the masked one."""
    from tiantou.accounts.permissions import has_perm

    if has_perm(actor, "people.view_id_number", person):
        return protected.decrypt(person.id_number_encrypted)
    return person.id_number_masked


def _check_person_fields(fields: dict) -> dict:
    unknown = set(fields) - PERSON_FIELDS - {"specialties", "id_number"}
    unknown -= {"id_number_encrypted", "id_number_digest", "id_number_masked"}
    if unknown:
        raise ValueError(f"unknown person fields {sorted(unknown)}")
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
    return fields


@transaction.atomic
def person_create(*, actor, name: str, region, id_number: str = "", specialties=(), **fields):
    """Register a person in a county's (or city's) register."""
    ensure_can(actor, "people.add_person", region)
    fields = _check_person_fields({"name": name, "region": region, **fields})
    person = Person(**fields)
    _set_id_number(person, id_number)
    create_audited(actor=actor, obj=person)
    if specialties:
        person.specialties.set(specialties)
    return person


@transaction.atomic
def person_update(
    *, actor, person: Person, expected_version: int | None = None, **changes
) -> Person:
    """Change a person's record; `id_number` is re-validated and stored protected."""
    ensure_can(actor, "people.change_person", person)
    changes = _check_person_fields(changes)
    specialties = changes.pop("specialties", None)
    if "id_number" in changes:
        holder = Person(pk=person.pk)
        _set_id_number(holder, changes.pop("id_number"))
        if holder.id_number_digest != person.id_number_digest:
            changes |= {
                name: getattr(holder, name)
                for name in ("id_number_encrypted", "id_number_digest", "id_number_masked")
            }
    apply_changes(actor=actor, obj=person, changes=changes, expected_version=expected_version)
    if specialties is not None:
        person.specialties.set(specialties)
    return person


# ---- postings ----


def _event(posting: Posting, actor, kind: str, note: str = "", effective_on=None) -> None:
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
        raise ValidationError(
            _(
                "%(person)s already has a posting in %(programme)s from %(start)s to %(end)s; "
                "terms of one programme cannot overlap."
            )
            % {
                "person": posting.person,
                "programme": posting.programme,
                "start": overlapping.starts_on,
                "end": overlapping.ends_on,
            },
            code="overlap",
        )


@transaction.atomic
def posting_create(
    *,
    actor,
    person: Person,
    programme: Programme,
    host_region,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    batch=None,
    application=None,
    host_organisation=None,
    **fields,
) -> Posting:
    """Post a person to a township or village (or a unit in it): a planned posting.

    The title follows the township's kind; the benefits start as the programme's.
    """
    ensure_can(actor, "people.add_posting", host_region)
    if host_region.level not in (Level.TOWNSHIP, Level.VILLAGE):
        raise ValidationError({"host_region": _("A cadre is posted to a township or a village.")})
    if host_organisation is not None and not host_region.contains(host_organisation.region_id):
        raise ValidationError(
            {"host_organisation": _("The host unit must lie in the host township or village.")}
        )
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
    if posting.ends_on <= posting.starts_on:
        raise ValidationError({"ends_on": _("The term must end after it starts.")})
    _check_no_overlap(posting)
    create_audited(actor=actor, obj=posting)
    _event(posting, actor, PostingEventKind.CREATED)
    return posting


def _lock(posting: Posting) -> Posting:
    return (
        Posting.objects.select_for_update().select_related("person", "programme").get(pk=posting.pk)
    )


def _move(posting: Posting, *, actor, to: str, kind: str, note="", on=None, **changes) -> Posting:
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
def posting_activate(*, actor, posting: Posting, on: datetime.date | None = None) -> Posting:
    """The cadre takes up the post (到岗)."""
    ensure_can(actor, "people.change_posting", posting)
    posting = _lock(posting)
    if posting.status != PostingStatus.PLANNED:
        raise ValidationError(_("Only a planned posting can start."))
    if Posting.objects.filter(
        person_id=posting.person_id, programme_id=posting.programme_id, status=PostingStatus.ACTIVE
    ).exists():
        raise ValidationError(_("This person already holds an active post in this programme."))
    return _move(
        posting, actor=actor, to=PostingStatus.ACTIVE, kind=PostingEventKind.ACTIVATED, on=on
    )


@transaction.atomic
def posting_recall(
    *, actor, posting: Posting, reason: str, on: datetime.date | None = None
) -> Posting:
    """Recall a cadre to the home unit (退回原单位): the posting ends and benefits stop that day."""
    ensure_can(actor, "people.recall_posting", posting)
    if not reason.strip():
        raise ValidationError({"reason": _("A recall needs a reason.")})
    posting = _lock(posting)
    if posting.effective_status() != PostingStatus.ACTIVE:
        raise ValidationError(_("Only an active posting can be recalled."))
    on = on or timezone.localdate()
    if on < posting.starts_on:
        raise ValidationError({"on": _("A recall cannot take effect before the term starts.")})
    return _move(
        posting,
        actor=actor,
        to=PostingStatus.RECALLED,
        kind=PostingEventKind.RECALLED,
        note=reason.strip(),
        on=on,
        ended_on=on,
    )


@transaction.atomic
def posting_withdraw(*, actor, posting: Posting, reason: str) -> Posting:
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
