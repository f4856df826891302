"""/api/v1/activities: the calendar and one activity, signing up with a wait list, cancelling a
place, organising (create, change, cancel), QR and desk check-in, the sign-up list with names
masked outside the personal-data scope, confirming who came (points credited once), my
sign-ups, photos; who sees what (404 outside the calendar, 403 for those who see but may not
run), 409 codes and 422 field paths."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import MULTIPART_CONTENT, encode_multipart
from django.utils import timezone

from linju.activities.models import Activity, ActivityPhoto, SignUp
from linju.core.masking import mask_name
from linju.core.tests.test_api import API, api_client, assert_error, count_queries, post
from linju.points.models import Account
from linju.reports.tests.conftest import media, upload  # noqa: F401  (a fixture)

from .conftest import started

pytestmark = pytest.mark.django_db
A = "/activities"
BOUNDARY = "activitiesboundary"


def when(**delta) -> str:
    return (timezone.now() + timedelta(**delta)).isoformat()


def new_activity(place, **more) -> dict:
    return {
        "place": place.pk,
        "title": "楼道清洁日",
        "kind": "culture",
        "venue": "1栋大堂",
        "starts_at": when(days=2),
        "ends_at": when(days=2, hours=2),
        **more,
    }


def multipart(client, url, data):
    return client.post(
        API + url,
        encode_multipart(BOUNDARY, data),
        content_type=f"{MULTIPART_CONTENT}; boundary={BOUNDARY}",
    )


def test_anonymous_gets_401(client, db):
    assert_error(client.get(f"{API}{A}"), 401, "unauthenticated")


def test_calendar_sign_up_wait_list_and_cancel(hood):
    city, party = hood.city, hood.party
    url = f"{A}/{party.pk}"
    owner, tenant = api_client(hood.leader), api_client(hood.member)
    head = api_client(city.users["building_head"])  # staff over B1: may take part

    cal = owner.get(f"{API}{A}").json()
    assert [(a["title"], a["my_status"]) for a in cal["items"]] == [("楼组包饺子", None)]
    assert cal["items"][0]["place"] == {"id": city.places["B1"].pk, "name": "B1"}
    first = post(owner, f"{url}/sign-up", {})
    assert first.status_code == 200, first.content
    assert (first.json()["status"], first.json()["activity"]["id"]) == ("signed", party.pk)
    again = post(owner, f"{url}/sign-up", {})  # idempotent by state
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert post(tenant, f"{url}/sign-up", {}).json()["status"] == "signed"
    assert post(head, f"{url}/sign-up", {}).json()["status"] == "waiting"
    detail = owner.get(f"{API}{url}").json()
    assert (detail["signed"], detail["waiting"], detail["capacity"]) == (2, 1, 2)
    assert (detail["my_status"], detail["may_run"], detail["check_in_code"]) == (
        "signed",
        False,
        None,
    )
    assert owner.get(f"{API}{A}").json()["items"][0]["waiting"] == 1

    # The owner gives the place back: the building head moves up.
    r = owner.delete(f"{API}{url}/sign-up")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert head.get(f"{API}{url}").json()["my_status"] == "signed"
    assert_error(owner.delete(f"{API}{url}/sign-up"), 404, "not_found")
    assert owner.get(f"{API}{A}/mine").json()["count"] == 0
    mine = tenant.get(f"{API}{A}/mine").json()["items"]
    assert [(s["activity"]["title"], s["status"]) for s in mine] == [("楼组包饺子", "signed")]

    # Filters.
    day_after = (timezone.localdate() + timedelta(days=3)).isoformat()
    assert owner.get(f"{API}{A}?from={day_after}").json()["count"] == 0
    assert owner.get(f"{API}{A}?kind=festival").json()["count"] == 1
    assert owner.get(f"{API}{A}?kind=culture").json()["count"] == 0
    today = timezone.localdate().isoformat()
    assert owner.get(f"{API}{A}?to={today}").json()["count"] == 0
    assert_error(owner.get(f"{API}{A}?from=2025-13-01"), 422, "invalid", "from")
    assert_error(owner.get(f"{API}{A}?to=0001-01-01"), 422, "invalid", "to")
    assert_error(owner.get(f"{API}{A}?kind=party"), 422, "invalid", "kind")

    # A resident of C2 sees nothing of B1's and may do nothing with it.
    outsider = api_client(city.users["owner_2"])
    assert outsider.get(f"{API}{A}").json()["count"] == 0
    assert_error(outsider.get(f"{API}{url}"), 404, "not_found")
    assert_error(post(outsider, f"{url}/sign-up", {}), 404, "not_found")
    assert_error(outsider.delete(f"{API}{url}/sign-up"), 404, "not_found")
    assert not SignUp.objects.filter(user=city.users["owner_2"]).exists()
    assert_error(owner.get(f"{API}{A}/999999"), 404, "not_found")


def test_the_calendar_costs_the_same_whatever_its_length(hood):
    """Whoever organises them, and whether the viewer handles personal data (one query for the
    organisers' homes) or not (none)."""
    me, staff = api_client(hood.member), api_client(hood.staff)
    few, _body = count_queries(me, A)
    few_staff, _body = count_queries(staff, A)
    for day, by in ((3, hood.staff), (4, hood.leader), (5, hood.leader)):
        team = {"team": hood.patrol.pk} if by == hood.leader else {}
        body = new_activity(
            hood.city.places["B1"], starts_at=when(days=day), ends_at=when(days=day, hours=1)
        )
        assert post(api_client(by), A, {**body, **team}).status_code == 201
    many, body = count_queries(me, A)
    assert body["count"] == 4 and many == few
    many, body = count_queries(staff, A)
    assert body["count"] == 4 and many == few_staff


def test_organise_change_and_cancel(hood):
    city = hood.city
    B1 = city.places["B1"]
    staff = api_client(hood.staff)
    r = post(staff, A, new_activity(B1, capacity=3, description="带上抹布"))
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["title"], body["capacity"], body["may_run"]) == ("楼道清洁日", 3, True)
    assert body["check_in_code"] == Activity.objects.get(pk=body["id"]).check_in_code
    assert body["organiser"] == hood.staff.name
    url = f"{A}/{body['id']}"

    # Residents and other communities' staff may not organise at B1.
    for key in ("owner", "owner_2", "community_staff_2"):
        assert_error(post(api_client(city.users[key]), A, new_activity(B1)), 403, "forbidden")
    assert Activity.objects.count() == 2  # the party and this one

    # 422 names the field.
    soon = {"starts_at": when(hours=-1), "ends_at": when(hours=1)}
    for field, more in [
        ("place", {"place": 10**9}),
        ("place", {"place": city.places["S"].pk}),  # a subdistrict holds no activities
        ("title", {"title": " "}),
        ("kind", {"kind": "party"}),
        ("venue", {"venue": ""}),
        ("starts_at", soon),
        ("starts_at", {"starts_at": "tomorrow"}),
        ("starts_at", {"starts_at": "0001-01-01T00:00"}),
        ("ends_at", {"ends_at": when(days=1)}),
        ("ends_at", {"ends_at": when(days=4)}),
        ("capacity", {"capacity": -1}),
        ("capacity", {"capacity": 10_001}),
        ("team", {"team": 10**9}),
        ("group", {"group": 10**9}),
    ]:
        assert_error(post(staff, A, {**new_activity(B1), **more}), 422, "invalid", field)
    volunteer = new_activity(B1, kind="volunteer", service_minutes=721)
    assert_error(post(staff, A, volunteer), 422, "invalid", "service_minutes")

    # The team's leader organises an activity of the team.
    leader = api_client(hood.leader)
    r = post(leader, A, new_activity(city.places["E1"], team=hood.patrol.pk, kind="volunteer"))
    assert r.status_code == 201, r.content
    assert (r.json()["team"]["name"], r.json()["service_minutes"]) == ("平安巡逻队", 120)
    # …also at another building of the team's community, away from where the leader lives.
    r = post(leader, A, new_activity(city.places["B2"], team=hood.patrol.pk))
    assert r.status_code == 201, r.content
    away = f"{A}/{r.json()['id']}"
    assert leader.get(f"{API}{away}").json()["may_run"] is True
    assert leader.get(f"{API}{away}/sign-ups").status_code == 200
    assert_error(api_client(hood.member).get(f"{API}{away}"), 404, "not_found")
    liaison = api_client(city.users["party_liaison"])  # lives in B2
    assert liaison.get(f"{API}{away}").json()["may_run"] is False

    # Changing: the organiser may; a resident who sees it may not; an outsider gets 404.
    change = {k: v for k, v in new_activity(B1, capacity=1).items() if k != "place"}
    r = post(staff, url, {**change, "venue": "2栋大堂"}, "put")
    assert r.status_code == 200, r.content
    assert (r.json()["venue"], r.json()["capacity"]) == ("2栋大堂", 1)
    assert_error(post(api_client(hood.member), url, change, "put"), 403, "forbidden")
    assert_error(post(api_client(city.users["owner_2"]), url, change, "put"), 404, "not_found")
    post(api_client(hood.member), f"{url}/sign-up", {})
    assert_error(
        post(staff, url, {**change, "capacity": 0, "kind": "x"}, "put"), 422, "invalid", "kind"
    )
    post(staff, url, {**change, "capacity": 2}, "put")
    post(api_client(hood.leader), f"{url}/sign-up", {})
    assert_error(post(staff, url, change, "put"), 422, "invalid", "capacity")

    # Cancelling: with a reason; then nobody signs up.
    assert_error(post(staff, f"{url}/cancel", {}), 422, "invalid", "reason")
    assert_error(post(api_client(hood.member), f"{url}/cancel", {"reason": "x"}), 403, "forbidden")
    r = post(staff, f"{url}/cancel", {"reason": "下雨"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert_error(post(staff, f"{url}/cancel", {"reason": "下雨"}), 409, "cancelled")
    assert_error(post(staff, url, change, "put"), 409, "cancelled")
    me = api_client(city.users["party_liaison"])  # lives in B2: sees E1's, not B1's
    assert_error(post(me, f"{url}/sign-up", {}), 404, "not_found")
    assert_error(post(api_client(hood.member), f"{url}/sign-up", {}), 409, "cancelled")

    # Once started, an activity does not change.
    started(hood.party)
    party = {k: v for k, v in new_activity(B1).items() if k != "place"}
    assert_error(post(staff, f"{A}/{hood.party.pk}", party, "put"), 409, "started")
    assert_error(post(api_client(hood.member), f"{A}/{hood.party.pk}/sign-up", {}), 409, "started")


def test_check_in_confirm_and_points(hood):
    city, party = hood.city, hood.party
    url = f"{A}/{party.pk}"
    tenant, staff = api_client(hood.member), api_client(hood.staff)
    mine = post(tenant, f"{url}/sign-up", {}).json()
    code = {"code": party.check_in_code}
    assert_error(post(tenant, f"{A}/check-in", code), 409, "too_early")
    assert_error(post(staff, f"{url}/confirm", {"sign_up_ids": [mine["id"]]}), 409, "not_started")
    started(party)

    r = post(tenant, f"{A}/check-in", code)
    assert r.status_code == 200, r.content
    assert r.json()["id"] == mine["id"] and r.json()["checked_in_at"]
    assert post(tenant, f"{A}/check-in", code).json()["checked_in_at"] == r.json()["checked_in_at"]
    assert_error(post(tenant, f"{A}/check-in", {"code": "nope"}), 422, "invalid", "code")
    assert_error(post(api_client(city.users["owner_2"]), f"{A}/check-in", code), 403, "forbidden")

    # The desk checks the owner in (a walk-in); the owner may not check others in.
    owner = hood.leader
    r = post(staff, f"{url}/check-ins", {"person": owner.pk})
    assert r.status_code == 200, r.content
    assert r.json()["person"] == {"id": owner.pk, "name": owner.name}
    walk_in = r.json()["id"]
    assert_error(post(staff, f"{url}/check-ins", {"person": 10**9}), 422, "invalid", "person")
    assert_error(post(staff, f"{url}/check-ins", {"person": "x"}), 422, "invalid", "person")
    people = {"person": city.users["building_head"].pk}
    assert_error(post(staff, f"{url}/check-ins", people), 409, "full")
    assert_error(post(api_client(owner), f"{url}/check-ins", people), 403, "forbidden")
    assert_error(
        post(api_client(city.users["owner_2"]), f"{url}/check-ins", people), 404, "not_found"
    )

    # The sign-up list: for those who run it.
    rows = staff.get(f"{API}{url}/sign-ups").json()
    assert rows["count"] == 2
    assert {(s["person"]["name"], bool(s["checked_in_at"])) for s in rows["items"]} == {
        (owner.name, True),
        (hood.member.name, True),
    }
    assert_error(tenant.get(f"{API}{url}/sign-ups"), 403, "forbidden")
    assert_error(api_client(city.users["owner_2"]).get(f"{API}{url}/sign-ups"), 404, "not_found")

    # Confirmation credits once however often sent.
    ids = {"sign_up_ids": [mine["id"], walk_in]}
    assert_error(post(tenant, f"{url}/confirm", ids), 403, "forbidden")
    for _ in range(2):
        r = post(staff, f"{url}/confirm", ids)
        assert r.status_code == 200, r.content
        assert [(s["points"], bool(s["confirmed_at"])) for s in r.json()] == [(1, True), (1, True)]
    assert Account.objects.get(user=hood.member).points == 1
    assert_error(post(staff, f"{url}/confirm", {"sign_up_ids": []}), 422, "invalid", "sign_up_ids")
    assert_error(
        post(staff, f"{url}/confirm", {"sign_up_ids": [10**9]}), 422, "invalid", "sign_up_ids"
    )
    assert_error(
        post(staff, f"{url}/confirm", {"sign_up_ids": ["a"]}), 422, "invalid", "sign_up_ids.0"
    )
    assert_error(post(staff, f"{url}/confirm", {}), 422, "invalid", "sign_up_ids")
    got = tenant.get(f"{API}{A}/mine").json()["items"][0]
    assert (got["points"], bool(got["confirmed_at"])) == (1, True)


def test_a_leader_running_an_activity_sees_names_masked(hood):
    """The patrol's leader (a resident) runs the patrol's activity: they see who signed up, with
    names masked, since they handle no personal data; the community staff see them in full."""
    leader = api_client(hood.leader)
    body = new_activity(hood.city.places["E1"], team=hood.patrol.pk)
    url = f"{A}/{post(leader, A, body).json()['id']}"
    post(api_client(hood.member), f"{url}/sign-up", {})
    rows = leader.get(f"{API}{url}/sign-ups").json()["items"]
    assert [s["person"]["name"] for s in rows] == [mask_name(hood.member.name)]
    rows = api_client(hood.staff).get(f"{API}{url}/sign-ups").json()["items"]
    assert [s["person"]["name"] for s in rows] == [hood.member.name]
    assert api_client(hood.leader).get(f"{API}{url}").json()["may_run"] is True


def test_an_organiser_is_named_as_anyone_is(hood):
    """A resident leading a team organises its activities: another resident of the scope sees
    the organiser's name masked, like any neighbour's (and so the staff's); the organiser and
    the community staff, whose personal-data scope holds the organiser's home, in full."""
    leader = api_client(hood.leader)
    r = post(leader, A, new_activity(hood.city.places["E1"], team=hood.patrol.pk))
    assert r.status_code == 201, r.content
    mine = r.json()
    assert mine["organiser"] == hood.leader.name
    url, masked = f"{A}/{mine['id']}", mask_name(hood.leader.name)
    for key in ("tenant", "party_liaison"):  # B1 and B2: both see E1's activities
        viewer = api_client(hood.city.users[key])
        assert viewer.get(f"{API}{url}").json()["organiser"] == masked
        listed = {a["id"]: a["organiser"] for a in viewer.get(f"{API}{A}").json()["items"]}
        assert listed[mine["id"]] == masked
    party = api_client(hood.member).get(f"{API}{A}/{hood.party.pk}").json()
    assert party["organiser"] == mask_name(hood.staff.name)
    assert api_client(hood.staff).get(f"{API}{url}").json()["organiser"] == hood.leader.name


def test_an_organiser_who_lost_the_right_no_longer_runs_it(hood):
    """Creating an activity gives no lasting right: the team's leader made a plain member no
    longer runs the team's activity they organised, though they still see it."""
    leader = api_client(hood.leader)
    r = post(leader, A, new_activity(hood.city.places["E1"], team=hood.patrol.pk))
    url = f"{A}/{r.json()['id']}"
    assert r.json()["may_run"] is True
    demote = {"person": hood.leader.pk, "role": "member"}
    r = post(api_client(hood.staff), f"{A}/teams/{hood.patrol.pk}/members", demote)
    assert r.status_code == 200, r.content
    detail = leader.get(f"{API}{url}").json()
    assert (detail["may_run"], detail["check_in_code"]) == (False, None)
    assert detail["organiser"] == hood.leader.name
    assert_error(leader.get(f"{API}{url}/sign-ups"), 403, "forbidden")
    assert_error(post(leader, f"{url}/cancel", {"reason": "下雨"}), 403, "forbidden")
    change = {k: v for k, v in new_activity(hood.city.places["E1"]).items() if k != "place"}
    assert_error(post(leader, url, change, "put"), 403, "forbidden")
    assert api_client(hood.staff).get(f"{API}{url}").json()["may_run"] is True


@pytest.mark.usefixtures("media")
def test_photos(hood):
    city, party = hood.city, hood.party
    url = f"{A}/{party.pk}/photos"
    tenant = api_client(hood.member)
    assert_error(multipart(tenant, url, {"photos": upload(size=(40, 30))}), 403, "forbidden")
    post(tenant, f"{A}/{party.pk}/sign-up", {})
    staff = api_client(hood.staff)
    assert_error(multipart(staff, url, {"photos": upload(size=(40, 30))}), 409, "not_started")
    started(party)
    post(tenant, f"{A}/check-in", {"code": party.check_in_code})

    r = multipart(tenant, url, {"caption": "包饺子", "photos": [upload(size=(40, 30))]})
    assert r.status_code == 201, r.content
    [photo] = r.json()
    assert (photo["caption"], photo["mine"]) == ("包饺子", True)
    got = tenant.get(photo["url"])
    assert got.status_code == 200 and got["Content-Type"] == "image/jpeg"
    listed = api_client(hood.leader).get(f"{API}{url}").json()
    assert listed["count"] == 1 and listed["items"][0]["mine"] is False
    assert (
        api_client(hood.leader).get(f"{API}{A}/{party.pk}").json()["photos"][0]["id"] == photo["id"]
    )

    # Who may not: a resident who did not take part adds nothing, deletes nothing; outsiders
    # see nothing.
    owner = api_client(hood.leader)
    assert_error(multipart(owner, url, {"photos": upload(size=(40, 30))}), 403, "forbidden")
    outsider = api_client(city.users["owner_2"])
    assert_error(outsider.get(photo["url"]), 404, "not_found")
    assert_error(outsider.get(f"{API}{url}"), 404, "not_found")
    assert_error(outsider.delete(f"{API}{A}/photos/{photo['id']}"), 404, "not_found")
    assert_error(owner.delete(f"{API}{A}/photos/{photo['id']}"), 403, "forbidden")

    # Bad files name the field.
    bad = SimpleUploadedFile("x.jpg", b"not a jpeg at all", content_type="image/jpeg")
    assert_error(multipart(tenant, url, {"photos": [bad]}), 422, "invalid", "photos.0")
    assert_error(post(tenant, url, {"caption": "x"}), 422, "invalid", "photos")
    assert_error(
        multipart(tenant, url, {"caption": "\x00", "photos": upload(size=(40, 30))}),
        422,
        "invalid",
        "caption",
    )

    r = tenant.delete(f"{API}{A}/photos/{photo['id']}")
    assert r.status_code == 204, r.content
    assert not ActivityPhoto.objects.exists()
    assert_error(tenant.delete(f"{API}{A}/photos/{photo['id']}"), 404, "not_found")
