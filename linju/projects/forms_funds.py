"""Forms of the crowdfunding pages: amounts typed in yuan ("12.50") become fen exactly
(Decimal, never float); a service's errors land on the field they name."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from linju.core.forms import apply_domain_error


def yuan_to_fen(text) -> int:
    """ "12.5" → 1250, exactly; at most two decimals, more than zero."""
    try:
        amount = Decimal(str(text).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("Give an amount in yuan, like 12.50.")) from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(_("Give an amount in yuan, like 12.50."))
    if amount > Decimal(10**9):
        raise ValidationError(_("The amount is too large."))
    return int(amount * 100)


class YuanField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean(self, value):
        return yuan_to_fen(super().clean(value))


class PledgeForm(forms.Form):
    """认捐: how much the household pledges, and whether its name is shown publicly."""

    amount = YuanField(label=_("Amount (yuan)"))
    show_name = forms.BooleanField(label=_("Show our name on the public account"), required=False)
    household = forms.TypedChoiceField(
        label=_("Household"), coerce=int, choices=(), required=False, empty_value=None
    )

    def __init__(self, *args, households=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].choices = [(h.pk, str(h)) for h in households]
        if len(self.fields["household"].choices) == 1:
            self.fields["household"].widget = forms.HiddenInput()
            self.fields["household"].initial = households[0].pk

    def apply_error(self, exc) -> None:
        apply_domain_error(self, exc, names={"amount_fen": "amount"})
