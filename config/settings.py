"""FitConnect settings: everything that differs between machines comes from the environment.

Every variable read here is documented in `.env.example`. The embedded default (no variables set)
is SQLite, the localstripe emulator, tasks run in-process and emails on the console.
"""

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ

from ops.logs import configure_structlog, logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
# The development defaults below are public (they are in this file): with DEBUG off, startup
# refuses each of them by name (config/checks.py), as it refuses a missing secret.
DEV_DEFAULTS = {
    "SECRET_KEY": "dev-insecure-key-only-for-local-development-0123456789",
    "STRIPE_SECRET_KEY": "sk_test_localstripe",
    "STRIPE_PUBLISHABLE_KEY": "pk_test_localstripe",
    "STRIPE_WEBHOOK_SECRET": "whsec_localstripe_dev",
    "STRIPE_CONNECT_WEBHOOK_SECRET": "whsec_localstripe_connect_dev",
}
SECRET_KEY = env("SECRET_KEY", default=DEV_DEFAULTS["SECRET_KEY"] if DEBUG else "")
# Django and simplejwt read SECRET_KEY while the apps load, before any system check runs, so an
# empty one would crash with a traceback. A throwaway key lets startup reach the `config` check
# (config/checks.py), which stops it with a message naming the variable.
SECRET_KEY_MISSING = not SECRET_KEY
if SECRET_KEY_MISSING:
    from django.core.management.utils import get_random_secret_key

    SECRET_KEY = get_random_secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "axes",
    "django_ratelimit",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_structlog",
    "django_prometheus",
    "config",
    "core",
    "ops",
    "accounts",
    "trainers",
    "bookings",
    "payments",
    "ledger",
    "notifications",
    "reviews",
    "analytics",
    "web",
    "stripe_emulator",
]

