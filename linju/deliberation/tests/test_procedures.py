"""Procedures as data (seeds 000–002): each of the three shipped procedures walked from its
first stage to its last; stages never skipped; completer roles inside and outside the scope;
every `need` refused while missing (meetings and ballots created as rows); publications of
the publishing stages; every completion audited and on the topic's record."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from linju.core.errors import Conflict, Forbidden, Invalid
from linju.core.models import AuditEvent
from linju.deliberation import queries_topics as queries
from linju.deliberation import services_topics as services
from linju.deliberation.models import (
    Decision,
    Publication,
    StageCompletion,
    Task,
    TopicStatus,
)

from .test_topics import ballot, fresh, meeting, stage, started

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def complete(city, topic, code, key="community_staff", **kw):
    topic = fresh(topic)
    return services.complete_stage(
        user=city.users[key],
        topic=topic,
        stage_id=stage(topic.procedure.code, code).pk,
        **kw,
    )


def current(topic) -> str | None:
    t = fresh(topic)
    return t.current_stage.code if t.current_stage else None


def tasks_done(city, topic, key="community_staff", owner="community_staff"):
    task = services.add_task(
        user=city.users[key],
        topic=fresh(topic),
        title="更换楼道灯",
        owner_id=city.users[owner].pk,
        due_on=timezone.localdate() + timedelta(days=7),
    )
    services.update_task(user=city.users[owner], task=task, text="已更换", progress=100)
    return task


def kinds(topic) -> list[str]:
    return list(
        Publication.objects.filter(topic=topic)
        .order_by("published_at", "pk")
        .values_list("kind", flat=True)
    )


# --- The three procedures, first stage to last ---------------------------------------------------


def test_four_deliberations_two_disclosures(city):
    topic = started(city, "four_two", "C1")
    assert current(topic) == "branch_proposes"
    complete(city, topic, "branch_proposes", note="党支部提议：加装电梯")
    assert current(topic) == "committees_discuss"
    m1 = meeting(topic, "committees")
    complete(city, topic, "committees_discuss", note="两委联席会议同意")
    assert current(topic) == "members_review"
    m2 = meeting(topic, "party_assembly")
    b1 = ballot(topic, title="党员大会审议")
    complete(city, topic, "members_review", meeting_id=m2.pk, ballot_id=b1.pk)
    m3 = meeting(topic, "rep_assembly")
    b2 = ballot(topic, title="居民代表会议表决")
    complete(city, topic, "representatives_resolve", decision_text="同意加装电梯")
    decision = Decision.objects.get(topic=topic)
    # The decision is tied to the meeting and ballot the stage used.
    assert (decision.meeting, decision.ballot) == (m3, b2)
    complete(city, topic, "publish_decision", note="公示七天")
    assert kinds(topic) == ["decision"]
    assert "同意加装电梯" in Publication.objects.get(topic=topic).body
    tasks_done(city, topic)
    complete(city, topic, "publish_result", result_text="电梯已安装并投入使用")
    topic = fresh(topic)
    assert topic.status == TopicStatus.EVALUATING and topic.current_stage is None
    assert topic.evaluation_closes_at == topic.result_at + timedelta(days=14)
    assert kinds(topic) == ["decision", "result"]
    services.rate_topic(user=city.users["owner"], topic=topic, stars=5, comment="很好")
    services.close_evaluation(user=city.users["community_staff"], topic=topic)
    topic = fresh(topic)
    assert topic.status == TopicStatus.CLOSED and topic.closed_at
    completions = StageCompletion.objects.filter(topic=topic)
    assert completions.count() == 6
    assert {c.meeting_id for c in completions} >= {m1.pk, m2.pk, m3.pk}
    assert {c.ballot_id for c in completions} >= {b1.pk, b2.pk}
    assert (
        AuditEvent.objects.filter(verb="deliberation.complete_stage", scope_path=topic.path).count()
        == 6
    )


def test_four_step_consultation(city):
    topic = started(city, "four_step", "B1", key="community_staff")
    complete(city, topic, "collect", key="building_head", note="征集到三条意见")
    assert kinds(topic) == ["stage"]
    meeting(topic, "yishihui")
    with pytest.raises(Invalid) as e:
        complete(city, topic, "plan_review", key="building_head")
    assert set(e.value.errors) == {"note"}
    doc = SimpleUploadedFile("方案.pdf", b"%PDF-1.4 plan\n%%EOF\n", content_type="application/pdf")
    completion = complete(city, topic, "plan_review", key="building_head", document=doc)
    assert completion.document.name.endswith(".pdf")
    # Decide and implement: the decision first (tasks hang on it), then the tasks, then done.
    services.record_topic_decision(user=city.users["building_head"], topic=topic, text="修缮车棚")
    tasks_done(city, topic, key="building_head", owner="owner")
    complete(city, topic, "decide_implement", key="building_head")
    assert kinds(topic) == ["stage", "decision"]
    complete(city, topic, "evaluate", key="owners_committee", result_text="车棚已修好")
    topic = fresh(topic)
    assert topic.status == TopicStatus.EVALUATING and topic.current_stage is None
    assert kinds(topic) == ["stage", "decision", "result"]
    services.close_evaluation(user=city.users["subdistrict_admin"], topic=topic)
    assert fresh(topic).status == TopicStatus.CLOSED


def test_meeting_based_deliberation(city):
    topic = started(city, "meeting", "U1")
    complete(city, topic, "collect", key="unit_head")
    m = meeting(topic, "yishihui", status="noticed")
    complete(city, topic, "convene", key="unit_head")
    assert StageCompletion.objects.get(topic=topic, stage__code="convene").meeting == m
    m.status = "held"
    m.save()
    complete(city, topic, "hold", key="owners_committee", decision_text="每周清理一次")
    assert kinds(topic) == ["decision"]
    tasks_done(city, topic, key="unit_head", owner="unit_head")
    complete(city, topic, "implement", key="unit_head")
    complete(city, topic, "publish", key="building_head", result_text="已坚持清理一个月")
    topic = fresh(topic)
    assert topic.status == TopicStatus.EVALUATING and current(topic) == "supervise"
    # 组织督导 needs the evaluation closed; then it is the last stage and the topic closes.
    with pytest.raises(Invalid) as e:
        complete(city, topic, "supervise")
    assert "evaluation" in e.value.errors
    services.rate_topic(user=city.users["tenant"], topic=topic, stars=3)
    services.close_evaluation(user=city.users["community_staff"], topic=topic)
    topic = fresh(topic)
    assert topic.status == TopicStatus.EVALUATING and topic.evaluation_closed_at
    # Organisers only: the unit head may not supervise.
    with pytest.raises(Forbidden):
        complete(city, topic, "supervise", key="unit_head")
    complete(city, topic, "supervise", note="督导完成")
    topic = fresh(topic)
    assert topic.status == TopicStatus.CLOSED and topic.current_stage is None
    assert topic.rating_average == 3.0


# --- Order and roles -----------------------------------------------------------------------------


def test_stages_cannot_be_skipped_nor_repeated(city):
    topic = started(city, "four_two")
    with pytest.raises(Conflict) as e:
        complete(city, topic, "committees_discuss", note="x")
    assert e.value.code == "not_current_stage"
    with pytest.raises(Conflict):
        complete(city, topic, "publish_result", result_text="x")
    complete(city, topic, "branch_proposes", note="提议")
    with pytest.raises(Conflict) as e:
        complete(city, topic, "branch_proposes", note="again")
    assert e.value.code == "stage_done"
    # A stage of another procedure.
    with pytest.raises(Invalid) as e:
        services.complete_stage(
            user=city.users["community_staff"],
            topic=fresh(topic),
            stage_id=stage("meeting", "collect").pk,
        )
    assert "stage" in e.value.errors
    assert StageCompletion.objects.filter(topic=topic).count() == 1


def test_completion_is_refused_before_the_procedure_and_after_closing(city):
    from .test_topics import on_agenda

    topic = on_agenda(city)
    with pytest.raises(Conflict):
        services.complete_stage(
            user=city.users["community_staff"],
            topic=topic,
            stage_id=stage("four_two", "branch_proposes").pk,
            note="x",
        )


@pytest.mark.parametrize(
    ("key", "allowed"),
    [
        ("unit_head", True),
        ("building_head", True),
        ("owners_committee", True),
        ("community_staff", True),
        ("subdistrict_admin", True),
        ("unit_head_2", False),
        ("building_head_2", False),
        ("owners_committee_2", False),
        ("community_staff_2", False),
        ("floor_head", False),
        ("grid_worker", False),
        ("property_manager", False),
        ("partner", False),
        ("owner", False),
        ("tenant", False),
        ("party_liaison", False),
        ("newcomer", False),
    ],
)
def test_who_completes_a_local_stage(city, key, allowed):
    topic = started(city, "meeting", "U1")
    if allowed:
        complete(city, topic, "collect", key=key)
        assert current(topic) == "convene"
    else:
        with pytest.raises(Forbidden):
            complete(city, topic, "collect", key=key)
        assert current(topic) == "collect"


def test_organiser_stages_refuse_local_hosts(city):
    topic = started(city, "four_two", "U1")
    with pytest.raises(Forbidden):
        complete(city, topic, "branch_proposes", key="unit_head", note="x")
    complete(city, topic, "branch_proposes", key="subdistrict_admin", note="x")


# --- Every need, refused while missing -----------------------------------------------------------


def test_document_need(city):
    topic = started(city, "four_two")
    with pytest.raises(Invalid) as e:
        complete(city, topic, "branch_proposes")
    assert set(e.value.errors) == {"note"}
    # A program named as a PDF: typed by its bytes (an "MZ" header and NULs), not its name.
    bad = SimpleUploadedFile("run.pdf", b"MZ\x90\x00\x03\x00", content_type="application/pdf")
    with pytest.raises(Invalid) as e:
        complete(city, topic, "branch_proposes", document=bad)
    assert "document" in e.value.errors
    big = SimpleUploadedFile("big.pdf", b"0" * (10 * 1024 * 1024 + 1))
    with pytest.raises(Invalid) as e:
        complete(city, topic, "branch_proposes", document=big)
    assert "document" in e.value.errors
    assert current(topic) == "branch_proposes"


def test_meeting_need(city):
    topic = started(city, "four_two")
    complete(city, topic, "branch_proposes", note="x")
    with pytest.raises(Invalid) as e:
        complete(city, topic, "committees_discuss")
    assert set(e.value.errors) == {"meeting"}
    # Of another kind, only noticed, or about another topic: none of them will do.
    meeting(topic, "yishihui")
    noticed = meeting(topic, "committees", status="noticed")
    from .test_topics import staff_topic

    other = meeting(staff_topic(city), "committees")
    for given in (None, noticed.pk, other.pk):
        with pytest.raises(Invalid) as e:
            complete(city, topic, "committees_discuss", meeting_id=given)
        assert "meeting" in e.value.errors
    with pytest.raises(Invalid) as e:
        complete(city, topic, "committees_discuss", meeting_id="abc")
    assert "meeting" in e.value.errors
    noticed.status = "held"
    noticed.save()
    complete(city, topic, "committees_discuss", meeting_id=noticed.pk)


def test_meeting_noticed_need(city):
    topic = started(city, "meeting", "U1")
    complete(city, topic, "collect", key="unit_head")
    draft = meeting(topic, "yishihui", status="draft")
    meeting(topic, "yishihui", status="cancelled")
    with pytest.raises(Invalid) as e:
        complete(city, topic, "convene", key="unit_head")
    assert set(e.value.errors) == {"meeting"}
    draft.status = "noticed"
    draft.save()
    complete(city, topic, "convene", key="unit_head")


def test_ballot_need(city):
    topic = started(city, "four_two")
    complete(city, topic, "branch_proposes", note="x")
    meeting(topic, "committees")
    complete(city, topic, "committees_discuss")
    meeting(topic, "party_assembly")
    with pytest.raises(Invalid) as e:
        complete(city, topic, "members_review")
    assert set(e.value.errors) == {"ballot"}
    failed = ballot(topic, passed=False)
    still_open = ballot(topic, passed=None, status="open")
    for given in (None, failed.pk, still_open.pk):
        with pytest.raises(Invalid) as e:
            complete(city, topic, "members_review", ballot_id=given)
        assert "ballot" in e.value.errors
    passed = ballot(topic, status="published")
    complete(city, topic, "members_review")
    assert StageCompletion.objects.get(topic=topic, stage__code="members_review").ballot == passed
    # The representatives need a ballot of their own: the members' one is used up.
    meeting(topic, "rep_assembly")
    with pytest.raises(Invalid) as e:
        complete(city, topic, "representatives_resolve", decision_text="同意")
    assert set(e.value.errors) == {"ballot"}
    ballot(topic)
    complete(city, topic, "representatives_resolve", decision_text="同意")


def test_several_missing_needs_are_named_together(city):
    topic = started(city, "four_two")
    complete(city, topic, "branch_proposes", note="x")
    meeting(topic, "committees")
    complete(city, topic, "committees_discuss")
    meeting(topic, "party_assembly")
    ballot(topic)
    complete(city, topic, "members_review")
    with pytest.raises(Invalid) as e:
        complete(city, topic, "representatives_resolve")
    assert set(e.value.errors) == {"meeting", "ballot", "decision_text"}
    assert not Decision.objects.filter(topic=topic).exists()


def test_decision_need_takes_the_minutes_decision_recorded_before_the_stage(city, time_machine):
    time_machine.move_to(timezone.now() - timedelta(days=3), tick=False)
    topic = started(city, "meeting", "U1")
    complete(city, topic, "collect", key="unit_head")
    meeting(topic, "yishihui", status="held")
    time_machine.shift(timedelta(hours=1))
    # The meeting's minutes recorded the decision; 通知召集 is ticked off only afterwards: the
    # decision still counts for 民情会议, without retyping it.
    services.record_topic_decision(user=city.users["unit_head"], topic=topic, text="新决议")
    time_machine.shift(timedelta(minutes=5))
    complete(city, topic, "convene", key="unit_head")
    time_machine.shift(timedelta(minutes=5))
    complete(city, topic, "hold", key="unit_head")
    assert "新决议" in Publication.objects.get(topic=topic, kind="decision").body


def test_meeting_need_wants_the_quorum_met(city):
    from linju.deliberation.models import Invitee

    topic = started(city, "meeting", "U1")
    complete(city, topic, "collect", key="unit_head")
    meeting(topic, "yishihui", status="noticed")
    complete(city, topic, "convene", key="unit_head")
    held = meeting(topic, "yishihui", status="held")
    held.quorum_numerator, held.quorum_denominator = 1, 2
    held.save()
    Invitee.objects.create(meeting=held, user=city.users["owner"])
    with pytest.raises(Invalid) as e:
        complete(city, topic, "hold", key="unit_head", decision_text="决议")
    assert set(e.value.errors) == {"meeting"}
    Invitee.objects.filter(meeting=held).update(checked_in_at=timezone.now())
    complete(city, topic, "hold", key="unit_head", decision_text="决议")


def test_tasks_need(city):
    topic = started(city, "meeting", "U1")
    complete(city, topic, "collect", key="unit_head")
    meeting(topic, "yishihui", status="held")
    complete(city, topic, "convene", key="unit_head")
    complete(city, topic, "hold", key="unit_head", decision_text="修门禁")
    with pytest.raises(Invalid) as e:
        complete(city, topic, "implement", key="unit_head")
    assert set(e.value.errors) == {"tasks"}
    task = services.add_task(
        user=city.users["unit_head"],
        topic=fresh(topic),
        title="修门禁",
        owner_id=city.users["property_manager"].pk,
        due_on=timezone.localdate(),
    )
    with pytest.raises(Invalid) as e:
        complete(city, topic, "implement", key="unit_head")
    assert "tasks" in e.value.errors
    # Cancelled tasks carry nothing out.
    services.cancel_task(user=city.users["community_staff"], task=task, reason="改由物业")
    with pytest.raises(Invalid):
        complete(city, topic, "implement", key="unit_head")
    tasks_done(city, topic, key="unit_head", owner="property_manager")
    complete(city, topic, "implement", key="unit_head")


def test_result_need_and_result_only_where_needed(city):
    topic = started(city, "four_step", "E1")
    with pytest.raises(Invalid) as e:
        complete(city, topic, "collect", result_text="太早")
    assert "result_text" in e.value.errors
    complete(city, topic, "collect")
    meeting(topic, "yishihui")
    complete(city, topic, "plan_review", note="方案")
    services.record_topic_decision(user=city.users["community_staff"], topic=topic, text="做")
    tasks_done(city, topic)
    complete(city, topic, "decide_implement")
    with pytest.raises(Invalid) as e:
        complete(city, topic, "evaluate", result_text="  ")
    assert set(e.value.errors) == {"result_text"}
    complete(city, topic, "evaluate", result_text="完成")


def test_evaluation_days_come_from_settings(city, settings):
    settings.DELIBERATION_EVALUATION_DAYS = 3
    topic = started(city, "four_step", "E1")
    complete(city, topic, "collect")
    meeting(topic, "yishihui")
    complete(city, topic, "plan_review", note="方案")
    services.record_topic_decision(user=city.users["community_staff"], topic=topic, text="做")
    tasks_done(city, topic)
    complete(city, topic, "decide_implement")
    complete(city, topic, "evaluate", result_text="完成")
    topic = fresh(topic)
    assert topic.evaluation_closes_at == topic.result_at + timedelta(days=3)


def test_no_result_procedure_closes_at_its_last_stage(city):
    """A procedure that never publishes a result closes when its last stage is done."""
    from linju.deliberation.models import Procedure, Stage

    proc = Procedure.objects.create(code="short", name="简易议事")
    Stage.objects.create(
        procedure=proc,
        order=1,
        code="only",
        name="决定",
        completer_roles=["community_staff"],
        needs=["decision"],
        publishes=True,
    )
    topic = started(city, "short")
    complete(city, topic, "only", decision_text="同意")
    topic = fresh(topic)
    assert topic.status == TopicStatus.CLOSED and topic.current_stage is None
    assert kinds(topic) == ["decision"]


def test_the_record_shows_every_stage(city, django_assert_max_num_queries):
    topic = started(city, "meeting", "U1")
    complete(city, topic, "collect", key="unit_head", note="提议")
    meeting(topic, "yishihui")
    complete(city, topic, "convene", key="unit_head")
    complete(city, topic, "hold", key="unit_head", decision_text="修")
    for _n in range(3):
        tasks_done(city, topic, key="unit_head", owner="unit_head")
    topic = fresh(topic)
    # Stages, completions, decisions, tasks with their updates, notices: whatever their number.
    with django_assert_max_num_queries(7):
        rec = queries.record(topic)
        assert [u.text for t in rec.tasks for u in t.updates.all()] == ["已更换"] * 3
    assert [s.code for s, _done, _cur in rec.stages][:4] == [
        "collect",
        "convene",
        "hold",
        "implement",
    ]
    assert rec.stages[0][1].note == "提议" and rec.stages[3][2] is True
    assert len(rec.completions) == 3 and len(rec.decisions) == 1 and len(rec.publications) == 1
    assert Task.objects.filter(topic=topic, status="done").count() == 3
