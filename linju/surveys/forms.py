"""Forms of the survey pages: the builder (问卷设计) with a fixed number of question rows (no
script needed on a phone), the questionnaire itself built from the survey's questions, and the
paper entry (纸质问卷录入). Checks live in the services; their errors land on the named field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from linju.core.forms import DayInput, apply_domain_error

from .models import Audience, QuestionKind

BUILDER_ROWS = 8


class SurveyForm(forms.Form):
    # An id checked by the service (a place outside the manager's scope is a refusal, 403).
    place = forms.IntegerField(label=_("Scope"), widget=forms.Select)
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("Description"), max_length=4000, required=False, widget=forms.Textarea
    )
    audience = forms.ChoiceField(label=_("Answered"), choices=Audience.choices)
    anonymous = forms.BooleanField(label=_("Anonymous"), required=False)
    opens_on = forms.DateField(label=_("Opens on"), widget=DayInput)
    closes_on = forms.DateField(label=_("Closes on"), widget=DayInput)

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].widget.choices = [(p.pk, p.name) for p in places]
        kinds = [("", "—"), *QuestionKind.choices]
        for i in range(1, BUILDER_ROWS + 1):
            self.fields[f"q{i}_kind"] = forms.ChoiceField(
                label=_("Question %(n)s: kind") % {"n": i}, choices=kinds, required=False
            )
            self.fields[f"q{i}_text"] = forms.CharField(
                label=_("Question %(n)s") % {"n": i}, max_length=300, required=False
            )
            self.fields[f"q{i}_options"] = forms.CharField(
                label=_("Options, one per line"), required=False, widget=forms.Textarea
            )
            self.fields[f"q{i}_required"] = forms.BooleanField(
                label=_("Required"), required=False, initial=True
            )
            self.fields[f"q{i}_show_if"] = forms.IntegerField(
                label=_("Show only when question number…"), required=False, min_value=1
            )
            self.fields[f"q{i}_show_if_option"] = forms.IntegerField(
                label=_("…is answered with option number"), required=False, min_value=1
            )

    def rows(self):
        for i in range(1, BUILDER_ROWS + 1):
            yield [self[f"q{i}_{n}"] for n in ("kind", "text", "options", "required")] + [
                self[f"q{i}_show_if"],
                self[f"q{i}_show_if_option"],
            ]

    def questions(self) -> list[dict]:
        d = self.cleaned_data
        out = []
        for i in range(1, BUILDER_ROWS + 1):
            if not d.get(f"q{i}_kind") and not d.get(f"q{i}_text"):
                continue
            out.append(
                {
                    "row": i,
                    "kind": d.get(f"q{i}_kind"),
                    "text": d.get(f"q{i}_text"),
                    "options": (d.get(f"q{i}_options") or "").splitlines(),
                    "required": d.get(f"q{i}_required"),
                    "show_if": d.get(f"q{i}_show_if"),
                    "show_if_option": d.get(f"q{i}_show_if_option"),
                }
            )
        self.rows_used = [q.pop("row") for q in out]
        return out

    def apply_error(self, exc):
        """`questions.2.text` → the field of the builder row the third question came from."""
        names = {}
        for index, row in enumerate(getattr(self, "rows_used", [])):
            for part in ("kind", "text", "options", "show_if", "show_if_option"):
                names[f"questions.{index}.{part}"] = f"q{row}_{part}"
            names[f"questions.{index}"] = f"q{row}_text"
        if self.rows_used:
            names["questions"] = f"q{self.rows_used[0]}_text"
        else:
            names["questions"] = "q1_text"
        apply_domain_error(self, exc, names)


class AnswerForm(forms.Form):
    """The questionnaire: field `q<id>` per question (a ranking: `q<id>_<place>` per place)."""

    def __init__(self, *args, questions=(), households=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        if households is not None:
            self.fields["household"] = forms.ChoiceField(
                label=_("Household (if known)"),
                required=False,
                choices=[("", "—"), *((h.pk, _label(h)) for h in households)],
            )
        for q in self.questions:
            name = f"q{q.pk}"
            label = q.text + ("" if q.required else " " + str(_("(optional)")))
            options = [(str(i), o) for i, o in enumerate(q.options)]
            if q.kind == QuestionKind.SINGLE:
                field = forms.ChoiceField(choices=options, widget=forms.RadioSelect)
            elif q.kind == QuestionKind.MULTIPLE:
                field = forms.MultipleChoiceField(
                    choices=options, widget=forms.CheckboxSelectMultiple
                )
            elif q.kind == QuestionKind.SCALE:
                field = forms.ChoiceField(
                    choices=[(str(n), str(n)) for n in range(1, 6)], widget=forms.RadioSelect
                )
            elif q.kind == QuestionKind.TEXT:
                field = forms.CharField(max_length=2000, widget=forms.Textarea)
            else:
                for place in range(1, len(q.options) + 1):
                    self.fields[f"{name}_{place}"] = forms.ChoiceField(
                        label=_("%(question)s — choice %(n)s") % {"question": label, "n": place},
                        choices=[("", "—"), *options],
                        required=False,
                    )
                continue
            field.label = label
            field.required = False
            if q.show_if_id:
                field.help_text = _("Only if you answered question %(n)s with “%(option)s”.") % {
                    "n": q.show_if.position,
                    "option": q.show_if.options[q.show_if_option],
                }
            self.fields[name] = field

    def answers(self) -> dict:
        d = self.cleaned_data
        out = {}
        for q in self.questions:
            if q.kind == QuestionKind.RANKING:
                picks = [d.get(f"q{q.pk}_{p}") for p in range(1, len(q.options) + 1)]
                out[str(q.pk)] = [p for p in picks if p not in (None, "")]
            else:
                out[str(q.pk)] = d.get(f"q{q.pk}")
        return out

    def apply_error(self, exc):
        names = {f"answers.{q.pk}": f"q{q.pk}" for q in self.questions}
        names.update(
            {f"answers.{q.pk}": f"q{q.pk}_1" for q in self.questions if q.kind == "ranking"}
        )
        apply_domain_error(self, exc, names)


class NeedsForm(forms.Form):
    top = forms.IntegerField(label=_("How many of the top demands"), initial=3)


def _label(household) -> str:
    unit = household.unit
    return f"{unit.parent.name} {unit.name} {household.room}"
