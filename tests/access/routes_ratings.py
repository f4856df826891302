"""Ratings (评比): contests, rounds, scoring, evidence, the year's awards and their export,
rubrics; /api/v1/ratings. Rules: linju/ratings/rules.py and docs/ratings.md — community staff
and the subdistrict manage (ratings.manage); staff of the scope follow rounds
(ratings.view); a unit contest and its published rounds are public to the residents of its
scope (`covers_home`); only a round's frozen panel scores; an evidence photo is for the
panellist who took it and the followers."""

from datetime import date

from django.utils import timezone

from linju.ratings import defaults
from linju.ratings.models import Entry, Party
from linju.ratings.services_awards import confirm_awards
from linju.ratings.services_rounds import (
    add_panellist,
    close_scoring,
    create_contest,
    open_round,
    publish_round,
    save_sheet,
    start_scoring,
)
from linju.ratings.services_rubrics import adopt_rubric, copy_rubric, put_to_residents
from linju.ratings.tests.conftest import marks_for
from linju.reports.tests.conftest import upload

from .policy import Anywhere, At, Home, Is, LoggedIn, Nobody, Perm
from .spec import Lit, Route
from .world import Thing, makes, marker, person, twin

APP = "ratings"


def last_year() -> int:
    return timezone.localdate().year - 1


@makes("contest", "round", "target", "entry", "panellist", "rubric", "rubric_item", again=True)
def ratings_made(w, side, suffix):
    """The unit contest of E1 (E2) with its four-party panel (the owner sits for the
    residents); its round of last December scored — the owner's sheet for U1 (U3) carries an
    evidence photo — published, and the year's awards confirmed; and a rubric draft put to the
    residents of the estate."""
    staff = w.user(person(side, "community_staff"))
    estate = w.place(twin(side, "E1"))
    rubric = copy_rubric(user=staff, rubric=defaults.template(defaults.CONTEST), place_id=estate.pk)
    adopt_rubric(user=staff, rubric=rubric)
    contest = create_contest(
        user=staff,
        place_id=estate.pk,
        name=marker("contest", side, suffix),
        rubric_id=rubric.pk,
        fee_fen_per_sqm_month=100,
    )
    seats = {}
    for key, party in [
        ("community_staff", Party.COMMUNITY),
        ("property_manager", Party.PROPERTY),
        ("owners_committee", Party.OWNERS_COMMITTEE),
        ("owner", Party.RESIDENTS),
    ]:
        seats[key] = add_panellist(
            user=staff, contest=contest, person_id=w.user(person(side, key)).pk, party=party
        )
    year = last_year()
    round_ = open_round(user=staff, contest=contest, period=date(year, 12, 1))
    start_scoring(user=staff, round_=round_)
    for target in round_.targets.all():
        save_sheet(user=staff, round_=round_, target_id=target.pk, marks=marks_for(round_.rubric))
    target = round_.targets.get(place=w.place(twin(side, "U1")))
    item = round_.rubric.items.order_by("pk").first()
    photo = {"photo": upload(size=(64, 48))}
    owner = w.user(person(side, "owner"))
    sheet = save_sheet(
        user=owner,
        round_=round_,
        target_id=target.pk,
        marks=marks_for(round_.rubric, **{item.code: photo}),
    )
    close_scoring(user=staff, round_=round_)
    publish_round(user=staff, round_=round_)
    if not suffix:
        confirm_awards(user=staff, contest=contest, year=year)
    draft = copy_rubric(user=staff, rubric=defaults.template(defaults.CONTEST), place_id=estate.pk)
    type(draft).objects.filter(pk=draft.pk).update(name=marker("rubric", side, suffix))
    draft = put_to_residents(user=staff, rubric=draft, raise_topic=False)
    where = twin(side, "E1")
    panel = {
        "panellist": person(side, "owner"),
        "panel": tuple(
            person(side, k)
            for k in ("community_staff", "property_manager", "owners_committee", "owner")
        ),
    }
    return {
        "contest": Thing(contest, where, panel),
        "round": Thing(round_, where, panel),
        "target": Thing(target, where, panel),
        "entry": Thing(Entry.objects.get(sheet=sheet, item=item), where, panel),
        "panellist": Thing(seats["owner"], where, panel),
        "rubric": Thing(draft, where),
        "rubric_item": Thing(draft.items.order_by("pk").first(), where),
    }


