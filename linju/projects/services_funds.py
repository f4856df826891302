"""Every write on crowdfunding (公益众筹, seed 002: 健全公益众筹机制 … 广泛发动群众出资、
出力、出点子 … 制定众筹资金管理办法进行规范化管理): a campaign on a project with its fund rules
(众筹资金管理办法), households' pledges (认捐), payments the treasurer records and a second
person confirms above the threshold, expenses (支出) approved as the rules say, closing with
the surplus refunded or kept, cancelling with every payment refunded.

Keyword-only, one transaction each; money moves only through `ledger.post` (idempotent, never
below zero). Locks in one order: the campaign, then the payment or expense."""

import uuid
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from linju.core import access, audit, uploads
from linju.core.cleaning import as_id, clean_text, violated
from linju.core.errors import Conflict, Invalid
from linju.people.models import ResidencyStatus, User
from linju.people.roles import Role
from linju.places.models import Household

from . import ledger, rules
from .models import (
    Campaign,
    CampaignStatus,
    EntryKind,
    Expense,
    ExpenseApproval,
    ExpenseStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Pledge,
    PledgeStatus,
    Project,
    ProjectStage,
    Surplus,
)
from .money import MAX_FEN

MAX_APPROVERS = 9
FUNDED_STAGES = (ProjectStage.APPROVED, ProjectStage.FUNDING)
# Roles whose people may keep or approve the fund: the scope's staff and owners' committee.
FUND_ROLES = {r.value for r in access.STAFF_ROLES} - {Role.PARTNER.value}


# --- Cleaning -----------------------------------------------------------------------------------


def clean_key(key, prefix: str) -> str:
    """The idempotency key of a request (an API client's `Idempotency-Key` or `key`, a page's
    hidden one-time field), or a fresh one: the same request sent twice records once."""
    key = clean_text(key, field="key", max_length=100)
    return f"{prefix}:{key or uuid.uuid4().hex}"


def clean_fen(value, *, field: str, allow_zero: bool = False) -> int:
    """An amount in whole fen (1 to 10^11, or 0 where allowed)."""
    if isinstance(value, bool):
        value = None
    try:
        fen = int(value)
        if isinstance(value, float) and fen != value:
            raise ValueError
    except (TypeError, ValueError, OverflowError):
        raise Invalid({field: _("Give an amount in fen (a whole number).")}) from None
    low = 0 if allow_zero else 1
    if not low <= fen <= MAX_FEN:
        raise Invalid(
            {
                field: _("Give an amount from %(low)s to %(high)s fen.")
                % {"low": low, "high": f"{MAX_FEN:,}"}
            }
        )
    return fen


def clean_day(value, *, field: str, required: str) -> date:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value
    try:
        day = parse_date(str(value or "").strip())
    except ValueError:  # well formed, not a day: 2026-02-30
        day = None
    if day is None:
        raise Invalid({field: required})
    return day


def _fund_person(person_id, place, *, field: str) -> User:
    """A person of the scope's staff or owners' committee: one of their staff roles lies on the
    campaign's branch of the tree (above it, or inside it like an estate's owners' committee)."""
    person = User.objects.filter(pk=as_id(person_id), is_active=True).first()
    if person is not None:
        for role, paths in access.role_scopes(person).items():
            if role in FUND_ROLES and any(
                place.path.startswith(p) or p.startswith(place.path) for p in paths
            ):
                return person
    raise Invalid({field: _("Choose a person of this scope's staff or owners' committee.")})


def _rules(
    place, *, treasurer, approvers, confirm_above_fen, two_approvals_above_fen, surplus, rules_text
) -> dict:
    """The fund rules (众筹资金管理办法), cleaned: who keeps and who approves, the thresholds,
    the surplus, the text."""
    treasurer = _fund_person(treasurer, place, field="treasurer")
    ids = approvers if isinstance(approvers, list | tuple | set) else [approvers]
    ids = [as_id(a) for a in ids if a not in (None, "")]
    if not ids:
        raise Invalid({"approvers": _("Name at least one approver.")})
    if len(set(ids)) > MAX_APPROVERS:
        raise Invalid({"approvers": _("At most %(n)d approvers.") % {"n": MAX_APPROVERS}})
    if None in ids:
        raise Invalid(
            {"approvers": _("Choose a person of this scope's staff or owners' committee.")}
        )
    people = [_fund_person(a, place, field="approvers") for a in dict.fromkeys(ids)]
    if surplus not in Surplus.values:
        raise Invalid({"surplus": _("Choose what happens to money above the goal.")})
    return {
        "treasurer": treasurer,
        "approvers": people,
        "confirm_above_fen": clean_fen(
            confirm_above_fen, field="confirm_above_fen", allow_zero=True
        ),
        "two_approvals_above_fen": clean_fen(
            two_approvals_above_fen, field="two_approvals_above_fen", allow_zero=True
        ),
        "surplus": surplus,
        "rules_text": clean_text(rules_text, field="rules_text", max_length=4000),
    }


