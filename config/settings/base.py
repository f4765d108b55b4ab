"""Settings shared by every environment; the others import and adjust these."""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"
NODE_MODULES = BASE_DIR / "node_modules"

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_filters",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    # Listed so that the API docs page serves Swagger UI from the package's static
    # files instead of a CDN (intranets have no internet).
    "ninja",
    "tiantou.core",
    "tiantou.accounts",
    "tiantou.regions",
    "tiantou.people",
    "tiantou.ledger",
    "tiantou.indicators",
    "tiantou.targets",
    "tiantou.reports",
    "tiantou.api",
    "tiantou.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "tiantou.api.middleware.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "tiantou.core.middleware.SessionIdleTimeoutMiddleware",
    "tiantou.accounts.twofactor.middleware.TwoFactorMiddleware",
    "tiantou.accounts.middleware.PasswordChangeRequiredMiddleware",
    "tiantou.core.middleware.NoStoreForSignedInMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tiantou.web.context_processors.navigation",
            ],
        },
    }
]


def database_from_url(url: str) -> dict[str, Any]:
    """Parse a database URL; SQLite gets WAL mode and a generous busy timeout, PostgreSQL
    runs without JIT compilation (it cost 30–40 ms on each indicator query and saved none:
    see bench/indicators.py --jit-off)."""
    config: dict[str, Any] = dict(
        dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    elif config["ENGINE"] == "django.db.backends.postgresql":
        config.setdefault("OPTIONS", {})["options"] = "-c jit=off"
    return config


AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Password policy (等保 2.0): at least TIANTOU_PASSWORD_MIN_LENGTH characters from at least
# three of upper case, lower case, digits and symbols, not a common password, not like the
# user's own names.
TIANTOU_PASSWORD_MIN_LENGTH = 8
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": TIANTOU_PASSWORD_MIN_LENGTH},
    },
    {"NAME": "tiantou.accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "login"

# Repeated failed logins lock the pair (user name, IP address) for a while: a guesser
# cannot lock a person out from elsewhere. One IP address with many failures across user
# names is refused too, with a limit high enough for a bureau behind one intranet NAT
# address. Both are counted by tiantou.accounts.throttle over AXES_COOLOFF_TIME.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "tiantou.accounts.throttle.LoginThrottleHandler"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
TIANTOU_LOGIN_IP_FAILURE_LIMIT = 30
# Seconds every failed log-in waits before it answers: slows guessing without locking anyone.
TIANTOU_LOGIN_FAILURE_DELAY = 1.0

# Two-factor login (authenticator app, recovery codes) is required of system and county
# administrators; others may turn it on. See docs/decisions/0009-two-factor-login.md.
TIANTOU_2FA_REQUIRED = True
OTP_TOTP_ISSUER = "田头"

# No system check is silenced by default; production adds one where a proxy redirects.
SILENCED_SYSTEM_CHECKS: list[str] = []

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Front-end packages come from npm (package.json); only their dist folders are served.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
# Filter forms: an empty choice reads "all", not dashes.
FILTERS_EMPTY_CHOICE_LABEL = _("All")


def field_keys_from(value: str) -> list[str]:
    """The keys of protected personal data from TIANTOU_FIELD_KEY: one key, or several
    separated by commas, newest first (older ones only decrypt, until rotated away)."""
    return [key.strip() for key in value.split(",") if key.strip()]


# Keys of protected personal data (ID numbers), never SECRET_KEY. See
# docs/decisions/0004-protected-id-numbers.md before changing them.
TIANTOU_FIELD_KEYS = field_keys_from(os.environ.get("TIANTOU_FIELD_KEY", ""))
# Whether `seed_demo` may write demo data here without --force (only `make run` and tests).
TIANTOU_DEMO_DATA_ALLOWED = False
# Largest spreadsheet accepted by the importers.
TIANTOU_IMPORT_MAX_BYTES = 50 * 1024 * 1024
# Days the audit log is kept before `prune_audit` deletes entries (at least 183).
TIANTOU_AUDIT_RETENTION_DAYS = int(os.environ.get("TIANTOU_AUDIT_RETENTION_DAYS", "365"))
# Where `backup` writes its archives, and how many it keeps there: a count ("14") or
# a number of days ("30d").
TIANTOU_BACKUP_DIR = Path(os.environ.get("TIANTOU_BACKUP_DIR", str(VAR_DIR / "backups")))
TIANTOU_BACKUP_KEEP = os.environ.get("TIANTOU_BACKUP_KEEP", "14")
# What an uploaded workbook may hold once unzipped, checked before it is read: all its
# parts together, how much one part may shrink in the zip (a zip bomb shrinks
# thousands of times, a sheet some tens), and the first sheet's extent.
TIANTOU_IMPORT_MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
TIANTOU_IMPORT_MAX_COMPRESSION_RATIO = 200
TIANTOU_IMPORT_MAX_COLUMNS = 200
TIANTOU_IMPORT_MAX_CELLS = 3_000_000

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Sessions (GB/T 22239 level 2/3): at most 8 hours from sign-in, whatever the activity,
# and signed out after TIANTOU_SESSION_IDLE_MINUTES without a request (0: no idle limit).
# Both are enforced by tiantou.core.middleware.SessionIdleTimeoutMiddleware.
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = os.environ.get("TIANTOU_SESSION_BROWSER_CLOSE", "0") == "1"
TIANTOU_SESSION_IDLE_MINUTES = int(os.environ.get("TIANTOU_SESSION_IDLE_MINUTES", "30"))

# Content-Security-Policy: scripts only from the site's own files (no inline script, no
# event handler attributes: behaviours hang on data attributes in static/tiantou/tiantou.js),
# nothing from other hosts (intranets have no internet anyway), no framing.
# Styles allow 'unsafe-inline': the templates set widths and heights in style attributes,
# htmx adds its indicator <style>, Swagger UI (the API docs) and the printable report set
# styles inline, and ECharts styles its tooltips. Inline styles cannot run script, and
# every value in them is escaped by the templates, so the gain of nonces there is small
# against rewriting those pages. img-src allows data: URIs for Bootstrap's and Swagger
# UI's inline SVG icons and for charts saved as images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
