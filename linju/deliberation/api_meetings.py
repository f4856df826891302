"""/deliberation/meetings: deliberation meetings as JSON (议事会, 院子会, 楼栋会, 居民代表会议,
党员大会, 民情恳谈会, 听证会, 业主大会 and staff-defined kinds) — the staff list of a scope,
creating and changing a meeting, its agenda of topics, invitations (by role, scope or list),
the notice, answers (RSVP), check-in by QR code and by a host's tick, the live quorum, the
minutes with decisions, cancelling; a resident's meetings and the notices near them; the
meeting kinds. Every write goes through services_meetings; every read through
queries_meetings and rules."""

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from linju.core import access
from linju.core.api_support import ERRORS, CappedLimitOffset, LimitOffset, Listing, Rows
from linju.core.errors import Forbidden, Invalid
from linju.core.schemas import Text
from linju.places.models import Place

from . import queries_meetings as queries
from . import rules
from . import services_meetings as services
from .models import MeetingKind, MeetingStatus
from .schemas_meetings import (
    AgendaAddIn,
    AgendaIn,
    AgendaItemOut,
    CheckInIn,
    CheckInOut,
    CheckinTokenOut,
    HostCheckInIn,
    InvitedOut,
    InviteeOut,
    InviteIn,
    KindIn,
    KindOut,
    KindPatch,
    MeetingFilter,
    MeetingIn,
    MeetingOut,
    MeetingPatch,
    MeetingReasonIn,
    MeetingRowOut,
    MinutesIn,
    QuorumOut,
    RsvpIn,
)

router = Router(tags=["deliberation"])

ACTION_ERRORS = (
    "409 `wrong_status` when the meeting's status does not allow it; 403 when the caller may "
    "not host meetings at its place; 404 for a meeting the caller cannot see."
)

# --- Shapes ---------------------------------------------------------------------------------------


def _kind_row(k) -> dict:
    return {
        "id": k.pk,
        "code": k.code,
        "name": k.name,
        "notice_days": k.notice_days,
        "quorum_numerator": k.quorum_numerator,
        "quorum_denominator": k.quorum_denominator,
        "active": k.active,
        "open": k.code in services.OPEN_KINDS,
    }


def _quorum_row(q) -> dict:
    return {
        "present": q.present,
        "invited": q.invited,
        "needed": q.needed,
        "met": q.met,
        "numerator": q.numerator,
        "denominator": q.denominator,
    }


def _me(invitee) -> dict:
    if invitee is None:
        return {"invited": False, "via": "", "rsvp": "", "checked_in_at": None}
    return {
        "invited": True,
        "via": invitee.via,
        "rsvp": invitee.rsvp,
        "checked_in_at": invitee.checked_in_at,
    }


def _row(m, me=None, with_me=False) -> dict:
    return {
        "id": m.pk,
        "title": m.title,
        "kind": {"code": m.kind.code, "name": m.kind.name},
        "place": {
            "id": m.place.pk,
            "kind": m.place.kind,
            "name": m.place.name,
            "label": getattr(m, "place_label", m.place.name),
        },
        "status": m.status,
        "status_label": str(m.get_status_display()),
        "starts_at": m.starts_at,
        "ends_at": m.ends_at,
        "venue": m.venue,
        "invited": getattr(m, "invited", None),
        "present": getattr(m, "present", None),
        "said_yes": getattr(m, "said_yes", None),
        "agenda_count": getattr(m, "agenda_count", None),
        "me": _me(me) if with_me else None,
    }


def _staff_rows(meetings) -> list[dict]:
    queries.label_meetings(meetings)
    return [_row(m) for m in meetings]


def _checkin_url(request, meeting) -> str:
    return request.build_absolute_uri(
        reverse("deliberation:checkin", args=[meeting.pk, meeting.checkin_token])
    )


