"""Decisions carried out (分解落实, 督导) and the residents' evaluation (群众评价): tasks with an
owner, a due date and progress; overdue tasks flagged once to the supervisors of their scope
(on a frozen clock); ratings of the result, one per resident, and closing."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, transaction

from linju.core.errors import Conflict, Forbidden, Invalid
from linju.core.models import AuditEvent, Notification
from linju.deliberation import queries_topics as queries
from linju.deliberation import services_topics as services
from linju.deliberation.models import Evaluation, Task, TaskStatus, TaskUpdate, TopicStatus

from .test_procedures import complete, tasks_done
from .test_topics import fresh, meeting, started

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 5, 4, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


@pytest.fixture
def decided(city):
    """A U1 topic in the meeting procedure whose meeting decided (stage "implement" current)."""
    topic = started(city, "meeting", "U1")
    complete(city, topic, "collect", key="unit_head")
    meeting(topic, "yishihui")
    complete(city, topic, "convene", key="unit_head")
    complete(city, topic, "hold", key="unit_head", decision_text="修门禁")
    return fresh(topic)


def add(city, topic, key="unit_head", owner="property_manager", days=7, **kw):
    return services.add_task(
        user=city.users[key],
        topic=topic,
        title=kw.pop("title", "修门禁"),
        owner_id=city.users[owner].pk if owner in city.users else owner,
        due_on=kw.pop("due_on", T0.date() + timedelta(days=days)),
        **kw,
    )


# --- Tasks ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "allowed"),
    [
        ("unit_head", True),  # completes the current stage
        ("building_head", True),
        ("community_staff", True),  # organiser
        ("subdistrict_admin", True),
        ("unit_head_2", False),
        ("community_staff_2", False),
        ("grid_worker", False),
        ("floor_head", False),
        ("owner", False),
        ("partner", False),
    ],
)
def test_who_adds_tasks(city, decided, key, allowed):
    with time_machine.travel(T0, tick=False):
        if allowed:
            task = add(city, decided, key=key)
            assert task.decision == decided.decisions.get()
            assert task.path == decided.path
        else:
            with pytest.raises(Forbidden):
                add(city, decided, key=key)


@pytest.mark.parametrize(
    ("owner", "allowed"),
    [
        ("property_manager", True),
        ("grid_worker", True),
        ("owner", True),
        ("tenant", True),
        ("party_liaison", True),  # serves H102 in U1
        ("partner", True),  # 共建单位 take on tasks of their community
        ("owner_2", False),
        ("property_manager_2", False),
        ("newcomer", False),
    ],
)
def test_who_owns_tasks(city, decided, owner, allowed):
    with time_machine.travel(T0, tick=False):
        if allowed:
            assert add(city, decided, owner=owner).owner == city.users[owner]
        else:
            with pytest.raises(Invalid) as e:
                add(city, decided, owner=owner)
            assert "owner" in e.value.errors


def test_task_input_names_the_field(city, decided):
    from .test_topics import staff_topic

    other = started(city, "meeting", "U1")
    services.record_topic_decision(user=city.users["unit_head"], topic=other, text="别的")
    with time_machine.travel(T0, tick=False):
        for kw, field in [
            ({"title": ""}, "title"),
            ({"due_on": T0.date() - timedelta(days=1)}, "due_on"),
            ({"due_on": "next week"}, "due_on"),
            ({"owner": 999999}, "owner"),
            ({"decision_id": other.decisions.get().pk}, "decision"),
        ]:
            with pytest.raises(Invalid) as e:
                add(city, decided, **kw)
            assert field in e.value.errors
        # Today is still in time.
        assert add(city, decided, due_on=T0.date()).due_on == T0.date()
        # No decision yet: nothing to break down.
        undecided = started(city, "meeting", "U1")
        with pytest.raises(Invalid) as e:
            add(city, undecided)
        assert "decision" in e.value.errors
        # Not before the procedure runs.
        with pytest.raises(Conflict):
            add(city, staff_topic(city, "U1"), key="community_staff")


def test_progress_by_the_owner_until_done(city, decided, django_capture_on_commit_callbacks):
    with time_machine.travel(T0, tick=False):
        task = add(city, decided)
    services.update_task(
        user=city.users["property_manager"], task=task, text="已订配件", progress=40
    )
    task.refresh_from_db()
    assert (task.progress, task.status) == (40, TaskStatus.OPEN)
    for bad in (-1, 101, "x", None, True):
        with pytest.raises(Invalid) as e:
            services.update_task(
                user=city.users["property_manager"], task=task, text="x", progress=bad
            )
        assert "progress" in e.value.errors
    with pytest.raises(Invalid) as e:
        services.update_task(user=city.users["property_manager"], task=task, text=" ", progress=5)
    assert "text" in e.value.errors
    for key in ("owner", "unit_head_2", "grid_worker"):
        with pytest.raises(Forbidden):
            services.update_task(user=city.users[key], task=task, text="x", progress=50)
    with django_capture_on_commit_callbacks(execute=True):
        services.update_task(
            user=city.users["property_manager"], task=task, text="修好了", progress=100
        )
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.done_at and task.progress == 100
    assert list(TaskUpdate.objects.filter(task=task).values_list("progress", flat=True)) == [
        40,
        100,
    ]
    # The one who assigned it hears it is done.
    assert Notification.objects.filter(recipient=city.users["unit_head"], kind="deliberation.task")
    with pytest.raises(Conflict) as e:
        services.update_task(user=city.users["property_manager"], task=task, text="x", progress=100)
    assert e.value.code == "task_closed"
    assert (
        AuditEvent.objects.filter(verb="deliberation.update_task", object_id=str(task.pk)).count()
        == 2
    )


def test_organisers_report_progress_and_cancel(city, decided):
    with time_machine.travel(T0, tick=False):
        task = add(city, decided)
    services.update_task(user=city.users["community_staff"], task=task, text="催办", progress=10)
    with pytest.raises(Forbidden):
        services.cancel_task(user=city.users["unit_head"], task=task)
    services.cancel_task(user=city.users["subdistrict_admin"], task=task, reason="不再需要")
    task.refresh_from_db()
    assert task.status == TaskStatus.CANCELLED
    with pytest.raises(Conflict):
        services.cancel_task(user=city.users["community_staff"], task=task)


def test_the_owner_is_told_of_a_new_task(city, decided, django_capture_on_commit_callbacks):
    with time_machine.travel(T0, tick=False), django_capture_on_commit_callbacks(execute=True):
        add(city, decided, owner="grid_worker")
    assert Notification.objects.filter(
        recipient=city.users["grid_worker"], kind="deliberation.task"
    ).exists()


# --- Overdue (督导) ------------------------------------------------------------------------------


def test_overdue_tasks_are_flagged_once_to_the_supervisors(
    city, decided, django_capture_on_commit_callbacks
):
    with time_machine.travel(T0, tick=False):
        late = add(city, decided, days=1)
        later = add(city, decided, days=5, owner="owner")
        done = add(city, decided, days=1, owner="unit_head")
    services.update_task(user=city.users["unit_head"], task=done, text="好了", progress=100)
    # The due day itself is not overdue.
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        assert services.flag_overdue_tasks() == 0
    with (
        time_machine.travel(T0 + timedelta(days=2), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.flag_overdue_tasks() == 1
    late.refresh_from_db()
    assert late.overdue_flagged_at == T0 + timedelta(days=2)
    told = set(
        Notification.objects.filter(kind="deliberation.overdue").values_list(
            "recipient_id", flat=True
        )
    )
    # 督导: the supervising roles of the topic's scope, and the owner; not C2's staff.
    u = city.users
    assert told == {u["community_staff"].pk, u["subdistrict_admin"].pk, u["property_manager"].pk}
    assert AuditEvent.objects.filter(verb="deliberation.task_overdue").count() == 1
    # Flagged once.
    with time_machine.travel(T0 + timedelta(days=3), tick=False):
        assert services.flag_overdue_tasks() == 0
    with time_machine.travel(T0 + timedelta(days=9), tick=False):
        assert services.flag_overdue_tasks() == 1
    later.refresh_from_db()
    assert later.overdue_flagged_at is not None


def test_revoked_supervisors_are_not_told(city, decided, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from linju.people.models import RoleGrant

    RoleGrant.objects.filter(user=city.users["subdistrict_admin"]).update(revoked_at=timezone.now())
    with time_machine.travel(T0, tick=False):
        add(city, decided, days=0)
    with (
        time_machine.travel(T0 + timedelta(days=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.flag_overdue_tasks()
    told = set(
        Notification.objects.filter(kind="deliberation.overdue").values_list(
            "recipient_id", flat=True
        )
    )
    assert city.users["subdistrict_admin"].pk not in told
    assert city.users["community_staff"].pk in told


def test_flagging_many_tasks_takes_a_fixed_number_of_queries(
    city, decided, django_assert_max_num_queries
):
    other = started(city, "meeting", "B3", key="community_staff_2")
    services.record_topic_decision(user=city.users["community_staff_2"], topic=other, text="做")
    with time_machine.travel(T0, tick=False):
        for n in range(12):
            add(city, decided, days=1, title=f"任务{n}")
            add(city, other, key="community_staff_2", owner="building_head_2", days=1)
    # One batch: lock and read, flag, supervisors, audit (with savepoints), then an empty read.
    with (
        time_machine.travel(T0 + timedelta(days=3), tick=False),
        django_assert_max_num_queries(9),
    ):
        assert services.flag_overdue_tasks() == 24
    assert not Task.objects.filter(overdue_flagged_at__isnull=True).exists()


def test_overdue_lists_are_scoped(city, decided):
    with time_machine.travel(T0, tick=False):
        add(city, decided, days=1, owner="owner")
    with time_machine.travel(T0 + timedelta(days=3), tick=False):
        assert queries.overdue_tasks(city.users["community_staff"]).count() == 1
        assert queries.overdue_tasks(city.users["unit_head"]).count() == 1
        assert queries.overdue_tasks(city.users["community_staff_2"]).count() == 0
        assert queries.my_tasks(city.users["owner"]).count() == 1
        assert queries.my_tasks(city.users["tenant"]).count() == 0
        counts = queries.desk_counts(city.users["community_staff"])
        assert counts["overdue"] == 1
        assert queries.desk_counts(city.users["owner"]) is None


# --- Evaluation ----------------------------------------------------------------------------------


@pytest.fixture
def evaluating(city, decided):
    """The decided topic with its tasks done and its result published."""
    tasks_done(city, decided, key="unit_head", owner="unit_head")
    complete(city, decided, "implement", key="unit_head")
    complete(city, decided, "publish", key="unit_head", result_text="门禁已修好")
    topic = fresh(decided)
    assert topic.status == TopicStatus.EVALUATING
    return topic


def test_residents_rate_once_and_may_change_it(city, evaluating):
    topic = evaluating
    services.rate_topic(user=city.users["owner"], topic=topic, stars=4, comment="不错")
    services.rate_topic(user=city.users["tenant"], topic=topic, stars=2)
    topic = fresh(topic)
    assert (topic.rating_count, topic.rating_sum, topic.rating_average) == (2, 6, 3.0)
    services.rate_topic(user=city.users["owner"], topic=topic, stars=5, comment="很好")
    topic = fresh(topic)
    assert (topic.rating_count, topic.rating_sum, topic.rating_average) == (2, 7, 3.5)
    assert Evaluation.objects.get(topic=topic, user=city.users["owner"]).comment == "很好"
    assert AuditEvent.objects.filter(verb="deliberation.rate").count() == 3


def test_the_database_keeps_one_rating_per_user(city, evaluating):
    Evaluation.objects.create(topic=evaluating, user=city.users["owner"], stars=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.create(topic=evaluating, user=city.users["owner"], stars=4)


def test_rating_input_and_who_rates(city, evaluating):
    for bad in (0, 6, "x", None):
        with pytest.raises(Invalid) as e:
            services.rate_topic(user=city.users["owner"], topic=evaluating, stars=bad)
        assert "stars" in e.value.errors
    with pytest.raises(Invalid) as e:
        services.rate_topic(user=city.users["owner"], topic=evaluating, stars=3, comment="x" * 501)
    assert "comment" in e.value.errors
    # Homes outside U1, and staff without a home there, do not rate it.
    for key in ("party_liaison", "owner_2", "unit_head", "community_staff", "newcomer"):
        with pytest.raises(Forbidden):
            services.rate_topic(user=city.users[key], topic=evaluating, stars=3)
    assert fresh(evaluating).rating_count == 0


def test_no_rating_before_the_result_or_after_closing(city, decided, evaluating):
    early = started(city, "meeting", "U1")
    with pytest.raises(Conflict):
        services.rate_topic(user=city.users["owner"], topic=early, stars=3)
    with pytest.raises(Forbidden):
        services.close_evaluation(user=city.users["unit_head"], topic=evaluating)
    services.close_evaluation(user=city.users["community_staff"], topic=evaluating)
    with pytest.raises(Conflict) as e:
        services.rate_topic(user=city.users["owner"], topic=evaluating, stars=3)
    assert e.value.code == "evaluation_closed"
    with pytest.raises(Conflict):
        services.close_evaluation(user=city.users["community_staff"], topic=evaluating)


def test_due_evaluations_close_themselves(city):
    topic = started(city, "four_step", "E1")
    complete(city, topic, "collect")
    meeting(topic, "yishihui")
    complete(city, topic, "plan_review", note="方案")
    services.record_topic_decision(user=city.users["community_staff"], topic=topic, text="做")
    tasks_done(city, topic)
    complete(city, topic, "decide_implement")
    complete(city, topic, "evaluate", result_text="完成")
    topic = fresh(topic)
    closes = topic.evaluation_closes_at
    assert services.close_due_evaluations(now=closes - timedelta(seconds=1)) == 0
    assert services.close_due_evaluations(now=closes) == 1
    topic = fresh(topic)
    assert topic.status == TopicStatus.CLOSED and topic.evaluation_closed_at == closes
    assert AuditEvent.objects.filter(verb="deliberation.evaluation_closed").count() == 1
    assert services.close_due_evaluations(now=closes + timedelta(days=1)) == 0


def test_due_evaluation_with_stages_left_stays_evaluating(city, evaluating):
    closes = evaluating.evaluation_closes_at
    assert services.close_due_evaluations(now=closes) == 1
    topic = fresh(evaluating)
    # 组织督导 is still to come.
    assert topic.status == TopicStatus.EVALUATING and topic.evaluation_closed_at == closes
    assert topic.current_stage.code == "supervise"


def test_residents_may_rate_item_by_item_on_the_scope_rubric(city, evaluating, client):
    """群众评价 on the ratings engine's evaluation rubric: all items or none, each 1–5; the
    topic's page shows each item's mean."""
    from linju.ratings.evaluations import summary
    from linju.ratings.models import Appraisal

    full = {"satisfaction": 5, "effect": 4, "timeliness": 3, "openness": 4}
    with pytest.raises(Invalid) as e:
        services.rate_topic(
            user=city.users["owner"], topic=evaluating, stars=4, scores={"satisfaction": 5}
        )
    assert "scores.effect" in e.value.errors
    with pytest.raises(Invalid) as e:
        services.rate_topic(
            user=city.users["owner"], topic=evaluating, stars=4, scores={**full, "effect": 6}
        )
    assert "scores.effect" in e.value.errors
    # Nothing is half-saved: the overall rating rolled back with the marks.
    assert fresh(evaluating).rating_count == 0 and not Appraisal.objects.exists()
    services.rate_topic(user=city.users["owner"], topic=evaluating, stars=4, scores=full)
    services.rate_topic(
        user=city.users["tenant"], topic=evaluating, stars=2, scores={**full, "effect": 1}
    )
    services.rate_topic(user=city.users["owner"], topic=evaluating, stars=5, scores=full)
    means = {
        row["title"]: (row["mean"], row["count"])
        for row in summary(services.subject_of(evaluating))
    }
    assert means["实际效果"] == (Decimal("2.5"), 2)
    assert means["总体满意度"] == (Decimal("5.0"), 2)
    client.force_login(city.users["owner"])
    page = client.get(f"/deliberation/topics/{evaluating.pk}/")
    assert page.status_code == 200
    assert 'data-testid="item-means"' in page.content.decode()
    posted = client.post(
        f"/deliberation/topics/{evaluating.pk}/rate/",
        {"rate-stars": "3", "rate-score_satisfaction": "2"},
    )
    assert posted.status_code == 200  # the form comes back: every item or none
    assert "rate-score_effect" in posted.content.decode()
