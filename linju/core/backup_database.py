"""The database half of backups (docs/operations.md#backups-and-restore): a consistent copy of
the database with the migrations and row counts of that same copy, and its restore.

PostgreSQL: `pg_dump --format=custom` of a snapshot exported by a REPEATABLE READ transaction
that also counts the rows, so the counts are those of the dump even while the site writes;
`pg_restore` in one transaction. SQLite: the online backup API, which copies a consistent
snapshot while the site runs in WAL mode, and copies back the same way. Connection parameters
reach pg_dump and pg_restore as PG* environment variables, never a password on a command line.
"""

import os
import shutil
import sqlite3
import subprocess
from collections import deque
from collections.abc import Callable
from pathlib import Path

VENDOR_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
DUMP_FILES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}

# libpq reads these from the environment (PostgreSQL manual, "Environment Variables").
_PG_OPTION_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "sslpassword": "PGSSLPASSWORD",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME",
    "options": "PGOPTIONS",
    "service": "PGSERVICE",
    "passfile": "PGPASSFILE",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "channel_binding": "PGCHANNELBINDING",
    "gssencmode": "PGGSSENCMODE",
}
# Relations of the schemas Django uses (the search path): what a restore needs gone.
_PG_RELATIONS = """
    SELECT c.relkind, n.nspname, c.relname
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY (current_schemas(false)) AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
    ORDER BY n.nspname, c.relname
"""
_SQLITE_TABLES = (
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite~_%' ESCAPE '~'"
    " ORDER BY name"
)


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


def vendor_name(vendor: str) -> str:
    return VENDOR_NAMES.get(vendor, vendor)


def check_vendor(vendor: str) -> None:
    if vendor not in DUMP_FILES:
        raise BackupError(
            f"Backups support PostgreSQL and SQLite; this database is {vendor}. "
            "Use dumpdata/loaddata instead."
        )


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found on PATH. Install the PostgreSQL client tools of the server's "
            f"major version or newer (Debian: postgresql-client), or put their directory first "
            f"on PATH, e.g. PATH=/usr/lib/postgresql/16/bin:$PATH."
        )
    return path


# --- Reading a database --------------------------------------------------------------------


def table_names(connection) -> list[str]:
    """Every table of a Django connection's database (for SQLite without its own sqlite_*)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return _pg_tables(cursor)
        cursor.execute(_SQLITE_TABLES)
        return [name for (name,) in cursor.fetchall()]


def _pg_tables(cursor) -> list[str]:
    cursor.execute(_PG_RELATIONS)
    return [name for kind, _, name in cursor.fetchall() if kind in ("r", "p")]


def row_counts(connection) -> dict[str, int]:
    with connection.cursor() as cursor:
        return _count(cursor, table_names(connection), connection.ops.quote_name)


def _count(cursor, tables, quote) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _migrations(cursor, tables) -> dict[str, list[str]]:
    if "django_migrations" not in tables:
        return {}
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    applied: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        applied.setdefault(app, []).append(name)
    return applied


def _sqlite_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --- Dumping -------------------------------------------------------------------------------


def dump(connection, *, directory: Path, progress) -> tuple[Path, dict]:
    """Write a copy of the connection's database into `directory`; return the file and the
    manifest's `database` entry (vendor, migrations and row counts of that copy)."""
    check_vendor(connection.vendor)
    target = directory / DUMP_FILES[connection.vendor]
    if connection.vendor == "postgresql":
        info = _pg_dump(connection, target, progress)
    else:
        info = _sqlite_dump(connection, target)
    return target, {"vendor": connection.vendor, "file": target.name, **info}


def _sqlite_dump(connection, target: Path) -> dict:
    if connection.in_atomic_block:
        # SQLite answers "busy" for ever to a backup from a connection that is writing.
        raise BackupError("An SQLite database cannot be backed up from inside a transaction.")
    connection.ensure_connection()
    try:
        return _sqlite_copy(connection.connection, target)
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite could not copy the database: {exc}") from exc


def _sqlite_copy(source, target: Path) -> dict:
    copy = sqlite3.connect(target)
    try:
        # One step: the whole copy is read under one read transaction, so it is one snapshot
        # even while other processes write (WAL lets them go on meanwhile).
        source.backup(copy, progress=_give_up_when_busy())
        # Self-contained in one file: the copy inherits WAL mode, which would need its -wal file.
        copy.execute("PRAGMA journal_mode=DELETE")
        cursor = copy.cursor()
        cursor.execute(_SQLITE_TABLES)
        tables = [name for (name,) in cursor.fetchall()]
        return {
            "sqlite_version": sqlite3.sqlite_version,
            "migrations": _migrations(cursor, tables),
            "row_counts": _count(cursor, tables, _sqlite_quote),
        }
    finally:
        copy.close()


def _give_up_when_busy(seconds: int = 60):
    """A backup-API progress callback that ends the retries (every 250 ms) of a database that
    stays locked, e.g. by a writer in rollback-journal mode."""
    tries = 0

    def progress(status, remaining, total):
        nonlocal tries
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            tries += 1
            if tries > seconds * 4:
                raise BackupError(f"The SQLite database stayed locked for {seconds} s.")

    return progress


