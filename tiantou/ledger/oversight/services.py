"""Every write of the oversight of cadres: work reports and their reading, spot checks,
the discipline ladder and training records."""

import datetime
import secrets
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tiantou.accounts.models import User
from tiantou.accounts.permissions import ensure_can
from tiantou.core import audit
from tiantou.core.models import AuditAction
from tiantou.core.services import apply_changes, create_audited
from tiantou.people import services as people_services
from tiantou.people.choices import PostingStatus
from tiantou.people.models import Posting
from tiantou.regions.choices import Level
from tiantou.regions.models import Region

from ..choices import DisciplineLevel, RecipientKind, SpotCheckResult
from ..models import (
    DisciplineCase,
    DisciplineStep,
    SpotCheck,
    SpotCheckDraw,
    TrainingRecord,
    WorkReport,
    WorkReportRead,
)
from . import selectors

ACTIVE = PostingStatus.ACTIVE
REPORT_SECTIONS = ("study", "work", "thoughts", "requests")
# Sections a submitted report must fill; 意见和要求 may rightly be empty.
REQUIRED_SECTIONS = ("study", "work", "thoughts")
MAX_SEED = 2**63 - 1
MAX_DRAW = 500
MAX_HOURS = Decimal("24")


# ---- work reports (思想和工作汇报) ----


def _fresh(posting: Posting) -> Posting:
    """The posting as stored now, locked: its status decides what may be written."""
    return (
        Posting.objects.select_for_update(of=("self",))
        .select_related("person", "programme")
        .get(pk=posting.pk)
    )


@transaction.atomic
def work_report_save(
    *,
    actor: User,
    posting: Posting,
    year: int,
    number: int,
    study: str = "",
    work: str = "",
    thoughts: str = "",
    requests: str = "",
    submit: bool = False,
    expected_version: int | None = None,
) -> WorkReport:
    """Write (or go on writing) one's own report for a due slot; `submit` sends it."""
    if not posting.person.user_id or posting.person.user_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Only the cadre writes their own work report."))
    posting = _fresh(posting)
    today = timezone.localdate()
    if posting.effective_status(today) != ACTIVE:
        raise ValidationError(_("Work reports are written while the posting is in office."))
    slots = dict(selectors.reports_due(posting, year))
    if number not in slots or year > today.year:
        raise ValidationError(_("No work report is due for this year and number."))
    texts = {
        "study": (study or "").strip(),
        "work": (work or "").strip(),
        "thoughts": (thoughts or "").strip(),
        "requests": (requests or "").strip(),
    }
    if submit:
        missing = {name: _("Please fill this in before submitting.") for name in REQUIRED_SECTIONS}
        missing = {name: message for name, message in missing.items() if not texts[name]}
        if missing:
            raise ValidationError(missing)
    report = (
        WorkReport.objects.select_for_update()
        .filter(posting=posting, year=year, number=number)
        .first()
    )
    if report is not None and report.submitted_at:
        raise ValidationError(_("This report has been submitted and can no longer be changed."))
    changes: dict = dict(texts)
    if submit:
        changes["submitted_at"] = timezone.now()
    if report is None:
        report = WorkReport(posting=posting, year=year, number=number, due_on=slots[number])
        for name, value in changes.items():
            setattr(report, name, value)
        return create_audited(actor=actor, obj=report)
    apply_changes(actor=actor, obj=report, changes=changes, expected_version=expected_version)
    return report


@transaction.atomic
def work_report_mark_read(*, actor: User, report: WorkReport, recipient: str) -> WorkReportRead:
    """Mark a submitted report read for one of its three recipients, once each."""
    ensure_can(actor, "ledger.read_workreport", report)
    if recipient not in RecipientKind.values:
        raise ValidationError({"recipient": _("Choose a recipient.")})
    if not selectors.can_read_as(actor, report.posting, recipient):
        raise PermissionDenied(_("You do not read work reports for this recipient."))
    report = WorkReport.objects.select_for_update().select_related("posting").get(pk=report.pk)
    if not report.submitted_at:
        raise ValidationError(_("Only a submitted report can be marked read."))
    if report.reads.filter(recipient=recipient).exists():
        raise ValidationError(_("This report has already been marked read for this recipient."))
    read = WorkReportRead.objects.create(report=report, recipient=recipient, read_by=actor)
    audit.record(
        actor=actor,
        obj=report,
        action=AuditAction.OTHER,
        note=_("Marked read for: %(recipient)s") % {"recipient": RecipientKind(recipient).label},
    )
    return read


