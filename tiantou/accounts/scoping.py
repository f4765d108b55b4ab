"""What part of the tree a user can see: the union of their memberships' subtrees.

`scope_for(user)` is computed once per user object (one query) and cached on it.
"""

from dataclasses import dataclass, field

from django.db.models import Q

from tiantou.core import regioncodes

_CACHE_ATTR = "_tiantou_scope"


@dataclass(frozen=True)
class Scope:
    """Region subtrees (as code ranges) and organisations a user may see."""

    everything: bool = False
    ranges: tuple[tuple[str, str], ...] = ()
    organisation_ids: frozenset[int] = field(default_factory=frozenset)

    def region_q(self, field_name: str) -> Q:
        """A filter on a region-code column: inside one of the subtrees."""
        if self.everything:
            return Q()
        q = Q(pk__in=[])
        for low, high in self.ranges:
            q |= Q(**{f"{field_name}__range": (low, high)})
        return q

    def organisation_q(self, field_name: str) -> Q:
        if self.everything:
            return Q()
        return Q(**{f"{field_name}__in": sorted(self.organisation_ids)})

    def contains_code(self, code: str) -> bool:
        return self.everything or any(low <= code <= high for low, high in self.ranges)

    def ancestor_codes(self) -> list[str]:
        """Codes of the regions above the scope's roots (a county's city and province).

        Things run from above (a county's programmes, seen from a township) are visible.
        """
        codes: set[str] = set()
        for low, _high in self.ranges:
            parent = regioncodes.parent_code(low)
            while parent is not None:
                codes.add(parent)
                parent = regioncodes.parent_code(parent)
        return sorted(codes)

    def region_or_above_q(self, field_name: str) -> Q:
        """A filter on a region-code column: inside the scope, or above it."""
        if self.everything:
            return Q()
        return self.region_q(field_name) | Q(**{f"{field_name}__in": self.ancestor_codes()})

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.ranges or self.organisation_ids)


def memberships_of(user) -> list:
    """The user's memberships with their regions and organisations (one query, cached)."""
    cached = getattr(user, "_tiantou_memberships", None)
    if cached is None:
        cached = list(user.memberships.select_related("region", "organisation"))
        user._tiantou_memberships = cached
    return cached


def scope_for(user) -> Scope:
    """The user's whole scope; anonymous and inactive users see nothing."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    if user.is_superuser:
        scope = Scope(everything=True)
    else:
        memberships = memberships_of(user)
        ranges = {
            regioncodes.subtree_range(m.region_id, m.region.level)
            for m in memberships
            if m.region_id
        }
        orgs = frozenset(m.organisation_id for m in memberships if m.organisation_id)
        scope = Scope(ranges=tuple(sorted(ranges)), organisation_ids=orgs)
    setattr(user, _CACHE_ATTR, scope)
    return scope


def forget_scope(user) -> None:
    """Drop the cached scope after the user's memberships changed."""
    for attr in (_CACHE_ATTR, "_tiantou_memberships"):
        if hasattr(user, attr):
            delattr(user, attr)
