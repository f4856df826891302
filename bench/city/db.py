"""Database helpers: where the bench database lives, creating or recreating it."""

from pathlib import Path


def db_config(url: str) -> dict:
    import environ

    return environ.Env.db_url_config(url)


def connect_args(cfg: dict, dbname: str | None = None) -> dict:
    return {
        "host": cfg["HOST"] or None,
        "port": cfg["PORT"] or 5432,
        "user": cfg["USER"] or None,
        "password": cfg["PASSWORD"] or None,
        "dbname": dbname or cfg["NAME"],
    }


def _server(cfg: dict):
    import psycopg

    return psycopg.connect(**connect_args(cfg, "postgres"), autocommit=True)


def recreate_database(url: str) -> None:
    """Drop (closing other sessions) and create the database; SQLite: delete the file."""
    cfg = db_config(url)
    if cfg["ENGINE"].endswith("sqlite3"):
        Path(cfg["NAME"]).unlink(missing_ok=True)
        return
    with _server(cfg) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{cfg["NAME"]}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')


def ensure_database(url: str) -> bool:
    """Create the PostgreSQL database unless it exists; True when it was created."""
    cfg = db_config(url)
    with _server(cfg) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (cfg["NAME"],))
        if found.fetchone():
            return False
        conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
        return True
