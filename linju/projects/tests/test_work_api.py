"""/api/v1/projects/projects and /retrofits: a project walked from a need to its evaluation
through the API, bad input naming the field, conflicts with their codes, the lists' query
counts not growing with their length, retrofits and their figures."""

from datetime import timedelta

import pytest
from django.utils import timezone

from linju.core.tests.test_api import API, api_client, assert_error, count_queries, post
from linju.projects.models import ElevatorRetrofit, Project

from . import fixtures_work as fx

pytestmark = pytest.mark.django_db
P = "/projects/projects"
R = "/projects/retrofits"


def test_a_project_from_need_to_evaluation(city):
    staff = api_client(city.users["community_staff"])
    need = fx.need(city)
    t = fx.topic(city, place="E1")
    r = post(
        staff,
        P,
        {"place": city.places["E1"].pk, "title": "楼道灯", "summary": "装灯", "needs": [need.pk]},
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert r.json()["next_stage"] == "deliberated"
    r = post(staff, f"{P}/{pk}/stage", {"stage": "approved"})
    assert_error(r, 409, "stage_order")
    r = post(staff, f"{P}/{pk}/stage", {"stage": "deliberated"})
    assert_error(r, 409, "topic_missing")
    r = post(staff, f"{P}/{pk}", {"title": "楼道灯", "summary": "装灯", "topic": t.pk}, "put")
    assert r.status_code == 200, r.content
    for stage in ("deliberated", "approved"):
        assert post(staff, f"{P}/{pk}/stage", {"stage": stage}).status_code == 200
    assert_error(post(staff, f"{P}/{pk}/stage", {"stage": "funding"}), 409, "budget_missing")
    r = post(staff, f"{P}/{pk}/budget", {"source": "crowdfunding", "amount_fen": 123456})
    assert r.status_code == 201, r.content
    r = post(staff, f"{P}/{pk}/budget", {"source": "labour", "hours": 30})
    assert r.status_code == 201
    budget = staff.get(f"{API}{P}/{pk}/budget").json()
    assert budget["money_fen"] == 123456 and budget["hours"] == 30
    r = post(staff, f"{P}/{pk}/tasks", {"title": "买灯", "owner": city.users["owner"].pk})
    assert r.status_code == 201, r.content
    task = r.json()["id"]
    for stage in ("funding", "in_progress"):
        assert post(staff, f"{P}/{pk}/stage", {"stage": stage}).status_code == 200
    assert_error(post(staff, f"{P}/{pk}/stage", {"stage": "completed"}), 409, "tasks_open")
    owner = api_client(city.users["owner"])
    assert post(owner, f"{P}/tasks/{task}/done", {}).status_code == 200
    assert post(staff, f"{P}/{pk}/stage", {"stage": "completed"}).status_code == 200
    r = post(owner, f"{P}/{pk}/evaluation", {"stars": 5, "comment": "亮了"})
    assert r.status_code == 200, r.content
    assert r.json()["my_stars"] == 5 and r.json()["rating_count"] == 1
    r = post(owner, f"{P}/{pk}/evaluation", {"stars": 9})
    assert_error(r, 422, "invalid", "stars")
    r = post(api_client(city.users["owner_2"]), f"{P}/{pk}/evaluation", {"stars": 5})
    assert_error(r, 403, "forbidden")
    assert post(staff, f"{P}/{pk}/stage", {"stage": "evaluated"}).status_code == 200
    detail = owner.get(f"{API}{P}/{pk}").json()
    assert [s["to_stage"] for s in detail["stages"]][-1] == "evaluated"
    assert detail["campaign"] is None and detail["rating_average"] == 5.0
    assert_error(post(owner, f"{P}/{pk}/evaluation", {"stars": 4}), 409, "evaluation_closed")


@pytest.mark.parametrize(
    "body,field",
    [
        ({"title": ""}, "title"),
        ({"summary": "x" * 301}, "summary"),
        ({"needs": []}, "needs"),
        ({"needs": [999999]}, "needs.0"),
        ({"place": 999999}, "place"),
        ({"place": "x"}, "place"),
        ({"topic": 999999}, "topic"),
        ({"lead": 999999}, "lead"),
        ({"partners": [999999]}, "partners.0"),
        ({"description": "a\u0000"}, "description"),
    ],
)
def test_create_bad_input_names_the_field(city, body, field):
    need = fx.need(city)
    data = {
        "place": city.places["E1"].pk,
        "title": "t",
        "summary": "s",
        "needs": [need.pk],
        **body,
    }
    r = post(api_client(city.users["community_staff"]), P, data)
    assert_error(r, 422, "invalid", field)
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    "body,field",
    [
        ({"source": "x", "amount_fen": 1}, "source"),
        ({"source": "government", "amount_fen": 0}, "amount_fen"),
        ({"source": "government", "amount_fen": 1.5}, "amount_fen"),
        ({"source": "labour", "hours": 0}, "hours"),
        ({"source": "partner", "amount_fen": 5}, "partner"),
    ],
)
def test_budget_bad_input_names_the_field(city, body, field):
    p = fx.make_project(city, needs=[fx.need(city)])
    r = post(api_client(city.users["community_staff"]), f"{P}/{p.pk}/budget", body)
    assert_error(r, 422, "invalid", field)


