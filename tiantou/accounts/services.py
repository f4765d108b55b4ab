"""Every write to users, memberships and API tokens."""

from typing import TYPE_CHECKING, Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tiantou.core import audit
from tiantou.core.models import AuditAction

from .models import ApiToken, Membership, User, hash_token
from .permissions import ensure_can, has_perm, perms_within
from .roles import ORGANISATION_ROLES, ROLE_PERMISSIONS, Role, role_fits_level
from .scoping import forget_scope, memberships_of

if TYPE_CHECKING:
    from tiantou.regions.models import Organisation, Region


def _ensure_can_manage(actor: User, user: User) -> None:
    """An admin manages a user who holds (or will hold) a membership inside the admin's scope."""
    if actor.is_superuser:
        return
    memberships = memberships_of(user)
    if (
        user.pk
        and memberships
        and not any(
            has_perm(actor, "accounts.manage_users", m.region or m.organisation)
            for m in memberships
        )
    ):
        raise PermissionDenied(_("This user is outside your scope."))
    ensure_can(actor, "accounts.manage_users")


@transaction.atomic
def user_bootstrap_admin(
    *, username: str, password: str, name: str = "", is_demo: bool = False
) -> User:
    """Create the deployment's first administrator (a superuser); used by set-up commands."""
    user = User.objects.create_superuser(username=username, password=password, name=name)
    user.is_demo = is_demo
    user.save(update_fields=["is_demo"])
    audit.record(actor=None, obj=user, action=AuditAction.CREATE, note="bootstrap")
    return user


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    password: str,
    name: str = "",
    phone: str = "",
    is_demo: bool = False,
) -> User:
    """Create an account; it can do nothing until a membership is granted. The person must
    change the password the administrator chose at the first log-in (demo accounts need not)."""
    ensure_can(actor, "accounts.manage_users")
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This user name is already taken.")})
    user = User(
        username=username,
        name=name.strip(),
        phone=phone.strip(),
        is_demo=is_demo,
        must_change_password=not is_demo,
    )
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    audit.record(actor=actor, obj=user, action=AuditAction.CREATE)
    return user


@transaction.atomic
def user_update(*, actor: User, user: User, **changes: Any) -> User:
    """Change a user's name, phone or whether the account is active."""
    _ensure_can_manage(actor, user)
    allowed = {"name", "phone", "is_active"}
    if set(changes) - allowed:
        raise ValueError(f"user_update cannot change {sorted(set(changes) - allowed)}")
    if changes.get("is_active") is False and user.pk == actor.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    before = audit.snapshot(user)
    for key, value in changes.items():
        setattr(user, key, value)
    user.full_clean(exclude=["password"])
    user.save()
    audit.record(actor=actor, obj=user, action=AuditAction.UPDATE, before=before)
    return user


@transaction.atomic
def user_set_password(*, actor: User, user: User, password: str) -> User:
    """Set a new password (one's own, or another's by an admin in scope). A password set by
    an admin must be changed by its owner at the next log-in (demo accounts excepted)."""
    if actor.pk != user.pk:
        _ensure_can_manage(actor, user)
    validate_password(password, user)
    user.set_password(password)
    user.must_change_password = actor.pk != user.pk and not user.is_demo
    user.save(update_fields=["password", "must_change_password"])
    audit.record(actor=actor, obj=user, action=AuditAction.UPDATE, note=_("Password changed"))
    return user


@transaction.atomic
def user_create_with_membership(
    *,
    actor: User,
    username: str,
    password: str,
    role: str,
    region: "Region | None" = None,
    organisation: "Organisation | None" = None,
    name: str = "",
    phone: str = "",
) -> User:
    """Create an account together with its first membership; both or neither are saved."""
    user = user_create(actor=actor, username=username, password=password, name=name, phone=phone)
    membership_grant(actor=actor, user=user, role=role, region=region, organisation=organisation)
    return user


@transaction.atomic
def user_deactivate(*, actor: User, user: User) -> User:
    """Stop an account from logging in or using its tokens; nothing it made is removed."""
    _ensure_can_manage(actor, user)
    if user.pk == actor.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    if user.is_active:
        before = audit.snapshot(user)
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit.record(actor=actor, obj=user, action=AuditAction.DEACTIVATE, before=before)
    return user


