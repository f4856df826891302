"""Notification delivery: inbox row in the caller's transaction, e-mail and webhook after commit,
each channel sent at most once."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.db import transaction
from django_tasks.signals import task_enqueued

from linju.core import notifications
from linju.core.models import Notification
from linju.core.tasks import deliver_notifications

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


@pytest.fixture
def enqueued():
    seen = []

    def receiver(sender, task_result, **kwargs):
        seen.append(task_result)

    task_enqueued.connect(receiver)
    yield seen
    task_enqueued.disconnect(receiver)


@pytest.fixture
def resident(city):
    user = city.users["owner"]
    user.email = "owner@example.org"
    user.save(update_fields=["email"])
    return user


class Gateway:
    """A real HTTP server on a free local port that records what it is sent."""

    def __init__(self):
        self.requests = []
        self.status = 200
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                gateway.requests.append(
                    {"headers": dict(self.headers), "body": json.loads(self.rfile.read(length))}
                )
                self.send_response(gateway.status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway(settings, monkeypatch):
    # A developer's proxy settings must not reroute a request to 127.0.0.1.
    for var in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    server = Gateway()
    settings.NOTIFY_WEBHOOK_URL = server.url
    yield server
    server.close()


def test_rolled_back_notify_enqueues_and_sends_nothing(
    resident, enqueued, django_capture_on_commit_callbacks
):
    notifications.update_preference(user=resident, email=True, webhook=False, muted_kinds=[])
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        notifications.notify(recipients=[resident], kind="test.kind", title="Hello")
        raise Boom
    assert callbacks == []
    assert enqueued == []
    assert mail.outbox == []
    assert not Notification.objects.filter(recipient=resident).exists()


def test_committed_notify_sends_email_when_asked(
    resident, enqueued, django_capture_on_commit_callbacks
):
    notifications.update_preference(user=resident, email=True, webhook=False, muted_kinds=[])
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        (note,) = notifications.notify(
            recipients=[resident, resident],
            kind="test.kind",
            title="Water off on Friday",
            body="From 9 to 12.",
            url="/notices/1/",
        )
        # Inside the transaction: the inbox row exists, nothing has been sent yet.
        assert Notification.objects.filter(pk=note.pk).exists()
        assert mail.outbox == []
    assert len(enqueued) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["owner@example.org"]
    assert message.subject == "Water off on Friday"
    assert "From 9 to 12." in message.body and "/notices/1/" in message.body
    note.refresh_from_db()
    assert note.emailed_at is not None
    assert note.webhooked_at is None


def test_no_email_without_the_preference(resident, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(recipients=[resident], kind="test.kind", title="Hi")
    assert mail.outbox == []  # e-mail is opt-in


def test_webhook_delivered_to_gateway(resident, gateway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        (note,) = notifications.notify(
            recipients=[resident], kind="residency.decision", title="已通过", body="欢迎"
        )
    assert len(gateway.requests) == 1
    request = gateway.requests[0]
    assert request["body"] == {
        "id": note.pk,
        "mobile": resident.mobile,
        "kind": "residency.decision",
        "title": "已通过",
        "body": "欢迎",
        "url": "",
        "created_at": note.created_at.isoformat(),
    }
    assert request["headers"]["Idempotency-Key"] == f"linju-notification-{note.pk}"
    assert request["headers"]["Content-Type"].startswith("application/json")
    note.refresh_from_db()
    assert note.webhooked_at is not None


def test_webhook_off_in_preferences(resident, gateway, django_capture_on_commit_callbacks):
    notifications.update_preference(user=resident, email=False, webhook=False, muted_kinds=[])
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(recipients=[resident], kind="test.kind", title="Hi")
    assert gateway.requests == []


def test_muted_kind_is_skipped(resident, gateway, django_capture_on_commit_callbacks):
    notifications.update_preference(
        user=resident, email=True, webhook=True, muted_kinds=["role.grant"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(recipients=[resident], kind="role.grant", title="Muted")
        notifications.notify(recipients=[resident], kind="residency.decision", title="Loud")
    assert [m.subject for m in mail.outbox] == ["Loud"]
    assert [r["body"]["title"] for r in gateway.requests] == ["Loud"]
    # Muted kinds still reach the in-app inbox.
    assert Notification.objects.filter(recipient=resident, title="Muted").exists()


def test_running_the_task_twice_sends_once(resident, gateway, django_capture_on_commit_callbacks):
    notifications.update_preference(user=resident, email=True, webhook=True, muted_kinds=[])
    with django_capture_on_commit_callbacks(execute=True):
        (note,) = notifications.notify(recipients=[resident], kind="test.kind", title="Once")
    assert deliver_notifications.call([note.pk]) == 0
    assert deliver_notifications.call([note.pk]) == 0
    assert len(mail.outbox) == 1
    assert len(gateway.requests) == 1


def test_failed_webhook_is_retried_by_a_later_run(
    resident, gateway, django_capture_on_commit_callbacks
):
    notifications.update_preference(user=resident, email=True, webhook=True, muted_kinds=[])
    gateway.status = 502
    with django_capture_on_commit_callbacks(execute=True):
        (note,) = notifications.notify(recipients=[resident], kind="test.kind", title="Retry")
    note.refresh_from_db()
    assert note.emailed_at is not None  # the other channel still went out
    assert note.webhooked_at is None  # left for a retry
    gateway.status = 200
    assert deliver_notifications.call([note.pk]) == 1
    assert len(gateway.requests) == 2
    assert len(mail.outbox) == 1
    note.refresh_from_db()
    assert note.webhooked_at is not None


def test_notify_nobody_enqueues_nothing(enqueued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert notifications.notify(recipients=[], kind="test.kind", title="x") == []
    assert callbacks == [] and enqueued == []


def test_mark_read_only_touches_own_notifications(city):
    owner, tenant = city.users["owner"], city.users["tenant"]
    mine = notifications.notify(recipients=[owner], kind="k", title="a")[0]
    theirs = notifications.notify(recipients=[tenant], kind="k", title="b")[0]
    assert notifications.mark_read(user=owner, ids=[mine.pk, theirs.pk]) == 1
    assert notifications.unread_count(owner) == 0
    assert notifications.unread_count(tenant) == 1


def test_preferences_round_trip(city):
    user = city.users["owner"]
    assert notifications.preference_for(user).pk is None  # defaults, nothing stored
    notifications.update_preference(user=user, email=True, webhook=False, muted_kinds=["b", "a"])
    pref = notifications.preference_for(user)
    assert (pref.email, pref.webhook, pref.muted_kinds) == (True, False, ["a", "b"])
