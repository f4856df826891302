"""/ratings: contests and their panel (社区、物业、业委会、居民代表四方), the month's rounds from
opening to lock, a panellist's score sheets (one target per screen, evidence photos), staff's
corrections in review, the ranking with its rotating red flags (流动红旗), the year's awards
(物业费补贴, 三长), and a unit's month-by-month history. Every write goes through
services_rounds or services_awards; every read through queries and rules."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from linju.core import access
from linju.core.api_support import (
    ERRORS,
    CappedLimitOffset,
    FormOrJson,
    Listing,
    json_body_doc,
    renamed_fields,
)
from linju.core.errors import Invalid
from linju.core.masking import mask_name
from linju.core.views import private_download
from linju.places.models import Household
from linju.places.queries import household_label

from . import queries, rules, scoring
from . import services_awards as awards
from . import services_rounds as services
from .models import Award, Correction, RoundStatus, Sheet
from .schemas import (
    AwardOut,
    AwardTableOut,
    ConfirmedOut,
    ContestIn,
    ContestOut,
    ContestPatch,
    ContestRowOut,
    CorrectIn,
    CorrectionOut,
    FlagLeaderOut,
    FlagMonthOut,
    HeadDutyIn,
    HeadDutyOut,
    HistoryOut,
    PanellistIn,
    PanellistOut,
    RatingsReasonIn,
    RoundFilter,
    RoundIn,
    RoundOut,
    RoundRowOut,
    SheetIn,
    SheetOut,
    TargetOut,
    TargetRefOut,
)

router = Router(tags=["ratings"])

CONFLICTS = (
    "409 `wrong_status` when the round's status does not allow it; 403 when the caller may "
    "not manage the contest's scope; 404 for a round the caller does not see."
)

# --- Shapes ---------------------------------------------------------------------------------------


def _place(place) -> dict:
    return {"id": place.pk, "kind": place.kind, "name": place.name}


def _person(person, full: bool) -> dict:
    return {"id": person.pk, "name": person.name if full else mask_name(person.name)}


def _contest_row(c) -> dict:
    return {
        "id": c.pk,
        "name": c.name,
        "purpose": c.purpose,
        "target_kind": c.target_kind,
        "period": c.period,
        "place": _place(c.place),
        "rubric_id": c.rubric_id,
        "rubric_name": str(c.rubric),
        "active": c.active,
    }


def _panellist(seat, full: bool) -> dict:
    return {
        "id": seat.pk,
        "user": _person(seat.user, full),
        "party": seat.party,
        "party_label": str(seat.get_party_display()),
        "since": seat.since,
        "until": seat.until,
    }


def _contest(user, c) -> dict:
    follow = rules.can_follow(user, c)
    body = _contest_row(c)
    body.update(
        {
            "settings": {name: getattr(c, name) for name in services.SETTINGS},
            "panel": [
                _panellist(s, follow)
                for s in c.panellists.filter(until=None).select_related("user")
            ],
            "allowed": {"manage": rules.can_manage(user, c), "follow": follow},
        }
    )
    return body


def _round_row(r) -> dict:
    return {
        "id": r.pk,
        "contest_id": r.contest_id,
        "contest_name": r.contest.name,
        "period": r.period_label,
        "status": r.status,
        "status_label": str(r.get_status_display()),
        "due_on": r.due_on,
        "rubric_id": r.rubric_id,
        "published_at": r.published_at,
    }


def _round(user, r) -> dict:
    follow = rules.can_follow(user, r)
    seat = r.panel.filter(user=user).first()
    targets = r.targets.count()
    me = None
    if seat is not None:
        me = {
            "party": seat.party,
            "done": r.sheets.filter(panellist=user).count(),
            "targets": targets,
        }
    body = _round_row(r)
    body.update(
        {
            "aggregation": r.aggregation,
            "trim": r.trim,
            "flags": r.flags,
            "targets": targets,
            "opened_at": r.opened_at,
            "scoring_at": r.scoring_at,
            "review_at": r.review_at,
            "locked_at": r.locked_at,
            "progress": [
                {
                    "user": _person(p["user"], True),
                    "party": p["party"],
                    "party_label": str(p["party_label"]),
                    "done": p["done"],
                    "targets": p["targets"],
                    "late": p["late"],
                }
                for p in queries.progress(r)
            ]
            if follow
            else None,
            "late": queries.late_panellists(r) if follow else None,
            "me": me,
            "allowed": {
                "manage": rules.can_manage(user, r),
                "follow": follow,
                "results": rules.can_see_results(user, r),
                "score": seat is not None and r.status == RoundStatus.SCORING,
            },
        }
    )
    return body


def _target(t) -> dict:
    return {
        "id": t.pk,
        "label": t.label,
        "place_id": t.place_id,
        "position": t.position,
        "sheets": t.sheets,
        "total": t.total,
        "lost": t.lost,
        "vetoed": t.vetoed,
        "rank": t.rank,
        "flag": t.flag,
        "stars": t.stars,
    }


def _target_ref(t) -> dict:
    return {"id": t.pk, "label": t.label, "position": t.position}


def _photo_url(round_, entry) -> str | None:
    if not entry or not entry.photo:
        return None
    return reverse("api:ratings_entry_photo", kwargs={"round_id": round_.pk, "entry_id": entry.pk})


def _sheet(round_, target, panellist, sheet, full: bool) -> dict:
    """A sheet as saved, or (not saved yet) the screen a panellist starts from."""
    entries = {e.item_id: e for e in sheet.entries.all()} if sheet else {}
    marks = {}
    for item in round_.rubric.items.all():
        e = entries.get(item.pk)
        points = e.points if e else scoring.default_points(item)
        marks[item.code] = {
            "item_id": item.pk,
            "title": item.title,
            "kind": item.kind,
            "max_points": item.max_points,
            "exemptions": item.exemptions,
            "evidence_required": item.evidence_required,
            "entry_id": e.pk if e else None,
            "points": points,
            "exempt": e.exempt if e else False,
            "vetoed": e.vetoed if e else False,
            "note": e.note if e else "",
            "value": e.value if e else scoring.effect(item, points=points, exempt=False)[0],
            "photo_url": _photo_url(round_, e),
        }
    return {
        "id": sheet.pk if sheet else None,
        "target": _target_ref(target),
        "panellist": _person(panellist, full),
        "note": sheet.note if sheet else "",
        "total": sheet.total if sheet else sum(m["value"] for m in marks.values()),
        "lost": sheet.lost if sheet else 0,
        "vetoed": sheet.vetoed if sheet else False,
        "submitted_at": sheet.submitted_at if sheet else None,
        "updated_at": sheet.updated_at if sheet else None,
        "marks": marks,
    }


def _correction(c) -> dict:
    entry = c.entry
    return {
        "id": c.pk,
        "entry_id": entry.pk,
        "target_id": entry.sheet.target_id,
        "target_label": entry.sheet.target.label,
        "item_code": entry.item.code,
        "panellist_id": entry.sheet.panellist_id,
        "before": c.before,
        "after": c.after,
        "reason": c.reason,
        # Staff correct in their official capacity: the name is shown.
        "corrected_by": _person(c.corrected_by, True) if c.corrected_by else None,
        "corrected_at": c.corrected_at,
    }


def _award(viewer, line) -> dict:
    """A household is named, and a head's name shown, only to those who handle it (PIPL)."""
    hh = line.household
    full = access.scope(viewer, "people.view_personal_data").covers(hh.path)
    return {
        "kind": line.kind,
        "household_id": hh.pk,
        "household": household_label(hh) if full else "",
        "unit_id": line.unit_id,
        "person": _person(line.user, full or viewer.pk == line.user_id) if line.user else None,
        "flags": line.flags,
        "rank": line.rank,
        "percent": line.percent,
        "area": line.area,
        "amount_fen": line.amount_fen,
    }


