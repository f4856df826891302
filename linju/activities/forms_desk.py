"""Forms of the activities desk (seeds 000, 002, 004): organising an activity, its running
sheet (check in by mobile, confirm who came, cancel, photos), volunteer teams and interest
groups with their members and leaders, a team's service to confirm, the talent pool's search
and invitations, the month's figures. They shape input for the services and carry the
services' errors back to the field that was wrong; the rules are the services' to decide."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linju.core.cleaning import as_id
from linju.core.errors import Invalid
from linju.core.forms import PhotosField, apply_domain_error
from linju.people.forms_households import IdChoiceField
from linju.points.services import MAX_SERVICE_MINUTES

from .models import ActivityKind, ActivityStatus, MemberRole, Skill, TeamKind
from .queries import parse_month
from .services_activities import MAX_CAPACITY

MAX_CHOICES = 300
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _blank(label=None):
    return [("", label or _("Choose…"))]


def _mobile_field(label=None, required=True):
    return forms.RegexField(
        label=label or _("Mobile number"),
        regex=r"^1[3-9]\d{9}$",
        required=required,
        error_messages={"invalid": _("Enter a mainland mobile number of 11 digits.")},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )


class MonthField(forms.CharField):
    """A month as YYYY-MM (what a phone's month picker sends) → (year, month), read by
    queries.parse_month like everywhere else; None when left empty."""

    default_error_messages = {"invalid": _("Give the month as YYYY-MM.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Month"))
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"type": "month", "placeholder": "2026-10"})
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        month = parse_month(text)
        if month is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return month


def _datetime_field(label):
    # A phone's date-and-time picker sends the local time without seconds.
    return forms.DateTimeField(
        label=label,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )


def _text_area(rows=3):
    return forms.Textarea(attrs={"rows": rows})


class ServiceForm(forms.Form):
    """A form a service fills with its errors; NAMES maps the service's fields to the form's,
    CONFLICTS puts a conflict (by its code) next to a field."""

    NAMES: dict = {}
    CONFLICTS: dict = {}

    def apply_error(self, exc) -> None:
        field = self.CONFLICTS.get(getattr(exc, "code", ""))
        if field and field in self.fields:
            self.add_error(field, str(exc.message))
            return
        apply_domain_error(self, exc, self.NAMES)


def _place_choices(places, labels=None):
    """The places offered (the view caps the list; any id passes and is checked where it is
    used)."""
    labels = labels or {}
    return _blank() + [(p.pk, labels.get(p.pk, p.name)) for p in places]


# --- Activities -----------------------------------------------------------------------------------


class ActivityForm(ServiceForm):
    """What an activity is, where and when; the place, team and group are chosen at creation."""

    title = forms.CharField(label=_("Title"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"))
    venue = forms.CharField(label=_("Venue"), max_length=120)
    starts_at = _datetime_field(_("Starts at"))
    ends_at = _datetime_field(_("Ends at"))
    capacity = forms.IntegerField(
        label=_("Places (0: no limit)"), min_value=0, max_value=MAX_CAPACITY, initial=0
    )
    service_minutes = forms.IntegerField(
        label=_("Minutes of service credited (volunteer service only)"),
        min_value=0,
        max_value=MAX_SERVICE_MINUTES,
        required=False,
        help_text=_("Left empty: the length of the activity, at most 12 hours."),
    )
    description = forms.CharField(
        label=_("Description"), max_length=4000, required=False, widget=_text_area(4)
    )
    FIELDS = (
        "title",
        "kind",
        "venue",
        "starts_at",
        "ends_at",
        "capacity",
        "service_minutes",
        "description",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _blank() + list(ActivityKind.choices)

    @classmethod
    def initial_of(cls, activity) -> dict:
        return {name: getattr(activity, name) for name in cls.FIELDS}

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class NewActivityForm(ActivityForm):
    place = IdChoiceField(label=_("Where (building, estate or community)"))
    team = IdChoiceField(label=_("Volunteer team"), required=False)
    group = IdChoiceField(label=_("Interest group"), required=False)
    field_order = ["place", "title", "kind", "venue", "starts_at", "ends_at", "capacity"]

    def __init__(self, *args, places=(), labels=None, teams=(), groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        places = list(places)
        self.fields["place"].choices = _place_choices(places, labels)
        if len(places) == 1 and not self.is_bound:
            self.initial.setdefault("place", places[0].pk)
        self.fields["team"].choices = _blank(_("None")) + [
            (t.pk, t.name) for t in list(teams)[:MAX_CHOICES]
        ]
        self.fields["group"].choices = _blank(_("None")) + [
            (g.pk, g.name) for g in list(groups)[:MAX_CHOICES]
        ]

    def service_kwargs(self) -> dict:
        data = super().service_kwargs()
        data.update(
            place_id=self.cleaned_data["place"],
            team_id=self.cleaned_data["team"],
            group_id=self.cleaned_data["group"],
        )
        return data


class ActivityFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    month = MonthField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = _blank(_("Any")) + list(ActivityStatus.choices)
        self.fields["kind"].choices = _blank(_("Any")) + list(ActivityKind.choices)


class CheckInForm(ServiceForm):
    """签到 at the desk: the person's mobile number."""

    mobile = _mobile_field()
    CONFLICTS = {"full": "mobile", "too_early": "mobile", "over": "mobile"}
    # No one has the number, or its person lives elsewhere: one answer, so running an activity
    # does not tell which numbers are registered.
    NOT_HERE = _("No one living where the activity is held has this mobile number.")

    def apply_error(self, exc) -> None:
        if isinstance(exc, Invalid) and {"person", "person_id", "mobile"} & set(exc.errors):
            self.add_error("mobile", self.NOT_HERE)
            return
        super().apply_error(exc)


class IdsField(forms.Field):
    """Several ids from checkboxes of one name. Which of them fit is the service's to say."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": _("Choose from the list.")}

    def to_python(self, value):
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        ids = [as_id(v) for v in values]  # None for words, NULs and numbers past a database id
        if None in ids:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return ids

    def validate(self, value):
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")


class ConfirmForm(ServiceForm):
    """确认参与: the sign-ups, checked in, whose attendance is confirmed."""

    sign_up_ids = IdsField(label=_("Who took part"), required=False)
    CONFLICTS = {"own_attendance": "sign_up_ids", "not_started": "sign_up_ids"}


class CancelActivityForm(ServiceForm):
    reason = forms.CharField(label=_("Why it is cancelled"), max_length=300)


class PhotosForm(ServiceForm):
    """人人有展示: photos of the activity once it has started."""

    photos = PhotosField(label=_("Photos"))
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)
    CONFLICTS = {"not_started": "photos", "cancelled": "photos"}


class PhotoDeleteForm(ServiceForm):
    photo = forms.IntegerField(widget=forms.HiddenInput)


# --- Teams and groups -----------------------------------------------------------------------------


class _OwnedForm(ServiceForm):
    name = forms.CharField(label=pgettext_lazy("team or group", "Name"), max_length=60)
    description = forms.CharField(
        label=_("Description"), max_length=2000, required=False, widget=_text_area()
    )


class NewGroupForm(_OwnedForm):
    """兴趣小组 of a community, estate or building, with its first leader if given."""

    place = IdChoiceField(label=_("Where (community, estate or building)"))
    leader_mobile = _mobile_field(_("First leader's mobile number (optional)"), required=False)
    field_order = ["place", "name", "description", "leader_mobile"]
    NAMES = {"person": "leader_mobile", "leader_id": "leader_mobile"}

    def __init__(self, *args, places=(), labels=None, **kwargs):
        super().__init__(*args, **kwargs)
        places = list(places)
        self.fields["place"].choices = _place_choices(places, labels)
        if len(places) == 1 and not self.is_bound:
            self.initial.setdefault("place", places[0].pk)


class NewTeamForm(NewGroupForm):
    """志愿服务队 of a community, estate or building."""

    kind = forms.ChoiceField(label=_("Kind"))
    open_to_join = forms.BooleanField(
        label=_("Residents may join themselves"), required=False, initial=True
    )
    field_order = ["place", "name", "kind", "description", "open_to_join", "leader_mobile"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _blank() + list(TeamKind.choices)


class GroupEditForm(_OwnedForm):
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    FIELDS = ("name", "description", "active")

    @classmethod
    def initial_of(cls, obj) -> dict:
        return {name: getattr(obj, name) for name in cls.FIELDS}

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class TeamEditForm(GroupEditForm):
    kind = forms.ChoiceField(label=_("Kind"))
    open_to_join = forms.BooleanField(label=_("Residents may join themselves"), required=False)
    FIELDS = ("name", "kind", "description", "open_to_join", "active")
    field_order = ["name", "kind", "description", "open_to_join", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = list(TeamKind.choices)


class MemberForm(ServiceForm):
    """Add a member or appoint a leader, found by mobile (a member changes role)."""

    mobile = _mobile_field()
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices, initial=MemberRole.MEMBER)
    NAMES = {"person": "mobile", "person_id": "mobile"}
    CONFLICTS = {"already_member": "mobile"}


class RemoveMemberForm(ServiceForm):
    person = forms.IntegerField(widget=forms.HiddenInput)


class DecideForm(ServiceForm):
    """A leader's (or the staff's) decision on a stretch of service; a refusal says why."""

    record = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("confirm", "confirm"), ("reject", "reject")])
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
    CONFLICTS = {"own_service": "reason", "decided": "reason"}


# --- The talent pool --------------------------------------------------------------------------


class TalentSearchForm(forms.Form):
    skill = forms.ChoiceField(label=_("Skill"), required=False)
    text = forms.CharField(label=_("Words"), max_length=60, required=False)
    place = IdChoiceField(label=_("Place"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skill"].choices = _blank(_("Any")) + list(Skill.choices)

    def offer(self, places, labels=None) -> None:
        """The places the selector lists (the view knows which one was chosen)."""
        self.fields["place"].choices = (
            _blank(_("All my scope")) + _place_choices(places, labels)[1:]
        )


class InviteForm(ServiceForm):
    """Ask a talent to help with an activity one runs, or a project."""

    talent = forms.IntegerField(widget=forms.HiddenInput)
    message = forms.CharField(label=_("Message"), max_length=500, widget=_text_area(2))
    activity = IdChoiceField(label=_("Activity"), required=False)
    project_id = IdChoiceField(label=_("Or a co-creation project"), required=False)
    project = forms.CharField(label=_("Or a project"), max_length=120, required=False)
    NAMES = {"activity_id": "activity", "talent_id": "__all__"}

    def __init__(self, *args, activities=(), projects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].choices = _blank(_("None")) + [
            (a.pk, a.title) for a in list(activities)[:MAX_CHOICES]
        ]
        self.fields["project_id"].choices = _blank(_("None")) + [
            (p.pk, p.title) for p in list(projects)[:MAX_CHOICES]
        ]


# --- Figures ------------------------------------------------------------------------------


class FiguresForm(forms.Form):
    """每月一活动: a place of the user's scope and a month (this month when none is given)."""

    place = IdChoiceField(label=_("Place"), required=False)
    month = MonthField()

    def offer(self, places, labels=None) -> None:
        """The places the selector lists (the view knows which one was chosen)."""
        self.fields["place"].choices = _place_choices(places, labels)[1:]
