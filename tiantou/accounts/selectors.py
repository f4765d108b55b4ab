"""Every read of users, memberships and API tokens, limited to what the actor may manage."""

from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from tiantou.core import regioncodes
from tiantou.regions.choices import Level
from tiantou.regions.models import Organisation, Region

from .models import ApiToken, Membership, User
from .roles import ORGANISATION_ROLES, ROLE_PERMISSIONS, Role, role_fits_level
from .scoping import Scope, memberships_of, scope_for

if TYPE_CHECKING:
    from tiantou.regions.models import Organisation, Region

MANAGE_USERS = "accounts.manage_users"


def manage_scope(*, actor: User) -> Scope:
    """The part of the tree where the actor may manage users (memberships granting the right)."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return Scope()
    if actor.is_superuser:
        return scope_for(actor)
    ranges, orgs = set(), set()
    for m in memberships_of(actor):
        if MANAGE_USERS not in ROLE_PERMISSIONS.get(m.role, ()):
            continue
        if m.region_id:
            ranges.add(regioncodes.subtree_range(m.region_id, m.region.level))
        else:
            orgs.add(m.organisation_id)
    return Scope(ranges=tuple(sorted(ranges)), organisation_ids=frozenset(orgs))


def _membership_in_scope_q(scope: Scope, prefix: str = "") -> Q:
    """Memberships on a region inside the scope, or on an organisation placed inside it."""
    if scope.everything:
        return Q()
    return (
        scope.region_q(f"{prefix}region__code")
        | scope.region_q(f"{prefix}organisation__region__code")
        | scope.organisation_q(f"{prefix}organisation_id")
    )


def memberships_in_scope(*, actor: User) -> QuerySet[Membership]:
    """Memberships the actor may see and revoke: those inside the actor's manage scope."""
    scope = manage_scope(actor=actor)
    return Membership.objects.filter(_membership_in_scope_q(scope)).select_related(
        "region", "organisation", "granted_by"
    )


def users_visible_to(*, actor: User) -> QuerySet[User]:
    """Users with at least one membership inside the actor's manage scope (superusers: all)."""
    if getattr(actor, "is_superuser", False) and actor.is_active:
        return User.objects.all()
    scope = manage_scope(actor=actor)
    if scope.is_empty:
        return User.objects.none()
    inside = Membership.objects.filter(_membership_in_scope_q(scope)).values("user_id")
    return User.objects.filter(pk__in=inside)


def user_list(*, actor: User, role: str = "", q: str = "") -> QuerySet[User]:
    """Users the actor manages, filtered by role and name, with their in-scope memberships.

    Two queries whatever the number of rows: the users and one prefetch of memberships.
    """
    users = users_visible_to(actor=actor)
    scoped = memberships_in_scope(actor=actor).order_by("role", "region_id", "organisation_id")
    if role:
        users = users.filter(pk__in=scoped.filter(role=role).values("user_id"))
    q = q.strip()
    if q:
        users = users.filter(Q(name__icontains=q) | Q(username__icontains=q) | Q(phone=q))
    return users.order_by("username").prefetch_related(
        Prefetch("memberships", queryset=scoped, to_attr="scoped_memberships")
    )


def user_get(*, actor: User, pk: int) -> User:
    """One user the actor manages, or 404."""
    return get_object_or_404(users_visible_to(actor=actor), pk=pk)


def user_memberships(*, actor: User, user: User) -> tuple[list[Membership], int]:
    """The user's memberships inside the actor's manage scope, and how many others there are."""
    inside = list(memberships_in_scope(actor=actor).filter(user=user).order_by("role", "region_id"))
    total = Membership.objects.filter(user=user).count()
    return inside, total - len(inside)


def membership_get(*, actor: User, user: User, pk: int) -> Membership:
    """One of the user's memberships inside the actor's manage scope, or 404."""
    return get_object_or_404(memberships_in_scope(actor=actor).filter(user=user), pk=pk)


def own_memberships(*, user: User) -> list[Membership]:
    """The user's own memberships with their regions and organisations."""
    return list(
        Membership.objects.filter(user=user)
        .select_related("region", "organisation")
        .order_by("role", "region_id")
    )


def grantable_roles(*, actor: User) -> list[tuple[str, Any]]:
    """Roles the actor can grant somewhere in their manage scope: all of its rights held there,
    on a region of a level the role fits."""
    if actor.is_superuser:
        return list(Role.choices)
    grantable: set[str] = set()
    for m in memberships_of(actor):
        held = ROLE_PERMISSIONS.get(m.role, frozenset())
        if MANAGE_USERS not in held:
            continue
        top = m.region.level if m.region_id else None
        for role in Role:
            if not ROLE_PERMISSIONS[role] <= held:
                continue
            # A region role needs a level it fits at or below the actor's region.
            fits = top is None or any(role_fits_level(role, lv) for lv in range(top, 6))
            if role in ORGANISATION_ROLES or fits:
                grantable.add(role)
    return [(value, label) for value, label in Role.choices if value in grantable]


def grant_regions(*, actor: User) -> "QuerySet[Region]":
    """Regions (down to township level) where the actor may grant memberships."""
    scope = manage_scope(actor=actor)
    if scope.is_empty:
        return Region.objects.none()
    return Region.objects.filter(scope.region_q("code"), level__lte=Level.TOWNSHIP).order_by("code")


def grant_organisations(*, actor: User) -> "QuerySet[Organisation]":
    """Active organisations where the actor may grant organisation roles."""
    scope = manage_scope(actor=actor)
    if scope.is_empty:
        return Organisation.objects.none()
    return (
        Organisation.objects.filter(scope.region_q("region__code") | scope.organisation_q("id"))
        .filter(is_active=True)
        .select_related("region")
        .order_by("region_id", "name")
    )


def organisation_role_values() -> frozenset[str]:
    """Role values held on an organisation rather than a region."""
    return frozenset(str(r) for r in ORGANISATION_ROLES)


def token_list(*, user: User) -> QuerySet[ApiToken]:
    """The user's own API tokens, newest first."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def token_get(*, user: User, pk: int) -> ApiToken:
    """One of the user's own tokens, or 404."""
    return get_object_or_404(ApiToken, user=user, pk=pk)


def failed_logins(*, user: User) -> int:
    """Failed log-ins recorded for the user's name since the last success or unlock."""
    from axes.models import AccessAttempt

    return sum(
        AccessAttempt.objects.filter(username=user.username).values_list(
            "failures_since_start", flat=True
        )
    )


def account_history(*, actor, user: User, memberships: list[Membership], rows: int = 30):
    """The latest audit rows of an account (log-ins, failures, lockouts, changes) for an actor
    who may read the audit log over one of the account's memberships in view, else None."""
    from tiantou.core import audit

    from .permissions import has_perm

    allowed = actor.is_superuser or any(
        has_perm(actor, "core.view_auditentry", m.region or m.organisation) for m in memberships
    )
    if not allowed:
        return None
    return list(audit.entries_for(user)[:rows])