def _open(campaign):
    if campaign.status != CampaignStatus.OPEN:
        raise Conflict(_("This campaign is no longer open."), code="wrong_status")


def _fresh(campaign) -> Campaign:
    """The campaign locked: every write starts here."""
    return ledger.locked_campaign(campaign.pk)


# --- The campaign and its rules -----------------------------------------------------------------


@transaction.atomic
def open_campaign(
    *,
    user,
    project,
    title: str,
    goal_fen,
    deadline,
    treasurer,
    approvers,
    confirm_above_fen=100_000,
    two_approvals_above_fen=200_000,
    surplus=Surplus.KEEP,
    rules_text: str = "",
) -> Campaign:
    """众筹: a manager of the project's scope opens its one campaign (the project approved or
    raising funds) with the goal, the deadline and the fund rules."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    rules.require(rules.can_manage(user, project))
    if project.stage not in FUNDED_STAGES:
        raise Conflict(_("A campaign is opened for an approved project."), code="wrong_stage")
    if Campaign.objects.filter(project=project).exists():
        raise Conflict(_("This project has a campaign already."), code="campaign_exists")
    title = clean_text(title, field="title", max_length=120, required=_("Give the title."))
    goal = clean_fen(goal_fen, field="goal_fen")
    day = clean_day(deadline, field="deadline", required=_("Give the last day of pledges."))
    if day < timezone.localdate():
        raise Invalid({"deadline": _("Give a day from today on.")})
    fund = _rules(
        project.place,
        treasurer=treasurer,
        approvers=approvers,
        confirm_above_fen=confirm_above_fen,
        two_approvals_above_fen=two_approvals_above_fen,
        surplus=surplus,
        rules_text=rules_text,
    )
    people = fund.pop("approvers")
    campaign = Campaign.objects.create(
        project=project,
        place=project.place,
        path=project.path,
        title=title,
        goal_fen=goal,
        deadline=day,
        created_by=user,
        **fund,
    )
    campaign.approvers.set(people)
    audit.record(
        actor=user,
        verb="projects.campaign_open",
        obj=campaign,
        data={"project": project.pk, "goal_fen": goal, "deadline": day.isoformat()},
    )
    return campaign


@transaction.atomic
def set_rules(
    *,
    user,
    campaign,
    treasurer,
    approvers,
    confirm_above_fen,
    two_approvals_above_fen,
    surplus,
    rules_text: str = "",
) -> Campaign:
    """The fund rules change only before the first payment: money paid under one set of rules is
    spent under the same."""
    campaign = _fresh(campaign)
    rules.require(rules.can_manage(user, campaign))
    _open(campaign)
    if Payment.objects.filter(campaign=campaign).exists():
        raise Conflict(
            _("The fund rules cannot change once a payment is recorded."), code="rules_locked"
        )
    fund = _rules(
        campaign.place,
        treasurer=treasurer,
        approvers=approvers,
        confirm_above_fen=confirm_above_fen,
        two_approvals_above_fen=two_approvals_above_fen,
        surplus=surplus,
        rules_text=rules_text,
    )
    people = fund.pop("approvers")
    for name, value in fund.items():
        setattr(campaign, name, value)
    campaign.save(update_fields=list(fund))
    campaign.approvers.set(people)
    audit.record(
        actor=user,
        verb="projects.campaign_rules",
        obj=campaign,
        data={
            "treasurer": campaign.treasurer_id,
            "approvers": sorted(p.pk for p in people),
            "confirm_above_fen": campaign.confirm_above_fen,
            "two_approvals_above_fen": campaign.two_approvals_above_fen,
            "surplus": campaign.surplus,
        },
    )
    return campaign


# --- Pledges --------------------------------------------------------------------------------------


def my_households(user, campaign):
    """The households in the campaign's scope where the user lives (verified)."""
    homes = [h for h in rules.homes(user) if h.startswith(campaign.path)]
    if not homes:
        return Household.objects.none()
    return Household.objects.filter(
        path__in=homes,
        residencies__user=user,
        residencies__status=ResidencyStatus.VERIFIED,
    ).distinct()


