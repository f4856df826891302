"""Forms of the meeting pages. They shape input for services_meetings and carry the services'
errors back to the field that was wrong; which place, which topics, who is invited and when a
notice may go out are the services' to decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from linju.core.forms import apply_domain_error
from linju.people.forms_households import IdChoiceField
from linju.people.roles import GRANTABLE_ROLES

from .models import MeetingStatus, Rsvp

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class ServiceForm(forms.Form):
    def apply_error(self, exc) -> None:
        apply_domain_error(self, exc)


def _when_field(label, required=True, help_text=""):
    # A phone's date-and-time picker gives local wall time; Django reads it in the current
    # time zone (Asia/Shanghai by default) and the service stores it in UTC.
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT),
    )


class MeetingForm(ServiceForm):
    """A new meeting (kind and place chosen once), or the changeable part of one."""

    kind = forms.ChoiceField(label=_("Kind of meeting"))
    place = IdChoiceField(
        label=_("Where it belongs"),
        help_text=_("The unit, building, estate or community whose meeting it is."),
        error_messages={"required": _("Choose a unit, building, estate or community.")},
    )
    title = forms.CharField(label=_("Title"), max_length=120)
    starts_at = _when_field(_("Starts at"))
    ends_at = _when_field(_("Ends at (optional)"), required=False)
    venue = forms.CharField(label=_("Venue"), max_length=120)
    quorum_numerator = forms.IntegerField(
        label=_("Quorum: at least … (numerator)"), min_value=0, max_value=1000, required=False
    )
    quorum_denominator = forms.IntegerField(
        label=_("… of the invitees (denominator)"),
        min_value=1,
        max_value=1000,
        required=False,
        help_text=_("E.g. 2 and 3 for two thirds. Leave both empty for the kind's quorum."),
    )

    def __init__(self, *args, kinds=(), places=(), place_labels=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["kind"]
            del self.fields["place"]
            return
        labels = place_labels or {}
        self.fields["kind"].choices = [("", "—")] + [(k.code, _kind_label(k)) for k in kinds]
        self.fields["place"].choices = [("", "—")] + [
            (p.pk, f"{labels.get(p.pk, p.name)} · {p.get_kind_display()}") for p in places
        ]


def _kind_label(kind) -> str:
    return _("%(name)s (%(days)s days of notice)") % {"name": kind.name, "days": kind.notice_days}


class TopicForm(ServiceForm):
    topic = forms.IntegerField(widget=forms.HiddenInput)


class AgendaAddForm(ServiceForm):
    topic_id = IdChoiceField(label=_("Topic"), error_messages={"required": _("Choose a topic.")})

    def __init__(self, *args, topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic_id"].choices = [("", "—")] + [
            (t.pk, f"#{t.pk} {t.title}") for t in topics
        ]


class InviteRolesForm(ServiceForm):
    roles = forms.MultipleChoiceField(
        label=_("Holders of these roles in or above this place"),
        choices=[(r.value, r.label) for r in GRANTABLE_ROLES],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one role.")},
    )


class InviteListForm(ServiceForm):
    mobiles = forms.CharField(
        label=_("Mobile numbers, one a line"),
        widget=forms.Textarea(attrs={"rows": 3, "inputmode": "tel"}),
        max_length=20000,
        error_messages={"required": _("Give at least one mobile number.")},
    )

    def clean_mobiles(self):
        lines = [line.strip() for line in self.cleaned_data["mobiles"].splitlines()]
        return [line for line in lines if line]

    def apply_error(self, exc) -> None:
        # The service names the ids it refused; the page asked for mobile numbers.
        if getattr(exc, "errors", None) and "user_ids" in exc.errors:
            for message in exc.errors["user_ids"]:
                self.add_error("mobiles", message)
            return
        apply_domain_error(self, exc)


class TickForm(ServiceForm):
    user = forms.IntegerField(widget=forms.HiddenInput)
    present = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1", widget=forms.HiddenInput
    )


class MinutesForm(ServiceForm):
    """The minutes and, per agenda topic, what was decided (empty: nothing decided on it)."""

    minutes = forms.CharField(
        label=_("Minutes"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
        error_messages={"required": _("Write the minutes.")},
    )

    def __init__(self, *args, agenda=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.topic_fields = []
        for item in agenda:
            name = f"decision_{item.topic_id}"
            self.fields[name] = forms.CharField(
                label=_("Decision on “%(title)s” (optional)") % {"title": item.topic.title},
                widget=forms.Textarea(attrs={"rows": 2}),
                max_length=5000,
                required=False,
            )
            self.topic_fields.append((item.topic_id, name))
        self.sent = []  # field names in the order their decisions were sent

    def decisions(self) -> list[dict]:
        out = []
        self.sent = []
        for topic_id, name in self.topic_fields:
            text = (self.cleaned_data.get(name) or "").strip()
            if text:
                out.append({"topic_id": topic_id, "text": text})
                self.sent.append(name)
        return out

    def apply_error(self, exc) -> None:
        errors = getattr(exc, "errors", None) or {}
        for key, messages in errors.items():
            if key.startswith("decisions."):
                index = key.split(".")[1]
                if index.isdigit() and int(index) < len(self.sent):
                    for message in messages:
                        self.add_error(self.sent[int(index)], message)
                    continue
            for message in messages:
                self.add_error(key if key in self.fields else None, message)
        if not errors:
            apply_domain_error(self, exc)


class ReasonForm(ServiceForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        error_messages={"required": _("Say why the meeting is cancelled.")},
    )


class RsvpForm(ServiceForm):
    answer = forms.ChoiceField(
        label=_("Will you come?"),
        choices=[
            (Rsvp.YES, Rsvp.YES.label),
            (Rsvp.NO, Rsvp.NO.label),
            (Rsvp.MAYBE, Rsvp.MAYBE.label),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Answer yes, no or maybe.")},
    )


class DeskFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *MeetingStatus.choices]
    )
    when = forms.ChoiceField(
        label=_("When"),
        required=False,
        choices=[("", _("Any time")), ("upcoming", _("Still to come")), ("past", _("Past"))],
    )
    q = forms.CharField(label=_("Title or venue"), max_length=100, required=False)


class KindForm(ServiceForm):
    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        help_text=_("Lower-case letters, digits, - and _; used by the API."),
    )
    name = forms.CharField(label=_("Name"), max_length=60)
    notice_days = forms.IntegerField(
        label=_("Days of notice"),
        min_value=0,
        max_value=365,
        help_text=_("The notice must go out at least this many days before the start."),
    )
    quorum_numerator = forms.IntegerField(
        label=_("Quorum: at least … (numerator)"), min_value=0, max_value=1000
    )
    quorum_denominator = forms.IntegerField(
        label=_("… of the invitees (denominator)"),
        min_value=1,
        max_value=1000,
        help_text=_("0 and 1: no quorum; 2 and 3: two thirds of the invitees present."),
    )
    active = forms.BooleanField(label=_("Offered for new meetings"), required=False)
