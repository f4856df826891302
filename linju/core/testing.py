"""Helpers the apps' tests share (imported by tests only)."""

import threading

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
