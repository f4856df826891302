"""Fill a PostgreSQL database with a whole, plausible city for Linju's benchmarks.

    python -m bench.generate --preset small|city [--households N] [--seed 1]
        [--database-url URL] [--rebuild]

Presets: small ≈ 20,000 households (6 communities), city = 1,000,000 households (300
communities in 10 subdistricts). --households overrides the preset's size; the rest follows
from it (one community per ~3,333 households, ~2 residents per household, staff, grids, party
organisations, an inbox of ~3 messages per resident, the audit log, 5 snap-and-report reports
per household with their timelines, 40% of them in the first subdistrict: see bench/city/).

The database (default: $BENCH_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/
linju_bench_<preset>) is created if missing and migrated. --rebuild drops and recreates it.

Stages (bench/city/__init__.py) run in a fixed order, each in one transaction that also
records it in the table bench_stage (name, params, rows, seconds). A rerun skips the stages
recorded with the same params (seed, households, anchor date, stage version), so a killed run
resumes at the first unfinished stage; every stage draws its randomness from
random.Random(f"{seed}:{stage}") and the shared Plan (bench/city/plan.py), so the result is the
same as an uninterrupted run. All timestamps lie before the anchor: the first run's date,
kept in bench_stage. A database holding a city of other params stops the run: use --rebuild.

Speed: rows are written with COPY, ids assigned in Python so foreign keys need no lookups.
As a superuser the generator turns off PostgreSQL's per-row foreign-key triggers for each
stage's transaction and checks every foreign key of the tables it wrote with one anti-join
before committing (bench/city/copy.py); the audit stage builds its plain indexes after its
rows, from their own definitions. Each stage ends with ANALYZE, the last stage is a VACUUM.

Prints a progress bar per stage, then rows, seconds and rows/s per stage and in total (the
time of every stage, the vacuum included), also written to var/bench/generate-<preset>.json.
"""

import argparse
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/linju_bench_{preset}"
DAY = 86_400


def parse_args(argv):
    from bench.city.plan import PRESETS

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", choices=sorted(PRESETS), required=True)
    parser.add_argument("--households", type=int, help="overrides the preset's size")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="default: $BENCH_DATABASE_URL or " + DEFAULT_URL)
    parser.add_argument("--rebuild", action="store_true", help="drop and recreate the database")
    args = parser.parse_args(argv)
    args.households = args.households or PRESETS[args.preset]
    args.database_url = (
        args.database_url
        or os.environ.get("BENCH_DATABASE_URL")
        or DEFAULT_URL.format(preset=args.preset)
    )
    return args


def check_params(done: dict, seed: int, households: int, dbname: str) -> str | None:
    """The anchor date of the city already there, or None; stops on a city of other params."""
    anchors = set()
    for name, row in done.items():
        made = row["params"]
        if (made.get("seed"), made.get("households")) != (seed, households):
            sys.exit(
                f"{dbname} holds a city made with --seed {made.get('seed')} --households "
                f"{made.get('households'):,} (stage {name}); this run asks for --seed {seed} "
                f"--households {households:,}. Use --rebuild to start over."
            )
        anchors.add(made["anchor"])
    if len(anchors) > 1:
        sys.exit(f"{dbname} mixes stages of several runs ({sorted(anchors)}); use --rebuild.")
    return anchors.pop() if anchors else None


def summary(stages, figures) -> tuple[list[str], dict]:
    lines = [f"{'stage':<14}{'rows':>14}{'seconds':>10}{'rows/s':>12}"]
    total_rows = total_seconds = 0
    for stage in stages:
        f = figures.get(stage.name)
        if f is None:
            continue
        rate = f"{f['rows'] / f['seconds']:,.0f}" if f["rows"] and f["seconds"] else "-"
        note = "  (earlier run)" if f.get("earlier") else ""
        lines.append(f"{stage.name:<14}{f['rows']:>14,}{f['seconds']:>10.1f}{rate:>12}{note}")
        total_rows += f["rows"]
        total_seconds += f["seconds"]
    rate = total_rows / total_seconds if total_seconds else 0
    lines.append(f"{'total':<14}{total_rows:>14,}{total_seconds:>10.1f}{rate:>12,.0f}")
    total = {"rows": total_rows, "seconds": round(total_seconds, 2), "rows_per_s": round(rate)}
    return lines, total


