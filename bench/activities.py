"""Activities at city scale (issue 7): sign-up bursts on a capacity with a wait list, the
monthly figures leaders report (每月一活动, 参与人次) over a subdistrict of about 100,000
households, the calendars residents and staff open, and one confirmation of a crowd.

    python -m bench.activities [--preset city] [--database-url URL] [--subdistrict S02]
        [--community C002] [--month YYYY-MM] [--repeat 10] [--rounds 5] [--pool 0]
        [--explain] [--cold] [--city] [--keep] [--clean]

Seeding (setup, not measured): in the subdistrict (--subdistrict, by code), for the twelve
calendar months from ten months back to the next one, one or two activities a month at every
building (one in five at one of its units) and two a month at every community, organised by
the community's staff and bulk-written (activities with bulk_create, sign-ups with COPY): 10 to
30 residents of the building (30 to 80 of the community for a community's activity) sign up
and, once it is over, check in; a few more signed up and did not come, a few cancelled, a tenth
of the capped ones are full with a short wait list, 3% of the activities were called off.
Nothing seeded is confirmed (confirmation writes the points ledgers, measured in 5 instead).
With --city every subdistrict of the city is seeded alike (about ten times the rows): the
measured reads then run against the whole city's year, as they would in production.

Then, through the real code of linju/activities (services_activities, queries):

1. Figures: `queries.monthly_figures(place=…, year, month)` for the subdistrict and for one
   of its communities (--community, by code), a warm-up and --repeat timed runs (mean, p95);
   the statements it runs with their database time; with --explain, EXPLAIN (ANALYZE,
   BUFFERS) of each, and of the pages' below (to var/bench/activities-<…>-explain.txt).
2. Pages: a resident's calendar (`queries.calendar(user, start=now)`, the first page of 20
   with its count, as the residents' home page runs it) for 50 residents of the community,
   and the desk list (`queries.staff_activities(staff)`, the first page with the desk's capped
   count) for each of the community's staff and, for scale, a subdistrict administrator; each
   user loaded fresh, as a request's user is; a warm-up pass and --repeat timed ones.
3. Burst: --rounds times, the community's staff create an activity with 50 places
   (`services_activities.create_activity`) and 500 residents of the community call
   `services_activities.sign_up` released at once (a barrier) from a pool of threads, each its
   own connection (--pool; 0: as many as max_connections leaves room for, at most 500), each
   resident loaded fresh before the release with their role scopes read, as the page and the
   API have them when they call the service (--cold: not read; the service reads them under
   the activity's lock). Exactly 50 must be signed and 450 waiting, `signed` 50. Then 100
   sign-ups are given back (`cancel_sign_up`: the 50 holding a place and 50 of the waiting)
   while 100 other residents sign up, released together: `signed` must equal the SIGNED rows
   and stay at most 50, nobody may wait while a place is free, those moved up must be the
   first 50 of the wait list that stayed, every newcomer waits. Then, for reference, one round
   of the same calls one after another from one thread.
4. Confirmation: an activity of the community that started an hour ago with 300 residents
   signed up and checked in (bulk-written), confirmed in one
   `services_activities.confirm_attendance` call by a member of the staff: each participant
   gets the attendance points (and, for the volunteer-service variant, 120 minutes on the
   service record and its points). Wall time, entries/s, statements per participant.

Prints and writes var/bench/activities-<preset>.json (activities-<preset>-wide.json with
--city, …-cold.json with --cold).

What the runner writes is its own and is removed at the end (and at the start, in case an
earlier run was interrupted): every activity whose title starts with "bench:" and its
sign-ups, the points and hours entries their confirmations posted (keys `activity:<sign-up
id>`), the audit events of those activities, the notifications they sent (kind
"activities.activity", "bench:" in the title, to the community's residents) and the delivery
tasks queued for them; the accounts of the people credited get back the sums of their remaining
entries, and those left with nothing are deleted. Then the activities and points tables are
vacuumed (the bench server runs without autovacuum), so every run starts from the same tables.
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
from datetime import UTC, date, datetime, timedelta
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
    "activities_activity",
    "activities_signup",
    "points_account",
    "points_pointsentry",
    "points_hoursentry",
]
CAPACITY = 50
CALLERS = 500
CANCELS = 100
NEWCOMERS = 100
CONFIRMED = 300
SERVICE_MINUTES = 120
READERS = 50  # residents whose calendar is read
MONTHS = 12  # seeded: ten months back, this one and the next


def month_list(today: date) -> list[tuple[int, int]]:
    """The seeded months: ten before today's, today's and the next."""
    first = today.year * 12 + today.month - 1 - (MONTHS - 2)
    return [((first + i) // 12, (first + i) % 12 + 1) for i in range(MONTHS)]


def staff_of(place) -> list:
    from linju.people.models import RoleGrant

    return [
        g.user
        for g in RoleGrant.objects.filter(
            role="community_staff", place=place, revoked_at__isnull=True, user__is_active=True
        )
        .select_related("user")
        .order_by("pk")
    ]


# --- Cleaning up ------------------------------------------------------------------------------


def clean_up(people) -> dict:
    """Remove everything a run writes (see the module's docstring); the counts removed.
    `people`: the community's residents, the only recipients of the runner's notifications."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT id FROM activities_activity WHERE title LIKE %s", [PREFIX + "%"])
        activities = [row[0] for row in cur.fetchall()]
        # Only the runner's confirmations posted entries (the seeded sign-ups are unconfirmed).
        keys_sql = (
            "SELECT 'activity:' || s.id FROM activities_signup s"
            " WHERE s.activity_id = ANY(%s) AND s.confirmed_at IS NOT NULL"
        )
        cur.execute(
            f"DELETE FROM points_pointsentry WHERE key IN ({keys_sql}) RETURNING user_id",
            [activities],
        )
        touched = {row[0] for row in cur.fetchall()}
        entries = len(touched)
        cur.execute(
            f"DELETE FROM points_hoursentry WHERE key IN ({keys_sql}) RETURNING user_id",
            [activities],
        )
        hours = cur.fetchall()
        touched |= {row[0] for row in hours}
        # The bench's own audit events (the ORM keeps the log append-only; this is housekeeping
        # of a benchmark database, by the ids of the activities the run made).
        cur.execute(
            "DELETE FROM core_auditevent WHERE object_type = 'activities.activity'"
            " AND object_id = ANY(%s)",
            [[str(pk) for pk in activities]],
        )
        audit = cur.rowcount
        cur.execute(
            "DELETE FROM core_notification WHERE recipient_id = ANY(%s)"
            " AND kind = 'activities.activity' AND title LIKE %s RETURNING id",
            [people, "%" + PREFIX + "%"],
        )
        notes = [row[0] for row in cur.fetchall()]
        # Their delivery, queued after each commit (no worker runs on the bench database): the
        # tasks whose ids are all among the notifications just deleted.
        cur.execute(
            "DELETE FROM django_tasks_database_dbtaskresult t"
            " WHERE t.task_path = 'linju.core.tasks.deliver_notifications'"
            " AND jsonb_array_length(t.args_kwargs -> 'args' -> 0) > 0"
            " AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements_text(t.args_kwargs -> 'args' -> 0)"
            " AS x(id) WHERE x.id::bigint <> ALL(%s))",
            [notes],
        )
        tasks = cur.rowcount
        cur.execute("DELETE FROM activities_signup WHERE activity_id = ANY(%s)", [activities])
        sign_ups = cur.rowcount
        cur.execute("DELETE FROM activities_activity WHERE id = ANY(%s)", [activities])
        touched = sorted(touched)
        # Cached balances back to the sums of what is left; accounts left empty go.
        cur.execute(
            "UPDATE points_account a SET"
            " points = COALESCE((SELECT SUM(e.amount) FROM points_pointsentry e"
            " WHERE e.user_id = a.user_id), 0),"
            " minutes = COALESCE((SELECT SUM(h.minutes) FROM points_hoursentry h"
            " WHERE h.user_id = a.user_id), 0)"
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
    vacuum()
    return {
        "activities": len(activities),
        "sign_ups": sign_ups,
        "points_entries": entries,
        "hours_entries": len(hours),
        "audit_events": audit,
        "notifications": len(notes),
        "tasks": tasks,
        "accounts": accounts,
    }


def vacuum():
    from django.db import connection

    with connection.cursor() as cur:
        for table in TABLES:
            cur.execute(f"VACUUM (ANALYZE) {table}")


# --- Seeding ----------------------------------------------------------------------------------


def _homes_by_building(subdistrict) -> dict[int, list[int]]:
    """{building id: the verified residents living in it}."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT DISTINCT u.parent_id, r.user_id FROM people_residency r"
            " JOIN places_household h ON h.id = r.household_id"
            " JOIN places_place u ON u.id = h.unit_id"
            " JOIN people_user p ON p.id = r.user_id"
            " WHERE h.path LIKE %s AND r.status = 'verified' AND p.is_active",
            [subdistrict.path + "%"],
        )
        out = {}
        for building, user in cur.fetchall():
            out.setdefault(building, []).append(user)
    return out


def _when(rng, year, month, tz):
    """A start on a random day of the month, 09:00–19:30 local, and an end 1–3 hours later."""
    days = (date(year + month // 12, month % 12 + 1, 1) - date(year, month, 1)).days
    starts = datetime(year, month, rng.randint(1, days), rng.randint(9, 19), rng.choice((0, 30)))
    starts = starts.replace(tzinfo=tz)
    return starts, starts + timedelta(minutes=rng.choice((60, 90, 120, 180)))


def _plan(rng, now, kind_values, place, organiser, year, month, tz, pool, low, high):
    """One seeded activity and its sign-ups (rows for COPY, activity id filled in later)."""
    from linju.activities.models import Activity, ActivityKind, ActivityStatus

    starts, ends = _when(rng, year, month, tz)
    kind = rng.choice(kind_values)
    over = ends < now
    cancelled = rng.random() < 0.03
    came = rng.randint(low, high)
    absent = rng.randint(0, 4)
    gave_back = rng.randint(0, 2)
    people = rng.sample(pool, min(len(pool), came + absent + gave_back))
    signed_people = people[: came + absent]
    capacity, full = 0, False
    if rng.random() < 0.5:
        full = rng.random() < 0.1
        # Full: those beyond the places wait (instead of having cancelled).
        capacity = len(signed_people) if full else max(30, -(-len(signed_people) // 10) * 10)
    activity = Activity(
        place_id=place.pk,
        path=place.path,
        title=f"{PREFIX} {kind} {year}-{month:02d}",
        kind=kind,
        venue="bench",
        starts_at=starts,
        ends_at=ends,
        capacity=capacity,
        signed=len(signed_people),
        service_minutes=(
            int((ends - starts).total_seconds() // 60) if kind == ActivityKind.VOLUNTEER else 0
        ),
        status=ActivityStatus.CANCELLED if cancelled else ActivityStatus.OPEN,
        organiser_id=organiser,
        created_by_id=organiser,
        created_at=min(starts, now) - timedelta(days=20),
    )
    rows = []
    for i, uid in enumerate(people):
        signed_at = (
            starts - timedelta(days=rng.randint(1, 10), minutes=rng.randint(0, 600))
            if over
            else now - timedelta(minutes=rng.randint(1, 4000))
        )
        if i < came + absent:
            status = "signed"
        elif full:
            status = "waiting"
        else:
            status = "cancelled"
        checked = None
        if over and not cancelled and status == "signed" and i < came:
            checked = starts + timedelta(minutes=rng.randint(-40, 30))
        rows.append((uid, status, signed_at, checked))
    return activity, rows


def _staff_by_community(communities) -> dict[int, int]:
    """{community id: the first of its staff}: the organiser of what is seeded there."""
    from linju.people.models import RoleGrant

    out = {}
    for place_id, user_id in (
        RoleGrant.objects.filter(
            role="community_staff",
            place__in=communities,
            revoked_at__isnull=True,
            user__is_active=True,
        )
        .order_by("-pk")
        .values_list("place_id", "user_id")
    ):
        out[place_id] = user_id
    return out


def seed(subdistrict, now) -> dict:
    """The subdistrict's year of activities (see the module's docstring), bulk-written."""
    from django.db import connection, transaction
    from django.utils import timezone

    from linju.activities.models import Activity, ActivityKind
    from linju.places.models import Place

    rng = random.Random(f"activities:{subdistrict.pk}")
    tz = timezone.get_current_timezone()
    kinds = list(ActivityKind.values)
    started = time.perf_counter()
    homes = _homes_by_building(subdistrict)
    buildings = list(
        Place.objects.filter(path__startswith=subdistrict.path, kind="building", pk__in=list(homes))
        .only("pk", "path")
        .order_by("path")
    )
    communities = list(
        Place.objects.filter(path__startswith=subdistrict.path, kind="community").order_by("path")
    )
    staff = _staff_by_community(communities)
    units = {}
    for unit in Place.objects.filter(path__startswith=subdistrict.path, kind="unit").only(
        "pk", "path", "parent_id"
    ):
        units.setdefault(unit.parent_id, []).append(unit)
    community_of = {
        b.pk: next(c for c in communities if b.path.startswith(c.path)) for b in buildings
    }
    pools = {c.pk: {} for c in communities}  # ordered sets: someone may live in two buildings
    for b in buildings:
        pools[community_of[b.pk].pk].update(dict.fromkeys(homes[b.pk]))
    pools = {pk: list(people) for pk, people in pools.items()}
    communities = [c for c in communities if pools[c.pk] and c.pk in staff]
    planned = []
    for year, month in month_list(timezone.localdate(now)):
        for b in buildings:
            organiser = staff.get(community_of[b.pk].pk)
            for _ in range(rng.choice((1, 2))):
                place = b
                if units.get(b.pk) and rng.random() < 0.2:
                    place = rng.choice(units[b.pk])
                planned.append(
                    _plan(rng, now, kinds, place, organiser, year, month, tz, homes[b.pk], 10, 30)
                )
        for c in communities:
            for _ in range(2):
                planned.append(
                    _plan(rng, now, kinds, c, staff[c.pk], year, month, tz, pools[c.pk], 30, 80)
                )
    rows = 0
    with transaction.atomic():
        made = Activity.objects.bulk_create([a for a, _ in planned], batch_size=2000)
        with (
            connection.cursor() as cur,
            cur.cursor.copy(
                "COPY activities_signup (activity_id, user_id, status, signed_at,"
                " checked_in_at, checked_in_by_id, points) FROM STDIN"
            ) as copy,
        ):
            for activity, (_, people) in zip(made, planned, strict=True):
                for uid, status, signed_at, checked in people:
                    copy.write_row(
                        (
                            activity.pk,
                            uid,
                            status,
                            signed_at,
                            checked,
                            uid if checked else None,
                            0,
                        )
                    )
                    rows += 1
    return {
        "subdistrict": subdistrict.code,
        "buildings": len(buildings),
        "communities": len(communities),
        "activities": len(made),
        "sign_ups": rows,
        "check_ins": sum(1 for _, p in planned for r in p if r[3] is not None),
        "seconds": round(time.perf_counter() - started, 1),
    }


# --- 1. Figures ---------------------------------------------------------------------------------


def explain(sql) -> str:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cur.fetchall())


def statements(fn) -> list[dict]:
    """The statements `fn()` runs, with their time (a separate, untimed run)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    return [{"sql": q["sql"], "ms": round(float(q["time"]) * 1000, 1)} for q in captured]


