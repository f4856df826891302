"""Crowdfunding services and the ledger: the campaign and its rules, pledges, payments with the
second confirmation, expenses with their approvals, closing and cancelling with refunds; the
totals always equal the entries, keys post once, the balance never goes below zero."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from linju.core.errors import Conflict, Forbidden, Invalid
from linju.core.models import AppendOnlyError, AuditEvent
from linju.projects import ledger
from linju.projects import services_funds as funds
from linju.projects.models import (
    Campaign,
    CampaignStatus,
    EntryKind,
    ExpenseStatus,
    FundEntry,
    Payment,
    PaymentStatus,
    PledgeStatus,
    ProjectStage,
)
from linju.projects.money import yuan_text

from .fixtures_funds import fund_fixture, make_project, open_fund, past_deadline, pay  # noqa: F401


def totals_hold(campaign):
    campaign.refresh_from_db()
    sums = {
        k: FundEntry.objects.filter(campaign=campaign, kind=k).aggregate(s=Sum("amount_fen"))["s"]
        or 0
        for k in EntryKind.values
    }
    assert campaign.income_fen == sums["income"]
    assert campaign.expense_fen == sums["expense"]
    assert campaign.refund_fen == sums["refund"]
    assert campaign.balance_fen == sums["income"] - sums["expense"] - sums["refund"] >= 0
    balance = 0
    for kind, amount, after in campaign.entries.order_by("id").values_list(
        "kind", "amount_fen", "balance_fen"
    ):
        balance += amount if kind == "income" else -amount
        assert after == balance >= 0


# --- The ledger ----------------------------------------------------------------------------------


def test_ledger_posts_once_per_key_and_refuses_other_figures(fund):
    payment = pay(fund, amount=10_000)
    with transaction.atomic():
        campaign = ledger.locked_campaign(fund.campaign.pk)
        again = ledger.post(
            campaign=campaign,
            kind="income",
            amount=10_000,
            key=f"payment:{payment.pk}:income",
            payment=payment,
            recorded_by=fund.treasurer,
        )
    assert again == payment.entries.get()
    with pytest.raises(Conflict) as err, transaction.atomic():
        ledger.post(
            campaign=ledger.locked_campaign(fund.campaign.pk),
            kind="income",
            amount=99,
            key=f"payment:{payment.pk}:income",
            payment=payment,
            recorded_by=fund.treasurer,
        )
    assert err.value.code == "key_reused"
    assert FundEntry.objects.count() == 1
    totals_hold(fund.campaign)


def test_ledger_never_below_zero_and_says_the_balance(fund):
    payment = pay(fund, amount=12_345)
    with pytest.raises(Conflict) as err, transaction.atomic():
        ledger.post(
            campaign=ledger.locked_campaign(fund.campaign.pk),
            kind="refund",
            amount=12_346,
            key="too-much",
            payment=payment,
            recorded_by=fund.manager,
        )
    assert err.value.code == "insufficient_balance"
    assert "123.45" in str(err.value.message)
    totals_hold(fund.campaign)


def test_database_refuses_totals_that_do_not_add_up(fund):
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.filter(pk=fund.campaign.pk).update(income_fen=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.filter(pk=fund.campaign.pk).update(
            income_fen=0, expense_fen=5, balance_fen=-5
        )


def test_entries_are_append_only(fund):
    pay(fund, amount=100)
    entry = FundEntry.objects.get()
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        FundEntry.objects.update(amount_fen=1)
    with pytest.raises(AppendOnlyError):
        FundEntry.objects.all().delete()


def test_yuan_is_exact():
    assert yuan_text(0) == "0.00"
    assert yuan_text(123456) == "1,234.56"
    assert yuan_text(10**11 + 1) == "1,000,000,000.01"


# --- The campaign ---------------------------------------------------------------------------------


def test_open_needs_an_approved_project_and_a_manager(city):
    project = make_project(city, stage=ProjectStage.PROPOSED)
    args = {
        "title": "众筹",
        "goal_fen": 100,
        "deadline": timezone.localdate(),
        "treasurer": city.users["grid_worker"].pk,
        "approvers": [city.users["owners_committee"].pk],
    }
    with pytest.raises(Conflict) as err:
        funds.open_campaign(user=city.users["community_staff"], project=project, **args)
    assert err.value.code == "wrong_stage"
    project.stage = ProjectStage.FUNDING
    project.save()
    with pytest.raises(Forbidden):
        funds.open_campaign(user=city.users["community_staff_2"], project=project, **args)
    with pytest.raises(Forbidden):
        funds.open_campaign(user=city.users["grid_worker"], project=project, **args)
    campaign = funds.open_campaign(user=city.users["community_staff"], project=project, **args)
    assert campaign.path == project.path and campaign.status == CampaignStatus.OPEN
    assert AuditEvent.objects.filter(verb="projects.campaign_open").count() == 1
    with pytest.raises(Conflict) as err:
        funds.open_campaign(user=city.users["community_staff"], project=project, **args)
    assert err.value.code == "campaign_exists"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", ""),
        ("goal_fen", 0),
        ("goal_fen", "12.5"),
        ("goal_fen", 10**12),
        ("deadline", "2026-02-30"),
        ("deadline", "2000-01-01"),
        ("treasurer", "tenant"),
        ("treasurer", "partner"),
        ("treasurer", "community_staff_2"),
        ("approvers", []),
        ("approvers", ["x"]),
        ("approvers", "owner"),
        ("confirm_above_fen", -1),
        ("surplus", "give_away"),
        ("rules_text", "x" * 4001),
    ],
)
def test_open_bad_input_names_the_field(city, field, value):
    if field in ("treasurer", "approvers") and value and value != ["x"]:
        value = city.users[value].pk if field == "treasurer" else [city.users[value].pk]
    with pytest.raises(Invalid) as err:
        open_fund(city, **{field: value})
    assert field in err.value.errors
    assert not Campaign.objects.exists()


def test_rules_change_only_before_a_payment(fund):
    new = {
        "treasurer": fund.treasurer.pk,
        "approvers": [fund.approver.pk],
        "confirm_above_fen": 0,
        "two_approvals_above_fen": 0,
        "surplus": "keep",
    }
    with pytest.raises(Forbidden):
        funds.set_rules(user=fund.treasurer, campaign=fund.campaign, **new)
    campaign = funds.set_rules(user=fund.manager, campaign=fund.campaign, **new)
    assert list(campaign.approvers.all()) == [fund.approver]
    assert campaign.surplus == "keep"
    pay(fund, amount=1)
    with pytest.raises(Conflict) as err:
        funds.set_rules(user=fund.manager, campaign=fund.campaign, **new)
    assert err.value.code == "rules_locked"


# --- Pledges -------------------------------------------------------------------------------------


def test_pledge_change_withdraw(fund):
    owner = fund.city.users["owner"]
    first = funds.pledge(user=owner, campaign=fund.campaign, amount_fen=20_000, show_name=True)
    fund.campaign.refresh_from_db()
    assert fund.campaign.pledged_fen == 20_000
    again = funds.pledge(user=owner, campaign=fund.campaign, amount_fen=30_000)
    assert again.pk == first.pk and not again.show_name
    funds.pledge(user=fund.city.users["tenant"], campaign=fund.campaign, amount_fen=5_000)
    fund.campaign.refresh_from_db()
    assert fund.campaign.pledged_fen == 35_000
    gone = funds.withdraw_pledge(user=owner, campaign=fund.campaign)
    assert gone.status == PledgeStatus.WITHDRAWN
    fund.campaign.refresh_from_db()
    assert fund.campaign.pledged_fen == 5_000
    with pytest.raises(Conflict):
        funds.withdraw_pledge(user=owner, campaign=fund.campaign)
    assert AuditEvent.objects.filter(verb="projects.pledge").count() == 3


def test_only_households_of_the_scope_pledge_before_the_deadline(fund):
    for key in ("owner_2", "newcomer", "community_staff"):
        with pytest.raises(Forbidden):
            funds.pledge(user=fund.city.users[key], campaign=fund.campaign, amount_fen=100)
    with pytest.raises(Invalid) as err:
        funds.pledge(user=fund.city.users["owner"], campaign=fund.campaign, amount_fen=0)
    assert "amount_fen" in err.value.errors
    past_deadline(fund.campaign)
    with pytest.raises(Conflict) as err:
        funds.pledge(user=fund.city.users["owner"], campaign=fund.campaign, amount_fen=100)
    assert err.value.code == "deadline_passed"


# --- Payments -------------------------------------------------------------------------------------


def test_small_payment_counts_at_once_large_waits_for_a_second_person(fund):
    funds.pledge(user=fund.city.users["owner"], campaign=fund.campaign, amount_fen=300_000)
    small = pay(fund, amount=100_000)
    assert small.status == PaymentStatus.CONFIRMED and small.pledge is not None
    big = pay(fund, amount=200_000)
    assert big.status == PaymentStatus.PENDING
    fund.campaign.refresh_from_db()
    assert fund.campaign.income_fen == 100_000
    with pytest.raises(Forbidden):
        funds.confirm_payment(user=fund.treasurer, payment=big)
    with pytest.raises(Forbidden):
        funds.confirm_payment(user=fund.city.users["owner"], payment=big)
    done = funds.confirm_payment(user=fund.approver, payment=big)
    assert done.confirmed_by == fund.approver
    entry = done.entries.get()
    assert (entry.kind, entry.approved_by, entry.recorded_by) == (
        "income",
        fund.approver,
        fund.treasurer,
    )
    with pytest.raises(Conflict) as err:
        funds.confirm_payment(user=fund.manager, payment=big)
    assert err.value.code == "wrong_status"
    totals_hold(fund.campaign)


def test_payment_key_records_once(fund):
    first = pay(fund, amount=500, key="tap")
    again = pay(fund, amount=500, key="tap")
    assert first.pk == again.pk
    with pytest.raises(Conflict) as err:
        pay(fund, amount=600, key="tap")
    assert err.value.code == "key_reused"
    assert Payment.objects.count() == 1 and FundEntry.objects.count() == 1


def test_reject_payment_counts_nothing(fund):
    big = pay(fund, amount=150_000)
    with pytest.raises(Invalid) as err:
        funds.reject_payment(user=fund.manager, payment=big, reason="")
    assert "reason" in err.value.errors
    funds.reject_payment(user=fund.manager, payment=big, reason="未到账")
    big.refresh_from_db()
    assert big.status == PaymentStatus.REJECTED
    assert not FundEntry.objects.exists()


@pytest.mark.parametrize(
    ("field", "extra"),
    [
        ("household", {"household": "H301"}),
        ("amount_fen", {"amount": -5}),
        ("method", {"method": "bitcoin"}),
        ("paid_on", {"paid_on": "tomorrow"}),
        ("paid_on", {"paid_on": timezone.localdate() + timedelta(days=2)}),
        ("reference", {"reference": "x" * 81}),
    ],
)
def test_payment_bad_input_names_the_field(fund, field, extra):
    with pytest.raises(Invalid) as err:
        pay(fund, **extra)
    assert field in err.value.errors
    assert not Payment.objects.exists()


def test_only_the_treasurer_records(fund):
    with pytest.raises(Forbidden):
        funds.record_payment(
            user=fund.manager,
            campaign=fund.campaign,
            household=fund.city.households["H101"].pk,
            amount_fen=100,
            method="cash",
            paid_on=timezone.localdate(),
        )


# --- Expenses ------------------------------------------------------------------------------------


def expense(fund, amount, **extra):
    return funds.request_expense(
        user=extra.pop("user", fund.treasurer),
        campaign=fund.campaign,
        payee="照明公司",
        purpose="楼道灯具",
        amount_fen=amount,
        spent_on=timezone.localdate(),
        **extra,
    )


def test_expense_one_approval_below_two_above_and_the_balance(fund):
    pay(fund, amount=100_000)
    small = expense(fund, 30_000)
    assert small.approvals_needed == 1
    with pytest.raises(Forbidden):
        funds.approve_expense(user=fund.treasurer, expense=small)
    paid = funds.approve_expense(user=fund.approver, expense=small)
    assert paid.status == ExpenseStatus.PAID
    big = expense(fund, 250_000)
    assert big.approvals_needed == 2
    first = funds.approve_expense(user=fund.approver, expense=big)
    assert first.status == ExpenseStatus.REQUESTED
    with pytest.raises(Conflict) as err:
        funds.approve_expense(user=fund.approver, expense=big)
    assert err.value.code == "approved_already"
    with pytest.raises(Conflict) as err:
        funds.approve_expense(user=fund.approver2, expense=big)
    assert err.value.code == "insufficient_balance" and "700.00" in str(err.value.message)
    big.refresh_from_db()
    assert big.approvals.count() == 1  # the refused approval left nothing behind
    for n in range(2):
        pay(fund, amount=100_000, key=f"more-{n}")
    assert funds.approve_expense(user=fund.approver2, expense=big).status == ExpenseStatus.PAID
    totals_hold(fund.campaign)
    fund.campaign.refresh_from_db()
    assert fund.campaign.balance_fen == 300_000 - 280_000


def test_expense_reject_and_bad_input(fund):
    with pytest.raises(Invalid) as err:
        funds.request_expense(
            user=fund.treasurer,
            campaign=fund.campaign,
            payee="",
            purpose="x",
            amount_fen=1,
            spent_on=timezone.localdate(),
        )
    assert "payee" in err.value.errors
    with pytest.raises(Forbidden):
        expense(fund, 100, user=fund.city.users["owner"])
    one = expense(fund, 100)
    funds.reject_expense(user=fund.approver, expense=one, reason="发票不全")
    one.refresh_from_db()
    assert one.status == ExpenseStatus.REJECTED and one.reject_reason == "发票不全"


# --- Closing and cancelling -----------------------------------------------------------------------


def test_close_refunds_above_the_goal_latest_first(fund):
    today = timezone.localdate()
    early = pay(fund, "H101", 100_000, paid_on=today - timedelta(days=3))
    mid = pay(fund, "H102", 100_000, paid_on=today - timedelta(days=2))
    for n in range(3):
        pay(fund, "H201", 100_000, key=f"h201-{n}", paid_on=today - timedelta(days=2))
    late = pay(fund, "H102", 80_000, paid_on=today - timedelta(days=1))
    # income 580,000; goal 500,000: 80,000 back, all of it from the latest payment.
    with pytest.raises(Conflict) as err:
        funds.close_campaign(user=fund.manager, campaign=fund.campaign)
    assert err.value.code == "too_early"
    past_deadline(fund.campaign)
    campaign = funds.close_campaign(user=fund.manager, campaign=fund.campaign)
    assert campaign.status == CampaignStatus.CLOSED
    late.refresh_from_db()
    assert late.refunded_fen == 80_000
    refund = FundEntry.objects.get(kind="refund")
    assert refund.payment == late and refund.household_id == late.household_id
    early.refresh_from_db(), mid.refresh_from_db()
    assert early.refunded_fen == mid.refunded_fen == 0
    assert campaign.balance_fen == 500_000
    totals_hold(campaign)


def test_cancel_refunds_everything_and_is_refused_once_spent(fund):
    pay(fund, amount=60_000)
    pay(fund, "H102", amount=40_000)
    waiting = pay(fund, amount=150_000, key="big")
    with pytest.raises(Invalid):
        funds.cancel_campaign(user=fund.manager, campaign=fund.campaign, reason=" ")
    campaign = funds.cancel_campaign(user=fund.manager, campaign=fund.campaign, reason="项目取消")
    assert campaign.status == CampaignStatus.CANCELLED
    assert campaign.balance_fen == 0 and campaign.refund_fen == 100_000
    waiting.refresh_from_db()
    assert waiting.status == PaymentStatus.REJECTED
    totals_hold(campaign)


def test_cancel_refused_after_an_expense(fund):
    pay(fund, amount=60_000)
    funds.approve_expense(user=fund.approver, expense=expense(fund, 100))
    with pytest.raises(Conflict) as err:
        funds.cancel_campaign(user=fund.manager, campaign=fund.campaign, reason="取消")
    assert err.value.code == "spent"
