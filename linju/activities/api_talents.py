"""/activities/talents, /activities/invitations, /activities/figures: the talent pool (楼组达人库) —
a resident's skills and who may see them, the neighbours' talents shown to the community, the
staff's search of the pool and their invitations, which the talent accepts or declines — and the
monthly figures leaders report (每月一活动: activities per building group, person-times).
Every write goes through services_talents; every read through queries and rules."""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from linju.core.api_support import ERRORS, CappedLimitOffset, Listing
from linju.core.errors import Invalid
from linju.core.masking import staff_label
from linju.places.models import Place

from . import queries, rules
from . import services_talents as services
from .api_common import activity_ref, people, place_ref
from .models import Invitation, Talent
from .schemas import (
    ActivityFiguresFilter,
    ActivityFiguresOut,
    InvitationIn,
    InvitationOut,
    NeighbourFilter,
    PoolTalentOut,
    SentInvitationOut,
    SkillCode,
    TalentFilter,
    TalentIn,
    TalentOut,
)

router = Router(tags=["activities: talent pool"])


# --- Shapes ---------------------------------------------------------------------------------------


def _talent(t) -> dict:
    return {
        "id": t.pk,
        "skill": t.skill,
        "skill_label": str(t.get_skill_display()),
        "note": t.note,
        "visibility": t.visibility,
        "visibility_label": str(t.get_visibility_display()),
        "place": place_ref(t.place),
        "updated_at": t.updated_at,
    }


def _pool(viewer, rows) -> list[dict]:
    rows = list(rows)
    names = people(viewer, [t.user for t in rows])
    return [{**_talent(t), "person": names[t.user_id]} for t in rows]


def _invitation(i) -> dict:
    return {
        "id": i.pk,
        "talent": {
            "id": i.talent.pk,
            "skill": i.talent.skill,
            "skill_label": str(i.talent.get_skill_display()),
        },
        "activity": activity_ref(i.activity) if i.activity_id else None,
        "project": i.project,
        "project_id": i.co_project_id,
        "message": i.message,
        "status": i.status,
        "status_label": str(i.get_status_display()),
        "sent_by": staff_label(i.sent_by) if i.sent_by_id else None,
        "sent_at": i.sent_at,
        "answered_at": i.answered_at,
    }


def _sent(viewer, rows) -> list[dict]:
    rows = list(rows)
    names = people(viewer, [i.talent.user for i in rows])
    return [{**_invitation(i), "person": names[i.talent.user_id]} for i in rows]


def _with_refs(qs):
    return qs.select_related("talent", "activity__place", "sent_by")


def _mine(user, invitation_id: int) -> dict:
    found = _with_refs(queries.my_invitations(user)).filter(pk=invitation_id).first()
    if found is None:
        raise Http404
    return _invitation(found)


# --- My talents -----------------------------------------------------------------------------------


@router.get(
    "/talents/mine",
    response={200: list[TalentOut], **ERRORS},
    summary="My talents",
    description="The skills I offer, with who may see each; capped.",
)
@paginate(CappedLimitOffset)
def my_talents(request):
    qs = queries.my_talents(request.user).select_related("place")
    return Listing(qs, lambda rows: [_talent(t) for t in rows])


@router.put(
    "/talents/mine/{skill}",
    response={200: TalentOut, **ERRORS},
    summary="Offer a skill (or change it)",
    description="`skill`: `repairs`, `legal`, `calligraphy`, `health`, `teaching`, `digital`, "
    "`arts`, `cooking`, `psychology`, `other`. `visibility`: `staff` (the default: only the "
    "community staff and subdistrict administrators of my scope find it) or `neighbours` "
    "(also the heads and grid workers of my scope, and the residents of my community). Listed "
    "at the unit I live in, and offered while I live there (409 `no_home` before my home "
    "is verified). 422 `skill`, `note`, `visibility`.",
)
def set_talent(request, skill: SkillCode, payload: TalentIn):
    talent = services.set_talent(
        user=request.user, skill=skill, note=payload.note, visibility=payload.visibility
    )
    return _talent(Talent.objects.select_related("place").get(pk=talent.pk))


@router.delete(
    "/talents/mine/{skill}",
    response={204: None, **ERRORS},
    summary="Withdraw a skill",
    description="Its invitations go with it. 404 for a skill I have not listed; 422 `skill` "
    "for no skill at all.",
)
def remove_talent(request, skill: SkillCode):
    services.remove_talent(user=request.user, skill=skill)
    return Status(204, None)


@router.get(
    "/talents/neighbours",
    response={200: list[PoolTalentOut], **ERRORS},
    summary="My neighbours' talents",
    description="Skills residents of the communities I live in chose to show their neighbours, "
    "by `skill`; names masked outside my personal-data scope (my own in full); capped.",
)
@paginate(CappedLimitOffset)
def neighbours(request, filters: Query[NeighbourFilter]):
    user = request.user
    qs = queries.neighbours_talents(user, skill=filters.skill or "")
    return Listing(qs, lambda rows: _pool(user, rows))


