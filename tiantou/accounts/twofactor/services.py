"""Every write to a user's second factor: enrolment, verification, disabling and resets."""

from binascii import unhexlify

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from tiantou.core import audit
from tiantou.core.models import AuditAction

from ..models import User
from ..services import _ensure_can_manage
from . import selectors

RECOVERY_CODE_COUNT = 10
# Steps of 30 s accepted either side of now, for a phone whose clock is a little off.
TOLERANCE = 1


def new_key() -> str:
    """A fresh random TOTP key (hex), kept in the session until the user confirms it."""
    return default_key()


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _delete_devices(user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


@transaction.atomic
def enrol(*, actor: User, key: str, code: str) -> list[str]:
    """Confirm the authenticator app holding `key` with its first code and replace any
    earlier second factor; returns the new recovery codes (shown once, never again)."""
    if actor.is_demo:
        raise PermissionDenied(_("Demo accounts are shared and cannot use two-factor login."))
    code = _normalise(code)
    totp = TOTP(unhexlify(key.encode()), step=30, t0=0, digits=6, drift=0)
    if not (code.isdigit() and totp.verify(int(code), tolerance=TOLERANCE)):
        raise ValidationError({"code": _("The code is wrong or has expired. Try the next one.")})
    _delete_devices(actor)
    TOTPDevice.objects.create(
        user=actor,
        name=_("Authenticator app"),
        key=key,
        tolerance=TOLERANCE,
        drift=totp.drift,
        last_t=totp.t(),
        confirmed=True,
    )
    static = StaticDevice.objects.create(user=actor, name=_("Recovery codes"), confirmed=True)
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=c) for c in codes)
    audit.record(actor=actor, obj=actor, action=AuditAction.OTHER, note="two-factor enrolled")
    return codes


@transaction.atomic
def verify(*, actor: User, code: str) -> TOTPDevice | StaticDevice | None:
    """Check a code from the app, or a recovery code (which is used up); returns the
    device that accepted it, or None. Wrong codes slow further attempts down."""
    code = _normalise(code)
    if not code:
        return None
    if code.isdigit():
        for device in TOTPDevice.objects.filter(user=actor, confirmed=True):
            if device.verify_token(code):
                return device
        return None
    for static in StaticDevice.objects.filter(user=actor, confirmed=True):
        if static.verify_token(code):
            audit.record(
                actor=actor, obj=actor, action=AuditAction.OTHER, note="recovery code used"
            )
            return static
    return None


@transaction.atomic
def disable(*, actor: User) -> None:
    """Remove one's own second factor; refused where it is required."""
    if selectors.is_required(actor):
        raise PermissionDenied(_("Two-factor login is required for your account."))
    if selectors.has_confirmed_device(actor):
        _delete_devices(actor)
        audit.record(actor=actor, obj=actor, action=AuditAction.OTHER, note="two-factor disabled")


@transaction.atomic
def reset(*, actor: User, user: User, reason: str) -> None:
    """Remove another user's second factor (a lost phone), by an administrator who manages
    that user; the user sets it up again at the next log-in where it is required."""
    _ensure_can_manage(actor, user)
    if user.pk == actor.pk:
        raise ValidationError(_("Use your own account page to change your two-factor login."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the reset.")})
    _delete_devices(user)
    audit.record(
        actor=actor, obj=user, action=AuditAction.OTHER, note=f"two-factor reset: {reason}"
    )
