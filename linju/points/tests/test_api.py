"""/api/v1/points: a resident redeems in C1's love supermarket (a double tap redeems once),
cancels (refunded), the desk finds a pickup code and hands the item out; volunteer service and
adjustments with idempotency keys; 409 codes and 422 field paths; who sees what (another
community's resident, another community's staff, a grid worker, the subdistrict); items with a
multipart photo, rules, expiry, the leaderboard; the OpenAPI schema."""

import pytest
from django.test.client import MULTIPART_CONTENT, encode_multipart
from django.utils import timezone

from linju.core.masking import mask_name
from linju.core.tests.test_api import API, api_client, assert_error, post
from linju.points.models import Account, PointsEntry, Redemption, StoreItem
from linju.reports.tests.conftest import upload

from .conftest import give

pytestmark = pytest.mark.django_db
P = "/points"
BOUNDARY = "pointsboundary"


def keyed(client, url, data, key, method="post"):
    """A JSON request carrying an Idempotency-Key header."""
    return getattr(client, method)(
        API + url, data, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )


def balance(client) -> int:
    r = client.get(f"{API}{P}/me")
    assert r.status_code == 200, r.content
    return r.json()["points"]


def stock(item) -> int:
    return StoreItem.objects.get(pk=item.pk).stock


def test_anonymous_gets_401(client, db):
    assert_error(client.get(f"{API}{P}/me"), 401, "unauthenticated")


def test_redeem_twice_cancel_and_collect_by_code(shop):
    city = shop.city
    owner = city.users["owner"]
    give(shop, owner, 120)
    me = api_client(owner)
    assert me.get(f"{API}{P}/me").json() == {"points": 120, "minutes": 0, "hours": 0.0}
    rice = f"{P}/shop/items/{shop.rice.pk}"
    items = me.get(f"{API}{P}/shop/items").json()
    assert [i["name"] for i in items["items"]] == ["毛巾", "大米 5kg"]  # cheapest first
    assert me.get(API + rice).json()["per_person"] == 2

    # A double tap: one redemption, one debit.
    first = keyed(me, f"{rice}/redeem", {"quantity": 2}, "tap-1")
    assert first.status_code == 201, first.content
    again = keyed(me, f"{rice}/redeem", {"quantity": 2}, "tap-1")
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    body = first.json()
    assert (body["points"], body["status"], len(body["code"])) == (100, "reserved", 8)
    assert (balance(me), stock(shop.rice)) == (20, 48)
    mine = me.get(f"{API}{P}/me/redemptions").json()
    assert mine["count"] == 1 and mine["items"][0]["code"] == body["code"]
    entries = me.get(f"{API}{P}/me/points").json()["items"]
    assert [(e["kind"], e["amount"], e["balance"]) for e in entries] == [
        ("redemption", -100, 20),
        ("adjustment", 120, 120),
    ]

    # Another resident's identical key is their own request, not the owner's redemption.
    tenant = city.users["tenant"]
    give(shop, tenant, 10)
    theirs = keyed(api_client(tenant), f"{P}/shop/items/{shop.towel.pk}/redeem", {}, "tap-1")
    assert theirs.status_code == 201, theirs.content
    assert theirs.json()["id"] != body["id"] and theirs.json()["item"]["name"] == "毛巾"

    # The owner cancels a towel: refunded, restocked.
    towel = keyed(me, f"{P}/shop/items/{shop.towel.pk}/redeem", {"quantity": 1}, "tap-2").json()
    assert balance(me) == 10
    r = post(me, f"{P}/redemptions/{towel['id']}/cancel", {})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "cancelled"
    assert (balance(me), stock(shop.towel)) == (20, 2)  # the tenant's towel is still out
    assert_error(post(me, f"{P}/redemptions/{towel['id']}/cancel", {}), 409, "wrong_status")

    # The desk finds the rice by its code and hands it out.
    desk = api_client(shop.manager)
    waiting = desk.get(f"{API}{P}/redemptions?status=reserved").json()
    assert {row["id"] for row in waiting["items"]} == {body["id"], theirs.json()["id"]}
    assert all(row["code"] is None for row in waiting["items"])  # codes are never listed
    found = desk.get(f"{API}{P}/redemptions/by-code?place={shop.community.pk}&code={body['code']}")
    assert found.status_code == 200, found.content
    assert found.json()["id"] == body["id"]
    assert found.json()["person"] == {"id": owner.pk, "name": owner.name}
    r = post(desk, f"{P}/redemptions/{body['id']}/collect", {})
    assert r.status_code == 200 and r.json()["status"] == "collected"
    assert_error(post(desk, f"{P}/redemptions/{body['id']}/collect", {}), 409, "wrong_status")
    assert_error(post(me, f"{P}/redemptions/{body['id']}/cancel", {}), 409, "wrong_status")
    gone = desk.get(f"{API}{P}/redemptions/by-code?place={shop.community.pk}&code={body['code']}")
    assert_error(gone, 422, "invalid", "code")

    # The desk cancels the tenant's towel, with a reason (required there).
    url = f"{P}/redemptions/{theirs.json()['id']}/cancel"
    assert_error(post(desk, url, {}), 422, "invalid", "reason")
    r = post(desk, url, {"reason": "货架上的毛巾受潮"})
    assert r.status_code == 200 and r.json()["cancel_reason"] == "货架上的毛巾受潮"
    assert Account.objects.get(user=tenant).points == 10


