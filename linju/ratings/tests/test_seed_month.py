"""Seed 001 replayed: a month of 南国新家园's contest — 12 units, the four parties' panel, a
veto for flying-wire charging, a pram that is not clutter — ranked, corrected, published."""

import io
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from linju.core.errors import Conflict, Forbidden, Invalid
from linju.core.models import AuditEvent, Notification
from linju.deliberation.models import Publication
from linju.ratings.models import Aggregation, Correction, RoundStatus
from linju.ratings.services_rounds import (
    close_scoring,
    correct_entry,
    lock_due_rounds,
    open_round,
    publish_round,
    reopen_review,
    save_sheet,
    start_scoring,
)

from .conftest import marks_for, score

pytestmark = pytest.mark.django_db


def photo():
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, "JPEG")
    return SimpleUploadedFile("evidence.jpg", out.getvalue(), content_type="image/jpeg")


def with_photo(points=None, **fields):
    mark = {"photo": photo(), **fields}
    if points is not None:
        mark["points"] = str(points)
    return mark


def month_scored(contested, aggregation=Aggregation.MEAN):
    contested.contest.aggregation = aggregation
    contested.contest.save()
    round_ = open_round(user=contested.manager, contest=contested.contest, period="2026-10")
    start_scoring(user=contested.manager, round_=round_)
    targets = {t.place_id: t for t in round_.targets.all()}
    t = [targets[u.pk] for u in contested.units]
    for i, judge in enumerate(contested.panel):
        score(round_, judge, t[0], university=with_photo(5))
        score(round_, judge, t[1], hygiene=with_photo(18) if i == 0 else 20)
        score(round_, judge, t[2], flying_wire=with_photo(vetoed=True) if i == 3 else 0)
        score(round_, judge, t[3], hygiene=with_photo(20, exempt=True, note="婴儿车"))
        score(round_, judge, t[4], civility=18, university=with_photo(2))
        score(round_, judge, t[5], hygiene=with_photo(19))
        score(round_, judge, t[6], civility=19)
        score(round_, judge, t[7], disputes=15)
        score(round_, judge, t[8], disputes=15)
        score(round_, judge, t[9], uncivil=with_photo(4) if i < 2 else 0)
        score(round_, judge, t[10], volunteering=10)
        score(round_, judge, t[11], family=12)
    return round_, t


def results(targets):
    out = []
    for t in targets:
        t.refresh_from_db()
        out.append((t.rank, t.total, t.flag, t.vetoed))
    return out


def test_the_month_ranks_as_the_seed_rules_say(contested):
    round_, t = month_scored(contested)
    close_scoring(user=contested.manager, round_=round_)
    assert results(t) == [
        (1, Decimal("105.00"), True, False),  # a student admitted to university
        (4, Decimal("99.50"), False, False),  # one panellist took half a point
        (12, Decimal("0.00"), False, True),  # one vote vetoes: flying-wire charging
        (2, Decimal("100.00"), True, False),  # the pram is not clutter
        (3, Decimal("100.00"), True, False),  # same total, more deducted: after the pram
        (6, Decimal("99.00"), False, False),  # lost on hygiene: after the next one
        (5, Decimal("99.00"), False, False),  # same total and deductions, better hygiene
        (8, Decimal("95.00"), False, False),  # shared: nothing tells these two apart
        (8, Decimal("95.00"), False, False),
        (7, Decimal("98.00"), False, False),  # two of four deducted 4: the mean is 2
        (11, Decimal("90.00"), False, False),
        (10, Decimal("92.00"), False, False),
    ]


def test_the_trimmed_mean_drops_the_harshest_and_the_kindest_mark(contested):
    round_, t = month_scored(contested, Aggregation.TRIMMED)
    close_scoring(user=contested.manager, round_=round_)
    ranks = results(t)
    # The one 18 on hygiene is dropped: unit 2 ties the pram's unit, and three get flags.
    assert ranks[1] == (2, Decimal("100.00"), True, False)
    assert ranks[3] == (2, Decimal("100.00"), True, False)
    assert ranks[4] == (4, Decimal("100.00"), False, False)
    # Two deductions of 4 and two of 0: one of each dropped, the mean is still 2.
    assert ranks[9][1] == Decimal("98.00")
    assert ranks[2] == (12, Decimal("0.00"), False, True)


