"""Every write on volunteer teams and interest groups (seeds 000, 002): community staff create
them and appoint leaders; residents of the scope join open ones and leave; a member's service
is submitted (by the member or a leader) and confirmed by a leader of the team, or by
community staff, which puts it on the volunteer's record and earns points once. A leader does
not confirm their own service: another leader or the staff do. Keyword-only, one transaction
each."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.core import audit
from linju.core.cleaning import as_id, clean_text, violated
from linju.core.errors import Conflict, Invalid, NotFound
from linju.core.notifications import notify
from linju.people.models import User
from linju.places.models import Place
from linju.points import services as points_services

from . import rules
from .models import (
    GroupMember,
    InterestGroup,
    MemberRole,
    ServiceRecord,
    ServiceStatus,
    Team,
    TeamKind,
    TeamMember,
)

SCOPE_KINDS = ("community", "estate", "building")


def _scope_place(place_id) -> Place:
    place = Place.objects.filter(pk=as_id(place_id), kind__in=SCOPE_KINDS).first()
    if place is None:
        raise Invalid({"place": _("Choose a community, an estate or a building.")})
    return place


def _person(person_id) -> User:
    person = User.objects.filter(pk=as_id(person_id), is_active=True).first()
    if person is None:
        raise Invalid({"person": _("Choose a person.")})
    return person


def _name(name) -> str:
    return clean_text(name, field="name", max_length=60, required=_("Give a name."))


def _locked(model, pk, message):
    obj = model.objects.select_for_update().filter(pk=as_id(pk)).first()
    if obj is None:
        raise NotFound(message)
    return obj


# --- Teams ----------------------------------------------------------------------------------


def _team_fields(*, name, kind, description, open_to_join) -> dict:
    if kind not in TeamKind.values:
        raise Invalid({"kind": _("Choose the kind of team.")})
    return {
        "name": _name(name),
        "kind": kind,
        "description": clean_text(description, field="description", max_length=2000),
        "open_to_join": bool(open_to_join),
    }


def _unique_name(model, place, name, exclude=None):
    others = model.objects.filter(place=place, name=name)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if others.exists():
        raise Invalid({"name": _("This name is taken here already.")})


def _saved_once_by_name(obj, constraint):
    """Save a team or group; the same name sent twice at once passes both checks above and
    meets the unique key: the second is told the name is taken, not a 500."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        taken = type(obj).objects.filter(place_id=obj.place_id, name=obj.name)
        if obj.pk is not None:
            taken = taken.exclude(pk=obj.pk)
        if violated(exc, constraint, still_there=taken.exists):
            raise Invalid({"name": _("This name is taken here already.")}) from None
        raise
    return obj


@transaction.atomic
def create_team(
    *, user, place_id, name, kind, description="", open_to_join=True, leader_id=None
) -> Team:
    """志愿服务队: a team of a community, estate or building, with its first leader if given."""
    place = _scope_place(place_id)
    rules.require(rules.can_manage(user, place))
    fields = _team_fields(name=name, kind=kind, description=description, open_to_join=open_to_join)
    _unique_name(Team, place, fields["name"])
    team = _saved_once_by_name(
        Team(place=place, created_by=user, **fields), "team_name_once_in_place"
    )
    if leader_id not in (None, ""):
        TeamMember.objects.create(team=team, user=_person(leader_id), role=MemberRole.LEADER)
    audit.record(actor=user, verb="activities.team_create", obj=team, data=fields)
    return team


@transaction.atomic
def update_team(
    *, user, team_id, name, kind, description="", open_to_join=True, active=True
) -> Team:
    team = _locked(Team, team_id, _("No such team."))
    rules.require(rules.can_manage(user, team))
    fields = _team_fields(name=name, kind=kind, description=description, open_to_join=open_to_join)
    _unique_name(Team, team.place, fields["name"], exclude=team)
    for k, v in {**fields, "active": bool(active)}.items():
        setattr(team, k, v)
    _saved_once_by_name(team, "team_name_once_in_place")
    audit.record(actor=user, verb="activities.team_update", obj=team, data=fields)
    return team


def _add(model, owner_field, owner, person, role):
    try:
        with transaction.atomic():
            return model.objects.create(**{owner_field: owner}, user=person, role=role)
    except IntegrityError:
        raise Conflict(_("Already a member."), code="already_member") from None


