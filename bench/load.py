"""Load harness: Linju served by gunicorn on a generated city, every hot path measured against
the floor (a minimal JSON view on the same stack, no database) in the same run.

    python -m bench.load --preset small          # after: python -m bench.generate --preset small
    python -m bench.load --preset city --seconds 30

What it does, in order:
1. points Django at the bench database, collects static files and prepares credential pools:
   sessions for thousands of random residents and for staff of every kind, minted in the
   session store as a login would (argon2 for each of thousands would take minutes), and
   personal API tokens for community workers' scripts; residents who filed reports, with
   their report ids, and the administrators of the subdistrict holding the most reports;
2. counts the SQL queries of one request of every path (Django's test client, in process);
3. starts gunicorn exactly as `make demo` does (linju/gunicorn.conf.py), on a spare port;
4. runs locust headless once per path (bench/scenarios.py), every client asking for that path
   back to back, then once for the login and once for the mix of all roles;
5. prints and writes (var/bench/load-<preset>.json and .md) per path: throughput, its ratio to
   the floor's, p50/p95/p99 latency, errors, queries per request, memory per worker and where
   the CPU went (app workers, PostgreSQL, the load generator itself, which shares the cores).

Budget (issue 3): every read a user waits on has p95 < 100 ms at 32 clients and at least 50%
of the floor's throughput.
"""

