"""Production settings: everything secret or site-specific comes from the environment."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SILENCED_SYSTEM_CHECKS, TIANTOU_FIELD_KEYS, database_from_url

SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",")
DATABASES = {"default": database_from_url(os.environ["DATABASE_URL"])}


def _flag(name: str, default: bool) -> bool:
    """A yes/no setting from the environment: "1" is yes, "0" no."""
    return os.environ.get(name, "1" if default else "0") == "1"


# HTTPS only (GB/T 22239 level 2/3): browsers remember for a year to use HTTPS for the
# site and its subdomains; plain HTTP requests are redirected.
SESSION_COOKIE_SECURE = _flag("DJANGO_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 60 * 60)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
# Only adds "preload" to the header; the site enters browsers' preload lists only when
# someone submits its domain.
SECURE_HSTS_PRELOAD = _flag("DJANGO_HSTS_PRELOAD", True)
SECURE_SSL_REDIRECT = _flag("DJANGO_SECURE_SSL_REDIRECT", True)
# Behind a proxy that terminates TLS, the proxy tells through X-Forwarded-Proto that the
# request came over HTTPS; trust that header only behind such a proxy (it must set it).
if _flag("DJANGO_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not SECURE_SSL_REDIRECT:
    # Set to 0 where the proxy redirects HTTP to HTTPS itself.
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W008"]

# ID numbers are encrypted with their own key: one that changes with SECRET_KEY (or is
# lost with it) would make every stored number unreadable.
if not TIANTOU_FIELD_KEYS:
    raise ImproperlyConfigured(
        "Set TIANTOU_FIELD_KEY, the key of protected personal data (ID numbers), and back "
        "it up with the database: see docs/decisions/0004-protected-id-numbers.md."
    )
if TIANTOU_FIELD_KEYS[0] == SECRET_KEY:
    raise ImproperlyConfigured(
        "TIANTOU_FIELD_KEY must differ from DJANGO_SECRET_KEY: put a new key first and the "
        "old one after a comma, then run manage.py rotate_field_keys."
    )
