"""Writes of surveys (民意调查, 诉求调查表; seeds 002, 003).

- Managers build a survey with its questions in one go (单选, 多选, 排序, 1–5 分, 填空; required
  or optional; "show B when A is answered X"), open it and close it.
- Residents answer on their phones; handlers enter paper questionnaires (纸质问卷) marked so.
  Conditions are applied here, on the server: a hidden question is not required and its answer
  is dropped. The database keeps a household (or person) from answering twice.
- Managers turn the top demands (Borda count over ranking questions, counts otherwise) into
  needs of the co-creation needs list (需求清单).

Every function checks its permission inside its one transaction, locks the survey first and
writes its audit event (`surveys.create`, `surveys.open`, `surveys.close`, `surveys.respond`,
`surveys.paper`, `surveys.needs`)."""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.core import audit
from linju.core.cleaning import as_id, clean_text, violated
from linju.core.errors import Conflict, Invalid, NotFound
from linju.places.models import Household, Place

from . import rules
from .models import (
    CHOICE_KINDS,
    Answer,
    Audience,
    Question,
    QuestionKind,
    Response,
    Survey,
    SurveyStatus,
)

MAX_QUESTIONS = 50
MAX_OPTIONS = 20
MAX_NEEDS = 10


# --- Cleaning -------------------------------------------------------------------------------------


def _date(value, *, field):
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, datetime.date):
        raise Invalid({field: _("Give a date as YYYY-MM-DD.")})
    return value


def _int(value, *, field, low, high, message):
    if isinstance(value, bool):
        raise Invalid({field: message})
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise Invalid({field: message}) from None
    if not low <= number <= high:
        raise Invalid({field: message})
    return number


def _clean_questions(raw) -> list[dict]:
    if not isinstance(raw, list | tuple) or not raw:
        raise Invalid({"questions": _("Add at least one question.")})
    if len(raw) > MAX_QUESTIONS:
        raise Invalid({"questions": _("At most 50 questions.")})
    out = []
    for i, q in enumerate(raw):
        at = f"questions.{i}"
        if not isinstance(q, dict):
            raise Invalid({at: _("Describe the question.")})
        kind = q.get("kind")
        if kind not in QuestionKind.values:
            raise Invalid({f"{at}.kind": _("Choose the kind of question.")})
        text = clean_text(
            q.get("text"), field=f"{at}.text", max_length=300, required=_("Write the question.")
        )
        options = q.get("options") or []
        if not isinstance(options, list | tuple):
            raise Invalid({f"{at}.options": _("Give the options as a list.")})
        options = [
            clean_text(o, field=f"{at}.options", max_length=120) for o in options if str(o).strip()
        ]
        if kind in CHOICE_KINDS:
            if not 2 <= len(options) <= MAX_OPTIONS:
                raise Invalid({f"{at}.options": _("Give 2 to 20 options.")})
            if len(set(options)) != len(options):
                raise Invalid({f"{at}.options": _("Each option only once.")})
        else:
            options = []
        show_if, show_option = q.get("show_if"), q.get("show_if_option")
        if show_if in (None, "", 0):
            show_if = show_option = None
        else:
            show_if = _int(
                show_if,
                field=f"{at}.show_if",
                low=1,
                high=i,
                message=_("Name an earlier question by its number."),
            )
            earlier = out[show_if - 1]
            if earlier["kind"] not in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
                raise Invalid({f"{at}.show_if": _("A condition needs a choice question.")})
            show_option = _int(
                show_option,
                field=f"{at}.show_if_option",
                low=1,
                high=len(earlier["options"]),
                message=_("Name an option of that question by its number."),
            )
        out.append(
            {
                "kind": kind,
                "text": text,
                "required": bool(q.get("required", True)),
                "options": options,
                "show_if": show_if,
                "show_if_option": show_option - 1 if show_option else None,
            }
        )
    return out


def _place(place_id) -> Place:
    place = Place.objects.filter(pk=as_id(place_id)).first()
    if place is None:
        raise Invalid({"place": _("Choose a place.")})
    return place


def _locked(survey) -> Survey:
    found = Survey.objects.select_for_update().filter(pk=as_id(survey)).first()
    if found is None:
        raise NotFound(_("No such survey."))
    return found


# --- Building and running -------------------------------------------------------------------------


