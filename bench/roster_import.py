"""Benchmark: household roster import, Linju vs django-import-export.

    python -m bench.roster_import --rows 1000000 \\
        --database-url postgres://postgres@127.0.0.1:5432/linju_bench --baseline-rows 20000

Generates a deterministic roster CSV, (re)creates and migrates the bench database, times the
Linju import into one community, times re-importing the same file (the idempotent path), then
times django-import-export's standard resource API on the first --baseline-rows rows into a
second community, and prints and writes (--output, JSON) both rates and their ratio.

The baseline runs after the Linju import, so the owners of its sample already exist and it
only looks them up: that favours the baseline, never Linju.
"""

import argparse
import contextlib
import csv
import json
import os
import platform
import random
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.city.db import recreate_database
from bench.city.names import (
    ESTATE_PREFIXES,
    ESTATE_SUFFIXES,
    GIVEN,
    MOBILE_PREFIXES,
    SURNAMES,
)

HEADER = ["小区", "楼栋", "单元", "房号", "楼层", "面积", "业主姓名", "手机号"]
BUILDINGS, UNITS, FLOORS, PER_FLOOR = 20, 4, 15, 2  # 30 households a unit, 2,400 an estate


def generate(path: Path, rows: int, seed: int) -> None:
    """A plausible roster: areas 40–180 m², about 3% of owners hold a second household."""
    rng = random.Random(seed)
    per_estate = BUILDINGS * UNITS * FLOORS * PER_FLOOR
    estates = [p + s for s in ESTATE_SUFFIXES for p in ESTATE_PREFIXES]
    owner = name = mobile = None
    n_owner = 0
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        for i in range(rows):
            e, rest = divmod(i, per_estate)
            b, rest = divmod(rest, UNITS * FLOORS * PER_FLOOR)
            u, rest = divmod(rest, FLOORS * PER_FLOOR)
            floor, r = divmod(rest, PER_FLOOR)
            estate = estates[e % len(estates)] + (
                f"{e // len(estates) + 1}期" if e >= len(estates) else ""
            )
            if owner is None or rng.random() >= 0.03:
                owner = n_owner
                n_owner += 1
                name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
                # 7919 is prime to 10⁸, so the suffixes of the first 10⁸ owners differ.
                mobile = (
                    MOBILE_PREFIXES[owner % len(MOBILE_PREFIXES)]
                    + f"{(owner * 7919 + 12345) % 10**8:08d}"
                )
            area = f"{rng.randint(4000, 18000) / 100:.2f}"
            out.writerow(
                [
                    estate,
                    f"{b + 1}栋",
                    f"{u + 1}单元",
                    f"{floor + 1}{r + 1:02d}",
                    floor + 1,
                    area,
                    name,
                    mobile,
                ]
            )


