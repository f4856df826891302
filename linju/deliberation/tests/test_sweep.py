"""manage.py sweep_deliberation: overdue tasks flagged to the supervisors (督导), evaluations
whose time is up closed, ballots whose voting time has ended closed; run again, it finds
nothing left to do."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from linju.core.models import Notification
from linju.deliberation import services_topics as services
from linju.deliberation.models import Ballot, BallotOption, Task, TopicStatus

from .test_procedures import complete, tasks_done
from .test_topics import fresh, meeting, started

pytestmark = pytest.mark.django_db


def sweep(verbosity=1) -> str:
    out = io.StringIO()
    call_command("sweep_deliberation", verbosity=verbosity, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def due(city):
    """A topic evaluating (result published) and an open task of another topic."""
    topic = started(city, "four_step", "E1")
    complete(city, topic, "collect")
    meeting(topic, "yishihui")
    complete(city, topic, "plan_review", note="方案")
    services.record_topic_decision(user=city.users["community_staff"], topic=topic, text="做")
    tasks_done(city, topic)
    complete(city, topic, "decide_implement")
    complete(city, topic, "evaluate", result_text="完成")
    other = started(city, "meeting", "U1")
    services.record_topic_decision(user=city.users["unit_head"], topic=other, text="修")
    task = services.add_task(
        user=city.users["unit_head"],
        topic=fresh(other),
        title="修门禁",
        owner_id=city.users["property_manager"].pk,
        due_on=timezone.localdate() + timedelta(days=1),
    )
    return fresh(topic), task


def test_sweep_flags_and_closes_once(city, due, django_capture_on_commit_callbacks):
    topic, task = due
    # Nothing is due yet.
    assert "flagged 0 tasks, closed 0 evaluations" in sweep()
    with (
        time_machine.travel(timezone.now() + timedelta(days=15), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        out = sweep()
    assert "flagged 1 tasks, closed 1 evaluations" in out
    assert Task.objects.get(pk=task.pk).overdue_flagged_at is not None
    assert fresh(topic).status == TopicStatus.CLOSED
    assert Notification.objects.filter(
        recipient=city.users["community_staff"], kind="deliberation.overdue"
    ).exists()
    assert Notification.objects.filter(
        recipient=city.users["community_staff"], kind="deliberation.update"
    ).exists()
    with time_machine.travel(timezone.now() + timedelta(days=16), tick=False):
        assert "flagged 0 tasks, closed 0 evaluations" in sweep()


def test_quiet_sweep_prints_nothing(due):
    assert sweep(verbosity=0) == ""


def test_sweep_closes_ballots_whose_time_is_up(city):
    topic = started(city, "meeting", "U1")
    ballot = Ballot.objects.create(
        place=topic.place,
        title="是否同意",
        topic=topic,
        electorate="households",
        rule="simple",
        status="open",
        opened_at=timezone.now() - timedelta(days=2),
        # Closed to online votes 49 hours ago: the 48 hours of paper entry are over too.
        closes_at=timezone.now() - timedelta(hours=49),
    )
    BallotOption.objects.create(ballot=ballot, order=1, label="同意", approves=True)
    BallotOption.objects.create(ballot=ballot, order=2, label="不同意")
    assert "closed 1 ballots" in sweep()
    ballot.refresh_from_db()
    assert ballot.status != "open"