def _leaders(contest, year) -> list[dict]:
    return [
        {k: row[k] for k in ("place_id", "label", "flags", "months", "rank")}
        for row in queries.leaderboard(contest, year)
    ]


# --- Finding things -------------------------------------------------------------------------------


def _find_contest(user, contest_id: int):
    contest = queries.contests_for(user).filter(pk=contest_id).first()
    if contest is None:
        raise Http404
    return contest


def _find_round(user, round_id: int):
    """404 for a round the user does not see (another scope's; unpublished for residents)."""
    round_ = queries.rounds_for(user).filter(pk=round_id).first()
    if round_ is None:
        raise Http404
    return round_


def _find_target(round_, target_id: int):
    target = round_.targets.filter(pk=target_id).first()
    if target is None:
        raise Http404
    return target


def _require_follow(user, obj) -> None:
    rules.require(rules.can_follow(user, obj), _("Only staff of this scope see this."))


# --- Contests -------------------------------------------------------------------------------------


@router.get(
    "/contests",
    response={200: list[ContestRowOut], **ERRORS},
    summary="Contests I see",
    description="Contests of the caller's staff scope and those covering their home. The "
    "count stops at 2,000 (`capped`).",
)
@paginate(CappedLimitOffset)
def list_contests(request):
    return Listing(queries.contests_for(request.user), lambda rows: [_contest_row(c) for c in rows])


