"""Settings shared by every environment. Every value comes from the environment (see ``env.py``).

Defaults make the demo run anywhere: an embedded SQLite file, an in-process cache, Celery tasks run
eagerly. Production (``production.py``) requires the secrets and hosts instead.
"""

import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.settings.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("TUOPIN_VAR_DIR", str(BASE_DIR / "var")))


def _local_secret_key(name: str = "secret_key") -> str:
    """A random key kept in ``var/<name>`` so a development server keeps its sessions and data."""
    path = VAR_DIR / name
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", "") or _local_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "simple_history",
    "axes",
    "regions",
    "households",
    "indicators",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.refuse_nul_bytes",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.private_cache_for_signed_in",
    # last: it turns a locked-out login into the lockout answer
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# An embedded SQLite file unless DATABASE_URL names another database (PostgreSQL in production/CI).
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tuopin.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
# A read replica of PostgreSQL for the dashboards and the API (README, "Scaling out"): the published
# scores are read there (config.routers.ScoreReplicaRouter), everything else from DATABASE_URL.
if env_str("DATABASE_REPLICA_URL", ""):
    DATABASES["replica"] = dj_database_url.parse(
        env_str("DATABASE_REPLICA_URL", ""), conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0)
    )
    DATABASE_ROUTERS = ["config.routers.ScoreReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_redis_cache = env_str("CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _redis_cache}
        if _redis_cache
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# Logins: django-axes counts failures per username and per client address (either one locks), keeps
# them in the database (admin: "Access attempts", "Access failures") and logs them with the username
# and address masked. API-client accounts have no password login (config.auth.HtmlLoginBackend).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "config.auth.HtmlLoginBackend"]
AXES_FAILURE_LIMIT = env_int("TUOPIN_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("TUOPIN_LOGIN_LOCKOUT_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A successful login clears nothing: clearing its username and address also cleared the failures
# the address made against other accounts (four guesses, one own login, four more, ...).
AXES_RESET_ON_SUCCESS = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind TUOPIN_PROXY_COUNT reverse proxies (docker-compose's TLS proxy: 1) the client address is the
# one the nearest proxy appended to X-Forwarded-For; with none, only REMOTE_ADDR counts (a header a
# client sends itself must not move it out of its lockout).
TUOPIN_PROXY_COUNT = env_int("TUOPIN_PROXY_COUNT", 0)
AXES_IPWARE_PROXY_ORDER = "right-most"
AXES_IPWARE_PROXY_COUNT = TUOPIN_PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if TUOPIN_PROXY_COUNT else ["REMOTE_ADDR"]
# Password reset e-mails: this many per client address and per e-mail address an hour.
TUOPIN_PASSWORD_RESET_RATE = env_str("TUOPIN_PASSWORD_RESET_RATE", "5/h")
# A session lasts a working day (seconds), whatever the browser does.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 9 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Content-Security-Policy: every page loads its scripts, styles, images and data from this site only
# (plotly.js and the map geometry are served from our static files); Plotly sets inline styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Mail (password reset): printed to the console in development, SMTP as configured in production.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "tuopin@localhost")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "households:list"
LOGOUT_REDIRECT_URL = "regions:home"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Kept import files hold resident IDs: readable by the server's user only (households.importing.originals).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

REST_FRAMEWORK = {
    # token first: a request without credentials gets 401 with "WWW-Authenticate: Token" (with the
    # session first it got a bare 403); a browser session is still accepted
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "config.api.PageNumberPagination",
    "PAGE_SIZE": 100,
    # Requests per client address (anonymous) and per user or token; TUOPIN_API_THROTTLE=0 turns it off.
    "DEFAULT_THROTTLE_CLASSES": (
        ["config.api.AnonThrottle", "config.api.UserThrottle"] if env_bool("TUOPIN_API_THROTTLE", True) else []
    ),
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("TUOPIN_API_RATE_ANON", "1000/hour"),
        "user": env_str("TUOPIN_API_RATE_USER", "20000/hour"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tuopin API",
    "DESCRIPTION": "Quality of poverty exit by region: the region tree, indicators and scores.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # an import batch's id: any segment reaches the view, so a non-number gets the API's JSON 404
    # (households.api_urls.BatchIdConverter); the schema says what a valid one is
    "PATH_CONVERTER_OVERRIDES": {"batch": int},
}

# Celery: with no broker configured, tasks run eagerly in-process (the demo needs no Redis).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 3000)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 3600)
# Above the longest task's hard limit, so Redis never hands a running task to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", CELERY_TASK_TIME_LIMIT + 600)
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# Tuopin's own settings.
# Resident IDs: encrypted at rest and hashed (HMAC) for look-ups with keys derived from this secret.
# Losing it makes stored IDs unreadable; production requires it (see production.py).
RESIDENT_ID_KEY = env_str("RESIDENT_ID_KEY", "") or _local_secret_key("resident_id_key")
TUOPIN_DATA_DIR = Path(env_str("TUOPIN_DATA_DIR", str(BASE_DIR / "data")))
# Public data the project may not redistribute (the 832-county list, eusilc); absent on most machines.
TUOPIN_SHARED_DATA_DIR = Path(env_str("TUOPIN_SHARED_DATA_DIR", str(BASE_DIR.parent / "shared" / "data")))
# Region scores are public at this level and above (1 province, 2 prefecture, 3 county).
TUOPIN_PUBLIC_MAX_LEVEL = env_int("TUOPIN_PUBLIC_MAX_LEVEL", 3)
# Answers "this resident ID is already registered to another member" a user may get per day (imports
# and the household form, audited as households.IdClashAnswer); beyond it such files and forms are refused.
TUOPIN_REGISTERED_ID_ANSWERS_PER_DAY = env_int("TUOPIN_REGISTERED_ID_ANSWERS_PER_DAY", 100)
# Large CSV survey files on PostgreSQL are parsed and checked in SQL (households/importing/fast.py).
TUOPIN_IMPORT_FAST_PATH = env_bool("TUOPIN_IMPORT_FAST_PATH", True)
# Days an import's uploaded file is kept (encrypted) for its commit, its rejected rows and its
# download; then `purge_import_originals` (nightly beat task) deletes it. The report stays.
TUOPIN_IMPORT_ORIGINAL_RETENTION_DAYS = env_int("TUOPIN_IMPORT_ORIGINAL_RETENTION_DAYS", 30)
if TUOPIN_IMPORT_ORIGINAL_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("TUOPIN_IMPORT_ORIGINAL_RETENTION_DAYS must be at least 1 (days).")
# Nightly recompute: beat fires at this hour and minute, Asia/Shanghai (DESIGN §6). Setting
# TUOPIN_RECOMPUTE_EVERY_SECONDS instead fires every N seconds (the double-beat test uses it).
TUOPIN_RECOMPUTE_HOUR = env_int("TUOPIN_RECOMPUTE_HOUR", 2)
TUOPIN_RECOMPUTE_EVERY_SECONDS = env_int("TUOPIN_RECOMPUTE_EVERY_SECONDS", 0)
# Days a published run that is no longer current keeps its manifest (the snapshots it served); then
# the retention (prune_snapshots, nightly beat task at 04:00) drops it and deletes the snapshots no
# manifest references, with their score rows. Current runs are never touched.
TUOPIN_RUN_RETENTION_DAYS = env_int("TUOPIN_RUN_RETENTION_DAYS", 30)
if TUOPIN_RUN_RETENTION_DAYS < 0:
    raise ImproperlyConfigured("TUOPIN_RUN_RETENTION_DAYS must be 0 or more (days).")
# Seconds a chunk sleeps after it starts: 0 except in the kill test, which needs a chunk to kill.
TUOPIN_RECOMPUTE_CHUNK_PAUSE = env_int("TUOPIN_RECOMPUTE_CHUNK_PAUSE", 0)
# The recompute watchdog (indicators.services.recompute_watchdog; beat every ..._WATCHDOG_EVERY_SECONDS) sends
# a chunk again when the broker holds no message for it (lost with Redis) and it made no progress for
# ..._STALL_PENDING_SECONDS (a chunk that never started, or a publish) or ..._STALL_SECONDS (a running
# chunk: above the hard time limit, so no worker can still be computing it).
TUOPIN_RECOMPUTE_WATCHDOG_EVERY_SECONDS = env_int("TUOPIN_RECOMPUTE_WATCHDOG_EVERY_SECONDS", 300)
TUOPIN_RECOMPUTE_STALL_PENDING_SECONDS = env_int("TUOPIN_RECOMPUTE_STALL_PENDING_SECONDS", 300)
TUOPIN_RECOMPUTE_STALL_SECONDS = env_int("TUOPIN_RECOMPUTE_STALL_SECONDS", CELERY_TASK_TIME_LIMIT + 300)
if TUOPIN_RECOMPUTE_STALL_SECONDS <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        "TUOPIN_RECOMPUTE_STALL_SECONDS must be above CELERY_TASK_TIME_LIMIT: a running chunk sent again "
        "sooner could still be running on a worker."
    )
# What the import page asks whether the scores include a committed batch: a function of the
# indicators app named here, so that households need not import it (layers: DESIGN §2).
TUOPIN_IMPORT_SCORES_STATE = "indicators.selectors.changes_in_scores"

# Imports (households/importing): what an upload may be and make the reader hold (issue 13). An upload
# larger than TUOPIN_IMPORT_MAX_UPLOAD_BYTES is refused by the form and the API alike; one larger than
# TUOPIN_IMPORT_ASYNC_BYTES is validated in a Celery task (the import page shows its progress).
TUOPIN_IMPORT_MAX_UPLOAD_BYTES = env_int("TUOPIN_IMPORT_MAX_UPLOAD_BYTES", 200 * 2**20)
TUOPIN_IMPORT_ASYNC_BYTES = env_int("TUOPIN_IMPORT_ASYNC_BYTES", 2 * 2**20)
# Rows below the header; columns of a file kind: its dictionary's plus TUOPIN_IMPORT_EXTRA_COLUMNS (unknown
# or empty columns, reported as such); TUOPIN_IMPORT_MAX_COLUMNS when no kind is given (mapping import).
TUOPIN_IMPORT_MAX_ROWS = env_int("TUOPIN_IMPORT_MAX_ROWS", 1_000_000)
TUOPIN_IMPORT_EXTRA_COLUMNS = env_int("TUOPIN_IMPORT_EXTRA_COLUMNS", 10)
TUOPIN_IMPORT_MAX_COLUMNS = env_int("TUOPIN_IMPORT_MAX_COLUMNS", 256)
# A workbook (a zip) is refused before parsing when its parts declare more than this unpacked in all, or
# when a part of 1 MiB or more unpacks more than TUOPIN_IMPORT_MAX_COMPRESSION_RATIO times its packed size.
TUOPIN_IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("TUOPIN_IMPORT_MAX_UNCOMPRESSED_BYTES", 2**30)
TUOPIN_IMPORT_MAX_COMPRESSION_RATIO = env_int("TUOPIN_IMPORT_MAX_COMPRESSION_RATIO", 100)
# The validation task's time limits (seconds): soft (the batch is marked rejected), then hard.
TUOPIN_IMPORT_TASK_SOFT_TIME_LIMIT = env_int("TUOPIN_IMPORT_TASK_SOFT_TIME_LIMIT", 1800)
TUOPIN_IMPORT_TASK_TIME_LIMIT = env_int("TUOPIN_IMPORT_TASK_TIME_LIMIT", 1900)
# Request bodies: form fields are held in memory up to DATA_UPLOAD_MAX_MEMORY_SIZE (files do not count);
# an uploaded file larger than FILE_UPLOAD_MAX_MEMORY_SIZE is spooled to a temporary file on disk.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
