"""Settings for `make run`: the embedded SQLite database under var/, served by gunicorn."""

import os
import secrets

from .base import *  # noqa: F403
from .base import VAR_DIR, database_from_url

VAR_DIR.mkdir(exist_ok=True)


def _local_secret_key() -> str:
    """A per-installation secret key, made once and kept in var/."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or _local_secret_key()
DEBUG = os.environ.get("DJANGO_DEBUG") == "1"
DATABASES = {
    "default": database_from_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tiantou.sqlite3'}")
    )
}