def _household_for(user, campaign, household_id) -> Household:
    mine = list(my_households(user, campaign).order_by("path"))
    rules.require(bool(mine), _("Only households of this campaign's scope pledge."))
    if household_id in (None, "") and len(mine) == 1:
        return mine[0]
    found = next((h for h in mine if h.pk == as_id(household_id)), None)
    if found is None:
        raise Invalid({"household": _("Choose your household.")})
    return found


def _pledge_open(campaign):
    _open(campaign)
    if timezone.localdate() > campaign.deadline:
        raise Conflict(_("Pledges closed on the campaign's last day."), code="deadline_passed")


def _recount_pledged(campaign):
    total = campaign.pledges.filter(status=PledgeStatus.LIVE).aggregate(s=Sum("amount_fen"))["s"]
    campaign.pledged_fen = total or 0
    campaign.save(update_fields=["pledged_fen"])


@transaction.atomic
def pledge(*, user, campaign, amount_fen, show_name=False, household=None) -> Pledge:
    """认捐: a resident pledges for their household (one live pledge a household; pledging again
    changes it), with the name shown on the public account or not."""
    campaign = _fresh(campaign)
    home = _household_for(user, campaign, household)
    _pledge_open(campaign)
    amount = clean_fen(amount_fen, field="amount_fen")
    show = bool(show_name)
    found = (
        Pledge.objects.select_for_update()
        .filter(campaign=campaign, household=home, status=PledgeStatus.LIVE)
        .first()
    )
    if found is None:
        found = Pledge.objects.create(
            campaign=campaign, household=home, user=user, amount_fen=amount, show_name=show
        )
    else:
        found.amount_fen, found.show_name, found.user = amount, show, user
        found.save(update_fields=["amount_fen", "show_name", "user"])
    _recount_pledged(campaign)
    audit.record(
        actor=user,
        verb="projects.pledge",
        obj=found,
        data={"campaign": campaign.pk, "amount_fen": amount, "show_name": show},
        scope_path=campaign.path,
    )
    return found


@transaction.atomic
def withdraw_pledge(*, user, campaign, household=None) -> Pledge:
    """A household takes its pledge back while the campaign is open, before its last day."""
    campaign = _fresh(campaign)
    home = _household_for(user, campaign, household)
    _pledge_open(campaign)
    found = (
        Pledge.objects.select_for_update()
        .filter(campaign=campaign, household=home, status=PledgeStatus.LIVE)
        .first()
    )
    if found is None:
        raise Conflict(_("Your household has no pledge here."), code="no_pledge")
    found.status = PledgeStatus.WITHDRAWN
    found.save(update_fields=["status"])
    _recount_pledged(campaign)
    audit.record(
        actor=user,
        verb="projects.pledge_withdraw",
        obj=found,
        data={"campaign": campaign.pk, "amount_fen": found.amount_fen},
        scope_path=campaign.path,
    )
    return found


# --- Payments -------------------------------------------------------------------------------------


def _income(campaign, payment, *, by):
    return ledger.post(
        campaign=campaign,
        kind=EntryKind.INCOME,
        amount=payment.amount_fen,
        key=f"payment:{payment.pk}:income",
        payment=payment,
        household_id=payment.household_id,
        recorded_by=payment.recorded_by,
        approved_by=by,
    )


