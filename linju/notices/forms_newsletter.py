"""Forms of the newsletter pages (睦邻服务报): found a paper, start a quarter's issue, and the
editor's forms (a piece, the foreword)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ScopeChoiceField(forms.TypedChoiceField):
    """A choice of the person's scope that the service checks: a place outside it is refused
    there (403), not turned into "not one of the choices" here."""

    def valid_value(self, value):
        return str(value).isdigit()


class NewsletterForm(forms.Form):
    name = forms.CharField(label=_("Name of the paper"), max_length=60)
    place = ScopeChoiceField(label=_("For"), coerce=int)
    organisation = ScopeChoiceField(label=_("Run by the party organisation"), coerce=int)

    def __init__(self, *args, places=(), organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [(p.pk, p.full_name or p.name) for p in places]
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]


class StartIssueForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"), coerce=int, choices=[(q, f"Q{q}") for q in (1, 2, 3, 4)]
    )
    editor = forms.TypedChoiceField(
        label=_("Editor"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Leave it to the rota, or choose a party member."),
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["editor"].choices = [
            ("", _("Next in the rota")),
            *((m.pk, m.name or m.mobile) for m in members),
        ]


class ItemForm(forms.Form):
    """One piece of the issue, as its editor arranges it."""

    item = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("Title"), max_length=160)
    summary = forms.CharField(
        label=_("Text"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    position = forms.IntegerField(label=_("Order"), min_value=0, max_value=10_000)
    included = forms.BooleanField(label=_("In the issue"), required=False)


class ForewordForm(forms.Form):
    foreword = forms.CharField(
        label=_("Foreword"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Signed with your name when the issue is published."),
    )
