"""Malformed values sent to every service of teams, activities and the talent pool: words for
ids, ids beyond any column, NUL characters, values of the wrong kind, an end before the start,
capacities and minutes out of range, required text missing. Each is answered Invalid naming
the field (NotFound for the object the call is about), never an unexpected exception, and
nothing is saved: no row of the app changes, no audit event, notification or ledger entry."""

import contextlib
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from linju.activities import queries
from linju.activities import services_activities as acts
from linju.activities import services_talents as talents
from linju.activities import services_teams as teams
from linju.activities.models import (
    Activity,
    ActivityPhoto,
    GroupMember,
    InterestGroup,
    Invitation,
    ServiceRecord,
    SignUp,
    Talent,
    Team,
    TeamMember,
)
from linju.core.errors import Invalid, NotFound
from linju.core.models import AuditEvent, Notification
from linju.points.models import Account, HoursEntry, PointsEntry
from linju.reports.tests.conftest import upload

from .conftest import started

ROWS = [Team, TeamMember, ServiceRecord, InterestGroup, GroupMember, Activity, SignUp]
ROWS += [ActivityPhoto, Talent, Invitation]
COUNTED = [AuditEvent, Notification, PointsEntry, HoursEntry, Account]

# Ids: words, nothing, beyond a bigint, negative, zero, a NUL, other kinds.
BAD_IDS = ["abc", "1.5", "1; DROP TABLE x", 2**70, -1, 0, "\x00", [1], {"id": 1}, True]
MISSING_IDS = ["", None]
NUL = "a\x00b"
BAD_WHEN = [
    "",
    None,
    "tomorrow",
    "2026-02-30T10:00",
    "2026-13-01T10:00",
    "2026-01-01T25:00",
    "\x00",
    12345,
    ["2030-01-01T10:00"],
    timezone.localdate(),  # a day is not a time
]


def snapshot():
    return (
        {m.__name__: list(m.objects.order_by("pk").values()) for m in ROWS},
        {m.__name__: m.objects.count() for m in COUNTED},
    )


def refused(call, kwargs, field, bad_values, problems, expect=Invalid):
    """Send each bad value as `field`: the call must raise `expect` (naming `field` when
    Invalid) and leave everything as it was; what went otherwise is added to `problems`."""
    for bad in bad_values:
        before = snapshot()
        try:
            got = call(**{**kwargs, field: bad})
        except expect as exc:
            name = field_of(field)
            if expect is Invalid and not any(k.split(".")[0] == name for k in exc.errors):
                problems.append((call.__name__, field, bad, f"names {sorted(exc.errors)}"))
        except Exception as exc:  # what the test reports
            problems.append((call.__name__, field, bad, repr(exc)[:120]))
        else:
            problems.append((call.__name__, field, bad, f"accepted: {got!r}"[:120]))
        if snapshot() != before:
            problems.append((call.__name__, field, bad, "saved something"))


def field_of(param):
    """The field an error names for a parameter: `place_id` → `place`."""
    return {"leader_id": "person", "person_id": "person"}.get(
        param, param.removesuffix("_id") if param not in ("sign_up_ids",) else param
    )


def text(n, required=True):
    """Bad values for a text of at most `n` characters."""
    return (["", "   ", None] if required else []) + ["x" * (n + 1), NUL]


@pytest.fixture
def world(hood, settings, tmp_path):
    """The hood, plus a group, a record of service, a talent and its invitation, and an activity
    under way with the member checked in; photos go to a throw-away directory."""
    settings.MEDIA_ROOT = tmp_path
    city = hood.city
    group = teams.create_group(user=hood.staff, place_id=city.places["C1"].pk, name="合唱团")
    record = teams.submit_service(
        user=hood.member,
        team_id=hood.patrol.pk,
        served_on=timezone.localdate(),
        minutes=60,
        what="巡逻",
    )
    talent = talents.set_talent(user=hood.member, skill="repairs")
    invitation = talents.invite(
        user=hood.staff, talent_id=talent.pk, message="请来帮忙", project="楼道改造"
    )
    start = timezone.now() + timedelta(hours=3)
    now_on = acts.create_activity(
        user=hood.staff,
        place_id=city.places["E1"].pk,
        title="小区大扫除",
        kind="volunteer",
        venue="中心花园",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )
    started(now_on)
    checked = acts.check_in(user=hood.member, code=now_on.check_in_code)
    return hood, group, record, talent, invitation, now_on, checked


def activity_fields(hood, **more):
    start = timezone.now() + timedelta(days=2)
    return {
        "user": hood.staff,
        "title": "读书会",
        "kind": "volunteer",
        "venue": "图书角",
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "capacity": 5,
        "description": "",
        "service_minutes": 60,
        **more,
    }


