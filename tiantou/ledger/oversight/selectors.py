"""Reads of the oversight of cadres: work reports and their recipients, spot checks and
presence, discipline cases and training hours. Every read starts from `visible_to`."""

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, DecimalField, Max, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Substr
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from tiantou.accounts.models import User
from tiantou.accounts.roles import ROLE_PERMISSIONS, Role
from tiantou.accounts.scoping import memberships_of, scope_for
from tiantou.core import regioncodes
from tiantou.people.choices import PostingStatus
from tiantou.people.models import Posting
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
from ..querysets import DisciplineCaseQuerySet

READ_PERM = "ledger.read_workreport"
# Postings that ever took office: reports, checks and training belong to their terms.
SERVED = (PostingStatus.ACTIVE, PostingStatus.COMPLETED, PostingStatus.RECALLED)
# The due dates (month, day) of the reports of a year, by how many a year.
DUE_DATES = {1: [(12, 31)], 2: [(6, 30), (12, 31)]}
TOWNSHIP_PREFIX = regioncodes.PREFIX_LENGTH[regioncodes.TOWNSHIP]
POSTING_RELATED = ("person", "person__home_unit", "programme", "host_region")


# ---- who oversees what ----


def _overseen_q(user: User, prefix: str = "") -> Q:
    """Postings the user oversees through a role other than a cadre's own, or their own.

    A cadre's membership makes a township visible to them, but a cadre reads only their
    own reports: another cadre's are not theirs to see.
    """
    if user.is_superuser:
        return Q()
    q = Q(**{f"{prefix}person__user": user})
    for m in memberships_of(user):
        if m.role == Role.CADRE:
            continue
        if m.organisation_id:
            q |= Q(**{f"{prefix}person__home_unit_id": m.organisation_id})
            q |= Q(**{f"{prefix}host_organisation_id": m.organisation_id})
        elif m.region_id:
            low_high = regioncodes.subtree_range(m.region_id, m.region.level)
            q |= Q(**{f"{prefix}host_region__code__range": low_high})
    return q


def _reader_memberships(user: User, recipient: str) -> list:
    """The user's memberships through which they read reports for `recipient`."""
    found = []
    for m in memberships_of(user):
        if READ_PERM not in ROLE_PERMISSIONS.get(m.role, ()):
            continue
        if recipient == RecipientKind.ORG_DEPT:
            fits = m.role in (Role.ORG_DEPT, Role.COUNTY_ADMIN) and bool(m.region_id)
            fits = fits and m.region.level <= regioncodes.COUNTY
        elif recipient == RecipientKind.TOWNSHIP_PARTY:
            fits = m.role == Role.TOWNSHIP_ADMIN and bool(m.region_id)
            fits = fits and m.region.level == regioncodes.TOWNSHIP
        elif recipient == RecipientKind.HOME_UNIT:
            fits = m.role == Role.HOME_UNIT and bool(m.organisation_id)
        else:
            fits = False
        if fits:
            found.append(m)
    return found


def _recipient_q(user: User, recipient: str, prefix: str = "") -> Q:
    """Postings whose reports the user reads for `recipient` (nothing when they read none)."""
    if user.is_superuser:
        return Q()
    q = Q(pk__in=[])
    for m in _reader_memberships(user, recipient):
        if m.organisation_id:
            q |= Q(**{f"{prefix}person__home_unit_id": m.organisation_id})
        else:
            low_high = regioncodes.subtree_range(m.region_id, m.region.level)
            q |= Q(**{f"{prefix}host_region__code__range": low_high})
    return q


def can_read_as(user: User, posting: Posting, recipient: str) -> bool:
    """Whether the user marks reports of `posting` read for `recipient`.

    The organisation department's mark takes a county-level org-dept or county-admin
    role; the township party committee's a township admin of the host township; the
    home unit's a home-unit role on the cadre's home unit.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    for m in _reader_memberships(user, recipient):
        if m.organisation_id:
            if m.organisation_id == posting.person.home_unit_id:
                return True
        elif regioncodes.contains(m.region_id, posting.host_region_id, m.region.level):
            return True
    return False


def recipients_for(user: User) -> list[str]:
    """The recipients the user can read reports for anywhere (for menus and the inbox)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser:
        return list(RecipientKind.values)
    return [kind for kind in RecipientKind.values if _reader_memberships(user, kind)]


# ---- work reports ----


