"""The crowdfunding staff desk (公益众筹, seed 002: 制定众筹资金管理办法进行规范化管理), so that
treasurers, approvers and managers never need the API:

- the campaigns a person works on (staff of the scope, `projects.view`, and the people the fund
  rules name), with what waits for them;
- a manager opens a campaign on an approved project of their scope with its fund rules, and
  changes the rules while no payment exists;
- the campaign's desk: the treasurer records payments (a hidden one-time key: a double submit
  records once), the second person confirms or rejects them, the pledges (names masked as
  people.queries.person_labels says), expenses asked for with the receipt photo and approved or
  rejected by the approvers, closing after the last day and cancelling with a reason; links to
  the public account, its print view and the XLSX.

Every write is a services_funds call: its refusal is a 403, its other errors land on the form's
field (422) or, for the buttons without fields, in a message. The buttons a person sees come
from the same predicates (rules.py, services_funds.may_*)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linju.core import access
from linju.core.errors import Conflict, Forbidden, Invalid
from linju.core.forms import call_service
from linju.core.views import paginate, private_download
from linju.people.queries import person_labels

from . import queries_funds as queries
from . import queries_funds_desk as desk_queries
from . import rules, services_publish
from . import services_funds as services
from .forms_funds_desk import (
    ExpenseForm,
    OpenCampaignForm,
    PaymentForm,
    ReasonForm,
    RoomSearchForm,
    RulesForm,
)
from .models import CampaignStatus
from .money import yuan_text

STATUSES = CampaignStatus.choices


def _require_desk(user) -> None:
    if not rules.may_use_desk(user):
        raise PermissionDenied


def _campaign(user, pk):
    """The campaign, if the user works on it (404 otherwise: its desk is not revealed)."""
    found = (
        queries.desk_campaigns(user)
        .select_related("treasurer", "created_by")
        .prefetch_related("approvers")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def _go(campaign, anchor=""):
    return redirect(reverse("projects:funds_desk_campaign", args=[campaign.pk]) + anchor)


def household_label(household) -> str:
    """Building, unit and room (no extra query: the unit and its building are loaded)."""
    unit = household.unit
    building = unit.parent.name if unit.parent_id else ""
    return " ".join(p for p in (building, unit.name, household.room) if p)


def _may(user, campaign) -> dict:
    manage = rules.can_manage(user, campaign)
    return {
        "manage": manage,
        "publish": services_publish.may_publish_account(user, campaign),
        "treasurer": rules.is_treasurer(user, campaign),
        "approver": rules.is_approver(user, campaign),
        "request": services.may_request_expense(user, campaign),
        "open": campaign.status == CampaignStatus.OPEN,
    }


# --- The campaigns list ---------------------------------------------------------------------------


@login_required
def campaigns(request):
    """The campaigns the person works on, with their figures and what waits for them."""
    user = request.user
    _require_desk(user)
    status = request.GET.get("status") or ""
    if status not in CampaignStatus.values:
        status = ""
    page = paginate(request, desk_queries.desk_list(user, status or None))
    rows = []
    for c in page.object_list:
        payments, expenses = desk_queries.waiting_for(user, c)
        rows.append(
            {
                "campaign": c,
                "goal": yuan_text(c.goal_fen),
                "income": yuan_text(c.income_fen),
                "balance": yuan_text(c.balance_fen),
                "payments": payments,
                "expenses": expenses,
            }
        )
    context = {
        "page": page,
        "rows": rows,
        "status": status,
        "statuses": STATUSES,
        "may_open": access.has_anywhere(user, "projects.manage"),
    }
    return render(request, "projects/funds/desk/campaigns.html", context)


# --- Opening a campaign and its rules -------------------------------------------------------------


@login_required
def open_campaign(request):
    """A manager picks an approved project of their scope, then fills the campaign and its
    fund rules (the treasurer and approvers from the staff on the project's branch)."""
    user = request.user
    if not access.has_anywhere(user, "projects.manage"):
        raise PermissionDenied
    projects = desk_queries.openable_projects(user)
    project_id = request.POST.get("project") or request.GET.get("project")
    project = None
    if project_id:
        project = projects.filter(pk=project_id if str(project_id).isdigit() else 0).first()
        if project is None:
            raise Http404
    if project is None:
        return render(
            request,
            "projects/funds/desk/open.html",
            {"projects": list(projects[:100]), "project": None},
        )
    people = list(desk_queries.fund_people(project.place))
    form = OpenCampaignForm(request.POST or None, people=people)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            done = call_service(
                form,
                services.open_campaign,
                user=user,
                project=project,
                title=data["title"],
                goal_fen=data["goal"],
                deadline=data["deadline"],
                **form.rules(),
            )
            if done is not None:
                messages.success(request, _("The campaign is open."))
                return _go(done)
        status = 422
    elif not form.is_bound:
        form.initial.setdefault("title", project.title)
    return render(
        request,
        "projects/funds/desk/open.html",
        {"project": project, "form": form},
        status=status,
    )


@login_required
def campaign_rules(request, pk):
    """The fund rules, changed by a manager while no payment is recorded."""
    user = request.user
    campaign = _campaign(user, pk)
    if not rules.can_manage(user, campaign):
        raise PermissionDenied
    people = list(desk_queries.fund_people(campaign.place))
    if request.method == "POST":
        form = RulesForm(request.POST, people=people)
        if form.is_valid():
            done = call_service(
                form, services.set_rules, user=user, campaign=campaign, **form.rules()
            )
            if done is not None:
                messages.success(request, _("The fund rules are saved."))
                return _go(campaign)
        status = 422
    else:
        form = RulesForm(initial=RulesForm.initial_of(campaign), people=people)
        status = 200
    locked = queries.payments(None, campaign).exists()
    return render(
        request,
        "projects/funds/desk/rules.html",
        {"campaign": campaign, "form": form, "locked": locked},
        status=status,
    )


# --- The campaign's desk --------------------------------------------------------------------------


def _household_choices(campaign, room):
    pledging = list(desk_queries.pledging_households(campaign))
    found = list(desk_queries.households_by_room(campaign, room)) if room else []
    seen, choices = set(), []
    for h in [*found, *pledging]:
        if h.pk not in seen:
            seen.add(h.pk)
            choices.append((h.pk, household_label(h)))
    return choices, found


def _named(user, rows, attr):
    """Each row's person (at `attr`) named as the viewer may see them (masked otherwise)."""
    people = {getattr(r, attr).pk: getattr(r, attr) for r in rows if getattr(r, attr)}
    labels = person_labels(user, people.values())
    for r in rows:
        person = getattr(r, attr)
        r.person_name = labels[person.pk][0] if person else ""
    return rows


def _desk_page(request, campaign, *, status=200, **forms):
    user = request.user
    may = _may(user, campaign)
    room_form = RoomSearchForm(request.GET or None)
    room = room_form.cleaned_data["room"] if room_form.is_valid() else ""
    choices, found = _household_choices(campaign, room) if may["treasurer"] else ([], [])
    payment_form = forms.get("payment_form")
    if payment_form is None and may["treasurer"] and may["open"]:
        payment_form = PaymentForm(households=choices)
    elif payment_form is not None:
        payment_form.fields["household"].choices = [("", _("Choose…")), *choices]
    expense_form = forms.get("expense_form")
    if expense_form is None and may["request"] and campaign.status != CampaignStatus.CANCELLED:
        expense_form = ExpenseForm()
    pledges = paginate(request, desk_queries.desk_pledges(campaign))
    pledge_rows = _named(user, list(pledges.object_list), "user")
    # The predicates depend on the row only through its recorder or requester (a few people):
    # asked once per person, so the page's queries do not grow with its rows.
    decide, approve = {}, {}
    pending = list(desk_queries.pending_payments(campaign))
    for p in pending:
        p.campaign = campaign
        if p.recorded_by_id not in decide:
            decide[p.recorded_by_id] = rules.can_confirm_payment(user, p)
        p.may_decide = decide[p.recorded_by_id]
    waiting = list(desk_queries.open_expenses(campaign))
    for e in waiting:
        e.campaign = campaign
        if e.requested_by_id not in approve:
            approve[e.requested_by_id] = services.may_approve(user, e)
        approvals = e.approvals.all()
        e.still_needed = max(0, e.approvals_needed - len(approvals))
        e.may_approve = approve[e.requested_by_id] and not any(
            a.approver_id == user.pk for a in approvals
        )
        e.may_reject = approve[e.requested_by_id] or may["manage"]
    context = {
        "campaign": campaign,
        "may": may,
        "figures": [
            (_("Goal"), yuan_text(campaign.goal_fen)),
            (_("Pledged"), yuan_text(campaign.pledged_fen)),
            (_("Income"), yuan_text(campaign.income_fen)),
            (_("Expenses"), yuan_text(campaign.expense_fen)),
            (_("Refunds"), yuan_text(campaign.refund_fen)),
            (_("Balance"), yuan_text(campaign.balance_fen)),
        ],
        "confirm_above": yuan_text(campaign.confirm_above_fen),
        "two_above": yuan_text(campaign.two_approvals_above_fen),
        "approvers": list(campaign.approvers.all()),
        "room_form": room_form,
        "found": found,
        "payment_form": payment_form,
        "expense_form": expense_form,
        "reason_form": forms.get("reason_form"),
        "reason_for": forms.get("reason_for", ""),
        "cancel_form": forms.get("cancel_form") or (ReasonForm() if may["manage"] else None),
        "pledges": pledges,
        "pledge_rows": pledge_rows,
        "pending": pending,
        "recent": list(desk_queries.recent_payments(campaign)),
        "waiting": waiting,
        "decided": list(desk_queries.decided_expenses(campaign)),
    }
    for p in [*context["pending"], *context["recent"], *pledge_rows]:
        p.household_label = household_label(p.household)
        p.yuan = yuan_text(p.amount_fen)
        p.row_key = f"payment-{p.pk}"
    for e in [*waiting, *context["decided"]]:
        e.yuan = yuan_text(e.amount_fen)
        e.row_key = f"expense-{e.pk}"
    return render(request, "projects/funds/desk/campaign.html", context, status=status)


@login_required
def campaign_desk(request, pk):
    return _desk_page(request, _campaign(request.user, pk))


@login_required
@require_POST
def record_payment(request, pk):
    """The treasurer records a payment; the same hidden key sent twice records once."""
    user = request.user
    campaign = _campaign(user, pk)
    if not rules.is_treasurer(user, campaign):
        raise PermissionDenied
    form = PaymentForm(request.POST, households=_household_choices(campaign, "")[0])
    if form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form,
            services.record_payment,
            user=user,
            campaign=campaign,
            household=data["household"],
            amount_fen=data["amount"],
            method=data["method"],
            paid_on=data["paid_on"],
            reference=data["reference"],
            key=data["key"],
        )
        if done is not None:
            amount = yuan_text(done.amount_fen)
            if done.status == "pending":
                text = _("Payment of %(amount)s yuan recorded; it waits for a second person.")
            else:
                text = _("Payment of %(amount)s yuan recorded and counted.")
            messages.success(request, text % {"amount": amount})
            return _go(campaign, "#payments")
    return _desk_page(request, campaign, status=422, payment_form=form)


