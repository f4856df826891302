"""The ledgers as a state machine (hypothesis.stateful): random volunteer service, adjustments,
redemptions, cancellations, hand-outs and restocks, with random amounts and keys used again, on
the test database; after every step the books must agree: each account equals the sum of its
entries and its last entry's balance, nothing is below zero, every item's stock plus what is
reserved and handed out equals what came in, every redemption is debited once and refunded
once if cancelled, and a key used again never adds an entry. Each example runs in a savepoint
rolled back at its end, over the `shop` fixture's city."""

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from linju.core.errors import Conflict, Forbidden, Invalid
from linju.points import services
from linju.points import services_store as store
from linju.points.models import (
    Account,
    HoursEntry,
    PointsEntry,
    PointsKind,
    Redemption,
    RedemptionStatus,
    StoreItem,
)

pytestmark = pytest.mark.django_db

PEOPLE = ["owner", "tenant", "party_liaison", "owner_2"]  # owner_2 lives in C2: no shopping
RUN = settings(
    max_examples=50,
    stateful_step_count=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def counts():
    return PointsEntry.objects.count(), HoursEntry.objects.count()


def ledger_machine(shop):
    city, c1 = shop.city, shop.community
    manager = shop.manager
    items = {"rice": shop.rice.pk, "towel": shop.towel.pk}

    class Ledgers(RuleBasedStateMachine):
        redemptions = Bundle("redemptions")

        def __init__(self):
            super().__init__()
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            self.came_in = dict(
                StoreItem.objects.filter(pk__in=items.values()).values_list("pk", "stock")
            )
            self.done = {}  # key → what it did the first time it went through

        def teardown(self):
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

        @initialize(
            points=st.integers(0, 3),
            hours=st.sampled_from(["0", "1", "2", "1.5"]),
            day=st.sampled_from([0, 2, 5]),
            month=st.sampled_from([0, 4, 12]),
        )
        def rule_of_the_community(self, points, hours, day, month):
            for who in PEOPLE:
                services.adjust_points(
                    user=manager,
                    person_id=city.users[who].pk,
                    place_id=c1.pk,
                    amount=120,
                    reason="期初",
                    key=f"start-{who}",
                )
            services.set_rule(
                user=manager,
                place_id=c1.pk,
                kind=PointsKind.SERVICE,
                points=points,
                max_hours_per_event=hours,
                max_per_day=day,
                max_per_month=month,
            )

        def once(self, key, call):
            """Run `call`; if `key` went through before, it must add no entry and give back
            what it gave then."""
            before = counts()
            try:
                result = call()
            except Conflict as exc:
                assert counts() == before
                if key in self.done:
                    assert exc.code == "key_reused", exc
                return exc
            if key in self.done:
                assert counts() == before, key
                assert self.done[key] == ident(result), key
            else:
                self.done[key] = ident(result)
            return result

        @rule(
            who=st.sampled_from(PEOPLE),
            minutes=st.sampled_from([20, 45, 60, 90, 150, 720]),
            key=st.integers(0, 5),
        )
        def serve(self, who, minutes, key):
            self.once(
                f"service:{key}",
                lambda: services.record_service(
                    user=manager,
                    person_id=city.users[who].pk,
                    place_id=c1.pk,
                    served_on=timezone.localdate(),
                    minutes=minutes,
                    what="志愿服务",
                    key=str(key),
                ),
            )

        @rule(
            who=st.sampled_from(PEOPLE),
            amount=st.sampled_from([-150, -25, -5, 5, 20, 50, 100]),
            key=st.integers(0, 15),
        )
        def adjust(self, who, amount, key):
            outcome = self.once(
                f"adjust:{key}",
                lambda: services.adjust_points(
                    user=manager,
                    person_id=city.users[who].pk,
                    place_id=c1.pk,
                    amount=amount,
                    reason="调整",
                    key=str(key),
                ),
            )
            if isinstance(outcome, Conflict):
                assert outcome.code in ("insufficient_points", "key_reused"), outcome

        @rule(
            target=redemptions,
            who=st.sampled_from(PEOPLE),
            item=st.sampled_from(sorted(items)),
            quantity=st.integers(1, 3),
            key=st.integers(0, 3),
        )
        def redeem(self, who, item, quantity, key):
            # A client's keys are its own: the same person's same request again.
            key = f"{who}-{item}-{quantity}-{key}"
            try:
                outcome = self.once(
                    f"redeem:{key}",
                    lambda: store.redeem(
                        user=city.users[who], item=items[item], quantity=quantity, key=key
                    ),
                )
            except Forbidden:
                assert who == "owner_2"
                return None
            if isinstance(outcome, Conflict):
                assert outcome.code in (
                    "insufficient_points",
                    "out_of_stock",
                    "limit_reached",
                ), outcome
                return None
            return outcome.pk

        @rule(redemption=consumes(redemptions), by_desk=st.booleans())
        def cancel(self, redemption, by_desk):
            if redemption is None:
                return
            r = Redemption.objects.get(pk=redemption)
            user = manager if by_desk else r.user
            try:
                store.cancel(user=user, redemption=redemption, reason="取消" if by_desk else "")
            except Conflict as exc:
                assert exc.code == "wrong_status" and r.status != RedemptionStatus.RESERVED

        @rule(redemption=redemptions)
        def collect(self, redemption):
            if redemption is None:
                return
            r = Redemption.objects.get(pk=redemption)
            try:
                store.collect(user=manager, redemption=redemption)
            except Conflict as exc:
                assert exc.code == "wrong_status" and r.status != RedemptionStatus.RESERVED

        @rule(item=st.sampled_from(sorted(items)), change=st.sampled_from([-3, -1, 1, 5]))
        def restock(self, item, change):
            try:
                store.restock(user=manager, item=items[item], change=change, reason="盘点")
            except Invalid:
                assert StoreItem.objects.get(pk=items[item]).stock + change < 0
                return
            self.came_in[items[item]] += change

        @invariant()
        def accounts_agree_with_their_entries(self):
            for key in PEOPLE:
                user = city.users[key]
                account = Account.objects.filter(user=user).first()
                have = (account.points, account.minutes) if account else (0, 0)
                points = PointsEntry.objects.filter(user=user)
                hours = HoursEntry.objects.filter(user=user)
                last_points = points.order_by("-id").values_list("balance", flat=True).first()
                last_hours = hours.order_by("-id").values_list("total", flat=True).first()
                assert have == (
                    points.aggregate(n=Sum("amount"))["n"] or 0,
                    hours.aggregate(n=Sum("minutes"))["n"] or 0,
                ), key
                assert have == (last_points or 0, last_hours or 0), key
            assert not Account.objects.filter(points__lt=0).exists()
            assert not PointsEntry.objects.filter(balance__lt=0).exists()

        @invariant()
        def no_item_appears_or_vanishes(self):
            for pk, came_in in self.came_in.items():
                stock = StoreItem.objects.get(pk=pk).stock
                out = (
                    Redemption.objects.filter(item_id=pk)
                    .exclude(status=RedemptionStatus.CANCELLED)
                    .aggregate(n=Sum("quantity"))["n"]
                    or 0
                )
                assert stock >= 0 and stock + out == came_in

        @invariant()
        def every_redemption_is_debited_once_and_refunded_if_cancelled(self):
            for r in Redemption.objects.all():
                debit = PointsEntry.objects.get(key=r.entry_key)
                assert (debit.user_id, debit.amount, debit.kind) == (
                    r.user_id,
                    -r.points,
                    PointsKind.REDEMPTION,
                )
                refunds = list(
                    PointsEntry.objects.filter(
                        ref=f"redemption:{r.pk}", kind=PointsKind.REFUND
                    ).values_list("amount", flat=True)
                )
                cancelled = r.status == RedemptionStatus.CANCELLED
                assert refunds == ([r.points] if cancelled else []), r

    return Ledgers


def ident(result):
    """What a call gave, to compare a replay with: the rows' ids."""
    if isinstance(result, tuple):
        return tuple(getattr(x, "pk", None) for x in result)
    return getattr(result, "pk", None)


def test_the_books_always_agree(shop):
    run_state_machine_as_test(ledger_machine(shop), settings=RUN)


def test_a_service_sent_again_earns_what_it_earned_the_first_time(shop):
    volunteer = shop.city.users["owner"]

    def send():
        return services.record_service(
            user=shop.manager,
            person_id=volunteer.pk,
            place_id=shop.community.pk,
            served_on=timezone.localdate(),
            minutes=60,
            what="巡逻",
            key="form-1",
        )

    services.set_rule(user=shop.manager, place_id=shop.community.pk, kind="service", points=0)
    hours, nothing = send()
    assert nothing is None
    services.set_rule(user=shop.manager, place_id=shop.community.pk, kind="service", points=5)
    again, points = send()  # the same form, submitted again (a retry, a double tap)
    assert again.pk == hours.pk
    assert points is None and not PointsEntry.objects.filter(user=volunteer).exists()