def _detail(request, meeting, invitee) -> dict:
    user = request.user
    queries.label_meetings([meeting])
    host = rules.can_host(user, meeting)
    body = _row(meeting, invitee, with_me=True)
    body.update(
        {
            "quorum": _quorum_row(services.quorum(meeting)),
            "agenda": [
                {
                    "order": item.order,
                    "topic_id": item.topic_id,
                    "title": item.topic.title,
                    "status": item.topic.status,
                }
                for item in queries.agenda(meeting)
            ],
            "minutes": meeting.minutes,
            "decisions": [
                {
                    "id": d.pk,
                    "topic_id": d.topic_id,
                    "topic_title": d.topic.title,
                    "text": d.text,
                    "decided_at": d.decided_at,
                }
                for d in queries.decisions(meeting)
            ],
            "notice_sent_at": meeting.notice_sent_at,
            "held_at": meeting.held_at,
            "cancelled_reason": meeting.cancelled_reason,
            "checkin_url": _checkin_url(request, meeting) if host else None,
            "notice_days_needed": meeting.kind.notice_days,
            "allowed": {
                "host": host,
                "rsvp": invitee is not None
                and meeting.status == MeetingStatus.NOTICED
                and timezone.now() < meeting.starts_at,
            },
        }
    )
    return body


def _invitee_rows(viewer, rows) -> list[dict]:
    queries.describe_invitees(viewer, rows)
    return [
        {
            "user_id": inv.user_id,
            "name": inv.name,
            "mobile": inv.mobile,
            "home": inv.home,
            "via": inv.via,
            "rsvp": inv.rsvp,
            "rsvp_at": inv.rsvp_at,
            "checked_in_at": inv.checked_in_at,
            "ticked_by_host": inv.checked_in_by_id is not None,
        }
        for inv in rows
    ]


# --- Finding a meeting ---------------------------------------------------------------------------


def _find(user, meeting_id: int):
    """The meeting and the user's invitation; 404 when the user may not see it (a draft is
    staff's only), so that its existence is not revealed."""
    meeting = queries.meeting_or_none(meeting_id)
    if meeting is None:
        raise Http404
    invitee = queries.invitation(user, meeting)
    if not queries.can_see(user, meeting, invitee):
        raise Http404
    return meeting, invitee


def _fresh(request, meeting_id: int) -> dict:
    meeting, invitee = _find(request.user, meeting_id)
    return _detail(request, meeting, invitee)


def _require_desk(user) -> None:
    if not queries.may_use_desk(user):
        raise Forbidden(_("You may not see the meetings of this scope."))


# --- Kinds ----------------------------------------------------------------------------------------


@router.get(
    "/kinds",
    response={200: list[KindOut], **ERRORS},
    summary="Meeting kinds",
    description="The kinds offered for new meetings (议事会, 院子会, 楼栋会, 居民代表会议, "
    "党员大会, 民情恳谈会, 听证会, 两委联席会议, 业主大会 and those staff define), each with "
    "its days of notice and its quorum. Kind managers (subdistrict administrators) also get "
    "the retired ones.",
)
def list_kinds(request):
    qs = MeetingKind.objects.order_by("code")
    if not services.may_manage_kinds(request.user):
        qs = qs.filter(active=True)
    return [_kind_row(k) for k in qs]


@router.post(
    "/kinds",
    response={201: KindOut, **ERRORS},
    summary="Define a meeting kind",
    description="Kind managers only (superusers and subdistrict administrators: kinds apply "
    "to every community); 403 otherwise. The code must be unique (422 on `code`).",
)
def create_kind(request, payload: KindIn):
    kind = services.save_kind(user=request.user, **payload.model_dump())
    return Status(201, _kind_row(kind))


@router.patch(
    "/kinds/{code}",
    response={200: KindOut, **ERRORS},
    summary="Change a meeting kind",
    description="Only the fields sent change. Meetings already created keep their quorum; "
    "the days of notice apply to notices sent from now on. `active: false` retires the kind.",
)
def update_kind(request, code: Text, payload: KindPatch):
    kind = MeetingKind.objects.filter(code=code).first()
    if kind is None:
        raise Http404
    saved = services.save_kind(
        user=request.user, kind_id=kind.pk, **payload.model_dump(exclude_unset=True)
    )
    return _kind_row(saved)


# --- Lists ----------------------------------------------------------------------------------------


