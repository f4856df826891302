"""Survey tests read wording in English (zh-Hans is the default); `survey` is an open survey
of community C1 with a condition: question 3 is asked only when question 1 is "Parking"."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone


@pytest.fixture(autouse=True)
def _english_client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


QUESTIONS = [
    {"kind": "single", "text": "Most urgent?", "options": ["Parking", "Lighting", "Elevator"]},
    {"kind": "ranking", "text": "Rank these", "options": ["Garden", "Gym", "Library"]},
    {"kind": "text", "text": "Where to park?", "show_if": 1, "show_if_option": 1},
    {"kind": "scale", "text": "How happy?", "required": False},
    {"kind": "multiple", "text": "Which?", "options": ["A", "B"], "required": False},
]


def make_survey(city, *, audience="household", anonymous=False, open_it=True, place="C1"):
    from linju.surveys import services

    today = timezone.localdate()
    staff = city.users["community_staff_2" if place in ("C2", "E2", "B3") else "community_staff"]
    survey = services.create_survey(
        user=staff,
        place_id=city.places[place].pk,
        title="Demands 2026",
        audience=audience,
        anonymous=anonymous,
        opens_on=today - datetime.timedelta(days=1),
        closes_on=today + datetime.timedelta(days=10),
        questions=QUESTIONS,
    )
    if open_it:
        services.open_survey(user=staff, survey=survey)
    survey.refresh_from_db()
    return survey


def answers_for(survey, *, first=0, ranking=(0, 1, 2), text="by the gate"):
    qs = list(survey.questions.order_by("position"))
    return {
        str(qs[0].pk): first,
        str(qs[1].pk): list(ranking),
        str(qs[2].pk): text,
    }


@pytest.fixture
def survey(city):
    return make_survey(city)
