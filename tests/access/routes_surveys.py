"""Surveys (民意调查, 诉求调查表): the list, the builder, a survey's page (residents answer;
managers open and close), paper entry, results (coverage, demands, needs button) and the XLSX
export; /api/v1/surveys, which does the same. Rules: linju/surveys/rules.py and
docs/surveys.md — staff of a scope read its surveys and results (surveys.view); community staff
and the subdistrict run them (surveys.manage); handlers enter paper questionnaires
(surveys.enter_paper); residents answer the surveys whose scope holds their home
(`lives_in`)."""

import datetime

from django.utils import timezone

from .policy import Anywhere, Home, LoggedIn, Perm
from .spec import Route
from .world import Thing, makes, marker, person, twin

APP = "surveys"


@makes("survey", again=True)
def surveys_made(w, side, suffix):
    """An open survey of C1 (C2) with one single-choice question, built by community staff."""
    from linju.surveys import services

    staff = w.user(person(side, "community_staff"))
    today = timezone.localdate()
    where = twin(side, "C1")
    survey = services.create_survey(
        user=staff,
        place_id=w.place(where).pk,
        title=marker("survey", side, suffix),
        audience="household",
        opens_on=today - datetime.timedelta(days=1),
        closes_on=today + datetime.timedelta(days=5),
        questions=[{"kind": "single", "text": "最急?", "options": ["停车", "照明"]}],
    )
    services.open_survey(user=staff, survey=survey)
    return {"survey": Thing(survey, where)}


VIEW = Perm("surveys.view")
MANAGE = Perm("surveys.manage")
PAPER = Perm("surveys.enter_paper") | MANAGE
SEEN = VIEW | Home()


def _new_form(w, side):
    return {
        "place": w.obj("community", side).pk,
        "title": "x",
        "audience": "person",
        "opens_on": "2026-01-01",
        "closes_on": "2026-02-01",
        "q1_kind": "text",
        "q1_text": "y",
    }


PAGES = {
    "surveys/": Route(
        LoggedIn(),
        shows={"survey": SEEN},
        why="staff: their scope's surveys; residents: those of their homes",
    ),
    "surveys/new/": Route(
        Anywhere("surveys.manage"),
        post=MANAGE,
        post_kind="community",
        data=_new_form,
        why="the builder, for managers at a place of their scope",
    ),
    "surveys/<int:pk>/": Route(
        SEEN,
        params={"pk": "survey"},
        post=MANAGE,
        data=lambda w, s: {"action": "close"},
        why="residents answer (rules.lives_in); opening and closing is the managers'",
    ),
    "surveys/<int:pk>/paper/": Route(
        PAPER,
        params={"pk": "survey"},
        seen=SEEN,
        post=PAPER,
        data=lambda w, s: {},
        why="handlers enter paper questionnaires",
    ),
    "surveys/<int:pk>/results/": Route(
        VIEW,
        params={"pk": "survey"},
        seen=SEEN,
        post=MANAGE,
        data=lambda w, s: {"top": 1},
        why="results for staff of the scope; the needs button is the managers'",
    ),
    "surveys/<int:pk>/export.xlsx": Route(
        MANAGE, params={"pk": "survey"}, seen=SEEN, why="the answers as XLSX, for managers"
    ),
}

API = {
    "GET /surveys": Route(LoggedIn(), shows={"survey": SEEN}),
    "GET /surveys/{survey_id}": Route(SEEN, params={"survey_id": "survey"}),
    "POST /surveys": Route(
        MANAGE,
        kind="community",
        data=lambda w, side: {
            "place": w.obj("community", side).pk,
            "title": "x",
            "audience": "person",
            "opens_on": "2026-01-01",
            "closes_on": "2026-02-01",
            "questions": [{"kind": "text", "text": "y"}],
        },
        refused=(403,),
        why="managers build surveys at a place of their scope",
    ),
    "GET /surveys/{survey_id}/results": Route(
        VIEW, params={"survey_id": "survey"}, seen=SEEN, why="results for staff of the scope"
    ),
    "POST /surveys/{survey_id}/open": Route(
        MANAGE, params={"survey_id": "survey"}, seen=SEEN, why="managers open a draft"
    ),
    "POST /surveys/{survey_id}/close": Route(
        MANAGE, params={"survey_id": "survey"}, seen=SEEN, why="managers close it"
    ),
    "POST /surveys/{survey_id}/paper": Route(
        PAPER,
        params={"survey_id": "survey"},
        seen=SEEN,
        data=lambda w, s: {"answers": {}},
        why="handlers enter paper questionnaires",
    ),
    "POST /surveys/{survey_id}/needs": Route(
        MANAGE,
        params={"survey_id": "survey"},
        seen=SEEN,
        data=lambda w, s: {"top": 1},
        why="managers turn the top demands into needs",
    ),
    "GET /surveys/{survey_id}/export.xlsx": Route(
        MANAGE, params={"survey_id": "survey"}, seen=SEEN, why="the answers as XLSX, for managers"
    ),
    "POST /surveys/{survey_id}/responses": Route(
        Home(),
        params={"survey_id": "survey"},
        seen=SEEN,
        data=lambda w, s: {"answers": {}},
        why="a resident whose home lies in the scope",
    ),
}
