"""Forms of the ballot pages. They shape input for services_ballots and carry its errors back
to the field that was wrong; what is allowed (thresholds, scopes, who votes) is the services'
to decide."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linju.people.forms_households import IdChoiceField
from linju.places.models import Household

from .models import Electorate, Rule

MAX_PLACES = 500


class LocalDateTimeInput(forms.DateTimeInput):
    """A phone's date-and-time picker (local wall time, read in the configured time zone)."""

    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _place_label(place) -> str:
    parent = place.parent
    if place.kind == "unit" and parent is not None:
        return f"{parent.name} {place.name}"
    return place.name


class BallotForm(forms.Form):
    """A draft: the question, the scope, who votes, the rule, the options and, for custom
    rules and elevator retrofits, what they need."""

    title = forms.CharField(label=pgettext_lazy("ballot", "Question"), max_length=200)
    description = forms.CharField(
        label=_("Explanation"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    place = IdChoiceField(label=_("Scope"))
    # A procedure's stage that needs a ballot takes one of its topic (四议两公开's reviews).
    topic = IdChoiceField(label=_("Topic it decides"), required=False)
    meeting = IdChoiceField(label=_("Meeting it is held at"), required=False)
    electorate = forms.ChoiceField(label=_("Who votes"), choices=Electorate.choices)
    rule = forms.ChoiceField(label=_("Rule"), choices=Rule.choices)
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line. Leave empty for 同意 / 反对 / 弃权."),
    )
    approving = forms.IntegerField(
        label=_("Which line counts as approval"),
        required=False,
        min_value=0,
        initial=1,
        help_text=_("Its number, 1 for the first line; 0 for a choice among candidates."),
    )
    opens_at = forms.DateTimeField(
        label=_("Opens at (planned)"), required=False, widget=LocalDateTimeInput()
    )
    closes_at = forms.DateTimeField(label=_("Closes at"), widget=LocalDateTimeInput())
    secret = forms.BooleanField(
        label=_("Secret ballot: nobody sees who chose what"), required=False
    )
    changeable = forms.BooleanField(
        label=_("Voters may change their vote until closing"), required=False, initial=True
    )
    affected_rooms = forms.CharField(
        label=_("Directly affected households (elevator retrofit)"),
        required=False,
        max_length=500,
        help_text=_("Their room numbers in the unit, separated by commas, e.g. 101, 201."),
    )
    participation_numerator = forms.IntegerField(
        label=_("Participation at least (numerator)"), min_value=0, initial=0, required=False
    )
    participation_denominator = forms.IntegerField(
        label=_("… of (denominator)"), min_value=1, initial=1, required=False
    )
    approval_numerator = forms.IntegerField(
        label=_("Approval (numerator)"), min_value=0, initial=1, required=False
    )
    approval_denominator = forms.IntegerField(
        label=_("… of (denominator)"), min_value=1, initial=2, required=False
    )
    approval_strict = forms.BooleanField(
        label=_("More than (unticked: at least)"), required=False, initial=True
    )
    approval_of_electorate = forms.BooleanField(
        label=_("Approval measured against the whole electorate"), required=False
    )
    weigh_area = forms.BooleanField(label=_("By area as well as headcount"), required=False)

    CUSTOM_FIELDS = (
        "participation_numerator",
        "participation_denominator",
        "approval_numerator",
        "approval_denominator",
        "approval_strict",
        "approval_of_electorate",
        "weigh_area",
    )
    # The services' field names → this form's.
    NAMES = {"affected_households": "affected_rooms", "options": "options"}

    def __init__(self, *args, places=(), topics=(), meetings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [("", _("Choose…"))] + [
            (p.pk, _place_label(p)) for p in list(places)[:MAX_PLACES]
        ]
        self.fields["topic"].choices = [("", _("None"))] + [(t.pk, t.title) for t in topics]
        self.fields["meeting"].choices = [("", _("None"))] + [
            (m.pk, f"{m.title} ({m.starts_at:%Y-%m-%d})") for m in meetings
        ]

    def clean(self):
        data = super().clean()
        lines = [x.strip() for x in (data.get("options") or "").splitlines() if x.strip()]
        approving = data.get("approving")
        if lines:
            if approving is None:
                approving = 1
            if approving > len(lines):
                self.add_error("approving", _("There is no option with this number."))
            data["option_list"] = [
                {"label": label, "approves": i + 1 == approving} for i, label in enumerate(lines)
            ]
        else:
            data["option_list"] = None
        rooms = [
            r.strip() for r in (data.get("affected_rooms") or "").replace("，", ",").split(",")
        ]
        rooms = [r for r in rooms if r]
        data["affected_ids"] = []
        if rooms and data.get("place") and data.get("rule") == Rule.ELEVATOR:
            found = dict(
                Household.objects.filter(unit_id=data["place"], room__in=rooms).values_list(
                    "room", "pk"
                )
            )
            missing = [r for r in rooms if r not in found]
            if missing:
                self.add_error(
                    "affected_rooms",
                    _("No such room in this unit: %(rooms)s") % {"rooms": ", ".join(missing)},
                )
            data["affected_ids"] = sorted(found.values())
        return data

    def service_kwargs(self) -> dict:
        cd = self.cleaned_data
        kwargs = {
            "place_id": cd["place"],
            "title": cd["title"],
            "description": cd["description"],
            "electorate": cd["electorate"],
            "rule": cd["rule"],
            "closes_at": cd["closes_at"],
            "opens_at": cd.get("opens_at"),
            "options": cd["option_list"],
            "secret": cd["secret"],
            "changeable": cd["changeable"],
            "affected_household_ids": cd["affected_ids"],
            "topic_id": cd.get("topic"),
            "meeting_id": cd.get("meeting"),
        }
        defaults = {
            "participation_numerator": 0,
            "participation_denominator": 1,
            "approval_numerator": 1,
            "approval_denominator": 2,
        }
        for name in self.CUSTOM_FIELDS:
            value = cd.get(name)
            kwargs[name] = defaults.get(name) if value is None else value
        return kwargs

    @classmethod
    def initial_of(cls, ballot, affected_rooms="") -> dict:
        options = list(ballot.options.order_by("order"))
        approving = next((i + 1 for i, o in enumerate(options) if o.approves), 0)
        return {
            "title": ballot.title,
            "description": ballot.description,
            "place": ballot.place_id,
            "electorate": ballot.electorate,
            "rule": ballot.rule,
            "options": "\n".join(o.label for o in options),
            "approving": approving,
            "opens_at": ballot.opens_at,
            "closes_at": ballot.closes_at,
            "secret": ballot.secret,
            "changeable": ballot.changeable,
            "affected_rooms": affected_rooms,
            "topic": ballot.topic_id,
            "meeting": ballot.meeting_id,
            **{name: getattr(ballot, name) for name in cls.CUSTOM_FIELDS},
        }


# The reviews of 四议两公开 (seed 002) as custom thresholds, offered when a topic's stage needs
# its ballot: the party members' meeting (2/3 present, more than half of those due approve)
# and the resident representatives' meeting (2/3 present, more than half of those present).
PRESETS = {
    "party_review": {
        "electorate": Electorate.PARTY_MEMBERS,
        "rule": Rule.CUSTOM,
        "participation_numerator": 2,
        "participation_denominator": 3,
        "approval_numerator": 1,
        "approval_denominator": 2,
        "approval_strict": True,
        "approval_of_electorate": True,
    },
    "representatives": {
        "electorate": Electorate.REPRESENTATIVES,
        "rule": Rule.CUSTOM,
        "participation_numerator": 2,
        "participation_denominator": 3,
        "approval_numerator": 1,
        "approval_denominator": 2,
        "approval_strict": True,
        "approval_of_electorate": False,
    },
}


# Which preset a procedure's stage drafts its ballot with (defaults.py's stage codes).
STAGE_PRESETS = {"members_review": "party_review", "representatives_resolve": "representatives"}


class VoteForm(forms.Form):
    option = forms.TypedChoiceField(
        label=_("Your choice"), coerce=int, widget=forms.RadioSelect, choices=()
    )
    elector = IdChoiceField(label=_("You vote for"), required=False, widget=forms.HiddenInput)

    def __init__(self, *args, options=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["option"].choices = [(o.pk, o.label) for o in options]


class _StaffVoteForm(forms.Form):
    elector = IdChoiceField(label=_("Voter"), widget=forms.HiddenInput)
    option = forms.TypedChoiceField(label=_("Choice on the sheet"), coerce=int, choices=())

    def __init__(self, *args, options=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["option"].choices = [("", _("Choose…"))] + [(o.pk, o.label) for o in options]


class ProxyForm(_StaffVoteForm):
    proxy_name = forms.CharField(label=_("Proxy's name"), max_length=50)
    authorisation = forms.FileField(
        label=_("Signed written authorisation (photo or PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf"}),
    )


class PaperForm(_StaffVoteForm):
    scan = forms.FileField(
        label=_("Scanned ballot sheet (photo or PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf"}),
    )


class RejectForm(forms.Form):
    vote = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("What does not match"), required=False, max_length=300)


class ConfirmForm(forms.Form):
    vote = forms.IntegerField(widget=forms.HiddenInput)


class ElectorSearchForm(forms.Form):
    q = forms.CharField(label=_("Room or name"), required=False, max_length=50)


class DeskFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    q = forms.CharField(label=_("Words of the question"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        from .models import BallotStatus

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any")), *BallotStatus.choices]
