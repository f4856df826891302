"""PIPL: a person's named answers are in their data download; deleting the account cuts the
link and empties their free text, while the choices keep counting in the results."""

import json

import pytest

from linju.core import privacy as core_privacy
from linju.people.services import delete_account
from linju.surveys import services
from linju.surveys.models import Answer, Response

from .conftest import answers_for

pytestmark = pytest.mark.django_db


def test_download_and_deletion(city, survey):
    owner = city.users["owner"]
    services.submit_response(user=owner, survey=survey, answers=answers_for(survey))
    data = json.loads(json.dumps(core_privacy.export(owner), default=str))["surveys"]
    (mine,) = data["responses"]
    assert mine["survey"] == survey.title
    assert any(a["text"] == "by the gate" for a in mine["answers"])

    delete_account(user=owner, password="pass-Word-9")
    response = Response.objects.get(survey=survey)
    assert response.respondent is None and response.household is not None
    assert not Answer.objects.filter(response=response).exclude(text="").exists()
    assert Answer.objects.filter(response=response).exclude(choices=[]).exists()
    assert Response.objects.filter(survey=survey).count() == 1
