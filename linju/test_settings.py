"""Settings for the test suite: production settings over plain HTTP, fast hashing."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

os.environ.setdefault("LINJU_SSL_REDIRECT", "0")
os.environ.setdefault("LINJU_SECURE_COOKIES", "0")
os.environ.setdefault("LINJU_HSTS_SECONDS", "0")

from linju.settings import *  # noqa: F403

# Argon2 stays first in production; tests hash thousands of passwords.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# One process per xdist worker, cleared before every test (conftest.py): never a shared Redis.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Serve static files from the apps in live-server browser tests, without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Uploaded files (report photos, the demo's drawn photos) go to a throw-away directory, never
# into the development MEDIA_ROOT.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="linju-test-media-"))
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
