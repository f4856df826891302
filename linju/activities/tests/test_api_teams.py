"""/api/v1/activities/teams, /services, /groups: volunteer teams near me, creating and changing
them, joining and leaving, members and leaders, a member's service confirmed by a leader (points
and hours once) or turned down; interest groups; who sees what (404 outside where one lives and
one's staff scope, 403 for those who see but may not), 409 codes and 422 field paths."""

import json

import pytest
from django.utils import timezone

from linju.activities import services_teams
from linju.activities.models import ServiceRecord, Team, TeamMember
from linju.core.masking import mask_name
from linju.core.tests.test_api import API, api_client, assert_error, post
from linju.points.models import Account

pytestmark = pytest.mark.django_db
A = "/activities"


def test_teams_near_me_create_change_join_and_leave(hood):
    city, patrol = hood.city, hood.patrol
    url = f"{A}/teams/{patrol.pk}"
    tenant, staff = api_client(hood.member), api_client(hood.staff)

    listed = tenant.get(f"{API}{A}/teams").json()
    assert [(t["name"], t["joined"], t["size"]) for t in listed["items"]] == [
        ("平安巡逻队", True, 2)
    ]
    seen = tenant.get(f"{API}{url}").json()
    assert (seen["my_role"], seen["may_manage"]) == ("member", False)
    # Who belongs to it is for its leaders and the staff: a plain member sees the count.
    assert (seen["size"], seen["leaders"], seen["may_see_members"]) == (2, None, False)
    by_staff = staff.get(f"{API}{url}").json()
    assert by_staff["leaders"] == [{"id": hood.leader.pk, "name": hood.leader.name}]
    assert (by_staff["may_see_members"], by_staff["may_manage"]) == (True, True)
    by_leader = api_client(hood.leader).get(f"{API}{url}").json()
    assert (by_leader["may_see_members"], by_leader["leaders"][0]["id"]) == (True, hood.leader.pk)
    outsider = api_client(city.users["owner_2"])
    assert outsider.get(f"{API}{A}/teams").json()["count"] == 0
    assert_error(outsider.get(f"{API}{url}"), 404, "not_found")

    # Creating: community staff only; 422 names the field.
    team = {"place": city.places["E1"].pk, "name": "环保小分队", "kind": "environment"}
    r = post(staff, f"{A}/teams", {**team, "leader": hood.member.pk, "open_to_join": False})
    assert r.status_code == 201, r.content
    green = r.json()
    assert (green["kind"], green["open_to_join"], green["size"]) == ("environment", False, 1)
    assert green["leaders"] == [{"id": hood.member.pk, "name": hood.member.name}]
    for key in ("owner", "building_head", "community_staff_2"):
        r = post(api_client(city.users[key]), f"{A}/teams", {**team, "name": "x"})
        assert_error(r, 403, "forbidden")
    for field, more in [
        ("name", {}),  # taken in E1 now
        ("name", {"name": " "}),
        ("kind", {"kind": "choir"}),
        ("place", {"place": city.places["U1"].pk}),
        ("place", {"place": 10**9}),
        ("leader", {"name": "y", "leader": 10**9}),
        ("description", {"name": "y", "description": "长" * 2001}),
    ]:
        assert_error(post(staff, f"{A}/teams", {**team, **more}), 422, "invalid", field)
    assert Team.objects.count() == 2

    # Changing: staff; a member sees but may not; outsiders get 404.
    change = {"name": "平安巡逻一队", "kind": "safety", "open_to_join": True}
    r = post(staff, url, change, "put")
    assert r.status_code == 200 and r.json()["name"] == "平安巡逻一队"
    assert_error(post(tenant, url, change, "put"), 403, "forbidden")
    assert_error(post(outsider, url, change, "put"), 404, "not_found")
    assert_error(post(staff, url, {**change, "name": " "}, "put"), 422, "invalid", "name")
    assert_error(post(staff, url, {**change, "kind": None}, "put"), 422, "invalid", "kind")

    # Joining: open teams of where one lives.
    liaison = api_client(city.users["party_liaison"])  # lives in B2, in C1
    r = post(liaison, f"{url}/join", {})
    assert r.status_code == 200 and (r.json()["joined"], r.json()["my_role"]) == (True, "member")
    assert_error(post(liaison, f"{url}/join", {}), 409, "already_member")
    assert_error(post(liaison, f"{A}/teams/{green['id']}/join", {}), 403, "forbidden")
    assert_error(post(outsider, f"{url}/join", {}), 404, "not_found")

    # Members: leaders and staff list them; staff appoint.
    rows = api_client(hood.leader).get(f"{API}{url}/members").json()
    assert [m["role"] for m in rows["items"]] == ["leader", "member", "member"]
    assert_error(tenant.get(f"{API}{url}/members"), 403, "forbidden")
    assert_error(outsider.get(f"{API}{url}/members"), 404, "not_found")
    appoint = {"person": hood.member.pk, "role": "leader"}
    assert_error(post(api_client(hood.leader), f"{url}/members", appoint), 403, "forbidden")
    r = post(staff, f"{url}/members", appoint)
    assert r.status_code == 200 and r.json()["role"] == "leader"
    # Now a leader, the tenant sees the leaders: the other resident's name masked.
    assert tenant.get(f"{API}{url}").json()["leaders"] == [
        {"id": hood.leader.pk, "name": mask_name(hood.leader.name)},
        {"id": hood.member.pk, "name": hood.member.name},
    ]
    assert_error(post(staff, f"{url}/members", {**appoint, "role": "boss"}), 422, "invalid", "role")
    r = post(staff, f"{url}/members", {"person": 10**9})
    assert_error(r, 422, "invalid", "person")

    # A leader appointed from another community sees the team they lead.
    far = city.users["owner_2"]
    assert post(staff, f"{url}/members", {"person": far.pk, "role": "leader"}).status_code == 200
    r = outsider.get(f"{API}{url}")
    assert r.status_code == 200 and (r.json()["my_role"], r.json()["joined"]) == ("leader", True)
    assert outsider.get(f"{API}{url}/members").json()["count"] == 4
    assert outsider.delete(f"{API}{url}/members/{far.pk}").status_code == 204

    # Leaving: oneself; staff remove anyone; others may not.
    me = city.users["party_liaison"].pk
    assert_error(tenant.delete(f"{API}{url}/members/{hood.leader.pk}"), 403, "forbidden")
    assert liaison.delete(f"{API}{url}/members/{me}").status_code == 204
    assert_error(liaison.delete(f"{API}{url}/members/{me}"), 404, "not_found")
    assert_error(outsider.delete(f"{API}{url}/members/{me}"), 404, "not_found")
    assert staff.delete(f"{API}{url}/members/{hood.member.pk}").status_code == 204
    assert list(TeamMember.objects.filter(team=patrol).values_list("user", flat=True)) == [
        hood.leader.pk
    ]

    # A retired team: staff and its members still see it, other residents no longer; no
    # service is recorded for it.
    r = post(staff, url, {**change, "active": False}, "put")
    assert r.status_code == 200 and r.json()["active"] is False
    assert_error(liaison.get(f"{API}{url}"), 404, "not_found")
    assert api_client(hood.leader).get(f"{API}{url}").json()["my_role"] == "leader"
    service = {"served_on": timezone.localdate().isoformat(), "minutes": 30, "what": "巡逻"}
    assert_error(post(api_client(hood.leader), f"{url}/services", service), 404, "not_found")