@router.post(
    "/contests",
    response={201: ContestOut, **ERRORS},
    summary="Create a contest or a star rating",
    description="A civilised-unit contest of an estate or community (`place`, monthly, rating "
    "its units or buildings), or a party organisation's yearly star rating "
    "(`purpose: stars`, `party_organisation`). `rubric` is an adopted rubric made for it "
    "(422 `rubric`). The settings default as in seed 001 (3 flags a month, 3 units awarded, "
    "10% + 10%). 403 when the caller may not manage the scope.",
)
def create_contest(request, payload: ContestIn):
    data = payload.model_dump(exclude_none=True)
    contest = services.create_contest(
        user=request.user,
        place_id=data.pop("place", None),
        rubric_id=data.pop("rubric"),
        party_organisation_id=data.pop("party_organisation", None),
        **data,
    )
    return Status(201, _contest(request.user, _find_contest(request.user, contest.pk)))


@router.get(
    "/contests/{int:contest_id}",
    response={200: ContestOut, **ERRORS},
    summary="One contest with its settings and panel",
    description="Panellists' names are masked (张*明) for residents.",
)
def contest_detail(request, contest_id: int):
    return _contest(request.user, _find_contest(request.user, contest_id))


@router.patch(
    "/contests/{int:contest_id}",
    response={200: ContestOut, **ERRORS},
    summary="Change a contest's settings",
    description="Only the fields sent change; rounds already open keep the settings they "
    "opened with. `rubric`: another adopted version (422 `rubric`). `active: false` stops "
    "new rounds. 403 when the caller may not manage the scope.",
)
def update_contest(request, contest_id: int, payload: ContestPatch):
    contest = _find_contest(request.user, contest_id)
    data = payload.model_dump(exclude_unset=True)
    services.update_contest(
        user=request.user, contest=contest, rubric_id=data.pop("rubric", None), **data
    )
    return _contest(request.user, _find_contest(request.user, contest_id))


@router.get(
    "/contests/{int:contest_id}/panellists",
    response={200: list[PanellistOut], **ERRORS},
    summary="The panel, past and present",
    description="Serving panellists first. Staff of the scope only (403).",
)
@paginate(CappedLimitOffset)
def panellists(request, contest_id: int):
    contest = _find_contest(request.user, contest_id)
    _require_follow(request.user, contest)
    return Listing(
        contest.panellists.select_related("user").order_by("-until", "party", "pk"),
        lambda rows: [_panellist(s, True) for s in rows],
    )


@router.post(
    "/contests/{int:contest_id}/panellists",
    response={201: PanellistOut, **ERRORS},
    summary="Seat a panellist",
    description="For a contest, one of the four parties: `community` (community staff), "
    "`property` (property manager), `owners_committee`, `residents` (residents of the scope "
    "or the community's resident representatives); for a star rating `party_branch` or "
    "`community`. 422 `user_id` when the person does not belong to that party here, `party`; "
    "409 `duplicate` when already seated.",
)
def add_panellist(request, contest_id: int, payload: PanellistIn):
    contest = _find_contest(request.user, contest_id)
    with renamed_fields(person="user_id"):
        seat = services.add_panellist(
            user=request.user, contest=contest, person_id=payload.user_id, party=payload.party
        )
    return Status(201, _panellist(seat, True))


