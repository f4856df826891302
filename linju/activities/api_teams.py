"""/activities/teams, /activities/services, /activities/groups: volunteer teams (志愿服务队) with
their leaders and members, a member's service submitted and confirmed by a leader (which puts it
on the volunteer's record and earns points once), and interest groups (兴趣小组). Community staff
create teams and groups and appoint members; residents of the scope join and leave. Every write
goes through services_teams; every read through queries and rules."""

from django.http import Http404
from ninja import Router, Status
from ninja.pagination import paginate

from linju.core.api_support import ERRORS, CappedLimitOffset, Listing, renamed_fields

from . import queries, rules
from . import services_teams as services
from .api_common import people, place_ref
from .models import GroupMember, MemberRole, TeamMember
from .schemas import (
    ActivityReasonIn,
    GroupDetailOut,
    GroupIn,
    GroupOut,
    GroupUpdateIn,
    MemberIn,
    MembershipOut,
    TeamDetailOut,
    TeamIn,
    TeamOut,
    TeamServiceIn,
    TeamServiceOut,
    TeamUpdateIn,
)

router = Router(tags=["activities: teams and groups"])

TEAM_NOTE = (
    " 404 for a team outside the caller's view (where they live, their staff scope, their "
    "own teams); 403 for those who see it but may not do this."
)
GROUP_NOTE = TEAM_NOTE.replace("a team", "a group")


# --- Shapes ---------------------------------------------------------------------------------------


def _team(t) -> dict:
    return {
        "id": t.pk,
        "name": t.name,
        "kind": t.kind,
        "kind_label": str(t.get_kind_display()),
        "description": t.description,
        "open_to_join": t.open_to_join,
        "active": t.active,
        "place": place_ref(t.place),
        "size": t.size,
        "joined": t.joined,
    }


def _group(g) -> dict:
    return {
        "id": g.pk,
        "name": g.name,
        "description": g.description,
        "active": g.active,
        "place": place_ref(g.place),
        "size": g.size,
        "joined": g.joined,
    }


def _membership(user, owner, members) -> dict:
    """my_role, leaders, may_see_members and may_manage of a team or group (`members`: its
    member rows). Who belongs to it is for its leaders and the staff of its scope
    (rules.may_see_members): others get the count (`size`) and `leaders: null`."""
    mine = members.filter(user=user).values_list("role", flat=True).first()
    may_see = rules.may_see_members(user, owner)
    leaders = None
    if may_see:
        rows = list(
            members.filter(role=MemberRole.LEADER)
            .select_related("user")
            .order_by("joined_at", "id")
        )
        names = people(user, [m.user for m in rows])
        leaders = [names[m.user_id] for m in rows]
    return {
        "my_role": mine,
        "leaders": leaders,
        "may_see_members": may_see,
        "may_manage": rules.can_manage(user, owner),
    }


def _members(viewer, rows) -> list[dict]:
    rows = list(rows)
    names = people(viewer, [m.user for m in rows])
    return [
        {
            "person": names[m.user_id],
            "role": m.role,
            "role_label": str(m.get_role_display()),
            "joined_at": m.joined_at,
        }
        for m in rows
    ]


def _services(viewer, rows) -> list[dict]:
    rows = list(rows)
    names = people(viewer, [r.user for r in rows])
    return [
        {
            "id": r.pk,
            "team": {"id": r.team.pk, "name": r.team.name},
            "person": names[r.user_id],
            "served_on": r.served_on,
            "minutes": r.minutes,
            "what": r.what,
            "status": r.status,
            "status_label": str(r.get_status_display()),
            "reason": r.reason,
            "submitted_at": r.submitted_at,
            "decided_at": r.decided_at,
            "points": r.points,
        }
        for r in rows
    ]


# --- Finding things -------------------------------------------------------------------------------


def _find_team(user, team_id: int):
    """A team the caller may open (queries.team_for); 404 otherwise."""
    team = queries.team_for(user, team_id)
    if team is None:
        raise Http404
    return team


