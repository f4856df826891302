"""Forms of the contest pages (评比): a new contest, its settings, its panel (四方评审) and the
round of a month. They shape input for services_rounds and carry its errors back to the field
that was wrong; what is allowed (scopes, parties, limits) is the services' to decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from linju.core.forms import apply_domain_error
from linju.people.forms_households import IdChoiceField

from .models import CONTEST_PARTIES, Aggregation, Party, Purpose, TargetKind

MAX_CHOICES = 300


class ServiceForm(forms.Form):
    # The services' field names → this form's.
    NAMES: dict = {}

    def apply_error(self, exc) -> None:
        apply_domain_error(self, exc, self.NAMES)


class ContestForm(ServiceForm):
    """A unit contest of an estate or community, or a party organisation's star rating."""

    purpose = forms.ChoiceField(
        label=_("What is rated"),
        choices=[(Purpose.CONTEST, Purpose.CONTEST.label), (Purpose.STARS, Purpose.STARS.label)],
        initial=Purpose.CONTEST,
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    place = IdChoiceField(label=_("Estate or community"), required=False)
    target_kind = forms.ChoiceField(
        label=_("Rates"),
        choices=[
            (TargetKind.UNIT, TargetKind.UNIT.label),
            (TargetKind.BUILDING, TargetKind.BUILDING.label),
        ],
        initial=TargetKind.UNIT,
        required=False,
    )
    party_organisation = IdChoiceField(label=_("Party organisation"), required=False)
    rubric = IdChoiceField(label=_("Rubric (adopted)"))

    def __init__(self, *args, places=(), rubrics=(), organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [("", _("Choose…"))] + [
            (p.pk, p.full_name) for p in list(places)[:MAX_CHOICES]
        ]
        self.fields["rubric"].choices = [("", _("Choose…"))] + [
            (r.pk, f"{r.name} v{r.version} ({r.get_purpose_display()})") for r in rubrics
        ]
        self.fields["party_organisation"].choices = [("", _("Choose…"))] + [
            (o.pk, o.name) for o in list(organisations)[:MAX_CHOICES]
        ]

    def service_kwargs(self) -> dict:
        cd = self.cleaned_data
        return {
            "purpose": cd["purpose"],
            "name": cd["name"],
            "place_id": cd.get("place"),
            "target_kind": cd.get("target_kind") or TargetKind.UNIT,
            "party_organisation_id": cd.get("party_organisation"),
            "rubric_id": cd["rubric"],
        }


class SettingsForm(ServiceForm):
    """What a manager may change; the next round copies it (past rounds keep theirs)."""

    name = forms.CharField(label=_("Name"), max_length=100)
    aggregation = forms.ChoiceField(
        label=_("Combining the panel's marks"), choices=Aggregation.choices
    )
    trim = forms.IntegerField(
        label=_("Marks dropped at each end (trimmed mean)"), min_value=0, max_value=3
    )
    flags = forms.IntegerField(label=_("Red flags a month"), min_value=0, max_value=20)
    scoring_days = forms.IntegerField(
        label=_("Days to score after the month ends"), min_value=1, max_value=31
    )
    award_places = forms.IntegerField(label=_("Units awarded a year"), min_value=0, max_value=20)
    award_percent = forms.DecimalField(
        label=_("Property-fee subsidy for awarded units (%)"), min_value=0, max_value=100
    )
    head_percent = forms.DecimalField(
        label=_("Property-fee subsidy for the three heads (%)"), min_value=0, max_value=100
    )
    head_bonus_percent = forms.DecimalField(
        label=_("More for heads who fulfilled their duties (%)"), min_value=0, max_value=100
    )
    fee_fen_per_sqm_month = forms.IntegerField(
        label=_("Property fee (fen per m² a month)"), min_value=0, max_value=100_000
    )
    active = forms.BooleanField(label=_("In use"), required=False)

    FIELDS = (
        "name",
        "aggregation",
        "trim",
        "flags",
        "scoring_days",
        "award_places",
        "award_percent",
        "head_percent",
        "head_bonus_percent",
        "fee_fen_per_sqm_month",
        "active",
    )

    @classmethod
    def initial_of(cls, contest) -> dict:
        return {name: getattr(contest, name) for name in cls.FIELDS}


class PanellistForm(ServiceForm):
    """A person found by their mobile number, and the party they sit for."""

    mobile = forms.RegexField(
        label=_("Mobile number"),
        regex=r"^1[3-9]\d{9}$",
        error_messages={"invalid": _("Enter a mainland mobile number of 11 digits.")},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    party = forms.ChoiceField(label=_("Sits for"))
    NAMES = {"person": "mobile", "person_id": "mobile"}

    def __init__(self, *args, purpose=Purpose.CONTEST, **kwargs):
        super().__init__(*args, **kwargs)
        parties = (
            CONTEST_PARTIES if purpose == Purpose.CONTEST else [Party.PARTY_BRANCH, Party.COMMUNITY]
        )
        self.fields["party"].choices = [("", _("Choose…"))] + [(p.value, p.label) for p in parties]

    def apply_error(self, exc) -> None:
        # A duplicate seat is about the person: say it next to the number.
        if getattr(exc, "code", "") == "duplicate":
            self.add_error("mobile", str(exc.message))
            return
        super().apply_error(exc)


class EndSeatForm(ServiceForm):
    panellist = forms.IntegerField(widget=forms.HiddenInput)


class OpenRoundForm(ServiceForm):
    period = forms.CharField(
        label=_("Month"),
        max_length=7,
        help_text=_("YYYY-MM (the year, YYYY, for a yearly rating)."),
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-10"}),
    )


class YearForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100, required=False)
