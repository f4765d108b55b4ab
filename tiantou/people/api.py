"""API endpoints for people and postings; every read starts from `visible_to`.

ID numbers are never sent encrypted or digested: lists carry the masked number (the
last 4 characters) and, for those not allowed to read the full number, the age but no
birth date; a person's own record carries the full number only for those allowed to see
it, and each such read is audited.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from tiantou.accounts.permissions import ensure_can
from tiantou.api.schemas import ERRORS, ErrorOut, Id, Paginated
from tiantou.core import regioncodes

from . import selectors, services
from .filters import PersonFilterSet, PostingFilterSet
from .models import Person, Posting

router = Router(tags=["people"])


# ---- schemas ----


class PersonOut(Schema):
    id: int
    name: str
    gender: str
    birth_date: datetime.date | None = Field(
        None, description="Only for those allowed to read full ID numbers, else null"
    )
    age: int | None = Field(None, description="Age today in whole years")
    ethnic_group: str
    political_status: str
    education: str
    title: str
    title_rank: int
    specialties: list[str]
    phone: str
    home_unit_id: int | None
    home_unit_name: str | None = Field(None, alias="home_unit.name")
    region_code: str = Field(..., alias="region_id")
    id_number_masked: str = Field(..., description="The last 4 characters only")
    version: int

    @staticmethod
    def resolve_specialties(obj: Person) -> list[str]:
        return [s.name for s in obj.specialties.all()]

    @staticmethod
    def resolve_birth_date(obj: Person, context) -> datetime.date | None:
        # The birth date is digits 7 to 14 of the ID number: shown with the same right.
        user = context["request"].auth
        return obj.birth_date if selectors.can_read_id_number(user, obj) else None


class PersonDetailOut(PersonOut):
    id_number: str = Field(
        ..., alias="api_id_number", description="Full for those allowed to see it, else masked"
    )
    id_number_is_full: bool = Field(..., alias="api_id_number_is_full")


class PostingOut(Schema):
    id: int
    person_id: int
    person_name: str = Field(..., alias="person.name")
    programme_id: int
    programme_name: str = Field(..., alias="programme.name")
    batch_id: int | None
    host_region_code: str = Field(..., alias="host_region_id")
    host_region_name: str = Field(..., alias="host_region.name")
    host_organisation_id: int | None
    host_organisation_name: str | None = Field(None, alias="host_organisation.name")
    title: str
    mode: str
    post_type: str
    dispatch_level: str
    is_from_outside_county: bool
    starts_on: datetime.date
    ends_on: datetime.date
    ended_on: datetime.date | None
    status: str = Field(..., description="As stored")
    effective_status: str = Field(
        ..., description="As it reads today: an active posting past its term reads completed"
    )
    treatment_grade: str
    salary_step_up: bool
    monthly_subsidy: Decimal
    version: int

    @staticmethod
    def resolve_effective_status(obj: Posting) -> str:
        return getattr(obj, "current_status", None) or obj.effective_status()


class PostingEventOut(Schema):
    kind: str
    at: datetime.datetime
    effective_on: datetime.date | None
    note: str
    actor_name: str | None = Field(None, alias="actor.name")


class SubsidyMonthOut(Schema):
    month: datetime.date
    amount: Decimal


class PostingDetailOut(PostingOut):
    events: list[PostingEventOut] = Field(..., alias="api_events")
    subsidy_owed: list[SubsidyMonthOut] = Field(..., alias="api_subsidy_owed")
    subsidy_owed_total: Decimal = Field(..., alias="api_subsidy_owed_total")


class RecallIn(Schema):
    reason: str = Field("", max_length=500)
    on: datetime.date | None = Field(None, description="Effective date; today when empty")


class PersonFilters(Schema):
    q: str | None = Field(None, description="Part of the name or phone")
    programme: Id | None = Field(None, description="Posted in this programme (id)")
    township: str | None = Field(None, description="Posted in this region's subtree (code)")


class PostingFilters(Schema):
    programme: Id | None = Field(None, description="Programme id")
    township: str | None = Field(None, description="Host region code: postings in its subtree")
    status: str | None = Field(
        None, description="Effective status: planned, active, completed, recalled, withdrawn"
    )
    person: Id | None = Field(None, description="Person id")


# ---- helpers ----


def _filtered(filterset_class, data: dict, queryset, user):
    """Apply the pages' FilterSet to an API query; its errors answer 422."""
    filterset = filterset_class(
        {k: v for k, v in data.items() if v is not None}, queryset=queryset, user=user
    )
    if not filterset.is_valid():
        raise ValidationError({f: list(e) for f, e in filterset.form.errors.items()})
    return filterset.qs


