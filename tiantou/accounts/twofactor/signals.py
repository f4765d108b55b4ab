"""Every log-in starts with the session's two-factor state worked out."""

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from . import selectors
from .middleware import SESSION_KEY


@receiver(user_logged_in, dispatch_uid="tiantou_twofactor_state")
def note_login_state(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = selectors.login_state(user)
