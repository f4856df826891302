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


def _send(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def test_open_and_close(client, city):
    draft = make_survey(city, open_it=False, place="B1")
    # The grid worker of B1 sees the survey but does not run it.
    client.force_login(city.users["grid_worker"])
    r = _send(client, f"{BASE}/{draft.pk}/open")
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    client.force_login(city.users["community_staff_2"])
    assert _send(client, f"{BASE}/{draft.pk}/open").status_code == 404
    client.force_login(city.users["community_staff"])
    r = _send(client, f"{BASE}/{draft.pk}/close")
    assert r.status_code == 409 and r.json()["code"] == "wrong_status"
    r = _send(client, f"{BASE}/{draft.pk}/open")
    assert r.status_code == 200 and r.json()["status"] == "open" and r.json()["is_open"]
    assert _send(client, f"{BASE}/{draft.pk}/open").json()["code"] == "wrong_status"
    r = _send(client, f"{BASE}/{draft.pk}/close")
    assert r.status_code == 200 and r.json()["status"] == "closed"
    client.force_login(city.users["owner"])
    assert _send(client, f"{BASE}/{draft.pk}/open").status_code == 403


def test_paper_entry(client, city):
    survey = make_survey(city, place="B1")
    worker = city.users["grid_worker"]
    client.force_login(worker)
    url = f"{BASE}/{survey.pk}/paper"
    household = city.households["H101"]
    r = _send(client, url, {"answers": answers_for(survey), "household_id": household.pk})
    assert r.status_code == 201 and r.json()["answers"] == 3
    saved = Response.objects.get(pk=r.json()["id"])
    assert saved.paper and saved.household == household and saved.entered_by == worker
    r = _send(client, url, {"answers": answers_for(survey), "household_id": household.pk})
    assert r.status_code == 409 and r.json()["code"] == "answered"
    # A sheet without a household is its own.
    assert _send(client, url, {"answers": answers_for(survey)}).status_code == 201
    outside = city.households["H201"].pk
    r = _send(client, url, {"answers": answers_for(survey), "household_id": outside})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "household_id"
    q1 = survey.questions.get(position=1)
    r = _send(client, url, {"answers": {str(q1.pk): 7}})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == f"answers.{q1.pk}"
    assert Response.objects.filter(survey=survey).count() == 2
    client.force_login(city.users["owner"])
    assert _send(client, url, {"answers": answers_for(survey)}).status_code == 403
    client.force_login(city.users["grid_worker_2"])
    assert _send(client, url, {"answers": answers_for(survey)}).status_code == 404
    draft = make_survey(city, open_it=False, place="B1")
    client.force_login(worker)
    r = _send(client, f"{BASE}/{draft.pk}/paper", {"answers": answers_for(draft)})
    assert r.status_code == 409 and r.json()["code"] == "not_open"


def test_needs_from_the_top_demands(client, city, survey):
    from linju.projects.models import Need

    staff = city.users["community_staff"]
    client.force_login(staff)
    url = f"{BASE}/{survey.pk}/needs"
    r = _send(client, url, {"top": 2})
    assert r.status_code == 409 and r.json()["code"] == "no_demands"
    from linju.surveys import services

    services.submit_response(user=city.users["owner"], survey=survey, answers=answers_for(survey))
    r = _send(client, url, {"top": 0})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "top"
    r = _send(client, url, {"top": "many"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "top"
    client.force_login(city.users["owner"])
    assert _send(client, url, {"top": 2}).status_code == 403
    client.force_login(city.users["community_staff_2"])
    assert _send(client, url, {"top": 2}).status_code == 404
    assert not Need.objects.exists()
    client.force_login(staff)
    r = _send(client, url, {"top": 2})
    assert r.status_code == 201
    body = r.json()
    assert len(body) == 2 and body[0]["title"] == "Garden" and body[0]["households"] == 1
    assert Need.objects.filter(source_ref=f"survey:{survey.pk}").count() == 2


def test_export_streams_the_answers(client, city, survey):
    import io

    from openpyxl import load_workbook

    from linju.surveys import services

    services.submit_response(user=city.users["owner"], survey=survey, answers=answers_for(survey))
    client.force_login(city.users["community_staff"])
    r = client.get(f"{BASE}/{survey.pk}/export.xlsx")
    assert r.status_code == 200 and "spreadsheetml" in r["Content-Type"]
    assert r["Content-Disposition"].startswith("attachment")
    book = load_workbook(io.BytesIO(b"".join(r.streaming_content)), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "Demands 2026"
    assert "by the gate" in rows[2]
    client.force_login(city.users["owner"])
    assert client.get(f"{BASE}/{survey.pk}/export.xlsx").status_code == 403
    client.force_login(city.users["owner_2"])
    assert client.get(f"{BASE}/{survey.pk}/export.xlsx").status_code == 404
