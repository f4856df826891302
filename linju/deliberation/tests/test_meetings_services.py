"""Deliberation meetings' services (seeds 000–002): creating, the agenda of topics, inviting by
role, scope and list, the notice with each kind's days (15 for an owners' assembly, to the
minute), answers, check-in by QR code and by a host's tick, the quorum's exact arithmetic,
minutes with decisions, cancelling, and the meeting kinds. The fixtures and helpers here are
shared by the API and page tests of meetings."""

from datetime import UTC, datetime, timedelta
from fractions import Fraction
from math import ceil

import pytest
import time_machine
from django.utils import timezone, translation

from linju.core.errors import Conflict, Forbidden, Invalid
from linju.core.models import AuditEvent, Notification
from linju.deliberation import services_meetings as services
from linju.deliberation.models import (
    AgendaItem,
    Decision,
    Invitee,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Publication,
    Representative,
    Topic,
    TopicStatus,
)
from linju.people.models import RoleGrant

pytestmark = pytest.mark.django_db

# 09:00 in Shanghai.
T0 = datetime(2026, 5, 1, 1, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def make_topic(city, place="B1", title="楼道照明", status=TopicStatus.AGENDA):
    return Topic.objects.create(
        place=city.places[place], title=title, body="需要讨论", status=status
    )


def make_meeting(city, *, host="community_staff", kind="yishihui", place="B1", days=20, **kw):
    kw.setdefault("title", f"{place} {kind}")
    kw.setdefault("venue", "活动室")
    return services.create_meeting(
        user=city.users[host],
        kind=kind,
        place_id=city.places[place].pk,
        starts_at=kw.pop("starts_at", T0 + days * DAY),
        **kw,
    )


def invite(city, meeting, *keys, host="community_staff"):
    return services.invite(
        user=city.users[host], meeting=meeting, user_ids=[city.users[k].pk for k in keys]
    )


def noticed(city, *keys, host="community_staff", **kw):
    """A meeting with these invitees, its notice sent."""
    meeting = make_meeting(city, host=host, **kw)
    invite(city, meeting, *keys, host=host)
    return services.send_notice(user=city.users[host], meeting=meeting)


def invited_ids(meeting) -> set[int]:
    return set(Invitee.objects.filter(meeting=meeting).values_list("user_id", flat=True))


def ids(city, *keys) -> set[int]:
    return {city.users[k].pk for k in keys}


def refresh(meeting) -> Meeting:
    return Meeting.objects.select_related("kind", "place").get(pk=meeting.pk)


def last_notification() -> int:
    return Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def field_of(excinfo) -> set[str]:
    return set(excinfo.value.errors)


# --- Creating and changing -------------------------------------------------------------------


def test_create_takes_the_kinds_quorum_and_is_audited(city, clock):
    meeting = make_meeting(city, kind="party_assembly", place="C1")
    assert meeting.status == MeetingStatus.DRAFT
    assert (meeting.quorum_numerator, meeting.quorum_denominator) == (2, 3)
    assert meeting.path == city.places["C1"].path
    assert len(meeting.checkin_token) >= 20
    assert AuditEvent.objects.filter(verb="deliberation.meeting.create").count() == 1
    own = make_meeting(city, quorum_numerator=1, quorum_denominator=2)
    assert (own.quorum_numerator, own.quorum_denominator) == (1, 2)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"kind": "nope"}, "kind"),
        ({"place": "S"}, "place"),
        ({"title": "  "}, "title"),
        ({"venue": ""}, "venue"),
        ({"starts_at": T0}, "starts_at"),
        ({"starts_at": T0 - DAY}, "starts_at"),
        ({"starts_at": None}, "starts_at"),
        ({"ends_at": T0 + 20 * DAY}, "ends_at"),
        ({"quorum_numerator": 3, "quorum_denominator": 2}, "quorum_numerator"),
        ({"quorum_numerator": 1, "quorum_denominator": 0}, "quorum_denominator"),
    ],
)
def test_create_refuses_bad_input_naming_the_field(city, clock, change, field):
    kw = {"kind": "yishihui", "place": "B1", "title": "议事", "venue": "活动室"}
    kw.update(change)
    with pytest.raises(Invalid) as excinfo:
        services.create_meeting(
            user=city.users["community_staff"],
            kind=kw["kind"],
            place_id=city.places[kw["place"]].pk,
            title=kw["title"],
            venue=kw["venue"],
            starts_at=kw.get("starts_at", T0 + 20 * DAY),
            ends_at=kw.get("ends_at"),
            quorum_numerator=kw.get("quorum_numerator"),
            quorum_denominator=kw.get("quorum_denominator"),
        )
    assert field in field_of(excinfo)
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    "host, place, allowed",
    [
        ("unit_head", "U1", True),
        ("unit_head", "B1", False),
        ("building_head", "B1", True),
        ("building_head", "E1", False),
        ("grid_worker", "U1", True),
        ("grid_worker", "B2", False),
        ("owners_committee", "E1", True),
        ("community_staff", "C1", True),
        ("community_staff", "C2", False),
        ("community_staff_2", "B1", False),
        ("subdistrict_admin", "C2", True),
        ("property_manager", "E1", False),
        ("floor_head", "B1", False),
        ("partner", "C1", False),
        ("owner", "U1", False),
        ("party_liaison", "B2", False),
        ("newcomer", "B1", False),
    ],
)
def test_who_may_host_where(city, clock, host, place, allowed):
    if allowed:
        assert make_meeting(city, host=host, place=place).pk
    else:
        with pytest.raises(Forbidden):
            make_meeting(city, host=host, place=place)


