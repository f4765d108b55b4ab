"""Every read of selection batches, starting from what the user may see."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from tiantou.accounts.models import Membership, User
from tiantou.accounts.permissions import has_perm
from tiantou.regions.choices import Level
from tiantou.regions.models import Organisation, Region

from ..choices import ApplicationStatus, BatchStatus
from ..models import Application, Batch, Person, Programme, Score
from ..querysets import BatchQuerySet
from ..titles import post_title, township_of

RANKED_STATUSES = (
    ApplicationStatus.APPLIED,
    ApplicationStatus.SELECTED,
    ApplicationStatus.WAITING,
    ApplicationStatus.NOT_SELECTED,
)
HUNDREDTH = Decimal("0.01")


def batch_list(*, user: User) -> BatchQuerySet:
    """Batches the user can see, newest first, with their number of applicants."""
    return (
        Batch.objects.visible_to(user)
        .select_related("programme__region")
        .annotate(applicant_count=Count("applications"))
        .order_by("-year", "-number", "programme__name")
    )


def batches_to_score(*, user: User) -> QuerySet[Batch]:
    """Batches in scoring that the user judges."""
    if not getattr(user, "is_authenticated", False):
        return Batch.objects.none()
    return (
        Batch.objects.filter(judges=user, status=BatchStatus.SCORING)
        .select_related("programme__region")
        .order_by("-year", "-number")
    )


def batch_get(*, user: User, pk: int) -> Batch:
    """One batch the user can see, or 404."""
    return get_object_or_404(
        Batch.objects.visible_to(user).select_related("programme__region"), pk=pk
    )


def batch_get_for_judge(*, user: User, pk: int) -> Batch:
    """One batch the user judges, or 404: judges see only their own batches' scoring."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    return get_object_or_404(
        Batch.objects.filter(judges=user).select_related("programme__region"), pk=pk
    )


def application_get(*, user: User, pk: int) -> Application:
    """One applicant the user can see, or 404."""
    return get_object_or_404(
        Application.objects.visible_to(user).select_related(
            "batch__programme__region", "person", "allocated_region"
        ),
        pk=pk,
    )


@dataclass
class RankedApplication:
    """An applicant with the mean of the judges' scores, their number and the rank."""

    application: Application
    mean: Decimal | None
    count: int
    rank: int | None


def _applications(batch: Batch) -> QuerySet[Application]:
    return (
        Application.objects.filter(batch=batch)
        .select_related(
            "person__home_unit",
            "recommended_by",
            "preferred_region__parent",
            "allocated_region__parent",
            "allocated_host",
        )
        .annotate(score_mean=Avg("scores__score"), score_count=Count("scores"))
    )


def batch_ranking(*, batch: Batch) -> list[RankedApplication]:
    """Every applicant of a batch in rank order (one query).

    The rank follows the mean of the judges' scores; ties go to the candidate scored
    by more judges, then by name. An applicant with no score is not ranked.
    """
    rows = []
    for application in _applications(batch):
        count = getattr(application, "score_count", 0)
        mean = None
        if count:
            raw = getattr(application, "score_mean", 0)
            mean = Decimal(str(raw)).quantize(HUNDREDTH, ROUND_HALF_UP)
        rows.append(RankedApplication(application, mean, count, None))
    ranked = sorted(
        (r for r in rows if r.count and r.application.status in RANKED_STATUSES),
        key=lambda r: (-(r.mean or 0), -r.count, r.application.person.name, r.application.pk),
    )
    for position, row in enumerate(ranked, start=1):
        row.rank = position
    unranked = sorted(
        (r for r in rows if r.rank is None),
        key=lambda r: (r.application.person.name, r.application.pk),
    )
    return ranked + unranked


def application_rows(*, user: User, batch: Batch) -> list[RankedApplication]:
    """The batch's ranking, limited to the applicants the user can see (two queries)."""
    rows = batch_ranking(batch=batch)
    visible = set(
        Application.objects.visible_to(user).filter(batch=batch).values_list("pk", flat=True)
    )
    return [row for row in rows if row.application.pk in visible]


def batch_townships(*, batch: Batch) -> list[Region]:
    """Active townships inside the programme's region: where quotas and cadres can go."""
    region = batch.programme.region
    return list(
        Region.objects.filter(
            level=Level.TOWNSHIP, code__range=region.subtree, is_active=True
        ).order_by("code")
    )


def allocation_places(*, batch: Batch) -> list[Region]:
    """Townships and their villages inside the programme's region, for allocation choices."""
    region = batch.programme.region
    return list(
        Region.objects.filter(
            level__in=(Level.TOWNSHIP, Level.VILLAGE), code__range=region.subtree, is_active=True
        )
        .select_related("parent")
        .order_by("code")
    )


