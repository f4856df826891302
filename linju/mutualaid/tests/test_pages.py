"""The wish wall pages: the wall (with its query count), posting with errors on the field, the
actions on one wish, the desk, and refusals."""

import pytest

from linju.core.testing import linked_styles
from linju.mutualaid import services
from linju.mutualaid.models import Post, PostStatus

from .conftest import wish

pytestmark = pytest.mark.django_db


def as_(client, user):
    client.force_login(user)
    return client


def test_wall_lists_the_communitys_wishes(client, city, django_assert_max_num_queries):
    for n in range(5):
        wish(city, who=("owner", "tenant")[n % 2], title=f"愿望{n}")
    as_(client, city.users["party_liaison"]).get("/mutualaid/")
    with django_assert_max_num_queries(14):
        r = client.get("/mutualaid/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "愿望4" in html and city.users["owner"].name not in html
    assert ".wish" in linked_styles(html)
    assert "愿望4" not in as_(client, city.users["owner_2"]).get("/mutualaid/").content.decode()


def test_post_a_wish_with_errors_on_the_field(client, city):
    as_(client, city.users["owner"])
    r = client.post("/mutualaid/new/", {"kind": "need", "title": ""})
    assert r.status_code == 200 and "title" in r.context["form"].errors
    r = client.post("/mutualaid/new/", {"kind": "need", "title": "   "})
    assert "title" in r.context["form"].errors
    r = client.post("/mutualaid/new/", {"kind": "need", "title": "帮忙浇花"})
    post = Post.objects.get()
    assert r.status_code == 302 and r.url == f"/mutualaid/{post.pk}/"
    assert as_(client, city.users["community_staff"]).get("/mutualaid/new/").status_code == 403


def test_claim_and_thank_on_the_pages(client, city):
    post = wish(city)
    u = city.users
    as_(client, u["tenant"])
    assert 'data-testid="claim"' in client.get(f"/mutualaid/{post.pk}/").content.decode()
    r = client.post(f"/mutualaid/{post.pk}/", {"action": "claim"})
    assert r.status_code == 302
    r = client.post(f"/mutualaid/{post.pk}/", {"action": "fulfil", "thanks": "x"})
    assert r.status_code == 403
    as_(client, u["owner"])
    r = client.post(f"/mutualaid/{post.pk}/", {"action": "fulfil", "thanks": "x" * 301})
    assert r.status_code == 200 and "thanks" in r.context["form"].errors
    r = client.post(f"/mutualaid/{post.pk}/", {"action": "fulfil", "thanks": "多谢邻居"})
    assert r.status_code == 302
    page = client.get(f"/mutualaid/{post.pk}/").content.decode()
    assert "多谢邻居" in page and u["tenant"].name in page
    post.refresh_from_db()
    assert post.status == PostStatus.FULFILLED


def test_flag_hide_and_the_desk(client, city, settings):
    settings.MUTUALAID_FLAGS_TO_HIDE = 1
    post = wish(city)
    as_(client, city.users["tenant"])
    r = client.post(f"/mutualaid/{post.pk}/", {"action": "flag", "reason": ""})
    assert r.status_code == 200 and "reason" in r.context["form"].errors
    r = client.post(f"/mutualaid/{post.pk}/", {"action": "flag", "reason": "广告"})
    assert r.status_code == 302 and r.url == "/mutualaid/"
    assert client.get(f"/mutualaid/{post.pk}/").status_code == 403
    assert client.get("/mutualaid/desk/").status_code == 403
    as_(client, city.users["grid_worker"])
    r = client.get("/mutualaid/desk/")
    assert r.status_code == 200 and "帮忙取快递" in r.content.decode()
    r = client.post(f"/mutualaid/{post.pk}/", {"action": "restore", "note": ""})
    assert r.status_code == 302
    post.refresh_from_db()
    assert post.visibility == "shown"
    r = client.get("/mutualaid/desk/?days=0")
    assert "帮忙取快递" in r.content.decode()
    assert client.get("/mutualaid/desk/?days=-3").status_code == 200


def test_other_community_gets_403(client, city):
    post = wish(city)
    assert as_(client, city.users["owner_2"]).get(f"/mutualaid/{post.pk}/").status_code == 403
    r = client.post(f"/mutualaid/{post.pk}/", {"action": "claim"})
    assert r.status_code == 403
    post.refresh_from_db()
    assert post.status == PostStatus.OPEN
    services.claim_post(user=city.users["tenant"], post_id=post.pk)