def _appoint(*, user, model, owner_field, owner, person_id, role, verb):
    """Staff add a member or appoint a leader (an existing member changes role)."""
    rules.require(rules.can_manage(user, owner))
    if role not in MemberRole.values:
        raise Invalid({"role": _("Choose leader or member.")})
    person = _person(person_id)
    member, created = model.objects.get_or_create(
        **{owner_field: owner}, user=person, defaults={"role": role}
    )
    if not created and member.role != role:
        member.role = role
        member.save(update_fields=["role"])
    audit.record(actor=user, verb=verb, obj=owner, data={"person": person.pk, "role": role})
    return member


def _leave(*, user, model, owner_field, owner, person_id, verb, missing):
    """A member leaves; staff may remove anyone. What they did stays on record."""
    person_id = as_id(person_id) if person_id not in (None, "") else user.pk
    if person_id != user.pk:
        rules.require(rules.can_manage(user, owner))
    deleted, _rows = model.objects.filter(**{owner_field: owner}, user_id=person_id).delete()
    if not deleted:
        raise NotFound(missing)
    audit.record(actor=user, verb=verb, obj=owner, data={"person": person_id})


@transaction.atomic
def join_team(*, user, team_id) -> TeamMember:
    """A resident of the team's scope joins an open team."""
    team = Team.objects.filter(pk=as_id(team_id), active=True).first()
    if team is None:
        raise NotFound(_("No such team."))
    rules.require(
        team.open_to_join and rules.lives_in(user, team),
        _("You may join the open teams of where you live."),
    )
    member = _add(TeamMember, "team", team, user, MemberRole.MEMBER)
    audit.record(actor=user, verb="activities.team_join", obj=team)
    return member


@transaction.atomic
def add_team_member(*, user, team_id, person_id, role=MemberRole.MEMBER) -> TeamMember:
    team = _locked(Team, team_id, _("No such team."))
    return _appoint(
        user=user,
        model=TeamMember,
        owner_field="team",
        owner=team,
        person_id=person_id,
        role=role,
        verb="activities.team_member",
    )


@transaction.atomic
def leave_team(*, user, team_id, person_id=None) -> None:
    team = _locked(Team, team_id, _("No such team."))
    _leave(
        user=user,
        model=TeamMember,
        owner_field="team",
        owner=team,
        person_id=person_id,
        verb="activities.team_leave",
        missing=_("Not a member of this team."),
    )


# --- Team service: submitted by a member, confirmed by a leader ------------------------------


@transaction.atomic
def submit_service(*, user, team_id, served_on, minutes, what, person_id=None) -> ServiceRecord:
    """A member records a stretch of service for the team (or a leader or the staff record it
    for a member); it waits for a leader's confirmation."""
    team = Team.objects.filter(pk=as_id(team_id), active=True).first()
    if team is None:
        raise NotFound(_("No such team."))
    person = _person(person_id) if person_id not in (None, "") else user
    if person.pk != user.pk:
        rules.require(rules.can_confirm_service(user, team))
    if not TeamMember.objects.filter(team=team, user=person).exists():
        raise Invalid({"person": _("Only members of the team record service for it.")})
    day, minutes = points_services.clean_service(served_on=served_on, minutes=minutes)
    what = clean_text(what, field="what", max_length=200, required=_("Say what the service was."))
    record = ServiceRecord.objects.create(
        team=team,
        place=team.place,
        user=person,
        served_on=day,
        minutes=minutes,
        what=what,
        submitted_by=user,
    )
    leaders = TeamMember.objects.filter(team=team, role=MemberRole.LEADER).exclude(user=person)
    notify(
        recipients=[m.user_id for m in leaders],
        kind="activities.team",
        title=_("Service to confirm for %(team)s") % {"team": team.name},
        body=what,
        url=f"/activities/teams/{team.pk}/",
    )
    audit.record(actor=user, verb="activities.service_submit", obj=record)
    return record


