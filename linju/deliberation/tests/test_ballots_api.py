"""/api/v1/deliberation/ballots: every route for the roles of the city inside and outside the
ballot's scope, errors in the API's shape naming their field, multipart files for proxy and
paper votes, secret ballots hiding choices, and list query counts that do not grow with rows."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linju.core.tests.test_api import API, api_client, assert_error, post
from linju.deliberation import services_ballots as services
from linju.deliberation.models import Ballot, BallotStatus, Elector, ElectorMember, Vote

from .test_ballots import PDF, elector_of, make, media, opened, option  # noqa: F401

pytestmark = pytest.mark.django_db

B = "/deliberation/ballots"
ROLES = [
    "unit_head",
    "building_head",
    "floor_head",
    "grid_worker",
    "community_staff",
    "property_manager",
    "owners_committee",
    "partner",
    "subdistrict_admin",
    "unit_head_2",
    "building_head_2",
    "floor_head_2",
    "grid_worker_2",
    "community_staff_2",
    "property_manager_2",
    "owners_committee_2",
    "partner_2",
    "owner",
    "tenant",
    "owner_2",
    "party_liaison",
    "party_liaison_2",
    "newcomer",
]
# An owners' ballot of estate E1: staff whose scope holds E1 and residents of E1 see it.
SEES_E1 = {
    "community_staff",
    "property_manager",
    "owners_committee",
    "subdistrict_admin",
    "owner",
    "tenant",
    "party_liaison",
}
RUNS_E1 = {"community_staff", "owners_committee", "subdistrict_admin"}


def as_(city, key, **kw):
    return api_client(city.users[key], **kw)


def later(days=8):
    return time_machine.travel(timezone.now() + timedelta(days=days), tick=False)


def pdf(name="sheet.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def create_payload(city, **kw):
    body = {
        "place": city.places["E1"].pk,
        "title": "更换小区大门",
        "electorate": "owners",
        "rule": "ordinary",
        "closes_at": (timezone.now() + timedelta(days=7)).isoformat(),
    }
    body.update(kw)
    return body


# --- Authentication and the OpenAPI schema --------------------------------------------------------


@pytest.mark.parametrize("path", ["", "/mine", "/1", "/1/electors", "/1/paper", "/1/votes/1/scan"])
def test_anonymous_gets_401(client, db, path):
    assert_error(client.get(API + B + path), 401, "unauthenticated")


@pytest.mark.parametrize(
    "path", ["", "/1/open", "/1/vote", "/1/proxy", "/1/paper", "/1/close", "/1/publish"]
)
def test_anonymous_writes_get_401(client, db, path):
    assert_error(post(client, B + path, {}), 401, "unauthenticated")


def test_session_posts_need_the_csrf_token(city):
    ballot = opened(city)
    no_csrf = as_(city, "owner", csrf=False)
    response = post(no_csrf, f"{B}/{ballot.pk}/vote", {"option": option(ballot, 0).pk})
    assert_error(response, 403, "csrf_failed")
    assert not Vote.objects.exists()


def test_openapi_documents_every_route(client, db):
    paths = client.get(API + "/openapi.json").json()["paths"]
    base = "/api/v1/deliberation/ballots"
    expected = {
        base: {"get", "post"},
        f"{base}/mine": {"get"},
        f"{base}/{{ballot_id}}": {"get", "patch"},
        f"{base}/{{ballot_id}}/open": {"post"},
        f"{base}/{{ballot_id}}/vote": {"post"},
        f"{base}/{{ballot_id}}/proxy": {"post"},
        f"{base}/{{ballot_id}}/paper": {"get", "post"},
        f"{base}/{{ballot_id}}/paper/{{vote_id}}/confirm": {"post"},
        f"{base}/{{ballot_id}}/paper/{{vote_id}}/reject": {"post"},
        f"{base}/{{ballot_id}}/close": {"post"},
        f"{base}/{{ballot_id}}/publish": {"post"},
        f"{base}/{{ballot_id}}/electors": {"get"},
        f"{base}/{{ballot_id}}/votes/{{vote_id}}/{{kind}}": {"get"},
    }
    for path, methods in expected.items():
        assert path in paths, path
        assert set(paths[path]) == methods, path
        for method in methods:
            assert paths[path][method].get("summary"), (path, method)


# --- Creating -------------------------------------------------------------------------------------


def test_create_a_draft_and_change_it(city):
    staff = as_(city, "owners_committee")
    response = post(staff, B, create_payload(city))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft"
    assert [o["approves"] for o in body["options"]] == [True, False, False]
    assert body["turnout"] is None and body["allowed"]["run"] is True
    changed = post(staff, f"{B}/{body['id']}", {"title": "改问题", "secret": True}, "patch")
    assert changed.status_code == 200, changed.content
    assert changed.json()["title"] == "改问题" and changed.json()["secret"] is True


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"place": 999999}, "place"),
        ({"rule": "special", "electorate": "households"}, "electorate"),
        ({"rule": "elevator"}, "affected_households"),
        ({"closes_at": "2000-01-01T00:00:00+08:00"}, "closes_at"),
        ({"options": [{"label": "只有一个", "approves": True}]}, "options"),
        ({"rule": "custom", "approval_numerator": 0}, "approval_numerator"),
        ({"rule": "nope"}, "rule"),
        ({"closes_at": "not a time"}, "closes_at"),
    ],
)
def test_create_errors_name_the_field(city, changes, field):
    response = post(as_(city, "community_staff"), B, create_payload(city, **changes))
    assert_error(response, 422, "invalid", field)
    assert not Ballot.objects.exists()


def test_create_outside_the_scope_is_403(city):
    for key in ("community_staff_2", "owners_committee_2", "property_manager", "owner"):
        assert_error(post(as_(city, key), B, create_payload(city)), 403, "forbidden")
    assert not Ballot.objects.exists()


def test_elevator_ballot_through_the_api(city):
    h102 = city.households["H102"]
    payload = create_payload(
        city, place=city.places["U1"].pk, rule="elevator", affected_households=[h102.pk]
    )
    body = post(as_(city, "community_staff"), B, payload).json()
    assert body["affected_households"] == [h102.pk]
    opened_body = post(as_(city, "community_staff"), f"{B}/{body['id']}/open", {}).json()
    assert opened_body["turnout"]["electorate_heads"] == 2
    assert elector_of(Ballot.objects.get(pk=body["id"]), h102).affected


# --- Who sees what --------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ROLES)
def test_every_role_inside_and_outside_the_scope(city, key):
    ballot = opened(city)
    client = as_(city, key)
    response = client.get(f"{API}{B}/{ballot.pk}")
    if key in SEES_E1:
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["allowed"]["run"] is (key in RUNS_E1)
        assert body["allowed"]["vote"] is (key == "owner")
    else:
        assert_error(response, 404, "not_found")
    # Running it: only the runners of E1 (403 for those who see it, 404 for the others).
    electors = client.get(f"{API}{B}/{ballot.pk}/electors")
    if key in RUNS_E1:
        assert electors.status_code == 200
    elif key in SEES_E1:
        assert_error(electors, 403, "forbidden")
    else:
        assert_error(electors, 404, "not_found")
    listing = client.get(f"{API}{B}")
    staff_in = key in {
        "community_staff",
        "property_manager",
        "owners_committee",
        "subdistrict_admin",
    }
    if listing.status_code == 200:
        ids = [row["id"] for row in listing.json()["items"]]
        assert (ballot.pk in ids) is staff_in
    else:
        assert_error(listing, 403, "forbidden")
        assert key in {"owner", "tenant", "owner_2", "party_liaison", "party_liaison_2"} | {
            "newcomer",
            "partner",
            "partner_2",
        }
    mine = client.get(f"{API}{B}/mine").json()["items"]
    assert [row["id"] for row in mine] == ([ballot.pk] if key == "owner" else [])


def test_drafts_are_for_staff_only(city):
    ballot = make(city)
    assert as_(city, "property_manager").get(f"{API}{B}/{ballot.pk}").status_code == 200
    for key in ("owner", "tenant"):
        assert_error(as_(city, key).get(f"{API}{B}/{ballot.pk}"), 404, "not_found")


def test_a_representative_living_elsewhere_sees_and_votes(city):
    from linju.deliberation.models import Representative

    Representative.objects.create(community=city.places["C1"], user=city.users["owner_2"])
    ballot = opened(city, "E1", electorate="representatives", rule="simple")
    client = as_(city, "owner_2")
    body = client.get(f"{API}{B}/{ballot.pk}").json()
    assert body["allowed"]["vote"] is True
    voted = post(client, f"{B}/{ballot.pk}/vote", {"option": option(ballot, 0).pk})
    assert voted.status_code == 200, voted.content
    assert voted.json()["my_votes"][0]["option"]["id"] == option(ballot, 0).pk


# --- Voting ---------------------------------------------------------------------------------------


def test_vote_change_and_my_ballots(city):
    ballot = opened(city)
    owner = as_(city, "owner")
    first = post(owner, f"{B}/{ballot.pk}/vote", {"option": option(ballot, 0).pk}).json()
    assert first["my_votes"][0]["option"]["order"] == 0 and first["my_votes"][0]["counted"]
    assert first["turnout"]["heads"] == 1 and first["turnout"]["percent"] == "33.3%"
    second = post(owner, f"{B}/{ballot.pk}/vote", {"option": option(ballot, 1).pk}).json()
    assert second["my_votes"][0]["option"]["order"] == 1
    assert Vote.objects.filter(ballot=ballot).count() == 1
    mine = owner.get(f"{API}{B}/mine").json()["items"]
    assert mine[0]["voted"] is True
    # Residents see no count while it runs.
    assert second["live_tally"] is None and second["result"] is None
    assert_error(
        post(as_(city, "tenant"), f"{B}/{ballot.pk}/vote", {"option": option(ballot, 0).pk}),
        403,
        "not_elector",
    )
    assert_error(post(owner, f"{B}/{ballot.pk}/vote", {"option": 999999}), 422, "invalid", "option")
    assert_error(post(owner, f"{B}/{ballot.pk}/vote", {}), 422, "invalid", "option")


def test_final_votes_conflict(city):
    ballot = opened(city, changeable=False)
    owner = as_(city, "owner")
    post(owner, f"{B}/{ballot.pk}/vote", {"option": option(ballot, 0).pk})
    again = post(owner, f"{B}/{ballot.pk}/vote", {"option": option(ballot, 1).pk})
    assert_error(again, 409, "already_voted")


@pytest.mark.usefixtures("media")
def test_proxy_and_paper_by_multipart(city):
    ballot = opened(city)
    h102 = elector_of(ballot, city.households["H102"])
    h201 = elector_of(ballot, city.households["H201"])
    a, b = as_(city, "community_staff"), as_(city, "owners_committee")
    url = f"{API}{B}/{ballot.pk}"
    missing = a.post(
        f"{url}/proxy", {"elector": h102.pk, "option": option(ballot, 0).pk, "proxy_name": "王"}
    )
    assert_error(missing, 422, "invalid", "authorisation")
    proxy = a.post(
        f"{url}/proxy",
        {
            "elector": h102.pk,
            "option": option(ballot, 0).pk,
            "proxy_name": "王代理",
            "authorisation": pdf(),
        },
    )
    assert proxy.status_code == 201, proxy.content
    assert proxy.json()["counted"] is True and proxy.json()["method"] == "proxy"
    no_scan = a.post(f"{url}/paper", {"elector": h201.pk, "option": option(ballot, 1).pk})
    assert_error(no_scan, 422, "invalid", "scan")
    paper = a.post(
        f"{url}/paper", {"elector": h201.pk, "option": option(ballot, 1).pk, "scan": pdf()}
    )
    assert paper.status_code == 201 and paper.json()["counted"] is False
    vote_id = paper.json()["id"]
    queue = b.get(f"{url}/paper").json()["items"]
    assert [q["id"] for q in queue] == [vote_id]
    scan = b.get(queue[0]["scan_url"])
    assert scan.status_code == 200 and scan["Content-Type"] == "application/pdf"
    assert b"".join(scan.streaming_content).startswith(b"%PDF")
    assert_error(as_(city, "property_manager").get(queue[0]["scan_url"]), 403, "forbidden")
    assert_error(
        post(a, f"{B}/{ballot.pk}/paper/{vote_id}/confirm", {}), 409, "second_person_needed"
    )
    confirmed = post(b, f"{B}/{ballot.pk}/paper/{vote_id}/confirm", {})
    assert confirmed.status_code == 200 and confirmed.json()["counted"] is True
    detail = a.get(url).json()
    assert detail["turnout"]["heads"] == 2 and detail["turnout"]["pending_paper"] == 0
    # Not secret: staff follow the live count and see how each elector voted.
    assert [row["heads"] for row in detail["live_tally"]] == [1, 1, 0]
    rows = {row["id"]: row for row in a.get(f"{url}/electors").json()["items"]}
    assert rows[h201.pk]["vote"]["option"] == option(ballot, 1).label
    assert rows[h102.pk]["vote"]["method"] == "proxy"


@pytest.mark.usefixtures("media")
def test_reject_a_paper_entry(city):
    ballot = opened(city)
    h201 = elector_of(ballot, city.households["H201"])
    a, b = as_(city, "community_staff"), as_(city, "subdistrict_admin")
    url = f"{API}{B}/{ballot.pk}"
    vote_id = a.post(
        f"{url}/paper", {"elector": h201.pk, "option": option(ballot, 1).pk, "scan": pdf()}
    ).json()["id"]
    response = post(b, f"{B}/{ballot.pk}/paper/{vote_id}/reject", {"reason": "勾选不符"})
    assert response.status_code == 200, response.content
    assert not Vote.objects.exists()


@pytest.mark.usefixtures("media")
def test_secret_ballots_show_who_voted_never_what(city):
    ballot = opened(city, secret=True)
    post(as_(city, "owner"), f"{B}/{ballot.pk}/vote", {"option": option(ballot, 1).pk})
    staff = as_(city, "community_staff")
    detail = staff.get(f"{API}{B}/{ballot.pk}").json()
    assert detail["live_tally"] is None and detail["turnout"]["heads"] == 1
    rows = staff.get(f"{API}{B}/{ballot.pk}/electors").json()["items"]
    voted = [r for r in rows if r["vote"]]
    assert len(voted) == 1 and voted[0]["vote"] == {
        "id": voted[0]["vote"]["id"],
        "method": "online",
        "counted": True,
        "option": None,
    }
    # The voter sees their own choice.
    mine = as_(city, "owner").get(f"{API}{B}/{ballot.pk}").json()
    assert mine["my_votes"][0]["option"]["id"] == option(ballot, 1).pk
    # And a neighbour (who sees the ballot) sees nothing of it.
    tenant = as_(city, "tenant").get(f"{API}{B}/{ballot.pk}").json()
    assert tenant["my_votes"] == [] and tenant["live_tally"] is None


# --- Closing and publishing -----------------------------------------------------------------------


def test_close_and_publish_show_the_arithmetic(city):
    ballot = opened(city)
    post(as_(city, "owner"), f"{B}/{ballot.pk}/vote", {"option": option(ballot, 0).pk})
    assert_error(post(as_(city, "owners_committee"), f"{B}/{ballot.pk}/close", {}), 409, "not_due")
    # Clients log in anew after the jump: a staff session ends after days idle.
    with later():
        staff = as_(city, "owners_committee")
        viewer = as_(city, "property_manager")
        assert_error(post(viewer, f"{B}/{ballot.pk}/close", {}), 403, "forbidden")
        closed = post(staff, f"{B}/{ballot.pk}/close", {})
        assert closed.status_code == 200, closed.content
        result = closed.json()["result"]
        assert result["passed"] is False and closed.json()["passed"] is False
        assert [line["measure"] for line in result["lines"]] == [
            "participating_area",
            "participating_heads",
            "approving_area",
            "approving_heads",
        ]
        heads = result["lines"][1]
        assert (heads["numerator"], heads["denominator"], heads["threshold"]) == ("1", "3", "2/3")
        assert heads["strict"] is False and heads["ok"] is False
        assert "1 / 3 = 33.33% ≥ 2/3 ✗" in heads["text"]
        # Residents see it once published.
        owner = as_(city, "owner")
        assert owner.get(f"{API}{B}/{ballot.pk}").json()["result"] is None
        published = post(staff, f"{B}/{ballot.pk}/publish", {})
        assert published.status_code == 200 and published.json()["status"] == "published"
        assert owner.get(f"{API}{B}/{ballot.pk}").json()["result"]["lines"][1]["ok"] is False
        assert_error(post(staff, f"{B}/{ballot.pk}/publish", {}), 409, "wrong_status")


# --- Query counts ---------------------------------------------------------------------------------


def _count(client, url) -> int:
    client.get(API + url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(API + url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


def test_lists_do_not_grow_with_their_rows(city):
    staff = as_(city, "community_staff")
    owner = as_(city, "owner")
    first = opened(city)
    one_list, one_mine = _count(staff, B), _count(owner, f"{B}/mine")
    one_electors = _count(staff, f"{B}/{first.pk}/electors")
    for _ in range(5):
        opened(city)
    for h in ("H101", "H102"):
        from linju.people.models import Relation, Residency, ResidencyStatus, User

        for i in range(3):
            u = User.objects.create_user(f"1360000{h[-3:]}{i}", "pass-Word-9", name=f"住户{i}")
            Residency.objects.create(
                user=u,
                household=city.households[h],
                relation=Relation.CO_OWNER,
                status=ResidencyStatus.VERIFIED,
            )
    many = services.open_ballot(user=city.users["community_staff"], ballot=make(city))
    assert Elector.objects.filter(ballot=many).count() == 3
    assert ElectorMember.objects.filter(ballot=many).count() == 7
    assert _count(staff, B) == one_list
    assert _count(owner, f"{B}/mine") == one_mine
    assert _count(staff, f"{B}/{many.pk}/electors") == one_electors
    assert Ballot.objects.filter(status=BallotStatus.OPEN).count() == 7


def test_electors_are_found_by_room_and_by_name_only_where_names_are_seen(city):
    ballot = opened(city)
    h101 = elector_of(ballot, city.households["H101"])
    url = f"{API}{B}/{ballot.pk}/electors"

    def found(key, q):
        return [row["id"] for row in as_(city, key).get(url, {"q": q}).json()["items"]]

    assert found("owners_committee", "101") == [h101.pk]
    assert found("community_staff", "owner") == [h101.pk]
    # The owners' committee handles no personal data: a full name finds nobody for it.
    assert found("owners_committee", "owner") == []
    rows = as_(city, "owners_committee").get(url).json()["items"]
    names = {m["name"] for row in rows for m in row["members"]}
    assert names == {"张*****明"}
