"""Co-creation (funds): audit table entries and scenarios (see audit_table.py)."""

from dataclasses import dataclass

from django.utils import timezone

from linju.core.tests.audit_kinds import CALLER, CLEAN, ERASE, READ, audited, exempt  # noqa: F401
from linju.core.tests.audit_scenarios import Case, scenario

P = "linju.projects."
F = P + "services_funds."

TABLE = {
    F + "clean_key": exempt(CLEAN),
    F + "clean_fen": exempt(CLEAN),
    F + "clean_day": exempt(CLEAN),
    F + "my_households": exempt(READ),
    F + "may_request_expense": exempt(READ),
    F + "may_approve": exempt(READ),
    F + "open_campaign": audited("projects.campaign_open"),
    F + "set_rules": audited("projects.campaign_rules"),
    F + "pledge": audited("projects.pledge"),
    F + "withdraw_pledge": audited("projects.pledge_withdraw"),
    F + "record_payment": audited("projects.payment_record"),
    F + "confirm_payment": audited("projects.payment_confirm"),
    F + "reject_payment": audited("projects.payment_reject"),
    F + "request_expense": audited("projects.expense_request"),
    F + "approve_expense": audited("projects.expense_approve"),
    F + "reject_expense": audited("projects.expense_reject"),
    F + "close_campaign": audited("projects.campaign_close"),
    F + "cancel_campaign": audited("projects.campaign_cancel"),
    # The public account's one writer runs inside the services that post to it.
    P + "ledger.post": exempt(
        CALLER,
        F + "record_payment",
        F + "confirm_payment",
        F + "approve_expense",
        F + "close_campaign",
        F + "cancel_campaign",
    ),
    P + "ledger.locked_campaign": exempt(
        "takes the campaign's lock for its caller; writes nothing"
    ),
    P + "ledger.short_of": exempt("builds the error of a balance too small; writes nothing"),
}


@dataclass
class _Fund:
    city: object
    campaign: object
    treasurer: object


def _fund(c):
    from .fixtures_funds import open_fund

    return _Fund(city=c.city, campaign=open_fund(c.city), treasurer=c.u["grid_worker"])


def _pay(f, amount):
    from .fixtures_funds import pay

    return pay(f, amount=amount)


def _expense(f, amount=100):
    from linju.projects import services_funds as funds

    return funds.request_expense(
        user=f.treasurer,
        campaign=f.campaign,
        payee="照明公司",
        purpose="灯具",
        amount_fen=amount,
        spent_on=timezone.localdate(),
    )


@scenario(F + "open_campaign")
def _(c):
    from .fixtures_funds import open_fund

    return Case(
        act=lambda: open_fund(c.city),
        actor=c.u["community_staff"],
        obj=lambda campaign: campaign,
        within=c.p["C1"],
    )


@scenario(F + "set_rules")
def _(c):
    from linju.projects import services_funds as funds

    f = _fund(c)
    return Case(
        act=lambda: funds.set_rules(
            user=c.u["community_staff"],
            campaign=f.campaign,
            treasurer=f.treasurer.pk,
            approvers=[c.u["owners_committee"].pk],
            confirm_above_fen=0,
            two_approvals_above_fen=0,
            surplus="keep",
        ),
        actor=c.u["community_staff"],
        obj=f.campaign,
        within=c.p["C1"],
    )


@scenario(F + "pledge")
def _(c):
    from linju.projects import services_funds as funds

    f = _fund(c)
    return Case(
        act=lambda: funds.pledge(user=c.u["owner"], campaign=f.campaign, amount_fen=100),
        actor=c.u["owner"],
        obj=lambda p: p,
        within=c.p["C1"],
    )


@scenario(F + "withdraw_pledge")
def _(c):
    from linju.projects import services_funds as funds

    f = _fund(c)
    funds.pledge(user=c.u["owner"], campaign=f.campaign, amount_fen=100)
    return Case(
        act=lambda: funds.withdraw_pledge(user=c.u["owner"], campaign=f.campaign),
        actor=c.u["owner"],
        obj=lambda p: p,
        within=c.p["C1"],
    )


@scenario(F + "record_payment")
def _(c):
    f = _fund(c)
    return Case(act=lambda: _pay(f, 100), actor=f.treasurer, obj=lambda p: p, within=c.p["C1"])


@scenario(F + "confirm_payment")
def _(c):
    from linju.projects import services_funds as funds

    f = _fund(c)
    payment = _pay(f, 200_000)
    return Case(
        act=lambda: funds.confirm_payment(user=c.u["owners_committee"], payment=payment),
        actor=c.u["owners_committee"],
        obj=payment,
        within=c.p["C1"],
    )


@scenario(F + "reject_payment")
def _(c):
    from linju.projects import services_funds as funds

    f = _fund(c)
    payment = _pay(f, 200_000)
    return Case(
        act=lambda: funds.reject_payment(
            user=c.u["community_staff"], payment=payment, reason="未到账"
        ),
        actor=c.u["community_staff"],
        obj=payment,
        within=c.p["C1"],
    )


@scenario(F + "request_expense")
def _(c):
    f = _fund(c)
    return Case(act=lambda: _expense(f), actor=f.treasurer, obj=lambda e: e, within=c.p["C1"])


@scenario(F + "approve_expense")
def _(c):
    from linju.projects import services_funds as funds

    f = _fund(c)
    _pay(f, 1_000)
    expense = _expense(f)
    return Case(
        act=lambda: funds.approve_expense(user=c.u["owners_committee"], expense=expense),
        actor=c.u["owners_committee"],
        obj=expense,
        within=c.p["C1"],
    )


@scenario(F + "reject_expense")
def _(c):
    from linju.projects import services_funds as funds

    f = _fund(c)
    expense = _expense(f)
    return Case(
        act=lambda: funds.reject_expense(
            user=c.u["building_head"], expense=expense, reason="发票不全"
        ),
        actor=c.u["building_head"],
        obj=expense,
        within=c.p["C1"],
    )


@scenario(F + "close_campaign")
def _(c):
    from linju.projects import services_funds as funds

    from .fixtures_funds import past_deadline

    f = _fund(c)
    _pay(f, 1_000)
    past_deadline(f.campaign)
    return Case(
        act=lambda: funds.close_campaign(user=c.u["community_staff"], campaign=f.campaign),
        actor=c.u["community_staff"],
        obj=f.campaign,
        within=c.p["C1"],
    )


@scenario(F + "cancel_campaign")
def _(c):
    from linju.projects import services_funds as funds

    f = _fund(c)
    _pay(f, 1_000)
    return Case(
        act=lambda: funds.cancel_campaign(
            user=c.u["community_staff"], campaign=f.campaign, reason="项目取消"
        ),
        actor=c.u["community_staff"],
        obj=f.campaign,
        within=c.p["C1"],
    )