@transaction.atomic
def user_reactivate(*, actor: User, user: User) -> User:
    """Let a deactivated account log in again."""
    _ensure_can_manage(actor, user)
    if not user.is_active:
        before = audit.snapshot(user)
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit.record(
            actor=actor, obj=user, action=AuditAction.UPDATE, before=before, note="reactivated"
        )
    return user


@transaction.atomic
def user_change_own_password(*, actor: User, old_password: str, new_password: str) -> User:
    """Change one's own password after proving the old one."""
    if not actor.check_password(old_password):
        raise ValidationError({"old_password": _("Your old password was entered incorrectly.")})
    return user_set_password(actor=actor, user=actor, password=new_password)


@transaction.atomic
def user_unlock(*, actor: User, user: User) -> int:
    """Clear the failed log-ins that locked an account; returns how many records were removed."""
    from axes.utils import reset

    _ensure_can_manage(actor, user)
    removed = reset(username=user.username)
    audit.record(actor=actor, obj=user, action=AuditAction.OTHER, note="unlocked")
    return removed


@transaction.atomic
def membership_grant(
    *,
    actor: User,
    user: User,
    role: str,
    region: "Region | None" = None,
    organisation: "Organisation | None" = None,
) -> Membership:
    """Grant `role` inside a region subtree or an organisation.

    An admin can grant only what they hold: every permission of the role must be one
    the actor holds over that scope, and the actor must be allowed to manage users there.
    """
    if (region is None) == (organisation is None):
        raise ValidationError(_("Choose either a region or an organisation."))
    if role not in ROLE_PERMISSIONS:
        raise ValidationError({"role": _("Unknown role.")})
    if role in ORGANISATION_ROLES and organisation is None:
        raise ValidationError({"organisation": _("This role is held on an organisation.")})
    if role not in ORGANISATION_ROLES and region is None:
        raise ValidationError({"region": _("This role is held on a region.")})
    if region is not None and not role_fits_level(role, region.level):
        raise ValidationError(
            {
                "region": _("%(role)s cannot be held on %(region)s: wrong kind of region.")
                % {"role": Role(role).label, "region": region}
            }
        )
    target = region or organisation
    ensure_can(actor, "accounts.manage_users", target)
    held = perms_within(actor, region_code=region.pk if region else None, organisation=organisation)
    if not ROLE_PERMISSIONS[role] <= held:
        raise PermissionDenied(_("You can only grant rights you hold yourself in that scope."))
    membership, created = Membership.objects.get_or_create(
        user=user,
        role=role,
        region=region,
        organisation=organisation,
        defaults={"granted_by": actor if actor.pk else None},
    )
    if created:
        audit.record(actor=actor, obj=membership, action=AuditAction.GRANT)
    forget_scope(user)
    return membership


@transaction.atomic
def membership_revoke(*, actor: User, membership: Membership) -> None:
    """Take a membership away; revoking needs the same rights as granting it."""
    ensure_can(actor, "accounts.manage_users", membership.region or membership.organisation)
    held = perms_within(
        actor, region_code=membership.region_id, organisation=membership.organisation
    )
    if not ROLE_PERMISSIONS.get(membership.role, frozenset()) <= held:
        raise PermissionDenied(_("You can only revoke rights you hold yourself in that scope."))
    before = audit.snapshot(membership)
    audit.record(actor=actor, obj=membership, action=AuditAction.REVOKE, before=before)
    user = membership.user
    membership.delete()
    forget_scope(user)


@transaction.atomic
def token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """Make a personal API token for the actor; returns the token and its one-time secret."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, e.g. what it is for.")})
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=actor, name=name, key_hash=hash_token(raw), hint=raw[: len(ApiToken.PREFIX) + 4]
    )
    audit.record(actor=actor, obj=token, action=AuditAction.CREATE)
    return token, raw


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke one of the actor's own tokens; it stops working at once."""
    if token.user_id != actor.pk:
        raise PermissionDenied(_("You can only revoke your own tokens."))
    if token.revoked_at is None:
        before = audit.snapshot(token)
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, obj=token, action=AuditAction.REVOKE, before=before)
    return token


def token_authenticate(raw: str) -> User | None:
    """The active user behind a live token, or None; notes when the token was last used."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw or ""), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
