"""Schema-driven fuzzing of /api/v1 (schemathesis, DESIGN §6: "schema-driven API fuzzing finds
no 5xx"). Every operation of the OpenAPI schema the app generates is called in-process through
the WSGI application with a bounded number of generated requests (valid and invalid ones), as
community staff and as a resident (personal tokens), and without credentials. Each answer must
not be a 5xx, must carry a declared status code and content type, and must match the response
schema declared for its status; an operation that declares authentication must refuse a request
without it (schemathesis's `ignored_auth`, and 401 for every anonymous call).

The city of fuzz_seed.py is built once per module (and xdist worker) inside a transaction rolled
back at the end; every generated request runs in a savepoint rolled back after it, so the
fuzzer's writes never leak into the next request. Path, query and body parameters that take
ids are swapped for real ones of the seeded city in about half of the requests, so the fuzzer
gets past the 404s to the rules behind them.

Bounds: LINJU_FUZZ_EXAMPLES requests per operation and identity (default 5), derandomized with
a fixed seed and no example database, no deadline. A longer campaign:
LINJU_FUZZ_EXAMPLES=200 pytest -n 2 linju/core/tests/test_api_fuzz.py (docs/api.md, Fuzzing).
"""

import os
import traceback
from urllib.parse import unquote, urlsplit

import pytest
import schemathesis
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction
from django.urls import resolve
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_schema_conformance,
    status_code_conformance,
)

from linju.api import api
from linju.core.api_support import api_not_found
from linju.wsgi import application

from .fuzz_seed import seed

EXAMPLES = int(os.environ.get("LINJU_FUZZ_EXAMPLES", "5"))
SEED = int(os.environ.get("LINJU_FUZZ_SEED", "20260"))

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    ignored_auth,
]

config = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {
            "max-examples": EXAMPLES,
            "deterministic": True,
            "database": "none",
        },
        # Only the generated requests: the schema has no examples, and the coverage and
        # stateful phases would multiply the requests past what a CI run affords.
        "phases": {
            "examples": {"enabled": False},
            "coverage": {"enabled": False},
            "stateful": {"enabled": False},
        },
    }
)
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(), config=config)
schema.app = application

# Parameters that take an id or a code, by the name the API gives them, and what they take.
SAME_AS = {
    "user": "person",
    "owner": "person",
    "handler": "person",
    "leader": "person",
    "actor": "person",
    "into": "report",
    "estate": "place",
    "community": "place",
    "unit": "place",
    "parent": "place",
    "affected_households": "household",
    "editor": "person",
}
# Several apps call their own things `item`: the app in the path says whose.
ITEMS = {
    "/ratings/": "rubric_item",
    "/services/": "service_item",
    "/mutualaid/": "shared_item",
    "/notices/": "issue_item",
}
REAL: dict = {}  # filled by the `seeded` fixture: pool name → real values
_DRAWS: dict = {}  # (pool name, a list of them?) → its strategy, built once


def pool_of(name: str, path: str) -> str:
    """The pool of real values for the parameter `name` of the operation at `path`."""
    key = name.removesuffix("_ids").removesuffix("_id")
    if key == "item":
        key = next((pool for app, pool in ITEMS.items() if app in path), "store_item")
    elif key == "photo":
        key = "activity_photo" if "/activities/" in path else "report_photo"
    elif key == "code" and "/reports/" in path:
        key = "category"
    elif key == "kind" and "/votes/" in path:
        key = "vote_file"
    return SAME_AS.get(key, key)


def _real(pool: str, many: bool) -> st.SearchStrategy:
    if (pool, many) not in _DRAWS:
        one = st.sampled_from(REAL[pool])
        _DRAWS[pool, many] = st.lists(one, min_size=1, max_size=3) if many else one
    return _DRAWS[pool, many]


def real_or_generated(values, path: str) -> st.SearchStrategy:
    """About half the time, each parameter that names a seeded object gets a real one."""
    if not isinstance(values, dict):  # none, or a negative case's list or string
        return st.just(values)
    swaps = {}
    for name in values:
        pool = pool_of(name, path)
        if REAL.get(pool):
            many = name.endswith("_ids") or name == "affected_households"
            swaps[name] = st.tuples(st.booleans(), _real(pool, many))
    if not swaps:
        return st.just(values)
    return st.fixed_dictionaries(swaps).map(
        lambda drawn: {**values, **{name: real for name, (use, real) in drawn.items() if use}}
    )


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    return real_or_generated(path_parameters, context.operation.path)


@schema.hook
def flatmap_query(context, query):
    return real_or_generated(query, context.operation.path)


@schema.hook
def flatmap_body(context, body):
    return real_or_generated(body, context.operation.path)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The seeded city, built once for the module and rolled back after it.

    The WSGI handler closes the database connection around each request (Django's
    close_old_connections; inside a transaction it counts as broken): as Django's test client
    does, that is switched off while the fuzzer's requests run in the module's transaction."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            data = seed()
            REAL.update(data.ids)
            yield data
        finally:
            REAL.clear()
            _DRAWS.clear()
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            for signal in (request_started, request_finished):
                signal.connect(close_old_connections)


def call(case, headers=None):
    """Send the case through the WSGI app in a savepoint rolled back after it; run the checks.
    A 500's traceback (from Django's got_request_exception) is added to the failure."""
    errors = []

    def record(sender, request=None, **kwargs):
        errors.append(traceback.format_exc())

    got_request_exception.connect(record)
    try:
        with transaction.atomic():
            try:
                return case.call_and_validate(headers=headers, checks=CHECKS)
            except Exception as exc:
                for error in errors:
                    exc.add_note(error)
                raise
            finally:
                transaction.set_rollback(True)
    finally:
        got_request_exception.disconnect(record)


# pytest-django's `db` is function-scoped, so Hypothesis warns that it is not reset between
# examples: `call` rolls each example back instead. The health checks on how fast and how
# large the generated data is would make a loaded CI machine fail a correct API.
UNCHECKED = [
    HealthCheck.function_scoped_fixture,
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
    HealthCheck.filter_too_much,
    HealthCheck.large_base_example,
]


@pytest.mark.parametrize("who", ["staff", "resident"])
@schema.parametrize()
@settings(suppress_health_check=UNCHECKED)
def test_signed_in(case, who, seeded, db):
    call(case, headers={"Authorization": f"Bearer {seeded.keys[who]}"})


# Without credentials the answer is 401 whatever the input: a few requests per operation do.
@schema.parametrize()
@settings(max_examples=max(2, EXAMPLES // 5), suppress_health_check=UNCHECKED)
def test_anonymous(case, seeded, db):
    response = call(case)
    if case.operation.definition.raw.get("security") and _routed(response.request.url):
        assert response.status_code == 401, (case.operation.label, response.status_code)


def _routed(url: str) -> bool:
    """Whether a route of the API took the request (not the /api/ catch-all's 404)."""
    return resolve(unquote(urlsplit(url).path)).func is not api_not_found
