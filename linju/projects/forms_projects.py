"""Forms of the micro-projects and elevator retrofits pages. They only shape input: the rules
are the services'. Money is typed in yuan ("12.50") and turned into fen exactly (Decimal)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linju.core.forms import DayInput, PhotosField

from .models import BudgetSource, ProjectStage, RetrofitStage
from .money import YuanField


class FilterForm(forms.Form):
    place = forms.ChoiceField(label=_("Community"), required=False)
    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=[("", "—"), *ProjectStage.choices]
    )

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [("", "—"), *[(str(p.pk), p.name) for p in places]]


class ProjectForm(forms.Form):
    place = forms.ChoiceField(label=_("Where"))
    title = forms.CharField(label=_("Title"), max_length=120)
    summary = forms.CharField(label=_("In a line"), max_length=300)
    description = forms.CharField(
        label=_("Description"), max_length=8000, required=False, widget=forms.Textarea
    )
    needs = forms.MultipleChoiceField(
        label=_("Needs it answers"), required=False, widget=forms.CheckboxSelectMultiple
    )
    topic = forms.ChoiceField(label=_("Deliberation topic"), required=False)
    lead = forms.CharField(
        label=_("Lead's mobile number"),
        max_length=20,
        required=False,
        help_text=_("The person who leads the project (optional)."),
    )
    partners = forms.MultipleChoiceField(
        label=_("Partners"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, places=(), needs=(), topics=(), partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [(str(p.pk), p.name) for p in places]
        self.fields["needs"].choices = [(str(n.pk), n.title) for n in needs]
        self.fields["topic"].choices = [("", "—"), *[(str(t.pk), t.title) for t in topics]]
        self.fields["partners"].choices = [(str(p.pk), p.name) for p in partners]


class ProjectEditForm(ProjectForm):
    ballot = forms.ChoiceField(label=_("Ballot"), required=False)

    def __init__(self, *args, ballots=(), **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["place"]
        del self.fields["needs"]
        self.fields["ballot"].choices = [("", "—"), *[(str(b.pk), b.title) for b in ballots]]


class StageForm(forms.Form):
    stage = forms.ChoiceField(choices=ProjectStage.choices, widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class NeedForm(forms.Form):
    need = forms.ChoiceField(label=_("Need"))

    def __init__(self, *args, needs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need"].choices = [(str(n.pk), n.title) for n in needs]


class ResourceForm(forms.Form):
    resource = forms.ChoiceField(label=_("Resource"))
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, initial=1)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, resources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].choices = [(str(r.pk), r.title) for r in resources]


class BudgetForm(forms.Form):
    source = forms.ChoiceField(label=_("Source"), choices=BudgetSource.choices)
    amount = YuanField(label=_("Amount (yuan)"), allow_zero=True, required=False)
    hours = forms.IntegerField(label=_("Hours of labour"), min_value=0, required=False)
    partner = forms.ChoiceField(label=_("Partner"), required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = [("", "—"), *[(str(p.pk), p.name) for p in partners]]


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=120)
    due_on = forms.DateField(label=_("Due on"), widget=DayInput())


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    owner = forms.CharField(label=_("Owner's mobile number"), max_length=20, required=False)
    partner = forms.ChoiceField(label=_("Or a partner"), required=False)
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DayInput())

    def __init__(self, *args, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = [("", "—"), *[(str(p.pk), p.name) for p in partners]]


class UpdateForm(forms.Form):
    text = forms.CharField(label=_("What happened"), max_length=4000, widget=forms.Textarea)
    photos = PhotosField(label=_("Photos"))


class EvaluationForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("Overall"),
        coerce=int,
        choices=[(n, "★" * n) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), max_length=500, required=False, widget=forms.Textarea
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            top = int(item.max_points)
            self.fields[f"scores.{item.code}"] = forms.TypedChoiceField(
                label=item.title,
                coerce=int,
                choices=[(n, str(n)) for n in range(top, 0, -1)],
                widget=forms.RadioSelect,
            )

    def scores(self) -> dict:
        return {i.code: self.cleaned_data.get(f"scores.{i.code}") for i in self.items}


class RetrofitForm(forms.Form):
    place = forms.IntegerField(label=_("Unit"), widget=forms.Select)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].widget.choices = [(u.pk, u.label) for u in units]


class RetrofitStageForm(forms.Form):
    stage = forms.ChoiceField(choices=RetrofitStage.choices, widget=forms.HiddenInput)
    on = forms.DateField(
        label=_("On"),
        required=False,
        initial=timezone.localdate,
        widget=DayInput(),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class RetrofitEditForm(forms.Form):
    ballot = forms.ChoiceField(label=_("Consent ballot"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, ballots=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ballot"].choices = [("", "—"), *[(str(b.pk), b.title) for b in ballots]]