def main(argv=None):
    args = parse_args(argv)
    from bench.city import STAGES
    from bench.city.copy import BOOKKEEPING, finished_stages, run_stage
    from bench.city.db import connect_args, db_config, ensure_database, recreate_database
    from bench.city.plan import Plan

    cfg = db_config(args.database_url)
    if cfg["ENGINE"] != "django.db.backends.postgresql":
        sys.exit(f"the generator needs PostgreSQL (COPY); {args.database_url} is {cfg['ENGINE']}")
    dbname = cfg["NAME"]
    if args.rebuild:
        recreate_database(args.database_url)
        print(f"recreated {dbname}")
    elif ensure_database(args.database_url):
        print(f"created {dbname}")

    import psycopg

    conn = psycopg.connect(**connect_args(cfg), autocommit=True)
    done = finished_stages(conn)
    anchor = check_params(done, args.seed, args.households, dbname)
    anchor = anchor or datetime.now(UTC).date().isoformat()
    params = {"seed": args.seed, "households": args.households, "anchor": anchor}

    def stage_params(stage):
        return {**params, "version": stage.version}

    for stage in STAGES:
        if stage.name in done and done[stage.name]["params"] != stage_params(stage):
            sys.exit(
                f"stage {stage.name} of {dbname} was made by another version of the generator;"
                " use --rebuild."
            )
    todo = [s for s in STAGES if s.name not in done]
    figures = {
        name: {"rows": row["rows"], "seconds": row["seconds"], "earlier": True}
        for name, row in done.items()
    }
    if not todo:
        print(f"nothing to do: {dbname} holds the whole city ({args.households:,} households).")
    else:
        os.environ["DATABASE_URL"] = args.database_url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linju.settings")
        import django

        django.setup()
        from django.core.management import call_command

        t = time.perf_counter()
        call_command("migrate", verbosity=0)
        conn.execute(BOOKKEEPING)
        print(f"migrated {dbname} in {time.perf_counter() - t:.1f} s")

        anchor_s = int(datetime.fromisoformat(anchor).replace(tzinfo=UTC).timestamp())
        plan = None

        def plan_factory():
            nonlocal plan
            if plan is None:
                t = time.perf_counter()
                plan = Plan(args.households, args.seed, anchor_s)
                print(f"planned the city in {time.perf_counter() - t:.1f} s: {plan.stats()}")
            return plan

        for i, stage in enumerate(STAGES, 1):
            # Maintenance (the vacuum) runs again after any new stage: a city made before a
            # stage was added has its vacuum recorded already, and would leave the new rows
            # without hint bits and visibility map.
            again = not stage.transaction and stage.name in done
            if stage.name in done and not again:
                continue
            if again:
                conn.execute("DELETE FROM bench_stage WHERE name = %s", (stage.name,))
            position = f"[{i}/{len(STAGES)}]"
            figures[stage.name] = run_stage(
                conn, stage, stage_params(stage), plan_factory, position
            )
    conn.close()

    lines, total = summary(STAGES, figures)
    print("\n".join(lines))
    output = Path(f"var/bench/generate-{args.preset}.json")
    output.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "command": "python -m bench.generate " + " ".join(sys.argv[1:] if argv is None else argv),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "database": dbname,
        "params": params,
        "stages": {
            s.name: {
                "rows": figures[s.name]["rows"],
                "seconds": round(figures[s.name]["seconds"], 2),
                "rows_per_s": round(figures[s.name]["rows"] / figures[s.name]["seconds"])
                if figures[s.name]["seconds"]
                else 0,
                "earlier_run": bool(figures[s.name].get("earlier")),
            }
            for s in STAGES
            if s.name in figures
        },
        "total": total,
    }
    output.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(f"written: {output}")


if __name__ == "__main__":
    main()