MIDDLEWARE = [
    # /healthz and /readyz, before host checks and the HTTPS redirect (ops/middleware.py).
    "ops.middleware.OpsMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "web.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "web.middleware.ViewerTimezoneMiddleware",
    # After authentication: each request's log lines carry its user id.
    "django_structlog.middlewares.RequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Last, as axes asks: turns a locked-out admin login into its 429 page.
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
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# An empty DATABASE_URL (a blank line in .env) means the default, like an unset one.
DATABASE_URL = env("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": environ.Env.db_url_config(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite serves a dozen parallel requests only with WAL (readers don't block the writer), a
    # busy timeout (writers wait instead of failing with "database is locked") and IMMEDIATE
    # transactions (the write lock is taken at BEGIN, so two transactions can't both read and then
    # deadlock on upgrading to a write lock). IMMEDIATE also makes every atomic() block a
    # serialized critical section, which is what select_for_update() gives us on PostgreSQL.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # A file, not :memory:, so threads in the race tests share one database; per process, so two
    # test runs on one machine never share it. var/ is git-ignored, so a fresh clone lacks it and
    # SQLite would fail with "unable to open database file".
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(
        BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3"
    )
else:
    # JIT compiling costs more than it saves on our short statements (measured on the analytics
    # summary: ~0.1 s less per call at 1M payments with it off).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    # Health checks: a connection the server dropped (a restart) is replaced before a request
    # uses it, instead of failing that request.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if env.bool("DATABASE_POOL", default=not DEBUG):
        # Django's psycopg pool, one per process. A request waits at most `timeout` for a
        # connection (then 503, core.api), well under gunicorn's 30 s worker timeout. While
        # the server is down the pool retries with a doubling delay; giving up after
        # `reconnect_timeout` lets the next request start a fresh attempt at once, so the
        # first requests after a restart do not wait out a long backoff.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": 1,
            "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=4),
            "timeout": 5,
            "reconnect_timeout": 5,
        }
    else:
        DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rate limits count in the cache: with DEBUG off it must be one all processes share (Redis), or
# each process would count alone (config/checks.py refuses a per-process one).
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://fitconnect")}

AUTH_USER_MODEL = "accounts.User"
# AxesStandaloneBackend first: every authenticate() (admin, web login, API token, password
# change) passes the login throttle (accounts/login_throttle.py) before a password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where `collectstatic` gathers the files WhiteNoise serves (production).
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [d for d in [BASE_DIR / "static"] if d.exists()]
# Files browsers ask for at the site's root (/favicon.ico), served by WhiteNoise.
WHITENOISE_ROOT = BASE_DIR / "web" / "root"
# Uploaded files (trainers' photos) go through Django's storage API: the default below keeps them
# in MEDIA_ROOT and `runserver` serves them under MEDIA_URL while DEBUG is on. In production point
# MEDIA_STORAGE_BACKEND at object storage (e.g. django-storages' S3Storage, with an absolute
# MEDIA_URL), or have the web server serve MEDIA_ROOT at MEDIA_URL.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
MEDIA_URL = env("MEDIA_URL", default="/media/")
STORAGES = {
    "default": {
        "BACKEND": env(
            "MEDIA_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"
        )
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Security (production) ------------------------------------------------------------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# web.middleware: pages may load scripts and frames only from the app and Stripe.js's origin.
CSP_ENABLED = env.bool("CSP_ENABLED", default=not DEBUG)
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.LinkHeaderPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "config.schema.FitConnectAutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=30)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    # The token view sends user_logged_in, whose receiver updates last_login.
    "UPDATE_LAST_LOGIN": False,
    # Tokens carry a hash of the password they were issued under: a password change or reset
    # revokes them all (access tokens here, refresh tokens in accounts.api's refresh serializer).
    "CHECK_REVOKE_TOKEN": True,
    "TOKEN_REFRESH_SERIALIZER": "accounts.api.TokenRefreshInputSerializer",
}
# Login attempts per (email, client address) checked in LOGIN_FAILURE_WINDOW_SECONDS; more get a
# 429. The window restarts with each attempt; a correct password clears the count.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=900)
AXES_HANDLER = "accounts.login_throttle.CountFirstHandler"
AXES_FAILURE_LIMIT = "accounts.login_throttle.failure_limit"
AXES_COOLOFF_TIME = "accounts.login_throttle.window"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.login_throttle.attempted_email"
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.login_throttle.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
# Behind a reverse proxy: the header it sets to the client's address (e.g. X-Forwarded-For), and
# how many proxies append to it. Unset: the connecting address is the client's (core/client_ip.py).
CLIENT_IP_HEADER = env("CLIENT_IP_HEADER", default="")
# Rate limits ("<count>/<s|m|h|d>"), counted in the shared cache (core/ratelimit.py).
REGISTRATION_RATE = env("REGISTRATION_RATE", default="10/h")  # new accounts per client address
PASSWORD_RESET_RATE = env("PASSWORD_RESET_RATE", default="5/h")  # reset emails per address
BOOKING_CREATE_RATE = env("BOOKING_CREATE_RATE", default="30/h")  # new bookings per client
RATELIMIT_IP_META_KEY = "core.client_ip.client_ip"
# django-ratelimit refuses any cache but memcached/django-redis; config/checks.py refuses the
# per-process ones with DEBUG off instead (Django's own Redis cache counts atomically too).
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)

SPECTACULAR_SETTINGS = {
    "TITLE": "FitConnect API",
    "DESCRIPTION": "Book personal trainers and pay for sessions. Money is shown as decimal strings "
    '("75.00") and stored as integer minor units.',
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Bookings, payments and refunds all have a "status" field with different choices, and a
    # booking's "payment_status" has choices of its own (its class is also named PaymentStatus).
    "ENUM_NAME_OVERRIDES": {
        "BookingStatusEnum": "bookings.models.Booking.Status",
        "BookingPaymentStatusEnum": "bookings.models.Booking.PaymentStatus",
        "PaymentStatusEnum": "payments.models.Payment.Status",
        "RefundStatusEnum": "payments.models.Refund.Status",
    },
}

# --- Business rules -------------------------------------------------------------------------
PLATFORM_FEE_PERCENT = env("PLATFORM_FEE_PERCENT", cast=Decimal, default=Decimal("15"))
BOOKING_HOLD_MINUTES = env.int("BOOKING_HOLD_MINUTES", default=15)
BOOKING_MIN_NOTICE_MINUTES = env.int("BOOKING_MIN_NOTICE_MINUTES", default=120)
BOOKING_MAX_DAYS_AHEAD = env.int("BOOKING_MAX_DAYS_AHEAD", default=90)
# Starting a payment renews an unpaid hold, but never past this many minutes after booking.
BOOKING_HOLD_MAX_MINUTES = env.int("BOOKING_HOLD_MAX_MINUTES", default=60)
# Unpaid holds one client may have at once, in all and with one trainer.
BOOKING_MAX_UNPAID_PER_CLIENT = env.int("BOOKING_MAX_UNPAID_PER_CLIENT", default=5)
BOOKING_MAX_UNPAID_PER_TRAINER = env.int("BOOKING_MAX_UNPAID_PER_TRAINER", default=2)
# Cancellation policy: a client cancelling at least CANCELLATION_FULL_REFUND_HOURS before the start
# gets everything back, later (but before the start) CANCELLATION_LATE_REFUND_PERCENT, after the
# start nothing. Trainers and admins cancelling always refund in full.
CANCELLATION_FULL_REFUND_HOURS = env.int("CANCELLATION_FULL_REFUND_HOURS", default=24)
CANCELLATION_LATE_REFUND_PERCENT = env(
    "CANCELLATION_LATE_REFUND_PERCENT", cast=Decimal, default=Decimal("50")
)
# When a client cancels, does the platform keep its fee out of the refund?
CANCELLATION_PLATFORM_KEEPS_FEE = env.bool("CANCELLATION_PLATFORM_KEEPS_FEE", default=False)
# A confirmed, paid session becomes `completed` this many hours after its end (bookings.completion):
# the client's window to report a session that did not happen before the trainer's share is due.
SESSION_COMPLETION_GRACE_HOURS = env.int("SESSION_COMPLETION_GRACE_HOURS", default=24)
# A trainer can be booked only once their connected Stripe account can receive payouts (the
# trainer's share is transferred there after each completed session). False: bookings work
# without one, and the shares wait until the trainer finishes onboarding.
REQUIRE_PAYOUT_ACCOUNT = env.bool("REQUIRE_PAYOUT_ACCOUNT", default=True)

# --- Stripe ---------------------------------------------------------------------------------
STRIPE_SECRET_KEY = env(
    "STRIPE_SECRET_KEY", default=DEV_DEFAULTS["STRIPE_SECRET_KEY"] if DEBUG else ""
)
STRIPE_PUBLISHABLE_KEY = env(
    "STRIPE_PUBLISHABLE_KEY", default=DEV_DEFAULTS["STRIPE_PUBLISHABLE_KEY"] if DEBUG else ""
)
STRIPE_WEBHOOK_SECRET = env(
    "STRIPE_WEBHOOK_SECRET", default=DEV_DEFAULTS["STRIPE_WEBHOOK_SECRET"] if DEBUG else ""
)
# Connected accounts' events (account.updated, payout.*) come to their own endpoint
# (/api/v1/payments/webhook/connect/), signed with this endpoint's own secret.
STRIPE_CONNECT_WEBHOOK_SECRET = env(
    "STRIPE_CONNECT_WEBHOOK_SECRET",
    default=DEV_DEFAULTS["STRIPE_CONNECT_WEBHOOK_SECRET"] if DEBUG else "",
)
# Unset: the real api.stripe.com. Set (e.g. http://127.0.0.1:8420): the localstripe emulator.
STRIPE_API_BASE = env("STRIPE_API_BASE", default="http://127.0.0.1:8420" if DEBUG else "")
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=2)
# Stripe.js for the browser checkout: Stripe's own in production, the emulator's copy when
# STRIPE_API_BASE points at localstripe (so `make run` and the browser tests work offline).
STRIPE_JS_URL = env(
    "STRIPE_JS_URL",
    default=f"{STRIPE_API_BASE.rstrip('/')}/js.stripe.com/v3/"
    if STRIPE_API_BASE
    else "https://js.stripe.com/v3/",
)
# Payments still pending/processing this long are fetched from Stripe by reconcile_payments.
RECONCILE_AFTER_MINUTES = env.int("RECONCILE_AFTER_MINUTES", default=5)

# --- Background work ------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
# No broker configured (the embedded default): tasks run in-process, so nothing needs Redis.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_BEAT_SCHEDULE = {
    "expire-stale-bookings": {"task": "bookings.tasks.expire_stale_bookings", "schedule": 60.0},
    "complete-sessions": {"task": "bookings.tasks.complete_sessions", "schedule": 900.0},
    "reconcile-payments": {"task": "payments.tasks.reconcile_payments", "schedule": 300.0},
    "requeue-stuck-emails": {
        "task": "notifications.tasks.requeue_stuck_notifications",
        "schedule": 600.0,
    },
}

# --- Email ----------------------------------------------------------------------------------
# Development: printed on the console and saved under var/mail/ (notifications/backends.py).
# Production: SMTP with the EMAIL_* variables, or any django-anymail provider, e.g.
# EMAIL_BACKEND=anymail.backends.mailgun.EmailBackend with ANYMAIL_MAILGUN_API_KEY=...
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default="notifications.backends.ConsoleAndFileBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
# Seconds per SMTP operation; Django's default (none) would let a hung server hold a worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="FitConnect <no-reply@fitconnect.local>")
# Every ANYMAIL_<NAME> variable becomes ANYMAIL["<NAME>"], so any provider's settings
# (ANYMAIL_SENDGRID_API_KEY, ANYMAIL_MAILGUN_SENDER_DOMAIN, ...) need no code here.
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): value
    for name, value in os.environ.items()
    if name.startswith("ANYMAIL_")
}
# Absolute links in emails (receipt, retry payment) start with this.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# Sending retries after about 1x, 2x, 4x, 8x, 16x this many seconds (randomised), then gives up.
NOTIFICATION_RETRY_BACKOFF_SECONDS = env.int("NOTIFICATION_RETRY_BACKOFF_SECONDS", default=30)
NOTIFICATION_MAX_RETRIES = env.int("NOTIFICATION_MAX_RETRIES", default=5)
# An e-mail claimed by a worker that died before marking it sent is sent again after this long.
NOTIFICATION_SENDING_LEASE_SECONDS = env.int("NOTIFICATION_SENDING_LEASE_SECONDS", default=600)

# --- Operations: logs, metrics, error reports ---------------------------------------------
# Logs: one JSON object per line (LOG_FORMAT=json, the default with DEBUG off) or readable lines;
# every line of a request, and of the tasks it queued, carries its request_id (ops/logs.py).
LOG_FORMAT = env("LOG_FORMAT", default="console" if DEBUG else "json")
configure_structlog()
LOGGING = logging_config(json=LOG_FORMAT == "json", level=env("LOG_LEVEL", default="INFO"))
DJANGO_STRUCTLOG_CELERY_ENABLED = True
# The proxy in front (deploy/nginx.conf) sets X-Request-ID, so its access log and ours agree.
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = True
# Celery workers log through LOGGING too (config/celery.py), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Metrics (/metrics, ops/metrics.py): to internal addresses, or with this bearer token.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
METRICS_ALLOW_INTERNAL = env.bool("METRICS_ALLOW_INTERNAL", default=True)
# Error reports to Sentry (or any Sentry-protocol service) when a DSN is set. No personal data
# is sent (user ids only), and no request bodies.
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env("SENTRY_TRACES_SAMPLE_RATE", cast=float, default=0.0),
        send_default_pii=False,
        max_request_body_size="never",
    )
