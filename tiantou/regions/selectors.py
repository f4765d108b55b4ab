"""Every read of regions and organisations, starting from what the user may see."""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404

from tiantou.accounts.scoping import scope_for

from .choices import Level
from .models import Organisation, Region


def region_get(*, user, code: str) -> Region:
    """One region in the user's scope, or 404."""
    return get_object_or_404(Region.objects.visible_to(user).select_related("parent"), code=code)


def organisation_get(*, user, pk: int) -> Organisation:
    """One organisation in the user's scope, or 404."""
    return get_object_or_404(
        Organisation.objects.visible_to(user).select_related("region", "parent"), pk=pk
    )


def scope_summary(*, user) -> dict:
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


def top_regions(*, user) -> list[Region]:
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