def test_update_while_draft_and_after_the_notice(city, clock, django_capture_on_commit_callbacks):
    meeting = make_meeting(city, days=10)
    services.update_meeting(
        user=city.users["community_staff"], meeting=meeting, title="新标题", venue="会议室"
    )
    meeting = refresh(meeting)
    assert (meeting.title, meeting.venue) == ("新标题", "会议室")
    invite(city, meeting, "owner", "tenant")
    services.send_notice(user=city.users["community_staff"], meeting=meeting)
    last = last_notification()
    # A title alone tells nobody anything new.
    with django_capture_on_commit_callbacks(execute=True):
        services.update_meeting(user=city.users["community_staff"], meeting=meeting, title="再改")
    assert last_notification() == last
    # A new time re-notifies every invitee and puts the changed notice on the board.
    with django_capture_on_commit_callbacks(execute=True):
        services.update_meeting(
            user=city.users["community_staff"], meeting=meeting, starts_at=T0 + 12 * DAY
        )
    told = Notification.objects.filter(kind="deliberation.meeting", pk__gt=last)
    assert set(told.values_list("recipient_id", flat=True)) == ids(city, "owner", "tenant")
    assert Publication.objects.filter(meeting=meeting, kind="meeting").count() == 2
    # A noticed meeting moved closer than the kind's notice is refused.
    with pytest.raises(Invalid) as excinfo:
        services.update_meeting(
            user=city.users["community_staff"], meeting=meeting, starts_at=T0 + 2 * DAY
        )
    assert "starts_at" in field_of(excinfo)
    assert refresh(meeting).starts_at == T0 + 12 * DAY
    with pytest.raises(Invalid) as excinfo:
        services.update_meeting(
            user=city.users["community_staff"], meeting=meeting, ends_at=T0 + 11 * DAY
        )
    assert "ends_at" in field_of(excinfo)
    with pytest.raises(Forbidden):
        services.update_meeting(user=city.users["community_staff_2"], meeting=meeting, title="x")


def test_the_quorum_is_fixed_once_the_notice_is_out(city, clock):
    meeting = make_meeting(city, days=10)
    staff = city.users["community_staff"]
    services.update_meeting(user=staff, meeting=meeting, quorum_numerator=1, quorum_denominator=2)
    meeting = noticed(city, "owner", days=10)
    # Sending the values it has changes nothing (the edit form posts them every time).
    services.update_meeting(user=staff, meeting=meeting, quorum_numerator=0, title="再改")
    with pytest.raises(Invalid) as excinfo:
        services.update_meeting(user=staff, meeting=meeting, quorum_numerator=1)
    assert field_of(excinfo) == {"quorum_numerator"}


