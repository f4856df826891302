"""A load of writes and page views against a running Linju, with every answer recorded, and the
figures that tell whether a database outage under it lost or doubled a write.

Used by the fault test (tests/faults/test_database_outage.py, the database cut by a proxy) and
the drill (bench/faults.py, the PostgreSQL cluster stopped and started).

Each write is a report submitted through the API whose description is a unique marker, so the
database can be asked afterwards how many times each write was saved."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
MARKER = "fault-"
# After a failed answer a thread pauses this long: a client retrying at once (as no real one
# does) would send thousands of requests into an outage, and gunicorn recycles a worker after
# 2,000 (max_requests), which would look like a restart.
PAUSE_AFTER_FAILURE = 0.05
# Straight to 127.0.0.1, whatever proxy the environment names.
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(frozen=True)
class Writer:
    token: str  # a personal API token of a resident
    place_id: int  # where that resident may report
    category: str = "clutter"


@dataclass(frozen=True)
class Answer:
    kind: str  # "write" or "page"
    status: int  # the HTTP status; 0 when no HTTP answer came (connection refused, reset, timeout)
    at: float  # time.monotonic() when it came
    marker: str = ""  # a write's marker
    detail: str = ""  # a JSON error's code, a page's content type, or the exception's name


class Load:
    """Threads that submit reports (one per writer) and view a page (one per cookie), each as
    fast as the server answers them, until stop()."""

    def __init__(
        self, base_url: str, *, writers: list[Writer], page_cookies: list[str], marker=MARKER
    ):
        self.base_url = base_url
        self.marker = marker
        self.writers = writers
        self.page_cookies = page_cookies
        self.answers: list[Answer] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [
            *(threading.Thread(target=self._write, args=(w,)) for w in writers),
            *(threading.Thread(target=self._view, args=(c,)) for c in page_cookies),
        ]

    def start(self) -> "Load":
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> list[Answer]:
        self._stop.set()
        for thread in self._threads:
            thread.join()
        return self.answers

    def recovered(self, since: float, streak: int) -> bool:
        """Every kind's last `streak` answers after `since` were successes."""
        with self._lock:
            after = [a for a in self.answers if a.at >= since]
        for kind, ok in (("write", 201), ("page", 200)):
            last = [a.status for a in after if a.kind == kind][-streak:]
            if len(last) < streak or any(status != ok for status in last):
                return False
        return True

    def _record(self, answer: Answer) -> None:
        with self._lock:
            self.answers.append(answer)
        if answer.status not in (200, 201):
            self._stop.wait(PAUSE_AFTER_FAILURE)

    def _write(self, writer: Writer) -> None:
        while not self._stop.is_set():
            marker = f"{self.marker}{uuid.uuid4().hex}"
            body = {"category": writer.category, "place": writer.place_id, "description": marker}
            request = urllib.request.Request(
                f"{self.base_url}/api/v1/reports",
                data=json.dumps(body).encode(),
                headers={
                    "Authorization": f"Bearer {writer.token}",
                    "Content-Type": "application/json",
                },
                method="POST",
            )
            status, detail, _ = _send(request)
            self._record(Answer("write", status, time.monotonic(), marker, detail))

    def _view(self, cookie: str) -> None:
        while not self._stop.is_set():
            request = urllib.request.Request(f"{self.base_url}/", headers={"Cookie": cookie})
            status, detail, _ = _send(request)
            self._record(Answer("page", status, time.monotonic(), detail=detail))


def _send(request) -> tuple[int, str, bytes]:
    """(status, detail, body): detail is a JSON answer's `code`, else its content type."""
    try:
        with DIRECT.open(request, timeout=30) as response:
            status, headers, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, headers, body = error.code, error.headers, error.read()
    except OSError as error:  # refused, reset, timed out: no HTTP answer at all
        return 0, type(error).__name__, b""
    kind = headers.get("Content-Type", "")
    if kind.startswith("application/json") and status >= 400:
        return status, json.loads(body).get("code", ""), body
    if status == 503:
        kind += f"; retry-after={headers.get('Retry-After')}"
    return status, kind, body