@router.get(
    "",
    response={200: list[MeetingRowOut], **ERRORS},
    summary="Meetings of my scope (staff)",
    description="Meetings at places of the caller's scope, not started yet first (soonest "
    "first), then past ones; with the counts of invitees, check-ins, yes answers and agenda "
    "topics. Residents: 403. The count stops at 2,000 (`capped`).",
)
@paginate(CappedLimitOffset)
def list_meetings(request, filters: Query[MeetingFilter]):
    user = request.user
    _require_desk(user)
    place_path = ""
    if filters.place is not None:
        place = Place.objects.filter(pk=filters.place).only("path").first()
        if place is None or not access.scope(user, "deliberation.view").covers(place.path):
            raise Invalid({"place": _("Choose a place in your scope.")})
        place_path = place.path
    f = queries.StaffFilter(
        status=filters.status or "",
        when="" if filters.when == "all" else filters.when,
        place_path=place_path,
        q=filters.q.strip(),
    )
    return Listing(queries.staff_meetings(user, f), _staff_rows)


@router.get(
    "/mine",
    response={200: list[MeetingRowOut], **ERRORS},
    summary="Meetings I am invited to",
    description="Noticed, held and cancelled meetings I am invited to, those still to start "
    "first (soonest first), with my answer and check-in (`me`).",
)
@paginate(CappedLimitOffset)
def mine(request):
    def rows(invitations):
        queries.label_meetings(invitations)
        return [_row(inv.meeting, inv, with_me=True) for inv in invitations]

    return Listing(queries.my_invitations(request.user), rows)


@router.get(
    "/board",
    response={200: list[MeetingRowOut], **ERRORS},
    summary="Meeting notices near me",
    description="Meetings whose notice is on the board of one of my home scopes (my unit, "
    "building, estate or community) and that I am not invited to, upcoming first.",
)
@paginate(CappedLimitOffset)
def board(request):
    return Listing(queries.board_meetings(request.user), _staff_rows)


@router.post(
    "",
    response={201: MeetingOut, **ERRORS},
    summary="Create a meeting",
    description="A draft meeting of a kind at a unit, building, estate or community where the "
    "caller hosts meetings (unit and building heads, grid workers, the owners' committee, "
    "community staff, subdistrict administrators; 403 elsewhere). It must start in the future "
    "(422 on `starts_at`) and end after it starts (`ends_at`). The quorum defaults to the "
    "kind's.",
)
def create(request, payload: MeetingIn):
    meeting = services.create_meeting(
        user=request.user,
        kind=payload.kind,
        place_id=payload.place,
        title=payload.title,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        venue=payload.venue,
        quorum_numerator=payload.quorum_numerator,
        quorum_denominator=payload.quorum_denominator,
        topic_ids=payload.topic_ids,
    )
    return Status(201, _fresh(request, meeting.pk))


# --- One meeting ----------------------------------------------------------------------------------


@router.get(
    "/{int:meeting_id}",
    response={200: MeetingOut, **ERRORS},
    summary="One meeting",
    description="Staff of a scope containing it see it in any status; invitees and residents "
    "whose home it covers see it once noticed (404 otherwise). `checkin_url` (the QR code's "
    "secret URL) is given to hosts only.",
)
def detail(request, meeting_id: int):
    return _fresh(request, meeting_id)


@router.patch(
    "/{int:meeting_id}",
    response={200: MeetingOut, **ERRORS},
    summary="Change a meeting",
    description="Title, time or venue of a draft or noticed meeting, its quorum while a draft; "
    "only the fields "
    "sent change (`ends_at: null` clears the end). Once noticed, a new start must again leave "
    f"the kind's days of notice (422 on `starts_at`), and the invitees are told. {ACTION_ERRORS}",
)
def update(request, meeting_id: int, payload: MeetingPatch):
    meeting, _inv = _find(request.user, meeting_id)
    services.update_meeting(
        user=request.user, meeting=meeting, **payload.model_dump(exclude_unset=True)
    )
    return _fresh(request, meeting_id)


def _agenda_rows(meeting) -> list[dict]:
    return [
        {
            "order": item.order,
            "topic_id": item.topic_id,
            "title": item.topic.title,
            "status": item.topic.status,
        }
        for item in queries.agenda(meeting)
    ]


