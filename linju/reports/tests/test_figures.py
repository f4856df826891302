"""Figures per scope, category and month (seed 003: every report answered, time to solve)."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from linju.reports import figures, services

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 4, 30, 17, 0, tzinfo=UTC)  # 2026-05-01 01:00 in Shanghai


def at(hours):
    return time_machine.travel(T0 + timedelta(hours=hours), tick=False)


@pytest.fixture
def history(city, submit):
    """Four reports: accepted on time and resolved and rated 5; accepted late and rated 2;
    rejected on time; one still open and overdue. A fifth in the other community."""
    u = city.users
    with at(0):
        a = submit()
        b = submit(place="B2")
        c = submit()
        d = submit(category="noise")
        submit(user_key="owner_2", place="B3")
    with at(2):
        services.accept_report(user=u["grid_worker"], report=a)
        services.reject_report(user=u["grid_worker"], report=c, reason="不在职责范围")
    with at(30):
        services.accept_report(user=u["community_staff"], report=b)  # 24 h limit: late
    with at(12):
        services.resolve_report(user=u["grid_worker"], report=a, reply="done")
        services.confirm_report(user=u["owner"], report=a, rating=5)
    with at(40):
        services.resolve_report(user=u["community_staff"], report=b, reply="done")
        services.confirm_report(user=u["owner"], report=b, rating=2)
    return {"a": a, "b": b, "c": c, "d": d}


def test_rates_and_times_for_a_community(city, history):
    with at(100):
        f = figures.figures(user=city.users["community_staff"], by="category")
    t = f.total
    assert (t.reports, t.accepted, t.accepted_in_time, t.resolved) == (4, 2, 2, 2)
    assert t.response_rate == 0.5  # a (accepted in time) and c (rejected in time)
    assert t.resolution_rate == 1.0
    assert (t.rated, t.satisfied, t.satisfaction_rate) == (2, 1, 0.5)
    assert t.avg_hours_to_accept == 16.0  # (2 + 30) / 2
    assert t.avg_hours_to_resolve == 10.0  # (10 + 10) / 2
    assert (t.open, t.overdue) == (1, 1)
    assert {r.key: r.reports for r in f.rows} == {"clutter": 3, "noise": 1}


def test_month_rows_use_local_calendar_months(city, history):
    with at(100):
        f = figures.figures(user=city.users["subdistrict_admin"], by="month")
    assert [(r.key, r.reports) for r in f.rows] == [("2026-05", 5)]
    with at(100):
        f = figures.figures(
            user=city.users["subdistrict_admin"], by="month", since=date(2026, 5, 2)
        )
    assert f.total.reports == 0


def test_place_rows_and_scope(city, history):
    with at(100):
        f = figures.figures(
            user=city.users["subdistrict_admin"], by="place", place_path=city.places["S"].path
        )
        assert {r.label: r.reports for r in f.rows} == {"C1": 4, "C2": 1}
        assert figures.figures(user=city.users["owner"]).total.reports == 0
        assert figures.figures(user=city.users["community_staff_2"]).total.reports == 1
        overdue = list(figures.overdue_reports(user=city.users["community_staff"]))
    assert overdue == [history["d"]]
