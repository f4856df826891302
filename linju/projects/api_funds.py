"""/api/v1/projects/campaigns: crowdfunding (公益众筹) — the public accounts for anyone, pledges
for the households of a campaign's scope, and for the fund's people the campaign, its rules,
payments, expenses, closing and cancelling. Every write goes through services_funds. Writes
that post to the account take an `Idempotency-Key` header (or a `key` field)."""

from typing import Annotated

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Header, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from linju.core import access
from linju.core.api_support import ERRORS, CappedLimitOffset, FormOrJson, Listing, json_body_doc
from linju.core.errors import Invalid
from linju.core.masking import staff_label
from linju.core.views import private_download

from . import queries_funds as queries
from . import rules, services_publish
from . import services_funds as services
from .models import Project
from .schemas_funds import (
    CampaignIn,
    CampaignNoticeOut,
    CampaignOut,
    EntryOut,
    ExpenseIn,
    ExpenseOut,
    FundReasonIn,
    MineOut,
    PaymentIn,
    PaymentOut,
    PledgeIn,
    PledgeOut,
    RulesIn,
    WithdrawIn,
)

router = Router(tags=["projects"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        None,
        alias="Idempotency-Key",
        max_length=64,
        description="New for each intended payment: sent again, the payment is recorded once "
        "and the first result returned; with other figures, 409 `key_reused`.",
    ),
]
SCOPE_NOTE = " 404 for a campaign the caller does not work on."


class StatusFilter(Schema):
    status: str | None = None


# --- Shapes ---------------------------------------------------------------------------------------


def _name(user) -> str | None:
    return staff_label(user) if user is not None else None


def _campaign(c) -> dict:
    return {
        "id": c.pk,
        "title": c.title,
        "project": c.project_id,
        "project_title": c.project.title,
        "place": c.place.name,
        "status": c.status,
        "goal_fen": c.goal_fen,
        "deadline": c.deadline,
        "pledged_fen": c.pledged_fen,
        "income_fen": c.income_fen,
        "expense_fen": c.expense_fen,
        "refund_fen": c.refund_fen,
        "balance_fen": c.balance_fen,
        "surplus": c.surplus,
        "confirm_above_fen": c.confirm_above_fen,
        "two_approvals_above_fen": c.two_approvals_above_fen,
        "rules_text": c.rules_text,
        "treasurer": staff_label(c.treasurer),
        "approvers": [staff_label(a) for a in c.approvers.all()],
        "cancel_reason": c.cancel_reason,
    }


def entry_row(e) -> dict:
    return {
        "id": e.pk,
        "created_at": e.created_at,
        "kind": e.kind,
        "kind_label": str(e.get_kind_display()),
        "amount_fen": e.amount_fen,
        "balance_fen": e.balance_fen,
        "household": queries.household_label(e),
        "note": e.note,
        "recorded_by": staff_label(e.recorded_by),
        "approved_by": _name(e.approved_by),
    }


def _pledge(p) -> dict:
    return {
        "id": p.pk,
        "household": p.household_id,
        "household_name": str(p.household),
        "amount_fen": p.amount_fen,
        "show_name": p.show_name,
        "status": p.status,
        "created_at": p.created_at,
    }


def _payment(p) -> dict:
    return {
        "id": p.pk,
        "household": p.household_id,
        "household_name": str(p.household),
        "amount_fen": p.amount_fen,
        "method": p.method,
        "reference": p.reference,
        "paid_on": p.paid_on,
        "status": p.status,
        "refunded_fen": p.refunded_fen,
        "recorded_by": staff_label(p.recorded_by),
        "confirmed_by": _name(p.confirmed_by),
        "reject_reason": p.reject_reason,
    }


def _expense(e) -> dict:
    receipt = None
    if e.receipt:
        receipt = reverse(
            "api:projects_expense_receipt",
            kwargs={"campaign_id": e.campaign_id, "expense_id": e.pk},
        )
    return {
        "id": e.pk,
        "payee": e.payee,
        "purpose": e.purpose,
        "amount_fen": e.amount_fen,
        "spent_on": e.spent_on,
        "status": e.status,
        "approvals_needed": e.approvals_needed,
        "approvals": [staff_label(a.approver) for a in e.approvals.all()],
        "requested_by": staff_label(e.requested_by),
        "receipt_url": receipt,
        "reject_reason": e.reject_reason,
    }


# --- Finding things -------------------------------------------------------------------------------


def _public(campaign_id):
    found = queries.public_campaigns().filter(pk=campaign_id).first()
    if found is None:
        raise Http404
    return found


