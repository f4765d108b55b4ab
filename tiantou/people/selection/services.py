"""Every write of a selection batch: quotas, applicants, scores, decisions and publishing.

A batch moves open → scoring → decided → published. Units recommend applicants (推荐报名)
or people apply themselves while it is open; judges score the competitive defence
(竞争答辩) while it is scoring; the organisation department decides (择优选派) once
scoring is closed; publishing the allocation (分配去向) creates the planned postings.
"""

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tiantou.accounts.models import User
from tiantou.accounts.permissions import ensure_can
from tiantou.core import audit
from tiantou.core.models import AuditAction
from tiantou.core.services import create_audited
from tiantou.regions.choices import Level
from tiantou.regions.models import Organisation, Region

from ..choices import ApplicationStatus, BatchStatus, TitleRank
from ..models import Application, Batch, BatchQuota, Person, Programme, Score
from ..services import posting_create
from ..titles import township_of
from .selectors import batch_ranking

MANAGE = "people.manage_batch"

# The moves a batch may make, and the only ones.
BATCH_MOVES: dict[str, str] = {
    BatchStatus.OPEN: BatchStatus.SCORING,
    BatchStatus.SCORING: BatchStatus.DECIDED,
    BatchStatus.DECIDED: BatchStatus.PUBLISHED,
}
# Statuses an applicant leaves the batch with; everything else still needs a decision.
UNDECIDED = (ApplicationStatus.APPLIED,)
DECISIONS = (ApplicationStatus.SELECTED, ApplicationStatus.WAITING, ApplicationStatus.NOT_SELECTED)


def _label(status: str) -> str:
    return str(BatchStatus(status).label)


def _require_status(batch: Batch, status: str) -> None:
    if batch.status != status:
        raise ValidationError(
            _("This is possible only while the batch is “%(needed)s”; it is “%(status)s”.")
            % {"needed": _label(status), "status": _label(batch.status)},
            code="batch_status",
        )


def _lock_batch(batch: Batch) -> Batch:
    """The batch row, locked, so that decisions counting a quota cannot race."""
    locked = Batch.objects.select_for_update().select_related("programme").get(pk=batch.pk)
    batch.status, batch.version = locked.status, locked.version
    return locked


def _move(actor: User, batch: Batch, to: str, note: str = "", **changes: Any) -> Batch:
    if BATCH_MOVES.get(batch.status) != to:
        raise ValidationError(
            _("A batch that is “%(status)s” cannot move to “%(to)s”.")
            % {"status": _label(batch.status), "to": _label(to)},
            code="batch_move",
        )
    before = audit.snapshot(batch)
    batch.status = to
    for name, value in changes.items():
        setattr(batch, name, value)
    batch.version += 1
    batch.save()
    audit.record(actor=actor, obj=batch, action=AuditAction.UPDATE, before=before, note=note)
    return batch


def _check_in_programme(programme: Programme, region: Region, field: str) -> Region:
    """A township (or a village in one) inside the programme's region."""
    township = township_of(region)
    if township is None or not programme.region.contains(region.code):
        raise ValidationError(
            {
                field: _("Choose a township or village inside %(region)s.")
                % {"region": programme.region.name}
            }
        )
    return township


# ---- batches ----


@transaction.atomic
def batch_create(
    *,
    actor: User,
    programme: Programme,
    year: int,
    number: int,
    term_start_on: datetime.date,
    judges: Iterable = (),
) -> Batch:
    """Open a new batch (第N批) of a programme for applications."""
    ensure_can(actor, MANAGE, programme)
    if not programme.is_active:
        raise ValidationError({"programme": _("This programme is no longer in use.")})
    if Batch.objects.filter(programme=programme, year=year, number=number).exists():
        raise ValidationError(
            {
                "number": _("%(programme)s already has batch %(number)s of %(year)s.")
                % {"programme": programme, "number": number, "year": year}
            }
        )
    judges = _active_judges(judges)
    batch = create_audited(
        actor=actor,
        obj=Batch(programme=programme, year=year, number=number, term_start_on=term_start_on),
    )
    if judges:
        _judges_set(actor=actor, batch=batch, judges=judges)
    return batch


def _active_judges(judges: Iterable) -> list:
    """The judges as a list; a deactivated account is refused."""
    judges = list(judges)
    if any(not judge.is_active for judge in judges):
        raise ValidationError({"judges": _("A judge's account is deactivated.")})
    return judges


def _judges_set(*, actor, batch: Batch, judges: list) -> None:
    batch.judges.set(judges)
    audit.record(
        actor=actor,
        obj=batch,
        note=_("Judges: %(names)s") % {"names": "、".join(str(j) for j in judges)},
    )


