"""The gate: a session that passed the password but still owes its second factor reaches
only the two-factor pages, log-out and static files. API calls with a personal token
(machine access) do not pass through sessions and are not held."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from . import selectors

SESSION_KEY = "tiantou_2fa"
API_PREFIX = "/api/"


def session_state(request: HttpRequest) -> str:
    """The session's two-factor state, worked out once (at log-in, or here for a session
    older than two-factor login)."""
    state = request.session.get(SESSION_KEY)
    if state is None:
        state = selectors.login_state(request.user)  # type: ignore[arg-type]
        request.session[SESSION_KEY] = state
    return state


class TwoFactorMiddleware:
    """Sends a session owing its second factor to the code step or to enrolment."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        state = session_state(request)
        if state == selectors.DONE:
            return self.get_response(request)
        target = reverse(
            "accounts:twofactor_verify"
            if state == selectors.PENDING_VERIFY
            else "accounts:twofactor_enrol"
        )
        if request.path == target or self._always_open(request.path):
            return self.get_response(request)
        if request.path.startswith(API_PREFIX):
            if request.headers.get("Authorization"):
                return self.get_response(request)
            return JsonResponse({"detail": _("Two-factor verification is needed.")}, status=403)
        if request.method == "GET" and not getattr(request, "htmx", False):
            target += "?" + urlencode({"next": request.get_full_path()})
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(target)
        return redirect(target)

    @staticmethod
    def _always_open(path: str) -> bool:
        return path.startswith(settings.STATIC_URL) or path in {
            reverse("logout"),
            reverse("set_language"),
        }