def _payment(user, campaign, payment_id):
    found = queries.payments(user, campaign).filter(pk=payment_id).first()
    if found is None:
        raise Http404
    return found


def _expense(campaign, expense_id):
    found = queries.expenses(campaign).filter(pk=expense_id).first()
    if found is None:
        raise Http404
    return found


def _button(request, target, fn, success, anchor="", **kwargs):
    """A button without fields: the service's refusal is a 403, a conflict a message; back to
    the `target` campaign's desk."""
    try:
        fn(**kwargs)
    except Forbidden:
        raise PermissionDenied from None
    except (Conflict, Invalid) as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, success)
    return _go(target, anchor)


@login_required
@require_POST
def confirm_payment(request, pk, payment_id):
    user = request.user
    campaign = _campaign(user, pk)
    payment = _payment(user, campaign, payment_id)
    if not rules.can_confirm_payment(user, payment):
        raise PermissionDenied
    return _button(
        request,
        campaign,
        services.confirm_payment,
        _("The payment is confirmed and counted."),
        "#payments",
        user=user,
        payment=payment,
    )


def _with_reason(request, target, fn, success, anchor, reason_for, **kwargs):
    """A button with its reason: the reason's errors on the row (or cancel form) it came from."""
    form = ReasonForm(request.POST)
    if form.is_valid():
        done = call_service(form, fn, reason=form.cleaned_data["reason"], **kwargs)
        if done is not None:
            messages.success(request, success)
            return _go(target, anchor)
    key = "cancel_form" if reason_for == "cancel" else "reason_form"
    return _desk_page(request, target, status=422, reason_for=reason_for, **{key: form})