def reports_due(posting: Posting, year: int) -> list[tuple[int, datetime.date]]:
    """The (number, due date) of the reports a posting owes in `year`, within its term."""
    end = posting.ended_on or posting.ends_on
    slots = []
    for number, (month, day) in enumerate(DUE_DATES.get(posting.programme.reports_per_year, []), 1):
        due_on = datetime.date(year, month, day)
        if posting.starts_on <= due_on <= end:
            slots.append((number, due_on))
    return slots


def _slots_until(posting: Posting, last_year: int) -> list[tuple[int, int, datetime.date]]:
    """Every (year, number, due date) of a posting from its first year to `last_year`."""
    return [
        (year, number, due_on)
        for year in range(posting.starts_on.year, last_year + 1)
        for number, due_on in reports_due(posting, year)
    ]


@dataclass
class Slot:
    """A report a cadre owes: its place in the year, its due date and the report if begun."""

    posting: Posting
    year: int
    number: int
    due_on: datetime.date
    report: WorkReport | None = None

    @property
    def is_submitted(self) -> bool:
        return bool(self.report and self.report.submitted_at)

    @property
    def is_late(self) -> bool:
        """Submitted after the due date, or not submitted and the date has passed."""
        if self.report and self.report.submitted_at:
            return timezone.localtime(self.report.submitted_at).date() > self.due_on
        return self.due_on < timezone.localdate()


def my_report_slots(*, user: User, today: datetime.date | None = None) -> list[dict]:
    """The user's own postings with every report slot up to this year, newest first."""
    if not getattr(user, "is_authenticated", False):
        return []
    today = today or timezone.localdate()
    postings = list(
        Posting.objects.filter(person__user=user, status__in=SERVED)
        .select_related(*POSTING_RELATED)
        .prefetch_related(Prefetch("work_reports", queryset=WorkReport.objects.all()))
        .order_by("-starts_on", "id")
    )
    rows = []
    for posting in postings:
        reports = {(r.year, r.number): r for r in posting.work_reports.all()}
        slots = [
            Slot(posting, year, number, due_on, reports.get((year, number)))
            for year, number, due_on in _slots_until(posting, today.year)
        ]
        rows.append(
            {
                "posting": posting,
                "is_active": posting.effective_status(today) == PostingStatus.ACTIVE,
                "slots": sorted(slots, key=lambda s: (s.year, s.number), reverse=True),
            }
        )
    return rows


def my_posting_get(*, user: User, pk: int) -> Posting:
    """One of the user's own postings (the cadre writing a report), or 404."""
    return get_object_or_404(
        Posting.objects.filter(person__user=user).select_related(*POSTING_RELATED), pk=pk
    )


def work_report_for_slot(*, posting: Posting, year: int, number: int) -> WorkReport | None:
    """The report written for one slot, if any."""
    return WorkReport.objects.filter(posting=posting, year=year, number=number).first()


def work_report_list(*, user: User) -> QuerySet[WorkReport]:
    """Reports the user may open: their own (drafts too), and others' once submitted."""
    own = Q(posting__person__user=user)
    return (
        WorkReport.objects.visible_to(user)
        .filter(own | (_overseen_q(user, "posting__") & Q(submitted_at__isnull=False)))
        .select_related(*(f"posting__{name}" for name in POSTING_RELATED))
    )


def work_report_get(*, user: User, pk: int) -> WorkReport:
    """One report the user may open, with who has read it, or 404."""
    return get_object_or_404(
        work_report_list(user=user).prefetch_related(
            Prefetch("reads", queryset=WorkReportRead.objects.select_related("read_by"))
        ),
        pk=pk,
    )


def report_inbox(*, user: User, recipient: str, today: datetime.date | None = None) -> dict:
    """One recipient's inbox: slots due before today and not submitted, per cadre, and
    submitted reports this recipient has not marked read. Three queries whatever the rows."""
    today = today or timezone.localdate()
    postings = list(
        Posting.objects.visible_to(user)
        .filter(_recipient_q(user, recipient), status__in=SERVED)
        .select_related(*POSTING_RELATED)
        .order_by("host_region_id", "person__name", "id")
    )
    submitted = set(
        WorkReport.objects.filter(posting__in=[p.pk for p in postings], submitted_at__isnull=False)
        .values_list("posting_id", "year", "number")
        .order_by()
    )
    overdue = []
    for posting in postings:
        missing = [
            (year, number, due_on)
            for year, number, due_on in _slots_until(posting, today.year)
            if due_on < today and (posting.pk, year, number) not in submitted
        ]
        if missing:
            overdue.append({"posting": posting, "slots": missing})
    unread = list(
        work_report_list(user=user)
        .filter(_recipient_q(user, recipient, "posting__"), submitted_at__isnull=False)
        .exclude(reads__recipient=recipient)
        .order_by("submitted_at", "id")
    )
    return {"recipient": recipient, "overdue": overdue, "unread": unread}