@router.post(
    "/contests/{int:contest_id}/panellists/{int:panellist_id}/end",
    response={200: PanellistOut, **ERRORS},
    summary="End a panellist's seat",
    description="From today; rounds already open keep their panel. Ending twice keeps the "
    "first day.",
)
def end_panellist(request, contest_id: int, panellist_id: int):
    contest = _find_contest(request.user, contest_id)
    seat = get_object_or_404(contest.panellists, pk=panellist_id)
    services.end_panellist(user=request.user, panellist=seat)
    seat.refresh_from_db()
    return _panellist(seat, True)


@router.get(
    "/contests/{int:contest_id}/flags",
    response={200: list[FlagMonthOut], **ERRORS},
    summary="Who held the red flags",
    description="The last 12 published months, latest first, each with its flag holders.",
)
def flag_history(request, contest_id: int):
    contest = _find_contest(request.user, contest_id)
    return [
        {
            "round_id": row["round"].pk,
            "period": row["round"].period_label,
            "flags": [
                {
                    "target_id": t.pk,
                    "place_id": t.place_id,
                    "label": t.label,
                    "rank": t.rank,
                    "total": t.total,
                }
                for t in row["flags"]
            ],
        }
        for row in queries.flag_history(contest)
    ]


@router.get(
    "/contests/{int:contest_id}/leaderboard",
    response={200: list[FlagLeaderOut], **ERRORS},
    summary="The year's red flags per unit",
    description="Over the year's published rounds, most flags first; the rank is shared by "
    "equal counts. Units without a flag are not listed.",
)
def leaderboard(
    request, contest_id: int, year: int = Query(..., ge=2000, le=2100, description="e.g. 2026")
):
    contest = _find_contest(request.user, contest_id)
    return _leaders(contest, year)


# --- The year's awards ----------------------------------------------------------------------------


@router.get(
    "/contests/{int:contest_id}/awards/{int:year}/draft",
    response={200: AwardTableOut, **ERRORS},
    summary="The year's award table (preview)",
    description="The flags per unit and the lines confirming would write now: every household "
    "of the units ranked within the contest's award places, and the three heads (三长) with "
    "the higher percentage for those whose duties were recorded as fulfilled. Amounts in fen. "
    "Staff of the scope only (403); households named only within the caller's personal-data "
    "scope.",
)
def award_table(request, contest_id: int, year: int):
    user = request.user
    contest = _find_contest(user, contest_id)
    _require_follow(user, contest)
    year = awards.clean_year(year)
    lines = awards.draft_awards(contest, year)
    _load_homes(lines)
    return {
        "year": year,
        "flags": _leaders(contest, year),
        "lines": [_award(user, line) for line in lines],
        "total_fen": sum(line.amount_fen for line in lines),
        "confirmed": Award.objects.filter(contest=contest, year=year).count(),
    }


def _load_homes(lines) -> None:
    # One query for the households' labels, not one per line.
    homes = Household.objects.select_related("unit__parent__parent").in_bulk(
        {line.household_id for line in lines}
    )
    for line in lines:
        line.household = homes[line.household_id]


@router.put(
    "/contests/{int:contest_id}/awards/{int:year}/heads/{int:user_id}",
    response={200: HeadDutyOut, **ERRORS},
    summary="Record whether a head fulfilled their duties (履职尽责)",
    description="Those who did get the contest's higher subsidy. 422 `user_id` when the person "
    "was not a building, unit or floor head in the scope that year; 403 when the caller may "
    "not manage the contest.",
)
def head_duty(request, contest_id: int, year: int, user_id: int, payload: HeadDutyIn):
    contest = _find_contest(request.user, contest_id)
    with renamed_fields(person="user_id"):
        duty = awards.set_head_duty(
            user=request.user,
            contest=contest,
            year=year,
            person_id=user_id,
            fulfilled=payload.fulfilled,
            note=payload.note,
        )
    return {
        "user_id": duty.user_id,
        "year": duty.year,
        "fulfilled": duty.fulfilled,
        "note": duty.note,
        "decided_at": duty.decided_at,
    }


