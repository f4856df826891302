"""Owners' ballot at its largest (issue 5): "the tally of an estate ballot with 20,000 eligible
owners in under 50 ms; 500 votes/s sustained against PostgreSQL".

    python -m bench.ballots [--preset city] [--database-url URL] [--workers 4]
        [--seconds 30] [--tallies 50]

On the estate the generator's stage "ballot_estate" built (bench/city/ballots.py), as one of
its community's workers: creates an ordinary-matters ballot (Civil Code art. 278) and opens it
(the electorate frozen: timed), then casts votes through linju.deliberation.services_ballots.
cast_vote — every vote its own transaction, as a request makes it — from --workers processes
for --seconds (each process its own connection, each vote by a different owner, a third of
them changed once: the UPDATE path), then tallies the ballot --tallies times and closes it.
Prints and writes var/bench/ballots-<preset>.json. Votes are real rows: each run makes a new
ballot, and the previous run's ballot is deleted first, so runs do not pile up.
"""

import argparse
import json
import multiprocessing as mp
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

from bench.common import database_url, pct, setup

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
TITLE = "bench: 是否同意续聘物业服务企业"
TABLES = [
    "deliberation_ballot",
    "deliberation_ballotoption",
    "deliberation_elector",
    "deliberation_electormember",
    "deliberation_vote",
]


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process of this machine (the benchmark's database is local)."""
    with open(f"/proc/{pid}/stat") as f:
        stat = f.read()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ms(seconds):
    return round(seconds * 1000, 2)


def time_tallies(services_ballots, ballot, n):
    """The whole result (tally and the rule's arithmetic), as closing computes it; n runs."""
    services_ballots.evaluate(ballot)  # warm
    runs = []
    for _ in range(n):
        started = time.perf_counter()
        services_ballots.evaluate(ballot)
        runs.append(time.perf_counter() - started)
    return runs


def fill_votes(ballot):
    """A vote for every elector without one: 78% approve, the rest against or abstain."""
    from django.utils import timezone

    from linju.deliberation.models import Elector, Vote

    options = list(ballot.options.order_by("order"))
    now = timezone.now()
    missing = Elector.objects.filter(ballot=ballot).exclude(
        pk__in=Vote.objects.filter(ballot=ballot).values("elector_id")
    )
    rows = [
        Vote(
            ballot=ballot,
            elector_id=pk,
            option=options[0 if pk % 100 < 78 else 1 if pk % 100 < 92 else 2],
            cast_at=now,
            confirmed_at=now,
        )
        for pk in missing.values_list("pk", flat=True)
    ]
    Vote.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def voter(args):
    """One process: cast votes for its share of the electors until the time is up."""
    url, ballot_id, members, deadline, change_every = args
    setup(url)
    from django.db import connection

    from linju.deliberation import services_ballots
    from linju.deliberation.models import Ballot
    from linju.people.models import User

    ballot = Ballot.objects.get(pk=ballot_id)
    options = list(ballot.options.order_by("order"))
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        backend = cur.fetchone()[0]
    backend_cpu = process_cpu_seconds(backend)
    latencies, errors = [], 0
    for i, user_id in enumerate(members):
        if time.time() >= deadline:
            break
        user = User.objects.get(pk=user_id)
        choices = [options[1] if i % 3 == 2 else options[0]]
        if change_every and i % change_every == 0:
            choices.append(options[1])  # changes their mind: the UPDATE path
        for option in choices:
            started = time.perf_counter()
            try:
                services_ballots.cast_vote(user=user, ballot=ballot, option_id=option.pk)
            except Exception as exc:  # counted and shown: a benchmark must not hide failures
                errors += 1
                if errors < 3:
                    print(f"vote failed: {exc!r}", file=sys.stderr)
            latencies.append(time.perf_counter() - started)
    backend_cpu = process_cpu_seconds(backend) - backend_cpu
    connection.close()
    return latencies, errors, backend_cpu


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="city")
    parser.add_argument("--database-url")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--tallies", type=int, default=50)
    args = parser.parse_args(argv)
    url = database_url(args)
    setup(url)
    from django.db import connection
    from django.utils import timezone

    from bench.city.ballots import ESTATE_CODE
    from linju.deliberation import services_ballots
    from linju.deliberation.models import Ballot, ElectorMember, Rule, Vote
    from linju.people.models import RoleGrant
    from linju.places.models import Place

    estate = Place.objects.get(code=ESTATE_CODE, kind="estate")
    grant = RoleGrant.objects.filter(
        role="community_staff", place_id=estate.parent_id, revoked_at__isnull=True
    ).select_related("user")[0]
    staff = grant.user
    # Votes protect their options: they go first. Then the tables are vacuumed, as autovacuum
    # would have done between two real ballots (the bench database runs without it), so each
    # run finds the tables as the generator left them, not 20,000 dead rows per earlier run.
    Vote.objects.filter(ballot__title=TITLE).delete()
    Ballot.objects.filter(title=TITLE).delete()
    with connection.cursor() as cur:
        for table in TABLES:
            cur.execute(f"VACUUM (ANALYZE) {table}")

    started = time.perf_counter()
    ballot = services_ballots.create_ballot(
        user=staff,
        place_id=estate.pk,
        title=TITLE,
        electorate="owners",
        rule=Rule.ORDINARY,
        closes_at=timezone.now() + timedelta(days=7),
    )
    created = time.perf_counter() - started
    started = time.perf_counter()
    ballot = services_ballots.open_ballot(user=staff, ballot=ballot)
    opened = time.perf_counter() - started
    ballot.refresh_from_db()
    print(
        f"electorate frozen: {ballot.electorate_heads} heads, {ballot.electorate_area} m² "
        f"in {opened:.2f} s (create {created * 1000:.0f} ms)"
    )

    # One member per elector: a vote per owner, never two members of one elector racing.
    members = list(
        ElectorMember.objects.filter(ballot=ballot)
        .order_by("elector_id", "user_id")
        .distinct("elector_id")
        .values_list("user_id", flat=True)
    )
    connection.close()
    shares = [members[i :: args.workers] for i in range(args.workers)]
    deadline = time.time() + args.seconds
    app_before = os.times()
    started = time.perf_counter()
    ctx = mp.get_context("fork")
    with ctx.Pool(args.workers) as pool:
        results = pool.map(voter, [(url, ballot.pk, s, deadline, 3) for s in shares])
    wall = time.perf_counter() - started
    pg_cpu = sum(cpu for _, _, cpu in results)
    app_after = os.times()
    app_cpu = (app_after.children_user - app_before.children_user) + (
        app_after.children_system - app_before.children_system
    )
    latencies = [x for lat, _, _ in results for x in lat]
    errors = sum(e for _, e, _ in results)
    votes = len(latencies)

    ballot.refresh_from_db()
    tally_stale = time_tallies(services_ballots, ballot, args.tallies)
    # Everyone else votes too (a turnout of 100%, the tally's largest case): written in bulk,
    # as the benchmark of the tally needs the rows, not the requests.
    fill_votes(ballot)
    tally_full = time_tallies(services_ballots, ballot, args.tallies)
    with connection.cursor() as cur:
        for table in ("deliberation_vote", "deliberation_elector", "deliberation_electormember"):
            cur.execute(f"ANALYZE {table}")
    # Statistics as autovacuum's ANALYZE leaves them soon after: the steady state.
    tally_stats = time_tallies(services_ballots, ballot, args.tallies)
    result = services_ballots.evaluate(ballot)
    counted = ballot.votes.count()

    figures = {
        "electorate_heads": ballot.electorate_heads,
        "electorate_area": str(ballot.electorate_area),
        "freeze_seconds": round(opened, 3),
        "workers": args.workers,
        "seconds": round(wall, 1),
        "vote_calls": votes,
        "votes_in_table": counted,
        "vote_errors": errors,
        "votes_per_second": round(votes / wall, 1),
        "db_cpu_ms_per_vote": round(pg_cpu / votes * 1000, 2) if votes else None,
        "app_cpu_ms_per_vote": round(app_cpu / votes * 1000, 2) if votes else None,
        "vote_ms_p50": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "vote_ms_p95": round(pct(latencies, 0.95) * 1000, 1) if latencies else None,
        "vote_ms_p99": round(pct(latencies, 0.99) * 1000, 1) if latencies else None,
        "tally_ms_after_voting_p50": ms(statistics.median(tally_stale)),
        "tally_ms_all_voted_fresh_p50": ms(statistics.median(tally_full)),
        "tally_ms_all_voted_fresh_p95": ms(pct(tally_full, 0.95)),
        "tally_ms_p50": ms(statistics.median(tally_stats)),
        "tally_ms_p95": ms(pct(tally_stats, 0.95)),
        "tally_ms_max": ms(max(tally_stats)),
        "passed": result.passed,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"ballots-{args.preset}.json").write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
