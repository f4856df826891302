"""Points (公益积分) and the love supermarket (爱心超市): the resident's account, history,
certificate and shop; the desk's service records, adjustments, earning rules, items, ledgers and
their XLSX exports, the leaderboard; /api/v1/points. Rules: linju/points/rules.py and
docs/points.md — staff of a scope read its ledgers and redemptions (points.view); community
staff and the subdistrict manage (points.manage); residents see their own account and shop in
the community they live in (`can_shop`, their own homes only)."""

from linju.points import services, services_store
from linju.reports.tests.conftest import upload

from .policy import Anywhere, Home, Is, LoggedIn, Named, Perm
from .spec import Route
from .world import Thing, makes, marker, person, twin

APP = "points"


@makes("item", "redemption", "ledger", again=True)
def points_made(w, side, suffix):
    """The love supermarket of C1 (C2) with an item (with its photo); the owner credited by an
    adjustment, with an hour of service on record, who redeemed the item (waiting at the
    desk)."""
    staff = w.user(person(side, "community_staff"))
    community = w.place(twin(side, "C1"))
    owner_key = person(side, "owner")
    owner = w.user(owner_key)
    item = services_store.create_item(
        user=staff,
        place_id=community.pk,
        name=marker("item", side, suffix),
        cost=10,
        stock=5,
        photo=upload(size=(64, 48)),
    )
    entry = services.adjust_points(
        user=staff,
        person_id=owner.pk,
        place_id=community.pk,
        amount=100,
        reason=marker("ledger", side, suffix),
    )
    services.record_service(
        user=staff,
        person_id=owner.pk,
        place_id=community.pk,
        served_on=entry.created_at.date(),
        minutes=60,
        what=marker("ledger", side, suffix),
    )
    redemption = services_store.redeem(user=owner, item=item)
    where = twin(side, "C1")
    return {
        "item": Thing(item, where),
        "redemption": Thing(redemption, where, {"redeemer": owner_key}),
        "ledger": Thing(entry, where, {"owner": owner_key}),
    }


VIEW = Perm("points.view")
MANAGE = Perm("points.manage")
DESK = Anywhere("points.view")
MANAGE_DESK = Anywhere("points.manage")
# A resident shops in the community they live in (their own homes, not a liaison's served).
SHOPPER = Home()
ITEM_SEEN = SHOPPER | VIEW
REDEMPTION_SEEN = Is("redeemer") | VIEW


PAGES = {
    "points/": Route(LoggedIn(), why="resident-facing: the person's own account"),
    "points/history/": Route(LoggedIn(), why="the person's own history"),
    "points/certificate/": Route(LoggedIn(), why="the person's own service certificate"),
    "points/shop/": Route(
        LoggedIn(),
        shows={"item": SHOPPER},
        why="resident-facing: the shelves of the communities the person lives in",
    ),
    "points/shop/<int:pk>/": Route(
        SHOPPER,
        params={"pk": "item"},
        post=SHOPPER,
        data=lambda w, s: {"quantity": 1},
        why="an item, to the residents who may redeem it",
    ),
    "points/shop/<int:pk>/photo/": Route(SHOPPER, params={"pk": "item"}),
    "points/redemptions/": Route(
        LoggedIn(), shows={"item": Named("owner")}, why="the person's own redemptions"
    ),
    "points/redemptions/<int:pk>/": Route(
        Is("redeemer"),
        params={"pk": "redemption"},
        post=Is("redeemer"),
        data=lambda w, s: {"action": "cancel"},
        why="the person's own redemption",
    ),
    "points/desk/": Route(
        DESK,
        post=MANAGE,
        post_kind="redemption",
        data=lambda w, side: {"action": "collect", "redemption": w.obj("redemption", side).pk},
        refused=(200, 302, 403, 404),
        counts=("item", "redemption", "ledger"),
        why="the desk: hand out at the shop of the scope",
    ),
    "points/desk/service/": Route(
        MANAGE_DESK,
        post=MANAGE,
        post_kind="community",
        data=lambda w, side: {
            "mobile": w.user(person(side, "owner")).mobile,
            "place": w.obj("community", side).pk,
            "minutes": 30,
            "what": "x",
        },
        refused=(200, 403),
        why="record service in a community the person manages",
    ),
    "points/desk/adjust/": Route(
        MANAGE_DESK,
        post=MANAGE,
        post_kind="community",
        data=lambda w, side: {
            "mobile": w.user(person(side, "owner")).mobile,
            "place": w.obj("community", side).pk,
            "amount": 5,
            "reason": "x",
        },
        refused=(200, 403),
        why="adjust in a community the person manages",
    ),
    "points/desk/rules/": Route(DESK, why="the earning rules of the scope"),
    "points/desk/items/": Route(DESK, shows={"item": VIEW}, why="the items of the scope"),
    "points/desk/items/new/": Route(MANAGE_DESK, why="managers add items"),
    "points/desk/items/<int:pk>/": Route(
        DESK & VIEW,
        params={"pk": "item"},
        seen=VIEW,
        post=MANAGE,
        data=lambda w, s: {"action": "restock", "change": 1},
        why="an item of the scope; changing it is the managers'",
    ),
    "points/desk/ledger/points/": Route(
        DESK, shows={"ledger": VIEW}, why="the points ledger of the scope"
    ),
    "points/desk/ledger/points.xlsx": Route(DESK, shows={"ledger": VIEW}, why="its export (XLSX)"),
    "points/desk/ledger/hours/": Route(
        DESK, shows={"ledger": VIEW}, why="the service hours ledger of the scope"
    ),
    "points/desk/ledger/hours.xlsx": Route(DESK, shows={"ledger": VIEW}, why="its export (XLSX)"),
    "points/desk/leaderboard/": Route(DESK, counts=("ledger",), why="who earned most in the scope"),
}

