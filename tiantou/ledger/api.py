"""API endpoints of the work ledger: record (idempotent on the client's UUID), list, read,
confirm and reject activities. Every read starts from `visible_to`; writes go through
the services."""

import datetime
import uuid as uuid_lib
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from tiantou.accounts.permissions import ensure_can
from tiantou.api.schemas import ERRORS, Count, ErrorOut, Id, Paginated
from tiantou.regions.models import Region

from . import selectors, services
from .filters import ActivityFilterSet
from .models import Activity, ActivityType, Technology
from .querysets import COUNT_LIMIT, CappedPaginator
from .services import DECIMAL_LIMITS

router = Router(tags=["ledger"])


# ---- schemas ----


class ActivityOut(Schema):
    id: int
    uuid: uuid_lib.UUID
    activity_type: str = Field(..., alias="activity_type.key")
    activity_type_name: str = Field(..., alias="activity_type.name")
    title: str
    description: str
    region_code: str = Field(..., alias="region_id")
    region_name: str = Field(..., alias="region.name")
    posting_id: int | None
    cadre_name: str | None = Field(None, alias="posting.person.name")
    organisation_id: int | None
    organisation_name: str | None = Field(None, alias="organisation.name")
    starts_on: datetime.date
    ends_on: datetime.date | None
    participants: int | None
    experts: int | None
    consultations: int | None
    materials: int | None
    boards: int | None
    enterprises: int | None
    area_mu: Decimal | None
    output_value: Decimal | None
    technologies: list[str]
    status: str
    status_reason: str
    flags: list
    submitted_at: datetime.datetime | None
    confirmed_at: datetime.datetime | None
    version: int

    @staticmethod
    def resolve_technologies(obj: Activity) -> list[str]:
        return [t.name for t in obj.technologies.all()]


class ActivityIn(Schema):
    uuid: uuid_lib.UUID | None = Field(
        None, description="Made by the client; sending the same record again changes nothing"
    )
    activity_type: str = Field(..., min_length=1, max_length=40, description="Type key")
    title: str = Field(..., min_length=1, max_length=200)
    region_code: str = Field(..., min_length=1, max_length=12, description="Township or village")
    starts_on: datetime.date
    ends_on: datetime.date | None = None
    posting_id: Id | None = Field(None, description="The organising cadre's posting")
    organisation_id: Id | None = Field(None, description="The organising unit")
    description: str = Field("", max_length=5000)
    technologies: list[Id] = Field(default_factory=list, description="Technology ids")
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)
    submit: bool = Field(False, description="Submit for confirmation at once")
    participants: Count | None = None
    experts: Count | None = None
    consultations: Count | None = None
    materials: Count | None = None
    boards: Count | None = None
    enterprises: Count | None = None
    area_mu: Decimal | None = Field(None, ge=0, le=DECIMAL_LIMITS["area_mu"])
    output_value: Decimal | None = Field(None, ge=0, le=DECIMAL_LIMITS["output_value"])


class RejectIn(Schema):
    # Optional in the schema so that a record outside scope answers 404 before the body
    # is judged; the service refuses an empty reason.
    reason: str = Field("", max_length=1000)


class ActivityFilters(Schema):
    """The query parameters of `ActivityFilterSet` (the list page uses the same filter)."""

    q: str | None = Field(None, description="Part of the title")
    township: str | None = Field(None, description="Division code: activities in its subtree")
    type: Id | None = Field(None, description="Activity type id")
    posting: str | None = Field(None, description="Posting id of the organising cadre, or none")
    organisation: Id | None = Field(None, description="Organising unit id")
    month: str | None = Field(None, description="YYYY-MM")
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    status: str | None = Field(
        None,
        description="counted (default: confirmed or locked), all, draft, submitted, "
        "rejected, confirmed, locked, deleted",
    )
    technology: Id | None = Field(None, description="Technology id")


class CappedPageNumberPagination(Paginated):
    """Page-number pagination whose count stops at `COUNT_LIMIT`, like the ledger page.

    An exact COUNT(*) over a ledger of millions costs more than the page itself. `count`
    is exact up to the limit; beyond it `count` is the limit and `count_capped` is true.
    A page's ids are read first (a narrow sorted scan), then their rows with what they
    show, as on the page.
    """

    class Output(Schema):
        items: list[Any]
        count: int = Field(..., description=f"Matching records, counted up to {COUNT_LIMIT}")
        count_capped: bool = Field(
            ..., description=f"True when more than {COUNT_LIMIT} records match"
        )

    def paginate_queryset(self, queryset: QuerySet, pagination: Any, request, **params) -> Any:
        # The page is bounded by `Paginated.Input`; CappedPaginator reads no further than
        # the ids it is asked for.
        page_size = self._get_page_size(pagination.page_size)
        offset = (pagination.page - 1) * page_size
        keys = queryset.prefetch_related(None).values_list("pk", flat=True)
        paginator = CappedPaginator(keys, page_size, limit=COUNT_LIMIT)
        ids = paginator.ids_between(offset, offset + page_size)
        found = queryset.in_bulk(ids) if ids else {}
        return {
            "items": [found[pk] for pk in ids if pk in found],
            "count": min(paginator.count, COUNT_LIMIT),
            "count_capped": paginator.is_capped,
        }