@login_required
@require_POST
def reject_payment(request, pk, payment_id):
    user = request.user
    campaign = _campaign(user, pk)
    payment = _payment(user, campaign, payment_id)
    if not rules.can_confirm_payment(user, payment):
        raise PermissionDenied
    return _with_reason(
        request,
        campaign,
        services.reject_payment,
        _("The payment is rejected; it does not count."),
        "#payments",
        f"payment-{payment.pk}",
        user=user,
        payment=payment,
    )


@login_required
@require_POST
def request_expense(request, pk):
    """支出: the treasurer or a manager asks to pay from the fund, with the receipt photo."""
    user = request.user
    campaign = _campaign(user, pk)
    if not services.may_request_expense(user, campaign):
        raise PermissionDenied
    form = ExpenseForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form,
            services.request_expense,
            user=user,
            campaign=campaign,
            payee=data["payee"],
            purpose=data["purpose"],
            amount_fen=data["amount"],
            spent_on=data["spent_on"],
            receipt=data["receipt"],
        )
        if done is not None:
            messages.success(request, _("The expense waits for approval."))
            return _go(campaign, "#expenses")
    return _desk_page(request, campaign, status=422, expense_form=form)


@login_required
@require_POST
def approve_expense(request, pk, expense_id):
    user = request.user
    campaign = _campaign(user, pk)
    expense = _expense(campaign, expense_id)
    if not services.may_approve(user, expense):
        raise PermissionDenied
    return _button(
        request,
        campaign,
        services.approve_expense,
        _("Your approval is recorded."),
        "#expenses",
        user=user,
        expense=expense,
    )