@router.post(
    "/contests/{int:contest_id}/awards/{int:year}/confirm",
    response={200: ConfirmedOut, **ERRORS},
    summary="Confirm the year's awards",
    description="Writes the list the property company receives; confirming again replaces it. "
    "409 `year_running` before the year is over, `rounds_pending` while a round of the year "
    "is not published, `not_contest` for a star rating.",
)
def confirm_awards(request, contest_id: int, year: int):
    contest = _find_contest(request.user, contest_id)
    lines = awards.confirm_awards(user=request.user, contest=contest, year=year)
    return {"lines": len(lines), "total_fen": sum(line.amount_fen for line in lines)}


@router.get(
    "/contests/{int:contest_id}/awards/{int:year}",
    response={200: list[AwardOut], **ERRORS},
    summary="The year's confirmed awards",
    description="Amounts in fen. Staff of the scope only (403); households named, and heads' "
    "names shown, only within the caller's personal-data scope.",
)
@paginate(CappedLimitOffset)
def confirmed_awards(request, contest_id: int, year: int):
    user = request.user
    contest = _find_contest(user, contest_id)
    _require_follow(user, contest)
    year = awards.clean_year(year)
    qs = queries.confirmed_awards(contest, year)
    return Listing(qs, lambda rows: [_award(user, a) for a in rows])


# --- Rounds ---------------------------------------------------------------------------------------


@router.get(
    "/rounds",
    response={200: list[RoundRowOut], **ERRORS},
    summary="Rounds I see",
    description="Every round of the caller's staff scope, published and locked rounds where "
    "they live, and rounds whose panel they sit on; latest first. Filters `contest`, "
    "`status`. The count stops at 2,000 (`capped`).",
)
@paginate(CappedLimitOffset)
def list_rounds(request, filters: Query[RoundFilter]):
    qs = queries.rounds_for(request.user)
    if filters.contest is not None:
        qs = qs.filter(contest_id=filters.contest)
    if filters.status is not None:
        qs = qs.filter(status=filters.status)
    return Listing(qs, lambda rows: [_round_row(r) for r in rows])


@router.post(
    "/rounds",
    response={201: RoundOut, **ERRORS},
    summary="Open a round",
    description='A month (`period` "YYYY-MM") of a contest, or a year ("YYYY") of a star '
    "rating: its rubric version, settings, panel and targets are frozen. 422 `period`, "
    "`contest`; 409 `panel_incomplete` (a contest needs all four parties), `no_targets`, "
    "`duplicate` (the period has a round), `inactive`.",
)
def open_round(request, payload: RoundIn):
    user = request.user
    contest = queries.contests_for(user).filter(pk=payload.contest).first()
    if contest is None:
        raise Invalid({"contest": _("Choose a contest of your scope.")})
    round_ = services.open_round(user=user, contest=contest, period=payload.period)
    return Status(201, _round(user, _find_round(user, round_.pk)))


@router.get(
    "/rounds/{int:round_id}",
    response={200: RoundOut, **ERRORS},
    summary="One round",
    description="Staff of the scope also get each panellist's `progress` and the `late` ones; "
    "a panellist gets their own (`me`).",
)
def round_detail(request, round_id: int):
    return _round(request.user, _find_round(request.user, round_id))


def _transition(request, round_id, action, **kwargs):
    user = request.user
    round_ = _find_round(user, round_id)
    action(user=user, round_=round_, **kwargs)
    return _round(user, _find_round(user, round_id))


@router.post(
    "/rounds/{int:round_id}/start-scoring",
    response={200: RoundOut, **ERRORS},
    summary="Start scoring",
    description=f"Open → scoring: the panel is told. {CONFLICTS}",
)
def start_scoring(request, round_id: int):
    return _transition(request, round_id, services.start_scoring)


@router.post(
    "/rounds/{int:round_id}/close-scoring",
    response={200: RoundOut, **ERRORS},
    summary="Close scoring",
    description=f"Scoring → review: the round is ranked. {CONFLICTS}",
)
def close_scoring(request, round_id: int):
    return _transition(request, round_id, services.close_scoring)


@router.post(
    "/rounds/{int:round_id}/publish",
    response={200: RoundOut, **ERRORS},
    summary="Publish the ranking",
    description="Review → published: ranked a last time, flags (or stars) handed out, the "
    "ranking put on the scope's notice board. 409 `unscored` while a target has no sheet. "
    f"{CONFLICTS}",
)
def publish(request, round_id: int):
    return _transition(request, round_id, services.publish_round)