@transaction.atomic
def record_payment(
    *, user, campaign, household, amount_fen, method, paid_on, reference: str = "", key: str = ""
) -> Payment:
    """The treasurer records money a household paid (cash, transfer or the payment QR: never
    through us), once per key. At or below the rules' threshold it counts at once; above, it
    waits for a second person."""
    campaign = _fresh(campaign)
    rules.require(
        rules.is_treasurer(user, campaign), _("Only the fund's treasurer records payments.")
    )
    key = clean_key(key, f"payment:{user.pk}")
    replay = Payment.objects.filter(key=key).first()
    if replay is not None:
        return _same_payment(replay, campaign, household, amount_fen)
    _open(campaign)
    home = Household.objects.filter(pk=as_id(household), path__startswith=campaign.path).first()
    if home is None:
        raise Invalid({"household": _("Choose a household of the campaign's scope.")})
    amount = clean_fen(amount_fen, field="amount_fen")
    if method not in PaymentMethod.values:
        raise Invalid({"method": _("Choose how it was paid.")})
    day = clean_day(paid_on, field="paid_on", required=_("Give the day it was paid."))
    if day > timezone.localdate():
        raise Invalid({"paid_on": _("Give a day up to today.")})
    reference = clean_text(reference, field="reference", max_length=80)
    live = Pledge.objects.filter(campaign=campaign, household=home, status=PledgeStatus.LIVE)
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                campaign=campaign,
                household=home,
                pledge=live.first(),
                amount_fen=amount,
                method=method,
                reference=reference,
                paid_on=day,
                key=key,
                recorded_by=user,
            )
    except IntegrityError as exc:
        if not violated(
            exc, "payment_key_once", still_there=Payment.objects.filter(key=key).exists
        ):
            raise
        return _same_payment(Payment.objects.get(key=key), campaign, home.pk, amount)
    if amount <= campaign.confirm_above_fen:
        payment.status = PaymentStatus.CONFIRMED
        payment.confirmed_at = timezone.now()
        payment.save(update_fields=["status", "confirmed_at"])
        _income(campaign, payment, by=None)
    audit.record(
        actor=user,
        verb="projects.payment_record",
        obj=payment,
        data={
            "campaign": campaign.pk,
            "household": home.pk,
            "amount_fen": amount,
            "status": payment.status,
        },
    )
    return payment


def _same_payment(payment, campaign, household, amount_fen):
    """A repeated key: the payment it recorded, if the figures are the same."""
    if (payment.campaign_id, payment.household_id, payment.amount_fen) != (
        campaign.pk,
        as_id(household),
        as_id(amount_fen),
    ):
        raise Conflict(
            _("This payment was recorded already with other figures."), code="key_reused"
        )
    return payment


def _pending(campaign, payment) -> Payment:
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status != PaymentStatus.PENDING:
        raise Conflict(_("This payment was decided already."), code="wrong_status")
    return payment


@transaction.atomic
def confirm_payment(*, user, payment) -> Payment:
    """The second person (an approver or a manager, never the recorder) confirms a payment
    above the threshold: its income entry is written, once even if two confirm at once."""
    campaign = _fresh(payment.campaign)
    payment = _pending(campaign, payment)
    payment.campaign = campaign
    rules.require(rules.can_confirm_payment(user, payment))
    _open(campaign)
    payment.status = PaymentStatus.CONFIRMED
    payment.confirmed_by = user
    payment.confirmed_at = timezone.now()
    payment.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    _income(campaign, payment, by=user)
    audit.record(
        actor=user,
        verb="projects.payment_confirm",
        obj=payment,
        data={"campaign": campaign.pk, "amount_fen": payment.amount_fen},
    )
    return payment


@transaction.atomic
def reject_payment(*, user, payment, reason: str) -> Payment:
    """The second person says the money did not arrive (or not this much): nothing counts."""
    campaign = _fresh(payment.campaign)
    payment = _pending(campaign, payment)
    payment.campaign = campaign
    rules.require(rules.can_confirm_payment(user, payment))
    reason = clean_text(reason, field="reason", max_length=300, required=_("Give the reason."))
    payment.status = PaymentStatus.REJECTED
    payment.reject_reason = reason
    payment.save(update_fields=["status", "reject_reason"])
    audit.record(
        actor=user,
        verb="projects.payment_reject",
        obj=payment,
        data={"campaign": campaign.pk, "reason": reason},
    )
    return payment


# --- Expenses -------------------------------------------------------------------------------------


def may_request_expense(user, campaign) -> bool:
    return rules.is_treasurer(user, campaign) or rules.can_manage(user, campaign)


