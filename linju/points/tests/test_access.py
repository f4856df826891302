"""Who may do what with points, for every user of the test city (DESIGN §4 Access: each role
inside and outside its scope): only community staff of C1 and the subdistrict's administrators
record service, adjust, set rules and expiry, manage the shop and hand items out in C1; staff
read a community's ledgers where their scope covers it; only residents of C1 shop in C1."""

import pytest
from django.utils import timezone

from linju.core import access
from linju.core.errors import Conflict, Forbidden
from linju.people.models import Relation, Residency, ResidencyStatus
from linju.points import queries, rules, services
from linju.points import services_store as store
from linju.points.models import Redemption

from .conftest import give

pytestmark = pytest.mark.django_db

MANAGERS_C1 = {"community_staff", "subdistrict_admin"}
MANAGERS_C2 = {"community_staff_2", "subdistrict_admin"}
SHOPPERS_C1 = {"owner", "tenant", "party_liaison"}  # verified residents of C1 households


def allowed(city, act) -> set[str]:
    """The users for whom `act(user)` went through (Forbidden: refused; anything else fails)."""
    passed = set()
    for key, user in city.users.items():
        try:
            act(user)
        except Forbidden:
            continue
        passed.add(key)
    return passed


@pytest.fixture
def soap(shop):
    """An item with stock enough for every test, and a resident with points to spend on it."""
    item = store.create_item(
        user=shop.manager, place_id=shop.community.pk, name="肥皂", cost=1, stock=1000
    )
    give(shop, shop.city.users["tenant"], 1000)
    return item


def test_only_the_communitys_managers_record_adjust_and_set_rules(shop):
    city, c1 = shop.city, shop.community
    today = timezone.localdate()
    acts = {
        "service": lambda u: services.record_service(
            user=u, person_id=city.users["owner"].pk, place_id=c1.pk, served_on=today,
            minutes=60, what="巡逻",
        ),
        "service inside": lambda u: services.record_service(
            user=u, person_id=city.users["owner"].pk, place_id=city.places["U1"].pk,
            served_on=today, minutes=60, what="巡逻",
        ),
        "adjust": lambda u: services.adjust_points(
            user=u, person_id=city.users["owner"].pk, place_id=c1.pk, amount=5, reason="奖励"
        ),
        "rule": lambda u: services.set_rule(
            user=u, place_id=c1.pk, kind="service", points=2, max_per_day=10
        ),
        "expiry": lambda u: services.set_expiry(user=u, place_id=c1.pk, months=24),
    }  # fmt: skip
    for name, act in acts.items():
        assert allowed(city, act) == MANAGERS_C1, name
    c2 = city.places["C2"]
    assert (
        allowed(
            city,
            lambda u: services.adjust_points(
                user=u, person_id=city.users["owner_2"].pk, place_id=c2.pk, amount=5, reason="x"
            ),
        )
        == MANAGERS_C2
    )
    subdistrict = city.places["S"]
    assert allowed(
        city,
        lambda u: services.set_rule(user=u, place_id=subdistrict.pk, kind="report", points=3),
    ) == {"subdistrict_admin"}


def test_only_the_communitys_managers_run_the_shop(shop, soap):
    city, c1 = shop.city, shop.community
    acts = {
        "create": lambda u: store.create_item(user=u, place_id=c1.pk, name="牙刷", cost=5),
        "update": lambda u: store.update_item(user=u, item=soap, cost=2),
        "restock": lambda u: store.restock(user=u, item=soap, change=1, reason="捐赠"),
    }
    for name, act in acts.items():
        assert allowed(city, act) == MANAGERS_C1, name


def test_only_the_communitys_managers_hand_out_and_cancel_at_the_desk(shop, soap):
    city, c1 = shop.city, shop.community
    shopper = city.users["tenant"]

    def waiting():
        return store.redeem(user=shopper, item=soap)

    def find(u):
        r = waiting()
        assert store.find_by_code(user=u, place_id=c1.pk, code=r.code).pk == r.pk

    def collect(u):
        assert store.collect(user=u, redemption=waiting()).status == "collected"

    def cancel(u):
        assert store.cancel(user=u, redemption=waiting(), reason="柜台").status == "cancelled"

    assert allowed(city, find) == MANAGERS_C1
    assert allowed(city, collect) == MANAGERS_C1
    # The resident cancels their own waiting redemption too; nobody else's.
    assert allowed(city, cancel) == MANAGERS_C1 | {"tenant"}
    assert not Redemption.objects.filter(status="reserved", collected_by__isnull=False).exists()


