"""Linju settings, read from the environment (12-factor).

Defaults are safe for production (DEBUG off, secure cookies when not debugging) except that
the embedded SQLite database and local media let `make demo` run on a bare machine.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

DEBUG = env.bool("LINJU_DEBUG", default=False)
SECRET_KEY = env.str("LINJU_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG and env.bool("LINJU_REQUIRE_SECRET_KEY", default=False):
        raise environ.ImproperlyConfigured("LINJU_SECRET_KEY must be set in production")
    # A local, per-checkout key: fine for the demo and tests, never shared.
    SECRET_KEY = "insecure-local-" + str(BASE_DIR)
ALLOWED_HOSTS = env.list("LINJU_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("LINJU_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "linju.core",
    "linju.places",
    "linju.people",
    "linju.reports",
    "linju.deliberation",
    "linju.ratings",
    "linju.points",
    "linju.activities",
    "linju.projects",
    "linju.surveys",
    "linju.services",
    "linju.mutualaid",
    "linju.notices",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "linju.core.security_headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "linju.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "linju.core.middleware.StaffIdleTimeoutMiddleware",
    "linju.people.middleware.AdminTwoFactorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "linju.urls"
WSGI_APPLICATION = "linju.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "linju" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "linju.core.context_processors.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'linju.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite is single-writer: IMMEDIATE transactions make writers queue instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("LINJU_CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users and logins -----------------------------------------------------------------------
AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "linju.people.backends.MobileBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        # ASVS 2.1.1: twelve characters; a passphrase is easier to remember than symbols.
        "OPTIONS": {"min_length": env.int("LINJU_PASSWORD_MIN_LENGTH", default=12)},
    },
    # ASVS 2.1.2: at most 128, so a megabyte "password" cannot keep Argon2 busy.
    {"NAME": "linju.people.passwords.MaximumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "people:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "people:login"

# Lockout after repeated failed logins (django-axes), keyed by mobile number.
AXES_FAILURE_LIMIT = env.int("LINJU_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LINJU_LOGIN_LOCKOUT_MINUTES", default=15))
# Per account, not per IP: phones sit behind carrier-grade NAT, so an IP lockout would lock
# out a whole estate. Hence the silenced axes.W006 below.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_USERNAME_FORM_FIELD = "mobile"
AXES_RESET_ON_SUCCESS = True
# Attempts during a lockout must not extend it, or anyone could keep a password login locked.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "linju.people.views_auth.lockout_response"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "linju.core.net.client_ip"
# How many proxies of ours add to X-Forwarded-For (1 behind one nginx); see core.net.
TRUSTED_PROXY_COUNT = env.int("LINJU_TRUSTED_PROXY_COUNT", default=0)
# Login history and the audit log are kept at least 180 days (security logs; the Cybersecurity
# Law asks for six months). `manage.py purge_logs` removes what is older than these; an audit
# retention of 0 keeps the audit log for ever.
LOGIN_HISTORY_DAYS = env.int("LINJU_LOGIN_HISTORY_DAYS", default=365)
AUDIT_RETENTION_DAYS = env.int("LINJU_AUDIT_RETENTION_DAYS", default=0)

# One-time SMS codes: pluggable sender (console by default, like Django's e-mail backend).
SMS_SENDER = env.str("LINJU_SMS_SENDER", default="linju.people.sms.ConsoleSender")
SMS_WEBHOOK_URL = env.str("LINJU_SMS_WEBHOOK_URL", default="")
SMS_CODE_TTL = timedelta(minutes=env.int("LINJU_SMS_CODE_MINUTES", default=5))
SMS_CODES_PER_HOUR = env.int("LINJU_SMS_CODES_PER_HOUR", default=5)
SMS_RESEND_SECONDS = env.int("LINJU_SMS_RESEND_SECONDS", default=60)
# Per client address, against SMS pumping across many numbers. Generous: a whole estate can sit
# behind one carrier-grade NAT address.
SMS_CODES_PER_IP_HOUR = env.int("LINJU_SMS_CODES_PER_IP_HOUR", default=30)
SMS_MAX_ATTEMPTS = 5

# Mutual aid (docs/mutualaid.md): a post or shared item hides itself at this many distinct open
# flags until staff decide; staff list the posts unclaimed for this many days.
MUTUALAID_FLAGS_TO_HIDE = env.int("LINJU_MUTUALAID_FLAGS_TO_HIDE", default=3)
MUTUALAID_UNCLAIMED_DAYS = env.int("LINJU_MUTUALAID_UNCLAIMED_DAYS", default=7)

# The admin site asks for a password and a code sent to the phone (people.factors).
ADMIN_TWO_FACTORS = env.bool("LINJU_ADMIN_TWO_FACTORS", default=True)
# Staff sessions end after this much inactivity; residents keep theirs (phones).
STAFF_IDLE_TIMEOUT = timedelta(minutes=env.int("LINJU_STAFF_IDLE_MINUTES", default=30))
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30
PRIVACY_NOTICE_VERSION = "2026-11"

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "linju" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env.str("LINJU_TIME_ZONE", default="Asia/Shanghai")

# --- Static and media ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "linju" / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("LINJU_MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {
        "BACKEND": env.str(
            "LINJU_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"
        ),
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
ROSTER_UPLOAD_MAX_BYTES = env.int("LINJU_ROSTER_UPLOAD_MAX_BYTES", default=200 * 1024 * 1024)

# Deliberation (docs/deliberation.md): support that puts a topic on the agenda where no
# support threshold is set for the scope (10 households, or 5% of a scope where that is more);
# days residents rate a published result; hours after a ballot's closing time for entering
# paper sheets before the sweep closes it.
DELIBERATION_SUPPORT = {
    "households": env.int("LINJU_TOPIC_SUPPORT_HOUSEHOLDS", default=10),
    "percent": env.int("LINJU_TOPIC_SUPPORT_PERCENT", default=5),
}
DELIBERATION_EVALUATION_DAYS = env.int("LINJU_EVALUATION_DAYS", default=14)
DELIBERATION_PAPER_ENTRY_HOURS = env.int("LINJU_PAPER_ENTRY_HOURS", default=48)
# Days a published ranking stays open to objections before the ratings sweep locks it.
RATING_OBJECTION_DAYS = env.int("LINJU_RATING_OBJECTION_DAYS", default=7)

# --- Cache, e-mail, tasks ----------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    # Without Redis, a file cache every worker of this host sees: the scope cache and the
    # cached sessions must be the same in every worker, which a per-process cache is not.
    # More than one app host needs REDIS_URL.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": VAR_DIR / "cache",
        }
    }
# Sessions are read on every request and rarely written: from the cache, kept in the database.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("LINJU_FROM_EMAIL", default="linju@localhost")

TASKS = {
    "default": {
        "BACKEND": env.str("LINJU_TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
    }
}
NOTIFY_WEBHOOK_URL = env.str("LINJU_NOTIFY_WEBHOOK_URL", default="")

# --- Security -------------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env.bool("LINJU_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("LINJU_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("LINJU_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): every script and style comes from the app's own static
# files, so an injected <script>, inline handler or style="" does not run. A view that needs
# more gets it from django-csp's decorators, never by loosening this (the admin and the API docs
# need nothing more: tests/browser/test_csp.py).
# LINJU_CSP_REPORT_ONLY=1 sends the same policy as Content-Security-Policy-Report-Only (browsers
# report violations instead of blocking them) to try a change of policy on a live site;
# LINJU_CSP_REPORT_URI names where browsers send those reports.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if env.str("LINJU_CSP_REPORT_URI", default=""):
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"] = [env.str("LINJU_CSP_REPORT_URI")]
if env.bool("LINJU_CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY, CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY, None
# Permissions-Policy (core.security_headers): the camera for report and score photos taken on
# the page (<input capture>); no page uses any other of these powerful features.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "camera": ["self"],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "usb": [],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LINJU_LOG_LEVEL", default="WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 20
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 100
APP_NAME = _("Linju")