# ---- helpers ----


def _fields(user, payload: ActivityIn) -> dict:
    """Body fields turned into service arguments (keys, codes and ids into objects)."""
    data = payload.dict()
    errors: dict[str, str] = {}
    kind = ActivityType.objects.filter(key=data.pop("activity_type")).first()
    if kind is None:
        errors["activity_type"] = _("No activity type with this key.")
    code = data.pop("region_code").strip()
    region = Region.objects.visible_to(user).filter(code=code).first()
    if region is None:
        errors["region_code"] = _("No region with code %(code)s.") % {"code": code}
    posting_id = data.pop("posting_id")
    posting = None
    if posting_id is not None:
        posting = selectors.posting_choices(user=user).filter(pk=posting_id).first()
        if posting is None:
            errors["posting_id"] = _("No posting with id %(id)s.") % {"id": posting_id}
    organisation_id = data.pop("organisation_id")
    organisation = None
    if organisation_id is not None:
        organisation = selectors.organisation_choices(user=user).filter(pk=organisation_id).first()
        if organisation is None:
            errors["organisation_id"] = _("No organisation with id %(id)s.") % {
                "id": organisation_id
            }
    wanted = set(data.pop("technologies") or [])
    technologies = list(Technology.objects.filter(pk__in=wanted))
    if len(technologies) != len(wanted):
        errors["technologies"] = _("Unknown technology ids.")
    if errors:
        raise ValidationError(errors)
    return {
        **data,
        "activity_type": kind,
        "region": region,
        "posting": posting,
        "organisation": organisation,
        "technologies": technologies,
    }


def _detail(user, pk: int) -> Activity:
    return selectors.activity_get(user=user, pk=pk)


# ---- endpoints ----


@router.post(
    "/activities/",
    response={200: ActivityOut, 201: ActivityOut, 409: ErrorOut, **ERRORS},
    summary="Record an activity",
)
def activity_create(request, payload: ActivityIn):
    """Record an activity; 201 when new, 200 with the stored record when the UUID is known."""
    user = request.auth
    activity, created = services.activity_create(actor=user, **_fields(user, payload))
    return Status(201 if created else 200, _detail(user, activity.pk))


@router.get("/activities/", response={200: list[ActivityOut], **ERRORS}, summary="List activities")
@paginate(CappedPageNumberPagination, page_size=100)
def activity_list(request, filters: Query[ActivityFilters]):
    """Activities the user can see, filtered like the ledger page (counted ones by default)."""
    user = request.auth
    ensure_can(user, "ledger.view_activity")
    data = {k: str(v) for k, v in filters.dict().items() if v is not None}
    queryset = selectors.activity_list(user=user).prefetch_related("technologies")
    filterset = ActivityFilterSet(data, queryset=queryset, user=user)
    if not filterset.is_valid():
        raise ValidationError({f: list(e) for f, e in filterset.form.errors.items()})
    return filterset.qs.order_by("-starts_on", "-id")


@router.get("/activities/{int:pk}", response={200: ActivityOut, **ERRORS}, summary="One activity")
def activity_detail(request, pk: Id):
    """One activity the user can see."""
    user = request.auth
    activity = _detail(user, pk)
    ensure_can(user, "ledger.view_activity", activity)
    return activity


@router.post(
    "/activities/{int:pk}/confirm",
    response={200: ActivityOut, 409: ErrorOut, **ERRORS},
    summary="Confirm a submitted activity",
)
def activity_confirm(request, pk: Id):
    """Confirm a submitted record: from now on it counts."""
    user = request.auth
    activity = _detail(user, pk)
    services.activity_confirm(actor=user, activity=activity)
    return _detail(user, pk)


@router.post(
    "/activities/{int:pk}/reject",
    response={200: ActivityOut, 409: ErrorOut, **ERRORS},
    summary="Reject a submitted activity",
)
def activity_reject(request, pk: Id, payload: RejectIn):
    """Send a submitted record back to its author; the reason is required."""
    user = request.auth
    activity = _detail(user, pk)
    services.activity_reject(actor=user, activity=activity, reason=payload.reason)
    return _detail(user, pk)