# ---- spot checks (随机查岗) ----


@transaction.atomic
def spotcheck_draw(
    *, actor: User, region: Region, size: int, seed: int | None = None
) -> SpotCheckDraw:
    """Draw up to `size` postings in office in a region at random; the seed and the sorted
    population are kept so that anyone can redo the draw."""
    ensure_can(actor, "ledger.draw_spotcheck", region)
    if region.level not in (Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP):
        raise ValidationError({"region": _("Draw in a county or a township.")})
    if not 1 <= int(size) <= MAX_DRAW:
        raise ValidationError({"size": _("Draw between 1 and %(max)s cadres.") % {"max": MAX_DRAW}})
    if seed is None:
        seed = secrets.randbits(32)
    elif not 0 <= int(seed) <= MAX_SEED:
        raise ValidationError({"seed": _("The seed must be a whole number from 0 up.")})
    population = list(
        Posting.objects.current()
        .filter(host_region__code__range=region.subtree)
        .order_by("id")
        .values_list("id", flat=True)
    )
    if not population:
        raise ValidationError(_("No cadre is in office in this region."))
    chosen = selectors.spotcheck_sample(seed=int(seed), population=population, size=int(size))
    draw = SpotCheckDraw.objects.create(
        region=region, drawn_by=actor, seed=int(seed), size=len(chosen), population=population
    )
    SpotCheck.objects.bulk_create([SpotCheck(draw=draw, posting_id=pk) for pk in sorted(chosen)])
    audit.record(
        actor=actor,
        obj=draw,
        action=AuditAction.CREATE,
        note=_("Drawn: %(postings)s") % {"postings": ", ".join(str(pk) for pk in sorted(chosen))},
    )
    return draw


@transaction.atomic
def spotcheck_record(*, actor: User, check: SpotCheck, result: str, note: str = "") -> SpotCheck:
    """Record what the inspector found; an absence without leave opens a discipline case
    with its first step (批评教育) taken."""
    ensure_can(actor, "ledger.draw_spotcheck", check)
    if result not in (SpotCheckResult.PRESENT, SpotCheckResult.EXCUSED, SpotCheckResult.ABSENT):
        raise ValidationError({"result": _("Choose what was found.")})
    note = (note or "").strip()
    if result == SpotCheckResult.ABSENT and not note:
        raise ValidationError(
            {"note": _("Say what was found: an absence without leave opens a discipline case.")}
        )
    check = SpotCheck.objects.select_for_update().select_related("posting__person").get(pk=check.pk)
    if check.result:
        raise ValidationError(_("This check has already been recorded."))
    before = audit.snapshot(check)
    check.result, check.note = result, note
    check.checked_by, check.checked_at = actor, timezone.now()
    check.save(update_fields=["result", "note", "checked_by", "checked_at"])
    audit.record(actor=actor, obj=check, action=AuditAction.UPDATE, before=before)
    if result == SpotCheckResult.ABSENT:
        _case_open(actor=actor, posting=check.posting, reason=note, spot_check=check)
    return check


# ---- discipline (批评教育 → 戒免谈话 → 退回原单位) ----


def _step(*, actor: User, case: DisciplineCase, level: int, reason: str) -> DisciplineStep:
    step = DisciplineStep.objects.create(case=case, level=level, taken_by=actor, reason=reason)
    audit.record(
        actor=actor,
        obj=case,
        action=AuditAction.UPDATE,
        note=_("%(step)s: %(reason)s") % {"step": DisciplineLevel(level).label, "reason": reason},
    )
    return step


def _case_open(
    *, actor: User, posting: Posting, reason: str, spot_check: SpotCheck | None = None
) -> DisciplineCase:
    case = create_audited(
        actor=actor, obj=DisciplineCase(posting=posting, spot_check=spot_check, reason=reason)
    )
    _step(actor=actor, case=case, level=DisciplineLevel.CRITICISM, reason=reason)
    return case


