"""/api/v1/ratings: a month of seed 001's contest through the API — opened, scored by the four
parties (one sheet with a multipart evidence photo), closed, corrected (a reason required),
published; the ranking for a resident of the estate and hidden from another community's; 422
field paths of marks, 409 codes, rubrics and contests, and the OpenAPI schema."""

import io
import json

import pytest
from django.test.client import MULTIPART_CONTENT, encode_multipart
from PIL import Image

from linju.core.tests.test_api import API, api_client, assert_error, post
from linju.ratings.models import Correction, Entry, RoundStatus

from .conftest import marks_for

pytestmark = pytest.mark.django_db
R = "/ratings"
BOUNDARY = "ratingsboundary"


def jpeg() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, "JPEG")
    out.seek(0)
    out.name = "evidence.jpg"
    return out


def put_sheet(client, round_id, target_id, marks, **files):
    """A multipart PUT as a phone sends it: `marks` as JSON, photos as `photo.<code>` files."""
    data = {"marks": json.dumps(marks), "note": ""}
    data.update({f"photo.{code}": f for code, f in files.items()})
    return client.put(
        f"{API}{R}/rounds/{round_id}/targets/{target_id}/sheet",
        encode_multipart(BOUNDARY, data),
        content_type=f"{MULTIPART_CONTENT}; boundary={BOUNDARY}",
    )


def put_json(client, round_id, target_id, marks):
    return post(client, f"{R}/rounds/{round_id}/targets/{target_id}/sheet", {"marks": marks}, "put")


def json_marks(rubric, **changes):
    return marks_for(rubric, **changes)


def open_month(contested, period="2026-10"):
    staff = api_client(contested.manager)
    r = post(staff, f"{R}/rounds", {"contest": contested.contest.pk, "period": period})
    assert r.status_code == 201, r.content
    return staff, r.json()


def ranking_ids(contested, round_id):
    """Target ids in the units' order (the conftest's `units`)."""
    staff = api_client(contested.manager)
    rows = staff.get(f"{API}{R}/rounds/{round_id}/ranking?limit=100").json()["items"]
    by_place = {t["place_id"]: t["id"] for t in rows}
    return [by_place[u.pk] for u in contested.units]