def _pg_dump(connection, target: Path, progress) -> dict:
    pg_dump = require_tool("pg_dump")
    # A connection of its own: its transaction holds the snapshot pg_dump reads.
    holder = connection.copy()
    try:
        holder.ensure_connection()
        with holder.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
            tables = _pg_tables(cursor)
            info = {
                "server_version": server_version,
                "pg_dump_version": _tool_version(pg_dump),
                "migrations": _migrations(cursor, tables),
                "row_counts": _count(cursor, tables, holder.ops.quote_name),
            }
            with progress(desc="dumping tables", total=len(tables), unit=" tables") as bar:
                _run(
                    [
                        pg_dump,
                        "--format=custom",
                        "--no-password",
                        "--verbose",
                        f"--snapshot={snapshot}",
                        f"--file={target}",
                    ],
                    env=pg_environment(holder.settings_dict),
                    on_line=_table_counter(bar, "dumping contents of table"),
                )
            cursor.execute("ROLLBACK")
    finally:
        holder.close()
    return info


def _tool_version(path: str) -> str:
    result = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)
    return result.stdout.strip()


def pg_environment(settings_dict: dict) -> dict[str, str]:
    """The environment for pg_dump/pg_restore: this process's, with the connection settings of
    `settings_dict` as libpq's PG* variables (a password never appears in `ps`)."""
    env = dict(os.environ)
    for key, var in (
        ("NAME", "PGDATABASE"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
    ):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    for key, value in (settings_dict.get("OPTIONS") or {}).items():
        if key in _PG_OPTION_ENV and value not in (None, ""):
            env[_PG_OPTION_ENV[key]] = str(value)
    return env


def _table_counter(bar, phrase: str) -> Callable[[str], None]:
    def on_line(line: str) -> None:
        if phrase in line:
            bar.update(1)

    return on_line


def _run(command: list[str], *, env: dict, on_line: Callable[[str], None]) -> None:
    """Run a PostgreSQL client tool, feeding its --verbose lines to `on_line`; fail with the
    lines that say what went wrong."""
    tail: deque[str] = deque(maxlen=200)
    with subprocess.Popen(
        command,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
    ) as process:
        for line in process.stderr:
            tail.append(line.rstrip())
            on_line(line)
    if process.returncode != 0:
        words = ("error", "fatal", "detail", "hint", "command was")
        telling = [line for line in tail if any(w in line.lower() for w in words)]
        detail = "\n".join(telling or list(tail)[-10:])
        tool = Path(command[0]).name
        raise BackupError(f"{tool} failed (exit status {process.returncode}):\n{detail}")


# --- Restoring -----------------------------------------------------------------------------


def relations(connection) -> list[str]:
    """What a restore would collide with: tables (and for PostgreSQL views and sequences)."""
    if connection.vendor != "postgresql":
        return table_names(connection)
    with connection.cursor() as cursor:
        cursor.execute(_PG_RELATIONS)
        return [f"{schema}.{name}" for _, schema, name in cursor.fetchall()]


def drop_all(connection) -> None:
    """Empty the database before a forced restore. SQLite needs nothing: the backup API
    replaces the whole database."""
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(_PG_RELATIONS)
        found = cursor.fetchall()
        for kinds, what in (
            (("r", "p"), "TABLE"),
            (("m",), "MATERIALIZED VIEW"),
            (("v",), "VIEW"),
            (("S",), "SEQUENCE"),
        ):
            names = [f"{quote(s)}.{quote(n)}" for kind, s, n in found if kind in kinds]
            if names:
                # IF EXISTS: CASCADE may already have taken a view or an owned sequence.
                cursor.execute(f"DROP {what} IF EXISTS {', '.join(names)} CASCADE")


def restore(connection, *, dump_file: Path, tables: int, progress) -> None:
    if connection.vendor == "postgresql":
        _pg_restore(connection, dump_file, tables, progress)
    else:
        _sqlite_restore(connection, dump_file)


def _pg_restore(connection, dump_file: Path, tables: int, progress) -> None:
    pg_restore = require_tool("pg_restore")
    settings_dict = connection.settings_dict
    service = (settings_dict.get("OPTIONS") or {}).get("service")
    dbname = settings_dict.get("NAME") or f"service={service}"
    with progress(desc="restoring tables", total=tables, unit=" tables") as bar:
        _run(
            [
                pg_restore,
                # Objects belong to whoever restores, and no GRANT names a role this server may
                # lack; one transaction, so a failed restore leaves the database as it was.
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                "--no-password",
                "--verbose",
                f"--dbname={dbname}",
                str(dump_file),
            ],
            env=pg_environment(settings_dict),
            on_line=_table_counter(bar, "processing data for table"),
        )


def _sqlite_restore(connection, dump_file: Path) -> None:
    if connection.in_atomic_block:
        raise BackupError("An SQLite database cannot be restored inside a transaction.")
    connection.ensure_connection()
    source = sqlite3.connect(dump_file)
    try:
        source.backup(connection.connection, progress=_give_up_when_busy())
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite could not restore the database: {exc}") from exc
    finally:
        source.close()