def _find_group(user, group_id: int):
    group = queries.group_for(user, group_id)
    if group is None:
        raise Http404
    return group


def _team_detail(user, team_id: int) -> dict:
    team = _find_team(user, team_id)
    return {**_team(team), **_membership(user, team, team.members.all())}


def _group_detail(user, group_id: int) -> dict:
    group = _find_group(user, group_id)
    return {**_group(group), **_membership(user, group, group.members.all())}


def _record(user, record_id: int) -> dict:
    found = queries.service_records_for(user).filter(pk=record_id).first()
    if found is None:
        raise Http404
    return _services(user, [found])[0]


# --- Teams ----------------------------------------------------------------------------------------


@router.get(
    "/teams",
    response={200: list[TeamOut], **ERRORS},
    summary="Volunteer teams near me",
    description="The active teams of the building, estate and community I live in (and of my "
    "staff scope), with their size and whether I joined; capped.",
)
@paginate(CappedLimitOffset)
def teams(request):
    qs = queries.teams_near(request.user).select_related("place").order_by("path", "name", "id")
    return Listing(qs, lambda rows: [_team(t) for t in rows])


@router.get(
    "/teams/{int:team_id}",
    response={200: TeamDetailOut, **ERRORS},
    summary="One volunteer team",
    description="With my role, whether I may manage it and, for its leaders and staff of its "
    "scope (`may_see_members`), its leaders (names masked outside my personal-data scope; "
    "null for everyone else, who get the count only). Residents of its place, staff of its "
    "scope and its members (a leader appointed from elsewhere) see it; retired ones only staff "
    "and members; 404 otherwise.",
)
def team(request, team_id: int):
    return _team_detail(request.user, team_id)


@router.post(
    "/teams",
    response={201: TeamDetailOut, **ERRORS},
    summary="Create a volunteer team",
    description="Of a community, estate or building (`place`), by community staff, with its "
    "first `leader` if given. 422 `place`, `name` (once in a place), `kind`, `description`, "
    "`leader`; 403 for others.",
)
def create_team(request, payload: TeamIn):
    user = request.user
    with renamed_fields(person="leader"):
        created = services.create_team(
            user=user,
            place_id=payload.place,
            name=payload.name,
            kind=payload.kind,
            description=payload.description,
            open_to_join=payload.open_to_join,
            leader_id=payload.leader,
        )
    return Status(201, _team_detail(user, created.pk))


@router.put(
    "/teams/{int:team_id}",
    response={200: TeamDetailOut, **ERRORS},
    summary="Change a volunteer team",
    description="By community staff; `active: false` retires it (its record stays). 422 "
    "`name`, `kind`, `description`." + TEAM_NOTE,
)
def update_team(request, team_id: int, payload: TeamUpdateIn):
    user = request.user
    _find_team(user, team_id)
    services.update_team(user=user, team_id=team_id, **payload.model_dump())
    return _team_detail(user, team_id)


@router.post(
    "/teams/{int:team_id}/join",
    response={200: TeamDetailOut, **ERRORS},
    summary="Join a volunteer team",
    description="An open team of where I live (403 otherwise); 409 `already_member`." + TEAM_NOTE,
)
def join_team(request, team_id: int):
    user = request.user
    _find_team(user, team_id)
    services.join_team(user=user, team_id=team_id)
    return _team_detail(user, team_id)


@router.get(
    "/teams/{int:team_id}/members",
    response={200: list[MembershipOut], **ERRORS},
    summary="A team's members",
    description="For its leaders and staff of the scope (403 for its other members and the "
    "residents who see it): leaders first. Names masked outside the caller's personal-data "
    "scope; capped." + TEAM_NOTE,
)
@paginate(CappedLimitOffset)
def team_members(request, team_id: int):
    user = request.user
    team = _find_team(user, team_id)
    rules.require(rules.may_see_members(user, team))
    rows = team.members.select_related("user").order_by("role", "joined_at", "id")
    return Listing(rows, lambda page: _members(user, page))