@router.put(
    "/{int:meeting_id}/agenda",
    response={200: list[AgendaItemOut], **ERRORS},
    summary="Set the agenda",
    description="The topics, in order, replacing the agenda. Each must be open and belong to "
    "the meeting's place, a place inside it or one containing it (422 on `topic_ids` naming "
    f"the topic). {ACTION_ERRORS}",
)
def set_agenda(request, meeting_id: int, payload: AgendaIn):
    meeting, _inv = _find(request.user, meeting_id)
    services.set_agenda(user=request.user, meeting=meeting, topic_ids=payload.topic_ids)
    return _agenda_rows(meeting)


@router.post(
    "/{int:meeting_id}/agenda",
    response={200: list[AgendaItemOut], **ERRORS},
    summary="Add a topic to the agenda",
    description="At the end; a topic already there stays where it is. Returns the agenda. "
    f"{ACTION_ERRORS}",
)
def add_topic(request, meeting_id: int, payload: AgendaAddIn):
    meeting, _inv = _find(request.user, meeting_id)
    services.add_topic(user=request.user, meeting=meeting, topic_id=payload.topic_id)
    return _agenda_rows(meeting)


@router.delete(
    "/{int:meeting_id}/agenda/{int:topic_id}",
    response={200: list[AgendaItemOut], **ERRORS},
    summary="Take a topic off the agenda",
    description=f"422 on `topic_id` when it is not on the agenda. {ACTION_ERRORS}",
)
def remove_topic(request, meeting_id: int, topic_id: int):
    meeting, _inv = _find(request.user, meeting_id)
    services.remove_topic(user=request.user, meeting=meeting, topic_id=topic_id)
    return _agenda_rows(meeting)


@router.get(
    "/{int:meeting_id}/invitees",
    response={200: list[InviteeOut], **ERRORS},
    summary="Invitees with their answers and check-ins",
    description="Staff of a scope containing the meeting (403 for others who see it). Names "
    "and mobiles are masked (张*明, 138****1234) unless the caller handles one of the person's "
    "households or the person was invited by role (in an official capacity).",
)
@paginate(LimitOffset)
def invitees(request, meeting_id: int):
    user = request.user
    meeting, _inv = _find(user, meeting_id)
    if not queries.is_staff_viewer(user, meeting):
        raise Forbidden(_("Only staff of this scope see the invitees."))
    # The page slice is fetched with its homes prefetched, so masking costs no query per row.
    return Rows(queries.invitees(meeting), lambda inv: _invitee_rows(user, [inv])[0])


@router.post(
    "/{int:meeting_id}/invitees",
    response={200: InvitedOut, **ERRORS},
    summary="Invite people",
    description="In bulk, by any mix of: `roles` (holders of these roles at a scope inside or "
    "above the meeting's), `scope` (the meeting's verified residents; owners only for an "
    "owners' assembly; the community's resident representatives for `rep_assembly`; its "
    "party members for `party_assembly`) and `user_ids`. Idempotent: people already invited "
    "stay as they are. People invited after the notice receive it. 422 on `roles` when "
    f"nothing is chosen, on `user_ids` for unknown people. {ACTION_ERRORS}",
)
def invite(request, meeting_id: int, payload: InviteIn):
    meeting, _inv = _find(request.user, meeting_id)
    done = services.invite(
        user=request.user,
        meeting=meeting,
        roles=payload.roles,
        scope=payload.scope,
        user_ids=payload.user_ids,
    )
    return {"added": done.added, "invited": done.invited}


@router.post(
    "/{int:meeting_id}/notice",
    response={200: MeetingOut, **ERRORS},
    summary="Send the notice (通知召集)",
    description="Draft → noticed: every invitee is notified and the notice goes up on the "
    "scope's board. 422 on `starts_at` when the meeting starts sooner than the kind's days of "
    "notice (15 days for an owners' assembly; exactly 15 days is enough), on `invitees` when "
    f"nobody is invited. {ACTION_ERRORS}",
)
def notice(request, meeting_id: int):
    meeting, _inv = _find(request.user, meeting_id)
    services.send_notice(user=request.user, meeting=meeting)
    return _fresh(request, meeting_id)


@router.post(
    "/{int:meeting_id}/rsvp",
    response={200: MeetingOut, **ERRORS},
    summary="Answer the invitation",
    description="`yes`, `no` or `maybe`, changeable until the meeting starts (409 "
    "`rsvp_closed` after). 403 `not_invited` for people who are not invited.",
)
def answer(request, meeting_id: int, payload: RsvpIn):
    meeting, _inv = _find(request.user, meeting_id)
    services.rsvp(user=request.user, meeting=meeting, answer=payload.answer)
    return _fresh(request, meeting_id)