# ---- spot checks ----


def draw_list(*, user: User) -> QuerySet[SpotCheckDraw]:
    """Draws made in regions inside the user's scope, newest first, with their tallies."""
    return (
        SpotCheckDraw.objects.filter(scope_for(user).region_q("region__code"))
        .select_related("region", "drawn_by")
        .annotate(
            checked=Count("checks", filter=~Q(checks__result=SpotCheckResult.PENDING)),
            absent=Count("checks", filter=Q(checks__result=SpotCheckResult.ABSENT)),
            drawn=Count("checks"),
        )
        .order_by("-drawn_at", "-id")
    )


def draw_get(*, user: User, pk: int) -> SpotCheckDraw:
    """One draw the user can see, or 404."""
    return get_object_or_404(
        SpotCheckDraw.objects.filter(scope_for(user).region_q("region__code")).select_related(
            "region", "drawn_by"
        ),
        pk=pk,
    )


def draw_checks(*, draw: SpotCheckDraw) -> list[SpotCheck]:
    """The checks of a draw with their cadres and any discipline case, in posting order."""
    return list(
        draw.checks.select_related(
            *(f"posting__{name}" for name in POSTING_RELATED), "checked_by", "case"
        ).order_by("posting_id")
    )


def spotcheck_sample(*, seed: int, population: list[int], size: int) -> list[int]:
    """The postings a seed draws from a population: the one rule for drawing and checking."""
    return random.Random(seed).sample(population, min(size, len(population)))  # noqa: S311


def spotcheck_verify(draw: SpotCheckDraw) -> bool:
    """Whether redoing the draw from its seed and population gives exactly its checks."""
    drawn = set(draw.checks.values_list("posting_id", flat=True))
    sample = spotcheck_sample(seed=draw.seed, population=list(draw.population), size=draw.size)
    return len(sample) == len(drawn) and set(sample) == drawn


def spotcheck_get(*, user: User, pk: int) -> SpotCheck:
    """One check the user can see, or 404."""
    return get_object_or_404(
        SpotCheck.objects.visible_to(user).select_related("draw", "posting__person"), pk=pk
    )


def _rate(present: int, absent: int) -> float | None:
    """Present ÷ (present + absent), or None before any such check."""
    return present / (present + absent) if present + absent else None


def presence_rates(*, user: User, year: int | None = None) -> dict:
    """Presence rate per cadre and per township: present ÷ (present + absent) over checked
    results, excused absences counted apart. One grouped query, one for township names."""
    checks = SpotCheck.objects.visible_to(user).exclude(result=SpotCheckResult.PENDING)
    if year:
        checks = checks.filter(draw__drawn_at__year=year)
    grouped = (
        checks.annotate(prefix=Substr("posting__host_region__code", 1, TOWNSHIP_PREFIX))
        .values("posting__person_id", "posting__person__name", "prefix")
        .annotate(
            present=Count("id", filter=Q(result=SpotCheckResult.PRESENT)),
            absent=Count("id", filter=Q(result=SpotCheckResult.ABSENT)),
            excused=Count("id", filter=Q(result=SpotCheckResult.EXCUSED)),
        )
        .order_by("prefix", "posting__person__name", "posting__person_id")
    )
    cadres: dict[int, dict] = {}
    townships: dict[str, dict] = defaultdict(lambda: {"present": 0, "absent": 0, "excused": 0})
    for row in grouped:
        code = row["prefix"].ljust(12, "0")
        cadre = cadres.setdefault(
            row["posting__person_id"],
            {
                "person_id": row["posting__person_id"],
                "name": row["posting__person__name"],
                "township": code,
                "present": 0,
                "absent": 0,
                "excused": 0,
            },
        )
        for key in ("present", "absent", "excused"):
            cadre[key] += row[key]
            townships[code][key] += row[key]
    names = dict(Region.objects.filter(code__in=list(townships)).values_list("code", "name"))
    for row in cadres.values():
        row["township_name"] = names.get(row["township"], row["township"])
        row["rate"] = _rate(row["present"], row["absent"])
    township_rows = [
        {
            "code": code,
            "name": names.get(code, code),
            **tally,
            "rate": _rate(tally["present"], tally["absent"]),
        }
        for code, tally in sorted(townships.items())
    ]
    return {"cadres": list(cadres.values()), "townships": township_rows}


# ---- discipline ----


