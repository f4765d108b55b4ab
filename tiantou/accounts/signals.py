"""Audit rows for log-ins, log-outs, failed log-ins and lockouts (等保 2.0 security audit),
and the short wait after every failed log-in."""

import time
from typing import Any

from axes.helpers import get_client_ip_address
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils.translation import gettext as _

from tiantou.core import audit

from .models import User
from .scoping import memberships_of
from .throttle import ip_is_throttled

LOGIN, LOGOUT, LOGIN_FAILED, LOCKED_OUT = "login", "logout", "login_failed", "locked_out"


def _ip_of(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return getattr(request, "axes_ip_address", None) or get_client_ip_address(request) or ""


def _record(
    *,
    event: str,
    note: str,
    request: HttpRequest | None,
    user: User | None,
    username: str,
    actor: User | None,
) -> None:
    """One audit row about a user account, or about a user name that has none."""
    region_code = ""
    if user is not None:
        memberships = memberships_of(user)
        region_code = memberships[0].scope_region_code if memberships else ""
    details: dict[str, Any] = {"event": event, "username": username, "ip_address": _ip_of(request)}
    audit.record_event(
        actor=actor,
        model=User,
        object_id=str(user.pk) if user is not None else "",
        object_repr=str(user) if user is not None else username,
        note=note,
        details=details,
        region_code=region_code,
    )


def _user_named(username: str) -> User | None:
    if not username:
        return None
    return User.objects.filter(username__iexact=username).first()


@receiver(user_logged_in, dispatch_uid="accounts_audit_login")
def audit_login(sender, request: HttpRequest | None, user: User, **kwargs) -> None:
    ip_address = _ip_of(request)
    _record(
        event=LOGIN,
        note=_("Logged in from %(ip)s.") % {"ip": ip_address or "?"},
        request=request,
        user=user,
        username=user.get_username(),
        actor=user,
    )


@receiver(user_logged_out, dispatch_uid="accounts_audit_logout")
def audit_logout(sender, request: HttpRequest | None, user: User | None, **kwargs) -> None:
    if user is None:  # a log-out without a session
        return
    _record(
        event=LOGOUT,
        note=_("Logged out from %(ip)s.") % {"ip": _ip_of(request) or "?"},
        request=request,
        user=user,
        username=user.get_username(),
        actor=user,
    )


@receiver(user_login_failed, dispatch_uid="accounts_audit_login_failed")
def audit_login_failed(sender, credentials: dict, request: HttpRequest | None = None, **kwargs):
    username = str(credentials.get("username") or "")[:150]
    _record(
        event=LOGIN_FAILED,
        note=_("Failed log-in as %(username)s from %(ip)s.")
        % {"username": username or "?", "ip": _ip_of(request) or "?"},
        request=request,
        user=_user_named(username),
        username=username,
        actor=None,
    )
    # Every failure waits a moment: guessing slows down without anyone being locked out.
    delay = settings.TIANTOU_LOGIN_FAILURE_DELAY
    if delay > 0:
        time.sleep(delay)


@receiver(user_locked_out, dispatch_uid="accounts_audit_locked_out")
def audit_locked_out(sender, request: HttpRequest, username: str | None, ip_address: str, **kwargs):
    username = str(username or "")[:150]
    if request is not None and ip_is_throttled(request):
        note = _("Address %(ip)s refused after too many failed log-ins (user name %(username)s).")
    else:
        note = _("User name %(username)s locked from %(ip)s after too many failed log-ins.")
    _record(
        event=LOCKED_OUT,
        note=note % {"username": username or "?", "ip": ip_address or "?"},
        request=request,
        user=_user_named(username),
        username=username,
        actor=None,
    )