def test_conflict_codes(shop):
    owner = shop.city.users["owner"]
    me = api_client(owner)
    give(shop, owner, 40)
    rice, towel = f"{P}/shop/items/{shop.rice.pk}", f"{P}/shop/items/{shop.towel.pk}"
    assert_error(post(me, f"{rice}/redeem", {}), 409, "insufficient_points")
    assert (balance(me), stock(shop.rice)) == (40, 50)  # nothing half-done
    assert_error(post(me, f"{towel}/redeem", {"quantity": 4}), 409, "out_of_stock")
    give(shop, owner, 200)
    assert post(me, f"{rice}/redeem", {"quantity": 2}).status_code == 201
    assert_error(post(me, f"{rice}/redeem", {}), 409, "limit_reached")

    desk = api_client(shop.manager)
    adjust = {"person": owner.pk, "place": shop.community.pk, "amount": 5, "reason": "补录"}
    r1 = keyed(desk, f"{P}/adjustments", adjust, "adj-1")
    assert r1.status_code == 201, r1.content
    r2 = keyed(desk, f"{P}/adjustments", adjust, "adj-1")
    assert r2.status_code == 201 and r2.json()["id"] == r1.json()["id"]
    assert_error(
        keyed(desk, f"{P}/adjustments", {**adjust, "amount": 6}, "adj-1"), 409, "key_reused"
    )
    too_much = {**adjust, "amount": -10_000}
    assert_error(post(desk, f"{P}/adjustments", too_much), 409, "insufficient_points")


def test_field_paths(shop):
    owner = shop.city.users["owner"]
    give(shop, owner, 100)
    me, desk = api_client(owner), api_client(shop.manager)
    rice = f"{P}/shop/items/{shop.rice.pk}"
    assert_error(post(me, f"{rice}/redeem", {"quantity": 0}), 422, "invalid", "quantity")
    assert_error(post(me, f"{rice}/redeem", {"quantity": "two"}), 422, "invalid", "quantity")
    long_key = keyed(me, f"{rice}/redeem", {}, "k" * 65)
    assert_error(long_key, 422, "invalid", "Idempotency-Key")

    service = {
        "person": owner.pk,
        "place": shop.community.pk,
        "served_on": timezone.localdate().isoformat(),
        "minutes": 90,
        "what": "敬老院陪护",
    }
    for field, value in [
        ("minutes", 0),
        ("minutes", 721),
        ("served_on", "2020-01-01"),
        ("served_on", "not a day"),
        ("what", ""),
        ("person", 10**9),
    ]:
        r = post(desk, f"{P}/service", {**service, field: value})
        assert_error(r, 422, "invalid", field)
    adjust = {"person": owner.pk, "place": shop.community.pk, "amount": 5, "reason": "补录"}
    for field, value in [("amount", 0), ("amount", 10_001), ("reason", " "), ("place", 10**9)]:
        assert_error(
            post(desk, f"{P}/adjustments", {**adjust, field: value}), 422, "invalid", field
        )
    item = {"place": shop.community.pk, "name": "油", "cost": 0}
    assert_error(post(desk, f"{P}/items", item), 422, "invalid", "cost")
    assert_error(
        post(desk, f"{P}/items", {**item, "cost": 5, "stock": -1}), 422, "invalid", "stock"
    )
    restock = f"{P}/items/{shop.towel.pk}/restock"
    assert_error(post(desk, restock, {"change": -4, "reason": "破损"}), 422, "invalid", "change")
    assert_error(post(desk, restock, {"change": 2}), 422, "invalid", "reason")
    rule = {"place": shop.community.pk, "kind": "service", "points": 1001}
    assert_error(post(desk, f"{P}/rules", rule, "put"), 422, "invalid", "points")
    bad_kind = post(desk, f"{P}/rules", {**rule, "kind": "gift", "points": 1}, "put")
    assert_error(bad_kind, 422, "invalid", "kind")
    expiry = {"place": shop.community.pk, "months": 121}
    assert_error(post(desk, f"{P}/expiry", expiry, "put"), 422, "invalid", "months")
    board = desk.get(f"{API}{P}/leaderboard?place={shop.community.pk}&month=2025-13")
    assert_error(board, 422, "invalid", "month")
    assert PointsEntry.objects.filter(user=owner).count() == 1  # only the grant