def test_a_kinds_code_never_changes(city):
    kind = MeetingKind.objects.get(code="yishihui")
    admin = city.users["subdistrict_admin"]
    with pytest.raises(Invalid) as excinfo:
        services.save_kind(user=admin, kind_id=kind.pk, code="renamed")
    assert field_of(excinfo) == {"code"}
    services.save_kind(user=admin, kind_id=kind.pk, code="yishihui", notice_days=4)
    assert MeetingKind.objects.get(pk=kind.pk).notice_days == 4


def test_held_or_cancelled_meetings_do_not_change(city, clock):
    meeting = make_meeting(city)
    services.cancel(user=city.users["community_staff"], meeting=meeting, reason="改期")
    for call in (
        lambda: services.update_meeting(
            user=city.users["community_staff"], meeting=meeting, title="x"
        ),
        lambda: services.add_topic(
            user=city.users["community_staff"], meeting=meeting, topic_id=make_topic(city).pk
        ),
        lambda: invite(city, meeting, "owner"),
        lambda: services.send_notice(user=city.users["community_staff"], meeting=meeting),
        lambda: services.rotate_token(user=city.users["community_staff"], meeting=meeting),
    ):
        with pytest.raises(Conflict) as excinfo:
            call()
        assert excinfo.value.code == "wrong_status"


# --- Agenda ---------------------------------------------------------------------------------------


def test_agenda_takes_open_topics_inside_or_containing_the_scope(city, clock):
    meeting = make_meeting(city, place="B1")
    inside = make_topic(city, "U1", "单元门禁")
    same = make_topic(city, "B1", "楼道照明")
    above = make_topic(city, "C1", "社区停车")
    sibling = make_topic(city, "B2", "二栋漏水")
    other = make_topic(city, "C2", "外社区")
    closed = make_topic(city, "B1", "已结束", status=TopicStatus.CLOSED)
    host = city.users["community_staff"]
    items = services.set_agenda(user=host, meeting=meeting, topic_ids=[above.pk, inside.pk])
    assert [i.topic_id for i in items] == [above.pk, inside.pk]
    services.add_topic(user=host, meeting=meeting, topic_id=same.pk)
    services.add_topic(user=host, meeting=meeting, topic_id=same.pk)  # already there
    order = list(meeting.agenda.order_by("order").values_list("topic_id", flat=True))
    assert order == [above.pk, inside.pk, same.pk]
    for bad in (sibling, other, closed):
        with pytest.raises(Invalid) as excinfo:
            services.add_topic(user=host, meeting=meeting, topic_id=bad.pk)
        assert "topic_id" in field_of(excinfo)
        assert f"#{bad.pk}" in excinfo.value.message
    with pytest.raises(Invalid) as excinfo:
        services.set_agenda(user=host, meeting=meeting, topic_ids=[same.pk, sibling.pk])
    assert "topic_ids" in field_of(excinfo)
    assert AgendaItem.objects.filter(meeting=meeting).count() == 3  # nothing half-applied
    services.remove_topic(user=host, meeting=meeting, topic_id=inside.pk)
    with pytest.raises(Invalid) as excinfo:
        services.remove_topic(user=host, meeting=meeting, topic_id=inside.pk)
    assert "topic_id" in field_of(excinfo)
    assert list(meeting.agenda.order_by("order").values_list("topic_id", flat=True)) == [
        above.pk,
        same.pk,
    ]
    with pytest.raises(Forbidden):
        services.add_topic(user=city.users["owner"], meeting=meeting, topic_id=inside.pk)
    assert AuditEvent.objects.filter(verb="deliberation.meeting.agenda").count() == 3


# --- Invitations ----------------------------------------------------------------------------------


def test_invite_by_roles_inside_or_above_the_scope(city, clock):
    meeting = make_meeting(city, place="B1")
    RoleGrant.objects.filter(user=city.users["floor_head"]).update(revoked_at=T0)
    done = services.invite(
        user=city.users["community_staff"],
        meeting=meeting,
        roles=["unit_head", "building_head", "floor_head", "grid_worker", "community_staff"],
    )
    expected = ids(city, "unit_head", "building_head", "grid_worker", "community_staff")
    assert invited_ids(meeting) == expected
    assert done.added == done.invited == 4
    assert set(Invitee.objects.filter(meeting=meeting).values_list("via", flat=True)) == {"role"}
    with pytest.raises(Invalid) as excinfo:
        services.invite(user=city.users["community_staff"], meeting=meeting, roles=["king"])
    assert "roles" in field_of(excinfo)
    with pytest.raises(Invalid) as excinfo:
        services.invite(user=city.users["community_staff"], meeting=meeting)
    assert "roles" in field_of(excinfo)


