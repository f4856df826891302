"""Forms of the residents' activities pages. They shape input for the services and carry their
errors back: a bad day or number of minutes to its field, a refusal of the domain (the activity
is full, check-in opens later, the home is not verified) on top of the form. The rules are the
services' to decide."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linju.core.forms import DayInput, PhotosField
from linju.points.services import MAX_SERVICE_MINUTES

from .models import ActivityKind, Skill, Visibility


class ButtonForm(forms.Form):
    """A button that only says "do it" (sign up, join, leave, check in): no field of its own,
    so whatever the service refuses lands on top of the form."""


class KindFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *ActivityKind.choices],
    )


class PhotosForm(forms.Form):
    photos = PhotosField(label=_("Photos"))
    caption = forms.CharField(label=_("Caption (optional)"), max_length=200, required=False)


class ServiceForm(forms.Form):
    """A stretch of service for the team, to be confirmed by its leader."""

    served_on = forms.DateField(
        label=_("Day of the service"),
        widget=DayInput(),
    )
    minutes = forms.IntegerField(
        label=pgettext_lazy("service time", "Minutes"),
        min_value=1,
        max_value=MAX_SERVICE_MINUTES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    what = forms.CharField(label=_("What you did"), max_length=200)

    def __init__(self, *args, **kwargs):
        if not args or args[0] is None:
            kwargs.setdefault("initial", {}).setdefault("served_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class DecideForm(forms.Form):
    """A leader's decision on one member's service: the reason is the service's to require
    when the service is not confirmed."""

    reason = forms.CharField(
        label=_("Reason (needed to turn it down)"), max_length=300, required=False
    )


class TalentForm(forms.Form):
    """A skill one offers, what one can do with it, and who may see it. The form of a listed
    skill has no skill field: the page says which skill it edits."""

    skill = forms.ChoiceField(label=_("Skill"), choices=[("", "—"), *Skill.choices])
    note = forms.CharField(label=_("What I can do"), max_length=300, required=False)
    visibility = forms.ChoiceField(
        label=_("Who may see it"),
        choices=Visibility.choices,
        initial=Visibility.STAFF,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, fixed_skill=False, **kwargs):
        super().__init__(*args, **kwargs)
        if fixed_skill:
            del self.fields["skill"]


class TalentFilterForm(forms.Form):
    skill = forms.ChoiceField(
        label=_("Skill"), required=False, choices=[("", _("All skills")), *Skill.choices]
    )