def test_volunteer_service_hours_and_certificate(shop):
    city = shop.city
    owner = city.users["owner"]
    desk = api_client(shop.manager)
    service = {
        "person": owner.pk,
        "place": city.places["E1"].pk,  # a place inside the community
        "served_on": timezone.localdate().isoformat(),
        "minutes": 150,
        "what": "敬老院陪护",
    }
    r = keyed(desk, f"{P}/service", service, "svc-1")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["hours"]["minutes"] == 150 and body["hours"]["place"]["name"] == "C1"
    assert body["points"]["amount"] == 2  # 1 an hour, at most 2 hours counted
    again = keyed(desk, f"{P}/service", service, "svc-1").json()
    assert (again["hours"]["id"], again["points"]["id"]) == (
        body["hours"]["id"],
        body["points"]["id"],
    )
    me = api_client(owner)
    assert me.get(f"{API}{P}/me").json() == {"points": 2, "minutes": 150, "hours": 2.5}
    hours = me.get(f"{API}{P}/me/hours").json()
    assert hours["count"] == 1 and hours["items"][0]["what"] == "敬老院陪护"
    # The ledgers of the scope, with names for staff who handle personal data there.
    for client in (desk, api_client(city.users["subdistrict_admin"])):
        rows = client.get(f"{API}{P}/ledger/hours").json()["items"]
        assert [(h["person"]["name"], h["by"]) for h in rows] == [(owner.name, shop.manager.name)]
        rows = client.get(f"{API}{P}/ledger/points?person={owner.pk}").json()["items"]
        assert [p["kind"] for p in rows] == ["service"]


def test_certificate(shop):
    owner = shop.city.users["owner"]
    service = {
        "person": owner.pk,
        "place": shop.community.pk,
        "served_on": timezone.localdate().isoformat(),
        "minutes": 150,
        "what": "敬老院陪护",
    }
    assert post(api_client(shop.manager), f"{P}/service", service).status_code == 201
    me = api_client(owner)
    cert = me.get(f"{API}{P}/me/certificate").json()
    assert (cert["minutes"], cert["services"], cert["by_place"]) == (
        150,
        1,
        [{"place": "C1", "minutes": 150}],
    )


