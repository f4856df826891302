"""Forms of the lists pages (需求清单, 资源清单, 共建单位): the staff filters, recording and editing
a need, offering and editing a resource (a partner's or a resident's own), a partner with the
people acting for it, its co-building agreement (共建协议) with the signed document, and what it
delivered. They only shape input for services_lists, which decides; a service's error comes
back on the field it names. Money is typed in yuan ("12.50") and becomes fen exactly."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from linju.core.forms import DayInput, apply_domain_error
from linju.people.forms_households import IdChoiceField

from .models import NeedSource, NeedStatus, PartnerKind, ResourceKind, ResourceStatus
from .money import YuanField, fen_to_yuan
from .services_lists import MAX_HOUSEHOLDS, MAX_QUANTITY

MAX_CHOICES = 300


def _blank(label=None):
    return [("", label or _("Choose…"))]


def _area(rows=3):
    return forms.Textarea(attrs={"rows": rows})


def _date_field(label, required=True):
    return forms.DateField(
        label=label,
        required=required,
        input_formats=["%Y-%m-%d"],
        widget=DayInput(),
        error_messages={"invalid": _("Give a date as YYYY-MM-DD.")},
    )


class IdMultipleChoiceField(forms.TypedMultipleChoiceField):
    """Ids picked from a list offered as a convenience: any id passes here and the service
    says which one does not fit (`members.<n>`)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def valid_value(self, value):
        return True

    def _coerce(self, value):
        try:
            return super()._coerce(value)
        except ValidationError:
            raise ValidationError(_("Choose a person.")) from None


class ServiceForm(forms.Form):
    """A form a service fills with its errors: NAMES maps the service's field names to the
    form's (`amount_fen` → `amount`), CONFLICTS puts a conflict (by its code) on a field."""

    NAMES: dict = {}
    CONFLICTS: dict = {}

    def apply_error(self, exc) -> None:
        field = self.CONFLICTS.get(getattr(exc, "code", ""))
        if field and field in self.fields:
            self.add_error(field, str(exc.message))
            return
        apply_domain_error(self, exc, self.NAMES)


def _place_choices(places):
    return _blank() + [(p.pk, p.name) for p in list(places)[:MAX_CHOICES]]


# --- Filters --------------------------------------------------------------------------------------


class NeedFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *NeedStatus.choices]
    )
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("Any")), *NeedSource.choices]
    )
    place = IdChoiceField(label=_("Place"), required=False)

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [("", _("Anywhere in my scope"))] + [
            (p.pk, p.name) for p in places
        ]


class ResourceFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any")), *ResourceKind.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *ResourceStatus.choices]
    )
    place = IdChoiceField(label=_("Place"), required=False)

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [("", _("Anywhere in my scope"))] + [
            (p.pk, p.name) for p in places
        ]


class CloseNeedForm(forms.Form):
    reason = forms.CharField(label=_("Why it is closed"), max_length=300)


# --- Needs (需求清单) ---------------------------------------------------------------------------


class NeedForm(ServiceForm):
    """What was heard, where it came from and how many households it concerns."""

    title = forms.CharField(label=_("What is needed"), max_length=120)
    source = forms.ChoiceField(label=_("Where it came from"))
    source_ref = forms.CharField(
        label=_("Source reference"),
        max_length=80,
        required=False,
        help_text=_(
            "From a report: the report's number; from a topic: the topic's number; "
            "otherwise a note (which survey, which visit)."
        ),
    )
    households = forms.IntegerField(
        label=_("Households concerned"), min_value=0, max_value=MAX_HOUSEHOLDS, initial=0
    )
    description = forms.CharField(
        label=_("Description"), max_length=4000, required=False, widget=_area(4)
    )
    FIELDS = ("title", "source", "source_ref", "households", "description")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = _blank() + list(NeedSource.choices)

    @classmethod
    def initial_of(cls, need) -> dict:
        initial = {name: getattr(need, name) for name in cls.FIELDS}
        # Shown as typed: "topic:12" is stored, "12" is what a person writes.
        prefix = f"{need.source}:"
        if need.source in (NeedSource.REPORT, NeedSource.TOPIC) and need.source_ref.startswith(
            prefix
        ):
            initial["source_ref"] = need.source_ref.removeprefix(prefix)
        return initial

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class AtPlace:
    """A form that also asks where: the place among those offered (preset when only one)."""

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        places = list(places)
        self.fields["place"].choices = _place_choices(places)
        if len(places) == 1 and not self.is_bound:
            self.initial.setdefault("place", places[0].pk)

    def service_kwargs(self) -> dict:
        return {"place_id": self.cleaned_data["place"], **super().service_kwargs()}


class NewNeedForm(AtPlace, NeedForm):
    place = IdChoiceField(label=_("Where (community, estate, building or unit)"))
    field_order = ["place", "title", "source", "source_ref", "households", "description"]


# --- Resources (资源清单) -------------------------------------------------------------------------


