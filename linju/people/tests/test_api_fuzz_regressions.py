"""What the API fuzzer (linju/core/tests/test_api_fuzz.py) found in the people routes."""

import pytest

from linju.api import api
from linju.core.tests.test_api import API, assert_error

ROUTES = [
    ("get", "/api/v1/people/directory/estates"),
    ("get", "/api/v1/people/directory/{place_id}/children"),
    ("post", "/api/v1/people/roster/"),
]


@pytest.mark.parametrize("method, path", ROUTES)
def test_the_directory_and_the_roster_document_their_errors(method, path):
    """They answered 401, 404 and 422 (the roster 401 too) without declaring them, and the
    roster's own copy of the error schema took the name of the shared one."""
    responses = api.get_openapi_schema()["paths"][path][method]["responses"]
    for status in (401, 403, 404, 409, 422):
        schema = responses[status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorOut"}


@pytest.mark.django_db
def test_anonymous_calls_get_the_documented_401(client):
    assert_error(client.get(API + "/people/directory/estates"), 401, "unauthenticated")
    assert_error(client.get(API + "/people/directory/1/children"), 401, "unauthenticated")
    assert_error(client.post(API + "/people/roster/"), 401, "unauthenticated")
