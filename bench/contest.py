"""A month of the civilised-unit contest at its largest (issue 6): "ranking a month of 100,000
units in under 2 seconds on PostgreSQL".

    python -m bench.contest [--preset city] [--database-url URL] [--repeat 5] [--explain]

On the round the generator's stage "contest_100k" built (bench/city/contest.py: 100,000 units,
400,000 sheets of a four-party panel, 3,200,000 marks, in review and not yet ranked), times
`linju.ratings.ranking.rank_round` — the one statement that computes every unit's total, rank,
red flag and veto and writes them to ratings_target — --repeat times for each aggregation the
round can use (the mean of the sheets, and the trimmed mean of the marks, item by item), the
aggregation switched on the round in memory. Prints and writes var/bench/contest-<preset>.json;
with --explain also EXPLAIN (ANALYZE, BUFFERS) of each statement, once, to
var/bench/contest-<preset>-explain-<aggregation>.txt.

Every run is rolled back. The ranking is the same statement whenever it runs (closing the
scoring, and again after each correction in review): rolled back, each run starts from the
round exactly as the generator left it, so runs and reruns of the benchmark measure the same
thing and the bench database stays as generated. The 100,000 row versions a rolled-back run
leaves behind are vacuumed away before the next run (not timed; the bench server runs without
autovacuum), as they would be between two rankings of a real month.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import database_url, setup

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
TABLES = ["ratings_target", "ratings_sheet", "ratings_entry"]


class Rollback(Exception):
    """Raised at the end of a timed run so that its transaction is rolled back."""


def backend_cpu(cursor) -> float:
    """User + system CPU seconds of this connection's PostgreSQL backend (a local server)."""
    from bench.ballots import process_cpu_seconds

    cursor.execute("SELECT pg_backend_pid()")
    return process_cpu_seconds(cursor.fetchone()[0])


def vacuum(connection):
    with connection.cursor() as cur:
        cur.execute("VACUUM ratings_target")


def outcome(round_) -> dict:
    """What the ranking wrote, read inside its transaction: a check that it did its work."""
    from django.db.models import Count, Max, Min, Q

    from linju.ratings.models import Target

    return Target.objects.filter(round=round_).aggregate(
        n_ranked=Count("id", filter=Q(rank__isnull=False)),
        n_flags=Count("id", filter=Q(flag=True)),
        n_vetoed=Count("id", filter=Q(vetoed=True)),
        n_at_rank_1=Count("id", filter=Q(rank=1)),
        last_rank=Max("rank"),
        best_total=Max("total"),
        worst_total_not_vetoed=Min("total", filter=Q(vetoed=False)),
    )


def run_once(round_, *, capture=None, check=False):
    """One ranking in its own transaction, rolled back: (seconds, rows, backend CPU, outcome)."""
    from django.db import connection, transaction

    from linju.ratings.ranking import rank_round

    def wrapper(execute, sql, params, many, context):
        if capture is not None and sql.lstrip().startswith("WITH"):
            capture["sql"], capture["params"] = sql, list(params)
        elif capture is not None and sql.startswith("SET LOCAL"):
            # rank_round's settings for its statement: the plan is explained under them too.
            capture.setdefault("setup", []).append(sql)
        return execute(sql, params, many, context)

    result = {}
    try:
        with transaction.atomic(), connection.cursor() as cur:
            cpu = backend_cpu(cur)
            with connection.execute_wrapper(wrapper):
                started = time.perf_counter()
                rows = rank_round(round_)
                seconds = time.perf_counter() - started
            result = {"seconds": seconds, "rows": rows, "cpu": backend_cpu(cur) - cpu}
            if check:
                result["outcome"] = outcome(round_)
            raise Rollback
    except Rollback:
        pass
    return result


def rerank_once(round_) -> dict:
    """A correction in review: the round ranked, one sheet's total lowered by 5 points, ranked
    again — the second ranking is timed (it writes only the targets whose result changed).
    Rolled back like the others."""
    from django.db import connection, transaction

    from linju.ratings.models import Sheet
    from linju.ratings.ranking import rank_round

    result = {}
    try:
        with transaction.atomic(), connection.cursor() as cur:
            rank_round(round_)
            middle = Sheet.objects.filter(round=round_).order_by("target_id")[200_00:200_01].get()
            Sheet.objects.filter(pk=middle.pk).update(total=middle.total - 5)
            cpu = backend_cpu(cur)
            started = time.perf_counter()
            rows = rank_round(round_)
            result = {
                "seconds": time.perf_counter() - started,
                "rows": rows,
                "cpu": backend_cpu(cur) - cpu,
            }
            raise Rollback
    except Rollback:
        pass
    return result


