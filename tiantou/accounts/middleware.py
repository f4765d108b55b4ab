"""Sends a person whose password an administrator chose to change it before anything else."""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

# Pages such a person may still open: the page to change it, log-out, language switching,
# and the second step of the log-in, which comes first (its middleware runs before this one).
ALLOWED_URL_NAMES = frozenset(
    {
        "accounts:profile",
        "logout",
        "login",
        "set_language",
        "accounts:twofactor_verify",
        "accounts:twofactor_enrol",
    }
)


class PasswordChangeRequiredMiddleware:
    """Redirect a session user with `must_change_password` to My account until they change
    it. API calls with a personal token carry no session user and pass untouched."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not self._allowed(request)
        ):
            return self._to_password_page(request)
        return self.get_response(request)

    @staticmethod
    def _allowed(request: HttpRequest) -> bool:
        path = request.path_info
        if path.startswith((settings.STATIC_URL or "/static/", settings.MEDIA_URL or "/media/")):
            return True
        try:
            match = resolve(path)
        except Resolver404:
            return True  # a 404 page is no way round the rule
        return match.view_name in ALLOWED_URL_NAMES

    @staticmethod
    def _to_password_page(request: HttpRequest) -> HttpResponse:
        target = reverse("accounts:profile")
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(target)
        messages.warning(
            request,
            _(
                "Your password was set by an administrator. Choose a new password of your "
                "own before you go on."
            ),
        )
        return redirect(target)