@transaction.atomic
def request_expense(
    *, user, campaign, payee: str, purpose: str, amount_fen, spent_on, receipt=None
) -> Expense:
    """支出: the treasurer (or a manager) asks to pay from the fund, with the receipt photo; it is
    paid once the approvers the rules ask for approve (two above the threshold)."""
    campaign = _fresh(campaign)
    rules.require(may_request_expense(user, campaign))
    if campaign.status == CampaignStatus.CANCELLED:
        raise Conflict(_("This campaign was cancelled."), code="wrong_status")
    payee = clean_text(payee, field="payee", max_length=120, required=_("Say who is paid."))
    purpose = clean_text(purpose, field="purpose", max_length=300, required=_("Say what for."))
    amount = clean_fen(amount_fen, field="amount_fen")
    day = clean_day(spent_on, field="spent_on", required=_("Give the day of the spending."))
    needed = 2 if amount > campaign.two_approvals_above_fen else 1
    others = campaign.approvers.exclude(pk=user.pk).count()
    if others < needed:
        raise Invalid(
            {
                "amount_fen": _(
                    "The fund rules name too few approvers (besides you) for this amount."
                )
            }
        )
    photo = uploads.clean_photo(receipt, field="receipt") if receipt else None
    expense = Expense(
        campaign=campaign,
        payee=payee,
        purpose=purpose,
        amount_fen=amount,
        spent_on=day,
        approvals_needed=needed,
        requested_by=user,
    )
    if photo is not None:
        expense.receipt.save(photo.name, photo, save=False)
    expense.save()
    audit.record(
        actor=user,
        verb="projects.expense_request",
        obj=expense,
        data={"campaign": campaign.pk, "amount_fen": amount, "approvals_needed": needed},
    )
    return expense


def _requested(expense) -> Expense:
    expense = Expense.objects.select_for_update().get(pk=expense.pk)
    if expense.status != ExpenseStatus.REQUESTED:
        raise Conflict(_("This expense was decided already."), code="wrong_status")
    return expense


def may_approve(user, expense) -> bool:
    return rules.is_approver(user, expense.campaign) and user.pk != expense.requested_by_id


@transaction.atomic
def approve_expense(*, user, expense) -> Expense:
    """An approver (not the requester, each once) approves; the last approval the rules ask for
    pays it out of the balance — a 409 that says the balance when the fund cannot pay it."""
    campaign = _fresh(expense.campaign)
    expense = _requested(expense)
    expense.campaign = campaign
    rules.require(may_approve(user, expense), _("Only the fund's approvers, not the requester."))
    if campaign.status == CampaignStatus.CANCELLED:
        raise Conflict(_("This campaign was cancelled."), code="wrong_status")
    if expense.approvals.filter(approver=user).exists():
        raise Conflict(_("You approved this expense already."), code="approved_already")
    ExpenseApproval.objects.create(expense=expense, approver=user)
    given = expense.approvals.count()
    if given >= expense.approvals_needed:
        ledger.post(
            campaign=campaign,
            kind=EntryKind.EXPENSE,
            amount=expense.amount_fen,
            key=f"expense:{expense.pk}",
            expense=expense,
            recorded_by=expense.requested_by,
            approved_by=user,
            note=expense.purpose,
        )
        expense.status = ExpenseStatus.PAID
        expense.decided_at = timezone.now()
        expense.save(update_fields=["status", "decided_at"])
    audit.record(
        actor=user,
        verb="projects.expense_approve",
        obj=expense,
        data={"campaign": campaign.pk, "approvals": given, "paid": expense.status == "paid"},
    )
    return expense


@transaction.atomic
def reject_expense(*, user, expense, reason: str) -> Expense:
    campaign = _fresh(expense.campaign)
    expense = _requested(expense)
    expense.campaign = campaign
    rules.require(
        may_approve(user, expense) or rules.can_manage(user, campaign),
        _("Only the fund's approvers or its managers."),
    )
    reason = clean_text(reason, field="reason", max_length=300, required=_("Give the reason."))
    expense.status = ExpenseStatus.REJECTED
    expense.reject_reason = reason
    expense.decided_at = timezone.now()
    expense.save(update_fields=["status", "reject_reason", "decided_at"])
    audit.record(
        actor=user,
        verb="projects.expense_reject",
        obj=expense,
        data={"campaign": campaign.pk, "reason": reason},
    )
    return expense


# --- Closing and cancelling -----------------------------------------------------------------------