def _desk(user, campaign_id):
    found = queries.campaign_for_desk(user, campaign_id)
    if found is None:
        raise Http404
    return found


def _fresh(campaign_id) -> dict:
    return _campaign(queries.public_campaigns().prefetch_related("approvers").get(pk=campaign_id))


# --- The public account ---------------------------------------------------------------------------


@router.get(
    "/campaigns",
    response={200: list[CampaignOut], **ERRORS},
    auth=None,
    summary="Crowdfunding campaigns (no login needed)",
    description="Every campaign with its public figures, latest first; capped.",
)
@paginate(CappedLimitOffset)
def list_campaigns(request):
    return Listing(
        queries.public_campaigns().select_related("treasurer").prefetch_related("approvers"),
        lambda rows: [_campaign(c) for c in rows],
    )


@router.get(
    "/campaigns/{int:campaign_id}",
    response={200: CampaignOut, **ERRORS},
    auth=None,
    summary="A campaign's public account: its figures and fund rules (公开账目)",
    description="Income − expenses − refunds = balance, in fen. No login needed.",
)
def get_campaign(request, campaign_id: int):
    return _fresh(_public(campaign_id).pk)


@router.get(
    "/campaigns/{int:campaign_id}/entries",
    response={200: list[EntryOut], **ERRORS},
    auth=None,
    summary="A campaign's account entries (公开账目)",
    description="Oldest first: each with its date, kind, amount, balance after, who recorded "
    "and approved it; households named only when their pledge asked for it. No login needed.",
)
@paginate(CappedLimitOffset)
def list_entries(request, campaign_id: int):
    campaign = _public(campaign_id)
    return Listing(queries.account_entries(campaign), lambda rows: [entry_row(e) for e in rows])


# --- Opening and the rules ------------------------------------------------------------------------


@router.post(
    "/campaigns",
    response={201: CampaignOut, **ERRORS},
    summary="Open a campaign on a project (众筹)",
    description="Managers of the project's scope, for an approved project (409 `wrong_stage`, "
    "`campaign_exists`). 422 `project`, `title`, `goal_fen`, `deadline`, `treasurer`, "
    "`approvers`, `confirm_above_fen`, `two_approvals_above_fen`, `surplus`, `rules_text`.",
)
def open_campaign(request, payload: CampaignIn):
    rules.require(access.has_anywhere(request.user, "projects.manage"))
    data = payload.model_dump()
    project = access.filter_queryset(
        request.user, "projects.view", Project.objects.filter(pk=data.pop("project"))
    ).first()
    if project is None:
        raise Invalid({"project": _("Choose a project of your scope.")})
    campaign = services.open_campaign(user=request.user, project=project, **data)
    return Status(201, _fresh(campaign.pk))


@router.put(
    "/campaigns/{int:campaign_id}/rules",
    response={200: CampaignOut, **ERRORS},
    summary="Change the fund rules",
    description="Managers, before the first payment (409 `rules_locked`). 422 as when "
    "opening." + SCOPE_NOTE,
)
def put_rules(request, campaign_id: int, payload: RulesIn):
    campaign = _desk(request.user, campaign_id)
    services.set_rules(user=request.user, campaign=campaign, **payload.model_dump())
    return _fresh(campaign_id)


# --- Pledges --------------------------------------------------------------------------------------


@router.get(
    "/campaigns/{int:campaign_id}/mine",
    response={200: MineOut, **ERRORS},
    summary="My household's pledge and payments",
)
def mine(request, campaign_id: int):
    live, paid = queries.my_pledges_and_payments(request.user, _public(campaign_id))
    return {"pledges": [_pledge(p) for p in live], "payments": [_payment(p) for p in paid]}


@router.post(
    "/campaigns/{int:campaign_id}/pledge",
    response={200: PledgeOut, **ERRORS},
    summary="Pledge for my household (认捐)",
    description="Residents of the campaign's scope, while open and until the last day (409 "
    "`deadline_passed`, `wrong_status`); pledging again changes the pledge. 422 "
    "`amount_fen`, `household`; 403 for anyone who does not live in the scope.",
)
def pledge(request, campaign_id: int, payload: PledgeIn):
    done = services.pledge(
        user=request.user,
        campaign=_public(campaign_id),
        amount_fen=payload.amount_fen,
        show_name=payload.show_name,
        household=payload.household,
    )
    return _pledge(done)