def baseline_resource():
    """django-import-export's standard API: a ModelResource for Household keyed on (unit, room)
    doing what Linju's import does per row: places found or created (cached, as a careful
    developer would), the household upserted with its floor, area and roster owner."""
    from import_export import resources

    from linju.places.models import Household, Place

    class HouseholdResource(resources.ModelResource):
        def __init__(self, community):
            super().__init__()
            self.community = community
            self.places = {}

        class Meta:
            model = Household
            fields = ("unit", "room", "floor", "area", "owner_name", "owner_mobile")
            import_id_fields = ("unit", "room")

        def place(self, kind, name, parent):
            key = (kind, name, parent.pk)
            if key not in self.places:
                self.places[key] = Place.objects.filter(
                    parent=parent, kind=kind, name=name
                ).first() or (Place.objects.create(parent=parent, kind=kind, name=name, code=name))
            return self.places[key]

        def before_import_row(self, row, **kwargs):
            estate = self.place("estate", row["小区"], self.community)
            building = self.place("building", row["楼栋"], estate)
            row["unit"] = self.place("unit", row["单元"], building).pk
            row["room"], row["floor"], row["area"] = row["房号"], row["楼层"], row["面积"]
            row["owner_name"], row["owner_mobile"] = row["业主姓名"], row["手机号"]

    return HouseholdResource


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/linju_bench")
    parser.add_argument("--baseline-rows", type=int, default=20_000, help="0 skips the baseline")
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--csv", type=Path, help="where to write the roster (default: var/bench/)")
    parser.add_argument("--output", type=Path, default=Path("var/bench/roster_import.json"))
    parser.add_argument(
        "--profile", action="store_true", help="print every SQL statement that takes over 0.5 s"
    )
    args = parser.parse_args(argv)

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linju.settings")
    os.environ["LINJU_DEBUG"] = "0"
    path = args.csv or Path(f"var/bench/roster_{args.rows}_{args.seed}.csv")
    path.parent.mkdir(parents=True, exist_ok=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)

    t = time.perf_counter()
    generate(path, args.rows, args.seed)
    print(f"generated {args.rows:,} rows in {time.perf_counter() - t:.1f} s: {path}")
    recreate_database(args.database_url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from linju.people.models import RoleGrant, User
    from linju.people.roster import import_roster
    from linju.places.models import Household, Place

    call_command("migrate", verbosity=0)
    district = Place.objects.create(kind="district", name="示范区", code="D")
    sub = Place.objects.create(kind="subdistrict", name="示范街道", code="S", parent=district)
    linju_c = Place.objects.create(kind="community", name="邻聚社区", code="LJ", parent=sub)
    baseline_c = Place.objects.create(kind="community", name="对照社区", code="IE", parent=sub)
    staff = User.objects.create_user("13000000000", None, name="社区工作者")
    RoleGrant.objects.create(user=staff, role="subdistrict_admin", place=sub)

    def slow_statements(execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - t
            if took > 0.5:
                print(f"  {took:6.1f} s  {' '.join(sql.split())[:110]}")

    def timed_import(label):
        t = time.perf_counter()
        with path.open("rb") as f, contextlib.ExitStack() as stack:
            if args.profile:
                stack.enter_context(connection.execute_wrapper(slow_statements))
                # COMMIT runs the deferred foreign-key checks; it bypasses execute wrappers.
                commit = connection.commit

                def timed_commit():
                    t = time.perf_counter()
                    commit()
                    print(f"  {time.perf_counter() - t:6.1f} s  COMMIT")

                connection.commit = timed_commit
                stack.callback(delattr, connection, "commit")
            result = import_roster(actor=staff, community_id=linju_c.pk, file=f, filename=path.name)
        seconds = time.perf_counter() - t
        rate = result.rows / seconds
        print(
            f"{label}: {result.rows:,} rows in {seconds:.1f} s = {rate:,.0f} rows/s",
            result.as_dict(),
        )
        return {
            "rows": result.rows,
            "seconds": round(seconds, 2),
            "rows_per_s": round(rate),
            "counts": result.as_dict(),
        }

    first = timed_import("linju import")
    assert first["counts"]["households_created"] == args.rows
    again = timed_import("linju re-import (idempotent)")
    assert again["counts"]["households_unchanged"] == args.rows

    baseline = None
    if args.baseline_rows:
        import tablib

        with path.open(encoding="utf-8") as f:
            reader = csv.reader(f)
            # The resource's own columns, filled per row by before_import_row().
            data = tablib.Dataset(headers=[*next(reader), "unit", "room", "floor", "area"])
            for _, row in zip(range(args.baseline_rows), reader, strict=False):
                data.append([*row, "", "", "", ""])
        resource = baseline_resource()(baseline_c)
        before = Household.objects.count()
        t = time.perf_counter()
        outcome = resource.import_data(
            data, dry_run=False, raise_errors=True, use_transactions=True
        )
        seconds = time.perf_counter() - t
        assert not outcome.has_errors() and Household.objects.count() - before == len(data)
        baseline = {
            "rows": len(data),
            "seconds": round(seconds, 2),
            "rows_per_s": round(len(data) / seconds),
        }
        print(
            f"django-import-export: {len(data):,} rows in {seconds:.1f} s",
            f"= {baseline['rows_per_s']:,} rows/s",
        )

    with connection.cursor() as c:
        c.execute(
            "SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()"
        )
        db_version = c.fetchone()[0]
    report = {
        "command": "python -m bench.roster_import " + " ".join(argv or __import__("sys").argv[1:]),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "database": db_version,
        "linju": first,
        "linju_reimport": again,
        "baseline_import_export": baseline,
        "ratio": round(first["rows_per_s"] / baseline["rows_per_s"], 1) if baseline else None,
    }
    if baseline:
        print(f"ratio: Linju is {report['ratio']}× django-import-export")
    args.output.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(f"written: {args.output}")


if __name__ == "__main__":
    main()
