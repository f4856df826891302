"""Forms of the crowdfunding pages: amounts typed in yuan ("12.50") become fen exactly
(Decimal, never float); a service's errors land on the field they name."""

from django import forms
from django.utils.translation import gettext_lazy as _

from linju.core.forms import apply_domain_error

from .money import YuanField


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
