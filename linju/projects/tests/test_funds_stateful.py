"""The crowdfunding account as a state machine (hypothesis.stateful): random pledges and
withdrawals, payments (keys used again), confirmations and rejections, expenses and approvals,
closing with refunds and cancelling, on the test database. After every step the books agree:
income − expenses − refunds = balance = the sum of the entries, each entry's balance follows
the one before and is never below zero, no entry ever changes, no payment is refunded beyond
what it paid, a key used again never adds a payment or an entry. Each example runs in a
savepoint rolled back at its end."""

import pytest
from django.db import transaction
from django.db.models import F, Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from linju.core.errors import Conflict, Forbidden, Invalid
from linju.projects import services_funds as funds
from linju.projects.models import Campaign, Expense, FundEntry, Payment

from .fixtures_funds import open_fund, past_deadline

pytestmark = pytest.mark.django_db

RESIDENTS = {"owner": "H101", "tenant": "H102", "party_liaison": "H201", "owner_2": "H301"}
DECIDERS = ["owners_committee", "building_head", "community_staff", "grid_worker", "owner"]
AMOUNTS = st.sampled_from([1, 99, 5_000, 40_000, 100_000, 100_001, 250_000])
RUN = settings(
    max_examples=40,
    stateful_step_count=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
REFUSED = (Conflict, Forbidden, Invalid)


def fund_machine(city):
    users = city.users

    class Account(RuleBasedStateMachine):
        payments = Bundle("payments")
        expenses = Bundle("expenses")

        def __init__(self):
            super().__init__()
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            self.seen = {}  # entry id → its figures when first seen
            self.keys = {}  # payment key → payment id

        def teardown(self):
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

        @initialize(
            goal=st.sampled_from([1, 100_000, 300_000]),
            surplus=st.sampled_from(["keep", "refund"]),
            confirm=st.sampled_from([0, 100_000]),
        )
        def start(self, goal, surplus, confirm):
            self.campaign = open_fund(
                city, goal_fen=goal, surplus=surplus, confirm_above_fen=confirm
            )

        def attempt(self, call):
            try:
                with transaction.atomic():
                    return call()
            except REFUSED:
                return None

        @rule(who=st.sampled_from(list(RESIDENTS)), amount=AMOUNTS, show=st.booleans())
        def pledge(self, who, amount, show):
            self.attempt(
                lambda: funds.pledge(
                    user=users[who], campaign=self.campaign, amount_fen=amount, show_name=show
                )
            )

        @rule(who=st.sampled_from(list(RESIDENTS)))
        def withdraw(self, who):
            self.attempt(lambda: funds.withdraw_pledge(user=users[who], campaign=self.campaign))

        @rule(
            target=payments,
            home=st.sampled_from(list(RESIDENTS.values())),
            amount=AMOUNTS,
            key=st.sampled_from(["", "a", "b", "c"]),
        )
        def record(self, home, amount, key):
            payment = self.attempt(
                lambda: funds.record_payment(
                    user=users["grid_worker"],
                    campaign=self.campaign,
                    household=city.households[home].pk,
                    amount_fen=amount,
                    method="qr",
                    paid_on=self.campaign.created_at.date(),
                    key=key,
                )
            )
            if payment is not None and key:
                assert self.keys.setdefault(key, payment.pk) == payment.pk
            return payment.pk if payment is not None else 0

        @rule(payment=payments, who=st.sampled_from(DECIDERS), confirm=st.booleans())
        def decide(self, payment, who, confirm):
            found = Payment.objects.filter(pk=payment).first()
            if found is None:
                return
            if confirm:
                self.attempt(lambda: funds.confirm_payment(user=users[who], payment=found))
            else:
                self.attempt(
                    lambda: funds.reject_payment(user=users[who], payment=found, reason="未到账")
                )

        @rule(target=expenses, amount=AMOUNTS, who=st.sampled_from(["grid_worker", "owner"]))
        def spend(self, amount, who):
            expense = self.attempt(
                lambda: funds.request_expense(
                    user=users[who],
                    campaign=self.campaign,
                    payee="施工队",
                    purpose="材料",
                    amount_fen=amount,
                    spent_on=self.campaign.created_at.date(),
                )
            )
            return expense.pk if expense is not None else 0

        @rule(expense=expenses, who=st.sampled_from(DECIDERS), approve=st.booleans())
        def approve(self, expense, who, approve):
            found = Expense.objects.filter(pk=expense).first()
            if found is None:
                return
            if approve:
                self.attempt(lambda: funds.approve_expense(user=users[who], expense=found))
            else:
                self.attempt(
                    lambda: funds.reject_expense(user=users[who], expense=found, reason="不符")
                )

        @rule()
        def close(self):
            past_deadline(self.campaign)
            self.attempt(
                lambda: funds.close_campaign(user=users["community_staff"], campaign=self.campaign)
            )

        @rule()
        def cancel(self):
            self.attempt(
                lambda: funds.cancel_campaign(
                    user=users["community_staff"], campaign=self.campaign, reason="取消"
                )
            )

        @invariant()
        def books_agree(self):
            if not hasattr(self, "campaign"):
                return
            c = Campaign.objects.get(pk=self.campaign.pk)
            sums = dict(
                FundEntry.objects.filter(campaign=c)
                .values_list("kind")
                .annotate(s=Sum("amount_fen"))
            )
            income, spent, back = (sums.get(k, 0) for k in ("income", "expense", "refund"))
            assert (c.income_fen, c.expense_fen, c.refund_fen) == (income, spent, back)
            assert c.balance_fen == income - spent - back >= 0
            balance = 0
            for row in c.entries.order_by("id").values(
                "id", "kind", "amount_fen", "balance_fen", "key", "payment_id", "expense_id"
            ):
                balance += row["amount_fen"] if row["kind"] == "income" else -row["amount_fen"]
                assert row["balance_fen"] == balance >= 0
                assert self.seen.setdefault(row["id"], row) == row  # never changed
            assert len(self.seen) == c.entries.count()  # never deleted
            assert not Payment.objects.filter(refunded_fen__gt=F("amount_fen")).exists()
            # One income entry per confirmed payment, none for the others.
            for p in Payment.objects.filter(campaign=c):
                incomes = p.entries.filter(kind="income").count()
                assert incomes == (1 if p.status == "confirmed" else 0)
            assert (
                len(self.keys)
                == Payment.objects.filter(
                    key__in=[f"payment:{users['grid_worker'].pk}:{k}" for k in self.keys]
                ).count()
            )

    return Account


def test_the_account_always_adds_up(city):
    run_state_machine_as_test(fund_machine(city), settings=RUN)