@transaction.atomic
def batch_set_judges(*, actor: User, batch: Batch, judges: Iterable) -> Batch:
    """Name the judges (评委) of a batch's defence; possible until scoring closes."""
    ensure_can(actor, MANAGE, batch)
    batch = _lock_batch(batch)
    if batch.status not in (BatchStatus.OPEN, BatchStatus.SCORING):
        raise ValidationError(_("Judges can be changed only until scoring closes."))
    judges = _active_judges(judges)
    _judges_set(actor=actor, batch=batch, judges=judges)
    return batch


@transaction.atomic
def batch_set_quotas(
    *, actor: User, batch: Batch, quotas: Mapping[Region, int]
) -> list[BatchQuota]:
    """Set how many cadres the batch sends to each township; a township left out gets none."""
    ensure_can(actor, MANAGE, batch)
    batch = _lock_batch(batch)
    _require_status(batch, BatchStatus.OPEN)
    programme = batch.programme
    for region, quota in quotas.items():
        if region.level != Level.TOWNSHIP or not programme.region.contains(region.code):
            raise ValidationError(
                _("Quotas are set for townships inside %(region)s; %(name)s is not one.")
                % {"region": programme.region.name, "name": region.name}
            )
        if quota is None or int(quota) < 0:
            raise ValidationError(
                _("The quota of %(name)s must be zero or more.") % {"name": region.name}
            )
    existing = {q.region_id: q for q in batch.quotas.select_related("region")}
    wanted = {region.code: int(n) for region, n in quotas.items() if int(n) > 0}
    for code, row in existing.items():
        if code not in wanted:
            audit.record(
                actor=actor, obj=row, action=AuditAction.DELETE, before=audit.snapshot(row)
            )
            row.delete()
    for region, _n in quotas.items():
        n = wanted.get(region.code)
        if n is None:
            continue
        current = existing.get(region.code)
        if current is None:
            create_audited(actor=actor, obj=BatchQuota(batch=batch, region=region, quota=n))
        elif current.quota != n:
            before = audit.snapshot(current)
            current.quota = n
            current.save(update_fields=["quota"])
            audit.record(actor=actor, obj=current, before=before)
    return list(batch.quotas.select_related("region"))


@transaction.atomic
def batch_start_scoring(*, actor: User, batch: Batch) -> Batch:
    """Close applications and open the competitive defence to the judges."""
    ensure_can(actor, MANAGE, batch)
    batch = _lock_batch(batch)
    if batch.status == BatchStatus.OPEN:
        if not batch.judges.exists():
            raise ValidationError(_("Name at least one judge before scoring starts."))
        if not batch.applications.filter(status=ApplicationStatus.APPLIED).exists():
            raise ValidationError(_("The batch has no eligible applicant to score."))
    return _move(actor, batch, BatchStatus.SCORING)


@transaction.atomic
def batch_close_scoring(*, actor: User, batch: Batch) -> Batch:
    """Freeze the scores so that the decisions (择优选派) can be made on the ranking."""
    ensure_can(actor, MANAGE, batch)
    batch = _lock_batch(batch)
    return _move(actor, batch, BatchStatus.DECIDED)


# ---- applicants ----


def eligibility_problem(programme: Programme, person: Person) -> str:
    """Why a person cannot apply to a programme (选派条件), or "" when they can."""
    if person.title_rank < programme.min_title_rank:
        return _("Needs a professional title of rank “%(needed)s” or above; has “%(has)s”.") % {
            "needed": TitleRank(programme.min_title_rank).label,
            "has": TitleRank(person.title_rank).label,
        }
    return ""


@transaction.atomic
def application_create(
    *,
    actor: User,
    batch: Batch,
    person: Person,
    recommended_by: Organisation | None = None,
    preferred_region: Region | None = None,
) -> Application:
    """Enter a candidate: recommended by a unit (推荐报名) or self-applied (个人申请).

    A candidate who does not meet the programme's conditions is kept, marked not
    eligible with the reason, so that the screening stays on record.
    """
    ensure_can(actor, MANAGE, batch)
    batch = _lock_batch(batch)
    _require_status(batch, BatchStatus.OPEN)
    if not Person.objects.visible_to(actor).filter(pk=person.pk).exists():
        raise ValidationError({"person": _("This person is not on a register you can see.")})
    if batch.applications.filter(person=person).exists():
        raise ValidationError(
            {"person": _("%(person)s is already an applicant in this batch.") % {"person": person}}
        )
    if (
        recommended_by is not None
        and not Organisation.objects.visible_to(actor).filter(pk=recommended_by.pk).exists()
    ):
        raise ValidationError({"recommended_by": _("Choose a unit you can see.")})
    if preferred_region is not None:
        _check_in_programme(batch.programme, preferred_region, "preferred_region")
    problem = eligibility_problem(batch.programme, person)
    application = Application(
        batch=batch,
        person=person,
        recommended_by=recommended_by,
        preferred_region=preferred_region,
        status=ApplicationStatus.INELIGIBLE if problem else ApplicationStatus.APPLIED,
        decision_note=problem,
    )
    return create_audited(actor=actor, obj=application, note=problem)


