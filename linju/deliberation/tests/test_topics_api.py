"""/api/v1/deliberation: topics, procedures, tasks, ratings and the notice board as JSON, for
each role inside and outside its scope: 401 without a login, 422 naming the field, 409 with a
code, 404 for what the caller does not see, documented in the OpenAPI schema, lists whose
query count does not grow with their rows."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from linju.core.tests.test_api import API, api_client, assert_error, count_queries, post
from linju.deliberation import services_topics as services
from linju.deliberation.models import StageCompletion, SupportRule, Task, TopicStatus

from .test_procedures import complete, tasks_done
from .test_topics import fresh, meeting, propose, staff_topic, stage, started

pytestmark = pytest.mark.django_db

D = "/deliberation"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def as_(city, key, **kwargs) -> Client:
    return api_client(city.users[key], **kwargs)


def act(city, key, path, data=None):
    return post(as_(city, key), D + path, data or {})


@pytest.fixture
def two_needed(city):
    SupportRule.objects.create(place=city.places["C1"], households=2)
    return city


# --- Authentication, OpenAPI ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/topics",
        "/topics/1",
        "/topics/1/completions/1/document",
        "/tasks",
        "/tasks/1",
        "/procedures",
        "/notices",
    ],
)
def test_anonymous_gets_401(client, db, path):
    assert_error(client.get(API + D + path), 401, "unauthenticated")


@pytest.mark.parametrize(
    "path",
    [
        "/topics",
        "/topics/1/support",
        "/topics/1/stages/1/complete",
        "/topics/1/tasks",
        "/topics/1/rate",
        "/tasks/1/progress",
    ],
)
def test_anonymous_writes_get_401(client, db, path):
    assert_error(post(client, D + path, {}), 401, "unauthenticated")


def test_session_posts_need_the_csrf_token(city):
    payload = {"place": city.places["U1"].pk, "title": "t", "body": "b"}
    assert_error(post(as_(city, "owner", csrf=False), D + "/topics", payload), 403, "csrf_failed")


def test_every_route_is_documented(client, db):
    schema = client.get(API + "/openapi.json").json()
    ours = {p: ops for p, ops in schema["paths"].items() if p.startswith(API + D + "/t")}
    ours |= {
        p: ops
        for p, ops in schema["paths"].items()
        if p in (API + D + "/procedures", API + D + "/notices")
    }
    assert len(ours) >= 17
    for path, ops in ours.items():
        for method, op in ops.items():
            assert op.get("summary") and op.get("description"), (method, path)
            assert {"401", "403", "404", "409", "422"} <= set(op["responses"]), (method, path)
    complete_op = schema["paths"][API + D + "/topics/{topic_id}/stages/{stage_id}/complete"]
    assert "multipart/form-data" in complete_op["post"]["requestBody"]["content"]


# --- Topics --------------------------------------------------------------------------------------


def test_list_is_scoped_and_filtered(city, two_needed):
    u1 = propose(city, "owner", "U1", title="单元")
    c1 = staff_topic(city, "C1", title="社区", source="party")
    c2 = staff_topic(city, "C2", "community_staff_2", title="别处")
    u2 = staff_topic(city, "U2", title="二单元")

    def ids(key, query=""):
        response = as_(city, key).get(f"{API}{D}/topics{query}")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["items"]}

    assert ids("owner") == {u1.pk, c1.pk}
    assert ids("tenant") == {u1.pk, c1.pk}
    assert ids("owner_2") == {c2.pk}
    assert ids("community_staff") == {u1.pk, c1.pk, u2.pk}
    assert ids("subdistrict_admin") == {u1.pk, c1.pk, u2.pk, c2.pk}
    assert ids("unit_head") == {u1.pk}
    assert ids("newcomer") == set()
    assert ids("community_staff", "?source=party") == {c1.pk}
    assert ids("community_staff", f"?place={city.places['B1'].pk}") == {u1.pk}
    assert ids("community_staff", "?near=true") == set()
    assert ids("owner", "?status=final") == set()
    services.withdraw_topic(user=city.users["owner"], topic=u1)
    assert ids("owner", "?status=withdrawn") == {u1.pk}
    row = as_(city, "tenant").get(f"{API}{D}/topics?status=all").json()["items"]
    mine = next(r for r in row if r["id"] == c1.pk)
    assert mine["support_needed"] == 2 and mine["supported_by_me"] is False
    assert mine["place"] == {"id": city.places["C1"].pk, "name": "C1", "kind": "community"}
    assert_error(as_(city, "owner").get(f"{API}{D}/topics?status=maybe"), 422, "invalid", "status")
    assert_error(as_(city, "owner").get(f"{API}{D}/topics?place=999999"), 422, "invalid", "place")


def test_list_query_count_does_not_grow(city, two_needed):
    client = as_(city, "tenant")
    propose(city, "owner", "U1")
    few, _ = count_queries(client, D + "/topics")
    for n in range(15):
        t = staff_topic(city, "C1", title=f"议题{n}")
        if n % 3 == 0:
            services.support_topic(user=city.users["tenant"], topic=t)
    many, body = count_queries(client, D + "/topics?limit=50")
    assert many == few
    assert body["count"] == 16
    assert sum(r["supported_by_me"] for r in body["items"]) == 5


def test_propose(city, two_needed):
    response = act(
        city, "owner", "/topics", {"place": city.places["U1"].pk, "title": "灯", "body": "坏了"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["support_count"], body["support_needed"]) == ("proposed", 1, 2)
    assert body["allowed"]["withdraw"] and not body["allowed"]["support"]
    assert body["proposer"]["name"] == city.users["owner"].name
    # Errors name the field.
    for payload, field in [
        ({"place": city.places["U1"].pk, "title": "x" * 121, "body": "b"}, "title"),
        ({"place": city.places["U1"].pk, "title": "t"}, "body"),
        ({"place": 0, "title": "t", "body": "b"}, "place"),
        ({"place": city.places["U1"].pk, "title": "t", "body": "b", "source": "x"}, "source"),
        ({"place": city.places["S"].pk, "title": "t", "body": "b"}, "place"),
        ({"place": city.places["U1"].pk, "title": " ", "body": "b"}, "title"),
    ]:
        assert_error(act(city, "owner", "/topics", payload), 422, "invalid", field)
    payload = {"place": city.places["C1"].pk, "title": "t", "body": "b"}
    assert_error(act(city, "community_staff", "/topics", payload), 422, "invalid", "source")
    assert_error(act(city, "owner_2", "/topics", payload), 403, "forbidden")
    staff = act(
        city,
        "community_staff",
        "/topics",
        {**payload, "source": "report", "source_ref": "report:9"},
    )
    assert staff.status_code == 201
    assert (staff.json()["source"], staff.json()["source_ref"]) == ("report", "report:9")


def test_detail_and_404(city, two_needed):
    topic = propose(city, "owner", "U1")
    body = as_(city, "tenant").get(f"{API}{D}/topics/{topic.pk}").json()
    assert body["allowed"] == {
        "support": True,
        "unsupport": False,
        "withdraw": False,
        "rate": False,
        "organise": False,
        "complete": False,
    }
    # Neighbours read the proposer's name masked; staff in full.
    assert body["proposer"]["name"] != city.users["owner"].name
    staff = as_(city, "community_staff").get(f"{API}{D}/topics/{topic.pk}").json()
    assert staff["proposer"]["name"] == city.users["owner"].name
    assert staff["allowed"]["organise"] is True
    for key in ("owner_2", "community_staff_2", "newcomer", "partner"):
        assert_error(as_(city, key).get(f"{API}{D}/topics/{topic.pk}"), 404, "not_found")
    assert_error(as_(city, "owner").get(f"{API}{D}/topics/999999"), 404, "not_found")


def test_support_and_unsupport_conflicts(city, two_needed):
    SupportRule.objects.filter(place=city.places["C1"]).update(households=3)
    topic = propose(city, "owner", "E1")
    path = f"/topics/{topic.pk}"
    ok = act(city, "tenant", path + "/support")
    assert ok.status_code == 200 and ok.json()["support_count"] == 2
    assert ok.json()["supported_by_me"] and ok.json()["allowed"]["unsupport"]
    assert_error(act(city, "tenant", path + "/support"), 409, "already_supported")
    assert_error(act(city, "owner", path + "/unsupport"), 409, "own_topic")
    assert_error(act(city, "party_liaison", path + "/unsupport"), 409, "not_supported")
    assert_error(act(city, "owner_2", path + "/support"), 404, "not_found")
    assert_error(act(city, "community_staff", path + "/support"), 403, "forbidden")
    assert act(city, "tenant", path + "/unsupport").json()["support_count"] == 1
    reached = act(city, "tenant", path + "/support")
    reached = act(city, "party_liaison", path + "/support")
    assert reached.json()["status"] == "agenda"
    assert_error(act(city, "tenant", path + "/unsupport"), 409, "wrong_status")


def test_organiser_actions(city):
    topic = staff_topic(city, "C1")
    path = f"/topics/{topic.pk}"
    assert_error(act(city, "unit_head", path + "/agenda"), 404, "not_found")
    assert_error(act(city, "grid_worker", path + "/agenda"), 404, "not_found")
    assert_error(act(city, "property_manager", path + "/agenda"), 404, "not_found")
    assert_error(act(city, "owner", path + "/agenda"), 403, "forbidden")
    assert act(city, "community_staff", path + "/agenda").json()["status"] == "agenda"
    assert_error(act(city, "community_staff", path + "/agenda"), 409, "wrong_status")
    assert_error(act(city, "community_staff", path + "/start", {}), 422, "invalid", "procedure")
    assert_error(
        act(city, "community_staff", path + "/start", {"procedure": "nope"}),
        422,
        "invalid",
        "procedure",
    )
    started_ = act(city, "community_staff", path + "/start", {"procedure": "four_two"}).json()
    assert started_["status"] == "deliberating"
    assert started_["current_stage"]["code"] == "branch_proposes"
    assert [s["code"] for s in started_["stages"] if s["current"]] == ["branch_proposes"]
    assert_error(act(city, "community_staff", path + "/decline", {}), 422, "invalid", "reason")
    assert_error(
        act(city, "community_staff", path + "/decline", {"reason": " "}), 422, "invalid", "reason"
    )
    declined = act(city, "subdistrict_admin", path + "/decline", {"reason": "不属于社区事务"})
    assert declined.json()["status"] == "declined"
    assert declined.json()["decline_reason"] == "不属于社区事务"


def test_withdraw(city, two_needed):
    topic = propose(city, "owner", "U1")
    assert_error(act(city, "tenant", f"/topics/{topic.pk}/withdraw"), 403, "forbidden")
    assert act(city, "owner", f"/topics/{topic.pk}/withdraw").json()["status"] == "withdrawn"
    assert_error(act(city, "owner", f"/topics/{topic.pk}/withdraw"), 409, "wrong_status")


def test_complete_stage_json_and_multipart(city):
    topic = started(city, "four_two", "C1")
    first = stage("four_two", "branch_proposes").pk
    second = stage("four_two", "committees_discuss").pk
    path = f"/topics/{topic.pk}/stages"
    assert_error(
        act(city, "community_staff", f"{path}/{first}/complete", {}), 422, "invalid", "note"
    )
    assert_error(
        act(city, "community_staff", f"{path}/{second}/complete", {"note": "x"}),
        409,
        "not_current_stage",
    )
    assert_error(
        act(city, "community_staff", f"{path}/{stage('meeting', 'collect').pk}/complete", {}),
        422,
        "invalid",
        "stage_id",
    )
    assert_error(
        act(city, "community_staff_2", f"{path}/{first}/complete", {"note": "x"}), 404, "not_found"
    )
    assert_error(
        act(city, "grid_worker", f"{path}/{first}/complete", {"note": "x"}), 404, "not_found"
    )
    # Multipart with the document, as a phone or a browser sends it.
    client = as_(city, "community_staff")
    doc = SimpleUploadedFile("提议.pdf", b"%PDF-1.4\n%%EOF", content_type="application/pdf")
    response = client.post(f"{API}{D}{path}/{first}/complete", {"note": "提议", "document": doc})
    assert response.status_code == 200, response.content
    done = response.json()["stages"][0]
    assert done["done"] and done["completion"]["note"] == "提议"
    url = done["completion"]["document_url"]
    download = as_(city, "owner").get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert as_(city, "owner_2").get(url).status_code == 404
    assert_error(
        act(city, "community_staff", f"{path}/{first}/complete", {"note": "x"}), 409, "stage_done"
    )
    # The meeting need names the field the client sends.
    body = assert_error(
        act(city, "community_staff", f"{path}/{second}/complete", {}), 422, "invalid"
    )
    assert [e["field"] for e in body["errors"]] == ["meeting_id"]
    assert_error(
        act(city, "community_staff", f"{path}/{second}/complete", {"meeting_id": "x"}),
        422,
        "invalid",
        "meeting_id",
    )
    m = meeting(topic, "committees")
    ok = act(city, "community_staff", f"{path}/{second}/complete", {"meeting_id": m.pk})
    assert ok.status_code == 200 and ok.json()["current_stage"]["code"] == "members_review"
    assert StageCompletion.objects.get(topic=topic, stage_id=second).meeting == m


def test_tasks_api(city):
    topic = started(city, "meeting", "U1")
    services.record_topic_decision(user=city.users["unit_head"], topic=topic, text="修门禁")
    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    path = f"/topics/{topic.pk}/tasks"
    for payload, field in [
        ({"title": "t", "owner_id": city.users["owner_2"].pk, "due_on": due}, "owner_id"),
        ({"title": "t", "owner_id": city.users["owner"].pk, "due_on": "2000-01-01"}, "due_on"),
        ({"title": "t", "owner_id": city.users["owner"].pk, "due_on": "soon"}, "due_on"),
        (
            {"title": "t", "owner_id": city.users["owner"].pk, "due_on": due, "decision_id": 999},
            "decision_id",
        ),
        ({"owner_id": city.users["owner"].pk, "due_on": due}, "title"),
    ]:
        assert_error(act(city, "unit_head", path, payload), 422, "invalid", field)
    assert_error(
        act(
            city,
            "grid_worker",
            path,
            {"title": "t", "owner_id": city.users["owner"].pk, "due_on": due},
        ),
        403,
        "forbidden",
    )
    created = act(
        city,
        "unit_head",
        path,
        {"title": "修门禁", "owner_id": city.users["owner"].pk, "due_on": due},
    )
    assert created.status_code == 201, created.content
    task = created.json()
    assert (task["status"], task["progress"], task["overdue"]) == ("open", 0, False)
    # The owner's list, progress, and the staff lists.
    mine = as_(city, "owner").get(f"{API}{D}/tasks").json()
    assert [t["id"] for t in mine["items"]] == [task["id"]]
    assert_error(as_(city, "owner").get(f"{API}{D}/tasks?which=overdue"), 403, "forbidden")
    assert as_(city, "community_staff").get(f"{API}{D}/tasks?which=scope").json()["count"] == 1
    assert as_(city, "community_staff_2").get(f"{API}{D}/tasks?which=scope").json()["count"] == 0
    assert as_(city, "community_staff").get(f"{API}{D}/tasks?which=overdue").json()["count"] == 0
    assert_error(
        act(city, "owner", f"/tasks/{task['id']}/progress", {"text": "x", "progress": 101}),
        422,
        "invalid",
        "progress",
    )
    assert_error(
        act(city, "owner", f"/tasks/{task['id']}/progress", {"progress": 5}), 422, "invalid", "text"
    )
    assert_error(
        act(city, "tenant", f"/tasks/{task['id']}/progress", {"text": "x", "progress": 5}),
        403,
        "forbidden",
    )
    assert_error(
        act(city, "owner_2", f"/tasks/{task['id']}/progress", {"text": "x", "progress": 5}),
        404,
        "not_found",
    )
    half = act(city, "owner", f"/tasks/{task['id']}/progress", {"text": "订了配件", "progress": 50})
    assert half.json()["progress"] == 50 and half.json()["updates"][0]["text"] == "订了配件"
    assert_error(act(city, "unit_head", f"/tasks/{task['id']}/cancel", {}), 403, "forbidden")
    cancelled = act(city, "community_staff", f"/tasks/{task['id']}/cancel", {"reason": "改期"})
    assert cancelled.json()["status"] == "cancelled"
    assert_error(
        act(city, "owner", f"/tasks/{task['id']}/progress", {"text": "x", "progress": 60}),
        409,
        "task_closed",
    )
    assert as_(city, "owner").get(f"{API}{D}/tasks/{task['id']}").status_code == 200
    assert_error(as_(city, "owner_2").get(f"{API}{D}/tasks/{task['id']}"), 404, "not_found")


def test_task_lists_query_count_does_not_grow(city):
    topic = started(city, "meeting", "U1")
    services.record_topic_decision(user=city.users["unit_head"], topic=topic, text="修")

    def add(n):
        for i in range(n):
            services.add_task(
                user=city.users["unit_head"],
                topic=fresh(topic),
                title=f"任务{i}",
                owner_id=city.users["community_staff"].pk,
                due_on=timezone.localdate() + timedelta(days=1),
            )

    client = as_(city, "community_staff")
    add(1)
    few, _ = count_queries(client, D + "/tasks?which=scope")
    add(12)
    many, body = count_queries(client, D + "/tasks?which=scope")
    assert many == few and body["count"] == 13


def test_rate_and_close_evaluation(city):
    topic = started(city, "meeting", "U1")
    complete(city, topic, "collect", key="unit_head")
    meeting(topic, "yishihui")
    complete(city, topic, "convene", key="unit_head")
    complete(city, topic, "hold", key="unit_head", decision_text="修")
    tasks_done(city, topic, key="unit_head", owner="unit_head")
    complete(city, topic, "implement", key="unit_head")
    path = f"/topics/{topic.pk}"
    assert_error(act(city, "owner", path + "/rate", {"stars": 4}), 409, "evaluation_closed")
    complete(city, topic, "publish", key="unit_head", result_text="修好了")
    assert_error(act(city, "owner", path + "/rate", {"stars": 6}), 422, "invalid", "stars")
    assert_error(act(city, "owner", path + "/rate", {}), 422, "invalid", "stars")
    assert_error(act(city, "party_liaison", path + "/rate", {"stars": 3}), 403, "forbidden")
    rated = act(city, "owner", path + "/rate", {"stars": 4, "comment": "好"})
    assert rated.status_code == 200
    assert rated.json() == {
        "topic_id": topic.pk,
        "stars": 4,
        "comment": "好",
        "rating_count": 1,
        "rating_average": 4.0,
    }
    assert act(city, "tenant", path + "/rate", {"stars": 1}).json()["rating_average"] == 2.5
    detail = as_(city, "owner").get(f"{API}{D}{path}").json()
    assert detail["my_rating"] == {"stars": 4, "comment": "好"} and detail["allowed"]["rate"]
    assert detail["result"] == "修好了" and detail["status"] == "evaluating"
    assert_error(act(city, "unit_head", path + "/close-evaluation"), 403, "forbidden")
    closed = act(city, "community_staff", path + "/close-evaluation").json()
    assert closed["evaluation_closed_at"] and closed["status"] == "evaluating"
    assert closed["current_stage"]["code"] == "supervise"
    assert_error(act(city, "community_staff", path + "/close-evaluation"), 409, "evaluation_closed")
    assert_error(act(city, "owner", path + "/rate", {"stars": 5}), 409, "evaluation_closed")
    done = act(
        city,
        "community_staff",
        f"{path}/stages/{stage('meeting', 'supervise').pk}/complete",
        {"note": "督导"},
    ).json()
    assert done["status"] == "closed" and done["rating_average"] == 2.5
    assert fresh(topic).status == TopicStatus.CLOSED


def test_procedures_and_notices(city):
    body = as_(city, "owner").get(f"{API}{D}/procedures").json()
    assert [p["code"] for p in body] == ["four_step", "four_two", "meeting"]
    four_two = body[1]
    assert [s["order"] for s in four_two["stages"]] == [1, 2, 3, 4, 5, 6]
    assert four_two["stages"][2]["needs"] == ["meeting", "ballot"]
    assert four_two["stages"][2]["meeting_kind"] == "party_assembly"
    topic = started(city, "meeting", "U1")
    complete(city, topic, "collect", key="unit_head")
    meeting(topic, "yishihui")
    complete(city, topic, "convene", key="unit_head")
    complete(city, topic, "hold", key="unit_head", decision_text="每周清理")

    def notices(key, query=""):
        response = as_(city, key).get(f"{API}{D}/notices{query}")
        assert response.status_code == 200, response.content
        return response.json()

    items = notices("owner")["items"]
    assert [n["kind"] for n in items] == ["decision"] and "每周清理" in items[0]["body"]
    assert items[0]["topic_id"] == topic.pk
    assert notices("owner_2")["count"] == 0
    assert notices("community_staff")["count"] == 1
    assert notices("community_staff_2")["count"] == 0
    assert notices("owner", f"?place={city.places['C1'].pk}")["count"] == 1
    assert notices("owner", f"?place={city.places['U2'].pk}")["count"] == 0
    assert_error(as_(city, "owner").get(f"{API}{D}/notices?place=999999"), 422, "invalid", "place")
    assert Task.objects.count() == 0


def test_record_a_decision(city):
    topic = started(city, "meeting", "U1")
    path = f"/topics/{topic.pk}/decisions"
    assert_error(act(city, "unit_head", path, {"text": ""}), 422, "invalid", "text")
    assert_error(act(city, "unit_head", path, {}), 422, "invalid", "text")
    assert_error(
        act(city, "unit_head", path, {"text": "修", "meeting_id": 999999}),
        422,
        "invalid",
        "meeting_id",
    )
    assert_error(
        act(city, "unit_head", path, {"text": "修", "ballot_id": 999999}),
        422,
        "invalid",
        "ballot_id",
    )
    assert_error(act(city, "grid_worker", path, {"text": "修"}), 403, "forbidden")
    assert_error(act(city, "owner_2", path, {"text": "修"}), 404, "not_found")
    m = meeting(topic, "yishihui")
    made = act(city, "unit_head", path, {"text": "修门禁", "meeting_id": m.pk})
    assert made.status_code == 201, made.content
    assert made.json()["meeting_id"] == m.pk
    detail = as_(city, "owner").get(f"{API}{D}/topics/{topic.pk}").json()
    assert [d["text"] for d in detail["decisions"]] == ["修门禁"]
    # Not on a topic that is not being deliberated.
    other = staff_topic(city, "U1")
    assert_error(
        act(city, "community_staff", f"/topics/{other.pk}/decisions", {"text": "x"}),
        409,
        "wrong_status",
    )
