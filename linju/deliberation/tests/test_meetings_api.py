"""/api/v1/deliberation/meetings: meetings as JSON for each role inside and outside its scope —
the staff list with its counts and constant query count, creating (422 naming fields), the
meeting (drafts hidden), agenda, invitations, the notice (422 on `starts_at`), answers,
check-in with the QR code's token, the host's tick, the quorum, minutes (409 codes),
cancelling, my meetings and the notices near me, and the meeting kinds."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from linju.core.tests.test_api import API, api_client, assert_error, post
from linju.deliberation import services_meetings as services
from linju.deliberation.models import Decision, Invitee, Meeting, MeetingKind, MeetingStatus

from .test_meetings_pages import DESK_USERS, ROLES
from .test_meetings_services import T0, clock, invite, make_meeting, make_topic, noticed

__all__ = ["clock"]

pytestmark = pytest.mark.django_db
M = "/deliberation/meetings"


def as_(city, key) -> Client:
    return api_client(city.users[key])


def get(client, url):
    return client.get(API + url)


def create_body(city, **change):
    body = {
        "kind": "yishihui",
        "place": city.places["B1"].pk,
        "title": "一栋议事会",
        "starts_at": (T0 + timedelta(days=10)).isoformat(),
        "venue": "活动室",
    }
    body.update(change)
    return body


# --- Authentication and OpenAPI -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["", "/mine", "/board", "/kinds", "/1", "/1/invitees", "/1/quorum"]
)
def test_anonymous_gets_401(client, db, path):
    assert_error(client.get(API + M + path), 401, "unauthenticated")


def test_session_writes_need_the_csrf_token(city, clock):
    no_csrf = api_client(city.users["community_staff"], csrf=False)
    assert_error(post(no_csrf, M, create_body(city)), 403, "csrf_failed")
    assert not Meeting.objects.exists()


def test_openapi_documents_every_route(client, db):
    paths = client.get(API + "/openapi.json").json()["paths"]
    base = "/api/v1/deliberation/meetings"
    expected = {
        base: {"get", "post"},
        f"{base}/mine": {"get"},
        f"{base}/board": {"get"},
        f"{base}/kinds": {"get", "post"},
        f"{base}/kinds/{{code}}": {"patch"},
        f"{base}/{{meeting_id}}": {"get", "patch"},
        f"{base}/{{meeting_id}}/agenda": {"put", "post"},
        f"{base}/{{meeting_id}}/agenda/{{topic_id}}": {"delete"},
        f"{base}/{{meeting_id}}/invitees": {"get", "post"},
        f"{base}/{{meeting_id}}/notice": {"post"},
        f"{base}/{{meeting_id}}/rsvp": {"post"},
        f"{base}/{{meeting_id}}/check-in": {"post"},
        f"{base}/{{meeting_id}}/invitees/{{user_id}}/check-in": {"post"},
        f"{base}/{{meeting_id}}/token": {"post"},
        f"{base}/{{meeting_id}}/quorum": {"get"},
        f"{base}/{{meeting_id}}/minutes": {"post"},
        f"{base}/{{meeting_id}}/cancel": {"post"},
    }
    for path, methods in expected.items():
        assert path in paths, path
        assert set(paths[path]) == methods, path
        for op in paths[path].values():
            assert op["summary"] and op["description"], (path, op.get("operationId"))


# --- Creating -------------------------------------------------------------------------------------


def test_create_and_read_a_meeting(city, clock):
    response = post(as_(city, "building_head"), M, create_body(city))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["kind"] == {"code": "yishihui", "name": "议事会"}
    assert body["place"]["label"] == "C1 E1 B1"
    assert body["starts_at"].endswith("+08:00")
    assert body["quorum"] == {
        "present": 0,
        "invited": 0,
        "needed": 0,
        "met": True,
        "numerator": 0,
        "denominator": 1,
    }
    assert body["checkin_url"].startswith("http://testserver/deliberation/meetings/")
    assert body["allowed"] == {"host": True, "rsvp": False}
    assert body["notice_days_needed"] == 3


@pytest.mark.parametrize(
    "change, field",
    [
        ({"starts_at": (T0 - timedelta(hours=1)).isoformat()}, "starts_at"),
        ({"ends_at": T0.isoformat()}, "ends_at"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"kind": "nope"}, "kind"),
        ({"place": 10**12}, "place"),
        ({"place": 0}, "place"),
        ({"title": ""}, "title"),
        ({"title": "x" * 121}, "title"),
        ({"venue": "a\x00b"}, "venue"),
        ({"quorum_numerator": 3, "quorum_denominator": 2}, "quorum_numerator"),
    ],
)
def test_create_errors_name_the_field(city, clock, change, field):
    response = post(as_(city, "community_staff"), M, create_body(city, **change))
    assert_error(response, 422, "invalid", field=field)
    assert not Meeting.objects.exists()


def test_create_starts_the_agenda_or_saves_nothing(city, clock):
    topic = make_topic(city, "B1", "楼道照明")
    elsewhere = make_topic(city, "E2", "别处的议题")
    staff = as_(city, "community_staff")
    body = assert_error(
        post(staff, M, create_body(city, topic_ids=[topic.pk, elsewhere.pk])), 422, "invalid"
    )
    assert {e["field"] for e in body["errors"]} == {"topic_ids"}
    assert not Meeting.objects.exists()  # nothing half-saved
    response = post(staff, M, create_body(city, topic_ids=[topic.pk]))
    assert response.status_code == 201
    meeting = Meeting.objects.get()
    assert list(meeting.agenda.values_list("topic_id", flat=True)) == [topic.pk]


def test_missing_fields_are_named(city, clock):
    body = assert_error(post(as_(city, "community_staff"), M, {}), 422, "invalid")
    named = {e["field"] for e in body["errors"]}
    assert {"kind", "place", "title", "starts_at", "venue"} <= named


@pytest.mark.parametrize("key", ["owner", "property_manager", "floor_head", "community_staff_2"])
def test_create_outside_the_hosts_scope_is_403(city, clock, key):
    assert_error(post(as_(city, key), M, create_body(city)), 403, "forbidden")


# --- Lists ----------------------------------------------------------------------------------------


def test_staff_list_is_scoped_with_counts(city, clock):
    b1 = noticed(city, "owner", "tenant")
    services.rsvp(user=city.users["owner"], meeting=b1, answer="yes")
    make_meeting(city, place="C1", days=5)
    make_meeting(city, host="community_staff_2", place="E2")
    body = get(as_(city, "community_staff"), M).json()
    assert body["count"] == 2 and not body["capped"]
    assert [r["place"]["name"] for r in body["items"]] == ["C1", "B1"]  # soonest first
    row = body["items"][1]
    assert (row["invited"], row["said_yes"], row["present"], row["agenda_count"]) == (2, 1, 0, 0)
    assert [r["place"]["name"] for r in get(as_(city, "building_head"), M).json()["items"]] == [
        "B1"
    ]
    assert get(as_(city, "community_staff_2"), M).json()["count"] == 1
    assert get(as_(city, "subdistrict_admin"), M).json()["count"] == 3
    for key in ("owner", "partner", "newcomer"):
        assert_error(get(as_(city, key), M), 403, "forbidden")
    filtered = get(as_(city, "community_staff"), f"{M}?status=noticed&when=upcoming").json()
    assert filtered["count"] == 1
    assert_error(get(as_(city, "community_staff"), f"{M}?status=bogus"), 422, "invalid", "status")
    place = city.places["E2"].pk
    assert_error(get(as_(city, "community_staff"), f"{M}?place={place}"), 422, "invalid", "place")
    assert get(as_(city, "community_staff"), f"{M}?q=C1").json()["count"] == 1


def _queries(client, url) -> int:
    client.get(API + url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(API + url)
    assert response.status_code == 200, response.content
    return len(ctx)


def test_list_queries_do_not_grow_with_rows(city, clock):
    client = as_(city, "community_staff")
    make_meeting(city)
    one = _queries(client, M)
    for place in ("B2", "U1", "E1", "C1"):
        invite(city, make_meeting(city, place=place), "owner", "tenant")
    assert _queries(client, M) == one
    mine = as_(city, "owner")
    noticed(city, "owner")
    noticed(city, "tenant", place="E1")
    first = _queries(mine, f"{M}/mine")
    board_first = _queries(mine, f"{M}/board")
    for _i in range(3):
        noticed(city, "owner", place="E1")
        noticed(city, "tenant", place="U1")
    assert _queries(mine, f"{M}/mine") == first
    assert _queries(mine, f"{M}/board") == board_first
    meeting = noticed(city, "owner")
    invitees_first = _queries(client, f"{M}/{meeting.pk}/invitees")
    invite(city, meeting, "tenant", "party_liaison", "unit_head", "owner_2")
    assert _queries(client, f"{M}/{meeting.pk}/invitees") == invitees_first


def test_my_meetings_and_notices_near_me(city, clock):
    invited = noticed(city, "owner", days=6)
    near = noticed(city, "tenant", place="E1", days=4)
    draft = make_meeting(city, place="U1")
    invite(city, draft, "owner")
    noticed(city, "owner_2", host="community_staff_2", place="E2")
    services.rsvp(user=city.users["owner"], meeting=invited, answer="no")
    mine = get(as_(city, "owner"), f"{M}/mine").json()
    assert [r["id"] for r in mine["items"]] == [invited.pk]
    assert mine["items"][0]["me"] == {
        "invited": True,
        "via": "list",
        "rsvp": "no",
        "checked_in_at": None,
    }
    board = get(as_(city, "owner"), f"{M}/board").json()
    assert [r["id"] for r in board["items"]] == [near.pk]
    assert get(as_(city, "newcomer"), f"{M}/board").json()["count"] == 0


# --- One meeting ----------------------------------------------------------------------------------


def test_who_sees_a_meeting(city, clock):
    draft = make_meeting(city, place="B1")
    invite(city, draft, "owner")
    for key in ("owner", "tenant", "newcomer", "community_staff_2", "unit_head"):
        assert_error(get(as_(city, key), f"{M}/{draft.pk}"), 404, "not_found")
    for key in ("building_head", "floor_head", "grid_worker", "property_manager"):
        assert get(as_(city, key), f"{M}/{draft.pk}").status_code == 200, key
    services.send_notice(user=city.users["community_staff"], meeting=draft)
    owner = get(as_(city, "owner"), f"{M}/{draft.pk}").json()
    assert owner["me"]["invited"] and owner["allowed"] == {"host": False, "rsvp": True}
    assert owner["checkin_url"] is None  # the QR code's secret is for hosts
    # A neighbour whose home the meeting covers sees the notice; outsiders do not.
    assert get(as_(city, "tenant"), f"{M}/{draft.pk}").json()["me"]["invited"] is False
    assert get(as_(city, "party_liaison"), f"{M}/{draft.pk}").status_code == 200  # serves H102
    for key in ("newcomer", "owner_2", "community_staff_2"):
        assert_error(get(as_(city, key), f"{M}/{draft.pk}"), 404, "not_found")
    floor = get(as_(city, "floor_head"), f"{M}/{draft.pk}").json()
    assert floor["allowed"]["host"] is False and floor["checkin_url"] is None
    assert_error(get(as_(city, "community_staff"), f"{M}/999999"), 404, "not_found")


def test_update_agenda_invite_and_notice(city, clock):
    staff = as_(city, "community_staff")
    meeting = make_meeting(city, kind="owners_assembly", place="E1", days=14)
    url = f"{M}/{meeting.pk}"
    changed = post(staff, url, {"title": "业主大会", "ends_at": None}, method="patch")
    assert changed.status_code == 200 and changed.json()["title"] == "业主大会"
    a, b, sibling = make_topic(city, "E1"), make_topic(city, "B2"), make_topic(city, "E2")
    agenda = post(staff, f"{url}/agenda", {"topic_ids": [b.pk, a.pk]}, method="put")
    assert [i["topic_id"] for i in agenda.json()] == [b.pk, a.pk]
    assert_error(
        post(staff, f"{url}/agenda", {"topic_ids": [sibling.pk]}, method="put"),
        422,
        "invalid",
        "topic_ids",
    )
    assert_error(post(staff, f"{url}/agenda", {"topic_id": sibling.pk}), 422, "invalid", "topic_id")
    removed = staff.delete(f"{API}{url}/agenda/{b.pk}")
    assert [i["topic_id"] for i in removed.json()] == [a.pk]
    assert_error(staff.delete(f"{API}{url}/agenda/{b.pk}"), 422, "invalid", "topic_id")
    assert post(staff, f"{url}/agenda", {"topic_id": b.pk}).status_code == 200
    invited = post(staff, f"{url}/invitees", {"scope": True, "roles": ["owners_committee"]})
    assert invited.json() == {"added": 2, "invited": 2}
    assert post(staff, f"{url}/invitees", {"scope": True}).json() == {"added": 0, "invited": 2}
    assert_error(post(staff, f"{url}/invitees", {"roles": ["king"]}), 422, "invalid", "roles.0")
    assert_error(post(staff, f"{url}/invitees", {}), 422, "invalid", "roles")
    assert_error(post(staff, f"{url}/invitees", {"user_ids": [999999]}), 422, "invalid", "user_ids")
    # 14 days: too late for an owners' assembly's 15.
    body = assert_error(post(staff, f"{url}/notice", {}), 422, "invalid", "starts_at")
    assert "15" in body["errors"][0]["message"]
    post(staff, url, {"starts_at": (T0 + timedelta(days=15)).isoformat()}, method="patch")
    sent = post(staff, f"{url}/notice", {})
    assert sent.status_code == 200 and sent.json()["status"] == "noticed"
    assert_error(post(staff, f"{url}/notice", {}), 409, "wrong_status")
    assert_error(
        post(as_(city, "property_manager"), url, {"title": "x"}, "patch"), 403, "forbidden"
    )
    assert_error(post(as_(city, "owner"), f"{url}/cancel", {"reason": "x"}), 403, "forbidden")


def test_rsvp_check_in_quorum_minutes(city, clock):
    MeetingKind.objects.filter(code="rep_assembly").update(notice_days=0)
    meeting = noticed(
        city,
        "owner",
        "tenant",
        "newcomer",
        kind="rep_assembly",
        place="E1",
        days=0,
        starts_at=T0 + timedelta(hours=3),
    )
    topic = make_topic(city, "E1")
    services.add_topic(user=city.users["community_staff"], meeting=meeting, topic_id=topic.pk)
    url = f"{M}/{meeting.pk}"
    owner = as_(city, "owner")
    answered = post(owner, f"{url}/rsvp", {"answer": "yes"})
    assert answered.status_code == 200 and answered.json()["me"]["rsvp"] == "yes"
    assert_error(post(owner, f"{url}/rsvp", {"answer": "perhaps"}), 422, "invalid", "answer")
    assert_error(post(as_(city, "unit_head"), f"{url}/rsvp", {"answer": "yes"}), 404, "not_found")
    assert_error(
        post(as_(city, "party_liaison"), f"{url}/rsvp", {"answer": "yes"}), 403, "not_invited"
    )
    token = meeting.checkin_token
    assert_error(post(owner, f"{url}/check-in", {"token": token}), 409, "checkin_not_open")
    clock.move_to(T0 + timedelta(hours=1))
    owner = as_(city, "owner")
    assert_error(post(owner, f"{url}/check-in", {"token": "wrong"}), 422, "invalid", "token")
    assert_error(post(owner, f"{url}/check-in", {}), 422, "invalid", "token")
    done = post(owner, f"{url}/check-in", {"token": token})
    assert done.status_code == 200, done.content
    assert done.json()["already"] is False and done.json()["quorum"]["present"] == 1
    assert post(owner, f"{url}/check-in", {"token": token}).json()["already"] is True
    assert_error(
        post(as_(city, "party_liaison"), f"{url}/check-in", {"token": token}), 403, "not_invited"
    )
    host = as_(city, "community_staff")
    tenant_id = city.users["tenant"].pk
    ticked = post(host, f"{url}/invitees/{tenant_id}/check-in", {})
    assert ticked.json()["ticked_by_host"] is True and ticked.json()["checked_in_at"]
    assert_error(
        post(host, f"{url}/invitees/{city.users['owner_2'].pk}/check-in", {}),
        422,
        "invalid",
        "user_id",
    )
    assert_error(
        post(as_(city, "property_manager"), f"{url}/invitees/{tenant_id}/check-in", {}),
        403,
        "forbidden",
    )
    quorum = get(owner, f"{url}/quorum").json()
    assert quorum == {
        "present": 2,
        "invited": 3,
        "needed": 2,
        "met": True,
        "numerator": 2,
        "denominator": 3,
    }
    decisions = {"minutes": "纪要", "decisions": [{"topic_id": topic.pk, "text": "同意"}]}
    assert_error(post(host, f"{url}/minutes", decisions), 409, "not_started")
    clock.move_to(T0 + timedelta(hours=3))
    host = as_(city, "community_staff")  # a fresh staff session (idle ones end after 30 min)
    post(host, f"{url}/invitees/{tenant_id}/check-in", {"present": False})
    assert_error(post(host, f"{url}/minutes", decisions), 409, "no_quorum")
    post(host, f"{url}/invitees/{tenant_id}/check-in", {"present": True})
    bad = {"minutes": "纪要", "decisions": [{"topic_id": 999, "text": "x"}]}
    assert_error(post(host, f"{url}/minutes", bad), 422, "invalid", "decisions.0.topic_id")
    assert_error(post(host, f"{url}/minutes", {"minutes": ""}), 422, "invalid", "minutes")
    held = post(host, f"{url}/minutes", decisions)
    assert held.status_code == 200, held.content
    body = held.json()
    assert body["status"] == "held" and body["minutes"] == "纪要"
    assert [(d["topic_id"], d["text"]) for d in body["decisions"]] == [(topic.pk, "同意")]
    assert Decision.objects.get().meeting_id == meeting.pk
    assert_error(post(owner, f"{url}/check-in", {"token": token}), 409, "wrong_status")
    assert_error(post(host, f"{url}/cancel", {"reason": "x"}), 409, "wrong_status")


def test_rotate_token_and_cancel(city, clock):
    meeting = noticed(city, "owner")
    host = as_(city, "community_staff")
    url = f"{M}/{meeting.pk}"
    old = get(host, url).json()["checkin_url"]
    new = post(host, f"{url}/token", {}).json()["checkin_url"]
    assert new != old and new.endswith(f"/{Meeting.objects.get(pk=meeting.pk).checkin_token}/")
    assert_error(post(as_(city, "owner"), f"{url}/token", {}), 403, "forbidden")
    assert_error(post(host, f"{url}/cancel", {}), 422, "invalid", "reason")
    cancelled = post(host, f"{url}/cancel", {"reason": "台风"})
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancelled_reason"] == "台风"
    assert_error(post(as_(city, "owner"), f"{url}/rsvp", {"answer": "yes"}), 409, "wrong_status")


def test_invitee_list_masks_names_outside_the_handling_scope(city, clock):
    meeting = noticed(city, "owner", "grid_worker")
    url = f"{M}/{meeting.pk}/invitees"
    # The grid worker handles B1's households: names in full.
    rows = {r["user_id"]: r for r in get(as_(city, "grid_worker"), url).json()["items"]}
    owner = rows[city.users["owner"].pk]
    assert owner["name"] == "张owner明" and owner["mobile"] == city.users["owner"].mobile
    assert owner["home"] == "E1 B1 U1 101" and owner["via"] == "list"
    # The property manager sees the meeting but handles nobody's personal data: masked.
    rows = {r["user_id"]: r for r in get(as_(city, "property_manager"), url).json()["items"]}
    owner = rows[city.users["owner"].pk]
    assert owner["name"] == "张*****明" and "****" in owner["mobile"] and owner["home"] == ""
    # Residents who see the meeting do not see who else is invited.
    assert_error(get(as_(city, "owner"), url), 403, "forbidden")


# --- Kinds ----------------------------------------------------------------------------------------


def test_kinds(city):
    codes = [k["code"] for k in get(as_(city, "owner"), f"{M}/kinds").json()]
    assert "owners_assembly" in codes and len(codes) == 9
    kind = {"code": "xiaozu", "name": "楼组会", "notice_days": 2}
    assert_error(post(as_(city, "community_staff"), f"{M}/kinds", kind), 403, "forbidden")
    admin = as_(city, "subdistrict_admin")
    created = post(admin, f"{M}/kinds", kind)
    assert created.status_code == 201 and created.json()["open"] is False
    assert_error(post(admin, f"{M}/kinds", kind), 422, "invalid", "code")
    assert_error(
        post(admin, f"{M}/kinds", {**kind, "notice_days": -1}), 422, "invalid", "notice_days"
    )
    retired = post(admin, f"{M}/kinds/xiaozu", {"active": False}, method="patch")
    assert retired.json()["active"] is False
    assert "xiaozu" not in [k["code"] for k in get(as_(city, "owner"), f"{M}/kinds").json()]
    assert "xiaozu" in [k["code"] for k in get(admin, f"{M}/kinds").json()]
    assert_error(
        post(admin, f"{M}/kinds/none", {"active": False}, method="patch"), 404, "not_found"
    )
    # A retired kind is offered for no new meeting.
    body = create_body(city, kind="xiaozu")
    assert_error(post(as_(city, "community_staff"), M, body), 422, "invalid", "kind")
    assert not Invitee.objects.exists()


# --- Access of every role -------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(ROLES))
def test_access_of_every_role(city, clock, key):
    """A noticed meeting of building B1 (C1), for every person of the city fixture."""
    meeting = noticed(city, "owner")
    desk, resident, host = ROLES[key]
    client = as_(city, key)
    url = f"{M}/{meeting.pk}"
    sees = desk == 200 or resident == 200
    detail = get(client, url)
    assert detail.status_code == (200 if sees else 404)
    if sees:
        assert detail.json()["allowed"]["host"] is host
        assert (detail.json()["checkin_url"] is not None) is host
    listed = get(client, f"{url}/invitees")
    assert listed.status_code == (200 if desk == 200 else 403 if sees else 404)
    rotated = post(client, f"{url}/token", {})
    assert rotated.status_code == (200 if host else 403 if sees else 404)
    cancelled = post(client, f"{url}/cancel", {"reason": "试试"})
    assert cancelled.status_code == (200 if host else 403 if sees else 404)
    expected = MeetingStatus.CANCELLED if host else MeetingStatus.NOTICED
    assert Meeting.objects.get(pk=meeting.pk).status == expected
    staff_list = get(client, M)
    assert staff_list.status_code == (200 if key in DESK_USERS else 403)
    if key in DESK_USERS:
        assert (staff_list.json()["count"] == 1) is (desk == 200)