def test_who_sees_what(shop):
    city = shop.city
    owner = city.users["owner"]
    give(shop, owner, 100)
    redemption = post(api_client(owner), f"{P}/shop/items/{shop.towel.pk}/redeem", {}).json()
    rid, C1 = redemption["id"], shop.community.pk

    # A resident of C2: C1's shop is not theirs, the staff routes are not theirs.
    outsider = api_client(city.users["owner_2"])
    assert outsider.get(f"{API}{P}/shop/items").json()["count"] == 0
    assert_error(outsider.get(f"{API}{P}/shop/items/{shop.rice.pk}"), 404, "not_found")
    assert_error(post(outsider, f"{P}/shop/items/{shop.rice.pk}/redeem", {}), 404, "not_found")
    assert_error(post(outsider, f"{P}/redemptions/{rid}/cancel", {}), 404, "not_found")
    assert_error(post(outsider, f"{P}/redemptions/{rid}/collect", {}), 404, "not_found")
    assert_error(outsider.get(f"{API}{P}/items/{shop.rice.pk}"), 404, "not_found")
    r = post(outsider, f"{P}/items/{shop.rice.pk}", {"cost": 1}, "patch")
    assert_error(r, 404, "not_found")
    r = post(outsider, f"{P}/items/{shop.rice.pk}/restock", {"change": 1, "reason": "x"})
    assert_error(r, 404, "not_found")
    item = {"place": C1, "name": "油", "cost": 5}
    assert_error(post(outsider, f"{P}/items", item), 403, "forbidden")
    service = {
        "person": owner.pk,
        "place": C1,
        "served_on": timezone.localdate().isoformat(),
        "minutes": 60,
        "what": "巡逻",
    }
    assert_error(post(outsider, f"{P}/service", service), 403, "forbidden")
    adjust = {"person": owner.pk, "place": C1, "amount": 5, "reason": "补录"}
    assert_error(post(outsider, f"{P}/adjustments", adjust), 403, "forbidden")
    code = f"{API}{P}/redemptions/by-code?place={C1}&code={redemption['code']}"
    assert_error(outsider.get(code), 403, "forbidden")
    assert_error(
        post(outsider, f"{P}/rules", {"place": C1, "kind": "report", "points": 9}, "put"),
        403,
        "forbidden",
    )
    for path in ("/items", "/redemptions", "/ledger/points", "/ledger/hours", "/rules", "/expiry"):
        r = outsider.get(f"{API}{P}{path}")
        assert r.status_code == 200 and r.json()["count"] == 0, path

    # C2's staff: 404 on C1's things, 403 where they name C1 themselves.
    staff_2 = api_client(city.users["community_staff_2"])
    assert_error(staff_2.get(f"{API}{P}/items/{shop.rice.pk}"), 404, "not_found")
    assert_error(post(staff_2, f"{P}/redemptions/{rid}/collect", {}), 404, "not_found")
    assert_error(post(staff_2, f"{P}/adjustments", adjust), 403, "forbidden")
    assert staff_2.get(f"{API}{P}/ledger/points").json()["count"] == 0

    # A grid worker holds points.view over its grid's buildings; ledger entries belong to the
    # community (above the buildings), so its ledgers are empty and it may not write.
    grid = api_client(city.users["grid_worker"])
    assert grid.get(f"{API}{P}/ledger/points").json()["count"] == 0
    assert grid.get(f"{API}{P}/redemptions").json()["count"] == 0
    assert_error(post(grid, f"{P}/adjustments", adjust), 403, "forbidden")

    # The subdistrict sees every community's ledger.
    admin = api_client(city.users["subdistrict_admin"])
    rows = admin.get(f"{API}{P}/ledger/points").json()["items"]
    assert {(e["kind"], e["person"]["name"]) for e in rows} == {
        ("adjustment", owner.name),
        ("redemption", owner.name),
    }
    # The owner may cancel their own redemption; another resident of C1 may not see it.
    tenant = api_client(city.users["tenant"])
    assert_error(post(tenant, f"{P}/redemptions/{rid}/cancel", {}), 404, "not_found")
    assert Redemption.objects.get(pk=rid).status == "reserved"


