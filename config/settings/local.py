"""Settings for `make run`: the embedded SQLite database under var/, served by gunicorn."""

import os
import secrets

from .base import *  # noqa: F403
from .base import TIANTOU_FIELD_KEYS, VAR_DIR, database_from_url

VAR_DIR.mkdir(exist_ok=True)


def _local_secret(name: str, initial: str | None = None) -> str:
    """A per-installation secret, made once and kept in var/."""
    path = VAR_DIR / name
    if not path.exists():
        path.write_text(initial or secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def _local_field_key() -> str:
    """The key of protected personal data, kept in var/ apart from SECRET_KEY.

    An installation made before the key had its own file encrypted with SECRET_KEY: it
    keeps that value as its field key, so that its stored ID numbers stay readable.
    """
    existing = (VAR_DIR / "tiantou.sqlite3").exists()
    return _local_secret("field_key", SECRET_KEY if existing else None)


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or _local_secret("secret_key")
TIANTOU_FIELD_KEYS = TIANTOU_FIELD_KEYS or [_local_field_key()]
TIANTOU_DEMO_DATA_ALLOWED = True
# The demo stays open to anyone: administrators need no second factor here unless
# TIANTOU_2FA_REQUIRED=1 (accounts that set one up are still asked for it).
TIANTOU_2FA_REQUIRED = os.environ.get("TIANTOU_2FA_REQUIRED") == "1"
DEBUG = os.environ.get("DJANGO_DEBUG") == "1"
DATABASES = {
    "default": database_from_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tiantou.sqlite3'}")
    )
}