# --- The pool, for staff --------------------------------------------------------------------------


@router.get(
    "/talents",
    response={200: list[PoolTalentOut], **ERRORS},
    summary="Search the talent pool",
    description="For the handlers of a scope: the talents of people still living in it, those "
    "shown to neighbours for the heads and grid workers, also those kept for the staff for "
    "community staff and subdistrict administrators; by `skill`, words of the note or the name "
    "(`text`) and `place`; empty for anyone else. Names masked outside the caller's "
    "personal-data scope. 422 `skill`, `text`, `place`. Capped.",
)
@paginate(CappedLimitOffset)
def search(request, filters: Query[TalentFilter]):
    user = request.user
    place = None
    if filters.place is not None:
        place = Place.objects.filter(pk=filters.place).first()
        if place is None:
            raise Invalid({"place": _("Choose a place.")})
    qs = queries.talent_search(
        user, skill=filters.skill or "", text=(filters.text or "").strip(), place=place
    )
    return Listing(qs, lambda rows: _pool(user, rows))


@router.post(
    "/talents/{int:talent_id}/invitations",
    response={201: SentInvitationOut, **ERRORS},
    summary="Invite a talent to help",
    description="With an activity I run (`activity`), a co-creation project of my scope "
    "(`project_id`) or a `project` named; the talent is told. 422 `message`, `activity` (not "
    "one I run), `project_id` (not one of my scope), `project` (none given); 404 for a talent "
    "the caller may not find (GET /activities/talents): outside their scope, or kept for the "
    "staff when they are not community staff.",
)
def invite(request, talent_id: int, payload: InvitationIn):
    user = request.user
    done = services.invite(
        user=user,
        talent_id=talent_id,
        message=payload.message,
        activity_id=payload.activity,
        project=payload.project,
        project_id=payload.project_id,
    )
    fresh = _with_refs(Invitation.objects.select_related("talent__user")).get(pk=done.pk)
    return Status(201, _sent(user, [fresh])[0])


@router.get(
    "/invitations/sent",
    response={200: list[SentInvitationOut], **ERRORS},
    summary="Invitations sent in my scope",
    description="Latest first, with the talent's answer; for the handlers of the scope. Names "
    "masked outside the caller's personal-data scope; capped.",
)
@paginate(CappedLimitOffset)
def sent(request):
    user = request.user
    qs = _with_refs(queries.sent_invitations(user))
    return Listing(qs, lambda rows: _sent(user, rows))


# --- My invitations -------------------------------------------------------------------------------


@router.get(
    "/invitations/mine",
    response={200: list[InvitationOut], **ERRORS},
    summary="Invitations to me",
    description="Latest first; capped.",
)
@paginate(CappedLimitOffset)
def my_invitations(request):
    qs = _with_refs(queries.my_invitations(request.user))
    return Listing(qs, lambda rows: [_invitation(i) for i in rows])


@router.post(
    "/invitations/{int:invitation_id}/accept",
    response={200: InvitationOut, **ERRORS},
    summary="Accept an invitation",
    description="The sender is told. 409 `answered`; 404 for an invitation to someone else.",
)
def accept(request, invitation_id: int):
    services.answer(user=request.user, invitation_id=invitation_id, accept=True)
    return _mine(request.user, invitation_id)


@router.post(
    "/invitations/{int:invitation_id}/decline",
    response={200: InvitationOut, **ERRORS},
    summary="Decline an invitation",
    description="The sender is told. 409 `answered`; 404 for an invitation to someone else.",
)
def decline(request, invitation_id: int):
    services.answer(user=request.user, invitation_id=invitation_id, accept=False)
    return _mine(request.user, invitation_id)


# --- Figures --------------------------------------------------------------------------------------


def _month(month: str | None) -> tuple[int, int]:
    """The month asked for (queries.parse_month), this month when none is."""
    if not month:
        today = timezone.localdate()
        return today.year, today.month
    parsed = queries.parse_month(month)
    if parsed is None:
        raise Invalid({"month": _("Give a month as YYYY-MM.")})
    return parsed


@router.get(
    "/figures",
    response={200: ActivityFiguresOut, **ERRORS},
    summary="Monthly figures (每月一活动)",
    description="For staff of the place's scope: for every building under `place`, the "
    "activities held there in the `month` (YYYY-MM, default this month; cancelled ones do not "
    "count) and the participant person-times (check-ins, 人次); the totals of the place, whose "
    "estate- or community-level activities count in the totals only. 422 `place` (not one I "
    "may see), `month`.",
)
def figures(request, filters: Query[ActivityFiguresFilter]):
    user = request.user
    place = Place.objects.filter(pk=filters.place).first()
    if place is None or not rules.can_view(user, place):
        raise Invalid({"place": _("Choose a place you may see.")})
    year, month = _month(filters.month)
    data = queries.monthly_figures(place=place, year=year, month=month)
    return {
        **data,
        "place": place_ref(place),
        "buildings": [{**row, "place": place_ref(row["place"])} for row in data["buildings"]],
    }
