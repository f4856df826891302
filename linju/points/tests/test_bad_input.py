"""Malformed input to every points form and write route is answered 4xx (a field named), never
500."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
# Malformed values a client may send: empty, words, huge and negative numbers, NaN, a NUL, an
# impossible month, null.
BAD = ["", "x", "9" * 30, "-1", "1e999", "NaN", "\x00", "2026-13", None]


def test_the_api_answers_malformed_input_without_a_500(shop, client):
    client.force_login(shop.manager)
    bodies = {
        "/api/v1/points/service": ["person", "place", "served_on", "minutes", "what"],
        "/api/v1/points/adjustments": ["person", "place", "amount", "reason"],
        "/api/v1/points/items": ["place", "name", "cost", "stock", "per_person"],
        f"/api/v1/points/items/{shop.rice.pk}/restock": ["change", "reason"],
        f"/api/v1/points/shop/items/{shop.rice.pk}/redeem": ["quantity"],
    }
    for url, fields in bodies.items():
        for bad in BAD:
            for f in fields:
                body = {k: "1" for k in fields}
                body[f] = bad
                r = client.post(url, body, content_type="application/json")
                assert r.status_code < 500, (url, f, bad, r.content[:300])
    for url in [
        "/api/v1/points/leaderboard?place=x&month=2026-13",
        "/api/v1/points/leaderboard?place=99999999999999999999",
        "/api/v1/points/redemptions/by-code?place=abc&code=%00",
        "/api/v1/points/ledger/points?person=abc",
    ]:
        assert client.get(url).status_code < 500, url


def test_the_desk_pages_answer_malformed_input_without_a_500(shop, client):
    client.force_login(shop.manager)
    for name in ["desk_service", "desk_adjust", "desk_rules", "desk_item_new"]:
        url = reverse(f"points:{name}")
        for bad in BAD[:-1]:
            r = client.post(
                url,
                {
                    "mobile": bad,
                    "place": bad,
                    "served_on": bad,
                    "minutes": bad,
                    "amount": bad,
                    "reason": bad,
                    "what": bad,
                    "kind": bad,
                    "points": bad,
                    "name": bad,
                    "cost": bad,
                    "stock": bad,
                    "months": bad,
                    "key": bad,
                },
            )
            assert r.status_code < 500, (name, bad)
    for q in ["?month=2026-13&mobile=x", "?page=abc", "?month=99999-01"]:
        assert client.get(reverse("points:desk_points") + q).status_code < 500
        assert client.get(reverse("points:desk_hours_xlsx") + q).status_code < 500