@router.post(
    "/{int:meeting_id}/check-in",
    response={200: CheckInOut, **ERRORS},
    summary="Check in with the QR code's token",
    description="The logged-in invitee at the door. Open from 2 hours before the start until "
    "the minutes are recorded (409 `checkin_not_open`, `wrong_status`). 422 on `token` for a "
    "wrong or replaced code. Residents of the scope who were not invited join an open meeting "
    "(议事会, 恳谈会, 院子会, 楼栋会) as walk-ins; other kinds answer 403 `not_invited`. "
    "Checking in twice keeps the first time.",
)
def check_in(request, meeting_id: int, payload: CheckInIn):
    meeting = queries.meeting_or_none(meeting_id)
    if meeting is None:
        raise Http404
    done = services.check_in(user=request.user, meeting=meeting, token=payload.token)
    return {
        "checked_in_at": done.invitee.checked_in_at,
        "already": done.already,
        "walk_in": done.walk_in,
        "quorum": _quorum_row(services.quorum(meeting)),
    }


@router.post(
    "/{int:meeting_id}/invitees/{int:user_id}/check-in",
    response={200: InviteeOut, **ERRORS},
    summary="Tick an invitee off the sign-in sheet",
    description="A host records that the invitee is present (`present: false` takes a wrong "
    "tick back); the tick names the host. 422 on `user_id` for someone not invited. "
    f"{ACTION_ERRORS}",
)
def host_check_in(request, meeting_id: int, user_id: int, payload: HostCheckInIn):
    user = request.user
    meeting, _inv = _find(user, meeting_id)
    services.check_in_by_host(
        user=user, meeting=meeting, invitee_user_id=user_id, present=payload.present
    )
    row = queries.invitees(meeting).get(user_id=user_id)
    return _invitee_rows(user, [row])[0]


@router.post(
    "/{int:meeting_id}/token",
    response={200: CheckinTokenOut, **ERRORS},
    summary="Replace the check-in code",
    description=f"The old QR code stops working; returns the new URL. {ACTION_ERRORS}",
)
def rotate(request, meeting_id: int):
    meeting, _inv = _find(request.user, meeting_id)
    meeting = services.rotate_token(user=request.user, meeting=meeting)
    return {"checkin_url": _checkin_url(request, meeting)}


@router.get(
    "/{int:meeting_id}/quorum",
    response={200: QuorumOut, **ERRORS},
    summary="The quorum now",
    description="Invitees present, invited, needed (at least ⌈invited × numerator / "
    "denominator⌉, computed exactly) and whether it is met. For anyone who sees the meeting.",
)
def quorum(request, meeting_id: int):
    meeting, _inv = _find(request.user, meeting_id)
    return _quorum_row(services.quorum(meeting))


@router.post(
    "/{int:meeting_id}/minutes",
    response={200: MeetingOut, **ERRORS},
    summary="Record the minutes and decisions",
    description="Noticed → held, once the meeting has started (409 `not_started`). Each "
    "decision is on a topic of the agenda (422 on `decisions.<n>.topic_id`) and is recorded "
    "as the topic's decision; decisions need the quorum (409 `no_quorum`), minutes alone do "
    f"not. {ACTION_ERRORS}",
)
def minutes(request, meeting_id: int, payload: MinutesIn):
    meeting, _inv = _find(request.user, meeting_id)
    services.record_minutes(
        user=request.user,
        meeting=meeting,
        minutes=payload.minutes,
        decisions=[d.model_dump() for d in payload.decisions],
    )
    return _fresh(request, meeting_id)


@router.post(
    "/{int:meeting_id}/cancel",
    response={200: MeetingOut, **ERRORS},
    summary="Cancel the meeting",
    description="A draft or noticed meeting, with a `reason`; once noticed, the invitees and "
    f"the board are told. {ACTION_ERRORS}",
)
def cancel(request, meeting_id: int, payload: MeetingReasonIn):
    meeting, _inv = _find(request.user, meeting_id)
    services.cancel(user=request.user, meeting=meeting, reason=payload.reason)
    return _fresh(request, meeting_id)
