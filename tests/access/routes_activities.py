"""Activities (活动): the calendar, sign-ups and check-in, photos, volunteer teams and interest
groups, service records, the talent pool and invitations, the desk and its monthly figures with
their XLSX export; /api/v1/activities. Rules: linju/activities/rules.py and docs/activities.md
— staff of a scope read it (activities.view); heads, grid workers, community staff and the
subdistrict organise (activities.organise); community staff and the subdistrict run teams and
groups (activities.manage); residents take part where they live (`lives_in`, their own homes
only); a team's or group's leaders run it; members lists are for leaders and staff."""

from datetime import timedelta

from django.utils import timezone

from linju.activities import services_activities as acts
from linju.activities import services_talents as talents
from linju.activities import services_teams as teams
from linju.activities.models import Visibility
from linju.activities.tests.conftest import started
from linju.reports.tests.conftest import upload

from .policy import Anywhere, Home, HomeIn, Is, LoggedIn, Named, Nobody, Perm
from .spec import Lit, Route
from .world import Thing, makes, marker, person, twin

APP = "activities"


@makes("team", "member", "group", "service", again=True)
def teams_made(w, side, suffix):
    """A volunteer team of B1 (B3) led by the owner with a member who recorded an hour of
    service (waiting for the leader), and an interest group of B1 led by that member. In C1
    the member is the tenant; in C2 the party liaison's twin, who lives in B3."""
    staff = w.user(person(side, "community_staff"))
    building = twin(side, "B1")
    leader = person(side, "owner")
    member = "tenant" if side == "C1" else "party_liaison_2"
    team = teams.create_team(
        user=staff,
        place_id=w.place(building).pk,
        name=marker("team", side, suffix),
        kind="safety",
        leader_id=w.user(leader).pk,
    )
    teams.add_team_member(user=staff, team_id=team.pk, person_id=w.user(member).pk)
    record = teams.submit_service(
        user=w.user(member),
        team_id=team.pk,
        served_on=timezone.localdate(),
        minutes=60,
        what=marker("service", side, suffix),
    )
    group = teams.create_group(
        user=staff,
        place_id=w.place(building).pk,
        name=marker("group", side, suffix),
        leader_id=w.user(member).pk,
    )
    crew = {"leader": leader, "member": member}
    return {
        "team": Thing(team, building, crew),
        "member": Thing(w.user(member), building, crew),
        "group": Thing(group, building, {"leader": member}),
        "service": Thing(record, building, crew),
    }


@makes("activity", "activity_photo", again=True)
def activities_made(w, side, suffix):
    """An activity of U1 (U3) that began ten minutes ago, organised by community staff, the
    owner signed up, with a photo."""
    staff = w.user(person(side, "community_staff"))
    unit = twin(side, "U1")
    start = timezone.now() + timedelta(days=1)
    activity = acts.create_activity(
        user=staff,
        place_id=w.place(unit).pk,
        title=marker("activity", side, suffix),
        kind="culture",
        venue="活动室",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=5,
    )
    acts.sign_up(user=w.user(person(side, "owner")), activity_id=activity.pk)
    activity = started(activity)
    photo = acts.add_photos(user=staff, activity_id=activity.pk, photos=[upload(size=(64, 48))])[0]
    people = {"participant": person(side, "owner")}
    return {
        "activity": Thing(activity, unit, people),
        "activity_photo": Thing(photo, unit, people),
    }


@makes("talent", "invitation", "skill", again=True)
def talents_made(w, side, suffix):
    """The owner's repair skill shown to neighbours, and community staff's invitation to it."""
    owner_key = person(side, "owner")
    talent = talents.set_talent(
        user=w.user(owner_key),
        skill="repairs",
        note=marker("talent", side, suffix),
        visibility=Visibility.NEIGHBOURS,
    )
    invitation = talents.invite(
        user=w.user(person(side, "community_staff")),
        talent_id=talent.pk,
        message=marker("invitation", side, suffix),
        project="楼道修缮",
    )
    where = twin(side, "U1")
    people = {"talent": owner_key}
    return {
        "talent": Thing(talent, where, people),
        "invitation": Thing(invitation, where, people),
        "skill": Thing(talent, where, people, value="repairs"),
    }


