"""A database that cannot be reached answers 503 (core.outage), on both databases.

The database is made unreachable in process by failing every statement the way Django reports a
dropped connection (django.db.OperationalError). The same behaviour against a real PostgreSQL
cut off mid-load, served by gunicorn: tests/faults/test_database_outage.py."""

from contextlib import contextmanager

import pytest
from django.db import OperationalError, ProgrammingError, connection
from django.db.backends.utils import CursorWrapper
from django.test import Client

from linju.core import tokens
from linju.reports.models import Report, Step


@contextmanager
def database_down(monkeypatch, *, error=OperationalError, when=lambda sql: True):
    """Every statement matching `when` fails with `error`, as a dropped connection does."""

    def fail(self, sql, *args, **kwargs):
        if when(sql):
            raise error("server closed the connection unexpectedly")
        return original(self, sql, *args, **kwargs)

    original = CursorWrapper.execute
    with monkeypatch.context() as patch:
        patch.setattr(CursorWrapper, "execute", fail)
        yield


@pytest.fixture
def browser(city):
    client = Client(raise_request_exception=False)
    client.force_login(city.users["owner"])
    return client


@pytest.mark.django_db
def test_a_page_answers_503_with_retry_after(browser, monkeypatch):
    """The session comes from the cache; the user behind it is read from the database by the
    first middleware that asks (outside any view): that error reaches handler500 too."""
    with database_down(monkeypatch):
        response = browser.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"].startswith("text/html")
    assert "<h1>" in response.content.decode()


@pytest.mark.django_db
def test_the_api_answers_503_in_its_error_shape(city, monkeypatch):
    _, key = tokens.create_token(user=city.users["owner"], name="script")
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {key}")
    with database_down(monkeypatch):
        response = client.get("/api/v1/reports")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    body = response.json()
    assert body["code"] == "unavailable" and body["errors"] == [] and body["message"]


@pytest.mark.django_db
def test_the_api_answers_json_when_a_middleware_hits_the_outage(browser, monkeypatch):
    """With a session, the user is loaded by a middleware before ninja runs."""
    with database_down(monkeypatch):
        response = browser.get("/api/v1/reports")
    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"


@pytest.mark.django_db
def test_other_database_errors_stay_500(browser, monkeypatch):
    with database_down(monkeypatch, error=ProgrammingError):
        response = browser.get("/")
    assert response.status_code == 500


@pytest.mark.django_db
def test_healthz_answers_503_without_a_database(client, monkeypatch):
    assert client.get("/healthz").status_code == 200

    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "close_if_health_check_failed", lambda: None)
    monkeypatch.setattr(connection, "ensure_connection", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"ok": False, "database": "unreachable"}
    assert response["Retry-After"] == "10"


@pytest.mark.django_db
def test_a_write_cut_off_midway_leaves_nothing_behind(city, monkeypatch):
    """The connection drops when the report's audit event is written, after the report and its
    first step were inserted: the API says 503 and neither row exists (one transaction)."""
    _, key = tokens.create_token(user=city.users["owner"], name="script")
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {key}")
    payload = {"category": "clutter", "place": city.places["B1"].pk, "description": "纸箱堆满"}
    reports, steps = Report.objects.count(), Step.objects.count()
    inserted = []

    def audit_insert(sql):
        if sql.startswith(('INSERT INTO "reports_report"', 'INSERT INTO "reports_step"')):
            inserted.append(sql.split()[2])
        return sql.startswith('INSERT INTO "core_auditevent"')

    with database_down(monkeypatch, when=audit_insert):
        response = client.post("/api/v1/reports", payload, content_type="application/json")
    assert response.status_code == 503
    assert inserted == ['"reports_report"', '"reports_step"']  # cut off after these two
    assert (Report.objects.count(), Step.objects.count()) == (reports, steps)

    response = client.post("/api/v1/reports", payload, content_type="application/json")
    assert response.status_code == 201  # the same connection works again afterwards
