"""/api/v1/surveys: the surveys a caller sees (staff: their scope's; residents: those of their
homes), one survey with its questions, and a resident's answers (conditions applied on the
server); for staff what the pages do: build, open and close a survey, enter paper
questionnaires, read the results, turn the top demands into needs and export the answers as
XLSX. Writes go through services, reads through queries; anything unseen is 404."""

from django.http import Http404
from ninja import Router, Status
from ninja.pagination import paginate

from linju.core import access
from linju.core.api_support import ERRORS, CappedLimitOffset, Listing, renamed_fields
from linju.core.exports import XLSX_TYPE, xlsx_response

from . import exports, queries, rules, services
from .schemas import (
    SurveyAnswersIn,
    SurveyIn,
    SurveyNeedOut,
    SurveyNeedsIn,
    SurveyOut,
    SurveyPaperIn,
    SurveyResponseOut,
    SurveyResultsOut,
)

router = Router(tags=["surveys"])


def _survey_out(s) -> dict:
    return {
        "id": s.pk,
        "title": s.title,
        "description": s.description,
        "place": s.place.name,
        "audience": s.audience,
        "anonymous": s.anonymous,
        "opens_on": s.opens_on,
        "closes_on": s.closes_on,
        "status": s.status,
        "is_open": s.is_open(),
        "questions": [
            {
                "id": q.pk,
                "position": q.position,
                "kind": q.kind,
                "text": q.text,
                "required": q.required,
                "options": q.options,
                "show_if": q.show_if_id,
                "show_if_option": q.show_if_option,
            }
            for q in s.questions.all()
        ],
    }


def _found(user, survey_id):
    survey = queries.survey_for(user, survey_id)
    if survey is None:
        raise Http404
    return survey


@router.get(
    "",
    response={200: list[SurveyOut], **ERRORS},
    summary="Surveys (民意调查)",
    description="Staff see their scope's surveys; residents the open and closed ones of the "
    "scopes holding their homes. Newest first; capped.",
)
@paginate(CappedLimitOffset)
def list_surveys(request):
    user = request.user
    if access.has_anywhere(user, queries.VIEW):
        qs = queries.staff_surveys(user)
    else:
        qs = queries.resident_surveys(user)
    qs = qs.prefetch_related("questions")
    return Listing(qs, lambda rows: [_survey_out(s) for s in rows])


@router.get(
    "/{int:survey_id}",
    response={200: SurveyOut, **ERRORS},
    summary="One survey with its questions",
    description="404 for a survey the caller does not see.",
)
def get_survey(request, survey_id: int):
    return _survey_out(_found(request.user, survey_id))


@router.post(
    "/{int:survey_id}/responses",
    response={201: SurveyResponseOut, **ERRORS},
    summary="Answer a survey",
    description="By a resident whose home lies in its scope, once per household or person "
    "(409 `answered`); 409 `not_open` outside its dates; 422 `answers.<question id>` for a "
    "missing or bad answer; 403 for staff who see it but do not live there.",
)
def answer_survey(request, survey_id: int, payload: SurveyAnswersIn):
    user = request.user
    survey = _found(user, survey_id)
    response = services.submit_response(user=user, survey=survey, answers=payload.answers)
    return Status(
        201, {"id": response.pk, "survey": survey.pk, "answers": response.answers.count()}
    )


@router.post(
    "",
    response={201: SurveyOut, **ERRORS},
    summary="Build a survey (a draft)",
    description="By community staff or the subdistrict at a `place` of their scope (403 "
    "otherwise). 422 `place`, `title`, `audience`, `closes_on` (not before `opens_on`), "
    "`questions.<n>.kind|text|options|show_if|show_if_option`.",
)
def create_survey(request, payload: SurveyIn):
    user = request.user
    data = payload.model_dump()
    survey = services.create_survey(user=user, place_id=data.pop("place"), **data)
    return Status(201, _survey_out(_found(user, survey.pk)))


