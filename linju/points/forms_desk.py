"""Forms of the points desk (公益积分 / 爱心超市 staff pages): handing out and cancelling at the
shop's desk, volunteer service and adjustments (the person found by mobile), earning rules and
expiry, the shop's items and stock, the ledger filters. They shape input for services and
services_store and carry their errors back to the field that was wrong; what is allowed
(scopes, limits, caps) is the services' to decide."""

import uuid
from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linju.core.forms import DayInput, apply_domain_error
from linju.people.forms_households import IdChoiceField

from .models import EARNING_KINDS

MAX_CHOICES = 300


def fresh_key() -> str:
    """A page's idempotency key: the same form sent twice posts once."""
    return uuid.uuid4().hex


def _mobile_field():
    return forms.RegexField(
        label=_("Mobile number"),
        regex=r"^1[3-9]\d{9}$",
        error_messages={"invalid": _("Enter a mainland mobile number of 11 digits.")},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )


class ServiceForm(forms.Form):
    """A form a service fills with its errors; NAMES maps the service's fields to the form's."""

    NAMES: dict = {}
    # Conflicts (409) that belong next to a field, by their code.
    CONFLICTS: dict = {}

    def apply_error(self, exc) -> None:
        field = self.CONFLICTS.get(getattr(exc, "code", ""))
        if field and field in self.fields:
            self.add_error(field, str(exc.message))
            return
        apply_domain_error(self, exc, self.NAMES)


class PlaceForm(ServiceForm):
    """A form about one community of the user's (or a subdistrict, for rules)."""

    place = IdChoiceField(label=_("Community"))

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        places = list(places)[:MAX_CHOICES]
        self.fields["place"].choices = [("", _("Choose…"))] + [(p.pk, p.name) for p in places]
        if len(places) == 1 and not self.is_bound:
            self.initial.setdefault("place", places[0].pk)


class KeyedForm(PlaceForm):
    key = forms.CharField(widget=forms.HiddenInput, max_length=80, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("key", fresh_key())


# --- The shop's desk ------------------------------------------------------------------------------


class HandOutForm(PlaceForm):
    """The pickup code a resident shows (a QR code or the eight digits)."""

    code = forms.CharField(
        label=_("Pickup code"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class CancelForm(ServiceForm):
    redemption = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Why it is cancelled"), max_length=300)


# --- Volunteer service and adjustments ------------------------------------------------------------


class RecordServiceForm(KeyedForm):
    """志愿服务: who served (by mobile), where, when, how long, what."""

    mobile = _mobile_field()
    served_on = forms.DateField(label=_("Served on"), widget=DayInput())
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=720)
    what = forms.CharField(label=_("Service"), max_length=200)
    field_order = ["mobile", "place", "served_on", "minutes", "what"]
    NAMES = {"person": "mobile", "person_id": "mobile", "key": "__all__"}


class AdjustForm(KeyedForm):
    """A correction by staff, with its reason."""

    mobile = _mobile_field()
    amount = forms.IntegerField(
        label=_("Points (negative to take away)"), min_value=-10_000, max_value=10_000
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)
    field_order = ["mobile", "place", "amount", "reason"]
    NAMES = {"person": "mobile", "person_id": "mobile", "key": "__all__"}
    CONFLICTS = {"insufficient_points": "amount"}


# --- Rules and expiry -------------------------------------------------------------------------


class RuleForm(PlaceForm):
    kind = forms.ChoiceField(label=_("Earned by"))
    points = forms.IntegerField(
        label=_("Points (per hour of service, or per event)"), min_value=0, max_value=1000
    )
    max_hours_per_event = forms.DecimalField(
        label=_("Hours counted per service at most (0: no cap)"),
        min_value=0,
        max_value=24,
        decimal_places=1,
        initial=2,
    )
    max_per_day = forms.IntegerField(
        label=_("Points a day at most (0: no cap)"), min_value=0, max_value=100_000, initial=0
    )
    max_per_month = forms.IntegerField(
        label=_("Points a month at most (0: no cap)"), min_value=0, max_value=100_000, initial=0
    )
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].label = _("Community or subdistrict")
        self.fields["kind"].choices = [(k.value, k.label) for k in EARNING_KINDS]


class ExpiryForm(PlaceForm):
    months = forms.IntegerField(
        label=_("Months points stay valid (0: never lapse)"), min_value=0, max_value=120
    )


# --- The shop's items -----------------------------------------------------------------------------


class ItemForm(ServiceForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(
        label=_("Description"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    cost = forms.IntegerField(
        label=pgettext_lazy("volunteer points", "Points"), min_value=1, max_value=100_000
    )
    per_person = forms.IntegerField(
        label=_("At most per person a month (0: no limit)"), min_value=0, max_value=100, initial=0
    )
    donor = forms.CharField(label=_("Donated by"), max_length=100, required=False)
    active = forms.BooleanField(label=_("On the shelf"), required=False, initial=True)
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
    FIELDS = ("name", "description", "cost", "per_person", "donor", "active")

    @classmethod
    def initial_of(cls, item) -> dict:
        return {name: getattr(item, name) for name in cls.FIELDS}

    def service_kwargs(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.FIELDS}
        data["photo"] = self.cleaned_data.get("photo")
        return data


class NewItemForm(PlaceForm, ItemForm):
    stock = forms.IntegerField(label=_("In stock"), min_value=0, max_value=100_000, initial=0)
    field_order = ["place", "name", "description", "cost", "stock", "per_person", "donor"]


class RestockForm(ServiceForm):
    change = forms.IntegerField(
        label=_("Change (negative for goods out)"), min_value=-100_000, max_value=100_000
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)


# --- Ledgers and the leaderboard --------------------------------------------------------------


class LedgerFilterForm(forms.Form):
    mobile = forms.RegexField(
        label=_("Mobile number"),
        regex=r"^1[3-9]\d{9}$",
        required=False,
        error_messages={"invalid": _("Enter a mainland mobile number of 11 digits.")},
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    month = forms.RegexField(
        label=_("Month"),
        regex=r"^(19|20|21)\d\d-(0[1-9]|1[0-2])$",
        required=False,
        error_messages={"invalid": _("Give the month as YYYY-MM.")},
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-10"}),
    )

    def month_range(self):
        """(first day, first day of the next month) of the chosen month, or None."""
        text = (self.cleaned_data or {}).get("month")
        if not text:
            return None
        year, month = (int(x) for x in text.split("-"))
        start = datetime(year, month, 1).date()
        end = datetime(year + month // 12, month % 12 + 1, 1).date()
        return start, end

    def aware_range(self):
        days = self.month_range()
        if days is None:
            return None
        return tuple(timezone.make_aware(datetime.combine(d, time.min)) for d in days)


class LeaderboardForm(LedgerFilterForm):
    """A community of the user's and a month (this month when none is given)."""

    mobile = None
    place = IdChoiceField(label=_("Community"), required=False)
    field_order = ["place", "month"]

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [(p.pk, p.name) for p in list(places)[:MAX_CHOICES]]
