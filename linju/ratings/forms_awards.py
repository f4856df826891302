"""Forms of the year's awards page: a head's duties (履职尽责) and the confirmation. They carry
services_awards' errors back to the field (or, for a refusal such as "the year is not over",
to the top of the form)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linju.core.forms import apply_domain_error


class ServiceForm(forms.Form):
    def apply_error(self, exc) -> None:
        apply_domain_error(self, exc)


class HeadDutyForm(ServiceForm):
    person_id = forms.IntegerField(widget=forms.HiddenInput)
    fulfilled = forms.TypedChoiceField(
        label=_("Duties"),
        choices=[("1", _("fulfilled")), ("0", _("not fulfilled"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether the duties were fulfilled.")},
    )
    note = forms.CharField(label=pgettext_lazy("head duty", "Note"), max_length=300, required=False)

    def apply_error(self, exc) -> None:
        # The person is a hidden field: their error goes on top of the form.
        apply_domain_error(self, exc, names={"person": "__all__", "person_id": "__all__"})


class ConfirmForm(ServiceForm):
    """Nothing to fill: the button, and the service's refusal shown on top."""
