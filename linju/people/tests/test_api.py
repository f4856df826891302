"""/api/v1/people: asking to join a household, the verification queue, decisions, and role
grants, each for a user inside and outside the object's scope."""

from decimal import Decimal

from linju.core.tests.test_api import API, api_client, assert_error, count_queries, post
from linju.people.models import Residency, ResidencyStatus, RoleGrant, User
from linju.places.models import Household


def ask(city, user="newcomer", **payload):
    payload.setdefault("relation", "tenant")
    return post(api_client(city.users[user]), "/people/residencies", payload)


def test_request_by_household_and_by_invite_code(city):
    h201, h301 = city.households["H201"], city.households["H301"]
    response = ask(city, household_id=h201.pk, note="moved in last week")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending" and body["source"] == "request"
    assert body["household"] == "E1 B2 U2 201" and body["household_id"] == h201.pk
    assert body["person"]["mobile"] == city.users["newcomer"].mobile
    invited = ask(city, invite_code=h301.invite_code.lower(), relation="family")
    assert invited.status_code == 201 and invited.json()["source"] == "invite"

    mine = api_client(city.users["newcomer"]).get(API + "/people/residencies/mine").json()
    assert sorted(r["household_id"] for r in mine["items"]) == sorted([h201.pk, h301.pk])


def test_request_errors(city):
    h201 = city.households["H201"]
    assert_error(ask(city), 422, "invalid", field="household_id")
    both = ask(city, household_id=h201.pk, invite_code=h201.invite_code)
    assert_error(both, 422, "invalid", field="household_id")
    assert_error(ask(city, invite_code="NOPE2345"), 422, "invalid", field="invite_code")
    assert_error(ask(city, household_id=h201.pk, relation="cousin"), 422, "invalid", "relation")
    assert_error(ask(city, household_id=999999), 422, "invalid", field="household")
    assert ask(city, household_id=h201.pk).status_code == 201
    duplicate = assert_error(ask(city, household_id=h201.pk), 409, "residency_exists")
    assert duplicate["errors"] == [{"field": "household", "message": duplicate["message"]}]
    assert Residency.objects.filter(user=city.users["newcomer"]).count() == 1


def test_verification_queue_is_scoped(city):
    in_c1 = ask(city, household_id=city.households["H101"].pk).json()["id"]
    in_c2 = ask(city, household_id=city.households["H301"].pk).json()["id"]

    def queue(user):
        page = api_client(city.users[user]).get(API + "/people/residencies/pending").json()
        return [r["id"] for r in page["items"]], page["count"]

    assert queue("unit_head") == ([in_c1], 1)
    assert queue("grid_worker") == ([in_c1], 1)
    assert queue("unit_head_2") == ([in_c2], 1)
    assert queue("community_staff") == ([in_c1], 1)
    client = api_client(city.users["owner"])
    assert_error(client.get(API + "/people/residencies/pending"), 403, "forbidden")
    # The verifier handles this household, so the applicant's details are shown in full.
    item = api_client(city.users["unit_head"]).get(API + "/people/residencies/pending").json()
    assert item["items"][0]["person"]["mobile"] == city.users["newcomer"].mobile


def test_decisions(city):
    rid = ask(city, household_id=city.households["H101"].pk).json()["id"]
    url = f"/people/residencies/{rid}/decision"
    outsider = api_client(city.users["unit_head_2"])
    assert_error(post(outsider, url, {"approve": True}), 404, "not_found")
    applicant = api_client(city.users["newcomer"])
    assert_error(post(applicant, url, {"approve": True}), 403, "forbidden")
    head = api_client(city.users["unit_head"])
    assert_error(post(head, url, {"approve": False}), 422, "invalid", field="reason")
    assert_error(post(head, url, {}), 422, "invalid", field="approve")
    approved = post(head, url, {"approve": True})
    assert approved.status_code == 200 and approved.json()["status"] == "verified"
    assert approved.json()["decided_at"].endswith("+08:00")
    assert_error(post(head, url, {"approve": False, "reason": "x"}), 409, "already_decided")
    assert_error(
        post(head, "/people/residencies/999999/decision", {"approve": True}), 404, "not_found"
    )

    other = ask(city, household_id=city.households["H102"].pk).json()["id"]
    rejected = post(
        head, f"/people/residencies/{other}/decision", {"approve": False, "reason": "No"}
    )
    assert rejected.json()["status"] == "rejected" and rejected.json()["reason"] == "No"


def test_ending_a_residency(city):
    own = Residency.objects.get(user=city.users["tenant"])
    tenant = api_client(city.users["tenant"])
    ended = tenant.delete(f"{API}/people/residencies/{own.pk}")
    assert ended.status_code == 200 and ended.json()["status"] == "ended"
    assert_error(tenant.delete(f"{API}/people/residencies/{own.pk}"), 409, "already_ended")
    theirs = Residency.objects.get(user=city.users["owner"])
    assert_error(tenant.delete(f"{API}/people/residencies/{theirs.pk}"), 404, "not_found")
    outsider = api_client(city.users["unit_head_2"])
    assert_error(outsider.delete(f"{API}/people/residencies/{theirs.pk}"), 404, "not_found")
    head = api_client(city.users["unit_head"]).delete(f"{API}/people/residencies/{theirs.pk}")
    assert head.status_code == 200 and head.json()["status"] == "ended"