def test_a_month_through_the_api(contested):
    city = contested.city
    staff, body = open_month(contested)
    round_id = body["id"]
    assert body["status"] == RoundStatus.OPEN
    assert body["targets"] == 12
    assert {p["party"] for p in body["progress"]} == {
        "community",
        "property",
        "owners_committee",
        "residents",
    }
    # A resident of the estate who is not on the panel does not see the round yet.
    tenant = api_client(city.users["tenant"])
    assert_error(tenant.get(f"{API}{R}/rounds/{round_id}"), 404, "not_found")
    r = post(staff, f"{R}/rounds/{round_id}/start-scoring", {})
    assert r.status_code == 200 and r.json()["status"] == RoundStatus.SCORING, r.content
    targets = ranking_ids(contested, round_id)
    rubric = contested.rubric

    judges = [api_client(p) for p in contested.panel]
    # The panellist's screen: the next target, then its sheet at full marks.
    nxt = judges[1].get(f"{API}{R}/rounds/{round_id}/next").json()
    assert nxt["id"] == targets[0]
    blank = judges[1].get(f"{API}{R}/rounds/{round_id}/targets/{targets[0]}/sheet").json()
    assert blank["id"] is None and blank["marks"]["hygiene"]["points"] == "20.0"

    for i, judge in enumerate(judges):
        for n, target in enumerate(targets):
            if i == 0 and n == 1:
                # One panellist deducts on hygiene, with the evidence photo as a file part.
                marks = json_marks(rubric, hygiene=18)
                r = put_sheet(judge, round_id, target, marks, hygiene=jpeg())
            elif n == 2:
                marks = json_marks(rubric, civility=18)
                r = put_json(judge, round_id, target, marks)
            else:
                r = put_json(judge, round_id, target, json_marks(rubric))
            assert r.status_code == 200, r.content
    saved = r.json()
    assert saved["id"] and saved["total"] == "100.0"
    assert judges[0].get(f"{API}{R}/rounds/{round_id}/next").json() is None

    photo_sheet = judges[0].get(f"{API}{R}/rounds/{round_id}/targets/{targets[1]}/sheet").json()
    hygiene = photo_sheet["marks"]["hygiene"]
    assert hygiene["points"] == "18.0" and hygiene["photo_url"]
    assert judges[0].get(hygiene["photo_url"]).status_code == 200
    assert_error(tenant.get(hygiene["photo_url"]), 404, "not_found")
    # Saving again with "keep" keeps the photo.
    keep = json_marks(rubric, hygiene={"points": "18", "photo": "keep"})
    assert put_json(judges[0], round_id, targets[1], keep).status_code == 200
    assert Entry.objects.get(pk=hygiene["entry_id"]).photo

    # Before publication the ranking is the staff's; a panellist's is refused.
    assert_error(judges[3].get(f"{API}{R}/rounds/{round_id}/ranking"), 403, "forbidden")

    r = post(staff, f"{R}/rounds/{round_id}/close-scoring", {})
    assert r.status_code == 200 and r.json()["status"] == RoundStatus.REVIEW, r.content

    sheets = staff.get(f"{API}{R}/rounds/{round_id}/targets/{targets[1]}/sheets").json()
    assert len(sheets) == 4
    first = next(s for s in sheets if s["panellist"]["id"] == contested.panel[0].pk)
    entry_id = first["marks"]["hygiene"]["entry_id"]
    url = f"{R}/rounds/{round_id}/entries/{entry_id}/correct"
    assert_error(post(staff, url, {"points": "20", "exempt": True}), 422, "invalid", "reason")
    assert_error(post(judges[1], url, {"points": "20", "reason": "x"}), 403, "forbidden")
    r = post(staff, url, {"points": "20", "exempt": True, "reason": "核实为轮椅，不计杂物"})
    assert r.status_code == 201, r.content
    assert r.json()["before"] == {"points": "18.0", "exempt": False, "vetoed": False}
    assert Correction.objects.count() == 1
    listed = staff.get(f"{API}{R}/rounds/{round_id}/corrections").json()
    assert listed["count"] == 1 and listed["items"][0]["reason"] == "核实为轮椅，不计杂物"

    r = post(staff, f"{R}/rounds/{round_id}/publish", {})
    assert r.status_code == 200 and r.json()["status"] == RoundStatus.PUBLISHED, r.content

    # Published: residents of the estate read the ranking; another community's do not see it.
    ranking = tenant.get(f"{API}{R}/rounds/{round_id}/ranking?limit=100")
    assert ranking.status_code == 200, ranking.content
    rows = ranking.json()["items"]
    assert ranking.json()["count"] == 12
    by_id = {t["id"]: t for t in rows}
    assert by_id[targets[2]]["rank"] == 12 and by_id[targets[2]]["total"] == "98.00"
    assert sum(t["flag"] for t in rows) == 11  # eleven tied at 100: a shared rank flags
    other = api_client(city.users["owner_2"])
    assert_error(other.get(f"{API}{R}/rounds/{round_id}/ranking"), 404, "not_found")
    assert other.get(f"{API}{R}/rounds").json()["count"] == 0
    assert tenant.get(f"{API}{R}/rounds").json()["count"] == 1

    history = tenant.get(f"{API}{R}/places/{contested.units[2].pk}/history").json()
    assert history["items"][0]["rank"] == 12
    flags = tenant.get(f"{API}{R}/contests/{contested.contest.pk}/flags").json()
    assert flags[0]["round_id"] == round_id and len(flags[0]["flags"]) == 11
    board = tenant.get(f"{API}{R}/contests/{contested.contest.pk}/leaderboard?year=2026")
    assert board.status_code == 200 and len(board.json()) == 11

    r = post(staff, f"{R}/rounds/{round_id}/reopen", {"reason": ""})
    assert_error(r, 422, "invalid", "reason")
    assert post(staff, f"{R}/rounds/{round_id}/lock", {}).json()["status"] == "locked"


def test_marks_are_checked_with_field_paths(contested):
    staff, body = open_month(contested)
    round_id = body["id"]
    target = ranking_ids(contested, round_id)[0]
    judge = api_client(contested.panel[1])
    rubric = contested.rubric
    r = put_json(judge, round_id, target, json_marks(rubric))
    assert_error(r, 409, "wrong_status")
    post(staff, f"{R}/rounds/{round_id}/start-scoring", {})
    cases = [
        ({"hygiene": 21}, "marks.hygiene.points"),
        ({"hygiene": "19.3"}, "marks.hygiene.points"),
        ({"hygiene": "abc"}, "marks.hygiene.points"),
        ({"hygiene": 18}, "marks.hygiene.photo"),
        ({"civility": {"exempt": True}}, "marks.civility.exempt"),
        ({"disputes": {"vetoed": True}}, "marks.disputes.vetoed"),
    ]
    for changes, field in cases:
        r = put_json(judge, round_id, target, json_marks(rubric, **changes))
        assert_error(r, 422, "invalid", field)
    marks = json_marks(rubric)
    del marks["family"]
    assert_error(put_json(judge, round_id, target, marks), 422, "invalid", "marks.family")
    marks = json_marks(rubric, nosuch=1)
    marks["nosuch"] = {"points": 1}
    assert_error(put_json(judge, round_id, target, marks), 422, "invalid", "marks.nosuch")
    # Multipart: the marks field must be JSON, photos must name a marked item.
    r = judge.put(
        f"{API}{R}/rounds/{round_id}/targets/{target}/sheet",
        encode_multipart(BOUNDARY, {"marks": "{not json"}),
        content_type=f"{MULTIPART_CONTENT}; boundary={BOUNDARY}",
    )
    assert_error(r, 422, "invalid", "marks")
    r = put_sheet(judge, round_id, target, json_marks(rubric), nosuch=jpeg())
    assert_error(r, 422, "invalid", "photo.nosuch")
    assert not Entry.objects.exists()
    # Not on the panel: 403; another community's resident does not see the round at all.
    tenant = api_client(contested.city.users["tenant"])
    assert_error(tenant.get(f"{API}{R}/rounds/{round_id}/next"), 404, "not_found")
    staff_2 = api_client(contested.city.users["community_staff_2"])
    assert_error(staff_2.get(f"{API}{R}/rounds/{round_id}"), 404, "not_found")
    grid = api_client(contested.city.users["subdistrict_admin"])
    assert_error(grid.get(f"{API}{R}/rounds/{round_id}/next"), 403, "not_panellist")