@transaction.atomic
def create_survey(
    *,
    user,
    place_id,
    title,
    audience,
    opens_on,
    closes_on,
    questions,
    description="",
    anonymous=False,
):
    """Build a survey (a draft) with its questions; `show_if` names an earlier question by its
    number (from 1) and `show_if_option` one of its options (from 1)."""
    place = _place(place_id)
    rules.require(rules.can_manage(user, place))
    title = clean_text(title, field="title", max_length=120, required=_("Give the survey a title."))
    description = clean_text(description, field="description", max_length=4000)
    if audience not in Audience.values:
        raise Invalid({"audience": _("Choose once per household or once per person.")})
    opens_on = _date(opens_on, field="opens_on")
    closes_on = _date(closes_on, field="closes_on")
    if closes_on < opens_on:
        raise Invalid({"closes_on": _("It cannot close before it opens.")})
    cleaned = _clean_questions(questions)
    survey = Survey.objects.create(
        place=place,
        path=place.path,
        title=title,
        description=description,
        audience=audience,
        anonymous=bool(anonymous),
        opens_on=opens_on,
        closes_on=closes_on,
        created_by=user,
    )
    made = []
    for position, q in enumerate(cleaned, start=1):
        show_if = made[q["show_if"] - 1] if q["show_if"] else None
        made.append(
            Question.objects.create(
                survey=survey,
                position=position,
                kind=q["kind"],
                text=q["text"],
                required=q["required"],
                options=q["options"],
                show_if=show_if,
                show_if_option=q["show_if_option"],
            )
        )
    audit.record(actor=user, verb="surveys.create", obj=survey, data={"questions": len(made)})
    return survey


@transaction.atomic
def open_survey(*, user, survey):
    """Open a draft to its audience (from its opening day)."""
    survey = _locked(survey)
    rules.require(rules.can_manage(user, survey))
    if survey.status != SurveyStatus.DRAFT:
        raise Conflict(_("Only a draft can be opened."), code="wrong_status")
    survey.status = SurveyStatus.OPEN
    survey.save(update_fields=["status"])
    audit.record(actor=user, verb="surveys.open", obj=survey)
    return survey


@transaction.atomic
def close_survey(*, user, survey):
    """Close an open survey early (or on time): no more answers."""
    survey = _locked(survey)
    rules.require(rules.can_manage(user, survey))
    if survey.status != SurveyStatus.OPEN:
        raise Conflict(_("Only an open survey can be closed."), code="wrong_status")
    survey.status = SurveyStatus.CLOSED
    survey.save(update_fields=["status"])
    audit.record(actor=user, verb="surveys.close", obj=survey)
    return survey


# --- Answering ------------------------------------------------------------------------------------


def shown(question, given: dict) -> bool:
    """Whether `question` is asked, given the cleaned answers so far (question id → choices)."""
    if not question.show_if_id:
        return True
    return question.show_if_option in given.get(question.show_if_id, {}).get("choices", [])


def clean_answers(survey, raw) -> dict:
    """Question id → {"choices", "text"} for the questions shown; hidden ones are dropped,
    missing required ones named (`answers.<question id>`)."""
    if not isinstance(raw, dict):
        raise Invalid({"answers": _("Give the answers by question.")})
    raw = {str(k): v for k, v in raw.items()}
    out = {}
    for q in survey.questions.order_by("position"):
        field = f"answers.{q.pk}"
        if not shown(q, out):
            continue
        value = raw.get(str(q.pk))
        empty = value in (None, "", [], ())
        if empty:
            if q.required:
                raise Invalid({field: _("Answer this question.")})
            continue
        out[q.pk] = _clean_one(q, value, field)
    return out


def _clean_one(q, value, field) -> dict:
    n = len(q.options)
    bad = _("Choose among the options.")
    if q.kind == QuestionKind.TEXT:
        return {"choices": [], "text": clean_text(value, field=field, max_length=2000)}
    if q.kind == QuestionKind.SCALE:
        return {
            "choices": [_int(value, field=field, low=1, high=5, message=_("Give 1 to 5."))],
            "text": "",
        }
    if q.kind == QuestionKind.SINGLE:
        if isinstance(value, list | tuple):
            if len(value) != 1:
                raise Invalid({field: _("Choose one option.")})
            value = value[0]
        return {"choices": [_int(value, field=field, low=0, high=n - 1, message=bad)], "text": ""}
    values = value if isinstance(value, list | tuple) else [value]
    choices = [_int(v, field=field, low=0, high=n - 1, message=bad) for v in values]
    if len(set(choices)) != len(choices):
        raise Invalid({field: _("Each option only once.")})
    if q.kind == QuestionKind.MULTIPLE:
        choices.sort()
    return {"choices": choices, "text": ""}


