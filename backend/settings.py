"""Préau settings, read from the environment.

Nothing configured gives the embedded mode: a SQLite file in ``PREAU_DATA_DIR`` and the
in-process channel layer. ``DATABASE_URL`` and ``REDIS_URL`` select the scaled mode.
``PREAU_ENV=production`` turns on the production profile, which refuses to start with an
insecure configuration (see ``_check_production``).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from backend.common.storage import S3, default_storage_from_env

BASE_DIR = Path(__file__).resolve().parent.parent


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def _env_bool(name: str, default: bool = False) -> bool:
    raw = _env(name)
    if not raw:
        return default
    return raw.lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: list[str]) -> list[str]:
    raw = _env(name)
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


PREAU_ENV = _env("PREAU_ENV", "development")
PRODUCTION = PREAU_ENV == "production"
DEBUG = _env_bool("DEBUG", default=False)

DATA_DIR = Path(_env("PREAU_DATA_DIR") or BASE_DIR / "var").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

_DEV_SECRET = "insecure-dev-secret-key-change-me-in-production-0123456789"
SECRET_KEY = _env("SECRET_KEY") or _DEV_SECRET

ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
# Origins allowed to open a cookie-authenticated WebSocket and to POST with the session.
PREAU_ORIGINS = _env_list("PREAU_ORIGINS", [])
CSRF_TRUSTED_ORIGINS = PREAU_ORIGINS

DATABASE_URL = _env("DATABASE_URL")
REDIS_URL = _env("REDIS_URL")
EMBEDDED = not DATABASE_URL and not REDIS_URL

if DATABASE_URL:
    # Each server thread keeps its connection this many seconds between uses (0: closed after
    # each request or socket call, for a PostgreSQL whose max_connections is tight).
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=int(_env("PREAU_DB_CONN_MAX_AGE", "60"))
        )
    }
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "preau.sqlite3",
            "OPTIONS": {
                # IMMEDIATE: writers take the lock up front instead of failing to upgrade.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": "preau"},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "backend.common",
    "backend.accounts",
    "backend.rooms",
    "backend.messaging",
    "backend.audit",
    "backend.privacy",
    "backend.search",
    "backend.integrations",
    "backend.moderation",
    "backend.webinars",
    "backend.community",
    "backend.jobs",
    "backend.contacts",
    "backend.fiches",
    "backend.home",
    "backend.direct",
    "realtime",
    "web",
]

MIDDLEWARE = [
    # Outermost: its headers reach static files, redirects and error pages too.
    "backend.common.middleware.SecurityHeadersMiddleware",
    # Probes first: load balancers call replicas by address, over plain HTTP (see probes.py).
    "backend.common.probes.ProbeMiddleware",
    "backend.common.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "backend.common.middleware.UploadLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "backend.audit.context.AuditContextMiddleware",
    "backend.accounts.sessions.SessionActivityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "backend.common.middleware.NoIndexMiddleware",
]

ROOT_URLCONF = "backend.urls"
ASGI_APPLICATION = "backend.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "backend.accounts.validators.BreachedPasswordValidator"},
]
# Failed logins: beyond these counts within the window, login answers 429 (see accounts.login).
# The per-address limit stops guessing one agent's password; the per-IP limit is higher
# because a whole town hall may share one public address.
PREAU_LOGIN_WINDOW_SECONDS = int(_env("PREAU_LOGIN_WINDOW_SECONDS", "900"))
PREAU_LOGIN_MAX_FAILURES = int(_env("PREAU_LOGIN_MAX_FAILURES", "5"))
PREAU_LOGIN_MAX_FAILURES_PER_IP = int(_env("PREAU_LOGIN_MAX_FAILURES_PER_IP", "50"))
# Behind a reverse proxy that sets X-Forwarded-For, the client is its last entry.
PREAU_TRUST_X_FORWARDED_FOR = _env_bool("PREAU_TRUST_X_FORWARDED_FOR", default=False)
# Account deletion: "anonymise" keeps the person's messages under "Ancien membre"; "delete"
# deletes them (their events are redacted, as for any deleted message).
PREAU_ERASURE = _env("PREAU_ERASURE", "anonymise")
if PREAU_ERASURE not in ("anonymise", "delete"):
    raise ImproperlyConfigured("PREAU_ERASURE must be 'anonymise' or 'delete'")
# Two-factor authentication: optional for agents; "required" makes platform staff enrol and
# give a code to open the admin.
PREAU_STAFF_2FA = _env("PREAU_STAFF_2FA", "optional")
OTP_TOTP_ISSUER = "Préau"
PASSWORD_RESET_MAX_AGE = int(_env("PREAU_PASSWORD_RESET_MAX_AGE", "3600"))
LOGIN_URL = "/login/"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "backend" / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    # Uploaded files: MEDIA_ROOT, or an S3-compatible bucket when PREAU_S3_BUCKET is set.
    "default": default_storage_from_env(os.environ),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
if STORAGES["default"]["BACKEND"] == S3:
    try:
        import storages.backends.s3  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise ImproperlyConfigured(
            "PREAU_S3_BUCKET is set but django-storages[s3] is missing: pip install 'preau[s3]'."
        ) from exc
# Development and embedded mode serve static files straight from the apps (no collectstatic).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
MEDIA_ROOT = DATA_DIR / "media"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Request bodies: the API refuses anything bigger (too_large), never truncates.
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024

# Email: console in development, SMTP when EMAIL_HOST is set.
EMAIL_HOST = _env("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(_env("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = _env("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = _env("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", default=True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = _env("DEFAULT_FROM_EMAIL", "Préau <no-reply@preau.localhost>")
# Absolute base URL used in emails (verification links).
PREAU_BASE_URL = _env("PREAU_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Cookies and transport security.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A session ends after PREAU_SESSION_IDLE_SECONDS without a request, and in any case
# PREAU_SESSION_MAX_AGE after login (accounts.sessions.SessionActivityMiddleware).
PREAU_SESSION_MAX_AGE = int(_env("PREAU_SESSION_MAX_AGE", str(14 * 24 * 3600)))
PREAU_SESSION_IDLE_SECONDS = int(_env("PREAU_SESSION_IDLE_SECONDS", str(2 * 24 * 3600)))
SESSION_COOKIE_AGE = PREAU_SESSION_MAX_AGE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Redis pub/sub channels are server-wide (not per database): deployments sharing one Redis
# server, and parallel test workers, keep apart by prefix.
PREAU_BUS_PREFIX = _env("PREAU_BUS_PREFIX", "preau")

PREAU = {
    "MESSAGE_MAX_CHARS": 10_000,
    "DOCUMENTS_MAX": 20,
    "VERIFICATION_MAX_AGE": 3 * 24 * 3600,
    "EVENTS_PAGE_MAX": 500,
    "UPLOAD_MAX_BYTES": int(_env("PREAU_UPLOAD_MAX_BYTES", str(20 * 1024 * 1024))),
    # A rotated bot token keeps working this long, so a deployment can switch without a gap.
    "BOT_TOKEN_GRACE_SECONDS": int(_env("PREAU_BOT_TOKEN_GRACE_SECONDS", "3600")),
    # Incoming webhooks: posts per minute per hook and per bot (bursts up to the same number).
    "HOOK_POSTS_PER_MINUTE": int(_env("PREAU_HOOK_POSTS_PER_MINUTE", "30")),
    "BOT_POSTS_PER_MINUTE": int(_env("PREAU_BOT_POSTS_PER_MINUTE", "120")),
    "HOOK_MAX_BYTES": 64 * 1024,
    # Audit entries (and the content of messages hidden by moderators) are kept this long,
    # then removed by `preau purge`: 6 to 12 months.
    "AUDIT_RETENTION_DAYS": int(_env("PREAU_AUDIT_RETENTION_DAYS", "365")),
    # A member's first messages in a room carry the "nouveau membre" mark for moderators.
    "NEWCOMER_MESSAGES": int(_env("PREAU_NEWCOMER_MESSAGES", "3")),
    # Outgoing webhooks: at most this many per bot; each POST bounded by the timeout, retried
    # after these delays (seconds), then marked failed for the owner to see.
    "OUTGOING_HOOKS_PER_BOT": 10,
    "OUTGOING_TIMEOUT_SECONDS": float(_env("PREAU_OUTGOING_TIMEOUT_SECONDS", "5")),
    "OUTGOING_RETRY_DELAYS": [10, 60, 300, 1800],
    # Owners choose the URLs: loopback, private and link-local targets are refused unless
    # their network is listed here (CIDR, e.g. an internal integration host).
    "OUTGOING_ALLOWED_NETWORKS": _env_list("PREAU_OUTGOING_ALLOWED_NETWORKS", []),
    # The worker thread of each server process (outgoing webhooks, scheduled announcements).
    "BACKGROUND_WORKERS": _env("PREAU_BACKGROUND_WORKERS", "1") not in ("0", "false", "no"),
    "WORKER_POLL_SECONDS": 2.0,
    # Earned levels: the points from which levels 1-4 start (1 nouveau membre, 2 membre actif,
    # 3 contributeur, 4 super-contributeur); level 5, animateur référent, is granted by staff.
    "LEVEL_THRESHOLDS": [
        int(x) for x in _env("PREAU_LEVEL_THRESHOLDS", "10,50,200,1000").split(",")
    ],
    # Points per contribution that helps others; an upheld report costs REPORT_UPHELD.
    "POINTS": {
        "thread_reply": 5,
        "reaction": 2,
        "useful": 15,
        "document": 5,
        "reading": 1,
        "report": -25,
        # Fiches pratiques: each contributor (source messages' authors, editors), once per
        # fiche; and once more when an animateur validates it.
        "fiche": 10,
        "fiche_validated": 20,
    },
    # The level from which messages may carry links and files, and rooms may be created.
    "LEVEL_FOR_LINKS": int(_env("PREAU_LEVEL_FOR_LINKS", "2")),
    "LEVEL_FOR_ROOMS": int(_env("PREAU_LEVEL_FOR_ROOMS", "2")),
    # The level from which agents post job offers (staff always may).
    "LEVEL_FOR_JOBS": int(_env("PREAU_LEVEL_FOR_JOBS", "2")),
    # Messages per minute below LEVEL_FOR_LINKS (new members are rate-limited more strictly).
    "NEW_MEMBER_MESSAGES_PER_MINUTE": int(_env("PREAU_NEW_MEMBER_MESSAGES_PER_MINUTE", "5")),
    # The level from which an agent may create and edit fiches pratiques.
    "LEVEL_FOR_FICHES": int(_env("PREAU_LEVEL_FOR_FICHES", "2")),
}
if len(PREAU["LEVEL_THRESHOLDS"]) != 4 or PREAU["LEVEL_THRESHOLDS"] != sorted(
    set(PREAU["LEVEL_THRESHOLDS"])
):
    raise ImproperlyConfigured("PREAU_LEVEL_THRESHOLDS must be 4 increasing numbers of points")
if not 180 <= PREAU["AUDIT_RETENTION_DAYS"] <= 366:
    raise ImproperlyConfigured(
        "PREAU_AUDIT_RETENTION_DAYS must be between 180 and 366 (6-12 months)"
    )

# /metrics: a bearer token, or direct (not proxied) calls from these addresses.
PREAU_METRICS_TOKEN = _env("PREAU_METRICS_TOKEN")
PREAU_METRICS_ALLOW = _env_list(
    "PREAU_METRICS_ALLOW", [] if PREAU_METRICS_TOKEN else ["127.0.0.1", "::1"]
)

# LOG_FORMAT: one JSON object per line (production default) or readable text (development).
LOG_FORMAT = _env("LOG_FORMAT", "json" if PRODUCTION else "text")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "backend.common.logs.JsonFormatter"},
        "text": {"()": "backend.common.logs.TextFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": _env("LOG_LEVEL", "INFO").upper()},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # preau.http logs every request with its status; django.request adds 5xx tracebacks.
        "django.request": {"level": "ERROR"},
        "daphne": {"level": "WARNING"},
    },
}


def _check_production() -> None:
    problems = []
    if SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50:
        problems.append("SECRET_KEY must be set to a random value of at least 50 characters")
    if DEBUG:
        problems.append("DEBUG must be off")
    if not _env("ALLOWED_HOSTS"):
        problems.append("ALLOWED_HOSTS must name the public host names")
    if problems:
        raise ImproperlyConfigured("Insecure production configuration: " + "; ".join(problems))


if PRODUCTION:
    _check_production()
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(_env("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = _env_bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading is a hard-to-undo opt-in for the operator's whole domain, not a default:
        # without it, `check --deploy` stays quiet instead of warning on every deployment.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