MANAGE = Perm("ratings.manage")
FOLLOW = Perm("ratings.view")
DESK = Anywhere("ratings.view")
# A unit contest and its published rounds: staff of the scope and the residents whose home it
# covers (a liaison's served households count); the panel sees its rounds.
CONTEST_SEEN = FOLLOW | Home(served=True)
ROUND_SEEN = CONTEST_SEEN | Is("panel")
# A rubric draft put to the residents: its staff and the residents of its scope.
RUBRIC_SEEN = FOLLOW | Home(served=True)
EVIDENCE = Is("panellist") | FOLLOW
ITEM = {"code": "axm", "title": "x", "kind": "score", "max_points": "5"}


def _contest(rule, **kw):
    kw.setdefault("seen", CONTEST_SEEN)
    return Route(rule, params={"contest_id": "contest"}, **kw)


def _round(rule, **kw):
    kw.setdefault("seen", ROUND_SEEN)
    return Route(rule, params={"round_id": "round"}, **kw)


def _rubric(rule, **kw):
    kw.setdefault("seen", RUBRIC_SEEN)
    return Route(rule, params={"rubric_id": "rubric"}, **kw)


PAGES = {
    "ratings/": Route(
        LoggedIn(),
        shows={"contest": CONTEST_SEEN},
        why="resident-facing: the contests where the person lives (and of their scope)",
    ),
    "ratings/desk/": Route(
        DESK,
        shows={"contest": FOLLOW},
        post=Anywhere("ratings.manage"),
        data=lambda w, s: {"action": "create", "name": "x"},
        refused=(200, 403),
        why="the staff desk of the scope",
    ),
    "ratings/contests/<int:pk>/": Route(
        CONTEST_SEEN,
        params={"pk": "contest"},
        post=MANAGE,
        data=lambda w, s: {"action": "update", "name": "x"},
        why="a contest for whoever sees it; managing it is for managers",
    ),
    "ratings/places/<int:pk>/": Route(
        At("E", CONTEST_SEEN),
        params={"pk": "unit"},
        why="a unit's results in the published rounds the person sees (its estate's contest)",
    ),
    "ratings/contests/<int:pk>/awards/<int:year>/": Route(
        MANAGE,
        params={"pk": "contest", "year": Lit(last_year())},
        seen=CONTEST_SEEN,
        post=MANAGE,
        data=lambda w, s: {"action": "confirm"},
        shows={"unit": MANAGE},
        why="the year's awards: managers",
    ),
    "ratings/contests/<int:pk>/awards/<int:year>.xlsx": Route(
        MANAGE,
        params={"pk": "contest", "year": Lit(last_year())},
        shows={"unit": MANAGE},
        why="the awards' export (XLSX): managers",
    ),
    "ratings/rounds/<int:pk>/": Route(
        ROUND_SEEN,
        params={"pk": "round"},
        post=MANAGE,
        data=lambda w, s: {"action": "lock"},
        why="a published round for whoever sees it; acting on it is for managers",
    ),
    "ratings/rounds/<int:pk>/evidence/<int:entry>/": Route(
        EVIDENCE, params={"pk": "round", "entry": "entry"}, why="an evidence photo"
    ),
    "ratings/rounds/<int:pk>/score/": Route(
        Is("panel"),
        params={"pk": "round"},
        seen=ROUND_SEEN,
        why="the round's panel (this round is published: the page says scoring is closed)",
    ),
    "ratings/rounds/<int:pk>/score/<int:target>/": Route(
        Is("panel"),
        params={"pk": "round", "target": "target"},
        seen=ROUND_SEEN,
        why="the round's panel (this round is published: the page says scoring is closed)",
    ),
    "ratings/rubrics/": Route(
        LoggedIn(),
        shows={"rubric": RUBRIC_SEEN},
        post=Anywhere("ratings.manage"),
        data=lambda w, side: {"action": "create", "place": w.obj("estate", side).pk, "name": "x"},
        post_kind="estate",
        refused=(200, 403),
        why="templates for all; the scope's rubrics; drafts put to the residents",
    ),
    "ratings/rubrics/<int:pk>/": Route(
        RUBRIC_SEEN,
        params={"pk": "rubric"},
        post=MANAGE,
        data=lambda w, s: {"action": "adopt"},
        refused=(200, 302, 403),
        why="a draft: its staff and residents read it; managers change it",
    ),
    "ratings/rubrics/<int:pk>/items/new/": Route(
        MANAGE,
        params={"pk": "rubric"},
        seen=RUBRIC_SEEN,
        post=MANAGE,
        data=lambda w, s: {"name": "x"},
    ),
    "ratings/rubrics/<int:pk>/items/<int:item>/": Route(
        MANAGE,
        params={"pk": "rubric", "item": "rubric_item"},
        seen=RUBRIC_SEEN,
        post=MANAGE,
        data=lambda w, s: {"name": "x"},
    ),
}

