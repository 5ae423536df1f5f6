"""Settings for akishima-ict, read from the environment (and `.env` when present).

Production differs from development only by environment variables: see
`.env.example` and the README's production guide.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Variables already in the environment win over the file. `make run` writes a `.env`
# for local development when there is none; ENV_FILE names another file, or none
# when empty (the test settings: tests never depend on a developer's `.env`).
ENV_FILE = os.environ.get("ENV_FILE", str(BASE_DIR / ".env"))
if ENV_FILE:
    environ.Env.read_env(ENV_FILE, overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="django-insecure-development-only-key" if DEBUG else "")
# Keys that are published somewhere (.env.example, Django's and our defaults, tutorials).
PLACEHOLDER_SECRET_KEYS = {
    "", "change-me", "changeme", "change_me", "secret", "secret-key", "your-secret-key",
    "django-insecure-development-only-key",
}
if not DEBUG and (
    SECRET_KEY.lower() in PLACEHOLDER_SECRET_KEYS
    or SECRET_KEY.startswith("django-insecure-")
    or len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
):
    # A production server must never run with a known or guessable key: it signs
    # sessions, password-reset links and CSRF tokens.
    raise ImproperlyConfigured(
        "SECRET_KEY が設定されていないか、設定例のままか、短すぎます(本番では 50 文字以上の"
        "推測できない値が必要です)。次のコマンドで作った値を SECRET_KEY に設定してください"
        "(複数台では全台で同じ値): "
        'python3 -c "import secrets; print(secrets.token_urlsafe(50))"'
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Demo users (password "demo") exist only when asked for, and never by default
# in production.
DEMO_USERS_ALLOWED = env.bool("DEMO_USERS_ALLOWED", default=DEBUG)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "simple_history",
    "akishima_ict.apps.AxesConfig",  # django-axes, named in Japanese
    "django_tasks",
    "django_htmx",
    "akishima_ict.apps.TasksDatabaseConfig",  # django-tasks-db, named in Japanese
    "core",
    "accounts",
    "plans",
    "projects",
    "governance",
    "exchange",
    "publication",  # 公表 and the public pages under /open/
    "demo",  # demo data and benchmarks (commands only; refused in production)
]

MIDDLEWARE = [
    # The header middlewares come first, so that every response gets their headers,
    # those that never reach the views included: the HTTP→HTTPS redirect and the 400
    # for an unknown Host (answered by SecurityMiddleware), the static files (WhiteNoise).
    "core.middleware.SecurityHeadersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.SessionRenewalMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.PrivatePagesMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that it sees the failed sign-ins of the views above it and
    # answers a locked-out user with the Japanese lockout page.
    "axes.middleware.AxesMiddleware",
]

# Forms and widgets through Jinja2 where Django has the template (core.forms.FormRenderer).
FORM_RENDERER = "core.forms.FormRenderer"

ROOT_URLCONF = "akishima_ict.urls"
WSGI_APPLICATION = "akishima_ict.wsgi.application"

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
                "accounts.context_processors.session_timeout",
                "core.context_processors.city_name",
            ],
            "builtins": ["core.templatetags.fiscal_years", "core.templatetags.lookup"],
        },
    },
]

# Databases: DATABASE_URL selects PostgreSQL (psycopg 3), e.g.
# postgres://postgres@127.0.0.1:5432/akishima_ict. Without it, an embedded SQLite
# file in the git-ignored var/ folder, in WAL mode with IMMEDIATE transactions so
# that the web server and background work can both write without "database is
# locked" errors on lock upgrades.
SQLITE_PATH = Path(env("SQLITE_PATH", default=str(BASE_DIR / "var" / "db.sqlite3")))
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{SQLITE_PATH}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# Persistent connections, SQLite too: opening one (and, for SQLite, registering
# Django's SQL functions and running the PRAGMAs) cost about a tenth of the CPU of a
# request under make load. Not under runserver (DEBUG), which starts a thread per
# request and so would gain nothing.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0 if DEBUG else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# Background work (PDF books) runs in a task queue kept in the application's own
# database: `python manage.py db_worker` executes it; no extra server is needed.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A book that takes longer than this is stopped and reported as failed.
BOOK_RENDER_TIME_LIMIT = env.int("BOOK_RENDER_TIME_LIMIT", default=300)
# Unfinished PDF orders one person may have at a time (governance.books.services.order_book).
BOOK_ORDERS_PER_USER = env.int("BOOK_ORDERS_PER_USER", default=3)

# Heavy parts of pages (the plan tree, the dashboard's figures, the cycle board and
# list, the summary tables) are cached under keys that contain the data stamps read
# from the database (core.stamps, changed after each commit that writes the data they
# show), so an entry is never stale, whatever the backend. By default a
# server keeps them in files under var/cache, shared by its gunicorn workers (a
# part is then computed once, not once per worker), with no server or table to
# run; under runserver (DEBUG), one process's memory. CACHE_URL may name another
# backend (redis://… to share between application servers).
CACHE_DIR = BASE_DIR / "var" / "cache"
CACHES = {"default": env.cache_url(
    "CACHE_URL",
    default="locmemcache://akishima-ict" if DEBUG else f"filecache://{CACHE_DIR}?max_entries=5000",
)}

# Uploaded spreadsheets (exchange/files.py): larger files, longer sheets and zip
# archives that unpack beyond these limits are refused with a message.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=20_000)
IMPORT_MAX_UNZIPPED_BYTES = env.int("IMPORT_MAX_UNZIPPED_BYTES", default=100 * 1024 * 1024)

# Uploads, continued (issue 14): what one part of an xlsx may unpack to, and the child
# process that parses an upload (exchange/parsing.py), so that a small file that is
# costly to parse can neither take the web worker's memory nor hold it for long.
# A worksheet, the shared strings or any other single part of the archive:
IMPORT_MAX_PART_BYTES = env.int("IMPORT_MAX_PART_BYTES", default=50 * 1024 * 1024)
# styles.xml, workbook.xml and the other parts openpyxl reads whole into objects
# (each MB of cell formats costs about 25 MB and 0.3 s to parse; Excel's own ceiling
# of 64,000 formats is about 5 MB, a normal book a few KB):
IMPORT_MAX_STYLES_BYTES = env.int("IMPORT_MAX_STYLES_BYTES", default=2 * 1024 * 1024)
# The parsing child's address space (RLIMIT_AS) and wall-clock time (a 20,000-row
# book peaks at about 70 MB resident in the child).
IMPORT_PARSE_MEMORY_BYTES = env.int("IMPORT_PARSE_MEMORY_BYTES", default=512 * 1024 * 1024)
IMPORT_PARSE_SECONDS = env.float("IMPORT_PARSE_SECONDS", default=60.0)
# Uploaded files not confirmed are deleted after this many hours (manage.py
# purge_uploads, and at every new upload).
IMPORT_UPLOAD_KEEP_HOURS = env.int("IMPORT_UPLOAD_KEEP_HOURS", default=24)

# A database busy past its timeout (a write lock held by another process) answers
# 503 with the message and the user's input kept, not a 500 (core/busy.py). Its
# process_exception sees every view's exception wherever it stands in the list.
MIDDLEWARE = [*MIDDLEWARE, "core.busy.BusyDatabaseMiddleware"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# Sign-in throttling (django-axes). Failures count per user name *and* address,
# so that one person's lockout does not shut out a whole office behind one NAT
# address; a higher ceiling per user name alone stops slow guessing of one
# account from many addresses (accounts.lockout). A locked-out person sees when
# to retry; the lock lifts by itself after the cool-off.
AUTHENTICATION_BACKENDS = [
    "accounts.lockout.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "accounts.lockout.LoginThrottleHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_USERNAME_FAILURE_LIMIT = env.int("LOGIN_USERNAME_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
# Failures while locked out do not push the retry time further away, so the
# time shown on the lockout page holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# The client's address, for the throttle and the audit log (accounts.audit.client_address):
# behind the TLS proxy, the right-most X-Forwarded-For entry, which our proxy appended and
# a client cannot forge; without a proxy, REMOTE_ADDR.
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)
AXES_CLIENT_IP_CALLABLE = "accounts.audit.client_address"

# Sessions: a database session that records its user, so that deactivating a
# user ends their sessions (accounts.sessions). The session ends after
# SESSION_IDLE_TIMEOUT seconds without a request (a sliding expiry); a request
# writes it again once its stored end is SESSION_RENEW_AFTER seconds old
# (accounts.middleware), not on every request; static/js/session-timeout.js is
# told the real end and warns before it.
SESSION_ENGINE = "accounts.sessions"
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_IDLE_WARNING = env.int("SESSION_IDLE_WARNING", default=5 * 60)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT
SESSION_RENEW_AFTER = 60

# Japanese only, whatever language the browser asks for.
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語")]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "var" / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))

# E-mail: printed on the console unless EMAIL_URL names an SMTP server,
# e.g. smtp+tls://user:password@mail.city.example:587
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="joho@city.akishima.example")
# The address people use to reach the application, for links in e-mails.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# The city that runs the application: page header and footer, PDF covers
# (core.context_processors.city_name). Plans keep their own names as data.
CITY_NAME = env("CITY_NAME", default="昭島市")

# Security. Behind TLS in production; every flag can be relaxed for a local
# run (make run sets DEBUG=true, which turns them off).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# Lax, not Strict: a link to the application from an e-mail (督促メール) or the
# city's portal must open the page signed in; cross-site POSTs are still refused.
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# No script reads the CSRF cookie: forms carry the token, and
# static/js/session-timeout.js takes it from the page's logout form.
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "core.views.csrf_failure"

# Content-Security-Policy (django-csp): scripts and styles only from our own
# static files, no inline script or style; charts are inline SVG in the page.
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
    },
}
# Browser features the application never uses (django-permissions-policy).
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope",
        "magnetometer", "microphone", "midi", "payment", "usb",
    ]
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint reports each rendering step at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
