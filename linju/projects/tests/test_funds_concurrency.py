"""The crowdfunding account under concurrent requests on PostgreSQL, with real threads and
connections (SQLite has one writer: its IMMEDIATE transactions queue by construction). Two
people confirming one payment at once write one income entry; one payment key recorded twice
at once records one payment; two approvals racing for expenses the balance pays only once pay
one of them."""

import pytest
from django.db import connection

from linju.core.errors import Conflict
from linju.core.testing import race
from linju.people.models import User
from linju.projects import services_funds as funds
from linju.projects.models import Campaign, Expense, ExpenseStatus, FundEntry, Payment

from .fixtures_funds import fund_fixture, pay  # noqa: F401


@pytest.fixture
def pg(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent writers are PostgreSQL's (CI runs it there)")


def test_two_confirming_one_payment_write_one_income_entry(pg, fund):
    payment = pay(fund, amount=300_000)  # above the threshold: waits
    people = [fund.approver.pk, fund.manager.pk]

    def confirm(pk):
        return funds.confirm_payment(
            user=User.objects.get(pk=pk), payment=Payment.objects.get(pk=payment.pk)
        )

    results = race(*[lambda pk=pk: confirm(pk) for pk in people])
    won = [r for r in results if isinstance(r, Payment)]
    assert len(won) == 1, results
    assert all(isinstance(r, Conflict) for r in results if r not in won), results
    assert FundEntry.objects.filter(payment=payment, kind="income").count() == 1
    campaign = Campaign.objects.get(pk=fund.campaign.pk)
    assert campaign.income_fen == campaign.balance_fen == 300_000


def test_one_key_recorded_twice_at_once_records_once(pg, fund):
    campaign, household = fund.campaign.pk, fund.city.households["H101"].pk
    treasurer = fund.treasurer.pk

    def record():
        return funds.record_payment(
            user=User.objects.get(pk=treasurer),
            campaign=Campaign.objects.get(pk=campaign),
            household=household,
            amount_fen=20_000,
            method="cash",
            paid_on=fund.campaign.created_at.date(),
            key="double-tap",
        )

    results = race(*[record] * 6)
    assert all(isinstance(r, Payment) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Payment.objects.count() == 1
    assert FundEntry.objects.count() == 1
    assert Campaign.objects.get(pk=campaign).balance_fen == 20_000


def test_two_approvals_race_for_a_balance_that_pays_once(pg, fund):
    pay(fund, amount=50_000)
    ids = [
        funds.request_expense(
            user=fund.treasurer,
            campaign=fund.campaign,
            payee=f"商家{n}",
            purpose="材料",
            amount_fen=40_000,
            spent_on=fund.campaign.created_at.date(),
        ).pk
        for n in range(2)
    ]
    approvers = [fund.approver.pk, fund.approver2.pk]

    def approve(expense_id, approver_id):
        return funds.approve_expense(
            user=User.objects.get(pk=approver_id), expense=Expense.objects.get(pk=expense_id)
        )

    results = race(*[lambda e=e, a=a: approve(e, a) for e, a in zip(ids, approvers, strict=True)])
    paid = [r for r in results if isinstance(r, Expense)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(paid) == 1 and len(refused) == 1, results
    assert refused[0].code == "insufficient_balance"
    assert Expense.objects.filter(status=ExpenseStatus.PAID).count() == 1
    campaign = Campaign.objects.get(pk=fund.campaign.pk)
    assert (campaign.expense_fen, campaign.balance_fen) == (40_000, 10_000)