API = {
    "GET /points/me": Route(LoggedIn(), why="the caller's own balances"),
    "GET /points/me/points": Route(LoggedIn(), shows={"ledger": Is("owner")}),
    "GET /points/me/hours": Route(LoggedIn(), shows={"ledger": Is("owner")}),
    "GET /points/me/redemptions": Route(
        LoggedIn(), shows={"item": Named("owner")}, why="the caller's own (the owner redeemed)"
    ),
    "GET /points/me/certificate": Route(LoggedIn(), why="the caller's own"),
    "GET /points/shop/items": Route(LoggedIn(), shows={"item": SHOPPER}),
    "GET /points/shop/items/{item_id}": Route(SHOPPER, params={"item_id": "item"}),
    "GET /points/shop/items/{item_id}/photo": Route(ITEM_SEEN, params={"item_id": "item"}),
    "POST /points/shop/items/{item_id}/redeem": Route(
        SHOPPER, params={"item_id": "item"}, seen=SHOPPER, data=lambda w, s: {"quantity": 1}
    ),
    "POST /points/redemptions/{redemption_id}/cancel": Route(
        Is("redeemer") | MANAGE,
        params={"redemption_id": "redemption"},
        seen=REDEMPTION_SEEN,
        data=lambda w, s: {"reason": "x"},
    ),
    "GET /points/items": Route(LoggedIn(), shows={"item": VIEW}, why="the items of the scope"),
    "POST /points/items": Route(
        MANAGE,
        kind="community",
        data=lambda w, side: {"place": w.obj("community", side).pk, "name": "x", "cost": 1},
        refused=(403,),
    ),
    "GET /points/items/{item_id}": Route(VIEW, params={"item_id": "item"}),
    "PATCH /points/items/{item_id}": Route(
        MANAGE, params={"item_id": "item"}, seen=VIEW, data=lambda w, s: {"name": "y"}
    ),
    "POST /points/items/{item_id}/restock": Route(
        MANAGE, params={"item_id": "item"}, seen=VIEW, data=lambda w, s: {"change": 1}
    ),
    "GET /points/redemptions": Route(
        LoggedIn(), shows={"item": VIEW}, why="the redemptions of the scope"
    ),
    "GET /points/redemptions/by-code": Route(
        MANAGE,
        kind="redemption",
        query=lambda w, side: {
            "place": w.obj("community", side).pk,
            "code": w.obj("redemption", side).code,
        },
        ok=(200,),
        why="the desk of a community's shop",
    ),
    "POST /points/redemptions/{redemption_id}/collect": Route(
        MANAGE, params={"redemption_id": "redemption"}, seen=VIEW
    ),
    "POST /points/service": Route(
        MANAGE,
        kind="community",
        data=lambda w, side: {
            "person": w.user(person(side, "owner")).pk,
            "place": w.obj("community", side).pk,
            "served_on": w.obj("ledger", side).created_at.date().isoformat(),
            "minutes": 30,
            "what": "x",
        },
        refused=(403,),
    ),
    "POST /points/adjustments": Route(
        MANAGE,
        kind="community",
        data=lambda w, side: {
            "person": w.user(person(side, "owner")).pk,
            "place": w.obj("community", side).pk,
            "amount": 5,
            "reason": "x",
        },
        refused=(403,),
    ),
    "GET /points/ledger/points": Route(
        LoggedIn(), shows={"ledger": VIEW}, why="the points ledger of the scope"
    ),
    "GET /points/ledger/hours": Route(
        LoggedIn(), shows={"ledger": VIEW}, why="the hours ledger of the scope"
    ),
    "GET /points/rules": Route(LoggedIn(), why="the earning rules of the scope"),
    "PUT /points/rules": Route(
        MANAGE,
        kind="community",
        data=lambda w, side: {"place": w.obj("community", side).pk, "kind": "service", "points": 3},
        refused=(403,),
    ),
    "GET /points/expiry": Route(LoggedIn(), why="the expiry policies of the scope"),
    "PUT /points/expiry": Route(
        MANAGE,
        kind="community",
        data=lambda w, side: {"place": w.obj("community", side).pk, "months": 12},
        refused=(403,),
    ),
    "GET /points/leaderboard": Route(
        VIEW | SHOPPER,
        kind="community",
        query=lambda w, side: {"place": w.obj("community", side).pk},
        refused=(422,),
        counts=("ledger",),
        why="staff of the place or residents living in it; else 422 on `place`",
    ),
}