@router.get(
    "/{int:survey_id}/results",
    response={200: SurveyResultsOut, **ERRORS},
    summary="Results, coverage by building and the ranking of demands",
    description="For staff of the survey's scope; 403 for residents who see the survey, 404 "
    "for anyone else.",
)
def survey_results(request, survey_id: int):
    user = request.user
    survey = _found(user, survey_id)
    rules.require(rules.can_view(user, survey))
    return {
        "responses": survey.response_count,
        "questions": [
            {
                "question": r["question"].pk,
                "text": r["question"].text,
                "answered": r["answered"],
                "rows": r["rows"],
                "texts": r["texts"],
            }
            for r in queries.results(survey)
        ],
        "coverage": [{**c, "building": c["building"].name} for c in queries.coverage(survey)],
        "demands": [{**d, "question": d["question"].pk} for d in queries.demands(survey)[:50]],
    }


MANAGERS = " 403 for those who see the survey but may not; 404 for anyone else."


@router.post(
    "/{int:survey_id}/open",
    response={200: SurveyOut, **ERRORS},
    summary="Open a draft to its audience",
    description="By community staff or the subdistrict of its scope; answers are taken from "
    "its opening day. 409 `wrong_status` unless a draft." + MANAGERS,
)
def open_survey(request, survey_id: int):
    user = request.user
    services.open_survey(user=user, survey=_found(user, survey_id))
    return _survey_out(_found(user, survey_id))


@router.post(
    "/{int:survey_id}/close",
    response={200: SurveyOut, **ERRORS},
    summary="Close an open survey: no more answers",
    description="By community staff or the subdistrict of its scope. 409 `wrong_status` "
    "unless open." + MANAGERS,
)
def close_survey(request, survey_id: int):
    user = request.user
    services.close_survey(user=user, survey=_found(user, survey_id))
    return _survey_out(_found(user, survey_id))


@router.post(
    "/{int:survey_id}/paper",
    response={201: SurveyResponseOut, **ERRORS},
    summary="Enter a paper questionnaire (纸质问卷)",
    description="By the first-line handlers of its scope (unit, building and floor heads, grid "
    "workers) and its managers, once it has been opened (409 `not_open` for a draft); marked "
    "paper. 422 `answers.<question id>`, `household_id`; 409 `answered` when the household "
    "has answered a once-per-household survey." + MANAGERS,
)
def enter_paper(request, survey_id: int, payload: SurveyPaperIn):
    user = request.user
    survey = _found(user, survey_id)
    with renamed_fields(household="household_id"):
        response = services.enter_paper(
            user=user, survey=survey, answers=payload.answers, household_id=payload.household_id
        )
    return Status(
        201, {"id": response.pk, "survey": survey.pk, "answers": response.answers.count()}
    )


@router.post(
    "/{int:survey_id}/needs",
    response={201: list[SurveyNeedOut], **ERRORS},
    summary="Turn the top demands into needs (需求清单)",
    description="The `top` demands of the ranking (see results) become needs of the "
    "co-creation needs list, source `survey`, each with the households that chose it. By its "
    "managers. 422 `top` (1–10); 409 `no_demands` before any answer." + MANAGERS,
)
def make_needs(request, survey_id: int, payload: SurveyNeedsIn):
    user = request.user
    needs = services.make_needs(user=user, survey=_found(user, survey_id), top=payload.top)
    return Status(201, [{"id": n.pk, "title": n.title, "households": n.households} for n in needs])


@router.get(
    "/{int:survey_id}/export.xlsx",
    response=ERRORS,
    summary="The answers as XLSX (问卷台账)",
    description="One row per questionnaire: when, paper or not, the household, the respondent "
    "(named surveys only), then one column per question; streamed as the page's export. By its "
    "managers." + MANAGERS,
    openapi_extra={
        "responses": {
            200: {
                "description": "The workbook.",
                "content": {XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def export_answers(request, survey_id: int):
    user = request.user
    survey = _found(user, survey_id)
    rules.require(rules.can_manage(user, survey))
    return xlsx_response(exports.answers_workbook(survey), f"survey-{survey.pk}.xlsx")
