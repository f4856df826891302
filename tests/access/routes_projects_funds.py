"""Co-creation: crowdfunding (公益众筹) and the public accounts — the campaign page and pledges
of residents, the public account with its print view and XLSX export (anyone, 凡结果必公开),
/api/v1/projects/campaigns…. Rules: linju/projects/rules.py — staff of a scope read its
campaigns (projects.view), managers run them (projects.manage); the fund's rules name the
treasurer (records payments, asks for expenses) and the approvers (confirm payments above the
threshold, approve expenses); residents whose home lies in the scope pledge."""

from datetime import timedelta

from django.utils import timezone

from linju.projects import services_funds as funds
from linju.projects.models import Project
from linju.reports.tests.conftest import upload

from .policy import Anywhere, Everyone, Home, Is, LoggedIn, Perm
from .spec import Route
from .world import Thing, makes, marker, person, twin

APP = "projects"


@makes("campaign", "payment", "expense", again=True)
def funds_made(w, side, suffix):
    """A campaign on an approved project of C1 (C2), with a payment waiting for a second
    person and an expense (with its receipt) waiting for approval."""
    manager = w.user(person(side, "community_staff"))
    project = Project.objects.create(
        place=w.place(twin(side, "C1")),
        title=marker("campaign", side, suffix) + " 项目",
        summary="s",
        stage="approved",
    )
    treasurer_key = person(side, "grid_worker")
    approvers = (person(side, "owners_committee"), person(side, "building_head"))
    campaign = funds.open_campaign(
        user=manager,
        project=project,
        title=marker("campaign", side, suffix),
        goal_fen=100_000,
        deadline=timezone.localdate() + timedelta(days=5),
        treasurer=w.user(treasurer_key).pk,
        approvers=[w.user(a).pk for a in approvers],
        confirm_above_fen=1_000,
    )
    treasurer = w.user(treasurer_key)
    household = w.city.households["H101" if side == "C1" else "H301"]
    payment = funds.record_payment(
        user=treasurer,
        campaign=campaign,
        household=household.pk,
        amount_fen=5_000,
        method="cash",
        paid_on=timezone.localdate(),
    )
    expense = funds.request_expense(
        user=treasurer,
        campaign=campaign,
        payee="商家",
        purpose=marker("expense", side, suffix),
        amount_fen=100,
        spent_on=timezone.localdate(),
        receipt=upload(size=(64, 48)),
    )
    where = twin(side, "C1")
    people = {"treasurer": treasurer_key, "approvers": approvers}
    return {
        "campaign": Thing(campaign, where, people),
        "payment": Thing(payment, where, people),
        "expense": Thing(expense, where, people),
    }


VIEW = Perm("projects.view")
MANAGE = Perm("projects.manage")
# The fund's people: staff of the scope, and the treasurer and approvers its rules name.
DESK = VIEW | Is("treasurer", "approvers")
SECOND = Is("approvers") | MANAGE
PUBLIC = "anyone, signed in or not: the public account (凡结果必公开, seed 002)"
PUB = ("campaign", "community")
C = {"pk": "campaign"}
A = {"campaign_id": "campaign"}

P = {"pk": "campaign", "payment_id": "payment"}
E = {"pk": "campaign", "expense_id": "expense"}


def _reason(w, side):
    return {"reason": "取消"}


def _desk_post(rule, params, data, *, why):
    """A desk button (POST only): the fund's people see the campaign; `rule` may press it."""
    return Route(DESK, params=params, get=405, post=rule, seen=DESK, data=data, why=why)


