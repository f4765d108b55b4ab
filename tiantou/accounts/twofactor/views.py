"""Pages of one's own second factor (set up, code step, disable) and the administrators'
reset of another user's."""

import django_otp
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from tiantou.core.forms import add_service_errors
from tiantou.core.views import errors_to_messages

from .. import selectors as account_selectors
from ..permissions import ensure_can
from ..views import AuthedRequest
from . import selectors, services
from .forms import CodeForm, ResetForm
from .middleware import SESSION_KEY, session_state

KEY_SESSION_KEY = "tiantou_2fa_key"


def _next_url(request: AuthedRequest) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return "/"


@login_required
def overview(request: AuthedRequest) -> HttpResponse:
    """Profile → two-factor login: whether it is on, required, and the recovery codes left."""
    user = request.user
    return render(
        request,
        "accounts/twofactor/overview.html",
        {
            "enrolled": selectors.is_enrolled(user),
            "required": selectors.is_required(user),
            "codes_left": selectors.recovery_codes_left(user),
        },
    )


@login_required
def enrol(request: AuthedRequest) -> HttpResponse:
    """Set up an authenticator app: QR code and secret, confirmed by a first code; then the
    recovery codes, shown in this response only."""
    if session_state(request) == selectors.PENDING_VERIFY:
        # Only a verified session may replace its second factor.
        return redirect("accounts:twofactor_verify")
    if request.user.is_demo:
        messages.error(request, _("Demo accounts are shared and cannot use two-factor login."))
        return redirect("accounts:twofactor")
    key = request.session.get(KEY_SESSION_KEY)
    if not key:
        key = request.session[KEY_SESSION_KEY] = services.new_key()
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.enrol(actor=request.user, key=key, code=form.cleaned_data["code"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            del request.session[KEY_SESSION_KEY]
            device = selectors.totp_device(request.user)
            django_otp.login(request, device)
            request.session[SESSION_KEY] = selectors.DONE
            response = render(
                request,
                "accounts/twofactor/recovery_codes.html",
                {"codes": codes, "codes_text": "\n".join(codes) + "\n", "next": _next_url(request)},
            )
            response["Cache-Control"] = "no-store"
            return response
    response = render(
        request,
        "accounts/twofactor/enrol.html",
        {
            "form": form,
            "required": selectors.is_required(request.user),
            "next": _next_url(request),
            **selectors.provisioning(request.user, key),
        },
        status=400 if form.errors else 200,
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def verify(request: AuthedRequest) -> HttpResponse:
    """The code step after the password: a code from the app, or a recovery code."""
    if session_state(request) != selectors.PENDING_VERIFY:
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.verify(actor=request.user, code=form.cleaned_data["code"])
        if device is not None:
            django_otp.login(request, device)
            request.session[SESSION_KEY] = selectors.DONE
            if isinstance(device, StaticDevice):
                messages.warning(
                    request,
                    _("You used a recovery code; %(n)s are left.")
                    % {"n": selectors.recovery_codes_left(request.user)},
                )
            return redirect(_next_url(request))
        form.add_error("code", _("The code is wrong or has expired."))
    return render(
        request,
        "accounts/twofactor/verify.html",
        {"form": form, "next": _next_url(request)},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def disable(request: AuthedRequest) -> HttpResponse:
    try:
        services.disable(actor=request.user)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Two-factor login is off for your account."))
    return redirect("accounts:twofactor")


@login_required
@require_POST
def reset(request: AuthedRequest, pk: int) -> HttpResponse:
    """An administrator removes the second factor of a user they manage (404 otherwise)."""
    ensure_can(request.user, "accounts.manage_users")
    user = account_selectors.user_get(actor=request.user, pk=pk)
    form = ResetForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for the reset."))
        return redirect("accounts:user_detail", pk=user.pk)
    try:
        services.reset(actor=request.user, user=user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        errors_to_messages(request, error)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Two-factor login reset; %(name)s sets it up again.") % {"name": user}
        )
    return redirect("accounts:user_detail", pk=user.pk)
