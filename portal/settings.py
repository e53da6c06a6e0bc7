"""Django settings, read from the environment (see README, "Configuration").

Without any environment the portal runs in development mode on an SQLite file
with Celery tasks executed in-process; DATABASE_URL and REDIS_URL switch to
PostgreSQL, a Redis broker and cache, and real Celery workers.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from portal.env import (
    ConfigurationError,
    env_bool,
    env_int,
    env_list,
    env_networks,
    env_required,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent

# A source checkout is a development machine; the container image sets DEBUG=false.
DEBUG = env_bool("DEBUG", True)

if DEBUG:
    SECRET_KEY = env_str("SECRET_KEY") or "development-only-not-secret"
else:
    SECRET_KEY = env_required("SECRET_KEY", "it signs sessions and password-reset links")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ConfigurationError("ALLOWED_HOSTS must be set when DEBUG is off (comma-separated)")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL") or ("http://localhost:8000" if DEBUG else None)
if not SITE_URL:
    raise ConfigurationError("SITE_URL must be set when DEBUG is off: links in e-mails use it")

INSTALLED_APPS = [
    # Before the admin, as modeltranslation requires: it registers the translated fields.
    "modeltranslation",
    "portal.admin_site.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "portal",
    "portal.accounts",
    "portal.offices",
    "portal.audit",
    "portal.api",
    "recommendations",
    "assessments",
    "kpi",
    "exports",
    "outbox",
    "roadmap",
    "feedback",
    "practices",
]

MIDDLEWARE = [
    # Outermost: what it puts off runs after every other middleware has answered.
    "outbox.middleware.RunAfterResponseMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.RefuseNulMiddleware",
    # Before anything reads the body: an oversized API body gets a JSON 413.
    "portal.middleware.ApiAnswersJsonMiddleware",
    # Early, so that every answer (the 403 and 404 pages too) carries the policy.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Inside WhiteNoise (static files keep their own compressed copies and byte ranges),
    # outside everything that writes a body. It pads each answer with random bytes, which
    # blunts BREACH-style guessing of the CSRF token through the compressed size. Blocks kept
    # rendered in the cache (charts, the form's sections) are compressed once per process.
    "portal.compression.GZipMiddleware",
    # Inside WhiteNoise (static files stay cacheable), outside everything that answers.
    "portal.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.audit.services.RequestContextMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # The language of whoever logs in during this request, for the next ones.
    "portal.accounts.middleware.AccountLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Needs request.user; sees the 403 and 404 answers of everything below it.
    "portal.audit.middleware.AccessRefusedMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.accounts.middleware.SessionLifetimeMiddleware",
    "portal.accounts.middleware.OTPMiddleware",
    "portal.accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Last, as django-axes asks: turns a locked login into the portal's "try again" page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context_processors.navigation",
                "portal.context_processors.languages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    try:
        DATABASES = {
            "default": dj_database_url.parse(
                DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
            )
        }
    except ValueError as error:
        raise ConfigurationError(f"DATABASE_URL is not a database URL: {error}") from None
    # PostgreSQL plans the busy pages' queries once per connection, not on every request:
    # planning a query that joins five tables costs it ten times more than running it.
    # Django leaves this off for transaction-pooling PgBouncer, which cannot keep a
    # connection's prepared statements: behind one, set DB_PREPARED_STATEMENTS=false.
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
        "DB_PREPARED_STATEMENTS", True
    ):
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=5
        )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "portal.sqlite3",
            # Autosaves from several tabs write at once: WAL and IMMEDIATE transactions
            # make SQLite wait for the lock instead of failing with "database is locked".
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 10,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and Celery broker ---------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
# The cache may have a Redis of its own, one that evicts what is least used when full: the
# broker's Redis must never evict a queued job, so it cannot also hold the cache's copies.
CACHE_URL = env_str("CACHE_URL") or REDIS_URL
if CACHE_URL:
    CACHES = {
        "default": {
            # A miss, not an error, while Redis is down: see portal/cache.py.
            "BACKEND": "portal.cache.ForgivingRedisCache",
            "LOCATION": CACHE_URL,
            # A Redis that does not answer costs a page at most this, not a hung worker.
            "OPTIONS": {
                "socket_connect_timeout": env_int("CACHE_TIMEOUT_MS", 500, minimum=10) / 1000,
                "socket_timeout": env_int("CACHE_TIMEOUT_MS", 500, minimum=10) / 1000,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Without a broker, tasks run in the request that queued them: a newcomer needs nothing
# but Python and uv, and tests see the task's effect at once.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 600, minimum=10)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 5
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("CELERY_WORKER_MAX_TASKS_PER_CHILD", 50, minimum=1)
# Exports run in workers recycled after a few tasks (WeasyPrint's memory is not all given
# back), each under this limit in seconds.
EXPORT_TIME_LIMIT = env_int("EXPORT_TIME_LIMIT", 300, minimum=10)
# A running export writes a heartbeat this often (seconds); one whose heartbeat is older than
# EXPORT_STALLED_SECONDS lost its worker (killed, machine restarted) and is run again, up to
# EXPORT_MAX_ATTEMPTS times in all, then marked failed with "Try again".
EXPORT_HEARTBEAT_SECONDS = env_int("EXPORT_HEARTBEAT_SECONDS", 10, minimum=1)
EXPORT_STALLED_SECONDS = env_int("EXPORT_STALLED_SECONDS", 45, minimum=2)
if EXPORT_STALLED_SECONDS < 2 * EXPORT_HEARTBEAT_SECONDS:
    raise ConfigurationError(
        "EXPORT_STALLED_SECONDS must be at least twice EXPORT_HEARTBEAT_SECONDS, or a live "
        "export would be taken for a lost one"
    )
EXPORT_MAX_ATTEMPTS = env_int("EXPORT_MAX_ATTEMPTS", 3, minimum=1)
# A queue of their own, so that a long annex never delays an invitation or a reminder.
EXPORT_QUEUE = env_str("EXPORT_QUEUE", "exports")
CELERY_TASK_ROUTES = {"exports.tasks.run_export": {"queue": EXPORT_QUEUE}}
# With Redis, a message taken by a worker that then died comes back after this many seconds
# (it must exceed the longest task); the export sweep below does not wait for it.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("BROKER_VISIBILITY_TIMEOUT", 3600, minimum=10)
}
# Seconds before a broker that does not answer counts as unreachable (a page waits this long).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# The outbox (outbox/services.py): how often beat sends again what the broker refused, how
# long a fresh message is left to its own dispatch, how long sent messages are kept.
OUTBOX_SWEEP_SECONDS = env_int("OUTBOX_SWEEP_SECONDS", 30, minimum=1)
OUTBOX_SWEEP_GRACE = 10
OUTBOX_KEEP_DAYS = 7
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "portal.tasks.record_heartbeat", "schedule": 60.0},
    "outbox-sweep": {
        "task": "outbox.tasks.sweep_outbox",
        "schedule": float(OUTBOX_SWEEP_SECONDS),
    },
    "stalled-exports": {
        "task": "exports.tasks.recover_stalled_exports",
        "schedule": 15.0,
    },
    "deadline-reminders": {
        "task": "assessments.tasks.send_deadline_reminders",
        "schedule": crontab(hour=6, minute=0),
    },
    "kpis-of-closed-cycles": {
        "task": "kpi.tasks.recompute_closed_cycles",
        "schedule": crontab(hour=1, minute=0),
    },
    "contact-requests-expiry": {
        "task": "practices.tasks.expire_contact_requests",
        "schedule": crontab(hour=2, minute=0),
    },
    "practices-still-current": {
        "task": "practices.tasks.ask_whether_still_current",
        "schedule": crontab(hour=6, minute=30),
    },
}
CELERY_TIMEZONE = "UTC"

# --- Authentication -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Refuses a locked login before any password is checked; logs no one in itself.
    "axes.backends.AxesStandaloneBackend",
    "portal.accounts.backends.RoleBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3

# Login throttling (django-axes, database handler). Failures are counted per e-mail address
# and client address together: a guesser cannot lock out the colleagues behind the same
# office proxy. A lock always ends after the cooling-off; a success clears the count.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Attempts while locked are refused uncounted, so the page's "try again at" holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_FORM_FIELD = "username"  # the login form's field, which holds the e-mail
AXES_USERNAME_CALLABLE = "portal.accounts.lockout.typed_username"
AXES_CLIENT_IP_CALLABLE = "portal.client_address.client_address"
AXES_LOCKOUT_CALLABLE = "portal.accounts.views.login_locked_out"
# Logins are in the portal's audit log already.
AXES_DISABLE_ACCESS_LOG = True

# Two-factor authentication (django-otp, TOTP): required for co-leads and the secretariat,
# optional for office people (portal.accounts.two_factor).
# The name under which authenticator apps list the portal; not translated, as the entry
# keeps the name it was created with.
OTP_TOTP_ISSUER = "ICT maturity portal"

# Sessions end after SESSION_IDLE_TIMEOUT seconds without a request (a request pushes the
# expiry back, at most once a minute: portal.accounts.middleware) and SESSION_MAX_AGE
# seconds after logging in however active.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60, minimum=60)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT
SESSION_MAX_AGE = env_int("SESSION_MAX_AGE", 12 * 60 * 60, minimum=300)
# Django's database sessions, read with SQL built once per process.
SESSION_ENGINE = "portal.accounts.sessions"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
# With the file backend (django.core.mail.backends.filebased.EmailBackend) mails land here.
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH") or str(BASE_DIR / "sent-mail")
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ICT maturity portal <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
# The six UN languages, in the UN's order; portal/languages.py names each in itself.
LANGUAGES = [
    ("ar", _("Arabic")),
    ("zh-hans", _("Chinese")),
    ("en", _("English")),
    ("fr", _("French")),
    ("ru", _("Russian")),
    ("es", _("Spanish")),
]
# The framework's wording is data in every language (docs/framework-translations.md): one
# column per language on the same rows; the source wording is English, and a text without a
# translation is shown in English. Fixed here rather than taken from LANGUAGES so that a
# change to the interface languages never makes a migration of the framework tables.
MODELTRANSLATION_LANGUAGES = ("ar", "zh-hans", "en", "fr", "ru", "es")
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# The portal's own date formats per language (portal/formats/<locale>/formats.py), before
# Django's: one named format (DATE_FORMAT, DATETIME_FORMAT...) per use, never a pattern
# in a template.
FORMAT_MODULE_PATH = ["portal.formats"]
# Off: years and codes are numbers too, and "2,026" is no year. Figures in the portal stay
# below a thousand; decimals still follow the language (floatformat localises them).
USE_THOUSAND_SEPARATOR = False
TIME_ZONE = "UTC"
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")

# --- REST framework -------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Scripts use a personal token; the portal's own pages may call with their session.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["portal.api.parsers.StrictJSONParser"],
    "EXCEPTION_HANDLER": "portal.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ICT maturity portal API",
    "DESCRIPTION": (
        "Read the framework, offices and cycles; read, update and submit your office's "
        "self-assessment with the same rules as the web form; read the KPIs; start and "
        "download exports. Authenticate with a personal token from your profile page."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "RegionEnum": "portal.offices.models.Region",
        "OfficeTypeEnum": "portal.offices.models.OfficeType",
        "AnswerStatusEnum": "assessments.models.Answer.Status",
        "AssessmentStatusEnum": "assessments.models.Assessment.Status",
        "FrameworkStatusEnum": "recommendations.models.Framework.Status",
        "CycleStateEnum": "assessments.models.Cycle.State",
        "ExportStateEnum": "exports.models.ExportJob.State",
        "ExportKindEnum": "exports.models.ExportJob.Kind",
        "RoadmapActionStatusEnum": "roadmap.models.RoadmapAction.Status",
        "PracticeKindEnum": "practices.models.Practice.Kind",
        "PracticeStatusEnum": "practices.models.Practice.Status",
        "PracticeStateEnum": "practices.models.Practice.State",
        "PracticeVisibilityEnum": "practices.models.Practice.Visibility",
        "ContactPurposeEnum": "practices.models.ContactRequest.Purpose",
    },
}

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The proxies whose X-Forwarded-For is believed (portal/client_address.py): without them
# anyone could name any client address, to get unlimited login guesses or to lock someone
# else out. See docs/deployment.md.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES", [])
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    if not TRUSTED_PROXIES:
        raise ConfigurationError(
            "TRUSTED_PROXIES must be set when BEHIND_TLS_PROXY is on: the addresses (or CIDR "
            "ranges) from which the TLS proxy connects, e.g. 172.16.0.0/12 for Docker's "
            "networks; otherwise every client would have the proxy's address"
        )
if not DEBUG:
    # Production is reached over HTTPS only; plain HTTP is answered with a redirect.
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # The container health check calls gunicorn over plain HTTP from inside the container.
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading binds every subdomain of the parent domain and is slow to undo: it is the
    # decision of that domain's owner, so it is opted into, and Django's reminder silenced.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Content Security Policy (django-csp): scripts and styles come only from our static files,
# so an injected <script>, onclick= or style= does not run. Templates keep no inline script,
# event handler or style attribute (static/js/*.js read data- attributes instead). The SVG
# charts of kpi/charts.py draw with presentation attributes (fill=...), which CSP allows.
# A page that needs more widens it for itself with csp.decorators.csp_update, never here for
# every page: the API's documentation pages do (portal/api/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint logs every layout step; its warnings (a refused fetch) still show.
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Every login at INFO; the audit log has them. Lockouts still show (WARNING).
        "axes": {"level": "WARNING"},
    },
}
# In development WhiteNoise serves straight from the source folders; no collectstatic needed.
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = DEBUG