API = {
    "GET /ratings/rubrics": Route(LoggedIn(), shows={"rubric": RUBRIC_SEEN}),
    "POST /ratings/rubrics": Route(
        MANAGE,
        kind="estate",
        data=lambda w, side: {"place": w.obj("estate", side).pk, "purpose": "contest", "name": "x"},
        refused=(403,),
    ),
    "GET /ratings/rubrics/{rubric_id}": _rubric(RUBRIC_SEEN),
    "PATCH /ratings/rubrics/{rubric_id}": _rubric(MANAGE, data=lambda w, s: {"name": "y"}),
    "POST /ratings/rubrics/{rubric_id}/copy": _rubric(MANAGE, data=lambda w, s: {}),
    "POST /ratings/rubrics/{rubric_id}/items": _rubric(MANAGE, data=lambda w, s: ITEM),
    "PUT /ratings/rubrics/{rubric_id}/items/{item_id}": Route(
        MANAGE,
        params={"rubric_id": "rubric", "item_id": "rubric_item"},
        seen=RUBRIC_SEEN,
        data=lambda w, s: ITEM,
    ),
    "DELETE /ratings/rubrics/{rubric_id}/items/{item_id}": Route(
        MANAGE, params={"rubric_id": "rubric", "item_id": "rubric_item"}, seen=RUBRIC_SEEN
    ),
    "PUT /ratings/rubrics/{rubric_id}/bands": _rubric(MANAGE, data=lambda w, s: {"bands": []}),
    "POST /ratings/rubrics/{rubric_id}/consult": _rubric(MANAGE, data=lambda w, s: {}),
    "GET /ratings/rubrics/{rubric_id}/comments": _rubric(RUBRIC_SEEN),
    "POST /ratings/rubrics/{rubric_id}/comments": _rubric(
        RUBRIC_SEEN, data=lambda w, s: {"text": "x"}, why="the draft is put to its residents"
    ),
    "POST /ratings/rubrics/{rubric_id}/adopt": _rubric(MANAGE),
    "GET /ratings/contests": Route(LoggedIn(), shows={"contest": CONTEST_SEEN}),
    "POST /ratings/contests": Route(
        MANAGE,
        kind="estate",
        data=lambda w, side: {
            "place": w.obj("estate", side).pk,
            "name": "x",
            "rubric": w.obj("contest", side).rubric_id,
        },
        refused=(403,),
    ),
    "GET /ratings/contests/{contest_id}": _contest(CONTEST_SEEN),
    "PATCH /ratings/contests/{contest_id}": _contest(MANAGE, data=lambda w, s: {"name": "y"}),
    "GET /ratings/contests/{contest_id}/panellists": _contest(FOLLOW),
    "POST /ratings/contests/{contest_id}/panellists": _contest(
        MANAGE,
        data=lambda w, side: {
            "user_id": w.user(person(side, "community_staff")).pk,
            "party": "community",
        },
    ),
    "POST /ratings/contests/{contest_id}/panellists/{panellist_id}/end": Route(
        MANAGE, params={"contest_id": "contest", "panellist_id": "panellist"}, seen=CONTEST_SEEN
    ),
    "GET /ratings/contests/{contest_id}/flags": _contest(CONTEST_SEEN),
    "GET /ratings/contests/{contest_id}/leaderboard": _contest(
        CONTEST_SEEN, query=lambda w, s: {"year": last_year()}
    ),
    "GET /ratings/contests/{contest_id}/awards/{year}/draft": Route(
        FOLLOW, params={"contest_id": "contest", "year": Lit(last_year())}, seen=CONTEST_SEEN
    ),
    "PUT /ratings/contests/{contest_id}/awards/{year}/heads/{user_id}": Route(
        MANAGE,
        params={"contest_id": "contest", "year": Lit(last_year()), "user_id": "head"},
        seen=CONTEST_SEEN,
        data=lambda w, s: {"fulfilled": True},
        refused=(403, 404, 422),
    ),
    "POST /ratings/contests/{contest_id}/awards/{year}/confirm": Route(
        MANAGE, params={"contest_id": "contest", "year": Lit(last_year())}, seen=CONTEST_SEEN
    ),
    "GET /ratings/contests/{contest_id}/awards/{year}": Route(
        FOLLOW, params={"contest_id": "contest", "year": Lit(last_year())}, seen=CONTEST_SEEN
    ),
    "GET /ratings/rounds": Route(LoggedIn(), shows={"contest": ROUND_SEEN}),
    "POST /ratings/rounds": Route(
        MANAGE,
        kind="contest",
        data=lambda w, side: {"contest": w.obj("contest", side).pk, "period": f"{last_year()}-11"},
        refused=(403, 404, 422),
        why="a contest the caller manages; any other is a 422 on `contest` (not revealed)",
    ),
    "GET /ratings/rounds/{round_id}": _round(ROUND_SEEN),
    "POST /ratings/rounds/{round_id}/start-scoring": _round(MANAGE, refused=(403,)),
    "POST /ratings/rounds/{round_id}/close-scoring": _round(MANAGE, refused=(403,)),
    "POST /ratings/rounds/{round_id}/publish": _round(MANAGE, refused=(403,)),
    "POST /ratings/rounds/{round_id}/reopen": _round(
        MANAGE, data=lambda w, s: {"reason": "x"}, refused=(403,)
    ),
    "POST /ratings/rounds/{round_id}/lock": _round(MANAGE, refused=(403,)),
    "GET /ratings/rounds/{round_id}/ranking": _round(ROUND_SEEN),
    "GET /ratings/rounds/{round_id}/next": _round(
        Is("panel"), why="the round's panel (published: nothing left to score)"
    ),
    "GET /ratings/rounds/{round_id}/targets/{target_id}/sheet": Route(
        Is("panel"),
        params={"round_id": "round", "target_id": "target"},
        seen=ROUND_SEEN,
        why="the panellist's own sheet",
    ),
    "PUT /ratings/rounds/{round_id}/targets/{target_id}/sheet": Route(
        Nobody(),
        params={"round_id": "round", "target_id": "target"},
        seen=ROUND_SEEN,
        data=lambda w, s: {"marks": {}},
        refused=(403, 409, 422),
        why="the panel, while scored (this round is published)",
    ),
    "GET /ratings/rounds/{round_id}/targets/{target_id}/sheets": Route(
        FOLLOW, params={"round_id": "round", "target_id": "target"}, seen=ROUND_SEEN
    ),
    "GET /ratings/rounds/{round_id}/entries/{entry_id}/photo": Route(
        EVIDENCE, params={"round_id": "round", "entry_id": "entry"}, seen=ROUND_SEEN
    ),
    "POST /ratings/rounds/{round_id}/entries/{entry_id}/correct": Route(
        MANAGE,
        params={"round_id": "round", "entry_id": "entry"},
        seen=ROUND_SEEN,
        data=lambda w, s: {"reason": "x", "points": "1"},
        refused=(403,),
    ),
    "GET /ratings/rounds/{round_id}/corrections": _round(FOLLOW),
    "GET /ratings/places/{place_id}/history": Route(
        At("E", CONTEST_SEEN),
        params={"place_id": "unit"},
        why="a unit's results in the published rounds the caller sees (its estate's contest)",
    ),
}
