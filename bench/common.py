"""What the benchmark runners share: Django set up on the bench database, percentiles and
milliseconds, latency figures, the backend's pid (for its CPU from /proc), a community's
residents, and how many threads the server has room for."""

import os
import statistics


def database_url(args) -> str:
    """--database-url, else BENCH_DATABASE_URL, else the preset's local database."""
    return (
        args.database_url
        or os.environ.get("BENCH_DATABASE_URL")
        or f"postgres://postgres@127.0.0.1:5432/linju_bench_{args.preset}"
    )


def setup(url):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linju.settings")
    import django

    django.setup()


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] if values else 0.0


def ms(seconds):
    return round(seconds * 1000, 1)


def latency_figures(latencies) -> dict:
    if not latencies:
        return {}
    return {
        "n": len(latencies),
        "ms_mean": ms(statistics.fmean(latencies)),
        "ms_p50": ms(statistics.median(latencies)),
        "ms_p95": ms(pct(latencies, 0.95)),
        "ms_p99": ms(pct(latencies, 0.99)),
        "ms_max": ms(max(latencies)),
    }


def backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        return cur.fetchone()[0]


def residents_of(community) -> list[int]:
    """Active users with a verified residency in the community, in id order."""
    from linju.people.models import ResidencyStatus, User

    return list(
        User.objects.filter(
            is_active=True,
            residencies__status=ResidencyStatus.VERIFIED,
            residencies__household__path__startswith=community.path,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )


def pool_size(requested, wanted) -> tuple[int, int, int]:
    """(threads, max_connections, connections in use): `requested`, or as many as `wanted` the
    server leaves room for (at least 8)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT current_setting('max_connections')::int,"
            " current_setting('superuser_reserved_connections')::int,"
            " (SELECT COUNT(*) FROM pg_stat_activity WHERE backend_type = 'client backend')"
        )
        limit, reserved, in_use = cur.fetchone()
    room = limit - reserved - in_use - 20  # room left for whoever else uses the server
    return (requested or max(8, min(wanted, room))), limit, in_use
