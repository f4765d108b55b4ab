"""API endpoints for regions and organisations; every read starts from `visible_to`."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from tiantou.accounts.permissions import ensure_can
from tiantou.api.schemas import ERRORS, ErrorOut, Id, Paginated, Version

from . import selectors, services
from .choices import AssociationType, OrganisationKind
from .filters import OrganisationFilterSet
from .models import Organisation, Region

router = Router(tags=["regions"])


# ---- schemas ----


class RegionOut(Schema):
    code: str
    name: str
    level: int
    kind: str
    parent_code: str | None = Field(None, alias="parent_id")
    source: str
    is_active: bool
    version: int


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    association_type: str
    region_code: str = Field(..., alias="region_id")
    region_name: str = Field(..., alias="region.name")
    parent_id: int | None
    credit_code: str
    contact_person: str
    phone: str
    address: str
    notes: str
    is_active: bool
    version: int


class OrganisationIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    kind: OrganisationKind
    region_code: str = Field(..., min_length=1, max_length=12)
    association_type: AssociationType = AssociationType.NONE
    parent_id: Id | None = None
    credit_code: str = Field("", max_length=18)
    contact_person: str = Field("", max_length=50)
    phone: str = Field("", max_length=30)
    address: str = Field("", max_length=200)
    notes: str = ""


class OrganisationPatch(Schema):
    """Changed fields only; `version` is the one read, so a concurrent edit is refused (409).

    The name, kind, region and association type cannot be emptied: `null` for them is
    refused (422). `null` for the optional texts clears them, as "" does; for `parent_id`
    it removes the parent.
    """

    version: Version
    name: str = Field(None, min_length=1, max_length=200)  # type: ignore[assignment]
    kind: OrganisationKind = None  # type: ignore[assignment]
    region_code: str = Field(None, min_length=1, max_length=12)  # type: ignore[assignment]
    association_type: AssociationType = None  # type: ignore[assignment]
    parent_id: Id | None = None
    credit_code: str | None = Field(None, max_length=18, description="null clears it")
    contact_person: str | None = Field(None, max_length=50, description="null clears it")
    phone: str | None = Field(None, max_length=30, description="null clears it")
    address: str | None = Field(None, max_length=200, description="null clears it")
    notes: str | None = Field(None, description="null clears it")


class RegionFilters(Schema):
    parent: str | None = Field(None, description="Division code: list this region's children")
    q: str | None = Field(None, description="Part of a region's name")


class OrganisationFilters(Schema):
    """The query parameters of `OrganisationFilterSet` (the list page uses the same filter)."""

    q: str | None = Field(None, description="Part of the name or credit code")
    kind: str | None = None
    association_type: str | None = None
    region: str | None = Field(None, description="Division code: organisations in its subtree")
    is_active: str | None = Field(None, description="true (default), false or all")
    has_credit_code: bool | None = None


# Optional texts of an organisation: `null` in a change clears them.
CLEARABLE = ("credit_code", "contact_person", "phone", "address", "notes")


# ---- helpers ----


def _region_in_body(user, code: str, field: str) -> Region:
    """A region named in a request body: outside the user's scope it does not exist."""
    region = Region.objects.visible_to(user).filter(code=code.strip()).first()
    if region is None:
        raise ValidationError({field: _("No region with code %(code)s.") % {"code": code}})
    return region


def _parent_in_body(user, pk: int | None) -> Organisation | None:
    if pk is None:
        return None
    parent = Organisation.objects.visible_to(user).filter(pk=pk).first()
    if parent is None:
        raise ValidationError({"parent_id": _("No organisation with id %(id)s.") % {"id": pk}})
    return parent


def _organisation_fields(user, data: dict) -> dict:
    """Body fields turned into service arguments (codes and ids into objects)."""
    fields = {k: v for k, v in data.items() if k not in {"version", "region_code", "parent_id"}}
    for key in CLEARABLE:
        if key in fields and fields[key] is None:
            fields[key] = ""
    if "region_code" in data:
        fields["region"] = _region_in_body(user, data["region_code"], "region_code")
    if "parent_id" in data:
        fields["parent"] = _parent_in_body(user, data["parent_id"])
    for key in ("kind", "association_type"):
        if key in fields and fields[key] is not None:
            fields[key] = str(fields[key].value)
    return fields


# ---- regions ----


@router.get("/regions/", response={200: list[RegionOut], **ERRORS}, summary="List regions")
@paginate(Paginated, page_size=100)
def region_list(request, filters: Query[RegionFilters]):
    """Children of `parent`, regions whose name contains `q`, or else the top of the scope."""
    user = request.auth
    regions = Region.objects.visible_to(user)
    if filters.parent:
        parent = selectors.region_get(user=user, code=filters.parent.strip())
        regions = regions.filter(parent=parent)
    if filters.q and filters.q.strip():
        regions = regions.filter(name__icontains=filters.q.strip())
    elif not filters.parent:
        roots = [r.code for r in selectors.top_regions(user=user)]
        regions = regions.filter(code__in=roots)
    return regions.order_by("code")


@router.get("/regions/{code}", response={200: RegionOut, **ERRORS}, summary="One region")
def region_detail(request, code: str):
    return selectors.region_get(user=request.auth, code=code)


# ---- organisations ----


@router.get(
    "/organisations/",
    response={200: list[OrganisationOut], **ERRORS},
    summary="List organisations",
)
@paginate(Paginated, page_size=100)
def organisation_list(request, filters: Query[OrganisationFilters]):
    """Organisations in scope, filtered like the list page (active ones unless asked)."""
    user = request.auth
    ensure_can(user, "regions.view_organisation")
    data = {
        k: ("true" if v is True else "false" if v is False else v)
        for k, v in filters.dict().items()
        if v is not None
    }
    queryset = selectors.organisation_list(user=user)
    filterset = OrganisationFilterSet(data, queryset=queryset, user=user)
    if not filterset.is_valid():
        raise ValidationError({f: list(e) for f, e in filterset.form.errors.items()})
    return filterset.qs.order_by("region_id", "name", "id")


@router.get(
    "/organisations/{int:pk}",
    response={200: OrganisationOut, **ERRORS},
    summary="One organisation",
)
def organisation_detail(request, pk: Id):
    return selectors.organisation_get(user=request.auth, pk=pk)


@router.post(
    "/organisations/",
    response={201: OrganisationOut, 409: ErrorOut, **ERRORS},
    summary="Register an organisation",
)
def organisation_create(request, payload: OrganisationIn):
    user = request.auth
    fields = _organisation_fields(user, payload.dict())
    organisation = services.organisation_create(actor=user, **fields)
    return Status(201, organisation)


@router.patch(
    "/organisations/{int:pk}",
    response={200: OrganisationOut, 409: ErrorOut, **ERRORS},
    summary="Change an organisation",
)
def organisation_update(request, pk: Id, payload: OrganisationPatch):
    user = request.auth
    organisation = selectors.organisation_get(user=user, pk=pk)
    data = payload.dict(exclude_unset=True)
    fields = _organisation_fields(user, data)
    services.organisation_update(
        actor=user, organisation=organisation, expected_version=payload.version, **fields
    )
    return selectors.organisation_get(user=user, pk=pk)
