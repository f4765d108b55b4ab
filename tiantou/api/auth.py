"""API authentication: a personal token as a Bearer header, or the browser's session."""

from ninja.security import HttpBearer, django_auth

from tiantou.accounts.services import token_authenticate


class PersonalToken(HttpBearer):
    """`Authorization: Bearer tt_...` with a live personal token of an active user."""

    def authenticate(self, request, token):
        user = token_authenticate(token)
        if user is not None:
            # Selectors and permission checks read the acting user from the request.
            request.user = user
        return user


# Token first (machines), then the session with its CSRF check (the browser).
API_AUTH = [PersonalToken(), django_auth]
