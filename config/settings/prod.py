"""Production settings: everything secret or site-specific comes from the environment."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import TIANTOU_FIELD_KEYS, database_from_url

SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",")
DATABASES = {"default": database_from_url(os.environ["DATABASE_URL"])}
SESSION_COOKIE_SECURE = os.environ.get("DJANGO_SECURE_COOKIES", "1") == "1"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

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