def batch_quota_rows(*, batch: Batch) -> list[dict]:
    """Each township with its quota and the number selected for it so far (three queries)."""
    quotas = {q.region_id: q.quota for q in batch.quotas.all()}
    selected: dict[str, int] = {}
    for code in batch.applications.filter(status=ApplicationStatus.SELECTED).values_list(
        "allocated_region_id", flat=True
    ):
        township_code = code[:9] + "000"
        selected[township_code] = selected.get(township_code, 0) + 1
    rows = []
    for township in batch_townships(batch=batch):
        quota = quotas.get(township.code, 0)
        taken = selected.get(township.code, 0)
        if quota or taken or batch.status == BatchStatus.OPEN:
            rows.append(
                {"township": township, "quota": quota, "selected": taken, "over": taken > quota}
            )
    return rows


def batch_status_counts(*, batch: Batch) -> dict[str, int]:
    """How many applicants of the batch are in each status."""
    counts = dict(
        batch.applications.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return {status: counts.get(status, 0) for status in ApplicationStatus.values}


def programmes_to_run(*, user: User) -> list[Programme]:
    """Programmes in use for which the user may run batches."""
    return [
        programme
        for programme in Programme.objects.visible_to(user)
        .filter(is_active=True)
        .select_related("region")
        if has_perm(user, "people.manage_batch", programme)
    ]


def judge_candidates(*, user: User) -> QuerySet[User]:
    """Active users holding a role in the part of the tree where `user` runs batches."""
    ranges = [
        m.region.subtree
        for m in user.memberships.select_related("region")
        if m.region is not None and has_perm(user, "people.manage_batch", m.region)
    ]
    if user.is_superuser:
        return User.objects.filter(is_active=True).order_by("username")
    q = Q(pk__in=[])
    for low, high in ranges:
        q |= Q(region__code__range=(low, high)) | Q(organisation__region__code__range=(low, high))
    inside = Membership.objects.filter(q).values("user_id")
    return User.objects.filter(is_active=True, pk__in=inside).order_by("username")


def people_to_apply(*, user: User) -> QuerySet[Person]:
    """People on the register the user can see, to choose an applicant from."""
    return Person.objects.visible_to(user).select_related("home_unit").order_by("name", "pk")


def units_to_recommend(*, user: User) -> QuerySet[Organisation]:
    """Units the user can see, to name the recommending unit."""
    return Organisation.objects.visible_to(user).filter(is_active=True).order_by("name")


def judge_scores(*, batch: Batch, judge: User) -> dict[int, Score]:
    """The judge's own scores in a batch, by application id."""
    return {
        s.application_id: s for s in Score.objects.filter(application__batch=batch, judge=judge)
    }


def applications_to_score(*, batch: Batch) -> QuerySet[Application]:
    """The candidates judges score: those still in the running."""
    return (
        Application.objects.filter(batch=batch, status=ApplicationStatus.APPLIED)
        .select_related("person__home_unit", "recommended_by")
        .order_by("person__name", "pk")
    )


@dataclass
class AllocationRow:
    """One line of the published allocation list (分配去向)."""

    number: int
    name: str
    gender: str
    title: str
    home_unit: str
    destination: str
    post: str


def allocation_rows(*, batch: Batch) -> list[AllocationRow]:
    """The selected candidates in township order, with where they go and their post title.

    Once published the title is the posting's own; before that, the title it will get.
    """
    applications = (
        Application.objects.filter(batch=batch, status=ApplicationStatus.SELECTED)
        .select_related(
            "person__home_unit", "allocated_region__parent", "allocated_host", "posting"
        )
        .order_by("allocated_region_id", "person__name", "pk")
    )
    rows = []
    for number, application in enumerate(applications, start=1):
        person, region = application.person, application.allocated_region
        if region is None:  # a selected candidate always has a place; be safe all the same
            continue
        township = township_of(region)
        place = region.name
        if township is not None and township.code != region.code:
            place = f"{township.name}{region.name}"
        if application.allocated_host is not None:
            place = f"{place} · {application.allocated_host.name}"
        posting = getattr(application, "posting", None)
        rows.append(
            AllocationRow(
                number=number,
                name=person.name,
                gender=person.get_gender_display(),
                title=person.title,
                home_unit=person.home_unit.name if person.home_unit is not None else "",
                destination=place,
                post=posting.title if posting else post_title(batch.programme.kind, region),
            )
        )
    return rows
