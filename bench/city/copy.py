"""What every stage uses: the Stage record, its Context (COPY, ids, progress), fast timestamp
text, and the bookkeeping table bench_stage that makes a killed run resumable.

A stage runs in one transaction and is recorded in bench_stage in that same transaction, so
a stage is either wholly there and recorded, or absent. Its random numbers come from
random.Random(f"{seed}:{stage name}") alone, so rerunning it gives the same rows.
"""

import random
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from itertools import islice

from psycopg.types.json import Jsonb
from tqdm import tqdm

NULL = "\\N"  # COPY text format; values we write never hold tabs, newlines or backslashes
CHUNK = 5000  # rows per copy.write(): large enough to amortise the call, small for the bar
DAY = 86_400


@dataclass(frozen=True)
class Stage:
    """One step of the generator: `fill(ctx)` writes its rows through ctx.copy / ctx.insert.

    `expected(plan)` sizes the progress bar; `version` goes into the recorded params, so a
    changed stage makes an old database ask for --rebuild instead of mixing generations.
    `transaction=False` is for maintenance (VACUUM) that PostgreSQL refuses inside one; such
    a stage writes no rows and is recorded once it is done.
    """

    name: str
    fill: Callable[["Context"], None]
    expected: Callable = lambda plan: None
    version: int = 1
    transaction: bool = True


class Context:
    def __init__(self, conn, stage: Stage, seed: int, plan_factory: Callable, bar: tqdm):
        self.conn = conn
        self.stage = stage
        self.seed = seed
        self.rng = random.Random(f"{seed}:{stage.name}")
        self._plan_factory = plan_factory
        self.bar = bar
        self.rows = 0
        self.tables: set[str] = set()

    @cached_property
    def plan(self):
        return self._plan_factory()

    def copy(self, table: str, columns: str, lines: Iterable[str]) -> int:
        """COPY text lines ("v1\\tv2\\n") into table(columns); returns the row count."""
        self.tables.add(table)
        rows = 0
        it = iter(lines)
        with self.conn.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as cp:
            while chunk := list(islice(it, CHUNK)):
                cp.write("".join(chunk))
                rows += len(chunk)
                self.bar.update(len(chunk))
        self.rows += rows
        return rows

    def insert(self, table: str, sql: str, params=()) -> int:
        """A set-based INSERT … SELECT (rows derived from rows already written)."""
        self.tables.add(table)
        with self.conn.cursor() as cur:
            cur.execute(sql, params)
            rows = cur.rowcount
        self.rows += rows
        self.bar.update(rows)
        return rows

    @contextmanager
    def indexes_rebuilt(self, table: str):
        """Drop the table's plain secondary indexes, and on exit create them again from their
        own definitions (pg_get_indexdef: same names, columns, opclasses, collations,
        predicates). A sorted build of a whole index is several times cheaper than inserting
        the same entries one row at a time. Primary keys and indexes behind constraints stay,
        so uniqueness is still checked row by row."""
        definitions = self.conn.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT EXISTS"
            " (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            (table,),
        ).fetchall()
        for name, _ in definitions:
            self.conn.execute(f"DROP INDEX {name}")
        yield
        for _, definition in definitions:
            self.conn.execute(definition)

    def next_id(self, table: str) -> int:
        """The first free id of a table several stages fill (audit events, notifications)."""
        return self.conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0]

    def finish(self, check: bool) -> None:
        """Foreign keys checked (when the row triggers were off), sequences past the explicit
        ids, planner statistics."""
        for table in sorted(self.tables):
            self.conn.execute(f"ANALYZE {table}")  # first: the checks below need a good plan
            if check:
                check_foreign_keys(self.conn, table)
            self.conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" coalesce(max(id), 0) + 1, false) FROM {table}"
            )


# --- foreign keys ------------------------------------------------------------------------
# Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: PostgreSQL queues one trigger event
# per row and checks it, row by row, at COMMIT (~5 µs each, more than the COPY itself for a
# narrow table). A superuser may skip those triggers for the transaction, as pg_restore
# --disable-triggers does; the stage then checks every foreign key of the tables it wrote with
# one anti-join each, so nothing unchecked is ever committed. Unique, NOT NULL and CHECK
# constraints are not triggers and stay enforced row by row.

