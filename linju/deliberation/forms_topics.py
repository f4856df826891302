"""Forms of the topic pages: they shape input for services_topics and carry the services' errors
back to the field that was wrong; who may do what, and which meeting or ballot fits a stage,
are the services' to decide."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linju.core.forms import DayInput
from linju.people.forms_households import IdChoiceField

from .models import Need, TopicSource, TopicStatus

# Services name some fields differently from the forms that feed them.
FIELD_OF = {"meeting": "meeting_id", "ballot": "ballot_id", "owner": "owner", "stage": None}


def _blank(label):
    return [("", label)]


def _scope_label(place) -> str:
    return f"{place.get_kind_display()} · {place.name}"


class TopicForm(forms.Form):
    place = IdChoiceField(
        label=_("Where"),
        help_text=_("Your unit, building, estate or community: who the topic concerns."),
        error_messages={"required": _("Choose where the topic applies.")},
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=120,
        error_messages={"required": _("Give the topic a title.")},
    )
    body = forms.CharField(
        label=_("What should be discussed, and why?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Describe the topic.")},
    )
    source = forms.ChoiceField(label=_("Raised by"), choices=TopicSource.choices, required=False)
    source_ref = forms.CharField(
        label=_("Where it comes from (optional)"),
        max_length=80,
        required=False,
        help_text=_("A report number, a survey, the party branch's name…"),
    )

    def __init__(self, *args, homes=(), staff_places=(), **kwargs):
        super().__init__(*args, **kwargs)
        groups = []
        if homes:
            groups.append((_("Where I live"), [(p.pk, _scope_label(p)) for p in homes]))
        if staff_places:
            groups.append((_("My work area"), [(p.pk, _scope_label(p)) for p in staff_places]))
        self.fields["place"].choices = _blank(_("Choose…")) + groups
        if not staff_places:
            # Residents raise topics as residents: the source is not theirs to choose.
            del self.fields["source"]
            del self.fields["source_ref"]
        elif not homes:
            self.fields["source"].choices = [
                c for c in TopicSource.choices if c[0] != TopicSource.RESIDENT
            ]
            self.fields["source"].required = True

    def clean_source(self):
        return self.cleaned_data.get("source") or TopicSource.RESIDENT


STAR_CHOICES = [
    (5, _("5 · very satisfied")),
    (4, _("4 · satisfied")),
    (3, _("3 · so-so")),
    (2, _("2 · dissatisfied")),
    (1, _("1 · very dissatisfied")),
]


class RateForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("How well was it carried out?"),
        choices=STAR_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose 1 to 5 stars.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, items=(), **kwargs):
        """`items`: the scope's evaluation rubric (linju.ratings.evaluations), marked item by
        item if the resident wishes: all or none."""
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            top = int(item.max_points)
            self.fields[f"score_{item.code}"] = forms.TypedChoiceField(
                label=item.title,
                help_text=item.description,
                choices=[("", "—")] + [(n, str(n)) for n in range(top, 0, -1)],
                coerce=int,
                empty_value=None,
                required=False,
            )

    def scores(self) -> dict | None:
        given = {
            item.code: self.cleaned_data.get(f"score_{item.code}")
            for item in self.items
            if self.cleaned_data.get(f"score_{item.code}") is not None
        }
        return given or None

    def error_names(self) -> dict:
        return {f"scores.{item.code}": f"score_{item.code}" for item in self.items}


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why it is declined.")},
    )


class StartForm(forms.Form):
    procedure = forms.ChoiceField(
        label=_("Procedure"), error_messages={"required": _("Choose a procedure.")}
    )

    def __init__(self, *args, procedures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].choices = _blank(_("Choose…")) + [
            (p.code, p.name) for p in procedures
        ]


class CompleteForm(forms.Form):
    """Completing the current stage: the fields its needs call for (the record and a document
    are always offered; the meeting, ballot, decision and result only where needed)."""

    note = forms.CharField(
        label=_("Record (纪要)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    document = forms.FileField(
        label=_("Document (optional)"),
        required=False,
        help_text=_("PDF, image, Word, Excel or text; up to 10 MB."),
    )
    meeting_id = IdChoiceField(label=_("Meeting"), required=False)
    ballot_id = IdChoiceField(label=_("Ballot"), required=False)
    decision_text = forms.CharField(
        label=_("The decision"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    result_text = forms.CharField(
        label=_("The result, for residents to evaluate"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, stage=None, meetings=(), ballots=(), **kwargs):
        super().__init__(*args, **kwargs)
        needs = set(stage.needs or []) if stage is not None else set()
        if needs & {Need.MEETING, Need.MEETING_NOTICED}:
            self.fields["meeting_id"].choices = _blank(_("The latest that fits")) + [
                (m.pk, f"{m.title} · {m.starts_at:%Y-%m-%d} · {m.get_status_display()}")
                for m in meetings
            ]
        else:
            del self.fields["meeting_id"]
        if Need.BALLOT in needs:
            self.fields["ballot_id"].choices = _blank(_("The latest that passed")) + [
                (b.pk, f"{b.title} · {b.get_status_display()}") for b in ballots
            ]
        else:
            del self.fields["ballot_id"]
        if Need.DECISION in needs:
            self.fields["decision_text"].help_text = _(
                "Leave empty if the decision was recorded from the meeting's minutes."
            )
        else:
            del self.fields["decision_text"]
        if Need.RESULT not in needs:
            del self.fields["result_text"]


class DecisionForm(forms.Form):
    text = forms.CharField(
        label=_("The decision (决议)"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write down the decision.")},
    )


class TaskForm(forms.Form):
    title = forms.CharField(
        label=_("Task"), max_length=160, error_messages={"required": _("Name the task.")}
    )
    owner = IdChoiceField(
        label=_("Who carries it out"), error_messages={"required": _("Choose who carries it out.")}
    )
    due_on = forms.DateField(
        label=_("Due"),
        widget=DayInput(),
        error_messages={"required": _("Give the due date.")},
    )
    decision = IdChoiceField(label=_("Decision"), required=False)

    def __init__(self, *args, owners=(), decisions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = _blank(_("Choose…")) + [(u.pk, label) for u, label in owners]
        self.fields["decision"].choices = _blank(_("The latest decision")) + [
            (d.pk, d.text[:60]) for d in decisions
        ]


class ProgressForm(forms.Form):
    text = forms.CharField(
        label=_("What was done"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say what was done.")},
    )
    progress = forms.IntegerField(
        label=_("Progress (%)"),
        min_value=0,
        max_value=100,
        error_messages={"required": _("Give the progress as 0 to 100 percent.")},
    )


class CancelTaskForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=300, required=False)


class AgendaFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", pgettext_lazy("topics filter", "Open")),
            ("final", pgettext_lazy("topics filter", "Finished")),
            ("all", _("All")),
            *TopicStatus.choices,
        ],
    )
    source = forms.ChoiceField(
        label=_("Raised by"), required=False, choices=_blank(_("Anyone")) + TopicSource.choices
    )
    place = IdChoiceField(label=_("Place"), required=False)

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = _blank(_("All of my area")) + [
            (p.pk, _scope_label(p)) for p in places
        ]
