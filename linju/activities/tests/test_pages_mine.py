"""The residents' activities pages through the Django test client and the real services: every
page renders for a resident and sends anonymous visitors to log in; signing up, the wait list
with one's number, cancelling (the first waiting moves up); the QR code's landing page (the big
button, too early, not of where one lives, unknown code, checked in); photos for those who came;
joining a team, recording service, the leader confirming it (points on the account) or turning
it down (a reason required); interest groups; the talent pool (add, change, remove, the home
not verified, answering an invitation, neighbours' names masked); another community's activity
and team are 404; bad input names its field and saves nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from linju.activities import services_activities as acts
from linju.activities import services_talents as talents
from linju.activities import services_teams as teams
from linju.activities.models import (
    ActivityPhoto,
    InvitationStatus,
    ServiceRecord,
    ServiceStatus,
    SignUp,
    SignUpStatus,
    Talent,
    TeamMember,
)
from linju.core.masking import mask_name
from linju.points.models import Account
from linju.reports.tests.conftest import media, upload  # noqa: F401  (a fixture, a helper)

from .conftest import started

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"activities:{name}", args=args)


def body(response) -> str:
    return response.content.decode()


def as_user(client, user):
    client.force_login(user)
    return client


def points_of(user) -> int:
    account = Account.objects.filter(user=user).first()
    return account.points if account else 0


def new_activity(hood, *, place="B1", start_in=timedelta(days=2), by=None, **more):
    start = timezone.now() + start_in
    return acts.create_activity(
        user=by or hood.staff,
        place_id=hood.city.places[place].pk,
        title=more.pop("title", "书法课"),
        kind=more.pop("kind", "culture"),
        venue="活动室",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        **more,
    )


def new_group(hood, name="合唱团"):
    return teams.create_group(user=hood.staff, place_id=hood.city.places["C1"].pk, name=name)


# --- Every page -----------------------------------------------------------------------------


LISTS = ["home", "mine", "teams", "groups", "talents"]


@pytest.mark.parametrize("name", LISTS)
def test_each_list_page_renders_for_a_resident(client, hood, name):
    new_group(hood)
    response = as_user(client, hood.member).get(url(name))
    assert response.status_code == 200
    assert 'href="/activities/mine/"' in body(response)  # the section's navigation


def test_the_detail_pages_render_for_a_resident(client, hood):
    group = new_group(hood)
    as_user(client, hood.member)
    for target in (url("activity", hood.party.pk), url("team", hood.patrol.pk)):
        assert client.get(target).status_code == 200
    assert client.get(url("group", group.pk)).status_code == 200


@pytest.mark.parametrize("name", LISTS)
def test_anonymous_visitors_are_sent_to_log_in(client, hood, name):
    response = client.get(url(name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_home_lists_the_activities_near_me_by_day_with_a_kind_filter(
    client, hood, django_assert_max_num_queries
):
    for i in range(5):
        new_activity(hood, title=f"书法课{i}", start_in=timedelta(days=2, hours=i))
    new_activity(
        hood, place="B3", title="别处的活动", by=hood.city.users["community_staff_2"]
    )  # C2: not near the tenant
    as_user(client, hood.member)
    with django_assert_max_num_queries(20):
        response = client.get(url("home"))
    html = body(response)
    assert "楼组包饺子" in html and "书法课4" in html and "别处的活动" not in html
    assert html.count('class="day"') == 2  # tomorrow, the day after
    html = body(client.get(url("home"), {"kind": "festival"}))
    assert "楼组包饺子" in html and "书法课0" not in html
    # A kind that does not exist is ignored, not a 500.
    assert client.get(url("home"), {"kind": "nope"}).status_code == 200


def test_empty_home_says_where_activities_come_from(english, city):
    html = body(as_user(english, city.users["newcomer"]).get(url("home")))
    assert 'data-testid="no-activities"' in html and "once your home is verified" in html


# --- Signing up, the wait list, cancelling --------------------------------------------------


def test_sign_up_wait_list_and_cancel(client, hood):
    party, city = hood.party, hood.city
    head = city.users["building_head"]  # a staff role over B1: may take part
    for person in (hood.leader, hood.member):
        response = as_user(client, person).post(url("activity", party.pk), {"action": "sign_up"})
        assert response.status_code == 302
    as_user(client, head)
    html = body(client.get(url("activity", party.pk)))
    assert 'data-testid="sign-up"' in html  # "join the wait list" when full
    response = client.post(url("activity", party.pk), {"action": "sign_up"}, follow=True)
    html = body(response)
    assert SignUp.objects.get(activity=party, user=head).status == SignUpStatus.WAITING
    assert 'data-status="waiting"' in html
    assert 'data-testid="cancel"' in html
    # The first of those with a place cancels: the one waiting moves up.
    response = as_user(client, hood.leader).post(url("activity", party.pk), {"action": "cancel"})
    assert response.status_code == 302
    assert SignUp.objects.get(activity=party, user=head).status == SignUpStatus.SIGNED
    assert SignUp.objects.get(activity=party, user=hood.leader).status == SignUpStatus.CANCELLED
    html = body(as_user(client, head).get(url("home")))
    assert 'data-testid="my-coming"' in html and 'data-status="signed"' in html


def test_the_wait_list_number_counts_those_before(client, hood, english):
    party, city = hood.party, hood.city
    for person in (hood.leader, hood.member, city.users["building_head"]):
        acts.sign_up(user=person, activity_id=party.pk)
    floor_head = city.users["floor_head"]
    response = as_user(english, floor_head).post(
        url("activity", party.pk), {"action": "sign_up"}, follow=True
    )
    assert "number 2 on the wait list" in body(response)
    assert "Wait list: number 2" in body(english.get(url("mine")))


def test_a_refused_sign_up_is_said_on_the_page(client, hood, english):
    started(hood.party)
    response = as_user(english, hood.member).post(
        url("activity", hood.party.pk), {"action": "sign_up"}, follow=True
    )
    assert response.status_code == 200
    assert "sign-up is closed" in body(response)
    assert not SignUp.objects.filter(activity=hood.party).exists()


def test_an_unknown_action_is_404_and_changes_nothing(client, hood):
    response = as_user(client, hood.member).post(url("activity", hood.party.pk), {"action": "x"})
    assert response.status_code == 404
    assert not SignUp.objects.exists()


def test_another_communitys_activity_and_team_are_404(client, hood):
    as_user(client, hood.city.users["owner_2"])
    for target in (
        url("activity", hood.party.pk),
        url("team", hood.patrol.pk),
        url("activity", 99999),
    ):
        assert client.get(target).status_code == 404
    assert client.post(url("activity", hood.party.pk), {"action": "sign_up"}).status_code == 404
    assert not SignUp.objects.exists()


def test_the_organiser_sees_the_link_to_the_desk_page(client, hood):
    html = body(as_user(client, hood.staff).get(url("activity", hood.party.pk)))
    assert url("desk_activity", hood.party.pk) in html
    html = body(as_user(client, hood.member).get(url("activity", hood.party.pk)))
    assert url("desk_activity", hood.party.pk) not in html


# --- The QR code's landing page -------------------------------------------------------------


def test_check_in_needs_a_login_and_comes_back(client, hood):
    target = url("check_in", hood.party.check_in_code)
    response = client.get(target)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"] and "next=" in response["Location"]
    assert client.post(target).status_code == 302
    assert not SignUp.objects.exists()


def test_check_in_too_early_is_said_clearly(client, hood, english):
    target = url("check_in", hood.party.check_in_code)
    as_user(english, hood.member)
    html = body(english.get(target))
    assert 'data-testid="check-in"' in html and 'data-testid="too-early"' in html
    response = english.post(target)
    assert response.status_code == 200
    assert "Check-in opens an hour before the start." in body(response)
    assert not SignUp.objects.filter(checked_in_at__isnull=False).exists()


def test_check_in_then_confirmation_shows_the_points(client, hood, english):
    acts.sign_up(user=hood.member, activity_id=hood.party.pk)
    started(hood.party)
    target = url("check_in", hood.party.check_in_code)
    as_user(english, hood.member)
    html = body(english.get(target))
    assert 'data-testid="check-in"' in html and "too-early" not in html
    response = english.post(target, follow=True)
    html = body(response)
    assert 'data-testid="checked-in"' in html
    assert "Your points come when the organiser confirms who came." in html
    mine = SignUp.objects.get(activity=hood.party, user=hood.member)
    assert mine.checked_in_at is not None
    # Sent twice (a double tap): still one check-in, no error.
    assert english.post(target).status_code == 302
    acts.confirm_attendance(user=hood.staff, activity_id=hood.party.pk, sign_up_ids=[mine.pk])
    assert "The organiser confirmed you came: 1 point." in body(english.get(target))
    html = body(english.get(url("mine"), {"show": "coming"}))
    assert 'data-status="confirmed"' in html and 'data-testid="points"' in html


def test_check_in_refusals_are_pages_not_500s(client, hood, english):
    for person in (hood.leader, hood.staff):  # the two places taken
        acts.sign_up(user=person, activity_id=hood.party.pk)
    started(hood.party)
    target = url("check_in", hood.party.check_in_code)
    # Not of where one lives: said on the page (a 403), no button, nothing of the activity.
    as_user(english, hood.city.users["owner_2"])
    response = english.get(target)
    assert response.status_code == 200 and 'data-testid="check-in"' not in body(response)
    response = english.post(target)
    assert response.status_code == 403
    assert "You may take part in the activities of where you live." in body(response)
    assert "楼组包饺子" not in body(response)
    # Full: a walk-in finds no place.
    response = as_user(english, hood.member).post(target)
    assert response.status_code == 200 and "The activity is full." in body(response)
    # Over, and an unknown code.
    started(hood.party, minutes_ago=300)
    assert 'data-testid="check-in-closed"' in body(english.get(target))
    assert "The activity is over." in body(english.post(target))
    response = english.get(url("check_in", "no-such-code"))
    assert response.status_code == 404 and 'data-testid="check-in-error"' in body(response)
    assert not SignUp.objects.filter(checked_in_at__isnull=False).exists()


def test_a_check_in_code_no_one_makes_is_a_404_page(client, hood):
    """A NUL in the URL never reaches the database (PostgreSQL refuses it in text: a 500)."""
    as_user(client, hood.member)
    for code in ("%00abc", "abc%00", "a%20b", "x" * 40):
        for response in (
            client.get(f"/activities/check-in/{code}/"),
            client.post(f"/activities/check-in/{code}/"),
        ):
            assert response.status_code == 404, code
            assert 'data-testid="check-in-error"' in body(response)
    assert not SignUp.objects.exists()


# --- Photos ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("media")
def test_those_who_came_add_photos_afterwards(client, hood):
    acts.sign_up(user=hood.member, activity_id=hood.party.pk)
    started(hood.party)
    target = url("activity", hood.party.pk)
    as_user(client, hood.leader)
    assert 'data-testid="photos-form"' not in body(client.get(target))  # did not come
    acts.check_in(user=hood.member, code=hood.party.check_in_code)
    as_user(client, hood.member)
    assert 'data-testid="photos-form"' in body(client.get(target))
    response = client.post(
        target, {"action": "photos", "photos": [upload()], "caption": "包饺子"}, follow=True
    )
    photo = ActivityPhoto.objects.get(activity=hood.party)
    assert url("photo", photo.pk) in body(response)
    served = client.get(url("photo", photo.pk))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content).startswith(b"\xff\xd8")  # a JPEG
    assert (
        as_user(client, hood.city.users["owner_2"]).get(url("photo", photo.pk)).status_code == 404
    )


@pytest.mark.usefixtures("media")
def test_a_file_that_is_not_a_photo_names_the_field(client, hood):
    from django.core.files.uploadedfile import SimpleUploadedFile

    started(hood.party)
    acts.check_in(user=hood.member, code=hood.party.check_in_code)
    bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    response = as_user(client, hood.member).post(
        url("activity", hood.party.pk), {"action": "photos", "photos": [bad]}
    )
    assert response.status_code == 200 and 'data-field="photos"' in body(response)
    assert not ActivityPhoto.objects.exists()


# --- Volunteer teams ------------------------------------------------------------------------


def test_join_a_team_record_service_and_the_leader_confirms_it(client, hood):
    liaison = hood.city.users["party_liaison"]  # lives in H201 (B2, C1), not a member yet
    as_user(client, liaison)
    html = body(client.get(url("teams")))
    assert f'data-testid="join-{hood.patrol.pk}"' in html
    response = client.post(url("team", hood.patrol.pk), {"action": "join"})
    assert response.status_code == 302
    assert TeamMember.objects.filter(team=hood.patrol, user=liaison).exists()
    html = body(client.get(url("team", hood.patrol.pk)))
    assert 'data-testid="service-form"' in html and 'data-testid="to-confirm"' not in html
    response = client.post(
        url("team", hood.patrol.pk),
        {
            "action": "service",
            "served_on": timezone.localdate().isoformat(),
            "minutes": "120",
            "what": "夜间巡逻",
        },
    )
    assert response.status_code == 302
    record = ServiceRecord.objects.get(user=liaison)
    assert record.status == ServiceStatus.SUBMITTED
    assert 'data-status="submitted"' in body(client.get(url("team", hood.patrol.pk)))
    # The leader (a resident) confirms on the same page; the points reach the account.
    as_user(client, hood.leader)
    html = body(client.get(url("team", hood.patrol.pk)))
    assert f'data-testid="confirm-{record.pk}"' in html and "夜间巡逻" in html
    assert "党员n" not in html  # the member's name is masked for a resident leader
    response = client.post(url("team", hood.patrol.pk), {"action": "confirm", "record": record.pk})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == ServiceStatus.CONFIRMED and record.points == 2
    assert points_of(liaison) == 2
    # Sent again: told it was decided, nothing credited twice.
    response = client.post(
        url("team", hood.patrol.pk), {"action": "confirm", "record": record.pk}, follow=True
    )
    assert response.status_code == 200 and points_of(liaison) == 2


def test_turning_service_down_needs_a_reason(client, hood):
    record = teams.submit_service(
        user=hood.member,
        team_id=hood.patrol.pk,
        served_on=timezone.localdate(),
        minutes=60,
        what="巡逻",
    )
    as_user(client, hood.leader)
    target = url("team", hood.patrol.pk)
    response = client.post(target, {"action": "reject", "record": record.pk})
    assert response.status_code == 200
    assert 'data-field="reason"' in body(response)
    record.refresh_from_db()
    assert record.status == ServiceStatus.SUBMITTED
    response = client.post(
        target, {"action": "reject", "record": record.pk, f"r{record.pk}-reason": "那天没排班"}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.status, record.reason) == (ServiceStatus.REJECTED, "那天没排班")
    assert points_of(hood.member) == 0


def test_a_member_may_not_decide(client, hood):
    record = teams.submit_service(
        user=hood.leader,
        team_id=hood.patrol.pk,
        served_on=timezone.localdate(),
        minutes=60,
        what="巡逻",
    )
    as_user(client, hood.member)
    assert 'data-testid="to-confirm"' not in body(client.get(url("team", hood.patrol.pk)))
    response = client.post(url("team", hood.patrol.pk), {"action": "confirm", "record": record.pk})
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.status == ServiceStatus.SUBMITTED


@pytest.mark.parametrize(
    "data, field",
    [
        ({"served_on": "not a day", "minutes": "60", "what": "巡逻"}, "served_on"),
        ({"served_on": "TODAY", "minutes": "0", "what": "巡逻"}, "minutes"),
        ({"served_on": "TODAY", "minutes": "60", "what": ""}, "what"),
        ({"served_on": "TOMORROW", "minutes": "60", "what": "巡逻"}, "served_on"),
    ],
)
def test_bad_service_input_names_the_field(client, hood, data, field):
    today = timezone.localdate()
    days = {"TODAY": today.isoformat(), "TOMORROW": (today + timedelta(days=1)).isoformat()}
    data = {k: days.get(v, v) for k, v in data.items()}
    response = as_user(client, hood.member).post(
        url("team", hood.patrol.pk), {"action": "service", **data}
    )
    assert response.status_code == 200
    assert f'data-field="{field}"' in body(response)
    assert not ServiceRecord.objects.exists()


def test_members_are_listed_to_leaders_and_staff_only(client, hood):
    liaison = hood.city.users["party_liaison"]  # lives in C1, not a member
    target = url("team", hood.patrol.pk)
    for person in (liaison, hood.member):  # a neighbour, a member who does not lead
        html = body(as_user(client, person).get(target))
        assert 'data-testid="members"' not in html
        assert mask_name(hood.leader.name) not in html and hood.leader.name not in html
    # The leader (a resident) sees the members, masked; the community's staff in full.
    html = body(as_user(client, hood.leader).get(target))
    assert 'data-testid="members"' in html and mask_name(hood.member.name) in html
    assert hood.member.name not in html
    html = body(as_user(client, hood.staff).get(target))
    assert hood.leader.name in html and hood.member.name in html


def test_a_groups_members_are_listed_to_its_leaders_only(client, hood):
    group = teams.create_group(
        user=hood.staff,
        place_id=hood.city.places["C1"].pk,
        name="合唱团",
        leader_id=hood.leader.pk,
    )
    teams.join_group(user=hood.member, group_id=group.pk)
    target = url("group", group.pk)
    html = body(as_user(client, hood.city.users["party_liaison"]).get(target))
    assert 'data-testid="members"' not in html and mask_name(hood.member.name) not in html
    html = body(as_user(client, hood.member).get(target))
    assert 'data-testid="members"' not in html and mask_name(hood.leader.name) not in html
    html = body(as_user(client, hood.leader).get(target))
    assert 'data-testid="members"' in html and mask_name(hood.member.name) in html
    assert f"{url('desk_activity_new')}?group={group.pk}" in html  # the leader organises


def test_a_retired_team_stays_visible_to_its_members_and_staff(client, hood):
    teams.update_team(
        user=hood.staff,
        team_id=hood.patrol.pk,
        name=hood.patrol.name,
        kind=hood.patrol.kind,
        active=False,
    )
    target = url("team", hood.patrol.pk)
    html = body(as_user(client, hood.member).get(target))
    assert 'data-testid="membership"' in html and 'data-testid="service-form"' not in html
    assert as_user(client, hood.staff).get(target).status_code == 200
    # A neighbour no longer finds it, nor joins it.
    liaison = hood.city.users["party_liaison"]
    as_user(client, liaison)
    assert client.get(target).status_code == 404
    assert client.post(target, {"action": "join"}).status_code == 404
    assert not TeamMember.objects.filter(team=hood.patrol, user=liaison).exists()
    # A member's service for a retired team is refused by the service, said on the page.
    response = as_user(client, hood.member).post(
        target,
        {
            "action": "service",
            "served_on": timezone.localdate().isoformat(),
            "minutes": "60",
            "what": "巡逻",
        },
    )
    assert response.status_code == 200 and not ServiceRecord.objects.exists()


def test_leave_a_team(client, hood):
    as_user(client, hood.member)
    assert client.post(url("team", hood.patrol.pk), {"action": "leave"}).status_code == 302
    assert not TeamMember.objects.filter(team=hood.patrol, user=hood.member).exists()


# --- Interest groups ------------------------------------------------------------------------


def test_join_and_leave_a_group_and_see_its_activities(client, hood):
    group = new_group(hood)
    new_activity(hood, title="合唱排练", group_id=group.pk)
    as_user(client, hood.member)
    assert f'data-testid="join-{group.pk}"' in body(client.get(url("groups")))
    response = client.post(url("group", group.pk), {"action": "join"}, follow=True)
    html = body(response)
    assert 'data-testid="membership"' in html and "合唱排练" in html
    assert group.members.filter(user=hood.member).exists()
    client.post(url("group", group.pk), {"action": "leave"})
    assert not group.members.exists()
    assert (
        as_user(client, hood.city.users["owner_2"]).get(url("group", group.pk)).status_code == 404
    )


# --- The talent pool ------------------------------------------------------------------------


def test_add_change_and_remove_a_skill(client, hood):
    as_user(client, hood.member)
    target = url("talents")
    response = client.post(
        target,
        {
            "action": "set",
            "form": "add",
            "add-skill": "repairs",
            "add-note": "修水管",
            "add-visibility": "neighbours",
        },
    )
    assert response.status_code == 302
    talent = Talent.objects.get(user=hood.member)
    assert (talent.skill, talent.note, talent.visibility) == ("repairs", "修水管", "neighbours")
    response = client.post(
        target,
        {
            "action": "set",
            "form": "edit-repairs",
            "edit-repairs-note": "修水管、换灯泡",
            "edit-repairs-visibility": "staff",
        },
    )
    assert response.status_code == 302
    talent.refresh_from_db()
    assert (talent.note, talent.visibility) == ("修水管、换灯泡", "staff")
    assert 'data-testid="talent-repairs"' in body(client.get(target))
    assert client.post(target, {"action": "remove", "skill": "repairs"}).status_code == 302
    assert not Talent.objects.exists()
    # Removing it again: said on the page, not a 500.
    response = client.post(target, {"action": "remove", "skill": "repairs"}, follow=True)
    assert response.status_code == 200 and 'class="error"' in body(response)


def test_a_bad_skill_names_the_field(client, hood):
    response = as_user(client, hood.member).post(
        url("talents"),
        {"action": "set", "form": "add", "add-skill": "juggling", "add-visibility": "staff"},
    )
    assert response.status_code == 200 and 'data-field="skill"' in body(response)
    assert not Talent.objects.exists()


def test_without_a_verified_home_the_page_says_so(english, city):
    as_user(english, city.users["newcomer"])
    assert 'data-testid="no-home"' in body(english.get(url("talents")))
    response = english.post(
        url("talents"),
        {"action": "set", "form": "add", "add-skill": "legal", "add-visibility": "staff"},
    )
    assert response.status_code == 200
    assert "your home needs to be verified first" in body(response)
    assert not Talent.objects.exists()


def test_answer_an_invitation(client, hood):
    talent = talents.set_talent(user=hood.member, skill="calligraphy", note="写春联")
    invitation = talents.invite(
        user=hood.staff, talent_id=talent.pk, message="请来写春联", activity_id=hood.party.pk
    )
    as_user(client, hood.member)
    html = body(client.get(url("talents")))
    assert f'data-testid="accept-{invitation.pk}"' in html and "请来写春联" in html
    response = client.post(url("talents"), {"action": "accept", "invitation": invitation.pk})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED
    # Answered already: a message, no change, no 500.
    response = client.post(
        url("talents"), {"action": "decline", "invitation": invitation.pk}, follow=True
    )
    assert response.status_code == 200
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED
    # Someone else's invitation is not theirs to answer.
    response = as_user(client, hood.leader).post(
        url("talents"), {"action": "decline", "invitation": invitation.pk}, follow=True
    )
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED


def test_every_waiting_invitation_is_answerable(client, hood):
    """Eleven invitations: the oldest is on the second page of them, answered there."""
    talent = talents.set_talent(user=hood.member, skill="calligraphy", note="写春联")
    sent = [
        talents.invite(
            user=hood.staff, talent_id=talent.pk, message=f"请来写春联{i}", project="春节"
        )
        for i in range(11)
    ]
    oldest = sent[0]
    as_user(client, hood.member)
    html = body(client.get(url("talents")))
    assert f'data-testid="accept-{oldest.pk}"' not in html
    assert 'data-testid="invitations-pager"' in html and "ipage=2" in html
    html = body(client.get(url("talents"), {"ipage": 2}))
    assert f'data-testid="accept-{oldest.pk}"' in html
    response = client.post(
        url("talents") + "?ipage=2", {"action": "accept", "invitation": oldest.pk}
    )
    assert response.status_code == 302 and response["Location"].endswith("?ipage=2")
    oldest.refresh_from_db()
    assert oldest.status == InvitationStatus.ACCEPTED
    assert client.get(url("talents"), {"ipage": "x"}).status_code == 200


def test_neighbours_talents_show_masked_names(client, hood):
    talents.set_talent(user=hood.leader, skill="legal", note="合同咨询", visibility="neighbours")
    talents.set_talent(user=hood.member, skill="cooking", note="私房菜", visibility="staff")
    html = body(as_user(client, hood.city.users["party_liaison"]).get(url("talents")))
    assert "合同咨询" in html and "张*****明" in html and "张owner明" not in html
    assert "私房菜" not in html  # shown to the staff only
    html = body(client.get(url("talents"), {"skill": "cooking"}))
    assert "合同咨询" not in html
    html = body(as_user(client, hood.city.users["owner_2"]).get(url("talents")))
    assert "合同咨询" not in html  # another community


def test_list_pages_take_the_same_queries_for_more_rows(client, hood):
    """No query per row: the teams, groups and talents lists cost the same for 1 row or 6."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cost(name):
        with CaptureQueriesContext(connection) as done:
            assert client.get(url(name)).status_code == 200
        return len(done)

    as_user(client, hood.city.users["party_liaison"])
    talents.set_talent(user=hood.leader, skill="legal", visibility="neighbours")
    new_group(hood, "合唱团0")
    for name in ("teams", "groups", "talents"):
        cost(name)  # the first request also fills the session's and the scopes' caches
    before = {name: cost(name) for name in ("teams", "groups", "talents")}
    c1 = hood.city.places["C1"].pk
    for i in range(5):
        teams.create_team(user=hood.staff, place_id=c1, name=f"队{i}", kind="other")
        new_group(hood, f"兴趣{i}")
    for skill in ("repairs", "cooking", "arts", "health", "digital"):
        talents.set_talent(user=hood.member, skill=skill, visibility="neighbours")
    assert {name: cost(name) for name in before} == before