def test_service_submitted_and_confirmed_by_a_leader(hood):
    city, url = hood.city, f"{A}/teams/{hood.patrol.pk}"
    tenant, leader, staff = api_client(hood.member), api_client(hood.leader), api_client(hood.staff)
    today = timezone.localdate().isoformat()
    service = {"served_on": today, "minutes": 150, "what": "夜间巡逻"}
    r = post(tenant, f"{url}/services", service)
    assert r.status_code == 201, r.content
    record = r.json()
    assert (record["status"], record["person"]["id"], record["team"]["id"]) == (
        "submitted",
        hood.member.pk,
        hood.patrol.pk,
    )
    for field, more in [
        ("minutes", {"minutes": 0}),
        ("minutes", {"minutes": 721}),
        ("minutes", {"minutes": "x"}),
        ("served_on", {"served_on": "2020-01-01"}),
        ("served_on", {"served_on": "2025-02-30"}),
        ("what", {"what": ""}),
        ("person", {"person": city.users["party_liaison"].pk}),  # not a member
    ]:
        assert_error(post(leader, f"{url}/services", {**service, **more}), 422, "invalid", field)
    r = post(tenant, f"{url}/services", {**service, "person": hood.leader.pk})
    assert_error(r, 403, "forbidden")
    assert_error(
        post(api_client(city.users["owner_2"]), f"{url}/services", service), 404, "not_found"
    )

    # Waiting: for the leader (name masked: a resident), the staff (in full); mine.
    waiting = leader.get(f"{API}{A}/services/waiting").json()["items"]
    assert [(w["id"], w["person"]["name"]) for w in waiting] == [
        (record["id"], mask_name(hood.member.name))
    ]
    waiting = staff.get(f"{API}{A}/services/waiting").json()["items"]
    assert [w["person"]["name"] for w in waiting] == [hood.member.name]
    assert tenant.get(f"{API}{A}/services/waiting").json()["count"] == 0
    assert tenant.get(f"{API}{A}/services/mine").json()["items"][0]["id"] == record["id"]

    # Deciding: not the member, not an outsider; the leader confirms once.
    confirm = f"{A}/services/{record['id']}/confirm"
    assert_error(post(tenant, confirm, {}), 403, "forbidden")
    assert_error(post(api_client(city.users["owner_2"]), confirm, {}), 404, "not_found")
    assert_error(post(api_client(city.users["community_staff_2"]), confirm, {}), 404, "not_found")
    r = post(leader, confirm, {})
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["points"]) == ("confirmed", 2)
    assert_error(post(leader, confirm, {}), 409, "decided")
    account = Account.objects.get(user=hood.member)
    assert (account.points, account.minutes) == (2, 150)

    # A leader's own service: another leader or the staff; turning down needs a reason.
    own = post(leader, f"{url}/services", {**service, "minutes": 60}).json()
    assert_error(post(leader, f"{A}/services/{own['id']}/confirm", {}), 409, "own_service")
    reject = f"{A}/services/{own['id']}/reject"
    assert_error(post(staff, reject, {}), 422, "invalid", "reason")
    assert_error(post(tenant, reject, {"reason": "x"}), 404, "not_found")
    r = post(staff, reject, {"reason": "当天没有排班"})
    assert r.status_code == 200 and (r.json()["status"], r.json()["reason"]) == (
        "rejected",
        "当天没有排班",
    )
    assert ServiceRecord.objects.filter(status="rejected").count() == 1
    assert not Account.objects.filter(user=hood.leader).exists()


