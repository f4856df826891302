"""Time the snap-and-report sweep on a generated city (issue 4: "the overdue sweep over
2,000,000 reports in under 5 seconds").

    python -m bench.sweep --preset small|city [--database-url URL] [--hours N] [--runs 2]
        [--profile]

Runs linju.reports.services.sweep_overdue and close_unconfirmed — what `manage.py
sweep_reports` runs — as of the city's anchor (+ --hours: a longer scheduler outage, more
limits passed), prints how many reports each escalated or closed and in how many seconds, the
time per kind of SQL statement, and EXPLAIN (ANALYZE, BUFFERS) of each sweep's selecting
query (the exact SQL of its first batch, captured while it ran). --profile adds cProfile's
top functions. Figures also go to var/bench/sweep-<preset>.json.

--before SQL runs first inside each run's transaction (and the EXPLAIN's), so an index can be
tried without a migration: it vanishes with the rollback.

Repeatable: every run happens inside one outer transaction that is rolled back, then the
touched tables are vacuumed, so each run (and the next invocation) finds the data the
generator left. How that differs from a real run: there each batch of SWEEP_BATCH is its own
transaction, so it ends with a COMMIT (a WAL flush) and, on commit, enqueues one
notification-delivery task (one INSERT into the task table); here each batch is a savepoint
(RELEASE is free) and the on-commit enqueue never happens. Both cost a few milliseconds per
batch. Row locks are also held to the end instead of per batch, which only matters to
concurrent writers (there are none here).

The generator (stage "reports", bench/city/reports.py) leaves the sweep a real backlog: its
scheduler last ran SWEEP_PAUSE (48 h) before the anchor, and reports already with the district
(level 4) are overdue but not the sweep's to escalate.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import database_url

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
TOUCHED = ["reports_report", "reports_step", "core_auditevent", "core_notification"]
TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', re.I)
ORDER = re.compile(r'ORDER BY\s+"\w+"\."(\w+)"')
# The locking SELECT of each sweep, told apart by its order (see Stopwatch.kind).
SELECTS = {
    "sweep_overdue": "SELECT reports_report FOR UPDATE ORDER BY due_at",
    "close_unconfirmed": "SELECT reports_report FOR UPDATE ORDER BY resolved_at",
}


class Stopwatch:
    """Django execute_wrapper: time and count SQL statements by verb and table."""

    def __init__(self):
        self.by_kind = defaultdict(lambda: [0, 0.0])
        self.first = {}  # statement kind → (sql, params) of its first execution

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            kind = self.kind(sql)
            entry = self.by_kind[kind]
            entry[0] += 1
            entry[1] += time.perf_counter() - started
            self.first.setdefault(kind, (sql, params))

    @staticmethod
    def kind(sql: str) -> str:
        verb = sql.lstrip().split(None, 1)[0].upper()
        table = TABLE.search(sql)
        lock = ""
        if "FOR UPDATE" in sql.upper():
            order = ORDER.search(sql)
            lock = " FOR UPDATE" + (f" ORDER BY {order.group(1)}" if order else "")
        return f"{verb} {table.group(1) if table else ''}{lock}".strip()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", choices=["small", "city"], default="small")
    parser.add_argument("--database-url", help="default: as bench.generate for the preset")
    parser.add_argument(
        "--hours", type=float, default=0, help="run as of the anchor plus this many hours"
    )
    parser.add_argument("--runs", type=int, default=2, help="timed runs (2)")
    parser.add_argument("--profile", action="store_true", help="cProfile the last run")
    parser.add_argument(
        "--before",
        metavar="SQL",
        help="run this SQL first inside each rolled-back run: try an index without migrating",
    )
    args = parser.parse_args(argv)
    url = database_url(args)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linju.settings")
    import django

    django.setup()
    from django.db import connection

    from linju.reports import services

    now = anchor_of(connection) + timedelta(hours=args.hours)
    print(f"sweeping as of {now.isoformat()} (the city's anchor + {args.hours:g} h)")
    before = backlog(connection, now)
    print(
        f"{before['reports']:,} reports; {before['open']:,} open, of which {before['overdue']:,}"
        f" past their limit at levels 1–3 (the sweep's) and {before['district']:,} with the"
        f" district; {before['unconfirmed']:,} resolutions unconfirmed for 7 days;"
        f" heavy subdistrict: {before['heavy_reports']:,} reports, {before['heavy_overdue']:,}"
        " of the sweep's"
    )

    runs = []
    watch = Stopwatch()
    for n in range(1, args.runs + 1):
        watch = Stopwatch()
        profiler = cProfile.Profile() if args.profile and n == args.runs else None
        with rolled_back(connection), connection.execute_wrapper(watch):
            if args.before:
                with connection.cursor() as cur:
                    cur.execute(args.before)
                watch.by_kind.clear()
            if profiler:
                profiler.enable()
            t0 = time.perf_counter()
            escalated = services.sweep_overdue(now=now)
            t1 = time.perf_counter()
            closed = services.close_unconfirmed(now=now)
            t2 = time.perf_counter()
            if profiler:
                profiler.disable()
        vacuumed = vacuum(connection)
        statements = {
            kind: {"count": count, "seconds": round(seconds, 3)}
            for kind, (count, seconds) in sorted(watch.by_kind.items(), key=lambda kv: -kv[1][1])
        }
        run = {
            "escalated": escalated,
            "escalate seconds": round(t1 - t0, 3),
            "closed": closed,
            "close seconds": round(t2 - t1, 3),
            "vacuum seconds": round(vacuumed, 1),
            "statements": statements,
        }
        runs.append(run)
        print(
            f"run {n}: escalated {escalated:,} in {t1 - t0:.2f} s"
            f" ({escalated / max(t1 - t0, 1e-9):,.0f}/s), closed {closed:,} unconfirmed in"
            f" {t2 - t1:.2f} s; rolled back, vacuumed in {vacuumed:.1f} s"
        )
        print("  SQL by statement (seconds, count):")
        for kind, s in statements.items():
            print(f"  {s['seconds']:8.3f} s  {s['count']:6,}×  {kind}")

    plans = {}
    for label, kind in SELECTS.items():
        if kind not in watch.first:
            continue
        sql, params = watch.first[kind]
        plans[label] = explain(connection, sql, params, args.before)
        print(f"\nEXPLAIN (ANALYZE, BUFFERS) of {label}'s first batch:\n{sql % tuple(params)}\n")
        print(plans[label])

    if args.profile and profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        print("\ncProfile of the last run (cumulative):")
        print(out.getvalue())

    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "python -m bench.sweep " + " ".join(argv if argv is not None else sys.argv[1:]),
        "database": connection.settings_dict["NAME"],
        "now": now.isoformat(),
        "backlog": before,
        "runs": runs,
        "plans": plans,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    output = OUT / f"sweep-{args.preset}.json"
    output.write_text(json.dumps(report, indent=1, ensure_ascii=False))
    print(f"written: {output}")


class _Rollback(Exception):
    pass


@contextmanager
def rolled_back(connection):
    """One outer transaction, rolled back: the sweep's per-batch transactions become
    savepoints inside it."""
    from django.db import transaction

    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass
    connection.close()  # a fresh session for what follows


def vacuum(connection) -> float:
    """VACUUM what a rolled-back run left dead, so the next run finds the same pages."""
    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(f"VACUUM {', '.join(TOUCHED)}")
    return time.perf_counter() - t


def anchor_of(connection) -> datetime:
    """The generator's anchor (all generated timestamps lie before it)."""
    with connection.cursor() as cur:
        cur.execute("SELECT params->>'anchor' FROM bench_stage WHERE name = 'reports'")
        row = cur.fetchone()
    if row is None:
        sys.exit("no generated reports here: run python -m bench.generate first")
    return datetime.fromisoformat(row[0]).replace(tzinfo=UTC)


def backlog(connection, now) -> dict:
    from linju.places.models import Place
    from linju.reports.models import OPEN_STATUSES, Level, Report

    heavy = Place.objects.filter(kind="subdistrict").order_by("path").first()
    open_ = Report.objects.filter(status__in=OPEN_STATUSES)
    sweepable = open_.filter(due_at__lt=now, level__lt=Level.DISTRICT)
    return {
        "reports": Report.objects.count(),
        "open": open_.count(),
        "overdue": sweepable.count(),
        "district": open_.filter(due_at__lt=now, level=Level.DISTRICT).count(),
        "unconfirmed": Report.objects.filter(
            status="resolved", resolved_at__lt=now - timedelta(days=7)
        ).count(),
        "heavy_reports": Report.objects.filter(path__startswith=heavy.path).count(),
        "heavy_overdue": sweepable.filter(path__startswith=heavy.path).count(),
    }


def explain(connection, sql, params, before=None) -> str:
    from django.db import transaction

    lines = []
    try:
        with transaction.atomic(), connection.cursor() as cur:
            if before:
                cur.execute(before)
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            lines = [row[0] for row in cur.fetchall()]
            raise _Rollback
    except _Rollback:
        pass
    return "\n".join(lines)


if __name__ == "__main__":
    main()
