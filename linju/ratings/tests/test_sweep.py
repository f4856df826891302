"""manage.py sweep_ratings: late panellists of an overdue round are reminded once, published
rounds are locked once their objection days are over; run again, it finds nothing to do."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from linju.core.models import Notification
from linju.ratings.models import Round, RoundStatus
from linju.ratings.services_rounds import (
    close_scoring,
    objection_days,
    open_round,
    publish_round,
    start_scoring,
)

from .conftest import score

pytestmark = pytest.mark.django_db


def sweep(verbosity=1) -> str:
    out = io.StringIO()
    call_command("sweep_ratings", verbosity=verbosity, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_late_panellists_are_reminded_once(contested, django_capture_on_commit_callbacks):
    c = contested
    round_ = open_round(user=c.manager, contest=c.contest, period=timezone.localdate())
    start_scoring(user=c.manager, round_=round_)
    targets = list(round_.targets.all())
    community, property_, owners, resident = c.panel
    for target in targets:
        score(round_, community, target)
        score(round_, owners, target)
    score(round_, resident, targets[0])  # one sheet of twelve
    Notification.objects.all().delete()
    assert "reminded 0 panellists, locked 0 rounds" in sweep()  # not due yet
    with (
        time_machine.travel(timezone.now() + timedelta(days=40), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert "reminded 2 panellists, locked 0 rounds" in sweep()
        assert "reminded 0 panellists" in sweep()
    reminded = set(
        Notification.objects.filter(kind="ratings.panel").values_list("recipient_id", flat=True)
    )
    assert reminded == {property_.pk, resident.pk}
    assert Round.objects.get(pk=round_.pk).reminded_at is not None


def test_published_rounds_lock_after_the_objection_days(contested):
    c = contested
    round_ = open_round(user=c.manager, contest=c.contest, period="2026-10")
    start_scoring(user=c.manager, round_=round_)
    for target in round_.targets.all():
        for judge in c.panel:
            score(round_, judge, target)
    close_scoring(user=c.manager, round_=round_)
    publish_round(user=c.manager, round_=round_)
    round_.refresh_from_db()
    days = objection_days()
    with time_machine.travel(round_.published_at + timedelta(days=days - 1), tick=False):
        assert "locked 0 rounds" in sweep()
    assert Round.objects.get(pk=round_.pk).status == RoundStatus.PUBLISHED
    with time_machine.travel(round_.published_at + timedelta(days=days, hours=1), tick=False):
        assert "locked 1 rounds" in sweep()
        assert "locked 0 rounds" in sweep()
    round_.refresh_from_db()
    assert round_.status == RoundStatus.LOCKED
    assert round_.locked_at is not None


def test_quiet_sweep_prints_nothing(contested):
    assert sweep(verbosity=0) == ""