def saved_reports(marker=MARKER) -> tuple[Counter, list[str]]:
    """(marker → reports saved with it, markers of reports saved without their first step or
    their audit event), of the reports whose marker starts with `marker`. Needs Django set up
    on the database the server wrote to."""
    from linju.core.models import AuditEvent
    from linju.reports.models import Report, Step, StepKind

    saved = dict(
        Report.objects.filter(description__startswith=marker).values_list("pk", "description")
    )
    rows = Counter(saved.values())
    with_step = set(
        Step.objects.filter(report__in=saved, kind=StepKind.SUBMITTED).values_list(
            "report", flat=True
        )
    )
    audited = set(
        AuditEvent.objects.filter(
            verb="report.submit", object_id__in=[str(pk) for pk in saved]
        ).values_list("object_id", flat=True)
    )
    half_saved = [m for pk, m in saved.items() if pk not in with_step or str(pk) not in audited]
    return rows, half_saved


def figures(answers: list[Answer], rows: Counter, *, cut_at: float, restored_at: float) -> dict:
    """What the outage did: answers by status (all, and during the outage), writes acknowledged
    against rows found, and how long after the database came back every answer succeeded."""
    writes = [a for a in answers if a.kind == "write"]
    acknowledged = {a.marker for a in writes if a.status == 201}
    sent = {a.marker for a in writes}
    after = [a for a in answers if a.at >= restored_at]
    failing_after = [a.at for a in after if a.status not in (200, 201)]
    successes_after = [a.at for a in after if a.status in (200, 201)]
    return {
        "requests": len(answers),
        "writes": len(writes),
        "pages": len(answers) - len(writes),
        "statuses": dict(Counter(f"{a.kind} {a.status}" for a in answers)),
        "during_outage": dict(
            Counter(f"{a.kind} {a.status}" for a in answers if cut_at <= a.at < restored_at)
        ),
        "503": sum(a.status == 503 for a in answers),
        "503_details": dict(Counter(f"{a.kind} {a.detail}" for a in answers if a.status == 503)),
        "acknowledged_writes": len(acknowledged),
        "rows_found": sum(rows.values()),
        "acknowledged_missing": sorted(m for m in acknowledged if rows[m] == 0),
        "saved_more_than_once": sorted(m for m, n in rows.items() if n > 1),
        "saved_but_not_acknowledged": sorted(m for m in rows if m not in acknowledged),
        "saved_but_never_sent": sorted(m for m in rows if m not in sent),
        "outage_seconds": round(restored_at - cut_at, 1),
        "first_success_after_restore_s": _since(restored_at, min(successes_after, default=None)),
        "all_succeed_after_restore_s": _since(restored_at, max(failing_after, default=restored_at)),
    }


def _since(start: float, moment: float | None) -> float | None:
    return None if moment is None else round(moment - start, 2)


def wait_for(condition, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what} after {seconds} s")
        time.sleep(0.1)


@contextmanager
def gunicorn(env: dict, port: int, log_path: Path):
    """Linju served as `make serve` does (linju/gunicorn.conf.py) on 127.0.0.1:<port>; yields
    the base URL once /healthz answers. Its output goes to `log_path`."""
    env = {**os.environ, **env, "LINJU_BIND": f"127.0.0.1:{port}"}
    command = [str(Path(sys.executable).parent / "gunicorn"), "-c", "linju/gunicorn.conf.py"]
    with open(log_path, "wb") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:

        def up():
            if server.poll() is not None:
                raise AssertionError(f"gunicorn exited: {log_path.read_text()[-3000:]}")
            return _send(urllib.request.Request(f"{base_url}/healthz"))[0] == 200

        wait_for(up, seconds=90, what="gunicorn to answer /healthz")
        yield base_url
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def booted_workers(log_path: Path) -> int:
    """How many worker processes gunicorn started: more than it was asked for means one died."""
    return log_path.read_text().count("Booting worker with pid")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
