"""/deliberation/ballots: owners' and residents' ballots as JSON (seed 002: 业主大会表决 with the
Civil Code's double majority, elevator retrofits per unit) — drafts, opening (the electorate is
frozen), online votes, proxy votes with the written authorisation, paper ballots entered by one
staff member and confirmed by another against the scan, closing with the rule's arithmetic and
publishing it. Every write goes through services_ballots; every read through queries_ballots.
A secret ballot's choices appear nowhere but in the voter's own view of their vote."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from linju.core import access
from linju.core.api_support import ERRORS, CappedLimitOffset, FormOrJson, Listing
from linju.core.errors import Forbidden
from linju.core.views import private_download

from . import queries_ballots as queries
from . import rules, thresholds
from . import services_ballots as services
from .models import Ballot, BallotStatus, Electorate, Rule, Vote
from .schemas_ballots import (
    BallotFilter,
    BallotIn,
    BallotOut,
    BallotPatch,
    BallotRowOut,
    ElectorFilter,
    ElectorOut,
    PaperIn,
    PaperOut,
    ProxyIn,
    RejectIn,
    VoteIn,
    VoteOut,
)

router = Router(tags=["deliberation"])

CONFLICTS = (
    "409 `wrong_status` / `not_open` when the ballot's status does not allow it, "
    "`voting_ended` after its closing time; 403 when the caller may not; 404 for a ballot "
    "the caller cannot see."
)


# --- Shapes ---------------------------------------------------------------------------------------


def _dec(value) -> str:
    return thresholds.exact(thresholds.as_fraction(value), area=True)


def _option(o) -> dict:
    return {"id": o.pk, "order": o.order, "label": o.label, "approves": o.approves}


def _counts(ballot, options) -> list[dict]:
    counts = services.tally(ballot)
    empty = services.OptionCount(0, 0, 0)
    return [
        {
            "id": o.pk,
            "label": o.label,
            "heads": counts.get(o.pk, empty).heads,
            "area": _dec(counts.get(o.pk, empty).area),
            "approves": o.approves,
        }
        for o in options
    ]


def _turnout(ballot) -> dict | None:
    if ballot.status == BallotStatus.DRAFT:
        return None
    t = queries.turnout(ballot)
    return {
        "electorate_heads": t.electorate_heads,
        "electorate_area": _dec(t.electorate_area),
        "heads": t.heads,
        "area": _dec(t.area),
        "percent": t.percent,
        "area_percent": t.area_percent,
        "pending_paper": t.pending_paper,
    }


def _my_votes(user, ballot) -> list[dict]:
    rows = []
    for e in queries.my_electors(user, ballot):
        v = e.my_vote
        rows.append(
            {
                "elector": {"id": e.pk, "name": e.label},
                "option": _option(v.option) if v else None,
                "method": v.method if v else None,
                "counted": bool(v and v.confirmed_at),
                "changed_at": v.changed_at if v else None,
            }
        )
    return rows


def _result(ballot) -> dict | None:
    data = queries.result_view(ballot)
    if data is None:
        return None
    return {
        key: data[key]
        for key in (
            "rule",
            "passed",
            "winner",
            "summary",
            "lines",
            "options",
            "electorate_heads",
            "electorate_area",
            "participating_heads",
            "participating_area",
            "affected",
            "affected_approving",
            "unconfirmed_paper",
        )
    }


def _detail(user, ballot) -> dict:
    options = list(ballot.options.order_by("order"))
    staff = queries.is_staff(user, ballot)
    my_votes = _my_votes(user, ballot) if ballot.status != BallotStatus.DRAFT else []
    custom = None
    if ballot.rule == Rule.CUSTOM:
        custom = {
            "participation": f"{ballot.participation_numerator}/{ballot.participation_denominator}",
            "approval": f"{ballot.approval_numerator}/{ballot.approval_denominator}",
            "approval_strict": ballot.approval_strict,
            "approval_of_electorate": ballot.approval_of_electorate,
            "weigh_area": ballot.weigh_area,
        }
    return {
        "id": ballot.pk,
        "title": ballot.title,
        "description": ballot.description,
        "place": {"id": ballot.place_id, "name": ballot.place.name},
        "electorate": ballot.electorate,
        "electorate_label": str(Electorate(ballot.electorate).label),
        "rule": ballot.rule,
        "rule_label": str(Rule(ballot.rule).label),
        "rule_summary": thresholds.rule_summary(ballot.rule),
        "custom": custom,
        "status": ballot.status,
        "status_label": str(ballot.get_status_display()),
        "secret": ballot.secret,
        "changeable": ballot.changeable,
        "opens_at": ballot.opens_at,
        "closes_at": ballot.closes_at,
        "opened_at": ballot.opened_at,
        "closed_at": ballot.closed_at,
        "options": [_option(o) for o in options],
        "affected_households": services.affected_households(ballot) if staff else [],
        "topic": ballot.topic_id,
        "meeting": ballot.meeting_id,
        "turnout": _turnout(ballot),
        "my_votes": my_votes,
        "live_tally": _counts(ballot, options) if queries.sees_live_tally(user, ballot) else None,
        "result": _result(ballot) if queries.sees_result(user, ballot) else None,
        "passed": ballot.passed if queries.sees_result(user, ballot) else None,
        "allowed": {
            "vote": bool(my_votes) and ballot.status == BallotStatus.OPEN,
            "run": rules.can_run_ballot(user, ballot),
        },
    }


def _row(ballot, voted=None) -> dict:
    return {
        "id": ballot.pk,
        "title": ballot.title,
        "place": {"id": ballot.place_id, "name": ballot.place.name},
        "electorate": ballot.electorate,
        "rule": ballot.rule,
        "status": ballot.status,
        "status_label": str(ballot.get_status_display()),
        "secret": ballot.secret,
        "closes_at": ballot.closes_at,
        "passed": ballot.passed if ballot.status == BallotStatus.PUBLISHED else None,
        "voted": voted,
    }


def _vote(vote) -> dict:
    return {
        "id": vote.pk,
        "elector": vote.elector_id,
        "option": vote.option_id,
        "method": vote.method,
        "counted": vote.confirmed_at is not None,
        "cast_at": vote.cast_at,
        "changed_at": vote.changed_at,
    }


def _find(user, ballot_id: int) -> Ballot:
    """The ballot, or 404 when the caller may not see it (so that it is not revealed)."""
    ballot = queries.ballots().filter(pk=ballot_id).first()
    if ballot is None or not queries.may_view(user, ballot):
        raise Http404
    return ballot


def _fresh(user, ballot_id: int) -> dict:
    return _detail(user, _find(user, ballot_id))


def _service_args(payload, *, partial: bool) -> dict:
    """The schema's fields in the service's terms (`place` → `place_id`, …)."""
    data = payload.model_dump(exclude_unset=partial)
    renames = {
        "place": "place_id",
        "topic": "topic_id",
        "meeting": "meeting_id",
        "affected_households": "affected_household_ids",
    }
    args = {renames.get(k, k): v for k, v in data.items()}
    if partial:
        # null clears what may be empty; for the other fields it changes nothing.
        clearable = ("opens_at", "topic_id", "meeting_id")
        args = {k: v for k, v in args.items() if v is not None or k in clearable}
    return args


# --- Lists ----------------------------------------------------------------------------------------


@router.get(
    "",
    response={200: list[BallotRowOut], **ERRORS},
    summary="Ballots of my scope",
    description="Staff (deliberation.view) see the ballots inside their scope, newest first, "
    "drafts included. 403 for others: residents use GET /ballots/mine. The count stops at "
    "2,000 (`capped`).",
)
@paginate(CappedLimitOffset)
def list_ballots(request, filters: Query[BallotFilter]):
    user = request.user
    if not access.has_anywhere(user, "deliberation.view"):
        raise Forbidden(_("You may not see the ballots of this scope."))
    qs = queries.staff_ballots(user, status=filters.status, q=filters.q)
    return Listing(qs, lambda objs: [_row(b) for b in objs])


@router.get(
    "/mine",
    response={200: list[BallotRowOut], **ERRORS},
    summary="My ballots",
    description="Ballots I am in the electorate of (as an owner, a household's resident, a "
    "representative or a party member), with whether my vote is in.",
)
@paginate(CappedLimitOffset)
def my_ballots(request):
    qs = queries.my_ballots(request.user)
    return Listing(qs, lambda objs: [_row(b, b.voted) for b in objs])


# --- Drafts ---------------------------------------------------------------------------------------


@router.post(
    "",
    response={201: BallotOut, **ERRORS},
    summary="Create a ballot (a draft)",
    description="Staff who run ballots (owners' committee, community staff, subdistrict) in the "
    "scope. Rules: `simple`, `ordinary` and `special` (Civil Code art. 278; owners only), "
    "`elevator` (a unit's owners, with `affected_households`), `custom` (the fractions). "
    "422 names the field: `place`, `electorate`, `rule`, `closes_at`, `options`, "
    "`affected_households`, `approval_numerator`, `participation_numerator`, `weigh_area`.",
)
def create_ballot(request, payload: BallotIn):
    ballot = services.create_ballot(user=request.user, **_service_args(payload, partial=False))
    return Status(201, _fresh(request.user, ballot.pk))


@router.get(
    "/{int:ballot_id}",
    response={200: BallotOut, **ERRORS},
    summary="One ballot",
    description="With the live turnout (who has voted, never for what) and the caller's own "
    "vote. The result with its arithmetic for staff once closed and for everyone once "
    "published; staff follow the live tally of an open ballot that is not secret. Drafts are "
    "seen by staff only.",
)
def get_ballot(request, ballot_id: int):
    return _fresh(request.user, ballot_id)


@router.patch(
    "/{int:ballot_id}",
    response={200: BallotOut, **ERRORS},
    summary="Change a draft",
    description=f"Only the fields sent change; the draft is checked whole again. {CONFLICTS}",
)
def update_ballot(request, ballot_id: int, payload: BallotPatch):
    ballot = _find(request.user, ballot_id)
    services.update_ballot(user=request.user, ballot=ballot, **_service_args(payload, partial=True))
    return _fresh(request.user, ballot_id)


def _action(path, summary, description, response=BallotOut, **kwargs):
    return router.post(
        path,
        response={200: response, **ERRORS},
        summary=summary,
        description=f"{description} {CONFLICTS}",
        **kwargs,
    )


@_action(
    "/{int:ballot_id}/open",
    "Open the ballot",
    "The electorate (people, units, areas) is frozen now and its members are told. 409 "
    "`closes_passed`, `empty_electorate`.",
)
def open_ballot(request, ballot_id: int):
    services.open_ballot(user=request.user, ballot=_find(request.user, ballot_id))
    return _fresh(request.user, ballot_id)


@_action(
    "/{int:ballot_id}/close",
    "Close the ballot",
    "At or after its closing time (409 `not_due` before): the rule's arithmetic is computed "
    "and kept. Paper ballots not yet confirmed do not count.",
)
def close_ballot(request, ballot_id: int):
    services.close_ballot(user=request.user, ballot=_find(request.user, ballot_id))
    return _fresh(request.user, ballot_id)


@_action(
    "/{int:ballot_id}/publish",
    "Publish the result (公示)",
    "A closed ballot's result, every line of its arithmetic, goes up on the scope's notice "
    "board; the electorate is told.",
)
def publish_result(request, ballot_id: int):
    services.publish_result(user=request.user, ballot=_find(request.user, ballot_id))
    return _fresh(request.user, ballot_id)


# --- Votes ----------------------------------------------------------------------------------------


@_action(
    "/{int:ballot_id}/vote",
    "Vote",
    "A member of the electorate votes online until the closing time; again to change the "
    "vote, when the ballot allows it (409 `already_voted` otherwise; `recorded_by_staff` for "
    "a proxy or paper vote). A co-owner's vote is the unit's one vote. 403 `not_elector`; "
    "422 `option`, `elector`.",
)
def vote(request, ballot_id: int, payload: VoteIn):
    ballot = _find(request.user, ballot_id)
    services.cast_vote(
        user=request.user, ballot=ballot, option_id=payload.option, elector_id=payload.elector
    )
    return _fresh(request.user, ballot_id)


@router.post(
    "/{int:ballot_id}/proxy",
    response={201: VoteOut, **ERRORS},
    summary="Record a proxy's vote",
    description="Staff who run the ballot record the vote a proxy casts for an elector, with "
    "the signed written authorisation (`authorisation`: a photo or PDF) as a multipart file. "
    "It counts at once. 422 `authorisation`, `proxy_name`, `elector`, `option`; 409 "
    f"`already_voted`. {CONFLICTS}",
)
def proxy(
    request,
    ballot_id: int,
    payload: FormOrJson[ProxyIn],
    authorisation: File[UploadedFile] = None,
):
    ballot = _find(request.user, ballot_id)
    vote = services.record_proxy_vote(
        user=request.user,
        ballot=ballot,
        elector_id=payload.elector,
        option_id=payload.option,
        proxy_name=payload.proxy_name,
        authorisation=authorisation,
    )
    return Status(201, _vote(vote))


@router.post(
    "/{int:ballot_id}/paper",
    response={201: VoteOut, **ERRORS},
    summary="Enter a paper ballot",
    description="One staff member enters a paper sheet with its scan (`scan`, multipart); it "
    "counts only once a second staff member confirms it. 422 `scan`, `elector`, `option`; "
    f"409 `already_voted`. {CONFLICTS}",
)
def enter_paper(
    request, ballot_id: int, payload: FormOrJson[PaperIn], scan: File[UploadedFile] = None
):
    ballot = _find(request.user, ballot_id)
    vote = services.enter_paper_vote(
        user=request.user,
        ballot=ballot,
        elector_id=payload.elector,
        option_id=payload.option,
        scan=scan,
    )
    return Status(201, _vote(vote))


def _runner(user, ballot_id) -> Ballot:
    ballot = _find(user, ballot_id)
    rules.require(rules.can_run_ballot(user, ballot))
    return ballot


def _file_url(ballot, vote, kind) -> str:
    return reverse(
        "api:ballot_vote_file", kwargs={"ballot_id": ballot.pk, "vote_id": vote.pk, "kind": kind}
    )


@router.get(
    "/{int:ballot_id}/paper",
    response={200: list[PaperOut], **ERRORS},
    summary="Paper ballots waiting for confirmation",
    description="Oldest first, each with the option entered and its scan, for the second "
    "staff member to check (staff who run the ballot; 403 otherwise).",
)
@paginate(CappedLimitOffset)
def paper_queue(request, ballot_id: int):
    ballot = _runner(request.user, ballot_id)

    def rows(votes):
        return [
            {
                "id": v.pk,
                "elector": {"id": v.elector_id, "name": v.elector.label},
                "option": _option(v.option),
                "entered_by": {"id": v.cast_by_id, "name": v.cast_by.name}
                if v.cast_by_id
                else None,
                "cast_at": v.cast_at,
                "scan_url": _file_url(ballot, v, "scan"),
            }
            for v in votes
        ]

    return Listing(queries.paper_queue(ballot), rows)


@_action(
    "/{int:ballot_id}/paper/{int:vote_id}/confirm",
    "Confirm a paper ballot",
    "A second staff member, not the one who entered it (409 `second_person_needed`), checks "
    "the entry against the scan: it counts now. 409 `already_confirmed`.",
    response=VoteOut,
)
def confirm_paper(request, ballot_id: int, vote_id: int):
    ballot = _find(request.user, ballot_id)
    vote = services.confirm_paper_vote(user=request.user, ballot=ballot, vote_id=vote_id)
    return _vote(vote)


@_action(
    "/{int:ballot_id}/paper/{int:vote_id}/reject",
    "Reject a paper ballot's entry",
    "The entry does not match the scan: it is removed and the sheet can be entered again. A "
    "second staff member only (409 `second_person_needed`).",
)
def reject_paper(request, ballot_id: int, vote_id: int, payload: RejectIn):
    ballot = _find(request.user, ballot_id)
    services.reject_paper_vote(
        user=request.user, ballot=ballot, vote_id=vote_id, reason=payload.reason
    )
    return _fresh(request.user, ballot_id)


@router.get(
    "/{int:ballot_id}/electors",
    response={200: list[ElectorOut], **ERRORS},
    summary="The frozen electorate",
    description="For entering proxy and paper votes: each voter with its area, who may vote "
    "(names masked outside the caller's handling scope) and whether and how it voted — for "
    "what only in a ballot that is not secret. `q` finds a room or a name. Staff who run the "
    "ballot (403 otherwise).",
)
@paginate(CappedLimitOffset)
def electors(request, ballot_id: int, filters: Query[ElectorFilter]):
    user = request.user
    ballot = _runner(user, ballot_id)

    def rows(page):
        return [
            {**row, "area": _dec(row["area"])} for row in queries.elector_rows(user, ballot, page)
        ]

    return Listing(queries.electors(ballot, filters.q, viewer=user), rows)


@router.get(
    "/{int:ballot_id}/votes/{int:vote_id}/{kind}",
    response=ERRORS,
    url_name="ballot_vote_file",
    summary="A proxy's authorisation or a paper ballot's scan",
    description="`kind` is `authorisation` or `scan`. Staff who run the ballot only; a secret "
    "ballot's scan only until the sheet is confirmed (404 after).",
    openapi_extra={
        "responses": {
            # An int, to merge into ninja's own 200 rather than stand beside it as "200".
            200: {
                "description": "The file (JPEG or PDF)",
                "content": {
                    "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    },
)
def vote_file(request, ballot_id: int, vote_id: int, kind: str):
    ballot = _runner(request.user, ballot_id)
    if kind not in ("authorisation", "scan"):
        raise Http404
    get_object_or_404(Vote, ballot=ballot, pk=vote_id)
    return private_download(queries.vote_file(ballot, vote_id, kind))