def test_conflicts_have_codes(contested):
    staff, body = open_month(contested)
    round_id = body["id"]
    assert_error(post(staff, f"{R}/rounds/{round_id}/publish", {}), 409, "wrong_status")
    assert_error(post(staff, f"{R}/rounds/{round_id}/close-scoring", {}), 409, "wrong_status")
    r = post(staff, f"{R}/rounds", {"contest": contested.contest.pk, "period": "2026-10"})
    assert_error(r, 409, "duplicate")
    r = post(staff, f"{R}/rounds", {"contest": contested.contest.pk, "period": "October"})
    assert_error(r, 422, "invalid", "period")
    # A party leaves the panel: the next month cannot open.
    contest_url = f"{R}/contests/{contested.contest.pk}"
    seats = staff.get(f"{API}{contest_url}").json()["panel"]
    seat = next(s for s in seats if s["party"] == "property")
    r = post(staff, f"{contest_url}/panellists/{seat['id']}/end", {})
    assert r.status_code == 200 and r.json()["until"], r.content
    r = post(staff, f"{R}/rounds", {"contest": contested.contest.pk, "period": "2026-11"})
    assert_error(r, 409, "panel_incomplete")
    # Seating someone who does not belong to the party names the client's field.
    r = post(
        staff,
        f"{contest_url}/panellists",
        {"user_id": contested.city.users["tenant"].pk, "party": "property"},
    )
    assert_error(r, 422, "invalid", "user_id")
    manager = contested.city.users["property_manager"]
    r = post(staff, f"{contest_url}/panellists", {"user_id": manager.pk, "party": "property"})
    assert r.status_code == 201, r.content
    # Another community's staff: the contest does not exist for them.
    staff_2 = api_client(contested.city.users["community_staff_2"])
    assert_error(staff_2.get(f"{API}{contest_url}"), 404, "not_found")
    r = post(staff_2, f"{R}/rounds", {"contest": contested.contest.pk, "period": "2026-12"})
    assert_error(r, 422, "invalid", "contest")


