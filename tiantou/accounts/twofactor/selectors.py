"""Reads about a user's second factor: whether it is required, whether it is set up."""

from base64 import b32encode

from django.conf import settings
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..models import User
from ..roles import Role
from ..scoping import memberships_of


def is_required(user: User) -> bool:
    """Whether the user must use a second factor: system administrators (superusers) and
    county administrators, while `TIANTOU_2FA_REQUIRED` is on. Shared demo accounts never
    must (one visitor's phone would lock everyone else out)."""
    if not getattr(settings, "TIANTOU_2FA_REQUIRED", False) or user.is_demo:
        return False
    if user.is_superuser:
        return True
    return any(m.role == Role.COUNTY_ADMIN for m in memberships_of(user))


def is_enrolled(user: User) -> bool:
    """Whether the user has a confirmed authenticator app."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    """How many unused recovery codes the user still has."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def has_confirmed_device(user: User) -> bool:
    """Whether any confirmed second factor (app or recovery codes) exists for the user."""
    return is_enrolled(user) or StaticDevice.objects.filter(user=user, confirmed=True).exists()


# Where a logged-in session stands with its second factor (kept in the session).
PENDING_VERIFY = "verify"  # a second factor exists: its code is needed
PENDING_ENROL = "enrol"  # required but not set up yet: set it up first
DONE = "done"  # checked, or not needed


def login_state(user: User) -> str:
    """What a session that just passed the password needs before it may go on."""
    if has_confirmed_device(user):
        return PENDING_VERIFY
    if is_required(user):
        return PENDING_ENROL
    return DONE


def provisioning(user: User, key: str) -> dict[str, str]:
    """What an authenticator app needs to hold `key`: the secret in base32 (grouped by
    four for reading aloud), the otpauth URL and that URL as an inline SVG QR code."""
    import segno

    device = TOTPDevice(user=user, key=key)
    url = device.config_url
    secret = b32encode(device.bin_key).decode()
    return {
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "url": url,
        "qr": segno.make(url, error="m").svg_data_uri(scale=5, border=2),
    }


def totp_device(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()