VIEW = Perm("activities.view")
ORGANISE = Perm("activities.organise")
MANAGE = Perm("activities.manage")
DESK = Anywhere("activities.view")
# Residents take part where they live (their own homes).
LIVES = Home()
ACTIVITY_SEEN = LIVES | VIEW
TEAM_SEEN = LIVES | VIEW | Is("leader", "member")
MEMBERS = Is("leader") | VIEW
# A team's leader confirms its members' service; managers any team's.
CONFIRM = Is("leader") | MANAGE
# The talent pool: those shown to neighbours, to the organisers of their scope and the
# residents living there.
POOL = ORGANISE
NEIGHBOURS = HomeIn("C")


def _activity(rule, **kw):
    kw.setdefault("seen", ACTIVITY_SEEN)
    return Route(rule, params={"activity_id": "activity"}, **kw)


def _team(rule, **kw):
    kw.setdefault("seen", TEAM_SEEN)
    return Route(rule, params={"team_id": "team"}, **kw)


def _group(rule, **kw):
    kw.setdefault("seen", TEAM_SEEN)
    return Route(rule, params={"group_id": "group"}, **kw)


def _month(w, side):
    return {"place": w.obj("community", side).pk, "month": timezone.localdate().strftime("%Y-%m")}


PAGES = {
    "activities/": Route(
        LoggedIn(), shows={"activity": ACTIVITY_SEEN}, why="resident-facing: the calendar"
    ),
    "activities/<int:pk>/": Route(
        ACTIVITY_SEEN,
        params={"pk": "activity"},
        post=LIVES | VIEW,
        data=lambda w, s: {"action": "sign_up"},
        refused=(302,),
        why="an activity of where the person lives or of their scope",
    ),
    "activities/photos/<int:pk>/": Route(ACTIVITY_SEEN, params={"pk": "activity_photo"}),
    "activities/check-in/<str:code>/": Route(
        LoggedIn(),
        params={"code": "activity.check_in_code"},
        kind="activity",
        ok=(200, 403),
        why="the QR code at the door: the page says whether the person may check in",
    ),
    "activities/mine/": Route(
        LoggedIn(), shows={"activity": Is("participant")}, why="the person's own sign-ups"
    ),
    "activities/teams/": Route(
        LoggedIn(), shows={"team": LIVES | VIEW}, why="resident-facing: teams of where one lives"
    ),
    "activities/teams/<int:pk>/": Route(
        TEAM_SEEN,
        params={"pk": "team"},
        post=CONFIRM,
        data=lambda w, side: {"action": "confirm", "record": w.obj("service", side).pk},
        refused=(302, 403, 404),
        why="a team; confirming service is for its leaders and managers",
    ),
    "activities/groups/": Route(
        LoggedIn(), shows={"group": LIVES | VIEW}, why="resident-facing: groups of where one lives"
    ),
    "activities/groups/<int:pk>/": Route(TEAM_SEEN, params={"pk": "group"}),
    "activities/talents/": Route(
        LoggedIn(), shows={"talent": NEIGHBOURS}, why="the person's skills and their neighbours'"
    ),
    "activities/desk/": Route(DESK, counts=("activity", "team"), why="the desk"),
    "activities/desk/figures/": Route(
        DESK,
        kind="community",
        query=_month,
        counts=("activity",),
        why="monthly figures of a place of the scope",
    ),
    "activities/desk/figures/xlsx/": Route(
        DESK,
        kind="community",
        query=_month,
        ok=(200, 302),
        counts=("activity",),
        why="their export (XLSX); a place outside the scope goes back to the form",
    ),
    "activities/desk/activities/": Route(
        DESK, shows={"activity": VIEW}, why="the activities of the scope"
    ),
    "activities/desk/activities/new/": Route(
        Anywhere("activities.organise") | Named("owner", "owner_2", "tenant", "party_liaison_2"),
        why="organisers, and the leaders of teams and groups",
    ),
    "activities/desk/activities/<int:pk>/": Route(
        VIEW,
        params={"pk": "activity"},
        seen=ACTIVITY_SEEN,
        post=ORGANISE,
        data=lambda w, s: {"action": "cancel", "reason": "x"},
        why="an activity's sheet: staff of the scope; running it is the organisers'",
    ),
    "activities/desk/activities/<int:pk>/edit/": Route(
        ORGANISE,
        params={"pk": "activity"},
        seen=ACTIVITY_SEEN,
        post=ORGANISE,
        data=lambda w, s: {"title": "x"},
    ),
    "activities/desk/activities/<int:pk>/qr/": Route(
        ORGANISE, params={"pk": "activity"}, seen=ACTIVITY_SEEN, why="the check-in QR code"
    ),
    "activities/desk/services/": Route(
        DESK | Named("owner", "owner_2"),
        shows={"service": CONFIRM},
        why="service waiting: the desk and team leaders (the owners lead the teams)",
    ),
    "activities/desk/teams/": Route(DESK, shows={"team": VIEW}),
    "activities/desk/teams/<int:pk>/": Route(MEMBERS, params={"pk": "team"}, seen=TEAM_SEEN),
    "activities/desk/groups/": Route(DESK, shows={"group": VIEW}),
    "activities/desk/groups/<int:pk>/": Route(MEMBERS, params={"pk": "group"}, seen=TEAM_SEEN),
    "activities/desk/talents/": Route(
        DESK, shows={"talent": POOL}, why="the talent pool, as the person may search it"
    ),
}