def explain(sql, params, setup=()) -> str:
    from django.db import connection, transaction

    lines = []
    try:
        with transaction.atomic(), connection.cursor() as cur:
            for statement in setup:
                cur.execute(statement)
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            lines = [row[0] for row in cur.fetchall()]
            raise Rollback
    except Rollback:
        pass
    return "\n".join(lines)


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="city")
    parser.add_argument("--database-url")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args(argv)
    url = database_url(args)
    setup(url)
    from django.db import connection

    from bench.city.contest import ESTATE_CODE
    from linju.ratings.models import Aggregation, Round

    round_ = (
        Round.objects.select_related("contest", "rubric")
        .filter(place__code=ESTATE_CODE, place__kind="estate")
        .order_by("-period_start")
        .first()
    )
    if round_ is None:
        sys.exit(f"no round on estate {ESTATE_CODE}: run bench.generate (stage contest_100k)")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT (SELECT count(*) FROM ratings_target WHERE round_id = %s),"
            " (SELECT count(*) FROM ratings_sheet WHERE round_id = %s),"
            " current_setting('work_mem'), current_setting('shared_buffers'),"
            " current_setting('max_parallel_workers_per_gather'), version()",
            [round_.pk, round_.pk],
        )
        targets, sheets, work_mem, shared_buffers, parallel, version = cur.fetchone()
        sizes = {}
        for table in TABLES:
            cur.execute("SELECT pg_total_relation_size(%s)", [table])
            sizes[table] = cur.fetchone()[0]
    print(
        f"round {round_.pk} ({round_}): {targets:,} targets, {sheets:,} sheets; "
        f"work_mem {work_mem}, shared_buffers {shared_buffers}; load {os.getloadavg()[0]:.2f}",
        flush=True,
    )

    figures = {}
    explained = {}
    for aggregation in (Aggregation.MEAN, Aggregation.TRIMMED):
        round_.aggregation = aggregation  # in memory only: the round row is not changed
        vacuum(connection)
        print(f"{aggregation}: warm-up run…", flush=True)
        capture = {}
        first = run_once(round_, capture=capture, check=True)
        print(f"  warm-up {first['seconds']:.2f} s, {first['rows']:,} rows", flush=True)
        runs = []
        for i in range(args.repeat):
            vacuum(connection)
            run = run_once(round_)
            runs.append(run)
            print(
                f"  run {i + 1}/{args.repeat}: {run['seconds']:.3f} s "
                f"(backend CPU {run['cpu']:.2f} s), {run['rows']:,} rows",
                flush=True,
            )
        seconds = [r["seconds"] for r in runs]
        figures[aggregation.value] = {
            "runs": len(runs),
            "rows_updated": runs[-1]["rows"] if runs else first["rows"],
            "p50_s": round(statistics.median(seconds), 3) if runs else None,
            "max_s": round(max(seconds), 3) if runs else None,
            "min_s": round(min(seconds), 3) if runs else None,
            "p95_s": round(pct(seconds, 0.95), 3) if runs else None,
            "backend_cpu_p50_s": round(statistics.median(r["cpu"] for r in runs), 3)
            if runs
            else None,
            "warm_up_s": round(first["seconds"], 3),
            "outcome": {k: str(v) if v is not None else None for k, v in first["outcome"].items()},
        }
        if args.explain:
            vacuum(connection)
            print(f"{aggregation}: EXPLAIN (ANALYZE, BUFFERS)…", flush=True)
            plan = explain(capture["sql"], capture["params"], capture.get("setup", ()))
            explained[aggregation.value] = plan
            path = OUT / f"contest-{args.preset}-explain-{aggregation.value}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(plan + "\n")
            print(plan, flush=True)
            print(f"written: {path}", flush=True)

    round_.aggregation = Aggregation.MEAN
    corrections = []
    for i in range(args.repeat):
        vacuum(connection)
        run = rerank_once(round_)
        corrections.append(run)
        print(
            f"  after a correction {i + 1}/{args.repeat}: {run['seconds']:.3f} s, "
            f"{run['rows']:,} rows rewritten",
            flush=True,
        )
    figures["mean_after_a_correction"] = {
        "runs": len(corrections),
        "rows_updated": corrections[-1]["rows"] if corrections else None,
        "p50_s": round(statistics.median(r["seconds"] for r in corrections), 3)
        if corrections
        else None,
        "max_s": round(max(r["seconds"] for r in corrections), 3) if corrections else None,
    }

    report = {
        "command": "python -m bench.contest " + " ".join(sys.argv[1:] if argv is None else argv),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "load_1min_at_end": round(os.getloadavg()[0], 2),
        },
        "database": connection.settings_dict["NAME"],
        "postgresql": version.split(" on ")[0],
        "settings": {
            "work_mem": work_mem,
            "shared_buffers": shared_buffers,
            "max_parallel_workers_per_gather": parallel,
        },
        "round": round_.pk,
        "targets": targets,
        "sheets": sheets,
        "table_bytes": sizes,
        "budget_s": 2.0,
        "aggregations": figures,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    output = OUT / f"contest-{args.preset}.json"
    output.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    print(f"written: {output}")


if __name__ == "__main__":
    main()
