"""A task worker killed mid-task: the task runs again and its effect happens once (issue 8 §7).

A notification's delivery is queued (the database task backend) and `manage.py run_worker`
starts on it. The SMS gateway (a local HTTP server) records the request and its Idempotency-Key,
acts on it, and stalls before answering; meanwhile the worker is SIGKILLed. A second worker
finds the first one's lease run out (core.workers), puts the task back in the queue and runs it:
the webhook goes again under the same key, which the gateway recognises, and the e-mail (sent
and stamped before the kill) does not go again. Runs on SQLite and PostgreSQL."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from linju.core import notifications
from linju.core.models import Notification, NotificationPreference, TaskWorker
from linju.people.models import User

from .load import ROOT, wait_for

LEASE_SECONDS = 2

pytestmark = pytest.mark.django_db(transaction=True)


class Gateway:
    """An idempotent receiver: it acts on the first request of each Idempotency-Key and only
    answers the repeats. The first request of all it acts on and then holds, unanswered, until
    the test ends."""

    def __init__(self):
        self.keys = []  # the Idempotency-Key of every request, repeats included
        self.effects = {}  # key → the body acted on
        self.release = threading.Event()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                key = self.headers["Idempotency-Key"]
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                first_ever = not gateway.keys
                gateway.keys.append(key)
                gateway.effects.setdefault(key, body)
                if first_ever:
                    gateway.release.wait(60)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway():
    server = Gateway()
    yield server
    server.close()


@contextmanager
def shared_database(tmp_path):
    """Yields the DATABASE_URL at which other processes find this test's database. PostgreSQL's
    is that database itself. SQLite's is in this process's memory: it is copied to a file for
    them, and the file copied back afterwards, so the test reads what they wrote."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        user = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        yield f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        return
    path = tmp_path / "shared.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(path) as copy:
        connection.connection.backup(copy)
    try:
        yield f"sqlite:///{path}"
    finally:
        with sqlite3.connect(path) as copy:
            copy.backup(connection.connection)


def start_worker(env, log, *more):
    command = [sys.executable, "manage.py", "run_worker", "--queue-name", "*"]
    command += ["--lease", str(LEASE_SECONDS), "--interval", "0.2", "--no-startup-delay", *more]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def test_a_task_whose_worker_is_killed_runs_again_and_delivers_once(settings, gateway, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    user = User.objects.create_user("13800000001", email="owner@example.org")
    NotificationPreference.objects.create(user=user, email=True, webhook=True)
    (note,) = notifications.notify(recipients=[user], kind="test.kind", title="停水通知")
    (task,) = DBTaskResult.objects.all()
    outbox = tmp_path / "mail"
    log_path = tmp_path / "workers.log"

    with shared_database(tmp_path) as url, open(log_path, "wb") as log:
        env = {
            **{k: v for k, v in os.environ.items() if "proxy" not in k.lower()},
            "DJANGO_SETTINGS_MODULE": "linju.settings",
            "DATABASE_URL": url,
            "LINJU_NOTIFY_WEBHOOK_URL": gateway.url,
            "EMAIL_URL": f"filemail:///{outbox}",
        }
        first = start_worker(env, log)
        try:
            wait_for(lambda: gateway.keys, seconds=120, what="the first worker's webhook")
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait()
        # The second worker runs one task, the first one's once its lease has run out.
        second = start_worker(env, log, "--max-tasks", "1")
        try:
            second.wait(timeout=120)
        finally:
            second.kill()
        assert second.returncode == 0, log_path.read_text()[-3000:]

    task.refresh_from_db()
    note.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL, log_path.read_text()[-3000:]
    assert len(task.worker_ids) == 2  # two attempts, by two workers
    assert note.webhooked_at is not None and note.emailed_at is not None
    key = f"linju-notification-{note.pk}"
    assert gateway.keys == [key, key]  # sent again after the kill, under the same key
    assert list(gateway.effects) == [key]  # … and acted on once
    (mail,) = outbox.iterdir()  # the e-mail went before the kill, and only then
    assert f"Message-ID: <{key}@localhost>" in mail.read_text()  # the same on any repeat
    # The killed worker's lease was taken back, the second worker gave its own up.
    assert not TaskWorker.objects.exists()
    assert Notification.objects.count() == 1