def test_activities_refuse_malformed_values_and_save_nothing(world):
    hood, group, _record, _talent, _invitation, now_on, checked = world
    city = hood.city
    problems = []
    start = timezone.now() + timedelta(days=2)
    create = activity_fields(hood, place_id=city.places["B1"].pk)
    update = activity_fields(hood, activity_id=hood.party.pk)
    for call, kwargs in [(acts.create_activity, create), (acts.update_activity, update)]:
        refused(call, kwargs, "title", text(100), problems)
        refused(call, kwargs, "venue", text(120), problems)
        refused(call, kwargs, "description", text(4000, required=False), problems)
        refused(call, kwargs, "kind", ["party", "", None, "VOLUNTEER", ["volunteer"]], problems)
        refused(call, kwargs, "starts_at", BAD_WHEN, problems)
        refused(call, kwargs, "ends_at", BAD_WHEN, problems)
        refused(
            call,
            kwargs,
            "ends_at",
            [start, start - timedelta(minutes=1), start + timedelta(hours=24, seconds=1)],
            problems,
        )
        refused(
            call,
            kwargs,
            "capacity",
            [-1, 10_001, 10**30, "x", "1.5", "\x00", [3], {"n": 3}],
            problems,
        )
        refused(call, kwargs, "service_minutes", [-1, 721, 10**30, "x", "\x00", [60]], problems)
    refused(acts.create_activity, create, "place_id", [*BAD_IDS, *MISSING_IDS], problems)
    # A household, a grid's id, another kind of place: not where activities are held.
    refused(acts.create_activity, create, "place_id", [city.places["S"].pk], problems)
    past = timezone.now() - timedelta(minutes=1)
    refused(
        acts.create_activity,
        {**create, "ends_at": past + timedelta(hours=1)},
        "starts_at",
        [past],
        problems,
    )
    refused(acts.create_activity, create, "team_id", BAD_IDS, problems)
    refused(acts.create_activity, create, "group_id", BAD_IDS, problems)
    # A team or group of another community, and an inactive one.
    other = teams.create_team(
        user=city.users["community_staff_2"],
        place_id=city.places["C2"].pk,
        name="C2 队",
        kind="other",
    )
    refused(acts.create_activity, create, "team_id", [other.pk], problems)
    teams.update_group(user=hood.staff, group_id=group.pk, name=group.name, active=False)
    refused(acts.create_activity, create, "group_id", [group.pk], problems)
    refused(
        acts.cancel_activity,
        {"user": hood.staff, "activity_id": hood.party.pk},
        "reason",
        text(300),
        problems,
    )
    refused(
        acts.confirm_attendance,
        {"user": hood.staff, "activity_id": now_on.pk, "sign_up_ids": [checked.pk]},
        "sign_up_ids",
        [[], None, "", ["x"], [2**70], [10**12], [checked.pk, 10**12], [{"id": 1}], [None]],
        problems,
    )
    refused(
        acts.check_in,
        {"user": hood.member, "code": ""},
        "code",
        ["", None, "x" * 100, 123, ["abc"], now_on.check_in_code[:-1]],
        problems,
    )
    refused(
        acts.check_in_person,
        {"user": hood.staff, "activity_id": now_on.pk, "person_id": 1},
        "person_id",
        [*BAD_IDS, *MISSING_IDS, 10**12],
        problems,
    )
    photos = {"user": hood.staff, "activity_id": now_on.pk, "photos": [upload(size=(32, 32))]}
    refused(acts.add_photos, photos, "caption", ["x" * 201, NUL], problems)
    not_a_photo = SimpleUploadedFile("a.jpg", b"not a photo", content_type="image/jpeg")
    refused(acts.add_photos, photos, "photos", [[], None], problems)
    refused(acts.add_photos, photos, "photos", [[not_a_photo]], problems, expect=Invalid)
    assert problems == [], "\n".join(map(str, problems))