@router.post(
    "/campaigns/{int:campaign_id}/pledge/withdraw",
    response={200: PledgeOut, **ERRORS},
    summary="Withdraw my household's pledge",
    description="While open, until the last day. 409 `no_pledge`; 403 outside the scope.",
)
def withdraw(request, campaign_id: int, payload: WithdrawIn):
    done = services.withdraw_pledge(
        user=request.user, campaign=_public(campaign_id), household=payload.household
    )
    return _pledge(done)


@router.get(
    "/campaigns/{int:campaign_id}/pledges",
    response={200: list[PledgeOut], **ERRORS},
    summary="The live pledges of a campaign",
    description="For the fund's people; capped." + SCOPE_NOTE,
)
@paginate(CappedLimitOffset)
def list_pledges(request, campaign_id: int):
    campaign = _desk(request.user, campaign_id)
    return Listing(queries.pledges(campaign), lambda rows: [_pledge(p) for p in rows])


# --- Payments -------------------------------------------------------------------------------------


@router.get(
    "/campaigns/{int:campaign_id}/payments",
    response={200: list[PaymentOut], **ERRORS},
    summary="Payments of a campaign",
    description="Latest first; filter `status` (`pending`: waiting for a second person)."
    + SCOPE_NOTE,
)
@paginate(CappedLimitOffset)
def list_payments(request, campaign_id: int, filters: Query[StatusFilter]):
    campaign = _desk(request.user, campaign_id)
    return Listing(
        queries.payments(request.user, campaign, filters.status),
        lambda rows: [_payment(p) for p in rows],
    )


@router.post(
    "/campaigns/{int:campaign_id}/payments",
    response={201: PaymentOut, **ERRORS},
    summary="Record a payment (the treasurer)",
    description="At or below the rules' threshold it counts at once; above, it waits for a "
    "second person. 422 `household`, `amount_fen`, `method`, `paid_on`, `reference`; 403 for "
    "anyone but the treasurer. Send an `Idempotency-Key` header (or `key`): the same key again "
    "returns the first payment; with other figures 409 `key_reused`." + SCOPE_NOTE,
)
def record_payment(
    request, campaign_id: int, payload: PaymentIn, idempotency_key: IdempotencyKey = None
):
    campaign = _desk(request.user, campaign_id)
    data = payload.model_dump()
    data["key"] = idempotency_key or data["key"]
    payment = services.record_payment(
        user=request.user, campaign=campaign, household=data.pop("household"), **data
    )
    return Status(201, _payment(queries.payments(request.user, campaign).get(pk=payment.pk)))


def _payment_of(request, campaign_id, payment_id):
    campaign = _desk(request.user, campaign_id)
    found = queries.payments(request.user, campaign).filter(pk=payment_id).first()
    if found is None:
        raise Http404
    return campaign, found


@router.post(
    "/campaigns/{int:campaign_id}/payments/{int:payment_id}/confirm",
    response={200: PaymentOut, **ERRORS},
    summary="Confirm a waiting payment (the second person)",
    description="An approver or a manager, never its recorder (403). 409 `wrong_status` once "
    "decided." + SCOPE_NOTE,
)
def confirm_payment(request, campaign_id: int, payment_id: int):
    campaign, found = _payment_of(request, campaign_id, payment_id)
    services.confirm_payment(user=request.user, payment=found)
    return _payment(queries.payments(request.user, campaign).get(pk=payment_id))


@router.post(
    "/campaigns/{int:campaign_id}/payments/{int:payment_id}/reject",
    response={200: PaymentOut, **ERRORS},
    summary="Reject a waiting payment",
    description="With its `reason` (422). 409 `wrong_status` once decided." + SCOPE_NOTE,
)
def reject_payment(request, campaign_id: int, payment_id: int, payload: FundReasonIn):
    campaign, found = _payment_of(request, campaign_id, payment_id)
    services.reject_payment(user=request.user, payment=found, reason=payload.reason)
    return _payment(queries.payments(request.user, campaign).get(pk=payment_id))


# --- Expenses -------------------------------------------------------------------------------------


@router.get(
    "/campaigns/{int:campaign_id}/expenses",
    response={200: list[ExpenseOut], **ERRORS},
    summary="Expenses of a campaign",
    description="Latest first; filter `status` (`requested`: waiting for approval)." + SCOPE_NOTE,
)
@paginate(CappedLimitOffset)
def list_expenses(request, campaign_id: int, filters: Query[StatusFilter]):
    campaign = _desk(request.user, campaign_id)
    return Listing(
        queries.expenses(campaign, filters.status), lambda rows: [_expense(e) for e in rows]
    )


