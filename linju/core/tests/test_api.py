"""The API's shared machinery: auth (session + CSRF, tokens), error shapes, pagination, /me,
notifications, tokens, audit, OpenAPI and the docs page."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from linju.core import audit, tokens
from linju.core.models import ApiToken, Notification
from linju.core.notifications import notify

CSRF = "a" * 32
API = "/api/v1"


def api_client(user=None, *, token=None, csrf=True) -> Client:
    """A client that enforces CSRF like a browser; logged in by session and sending the CSRF
    token unless told otherwise, or authenticating with a bearer token."""
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    if csrf:
        client.cookies["csrftoken"] = CSRF
        client.defaults["HTTP_X_CSRFTOKEN"] = CSRF
    if token:
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def post(client, url, data, method="post"):
    body = data if isinstance(data, str | bytes) else json.dumps(data)
    return getattr(client, method)(API + url, body, content_type="application/json")


def count_queries(client, url) -> tuple[int, dict]:
    """Queries of a request in the steady state: after one request has cached the session and
    written the staff member's last-seen time."""
    client.get(API + url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(API + url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), response.json()


def assert_error(response, status, code, field=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "errors"}
    assert body["code"] == code
    assert body["message"]
    for item in body["errors"]:
        assert set(item) == {"field", "message"}
    if field is not None:
        assert field in [e["field"] for e in body["errors"]], body
    return body


# --- Authentication ---------------------------------------------------------------------------


def test_anonymous_gets_401_in_the_error_shape(city):
    client = Client(enforce_csrf_checks=True)
    assert_error(client.get(API + "/me"), 401, "unauthenticated")
    assert_error(post(client, "/me/tokens", {"name": "x"}), 401, "unauthenticated")


def test_session_post_needs_the_csrf_token(city):
    owner = city.users["owner"]
    no_token = api_client(owner, csrf=False)
    assert_error(post(no_token, "/me/tokens", {"name": "script"}), 403, "csrf_failed")
    assert_error(post(no_token, "/me/notifications/read", {"all": True}), 403, "csrf_failed")
    assert not ApiToken.objects.filter(user=owner).exists()
    # Safe methods need no token.
    assert no_token.get(API + "/me").status_code == 200
    with_token = api_client(owner)
    assert post(with_token, "/me/tokens", {"name": "script"}).status_code == 201


def test_bearer_token_works_without_csrf_and_dies_when_revoked(city):
    owner = city.users["owner"]
    token, key = tokens.create_token(user=owner, name="script")
    client = api_client(token=key, csrf=False)
    me = client.get(API + "/me")
    assert me.status_code == 200 and me.json()["id"] == owner.pk
    assert post(client, "/me/notifications/read", {"all": True}).status_code == 200
    tokens.revoke_token(user=owner, token_id=token.pk)
    assert_error(client.get(API + "/me"), 401, "unauthenticated")
    assert_error(api_client(token="lj_wrong", csrf=False).get(API + "/me"), 401, "unauthenticated")


def test_token_routes(city):
    owner = city.users["owner"]
    client = api_client(owner)
    created = post(client, "/me/tokens", {"name": "ledger export"})
    assert created.status_code == 201
    body = created.json()
    assert body["key"].startswith("lj_") and body["revoked_at"] is None
    assert re.search(r"[+-]\d\d:\d\d$", body["created_at"]), body["created_at"]
    listed = client.get(API + "/me/tokens").json()
    assert listed["count"] == 1 and "key" not in listed["items"][0]
    assert api_client(token=body["key"], csrf=False).get(API + "/me").status_code == 200
    revoked = client.delete(f"{API}/me/tokens/{body['id']}")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    # Someone else's token is not there for me.
    other, _ = tokens.create_token(user=city.users["tenant"], name="theirs")
    assert_error(client.delete(f"{API}/me/tokens/{other.pk}"), 404, "not_found")
    assert_error(post(client, "/me/tokens", {"name": "  "}), 422, "invalid", field="name")


# --- Error shapes --------------------------------------------------------------------------------


def test_malformed_json_is_422(city):
    client = api_client(city.users["owner"])
    body = assert_error(post(client, "/me/tokens", "{not json"), 422, "invalid_json", "body")
    assert "JSON" in body["message"]


def test_missing_field_and_wrong_type_name_the_field(city):
    client = api_client(city.users["unit_head"])
    assert_error(post(client, "/me/tokens", {}), 422, "invalid", field="name")
    assert_error(post(client, "/me/tokens", []), 422, "invalid", field="name")
    assert_error(post(client, "/me/tokens", {"name": ["x"]}), 422, "invalid", field="name")
    response = post(client, "/people/residencies/1/decision", {"approve": "perhaps"})
    assert_error(response, 422, "invalid", field="approve")
    assert_error(client.get(API + "/places?limit=1000"), 422, "invalid", field="limit")
    assert_error(client.get(API + "/places/abc"), 422, "invalid", field="place_id")
    assert_error(client.get(API + "/places?kind=planet"), 422, "invalid", field="kind")
    assert_error(client.get(API + "/places?offset=" + "9" * 20), 422, "invalid", field="offset")


def test_nul_characters_are_refused_not_a_database_error(city):
    """PostgreSQL cannot store NUL: without the check these were 500s there."""
    client = api_client(city.users["newcomer"])
    assert_error(client.get(API + "/places?q=a%00b"), 422, "invalid", field="q")
    assert_error(post(client, "/me/tokens", {"name": "x\u0000"}), 422, "invalid", field="name")
    payload = {"household_id": city.households["H201"].pk, "relation": "tenant", "note": "\u0000"}
    assert_error(post(client, "/people/residencies", payload), 422, "invalid", field="note")


def test_domain_conflict_is_409_with_a_code(city):
    client = api_client(city.users["community_staff"])
    payload = {
        "user_id": city.users["unit_head"].pk,
        "role": "unit_head",
        "place_id": city.places["U1"].pk,
    }
    assert_error(post(client, "/people/roles", payload), 409, "role_exists")


def test_refusal_is_403_and_unknown_id_is_404(city):
    client = api_client(city.users["owner"])
    assert_error(client.get(API + "/audit"), 403, "forbidden")
    assert_error(client.get(API + "/places/households/999999999"), 404, "not_found")
    assert_error(client.get(API + "/places/99999999999999999999"), 404, "not_found")


# --- /me ---------------------------------------------------------------------------------------


def test_me_lists_roles_with_scopes_and_households(city):
    response = api_client(city.users["owner"]).get(API + "/me")
    assert response.status_code == 200
    me = response.json()
    assert me["mobile"] == city.users["owner"].mobile
    roles = {r["role"]: r["scopes"] for r in me["roles"]}
    h101 = city.households["H101"]
    assert roles["owner"] == [{"type": "household", "id": h101.pk, "name": "E1 B1 U1 101"}]
    assert me["households"] == [{"id": h101.pk, "label": "E1 B1 U1 101", "relation": "owner"}]

    staff = api_client(city.users["grid_worker"]).get(API + "/me").json()
    assert staff["roles"] == [
        {
            "role": "grid_worker",
            "label": "网格员",  # labels follow the UI language, zh-Hans by default
            "scopes": [{"type": "grid", "id": city.grids["G1"].pk, "name": "G1"}],
        }
    ]
    assert staff["households"] == []


def test_my_data_is_the_personal_export(city):
    data = api_client(city.users["owner"]).get(API + "/me/data").json()
    assert data["profile"]["mobile"] == city.users["owner"].mobile
    assert [r["relation"] for r in data["residencies"]] == ["owner"]


def test_notifications_list_filter_and_mark_read(city):
    owner = city.users["owner"]
    for i in range(3):
        notify(recipients=[owner], kind="test", title=f"n{i}")
    notify(recipients=[city.users["tenant"]], kind="test", title="not mine")
    client = api_client(owner)
    page = client.get(API + "/me/notifications?unread=true&limit=2").json()
    assert page["count"] == 3 and len(page["items"]) == 2
    assert page["next"].endswith("offset=2") or "offset=2" in page["next"]
    rest = client.get(page["next"]).json()
    assert [n["title"] for n in rest["items"]] == ["n0"] and rest["next"] is None
    first = page["items"][0]["id"]
    assert post(client, "/me/notifications/read", {"ids": [first]}).json() == {"marked": 1}
    assert client.get(API + "/me/notifications?unread=false").json()["count"] == 1
    assert client.get(API + "/me").json()["unread_notifications"] == 2
    assert post(client, "/me/notifications/read", {"all": True}).json() == {"marked": 2}
    assert_error(post(client, "/me/notifications/read", {}), 422, "invalid", field="ids")
    assert Notification.objects.filter(title="not mine", read_at__isnull=True).exists()


def test_notifications_query_count_does_not_grow(city):
    owner = city.users["owner"]
    client = api_client(owner)
    notify(recipients=[owner], kind="test", title="one")
    few, body = count_queries(client, "/me/notifications")
    assert body["count"] == 1
    for i in range(19):
        notify(recipients=[owner], kind="test", title=f"more {i}")
    many, body = count_queries(client, "/me/notifications")
    assert body["count"] == 20 and few == many


# --- /audit ---------------------------------------------------------------------------------------


def test_audit_is_scoped_and_filterable(city, django_assert_max_num_queries):
    staff, staff_2 = city.users["community_staff"], city.users["community_staff_2"]
    in_c1 = audit.record(actor=staff, verb="test.one", obj=city.places["B1"])
    in_c2 = audit.record(actor=staff_2, verb="test.two", obj=city.places["B3"])
    client = api_client(staff)
    with django_assert_max_num_queries(12):
        page = client.get(API + "/audit").json()
    ids = [e["id"] for e in page["items"]]
    assert in_c1.pk in ids and in_c2.pk not in ids
    assert page["count"] == len(ids)
    item = next(e for e in page["items"] if e["id"] == in_c1.pk)
    assert item["actor"] == {"id": staff.pk, "name": staff.name}
    assert item["object_type"] == "places.place"
    assert client.get(API + "/audit?verb=test.two").json()["count"] == 0
    assert client.get(f"{API}/audit?actor={staff.pk}").json()["count"] == 1
    by_object = client.get(f"{API}/audit?object_type=places.place&object_id={city.places['B1'].pk}")
    assert [e["id"] for e in by_object.json()["items"]] == [in_c1.pk]
    admin = api_client(city.users["subdistrict_admin"]).get(API + "/audit?verb=test.two").json()
    assert admin["count"] == 1


def test_audit_query_count_does_not_grow(city):
    staff = city.users["community_staff"]
    client = api_client(staff)
    audit.record(actor=staff, verb="bulk", obj=city.places["B1"])
    few, body = count_queries(client, "/audit?verb=bulk")
    assert body["count"] == 1
    for _ in range(19):
        audit.record(actor=city.users["unit_head"], verb="bulk", obj=city.places["U1"])
    many, body = count_queries(client, "/audit?verb=bulk")
    assert body["count"] == 20 and many == few


def test_audit_count_is_capped_but_pages_go_on(city, monkeypatch):
    from linju.core.api_support import CappedLimitOffset

    monkeypatch.setattr(CappedLimitOffset, "cap", 5)
    staff = city.users["community_staff"]
    for _ in range(12):
        audit.record(actor=staff, verb="bulk", obj=city.places["B1"])
    client = api_client(staff)
    first = client.get(API + "/audit?verb=bulk&limit=4").json()
    assert (first["count"], first["capped"], len(first["items"])) == (5, True, 4)
    last = client.get(API + "/audit?verb=bulk&limit=4&offset=8").json()
    assert (last["count"], last["capped"], last["next"]) == (12, False, None)


# --- OpenAPI and docs ----------------------------------------------------------------------------


def test_openapi_lists_the_routes(client, db):
    schema = client.get(API + "/openapi.json").json()
    paths = schema["paths"]
    for path in [
        "/api/v1/me",
        "/api/v1/me/tokens",
        "/api/v1/audit",
        "/api/v1/places",
        "/api/v1/places/households/{household_id}",
        "/api/v1/people/residencies/{residency_id}/decision",
        "/api/v1/people/roles/{grant_id}",
    ]:
        assert path in paths, path
    error = schema["components"]["schemas"]["ErrorOut"]
    assert set(error["properties"]) == {"code", "message", "errors"}
    paged = paths["/api/v1/places"]["get"]["responses"]["200"]["content"]["application/json"]
    ref = paged["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][ref]["properties"]) == {"items", "count", "next"}


def test_docs_page_uses_only_local_assets(client, db):
    response = client.get(API + "/docs")
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls, html
    for url in urls:
        assert url.startswith("/static/"), url
    assert "cdn" not in html.lower() and "https://" not in html


def test_docs_assets_are_served_by_the_app(client, db):
    """The files the docs page links must be among the app's static files ("ninja" installed)."""
    html = client.get(API + "/docs").content.decode()
    for url in re.findall(r'(?:src|href)="/static/([^"]+)"', html):
        assert finders.find(url), f"/static/{url} is not among the app's static files"


@pytest.mark.parametrize("path", ["/me", "/places", "/people/roles", "/audit"])
def test_every_route_refuses_anonymous(client, db, path):
    assert_error(client.get(API + path), 401, "unauthenticated")


def test_unknown_api_path_answers_in_the_error_shape(client):
    response = client.get("/api/v1/no/such/thing")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
