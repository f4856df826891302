"""/api/v1/places: the tree, grids and households, scoped by role; members masked outside the
viewer's handling scope."""

from decimal import Decimal

from linju.core.tests.test_api import API, api_client, assert_error, count_queries
from linju.people.models import Residency, ResidencyStatus, User
from linju.places.models import Grid, Household, Place


def names(page):
    return sorted(p["name"] for p in page["items"])


def test_staff_list_their_scope_plus_every_estate(city):
    page = api_client(city.users["community_staff"]).get(API + "/places?limit=100").json()
    assert names(page) == ["B1", "B2", "C1", "E1", "E2", "U1", "U2"]
    assert page["count"] == 7 and page["next"] is None
    admin = api_client(city.users["subdistrict_admin"]).get(API + "/places?limit=100").json()
    assert "D" not in names(admin) and {"S", "C2", "U3"} <= set(names(admin))


def test_residents_list_only_estates(city):
    page = api_client(city.users["owner"]).get(API + "/places").json()
    assert names(page) == ["E1", "E2"]
    assert all(p["kind"] == "estate" for p in page["items"])


def test_place_filters(city):
    client = api_client(city.users["community_staff"])
    assert names(client.get(API + "/places?kind=building").json()) == ["B1", "B2"]
    b1 = city.places["B1"]
    assert names(client.get(f"{API}/places?parent={b1.pk}").json()) == ["U1"]
    assert names(client.get(API + "/places?q=u").json()) == ["U1", "U2"]


def test_place_detail_and_children_in_and_out_of_scope(city):
    client = api_client(city.users["community_staff"])
    b1 = client.get(f"{API}/places/{city.places['B1'].pk}").json()
    assert b1 == {
        "id": city.places["B1"].pk,
        "kind": "building",
        "name": "B1",
        "code": "B1",
        "parent_id": city.places["E1"].pk,
    }
    assert_error(client.get(f"{API}/places/{city.places['B3'].pk}"), 404, "not_found")
    assert client.get(f"{API}/places/{city.places['E2'].pk}").status_code == 200
    children = client.get(f"{API}/places/{city.places['E1'].pk}/children").json()
    assert names(children) == ["B1", "B2"]
    # E2 is listable by everyone, but its buildings are outside C1 staff's scope.
    hidden = client.get(f"{API}/places/{city.places['E2'].pk}/children").json()
    assert hidden == {"items": [], "count": 0, "next": None}
    assert_error(client.get(f"{API}/places/{city.places['U3'].pk}/children"), 404, "not_found")


def test_grids_are_scoped(city):
    def grid_names(user):
        return names(api_client(city.users[user]).get(API + "/places/grids").json())

    assert grid_names("grid_worker") == ["G1"]
    assert grid_names("community_staff") == ["G1"]
    assert grid_names("community_staff_2") == ["G2"]
    assert grid_names("subdistrict_admin") == ["G1", "G2"]
    assert grid_names("owner") == []
    g1 = api_client(city.users["grid_worker"]).get(API + "/places/grids").json()["items"][0]
    assert g1["building_ids"] == [city.places["B1"].pk]
    assert g1["community_id"] == city.places["C1"].pk and g1["community_name"] == "C1"


def test_households_are_scoped(city):
    def rooms(user, query=""):
        page = api_client(city.users[user]).get(API + "/places/households" + query).json()
        return sorted(h["room"] for h in page["items"]), page["count"]

    assert rooms("unit_head") == (["101", "102"], 2)
    assert rooms("unit_head_2") == (["301"], 1)
    assert rooms("owner") == (["101"], 1)
    assert rooms("newcomer") == ([], 0)
    assert rooms("community_staff", f"?unit={city.places['U2'].pk}") == (["201"], 1)
    assert rooms("community_staff", f"?place={city.places['B1'].pk}") == (["101", "102"], 2)
    assert rooms("community_staff", "?q=20") == (["201"], 1)
    client = api_client(city.users["community_staff_2"])
    assert_error(
        client.get(f"{API}/places/households/{city.households['H101'].pk}"), 404, "not_found"
    )
    response = client.get(f"{API}/places/households?place={city.places['B1'].pk}")
    assert_error(response, 404, "not_found")


def test_household_detail_masks_members_outside_the_handling_scope(city):
    h101 = city.households["H101"]
    owner = city.users["owner"]
    url = f"{API}/places/households/{h101.pk}"

    handler = api_client(city.users["unit_head"]).get(url).json()
    assert handler["label"] == "E1 B1 U1 101"
    assert handler["area"] == "88.50"
    assert handler["invite_code"] == h101.invite_code
    assert handler["members"] == [
        {"user_id": owner.pk, "name": owner.name, "mobile": owner.mobile, "relation": "owner"}
    ]

    # The property manager may view the estate's households but does not handle personal data.
    masked = api_client(city.users["property_manager"]).get(url).json()
    member = masked["members"][0]
    assert member["name"] == "张*****明" and member["name"] != owner.name
    assert member["mobile"] == owner.mobile[:3] + "****" + owner.mobile[-4:]
    assert masked["invite_code"] is None

    mine = api_client(owner).get(url).json()
    assert mine["members"][0]["mobile"] == owner.mobile


def test_list_query_counts_do_not_grow(city):
    staff = api_client(city.users["community_staff"])
    b1, u1 = city.places["B1"], city.places["U1"]
    urls = {
        "children": f"/places/{b1.pk}/children",
        "places": f"/places?parent={b1.pk}",
        "grids": "/places/grids",
        "households": f"/places/households?unit={u1.pk}&q=9",
    }
    Household.objects.create(unit=u1, room="900", floor=9, area=Decimal(70))
    Residency.objects.create(
        user=city.users["newcomer"],
        household=Household.objects.get(room="900"),
        relation="tenant",
        status=ResidencyStatus.VERIFIED,
    )
    few = {key: count_queries(staff, url) for key, url in urls.items()}
    assert {key: body["count"] for key, (_, body) in few.items()} == {
        "children": 1,
        "places": 1,
        "grids": 1,
        "households": 1,
    }

    for i in range(19):
        Place.objects.create(kind="unit", name=f"X{i}", code=f"X{i}", parent=b1)
        grid = Grid.objects.create(community=city.places["C1"], name=f"G{i}x", code=f"G{i}x")
        grid.buildings.set([b1, city.places["B2"]])
    for i in range(19):
        household = Household.objects.create(unit=u1, room=f"9{i + 1:02d}", floor=9, area=70)
        person = User.objects.create_user(f"1370000{i:04d}", name=f"住户{i}")
        Residency.objects.create(
            user=person, household=household, relation="owner", status=ResidencyStatus.VERIFIED
        )
    for key, url in urls.items():
        many, body = count_queries(staff, url)
        assert body["count"] == 20, key
        assert len(body["items"]) == 20, key
        assert many == few[key][0], key
        assert many <= 12, (key, many)