@pytest.mark.parametrize(
    "kind, place, expected",
    [
        ("yishihui", "B1", {"owner", "tenant"}),
        ("loudonghui", "E1", {"owner", "tenant", "party_liaison"}),
        ("owners_assembly", "E1", {"owner"}),
        ("party_assembly", "E1", {"party_liaison"}),
        ("party_assembly", "C2", {"party_liaison_2"}),
        ("rep_assembly", "E1", {"tenant"}),
    ],
)
def test_invite_the_scope_by_kind(city, clock, kind, place, expected):
    today = T0.date()
    Representative.objects.create(community=city.places["C1"], user=city.users["tenant"])
    Representative.objects.create(
        community=city.places["C1"],
        user=city.users["owner"],
        since=today - timedelta(days=400),
        until=today - DAY,
    )
    Representative.objects.create(community=city.places["C2"], user=city.users["owner_2"])
    meeting = make_meeting(city, host="subdistrict_admin", kind=kind, place=place)
    done = services.invite(user=city.users["subdistrict_admin"], meeting=meeting, scope=True)
    assert invited_ids(meeting) == ids(city, *expected)
    assert done.added == len(expected)


def test_invite_by_list_is_bulk_and_idempotent(city, clock):
    meeting = make_meeting(city)
    first = invite(city, meeting, "owner", "newcomer")
    assert (first.added, first.invited) == (2, 2)
    again = services.invite(
        user=city.users["community_staff"],
        meeting=meeting,
        user_ids=[city.users["owner"].pk],
        scope=True,
    )
    # The owner stays as listed; the tenant comes with the scope.
    assert (again.added, again.invited) == (1, 3)
    assert Invitee.objects.get(meeting=meeting, user=city.users["owner"]).via == "list"
    assert Invitee.objects.get(meeting=meeting, user=city.users["tenant"]).via == "scope"
    with pytest.raises(Invalid) as excinfo:
        services.invite(user=city.users["community_staff"], meeting=meeting, user_ids=[999999])
    assert "user_ids" in field_of(excinfo)
    with pytest.raises(Forbidden):
        invite(city, meeting, "owner_2", host="community_staff_2")


def test_people_invited_after_the_notice_receive_it(
    city, clock, django_capture_on_commit_callbacks
):
    meeting = noticed(city, "owner")
    with django_capture_on_commit_callbacks(execute=True):
        done = invite(city, meeting, "owner", "tenant")
    assert done.added == 1
    told = Notification.objects.filter(kind="deliberation.meeting")
    assert list(told.values_list("recipient_id", flat=True)) == [city.users["tenant"].pk]


# --- The notice -----------------------------------------------------------------------------------


def test_owners_assembly_needs_exactly_15_days(city, clock, django_capture_on_commit_callbacks):
    owners = city.users["owners_committee"]
    meeting = make_meeting(city, host="owners_committee", kind="owners_assembly", place="E1")
    services.invite(user=owners, meeting=meeting, scope=True)
    # 15 days less a minute before the start: refused, naming the field and the days.
    clock.move_to(meeting.starts_at - 15 * DAY + timedelta(minutes=1))
    with translation.override("en"), pytest.raises(Invalid) as excinfo:
        services.send_notice(user=owners, meeting=meeting)
    assert "starts_at" in field_of(excinfo)
    assert "15 days" in excinfo.value.errors["starts_at"][0]
    assert refresh(meeting).status == MeetingStatus.DRAFT
    assert not Publication.objects.exists()
    # Exactly 15 days: accepted.
    clock.move_to(meeting.starts_at - 15 * DAY)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_notice(user=owners, meeting=meeting)
    meeting = refresh(meeting)
    assert meeting.status == MeetingStatus.NOTICED
    assert meeting.notice_sent_at == meeting.starts_at - 15 * DAY
    pub = Publication.objects.get(meeting=meeting)
    assert pub.kind == Publication.Kind.MEETING and pub.path == city.places["E1"].path
    told = Notification.objects.filter(kind="deliberation.meeting")
    assert set(told.values_list("recipient_id", flat=True)) == ids(city, "owner")
    assert told.get().url == f"/deliberation/meetings/{meeting.pk}/"
    with pytest.raises(Conflict) as conflict:
        services.send_notice(user=owners, meeting=meeting)
    assert conflict.value.code == "wrong_status"


