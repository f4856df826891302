"""Forms of the rubric pages (评分细则): they shape input for services_rubrics and carry its
errors back to the field that was wrong; what a valid item or band is stays the service's."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linju.core.forms import apply_domain_error
from linju.people.forms_households import IdChoiceField

from .models import ItemKind, Purpose

STAR_LEVELS = (5, 4, 3, 2, 1)


class ServiceForm(forms.Form):
    def apply_error(self, exc) -> None:
        apply_domain_error(self, exc)


def _place_choices(places):
    return [("", "—")] + [(p.pk, f"{p.name} · {p.get_kind_display()}") for p in places]


class RubricForm(ServiceForm):
    """Name and description of a draft (and, when creating, its scope and purpose)."""

    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(
        label=_("Description"), max_length=5000, required=False, widget=forms.Textarea({"rows": 4})
    )


class CreateRubricForm(RubricForm):
    place_id = IdChoiceField(
        label=_("Scope"), error_messages={"required": _("Choose an estate or a community.")}
    )
    purpose = forms.ChoiceField(
        label=pgettext_lazy("rubric purpose", "For"), choices=Purpose.choices
    )

    field_order = ["place_id", "purpose", "name", "description"]

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place_id"].choices = _place_choices(places)

    def apply_error(self, exc) -> None:
        apply_domain_error(self, exc, names={"place": "place_id"})


class CopyForm(ServiceForm):
    """A template copied into one of the manager's scopes."""

    place_id = IdChoiceField(
        label=_("Into"), error_messages={"required": _("Choose an estate or a community.")}
    )

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place_id"].choices = _place_choices(places)

    def apply_error(self, exc) -> None:
        apply_domain_error(self, exc, names={"place": "place_id"})


class ItemForm(ServiceForm):
    code = forms.CharField(
        label=_("Code"), max_length=40, help_text=_("Letters, digits, - and _; e.g. hygiene.")
    )
    title = forms.CharField(label=_("Title"), max_length=100)
    description = forms.CharField(
        label=_("What is judged"),
        max_length=2000,
        required=False,
        widget=forms.Textarea({"rows": 3}),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ItemKind.choices)
    max_points = forms.DecimalField(
        label=_("Points"),
        required=False,
        max_digits=6,
        decimal_places=1,
        help_text=_("The maximum (scored), the most deducted or added; a veto has none."),
        widget=forms.NumberInput({"step": "0.5", "inputmode": "decimal"}),
    )
    exemptions = forms.CharField(
        label=_("Exemptions"),
        max_length=1000,
        required=False,
        help_text=_("What the panel must not count against a unit (wheelchairs, prams…)."),
        widget=forms.Textarea({"rows": 2}),
    )
    evidence_required = forms.BooleanField(label=_("Evidence photo required"), required=False)
    tiebreak = forms.BooleanField(
        label=_("Breaks ties"),
        required=False,
        help_text=_("Equal totals: fewer points deducted first, then this item's score."),
    )
    position = forms.IntegerField(
        label=_("Position"), required=False, min_value=0, max_value=999, initial=0
    )

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["max_points"] = "0" if data["max_points"] is None else str(data["max_points"])
        return data


class BandsForm(ServiceForm):
    """星级 bands: for each number of stars, the score it starts from (empty: not awarded)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for stars in STAR_LEVELS:
            self.fields[f"stars_{stars}"] = forms.DecimalField(
                label=_("%(n)d★ from") % {"n": stars},
                required=False,
                max_digits=6,
                decimal_places=1,
                widget=forms.NumberInput({"step": "0.5", "inputmode": "decimal"}),
            )
        self.sent = []

    def bands(self) -> list[dict]:
        self.sent = [s for s in STAR_LEVELS if self.cleaned_data.get(f"stars_{s}") is not None]
        return [{"min_score": str(self.cleaned_data[f"stars_{s}"]), "stars": s} for s in self.sent]

    def apply_error(self, exc) -> None:
        # "bands.2.min_score" names the third band sent: put it on that band's field.
        names = {f"bands.{i}.min_score": f"stars_{s}" for i, s in enumerate(self.sent)}
        names.update({f"bands.{i}.stars": f"stars_{s}" for i, s in enumerate(self.sent)})
        errors = getattr(exc, "errors", None)
        if errors:
            for path, messages in errors.items():
                for message in messages:
                    field = names.get(path)
                    self.add_error(field, message)
            return
        self.add_error(None, str(exc.message))


class ConsultForm(ServiceForm):
    raise_topic = forms.BooleanField(
        label=_("Also raise it as a topic for the deliberation meeting"),
        required=False,
        initial=True,
    )


class CommentForm(ServiceForm):
    item_id = IdChoiceField(label=_("On the item"), required=False)
    text = forms.CharField(
        label=_("Your comment"), max_length=2000, widget=forms.Textarea({"rows": 3})
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item_id"].choices = [("", _("The whole rubric"))] + [
            (i.pk, i.title) for i in items
        ]

    def apply_error(self, exc) -> None:
        apply_domain_error(self, exc, names={"item": "item_id"})
