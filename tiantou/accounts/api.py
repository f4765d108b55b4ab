"""API endpoints about the calling user."""

from ninja import Router, Schema

from . import selectors
from .permissions import perms_within

router = Router(tags=["accounts"])


class MembershipOut(Schema):
    role: str
    role_label: str
    region_code: str | None
    organisation_id: int | None
    scope_label: str


class MeOut(Schema):
    id: int
    username: str
    name: str
    is_superuser: bool
    memberships: list[MembershipOut]
    permissions: list[str]


@router.get("/me", response=MeOut, summary="The calling user, their roles and scopes")
def me(request):
    user = request.auth
    memberships = selectors.own_memberships(user=user)
    permissions: set[str] = set()
    if user.is_superuser:
        permissions = perms_within(user)
    for m in memberships:
        permissions |= perms_within(user, region_code=m.region_id, organisation=m.organisation)
    return {
        "id": user.pk,
        "username": user.username,
        "name": user.name,
        "is_superuser": user.is_superuser,
        "memberships": [
            {
                "role": m.role,
                "role_label": str(m.get_role_display()),
                "region_code": m.region_id,
                "organisation_id": m.organisation_id,
                "scope_label": m.scope_label,
            }
            for m in memberships
        ],
        "permissions": sorted(permissions),
    }
