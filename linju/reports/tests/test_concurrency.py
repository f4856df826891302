"""Concurrent writers on one report, with real threads and connections on PostgreSQL (SQLite
has a single writer: IMMEDIATE transactions queue there by construction). Each service locks
the report row first, so racing staff and sweeps never apply a step twice."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from conftest import build_city
from linju.core.errors import DomainError
from linju.core.testing import race
from linju.reports import services
from linju.reports.models import Report, Status, Step, StepKind, Supporter


@pytest.fixture
def pg_city(transactional_db, settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent writers are PostgreSQL's (CI runs it there)")
    settings.MEDIA_ROOT = tmp_path
    return build_city()


def new_report(city, **kw):
    return services.submit_report(
        user=city.users["owner"],
        category_code="clutter",
        place_id=city.places["B1"].pk,
        description="纸箱",
        **kw,
    )


def test_two_staff_accept_at_once_one_wins(pg_city):
    report = new_report(pg_city)
    u = pg_city.users
    results = race(
        lambda: services.accept_report(user=u["grid_worker"], report=report.pk),
        lambda: services.accept_report(user=u["community_staff"], report=report.pk),
    )
    wins = [r for r in results if isinstance(r, Report)]
    losses = [r for r in results if isinstance(r, DomainError)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert losses[0].code == "wrong_status"
    assert Step.objects.filter(report=report, kind=StepKind.ACCEPTED).count() == 1


def test_many_me_too_at_once_count_every_one(pg_city):
    report = new_report(pg_city)
    from linju.people.models import User

    people = [User.objects.create_user(f"1370000{i:04d}", "pass-Word-9") for i in range(8)]
    # They live nowhere, but a public report may be backed by anyone who sees it.
    results = race(*[lambda p=p: services.support_report(user=p, report=report.pk) for p in people])
    assert all(isinstance(r, Report) for r in results), results
    report.refresh_from_db()
    assert report.supporter_count == Supporter.objects.filter(report=report).count() == 8


def test_two_sweeps_escalate_each_report_once(pg_city):
    reports = [new_report(pg_city) for _ in range(5)]
    later = timezone.now() + timedelta(days=2)
    results = race(
        lambda: services.sweep_overdue(now=later), lambda: services.sweep_overdue(now=later)
    )
    assert sum(results) == 5, results
    assert Step.objects.filter(kind=StepKind.AUTO_ESCALATED).count() == 5
    assert set(Report.objects.values_list("escalations", flat=True)) == {1}
    assert {r.pk for r in reports} == set(Report.objects.values_list("pk", flat=True))


def test_sweep_and_a_manual_accept_do_not_both_apply_to_stale_state(pg_city):
    report = new_report(pg_city)
    later = timezone.now() + timedelta(days=2)
    u = pg_city.users
    race(
        lambda: services.sweep_overdue(now=later),
        lambda: services.accept_report(user=u["community_staff"], report=report.pk),
    )
    report.refresh_from_db()
    kinds = list(report.steps.values_list("kind", flat=True))
    # Either order is fine; what must hold is a consistent row and timeline.
    if kinds[1] == StepKind.ACCEPTED:
        assert report.status in (Status.ACCEPTED,) and report.escalations in (0, 1)
    else:
        assert kinds[1] == StepKind.AUTO_ESCALATED
    assert kinds.count(StepKind.ACCEPTED) <= 1
    assert kinds.count(StepKind.AUTO_ESCALATED) <= 1
