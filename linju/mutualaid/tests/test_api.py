"""/api/v1/mutualaid: the wall with its query count, bad input 422 naming the field, 403/404,
the claim-to-thanks flow and the moderators' queues."""

import pytest

from linju.mutualaid import services

from .conftest import wish

pytestmark = pytest.mark.django_db
API = "/api/v1/mutualaid"


def as_(client, user):
    client.force_login(user)
    return client


def test_post_claim_fulfil(client, city):
    u = city.users
    r = as_(client, u["owner"]).post(
        f"{API}/posts", {"kind": "offer", "title": "闲置婴儿车"}, content_type="application/json"
    )
    assert r.status_code == 201, r.content
    post = r.json()
    assert post["mine"] and post["poster"] == u["owner"].name
    pk = post["id"]
    r = as_(client, u["tenant"]).post(f"{API}/posts/{pk}/claim")
    assert r.status_code == 200 and r.json()["claimed_by_me"]
    r = client.post(f"{API}/posts/{pk}/fulfil", {"thanks": "x"}, content_type="application/json")
    assert r.status_code == 403
    r = as_(client, u["owner"]).post(
        f"{API}/posts/{pk}/fulfil", {"thanks": "谢谢!"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["status"] == "fulfilled"
    assert r.json()["thanks"] == "谢谢!" and r.json()["claimant"] == u["tenant"].name
    r = as_(client, u["party_liaison"]).get(f"{API}/posts/{pk}")
    assert r.status_code == 200 and "*" in r.json()["poster"]
    assert as_(client, u["owner_2"]).get(f"{API}/posts/{pk}").status_code == 404
    assert client.post(f"{API}/posts/{pk}/claim").status_code == 404


@pytest.mark.parametrize(
    "body,field",
    [
        ({"kind": "gift", "title": "x"}, "kind"),
        ({"kind": "need"}, "title"),
        ({"kind": "need", "title": "x" * 101}, "title"),
        ({"kind": "need", "title": "   "}, "title"),
        ({"kind": "need", "title": "x", "place": 999999}, "place"),
    ],
)
def test_bad_input_422_names_the_field(client, city, body, field):
    r = as_(client, city.users["owner"]).post(f"{API}/posts", body, content_type="application/json")
    assert r.status_code == 422, r.content
    assert field in [e["field"] for e in r.json()["errors"]]


def test_conflicts(client, city):
    post = wish(city)
    u = city.users
    assert as_(client, u["owner"]).post(f"{API}/posts/{post.pk}/claim").status_code == 403
    as_(client, u["tenant"]).post(f"{API}/posts/{post.pk}/claim")
    r = as_(client, u["party_liaison"]).post(f"{API}/posts/{post.pk}/claim")
    assert r.status_code == 409 and r.json()["code"] == "taken"
    r = client.post(f"{API}/posts/{post.pk}/flag", {"reason": ""}, content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason"
    r = as_(client, u["owner"]).post(
        f"{API}/posts/{post.pk}/moderate", {"action": "hide"}, content_type="application/json"
    )
    assert r.status_code == 403
    r = as_(client, u["grid_worker"]).post(
        f"{API}/posts/{post.pk}/moderate", {"action": "x"}, content_type="application/json"
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "action"


def test_wall_and_queues_query_counts(client, city, django_assert_max_num_queries):
    u = city.users
    for n in range(6):
        post = wish(city, who=("owner", "tenant", "party_liaison")[n % 3], title=f"愿望{n}")
        if n % 2:
            services.claim_post(user=u["community_staff"], post_id=post.pk)
        services.flag_post(user=u["property_manager"], post_id=post.pk, reason="x")
    as_(client, u["subdistrict_admin"])
    client.get(f"{API}/posts")  # warm the session and the scopes
    with django_assert_max_num_queries(8):
        r = client.get(f"{API}/posts?limit=100")
    assert r.json()["count"] == 6
    with django_assert_max_num_queries(8):
        r = client.get(f"{API}/desk/flagged")
    assert r.json()["count"] == 6 and r.json()["items"][0]["open_flags"] == 1
    with django_assert_max_num_queries(8):
        r = client.get(f"{API}/desk/unclaimed?days=0")
    assert r.json()["count"] == 3
    assert as_(client, u["tenant"]).get(f"{API}/desk/unclaimed?days=0").json()["count"] == 0
    r = as_(client, u["owner"]).get(f"{API}/posts?kind=offer")
    assert r.json()["count"] == 0
    r = client.get(f"{API}/desk/unclaimed?days=-1")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "days"