def test_teams_and_groups_refuse_malformed_values_and_save_nothing(world):
    hood, group, record, *_ = world
    city = hood.city
    problems = []
    staff = hood.staff
    team = {"user": staff, "place_id": city.places["C1"].pk, "name": "新队", "kind": "other"}
    refused(teams.create_team, team, "place_id", [*BAD_IDS, *MISSING_IDS], problems)
    refused(teams.create_team, team, "place_id", [city.places["U1"].pk], problems)  # a unit
    refused(teams.create_team, team, "name", [*text(60), "平安巡逻队"], problems)  # taken
    refused(teams.create_team, team, "kind", ["army", "", None, ["other"]], problems)
    refused(teams.create_team, team, "description", text(2000, required=False), problems)
    refused(teams.create_team, team, "leader_id", [*BAD_IDS, 10**12], problems)
    change = {"user": staff, "team_id": hood.patrol.pk, "name": "巡逻队", "kind": "safety"}
    refused(teams.update_team, change, "name", text(60), problems)
    refused(teams.update_team, change, "kind", ["army", None], problems)
    refused(teams.update_team, change, "description", text(2000, required=False), problems)
    member = {"user": staff, "team_id": hood.patrol.pk, "person_id": city.users["owner_2"].pk}
    refused(teams.add_team_member, member, "person_id", [*BAD_IDS, *MISSING_IDS], problems)
    refused(teams.add_team_member, member, "role", ["boss", "", None, ["leader"]], problems)
    serve = {
        "user": hood.member,
        "team_id": hood.patrol.pk,
        "served_on": timezone.localdate(),
        "minutes": 30,
        "what": "巡逻",
    }
    today = timezone.localdate()
    refused(
        teams.submit_service,
        serve,
        "served_on",
        [
            "",
            None,
            "x",
            "\x00",
            "31/01/2026",
            today + timedelta(days=1),
            today - timedelta(days=400),
            [str(today)],
        ],
        problems,
    )
    refused(
        teams.submit_service,
        serve,
        "minutes",
        [0, 721, -5, "x", None, "", 10**30, [60], "\x00"],
        problems,
    )
    refused(teams.submit_service, serve, "what", text(200), problems)
    refused(teams.submit_service, {**serve, "user": staff}, "person_id", BAD_IDS, problems)
    decide = {"user": hood.leader, "record_id": record.pk, "confirm": False, "reason": "x"}
    refused(teams.decide_service, decide, "reason", text(300), problems)
    refused(teams.decide_service, {**decide, "confirm": True}, "reason", ["x" * 301, NUL], problems)
    new_group = {"user": staff, "place_id": city.places["C1"].pk, "name": "书法班"}
    refused(teams.create_group, new_group, "place_id", [*BAD_IDS, *MISSING_IDS], problems)
    refused(teams.create_group, new_group, "name", [*text(60), "合唱团"], problems)
    refused(teams.create_group, new_group, "description", text(2000, required=False), problems)
    refused(teams.create_group, new_group, "leader_id", BAD_IDS, problems)
    refused(
        teams.update_group,
        {"user": staff, "group_id": group.pk, "name": "合唱"},
        "name",
        text(60),
        problems,
    )
    add = {"user": staff, "group_id": group.pk, "person_id": hood.member.pk}
    refused(teams.add_group_member, add, "person_id", [*BAD_IDS, *MISSING_IDS], problems)
    refused(teams.add_group_member, add, "role", ["boss", None], problems)
    assert problems == [], "\n".join(map(str, problems))


def test_an_impossible_day_of_service_is_refused(world):
    hood = world[0]
    problems = []
    serve = {
        "user": hood.member,
        "team_id": hood.patrol.pk,
        "served_on": timezone.localdate(),
        "minutes": 30,
        "what": "巡逻",
    }
    refused(teams.submit_service, serve, "served_on", ["2026-02-30", "2026-13-01"], problems)
    # A time is a day too: taken as its local day, or refused, never a TypeError.
    with contextlib.suppress(Invalid):
        teams.submit_service(**{**serve, "served_on": timezone.now()})
    assert problems == [], "\n".join(map(str, problems))


def test_talents_refuse_malformed_values_and_save_nothing(world):
    hood, _group, _record, talent, _invitation, now_on, _checked = world
    problems = []
    mine = {"user": hood.leader, "skill": "legal"}
    refused(talents.set_talent, mine, "skill", ["magic", "", None, ["legal"], NUL], problems)
    refused(talents.set_talent, mine, "visibility", ["all", "", None, ["staff"]], problems)
    refused(talents.set_talent, mine, "note", text(300, required=False), problems)
    ask = {"user": hood.staff, "talent_id": talent.pk, "message": "请来", "project": "项目"}
    refused(talents.invite, ask, "message", text(500), problems)
    refused(talents.invite, ask, "project", ["x" * 121, NUL], problems)
    refused(talents.invite, {**ask, "project": ""}, "project", ["", None, "   "], problems)
    refused(talents.invite, ask, "activity_id", [*BAD_IDS, 10**12], problems)
    # An activity of another community the staff of C1 do not run.
    elsewhere = acts.create_activity(
        **activity_fields(
            hood, user=hood.city.users["community_staff_2"], place_id=hood.city.places["C2"].pk
        )
    )
    refused(talents.invite, ask, "activity_id", [elsewhere.pk], problems)
    assert now_on.pk  # the staff's own activity is fine: see test_rules_of_service
    assert problems == [], "\n".join(map(str, problems))