def test_milestone_task_update_bad_input(city):
    p = fx.make_project(city, needs=[fx.need(city)])
    staff = api_client(city.users["community_staff"])
    assert_error(
        post(staff, f"{P}/{p.pk}/milestones", {"title": "m", "due_on": "soon"}),
        422,
        "invalid",
        "due_on",
    )
    assert_error(post(staff, f"{P}/{p.pk}/tasks", {"title": "t"}), 422, "invalid", "owner")
    assert_error(post(staff, f"{P}/{p.pk}/updates", {"text": ""}), 422, "invalid", "text")
    assert_error(post(staff, f"{P}/{p.pk}/stage", {"stage": "x"}), 422, "invalid", "stage")
    assert_error(post(staff, f"{P}/{p.pk}/cancel", {"reason": ""}), 422, "invalid", "reason")
    assert_error(post(staff, f"{P}/999999/cancel", {"reason": "x"}), 404, "not_found")


def test_public_list_filters_and_query_count_does_not_grow(city):
    staff = city.users["community_staff"]
    for i in range(2):
        fx.make_project(city, needs=[fx.need(city)], title=f"p{i}")
    client = api_client(city.users["newcomer"])
    few, body = count_queries(client, P)
    assert body["count"] == 2
    for i in range(8):
        p = fx.make_project(city, needs=[fx.need(city)], title=f"q{i}")
    fx.make_project(city, place="E2", user="community_staff_2", needs=[fx.need(city, "B3")])
    many, body = count_queries(client, P)
    assert body["count"] == 11 and many == few
    # A resident of C1 opens on C1's projects; a place filter shows any community's.
    owner = api_client(city.users["owner"])
    assert owner.get(f"{API}{P}").json()["count"] == 10
    c2 = owner.get(f"{API}{P}", {"place": city.places["C2"].pk}).json()
    assert c2["count"] == 1
    assert owner.get(f"{API}{P}", {"stage": "cancelled"}).json()["count"] == 0
    assert_error(owner.get(f"{API}{P}", {"stage": "x"}), 422, "invalid", "stage")
    # Tasks are for staff of the scope.
    assert_error(owner.get(f"{API}{P}/{p.pk}/tasks"), 403, "forbidden")
    assert api_client(staff).get(f"{API}{P}/{p.pk}/tasks").status_code == 200


def test_retrofits_and_figures(city):
    staff = api_client(city.users["community_staff"])
    r = post(staff, R, {"place": city.places["U1"].pk, "note": "一单元"})
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert_error(post(staff, R, {"place": city.places["U1"].pk}), 409, "retrofit_exists")
    assert_error(post(staff, R, {"place": city.places["B1"].pk}), 422, "invalid", "place")
    assert_error(post(staff, f"{R}/{pk}/stage", {"stage": "consent"}), 409, "ballot_missing")
    b = fx.ballot(city.places["U1"], rule="elevator")
    assert post(staff, f"{R}/{pk}", {"ballot": b.pk}, "put").status_code == 200
    assert post(staff, f"{R}/{pk}/stage", {"stage": "consent"}).status_code == 200
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    r = post(staff, f"{R}/{pk}/stage", {"stage": "signed", "on": future})
    assert_error(r, 422, "invalid", "on")
    r = post(staff, f"{R}/{pk}/stage", {"stage": "signed", "on": timezone.localdate().isoformat()})
    assert r.status_code == 200 and r.json()["signed_on"] == timezone.localdate().isoformat()
    figures = staff.get(f"{API}{R}/figures").json()
    assert figures["total"]["signed"] == 1 and figures["rows"][0]["community"]["name"] == "C1"
    listing = staff.get(f"{API}{R}").json()
    assert listing["count"] == 1
    assert_error(api_client(city.users["owner"]).get(f"{API}{R}"), 403, "forbidden")
    assert_error(
        api_client(city.users["community_staff_2"]).get(f"{API}{R}/{pk}"), 404, "not_found"
    )
    r = post(staff, f"{R}/{pk}/abandon", {"reason": ""})
    assert_error(r, 422, "invalid", "reason")
    assert post(staff, f"{R}/{pk}/abandon", {"reason": "协商未果"}).status_code == 200
    assert ElevatorRetrofit.objects.get(pk=pk).stage == "abandoned"
