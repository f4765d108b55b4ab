"""Middleware of the site's security rules (GB/T 22239 level 2/3): session limits and no
caching of signed-in responses. Settings: SESSION_COOKIE_AGE, TIANTOU_SESSION_IDLE_MINUTES."""

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

# Session keys: when the signed-in session started and when its user was last seen.
STARTED_KEY = "tiantou_session_started"
LAST_SEEN_KEY = "tiantou_last_seen"
# The last-seen time is written at most once a minute, not on every request.
LAST_SEEN_RESOLUTION = 60

Handler = Callable[[HttpRequest], HttpResponseBase]


class SessionIdleTimeoutMiddleware:
    """Signs a user out after TIANTOU_SESSION_IDLE_MINUTES without a request (0: never)
    and SESSION_COOKIE_AGE after signing in whatever the activity, with a message saying
    why. The request then goes on as an anonymous one: pages send it to the login page
    (which shows the message), the API answers 401.

    The session's expiry is pinned to sign-in time + SESSION_COOKIE_AGE, so the cookie
    and the stored session end then too, although the session is saved again while it is
    used.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.user.is_authenticated:
            message = self._ended(request)
            if message:
                logout(request)
                messages.warning(request, message)
                htmx = getattr(request, "htmx", None)
                if htmx:
                    # htmx would swap the login page into a fragment: have it load the
                    # login page instead, coming back to the page the user was on.
                    back = htmx.current_url_abs_path or resolve_url(settings.LOGIN_REDIRECT_URL)
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = redirect_to_login(back)["Location"]
                    return response
        return self.get_response(request)

    def _ended(self, request: HttpRequest) -> str:
        """Why the session has ended, or "" while it goes on (recording the activity)."""
        session = request.session
        now = timezone.now()
        started = session.get(STARTED_KEY)
        if started is None:  # a session from before these limits
            _start_clock(session)
            return ""
        elapsed = now.timestamp() - started
        idle = now.timestamp() - session.get(LAST_SEEN_KEY, started)
        if elapsed >= settings.SESSION_COOKIE_AGE:
            return _(
                "You were logged out %(hours)d hours after logging in. Please log in again."
            ) % {"hours": settings.SESSION_COOKIE_AGE // 3600}
        minutes = settings.TIANTOU_SESSION_IDLE_MINUTES
        if minutes and idle >= minutes * 60:
            return _(
                "You were logged out after %(minutes)d minutes without activity. "
                "Please log in again."
            ) % {"minutes": minutes}
        if idle >= LAST_SEEN_RESOLUTION:
            session[LAST_SEEN_KEY] = now.timestamp()
        return ""


def start_session_clock(sender: object, request: HttpRequest, **kwargs: object) -> None:
    """At each login (the user_logged_in signal): the session's limits count from now."""
    _start_clock(request.session)


def _start_clock(session: SessionBase) -> None:
    now = timezone.now()
    session[STARTED_KEY] = session[LAST_SEEN_KEY] = now.timestamp()
    session.set_expiry(now + timedelta(seconds=settings.SESSION_COOKIE_AGE))


class NoStoreForSignedInMiddleware:
    """`Cache-Control: no-store` (and the rest of never_cache) on every response to a
    signed-in user or an API token: pages, JSON and files carry personal data that must
    not stay in browser or proxy caches. Static files are served before this runs."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        signed_in = request.user.is_authenticated or "HTTP_AUTHORIZATION" in request.META
        if signed_in and "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response
