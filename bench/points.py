"""Volunteer points at city scale (issue 7): "ledger posting throughput on PostgreSQL
(entries/s) and redemption p95 under the concurrent load above (200 concurrent redemptions of a
50-item stock)".

    python -m bench.points [--preset city] [--database-url URL] [--community C002]
        [--workers 4] [--seconds 30] [--rounds 5] [--pool 0]

In one community of the generated city (its verified residents), from threads of one process,
each thread its own connection:

1. Posting: --workers threads post credits through linju.points.ledger.post_points for
   --seconds, each posting its own transaction as a service makes it, to random residents of
   the community (their accounts exist: the steady state), then again with every thread
   posting to the same resident (the worst case: every posting waits for one account's row
   lock). Entries/s, latency per posting, PostgreSQL backend CPU per posting (from /proc).
2. Redemption: --rounds times, a new item with 50 in stock in the community's love
   supermarket and 200 residents holding enough points; 200 calls of
   linju.points.services_store.redeem released at once from a pool of --pool threads (0: as
   many as the server's max_connections leaves room for, at most 200). Exactly 50 must
   succeed and the other 150 be refused "out of stock"; latency of every call, the time from
   the release to each answer, application and PostgreSQL CPU. Then, for reference, one round
   of the same 200 calls one after another from one thread: every call takes the item's row
   lock first, so its total is about the least a burst's last answer can wait.

Prints and writes var/bench/points-<preset>.json.

What the runner writes is its own and is removed at the end (and at the start, in case an
earlier run was interrupted): every points entry whose key starts with "bench:" (postings,
the residents' credits) or "redeem:bench:" (redemptions), the redemptions, the items named
"bench: …" and their audit events; the accounts of the residents it touched get back the sum
of their remaining entries, and those left with nothing are deleted. Then the points tables are
vacuumed (the bench server runs without autovacuum), so every run starts from the same tables.
Postings cannot be rolled back instead: a commit per posting is what is measured.
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from bench.common import (
    backend_pid,
    database_url,
    latency_figures,
    ms,
    pct,
    pool_size,
    residents_of,
    setup,
)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
PREFIX = "bench:"
TABLES = [
    "points_account",
    "points_pointsentry",
    "points_redemption",
    "points_storeitem",
]
STOCK = 50
CALLS = 200
COST = 50
CREDIT = 10  # points per posting


def clean_up(community, people) -> dict:
    """Remove everything a run writes (see the module's docstring); the counts removed."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "SELECT DISTINCT user_id FROM points_pointsentry WHERE key LIKE %s OR key LIKE %s",
            [PREFIX + "%", "redeem:" + PREFIX + "%"],
        )
        touched = sorted({row[0] for row in cur.fetchall()} | set(people))
        cur.execute(
            "SELECT id FROM points_storeitem WHERE path = %s AND name LIKE %s",
            [community.path, PREFIX + "%"],
        )
        items = [row[0] for row in cur.fetchall()]
        cur.execute(
            "SELECT id FROM points_redemption WHERE entry_key LIKE %s OR item_id = ANY(%s)",
            ["redeem:" + PREFIX + "%", items],
        )
        redemptions = [row[0] for row in cur.fetchall()]
        # The bench's own audit events (the ORM keeps the log append-only; this is housekeeping
        # of a benchmark database, by the ids of the objects the run made).
        cur.execute(
            "DELETE FROM core_auditevent WHERE (object_type = 'points.redemption'"
            " AND object_id = ANY(%s))"
            " OR (object_type = 'points.storeitem' AND object_id = ANY(%s))",
            [[str(pk) for pk in redemptions], [str(pk) for pk in items]],
        )
        audit = cur.rowcount
        cur.execute("DELETE FROM points_redemption WHERE id = ANY(%s)", [redemptions])
        cur.execute(
            "DELETE FROM points_pointsentry WHERE key LIKE %s OR key LIKE %s",
            [PREFIX + "%", "redeem:" + PREFIX + "%"],
        )
        entries = cur.rowcount
        cur.execute("DELETE FROM points_storeitem WHERE id = ANY(%s)", [items])
        # Cached balances back to the sum of what is left; accounts left empty go.
        cur.execute(
            "UPDATE points_account a SET points = COALESCE("
            " (SELECT SUM(e.amount) FROM points_pointsentry e WHERE e.user_id = a.user_id), 0)"
            " WHERE a.user_id = ANY(%s)",
            [touched],
        )
        cur.execute(
            "DELETE FROM points_account a WHERE a.user_id = ANY(%s) AND a.points = 0"
            " AND a.minutes = 0"
            " AND NOT EXISTS (SELECT 1 FROM points_pointsentry e WHERE e.user_id = a.user_id)"
            " AND NOT EXISTS (SELECT 1 FROM points_hoursentry h WHERE h.user_id = a.user_id)",
            [touched],
        )
        accounts = cur.rowcount
    with connection.cursor() as cur:
        for table in TABLES:
            cur.execute(f"VACUUM (ANALYZE) {table}")
    return {
        "entries": entries,
        "redemptions": len(redemptions),
        "items": len(items),
        "audit_events": audit,
        "accounts": accounts,
    }


