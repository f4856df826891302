"""Sharing (闲置共享) and the book corner (共享图书角): offer, request, hand over, return; one
active loan per item; flags and moderation; names; the API and the pages."""

import pytest

from linju.core.errors import Conflict, Forbidden, Invalid, NotFound
from linju.core.models import AuditEvent
from linju.mutualaid import privacy, queries_sharing
from linju.mutualaid import services_sharing as sharing
from linju.mutualaid.models import Item, ItemStatus, Loan, LoanStatus, Visibility

pytestmark = pytest.mark.django_db
API = "/api/v1/mutualaid"


def share(city, who="owner", **kw):
    kw.setdefault("kind", "book")
    kw.setdefault("title", "《平凡的世界》")
    return sharing.create_item(user=city.users[who], **kw)


def verbs(item):
    return list(
        AuditEvent.objects.filter(object_type="mutualaid.item", object_id=str(item.pk))
        .order_by("pk")
        .values_list("verb", flat=True)
    )


@pytest.mark.parametrize(
    "kw,field",
    [
        ({"kind": "sell"}, "kind"),
        ({"title": ""}, "title"),
        ({"description": "x" * 2001}, "description"),
    ],
)
def test_bad_input_names_the_field(city, kw, field):
    with pytest.raises(Invalid) as exc:
        share(city, **kw)
    assert field in exc.value.errors
    assert not Item.objects.exists()


def test_book_lent_and_returned(city):
    u = city.users
    book = share(city)
    assert book.place == city.places["U1"]
    with pytest.raises(Forbidden):
        sharing.request_item(user=u["owner"], item_id=book.pk)
    with pytest.raises(NotFound):
        sharing.request_item(user=u["owner_2"], item_id=book.pk)
    sharing.request_item(user=u["tenant"], item_id=book.pk)
    with pytest.raises(Conflict) as taken:
        sharing.request_item(user=u["party_liaison"], item_id=book.pk)
    assert taken.value.code == "unavailable"
    with pytest.raises(Forbidden):
        sharing.hand_over(user=u["tenant"], item_id=book.pk)
    with pytest.raises(Conflict):
        sharing.return_item(user=u["tenant"], item_id=book.pk)
    sharing.hand_over(user=u["owner"], item_id=book.pk)
    with pytest.raises(Conflict):
        sharing.withdraw_item(user=u["owner"], item_id=book.pk)
    loan = sharing.return_item(user=u["tenant"], item_id=book.pk)
    assert loan.status == LoanStatus.RETURNED
    book.refresh_from_db()
    assert book.status == ItemStatus.AVAILABLE
    sharing.request_item(user=u["party_liaison"], item_id=book.pk)
    sharing.cancel_request(user=u["owner"], item_id=book.pk)
    assert verbs(book) == [
        "mutualaid.item_create",
        "mutualaid.item_request",
        "mutualaid.item_hand_over",
        "mutualaid.item_return",
        "mutualaid.item_request",
        "mutualaid.item_cancel",
    ]
    sharing.withdraw_item(user=u["owner"], item_id=book.pk)


def test_given_away_is_gone(city):
    u = city.users
    pram = share(city, kind="give", title="婴儿车")
    sharing.request_item(user=u["tenant"], item_id=pram.pk)
    sharing.hand_over(user=u["owner"], item_id=pram.pk)
    pram.refresh_from_db()
    assert pram.status == ItemStatus.GONE
    assert not Loan.objects.filter(item=pram, status__in=["requested", "handed"]).exists()
    with pytest.raises(Conflict):
        sharing.request_item(user=u["party_liaison"], item_id=pram.pk)


def test_flags_hide_and_moderators_restore(city, settings):
    settings.MUTUALAID_FLAGS_TO_HIDE = 1
    u = city.users
    item = share(city, kind="swap")
    sharing.flag_item(user=u["tenant"], item_id=item.pk, reason="广告")
    item.refresh_from_db()
    assert item.visibility == Visibility.FLAGGED
    assert not queries_sharing.shelf(u["party_liaison"]).filter(pk=item.pk).exists()
    assert queries_sharing.flagged_items(u["grid_worker"]).get(pk=item.pk).open_flags == 1
    with pytest.raises(Forbidden):
        sharing.moderate_item(user=u["owner"], item_id=item.pk, action="restore")
    sharing.moderate_item(user=u["grid_worker"], item_id=item.pk, action="restore")
    item.refresh_from_db()
    assert item.visibility == Visibility.SHOWN
    assert "mutualaid.item_restore" in verbs(item)