def test_role_list_is_scoped(city):
    page = api_client(city.users["community_staff"]).get(API + "/people/roles?limit=100").json()
    holders = {g["person"]["id"] for g in page["items"]}
    assert city.users["unit_head"].pk in holders and city.users["grid_worker"].pk in holders
    assert city.users["unit_head_2"].pk not in holders
    assert page["count"] == len(page["items"])
    admin = api_client(city.users["subdistrict_admin"]).get(API + "/people/roles?limit=100").json()
    assert admin["count"] == RoleGrant.objects.count()
    filtered = api_client(city.users["community_staff"]).get(API + "/people/roles?role=grid_worker")
    assert [g["scope_name"] for g in filtered.json()["items"]] == ["G1"]
    assert_error(api_client(city.users["unit_head"]).get(API + "/people/roles"), 403, "forbidden")


def test_grant_and_revoke(city):
    staff = api_client(city.users["community_staff"])
    newcomer = city.users["newcomer"]
    payload = {"user_id": newcomer.pk, "role": "unit_head", "place_id": city.places["U2"].pk}
    granted = post(staff, "/people/roles", payload)
    assert granted.status_code == 201, granted.content
    grant = granted.json()
    assert grant["role_label"] == "单元长" and grant["scope_name"] == "U2" and grant["active"]
    assert grant["person"]["id"] == newcomer.pk

    outside = {**payload, "place_id": city.places["U3"].pk}
    assert_error(post(staff, "/people/roles", outside), 403, "forbidden")
    wrong_kind = {**payload, "place_id": city.places["B1"].pk}
    assert_error(post(staff, "/people/roles", wrong_kind), 422, "invalid", field="place")
    assert_error(post(staff, "/people/roles", {**payload, "role": "owner"}), 422, "invalid", "role")

    revoked = staff.delete(f"{API}/people/roles/{grant['id']}")
    assert revoked.status_code == 200 and not revoked.json()["active"]
    assert_error(staff.delete(f"{API}/people/roles/{grant['id']}"), 409, "already_revoked")
    theirs = RoleGrant.objects.get(user=city.users["unit_head_2"])
    assert_error(staff.delete(f"{API}/people/roles/{theirs.pk}"), 404, "not_found")
    assert RoleGrant.objects.get(pk=theirs.pk).revoked_at is None
    inactive = staff.get(API + "/people/roles?active=false").json()
    assert [g["id"] for g in inactive["items"]] == [grant["id"]]


def test_list_query_counts_do_not_grow(city):
    u1 = city.places["U1"]
    head = api_client(city.users["unit_head"])
    staff = api_client(city.users["community_staff"])
    people = [User.objects.create_user(f"1360000{i:04d}", name=f"申请人{i}") for i in range(20)]
    homes = [
        Household.objects.create(unit=u1, room=f"8{i:02d}", floor=8, area=Decimal(60))
        for i in range(20)
    ]
    Residency.objects.create(user=people[0], household=homes[0], relation="tenant")
    RoleGrant.objects.create(user=people[0], role="floor_head", place=city.places["B1"])
    mover = people[0]
    urls = {
        "pending": (head, "/people/residencies/pending"),
        "roles": (staff, "/people/roles?role=floor_head&active=true&limit=100"),
        "mine": (api_client(mover), "/people/residencies/mine"),
    }
    few = {key: count_queries(client, url) for key, (client, url) in urls.items()}
    expected_few = {"pending": 1, "roles": 2, "mine": 1}
    assert {key: body["count"] for key, (_, body) in few.items()} == expected_few

    for person, home in zip(people[1:], homes[1:], strict=True):
        Residency.objects.create(user=person, household=home, relation="tenant")
        RoleGrant.objects.create(user=person, role="floor_head", place=city.places["B1"])
        Residency.objects.create(
            user=mover, household=home, relation="family", status=ResidencyStatus.VERIFIED
        )
    for key, (client, url) in urls.items():
        many, body = count_queries(client, url)
        assert body["count"] == expected_few[key] + 19, key
        assert many == few[key][0] and many <= 12, (key, many)


def test_directory_lets_a_resident_pick_a_room_without_seeing_people(client, city):
    client.force_login(city.users["newcomer"])
    estates = client.get("/api/v1/people/directory/estates").json()
    assert {"C1 · E1", "C2 · E2"} <= {e["name"] for e in estates["items"]}
    found = client.get("/api/v1/people/directory/estates", {"q": "C2"}).json()
    assert [e["name"] for e in found["items"]] == ["C2 · E2"] and found["count"] == 1
    page = client.get("/api/v1/people/directory/estates", {"limit": 1}).json()
    assert len(page["items"]) == 1 and page["next"]
    e1 = city.places["E1"].pk
    buildings = client.get(f"/api/v1/people/directory/{e1}/children").json()
    assert [b["name"] for b in buildings] == ["B1", "B2"]
    units = client.get(f"/api/v1/people/directory/{city.places['B1'].pk}/children").json()
    rooms = client.get(f"/api/v1/people/directory/{units[0]['id']}/children").json()
    assert [(r["name"], r["floor"]) for r in rooms] == [("101", 1), ("102", 1)]
    assert city.users["owner"].name not in str(rooms)
    bad = client.get(f"/api/v1/people/directory/{city.places['C1'].pk}/children")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "place_id"
    assert client.get("/api/v1/people/directory/999999/children").status_code == 404
    client.logout()
    assert client.get("/api/v1/people/directory/estates").status_code == 401
