"""Forms of the residents' points pages: redeeming an item of the love supermarket (爱心超市).
They shape input for services_store and carry its errors back: a bad quantity to its field, a
refusal (not enough points, out of stock, the monthly limit) on top of the form."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from linju.core.forms import apply_domain_error

from .services_store import MAX_QUANTITY


class RedeemForm(forms.Form):
    """How many, and the request's idempotency key: made when the form is rendered, so the same
    form submitted twice (a double tap, a resend after a timeout) redeems once."""

    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=MAX_QUANTITY,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    # Without one (an old form), the service makes a fresh key.
    key = forms.CharField(max_length=80, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, max_quantity=MAX_QUANTITY, **kwargs):
        if not args or args[0] is None:
            kwargs.setdefault("initial", {}).setdefault("key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.fields["quantity"].widget.attrs["max"] = max(1, min(max_quantity, MAX_QUANTITY))

    def apply_error(self, exc) -> None:
        # The key is hidden: its error (a key used for another request) goes on top.
        apply_domain_error(self, exc, names={"key": "__all__"})