def test_items_with_photos_rules_expiry_and_leaderboard(shop, media):
    city = shop.city
    desk = api_client(shop.manager)
    C1 = shop.community.pk
    r = desk.post(
        f"{API}{P}/items",
        encode_multipart(
            BOUNDARY,
            {"place": str(C1), "name": "食用油", "cost": "30", "stock": "5", "photo": upload()},
        ),
        content_type=f"{MULTIPART_CONTENT}; boundary={BOUNDARY}",
    )
    assert r.status_code == 201, r.content
    oil = r.json()
    assert (oil["cost"], oil["stock"], oil["active"]) == (30, 5, True)
    assert oil["photo_url"].endswith(f"/points/shop/items/{oil['id']}/photo")
    owner = api_client(city.users["owner"])
    photo = owner.get(oil["photo_url"])
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert_error(api_client(city.users["owner_2"]).get(oil["photo_url"]), 404, "not_found")
    # PATCH as JSON, then as multipart with a new photo.
    r = post(desk, f"{P}/items/{oil['id']}", {"cost": 25, "active": False}, "patch")
    assert r.status_code == 200 and (r.json()["cost"], r.json()["active"]) == (25, False)
    assert owner.get(f"{API}{P}/shop/items/{oil['id']}").status_code == 404  # off the shelf
    r = desk.patch(
        f"{API}{P}/items/{oil['id']}",
        encode_multipart(BOUNDARY, {"name": "花生油", "photo": upload("new.jpg")}),
        content_type=f"{MULTIPART_CONTENT}; boundary={BOUNDARY}",
    )
    assert r.status_code == 200, r.content
    assert (r.json()["name"], r.json()["cost"]) == ("花生油", 25)
    assert StoreItem.objects.get(pk=oil["id"]).photo.name != ""
    r = post(desk, f"{P}/items/{oil['id']}/restock", {"change": 10, "reason": "共建单位捐赠"})
    assert r.status_code == 200 and r.json()["stock"] == 15
    assert desk.get(f"{API}{P}/items").json()["count"] == 3

    # Rules and expiry.
    rule = {"place": C1, "kind": "service", "points": 2, "max_hours_per_event": "3.5"}
    r = post(desk, f"{P}/rules", rule, "put")
    assert r.status_code == 200, r.content
    assert (r.json()["points"], r.json()["max_hours_per_event"]) == (2, "3.5")
    assert [x["kind"] for x in desk.get(f"{API}{P}/rules").json()["items"]] == ["service"]
    r = post(desk, f"{P}/expiry", {"place": C1, "months": 24}, "put")
    assert r.status_code == 200 and r.json() == {"place": {"id": C1, "name": "C1"}, "months": 24}
    assert desk.get(f"{API}{P}/expiry").json()["items"][0]["months"] == 24
    r = post(desk, f"{P}/expiry", {"place": C1, "months": 0}, "put")
    assert r.json()["months"] == 0 and desk.get(f"{API}{P}/expiry").json()["count"] == 0

    # The leaderboard: staff see names; a resident of C1 sees others masked, themselves in full.
    served = {"place": C1, "served_on": timezone.localdate().isoformat(), "what": "清扫楼道"}
    for key, minutes in (("owner", 120), ("tenant", 60)):
        person = city.users[key].pk
        post(desk, f"{P}/service", {**served, "person": person, "minutes": minutes})
    give(shop, city.users["tenant"], 500)  # adjustments are not earnings
    month = timezone.localdate().strftime("%Y-%m")
    board = desk.get(f"{API}{P}/leaderboard?place={C1}&month={month}").json()
    assert [(row["rank"], row["person"]["name"], row["points"]) for row in board] == [
        (1, city.users["owner"].name, 4),
        (2, city.users["tenant"].name, 2),
    ]
    seen = api_client(city.users["tenant"]).get(f"{API}{P}/leaderboard?place={C1}").json()
    assert [row["person"]["name"] for row in seen] == [
        mask_name(city.users["owner"].name),
        city.users["tenant"].name,
    ]
    assert desk.get(f"{API}{P}/leaderboard?place={C1}&month=2000-01").json() == []
    outsider = api_client(city.users["owner_2"])
    r = outsider.get(f"{API}{P}/leaderboard?place={C1}")
    assert_error(r, 422, "invalid", "place")


def test_openapi_lists_the_points_paths(client, db):
    schema = client.get(API + "/openapi.json").json()
    paths = schema["paths"]
    base = "/api/v1/points"
    for path, methods in {
        f"{base}/me": {"get"},
        f"{base}/me/points": {"get"},
        f"{base}/me/hours": {"get"},
        f"{base}/me/redemptions": {"get"},
        f"{base}/me/certificate": {"get"},
        f"{base}/shop/items": {"get"},
        f"{base}/shop/items/{{item_id}}": {"get"},
        f"{base}/shop/items/{{item_id}}/redeem": {"post"},
        f"{base}/redemptions/{{redemption_id}}/cancel": {"post"},
        f"{base}/items": {"get", "post"},
        f"{base}/items/{{item_id}}": {"get", "patch"},
        f"{base}/items/{{item_id}}/restock": {"post"},
        f"{base}/redemptions": {"get"},
        f"{base}/redemptions/by-code": {"get"},
        f"{base}/redemptions/{{redemption_id}}/collect": {"post"},
        f"{base}/service": {"post"},
        f"{base}/adjustments": {"post"},
        f"{base}/ledger/points": {"get"},
        f"{base}/ledger/hours": {"get"},
        f"{base}/rules": {"get", "put"},
        f"{base}/expiry": {"get", "put"},
        f"{base}/leaderboard": {"get"},
    }.items():
        assert methods <= set(paths[path]), path
    redeem = paths[f"{base}/shop/items/{{item_id}}/redeem"]["post"]
    assert "Idempotency-Key" in [p["name"] for p in redeem["parameters"]]
    create = paths[f"{base}/items"]["post"]["requestBody"]["content"]
    assert {"multipart/form-data", "application/json"} <= set(create)