@transaction.atomic
def discipline_open(*, actor: User, posting: Posting, reason: str) -> DisciplineCase:
    """Open a case by hand (e.g. 工作无成效), its first step (批评教育) taken."""
    ensure_can(actor, "ledger.manage_discipline", posting)
    reason = _reason_given(reason)
    posting = _fresh(posting)
    if posting.effective_status() != ACTIVE:
        raise ValidationError(_("A discipline case concerns a cadre in office."))
    return _case_open(actor=actor, posting=posting, reason=reason)


def _reason_given(reason: str) -> str:
    """The reason of a step, which every step needs."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Please give a reason.")})
    return reason


def _open_case_locked(case: DisciplineCase) -> DisciplineCase:
    """The case locked for the change; a closed case is refused."""
    case = (
        DisciplineCase.objects.select_for_update()
        .select_related("posting__person", "posting__programme")
        .get(pk=case.pk)
    )
    if case.closed_at:
        raise ValidationError(_("This case is closed."))
    return case


@transaction.atomic
def discipline_escalate(
    *, actor: User, case: DisciplineCase, reason: str, level: int | None = None
) -> DisciplineStep:
    """Take the next step of the ladder; the last one recalls the posting (which stops its
    benefits) and closes the case. `level`, when given, must be that next step."""
    ensure_can(actor, "ledger.manage_discipline", case)
    reason = _reason_given(reason)
    case = _open_case_locked(case)
    following = selectors.discipline_next_level(case)
    if following is None:
        raise ValidationError(_("This case is at the last step already."))
    if level is not None and int(level) != following:
        raise ValidationError(
            _("Steps are taken in order, each once: the next step is %(step)s.")
            % {"step": DisciplineLevel(following).label}
        )
    step = _step(actor=actor, case=case, level=following, reason=reason)
    if following == DisciplineLevel.RECALL:
        people_services.posting_recall(actor=actor, posting=case.posting, reason=reason)
        _close(actor=actor, case=case, reason=reason)
    return step


def _close(*, actor: User, case: DisciplineCase, reason: str) -> None:
    before = audit.snapshot(case)
    case.closed_at = timezone.now()
    case.save(update_fields=["closed_at", "updated_at"])
    audit.record(
        actor=actor,
        obj=case,
        action=AuditAction.UPDATE,
        before=before,
        note=_("Closed: %(reason)s") % {"reason": reason},
    )


@transaction.atomic
def discipline_close(*, actor: User, case: DisciplineCase, reason: str) -> DisciplineCase:
    """Close an open case without going further (the cadre mended their ways)."""
    ensure_can(actor, "ledger.manage_discipline", case)
    reason = _reason_given(reason)
    case = _open_case_locked(case)
    _close(actor=actor, case=case, reason=reason)
    return case


# ---- training (科技知识培训) ----


@transaction.atomic
def training_record(
    *,
    actor: User,
    posting: Posting,
    attended_on: datetime.date,
    hours: Decimal | int | float | str | None,
    topic: str,
    organiser: str = "",
) -> TrainingRecord:
    """Record hours of training a cadre attended during their term."""
    ensure_can(actor, "ledger.add_trainingrecord", posting)
    posting = _fresh(posting)
    errors: dict[str, str] = {}
    amount: Decimal | None
    try:
        amount = Decimal(str(hours))
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite() or not Decimal("0") < amount <= MAX_HOURS:
        errors["hours"] = _("Hours must be more than 0 and at most 24 for one record.")
    if attended_on > timezone.localdate():
        errors["attended_on"] = _("The date cannot be in the future.")
    elif posting.status not in selectors.SERVED or not (
        posting.starts_on <= attended_on <= (posting.ended_on or posting.ends_on)
    ):
        errors["attended_on"] = _("The date must fall within the cadre's term in office.")
    topic = (topic or "").strip()
    if not topic:
        errors["topic"] = _("Please give the topic.")
    if errors or amount is None:  # a missing amount is among the errors
        raise ValidationError(errors)
    record = TrainingRecord(
        posting=posting,
        attended_on=attended_on,
        hours=amount,
        topic=topic,
        organiser=(organiser or "").strip(),
    )
    return create_audited(actor=actor, obj=record)
