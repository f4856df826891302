"""Forms of the settings pages (resident representatives, support thresholds). They shape input
for services_settings and carry its errors back to the field that was wrong; who may be
appointed and which places take a threshold are the service's to decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from linju.core.forms import DayInput, apply_domain_error
from linju.people.forms_households import IdChoiceField


class ServiceForm(forms.Form):
    def apply_error(self, exc) -> None:
        apply_domain_error(self, exc)


def _date_field(label, help_text=""):
    return forms.DateField(
        label=label,
        required=False,
        help_text=help_text,
        widget=DayInput(),
    )


class CandidateSearchForm(forms.Form):
    """The person picker: residents of one community, found by mobile or name."""

    community = forms.IntegerField(widget=forms.HiddenInput)
    q = forms.CharField(
        label=_("Mobile or name"),
        max_length=50,
        error_messages={"required": _("Type part of a mobile number or a name.")},
    )


class AppointForm(ServiceForm):
    community_id = forms.IntegerField(widget=forms.HiddenInput)
    user_id = forms.IntegerField(widget=forms.HiddenInput)
    since = _date_field(_("Serving from"), _("Empty: today."))

    def apply_error(self, exc) -> None:
        # The picked person and community are hidden: their errors go on top of the form.
        if getattr(exc, "errors", None):
            for field, messages in exc.errors.items():
                for message in messages:
                    self.add_error(field if field == "since" else None, message)
            return
        self.add_error(None, str(exc.message))


class EndForm(ServiceForm):
    representative_id = forms.IntegerField(widget=forms.HiddenInput)
    until = _date_field(_("Last day"), _("Empty: today."))

    def apply_error(self, exc) -> None:
        if getattr(exc, "errors", None):
            for field, messages in exc.errors.items():
                for message in messages:
                    self.add_error(field if field == "until" else None, message)
            return
        self.add_error(None, str(exc.message))


class SupportRuleForm(ServiceForm):
    place_id = IdChoiceField(
        label=_("Place"),
        help_text=_("The rule applies to the place and to the places below it without one."),
        error_messages={"required": _("Choose a unit, building, estate or community.")},
    )
    households = forms.IntegerField(
        label=_("Households"),
        required=False,
        min_value=1,
        max_value=1_000_000,
        help_text=_("Support from at least this many households."),
    )
    percent = forms.IntegerField(
        label=_("Percent of the households"),
        required=False,
        min_value=1,
        max_value=100,
        help_text=_("With both, the larger applies."),
    )

    def __init__(self, *args, places=(), labels=None, **kwargs):
        super().__init__(*args, **kwargs)
        labels = labels or {}
        self.fields["place_id"].choices = [("", "—")] + [
            (p.pk, f"{labels.get(p.pk, p.name)} · {p.get_kind_display()}") for p in places
        ]


class ClearRuleForm(ServiceForm):
    place_id = forms.IntegerField(widget=forms.HiddenInput)

    def apply_error(self, exc) -> None:
        messages = [m for ms in getattr(exc, "errors", {}).values() for m in ms]
        for message in messages or [str(exc.message)]:
            self.add_error(None, message)
