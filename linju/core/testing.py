"""Helpers the apps' tests share (imported by tests only)."""

import re
import threading
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connections


def race(*calls):
    """Run the calls at the same instant, one thread and connection each; return what each
    returned or raised (PostgreSQL concurrency tests: SQLite has one writer)."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # the outcome is what the test asserts
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def linked_styles(html: str) -> str:
    """The text of every stylesheet a page links from the app's static files: pages keep their
    CSS there, never inline (the Content-Security-Policy refuses inline styles)."""
    hrefs = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    names = [h.removeprefix("/" + settings.STATIC_URL.lstrip("/")) for h in hrefs]
    return "\n".join(Path(finders.find(name)).read_text() for name in names)


def log_in_to_admin(client, user) -> None:
    """Log a test client in as someone who has shown both factors the admin site asks for
    (people.factors); the step-up itself is tested in people/tests/test_auth_admin_factors.py."""
    from linju.people import factors

    client.force_login(user, backend="linju.people.backends.MobileBackend")
    session = client.session
    session[factors.KEY] = list(factors.FOR_ADMIN)
    session.save()
