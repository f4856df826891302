"""/api/v1/activities/talents, /invitations, /figures: a resident lists a skill and says who may
see it, neighbours see the ones shown to them (names masked), staff search the pool of their
scope and invite a talent, who accepts or declines; the monthly figures for staff of the place;
who sees what, 409 codes and 422 field paths."""

import pytest
from django.utils import timezone

from linju.activities import services_activities as acts
from linju.activities.models import Invitation, Talent
from linju.core.masking import mask_name
from linju.core.tests.test_api import API, api_client, assert_error, post

from .conftest import started

pytestmark = pytest.mark.django_db
A = "/activities"


def test_talents_the_pool_and_invitations(hood):
    city = hood.city
    owner, tenant, staff = api_client(hood.leader), api_client(hood.member), api_client(hood.staff)

    # The owner lists two skills; one is shown to the neighbours.
    r = post(
        owner, f"{A}/talents/mine/repairs", {"note": "水电维修", "visibility": "neighbours"}, "put"
    )
    assert r.status_code == 200, r.content
    repairs = r.json()
    assert (repairs["skill"], repairs["visibility"], repairs["place"]["name"]) == (
        "repairs",
        "neighbours",
        "U1",
    )
    again = post(
        owner,
        f"{A}/talents/mine/repairs",
        {"note": "水电、家电维修", "visibility": "neighbours"},
        "put",
    )
    assert again.json()["id"] == repairs["id"] and again.json()["note"] == "水电、家电维修"
    assert post(owner, f"{A}/talents/mine/legal", {"note": "合同咨询"}, "put").status_code == 200
    assert [t["skill"] for t in owner.get(f"{API}{A}/talents/mine").json()["items"]] == [
        "legal",
        "repairs",
    ]
    assert_error(post(owner, f"{A}/talents/mine/juggling", {}, "put"), 422, "invalid", "skill")
    r = post(owner, f"{A}/talents/mine/arts", {"visibility": "all"}, "put")
    assert_error(r, 422, "invalid", "visibility")
    r = post(owner, f"{A}/talents/mine/arts", {"note": "x" * 301}, "put")
    assert_error(r, 422, "invalid", "note")
    newcomer = api_client(city.users["newcomer"])
    assert_error(post(newcomer, f"{A}/talents/mine/arts", {}, "put"), 409, "no_home")

    # Neighbours see what is shown to them, the name masked; C2 sees nothing.
    seen = tenant.get(f"{API}{A}/talents/neighbours").json()["items"]
    assert [(t["skill"], t["person"]["name"]) for t in seen] == [
        ("repairs", mask_name(hood.leader.name))
    ]
    assert (
        owner.get(f"{API}{A}/talents/neighbours?skill=repairs").json()["items"][0]["person"]["name"]
        == hood.leader.name
    )
    assert tenant.get(f"{API}{A}/talents/neighbours?skill=legal").json()["count"] == 0
    assert_error(tenant.get(f"{API}{A}/talents/neighbours?skill=x"), 422, "invalid", "skill")
    assert (
        api_client(city.users["owner_2"]).get(f"{API}{A}/talents/neighbours").json()["count"] == 0
    )

    # Staff search the whole pool of their scope, names in full; residents and C2 find nothing.
    pool = staff.get(f"{API}{A}/talents").json()["items"]
    assert {(t["skill"], t["person"]["name"]) for t in pool} == {
        ("repairs", hood.leader.name),
        ("legal", hood.leader.name),
    }
    assert staff.get(f"{API}{A}/talents?skill=legal").json()["count"] == 1
    assert staff.get(f"{API}{A}/talents?text=家电").json()["count"] == 1
    assert staff.get(f"{API}{A}/talents?place={city.places['B2'].pk}").json()["count"] == 0
    assert_error(staff.get(f"{API}{A}/talents?place=999999999"), 422, "invalid", "place")
    assert_error(staff.get(f"{API}{A}/talents?place=x"), 422, "invalid", "place")
    assert tenant.get(f"{API}{A}/talents").json()["count"] == 0
    assert api_client(city.users["community_staff_2"]).get(f"{API}{A}/talents").json()["count"] == 0

    # Staff invite; the talent answers once.
    invite = f"{A}/talents/{repairs['id']}/invitations"
    r = post(staff, invite, {"message": "帮忙修理活动室的灯", "project": "活动室改造"})
    assert r.status_code == 201, r.content
    sent = r.json()
    assert (sent["status"], sent["person"]["name"], sent["project"]) == (
        "sent",
        hood.leader.name,
        "活动室改造",
    )
    r = post(staff, invite, {"message": "包饺子需要人手", "activity": hood.party.pk})
    assert r.status_code == 201 and r.json()["activity"]["title"] == "楼组包饺子"
    assert_error(post(staff, invite, {"message": "x"}), 422, "invalid", "project")
    assert_error(post(staff, invite, {"project": "x"}), 422, "invalid", "message")
    assert_error(
        post(staff, invite, {"message": "x", "activity": 10**9}), 422, "invalid", "activity"
    )
    for key in ("owner_2", "community_staff_2"):
        r = post(api_client(city.users[key]), invite, {"message": "x", "project": "y"})
        assert_error(r, 404, "not_found")
    assert_error(post(tenant, invite, {"message": "x", "project": "y"}), 404, "not_found")

    mine = owner.get(f"{API}{A}/invitations/mine").json()["items"]
    assert [i["status"] for i in mine] == ["sent", "sent"]
    assert mine[0]["sent_by"] == hood.staff.name
    accept = f"{A}/invitations/{sent['id']}/accept"
    assert_error(post(tenant, accept, {}), 404, "not_found")
    r = post(owner, accept, {})
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    assert_error(post(owner, accept, {}), 409, "answered")
    other = mine[0]["id"] if mine[0]["id"] != sent["id"] else mine[1]["id"]
    r = post(owner, f"{A}/invitations/{other}/decline", {})
    assert r.status_code == 200 and r.json()["status"] == "declined"
    answers = staff.get(f"{API}{A}/invitations/sent").json()["items"]
    assert sorted(i["status"] for i in answers) == ["accepted", "declined"]
    assert tenant.get(f"{API}{A}/invitations/sent").json()["count"] == 0
    assert tenant.get(f"{API}{A}/invitations/mine").json()["count"] == 0

    # Withdrawing a skill takes its invitations with it.
    assert owner.delete(f"{API}{A}/talents/mine/repairs").status_code == 204
    assert_error(owner.delete(f"{API}{A}/talents/mine/repairs"), 404, "not_found")
    assert not Invitation.objects.exists()
    assert list(Talent.objects.values_list("skill", flat=True)) == ["legal"]