def test_names_between_owner_and_borrower(city):
    u = city.users
    book = share(city)
    sharing.request_item(user=u["tenant"], item_id=book.pk)
    item = queries_sharing.item_for(u["tenant"], book.pk)
    assert queries_sharing.names(u["tenant"], [item])[book.owner_id] == u["owner"].name
    item = queries_sharing.item_for(u["property_manager"], book.pk)
    assert "*" in queries_sharing.names(u["property_manager"], [item])[book.owner_id]


def test_api_flow_and_errors(client, city, django_assert_max_num_queries):
    u = city.users
    client.force_login(u["owner"])
    r = client.post(
        f"{API}/items", {"kind": "lend", "title": "电钻"}, content_type="application/json"
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    r = client.post(f"{API}/items", {"kind": "x", "title": "y"}, content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "kind"
    assert client.post(f"{API}/items/{pk}/request").status_code == 403
    client.force_login(u["tenant"])
    r = client.post(f"{API}/items/{pk}/request")
    assert r.status_code == 200 and r.json()["loan"]["borrowed_by_me"]
    client.force_login(u["owner"])
    assert client.post(f"{API}/items/{pk}/hand-over").json()["loan"]["status"] == "handed"
    client.force_login(u["tenant"])
    r = client.post(f"{API}/items/{pk}/return")
    assert r.status_code == 200 and r.json()["loan"] is None
    client.force_login(u["owner_2"])
    assert client.get(f"{API}/items/{pk}").status_code == 404
    for n in range(5):
        share(city, who=("owner", "tenant")[n % 2], title=f"书{n}")
    client.force_login(u["subdistrict_admin"])
    client.get(f"{API}/items")
    with django_assert_max_num_queries(9):
        r = client.get(f"{API}/items?limit=100")
    assert r.json()["count"] == 6
    with django_assert_max_num_queries(9):
        assert client.get(f"{API}/desk/flagged-items").json()["count"] == 0


def test_pages(client, city):
    u = city.users
    client.force_login(u["owner"])
    r = client.post("/mutualaid/items/new/", {"kind": "book", "title": ""})
    assert r.status_code == 200 and "title" in r.context["form"].errors
    r = client.post("/mutualaid/items/new/", {"kind": "book", "title": "《活着》"})
    item = Item.objects.get()
    assert r.status_code == 302 and r.url == f"/mutualaid/items/{item.pk}/"
    client.force_login(u["tenant"])
    assert "《活着》" in client.get("/mutualaid/items/").content.decode()
    r = client.post(f"/mutualaid/items/{item.pk}/", {"action": "request"})
    assert r.status_code == 302
    r = client.post(f"/mutualaid/items/{item.pk}/", {"action": "hand_over"})
    assert r.status_code == 403
    client.force_login(u["owner"])
    assert client.post(f"/mutualaid/items/{item.pk}/", {"action": "hand_over"}).status_code == 302
    page = client.get(f"/mutualaid/items/{item.pk}/").content.decode()
    assert u["tenant"].name in page and 'data-status="handed"' in page
    client.force_login(u["owner_2"])
    assert client.get(f"/mutualaid/items/{item.pk}/").status_code == 403
    assert client.get("/mutualaid/items/new/").status_code == 200


def test_privacy(city):
    item = share(city, description="电话 138")
    assert privacy.export(city.users["owner"])["items"][0]["description"] == "电话 138"
    privacy.erase(city.users["owner"])
    item.refresh_from_db()
    assert item.status == ItemStatus.WITHDRAWN and item.description == ""


def test_shelf_and_desk_pages_query_counts(client, city, settings, django_assert_max_num_queries):
    settings.MUTUALAID_FLAGS_TO_HIDE = 1
    u = city.users
    for n in range(5):
        item = share(city, who=("owner", "tenant")[n % 2], title=f"书{n}")
        sharing.request_item(user=u["party_liaison"], item_id=item.pk)
        sharing.flag_item(user=u["property_manager"], item_id=item.pk, reason="x")
    client.force_login(u["community_staff"])
    client.get("/mutualaid/items/")
    with django_assert_max_num_queries(15):
        r = client.get("/mutualaid/items/")
    assert r.status_code == 200 and "书4" in r.content.decode()
    with django_assert_max_num_queries(20):
        r = client.get("/mutualaid/desk/")
    assert r.status_code == 200 and "书4" in r.content.decode()
    r = client.get("/staff/")
    assert r.status_code == 200
    assert 'data-testid="mutualaid-flagged">5<' in r.content.decode()