def timed(fn, repeat) -> tuple[list[float], object]:
    result = fn()  # warm-up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return times, result


def figures(place, year, month, repeat, explained, label) -> dict:
    from linju.activities import queries

    def run():
        return queries.monthly_figures(place=place, year=year, month=month)

    times, result = timed(run, repeat)
    stmts = statements(run)
    out = {
        "place": f"{place.kind} {place.code} {place.name} (id {place.pk})",
        "buildings": len(result["buildings"]),
        "buildings_with_activity": result["buildings_with_activity"],
        "activities": result["activities"],
        "person_times": result["person_times"],
        "wall": latency_figures(times),
        "statements": [s["ms"] for s in stmts],
    }
    if explained is not None:
        explained.append((f"monthly_figures, {label}", stmts))
    return out


# --- 2. Pages -----------------------------------------------------------------------------------


def page_figures(users, page, repeat, explained, label) -> dict:
    """`page(user)` for each user, loaded fresh each time as a request's user is."""
    from linju.people.models import User

    def one(pk):
        return page(User.objects.get(pk=pk))

    for pk in users:  # warm-up: the cache and the buffers
        one(pk)
    times, rows = [], []
    for _ in range(repeat):
        for pk in users:
            started = time.perf_counter()
            result = one(pk)
            times.append(time.perf_counter() - started)
            rows.append(result)
    if explained is not None:
        explained.append((label, statements(lambda: one(users[0]))))
    return {
        "users": len(users),
        "rows_on_page_mean": round(statistics.fmean(r[0] for r in rows), 1),
        "count_mean": round(statistics.fmean(r[1] for r in rows), 1),
        **latency_figures(times),
    }


