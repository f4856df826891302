"""Forms of the crowdfunding staff desk (公益众筹, 众筹资金管理办法): opening a campaign with its
fund rules, changing the rules, recording a payment (with a hidden one-time key, so a double
submit records once), asking for an expense with its receipt photo, and the reasons of a
rejection or a cancellation. Amounts are typed in yuan and become fen exactly (Decimal); what
is allowed is the services' to decide, and their errors land on the field they name."""

import uuid
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linju.core.forms import DayInput, apply_domain_error
from linju.people.forms_households import IdChoiceField

from .models import PaymentMethod, Surplus
from .money import YuanField


def fresh_key() -> str:
    """A page's idempotency key: the same form sent twice records once."""
    return uuid.uuid4().hex


def _day(label):
    return forms.DateField(label=label, widget=DayInput())


class DeskForm(forms.Form):
    """A form a service fills with its errors: NAMES maps the service's fields to the form's,
    CONFLICTS the codes of a 409 that belongs next to a field (None: the form as a whole)."""

    NAMES: dict = {}
    CONFLICTS: dict = {}

    def apply_error(self, exc) -> None:
        code = getattr(exc, "code", "")
        if code in self.CONFLICTS:
            field = self.CONFLICTS[code]
            self.add_error(field if field in self.fields else None, str(exc.message))
            return
        apply_domain_error(self, exc, self.NAMES)


class RulesForm(DeskForm):
    """众筹资金管理办法: who keeps the money, who approves spending, the thresholds, the surplus."""

    treasurer = IdChoiceField(label=_("Treasurer (records payments)"))
    approvers = forms.TypedMultipleChoiceField(
        label=_("Who approves spending"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    confirm_above = YuanField(
        label=_("A second person confirms payments above (yuan)"), allow_zero=True
    )
    two_approvals_above = YuanField(
        label=_("Two approvals for expenses above (yuan)"), allow_zero=True
    )
    surplus = forms.ChoiceField(label=_("Money above the goal"), choices=Surplus.choices)
    rules_text = forms.CharField(
        label=_("Fund rules"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    NAMES = {
        "confirm_above_fen": "confirm_above",
        "two_approvals_above_fen": "two_approvals_above",
    }
    CONFLICTS = {"rules_locked": None, "wrong_status": None}

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(p.pk, p.name or p.mobile) for p in people]
        self.fields["treasurer"].choices = [("", _("Choose…")), *choices]
        self.fields["approvers"].choices = choices

    def rules(self) -> dict:
        """The cleaned data as services_funds takes the rules."""
        data = self.cleaned_data
        return {
            "treasurer": data["treasurer"],
            "approvers": data["approvers"],
            "confirm_above_fen": data["confirm_above"],
            "two_approvals_above_fen": data["two_approvals_above"],
            "surplus": data["surplus"],
            "rules_text": data["rules_text"],
        }

    @classmethod
    def initial_of(cls, campaign) -> dict:
        return {
            "treasurer": campaign.treasurer_id,
            "approvers": [p.pk for p in campaign.approvers.all()],
            "confirm_above": f"{Decimal(campaign.confirm_above_fen) / 100:.2f}",
            "two_approvals_above": f"{Decimal(campaign.two_approvals_above_fen) / 100:.2f}",
            "surplus": campaign.surplus,
            "rules_text": campaign.rules_text,
        }


class OpenCampaignForm(RulesForm):
    """众筹: a campaign on one project: its title, goal and last day of pledges, and the rules."""

    title = forms.CharField(label=_("Title"), max_length=120)
    goal = YuanField(label=_("Goal (yuan)"))
    deadline = _day(_("Pledges until"))

    field_order = ["title", "goal", "deadline"]
    NAMES = {**RulesForm.NAMES, "goal_fen": "goal"}
    CONFLICTS = {"wrong_stage": None, "campaign_exists": None}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("confirm_above", "1000.00")
            self.initial.setdefault("two_approvals_above", "2000.00")
            self.initial.setdefault("surplus", Surplus.KEEP)


class PaymentForm(DeskForm):
    """A payment a household made (cash, transfer or the payment QR), as the treasurer records
    it; the hidden key makes a double submit record once."""

    household = IdChoiceField(label=_("Household"))
    amount = YuanField(label=_("Amount (yuan)"))
    method = forms.ChoiceField(label=_("Paid by"), choices=PaymentMethod.choices)
    reference = forms.CharField(
        label=_("Receipt or transfer number"), max_length=80, required=False
    )
    paid_on = _day(_("Paid on"))
    key = forms.CharField(widget=forms.HiddenInput, max_length=80, required=False)

    NAMES = {"amount_fen": "amount", "key": "__all__"}
    CONFLICTS = {"key_reused": None, "wrong_status": None}

    def __init__(self, *args, households=(), **kwargs):
        kwargs.setdefault("auto_id", "pay_%s")  # ids unique beside the desk's other forms
        super().__init__(*args, **kwargs)
        self.fields["household"].choices = [("", _("Choose…")), *households]
        if not self.is_bound:
            self.initial.setdefault("key", fresh_key())
            self.initial.setdefault("paid_on", timezone.localdate())


class RoomSearchForm(forms.Form):
    """Find a household of the campaign's scope by its room number."""

    room = forms.CharField(label=_("Room number"), max_length=20, required=False)


class ExpenseForm(DeskForm):
    """支出: to whom, for what, how much, when, with the receipt photo."""

    payee = forms.CharField(label=_("Payee"), max_length=120)
    purpose = forms.CharField(label=_("Purpose"), max_length=300)
    amount = YuanField(label=_("Amount (yuan)"))
    spent_on = _day(_("Spent on"))
    receipt = forms.FileField(
        label=_("Receipt photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )

    NAMES = {"amount_fen": "amount"}
    CONFLICTS = {"wrong_status": None}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "expense_%s")
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("spent_on", timezone.localdate())


class ReasonForm(DeskForm):
    """Why a payment or an expense is rejected, or the campaign cancelled."""

    reason = forms.CharField(label=_("Reason"), max_length=300)

    CONFLICTS = {"wrong_status": None, "spent": None}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "cancel_%s")
        super().__init__(*args, **kwargs)
