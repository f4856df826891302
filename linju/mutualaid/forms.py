"""Forms of the wish wall pages (心愿墙): post a wish, and the actions on one."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ItemKind, PostKind


class PostForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PostKind.choices, widget=forms.RadioSelect)
    title = forms.CharField(label=_("What is it?"), max_length=100)
    body = forms.CharField(
        label=_("Details"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    place = forms.TypedChoiceField(label=_("Community"), coerce=int, required=False)

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        if len(communities) > 1:
            self.fields["place"].choices = [(c.pk, c.name) for c in communities]
        else:
            del self.fields["place"]


class ActionForm(forms.Form):
    """One form for the actions of a wish page; the service checks who may do which."""

    action = forms.ChoiceField(
        choices=[
            (a, a)
            for a in (
                "claim",
                "release",
                "fulfil",
                "withdraw",
                "flag",
                "hide",
                "restore",
                "dismiss",
            )
        ],
        widget=forms.HiddenInput,
    )
    thanks = forms.CharField(label=_("Thank-you note"), max_length=300, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class UnclaimedForm(forms.Form):
    days = forms.IntegerField(
        label=_("Unclaimed for more than (days)"), min_value=0, max_value=3650, required=False
    )


class ItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ItemKind.choices, widget=forms.RadioSelect)
    title = forms.CharField(label=_("What is it?"), max_length=100)
    description = forms.CharField(
        label=_("Details"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    place = forms.TypedChoiceField(label=_("Community"), coerce=int, required=False)

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        if len(communities) > 1:
            self.fields["place"].choices = [(c.pk, c.name) for c in communities]
        else:
            del self.fields["place"]


class ItemActionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            (a, a)
            for a in (
                "request",
                "cancel",
                "hand_over",
                "return",
                "withdraw",
                "flag",
                "hide",
                "restore",
                "dismiss",
            )
        ],
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