def test_talents_kept_for_the_staff_are_found_by_community_staff_only(hood):
    """Heads and grid workers of the scope find and invite the talents shown to neighbours;
    those kept for the staff (the default), only the community staff and subdistrict
    administrators."""
    city, owner = hood.city, api_client(hood.leader)
    post(owner, f"{A}/talents/mine/repairs", {"visibility": "neighbours"}, "put")
    legal = post(owner, f"{A}/talents/mine/legal", {}, "put").json()
    assert legal["visibility"] == "staff"
    ask = {"message": "帮忙看看合同", "project": "租房咨询"}
    for key in ("grid_worker", "building_head"):
        handler = api_client(city.users[key])
        found = handler.get(f"{API}{A}/talents").json()["items"]
        assert [t["skill"] for t in found] == ["repairs"], key
        assert handler.get(f"{API}{A}/talents?skill=legal").json()["count"] == 0
        r = post(handler, f"{A}/talents/{legal['id']}/invitations", ask)
        assert_error(r, 404, "not_found")
    for key in ("community_staff", "subdistrict_admin"):
        found = api_client(city.users[key]).get(f"{API}{A}/talents").json()["items"]
        assert [t["skill"] for t in found] == ["legal", "repairs"], key
    r = post(api_client(hood.staff), f"{A}/talents/{legal['id']}/invitations", ask)
    assert r.status_code == 201, r.content
    assert not Invitation.objects.exclude(sent_by=hood.staff).exists()


def test_monthly_figures(hood):
    city = hood.city
    started(hood.party)
    acts.check_in(user=hood.member, code=hood.party.check_in_code)
    staff = api_client(hood.staff)
    C1 = city.places["C1"].pk
    r = staff.get(f"{API}{A}/figures?place={C1}")
    assert r.status_code == 200, r.content
    body = r.json()
    now = timezone.localtime()
    assert (body["year"], body["month"], body["place"]["name"]) == (now.year, now.month, "C1")
    assert (body["activities"], body["person_times"], body["buildings_with_activity"]) == (1, 1, 1)
    by_name = {b["place"]["name"]: b for b in body["buildings"]}
    assert (by_name["B1"]["activities"], by_name["B1"]["person_times"]) == (1, 1)
    assert by_name["B2"]["activities"] == 0
    r = staff.get(f"{API}{A}/figures?place={C1}&month=2001-01")
    assert r.json()["activities"] == 0
    for month in ("2025-13", "2025-00", "0000-01", "1999-12", "9999-12", "25-1", ""):
        assert_error(
            staff.get(f"{API}{A}/figures?place={C1}&month={month}"), 422, "invalid", "month"
        )
    # Only staff of the place's scope.
    for key in ("owner", "community_staff_2"):
        r = api_client(city.users[key]).get(f"{API}{A}/figures?place={C1}")
        assert_error(r, 422, "invalid", "place")
    assert_error(staff.get(f"{API}{A}/figures?place=999999999"), 422, "invalid", "place")
    assert_error(staff.get(f"{API}{A}/figures"), 422, "invalid", "place")
    grid = api_client(city.users["grid_worker"])  # G1 = {B1}
    r = grid.get(f"{API}{A}/figures?place={city.places['B1'].pk}")
    assert r.status_code == 200 and r.json()["activities"] == 1