@router.post(
    "/campaigns/{int:campaign_id}/expenses",
    response={201: ExpenseOut, **ERRORS},
    summary="Ask to pay from the fund (支出)",
    description="The treasurer or a manager: multipart fields with the `receipt` photo, or the "
    "same fields as JSON. Two approvals above the rules' threshold, one otherwise. 422 "
    "`payee`, `purpose`, `amount_fen`, `spent_on`, `receipt`." + SCOPE_NOTE,
    openapi_extra=json_body_doc(ExpenseIn),
)
def request_expense(
    request,
    campaign_id: int,
    payload: FormOrJson[ExpenseIn],
    receipt: File[UploadedFile] = None,
):
    campaign = _desk(request.user, campaign_id)
    expense = services.request_expense(
        user=request.user, campaign=campaign, receipt=receipt, **payload.model_dump()
    )
    return Status(201, _expense(queries.expenses(campaign).get(pk=expense.pk)))


def _expense_of(request, campaign_id, expense_id):
    campaign = _desk(request.user, campaign_id)
    found = queries.expenses(campaign).filter(pk=expense_id).first()
    if found is None:
        raise Http404
    return campaign, found


@router.get(
    "/campaigns/{int:campaign_id}/expenses/{int:expense_id}/receipt",
    response={200: None, **ERRORS},
    summary="An expense's receipt photo",
    description="For the fund's people; 404 when there is none." + SCOPE_NOTE,
    url_name="projects_expense_receipt",
)
def expense_receipt(request, campaign_id: int, expense_id: int):
    return private_download(_expense_of(request, campaign_id, expense_id)[1].receipt)


@router.post(
    "/campaigns/{int:campaign_id}/expenses/{int:expense_id}/approve",
    response={200: ExpenseOut, **ERRORS},
    summary="Approve an expense",
    description="An approver, not the requester (403), once (409 `approved_already`); the last "
    "approval pays it: 409 `insufficient_balance` (the message says the balance) when the fund "
    "cannot." + SCOPE_NOTE,
)
def approve_expense(request, campaign_id: int, expense_id: int):
    campaign, found = _expense_of(request, campaign_id, expense_id)
    services.approve_expense(user=request.user, expense=found)
    return _expense(queries.expenses(campaign).get(pk=expense_id))


@router.post(
    "/campaigns/{int:campaign_id}/expenses/{int:expense_id}/reject",
    response={200: ExpenseOut, **ERRORS},
    summary="Reject an expense",
    description="An approver or a manager, with the `reason` (422)." + SCOPE_NOTE,
)
def reject_expense(request, campaign_id: int, expense_id: int, payload: FundReasonIn):
    campaign, found = _expense_of(request, campaign_id, expense_id)
    services.reject_expense(user=request.user, expense=found, reason=payload.reason)
    return _expense(queries.expenses(campaign).get(pk=expense_id))


# --- Closing and cancelling -----------------------------------------------------------------------


@router.post(
    "/campaigns/{int:campaign_id}/close",
    response={200: CampaignOut, **ERRORS},
    summary="Close a campaign after its last day",
    description="Managers. With surplus `refund`, the money above the goal goes back, latest "
    "payments first. 409 `too_early`, `payments_pending`, `wrong_status`." + SCOPE_NOTE,
)
def close(request, campaign_id: int):
    services.close_campaign(user=request.user, campaign=_desk(request.user, campaign_id))
    return _fresh(campaign_id)


@router.post(
    "/campaigns/{int:campaign_id}/cancel",
    response={200: CampaignOut, **ERRORS},
    summary="Cancel a campaign",
    description="Managers, with the `reason` (422): every confirmed payment is refunded in "
    "full. 409 `spent` once an expense is paid." + SCOPE_NOTE,
)
def cancel(request, campaign_id: int, payload: FundReasonIn):
    services.cancel_campaign(
        user=request.user, campaign=_desk(request.user, campaign_id), reason=payload.reason
    )
    return _fresh(campaign_id)


@router.post(
    "/campaigns/{int:campaign_id}/publish",
    response={200: CampaignNoticeOut, **ERRORS},
    summary="Put the public account on the notice board (公开账目)",
    description="A published result on the board of the campaign's scope, linking to the public "
    "account; sent again, the same notice is revised with the day's figures. The managers of "
    "its scope and its treasurer (403 for the fund's other people)." + SCOPE_NOTE,
)
def publish_account(request, campaign_id: int):
    campaign = _desk(request.user, campaign_id)
    notice = services_publish.publish_account(user=request.user, campaign_id=campaign.pk)
    return {
        "notice": notice.pk,
        "title": notice.title,
        "link": notice.link,
        "published_at": notice.published_at,
    }
