"""Fault drill: the PostgreSQL cluster stopped and started under load (issue 8 §7).

    python -m bench.faults                     # linju_faults_drill on the local cluster 15/main
    python -m bench.faults --outage 10 --writers 4

It stops the real cluster: every other user of it loses it for the outage too.

What it does, in order:
1. creates the database if it is missing, migrates it, loads the demo community (once) and
   collects static files, then gives residents API tokens and one of them a session;
2. serves Linju with gunicorn as `make serve` does (production settings, linju/gunicorn.conf.py)
   and runs one background worker (`manage.py run_worker`);
3. runs the fault load of tests/faults/load.py: residents submit reports through the API and view
   their home page from threads, each as fast as the server answers;
4. once the load is steady, stops the cluster (`pg_ctlcluster --skip-systemctl-redirect 15 main
   stop -m fast`, which ends every connection), waits, starts it again;
5. waits until every answer succeeds again, stops the load, then waits for the worker to empty
   the task queue, and counts: answers by status, 503s, writes acknowledged against reports
   found (once each, never half-saved), the time to recover, whether a gunicorn worker or the
   task worker had to be restarted. Prints the figures and writes var/bench/faults.json.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from django.utils import timezone

from tests.faults.load import (
    MARKER,
    Load,
    Writer,
    booted_workers,
    figures,
    free_port,
    gunicorn,
    saved_reports,
    wait_for,
)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
CLUSTER = ("15", "main")
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/linju_faults_drill"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--outage", type=float, default=10, help="seconds stopped (10)")
    parser.add_argument("--writers", type=int, default=4, help="threads submitting reports (4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--steady", type=float, default=5, help="seconds of load before (5)")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    env = {
        "DJANGO_SETTINGS_MODULE": "linju.settings",
        "DATABASE_URL": args.database_url,
        "LINJU_SSL_REDIRECT": "0",
        "LINJU_SECURE_COOKIES": "0",
        "LINJU_HSTS_SECONDS": "0",
        "WEB_CONCURRENCY": str(args.workers),
        "LINJU_ACCESS_LOG": "/dev/null",
        # Each worker imports the URLconf on its first request; on a busy machine that has run
        # past the 30 s timeout, and a worker killed for it would count as a restart here.
        "LINJU_TIMEOUT": "120",
    }
    os.environ.update(env)
    create_database(args.database_url)
    import django

    django.setup()
    prepare()
    writers, cookie = credentials(args.writers)
    began = timezone.now()
    marker = f"{MARKER}{began:%Y%m%d%H%M%S}-"  # this run's reports, not an earlier run's

    server_log, worker_log = OUT / "faults-gunicorn.log", OUT / "faults-worker.log"
    with open(worker_log, "wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--queue-name", "*"],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    stopped = False
    try:
        with gunicorn(env, free_port(), server_log) as base_url:
            load = Load(base_url, writers=writers, page_cookies=[cookie], marker=marker).start()
            try:
                wait_for(lambda: load.recovered(0, streak=5), seconds=120, what="a steady load")
                time.sleep(args.steady)
                cut_at = time.monotonic()
                stopped = True
                cluster("stop", "-m", "fast")
                time.sleep(max(0.0, args.outage - (time.monotonic() - cut_at)))
                cluster("start")
                stopped = False
                restored_at = time.monotonic()
                wait_for(
                    lambda: load.recovered(restored_at, streak=20),
                    seconds=120,
                    what="every answer to succeed again",
                )
            finally:
                answers = load.stop()
        drained_s = drain(restored_at)
        worker_alive = worker.poll() is None
    finally:
        if stopped:
            cluster("start")
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)

    from django.db import connections

    connections.close_all()  # the stop ended this process's connection too
    rows, half_saved = saved_reports(marker)
    result = figures(answers, rows, cut_at=cut_at, restored_at=restored_at)
    result.update(
        half_saved=len(half_saved),
        gunicorn_workers_booted=booted_workers(server_log),
        gunicorn_workers=args.workers,
        task_worker_survived=worker_alive,
        task_queue_empty_after_restore_s=drained_s,
        tasks=task_statuses(since=began),
    )
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "python -m bench.faults " + " ".join(argv or sys.argv[1:]),
        "writers": args.writers,
        **result,
    }
    for key in ("acknowledged_missing", "saved_more_than_once", "saved_but_never_sent"):
        report[key] = len(report[key])
    report["saved_but_not_acknowledged"] = len(report["saved_but_not_acknowledged"])
    (OUT / "faults.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    print(json.dumps(report, indent=1, ensure_ascii=False))


def cluster(action: str, *more: str) -> None:
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", *CLUSTER, action, *more]
    subprocess.run(command, check=True)


def create_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def prepare() -> None:
    from django.core.management import call_command

    from linju.people import demo

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if not demo.is_loaded():
        call_command("load_demo", scale=0.2, verbosity=0)


def credentials(count: int) -> tuple[list[Writer], str]:
    """API tokens of `count` residents of the first community, each reporting in their own
    building, and a session of the first of them."""
    from bench.common import residents_of
    from bench.load import session_headers
    from linju.core import tokens
    from linju.people.models import ResidencyStatus, User
    from linju.places.models import Place, PlaceKind

    community = Place.objects.filter(kind=PlaceKind.COMMUNITY).order_by("pk").first()
    users = User.objects.filter(pk__in=residents_of(community)[:count]).order_by("pk")
    writers = []
    for user in users:
        residency = user.residencies.filter(status=ResidencyStatus.VERIFIED).first()
        building = residency.household.unit.parent_id
        writers.append(Writer(tokens.create_token(user=user, name="fault drill")[1], building))
    return writers, session_headers(users[0])["headers"]["Cookie"]


def drain(since: float) -> float | None:
    """Seconds after `since` until no task is queued or running (None: not within 3 minutes)."""
    from django.db import DatabaseError, close_old_connections
    from django_tasks_db.models import DBTaskResult

    def empty():
        close_old_connections()
        try:
            return not (DBTaskResult.objects.ready() | DBTaskResult.objects.running()).exists()
        except DatabaseError:
            return False

    try:
        wait_for(empty, seconds=180, what="the task queue to empty")
    except AssertionError:
        return None
    return round(time.monotonic() - since, 1)


def task_statuses(*, since) -> dict:
    """This run's tasks by status."""
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    tasks = DBTaskResult.objects.filter(enqueued_at__gte=since)
    return dict(tasks.values_list("status").annotate(n=Count("id")).order_by())


if __name__ == "__main__":
    main()