@router.post(
    "/teams/{int:team_id}/members",
    response={200: MembershipOut, **ERRORS},
    summary="Add a member or appoint a leader",
    description="By community staff; a member given `role: leader` becomes one (and back). "
    "422 `person`, `role`." + TEAM_NOTE,
)
def add_team_member(request, team_id: int, payload: MemberIn):
    user = request.user
    _find_team(user, team_id)
    member = services.add_team_member(
        user=user, team_id=team_id, person_id=payload.person, role=payload.role
    )
    return _members(user, [TeamMember.objects.select_related("user").get(pk=member.pk)])[0]


@router.delete(
    "/teams/{int:team_id}/members/{int:person_id}",
    response={204: None, **ERRORS},
    summary="Leave a team, or remove a member",
    description="A member leaves with their own id; community staff remove anyone. What they "
    "did stays on record. 404 `not_found` for someone who is not a member." + TEAM_NOTE,
)
def leave_team(request, team_id: int, person_id: int):
    user = request.user
    _find_team(user, team_id)
    services.leave_team(user=user, team_id=team_id, person_id=person_id)
    return Status(204, None)


# --- Team service ---------------------------------------------------------------------------------


@router.post(
    "/teams/{int:team_id}/services",
    response={201: TeamServiceOut, **ERRORS},
    summary="Record service for a team (志愿服务)",
    description="By a member for themselves, or by a leader or community staff for a member "
    "(`person`, 403 for others); it waits for a leader's confirmation. 422 `served_on` (in the "
    "past year), `minutes` (1 to 720), `what`, `person` (not a member)." + TEAM_NOTE,
)
def submit_service(request, team_id: int, payload: TeamServiceIn):
    user = request.user
    _find_team(user, team_id)
    record = services.submit_service(
        user=user,
        team_id=team_id,
        served_on=payload.served_on,
        minutes=payload.minutes,
        what=payload.what,
        person_id=payload.person,
    )
    return Status(201, _record(user, record.pk))


@router.get(
    "/services/waiting",
    response={200: list[TeamServiceOut], **ERRORS},
    summary="Service waiting for my confirmation",
    description="Of the teams I lead (not my own) and, for community staff, of every team in "
    "their scope; oldest first. Names masked outside my personal-data scope; capped.",
)
@paginate(CappedLimitOffset)
def services_waiting(request):
    user = request.user
    return Listing(queries.services_to_confirm(user), lambda rows: _services(user, rows))


@router.get(
    "/services/mine",
    response={200: list[TeamServiceOut], **ERRORS},
    summary="My team service",
    description="Latest first, waiting, confirmed (with its points) or not (with the reason); "
    "capped.",
)
@paginate(CappedLimitOffset)
def my_services(request):
    user = request.user
    qs = queries.my_team_services(user).select_related("user").order_by("-served_on", "-id")
    return Listing(qs, lambda rows: _services(user, rows))


@router.post(
    "/services/{int:record_id}/confirm",
    response={200: TeamServiceOut, **ERRORS},
    summary="Confirm a member's service",
    description="By a leader of the team or community staff (403 otherwise): the time goes on "
    "the volunteer's record and earns points, once. 409 `decided`, `own_service` (another "
    "leader or the staff confirm a leader's own). 404 outside the caller's view.",
)
def confirm_service(request, record_id: int):
    user = request.user
    _record(user, record_id)
    services.decide_service(user=user, record_id=record_id, confirm=True)
    return _record(user, record_id)


@router.post(
    "/services/{int:record_id}/reject",
    response={200: TeamServiceOut, **ERRORS},
    summary="Turn a member's service down",
    description="With the `reason` (422), told to the member. 409 `decided`, `own_service`; "
    "403 for those who may not decide; 404 outside the caller's view.",
)
def reject_service(request, record_id: int, payload: ActivityReasonIn):
    user = request.user
    _record(user, record_id)
    services.decide_service(user=user, record_id=record_id, confirm=False, reason=payload.reason)
    return _record(user, record_id)


# --- Interest groups ------------------------------------------------------------------------------