@login_required
@require_POST
def reject_expense(request, pk, expense_id):
    user = request.user
    campaign = _campaign(user, pk)
    expense = _expense(campaign, expense_id)
    if not (services.may_approve(user, expense) or rules.can_manage(user, campaign)):
        raise PermissionDenied
    return _with_reason(
        request,
        campaign,
        services.reject_expense,
        _("The expense is rejected."),
        "#expenses",
        f"expense-{expense.pk}",
        user=user,
        expense=expense,
    )


@login_required
def expense_receipt(request, pk, expense_id):
    """The receipt photo, for the fund's people only (never a public media URL)."""
    campaign = _campaign(request.user, pk)
    return private_download(_expense(campaign, expense_id).receipt)


@login_required
@require_POST
def close_campaign(request, pk):
    user = request.user
    campaign = _campaign(user, pk)
    if not rules.can_manage(user, campaign):
        raise PermissionDenied
    return _button(
        request,
        campaign,
        services.close_campaign,
        _("The campaign is closed."),
        user=user,
        campaign=campaign,
    )


@login_required
@require_POST
def cancel_campaign(request, pk):
    user = request.user
    campaign = _campaign(user, pk)
    if not rules.can_manage(user, campaign):
        raise PermissionDenied
    return _with_reason(
        request,
        campaign,
        services.cancel_campaign,
        _("The campaign is cancelled; every confirmed payment is refunded."),
        "",
        "cancel",
        user=user,
        campaign=campaign,
    )


@login_required
@require_POST
def publish_account(request, pk):
    """The public account on the scope's notice board (again: its figures are brought up to
    date)."""
    user = request.user
    campaign = _campaign(user, pk)
    if not services_publish.may_publish_account(user, campaign):
        raise PermissionDenied
    return _button(
        request,
        campaign,
        services_publish.publish_account,
        _("The public account is on the notice board."),
        user=user,
        campaign_id=campaign.pk,
    )


D = "funds/desk/"
urlpatterns = [
    path(D, campaigns, name="funds_desk"),
    path(f"{D}new/", open_campaign, name="funds_desk_open"),
    path(f"{D}<int:pk>/", campaign_desk, name="funds_desk_campaign"),
    path(f"{D}<int:pk>/rules/", campaign_rules, name="funds_desk_rules"),
    path(f"{D}<int:pk>/payments/", record_payment, name="funds_desk_pay"),
    path(
        f"{D}<int:pk>/payments/<int:payment_id>/confirm/",
        confirm_payment,
        name="funds_desk_confirm",
    ),
    path(
        f"{D}<int:pk>/payments/<int:payment_id>/reject/",
        reject_payment,
        name="funds_desk_reject_payment",
    ),
    path(f"{D}<int:pk>/expenses/", request_expense, name="funds_desk_expense"),
    path(
        f"{D}<int:pk>/expenses/<int:expense_id>/approve/",
        approve_expense,
        name="funds_desk_approve",
    ),
    path(
        f"{D}<int:pk>/expenses/<int:expense_id>/reject/",
        reject_expense,
        name="funds_desk_reject_expense",
    ),
    path(
        f"{D}<int:pk>/expenses/<int:expense_id>/receipt/",
        expense_receipt,
        name="funds_desk_receipt",
    ),
    path(f"{D}<int:pk>/close/", close_campaign, name="funds_desk_close"),
    path(f"{D}<int:pk>/cancel/", cancel_campaign, name="funds_desk_cancel"),
    path(f"{D}<int:pk>/publish/", publish_account, name="funds_desk_publish"),
]