PAGES = {
    "projects/funds/<int:pk>/": Route(
        Everyone(), params=C, public=PUB, why="the campaign page: public figures, a pledge form"
    ),
    "projects/funds/<int:pk>/pledge/": Route(
        LoggedIn(),
        params=C,
        get=405,
        post=Home(),
        data=lambda w, side: {"amount": "10.00"},
        public=PUB,
        why="households whose home lies in the campaign's scope pledge (rules.lives_in)",
    ),
    "projects/funds/<int:pk>/withdraw/": Route(
        LoggedIn(),
        params=C,
        get=405,
        post=Home(),
        data=lambda w, side: {},
        public=PUB,
        why="a household of the scope withdraws its pledge",
    ),
    "projects/funds/<int:pk>/account/": Route(Everyone(), params=C, public=PUB, why=PUBLIC),
    "projects/funds/<int:pk>/account/print/": Route(Everyone(), params=C, public=PUB, why=PUBLIC),
    "projects/funds/<int:pk>/account.xlsx": Route(Everyone(), params=C, public=PUB, why=PUBLIC),
    # The staff desk (views_funds_desk): the fund's people read it, each button is for whom the
    # fund rules and rules.py name; the buttons are POST only.
    "projects/funds/desk/": Route(
        Anywhere("projects.view"),
        shows={"campaign": DESK},
        counts=("payment", "expense"),
        why="the desk (rules.may_use_desk): the campaigns of the scope and those whose fund "
        "rules name the person, with what waits for them",
    ),
    "projects/funds/desk/new/": Route(
        Anywhere("projects.manage"),
        post=Anywhere("projects.manage"),
        data=lambda w, side: {"title": "x", "goal": "10.00"},
        refused=(403,),
        why="managers open campaigns on their scope's approved projects",
    ),
    "projects/funds/desk/<int:pk>/": Route(DESK, params=C, why="the campaign's desk"),
    "projects/funds/desk/<int:pk>/rules/": Route(
        MANAGE,
        params=C,
        seen=DESK,
        post=MANAGE,
        data=lambda w, side: {
            "treasurer": w.user(person(side, "grid_worker")).pk,
            "approvers": [w.user(person(side, "owners_committee")).pk],
            "confirm_above": "10",
            "two_approvals_above": "20",
            "surplus": "keep",
        },
        why="managers change the fund rules (before the first payment)",
    ),
    "projects/funds/desk/<int:pk>/payments/": _desk_post(
        Is("treasurer"),
        C,
        lambda w, side: {
            "household": w.city.households["H101" if side == "C1" else "H301"].pk,
            "amount": "12.00",
            "method": "cash",
            "paid_on": timezone.localdate().isoformat(),
            "key": "matrix",
        },
        why="the fund's treasurer records payments (rules.is_treasurer)",
    ),
    "projects/funds/desk/<int:pk>/payments/<int:payment_id>/confirm/": _desk_post(
        SECOND, P, lambda w, side: {}, why="the second person (rules.can_confirm_payment)"
    ),
    "projects/funds/desk/<int:pk>/payments/<int:payment_id>/reject/": _desk_post(
        SECOND, P, _reason, why="the second person (rules.can_confirm_payment)"
    ),
    "projects/funds/desk/<int:pk>/expenses/": _desk_post(
        Is("treasurer") | MANAGE,
        C,
        lambda w, side: {
            "payee": "x",
            "purpose": "x",
            "amount": "1.00",
            "spent_on": timezone.localdate().isoformat(),
        },
        why="the treasurer or a manager (services_funds.may_request_expense)",
    ),
    "projects/funds/desk/<int:pk>/expenses/<int:expense_id>/approve/": _desk_post(
        Is("approvers"),
        E,
        lambda w, side: {},
        why="the fund's approvers, not the requester (services_funds.may_approve)",
    ),
    "projects/funds/desk/<int:pk>/expenses/<int:expense_id>/reject/": _desk_post(
        SECOND, E, _reason, why="an approver or a manager"
    ),
    "projects/funds/desk/<int:pk>/expenses/<int:expense_id>/receipt/": Route(
        DESK, params=E, why="the receipt photo, for the fund's people only"
    ),
    "projects/funds/desk/<int:pk>/close/": _desk_post(
        MANAGE, C, lambda w, side: {}, why="managers close after the last day"
    ),
    "projects/funds/desk/<int:pk>/cancel/": _desk_post(
        MANAGE, C, _reason, why="managers cancel with the reason"
    ),
    "projects/funds/desk/<int:pk>/publish/": _desk_post(
        MANAGE | Is("treasurer"),
        C,
        lambda w, side: {},
        why="the public account on the notice board: managers and the treasurer "
        "(services_publish.may_publish_account)",
    ),
}