FOREIGN_KEYS = """
SELECT a.attname, c.confrelid::regclass::text, pa.attname
FROM pg_constraint c
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = c.confkey[1]
WHERE c.contype = 'f' AND c.conrelid = %s::regclass AND cardinality(c.conkey) = 1
"""


def skip_row_triggers(conn) -> bool:
    """Turn off the per-row foreign-key triggers for the current transaction, if allowed."""
    superuser = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if not superuser.fetchone()[0]:
        return False
    conn.execute("SET LOCAL session_replication_role = replica")
    return True


def check_foreign_keys(conn, table: str) -> None:
    for column, target, target_column in conn.execute(FOREIGN_KEYS, (table,)).fetchall():
        missing = conn.execute(
            f"SELECT count(*) FROM {table} t WHERE t.{column} IS NOT NULL AND NOT EXISTS"
            f" (SELECT 1 FROM {target} p WHERE p.{target_column} = t.{column})"
        ).fetchone()[0]
        if missing:
            raise RuntimeError(f"{missing} rows of {table}.{column} name no {target} row")


# --- timestamps --------------------------------------------------------------------------

_HMS = [f" {h:02d}:{m:02d}:{s:02d}+00" for h in range(24) for m in range(60) for s in range(60)]
_DAYS: dict[int, str] = {}


def ts(seconds: int) -> str:
    """Epoch seconds as timestamptz text, ~10× faster than datetime.isoformat()."""
    day, rest = divmod(seconds, DAY)
    text = _DAYS.get(day)
    if text is None:
        text = _DAYS[day] = datetime.fromtimestamp(day * DAY, UTC).strftime("%Y-%m-%d")
    return text + _HMS[rest]


def day_text(seconds: int) -> str:
    ts(seconds)
    return _DAYS[seconds // DAY]


# --- bookkeeping -------------------------------------------------------------------------

BOOKKEEPING = """
CREATE TABLE IF NOT EXISTS bench_stage (
    name text PRIMARY KEY,
    params jsonb NOT NULL,
    rows bigint NOT NULL,
    seconds double precision NOT NULL,
    finished_at timestamptz NOT NULL DEFAULT now()
)"""


def finished_stages(conn) -> dict[str, dict]:
    """name → {params, rows, seconds} of the stages recorded; {} when there is no table yet."""
    exists = conn.execute("SELECT to_regclass('bench_stage') IS NOT NULL").fetchone()[0]
    if not exists:
        return {}
    rows = conn.execute("SELECT name, params, rows, seconds FROM bench_stage").fetchall()
    return {n: {"params": p, "rows": r, "seconds": s} for n, p, r, s in rows}


def record_stage(conn, name: str, params: dict, rows: int, seconds: float) -> None:
    conn.execute(
        "INSERT INTO bench_stage (name, params, rows, seconds) VALUES (%s, %s, %s, %s)",
        (name, Jsonb(params), rows, seconds),
    )


def run_stage(conn, stage: Stage, params: dict, plan_factory, position: str) -> dict:
    """Run one stage in one transaction with its progress bar; returns its figures."""
    expected = stage.expected(plan_factory())  # plans the city, if not done yet: not timed
    t = time.perf_counter()
    with tqdm(
        total=expected,
        desc=f"{position} {stage.name}",
        unit="rows",
        unit_scale=True,
        dynamic_ncols=True,
    ) as bar:
        if not stage.transaction:
            ctx = Context(conn, stage, params["seed"], plan_factory, bar)
            stage.fill(ctx)
            record_stage(conn, stage.name, params, ctx.rows, time.perf_counter() - t)
            return {"rows": ctx.rows, "seconds": time.perf_counter() - t}
        with conn.transaction():
            skipped = skip_row_triggers(conn)
            ctx = Context(conn, stage, params["seed"], plan_factory, bar)
            stage.fill(ctx)
            ctx.finish(check=skipped)
            # Deferred checks left (not a superuser) run now, inside the timed part.
            conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
            seconds = time.perf_counter() - t
            record_stage(conn, stage.name, params, ctx.rows, seconds)
        bar.total = bar.n
    return {"rows": ctx.rows, "seconds": time.perf_counter() - t}