def open_accounts(people) -> int:
    """An account for each resident (the steady state: most people earned before)."""
    from linju.points.models import Account

    made = Account.objects.bulk_create(
        [Account(user_id=pk) for pk in people], batch_size=2000, ignore_conflicts=True
    )
    return len(made)


# --- 1. Posting ---------------------------------------------------------------------------


def _post_loop(community, people, deadline, key, seed, out, start):
    from django.db import connection, transaction

    from bench.ballots import process_cpu_seconds
    from linju.points import ledger
    from linju.points.models import PointsKind

    rng = random.Random(seed)
    pid = backend_pid()
    start.wait()
    cpu = process_cpu_seconds(pid)
    latencies, errors = [], 0
    i = 0
    while time.perf_counter() < deadline[0]:
        user_id = people[rng.randrange(len(people))]
        started = time.perf_counter()
        try:
            with transaction.atomic():
                ledger.post_points(
                    user_id=user_id,
                    amount=CREDIT,
                    kind=PointsKind.SERVICE,
                    key=f"{key}:{i}",
                    place=community,
                    reason="bench",
                )
        except Exception as exc:  # counted and shown: a benchmark must not hide failures
            errors += 1
            if errors < 3:
                print(f"posting failed: {exc!r}", file=sys.stderr)
        latencies.append(time.perf_counter() - started)
        i += 1
    out.append((latencies, errors, process_cpu_seconds(pid) - cpu))
    connection.close()


def posting(community, people, *, workers, seconds, run, label) -> dict:
    from django.db import connection

    results = []
    start = threading.Barrier(workers + 1, timeout=300)
    deadline = [0.0]
    threads = [
        threading.Thread(
            target=_post_loop,
            args=(community, people, deadline, f"{PREFIX}{run}:{label}:{w}", w, results, start),
        )
        for w in range(workers)
    ]
    for t in threads:
        t.start()
    deadline[0] = time.perf_counter() + seconds + 3600  # set for real once all are connected
    cpu_before = os.times()
    start.wait()
    began = time.perf_counter()
    deadline[0] = began + seconds
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    cpu_after = os.times()
    app_cpu = (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system)
    latencies = [x for lat, _, _ in results for x in lat]
    calls = len(latencies)
    errors = sum(e for _, e, _ in results)
    pg_cpu = sum(c for _, _, c in results)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT COUNT(*) FROM points_pointsentry WHERE key LIKE %s",
            [f"{PREFIX}{run}:{label}:%"],
        )
        written = cur.fetchone()[0]
    return {
        "workers": workers,
        "people": len(people),
        "seconds": round(wall, 1),
        "calls": calls,
        "errors": errors,
        "entries_written": written,
        "entries_per_second": round(written / wall, 1),
        **latency_figures(latencies),
        "db_cpu_ms_per_entry": round(pg_cpu / calls * 1000, 2) if calls else None,
        "app_cpu_ms_per_entry": round(app_cpu / calls * 1000, 2) if calls else None,
    }


# --- 2. Redemption under load -------------------------------------------------------------


def _redeem_thread(calls, item_id, start, out, db_cpu):
    """One thread of the pool: its share of the 200 calls, one after another, after the
    release. Each resident is loaded fresh (as a request's user is), before the release."""
    from django.db import connection

    from bench.ballots import process_cpu_seconds
    from linju.core.errors import Conflict
    from linju.people.models import User
    from linju.points import services_store

    users = {u.pk: u for u in User.objects.filter(pk__in=[uid for uid, _ in calls])}
    pid = backend_pid()
    start.wait()
    cpu = process_cpu_seconds(pid)
    for user_id, key in calls:
        started = time.perf_counter()
        try:
            services_store.redeem(user=users[user_id], item=item_id, key=key)
            outcome = "redeemed"
        except Conflict as exc:
            outcome = exc.code or "conflict"
        except Exception as exc:  # counted and shown
            outcome = type(exc).__name__
            print(f"redemption failed: {exc!r}", file=sys.stderr)
        ended = time.perf_counter()
        out.append((started, ended, outcome))
    db_cpu.append(process_cpu_seconds(pid) - cpu)
    connection.close()


