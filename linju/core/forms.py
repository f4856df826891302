"""Core forms: domain errors onto form fields (so pages name the field that was wrong), and the
forms of the core pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .errors import DomainError, Invalid


def apply_domain_error(form, exc: DomainError) -> None:
    if isinstance(exc, Invalid):
        for field, messages in exc.errors.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))


# --- Core pages (notification preferences, audit filter) ---------------------------------------


class NotificationPreferenceForm(forms.Form):
    email = forms.BooleanField(label=_("Also send my messages by e-mail"), required=False)
    webhook = forms.BooleanField(label=_("Also send my messages by SMS / WeChat"), required=False)
    muted_kinds = forms.MultipleChoiceField(
        label=_("Never send me these kinds of message"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["muted_kinds"].choices = list(kinds)


class AuditFilterForm(forms.Form):
    actor_mobile = forms.CharField(label=_("Actor's mobile number"), max_length=11, required=False)
    verb = forms.CharField(label=_("Action"), max_length=60, required=False)
    object_type = forms.CharField(label=_("Object type"), max_length=60, required=False)
    object_id = forms.CharField(label=_("Object id"), max_length=40, required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return data