def test_staff_read_the_ledgers_their_scope_covers(shop, soap):
    city, c1, c2 = shop.city, shop.community, shop.city.places["C2"]
    give(shop, city.users["owner"], 20)
    services.record_service(
        user=shop.manager, person_id=city.users["owner"].pk, place_id=c1.pk,
        served_on=timezone.localdate(), minutes=90, what="义诊",
    )  # fmt: skip
    services.adjust_points(
        user=city.users["community_staff_2"],
        person_id=city.users["owner_2"].pk,
        place_id=c2.pk,
        amount=9,
        reason="奖励",
    )
    store.redeem(user=city.users["tenant"], item=soap)
    services.set_expiry(user=shop.manager, place_id=c1.pk, months=12)
    services.set_rule(user=shop.manager, place_id=c1.pk, kind="service", points=2)
    reads = {
        "points": queries.staff_points,
        "hours": queries.staff_hours,
        "redemptions": queries.staff_redemptions,
        "items": queries.staff_items,
        "rules": queries.rules_in_scope,
        "expiry": queries.expiry_in_scope,
    }
    for name, read in reads.items():
        sees_c1 = {k for k, u in city.users.items() if read(u).filter(path=c1.path).exists()}
        assert sees_c1 == MANAGERS_C1, name
        leaked = {k for k, u in city.users.items() if read(u).exclude(path__startswith=c1.path)}
        assert leaked <= {"community_staff_2", "subdistrict_admin"}, name
    sees_c2 = {
        k for k, u in city.users.items() if queries.staff_points(u).filter(path=c2.path).exists()
    }
    assert sees_c2 == MANAGERS_C2
    # Viewing is what points.view allows, for the community as an object.
    assert {k for k, u in city.users.items() if rules.can_view(u, c1)} == MANAGERS_C1
    # A resident reads their own account only.
    owner = city.users["owner"]
    assert set(queries.my_points(owner).values_list("user_id", flat=True)) == {owner.pk}
    assert queries.account_of(city.users["newcomer"]).points == 0


def test_only_residents_of_the_community_shop_there(shop, soap):
    city = shop.city
    for key in city.users:
        if key != "tenant":
            give(shop, city.users[key], 5)
    assert {k for k, u in city.users.items() if rules.can_shop(u, soap)} == SHOPPERS_C1
    assert {
        k for k, u in city.users.items() if queries.item_for_shopper(u, soap.pk) is not None
    } == SHOPPERS_C1
    assert allowed(city, lambda u: store.redeem(user=u, item=soap)) == SHOPPERS_C1
    # A residency waiting for verification is not one yet; once verified, it is.
    newcomer = city.users["newcomer"]
    residency = Residency.objects.create(
        user=newcomer,
        household=city.households["H201"],
        relation=Relation.TENANT,
        status=ResidencyStatus.PENDING,
    )
    access.forget(newcomer)
    assert not rules.can_shop(newcomer, soap)
    residency.status = ResidencyStatus.VERIFIED
    residency.save()
    access.forget(newcomer)
    assert rules.can_shop(newcomer, soap)
    store.redeem(user=newcomer, item=soap)
    # A resident who moved out shops there no more.
    residency.status = ResidencyStatus.ENDED
    residency.save()
    access.forget(newcomer)
    assert not rules.can_shop(newcomer, soap)
    assert queries.item_for_shopper(newcomer, soap.pk) is None


def test_a_party_liaison_shops_where_they_live_not_where_they_serve(shop, soap):
    city = shop.city
    liaison = city.users["party_liaison_2"]  # lives in H301 (C2)
    liaison.liaisons.get().served.add(city.households["H102"])  # serves in C1
    access.forget(liaison)
    assert not rules.can_shop(liaison, soap)


def test_a_key_replayed_by_another_user_is_refused(shop, soap):
    city = shop.city
    give(shop, city.users["owner"], 5)
    store.redeem(user=city.users["tenant"], item=soap, key="k-1")
    for intruder in ("owner", "owner_2", "grid_worker"):
        # Never the other person's redemption (its pickup code) back.
        with pytest.raises((Conflict, Forbidden)) as err:
            store.redeem(user=city.users[intruder], item=soap, key="k-1")
        assert err.value.code in ("key_reused", "forbidden"), intruder
    towel = shop.towel
    with pytest.raises(Conflict) as err:  # the same person, another item: not a replay
        store.redeem(user=city.users["tenant"], item=towel, key="k-1")
    assert err.value.code == "key_reused"
    assert Redemption.objects.filter(entry_key="redeem:k-1").count() == 1
