"""Test settings: fast hashing, SQLite in memory unless TIANTOU_TEST_DATABASE_URL is set."""

import os

from .base import *  # noqa: F403
from .base import STORAGES, database_from_url

SECRET_KEY = "test-only-not-secret"  # noqa: S105
TIANTOU_FIELD_KEYS = ["test-only-field-key"]
TIANTOU_DEMO_DATA_ALLOWED = True
# The cast logs in without a second factor; the two-factor tests turn it on.
TIANTOU_2FA_REQUIRED = False
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES = {
    "default": database_from_url(
        os.environ.get("TIANTOU_TEST_DATABASE_URL") or "sqlite:///:memory:"
    )
}
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
# Tests that measure the delay set it themselves.
TIANTOU_LOGIN_FAILURE_DELAY = 0.0