@router.post(
    "/rounds/{int:round_id}/reopen",
    response={200: RoundOut, **ERRORS},
    summary="Reopen for review",
    description="An objection upheld before the round is locked: published → review, with a "
    f"`reason` (422). {CONFLICTS}",
)
def reopen(request, round_id: int, payload: RatingsReasonIn):
    return _transition(request, round_id, services.reopen_review, reason=payload.reason)


@router.post(
    "/rounds/{int:round_id}/lock",
    response={200: RoundOut, **ERRORS},
    summary="Lock the round",
    description="Published → locked: final (the sweep does it once the objection days are "
    f"over). {CONFLICTS}",
)
def lock(request, round_id: int):
    return _transition(request, round_id, services.lock_round)


@router.get(
    "/rounds/{int:round_id}/ranking",
    response={200: list[TargetOut], **ERRORS},
    summary="The ranking",
    description="Targets in rank order (unranked last). Residents of the scope once the round "
    "is published; staff of the scope at any time (403 for a panellist before publication).",
)
@paginate(CappedLimitOffset)
def ranking(request, round_id: int):
    user = request.user
    round_ = _find_round(user, round_id)
    rules.require(rules.can_see_results(user, round_), _("The ranking is not published yet."))
    return Listing(queries.ranking(round_), lambda rows: [_target(t) for t in rows])


@router.get(
    "/rounds/{int:round_id}/next",
    response={200: TargetRefOut | None, **ERRORS},
    summary="My next target",
    description="The first target, in walking order, I have not scored; null when done. "
    "Panellists of the round only (403 `not_panellist`).",
)
def next_target(request, round_id: int):
    user = request.user
    round_ = _find_round(user, round_id)
    rules.require_panellist(user, round_)
    target = queries.next_target(round_, user)
    return _target_ref(target) if target else None


def _my_sheet(user, round_, target):
    return Sheet.objects.filter(target=target, panellist=user).prefetch_related("entries").first()


@router.get(
    "/rounds/{int:round_id}/targets/{int:target_id}/sheet",
    response={200: SheetOut, **ERRORS},
    summary="My sheet for a target",
    description="As saved, or (`id: null`) the screen to start from: full marks, nothing "
    "deducted. Panellists of the round only (403 `not_panellist`).",
)
def my_sheet(request, round_id: int, target_id: int):
    user = request.user
    round_ = _find_round(user, round_id)
    rules.require_panellist(user, round_)
    target = _find_target(round_, target_id)
    return _sheet(round_, target, user, _my_sheet(user, round_, target), True)


PHOTO_PREFIX = "photo."


@router.put(
    "/rounds/{int:round_id}/targets/{int:target_id}/sheet",
    response={200: SheetOut, **ERRORS},
    summary="Save my sheet for a target",
    description="While the round is scoring (409 `wrong_status`), panellists only (403 "
    "`not_panellist`). A multipart body: `marks` (a JSON string) and `note`, with an evidence "
    "photo per item as a file part named `photo.<item code>`; or a JSON body without photos. "
    '`marks` holds a mark for every item, keyed by its code: {"points", "exempt", "vetoed", '
    '"note", "photo": "keep"} ("keep" keeps the photo saved before). Saving again replaces '
    "the marks. 422 names the mark's field: `marks.<code>` (missing or unknown), "
    "`marks.<code>.points` (0 to the maximum, whole or half points), `marks.<code>.exempt` "
    "(the item has no exemptions), `marks.<code>.vetoed`, `marks.<code>.photo` (evidence "
    "required, or not an image).",
    openapi_extra=json_body_doc(SheetIn),
)
def save_sheet(
    request,
    round_id: int,
    target_id: int,
    payload: FormOrJson[SheetIn],
):
    user = request.user
    round_ = _find_round(user, round_id)
    target = _find_target(round_, target_id)
    marks = {code: mark.model_dump() for code, mark in payload.marks.items()}
    for name, upload in request.FILES.items():
        code = name.removeprefix(PHOTO_PREFIX)
        if not name.startswith(PHOTO_PREFIX) or code not in marks:
            raise Invalid({name: _("Name a photo photo.<item code> of a marked item.")})
        marks[code]["photo"] = upload
    services.save_sheet(
        user=user, round_=round_, target_id=target.pk, marks=marks, note=payload.note
    )
    return _sheet(round_, target, user, _my_sheet(user, round_, target), True)