def test_a_correction_needs_a_reason_is_kept_and_reranks(contested):
    round_, t = month_scored(contested)
    close_scoring(user=contested.manager, round_=round_)
    entry = t[1].scoresheets.get(panellist=contested.panel[0]).entries.get(item__code="hygiene")
    with pytest.raises(Invalid) as err:
        correct_entry(user=contested.manager, entry=entry, points=20, reason="")
    assert "reason" in err.value.errors
    correct_entry(
        user=contested.manager,
        entry=entry,
        points=20,
        exempt=True,
        reason="核实为轮椅，不计杂物",
    )
    correction = Correction.objects.get()
    assert correction.before == {"points": "18.0", "exempt": False, "vetoed": False}
    assert correction.after["exempt"] is True
    assert AuditEvent.objects.filter(verb="ratings.correct").count() == 1
    t[1].refresh_from_db()
    assert (t[1].rank, t[1].total, t[1].flag) == (2, Decimal("100.00"), True)


def test_publishing_puts_the_ranking_on_the_board_and_the_sweep_locks_it(
    contested, django_capture_on_commit_callbacks
):
    round_, _targets = month_scored(contested)
    with pytest.raises(Conflict):
        publish_round(user=contested.manager, round_=round_)  # still scoring
    close_scoring(user=contested.manager, round_=round_)
    with django_capture_on_commit_callbacks(execute=True):
        publish_round(user=contested.manager, round_=round_)
    # The tenant of the first unit (a flag holder; not on the panel) hears of the flag, the
    # panel that the ranking is out, a resident of the other community nothing.
    told = Notification.objects.filter(kind="ratings.result")
    assert told.filter(recipient=contested.city.users["tenant"]).count() == 1
    assert set(told.values_list("recipient_id", flat=True)) >= {p.pk for p in contested.panel}
    assert not told.filter(recipient=contested.city.users["owner_2"]).exists()
    notice = Publication.objects.get(kind=Publication.Kind.RATING)
    assert notice.path == contested.contest.path
    assert contested.units[0].full_name in notice.body.splitlines()[0]
    reopen_review(user=contested.manager, round_=round_, reason="居民对3号单元提出异议")
    publish_round(user=contested.manager, round_=round_)
    # Published again: the board still holds one notice for the month, the corrected one.
    assert Publication.objects.filter(kind=Publication.Kind.RATING).count() == 1
    round_.refresh_from_db()
    with time_machine.travel(round_.published_at, tick=False) as traveller:
        traveller.shift(86_400 * 8)
        assert lock_due_rounds() == 1
    round_.refresh_from_db()
    assert round_.status == RoundStatus.LOCKED


def test_marks_are_checked_item_by_item(contested, django_capture_on_commit_callbacks):
    round_ = open_round(user=contested.manager, contest=contested.contest, period="2026-10")
    target = round_.targets.first()
    judge = contested.panel[1]
    with pytest.raises(Conflict):
        score(round_, judge, target)  # not scoring yet
    start_scoring(user=contested.manager, round_=round_)
    cases = [
        ({"hygiene": 21}, "marks.hygiene.points"),
        ({"hygiene": "19.3"}, "marks.hygiene.points"),
        ({"hygiene": "abc"}, "marks.hygiene.points"),
        ({"hygiene": 18}, "marks.hygiene.photo"),  # evidence required for a deduction
        ({"civility": {"exempt": True}}, "marks.civility.exempt"),  # no exemption there
        ({"flying_wire": {"vetoed": True}}, "marks.flying_wire.photo"),
        ({"disputes": {"vetoed": True}}, "marks.disputes.vetoed"),
    ]
    for changes, field in cases:
        with pytest.raises(Invalid) as err:
            score(round_, judge, target, **changes)
        assert field in err.value.errors, (changes, err.value.errors)
    marks = marks_for(round_.rubric)
    del marks["family"]
    with pytest.raises(Invalid) as err:
        save_sheet(user=judge, round_=round_, target_id=target.pk, marks=marks)
    assert "marks.family" in err.value.errors
    assert not target.scoresheets.exists()
    with pytest.raises(Forbidden):
        score(round_, contested.city.users["tenant"], target)
    sheet = score(round_, judge, target, hygiene=with_photo(19))
    assert (sheet.total, sheet.lost) == (Decimal("99.0"), Decimal("1.0"))
    # Saving again with "keep" keeps the photo and replaces the marks.
    again = score(round_, judge, target, hygiene={"points": "19", "photo": "keep"})
    assert again.pk == sheet.pk
    photo_file = again.entries.get(item__code="hygiene").photo
    assert photo_file and photo_file.storage.exists(photo_file.name)
    # Full marks need no evidence: the photo is dropped, and its file once the marks are stored.
    with django_capture_on_commit_callbacks(execute=True):
        score(round_, judge, target)
    assert not again.entries.get(item__code="hygiene").photo
    assert not photo_file.storage.exists(photo_file.name)


def test_the_panel_needs_all_four_parties(contested):
    contested.contest.panellists.filter(party="property").update(until="2026-01-01")
    with pytest.raises(Conflict) as err:
        open_round(user=contested.manager, contest=contested.contest, period="2026-10")
    assert err.value.code == "panel_incomplete"