def test_kinds_notice_days_are_configurable(city, clock):
    MeetingKind.objects.filter(code="yishihui").update(notice_days=0)
    meeting = make_meeting(city, starts_at=T0 + timedelta(minutes=5))
    invite(city, meeting, "owner")
    assert services.send_notice(user=city.users["community_staff"], meeting=meeting).status == (
        MeetingStatus.NOTICED
    )


def test_notice_needs_invitees_and_a_host(city, clock):
    meeting = make_meeting(city)
    with pytest.raises(Invalid) as excinfo:
        services.send_notice(user=city.users["community_staff"], meeting=meeting)
    assert "invitees" in field_of(excinfo)
    invite(city, meeting, "owner")
    with pytest.raises(Forbidden):
        services.send_notice(user=city.users["property_manager"], meeting=meeting)


def test_the_notice_text_lists_the_agenda(city, clock):
    meeting = make_meeting(city)
    topic = make_topic(city, "B1", "加装电梯")
    services.add_topic(user=city.users["community_staff"], meeting=meeting, topic_id=topic.pk)
    invite(city, meeting, "owner")
    services.send_notice(user=city.users["community_staff"], meeting=meeting)
    body = Publication.objects.get(meeting=meeting).body
    assert "1. 加装电梯" in body and "活动室" in body


# --- Answers --------------------------------------------------------------------------------------


def test_rsvp_until_the_meeting_starts(city, clock):
    meeting = noticed(city, "owner")
    owner = city.users["owner"]
    for answer in ("yes", "no", "maybe"):
        assert services.rsvp(user=owner, meeting=meeting, answer=answer).rsvp == answer
    inv = Invitee.objects.get(meeting=meeting, user=owner)
    assert inv.rsvp == "maybe" and inv.rsvp_at == T0
    with pytest.raises(Invalid) as excinfo:
        services.rsvp(user=owner, meeting=meeting, answer="perhaps")
    assert "answer" in field_of(excinfo)
    with pytest.raises(Forbidden) as refused:
        services.rsvp(user=city.users["tenant"], meeting=meeting, answer="yes")
    assert refused.value.code == "not_invited"
    clock.move_to(meeting.starts_at)
    with pytest.raises(Conflict) as closed:
        services.rsvp(user=owner, meeting=meeting, answer="yes")
    assert closed.value.code == "rsvp_closed"


def test_no_answers_to_a_draft(city, clock):
    meeting = make_meeting(city)
    invite(city, meeting, "owner")
    with pytest.raises(Forbidden):
        services.rsvp(user=city.users["owner"], meeting=meeting, answer="yes")


# --- Check-in -------------------------------------------------------------------------------------


def test_qr_check_in_window_and_token(city, clock):
    meeting = noticed(city, "owner", "tenant")
    owner = city.users["owner"]
    token = meeting.checkin_token
    clock.move_to(meeting.starts_at - timedelta(hours=2, minutes=1))
    with pytest.raises(Conflict) as early:
        services.check_in(user=owner, meeting=meeting, token=token)
    assert early.value.code == "checkin_not_open"
    clock.move_to(meeting.starts_at - timedelta(hours=2))
    with pytest.raises(Invalid) as wrong:
        services.check_in(user=owner, meeting=meeting, token=token + "x")
    assert "token" in field_of(wrong)
    done = services.check_in(user=owner, meeting=meeting, token=token)
    assert not done.already and not done.walk_in
    assert done.invitee.checked_in_at == meeting.starts_at - timedelta(hours=2)
    assert done.invitee.checked_in_by is None
    clock.shift(timedelta(minutes=10))
    again = services.check_in(user=owner, meeting=meeting, token=token)
    assert again.already
    assert again.invitee.checked_in_at == meeting.starts_at - timedelta(hours=2)
    # A new code: the old one stops working for everybody.
    services.rotate_token(user=city.users["community_staff"], meeting=meeting)
    fresh = refresh(meeting)
    assert fresh.checkin_token != token
    with pytest.raises(Invalid):
        services.check_in(user=city.users["tenant"], meeting=meeting, token=token)
    assert services.check_in(
        user=city.users["tenant"], meeting=meeting, token=fresh.checkin_token
    ).invitee.checked_in_at
    assert services.quorum(meeting).present == 2
    assert AuditEvent.objects.filter(verb="deliberation.meeting.check_in").count() == 2


