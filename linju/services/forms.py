"""Forms of the assisted-service (帮办代办) and mobile desk (流动办公桌) pages. They shape input
for services.py; the services' errors come back onto the field they name (call_service)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from linju.core.forms import DayInput

from .models import HANDLING_ROLES


def _time_field(label):
    return forms.TimeField(
        label=label, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )


class RequestForm(forms.Form):
    """A resident's request: their household (when they live in several), a slot, a note."""

    household = forms.TypedChoiceField(label=_("Household"), coerce=int, choices=())
    slot = forms.TypedChoiceField(
        label=_("Slot"), coerce=int, choices=(), required=False, empty_value=None
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, households=(), slots=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].choices = [(h.pk, h.label) for h in households]
        self.fields["slot"].choices = [("", _("No appointment"))] + [
            (
                s.pk,
                f"{s.day:%Y-%m-%d} {s.starts:%H:%M}–{s.ends:%H:%M} "
                + str(_("(%(n)d free)") % {"n": s.free}),
            )
            for s in slots
        ]


class HandleForm(forms.Form):
    """A handler's step: accept, complete, decline (with a reason) or just a note."""

    ACTIONS = ("accept", "done", "decline", "note")
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reason = forms.CharField(label=_("Reason for declining"), required=False, max_length=500)


class ItemForm(forms.Form):
    place = forms.TypedChoiceField(label=_("Community"), coerce=int, choices=())
    name = forms.CharField(label=_("Item"), max_length=100)
    description = forms.CharField(
        label=_("What it does"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    materials = forms.CharField(
        label=_("Materials to bring"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    handling_role = forms.ChoiceField(label=_("Handled by"), choices=HANDLING_ROLES)
    time_limit_days = forms.IntegerField(
        label=_("Time limit (working days)"), min_value=1, max_value=60
    )

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [(p.pk, p.name) for p in places]


class ItemEditForm(forms.Form):
    """Change an item of the list, or take it off (`active` unticked)."""

    name = forms.CharField(label=_("Item"), max_length=100)
    description = forms.CharField(
        label=_("What it does"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    materials = forms.CharField(
        label=_("Materials to bring"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    handling_role = forms.ChoiceField(label=_("Handled by"), choices=HANDLING_ROLES)
    time_limit_days = forms.IntegerField(
        label=_("Time limit (working days)"), min_value=1, max_value=60
    )
    active = forms.BooleanField(label=_("Offered"), required=False)


class SlotForm(forms.Form):
    place = forms.TypedChoiceField(label=_("Community"), coerce=int, choices=())
    day = forms.DateField(label=_("Day"), widget=DayInput)
    starts = _time_field(_("From"))
    ends = _time_field(_("To"))
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=500)

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [(p.pk, p.name) for p in places]


class DeskForm(forms.Form):
    place = forms.TypedChoiceField(label=_("Estate"), coerce=int, choices=())
    day = forms.DateField(label=_("Day"), widget=DayInput)
    starts = _time_field(_("From"))
    ends = _time_field(_("To"))
    location = forms.CharField(label=_("Where"), max_length=100)
    staff = forms.CharField(label=_("Who sits there"), max_length=100, required=False)

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [(p.pk, p.name) for p in places]
