"""The demo ratings (linju.ratings.demo) on the people demo at a small scale: the consulted and
adopted rubric, the four-party contest, four months published (flags, a veto, a pram exempt, a
correction with its reason), the current month in scoring with one panellist late, the party
committee's star rating, a second version as a draft; loaded once, a second run changes
nothing."""

from collections import Counter

import pytest
from django.utils import timezone

from linju.core.models import AuditEvent
from linju.people import demo as people_demo
from linju.ratings import demo
from linju.ratings.models import (
    CONTEST_PARTIES,
    Contest,
    Correction,
    Entry,
    Purpose,
    Round,
    RoundStatus,
    Rubric,
    RubricComment,
    RubricStatus,
    Sheet,
)
from linju.ratings.queries import late_panellists, progress

pytestmark = pytest.mark.django_db

SMALL = 0.05  # one building per estate, as the people demo's tests use


@pytest.fixture
def loaded(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    assert demo.load_demo() is None  # no demo community yet: nothing to do
    people_demo.load_demo(scale=SMALL)
    return demo.load_demo()


def test_the_demo_loads_once(loaded):
    assert loaded["contests"] == 2
    assert loaded["rating_rounds"] == demo.PAST_MONTHS + 2
    assert loaded["score_sheets"] == Sheet.objects.count()
    events = AuditEvent.objects.count()
    assert demo.load_demo() is None
    assert AuditEvent.objects.count() == events
    assert Round.objects.count() == demo.PAST_MONTHS + 2


def test_the_rubric_was_put_to_the_residents_and_adopted(loaded):
    contest = Contest.objects.get(purpose=Purpose.CONTEST)
    adopted = contest.rubric
    assert (adopted.status, adopted.version, adopted.place_id) == (
        RubricStatus.ADOPTED,
        1,
        contest.place_id,
    )
    assert adopted.topic is not None and adopted.topic.path == contest.path
    comments = RubricComment.objects.filter(rubric=adopted)
    assert comments.count() == 2
    assert {c.item.code for c in comments} == {"flying_wire", "hygiene"}
    assert adopted.created_at < adopted.adopted_at < contest.created_at
    draft = Rubric.objects.get(code=adopted.code, version=2)
    assert draft.status == RubricStatus.DRAFT
    assert "助行器" in draft.items.get(code="hygiene").exemptions
    assert "助行器" not in adopted.items.get(code="hygiene").exemptions


def test_four_months_published_and_this_month_scoring(loaded):
    contest = Contest.objects.get(purpose=Purpose.CONTEST)
    assert sorted(contest.panellists.values_list("party", flat=True)) == sorted(CONTEST_PARTIES)
    rounds = list(contest.rounds.order_by("period_start"))
    today = timezone.localdate()
    assert [r.status for r in rounds] == [RoundStatus.LOCKED] * 3 + [
        RoundStatus.PUBLISHED,
        RoundStatus.SCORING,
    ]
    assert rounds[-1].period_start == today.replace(day=1)
    for r in rounds[:-1]:
        assert r.published_at < timezone.now()
        assert r.targets.filter(flag=True).exists()
        assert r.sheets.count() == 4 * r.targets.count()
        assert r.period_start < r.published_at.date()
    # One unit vetoed for flying-wire charging, out of the flags.
    vetoed = [t for r in rounds for t in r.targets.filter(vetoed=True)]
    assert len(vetoed) == 1 and not vetoed[0].flag and vetoed[0].total == 0
    # A pram that is not clutter, and a wheelchair's deduction corrected with its reason.
    assert Entry.objects.filter(exempt=True, note__contains="婴儿车", photo__gt="").exists()
    correction = Correction.objects.get()
    assert "轮椅" in correction.reason
    assert correction.before["exempt"] is False and correction.after["exempt"] is True
    # This month: scoring was due yesterday; the property company's panellist is late.
    current = rounds[-1]
    assert current.due_on < today
    late = late_panellists(current)
    assert [p["party"] for p in late] == ["property"]
    assert [row["late"] for row in progress(current)].count(True) == 1


def test_the_party_committees_star_rating(loaded):
    stars = Contest.objects.get(purpose=Purpose.STARS)
    assert stars.rubric.status == RubricStatus.ADOPTED and stars.rubric.bands.count() == 5
    round_ = stars.rounds.get()
    assert round_.period_start.year == timezone.localdate().year - 1
    assert round_.status in (RoundStatus.PUBLISHED, RoundStatus.LOCKED)
    targets = list(round_.targets.all())
    assert targets and all(t.member_id for t in targets)
    given = Counter(t.stars for t in targets)
    assert None not in given and len(given) >= 2
    assert not round_.targets.filter(flag=True).exists()
