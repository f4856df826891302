"""Worker leases (core.workers): which RUNNING tasks go back to the queue, and when. A worker
really killed mid-task: tests/faults/test_worker_kill.py."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from linju.core import workers
from linju.core.models import TaskWorker
from linju.core.tasks import deliver_notifications

LEASE = 60


@pytest.fixture
def running(settings):
    """running(*worker_ids, started=…) → a task claimed by each worker in turn, as db_worker
    claims it, now RUNNING under the last."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    def claim(*worker_ids, started=None):
        task = deliver_notifications.enqueue([]).db_result
        for worker_id in worker_ids:
            task.claim(worker_id)
        if started is not None:
            DBTaskResult.objects.filter(pk=task.pk).update(started_at=started)
        return task

    return claim


def lease(worker_id, *, silent_for=0):
    return TaskWorker.objects.create(
        worker_id=worker_id, seen_at=timezone.now() - timedelta(seconds=silent_for)
    )


def status(task):
    task.refresh_from_db()
    return task.status


@pytest.mark.django_db
def test_a_long_task_of_a_live_worker_is_left_running(running):
    """The lease is the worker's heartbeat, not the task's age."""
    lease("busy")
    task = running("busy", started=timezone.now() - timedelta(hours=3))
    assert workers.requeue_orphans(lease_seconds=LEASE) == 0
    assert status(task) == TaskResultStatus.RUNNING


@pytest.mark.django_db
def test_the_task_of_a_dead_worker_goes_back_to_the_queue(running):
    lease("dead", silent_for=LEASE + 1)
    lease("alive")
    task = running("dead")
    assert workers.requeue_orphans(lease_seconds=LEASE) == 1
    assert status(task) == TaskResultStatus.READY
    assert list(TaskWorker.objects.values_list("worker_id", flat=True)) == ["alive"]
    # A live worker claims it next, as any queued task.
    assert DBTaskResult.objects.ready().get() == task


@pytest.mark.django_db
def test_a_task_that_killed_every_worker_fails(running):
    ids = [f"w{n}" for n in range(workers.MAX_ATTEMPTS)]
    for worker_id in ids:
        lease(worker_id, silent_for=LEASE + 1)
    task = running(*ids)
    assert workers.requeue_orphans(lease_seconds=LEASE) == 1
    assert status(task) == TaskResultStatus.FAILED
    assert task.exception_class_path == "linju.core.workers.WorkerLost"


@pytest.mark.django_db
def test_tasks_of_a_worker_without_a_lease_are_left_alone(running):
    """A plain db_worker holds no lease: nothing says whether it is alive."""
    lease("dead", silent_for=LEASE + 1)
    task = running("db-worker-without-lease")
    assert workers.requeue_orphans(lease_seconds=LEASE) == 0
    assert status(task) == TaskResultStatus.RUNNING


@pytest.mark.django_db
def test_a_worker_judges_others_only_after_a_whole_lease_of_its_own(running):
    """Just after an outage (or its own start) every other lease looks expired."""
    lease("quiet", silent_for=LEASE + 1)
    task = running("quiet")
    me = workers.Lease("me", seconds=LEASE)
    me.renew()
    assert status(task) == TaskResultStatus.RUNNING
    me.healthy_since = time.monotonic() - LEASE
    me.renew()
    assert status(task) == TaskResultStatus.READY


@pytest.mark.django_db
def test_a_worker_stopped_mid_task_keeps_its_lease_until_it_runs_out(running):
    me = workers.Lease("me", seconds=LEASE)
    me.beat()
    task = running("me")
    me.release()
    assert TaskWorker.objects.filter(worker_id="me").exists()
    task.set_successful(0)
    me.release()
    assert not TaskWorker.objects.exists()