def redemption_round(community, manager, shoppers, *, pool, run, n) -> dict:
    from django.db.models import Sum

    from linju.points import services_store
    from linju.points.models import Account, PointsEntry, Redemption

    item = services_store.create_item(
        user=manager,
        place_id=community.pk,
        name=f"{PREFIX} 大米 5kg #{n}",
        cost=COST,
        stock=STOCK,
        per_person=2,
        donor="bench",
    )
    calls = [(uid, f"{PREFIX}{run}:{n}:{i}") for i, uid in enumerate(shoppers)]
    shares = [calls[t::pool] for t in range(pool)]
    results, db_cpu = [], []
    start = threading.Barrier(pool + 1, timeout=300)
    threads = [
        threading.Thread(target=_redeem_thread, args=(share, item.pk, start, results, db_cpu))
        for share in shares
    ]
    for t in threads:
        t.start()
    start.wait()
    cpu_before = os.times()
    released = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - released
    cpu_after = os.times()
    app_cpu = (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system)
    outcomes = {}
    for _, _, outcome in results:
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    item.refresh_from_db()
    taken = Redemption.objects.filter(item=item).aggregate(n=Sum("quantity"))["n"] or 0
    debited = PointsEntry.objects.filter(key__startswith=f"redeem:{PREFIX}{run}:{n}:").aggregate(
        s=Sum("amount")
    )["s"]
    checks = {
        "redeemed": outcomes.get("redeemed", 0),
        "stock_left": item.stock,
        "redemptions_in_table": taken,
        "points_debited": -(debited or 0),
        "negative_accounts": Account.objects.filter(points__lt=0).count(),
    }
    ok = (
        checks["redeemed"] == STOCK
        and item.stock == 0
        and taken == STOCK
        and checks["points_debited"] == STOCK * COST
        and outcomes.get("out_of_stock", 0) == CALLS - STOCK
    )
    return {
        "outcomes": outcomes,
        "checks": checks,
        "correct": ok,
        "wall_ms": ms(wall),
        "app_cpu_ms": ms(app_cpu),
        "db_cpu_ms": ms(sum(db_cpu)),
        "latencies": [e - s for s, e, _ in results],
        "answered_after": [e - released for _, e, _ in results],
        "success_latencies": [e - s for s, e, o in results if o == "redeemed"],
        "failed_latencies": [e - s for s, e, o in results if o != "redeemed"],
    }