def _parse_score(value: Decimal | int | float | str) -> Decimal:
    try:
        score = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        score = Decimal("NaN")
    if not score.is_finite() or not Decimal("0") <= score <= Decimal("100"):
        raise ValidationError({"score": _("A score lies between 0 and 100.")})
    if score != score.quantize(Decimal("0.01")):
        raise ValidationError({"score": _("A score has at most two decimal places.")})
    return score


@transaction.atomic
def score_record(
    *, actor: User, application: Application, score: Decimal | int | float | str, comment: str = ""
) -> Score:
    """A judge scores a candidate's defence; scoring again replaces the judge's score."""
    batch = _lock_batch(application.batch)
    if not getattr(actor, "pk", None) or not batch.judges.filter(pk=actor.pk).exists():
        raise PermissionDenied(_("Only the judges of this batch can score its candidates."))
    _require_status(batch, BatchStatus.SCORING)
    application.refresh_from_db(fields=["status"])
    if application.status != ApplicationStatus.APPLIED:
        raise ValidationError(
            _("%(person)s is “%(status)s” and is not scored.")
            % {"person": application.person, "status": application.get_status_display()}
        )
    value = _parse_score(score)
    comment = (comment or "").strip()[:200]
    existing = Score.objects.select_for_update().filter(application=application, judge=actor)
    row = existing.first()
    if row is None:
        try:
            with transaction.atomic():
                return create_audited(
                    actor=actor,
                    obj=Score(application=application, judge=actor, score=value, comment=comment),
                )
        except IntegrityError:
            # Two submissions of the same judge at once: the other one created the row.
            row = Score.objects.select_for_update().get(application=application, judge=actor)
    if row.score != value or row.comment != comment:
        before = audit.snapshot(row)
        row.score, row.comment = value, comment
        row.save(update_fields=["score", "comment", "updated_at"])
        audit.record(actor=actor, obj=row, before=before)
    return row


# ---- decisions ----


def _selected_in(batch: Batch, township: Region, exclude_pk: int | None = None) -> int:
    selected = batch.applications.filter(
        status=ApplicationStatus.SELECTED, allocated_region__code__range=township.subtree
    )
    if exclude_pk is not None:
        selected = selected.exclude(pk=exclude_pk)
    return selected.count()


def _quota_of(batch: Batch, township: Region) -> int:
    row = batch.quotas.filter(region=township).first()
    return row.quota if row else 0


def _decide(
    actor: User,
    batch: Batch,
    application: Application,
    status: str,
    allocated_region: Region | None = None,
    allocated_host: Organisation | None = None,
    override_reason: str = "",
    note: str = "",
) -> Application:
    if application.batch_id != batch.pk:
        raise ValidationError(_("This applicant belongs to another batch."))
    if status not in DECISIONS and status != ApplicationStatus.APPLIED:
        raise ValidationError({"status": _("Choose selected, waiting list or not selected.")})
    if application.status in (ApplicationStatus.INELIGIBLE, ApplicationStatus.WITHDRAWN):
        raise ValidationError(
            _("%(person)s is “%(status)s”; no decision can be made.")
            % {"person": application.person, "status": application.get_status_display()}
        )
    override_reason = (override_reason or "").strip()
    audit_note = (note or "").strip()
    if status == ApplicationStatus.SELECTED:
        if allocated_region is None:
            raise ValidationError(
                {"allocated_region": _("A selected candidate needs a township to go to.")}
            )
        township = _check_in_programme(batch.programme, allocated_region, "allocated_region")
        if allocated_host is not None and not allocated_region.contains(allocated_host.region_id):
            raise ValidationError(
                {"allocated_host": _("The host unit must lie in the township or village chosen.")}
            )
        quota = _quota_of(batch, township)
        taken = _selected_in(batch, township, exclude_pk=application.pk)
        if taken >= quota:
            if not override_reason:
                raise ValidationError(
                    {
                        "override_reason": _(
                            "The quota of %(township)s is %(quota)s and it is full; "
                            "give a reason to exceed it."
                        )
                        % {"township": township.name, "quota": quota}
                    },
                    code="quota_full",
                )
            audit_note = " ".join(
                filter(
                    None,
                    [
                        audit_note,
                        _("Quota of %(township)s (%(quota)s) exceeded: %(reason)s")
                        % {"township": township.name, "quota": quota, "reason": override_reason},
                    ],
                )
            )
        else:
            override_reason = ""
    else:
        allocated_region = allocated_host = None
        override_reason = ""
    before = audit.snapshot(application)
    application.status = status
    application.allocated_region = allocated_region
    application.allocated_host = allocated_host
    application.quota_override_reason = override_reason
    if note:
        application.decision_note = note.strip()
    if audit.snapshot(application) == before:
        return application
    application.version += 1
    application.save()
    audit.record(
        actor=actor, obj=application, action=AuditAction.UPDATE, before=before, note=audit_note
    )
    return application


