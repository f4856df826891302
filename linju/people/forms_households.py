"""Forms of the household binding, verification, roles, party and invite pages. They only shape
input; the services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import PartyOrgKind, Relation
from .roles import GRANTABLE_ROLES, ROLE_SCOPE_KIND, Role


class IdChoiceField(forms.TypedChoiceField):
    """A select of ids whose offered choices are a convenience, not the rule: any id passes
    here and the service says whether it fits (wrong kind → field error, outside scope → 403)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("empty_value", None)
        super().__init__(*args, **kwargs)

    def valid_value(self, value):
        return True


def _blank(label):
    return [("", label)]


class BindStepForm(forms.Form):
    """The plain GET form that walks estate → building → unit without JavaScript; with htmx each
    select refills the next one in place."""

    estate = IdChoiceField(label=_("Estate"), required=False)
    building = IdChoiceField(label=_("Building"), required=False)
    unit = IdChoiceField(label=_("Unit"), required=False)

    def __init__(self, *args, estates=(), buildings=(), units=(), options_url="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].choices = _blank(_("Choose your estate")) + [
            (e.pk, f"{e.parent.name} · {e.name}" if e.parent_id else e.name) for e in estates
        ]
        self.fields["building"].choices = _blank(_("Choose your building")) + [
            (b.pk, b.name) for b in buildings
        ]
        self.fields["unit"].choices = _blank(_("Choose your unit")) + [
            (u.pk, u.name) for u in units
        ]
        for name, level, target in (
            ("estate", "building", "#id_building"),
            ("building", "unit", "#id_unit"),
            ("unit", "room", "#id_household"),
        ):
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": f"{options_url}?level={level}",
                    "hx-target": target,
                    "hx-trigger": "change",
                }
            )


class BindRequestForm(forms.Form):
    household = IdChoiceField(label=_("Room"))
    relation = forms.ChoiceField(label=_("You are the household's"), choices=Relation.choices)
    note = forms.CharField(
        label=_("Note for the verifier"),
        required=False,
        max_length=200,
        help_text=_("For example: moved in this spring, name on the deed."),
    )

    def __init__(self, *args, rooms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].choices = _blank(_("Choose your room")) + [
            (h.pk, h.room) for h in rooms
        ]


class InviteCodeForm(forms.Form):
    invite_code = forms.CharField(
        label=_("Invite code"),
        max_length=20,
        help_text=_("The code on the household card from your community."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )
    relation = forms.ChoiceField(label=_("You are the household's"), choices=Relation.choices)
    note = forms.CharField(label=_("Note for the verifier"), required=False, max_length=200)


class DecideForm(forms.Form):
    residency = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    reason = forms.CharField(
        label=_("Reason (required to reject)"),
        required=False,
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


ROLE_CHOICES = [(r.value, r.label) for r in GRANTABLE_ROLES]


class GrantFilterForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=_blank(_("All roles")) + ROLE_CHOICES
    )
    place = IdChoiceField(label=_("Place"), required=False)

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = _blank(_("Everywhere I manage")) + [
            (p.pk, f"{p.get_kind_display()} · {p.name}") for p in places
        ]


class GrantForm(forms.Form):
    mobile = forms.CharField(
        label=_("Mobile number of the person"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=_("Role"), choices=_blank(_("Choose a role")) + ROLE_CHOICES)
    place = IdChoiceField(label=_("Place"), required=False)
    grid = IdChoiceField(label=_("Grid (grid workers only)"), required=False)

    def __init__(self, *args, places=(), grids=(), options_url="", placeholder="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = _blank(placeholder) + place_choices(places)
        self.fields["grid"].choices = _blank(_("Choose a grid")) + [
            (g.pk, f"{g.community.name} · {g.name}") for g in grids
        ]
        self.fields["role"].widget.attrs.update(
            {"hx-get": options_url, "hx-target": "#id_place", "hx-trigger": "change"}
        )


def place_placeholder(role: str) -> str:
    """What the place select says before a place is picked, by the role chosen."""
    if role == Role.GRID_WORKER:
        return _("Grid workers are bound to a grid")
    if role in ROLE_SCOPE_KIND:
        return _("Choose a place")
    return _("Choose a role first")


def place_choices(places):
    return [(p.pk, f"{p.parent.name} · {p.name}" if p.parent_id else p.name) for p in places]


class PartyOrganisationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PartyOrgKind.choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    place = IdChoiceField(
        label=_("Place"),
        help_text=_("A community for a committee or branch, a building for a group."),
    )
    parent = IdChoiceField(label=_("Belongs to"), required=False)
    grid = IdChoiceField(label=_("Grid (branches)"), required=False)

    def __init__(self, *args, places=(), organisations=(), grids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = _blank(_("Choose a place")) + [
            (p.pk, f"{p.get_kind_display()} · {p.name}") for p in places
        ]
        self.fields["parent"].choices = _blank(_("None (community committee)")) + [
            (o.pk, o.name) for o in organisations
        ]
        self.fields["grid"].choices = _blank(_("None")) + [(g.pk, g.name) for g in grids]


class PartyMemberForm(forms.Form):
    organisation = IdChoiceField(label=_("Organisation"))
    mobile = forms.CharField(label=_("Member's mobile number"), max_length=20)
    position = forms.CharField(
        label=_("Position"), required=False, max_length=30, help_text=_("Secretary, member…")
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = _blank(_("Choose an organisation")) + [
            (o.pk, o.name) for o in organisations
        ]


class LiaisonForm(forms.Form):
    organisation = IdChoiceField(label=_("Organisation"))
    mobile = forms.CharField(
        label=_("Member's mobile number"),
        max_length=20,
        help_text=_("Their verified household becomes the liaison household."),
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = _blank(_("Choose an organisation")) + [
            (o.pk, o.name) for o in organisations
        ]


class ServedForm(forms.Form):
    households = forms.TypedMultipleChoiceField(
        label=_("Households served"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, households=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["households"].choices = [(h.pk, f"{h.unit.name} {h.room}") for h in households]