def test_interest_groups(hood):
    city = hood.city
    staff, tenant = api_client(hood.staff), api_client(hood.member)
    group = {"place": city.places["C1"].pk, "name": "合唱团", "description": "每周三晚"}
    for key in ("owner", "community_staff_2"):
        assert_error(post(api_client(city.users[key]), f"{A}/groups", group), 403, "forbidden")
    r = post(staff, f"{A}/groups", {**group, "leader": hood.leader.pk})
    assert r.status_code == 201, r.content
    choir = r.json()
    assert (choir["size"], choir["leaders"][0]["id"]) == (1, hood.leader.pk)
    url = f"{A}/groups/{choir['id']}"
    assert_error(post(staff, f"{A}/groups", group), 422, "invalid", "name")
    r = post(staff, f"{A}/groups", {**group, "name": "书法", "leader": "x"})
    assert_error(r, 422, "invalid", "leader")
    assert_error(post(staff, f"{A}/groups", {**group, "place": 10**9}), 422, "invalid", "place")

    assert [g["name"] for g in tenant.get(f"{API}{A}/groups").json()["items"]] == ["合唱团"]
    outsider = api_client(city.users["owner_2"])
    assert outsider.get(f"{API}{A}/groups").json()["count"] == 0
    assert_error(outsider.get(f"{API}{url}"), 404, "not_found")
    assert_error(post(outsider, f"{url}/join", {}), 404, "not_found")

    r = post(tenant, f"{url}/join", {})
    assert r.status_code == 200 and (r.json()["joined"], r.json()["size"]) == (True, 2)
    assert_error(post(tenant, f"{url}/join", {}), 409, "already_member")
    assert tenant.get(f"{API}{url}").json()["my_role"] == "member"
    rows = api_client(hood.leader).get(f"{API}{url}/members").json()["items"]
    assert [(m["role"], m["person"]["id"]) for m in rows] == [
        ("leader", hood.leader.pk),
        ("member", hood.member.pk),
    ]
    assert_error(tenant.get(f"{API}{url}/members"), 403, "forbidden")

    liaison = city.users["party_liaison"]
    assert_error(post(tenant, f"{url}/members", {"person": liaison.pk}), 403, "forbidden")
    r = post(staff, f"{url}/members", {"person": liaison.pk})
    assert r.status_code == 200 and r.json()["role"] == "member"
    assert_error(
        post(staff, f"{url}/members", {"person": liaison.pk, "role": 1}), 422, "invalid", "role"
    )
    assert_error(tenant.delete(f"{API}{url}/members/{liaison.pk}"), 403, "forbidden")
    assert tenant.delete(f"{API}{url}/members/{hood.member.pk}").status_code == 204
    assert staff.delete(f"{API}{url}/members/{liaison.pk}").status_code == 204
    assert_error(staff.delete(f"{API}{url}/members/{liaison.pk}"), 404, "not_found")

    change = {"name": "社区合唱团", "description": "每周三、六晚"}
    assert_error(post(tenant, url, change, "put"), 403, "forbidden")
    assert_error(post(outsider, url, change, "put"), 404, "not_found")
    assert_error(post(staff, url, {**change, "name": ""}, "put"), 422, "invalid", "name")
    r = post(staff, url, {**change, "active": False}, "put")
    assert r.status_code == 200 and (r.json()["name"], r.json()["active"]) == ("社区合唱团", False)
    assert_error(tenant.get(f"{API}{url}"), 404, "not_found")
    assert staff.get(f"{API}{url}").status_code == 200


