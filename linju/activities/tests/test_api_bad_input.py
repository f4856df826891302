"""Malformed input to every activities write route and list filter is answered 4xx, never 500;
the OpenAPI schema builds and lists every activities route."""

import pytest
from django.utils import timezone

from linju.core.tests.test_api import API, api_client, post

from .conftest import started

pytestmark = pytest.mark.django_db
A = "/activities"
# Malformed values a client may send: empty, words, huge and negative numbers, a NUL, an
# impossible date, a list, null.
BAD = ["", "x", "9" * 30, "-1", "\x00", "2026-13-45", [1], None]


def test_the_api_answers_malformed_input_without_a_500(hood):
    staff, tenant = api_client(hood.staff), api_client(hood.member)
    party, patrol = hood.party.pk, hood.patrol.pk
    tenant_sign_up = post(tenant, f"{A}/{party}/sign-up", {}).json()["id"]
    started(hood.party)
    talent = post(tenant, f"{A}/talents/mine/repairs", {}, "put").json()["id"]
    good = {
        "place": hood.city.places["B1"].pk,
        "title": "t",
        "kind": "culture",
        "venue": "v",
        "starts_at": (timezone.now() + timezone.timedelta(days=1)).isoformat(),
        "ends_at": (timezone.now() + timezone.timedelta(days=1, hours=1)).isoformat(),
        "capacity": 1,
        "service_minutes": 1,
        "team": patrol,
        "group": None,
        "reason": "r",
        "code": "c",
        "person": hood.leader.pk,
        "sign_up_ids": [tenant_sign_up],
        "name": "n",
        "description": "d",
        "open_to_join": True,
        "active": True,
        "leader": hood.leader.pk,
        "role": "member",
        "served_on": timezone.localdate().isoformat(),
        "minutes": 30,
        "what": "w",
        "note": "n",
        "visibility": "staff",
        "message": "m",
        "activity": party,
        "project": "p",
    }
    later = post(staff, A, good).json()["id"]  # not started: its changes reach the service
    routes = [
        ("post", A, ["place", "title", "kind", "starts_at", "ends_at", "capacity"]),
        ("post", A, ["service_minutes", "team", "group"]),
        ("put", f"{A}/{later}", ["starts_at", "capacity", "service_minutes"]),
        ("post", f"{A}/{party}/cancel", ["reason"]),
        ("post", f"{A}/check-in", ["code"]),
        ("post", f"{A}/{party}/check-ins", ["person"]),
        ("post", f"{A}/{party}/confirm", ["sign_up_ids"]),
        ("post", f"{A}/teams", ["place", "name", "kind", "leader"]),
        ("put", f"{A}/teams/{patrol}", ["name", "active"]),
        ("post", f"{A}/teams/{patrol}/members", ["person", "role"]),
        ("post", f"{A}/teams/{patrol}/services", ["served_on", "minutes", "person"]),
        ("post", f"{A}/groups", ["place", "leader"]),
        ("post", f"{A}/talents/{talent}/invitations", ["message", "activity"]),
    ]
    for method, url, fields in routes:
        for bad in BAD:
            for f in fields:
                r = post(staff, url, {**good, f: bad}, method)
                assert r.status_code < 500, (url, f, bad, r.content[:300])
    for bad in BAD:
        r = post(tenant, f"{A}/talents/mine/repairs", {"note": bad, "visibility": bad}, "put")
        assert r.status_code < 500, (bad, r.content[:300])
    for body in ["", "{", "[]", "null", '"x"', "\x00"]:
        for url in (A, f"{A}/check-in", f"{A}/{party}/confirm", f"{A}/teams"):
            assert post(staff, url, body).status_code < 500, (url, body)
    for url in [
        f"{A}?from=x&to=2026-13-01&kind=%00",
        f"{A}?from=99999-01-01",
        f"{A}?from=1e999&limit=0",
        f"{A}?offset=-1",
        f"{A}/99999999999999999999",
        f"{A}/{party}/sign-ups?limit=1000",
        f"{A}/talents?skill=%00&text=%00&place=99999999999999999999",
        f"{A}/talents/neighbours?skill=",
        f"{A}/figures?place=x&month=2026-13",
        f"{A}/figures?place=99999999999999999999&month=x",
        f"{A}/teams/0",
        f"{A}/photos/99999999999999999999",
    ]:
        assert staff.get(API + url).status_code < 500, url
    for url in [
        f"{A}/talents/mine/%00",
        f"{A}/teams/{patrol}/members/99999999999999999999",
        f"{A}/photos/0",
    ]:
        assert staff.delete(API + url).status_code < 500, url


def test_openapi_lists_the_activities_paths(client, db):
    schema = client.get(API + "/openapi.json").json()
    paths = schema["paths"]
    base = "/api/v1/activities"
    expected = {
        "": {"get", "post"},
        "/mine": {"get"},
        "/{activity_id}": {"get", "put"},
        "/{activity_id}/cancel": {"post"},
        "/{activity_id}/sign-up": {"post", "delete"},
        "/check-in": {"post"},
        "/{activity_id}/sign-ups": {"get"},
        "/{activity_id}/check-ins": {"post"},
        "/{activity_id}/confirm": {"post"},
        "/{activity_id}/photos": {"get", "post"},
        "/photos/{photo_id}": {"get", "delete"},
        "/teams": {"get", "post"},
        "/teams/{team_id}": {"get", "put"},
        "/teams/{team_id}/join": {"post"},
        "/teams/{team_id}/members": {"get", "post"},
        "/teams/{team_id}/members/{person_id}": {"delete"},
        "/teams/{team_id}/services": {"post"},
        "/services/waiting": {"get"},
        "/services/mine": {"get"},
        "/services/{record_id}/confirm": {"post"},
        "/services/{record_id}/reject": {"post"},
        "/groups": {"get", "post"},
        "/groups/{group_id}": {"get", "put"},
        "/groups/{group_id}/join": {"post"},
        "/groups/{group_id}/members": {"get", "post"},
        "/groups/{group_id}/members/{person_id}": {"delete"},
        "/talents/mine": {"get"},
        "/talents/mine/{skill}": {"put", "delete"},
        "/talents/neighbours": {"get"},
        "/talents": {"get"},
        "/talents/{talent_id}/invitations": {"post"},
        "/invitations/mine": {"get"},
        "/invitations/sent": {"get"},
        "/invitations/{invitation_id}/accept": {"post"},
        "/invitations/{invitation_id}/decline": {"post"},
        "/figures": {"get"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[base + path]), path
    calendar = paths[base]["get"]
    assert {"from", "to", "kind", "limit", "offset"} <= {p["name"] for p in calendar["parameters"]}
    photos = paths[f"{base}/{{activity_id}}/photos"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in photos
