"""What the API fuzzer (test_api_fuzz.py) found in the shared API machinery and the OpenAPI
document, each checked directly."""

import collections

import pytest
from ninja import Schema

from linju.api import api
from linju.core.tests.test_api import API, api_client, assert_error, post


def _schema_classes(cls=Schema):
    for sub in cls.__subclasses__():
        yield sub
        yield from _schema_classes(sub)


def test_no_two_api_schemas_share_a_name():
    """ninja files every schema under its class name in the document's components: of two
    classes with one name, the last one generated stood for both (GET /me/tokens was documented
    with the meeting check-in token, a report's rating with a topic's stars)."""
    api.get_openapi_schema()  # every router imported
    modules = collections.defaultdict(set)
    for cls in _schema_classes():
        if cls.__module__.startswith("linju."):
            modules[cls.__name__].add(cls.__module__)
    assert {name: sorted(m) for name, m in modules.items() if len(m) > 1} == {}


def test_the_documented_schemas_are_the_ones_answered():
    components = api.get_openapi_schema()["components"]["schemas"]
    assert "prefix" in components["TokenOut"]["properties"]  # GET /me/tokens
    assert "checkin_url" in components["CheckinTokenOut"]["properties"]
    assert "rating" in components["RateIn"]["properties"]  # POST /reports/{id}/rate
    assert "stars" in components["TopicRateIn"]["properties"]


def test_each_status_is_documented_once():
    """A binary 200 given as "200" in openapi_extra stood beside ninja's own 200: the JSON
    document held the key twice."""
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method, operation in operations.items():
            statuses = [str(status) for status in operation["responses"]]
            assert len(statuses) == len(set(statuses)), (method, path, statuses)


@pytest.mark.django_db
def test_an_unsafe_method_on_an_unknown_api_path_is_a_json_404(city):
    """With a session and no CSRF token, Django's CSRF check answered the catch-all with its
    HTML 403 page."""
    client = api_client(city.users["owner"], csrf=False)
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(API + "/activities/invitations/true/decline")
        assert response["Content-Type"] == "application/json"
        assert_error(response, 404, "not_found")


@pytest.mark.django_db
def test_marking_notifications_read_checks_the_ids(city):
    """An id past 2**63 was a 500 on SQLite (OverflowError), thousands of them past its limit
    of query parameters."""
    client = api_client(city.users["owner"])
    for ids in ([2**63], [0], [1] * 1001):
        response = post(client, "/me/notifications/read", {"ids": ids})
        assert_error(response, 422, "invalid", field="ids" if len(ids) > 1 else "ids.0")
    assert post(client, "/me/notifications/read", {"ids": [2**63 - 1]}).json() == {"marked": 0}
