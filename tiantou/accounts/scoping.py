"""What part of the tree a user can see: the union of their memberships' subtrees.

`scope_for(user)` is computed once per user object (one query) and cached on it.
`oversight_scope_for(user)` is the part of it that reaches other people's records;
`permission_scope_for(user, perm)` the part where the user holds one permission.
"""

from dataclasses import dataclass, field

from django.db.models import Q

from tiantou.core import regioncodes

from .roles import ROLE_PERMISSIONS, Role

_CACHE_ATTR = "_tiantou_scope"
_OVERSIGHT_CACHE_ATTR = "_tiantou_oversight_scope"
_PERMISSION_CACHE_PREFIX = "_tiantou_scope_of_"
# Roles held on a region to work there, not to oversee it: the holder sees the region
# (its villages and units, to record work there) but, of the people, postings and work
# in it, only their own.
SELF_SERVICE_ROLES = frozenset({Role.CADRE})


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


def _scope_of(user, attr: str, *, skip_roles: frozenset = frozenset()) -> Scope:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    cached = getattr(user, attr, None)
    if cached is not None:
        return cached
    if user.is_superuser:
        scope = Scope(everything=True)
    else:
        memberships = [m for m in memberships_of(user) if m.role not in skip_roles]
        ranges = {
            regioncodes.subtree_range(m.region_id, m.region.level)
            for m in memberships
            if m.region_id
        }
        orgs = frozenset(m.organisation_id for m in memberships if m.organisation_id)
        scope = Scope(ranges=tuple(sorted(ranges)), organisation_ids=orgs)
    setattr(user, attr, scope)
    return scope


def scope_for(user) -> Scope:
    """The user's whole scope; anonymous and inactive users see nothing."""
    return _scope_of(user, _CACHE_ATTR)


def oversight_scope_for(user) -> Scope:
    """The scope over other people's records (people, postings, applications, activities):
    every membership but a self-service one. A cadre's own records are added by each
    `visible_to` through the user, not through this scope."""
    return _scope_of(user, _OVERSIGHT_CACHE_ATTR, skip_roles=SELF_SERVICE_ROLES)


def permission_scope_for(user, perm: str) -> Scope:
    """The scope of the memberships whose role grants `perm`: for records that only some
    roles may see (discipline cases), whatever else the user's other roles show."""
    skip = frozenset(role for role, perms in ROLE_PERMISSIONS.items() if perm not in perms)
    return _scope_of(user, _PERMISSION_CACHE_PREFIX + perm, skip_roles=skip)


def forget_scope(user) -> None:
    """Drop the cached scope after the user's memberships changed."""
    cached = [attr for attr in vars(user) if attr.startswith(_PERMISSION_CACHE_PREFIX)]
    for attr in (_CACHE_ATTR, _OVERSIGHT_CACHE_ATTR, "_tiantou_memberships", *cached):
        if hasattr(user, attr):
            delattr(user, attr)
