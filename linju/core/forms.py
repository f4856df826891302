"""Core forms: domain errors onto form fields (so pages name the field that was wrong), the
photos field every app's upload uses, and the forms of the core pages."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from .errors import DomainError, Forbidden, Invalid


def apply_domain_error(form, exc: DomainError, names=None) -> None:
    """A service's error onto the form: the field it names (its path's head, "options.2" →
    "options"; through `names` when the form calls it otherwise), or the form as a whole."""
    names = names or {}

    def target(path):
        head = (path or "").split(".")[0]
        field = names.get(path, names.get(head, head))
        return field if field in form.fields else None

    if isinstance(exc, Invalid):
        for path, messages in exc.errors.items():
            for message in messages:
                form.add_error(target(path), message)
    else:
        form.add_error(target(exc.field), str(exc.message))


def call_service(form, fn, names=None, **kwargs):
    """Run a service for a page: a refusal is a 403, any other domain error lands on the form
    (naming the field: the form's own `apply_error` if it has one) and, as the service ran in
    one transaction, nothing is saved; None then."""
    try:
        return fn(**kwargs)
    except Forbidden as exc:
        raise PermissionDenied(str(exc.message)) from None
    except DomainError as exc:
        if hasattr(form, "apply_error"):
            form.apply_error(exc)
        else:
            apply_domain_error(form, exc, names)
        return None


# --- Fields shared by the apps' pages -------------------------------------------------------------


class DayInput(forms.DateInput):
    """The browser's date picker. It takes and gives ISO dates only: a day rendered in the
    language's format ("2026/11/29") would show as an empty field and be lost."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input. The files pass through untouched: the service decodes and
    re-encodes each one (core.uploads) and names the one it cannot read (`photos.<n>`).
    `camera=True` asks phones to open the rear camera (the album stays one tap away)."""

    def __init__(self, *args, camera=False, **kwargs):
        attrs = {"accept": "image/*", "multiple": True}
        if camera:
            attrs["capture"] = "environment"
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        return list(data) if isinstance(data, list | tuple) else [data]


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
    date_from = forms.DateField(label=_("From"), required=False, widget=DayInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DayInput())

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return data