def calendar_page(user):
    from django.core.paginator import Paginator
    from django.utils import timezone

    from linju.activities import queries
    from linju.core.views import PER_PAGE

    page = Paginator(queries.calendar(user, start=timezone.now()), PER_PAGE).get_page(1)
    return len(list(page.object_list)), page.paginator.count


def desk_page(user):
    from linju.activities import queries
    from linju.core.views import PER_PAGE, CappedPaginator

    page = CappedPaginator(queries.staff_activities(user), PER_PAGE).get_page(1)
    return len(list(page.object_list)), page.paginator.count


# --- 3. Sign-up bursts --------------------------------------------------------------------------


def _call_thread(calls, activity_id, start, out, db_cpu, cold):
    """One thread of the pool: its share of the calls, one after another, after the release.
    Each resident is loaded fresh before the release, as a request's user is, and (unless
    `cold`) with their role scopes read, as the page and the API have them by the time they
    call the service: both look the activity up in the caller's calendar first."""
    from django.db import connection

    from bench.ballots import process_cpu_seconds
    from linju.activities import services_activities
    from linju.core import access
    from linju.core.errors import DomainError
    from linju.people.models import User

    users = {u.pk: u for u in User.objects.filter(pk__in=[uid for _, uid in calls])}
    if not cold:
        for user in users.values():
            access.role_scopes(user)
    pid = backend_pid()
    start.wait()
    cpu = process_cpu_seconds(pid)
    for action, user_id in calls:
        started = time.perf_counter()
        try:
            if action == "cancel":
                mine = services_activities.cancel_sign_up(
                    user=users[user_id], activity_id=activity_id
                )
            else:
                mine = services_activities.sign_up(user=users[user_id], activity_id=activity_id)
            outcome = mine.status
        except DomainError as exc:
            outcome = getattr(exc, "code", None) or type(exc).__name__
        except Exception as exc:  # counted and shown: a benchmark must not hide failures
            outcome = type(exc).__name__
            print(f"{action} failed: {exc!r}", file=sys.stderr)
        ended = time.perf_counter()
        out.append((action, user_id, started, ended, outcome))
    db_cpu.append(process_cpu_seconds(pid) - cpu)
    connection.close()