def _refund(campaign, payment, amount, *, by, why: str, key: str):
    entry = ledger.post(
        campaign=campaign,
        kind=EntryKind.REFUND,
        amount=amount,
        key=key,
        payment=payment,
        household_id=payment.household_id,
        recorded_by=by,
        approved_by=by,
        note=why,
    )
    Payment.objects.filter(pk=payment.pk).update(refunded_fen=payment.refunded_fen + amount)
    return entry


def _refundable(campaign):
    """Confirmed payments with money left to refund, latest first (the last in are the first
    out when the fund holds more than its goal)."""
    return (
        Payment.objects.select_for_update()
        .filter(campaign=campaign, status=PaymentStatus.CONFIRMED)
        .order_by("-paid_on", "-recorded_at", "-id")
    )


@transaction.atomic
def close_campaign(*, user, campaign) -> Campaign:
    """After the last day a manager closes the campaign; when the rules say so, the money above
    the goal is refunded, latest payments first."""
    campaign = _fresh(campaign)
    rules.require(rules.can_manage(user, campaign))
    _open(campaign)
    if timezone.localdate() <= campaign.deadline:
        raise Conflict(_("A campaign closes after its last day."), code="too_early")
    if Payment.objects.filter(campaign=campaign, status=PaymentStatus.PENDING).exists():
        raise Conflict(_("Confirm or reject the waiting payments first."), code="payments_pending")
    refunded = 0
    if campaign.surplus == Surplus.REFUND:
        over = min(
            campaign.income_fen - campaign.refund_fen - campaign.goal_fen, campaign.balance_fen
        )
        for payment in _refundable(campaign):
            if over <= 0:
                break
            amount = min(over, payment.amount_fen - payment.refunded_fen)
            if amount <= 0:
                continue
            _refund(
                campaign,
                payment,
                amount,
                by=user,
                why=_("Above the goal, refunded"),
                key=f"campaign:{campaign.pk}:surplus:{payment.pk}",
            )
            over -= amount
            refunded += amount
    campaign.status = CampaignStatus.CLOSED
    campaign.closed_at = timezone.now()
    campaign.save(update_fields=["status", "closed_at"])
    audit.record(
        actor=user,
        verb="projects.campaign_close",
        obj=campaign,
        data={"income_fen": campaign.income_fen, "refunded_fen": refunded},
    )
    return campaign


@transaction.atomic
def cancel_campaign(*, user, campaign, reason: str) -> Campaign:
    """A manager cancels the campaign with the reason: every confirmed payment is refunded in
    full, waiting payments and expenses are rejected. Refused once an expense is paid."""
    campaign = _fresh(campaign)
    rules.require(rules.can_manage(user, campaign))
    if campaign.status == CampaignStatus.CANCELLED:
        raise Conflict(_("This campaign was cancelled already."), code="wrong_status")
    reason = clean_text(reason, field="reason", max_length=300, required=_("Give the reason."))
    if Expense.objects.filter(campaign=campaign, status=ExpenseStatus.PAID).exists():
        raise Conflict(
            _("Money was spent from this fund: it can no longer be cancelled."), code="spent"
        )
    refunded = 0
    for payment in _refundable(campaign):
        amount = payment.amount_fen - payment.refunded_fen
        if amount > 0:
            _refund(
                campaign,
                payment,
                amount,
                by=user,
                why=_("Campaign cancelled, refunded"),
                key=f"campaign:{campaign.pk}:cancel:{payment.pk}",
            )
            refunded += amount
    now = timezone.now()
    Payment.objects.filter(campaign=campaign, status=PaymentStatus.PENDING).update(
        status=PaymentStatus.REJECTED, reject_reason=reason
    )
    Expense.objects.filter(campaign=campaign, status=ExpenseStatus.REQUESTED).update(
        status=ExpenseStatus.REJECTED, reject_reason=reason, decided_at=now
    )
    campaign.status = CampaignStatus.CANCELLED
    campaign.cancel_reason = reason
    campaign.closed_at = now
    campaign.save(update_fields=["status", "cancel_reason", "closed_at"])
    audit.record(
        actor=user,
        verb="projects.campaign_cancel",
        obj=campaign,
        data={"reason": reason, "refunded_fen": refunded},
    )
    return campaign
