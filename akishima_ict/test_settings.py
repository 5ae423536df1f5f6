"""Settings for the test suite: the real settings, made fast and self-contained."""

import os

# Tests never read a developer's `.env` (written by `make run`, with DEBUG=true).
os.environ["ENV_FILE"] = ""
# Long enough for the production settings' refusal of short keys (DEBUG is off in tests).
os.environ["SECRET_KEY"] = "test-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"

from akishima_ict.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The manifest storage needs collectstatic; tests serve files as they are.
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
SECURE_SSL_REDIRECT = False
# Each test run keeps its cache in its own memory (the stamps in the keys differ per
# test database anyway).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Serve static files from the finders, as in development (no collectstatic).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# SQLite tests use a file, as production does: an in-memory shared-cache database
# locks whole tables and ignores the busy timeout, so concurrent writers would
# fail instead of waiting their turn (tests/projects/test_concurrency.py).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # One file per test run, so that two runs at once do not share a database.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(BASE_DIR / "var" / f"test-db-{os.getpid()}.sqlite3")  # noqa: F405
    }