def _township_code(code: str) -> str:
    try:
        return regioncodes.normalise(code)
    except ValidationError as error:
        raise ValidationError({"township": error.messages}) from None


def _person_detail(user, person: Person) -> Person:
    """The person with the ID number as this user may see it (what PersonDetailOut reads)."""
    shown = services.person_id_number(actor=user, person=person)
    person.api_id_number = shown.text  # type: ignore[attr-defined]
    person.api_id_number_is_full = shown.is_full  # type: ignore[attr-defined]
    return person


def _posting_detail(user, posting: Posting) -> Posting:
    """The posting with its history and subsidy owed (what PostingDetailOut reads)."""
    months = services.subsidy_owed(posting)
    posting.api_subsidy_owed = [  # type: ignore[attr-defined]
        {"month": month, "amount": amount} for month, amount in months
    ]
    posting.api_subsidy_owed_total = sum(  # type: ignore[attr-defined]
        (amount for _m, amount in months), Decimal("0")
    )
    posting.api_events = list(selectors.posting_events(posting=posting))  # type: ignore[attr-defined]
    return posting


# ---- people ----


@router.get("/people/", response={200: list[PersonOut], **ERRORS}, summary="List people")
@paginate(Paginated, page_size=100)
def person_list(request, filters: Query[PersonFilters]):
    """People the user can see; `programme` and `township` select those posted there."""
    user = request.auth
    ensure_can(user, "people.view_person")
    people = _filtered(PersonFilterSet, {"q": filters.q}, selectors.person_list(user=user), user)
    postings = Posting.objects.filter(person=OuterRef("pk"))
    if filters.programme is not None:
        postings = postings.filter(programme_id=filters.programme)
    if filters.township:
        low, high = regioncodes.subtree_range(_township_code(filters.township))
        postings = postings.filter(host_region__code__range=(low, high))
    if filters.programme is not None or filters.township:
        people = people.filter(Exists(postings))
    return people.order_by("name", "id")


@router.get("/people/{int:pk}", response={200: PersonDetailOut, **ERRORS}, summary="One person")
def person_detail(request, pk: Id):
    """A person's record; the ID number in full only with the right to see it."""
    user = request.auth
    return _person_detail(user, selectors.person_read(user=user, pk=pk))


# ---- postings ----


@router.get("/postings/", response={200: list[PostingOut], **ERRORS}, summary="List postings")
@paginate(Paginated, page_size=100)
def posting_list(request, filters: Query[PostingFilters]):
    """Postings the user can see, filtered like the roster page."""
    user = request.auth
    ensure_can(user, "people.view_posting")
    data = {
        "programme": filters.programme,
        "township": _township_code(filters.township) if filters.township else None,
        "status": filters.status,
    }
    postings = _filtered(PostingFilterSet, data, selectors.posting_roster(user=user), user)
    if filters.person is not None:
        postings = postings.filter(person_id=filters.person)
    return postings.order_by("-starts_on", "id")


@router.get("/postings/{int:pk}", response={200: PostingDetailOut, **ERRORS}, summary="One posting")
def posting_detail(request, pk: Id):
    """A posting with its history and the subsidy owed to date."""
    user = request.auth
    return _posting_detail(user, selectors.posting_read(user=user, pk=pk))


@router.post(
    "/postings/{int:pk}/recall",
    response={200: PostingDetailOut, 409: ErrorOut, **ERRORS},
    summary="Recall a cadre to the home unit",
)
def posting_recall(request, pk: Id, payload: RecallIn):
    """Recall an active posting (退回原单位); the reason is required."""
    user = request.auth
    posting = selectors.posting_get(user=user, pk=pk)
    services.posting_recall(actor=user, posting=posting, reason=payload.reason, on=payload.on)
    return _posting_detail(user, selectors.posting_get(user=user, pk=pk))