API = {
    "GET /projects/campaigns": Route(
        Everyone(), shows={"campaign": Everyone()}, public=PUB, why=PUBLIC
    ),
    "GET /projects/campaigns/{campaign_id}": Route(Everyone(), params=A, public=PUB, why=PUBLIC),
    "GET /projects/campaigns/{campaign_id}/entries": Route(
        Everyone(), params=A, public=PUB, why=PUBLIC
    ),
    "POST /projects/campaigns": Route(
        Anywhere("projects.manage"), why="managers open campaigns on their scope's projects"
    ),
    "PUT /projects/campaigns/{campaign_id}/rules": Route(MANAGE, params=A, seen=DESK),
    "GET /projects/campaigns/{campaign_id}/mine": Route(
        LoggedIn(), params=A, public=PUB, why="the caller's own household's pledge"
    ),
    "POST /projects/campaigns/{campaign_id}/pledge": Route(
        Home(),
        params=A,
        seen=Everyone(),
        why="residents whose home lies in the scope (rules.lives_in); the campaign is public",
    ),
    "POST /projects/campaigns/{campaign_id}/pledge/withdraw": Route(
        Home(), params=A, seen=Everyone(), why="a household of the scope"
    ),
    "GET /projects/campaigns/{campaign_id}/pledges": Route(DESK, params=A),
    "GET /projects/campaigns/{campaign_id}/payments": Route(DESK, params=A),
    "POST /projects/campaigns/{campaign_id}/payments": Route(
        Is("treasurer"), params=A, seen=DESK, why="the fund's treasurer (rules.is_treasurer)"
    ),
    "POST /projects/campaigns/{campaign_id}/payments/{payment_id}/confirm": Route(
        SECOND,
        params={"campaign_id": "campaign", "payment_id": "payment"},
        seen=DESK,
        why="the second person (rules.can_confirm_payment)",
    ),
    "POST /projects/campaigns/{campaign_id}/payments/{payment_id}/reject": Route(
        SECOND,
        params={"campaign_id": "campaign", "payment_id": "payment"},
        seen=DESK,
        why="the second person (rules.can_confirm_payment)",
    ),
    "GET /projects/campaigns/{campaign_id}/expenses": Route(DESK, params=A),
    "POST /projects/campaigns/{campaign_id}/expenses": Route(
        Is("treasurer") | MANAGE, params=A, seen=DESK, why="the treasurer or a manager"
    ),
    "GET /projects/campaigns/{campaign_id}/expenses/{expense_id}/receipt": Route(
        DESK, params={"campaign_id": "campaign", "expense_id": "expense"}
    ),
    "POST /projects/campaigns/{campaign_id}/expenses/{expense_id}/approve": Route(
        Is("approvers"),
        params={"campaign_id": "campaign", "expense_id": "expense"},
        seen=DESK,
        why="the fund's approvers (rules.is_approver), not the requester",
    ),
    "POST /projects/campaigns/{campaign_id}/expenses/{expense_id}/reject": Route(
        SECOND,
        params={"campaign_id": "campaign", "expense_id": "expense"},
        seen=DESK,
        why="an approver or a manager",
    ),
    "POST /projects/campaigns/{campaign_id}/close": Route(MANAGE, params=A, seen=DESK),
    "POST /projects/campaigns/{campaign_id}/publish": Route(
        MANAGE | Is("treasurer"),
        params=A,
        seen=DESK,
        why="the public account on the notice board (services_publish.may_publish_account)",
    ),
    "POST /projects/campaigns/{campaign_id}/cancel": Route(
        MANAGE, params=A, seen=DESK, data=lambda w, side: {"reason": "取消"}
    ),
}