@transaction.atomic
def application_decide(
    *,
    actor: User,
    application: Application,
    status: str,
    allocated_region: Region | None = None,
    allocated_host: Organisation | None = None,
    override_reason: str = "",
    note: str = "",
) -> Application:
    """Decide one candidate: selected (with a township within its quota), waiting or not."""
    ensure_can(actor, MANAGE, application.batch)
    batch = _lock_batch(application.batch)
    _require_status(batch, BatchStatus.DECIDED)
    application = Application.objects.select_related("person").get(pk=application.pk)
    return _decide(
        actor,
        batch,
        application,
        status,
        allocated_region=allocated_region,
        allocated_host=allocated_host,
        override_reason=override_reason,
        note=note,
    )


@transaction.atomic
def batch_decide(*, actor: User, batch: Batch, decisions: Iterable[Mapping]) -> list[Application]:
    """Decide several candidates at once; each mapping holds `application_decide`'s arguments."""
    ensure_can(actor, MANAGE, batch)
    batch = _lock_batch(batch)
    _require_status(batch, BatchStatus.DECIDED)
    decided = []
    for decision in decisions:
        fields = dict(decision)
        application = Application.objects.select_related("person").get(
            pk=fields.pop("application").pk, batch=batch
        )
        decided.append(_decide(actor, batch, application, **fields))
    return decided


@transaction.atomic
def batch_auto_allocate(*, actor: User, batch: Batch) -> dict[str, int]:
    """Merit selection (择优选派) proposal: in rank order, each undecided candidate goes to
    their preferred township while its quota lasts, else to the waiting list.

    Decisions already taken are kept and count against the quotas; candidates without
    a score stay undecided. The result is reviewed before publishing.
    """
    ensure_can(actor, MANAGE, batch)
    batch = _lock_batch(batch)
    _require_status(batch, BatchStatus.DECIDED)
    left = {q.region_id: q.quota for q in batch.quotas.all()}
    selected = batch.applications.filter(status=ApplicationStatus.SELECTED).select_related(
        "allocated_region__parent"
    )
    for application in selected:
        township = (
            township_of(application.allocated_region) if application.allocated_region else None
        )
        if township is not None and township.code in left:
            left[township.code] -= 1
    counts = {"selected": 0, "waiting": 0}
    note = _("Proposed by automatic allocation in rank order.")
    for row in batch_ranking(batch=batch):
        application = row.application
        if row.rank is None or application.status != ApplicationStatus.APPLIED:
            continue
        preferred = application.preferred_region
        township = township_of(preferred) if preferred is not None else None
        if township is not None and left.get(township.code, 0) > 0:
            left[township.code] -= 1
            _decide(actor, batch, application, ApplicationStatus.SELECTED, preferred, note=note)
            counts["selected"] += 1
        else:
            _decide(actor, batch, application, ApplicationStatus.WAITING, note=note)
            counts["waiting"] += 1
    return counts


@transaction.atomic
def batch_publish(*, actor: User, batch: Batch) -> Batch:
    """Publish the allocation (公布分配去向): a planned posting for every selected candidate."""
    ensure_can(actor, MANAGE, batch)
    batch = _lock_batch(batch)
    _require_status(batch, BatchStatus.DECIDED)
    undecided = batch.applications.filter(status__in=UNDECIDED).count()
    if undecided:
        raise ValidationError(
            _("%(count)s applicants still need a decision before the list can be published.")
            % {"count": undecided},
            code="undecided",
        )
    selected = (
        batch.applications.filter(status=ApplicationStatus.SELECTED)
        .select_related("person", "allocated_region__parent", "allocated_host")
        .order_by("allocated_region_id", "person__name", "pk")
    )
    for application in selected:
        # `_decide` never selects a candidate without a township to go to.
        assert application.allocated_region is not None
        posting_create(
            actor=actor,
            person=application.person,
            programme=batch.programme,
            host_region=application.allocated_region,
            host_organisation=application.allocated_host,
            starts_on=batch.term_start_on,
            batch=batch,
            application=application,
        )
    return _move(actor, batch, BatchStatus.PUBLISHED, published_at=timezone.now())
