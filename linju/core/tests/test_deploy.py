"""`manage.py check --deploy` is clean with production settings (issue 2 §1): the defaults of
linju/settings.py, given only what an operator must set, pass Django's security checks."""

import os
import runpy
import secrets
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION_ENV = {
    "LINJU_SECRET_KEY": secrets.token_urlsafe(64),
    "LINJU_DEBUG": "0",
    "LINJU_ALLOWED_HOSTS": "linju.example.cn",
}
# The test harness sets these (plain-HTTP test servers, Playwright's event loop beside the ORM);
# production never does.
TEST_ONLY_ENV = (
    "LINJU_SSL_REDIRECT",
    "LINJU_SECURE_COOKIES",
    "LINJU_HSTS_SECONDS",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)
SECURITY_SETTINGS = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "MIDDLEWARE", "X_FRAME_OPTIONS")
SECURITY_PREFIXES = ("SECURE_", "SESSION_COOKIE_", "CSRF_COOKIE_")


@pytest.fixture
def production_settings(monkeypatch):
    for name in TEST_ONLY_ENV:
        monkeypatch.delenv(name, raising=False)
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    module = runpy.run_path(str(ROOT / "linju" / "settings.py"))
    return {
        name: value
        for name, value in module.items()
        if name in SECURITY_SETTINGS or name.startswith(SECURITY_PREFIXES)
    }


def check_deploy():
    call_command("check", deploy=True, fail_level="WARNING", stdout=StringIO(), stderr=StringIO())


def test_production_defaults_pass_check_deploy(production_settings):
    assert production_settings["DEBUG"] is False
    assert production_settings["SECURE_SSL_REDIRECT"] is True
    assert production_settings["SESSION_COOKIE_SECURE"] is True
    assert production_settings["SECURE_HSTS_SECONDS"] >= 31536000
    with override_settings(**production_settings):
        check_deploy()


@pytest.mark.parametrize(
    ("name", "value", "check_id"),
    [
        ("DEBUG", True, "security.W018"),
        ("SECRET_KEY", "short", "security.W009"),
        ("SESSION_COOKIE_SECURE", False, "security.W012"),
        ("SECURE_HSTS_SECONDS", 0, "security.W004"),
    ],
)
def test_an_unsafe_setting_fails_the_check(production_settings, name, value, check_id):
    with (
        override_settings(**{**production_settings, name: value}),
        pytest.raises(SystemCheckError, match=check_id),
    ):
        check_deploy()


def test_manage_py_check_deploy_with_production_environment():
    env = {k: v for k, v in os.environ.items() if k not in TEST_ONLY_ENV}
    env.update(PRODUCTION_ENV, DJANGO_SETTINGS_MODULE="linju.settings")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr + result.stdout
