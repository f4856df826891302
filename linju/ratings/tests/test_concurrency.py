"""Concurrent panellists and managers on PostgreSQL, with real threads and connections (SQLite
has one writer: its IMMEDIATE transactions queue by construction). One panellist saving one
sheet twice at once leaves one sheet; sheets racing the close of scoring land before it or are
refused; two corrections of one mark at once are both kept, in order."""

from decimal import Decimal

import pytest
from django.db import connection, transaction

from linju.core.errors import Conflict, DomainError, Invalid
from linju.core.testing import race
from linju.people.models import User
from linju.ratings.models import Correction, Entry, Round, RoundStatus, Sheet
from linju.ratings.ranking import rank_round
from linju.ratings.services_rounds import (
    close_scoring,
    correct_entry,
    open_round,
    save_sheet,
    start_scoring,
)

from .conftest import marks_for, score


@pytest.fixture
def pg(transactional_db, settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent writers are PostgreSQL's (CI runs it there)")
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def scoring(pg, contested):
    round_ = open_round(user=contested.manager, contest=contested.contest, period="2026-10")
    return start_scoring(user=contested.manager, round_=round_)


def state(mark):
    return {**mark, "points": Decimal(mark["points"])}


def entries_of(sheet):
    return {e.item.code: e.points for e in sheet.entries.select_related("item")}


def test_one_panellist_saving_one_sheet_twice_at_once_leaves_one(contested, scoring):
    judge = contested.panel[1].pk
    target = scoring.targets.first()
    variants = [
        marks_for(scoring.rubric, civility=19, family=18),
        marks_for(scoring.rubric, volunteering=17, disputes=16),
    ]
    results = race(
        *[
            lambda marks=marks: save_sheet(
                user=User.objects.get(pk=judge),
                round_=Round.objects.get(pk=scoring.pk),
                target_id=target.pk,
                marks=marks,
            )
            for marks in variants * 2
        ]
    )
    assert all(isinstance(r, Sheet) for r in results), results
    sheet = Sheet.objects.get(target=target, panellist_id=judge)
    assert sheet.entries.count() == scoring.rubric.items.count()
    # One save's marks whole, never a mix of the two.
    wanted = [{code: Decimal(mark["points"]) for code, mark in m.items()} for m in variants]
    assert entries_of(sheet) in wanted
    assert sheet.total == sum(e.value for e in sheet.entries.all())


def test_sheets_racing_the_close_land_before_it_or_are_refused(contested, scoring):
    targets = list(scoring.targets.order_by("position"))
    marks = marks_for(scoring.rubric, disputes=18)

    def panellist(user_id):
        outcomes = []
        user = User.objects.get(pk=user_id)
        for target in targets:
            try:
                outcomes.append(
                    save_sheet(
                        user=user,
                        round_=Round.objects.get(pk=scoring.pk),
                        target_id=target.pk,
                        marks=marks,
                    )
                )
            except DomainError as exc:
                outcomes.append(exc)
        return outcomes

    def close():
        return close_scoring(
            user=User.objects.get(pk=contested.manager.pk), round_=Round.objects.get(pk=scoring.pk)
        )

    results = race(*[lambda u=p.pk: panellist(u) for p in contested.panel], close)
    closed = results[-1]
    assert isinstance(closed, Round), closed
    round_ = Round.objects.get(pk=scoring.pk)
    assert round_.status == RoundStatus.REVIEW
    saved = 0
    for outcomes in results[:-1]:
        assert isinstance(outcomes, list), outcomes
        for outcome in outcomes:
            if isinstance(outcome, Sheet):
                saved += 1
            else:
                assert isinstance(outcome, Conflict), outcome
                assert outcome.code == "wrong_status"
        # Once refused, every later save of the same panellist is refused too.
        kinds = [isinstance(o, Sheet) for o in outcomes]
        assert kinds == sorted(kinds, reverse=True)
    sheets = Sheet.objects.filter(round=round_)
    assert sheets.count() == saved
    assert not sheets.filter(updated_at__gte=round_.review_at).exists()
    # The ranking made at the close counted every sheet that landed.
    for target in round_.targets.all():
        assert target.sheets == sheets.filter(target=target).count(), target


def test_two_managers_correcting_one_mark_at_once_both_count_in_order(contested, scoring):
    manager = contested.manager
    targets = list(scoring.targets.order_by("position"))
    for i, target in enumerate(targets):
        score(scoring, manager, target, disputes=20 - i % 4)
    close_scoring(user=manager, round_=scoring)
    entry = Sheet.objects.get(target=targets[0], panellist=manager).entries.get(
        item__code="disputes"
    )
    staff = [manager.pk, contested.city.users["subdistrict_admin"].pk]
    results = race(
        *[
            lambda who=who, points=points: correct_entry(
                user=User.objects.get(pk=who), entry=entry.pk, points=points, reason="复核"
            )
            for who, points in zip(staff, (12, 14), strict=True)
        ]
    )
    assert all(isinstance(r, Correction) for r in results), results
    first, second = Correction.objects.filter(entry=entry).order_by("corrected_at", "id")
    assert first.before == {"points": "20.0", "exempt": False, "vetoed": False}
    assert state(second.before) == state(first.after)
    entry = Entry.objects.get(pk=entry.pk)
    assert entry.points == Decimal(second.after["points"])
    assert entry.value == entry.points
    sheet = entry.sheet
    assert sheet.total == sum(e.value for e in sheet.entries.all())

    def ranking():
        return list(
            Round.objects.get(pk=scoring.pk)
            .targets.order_by("pk")
            .values_list("pk", "total", "lost", "rank", "flag")
        )

    stored = ranking()
    with transaction.atomic():
        rank_round(Round.objects.select_related("contest", "rubric").get(pk=scoring.pk))
    assert ranking() == stored


def reviewed_entry(contested):
    manager = contested.manager
    round_ = open_round(user=manager, contest=contested.contest, period="2026-10")
    start_scoring(user=manager, round_=round_)
    for target in round_.targets.all():
        score(round_, manager, target)
    close_scoring(user=manager, round_=round_)
    target = round_.targets.order_by("position").first()
    return Sheet.objects.get(target=target, panellist=manager).entries.get(item__code="disputes")


@pytest.mark.django_db
def test_a_correction_keeps_marks_as_stored(contested):
    """Not a race, but what the race test leans on: a correction's `after` is written the way
    `before` is read back (one decimal place), so the next correction's `before` equals it."""
    manager, entry = contested.manager, reviewed_entry(contested)
    first = correct_entry(user=manager, entry=entry.pk, points=12, reason="复核")
    second = correct_entry(user=manager, entry=entry.pk, points="13.5", reason="再复核")
    assert first.after["points"] == "12.0"
    assert second.before == first.after


@pytest.mark.django_db
def test_a_correction_to_the_mark_it_has_changes_nothing(contested):
    manager, entry = contested.manager, reviewed_entry(contested)
    assert entry.points == 20
    for same in (20, "20", "20.0"):
        with pytest.raises(Invalid) as err:
            correct_entry(user=manager, entry=entry.pk, points=same, reason="同分")
        assert "points" in err.value.errors
    assert not Correction.objects.filter(entry=entry).exists()