def test_the_object_a_call_is_about_is_not_found_by_a_malformed_id(world):
    hood, *_made, checked = world
    staff, member = hood.staff, hood.member
    problems = []
    fields = activity_fields(hood)
    calls = [
        (acts.update_activity, {**fields, "activity_id": 0}, "activity_id"),
        (acts.cancel_activity, {"user": staff, "reason": "x"}, "activity_id"),
        (acts.sign_up, {"user": member}, "activity_id"),
        (acts.cancel_sign_up, {"user": member}, "activity_id"),
        (acts.check_in_person, {"user": staff, "person_id": member.pk}, "activity_id"),
        (acts.confirm_attendance, {"user": staff, "sign_up_ids": [checked.pk]}, "activity_id"),
        (acts.add_photos, {"user": staff, "photos": [upload(size=(8, 8))]}, "activity_id"),
        (acts.delete_photo, {"user": staff}, "photo_id"),
        (teams.update_team, {"user": staff, "name": "x", "kind": "other"}, "team_id"),
        (teams.join_team, {"user": member}, "team_id"),
        (teams.add_team_member, {"user": staff, "person_id": member.pk}, "team_id"),
        (teams.leave_team, {"user": member}, "team_id"),
        (
            teams.submit_service,
            {"user": member, "served_on": timezone.localdate(), "minutes": 5, "what": "x"},
            "team_id",
        ),
        (teams.decide_service, {"user": staff, "confirm": True}, "record_id"),
        (teams.update_group, {"user": staff, "name": "x"}, "group_id"),
        (teams.join_group, {"user": member}, "group_id"),
        (teams.add_group_member, {"user": staff, "person_id": member.pk}, "group_id"),
        (teams.leave_group, {"user": member}, "group_id"),
        (talents.invite, {"user": staff, "message": "x", "project": "y"}, "talent_id"),
        (talents.answer, {"user": member, "accept": True}, "invitation_id"),
    ]
    for call, kwargs, field in calls:
        refused(call, kwargs, field, [*BAD_IDS, *MISSING_IDS, 10**12], problems, expect=NotFound)
    # Someone else's membership or skill to leave or remove.
    refused(
        teams.leave_team,
        {"user": staff, "team_id": hood.patrol.pk},
        "person_id",
        [10**12, city_user(hood, "owner_2")],
        problems,
        expect=NotFound,
    )
    refused(
        talents.remove_talent,
        {"user": member},
        "skill",
        ["magic", "", None, "legal", NUL],
        problems,
        expect=NotFound,
    )
    assert problems == [], "\n".join(map(str, problems))


def test_sign_up_ids_that_are_not_a_list_are_refused(world):
    hood, *_rest, now_on, checked = world
    problems = []
    refused(
        acts.confirm_attendance,
        {"user": hood.staff, "activity_id": now_on.pk},
        "sign_up_ids",
        [5, str(checked.pk), {checked.pk: 1}],
        problems,
    )
    assert problems == [], "\n".join(map(str, problems))


def city_user(hood, key):
    return hood.city.users[key].pk


def test_a_nul_never_reaches_the_database(world):
    hood, *_rest, now_on, _checked = world
    problems = []
    refused(
        acts.check_in,
        {"user": hood.member},
        "code",
        ["\x00", now_on.check_in_code + "\x00"],
        problems,
    )
    for search in (
        lambda: queries.talent_search(hood.staff, text=NUL),
        lambda: queries.talent_search(hood.staff, skill=NUL),
        lambda: queries.neighbours_talents(hood.member, skill=NUL),
    ):
        try:
            list(search())
        except Exception as exc:  # what the test reports
            problems.append(("query", NUL, repr(exc)[:120]))
    assert problems == [], "\n".join(map(str, problems))


def test_values_beyond_any_range_are_refused(world):
    hood = world[0]
    problems = []
    create = activity_fields(hood, place_id=hood.city.places["B1"].pk)
    far = {"starts_at": "9999-12-31T20:00:00-10:00", "ends_at": "9999-12-31T22:00:00-10:00"}
    refused(acts.create_activity, {**create, **far}, "starts_at", [far["starts_at"]], problems)
    refused(acts.create_activity, create, "capacity", [float("inf")], problems)
    refused(acts.create_activity, create, "service_minutes", [float("inf")], problems)
    assert problems == [], "\n".join(map(str, problems))


def test_the_queries_take_what_a_search_box_sends(world):
    hood = world[0]
    staff, member = hood.staff, hood.member
    for words in ["", "%", "_", "'; --", "x" * 500]:
        list(queries.talent_search(staff, text=words, skill=words))
        list(queries.neighbours_talents(member, skill=words))