@transaction.atomic
def decide_service(*, user, record_id, confirm: bool, reason="") -> ServiceRecord:
    """A leader of the team (or community staff) confirms a member's service, which credits
    the hours and points once (key `team-service:<id>`), or turns it down with a reason. No
    one decides on their own service, staff included."""
    record = _locked(ServiceRecord, record_id, _("No such service record."))
    team = record.team
    rules.require(rules.can_confirm_service(user, team))
    if record.user_id == user.pk:
        raise Conflict(
            _("Another leader or the community staff confirm your own service."),
            code="own_service",
        )
    if record.status != ServiceStatus.SUBMITTED:
        raise Conflict(_("This service was decided already."), code="decided")
    reason = clean_text(reason, field="reason", max_length=300)
    if not confirm and not reason:
        raise Invalid({"reason": _("Say why the service is not confirmed.")})
    record.decided_by, record.decided_at, record.reason = user, timezone.now(), reason
    if confirm:
        community = points_services.community_of(team.place_id)
        _hours, points = points_services.credit_service(
            person_id=record.user_id,
            community=community,
            served_on=record.served_on,
            minutes=record.minutes,
            what=f"{team.name}: {record.what}",
            key=record.ledger_key,
            ref=f"team:{team.pk}",
            by=user,
        )
        record.status = ServiceStatus.CONFIRMED
        record.points = points.amount if points else 0
    else:
        record.status = ServiceStatus.REJECTED
    record.save()
    notify(
        recipients=[record.user_id],
        kind="activities.team",
        title=(
            _("Your service for %(team)s was confirmed")
            if confirm
            else _("Your service for %(team)s was not confirmed")
        )
        % {"team": team.name},
        body=reason,
        url="/points/",
    )
    audit.record(
        actor=user,
        verb="activities.service_confirm" if confirm else "activities.service_reject",
        obj=record,
        data={"points": record.points, "reason": reason},
    )
    return record


# --- Interest groups ----------------------------------------------------------------------


@transaction.atomic
def create_group(*, user, place_id, name, description="", leader_id=None) -> InterestGroup:
    """兴趣小组 of a community, estate or building."""
    place = _scope_place(place_id)
    rules.require(rules.can_manage(user, place))
    name = _name(name)
    _unique_name(InterestGroup, place, name)
    group = _saved_once_by_name(
        InterestGroup(
            place=place,
            name=name,
            description=clean_text(description, field="description", max_length=2000),
            created_by=user,
        ),
        "group_name_once_in_place",
    )
    if leader_id not in (None, ""):
        GroupMember.objects.create(group=group, user=_person(leader_id), role=MemberRole.LEADER)
    audit.record(actor=user, verb="activities.group_create", obj=group)
    return group


@transaction.atomic
def update_group(*, user, group_id, name, description="", active=True) -> InterestGroup:
    group = _locked(InterestGroup, group_id, _("No such group."))
    rules.require(rules.can_manage(user, group))
    group.name = _name(name)
    _unique_name(InterestGroup, group.place, group.name, exclude=group)
    group.description = clean_text(description, field="description", max_length=2000)
    group.active = bool(active)
    _saved_once_by_name(group, "group_name_once_in_place")
    audit.record(actor=user, verb="activities.group_update", obj=group)
    return group


@transaction.atomic
def join_group(*, user, group_id) -> GroupMember:
    group = InterestGroup.objects.filter(pk=as_id(group_id), active=True).first()
    if group is None:
        raise NotFound(_("No such group."))
    rules.require(rules.lives_in(user, group), _("You may join the groups of where you live."))
    member = _add(GroupMember, "group", group, user, MemberRole.MEMBER)
    audit.record(actor=user, verb="activities.group_join", obj=group)
    return member


@transaction.atomic
def add_group_member(*, user, group_id, person_id, role=MemberRole.MEMBER) -> GroupMember:
    group = _locked(InterestGroup, group_id, _("No such group."))
    return _appoint(
        user=user,
        model=GroupMember,
        owner_field="group",
        owner=group,
        person_id=person_id,
        role=role,
        verb="activities.group_member",
    )


@transaction.atomic
def leave_group(*, user, group_id, person_id=None) -> None:
    group = _locked(InterestGroup, group_id, _("No such group."))
    _leave(
        user=user,
        model=GroupMember,
        owner_field="group",
        owner=group,
        person_id=person_id,
        verb="activities.group_leave",
        missing=_("Not a member of this group."),
    )
