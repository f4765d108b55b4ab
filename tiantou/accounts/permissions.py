"""Object-level permission checks: a role's permission counts only inside its scope."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tiantou.core import audit, regioncodes

from .roles import ROLE_PERMISSIONS
from .scoping import memberships_of


def organisation_ids_of(obj) -> set[int]:
    """The organisations an object belongs to, for roles held on an organisation.

    An organisation belongs to itself; other objects say so through
    `scope_organisation_ids` (a person: their home unit) or an `organisation_id` field.
    """
    if obj.__class__.__name__ == "Organisation":
        return {obj.pk}
    ids = getattr(obj, "scope_organisation_ids", None)
    if ids is not None:
        return set(ids)
    org_id = getattr(obj, "organisation_id", None)
    return {org_id} if org_id else set()


def _membership_covers(membership, obj) -> bool:
    """Whether a membership's scope contains `obj` (a region-placed object or an organisation)."""
    if obj is None:
        return True
    if membership.organisation_id:
        return membership.organisation_id in organisation_ids_of(obj)
    code = getattr(obj, "scope_region_code", "")
    return bool(code) and regioncodes.contains(membership.region_id, code, membership.region.level)


def has_perm(user, perm: str, obj=None) -> bool:
    """Whether `user` holds `perm` through a membership whose scope contains `obj`.

    With no object, any membership granting the permission is enough (used to show
    or hide buttons and menus).
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(
        perm in ROLE_PERMISSIONS.get(m.role, ()) and _membership_covers(m, obj)
        for m in memberships_of(user)
    )


def ensure_can(user, perm: str, obj=None) -> None:
    """Raise PermissionDenied (HTTP 403) unless `has_perm`."""
    if not has_perm(user, perm, obj):
        raise PermissionDenied(_("You do not have the right to do this."))


def audit_history(user, obj, rows: int = 50) -> list | None:
    """An object's latest audit rows for users who may read the audit log, else None."""
    if not has_perm(user, "core.view_auditentry", obj):
        return None
    return list(audit.entries_for(obj)[:rows])


def perms_within(user, region_code: str | None = None, organisation=None) -> set[str]:
    """Every permission `user` holds over a region code or an organisation."""
    if user.is_superuser:
        return {p for perms in ROLE_PERMISSIONS.values() for p in perms}
    held: set[str] = set()
    for m in memberships_of(user):
        if m.organisation_id:
            covers = organisation is not None and organisation.pk == m.organisation_id
        else:
            code = region_code or (organisation.region_id if organisation else "")
            covers = bool(code) and regioncodes.contains(m.region_id, code, m.region.level)
        if covers:
            held |= ROLE_PERMISSIONS.get(m.role, frozenset())
    return held
