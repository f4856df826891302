"""Worker leases: a task whose worker died goes back to the queue (`manage.py run_worker`).

django_tasks_db's worker marks a task RUNNING when it claims it, and nothing looks at that task
again: a worker killed mid-task (out of memory, SIGKILL, a lost host) would leave it RUNNING for
ever. Each run_worker process holds a lease instead, a TaskWorker row whose `seen_at` a
heartbeat thread renews every quarter of the lease, also while a task runs, so a long task is
never taken for an orphan (a lease measured from the task's start would re-run every task that
outlasts it, while the first run is still going). A worker whose lease ran out is dead: the live
workers put its RUNNING tasks back to READY, or fail a task that has already lost MAX_ATTEMPTS
workers, so a task that kills its worker every time does not go round for ever.

Times are the database's (Now()), so hosts' clocks need not agree. A worker only judges others
after its own heartbeats have succeeded for a whole lease: after a database outage every lease
looks expired, and the workers still alive need that long to renew theirs.

A re-queued task runs again from the start, so tasks must be safe to repeat (tasks.py says what
that means for notifications). A worker wrongly judged dead (cut off from the database for a
whole lease while it kept running its task) can have its task run twice at the same time.
"""

import logging
import os
import secrets
import socket
import threading
import time
from datetime import timedelta

from django.db import DatabaseError, close_old_connections, connections, transaction
from django.db.models.functions import Now
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import TaskWorker

log = logging.getLogger(__name__)

LEASE_SECONDS = 60
MAX_ATTEMPTS = 5


class WorkerLost(Exception):
    """Recorded on a task failed because every worker that ran it died."""


def new_worker_id() -> str:
    """host:pid:random — the host and process to look for, unique even when a pid is reused."""
    return f"{socket.gethostname()[:48]}:{os.getpid()}:{secrets.token_hex(3)}"


def requeue_orphans(*, lease_seconds: float) -> int:
    """Put the RUNNING tasks of workers whose lease ran out back in the queue (or fail those
    that have lost MAX_ATTEMPTS workers), and forget those workers. Returns how many tasks."""
    with transaction.atomic():
        dead = set(
            TaskWorker.objects.filter(
                seen_at__lt=Now() - timedelta(seconds=lease_seconds)
            ).values_list("worker_id", flat=True)
        )
        if not dead:
            return 0
        # A task row locked by its worker is being finished by a live worker: skip it.
        running = DBTaskResult.objects.running().select_for_update(skip_locked=True)
        orphans = [t for t in running if t.worker_ids and t.worker_ids[-1] in dead]
        for task in orphans:
            if len(task.worker_ids) >= MAX_ATTEMPTS:
                log.error("task %s failed: %d workers died running it", task.pk, MAX_ATTEMPTS)
                task.status = TaskResultStatus.FAILED
                task.finished_at = timezone.now()
                task.exception_class_path = f"{__name__}.{WorkerLost.__name__}"
                task.traceback = f"WorkerLost: the workers {task.worker_ids} died running it"
                task.save(
                    update_fields=["status", "finished_at", "exception_class_path", "traceback"]
                )
            else:
                log.warning("task %s re-queued: worker %s died", task.pk, task.worker_ids[-1])
                task.status = TaskResultStatus.READY
                task.save(update_fields=["status"])
        TaskWorker.objects.filter(
            worker_id__in=dead, seen_at__lt=Now() - timedelta(seconds=lease_seconds)
        ).delete()
    return len(orphans)


class Lease:
    """One worker's lease: beat() renews it, renew() also re-queues the dead workers' tasks,
    keep() renews it until told to stop, release() gives it up when the worker stops cleanly."""

    def __init__(self, worker_id: str, *, seconds: float = LEASE_SECONDS):
        self.worker_id = worker_id
        self.seconds = seconds
        self.healthy_since = None  # time.monotonic() of the first of an unbroken run of beats

    def beat(self) -> None:
        if not TaskWorker.objects.filter(worker_id=self.worker_id).update(seen_at=Now()):
            TaskWorker.objects.create(worker_id=self.worker_id, seen_at=Now())
        if self.healthy_since is None:
            self.healthy_since = time.monotonic()

    def renew(self) -> None:
        """A heartbeat; and once this worker's beats have succeeded for a whole lease, the dead
        workers' tasks back to the queue."""
        self.beat()
        if time.monotonic() - self.healthy_since >= self.seconds:
            requeue_orphans(lease_seconds=self.seconds)

    def keep(self, stop: threading.Event) -> None:
        """The heartbeat thread: renew() every quarter of the lease until `stop` is set."""
        try:
            while not stop.wait(self.seconds / 4):
                # As a request would: drop a connection the database closed meanwhile.
                close_old_connections()
                try:
                    self.renew()
                except DatabaseError as exc:
                    log.warning("worker %s: lease not renewed: %s", self.worker_id, exc)
                    self.healthy_since = None
        finally:
            connections.close_all()

    def release(self) -> None:
        """Leave the table, unless a task is still RUNNING under this worker (it was stopped
        mid-task): then the lease runs out and another worker re-queues the task."""
        try:
            running = DBTaskResult.objects.running().values_list("worker_ids", flat=True)
            if not any(ids and ids[-1] == self.worker_id for ids in running):
                TaskWorker.objects.filter(worker_id=self.worker_id).delete()
        except DatabaseError as exc:
            log.warning("worker %s: lease not released: %s", self.worker_id, exc)