def burst(activity_id, calls, pool, cold) -> dict:
    """Release `calls` ((action, user id), …) at once from `pool` threads."""
    shares = [calls[t::pool] for t in range(min(pool, len(calls)))]
    results, db_cpu = [], []
    start = threading.Barrier(len(shares) + 1, timeout=300)
    threads = [
        threading.Thread(
            target=_call_thread,
            args=(share, activity_id, start, results, db_cpu, cold),
        )
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
    outcomes = {}
    for action, _, _, _, outcome in results:
        outcomes[f"{action}:{outcome}"] = outcomes.get(f"{action}:{outcome}", 0) + 1
    return {
        "results": results,
        "outcomes": outcomes,
        "wall_ms": ms(wall),
        "app_cpu_ms": ms(
            (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system)
        ),
        "db_cpu_ms": ms(sum(db_cpu)),
        "latencies": [e - s for _, _, s, e, _ in results],
        "answered_after": [e - released for _, _, _, e, _ in results],
    }


def _state(activity_id) -> dict:
    from django.db.models import Count

    from linju.activities.models import Activity, SignUp

    counts = dict(
        SignUp.objects.filter(activity_id=activity_id)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return {
        "signed_field": Activity.objects.get(pk=activity_id).signed,
        "signed_rows": counts.get("signed", 0),
        "waiting_rows": counts.get("waiting", 0),
        "cancelled_rows": counts.get("cancelled", 0),
    }


def _holds(state) -> bool:
    """The invariants: `signed` is the SIGNED rows, never above the capacity, and nobody waits
    while a place is free."""
    return state["signed_field"] == state["signed_rows"] <= CAPACITY and (
        state["signed_rows"] == CAPACITY or state["waiting_rows"] == 0
    )


def burst_round(community, staff, callers, newcomers, *, pool, run, n, rng, cold) -> dict:
    from django.utils import timezone

    from linju.activities import services_activities
    from linju.activities.models import SignUp, SignUpStatus

    starts = timezone.now() + timedelta(days=7)
    activity = services_activities.create_activity(
        user=staff,
        place_id=community.pk,
        title=f"{PREFIX} burst {run} #{n}",
        kind="culture",
        venue="bench",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=CAPACITY,
    )
    first = burst(activity.pk, [("sign_up", uid) for uid in callers], pool, cold)
    after_first = _state(activity.pk)
    first_ok = (
        first["outcomes"] == {"sign_up:signed": CAPACITY, "sign_up:waiting": CALLERS - CAPACITY}
        and after_first["signed_field"] == after_first["signed_rows"] == CAPACITY
        and after_first["waiting_rows"] == CALLERS - CAPACITY
    )
    queue = list(
        SignUp.objects.filter(activity=activity, status=SignUpStatus.WAITING)
        .order_by("signed_at", "id")
        .values_list("user_id", flat=True)
    )
    signed = list(
        SignUp.objects.filter(activity=activity, status=SignUpStatus.SIGNED).values_list(
            "user_id", flat=True
        )
    )
    # Everyone holding a place gives it back, and as many from the wait list leave it.
    leaving = signed + rng.sample(queue, CANCELS - len(signed))
    calls = [("cancel", uid) for uid in leaving] + [("sign_up", uid) for uid in newcomers]
    rng.shuffle(calls)
    second = burst(activity.pk, calls, pool, cold)
    after_second = _state(activity.pk)
    now_status = dict(
        SignUp.objects.filter(activity=activity).values_list("user_id", "status").iterator()
    )
    moved_up = {uid for uid in queue if now_status[uid] == SignUpStatus.SIGNED}
    staying = [uid for uid in queue if uid not in set(leaving)]
    second_checks = {
        **after_second,
        "moved_up_are_the_first_of_the_queue": moved_up == set(staying[:CAPACITY]),
        "newcomers_all_wait": all(now_status[u] == SignUpStatus.WAITING for u in newcomers),
        "leavers_all_cancelled": all(now_status[u] == SignUpStatus.CANCELLED for u in leaving),
    }
    second_ok = (
        _holds(after_second)
        and after_second["signed_rows"] == CAPACITY
        and after_second["waiting_rows"] == CALLERS - CAPACITY
        and second["outcomes"] == {"cancel:cancelled": CANCELS, "sign_up:waiting": NEWCOMERS}
        and all(v for k, v in second_checks.items() if isinstance(v, bool))
    )
    return {
        "first": first,
        "first_checks": after_first,
        "first_ok": first_ok,
        "second": second,
        "second_checks": second_checks,
        "second_ok": second_ok,
    }


def summarise_bursts(rounds, pool) -> dict:
    def phase(name):
        return {
            "calls_per_round": len(rounds[0][name]["results"]),
            "per_round": [
                {
                    "outcomes": r[name]["outcomes"],
                    "checks": r[f"{name}_checks"],
                    "correct": r[f"{name}_ok"],
                    "wall_ms": r[name]["wall_ms"],
                    "app_cpu_ms": r[name]["app_cpu_ms"],
                    "db_cpu_ms": r[name]["db_cpu_ms"],
                    **latency_figures(r[name]["latencies"]),
                }
                for r in rounds
            ],
            "call_latency": latency_figures([x for r in rounds for x in r[name]["latencies"]]),
            "answered_after_release": latency_figures(
                [x for r in rounds for x in r[name]["answered_after"]]
            ),
            "wall_ms_p50": round(statistics.median(r[name]["wall_ms"] for r in rounds), 1),
            "wall_ms_max": max(r[name]["wall_ms"] for r in rounds),
            "app_cpu_ms_per_call": round(
                statistics.fmean(r[name]["app_cpu_ms"] / len(r[name]["results"]) for r in rounds),
                2,
            ),
            "db_cpu_ms_per_call": round(
                statistics.fmean(r[name]["db_cpu_ms"] / len(r[name]["results"]) for r in rounds), 2
            ),
        }

    for n, r in enumerate(rounds, 1):
        for name in ("first", "second"):
            lat = r[name]["latencies"]
            print(
                f"  round {n} {name}: {r[name]['outcomes']}, p50 {ms(statistics.median(lat))}"
                f" / p95 {ms(pct(lat, 0.95))} / max {ms(max(lat))} ms, wall"
                f" {r[name]['wall_ms']} ms (CPU: app {r[name]['app_cpu_ms']}, db"
                f" {r[name]['db_cpu_ms']} ms), correct: {r[f'{name}_ok']}",
                flush=True,
            )
    return {
        "capacity": CAPACITY,
        "threads": pool,
        "rounds": len(rounds),
        "all_rounds_correct": all(r["first_ok"] and r["second_ok"] for r in rounds),
        "sign_up_burst": phase("first"),
        "cancel_while_signing_up": phase("second"),
    }


# --- 4. Confirmation ----------------------------------------------------------------------------


def confirmation(community, staff, people, *, kind, run) -> dict:
    """One confirm_attendance call for CONFIRMED checked-in participants (bulk-written)."""
    from django.db import connection
    from django.db.models import Count, Sum
    from django.utils import timezone

    from bench.ballots import process_cpu_seconds
    from linju.activities import services_activities
    from linju.activities.models import Activity, SignUp, SignUpStatus
    from linju.points.models import HoursEntry, PointsEntry

    now = timezone.now()
    activity = Activity.objects.create(
        place=community,
        title=f"{PREFIX} confirm {kind} {run}",
        kind=kind,
        venue="bench",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=1),
        capacity=0,
        signed=len(people),
        service_minutes=SERVICE_MINUTES if kind == "volunteer" else 0,
        organiser=staff,
        created_by=staff,
    )
    rows = SignUp.objects.bulk_create(
        [
            SignUp(
                activity=activity,
                user_id=uid,
                status=SignUpStatus.SIGNED,
                signed_at=now - timedelta(days=2),
                checked_in_at=now - timedelta(minutes=50),
                checked_in_by_id=uid,
            )
            for uid in people
        ]
    )
    ids = [s.pk for s in rows]
    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    pid = backend_pid()
    cpu = process_cpu_seconds(pid)
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        services_activities.confirm_attendance(user=staff, activity_id=activity.pk, sign_up_ids=ids)
        wall = time.perf_counter() - started
    db_cpu = process_cpu_seconds(pid) - cpu
    keys = [f"activity:{pk}" for pk in ids]
    points = PointsEntry.objects.filter(key__in=keys).aggregate(n=Count("id"), s=Sum("amount"))
    hours = HoursEntry.objects.filter(key__in=keys).count()
    confirmed = SignUp.objects.filter(pk__in=ids, confirmed_at__isnull=False).count()
    written = (points["n"] or 0) + hours
    expected_hours = len(people) if kind == "volunteer" else 0
    return {
        "kind": kind,
        "participants": len(people),
        "confirmed": confirmed,
        "points_entries": points["n"] or 0,
        "points_credited": points["s"] or 0,
        "hours_entries": hours,
        "correct": confirmed == len(people)
        and (points["n"] or 0) == len(people)
        and hours == expected_hours,
        "wall_ms": ms(wall),
        "entries_per_second": round(written / wall, 1),
        "participants_per_second": round(len(people) / wall, 1),
        "statements": count[0],
        "statements_per_participant": round(count[0] / len(people), 1),
        "db_cpu_ms": ms(db_cpu),
    }


# --- Running ------------------------------------------------------------------------------------


def write_explained(explained, tag) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"activities-{tag}-explain.txt"
    parts = []
    for label, stmts in explained:
        for i, s in enumerate(stmts, 1):
            parts.append(f"=== {label}: statement {i} ({s['ms']} ms)\n{s['sql']}\n")
            parts.append(explain(s["sql"]) + "\n")
    path.write_text("\n".join(parts))
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="city")
    parser.add_argument("--database-url")
    parser.add_argument("--subdistrict", default="S02", help="the code of the subdistrict")
    parser.add_argument(
        "--community", default="C002", help="the code of a community of the subdistrict"
    )
    parser.add_argument("--month", help="YYYY-MM of the figures (default: the last full month)")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pool", type=int, default=0, help="burst threads (0: auto)")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument(
        "--city",
        action="store_true",
        help="seed every subdistrict of the city, not only the measured one",
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="burst callers' role scopes not read before the call (the service reads them)",
    )
    parser.add_argument("--keep", action="store_true", help="leave the rows (to inspect them)")
    parser.add_argument(
        "--clean", action="store_true", help="only remove what an earlier run left, then stop"
    )
    args = parser.parse_args(argv)
    url = database_url(args)
    setup(url)
    from django.db import connection
    from django.utils import timezone

    from linju.people.models import RoleGrant
    from linju.places.models import Place

    subdistrict = Place.objects.filter(code=args.subdistrict, kind="subdistrict").first()
    if subdistrict is None:
        sys.exit(f"no subdistrict {args.subdistrict}: run bench.generate")
    community = Place.objects.filter(
        code=args.community, kind="community", path__startswith=subdistrict.path
    ).first()
    if community is None:
        sys.exit(f"no community {args.community} in {args.subdistrict}")
    staff = staff_of(community)
    if not staff:
        sys.exit(f"community {args.community} has no staff: run bench.generate")
    seeded = [subdistrict]
    if args.city:
        seeded += list(
            Place.objects.filter(kind="subdistrict").exclude(pk=subdistrict.pk).order_by("path")
        )
    admin = (
        RoleGrant.objects.filter(
            role="subdistrict_admin", place=subdistrict, revoked_at__isnull=True
        )
        .order_by("pk")
        .values_list("user_id", flat=True)
        .first()
    )
    people = residents_of(community)
    rng = random.Random(7)
    chosen = rng.sample(people, CALLERS + NEWCOMERS + 2 * CONFIRMED)
    callers, newcomers = chosen[:CALLERS], chosen[CALLERS : CALLERS + NEWCOMERS]
    attendees = chosen[CALLERS + NEWCOMERS : CALLERS + NEWCOMERS + CONFIRMED]
    volunteers = chosen[CALLERS + NEWCOMERS + CONFIRMED :]
    readers = rng.sample(people, READERS)
    if args.month:
        year, month = (int(x) for x in args.month.split("-"))
    else:
        first = timezone.localdate().replace(day=1) - timedelta(days=1)
        year, month = first.year, first.month

    load_start = os.getloadavg()
    removed = clean_up(people)
    if args.clean:
        print(f"removed: {removed}")
        return
    print(
        f"{subdistrict.name} ({args.subdistrict}), {community.name} ({args.community}):"
        f" {len(people):,} residents; removed from an earlier run: {removed};"
        f" load {load_start[0]:.2f}",
        flush=True,
    )
    with connection.cursor() as cur:
        cur.execute(
            "SELECT current_setting('shared_buffers'), current_setting('synchronous_commit'),"
            " current_setting('fsync'), current_setting('work_mem'), version()"
        )
        shared_buffers, synchronous_commit, fsync, work_mem, version = cur.fetchone()
    run = uuid.uuid4().hex[:8]
    # The file names say what was seeded and how the bursts' callers came.
    tag = args.preset + ("-wide" if args.city else "") + ("-cold" if args.cold else "")
    report = {}
    explained = [] if args.explain else None
    try:
        now = timezone.now()
        report["seeded"] = []
        for place in seeded:
            print(f"seeding a year of activities in {place.name} ({place.code})…", flush=True)
            report["seeded"].append(seed(place, now))
            print(json.dumps(report["seeded"][-1]), flush=True)
        vacuum()

        print(f"monthly figures {year}-{month:02d}, {args.repeat} runs each…", flush=True)
        report["figures_subdistrict"] = figures(
            subdistrict, year, month, args.repeat, explained, "subdistrict"
        )
        print(json.dumps(report["figures_subdistrict"], ensure_ascii=False), flush=True)
        report["figures_community"] = figures(
            community, year, month, args.repeat, explained, "community"
        )
        print(json.dumps(report["figures_community"], ensure_ascii=False), flush=True)

        print("pages: a resident's calendar, the desk list…", flush=True)
        report["calendar"] = page_figures(
            readers, calendar_page, args.repeat, explained, "calendar (resident)"
        )
        print(json.dumps(report["calendar"]), flush=True)
        report["desk_community_staff"] = page_figures(
            [u.pk for u in staff], desk_page, args.repeat, explained, "desk (community staff)"
        )
        print(json.dumps(report["desk_community_staff"]), flush=True)
        if admin is not None:
            report["desk_subdistrict_admin"] = page_figures(
                [admin], desk_page, args.repeat, explained, "desk (subdistrict admin)"
            )
            print(json.dumps(report["desk_subdistrict_admin"]), flush=True)
        if explained is not None:
            path = write_explained(explained, tag)
            print(f"plans written: {path}", flush=True)

        pool, limit, in_use = pool_size(args.pool, CALLERS)
        connection.close()
        print(
            f"bursts: {CALLERS} sign-ups for {CAPACITY} places, then {CANCELS} cancellations"
            f" and {NEWCOMERS} sign-ups at once; {pool} threads (max_connections {limit},"
            f" {in_use} in use), {args.rounds} rounds…",
            flush=True,
        )
        rounds = [
            burst_round(
                community,
                staff[0],
                callers,
                newcomers,
                pool=pool,
                run=run,
                n=n,
                rng=rng,
                cold=args.cold,
            )
            for n in range(args.rounds)
        ]
        report["bursts"] = summarise_bursts(rounds, pool)
        # Reference: the same calls one after another from one thread. Every call takes the
        # activity's row lock first, so this is about the least a burst's last answer can wait.
        print("reference: the same calls from one thread…", flush=True)
        serial = burst_round(
            community,
            staff[0],
            callers,
            newcomers,
            pool=1,
            run=run,
            n="serial",
            rng=rng,
            cold=args.cold,
        )
        report["bursts_one_thread"] = summarise_bursts([serial], 1)

        print(f"confirmation of {CONFIRMED} checked-in participants…", flush=True)
        report["confirmation_attendance"] = confirmation(
            community, staff[0], attendees, kind="culture", run=run
        )
        print(json.dumps(report["confirmation_attendance"]), flush=True)
        report["confirmation_service"] = confirmation(
            community, staff[0], volunteers, kind="volunteer", run=run
        )
        print(json.dumps(report["confirmation_service"]), flush=True)
    finally:
        connection.close()
        if not args.keep:
            removed = clean_up(people)
            print(f"removed: {removed}", flush=True)

    result = {
        "command": "python -m bench.activities " + " ".join(sys.argv[1:] if argv is None else argv),
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
            "work_mem": work_mem,
            "synchronous_commit": synchronous_commit,
            "fsync": fsync,
        },
        "subdistrict": {"code": args.subdistrict, "id": subdistrict.pk},
        "community": {"code": args.community, "id": community.pk, "residents": len(people)},
        "seeded_months": [f"{y}-{m:02d}" for y, m in month_list(timezone.localdate())],
        "figures_month": f"{year}-{month:02d}",
        **report,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    output = OUT / f"activities-{tag}.json"
    output.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(json.dumps({k: v for k, v in report.items() if not k.startswith("bursts")}, indent=2))
    print(json.dumps(report["bursts"], indent=2))
    print(f"written: {output}")
    correct = all(report[k]["all_rounds_correct"] for k in ("bursts", "bursts_one_thread")) and all(
        report[k]["correct"] for k in ("confirmation_attendance", "confirmation_service")
    )
    if not correct:
        sys.exit("a round or a confirmation was not correct: see the checks above")


if __name__ == "__main__":
    main()
