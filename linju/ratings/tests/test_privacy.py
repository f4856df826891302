"""PIPL: what ratings holds about a person in their data download, and what deleting the
account does — sheets kept (governance records) without the name, comments' text removed,
panel seats ended, awards kept for the household without naming the person."""

import json
from decimal import Decimal

import pytest
from django.utils import timezone

from linju.core import privacy as core_privacy
from linju.people.services import delete_account
from linju.places.models import Household
from linju.ratings import privacy
from linju.ratings.models import (
    Award,
    AwardKind,
    HeadDuty,
    Panellist,
    RubricComment,
    Sheet,
)
from linju.ratings.services_rounds import open_round, start_scoring
from linju.ratings.services_rubrics import comment_rubric, copy_rubric, put_to_residents

from .conftest import score

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(contested):
    """The owner sits for the residents: two sheets, a comment on a draft, an award of their
    household and a head's award in their name."""
    c = contested
    owner = c.city.users["owner"]
    round_ = open_round(user=c.manager, contest=c.contest, period="2026-10")
    start_scoring(user=c.manager, round_=round_)
    targets = list(round_.targets.all()[:2])
    score(round_, owner, targets[0], disputes={"points": "18", "note": "楼上楼下吵过一次"})
    score(round_, owner, targets[1])
    score(round_, c.panel[0], targets[0])
    draft = copy_rubric(user=c.manager, rubric=c.rubric)
    put_to_residents(user=c.manager, rubric=draft, raise_topic=False)
    comment_rubric(user=owner, rubric=draft, text="我家楼道放的是轮椅，请别扣分")
    comment_rubric(user=c.city.users["tenant"], rubric=draft, text="赞成")
    home = Household.objects.get(residencies__user=owner, residencies__status="verified")
    for kind, user in ((AwardKind.FLAGS, None), (AwardKind.HEAD, owner)):
        Award.objects.create(
            contest=c.contest,
            year=2025,
            kind=kind,
            household=home,
            unit=home.unit,
            user=user,
            percent=Decimal(10),
            area=home.area,
            amount_fen=9000,
        )
    HeadDuty.objects.create(contest=c.contest, year=2025, user=owner, note="按时巡楼")
    return c, owner, round_


def test_the_download_lists_sheets_comments_seats_and_awards(history):
    c, owner, round_ = history
    data = core_privacy.export(owner)["ratings"]
    json.dumps(data)  # the download is JSON
    assert "保留" in data["score_sheets_kept"]  # says, in the reader's language, they are kept
    assert [s["target"] for s in data["score_sheets"]] == [
        t.label for t in round_.targets.all()[:2]
    ]
    first = data["score_sheets"][0]
    assert first["round"] == str(round_)
    disputes = next(m for m in first["marks"] if m["item"] == "矛盾纠纷")
    assert (disputes["points"], disputes["note"]) == ("18.0", "楼上楼下吵过一次")
    assert len(first["marks"]) == c.rubric.items.count()
    assert [x["text"] for x in data["rubric_comments"]] == ["我家楼道放的是轮椅，请别扣分"]
    assert [(s["contest"], s["until"]) for s in data["panel_seats"]] == [(c.contest.name, None)]
    assert sorted(a["why"] for a in data["awards"]) == sorted(
        [str(AwardKind.FLAGS.label), str(AwardKind.HEAD.label)]
    )
    assert data["head_duties"][0]["note"] == "按时巡楼"
    # Another person's download holds none of it.
    other = privacy.export(c.city.users["tenant"])
    assert other["score_sheets"] == [] and other["awards"] == []
    assert [x["text"] for x in other["rubric_comments"]] == ["赞成"]


def test_deleting_the_account_keeps_the_records_without_the_person(history):
    c, owner, round_ = history
    owner.set_password("pw-owner-1")
    owner.save()
    delete_account(user=owner, password="pw-owner-1")
    # Sheets are governance records: kept, totals unchanged.
    assert Sheet.objects.filter(panellist=owner).count() == 2
    assert Sheet.objects.filter(round=round_).count() == 3
    comments = dict(RubricComment.objects.values_list("user_id", "text"))
    assert comments[owner.pk] == ""
    assert comments[c.city.users["tenant"].pk] == "赞成"
    seat = Panellist.objects.get(user=owner)
    assert seat.until == timezone.localdate()
    awards = Award.objects.order_by("kind")
    assert [a.user_id for a in awards] == [None, None]
    assert sum(a.amount_fen for a in awards) == 18000
    assert HeadDuty.objects.get(user=owner).note == ""
    assert Panellist.objects.filter(user=c.panel[0], until__isnull=True).exists()
