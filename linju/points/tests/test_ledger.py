"""The two ledgers (DESIGN §4 Ledgers): append-only entries with unique keys, balances that
never go below zero, earning rules with caps, the expiry sweep, and the hooks that credit
accepted reports and the unit contest's red flag."""

from datetime import date, timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from linju.core.errors import Conflict, Forbidden, Invalid
from linju.points import services
from linju.points.models import Account, HoursEntry, PointsEntry, PointsKind

from .conftest import give

pytestmark = pytest.mark.django_db


def balance(user):
    account = Account.objects.filter(user=user).first()
    return (account.points, account.minutes) if account else (0, 0)


def test_service_puts_hours_on_the_record_and_pays_points_by_the_rule(shop):
    volunteer = shop.city.users["owner"]
    hours, points = services.record_service(
        user=shop.manager,
        person_id=volunteer.pk,
        place_id=shop.community.pk,
        served_on=timezone.localdate(),
        minutes=150,
        what="文明劝导",
    )
    # Default rule: 1 point an hour, at most 2 hours counted: 150 minutes earn 2 points.
    assert (hours.minutes, hours.total, points.amount, points.balance) == (150, 150, 2, 2)
    assert balance(volunteer) == (2, 150)
    services.set_rule(
        user=shop.manager,
        place_id=shop.community.pk,
        kind=PointsKind.SERVICE,
        points=3,
        max_hours_per_event="1.5",
        max_per_day=5,
    )
    _h, points = services.record_service(
        user=shop.manager,
        person_id=volunteer.pk,
        place_id=shop.city.places["E1"].pk,  # a place inside the community counts for it
        served_on=timezone.localdate(),
        minutes=120,
        what="环境整治",
    )
    assert points.amount == 3  # 1.5 h × 3 = 4.5 → 4, but 2 earned today under a cap of 5
    _h, nothing = services.record_service(
        user=shop.manager,
        person_id=volunteer.pk,
        place_id=shop.community.pk,
        served_on=timezone.localdate(),
        minutes=60,
        what="安全巡逻",
    )
    assert nothing is None  # the cap is reached; the hours still count
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        _h, tomorrow = services.record_service(
            user=shop.manager,
            person_id=volunteer.pk,
            place_id=shop.community.pk,
            served_on=timezone.localdate() - timedelta(days=1),
            minutes=60,
            what="安全巡逻",
        )
    assert tomorrow.amount == 3  # a new day
    assert balance(volunteer) == (8, 390)


def test_a_key_posts_once_and_a_reused_key_is_refused(shop):
    person = shop.city.users["tenant"]
    first = give(shop, person, 30, key="k-1")
    again = give(shop, person, 30, key="k-1")
    assert again.pk == first.pk and balance(person) == (30, 0)
    with pytest.raises(Conflict) as err:
        give(shop, person, 40, key="k-1")
    assert err.value.code == "key_reused"
    assert PointsEntry.objects.filter(user=person).count() == 1


def test_no_balance_goes_below_zero_in_code_or_in_the_database(shop):
    person = shop.city.users["tenant"]
    give(shop, person, 10)
    with pytest.raises(Conflict) as err:
        give(shop, person, -11)
    assert err.value.code == "insufficient_points"
    assert balance(person) == (10, 0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(user=person).update(points=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsEntry.objects.create(
            user=person, amount=-20, balance=-10, kind="adjustment", key="x", place=shop.community
        )


def test_input_is_checked_and_only_staff_of_the_community_record(shop):
    person = shop.city.users["owner"]
    for kwargs, field in [
        ({"minutes": 0}, "minutes"),
        ({"minutes": "x"}, "minutes"),
        ({"served_on": "2020-01-01"}, "served_on"),
        ({"served_on": "yesterday"}, "served_on"),
        ({"what": ""}, "what"),
        ({"person_id": 10**20}, "person"),
    ]:
        args = {
            "user": shop.manager,
            "person_id": person.pk,
            "place_id": shop.community.pk,
            "served_on": timezone.localdate(),
            "minutes": 60,
            "what": "服务",
            **kwargs,
        }
        with pytest.raises(Invalid) as err:
            services.record_service(**args)
        assert field in err.value.errors
    for key in ("community_staff_2", "grid_worker", "owner"):
        with pytest.raises(Forbidden):
            services.record_service(
                user=shop.city.users[key],
                person_id=person.pk,
                place_id=shop.community.pk,
                served_on=timezone.localdate(),
                minutes=60,
                what="服务",
            )
    with pytest.raises(Invalid) as err:
        services.adjust_points(
            user=shop.manager, person_id=person.pk, place_id=shop.community.pk, amount=5, reason=""
        )
    assert "reason" in err.value.errors
    assert not HoursEntry.objects.exists() and not PointsEntry.objects.exists()


def test_points_lapse_after_the_communitys_months_first_earned_first_spent(shop):
    person = shop.city.users["owner"]
    with time_machine.travel(date(2025, 1, 10), tick=False):
        give(shop, person, 30)
    with time_machine.travel(date(2025, 6, 10), tick=False):
        give(shop, person, 20)
        give(shop, person, -10)  # spent: taken from the oldest points
    with time_machine.travel(date(2026, 3, 5), tick=False):
        assert services.expire_points() == 0  # no policy, nothing lapses
        services.set_expiry(user=shop.manager, place_id=shop.community.pk, months=12)
        # Cutoff 2025-03-01: of the 30 earned in January, 10 were spent, 20 lapse.
        assert services.expire_points() == 1
        assert services.expire_points() == 0  # a second run changes nothing
    assert balance(person)[0] == 20
    lapsed = PointsEntry.objects.get(kind=PointsKind.EXPIRY)
    assert lapsed.amount == -20 and lapsed.balance == 20


def test_accepted_reports_earn_points_once_within_the_monthly_cap(shop, submit):
    from linju.reports import services as reports

    reporter = shop.city.users["owner"]
    decider = shop.city.users["grid_worker"]
    accepted = []
    for n in range(3):
        report = submit(description=f"楼道杂物 {n}")
        accepted.append(reports.accept_report(user=decider, report=report))
    # Default rule for reports: 2 points each, at most 4 a day: the third earns nothing.
    earned = PointsEntry.objects.filter(user=reporter, kind=PointsKind.REPORT).order_by("id")
    assert [(e.amount, e.ref) for e in earned] == [(2, f"report:{r.pk}") for r in accepted[:2]]
    assert earned.last().path == shop.community.path


def test_red_flag_holders_earn_the_contest_points_once(contested):
    from linju.ratings.services_rounds import close_scoring, publish_round, reopen_review
    from linju.ratings.tests.test_seed_month import month_scored

    round_, _targets = month_scored(contested)
    close_scoring(user=contested.manager, round_=round_)
    publish_round(user=contested.manager, round_=round_)
    tenant = contested.city.users["tenant"]  # lives in U1, which holds a flag
    assert PointsEntry.objects.get(user=tenant, kind=PointsKind.CONTEST).amount == 5
    reopen_review(user=contested.manager, round_=round_, reason="复核")
    publish_round(user=contested.manager, round_=round_)
    assert PointsEntry.objects.filter(user=tenant, kind=PointsKind.CONTEST).count() == 1
    assert not PointsEntry.objects.filter(user=contested.city.users["owner_2"]).exists()