@router.get(
    "/groups",
    response={200: list[GroupOut], **ERRORS},
    summary="Interest groups near me",
    description="The active groups of the building, estate and community I live in (and of my "
    "staff scope), with their size and whether I joined; capped.",
)
@paginate(CappedLimitOffset)
def groups(request):
    qs = queries.groups_near(request.user).select_related("place").order_by("path", "name", "id")
    return Listing(qs, lambda rows: [_group(g) for g in rows])


@router.get(
    "/groups/{int:group_id}",
    response={200: GroupDetailOut, **ERRORS},
    summary="One interest group",
    description="With my role, whether I may manage it and, for its leaders and staff of its "
    "scope (`may_see_members`), its leaders (null for everyone else). Residents of its place, "
    "staff of its scope and its members see it; retired ones only staff and members; 404 "
    "otherwise.",
)
def group(request, group_id: int):
    return _group_detail(request.user, group_id)


@router.post(
    "/groups",
    response={201: GroupDetailOut, **ERRORS},
    summary="Create an interest group",
    description="Of a community, estate or building (`place`), by community staff, with its "
    "first `leader` if given. 422 `place`, `name` (once in a place), `description`, `leader`; "
    "403 for others.",
)
def create_group(request, payload: GroupIn):
    user = request.user
    with renamed_fields(person="leader"):
        created = services.create_group(
            user=user,
            place_id=payload.place,
            name=payload.name,
            description=payload.description,
            leader_id=payload.leader,
        )
    return Status(201, _group_detail(user, created.pk))


@router.put(
    "/groups/{int:group_id}",
    response={200: GroupDetailOut, **ERRORS},
    summary="Change an interest group",
    description="By community staff; `active: false` retires it. 422 `name`, `description`."
    + GROUP_NOTE,
)
def update_group(request, group_id: int, payload: GroupUpdateIn):
    user = request.user
    _find_group(user, group_id)
    services.update_group(user=user, group_id=group_id, **payload.model_dump())
    return _group_detail(user, group_id)


@router.post(
    "/groups/{int:group_id}/join",
    response={200: GroupDetailOut, **ERRORS},
    summary="Join an interest group",
    description="A group of where I live (403 otherwise); 409 `already_member`." + GROUP_NOTE,
)
def join_group(request, group_id: int):
    user = request.user
    _find_group(user, group_id)
    services.join_group(user=user, group_id=group_id)
    return _group_detail(user, group_id)


@router.get(
    "/groups/{int:group_id}/members",
    response={200: list[MembershipOut], **ERRORS},
    summary="A group's members",
    description="For its leaders and staff of the scope (403 for its other members and the "
    "residents who see it): leaders first. Names masked outside the caller's personal-data "
    "scope; capped." + GROUP_NOTE,
)
@paginate(CappedLimitOffset)
def group_members(request, group_id: int):
    user = request.user
    group = _find_group(user, group_id)
    rules.require(rules.may_see_members(user, group))
    rows = group.members.select_related("user").order_by("role", "joined_at", "id")
    return Listing(rows, lambda page: _members(user, page))


@router.post(
    "/groups/{int:group_id}/members",
    response={200: MembershipOut, **ERRORS},
    summary="Add a member or appoint a leader",
    description="By community staff. 422 `person`, `role`." + GROUP_NOTE,
)
def add_group_member(request, group_id: int, payload: MemberIn):
    user = request.user
    _find_group(user, group_id)
    member = services.add_group_member(
        user=user, group_id=group_id, person_id=payload.person, role=payload.role
    )
    return _members(user, [GroupMember.objects.select_related("user").get(pk=member.pk)])[0]


@router.delete(
    "/groups/{int:group_id}/members/{int:person_id}",
    response={204: None, **ERRORS},
    summary="Leave a group, or remove a member",
    description="A member leaves with their own id; community staff remove anyone. 404 "
    "`not_found` for someone who is not a member." + GROUP_NOTE,
)
def leave_group(request, group_id: int, person_id: int):
    user = request.user
    _find_group(user, group_id)
    services.leave_group(user=user, group_id=group_id, person_id=person_id)
    return Status(204, None)