API = {
    "GET /activities": Route(LoggedIn(), shows={"activity": ACTIVITY_SEEN}),
    "POST /activities": Route(
        ORGANISE,
        kind="unit",
        data=lambda w, side: {
            "place": w.obj("unit", side).pk,
            "title": "x",
            "kind": "culture",
            "venue": "x",
            "starts_at": (timezone.now() + timedelta(days=3)).isoformat(),
            "ends_at": (timezone.now() + timedelta(days=3, hours=1)).isoformat(),
        },
        refused=(403,),
    ),
    "GET /activities/mine": Route(LoggedIn(), shows={"activity": Is("participant")}),
    "GET /activities/{activity_id}": _activity(ACTIVITY_SEEN),
    "PUT /activities/{activity_id}": _activity(
        ORGANISE,
        data=lambda w, side: {
            "title": "x",
            "kind": "culture",
            "venue": "x",
            "starts_at": w.obj("activity", side).starts_at.isoformat(),
            "ends_at": w.obj("activity", side).ends_at.isoformat(),
        },
    ),
    "POST /activities/{activity_id}/cancel": _activity(ORGANISE, data=lambda w, s: {"reason": "x"}),
    "POST /activities/{activity_id}/sign-up": _activity(LIVES | VIEW, refused=(403, 409)),
    "DELETE /activities/{activity_id}/sign-up": _activity(
        Nobody(), refused=(403, 404, 409), why="one's own sign-up (404: not signed up)"
    ),
    "POST /activities/check-in": Route(
        LIVES | VIEW,
        kind="activity",
        data=lambda w, side: {"code": w.obj("activity", side).check_in_code},
        refused=(403, 404, 409),
        why="the code is the key; residents of its place and staff of its scope",
    ),
    "GET /activities/{activity_id}/sign-ups": _activity(
        VIEW,
        why="docs/activities.md: other staff of a scope read its sign-up lists (the page does)",
        bug="the API requires running the activity: property managers and the owners' "
        "committee get 403 where the documented policy and the desk page let them read",
    ),
    "POST /activities/{activity_id}/check-ins": _activity(
        ORGANISE, data=lambda w, side: {"person": w.user(person(side, "owner")).pk}
    ),
    "POST /activities/{activity_id}/confirm": _activity(
        ORGANISE, data=lambda w, s: {"sign_up_ids": []}, refused=(403,)
    ),
    "GET /activities/{activity_id}/photos": _activity(ACTIVITY_SEEN),
    "POST /activities/{activity_id}/photos": _activity(
        ORGANISE, data=lambda w, s: {"photos": upload(size=(64, 48))}
    ),
    "GET /activities/photos/{photo_id}": Route(
        ACTIVITY_SEEN, params={"photo_id": "activity_photo"}
    ),
    "DELETE /activities/photos/{photo_id}": Route(
        ORGANISE, params={"photo_id": "activity_photo"}, seen=ACTIVITY_SEEN
    ),
    "GET /activities/teams": Route(LoggedIn(), shows={"team": LIVES | VIEW}),
    "POST /activities/teams": Route(
        MANAGE,
        kind="building",
        data=lambda w, side: {"place": w.obj("building", side).pk, "name": "x", "kind": "other"},
        refused=(403,),
    ),
    "GET /activities/teams/{team_id}": _team(TEAM_SEEN),
    "PUT /activities/teams/{team_id}": _team(
        MANAGE, data=lambda w, s: {"name": "y", "kind": "other"}
    ),
    "POST /activities/teams/{team_id}/join": _team(LIVES, refused=(403,)),
    "GET /activities/teams/{team_id}/members": _team(MEMBERS),
    "POST /activities/teams/{team_id}/members": _team(
        MANAGE,
        data=lambda w, side: {"person": w.user(person(side, "owner")).pk},
        refused=(403, 409),
    ),
    "DELETE /activities/teams/{team_id}/members/{person_id}": Route(
        MANAGE | Is("member"),
        params={"team_id": "team", "person_id": "member"},
        seen=TEAM_SEEN,
        why="a member leaves; managers remove",
    ),
    "POST /activities/teams/{team_id}/services": _team(
        Is("leader", "member") | MANAGE,
        refused=(403, 422),
        data=lambda w, s: {
            "served_on": timezone.localdate().isoformat(),
            "minutes": 30,
            "what": "x",
        },
    ),
    "GET /activities/services/waiting": Route(LoggedIn(), shows={"service": CONFIRM}),
    "GET /activities/services/mine": Route(LoggedIn(), shows={"service": Is("member")}),
    "POST /activities/services/{record_id}/confirm": Route(
        CONFIRM, params={"record_id": "service"}, seen=Is("leader", "member") | VIEW
    ),
    "POST /activities/services/{record_id}/reject": Route(
        CONFIRM,
        params={"record_id": "service"},
        seen=Is("leader", "member") | VIEW,
        data=lambda w, s: {"reason": "x"},
    ),
    "GET /activities/groups": Route(LoggedIn(), shows={"group": LIVES | VIEW}),
    "POST /activities/groups": Route(
        MANAGE,
        kind="building",
        data=lambda w, side: {"place": w.obj("building", side).pk, "name": "x"},
        refused=(403,),
    ),
    "GET /activities/groups/{group_id}": _group(TEAM_SEEN),
    "PUT /activities/groups/{group_id}": _group(MANAGE, data=lambda w, s: {"name": "y"}),
    "POST /activities/groups/{group_id}/join": _group(LIVES, refused=(403,)),
    "GET /activities/groups/{group_id}/members": _group(MEMBERS),
    "POST /activities/groups/{group_id}/members": _group(
        MANAGE,
        data=lambda w, side: {"person": w.user(person(side, "owner")).pk},
        refused=(403, 409),
    ),
    "DELETE /activities/groups/{group_id}/members/{person_id}": Route(
        MANAGE | Is("leader"),
        params={"group_id": "group", "person_id": "member"},
        seen=TEAM_SEEN,
        refused=(403, 409),
    ),
    "GET /activities/talents/mine": Route(LoggedIn(), shows={"talent": Is("talent")}),
    "PUT /activities/talents/mine/{skill}": Route(
        LoggedIn(), params={"skill": Lit("repairs")}, why="the caller's own skill"
    ),
    "DELETE /activities/talents/mine/{skill}": Route(
        LoggedIn(), params={"skill": Lit("repairs")}, why="the caller's own skill"
    ),
    "GET /activities/talents/neighbours": Route(LoggedIn(), shows={"talent": NEIGHBOURS}),
    "GET /activities/talents": Route(
        LoggedIn(), shows={"talent": POOL}, why="the talent pool, as the caller may search it"
    ),
    "POST /activities/talents/{talent_id}/invitations": Route(
        POOL,
        params={"talent_id": "talent"},
        seen=POOL,
        data=lambda w, s: {"message": "x"},
        why="organisers of the talent's scope",
    ),
    "GET /activities/invitations/sent": Route(LoggedIn(), shows={"invitation": ORGANISE}),
    "GET /activities/invitations/mine": Route(LoggedIn(), shows={"invitation": Is("talent")}),
    "POST /activities/invitations/{invitation_id}/accept": Route(
        Is("talent"), params={"invitation_id": "invitation"}
    ),
    "POST /activities/invitations/{invitation_id}/decline": Route(
        Is("talent"), params={"invitation_id": "invitation"}
    ),
    "GET /activities/figures": Route(
        VIEW,
        kind="community",
        query=_month,
        refused=(403, 422),
        counts=("activity",),
        why="monthly figures of a place the caller views",
    ),
}
