"""Every read of regions and organisations, starting from what the user may see."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.shortcuts import get_object_or_404

from tiantou.accounts.models import User
from tiantou.accounts.permissions import has_perm
from tiantou.accounts.roles import ROLE_PERMISSIONS
from tiantou.accounts.scoping import memberships_of, scope_for
from tiantou.core import regioncodes
from tiantou.core.audit import entries_for
from tiantou.core.models import AuditEntry

from .choices import Level
from .models import Organisation, Region


def region_get(*, user: User, code: str) -> Region:
    """One region in the user's scope, or 404."""
    return get_object_or_404(Region.objects.visible_to(user).select_related("parent"), code=code)


def organisation_get(*, user: User, pk: int) -> Organisation:
    """One organisation in the user's scope, or 404."""
    return get_object_or_404(
        Organisation.objects.visible_to(user).select_related("region", "parent"), pk=pk
    )


def scope_summary(*, user: User) -> dict:
    """Counts for the dashboard: regions by level and organisations by kind, in scope.

    Two grouped queries whatever the size of the scope.
    """
    by_level = dict(
        Region.objects.visible_to(user)
        .filter(is_active=True)
        .values_list("level")
        .annotate(n=Count("code"))
        .values_list("level", "n")
    )
    by_kind = dict(
        Organisation.objects.visible_to(user)
        .filter(is_active=True)
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    return {
        "townships": by_level.get(Level.TOWNSHIP, 0),
        "villages": by_level.get(Level.VILLAGE, 0),
        "counties": by_level.get(Level.COUNTY, 0),
        "organisations": sum(by_kind.values()),
        "organisations_by_kind": by_kind,
    }


def top_regions(*, user: User) -> list[Region]:
    """The highest regions of the user's scope: where the region browser starts."""
    scope = scope_for(user)
    if scope.everything:
        return list(Region.objects.filter(level=Level.PROVINCE))
    lows = [low for low, _high in scope.ranges]
    regions = Region.objects.filter(code__in=lows)
    # Drop a root that lies inside another root of the same user.
    return [
        r
        for r in regions
        if not any(lo != r.code and lo <= r.code <= hi for lo, hi in scope.ranges)
    ]


def count_filter_in(code_field: str, region: Region) -> Q:
    """A filter selecting rows whose region code lies in `region`'s subtree."""
    return Q(**{f"{code_field}__range": region.subtree})


def organisation_list(*, user: User) -> QuerySet[Organisation]:
    """Organisations in the user's scope with their regions, in code and name order."""
    return Organisation.objects.visible_to(user).select_related("region")


def regions_where_allowed(
    *,
    user: User,
    perm: str,
    levels: Iterable[int] = (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE),
) -> QuerySet[Region]:
    """Active regions of the given levels where `user` holds `perm` (e.g. to add in)."""
    regions = Region.objects.filter(level__in=levels, is_active=True).select_related("parent")
    if user.is_superuser:
        return regions
    q = Q(pk__in=[])
    for m in memberships_of(user):
        if m.region_id and perm in ROLE_PERMISSIONS.get(m.role, ()):
            q |= Q(code__range=m.region.subtree)
    return regions.filter(q)


def organisation_history(*, user: User, organisation: Organisation) -> QuerySet[AuditEntry]:
    """The audit rows of an organisation, or none for users who may not read the audit log."""
    if not has_perm(user, "core.view_auditentry", organisation):
        return AuditEntry.objects.none()
    return entries_for(organisation)


SEARCH_LIMIT = 50


def region_ancestors(*, user: User, region: Region) -> list[tuple[Region, bool]]:
    """The region's ancestors, top first, each with whether it lies in the user's scope."""
    codes: list[str] = []
    parent = regioncodes.parent_code(region.code, region.level)
    while parent is not None:
        codes.append(parent)
        parent = regioncodes.parent_code(parent)
    scope = scope_for(user)
    ancestors = Region.objects.filter(code__in=codes).order_by("level", "code")
    return [(a, scope.contains_code(a.code)) for a in ancestors]


def region_children(*, user: User, region: Region) -> list[Region]:
    """The region's children in scope, each with counts of what its subtree holds.

    Sets `n_children` (regions one level down), `n_villages` and `n_organisations`
    (active ones in the child's subtree) on each child: three grouped queries for all
    children together (per distinct child level; a tree level is never mixed in
    practice), whatever their number.
    """
    children = list(Region.objects.visible_to(user).filter(parent=region).order_by("code"))
    if not children:
        return children
    n_children = dict(
        Region.objects.filter(parent__parent=region, is_active=True)
        .values_list("parent_id")
        .annotate(n=Count("code"))
        .values_list("parent_id", "n")
    )
    n_villages: dict[str, int] = {}
    n_organisations: dict[str, int] = {}
    for length in sorted({regioncodes.PREFIX_LENGTH[c.level] for c in children}):
        n_villages |= _count_by_prefix(
            Region.objects.filter(code__range=region.subtree, level=Level.VILLAGE),
            "code",
            length,
        )
        n_organisations |= _count_by_prefix(
            Organisation.objects.visible_to(user).filter(region__code__range=region.subtree),
            "region_id",
            length,
        )
    for child in children:
        prefix = regioncodes.prefix_of(child.code, child.level)
        child.n_children = n_children.get(child.code, 0)
        child.n_villages = n_villages.get(prefix, 0)
        child.n_organisations = n_organisations.get(prefix, 0)
    return children


def _count_by_prefix(queryset: QuerySet[Any], field: str, length: int) -> dict[str, int]:
    """Active rows of `queryset` counted by the first `length` digits of `field`."""
    return dict(
        queryset.filter(is_active=True)
        .annotate(prefix=Substr(field, 1, length))
        .values_list("prefix")
        .annotate(n=Count("pk"))
        .values_list("prefix", "n")
    )


def region_search(*, user: User, q: str, limit: int = SEARCH_LIMIT) -> list[Region]:
    """Regions in the user's scope whose name contains `q`, higher levels first."""
    q = q.strip()
    if not q:
        return []
    return list(
        Region.objects.visible_to(user)
        .filter(name__icontains=q)
        .select_related("parent")
        .order_by("level", "code")[:limit]
    )
