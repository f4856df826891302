"""PostgreSQL goes away under load and comes back (issue 8 §7).

gunicorn serves Linju (linju/gunicorn.conf.py, two workers) on this test's database through a
TCP proxy (tests/faults/proxy.py). Residents submit reports through the API and view their home
page from threads; mid-load the proxy drops every connection and refuses new ones for a few
seconds, then listens again. Nothing is restarted.

- during the outage pages answer the 503 page and the API the 503 error body, never 500;
- afterwards every answer succeeds again, from the same gunicorn workers;
- every write acknowledged with 201 is in the database exactly once; a write that got a 503 was
  saved at most once (its COMMIT may have reached the server just before the cut) and is never
  half-saved: every saved report has its first step and its audit event.

The database is pytest-django's test database (created and migrated for this run; its data
flushed after this test), so the server and the test read the same rows."""

import time

import pytest
from django.db import connection
from django.test import Client

from linju.core import tokens

from .load import (
    Load,
    Writer,
    booted_workers,
    figures,
    free_port,
    gunicorn,
    saved_reports,
    wait_for,
)
from .proxy import Proxy

OUTAGE_SECONDS = 4
WORKERS = 2

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_outage_answers_503_loses_no_acknowledged_write_and_recovers(city, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the app is cut off from a database server")
    db = connection.settings_dict
    proxy = Proxy((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    proxy.start()
    user = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    env = {
        "DJANGO_SETTINGS_MODULE": "linju.test_settings",
        "DATABASE_URL": f"postgres://{user}@127.0.0.1:{proxy.port}/{db['NAME']}",
        "WEB_CONCURRENCY": str(WORKERS),
        "LINJU_ACCESS_LOG": "/dev/null",
        # A worker imports the URLconf on its first request: slow on a busy test machine, and
        # a worker killed for it would be a restart this test does not mean to count.
        "LINJU_TIMEOUT": "120",
    }
    writers = [
        Writer(tokens.create_token(user=city.users[who], name="load")[1], city.places[where].pk)
        for who, where in (("owner", "B1"), ("tenant", "B1"), ("owner_2", "B3"))
    ]
    browser = Client()
    browser.force_login(city.users["owner"])
    cookie = f"sessionid={browser.cookies['sessionid'].value}"
    log = tmp_path / "gunicorn.log"

    try:
        with gunicorn(env, free_port(), log) as base_url:
            load = Load(base_url, writers=writers, page_cookies=[cookie, cookie]).start()
            try:
                # Long enough for a busy machine: each worker imports the URLconf first.
                wait_for(lambda: load.recovered(0, streak=5), seconds=180, what="a steady load")
                cut_at = time.monotonic()
                proxy.cut()
                time.sleep(OUTAGE_SECONDS)
                restored_at = time.monotonic()
                proxy.restore()
                wait_for(
                    lambda: load.recovered(restored_at, streak=10),
                    seconds=60,
                    what="every answer to succeed again",
                )
            finally:
                answers = load.stop()
    finally:
        proxy.close()

    rows, half_saved = saved_reports()
    f = figures(answers, rows, cut_at=cut_at, restored_at=restored_at)
    statuses = {(a.kind, a.status) for a in answers}
    assert statuses <= {("write", 201), ("write", 503), ("page", 200), ("page", 503)}, f
    # Both met the outage: the API with its error body, the page with Retry-After.
    page_503 = "page text/html; charset=utf-8; retry-after=10"
    assert set(f["503_details"]) == {"write unavailable", page_503}, f
    assert f["acknowledged_missing"] == [] and f["saved_more_than_once"] == [], f
    assert f["saved_but_never_sent"] == [] and half_saved == [], f
    assert f["rows_found"] == f["acknowledged_writes"] + len(f["saved_but_not_acknowledged"])
    # Recovered by itself: no worker was replaced (gunicorn restarts a worker that dies).
    assert booted_workers(log) == WORKERS
