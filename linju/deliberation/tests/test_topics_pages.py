"""The topic pages: residents' topics near me (support, the way to the threshold), proposing,
the topic's record with the rating form, the notice board; staff's agenda, the topic desk,
tasks and procedures. Every page for each role inside and outside its scope, form errors that
name their field and save nothing, and lists whose query count does not grow with their rows."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from linju.core.masking import mask_name
from linju.deliberation import queries_topics as queries
from linju.deliberation import services_topics as services
from linju.deliberation.models import (
    Publication,
    StageCompletion,
    SupportRule,
    Task,
    Topic,
    TopicStatus,
)

from .test_procedures import complete, tasks_done
from .test_topics import fresh, meeting, propose, staff_topic, stage, started

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def url(name, *args):
    return reverse(f"deliberation:{name}", args=args)


def login(client, user):
    client.force_login(user)
    return client


def body(response) -> str:
    return response.content.decode()


def field_errors(html) -> set[str]:
    return set(re.findall(r'class="error" data-field="([^"]+)"', html))


def section(html, testid) -> str:
    """The list marked data-testid=`testid`."""
    return html.split(f'data-testid="{testid}"')[1].split("</ul>")[0]


def queries_of(client, path) -> tuple[int, str]:
    # The first request after logging in writes the staff session's last-seen time.
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(ctx), body(response)


@pytest.fixture
def two_needed(city):
    SupportRule.objects.create(place=city.places["C1"], households=2)
    return city


# --- Residents -----------------------------------------------------------------------------------


def test_home_lists_topics_near_me_with_support(client, two_needed):
    city = two_needed
    u1 = propose(city, "owner", "U1", title="单元门禁")
    c1 = staff_topic(city, "C1", title="社区停车")
    far = staff_topic(city, "C2", "community_staff_2", title="别的社区")
    u2 = staff_topic(city, "U2", title="二单元")
    html = body(login(client, city.users["tenant"]).get(url("home")))
    assert "单元门禁" in html and "社区停车" in html
    assert "别的社区" not in html and "二单元" not in html
    assert f'data-testid="support-button-{u1.pk}"' in html
    assert f'data-testid="support-button-{c1.pk}"' in html
    assert f'data-topic="{u1.pk}"' in html and '<progress max="2" value="1"' in html
    assert 'data-testid="my-meetings"' in html and 'data-testid="my-ballots"' in html
    # Supporting from the list goes back to the list; the topic is then on the agenda.
    response = client.post(url("topic_support", u1.pk), {"next": url("home")})
    assert response.status_code == 302 and response["Location"] == url("home")
    assert fresh(u1).status == TopicStatus.AGENDA
    assert far.pk and u2.pk


def test_home_of_someone_without_a_home(client, city):
    html = body(login(client, city.users["newcomer"]).get(url("home")))
    assert 'data-testid="new-topic"' not in html
    assert 'data-testid="topics"' in html


def test_home_query_count_does_not_grow(client, two_needed):
    city = two_needed
    login(client, city.users["owner"])
    propose(city, "owner", "U1")
    few, _ = queries_of(client, url("home"))
    for n in range(12):
        staff_topic(city, "C1", title=f"议题{n}")
    many, html = queries_of(client, url("home"))
    assert many == few
    assert html.count("data-topic=") == 13


def test_propose_form(client, two_needed):
    city = two_needed
    login(client, city.users["owner"])
    html = body(client.get(url("topic_new")))
    for key in ("U1", "B1", "E1", "C1"):
        assert f'value="{city.places[key].pk}"' in html
    assert f'value="{city.places["U2"].pk}"' not in html
    assert 'name="source"' not in html  # residents raise topics as residents
    response = client.post(
        url("topic_new"), {"place": city.places["B1"].pk, "title": "", "body": ""}
    )
    assert response.status_code == 200
    assert field_errors(body(response)) == {"title", "body"}
    forged = client.post(
        url("topic_new"), {"place": city.places["C2"].pk, "title": "t", "body": "b"}
    )
    assert field_errors(body(forged)) == {"place"}
    assert not Topic.objects.exists()
    response = client.post(
        url("topic_new"), {"place": city.places["B1"].pk, "title": "修车棚", "body": "车棚漏雨"}
    )
    topic = Topic.objects.get()
    assert response.status_code == 302 and response["Location"] == url("topic", topic.pk)
    assert (topic.place, topic.source, topic.support_count) == (city.places["B1"], "resident", 1)


def test_staff_propose_with_a_source(client, city):
    login(client, city.users["community_staff"])
    html = body(client.get(url("topic_new")))
    assert 'name="source"' in html and 'value="resident"' not in html
    response = client.post(
        url("topic_new"),
        {
            "place": city.places["C1"].pk,
            "title": "垃圾分类",
            "body": "问卷里呼声最高",
            "source": "survey",
            "source_ref": "survey:7",
        },
    )
    assert response.status_code == 302
    topic = Topic.objects.get()
    assert (topic.source, topic.source_ref) == ("survey", "survey:7")


def test_a_report_is_raised_as_a_topic_from_its_desk_page(client, city):
    from linju.reports import services as report_services

    report = report_services.submit_report(
        user=city.users["owner"],
        category_code="parking",
        place_id=city.places["B1"].pk,
        description="晚上车位不够，消防通道被占",
    )
    login(client, city.users["community_staff"])
    html = body(client.get(reverse("reports:desk_report", args=[report.pk])))
    link = re.search(r'href="([^"]+)" data-testid="raise-topic"', html).group(1)
    form = body(client.get(link.replace("&amp;", "&")))
    assert f'value="report:{report.pk}"' in form
    assert f'<option value="{report.estate_id}" selected' in form


def test_propose_unavailable_without_a_home(client, city):
    html = body(login(client, city.users["newcomer"]).get(url("topic_new")))
    assert "topic-form" not in html


def test_topic_page_support_unsupport_withdraw(client, two_needed):
    city = two_needed
    SupportRule.objects.filter(place=city.places["C1"]).update(households=3)
    topic = propose(city, "owner", "E1")
    login(client, city.users["tenant"])
    html = body(client.get(url("topic", topic.pk)))
    assert 'data-testid="support"' in html and 'data-testid="withdraw"' not in html
    # The proposer's name is masked for neighbours.
    owner_name = city.users["owner"].name
    assert mask_name(owner_name) in html and owner_name not in html
    client.post(url("topic_support", topic.pk))
    html = body(client.get(url("topic", topic.pk)))
    assert 'data-testid="unsupport"' in html
    client.post(url("topic_unsupport", topic.pk))
    assert fresh(topic).support_count == 1
    # Someone else's topic cannot be withdrawn: a 403, nothing changes.
    assert client.post(url("topic_withdraw", topic.pk)).status_code == 403
    login(client, city.users["owner"])
    assert 'data-testid="withdraw"' in body(client.get(url("topic", topic.pk)))
    client.post(url("topic_withdraw", topic.pk))
    assert fresh(topic).status == TopicStatus.WITHDRAWN
    # A second click says why instead of failing.
    response = client.post(url("topic_withdraw", topic.pk), follow=True)
    assert response.status_code == 200


@pytest.fixture
def evaluating(city):
    topic = started(city, "meeting", "U1")
    complete(city, topic, "collect", key="unit_head", note="征集")
    meeting(topic, "yishihui")
    complete(city, topic, "convene", key="unit_head")
    complete(city, topic, "hold", key="unit_head", decision_text="修门禁")
    tasks_done(city, topic, key="unit_head", owner="unit_head")
    complete(city, topic, "implement", key="unit_head")
    complete(city, topic, "publish", key="unit_head", result_text="门禁已修好")
    return fresh(topic)


def test_topic_page_shows_the_record_and_takes_ratings(client, city, evaluating):
    topic = evaluating
    login(client, city.users["owner"])
    html = body(client.get(url("topic", topic.pk)))
    for code in ("collect", "convene", "hold", "implement", "publish", "supervise"):
        assert f'data-stage="{code}"' in html
    assert "修门禁" in html and "门禁已修好" in html and "征集" in html
    assert 'data-testid="rate"' in html
    response = client.post(url("topic_rate", topic.pk), {"rate-comment": "好"})
    assert field_errors(body(response)) == {"stars"}
    response = client.post(url("topic_rate", topic.pk), {"rate-stars": "4", "rate-comment": "好"})
    assert response.status_code == 302
    login(client, city.users["tenant"])
    client.post(url("topic_rate", topic.pk), {"rate-stars": "5"})
    html = body(client.get(url("topic", topic.pk)))
    assert 'data-testid="rating-average"' in html and "4.5" in html
    # Outside the scope's homes: no form, and a forged post is refused.
    login(client, city.users["party_liaison"])
    assert 'data-testid="rate"' not in body(client.get(url("topic", topic.pk)))
    assert client.post(url("topic_rate", topic.pk), {"rate-stars": "1"}).status_code == 403
    assert fresh(topic).rating_count == 2


def test_documents_are_served_to_viewers_only(client, city):
    topic = started(city, "four_two", "C1")
    pdf = b"%PDF-1.4 x\n%%EOF"
    doc = SimpleUploadedFile("提议.pdf", pdf, content_type="application/pdf")
    complete(city, topic, "branch_proposes", document=doc)
    completion = StageCompletion.objects.get(topic=topic)
    path = url("topic_document", topic.pk, completion.pk)
    response = login(client, city.users["owner"]).get(path)
    assert response.status_code == 200 and b"".join(response.streaming_content) == pdf
    assert login(client, city.users["owner_2"]).get(path).status_code == 404


def test_notice_board(client, city, evaluating):
    html = body(login(client, city.users["owner"]).get(url("board")))
    assert html.count("data-notice=") == Publication.objects.count() == 2
    assert "门禁已修好" in html
    html = body(client.get(url("board") + f"?place={city.places['U1'].pk}"))
    assert html.count("data-notice=") == 2
    assert 'data-notice="' not in body(login(client, city.users["owner_2"]).get(url("board")))
    assert html.count("data-notice=") == 2
    staff_html = body(login(client, city.users["community_staff"]).get(url("board")))
    assert staff_html.count("data-notice=") == 2


def test_board_query_count_does_not_grow(client, city):
    login(client, city.users["owner"])
    topic = staff_topic(city, "C1")
    services.put_on_agenda(user=city.users["community_staff"], topic=topic)
    from linju.deliberation.publishing import publish

    publish(user=None, kind="stage", place=city.places["C1"], title="t", body="b", topic=topic)
    few, _ = queries_of(client, url("board"))
    for n in range(10):
        publish(user=None, kind="stage", place=city.places["E1"], title=f"t{n}", body="b")
    many, html = queries_of(client, url("board"))
    assert many == few and html.count("data-notice=") == 11


# --- Staff ---------------------------------------------------------------------------------------


def test_agenda_is_the_staff_scope_filtered(client, city):
    c1 = staff_topic(city, "C1", title="C1议题", source="party")
    e1 = staff_topic(city, "E1", title="E1议题")
    c2 = staff_topic(city, "C2", "community_staff_2", title="C2议题")
    login(client, city.users["community_staff"])
    html = body(client.get(url("agenda")))
    assert f'data-topic="{c1.pk}"' in html and f'data-topic="{e1.pk}"' in html
    assert f'data-topic="{c2.pk}"' not in html
    html = body(client.get(url("agenda") + "?source=party"))
    assert f'data-topic="{c1.pk}"' in html and f'data-topic="{e1.pk}"' not in html
    html = body(client.get(url("agenda") + f"?place={city.places['E1'].pk}"))
    assert f'data-topic="{e1.pk}"' in html and f'data-topic="{c1.pk}"' not in html
    html = body(client.get(url("agenda") + f"?place={city.places['E2'].pk}"))
    assert field_errors(html) == {"place"} and "data-topic=" not in html
    html = body(client.get(url("agenda") + "?status=final"))
    assert "data-topic=" not in html
    html = body(client.get(url("agenda") + "?status=nonsense"))
    assert field_errors(html) == {"status"}
    # The property manager of E1 sees E1's topic only; C2's staff only C2's.
    html = body(login(client, city.users["property_manager"]).get(url("agenda")))
    assert f'data-topic="{e1.pk}"' in html and f'data-topic="{c1.pk}"' not in html
    html = body(login(client, city.users["community_staff_2"]).get(url("agenda")))
    assert f'data-topic="{c2.pk}"' in html and f'data-topic="{c1.pk}"' not in html


def test_agenda_query_count_does_not_grow(client, city):
    login(client, city.users["community_staff"])
    started(city, "four_two", "C1")
    few, _ = queries_of(client, url("agenda"))
    for n in range(12):
        started(city, "meeting", "E1", key="community_staff") if n % 2 else staff_topic(city)
    many, html = queries_of(client, url("agenda"))
    assert many == few and html.count("data-topic=") >= 13


@pytest.mark.parametrize(
    ("key", "status"),
    [
        ("community_staff", 200),
        ("subdistrict_admin", 200),
        ("grid_worker", 200),  # views its grid's buildings' topics (not C1's, see below)
        ("partner", 403),
        ("owner", 403),
        ("newcomer", 403),
    ],
)
def test_who_uses_the_agenda(client, city, key, status):
    assert login(client, city.users[key]).get(url("agenda")).status_code == status
    assert client.get(url("procedures")).status_code == status


def test_the_desk_walks_a_topic(client, city, django_capture_on_commit_callbacks):
    topic = staff_topic(city, "C1")
    desk = url("desk_topic", topic.pk)
    login(client, city.users["community_staff"])
    html = body(client.get(desk))
    assert 'data-action="agenda"' in html and 'data-action="decline"' in html
    assert 'data-action="start"' not in html
    assert client.post(desk, {"action": "agenda"}).status_code == 302
    response = client.post(desk, {"action": "start", "start-procedure": "nope"})
    assert field_errors(body(response)) == {"procedure"}
    client.post(desk, {"action": "start", "start-procedure": "four_two"})
    html = body(client.get(desk))
    assert 'data-testid="current-stage"' in html and "党支部提议" in html
    assert 'data-action="complete"' in html
    # The first stage needs a document or a record.
    response = client.post(desk, {"action": "complete", "complete-note": ""})
    assert field_errors(body(response)) == {"note"}
    doc = SimpleUploadedFile("提议.pdf", b"%PDF-1.4\n%%EOF", content_type="application/pdf")
    response = client.post(desk, {"action": "complete", "complete-document": doc})
    assert response.status_code == 302
    assert fresh(topic).current_stage == stage("four_two", "committees_discuss")
    # The meeting select is offered where a meeting is needed, and the need is named.
    response = client.post(desk, {"action": "complete", "complete-note": "x"})
    assert field_errors(body(response)) == {"meeting_id"}
    meeting(topic, "committees")
    assert client.post(desk, {"action": "complete"}).status_code == 302
    # An action the topic's state does not allow is a warning, not an error page.
    response = client.post(desk, {"action": "agenda"}, follow=True)
    assert response.status_code == 200
    # Decisions and tasks from the desk.
    response = client.post(desk, {"action": "decision", "decision-text": ""})
    assert field_errors(body(response)) == {"text"}
    client.post(desk, {"action": "decision", "decision-text": "加装电梯"})
    due = (timezone.localdate() + timedelta(days=5)).isoformat()
    response = client.post(
        desk,
        {
            "action": "task",
            "task-title": "招标",
            "task-owner": city.users["owner_2"].pk,
            "task-due_on": due,
        },
    )
    assert field_errors(body(response)) == {"owner"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            desk,
            {
                "action": "task",
                "task-title": "招标",
                "task-owner": city.users["owner"].pk,
                "task-due_on": due,
            },
        )
    assert response.status_code == 302
    task = Task.objects.get(topic=topic)
    assert task.owner == city.users["owner"]
    response = client.post(desk, {"action": "decline", "decline-reason": ""})
    assert field_errors(body(response)) == {"reason"}
    assert client.post(desk, {"action": "bogus"}).status_code == 404


def test_desk_access(client, city):
    topic = staff_topic(city, "U1")
    desk = url("desk_topic", topic.pk)
    for key, status in [
        ("community_staff", 200),
        ("subdistrict_admin", 200),
        ("unit_head", 200),
        ("building_head", 200),
        ("grid_worker", 200),
        ("property_manager", 200),
        ("owners_committee", 200),
        ("floor_head", 200),
        ("community_staff_2", 404),
        ("unit_head_2", 404),
        ("partner", 403),
        ("owner", 403),
        ("newcomer", 403),
    ]:
        assert login(client, city.users[key]).get(desk).status_code == status, key
    # Viewers who may not organise get no organiser actions, and a forged post is refused.
    login(client, city.users["unit_head"])
    assert 'data-action="agenda"' not in body(client.get(desk))
    client.post(desk, {"action": "agenda"})
    assert fresh(topic).status == TopicStatus.PROPOSED


@pytest.mark.parametrize(
    ("key", "status"),
    [
        ("owner", 200),
        ("tenant", 200),
        ("party_liaison", 200),  # serves H102 in U1
        ("unit_head", 200),
        ("building_head", 200),
        ("grid_worker", 200),
        ("community_staff", 200),
        ("property_manager", 200),
        ("owners_committee", 200),
        ("floor_head", 200),
        ("subdistrict_admin", 200),
        ("owner_2", 404),
        ("party_liaison_2", 404),
        ("unit_head_2", 404),
        ("community_staff_2", 404),
        ("partner", 404),
        ("newcomer", 404),
    ],
)
def test_who_sees_a_unit_topic(client, city, key, status):
    topic = staff_topic(city, "U1")
    assert login(client, city.users[key]).get(url("topic", topic.pk)).status_code == status


def test_anonymous_visitors_are_sent_to_log_in(client, city):
    topic = staff_topic(city, "U1")
    for path in (url("home"), url("topic", topic.pk), url("board"), url("agenda"), url("tasks")):
        response = client.get(path)
        assert response.status_code == 302 and "login" in response["Location"]


def test_tasks_page(client, city, django_capture_on_commit_callbacks):
    topic = started(city, "meeting", "U1")
    services.record_topic_decision(user=city.users["unit_head"], topic=topic, text="修")
    task = services.add_task(
        user=city.users["unit_head"],
        topic=fresh(topic),
        title="修门禁",
        owner_id=city.users["owner"].pk,
        due_on=timezone.localdate(),
    )
    # A resident owner reports progress from the page.
    login(client, city.users["owner"])
    html = body(client.get(url("tasks")))
    assert f'data-testid="progress-{task.pk}"' in html
    assert 'data-testid="overdue-tasks"' not in html
    prefix = f"t{task.pk}"
    response = client.post(
        url("task_progress", task.pk), {f"{prefix}-text": "x", f"{prefix}-progress": "120"}
    )
    assert field_errors(body(response)) == {"progress"}
    response = client.post(
        url("task_progress", task.pk), {f"{prefix}-text": "修好了", f"{prefix}-progress": "100"}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "done"
    # Someone else's task: not theirs to report on.
    assert (
        login(client, city.users["owner_2"]).post(url("task_progress", task.pk), {}).status_code
        == 404
    )


def test_staff_tasks_page_shows_overdue_and_cancels(client, city, time_machine):
    time_machine.move_to(timezone.now() - timedelta(days=10), tick=False)
    topic = started(city, "meeting", "U1")
    services.record_topic_decision(user=city.users["unit_head"], topic=topic, text="修")
    late = services.add_task(
        user=city.users["unit_head"],
        topic=fresh(topic),
        title="迟了",
        owner_id=city.users["grid_worker"].pk,
        due_on=timezone.localdate() + timedelta(days=1),
    )
    time_machine.shift(timedelta(days=10))
    login(client, city.users["community_staff"])
    overdue = section(body(client.get(url("tasks"))), "overdue-tasks")
    assert f'data-task="{late.pk}"' in overdue
    other = body(login(client, city.users["community_staff_2"]).get(url("tasks")))
    assert 'data-task="' not in section(other, "overdue-tasks")
    login(client, city.users["community_staff"])
    assert client.post(url("task_cancel", late.pk)).status_code == 302
    late.refresh_from_db()
    assert late.status == "cancelled"
    # The unit head sees it, but only organisers cancel.
    assert (
        login(client, city.users["unit_head"]).post(url("task_cancel", late.pk)).status_code == 403
    )


def test_tasks_page_query_count_does_not_grow(client, city):
    topic = started(city, "meeting", "U1")
    services.record_topic_decision(user=city.users["unit_head"], topic=topic, text="修")

    def add(n):
        for i in range(n):
            services.add_task(
                user=city.users["unit_head"],
                topic=fresh(topic),
                title=f"任务{i}",
                owner_id=city.users["community_staff"].pk,
                due_on=timezone.localdate() + timedelta(days=3),
            )

    login(client, city.users["community_staff"])
    add(1)
    few, _ = queries_of(client, url("tasks"))
    add(10)
    many, _ = queries_of(client, url("tasks"))
    assert many == few


def test_procedures_page_lists_the_three(client, city):
    html = body(login(client, city.users["community_staff"]).get(url("procedures")))
    for code in ("four_two", "four_step", "meeting"):
        assert f'data-procedure="{code}"' in html
    assert "党员大会审议" in html and "组织督导" in html


def test_desk_panel(city, time_machine):
    staff = city.users["community_staff"]
    topic = staff_topic(city, "C1")
    services.put_on_agenda(user=staff, topic=topic)
    started(city, "four_two", "C1")
    panel = queries.desk_counts(staff)
    assert panel == {"agenda": 1, "stages": 1, "overdue": 0}
    html = render_to_string("deliberation/_desk_panel.html", {"panel": panel})
    assert 'data-testid="deliberation-agenda">1<' in html
    assert queries.desk_counts(city.users["owner"]) is None
    # The unit head completes no four_two stage; C2's staff sees none of C1's.
    assert queries.desk_counts(city.users["unit_head"])["stages"] == 0
    assert queries.desk_counts(city.users["community_staff_2"]) == {
        "agenda": 0,
        "stages": 0,
        "overdue": 0,
    }
