"""The wish wall's services: who may post, see, claim, release, fulfil, withdraw, flag and
moderate; errors per field; audit events; the flags that hide a post."""

import pytest

from linju.core.errors import Conflict, Forbidden, Invalid, NotFound
from linju.core.models import AuditEvent, Notification
from linju.mutualaid import privacy, queries, services
from linju.mutualaid.models import Flag, Post, PostStatus, Visibility

from .conftest import wish

pytestmark = pytest.mark.django_db


def verbs(post):
    return list(
        AuditEvent.objects.filter(object_type="mutualaid.post", object_id=str(post.pk))
        .order_by("pk")
        .values_list("verb", flat=True)
    )


def test_post_lands_in_the_posters_community(city):
    post = wish(city, body="下午三点前")
    assert post.place == city.places["U1"]
    assert post.status == PostStatus.OPEN
    assert verbs(post) == ["mutualaid.post"]


@pytest.mark.parametrize(
    "kw,field",
    [
        ({"kind": "gift"}, "kind"),
        ({"title": "  "}, "title"),
        ({"title": "x" * 101}, "title"),
        ({"body": "x" * 2001}, "body"),
        ({"body": "a\x00b"}, "body"),
    ],
)
def test_bad_input_names_the_field(city, kw, field):
    with pytest.raises(Invalid) as exc:
        wish(city, **kw)
    assert field in exc.value.errors
    assert not Post.objects.exists()


def test_place_must_be_a_community_one_lives_in(city):
    with pytest.raises(Invalid) as exc:
        wish(city, place_id=city.places["C2"].pk)
    assert "place" in exc.value.errors
    assert wish(city, place_id=city.places["C1"].pk).place == city.places["U1"]


def test_no_home_no_post(city):
    with pytest.raises(Conflict) as exc:
        wish(city, who="community_staff")
    assert exc.value.code == "no_home"


def test_who_sees_the_wall(city):
    post = wish(city)
    u = city.users
    for who in ("owner", "tenant", "party_liaison", "community_staff", "grid_worker"):
        assert queries.wall(u[who]).filter(pk=post.pk).exists(), who
    for who in ("owner_2", "community_staff_2", "newcomer", "partner"):
        assert not queries.wall(u[who]).filter(pk=post.pk).exists(), who
    with pytest.raises(NotFound):
        services.claim_post(user=u["owner_2"], post_id=post.pk)


def test_claim_fulfil_with_thanks(city):
    post = wish(city)
    owner, tenant = city.users["owner"], city.users["tenant"]
    with pytest.raises(Forbidden):
        services.claim_post(user=owner, post_id=post.pk)
    services.claim_post(user=tenant, post_id=post.pk)
    assert Notification.objects.filter(recipient=owner, kind="mutualaid.wish").exists()
    with pytest.raises(Conflict) as exc:
        services.claim_post(user=city.users["party_liaison"], post_id=post.pk)
    assert exc.value.code == "taken"
    with pytest.raises(Forbidden):
        services.fulfil_post(user=tenant, post_id=post.pk, thanks="")
    with pytest.raises(Invalid) as bad:
        services.fulfil_post(user=owner, post_id=post.pk, thanks="x" * 301)
    assert "thanks" in bad.value.errors
    done = services.fulfil_post(user=owner, post_id=post.pk, thanks="谢谢小李!")
    assert done.status == PostStatus.FULFILLED and done.thanks == "谢谢小李!"
    assert done.claimant == tenant
    assert Notification.objects.filter(recipient=tenant, kind="mutualaid.wish").exists()
    assert verbs(post) == ["mutualaid.post", "mutualaid.claim", "mutualaid.fulfil"]
    with pytest.raises(Conflict):
        services.fulfil_post(user=owner, post_id=post.pk)


def test_release_by_the_poster_or_the_claimant(city):
    post = wish(city)
    owner, tenant = city.users["owner"], city.users["tenant"]
    with pytest.raises(Conflict):
        services.release_claim(user=owner, post_id=post.pk)
    services.claim_post(user=tenant, post_id=post.pk)
    with pytest.raises(Forbidden):
        services.release_claim(user=city.users["party_liaison"], post_id=post.pk)
    services.release_claim(user=owner, post_id=post.pk, reason="不用了")
    post.refresh_from_db()
    assert post.status == PostStatus.OPEN and post.claimant is None
    services.claim_post(user=tenant, post_id=post.pk)
    services.release_claim(user=tenant, post_id=post.pk)
    assert "mutualaid.release" in verbs(post)