def test_check_in_closes_when_the_meeting_is_held(city, clock):
    meeting = noticed(city, "owner", days=5)
    clock.move_to(meeting.starts_at + timedelta(minutes=30))
    services.record_minutes(user=city.users["community_staff"], meeting=meeting, minutes="纪要")
    with pytest.raises(Conflict) as excinfo:
        services.check_in(user=city.users["owner"], meeting=meeting, token=meeting.checkin_token)
    assert excinfo.value.code == "wrong_status"


def test_drafts_take_no_check_ins(city, clock):
    meeting = make_meeting(city, days=0, starts_at=T0 + timedelta(hours=1))
    invite(city, meeting, "owner")
    with pytest.raises(Conflict):
        services.check_in(user=city.users["owner"], meeting=meeting, token=meeting.checkin_token)


@pytest.mark.parametrize(
    "kind, key, outcome",
    [
        ("yishihui", "tenant", "walk_in"),  # a resident of B1 at an open meeting
        ("loudonghui", "owner", "walk_in"),
        ("yishihui", "newcomer", "refused"),  # lives nowhere
        ("yishihui", "owner_2", "refused"),  # lives in C2
        ("yishihui", "grid_worker", "refused"),  # staff, not a resident
        ("owners_assembly", "owner", "refused"),  # owners' assemblies: invitees only
        ("party_assembly", "tenant", "refused"),
        ("rep_assembly", "tenant", "refused"),
    ],
)
def test_uninvited_people_at_the_door(city, clock, kind, key, outcome):
    MeetingKind.objects.update(notice_days=0)
    meeting = noticed(
        city,
        "unit_head",
        host="subdistrict_admin",
        kind=kind,
        place="B1",
        days=0,
        starts_at=T0 + timedelta(hours=1),
    )
    user = city.users[key]
    if outcome == "walk_in":
        done = services.check_in(user=user, meeting=meeting, token=meeting.checkin_token)
        assert done.walk_in and done.invitee.via == "scope"
        assert Invitee.objects.filter(meeting=meeting, user=user).count() == 1
        assert services.quorum(meeting).invited == 2
    else:
        with pytest.raises(Forbidden) as excinfo:
            services.check_in(user=user, meeting=meeting, token=meeting.checkin_token)
        assert excinfo.value.code == "not_invited"
        assert not Invitee.objects.filter(meeting=meeting, user=user).exists()


def test_host_ticks_the_sign_in_sheet(city, clock):
    meeting = noticed(city, "owner", "tenant", days=5)
    host = city.users["building_head"]
    with pytest.raises(Conflict) as early:
        services.check_in_by_host(
            user=host, meeting=meeting, invitee_user_id=city.users["owner"].pk
        )
    assert early.value.code == "checkin_not_open"
    clock.move_to(meeting.starts_at)
    inv = services.check_in_by_host(
        user=host, meeting=meeting, invitee_user_id=city.users["owner"].pk
    )
    assert inv.checked_in_at == meeting.starts_at and inv.checked_in_by == host
    assert services.quorum(meeting).present == 1
    inv = services.check_in_by_host(
        user=host, meeting=meeting, invitee_user_id=city.users["owner"].pk, present=False
    )
    assert inv.checked_in_at is None and inv.checked_in_by is None
    with pytest.raises(Invalid) as excinfo:
        services.check_in_by_host(
            user=host, meeting=meeting, invitee_user_id=city.users["newcomer"].pk
        )
    assert "user_id" in field_of(excinfo)
    for outsider in ("floor_head", "property_manager", "building_head_2", "owner"):
        with pytest.raises(Forbidden):
            services.check_in_by_host(
                user=city.users[outsider],
                meeting=meeting,
                invitee_user_id=city.users["tenant"].pk,
            )