def test_members_are_for_leaders_and_staff(hood):
    """A resident of the scope who is not a leader of the team or group (here, not a member at
    all) sees it and its size, but not who belongs to it: 403 on the members, no leader's name
    in the detail, masked or not. Its leaders and the staff see them."""
    city = hood.city
    choir = services_teams.create_group(
        user=hood.staff, place_id=city.places["C1"].pk, name="合唱团", leader_id=hood.leader.pk
    )
    services_teams.add_group_member(user=hood.staff, group_id=choir.pk, person_id=hood.member.pk)
    liaison = api_client(city.users["party_liaison"])  # lives in B2, in C1: sees both
    names = [n for u in (hood.leader, hood.member) for n in (u.name, mask_name(u.name))]
    for url in (f"{A}/teams/{hood.patrol.pk}", f"{A}/groups/{choir.pk}"):
        r = liaison.get(f"{API}{url}")
        assert r.status_code == 200, r.content
        body = r.json()
        assert (body["size"], body["joined"], body["my_role"]) == (2, False, None)
        assert (body["leaders"], body["may_see_members"]) == (None, False)
        text = json.dumps(body, ensure_ascii=False)
        assert not [n for n in names if n in text], text
        assert_error(liaison.get(f"{API}{url}/members"), 403, "forbidden")
        assert_error(api_client(hood.member).get(f"{API}{url}/members"), 403, "forbidden")
        for who in (hood.leader, hood.staff):
            r = api_client(who).get(f"{API}{url}/members")
            assert r.status_code == 200 and r.json()["count"] == 2, r.content
            assert api_client(who).get(f"{API}{url}").json()["may_see_members"] is True
