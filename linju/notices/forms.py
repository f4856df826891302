"""Forms of the notice board pages: compose and correct a notice, the actions on a notice's page
(a resident's objection; the publishers' publish, pin, withdraw, attachments and answers) and
the filters of the board and the desk. The services check who may do what."""

from django import forms
from django.utils.translation import gettext_lazy as _

from linju.core.forms import DayInput

from .models import NoticeKind, NoticeStatus, PrivacyCheck

# Staff write these kinds; results come from the other modules (services.publish_result).
WRITTEN_KINDS = [(k, label) for k, label in NoticeKind.choices if k != NoticeKind.RESULT]


class NoticeForm(forms.Form):
    """Compose (with the place and "pinned") or correct (without them) a notice."""

    # The choices are the places the user may publish at; any other is refused by the service
    # (create_notice checks the permission), as a tampered form deserves.
    place = forms.IntegerField(label=_("Board"), widget=forms.Select)
    kind = forms.ChoiceField(label=_("Kind"), choices=WRITTEN_KINDS, widget=forms.RadioSelect)
    title = forms.CharField(label=_("Title"), max_length=120)
    body = forms.CharField(
        label=_("Text"), max_length=10000, widget=forms.Textarea(attrs={"rows": 10})
    )
    important = forms.BooleanField(
        label=_("Important: residents confirm reading it (read receipts)"), required=False
    )
    pinned = forms.BooleanField(label=_("Pinned to the top of the board"), required=False)
    disclosure_ends_on = forms.DateField(
        label=_("Public notice: disclosure period ends on"),
        help_text=_("Residents may raise objections until this day."),
        required=False,
        widget=DayInput(),
    )
    privacy = forms.ChoiceField(
        label=_("Good deeds and uncivil behaviour: privacy check"),
        choices=PrivacyCheck.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    consent_note = forms.CharField(
        label=_("Consent"),
        help_text=_("Who consented, when and how (for instance: signed consent of 2026-11-02)."),
        max_length=300,
        required=False,
    )

    def __init__(self, *args, places=None, **kwargs):
        super().__init__(*args, **kwargs)
        if places is None:
            del self.fields["place"]
            del self.fields["pinned"]
        else:
            self.fields["place"].widget.choices = [
                (p.pk, f"{p.name} ({p.get_kind_display()})") for p in places
            ]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "title": data["title"],
            "body": data["body"],
            "important": data["important"],
            "disclosure_ends_on": data.get("disclosure_ends_on"),
            "privacy": data.get("privacy") or "",
            "consent_note": data.get("consent_note") or "",
        }


ACTIONS = ("object", "publish", "pin", "unpin", "withdraw", "attach", "detach", "answer")


class NoticeActionForm(forms.Form):
    """One form for the actions of a notice's page; its fields carry the services' names, so
    that their errors land on the field they name."""

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS], widget=forms.HiddenInput)
    text = forms.CharField(label=_("Your objection"), max_length=2000, required=False)
    reason = forms.CharField(label=_("Reason for withdrawing"), max_length=300, required=False)
    file = forms.FileField(label=_("Photo or document"), required=False)
    attachment = forms.IntegerField(required=False, widget=forms.HiddenInput)
    objection = forms.IntegerField(required=False, widget=forms.HiddenInput)
    answer = forms.CharField(label=_("Answer"), max_length=2000, required=False)


class BoardFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", ""), *NoticeKind.choices], required=False)


class DeskFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *NoticeStatus.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All")), *NoticeKind.choices], required=False
    )