def test_staff_help_with_the_unclaimed(city):
    post = wish(city)
    staff = city.users["community_staff"]
    assert not queries.unclaimed(staff).filter(pk=post.pk).exists()
    assert queries.unclaimed(staff, days=0).filter(pk=post.pk).exists()
    Post.objects.filter(pk=post.pk).update(created_at=post.created_at.replace(year=2020))
    assert queries.unclaimed(staff).filter(pk=post.pk).exists()
    assert not queries.unclaimed(city.users["community_staff_2"], days=0).exists()
    assert not queries.unclaimed(city.users["tenant"], days=0).exists()
    services.claim_post(user=staff, post_id=post.pk)
    assert not queries.unclaimed(staff, days=0).exists()


def test_withdraw(city):
    post = wish(city)
    with pytest.raises(Forbidden):
        services.withdraw_post(user=city.users["tenant"], post_id=post.pk)
    assert services.withdraw_post(user=city.users["owner"], post_id=post.pk).status == "withdrawn"


def test_flags_hide_after_the_setting_then_staff_decide(city, settings):
    settings.MUTUALAID_FLAGS_TO_HIDE = 2
    post = wish(city)
    u = city.users
    with pytest.raises(Invalid) as exc:
        services.flag_post(user=u["tenant"], post_id=post.pk, reason=" ")
    assert "reason" in exc.value.errors
    services.flag_post(user=u["tenant"], post_id=post.pk, reason="广告")
    with pytest.raises(Conflict) as again:
        services.flag_post(user=u["tenant"], post_id=post.pk, reason="广告")
    assert again.value.code == "flagged"
    post.refresh_from_db()
    assert post.visibility == Visibility.SHOWN
    services.flag_post(user=u["property_manager"], post_id=post.pk, reason="骚扰")
    post.refresh_from_db()
    assert post.visibility == Visibility.FLAGGED
    # Hidden: the neighbours and the plain staff no longer see it; the poster and moderators do.
    assert not queries.wall(u["party_liaison"]).filter(pk=post.pk).exists()
    assert not queries.wall(u["property_manager"]).filter(pk=post.pk).exists()
    assert queries.wall(u["owner"]).filter(pk=post.pk).exists()
    assert queries.flagged(u["grid_worker"]).get(pk=post.pk).open_flags == 2
    with pytest.raises(NotFound):
        services.flag_post(user=u["party_liaison"], post_id=post.pk, reason="x")
    with pytest.raises(Forbidden):
        services.moderate_post(user=u["owner"], post_id=post.pk, action="restore")
    with pytest.raises(Invalid) as bad:
        services.moderate_post(user=u["grid_worker"], post_id=post.pk, action="burn")
    assert "action" in bad.value.errors
    services.moderate_post(user=u["grid_worker"], post_id=post.pk, action="restore", note="无妨")
    post.refresh_from_db()
    assert post.visibility == Visibility.SHOWN
    assert not Flag.objects.filter(post=post, dismissed_at__isnull=True).exists()
    assert not queries.flagged(u["grid_worker"]).exists()
    services.moderate_post(user=u["community_staff"], post_id=post.pk, action="hide")
    post.refresh_from_db()
    assert post.visibility == Visibility.HIDDEN
    services.moderate_post(user=u["community_staff"], post_id=post.pk, action="dismiss")
    post.refresh_from_db()
    assert post.visibility == Visibility.HIDDEN  # dismissing flags keeps the staff's hiding
    assert verbs(post)[-3:] == ["mutualaid.restore", "mutualaid.hide", "mutualaid.dismiss"]


def test_names_masked_except_between_the_parties(city):
    post = wish(city)
    u = city.users
    services.claim_post(user=u["tenant"], post_id=post.pk)
    post = queries.post_for(u["owner"], post.pk)
    assert queries.party_names(u["owner"], post) == (u["owner"].name, u["tenant"].name)
    assert queries.party_names(u["tenant"], post) == (u["owner"].name, u["tenant"].name)
    # A neighbour (the liaison) and the property company: masked (the liaison answers for the
    # tenant's household, so sees the tenant in full, as PIPL's handling scope allows).
    poster, _claimant = queries.party_names(u["party_liaison"], post)
    assert poster != u["owner"].name and "*" in poster
    poster, claimant = queries.party_names(u["property_manager"], post)
    assert "*" in poster and "*" in claimant


def test_privacy_export_and_erase(city):
    post = wish(city, body="我家电话")
    services.flag_post(user=city.users["tenant"], post_id=post.pk, reason="广告")
    data = privacy.export(city.users["owner"])
    assert data["posts"][0]["body"] == "我家电话"
    assert privacy.export(city.users["tenant"])["flags"][0]["reason"] == "广告"
    privacy.erase(city.users["owner"])
    post.refresh_from_db()
    assert post.body == "" and post.status == PostStatus.WITHDRAWN
