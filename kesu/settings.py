"""Django settings, driven by environment variables.

The defaults run the embedded demo (SQLite, eager Celery, DEBUG on). Production sets
DATABASE_URL (PostgreSQL), CELERY_BROKER_URL (Redis), SECRET_KEY, ALLOWED_HOSTS and DEBUG=0;
the process refuses to start with DEBUG off and the demo secret.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("KESU_VAR_DIR", BASE_DIR.parent / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEMO_SECRET_KEY = "kesu-demo-secret-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", DEMO_SECRET_KEY)
DEBUG = env_bool("DEBUG", True)
#: ``kesu demo`` serves with DEBUG off (branded error pages, never Django's debug page) on the demo
#: secret and plain HTTP; nothing else may run DEBUG off with the demo secret.
KESU_DEMO = env_bool("KESU_DEMO", False)
if not DEBUG and SECRET_KEY == DEMO_SECRET_KEY and not KESU_DEMO:
    raise ImproperlyConfigured(
        "DEBUG is off but SECRET_KEY is the demo secret. Set SECRET_KEY to a long random value."
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "kesu.accounts.axes_config.LoginThrottlingConfig",  # django-axes, named in Chinese
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "kesu.accounts",
    "kesu.customers",
    "kesu.complaints",
    "kesu.notifications",
    "kesu.mailbox",
    "kesu.escalation",
    "kesu.sla",
    "kesu.scripts",
    "kesu.followup",
    "kesu.imports",
    "kesu.metrics",
    "kesu.qa",
    "kesu.reviews",
    "kesu.practice",
    "kesu.handling",
    "kesu.api",
    "kesu.web",
    "kesu.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kesu.web.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kesu.web.middleware.ChineseFirstLocaleMiddleware",
    # under /api/, a missing page or a crash answers in the API's error shape, not HTML
    "kesu.api.errors.JsonErrorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kesu.web.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kesu.web.middleware.RequestTooBigMiddleware",
    # last, as django-axes asks: it turns a locked-out login into the lockout response
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kesu.urls"
WSGI_APPLICATION = "kesu.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # refuses a login while its username and address are locked out (django-axes), then the model
    "axes.backends.AxesStandaloneBackend",
    "kesu.accounts.backends.CachedPermissionsBackend",
]
# Login throttling on /login/, /admin/login/ and /api/v1/auth/token/ (django-axes, attempts in the
# database so every process shares them): KESU_LOGIN_FAILURE_LIMIT failed logins for one username
# from one address lock that pair out for KESU_LOGIN_COOLOFF_MINUTES (one person's typing does not
# lock out a whole office behind one address); a successful login clears the count.
AXES_FAILURE_LIMIT = int(os.environ.get("KESU_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("KESU_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "kesu.accounts.lockout.locked_out"
AXES_VERBOSE = False
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kesu.web.context_processors.notifications",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    # Persistent connections; health checks cost a round trip per request, so they are opt-in.
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
            conn_health_checks=env_bool("DB_CONN_HEALTH_CHECKS", False),
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Parameters travel apart from the SQL text (the extended protocol) instead of being
        # quoted into it on the client: less work per query in the app. A statement run
        # DB_PREPARE_THRESHOLD times on a connection is prepared (psycopg's own default, 5, which
        # Django turns off for connection poolers): the server stops parsing and planning the
        # same INSERTs and look-ups on every intake. Empty turns it off (PgBouncer in transaction
        # mode before 1.21).
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["server_side_binding"] = env_bool("DB_SERVER_SIDE_BINDING", True)
        threshold = os.environ.get("DB_PREPARE_THRESHOLD", "5").strip()
        options["prepare_threshold"] = int(threshold) if threshold else None
    # A test database per test process, so two suites on one machine never collide.
    DATABASES["default"]["TEST"] = {"NAME": f"test_kesu_{os.getpid()}"}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("KESU_SQLITE_PATH", VAR_DIR / "kesu.sqlite3"),
            # WAL + a busy timeout let the demo server and a worker share the file.
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # A file, not :memory:, so a real Celery worker in another thread/process sees it.
            # One per test process, so two suites on one machine never collide.
            "TEST": {"NAME": str(VAR_DIR / f"test-kesu-{os.getpid()}.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# i18n: Chinese first, English second.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    # Evidence customers and agents attach (README "Attachments"): on disk under var/attachments,
    # or in an S3-compatible bucket when KESU_S3_BUCKET is set (needs `pip install django-storages[s3]`).
    "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(Path(os.environ.get("KESU_ATTACHMENTS_DIR", VAR_DIR / "attachments")))},
    },
}
# Uploaded bulk-import files, kept until their job has run (README "Bulk import").
STORAGES["imports"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(Path(os.environ.get("KESU_IMPORTS_DIR", VAR_DIR / "imports")))},
}
if os.environ.get("KESU_S3_BUCKET"):
    STORAGES["attachments"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["KESU_S3_BUCKET"],
            "endpoint_url": os.environ.get("KESU_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("KESU_S3_REGION") or None,
            "access_key": os.environ.get("KESU_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("KESU_S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("KESU_S3_PREFIX", "attachments"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    STORAGES["imports"] = {
        **STORAGES["attachments"],
        "OPTIONS": {**STORAGES["attachments"]["OPTIONS"], "location": "imports"},
    }
KESU_ATTACHMENT_MAX_BYTES = int(os.environ.get("KESU_ATTACHMENT_MAX_BYTES", 10 * 1_048_576))
KESU_ATTACHMENTS_PER_MESSAGE = int(os.environ.get("KESU_ATTACHMENTS_PER_MESSAGE", 10))
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Oversize payloads are refused (413) before they reach a view.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("KESU_MAX_BODY_BYTES", 1_048_576))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1_048_576
# The semantic tier of the analysis (the encoder; README "Analysis"): complaints and customer messages
# are refined after intake by a task (Celery with a broker; the minute loop of ``kesu serve`` without).
KESU_SEMANTIC_TIER = env_bool("KESU_SEMANTIC", True)
KESU_SEMANTIC_BACKFILL_DAYS = int(os.environ.get("KESU_SEMANTIC_BACKFILL_DAYS", "7"))
# Scripts 话术 marked for an industry are suggested only where this names it (empty: the general ones).
KESU_INDUSTRY = os.environ.get("KESU_INDUSTRY", "")
# Who plays the simulated customer in solo practice (kesu.core.practice.backend): "rules", the offline
# state machine; a language-model backend can be registered later and chosen here.
KESU_PRACTICE_CUSTOMER = os.environ.get("KESU_PRACTICE_CUSTOMER", "rules")
KESU_MAX_IMPORT_BYTES = int(os.environ.get("KESU_MAX_IMPORT_BYTES", 10 * 1_048_576))
KESU_MAX_IMPORT_ROWS = int(os.environ.get("KESU_MAX_IMPORT_ROWS", 20_000))
KESU_MAX_IMPORT_CELLS = int(os.environ.get("KESU_MAX_IMPORT_CELLS", 1_000_000))
KESU_MAX_IMPORT_CELL_CHARS = int(os.environ.get("KESU_MAX_IMPORT_CELL_CHARS", 20_000))
KESU_MAX_IMPORT_UNPACKED_BYTES = int(os.environ.get("KESU_MAX_IMPORT_UNPACKED_BYTES", 100 * 1_048_576))

#: API tokens expire this many days after they are issued (then the token endpoint issues a new one).
KESU_TOKEN_TTL_DAYS = int(os.environ.get("KESU_TOKEN_TTL_DAYS", "30"))
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "kesu.api.authentication.TeamTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "kesu.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "kesu.api.pagination.Pagination",
    "EXCEPTION_HANDLER": "kesu.api.errors.exception_handler",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kesu 客诉 API",
    "DESCRIPTION": "Complaint intake, handling workflow and audit trail.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Two serializers name a field "kind" with different choices: each enum keeps a name of its own.
    "ENUM_NAME_OVERRIDES": {
        "KindEnum": "kesu.complaints.models.MessageKind",
        "ImportJobKindEnum": "kesu.imports.models.JobKind",
    },
    # Every operation documents its error responses in the API's error shape (kesu.api.schema).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "kesu.api.schema.document_errors",
    ],
}

# The cache. What is counted in it (the customer follow-up page's rate limit) must be shared by
# every process in production: KESU_CACHE_URL (Django's RedisCache, e.g. redis://127.0.0.1:6379/1),
# by default the Redis broker of CELERY_BROKER_URL. The embedded default is a per-process memory
# cache; `manage.py check --deploy` warns when DEBUG is off without a shared one (kesu.W001).
KESU_CACHE_URL = os.environ.get("KESU_CACHE_URL", "") or (
    os.environ.get("CELERY_BROKER_URL", "")
    if os.environ.get("CELERY_BROKER_URL", "").startswith(("redis://", "rediss://"))
    else ""
)
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": KESU_CACHE_URL,
            "KEY_PREFIX": "kesu",
        }
        if KESU_CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Celery: eager (in-process) unless a broker is configured.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# A Redis broker is reached through kombu's Redis transport keeping one client per channel (kesu.broker):
# kombu's own builds a client for every message sent, a fifth of what sending a task cost a web process.
CELERY_BROKER_TRANSPORT = "kesu.broker:Transport" if CELERY_BROKER_URL.startswith("redis://") else None
# Without a broker, kombu's in-memory transport stands in where a task is sent (it runs eagerly
# anyway), so nothing reaches for an AMQP broker on localhost or warns about one.
CELERY_BROKER_WRITE_URL = None if CELERY_BROKER_URL else "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "sla-sweep": {"task": "kesu.handling.tasks.sweep_sla", "schedule": 60.0, "options": {"expires": 55}},
    "imports-run-pending": {
        "task": "kesu.handling.tasks.run_pending_imports",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "exports-run-pending": {
        "task": "kesu.metrics.tasks.run_pending_exports",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "analysis-refine-pending": {
        "task": "kesu.handling.tasks.refine_pending_analyses",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "metrics-refresh-kpi-months": {
        "task": "kesu.metrics.tasks.refresh_kpi_months",
        "schedule": crontab(hour=2, minute=30),
    },
    "reviews-refresh-journey-months": {
        "task": "kesu.reviews.tasks.refresh_journey_months",
        "schedule": crontab(hour=2, minute=45),
    },
    "qa-draw-samples": {
        "task": "kesu.qa.tasks.draw_samples",
        "schedule": crontab(day_of_month=1, hour=3, minute=0),
    },
    "notifications-deliver-outbox": {
        "task": "kesu.notifications.tasks.deliver_outbox",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    # Mail to the complaint desk (KESU_IMAP_HOST; nothing to do without one): fetch, then handle.
    "mailbox-poll": {"task": "kesu.handling.tasks.poll_mailbox", "schedule": 60.0, "options": {"expires": 55}},
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

# Production behind a TLS-terminating proxy (KESU_BEHIND_TLS_PROXY=1, see the README): trust the
# proxy's X-Forwarded-Proto, redirect plain http to https and ask browsers for https only (HSTS).
BEHIND_TLS_PROXY = env_bool("KESU_BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", BEHIND_TLS_PROXY)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if BEHIND_TLS_PROXY else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", BEHIND_TLS_PROXY)
# Preloading into the browsers' HSTS lists is a commitment for the whole domain: the operator's choice.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_REFERRER_POLICY = "same-origin"
# Scripts from here or with the response's nonce, no inline styles, nothing framed, forms post here.
KESU_CSP = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
KESU_CSP_THIRD_PARTY_PATHS = ("/admin/", "/api/docs/", "/api/redoc/")
KESU_CSP_THIRD_PARTY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG and not KESU_DEMO)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG and not KESU_DEMO)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