import argparse
import csv
import json
import os
import platform
import random
import resource
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench import scenarios

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
PASSWORD = "bench-Pass-9"  # bench/generate.py gives every generated account this password
P95_BUDGET_MS = 100
FLOOR_SHARE_BUDGET = 0.5
POOL_SIZES = {
    "resident": 3000,
    "reporter": 3000,
    "community_staff": 300,
    "grid_worker": 300,
    "subdistrict_admin": 50,
    "api": 60,
    "login": 200,
}
REPORT_IDS = 200  # report ids per staff credential (the heavy subdistrict's, an API token's)
PRESET_SECONDS = {"small": 10, "city": 30}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", choices=sorted(PRESET_SECONDS), default="small")
    parser.add_argument("--database-url", help="default: as bench.generate for the preset")
    parser.add_argument("--users", type=int, default=32, help="concurrent clients (32)")
    parser.add_argument("--seconds", type=int, help="per path (small 10, city 30)")
    parser.add_argument("--mix-seconds", type=int, help="for the mix (3 × --seconds)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--only", nargs="*", help="run only paths whose name contains one of these")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    seconds = args.seconds or PRESET_SECONDS[args.preset]
    url = args.database_url or os.environ.get("BENCH_DATABASE_URL") or default_url(args.preset)
    run_dir = OUT / f"load-{args.preset}"
    run_dir.mkdir(parents=True, exist_ok=True)

    env = server_env(url, args.port)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    # The cache (Redis db 15, or the file cache) is shared by every bench database, and its
    # keys are not: user 3's cached role scopes from the small city would serve user 3 of the
    # big one. Each run starts from an empty cache.
    from django.core.cache import cache

    cache.clear()
    print("preparing credential pools…", flush=True)
    pools = prepare_pools(random.Random(args.seed))
    pools_file = run_dir / "pools.json"
    pools_file.write_text(json.dumps(pools))
    paths = [p for p in scenarios.PATHS if selected(p, args.only)]
    queries = {p.name: count_queries(p, pools) for p in paths}
    data = data_size()

    results = []
    with gunicorn(env, args.port) as server:
        run = Run(f"http://127.0.0.1:{args.port}", args.users, pools_file, run_dir, server)
        for path in paths:
            results.append({**run.phase(path.name, path, seconds), "queries": queries[path.name]})
        if selected(scenarios.LOGIN, args.only):
            results.append(run.phase("login", scenarios.LOGIN, seconds))
        if not args.only:
            results.append(run.phase("mix", None, args.mix_seconds or 3 * seconds))
    report = {
        "preset": args.preset,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "data": data,
        "users": args.users,
        "seconds": seconds,
        "workers": server.workers,
        "command": "python -m bench.load " + " ".join(argv or sys.argv[1:]),
        "results": results,
    }
    rate_against_floor(report)
    (OUT / f"load-{args.preset}.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    text = markdown(report)
    (OUT / f"load-{args.preset}.md").write_text(text)
    print(text)


def default_url(preset: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/linju_bench_{preset}"


def selected(path, only) -> bool:
    return not only or path is scenarios.FLOOR or any(o in path.name for o in only)


def server_env(database_url: str, port: int) -> dict:
    """The production settings, as `make demo` serves them on the loopback (plain HTTP)."""
    env = {
        "DJANGO_SETTINGS_MODULE": "linju.settings",
        "DATABASE_URL": database_url,
        "LINJU_SSL_REDIRECT": "0",
        "LINJU_SECURE_COOKIES": "0",
        "LINJU_HSTS_SECONDS": "0",
        "LINJU_BIND": f"127.0.0.1:{port}",
        "LINJU_ACCESS_LOG": str(OUT / "gunicorn-access.log"),
        "LINJU_GUNICORN_LOG_LEVEL": "warning",
        # Minted sessions must verify in the server: one key for both processes.
        "LINJU_SECRET_KEY": "bench-only-secret-key-never-used-in-production-0123456789",
    }
    if "REDIS_URL" not in os.environ and port_open("127.0.0.1", 6379):
        env["REDIS_URL"] = "redis://127.0.0.1:6379/15"
    return env


def port_open(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


# --- Credential pools ----------------------------------------------------------------------------


def prepare_pools(rng: random.Random) -> dict:
    """Random accounts of every role, spread over the whole city, with what their paths need."""
    from linju.people.models import Residency, RoleGrant

    verified = Residency.objects.filter(status="verified")
    residents = sample(rng, verified, POOL_SIZES["resident"])
    reporters = reporter_pool(rng)
    holders = [r.user_id for r in residents] + [c["user_id"] for c in reporters]
    pools = {
        "anonymous": [],
        "resident": [
            {**session_headers(r.user), "household_id": r.household_id}
            for r in residents.select_related("user")
        ],
        "reporter": reporters,
        # Others than the session holders: a login may rehash the password (the generator's
        # hashes are cheaper than the live settings), which ends that user's other sessions.
        "login": [
            {"mobile": r.user.mobile, "password": PASSWORD}
            for r in sample(
                rng, verified.exclude(user_id__in=holders), POOL_SIZES["login"]
            ).select_related("user")
        ],
    }
    grants = RoleGrant.objects.filter(revoked_at__isnull=True)
    for role in ("community_staff", "grid_worker", "subdistrict_admin"):
        chosen = sample(rng, grants.filter(role=role), POOL_SIZES[role]).select_related("user")
        pools[role] = [session_headers(g.user) for g in chosen]
    pools["heavy_admin"] = heavy_admin_pool(rng, grants)
    staff = sample(rng, grants.filter(role="community_staff"), POOL_SIZES["api"])
    pools["api"] = [api_credential(rng, g.user) for g in staff.select_related("user")]
    for role, pool in pools.items():
        if role != "anonymous" and not pool:
            sys.exit(f"no {role} accounts in the bench database: run python -m bench.generate")
    return pools


def reporter_pool(rng: random.Random) -> list[dict]:
    """Residents who filed reports (drawn through random reports, so those who report more
    are likelier), each with the ids of their own reports."""
    from linju.people.models import User
    from linju.reports.models import Report

    drawn = sample(rng, Report.objects.filter(reporter__isnull=False), POOL_SIZES["reporter"])
    ids = sorted(set(drawn.values_list("reporter_id", flat=True)))
    own: dict[int, list[int]] = {}
    for uid, pk in Report.objects.filter(reporter_id__in=ids).values_list("reporter_id", "pk"):
        own.setdefault(uid, []).append(pk)
    users = User.objects.in_bulk(ids)
    return [
        {**session_headers(users[uid]), "user_id": uid, "report_id": own[uid][-50:]} for uid in ids
    ]


def heavy_subdistrict():
    """The subdistrict holding the most reports: the generator's first (bench/city/plan.py,
    HEAVY_SUBDISTRICT_SHARE)."""
    from linju.places.models import Place

    return Place.objects.filter(kind="subdistrict").order_by("path").first()


def heavy_admin_pool(rng: random.Random, grants) -> list[dict]:
    """Sessions of the heavy subdistrict's administrators, with report ids drawn from all of
    its reports (every status, every year)."""
    from linju.reports.models import Report

    heavy = heavy_subdistrict()
    if heavy is None:
        return []
    ids = list(
        sample(rng, Report.objects.filter(path__startswith=heavy.path), REPORT_IDS).values_list(
            "pk", flat=True
        )
    )
    admins = grants.filter(role="subdistrict_admin", place=heavy).select_related("user")
    return [{**session_headers(g.user), "report_id": ids} for g in admins] if ids else []


def sample(rng: random.Random, qs, n: int):
    """About n random rows by id, without ORDER BY random() over millions of rows."""
    from django.db.models import Max, Min

    bounds = qs.aggregate(lo=Min("pk"), hi=Max("pk"))
    if bounds["lo"] is None:
        return qs.none()
    total = qs.count()
    if total <= n:
        return qs
    span = bounds["hi"] - bounds["lo"] + 1
    ids = {rng.randint(bounds["lo"], bounds["hi"]) for _ in range(n * span // total * 2)}
    return qs.filter(pk__in=ids).order_by("pk")[:n]


def session_headers(user) -> dict:
    """A session as django.contrib.auth.login leaves it, sent as the browser's cookie."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "linju.people.backends.MobileBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return {"headers": {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}"}}


def api_credential(rng: random.Random, user) -> dict:
    """A personal token of a community worker, with the households, buildings and reports in
    scope."""
    from linju.core.tokens import create_token
    from linju.people.queries import visible_households
    from linju.places.queries import visible_places
    from linju.reports.queries import staff_reports

    _, key = create_token(user=user, name="load harness")
    # A community's reports (tens of thousands): one scan of its path range, sampled here.
    reports = sorted(staff_reports(user).values_list("pk", flat=True))
    households = visible_households(user)
    ids = list(households.values_list("pk", flat=True)[:5000])
    return {
        "headers": {"Authorization": f"Bearer {key}"},
        "household_id": rng.sample(ids, min(len(ids), 100)),
        "households_count": len(ids),
        "buildings_count": visible_places(user).filter(kind="building").count(),
        "report_id": rng.sample(reports, min(len(reports), REPORT_IDS // 2)),
    }


def count_queries(path: scenarios.Path, pools: dict) -> int | None:
    """SQL queries of one request of the path, as the server runs it."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    cred = pools[path.role][0] if pools.get(path.role) else {}
    headers = {k.lower(): v for k, v in cred.get("headers", {}).items()}
    client = Client(headers=headers)
    url = scenarios.fill(path.url, cred)
    client.get(url)  # the first request of a process warms caches the workers keep
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    if response.status_code != 200:
        sys.exit(f"{path.name}: {url} answered {response.status_code}")
    return len(ctx.captured_queries)


def data_size() -> dict:
    from django.db import connection

    tables = {
        "places": "places_place",
        "households": "places_household",
        "users": "people_user",
        "residencies": "people_residency",
        "role grants": "people_rolegrant",
        "notifications": "core_notification",
        "audit events": "core_auditevent",
        "reports": "reports_report",
        "report steps": "reports_step",
        "report supporters": "reports_supporter",
    }
    with connection.cursor() as cur:
        out = {}
        for label, table in tables.items():
            cur.execute(f"SELECT count(*) FROM {table}")
            out[label] = cur.fetchone()[0]
        cur.execute("SELECT pg_database_size(current_database())")
        out["database MB"] = round(cur.fetchone()[0] / 2**20)
    return out


# --- The server and its processes --------------------------------------------------------------


class Server:
    def __init__(self, proc):
        self.proc = proc
        self.workers = 0

    def worker_pids(self) -> list[int]:
        return children(self.proc.pid)


@contextmanager
def gunicorn(env: dict, port: int):
    if port_open("127.0.0.1", port):
        sys.exit(f"port {port} is taken: stop what listens there or pass --port")
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "linju/gunicorn.conf.py"],
        cwd=ROOT,
        env={**os.environ, **env},
    )
    server = Server(proc)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    sys.exit("gunicorn did not start")
                time.sleep(0.2)
        server.workers = len(server.worker_pids())
        yield server
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def cpu_seconds(pids) -> dict[int, float]:
    """CPU seconds used so far by each process."""
    ticks = os.sysconf("SC_CLK_TCK")
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # utime, stime, and the same for waited-for children (recycled workers)
        out[pid] = sum(int(f) for f in fields[11:15]) / ticks
    return out


def used_since(before: dict[int, float], now: dict[int, float]) -> float:
    """CPU used between two snapshots by the processes alive at the second. (gunicorn's is
    the difference of the totals instead: a recycled worker's whole life moves into the
    master's children time.)"""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in now.items())


def postgres_pids() -> list[int]:
    """The bench database's backends and PostgreSQL's own background processes, so that work
    on other databases of the same server is not counted as Linju's."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() OR backend_type <> 'client backend'"
        )
        return [row[0] for row in cur.fetchall()]


def memory_mb(pid: int) -> tuple[float, float]:
    """Resident and proportional set size: workers share what the preloaded app put in memory,
    so PSS is the fair share of each and RSS its upper bound."""
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    except OSError:
        pass
    return rss / 1024, pss / 1024


# --- One phase ---------------------------------------------------------------------------------


@dataclass
class Run:
    """One harness run: the server, the clients and where their results go."""

    host: str
    users: int
    pools_file: Path
    run_dir: Path
    server: "Server"

    def phase(self, label: str, path: scenarios.Path | None, seconds: int) -> dict:
        print(f"→ {label} ({seconds} s, {self.users} clients)", flush=True)
        prefix = self.run_dir / slug(label)
        env = {**os.environ, "LINJU_BENCH_POOLS": str(self.pools_file), "PYTHONPATH": str(ROOT)}
        if path is not None:
            env["LINJU_BENCH_PATH"] = path.name
        app_pids = [self.server.proc.pid, *self.server.worker_pids()]
        before = (cpu_seconds(app_pids), cpu_seconds(postgres_pids()), children_cpu())
        started = time.monotonic()
        locust = subprocess.run(
            [
                str(Path(sys.executable).parent / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--users",
                str(self.users),
                "--spawn-rate",
                str(self.users),
                "--run-time",
                f"{seconds + 1}s",
                "--reset-stats",
                "--only-summary",
                "--host",
                self.host,
                "--csv",
                str(prefix),
                "--loglevel",
                "ERROR",
                "--exit-code-on-error",
                "0",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        wall = time.monotonic() - started
        workers = self.server.worker_pids()
        app_cpu = sum(cpu_seconds([self.server.proc.pid, *workers]).values()) - sum(
            before[0].values()
        )
        db_cpu = used_since(before[1], cpu_seconds(postgres_pids()))
        locust_cpu = children_cpu() - before[2]
        if locust.returncode != 0:
            sys.exit(f"locust failed:\n{locust.stderr[-3000:]}")
        memory = [memory_mb(pid) for pid in workers]
        rows = read_stats(f"{prefix}_stats.csv")
        if path is not None:
            # A path so slow that no request finished within the phase still gets its row.
            rows.setdefault(path.name, NO_REQUESTS)
        drained = drain()
        return {
            "label": label,
            "path": path.name if path else None,
            "url": path.url if path else None,
            "budget": bool(path and path.budget and path is not scenarios.FLOOR),
            "stats": rows,
            "cpu": {
                "app": round(app_cpu / wall, 2),
                "postgres": round(db_cpu / wall, 2),
                "load generator": round(locust_cpu / wall, 2),
            },
            "worker rss MB": round(max((m[0] for m in memory), default=0)),
            "worker pss MB": round(max((m[1] for m in memory), default=0)),
            "wall": round(wall, 1),
            "drain seconds": round(drained, 1),
        }


NO_REQUESTS = {"requests": 0, "failures": 0, "rps": 0.0, "p50": None, "p95": None, "p99": None}
DRAIN_LIMIT = 180


def drain() -> float:
    """Wait until the bench database runs no query any more: requests of a slow path that
    locust gave up on still run in the workers and PostgreSQL after the phase, and would be
    measured as the next path's load."""
    from django.db import connection

    started = time.monotonic()
    while time.monotonic() - started < DRAIN_LIMIT:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND state = 'active' AND pid <> pg_backend_pid()"
            )
            if cur.fetchone()[0] == 0:
                break
        time.sleep(0.5)
    return time.monotonic() - started


def children_cpu() -> float:
    """CPU seconds of the finished child processes: the locust runs (gunicorn is still alive)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")[:60]


def read_stats(file: str) -> dict:
    """Locust's CSV summary by request name (plus "Aggregated")."""
    out = {}
    with open(file, newline="") as f:
        for row in csv.DictReader(f):
            out[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": round(float(row["Requests/s"]), 1),
                "p50": num(row["50%"]),
                "p95": num(row["95%"]),
                "p99": num(row["99%"]),
                "max": num(row["Max Response Time"]),
            }
    return out


def num(text: str):
    try:
        return round(float(text), 1)
    except ValueError:
        return None


# --- The report --------------------------------------------------------------------------------


def rate_against_floor(report: dict) -> None:
    floor = next(r for r in report["results"] if r["path"] == scenarios.FLOOR.name)
    floor_rps = floor["stats"][scenarios.FLOOR.name]["rps"] or 1
    for result in report["results"]:
        if result["label"] == "mix":
            continue
        stats = result["stats"][result["path"]]
        result["share of floor"] = round(stats["rps"] / floor_rps, 2)
        result["meets budget"] = (
            stats["failures"] == 0
            and stats["p95"] is not None
            and stats["p95"] < P95_BUDGET_MS
            and result["share of floor"] >= FLOOR_SHARE_BUDGET
        )


def machine() -> dict:
    mem = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
    return {
        "cores": os.cpu_count(),
        "memory GB": round(int(mem) / 2**20),
        "python": platform.python_version(),
        "postgresql": postgres_version(),
    }


def postgres_version() -> str:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        return cur.fetchone()[0]


def markdown(report: dict) -> str:
    d = report["data"]
    lines = [
        f"Preset `{report['preset']}`, {report['date']}: {report['users']} clients, "
        f"{report['seconds']} s per path, gunicorn {report['workers']} sync workers; "
        f"{report['machine']['cores']} cores, {report['machine']['memory GB']} GB, "
        f"PostgreSQL {report['machine']['postgresql']}.",
        "",
        "Data: " + ", ".join(f"{v:,} {k}" for k, v in d.items()) + ".",
        "",
        "| path | req/s | × floor | p50 ms | p95 ms | p99 ms | errors | queries "
        "| worker RSS/PSS MB | CPU app/db/locust | budget |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in report["results"]:
        if r["label"] == "mix":
            continue
        s = r["stats"][r["path"]]
        budget = "—" if not r["budget"] else ("meets" if r["meets budget"] else "**misses**")
        lines.append(
            f"| {r['path']} | {s['rps']:,.0f} | {r['share of floor']:.2f} | {fmt(s['p50'])} "
            f"| {fmt(s['p95'])} | {fmt(s['p99'])} | {s['failures']} | {fmt(r.get('queries'))} "
            f"| {r['worker rss MB']}/{r['worker pss MB']} | {cpu(r)} | {budget} |"
        )
    mix = next((r for r in report["results"] if r["label"] == "mix"), None)
    if mix:
        total = mix["stats"].get("Aggregated", {})
        lines += [
            "",
            f"Mix of all roles ({ROLE_MIX}): {total.get('rps', 0):,.0f} req/s, "
            f"p50 {fmt(total.get('p50'))} ms, p95 {fmt(total.get('p95'))} ms, "
            f"p99 {fmt(total.get('p99'))} ms, {total.get('failures', 0)} errors; CPU {cpu(mix)}.",
            "",
            "| path in the mix | req/s | p50 ms | p95 ms | p99 ms | errors |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for name, s in mix["stats"].items():
            if name != "Aggregated":
                lines.append(
                    f"| {name} | {s['rps']:,.1f} | {fmt(s['p50'])} | {fmt(s['p95'])} "
                    f"| {fmt(s['p99'])} | {s['failures']} |"
                )
    lines += ["", f"Command: `{report['command']}`"]
    return "\n".join(lines) + "\n"


ROLE_MIX = ", ".join(f"{k} {v}%" for k, v in scenarios.ROLE_WEIGHTS.items())


def fmt(value) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def cpu(result) -> str:
    c = result["cpu"]
    return f"{c['app']:.2f}/{c['postgres']:.2f}/{c['load generator']:.2f}"


if __name__ == "__main__":
    main()
