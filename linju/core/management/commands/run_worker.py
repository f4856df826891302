"""The background task worker: django_tasks_db's `db_worker` holding a lease (core.workers), so
the tasks of a worker that died run again. `make worker` and the systemd unit of
docs/operations.md run this, never db_worker itself."""

import threading
import time

from django_tasks_db.management.commands import db_worker

from linju.core import workers
from linju.core.outage import DATABASE_ERRORS


class Command(db_worker.Command):
    help = (
        "Run the background task worker (db_worker's options) under a lease: the tasks a "
        "worker was running when it died go back to the queue once its lease runs out."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(worker_id=workers.new_worker_id())
        parser.add_argument(
            "--lease",
            type=float,
            default=workers.LEASE_SECONDS,
            help="Seconds without a heartbeat after which a worker counts as dead and its "
            "running tasks are queued again (default: %(default)s). The same on every worker.",
        )

    def handle(self, *, lease, **options):
        # The autoreloader runs the worker in a child process: the lease would belong to the
        # parent, which runs no task.
        options["reload"] = False
        while True:
            try:
                return self.run_leased(lease, options)
            except DATABASE_ERRORS as exc:
                # db_worker gives up when the database goes away. Start again, as a new worker:
                # a task left RUNNING under the old id comes back when that lease runs out.
                self.stderr.write(f"database unavailable, starting again: {exc}")
                time.sleep(lease / 4)
                options["worker_id"] = workers.new_worker_id()

    def run_leased(self, lease, options):
        holder = workers.Lease(options["worker_id"], seconds=lease)
        holder.beat()  # the lease exists before the first task is claimed under this id
        stop = threading.Event()
        heartbeat = threading.Thread(target=holder.keep, args=(stop,), name="lease", daemon=True)
        heartbeat.start()
        try:
            super().handle(**options)
        finally:
            stop.set()
            heartbeat.join(timeout=lease)
            holder.release()