@router.get(
    "/rounds/{int:round_id}/targets/{int:target_id}/sheets",
    response={200: list[SheetOut], **ERRORS},
    summary="Every panellist's sheet for a target",
    description="Staff of the scope (403 otherwise), to follow the scoring and correct in "
    "review; the entries' ids are what corrections name.",
)
def target_sheets(request, round_id: int, target_id: int):
    user = request.user
    round_ = _find_round(user, round_id)
    _require_follow(user, round_)
    target = _find_target(round_, target_id)
    sheets = (
        target.scoresheets.select_related("panellist")
        .prefetch_related("entries")
        .order_by("panellist_id")
    )
    return [_sheet(round_, target, s.panellist, s, True) for s in sheets]


@router.get(
    "/rounds/{int:round_id}/entries/{int:entry_id}/photo",
    response={200: None, **ERRORS},
    summary="An evidence photo",
    description="For the panellist who took it and staff of the scope; 404 otherwise.",
    url_name="ratings_entry_photo",
)
def entry_photo(request, round_id: int, entry_id: int):
    user = request.user
    round_ = _find_round(user, round_id)
    entry = queries.entry_in(round_, entry_id)
    if entry is None or not rules.can_see_evidence(user, entry):
        raise Http404
    return private_download(entry.photo)


@router.post(
    "/rounds/{int:round_id}/entries/{int:entry_id}/correct",
    response={201: CorrectionOut, **ERRORS},
    summary="Correct a mark in review",
    description="E.g. a deduction for a pram, which is exempt. `reason` is required (422 "
    "`reason`); the fields sent change (422 `points` when nothing does, `mark.points`, "
    "`mark.exempt`, `mark.vetoed` when the mark is not valid); the mark's previous state is "
    f"kept and the round is ranked again. {CONFLICTS}",
)
def correct(request, round_id: int, entry_id: int, payload: CorrectIn):
    user = request.user
    round_ = _find_round(user, round_id)
    entry = queries.entry_in(round_, entry_id)
    if entry is None:
        raise Http404
    correction = services.correct_entry(
        user=user,
        entry=entry.pk,
        reason=payload.reason,
        points=payload.points,
        exempt=payload.exempt,
        vetoed=payload.vetoed,
    )
    return Status(201, _correction(_corrections().get(pk=correction.pk)))


def _corrections():
    return Correction.objects.select_related(
        "entry__item", "entry__sheet__target", "corrected_by"
    ).order_by("-corrected_at", "-pk")


@router.get(
    "/rounds/{int:round_id}/corrections",
    response={200: list[CorrectionOut], **ERRORS},
    summary="Corrections of a round",
    description="Latest first, each with the mark before and after and the reason. Staff of "
    "the scope (403 otherwise).",
)
@paginate(CappedLimitOffset)
def corrections(request, round_id: int):
    user = request.user
    round_ = _find_round(user, round_id)
    _require_follow(user, round_)
    return Listing(_corrections().filter(round=round_), lambda rows: [_correction(c) for c in rows])


# --- A place's history ----------------------------------------------------------------------------


@router.get(
    "/places/{int:place_id}/history",
    response={200: list[HistoryOut], **ERRORS},
    summary="A unit's month-by-month results",
    description="In the published rounds the caller sees, latest first; 404 when the caller "
    "sees none.",
)
@paginate(CappedLimitOffset)
def place_history(request, place_id: int):
    rows = queries.place_history(place_id, request.user)
    if rows is None:
        raise Http404
    return Listing(
        rows,
        lambda rows: [
            {
                "round_id": t.round_id,
                "contest_id": t.round.contest_id,
                "contest_name": t.round.contest.name,
                "period": t.round.period_label,
                "total": t.total,
                "rank": t.rank,
                "flag": t.flag,
                "vetoed": t.vetoed,
                "stars": t.stars,
            }
            for t in rows
        ],
    )
