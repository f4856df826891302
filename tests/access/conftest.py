"""The world of the access matrix is built once per test module, inside a transaction rolled
back at the module's end; each test runs in a savepoint of it (pytest-django's `db`), and each
person's requests in a savepoint of their own (checks.rolled_back)."""

import pytest
from django.db import transaction

from .policy import ROLES
from .world import build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world(ROLES)
        transaction.set_rollback(True)