def summarise(rounds, pool) -> dict:
    for n, r in enumerate(rounds, 1):
        print(
            f"  round {n}: {r['outcomes']}, p50 {ms(statistics.median(r['latencies']))}"
            f" / p95 {ms(pct(r['latencies'], 0.95))} / max {ms(max(r['latencies']))} ms,"
            f" wall {r['wall_ms']} ms (CPU: app {r['app_cpu_ms']}, db {r['db_cpu_ms']} ms),"
            f" correct: {r['correct']}",
            flush=True,
        )
    return {
        "calls_per_round": CALLS,
        "stock": STOCK,
        "threads": pool,
        "rounds": len(rounds),
        "all_rounds_correct": all(r["correct"] for r in rounds),
        "per_round": [
            {
                "outcomes": r["outcomes"],
                "checks": r["checks"],
                "wall_ms": r["wall_ms"],
                "app_cpu_ms": r["app_cpu_ms"],
                "db_cpu_ms": r["db_cpu_ms"],
                **latency_figures(r["latencies"]),
            }
            for r in rounds
        ],
        "call_latency": latency_figures([x for r in rounds for x in r["latencies"]]),
        "successful_call_latency": latency_figures(
            [x for r in rounds for x in r["success_latencies"]]
        ),
        "failed_call_latency": latency_figures([x for r in rounds for x in r["failed_latencies"]]),
        "answered_after_release": latency_figures([x for r in rounds for x in r["answered_after"]]),
        "wall_ms_p50": round(statistics.median(r["wall_ms"] for r in rounds), 1),
        "wall_ms_max": max(r["wall_ms"] for r in rounds),
        "app_cpu_ms_per_call": round(sum(r["app_cpu_ms"] for r in rounds) / len(rounds) / CALLS, 2),
        "db_cpu_ms_per_call": round(sum(r["db_cpu_ms"] for r in rounds) / len(rounds) / CALLS, 2),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="city")
    parser.add_argument("--database-url")
    parser.add_argument(
        "--community", default="C002", help="the code of the community (the first of that code)"
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pool", type=int, default=0, help="redemption threads (0: auto)")
    parser.add_argument("--keep", action="store_true", help="leave the rows (to inspect them)")
    args = parser.parse_args(argv)
    url = database_url(args)
    setup(url)
    from django.db import connection, transaction

    from linju.people.models import RoleGrant
    from linju.places.models import Place
    from linju.points import ledger
    from linju.points.models import PointsKind

    community = Place.objects.filter(code=args.community, kind="community").order_by("pk").first()
    if community is None:
        sys.exit(f"no community {args.community}: run bench.generate")
    manager = (
        RoleGrant.objects.filter(role="community_staff", place=community, revoked_at__isnull=True)
        .select_related("user")
        .order_by("pk")[0]
        .user
    )
    people = residents_of(community)
    shoppers = random.Random(7).sample(people, CALLS)
    load_start = os.getloadavg()
    removed = clean_up(community, people)
    print(
        f"{community.name} ({args.community}): {len(people):,} residents; "
        f"removed from an earlier run: {removed}; load {load_start[0]:.2f}",
        flush=True,
    )
    with connection.cursor() as cur:
        cur.execute(
            "SELECT current_setting('shared_buffers'), current_setting('synchronous_commit'),"
            " current_setting('fsync'), version()"
        )
        shared_buffers, synchronous_commit, fsync, version = cur.fetchone()
    run = uuid.uuid4().hex[:8]
    opened = open_accounts(people)
    print(f"accounts opened for the residents: {opened:,}", flush=True)
    connection.close()

    figures = {}
    try:
        print(f"posting to random residents, {args.workers} threads, {args.seconds:g} s…")
        figures["posting_random_residents"] = posting(
            community, people, workers=args.workers, seconds=args.seconds, run=run, label="r"
        )
        print(json.dumps(figures["posting_random_residents"]), flush=True)
        print(f"posting to one resident, {args.workers} threads, {args.seconds:g} s…")
        figures["posting_one_resident"] = posting(
            community,
            [people[0]],
            workers=args.workers,
            seconds=args.seconds,
            run=run,
            label="one",
        )
        print(json.dumps(figures["posting_one_resident"]), flush=True)

        # The shoppers can afford a rice in every round, whoever wins which.
        for uid in shoppers:
            with transaction.atomic():
                ledger.post_points(
                    user_id=uid,
                    amount=COST * (args.rounds + 1),
                    kind=PointsKind.ADJUSTMENT,
                    key=f"{PREFIX}{run}:credit:{uid}",
                    place=community,
                    reason="bench",
                )
        pool, limit, in_use = pool_size(args.pool, CALLS)
        connection.close()
        print(
            f"redemption: {CALLS} calls for {STOCK} in stock, {pool} threads "
            f"(max_connections {limit}, {in_use} in use), {args.rounds} rounds…",
            flush=True,
        )
        rounds = [
            redemption_round(community, manager, shoppers, pool=pool, run=run, n=n)
            for n in range(args.rounds)
        ]
        figures["redemption"] = summarise(rounds, pool)
        # Reference: the same 200 calls one after another from one thread. Every call takes
        # the item's row lock first, so this is the least a burst's last answer can wait.
        print("reference: the same 200 calls from one thread…", flush=True)
        serial = [redemption_round(community, manager, shoppers, pool=1, run=run, n="serial")]
        figures["redemption_one_thread"] = summarise(serial, 1)
    finally:
        connection.close()
        if not args.keep:
            removed = clean_up(community, people)
            print(f"removed: {removed}", flush=True)

    report = {
        "command": "python -m bench.points " + " ".join(sys.argv[1:] if argv is None else argv),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "load_at_start": [round(x, 2) for x in load_start],
            "load_at_end": [round(x, 2) for x in os.getloadavg()],
        },
        "database": connection.settings_dict["NAME"],
        "postgresql": version.split(" on ")[0],
        "settings": {
            "shared_buffers": shared_buffers,
            "synchronous_commit": synchronous_commit,
            "fsync": fsync,
        },
        "community": {"code": args.community, "id": community.pk, "residents": len(people)},
        **figures,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    output = OUT / f"points-{args.preset}.json"
    output.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    print(f"written: {output}")
    if not all(figures[k]["all_rounds_correct"] for k in ("redemption", "redemption_one_thread")):
        sys.exit("a redemption round was not correct: see the checks above")


if __name__ == "__main__":
    main()