class ResourceForm(ServiceForm):
    """What is offered, how much and when."""

    title = forms.CharField(label=_("What is offered"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"))
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY, initial=1
    )
    unit = forms.CharField(
        label=_("Unit of quantity"),
        max_length=20,
        required=False,
        help_text=_("Hours, rooms, people, pieces…"),
    )
    amount = YuanField(label=_("Amount (yuan, for funds)"), allow_zero=True, required=False)
    available_from = _date_field(_("Available from"), required=False)
    available_until = _date_field(_("Available until"), required=False)
    description = forms.CharField(
        label=_("Description"), max_length=2000, required=False, widget=_area(3)
    )
    NAMES = {"amount_fen": "amount"}
    FIELDS = ("title", "kind", "quantity", "unit", "available_from", "available_until")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _blank() + list(ResourceKind.choices)

    @classmethod
    def initial_of(cls, resource) -> dict:
        initial = {name: getattr(resource, name) for name in cls.FIELDS}
        initial["description"] = resource.description
        initial["amount"] = fen_to_yuan(resource.amount_fen)
        return initial

    def service_kwargs(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.FIELDS}
        data["description"] = self.cleaned_data["description"]
        data["amount_fen"] = self.cleaned_data["amount"]
        return data


class PartnerOfferForm(ResourceForm):
    """A partner's offer: the partner is one the person acts for, or manages."""

    partner = IdChoiceField(label=_("Offered by partner"))
    field_order = ["partner", "title", "kind", "quantity", "unit", "amount"]

    def __init__(self, *args, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        partners = list(partners)
        self.fields["partner"].choices = _blank() + [(p.pk, p.name) for p in partners[:MAX_CHOICES]]
        if len(partners) == 1 and not self.is_bound:
            self.initial.setdefault("partner", partners[0].pk)

    def service_kwargs(self) -> dict:
        return {"partner_id": self.cleaned_data["partner"], **super().service_kwargs()}


class ResidentOfferForm(ResourceForm):
    """A resident's own offer, at a place they live in."""

    place = IdChoiceField(label=_("Offered where (a place you live in)"))
    field_order = ["place", "title", "kind", "quantity", "unit", "amount"]

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        places = list(places)
        self.fields["place"].choices = _place_choices(places)
        if places and not self.is_bound:
            # The community first in the path order: offered to all its neighbours.
            self.initial.setdefault("place", places[0].pk)

    def service_kwargs(self) -> dict:
        return {"place_id": self.cleaned_data["place"], **super().service_kwargs()}


# --- Partners (共建单位) -------------------------------------------------------------------------


class PartnerForm(ServiceForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"))
    contact_name = forms.CharField(label=_("Contact person"), max_length=60, required=False)
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    members = IdMultipleChoiceField(
        label=_("People acting for it"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("People holding the partner role in this community."),
    )
    description = forms.CharField(
        label=_("Description"), max_length=2000, required=False, widget=_area(3)
    )
    FIELDS = ("name", "kind", "contact_name", "contact_phone", "description")
    CONFLICTS = {"inactive": "name"}

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _blank() + list(PartnerKind.choices)
        self.fields["members"].choices = [(u.pk, u.name or u.pk) for u in people]

    @classmethod
    def initial_of(cls, partner) -> dict:
        initial = {name: getattr(partner, name) for name in cls.FIELDS}
        initial["members"] = [u.pk for u in partner.members.all()]
        return initial

    def service_kwargs(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.FIELDS}
        data["members"] = self.cleaned_data["members"]
        return data


class NewPartnerForm(AtPlace, PartnerForm):
    place = IdChoiceField(label=_("Community"))
    field_order = ["place", "name", "kind"]


class AgreementForm(ServiceForm):
    """共建协议: title, commitments, term and the signed document."""

    title = forms.CharField(label=_("Title"), max_length=120)
    commitments = forms.CharField(label=_("Commitments"), max_length=4000, widget=_area(5))
    starts_on = _date_field(_("Term starts on"))
    ends_on = _date_field(_("Term ends on"))
    signed_on = _date_field(_("Signed on"))
    document = forms.FileField(
        label=_("The signed document (PDF, Word or a photo)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,image/*"}),
    )
    # The term's order is the service's rule: its error lands on `ends_on`.
    FIELDS = ("title", "commitments", "starts_on", "ends_on", "signed_on", "document")

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class DeliveryForm(ServiceForm):
    """履约记录: what the partner delivered, its value in yuan, under which agreement, for which
    project."""

    delivered_on = _date_field(_("Delivered on"))
    what = forms.CharField(label=_("What was delivered"), max_length=300)
    value = YuanField(
        label=_("Value (yuan)"),
        help_text=_("Funds given, materials at cost."),
        allow_zero=True,
        required=False,
    )
    agreement = IdChoiceField(label=_("Under the agreement"), required=False)
    project = IdChoiceField(label=_("For the project"), required=False)
    NAMES = {"value_fen": "value"}

    def __init__(self, *args, agreements=(), projects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement"].choices = _blank(_("None")) + [
            (a.pk, a.title) for a in list(agreements)[:MAX_CHOICES]
        ]
        self.fields["project"].choices = _blank(_("None")) + [
            (p.pk, p.title) for p in list(projects)[:MAX_CHOICES]
        ]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "delivered_on": data["delivered_on"],
            "what": data["what"],
            "value_fen": data["value"],
            "agreement_id": data["agreement"],
            "project_id": data["project"],
        }