# --- Quorum ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "invited, num, den, needed",
    [
        (0, 2, 3, 0),
        (1, 2, 3, 1),
        (3, 2, 3, 2),  # exactly two thirds
        (4, 2, 3, 3),  # 8/3 = 2.67: "at least" rounds up
        (6, 2, 3, 4),
        (4, 1, 2, 2),  # half of four: two is enough
        (5, 1, 2, 3),
        (7, 0, 1, 0),
        (7, 1, 1, 7),
        (10**9 + 1, 2, 3, 666666668),  # no float rounding at scale
    ],
)
def test_needed_is_the_exact_ceiling(invited, num, den, needed):
    assert services.needed_for(invited, num, den) == needed


def test_needed_matches_fractions_everywhere():
    for den in range(1, 13):
        for num in range(den + 1):
            for invited in range(40):
                exact = ceil(Fraction(num, den) * invited)
                assert services.needed_for(invited, num, den) == exact


def test_quorum_boundaries_with_check_ins(city, clock):
    MeetingKind.objects.filter(code="party_assembly").update(notice_days=0)
    meeting = noticed(
        city,
        "owner",
        "tenant",
        "newcomer",
        kind="party_assembly",
        place="C1",
        days=0,
        starts_at=T0 + timedelta(hours=1),
    )
    q = services.quorum(meeting)
    assert (q.present, q.invited, q.needed, q.met, q.missing) == (0, 3, 2, False, 2)
    services.check_in(user=city.users["owner"], meeting=meeting, token=meeting.checkin_token)
    assert not services.quorum(meeting).met
    services.check_in(user=city.users["tenant"], meeting=meeting, token=meeting.checkin_token)
    q = services.quorum(meeting)
    assert (q.present, q.needed, q.met, q.missing) == (2, 2, True, 0)
    # A kind without a quorum is always met, even empty.
    empty = make_meeting(city)
    assert services.quorum(empty).met


# --- Minutes and decisions ------------------------------------------------------------------------


def test_minutes_record_decisions_on_agenda_topics(city, clock):
    host = city.users["community_staff"]
    meeting = make_meeting(city, kind="rep_assembly", place="C1", days=10)
    light, parking, off = make_topic(city, "B1"), make_topic(city, "C1", "停车"), make_topic(city)
    services.set_agenda(user=host, meeting=meeting, topic_ids=[light.pk, parking.pk])
    invite(city, meeting, "owner", "tenant", "newcomer")
    services.send_notice(user=host, meeting=meeting)
    decisions = [
        {"topic_id": light.pk, "text": "更换灯具"},
        {"topic_id": parking.pk, "text": "划线"},
    ]
    with pytest.raises(Conflict) as early:
        services.record_minutes(user=host, meeting=meeting, minutes="纪要", decisions=decisions)
    assert early.value.code == "not_started"
    clock.move_to(meeting.starts_at + timedelta(hours=1))
    # Quorum 2/3 of three: one present is not enough for decisions.
    services.check_in_by_host(user=host, meeting=meeting, invitee_user_id=city.users["owner"].pk)
    with pytest.raises(Conflict) as no_quorum:
        services.record_minutes(user=host, meeting=meeting, minutes="纪要", decisions=decisions)
    assert no_quorum.value.code == "no_quorum"
    assert refresh(meeting).status == MeetingStatus.NOTICED
    services.check_in_by_host(user=host, meeting=meeting, invitee_user_id=city.users["tenant"].pk)
    for bad, field in [
        ([{"topic_id": off.pk, "text": "x"}], "decisions.0.topic_id"),
        ([decisions[0], {"topic_id": parking.pk, "text": " "}], "decisions.1.text"),
        ([{"text": "x"}], "decisions.0.topic_id"),
    ]:
        with pytest.raises(Invalid) as excinfo:
            services.record_minutes(user=host, meeting=meeting, minutes="纪要", decisions=bad)
        assert field in field_of(excinfo)
    with pytest.raises(Invalid) as excinfo:
        services.record_minutes(user=host, meeting=meeting, minutes=" ", decisions=decisions)
    assert "minutes" in field_of(excinfo)
    assert not Decision.objects.exists()
    with pytest.raises(Forbidden):
        services.record_minutes(user=city.users["owner"], meeting=meeting, minutes="纪要")
    services.record_minutes(user=host, meeting=meeting, minutes="会议纪要", decisions=decisions)
    meeting = refresh(meeting)
    assert meeting.status == MeetingStatus.HELD and meeting.held_at == timezone.now()
    assert meeting.minutes == "会议纪要"
    rows = list(Decision.objects.order_by("pk").values_list("topic_id", "text", "meeting_id"))
    assert rows == [(light.pk, "更换灯具", meeting.pk), (parking.pk, "划线", meeting.pk)]
    assert AuditEvent.objects.filter(verb="deliberation.decide").count() == 2
    with pytest.raises(Conflict):
        services.record_minutes(user=host, meeting=meeting, minutes="again")