def _save(survey, *, once_key, answers, household, respondent, paper, entered_by):
    try:
        with transaction.atomic():
            response = Response.objects.create(
                survey=survey,
                once_key=once_key,
                household=household,
                respondent=respondent,
                paper=paper,
                entered_by=entered_by,
            )
    except IntegrityError as exc:
        if violated(
            exc,
            "survey_response_once",
            still_there=lambda: Response.objects.filter(survey=survey, once_key=once_key).exists(),
        ):
            raise Conflict(
                _("This household has answered already.")
                if once_key.startswith("household:")
                else _("You have answered already."),
                code="answered",
            ) from None
        raise
    Answer.objects.bulk_create(
        Answer(response=response, question_id=qid, choices=a["choices"], text=a["text"])
        for qid, a in answers.items()
    )
    Survey.objects.filter(pk=survey.pk).update(response_count=F("response_count") + 1)
    return response


def _require_open(survey):
    if not survey.is_open(timezone.localdate()):
        raise Conflict(_("This survey is not open for answers."), code="not_open")


@transaction.atomic
def submit_response(*, user, survey, answers):
    """A resident's answers, once per household (their home inside the scope) or person."""
    survey = _locked(survey)
    rules.require(rules.lives_in(user, survey))
    _require_open(survey)
    cleaned = clean_answers(survey, answers)
    home_path = rules.homes_inside(user, survey)[0]
    household = Household.objects.get(path=home_path)
    if survey.audience == Audience.HOUSEHOLD:
        once_key = f"household:{household.pk}"
    else:
        once_key = f"person:{user.pk}"
    response = _save(
        survey,
        once_key=once_key,
        answers=cleaned,
        household=household,
        respondent=None if survey.anonymous else user,
        paper=False,
        entered_by=None,
    )
    audit.record(
        actor=user,
        verb="surveys.respond",
        obj=survey,
        data={"response": response.pk, "answers": len(cleaned)},
    )
    return response


@transaction.atomic
def enter_paper(*, user, survey, answers, household_id=None):
    """A paper questionnaire (纸质问卷) typed in by a handler; with its household when known
    (then a household survey counts it as that household's one answer)."""
    survey = _locked(survey)
    rules.require(rules.can_enter_paper(user, survey))
    if survey.status == SurveyStatus.DRAFT:
        raise Conflict(_("This survey is not open for answers."), code="not_open")
    household = None
    if household_id not in (None, "", 0):
        household = Household.objects.filter(
            pk=as_id(household_id), path__startswith=survey.path
        ).first()
        if household is None:
            raise Invalid({"household": _("Choose a household of the survey's scope.")})
    cleaned = clean_answers(survey, answers)
    if household is not None and survey.audience == Audience.HOUSEHOLD:
        once_key = f"household:{household.pk}"
    else:
        # Every unnamed paper sheet is its own; the counter is read under the survey's lock.
        once_key = f"paper:{survey.response_count + 1}"
    response = _save(
        survey,
        once_key=once_key,
        answers=cleaned,
        household=household,
        respondent=None,
        paper=True,
        entered_by=user,
    )
    audit.record(
        actor=user,
        verb="surveys.paper",
        obj=survey,
        data={"response": response.pk, "household": getattr(household, "pk", None)},
    )
    return response


# --- Demands into needs ---------------------------------------------------------------------------


@transaction.atomic
def make_needs(*, user, survey, top=3):
    """Turn the `top` demands of the ranking into needs of the co-creation needs list (需求清单),
    each citing the survey; its households are those who chose it."""
    from linju.projects import services_lists

    from . import queries

    survey = _locked(survey)
    rules.require(rules.can_manage(user, survey))
    top = _int(top, field="top", low=1, high=MAX_NEEDS, message=_("Give 1 to 10."))
    demands = queries.demands(survey)[:top]
    if not demands:
        raise Conflict(_("There are no demands to turn into needs yet."), code="no_demands")
    needs = [
        services_lists.create_need(
            user=user,
            place_id=survey.place_id,
            title=d["option"][:120],
            source="survey",
            source_ref=f"survey:{survey.pk}",
            households=d["households"],
        )
        for d in demands
    ]
    audit.record(
        actor=user, verb="surveys.needs", obj=survey, data={"needs": [n.pk for n in needs]}
    )
    return needs
