import json

import pytest

from linju.surveys.models import Response

from .conftest import answers_for, make_survey

pytestmark = pytest.mark.django_db

BASE = "/api/v1/surveys"


def test_list_and_get(client, city, survey, django_assert_max_num_queries):
    for _ in range(3):
        make_survey(city)
    make_survey(city, place="C2")
    client.force_login(city.users["community_staff"])
    with django_assert_max_num_queries(10):
        body = client.get(BASE).json()
    assert body["count"] == 4
    assert body["items"][0]["questions"][2]["show_if"] is not None
    client.force_login(city.users["owner_2"])
    assert client.get(f"{BASE}/{survey.pk}").status_code == 404
    assert client.get(BASE).json()["count"] == 1


def _post(client, survey, answers):
    return client.post(
        f"{BASE}/{survey.pk}/responses",
        json.dumps({"answers": answers}),
        content_type="application/json",
    )


def test_answer(client, city, survey):
    client.force_login(city.users["owner"])
    r = _post(client, survey, answers_for(survey, first=1))
    assert r.status_code == 201 and r.json()["answers"] == 2
    r = _post(client, survey, answers_for(survey))
    assert r.status_code == 409 and r.json()["code"] == "answered"
    assert Response.objects.count() == 1


def test_bad_answers_422_name_the_question(client, city, survey):
    q1 = survey.questions.get(position=1)
    client.force_login(city.users["owner"])
    r = _post(client, survey, {str(q1.pk): 9})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == f"answers.{q1.pk}"
    r = client.post(
        f"{BASE}/{survey.pk}/responses", json.dumps({"answers": 3}), content_type="application/json"
    )
    assert r.status_code == 422


def test_staff_403_outsider_404_anonymous_401(client, city, survey):
    client.force_login(city.users["community_staff"])
    assert _post(client, survey, answers_for(survey)).status_code == 403
    client.force_login(city.users["owner_2"])
    assert _post(client, survey, answers_for(survey)).status_code == 404
    client.logout()
    assert client.get(BASE).status_code == 401


def test_create_and_results(client, city, survey):
    from linju.surveys import services

    data = {
        "place": city.places["C1"].pk,
        "title": "x",
        "audience": "person",
        "opens_on": "2026-01-01",
        "closes_on": "2026-02-01",
        "questions": [{"kind": "single", "text": "y", "options": ["a"]}],
    }
    client.force_login(city.users["community_staff"])
    r = client.post(BASE, json.dumps(data), content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "questions.0.options"
    data["questions"][0]["options"] = ["a", "b"]
    r = client.post(BASE, json.dumps(data), content_type="application/json")
    assert r.status_code == 201 and r.json()["status"] == "draft"
    client.force_login(city.users["community_staff_2"])
    r = client.post(BASE, json.dumps(data), content_type="application/json")
    assert r.status_code == 403

    services.submit_response(user=city.users["owner"], survey=survey, answers=answers_for(survey))
    client.force_login(city.users["community_staff"])
    body = client.get(f"{BASE}/{survey.pk}/results").json()
    assert body["responses"] == 1
    assert body["demands"][0]["option"] == "Garden" and body["demands"][0]["method"] == "borda"
    assert {c["building"] for c in body["coverage"]} == {"B1", "B2"}
    client.force_login(city.users["owner"])
    assert client.get(f"{BASE}/{survey.pk}/results").status_code == 403