def discipline_list(*, user: User) -> DisciplineCaseQuerySet:
    """Discipline cases the user can see, newest first, with their highest step."""
    return (
        DisciplineCase.objects.visible_to(user)
        .select_related(*(f"posting__{name}" for name in POSTING_RELATED))
        .annotate(level=Coalesce(Max("steps__level"), 0))
        .order_by("-created_at", "-id")
    )


def discipline_get(*, user: User, pk: int) -> DisciplineCase:
    """One case the user can see, with its steps and who took them.

    A user who sees the cadre's posting but may not see discipline (a viewer, a township,
    the science association, the cadre) gets 403; anyone else 404 (decision 0003)."""
    try:
        return (
            DisciplineCase.objects.visible_to(user)
            .select_related(*(f"posting__{name}" for name in POSTING_RELATED), "spot_check__draw")
            .prefetch_related(
                Prefetch("steps", queryset=DisciplineStep.objects.select_related("taken_by"))
            )
            .get(pk=pk)
        )
    except DisciplineCase.DoesNotExist:
        postings = Posting.objects.visible_to(user).values("pk")
        if DisciplineCase.objects.filter(pk=pk, posting__in=postings).exists():
            raise PermissionDenied(_("You do not have the right to do this.")) from None
        raise Http404 from None


def discipline_next_level(case: DisciplineCase) -> int | None:
    """The next rung of an open case's ladder, or None when closed or at the top."""
    if case.closed_at:
        return None
    taken = [step.level for step in case.steps.all()]
    following = max(taken, default=0) + 1
    return following if following in DisciplineLevel.values else None


def discipline_postings(*, user: User) -> QuerySet[Posting]:
    """Postings in office where the user may open a discipline case (for the form)."""
    return _postings_where(user, "ledger.manage_discipline")


# ---- training ----


def _postings_where(user: User, perm: str) -> QuerySet[Posting]:
    """Postings in office now inside the regions where the user holds `perm`."""
    postings = Posting.objects.visible_to(user).current().select_related(*POSTING_RELATED)
    if user.is_superuser:
        return postings.order_by("person__name", "id")
    q = Q(pk__in=[])
    for m in memberships_of(user):
        if perm in ROLE_PERMISSIONS.get(m.role, ()):
            if m.organisation_id:
                q |= Q(person__home_unit_id=m.organisation_id)
            else:
                q |= Q(
                    host_region__code__range=regioncodes.subtree_range(m.region_id, m.region.level)
                )
    return postings.filter(q).order_by("person__name", "id")


def training_postings(*, user: User) -> QuerySet[Posting]:
    """Postings in office where the user may record training (for the form)."""
    return _postings_where(user, "ledger.add_trainingrecord")


@dataclass
class TrainingRow:
    """A cadre's training hours in a year against the programme's guarantee."""

    posting: Posting
    hours: Decimal
    required: int | None
    shortfall: Decimal = field(default=Decimal("0"))


def training_hours(*, user: User, year: int) -> dict:
    """Hours attended per posting in `year` (terms overlapping it) against the programme's
    yearly guarantee, and the postings short of it. One grouped query."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    postings = (
        Posting.objects.visible_to(user)
        .filter(status__in=SERVED, starts_on__lte=end, ends_on__gte=start)
        .exclude(ended_on__lt=start)
        .select_related(*POSTING_RELATED)
        .annotate(
            hours=Coalesce(
                Sum("trainings__hours", filter=Q(trainings__attended_on__range=(start, end))),
                Decimal("0"),
                output_field=DecimalField(max_digits=7, decimal_places=1),
            )
        )
        .order_by("host_region_id", "person__name", "id")
    )
    rows = []
    for posting in postings:
        required = posting.programme.training_hours_per_year
        row = TrainingRow(posting=posting, hours=posting.hours, required=required)
        if required is not None and posting.hours < required:
            row.shortfall = Decimal(required) - posting.hours
        rows.append(row)
    return {"year": year, "rows": rows, "short": [row for row in rows if row.shortfall > 0]}


def training_posting_get(*, user: User, pk: int) -> Posting:
    """One posting the user can see, for its training record, or 404."""
    return get_object_or_404(
        Posting.objects.visible_to(user).select_related(*POSTING_RELATED), pk=pk
    )


def training_records(*, posting: Posting, year: int | None = None) -> QuerySet[TrainingRecord]:
    """A posting's training records, newest first, optionally of one year."""
    records = posting.trainings.order_by("-attended_on", "-id")
    if year:
        records = records.filter(attended_on__year=year)
    return records