def test_minutes_without_quorum_and_without_decisions(city, clock):
    host = city.users["community_staff"]
    meeting = noticed(city, "owner", kind="party_assembly", place="C1", days=8)
    clock.move_to(meeting.starts_at)
    services.record_minutes(user=host, meeting=meeting, minutes="未达法定人数，改期")
    assert refresh(meeting).status == MeetingStatus.HELD


# --- Cancelling -----------------------------------------------------------------------------------


def test_cancel_tells_invitees_once_noticed(city, clock, django_capture_on_commit_callbacks):
    draft = make_meeting(city)
    invite(city, draft, "owner")
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(user=city.users["community_staff"], meeting=draft, reason="取消")
    assert not Notification.objects.exists()  # nobody had been told of a draft
    meeting = noticed(city, "owner", "tenant")
    with pytest.raises(Invalid) as excinfo:
        services.cancel(user=city.users["community_staff"], meeting=meeting, reason="")
    assert "reason" in field_of(excinfo)
    with pytest.raises(Forbidden):
        services.cancel(user=city.users["tenant"], meeting=meeting, reason="不想开")
    last = last_notification()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(user=city.users["community_staff"], meeting=meeting, reason="台风")
    meeting = refresh(meeting)
    assert meeting.status == MeetingStatus.CANCELLED and meeting.cancelled_reason == "台风"
    told = list(Notification.objects.filter(pk__gt=last))
    assert {n.recipient_id for n in told} == ids(city, "owner", "tenant")
    assert all(n.body == "台风" for n in told)
    assert Publication.objects.filter(meeting=meeting).count() == 2  # the notice, the cancelling
    with pytest.raises(Conflict):
        services.cancel(user=city.users["community_staff"], meeting=meeting, reason="again")


# --- Kinds ----------------------------------------------------------------------------------------


def test_kinds_are_kept_by_subdistrict_administrators(city):
    admin = city.users["subdistrict_admin"]
    kind = services.save_kind(
        user=admin,
        code="xiaozu",
        name="楼组会",
        notice_days=2,
        quorum_numerator=1,
        quorum_denominator=2,
        active=True,
    )
    assert MeetingKind.objects.get(code="xiaozu").notice_days == 2
    services.save_kind(user=admin, kind_id=kind.pk, notice_days=5)
    assert MeetingKind.objects.get(pk=kind.pk).notice_days == 5
    for key in ("community_staff", "unit_head", "owner"):
        with pytest.raises(Forbidden):
            services.save_kind(user=city.users[key], kind_id=kind.pk, notice_days=1)
    for fields, field in [
        ({"code": "yishihui", "name": "重复"}, "code"),
        ({"code": "bad code", "name": "x"}, "code"),
        ({"code": "ok", "name": " "}, "name"),
        ({"code": "ok", "name": "x", "notice_days": 400}, "notice_days"),
        (
            {"code": "ok", "name": "x", "quorum_numerator": 3, "quorum_denominator": 2},
            "quorum_numerator",
        ),
    ]:
        with pytest.raises(Invalid) as excinfo:
            services.save_kind(user=admin, **fields)
        assert field in field_of(excinfo)
    assert AuditEvent.objects.filter(verb="deliberation.meeting_kind.save").count() == 2