def test_rubrics_and_contests(contested):
    city = contested.city
    staff = api_client(contested.manager)
    listed = staff.get(f"{API}{R}/rubrics").json()
    assert contested.rubric.pk in [r["id"] for r in listed["items"]]
    r = post(staff, f"{R}/rubrics/{contested.rubric.pk}/copy", {})
    assert r.status_code == 201, r.content
    draft = r.json()
    assert draft["version"] == contested.rubric.version + 1 and draft["status"] == "draft"
    rid = draft["id"]
    assert post(staff, f"{R}/rubrics/{rid}", {"name": "新细则"}, "patch").json()["name"] == "新细则"
    item = {"code": "greening", "title": "绿化", "kind": "score", "max_points": "5"}
    r = post(staff, f"{R}/rubrics/{rid}/items", item)
    assert r.status_code == 201, r.content
    assert_error(post(staff, f"{R}/rubrics/{rid}/items", item), 422, "invalid", "code")
    bad = {**item, "code": "x", "max_points": "2.3"}
    assert_error(post(staff, f"{R}/rubrics/{rid}/items", bad), 422, "invalid", "max_points")
    item_id = r.json()["id"]
    r = post(staff, f"{R}/rubrics/{rid}/items/{item_id}", {**item, "title": "绿化养护"}, "put")
    assert r.json()["title"] == "绿化养护"
    assert staff.delete(f"{API}{R}/rubrics/{rid}/items/{item_id}").status_code == 204
    assert_error(post(staff, f"{R}/rubrics/{rid}/bands", {"bands": []}, "put"), 422, "invalid")

    # Put to the residents: a resident of the estate comments; another community's cannot see.
    r = post(staff, f"{R}/rubrics/{rid}/consult", {"raise_topic": False})
    assert r.status_code == 200 and r.json()["comments_open"], r.content
    tenant = api_client(city.users["tenant"])
    r = post(tenant, f"{R}/rubrics/{rid}/comments", {"text": "婴儿车也应豁免"})
    assert r.status_code == 201, r.content
    assert_error(post(tenant, f"{R}/rubrics/{rid}/comments", {"text": ""}), 422, "invalid", "text")
    other = api_client(city.users["owner_2"])
    assert_error(other.get(f"{API}{R}/rubrics/{rid}"), 404, "not_found")
    seen = staff.get(f"{API}{R}/rubrics/{rid}").json()
    assert seen["comments"][0]["user"]["name"] == city.users["tenant"].name
    owner = api_client(city.users["owner"])
    masked = owner.get(f"{API}{R}/rubrics/{rid}/comments").json()["items"][0]
    assert masked["user"]["name"] != city.users["tenant"].name
    assert_error(post(tenant, f"{R}/rubrics/{rid}/adopt", {}), 403, "forbidden")
    r = post(staff, f"{R}/rubrics/{rid}/adopt", {})
    assert r.status_code == 200 and r.json()["status"] == "adopted", r.content
    assert_error(post(staff, f"{R}/rubrics/{rid}/items", item), 409, "adopted")

    # Contests: the new version moved the contest; settings change; a second contest.
    contest = staff.get(f"{API}{R}/contests/{contested.contest.pk}").json()
    assert contest["rubric_id"] == rid and contest["allowed"]["manage"]
    r = post(staff, f"{R}/contests/{contested.contest.pk}", {"flags": 2}, "patch")
    assert r.json()["settings"]["flags"] == 2
    r = post(staff, f"{R}/contests/{contested.contest.pk}", {"flags": 99}, "patch")
    assert_error(r, 422, "invalid", "flags")
    body = {"name": "楼栋评比", "rubric": rid, "place": city.places["E1"].pk}
    r = post(staff, f"{R}/contests", {**body, "target_kind": "building"})
    assert r.status_code == 201, r.content
    r = post(staff, f"{R}/contests", {**body, "place": city.places["U1"].pk})
    assert_error(r, 422, "invalid", "place")
    assert tenant.get(f"{API}{R}/contests").json()["count"] == 2
    assert other.get(f"{API}{R}/contests").json()["count"] == 0
    tenant_view = tenant.get(f"{API}{R}/contests/{contested.contest.pk}").json()
    assert all("*" in s["user"]["name"] for s in tenant_view["panel"])


def test_awards_preview_and_confirm(contested):
    staff = api_client(contested.manager)
    url = f"{R}/contests/{contested.contest.pk}/awards/2026"
    table = staff.get(f"{API}{url}/draft")
    assert table.status_code == 200, table.content
    assert table.json()["year"] == 2026 and table.json()["confirmed"] == 0
    assert_error(post(staff, f"{url}/confirm", {}), 409, "year_running")
    tenant = api_client(contested.city.users["tenant"])
    assert_error(tenant.get(f"{API}{url}/draft"), 403, "forbidden")
    assert_error(tenant.get(f"{API}{url}"), 403, "forbidden")
    assert staff.get(f"{API}{url}").json()["count"] == 0
    r = post(staff, f"{url}/heads/{contested.city.users['tenant'].pk}", {"fulfilled": True}, "put")
    assert_error(r, 422, "invalid", "user_id")


def test_anonymous_gets_401(client, db):
    assert_error(client.get(f"{API}{R}/rounds"), 401, "unauthenticated")


def test_openapi_lists_the_ratings_paths(client, db):
    r = client.get(API + "/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    base = "/api/v1/ratings"
    for path, methods in {
        f"{base}/rubrics": {"get", "post"},
        f"{base}/rubrics/{{rubric_id}}/items/{{item_id}}": {"put", "delete"},
        f"{base}/contests/{{contest_id}}": {"get", "patch"},
        f"{base}/rounds": {"get", "post"},
        f"{base}/rounds/{{round_id}}/targets/{{target_id}}/sheet": {"get", "put"},
        f"{base}/rounds/{{round_id}}/ranking": {"get"},
        f"{base}/rounds/{{round_id}}/entries/{{entry_id}}/correct": {"post"},
        f"{base}/contests/{{contest_id}}/awards/{{year}}/confirm": {"post"},
        f"{base}/places/{{place_id}}/history": {"get"},
    }.items():
        assert methods <= set(paths[path]), path
