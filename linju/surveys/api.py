"""/api/v1/surveys: the surveys a caller sees (staff: their scope's; residents: those of their
homes), one survey with its questions, and a resident's answers (conditions applied on the
server). Writes go through services, reads through queries; anything unseen is 404."""

from django.http import Http404
from ninja import Router, Status
from ninja.pagination import paginate

from linju.core import access
from linju.core.api_support import ERRORS, CappedLimitOffset, Listing

from . import queries, rules, services
from .schemas import SurveyAnswersIn, SurveyIn, SurveyOut, SurveyResponseOut, SurveyResultsOut

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
