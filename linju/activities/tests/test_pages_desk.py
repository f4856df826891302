"""The activities desk pages: the overview and the month's figures (page and XLSX opened back),
organising an activity and running it from its sheet (check in by mobile, confirming who came,
which credits points once however often the form is sent, photos, cancelling), the QR poster,
teams and groups with members and leaders, the team's service confirmed or turned down, the
talent pool searched and invited; who gets 200, 403, 404 or the login; bad input names the
field."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from linju.activities import services_activities as acts
from linju.activities import services_talents as talents
from linju.activities import services_teams as teams
from linju.activities.models import (
    Activity,
    ActivityPhoto,
    ActivityStatus,
    GroupMember,
    InterestGroup,
    Invitation,
    MemberRole,
    ServiceStatus,
    SignUp,
    Team,
    TeamMember,
)
from linju.core.masking import mask_name
from linju.points.models import Account
from linju.reports.tests.conftest import jpeg_bytes, media  # noqa: F401  (a fixture)

from .conftest import started

pytestmark = pytest.mark.django_db

PAGES = [
    "activities:desk",
    "activities:desk_activities",
    "activities:desk_activity_new",
    "activities:desk_teams",
    "activities:desk_groups",
    "activities:desk_services",
    "activities:desk_talents",
    "activities:desk_figures",
]
LOCAL = "%Y-%m-%dT%H:%M"


def body(response) -> str:
    return response.content.decode()


def local(moment) -> str:
    return timezone.localtime(moment).strftime(LOCAL)


def points_of(user) -> int:
    account = Account.objects.filter(user=user).first()
    return account.points if account else 0


def submitted(hood, minutes=90, person=None):
    return teams.submit_service(
        user=person or hood.member,
        team_id=hood.patrol.pk,
        served_on=timezone.localdate(),
        minutes=minutes,
        what="夜间巡逻",
    )


def object_urls(hood, group):
    party = hood.party.pk
    return [
        reverse("activities:desk_activity", args=[party]),
        reverse("activities:desk_activity_edit", args=[party]),
        reverse("activities:desk_activity_qr", args=[party]),
        reverse("activities:desk_team", args=[hood.patrol.pk]),
        reverse("activities:desk_group", args=[group.pk]),
    ]


@pytest.fixture
def choir(hood):
    return teams.create_group(user=hood.staff, place_id=hood.city.places["C1"].pk, name="合唱团")


# --- Who may enter --------------------------------------------------------------------------------


def test_who_enters_the_desk(hood, choir, client):
    city = hood.city
    urls = [reverse(name) for name in PAGES] + [reverse("activities:desk_figures_xlsx")]
    objects = object_urls(hood, choir)
    for key in ("community_staff", "subdistrict_admin"):
        client.force_login(city.users[key])
        for url in urls + objects:
            assert client.get(url).status_code == 200, (key, url)
    # The staff of C2 enter their own desk but never see C1's activity, team or group.
    client.force_login(city.users["community_staff_2"])
    assert client.get(reverse("activities:desk")).status_code == 200
    assert f'data-activity="{hood.party.pk}"' not in body(
        client.get(reverse("activities:desk_activities"))
    )
    for url in objects:
        assert client.get(url).status_code == 404, url
    sheet = reverse("activities:desk_activity", args=[hood.party.pk])
    assert client.post(sheet, {"action": "cancel", "reason": "x"}).status_code == 404
    # A resident has no desk, and no sheet of their building's activity they do not run, nor
    # the desk page of their community's team or group they do not lead.
    client.force_login(city.users["tenant"])
    for url in urls:
        assert client.get(url).status_code == 403, url
    for url in objects:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("activities:desk_teams"), {}).status_code == 403
    # A property manager reads the scope's activities but runs none of them.
    client.force_login(city.users["property_manager"])
    assert client.get(sheet).status_code == 200
    assert client.get(reverse("activities:desk_activity_new")).status_code == 403
    assert (
        client.get(reverse("activities:desk_activity_qr", args=[hood.party.pk])).status_code == 403
    )
    assert client.post(sheet, {"action": "cancel", "reason": "x"}).status_code == 403
    client.logout()
    for url in urls + objects:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url
    assert Activity.objects.get(pk=hood.party.pk).status == ActivityStatus.OPEN


def test_the_desk_panel_and_overview(hood, client):
    submitted(hood)
    client.force_login(hood.staff)
    page = body(client.get(reverse("core:staff_home")))
    assert 'data-testid="activities-services-waiting">1<' in page
    assert 'data-testid="activities-this-week">1<' in page
    assert reverse("activities:desk") in page
    page = body(client.get(reverse("activities:desk")))
    assert f'data-activity="{hood.party.pk}"' in page  # tomorrow: in the coming week
    assert 'data-testid="waiting-count">1<' in page
    assert 'data-testid="month-buildings">0 / 2<' in page  # B1, B2: the party is tomorrow
    # A subdistrict admin picks among the places of their scope.
    client.force_login(hood.city.users["subdistrict_admin"])
    page = client.get(reverse("activities:desk"), {"place": hood.city.places["C2"].pk})
    assert page.context["place"] == hood.city.places["C2"]
    response = client.get(reverse("activities:desk"), {"place": hood.city.places["C1"].pk})
    assert response.context["place"] == hood.city.places["C1"]
    # A place outside the scope is refused on the form, not shown.
    client.force_login(hood.city.users["community_staff_2"])
    response = client.get(reverse("activities:desk"), {"place": hood.city.places["C1"].pk})
    assert response.context["figures"] is None and 'data-field="place"' in body(response)


# --- Organising and running an activity -----------------------------------------------------------


def test_create_edit_check_in_and_confirm_once(hood, english):
    client = english
    city = hood.city
    client.force_login(hood.staff)
    start = timezone.now() + timedelta(days=2)
    form = client.get(reverse("activities:desk_activity_new")).context["form"]
    offered = [c[0] for c in form.fields["place"].choices]
    assert city.places["B2"].pk in offered and city.places["E1"].pk in offered
    assert city.places["U1"].pk not in offered  # units are not listed (thousands of them)
    assert hood.patrol.pk in [c[0] for c in form.fields["team"].choices]
    data = {
        "place": city.places["B1"].pk,
        "title": "楼道清洁",
        "kind": "volunteer",
        "venue": "B1 大堂",
        "starts_at": local(start),
        "ends_at": local(start + timedelta(hours=2)),
        "capacity": 5,
        "service_minutes": "",
        "team": hood.patrol.pk,
        "group": "",
        "description": "",
    }
    response = client.post(reverse("activities:desk_activity_new"), data)
    assert response.status_code == 302
    created = Activity.objects.get(title="楼道清洁")
    assert response["Location"] == reverse("activities:desk_activity", args=[created.pk])
    assert (created.team, created.service_minutes, created.organiser) == (
        hood.patrol,
        120,
        hood.staff,
    )
    edit = reverse("activities:desk_activity_edit", args=[created.pk])
    assert client.get(edit).context["form"].initial["title"] == "楼道清洁"
    response = client.post(edit, {**data, "title": "楼道大扫除", "service_minutes": 90})
    assert response.status_code == 302
    created.refresh_from_db()
    assert (created.title, created.service_minutes) == ("楼道大扫除", 90)

    acts.sign_up(user=hood.member, activity_id=created.pk)
    started(created)
    sheet = reverse("activities:desk_activity", args=[created.pk])
    page = body(client.get(sheet))
    assert "Confirm attendance" not in page  # nobody checked in yet
    # The desk checks the owner in by mobile (a walk-in), then the member.
    for person in (city.users["owner"], hood.member):
        response = client.post(sheet, {"action": "check_in", "mobile": person.mobile})
        assert response.status_code == 302
    ids = list(SignUp.objects.filter(activity=created).values_list("pk", flat=True))
    page = body(client.get(sheet))
    assert "Confirm attendance" in page
    for pk in ids:
        assert f'name="sign_up_ids" value="{pk}"' in page
    member_sign_up = SignUp.objects.get(activity=created, user=hood.member)
    for _ in range(2):
        response = client.post(sheet, {"action": "confirm", "sign_up_ids": [member_sign_up.pk]})
        assert response.status_code == 302
    # 90 minutes of service at the default rule: 1 point an hour, whole hours.
    assert points_of(hood.member) == 1
    assert Account.objects.get(user=hood.member).minutes == 90
    assert "confirmed already" in body(client.get(sheet))
    page = body(client.get(sheet))
    assert f'name="sign_up_ids" value="{member_sign_up.pk}"' not in page
    assert f'name="sign_up_ids" value="{ids[0]}"' in page or ids[0] == member_sign_up.pk


def test_bad_input_names_the_field(hood, english):
    client = english
    city = hood.city
    client.force_login(hood.staff)
    start = timezone.now() + timedelta(days=2)
    good = {
        "place": city.places["B1"].pk,
        "title": "读书会",
        "kind": "culture",
        "venue": "活动室",
        "starts_at": local(start),
        "ends_at": local(start + timedelta(hours=1)),
        "capacity": 0,
    }
    url = reverse("activities:desk_activity_new")
    for change, field in [
        ({"title": ""}, "title"),
        ({"kind": "rave"}, "kind"),
        ({"ends_at": local(start - timedelta(hours=1))}, "ends_at"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        (
            {
                "starts_at": local(timezone.now() - timedelta(days=1)),
                "ends_at": local(timezone.now() - timedelta(hours=23)),
            },
            "starts_at",
        ),
        ({"capacity": -1}, "capacity"),
        ({"place": city.places["S"].pk}, "place"),
        ({"place": "x"}, "place"),
        ({"team": 10**9}, "team"),
    ]:
        response = client.post(url, {**good, **change})
        assert response.status_code == 200, change
        assert f'data-field="{field}"' in body(response), change
    assert not Activity.objects.filter(title="读书会").exists()
    # A place of C2: the service refuses it.
    assert client.post(url, {**good, "place": city.places["B3"].pk}).status_code == 403

    sheet = reverse("activities:desk_activity", args=[hood.party.pk])
    for data, field in [
        ({"action": "check_in", "mobile": "123"}, "mobile"),
        ({"action": "check_in", "mobile": "13999999999"}, "mobile"),  # nobody has it
        ({"action": "check_in", "mobile": hood.member.mobile}, "mobile"),  # a day early
        ({"action": "confirm"}, "sign_up_ids"),
        ({"action": "confirm", "sign_up_ids": "abc"}, "sign_up_ids"),
        ({"action": "cancel", "reason": ""}, "reason"),
    ]:
        response = client.post(sheet, data)
        assert response.status_code == 200, data
        assert f'data-field="{field}"' in body(response), data
    assert client.post(sheet, {"action": "shout"}).status_code == 404
    assert not SignUp.objects.filter(activity=hood.party).exists()

    response = client.post(
        reverse("activities:desk_teams"),
        {"place": city.places["C1"].pk, "name": hood.patrol.name, "kind": "safety"},
    )
    assert 'data-field="name"' in body(response)
    response = client.post(
        reverse("activities:desk_teams"),
        {"place": city.places["C1"].pk, "name": "新队", "kind": "safety", "leader_mobile": "139"},
    )
    assert 'data-field="leader_mobile"' in body(response)
    response = client.post(
        reverse("activities:desk_teams"),
        {
            "place": city.places["C1"].pk,
            "name": "新队",
            "kind": "safety",
            "leader_mobile": "13999999999",
        },
    )
    assert 'data-field="leader_mobile"' in body(response)
    assert not Team.objects.filter(name="新队").exists()
    figures = client.get(reverse("activities:desk_figures"), {"month": "2026-13"})
    assert figures.status_code == 200 and 'data-field="month"' in body(figures)
    xlsx = client.get(reverse("activities:desk_figures_xlsx"), {"month": "june"})
    assert xlsx.status_code == 302
    listing = client.get(reverse("activities:desk_activities"), {"month": "x"})
    assert listing.status_code == 200 and 'data-field="month"' in body(listing)


def test_a_resident_team_leader_organises_an_activity_of_the_team(hood, client):
    city = hood.city
    other = teams.create_team(
        user=hood.staff, place_id=city.places["C1"].pk, name="环保队", kind="environment"
    )
    client.force_login(hood.leader)  # owner of H101: no staff role, leads the patrol (C1)
    url = reverse("activities:desk_activity_new")
    response = client.get(url, {"team": hood.patrol.pk})
    assert response.status_code == 200
    form = response.context["form"]
    assert [c[0] for c in form.fields["team"].choices] == ["", hood.patrol.pk]  # not 环保队
    assert form.initial["team"] == hood.patrol.pk
    offered = [c[0] for c in form.fields["place"].choices]
    for name in ("C1", "E1", "B1", "B2"):  # the team's scope
        assert city.places[name].pk in offered, name
    assert city.places["B3"].pk not in offered
    start = timezone.now() + timedelta(days=3)
    data = {
        "place": city.places["B2"].pk,
        "title": "楼道巡查",
        "kind": "volunteer",
        "venue": "B2 门口",
        "starts_at": local(start),
        "ends_at": local(start + timedelta(hours=1)),
        "capacity": 0,
        "team": hood.patrol.pk,
    }
    response = client.post(url, data)
    assert response.status_code == 302
    made = Activity.objects.get(title="楼道巡查")
    assert (made.team, made.organiser, made.place) == (hood.patrol, hood.leader, city.places["B2"])
    assert client.get(response["Location"]).status_code == 200  # they run it from its sheet
    # Not of a team they lead: the service refuses it.
    for change in ({"team": ""}, {"team": other.pk}):
        response = client.post(url, {**data, "title": "别的", **change})
        assert response.status_code == 403, change
    assert not Activity.objects.filter(title="别的").exists()
    # A resident who leads nothing has no form.
    client.force_login(hood.member)
    assert client.get(url).status_code == 403


def test_the_organise_form_lists_the_buildings_of_an_estate_when_there_are_many(
    hood, client, monkeypatch
):
    from linju.activities import views_desk

    city = hood.city
    monkeypatch.setattr(views_desk, "MAX_PLACES", 3)  # C1, E1, B1, B2: more than 3
    client.force_login(hood.staff)
    url = reverse("activities:desk_activity_new")
    response = client.get(url)
    offered = [c[0] for c in response.context["form"].fields["place"].choices]
    assert offered == ["", city.places["C1"].pk, city.places["E1"].pk]
    assert 'data-testid="within-form"' in body(response)
    response = client.get(url, {"within": city.places["E1"].pk})
    offered = [c[0] for c in response.context["form"].fields["place"].choices]
    assert city.places["B1"].pk in offered and city.places["B2"].pk in offered
    # A building not listed is taken all the same, and kept chosen when the form is wrong.
    start = timezone.now() + timedelta(days=2)
    data = {
        "place": city.places["B2"].pk,
        "title": "",
        "kind": "culture",
        "venue": "活动室",
        "starts_at": local(start),
        "ends_at": local(start + timedelta(hours=1)),
        "capacity": 0,
    }
    response = client.post(url, data)
    assert response.status_code == 200 and 'data-field="title"' in body(response)
    assert city.places["B2"].pk in [c[0] for c in response.context["form"].fields["place"].choices]
    response = client.post(url, {**data, "title": "读书会"})
    assert response.status_code == 302
    assert Activity.objects.get(title="读书会").place == city.places["B2"]


def test_desk_check_in_gives_one_answer_for_unknown_and_elsewhere(hood, english):
    """Whether a number is registered is not told: no one has it, or its person lives in
    another community, the same message on the same field."""
    client = english
    client.force_login(hood.leader)  # runs the patrol's activity, a resident
    start = timezone.now() + timedelta(days=1)
    walk = acts.create_activity(
        user=hood.staff,
        place_id=hood.city.places["B1"].pk,
        title="夜巡",
        kind="volunteer",
        venue="B1",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        team_id=hood.patrol.pk,
    )
    sheet = reverse("activities:desk_activity", args=[walk.pk])

    def answer(mobile):
        html = body(client.post(sheet, {"action": "check_in", "mobile": mobile}))
        return [e.split("</p>")[0] for e in html.split('data-field="mobile">')[1:]]

    elsewhere, nobody = hood.city.users["owner_2"].mobile, "13999999999"
    # Before check-in opens: both are told it is too early.
    assert answer(elsewhere) == answer(nobody) == ["Check-in opens an hour before the start."]
    started(walk)
    assert answer(elsewhere) == answer(nobody)
    assert answer(nobody) == ["No one living where the activity is held has this mobile number."]
    assert not SignUp.objects.filter(activity=walk).exists()


def test_a_started_activity_is_no_longer_changed_but_gets_photos(hood, media, english):  # noqa: F811
    client = english
    client.force_login(hood.staff)
    started(hood.party)
    edit = reverse("activities:desk_activity_edit", args=[hood.party.pk])
    form = client.get(edit).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(starts_at=local(hood.party.starts_at), ends_at=local(hood.party.ends_at))
    response = client.post(edit, data)
    assert response.status_code == 200
    assert "has started" in body(response)
    sheet = reverse("activities:desk_activity", args=[hood.party.pk])
    upload = SimpleUploadedFile("a.jpg", jpeg_bytes(size=(64, 48)), content_type="image/jpeg")
    response = client.post(sheet, {"action": "photos", "photos": [upload], "caption": "合影"})
    assert response.status_code == 302
    photo = ActivityPhoto.objects.get(activity=hood.party)
    page = body(client.get(sheet))
    assert reverse("activities:photo", args=[photo.pk]) in page
    bad = SimpleUploadedFile("b.jpg", b"not a photo", content_type="image/jpeg")
    response = client.post(sheet, {"action": "photos", "photos": [bad]})
    assert 'data-field="photos"' in body(response)
    response = client.post(sheet, {"action": "delete_photo", "photo": photo.pk})
    assert response.status_code == 302
    assert not ActivityPhoto.objects.exists()


def test_cancel_with_a_reason(hood, client):
    acts.sign_up(user=hood.member, activity_id=hood.party.pk)
    client.force_login(hood.staff)
    sheet = reverse("activities:desk_activity", args=[hood.party.pk])
    response = client.post(sheet, {"action": "cancel", "reason": "暴雨预警"})
    assert response.status_code == 302
    assert Activity.objects.get(pk=hood.party.pk).status == ActivityStatus.CANCELLED
    page = body(client.get(sheet))
    assert 'data-testid="cancelled"' in page and 'data-testid="cancel-form"' not in page
    listing = client.get(reverse("activities:desk_activities"), {"status": "cancelled"})
    assert f'data-activity="{hood.party.pk}"' in body(listing)
    listing = client.get(reverse("activities:desk_activities"), {"status": "open"})
    assert f'data-activity="{hood.party.pk}"' not in body(listing)


def test_the_qr_poster(hood, client):
    client.force_login(hood.staff)
    response = client.get(reverse("activities:desk_activity_qr", args=[hood.party.pk]))
    assert response.status_code == 200
    url = "http://testserver" + reverse("activities:check_in", args=[hood.party.check_in_code])
    page = body(response)
    assert url in page and "<svg" in page


def test_a_team_leader_runs_the_team_activity_and_sees_masked_names(hood, client):
    city = hood.city
    start = timezone.now() + timedelta(days=1)
    patrol_walk = acts.create_activity(
        user=hood.staff,
        place_id=city.places["B2"].pk,
        title="夜巡",
        kind="volunteer",
        venue="B2",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        team_id=hood.patrol.pk,
    )
    liaison = city.users["party_liaison"]  # lives in B2
    acts.sign_up(user=liaison, activity_id=patrol_walk.pk)
    client.force_login(hood.leader)  # a resident of B1 who leads the patrol
    sheet = reverse("activities:desk_activity", args=[patrol_walk.pk])
    page = body(client.get(sheet))
    assert mask_name(liaison.name) in page and liaison.name not in page
    assert liaison.mobile not in page
    assert 'data-testid="check-in-form"' in page
    assert 'class="desk-nav"' not in page  # no desk to go back to
    assert (
        client.get(reverse("activities:desk_activity_qr", args=[patrol_walk.pk])).status_code == 200
    )
    # Community staff handle the scope: they see the name in full.
    client.force_login(hood.staff)
    assert liaison.name in body(client.get(sheet))


# --- Teams, groups and their service --------------------------------------------------------------


def test_teams_and_groups_are_set_up_with_members_and_leaders(hood, choir, client):
    city = hood.city
    client.force_login(hood.staff)
    response = client.post(
        reverse("activities:desk_teams"),
        {
            "place": city.places["E1"].pk,
            "name": "环保队",
            "kind": "environment",
            "description": "垃圾分类",
            "open_to_join": "on",
            "leader_mobile": hood.member.mobile,
        },
    )
    green = Team.objects.get(name="环保队")
    assert response.status_code == 302 and response["Location"] == reverse(
        "activities:desk_team", args=[green.pk]
    )
    assert TeamMember.objects.get(team=green).role == MemberRole.LEADER
    url = reverse("activities:desk_team", args=[green.pk])
    owner = city.users["owner"]
    response = client.post(url, {"action": "member", "mobile": owner.mobile, "role": "member"})
    assert response.status_code == 302
    response = client.post(url, {"action": "member", "mobile": owner.mobile, "role": "leader"})
    assert TeamMember.objects.get(team=green, user=owner).role == MemberRole.LEADER
    response = client.post(url, {"action": "member", "mobile": "13999999999", "role": "member"})
    assert 'data-field="mobile"' in body(response)
    response = client.post(url, {"action": "remove", "person": owner.pk})
    assert response.status_code == 302
    assert not TeamMember.objects.filter(team=green, user=owner).exists()
    response = client.post(
        url,
        {"action": "update", "name": "绿色环保队", "kind": "environment", "active": "on"},
    )
    green.refresh_from_db()
    assert (green.name, green.open_to_join) == ("绿色环保队", False)
    assert f'data-team="{green.pk}"' in body(client.get(reverse("activities:desk_teams")))

    response = client.post(
        reverse("activities:desk_groups"),
        {"place": city.places["C1"].pk, "name": "书法组", "leader_mobile": owner.mobile},
    )
    calligraphy = InterestGroup.objects.get(name="书法组")
    assert response.status_code == 302
    assert GroupMember.objects.get(group=calligraphy).user == owner
    group_url = reverse("activities:desk_group", args=[calligraphy.pk])
    assert client.post(group_url, {"action": "decide"}).status_code == 404  # groups serve none
    response = client.post(
        group_url, {"action": "member", "mobile": hood.member.mobile, "role": "member"}
    )
    assert response.status_code == 302
    assert calligraphy.members.count() == 2
    # The group's leader opens its page but changes nothing there.
    client.force_login(owner)
    assert client.get(group_url).status_code == 200
    assert client.post(group_url, {"action": "remove", "person": hood.member.pk}).status_code == 403
    # A group of where they live that they do not lead: no desk page of it.
    assert client.get(reverse("activities:desk_group", args=[choir.pk])).status_code == 403


def test_the_team_page_confirms_and_turns_down_service(hood, client):
    confirm_me, turn_down = submitted(hood, minutes=120), submitted(hood, minutes=60)
    url = reverse("activities:desk_team", args=[hood.patrol.pk])
    client.force_login(hood.leader)  # a leader without a staff role
    page = body(client.get(url))
    assert f'data-record="{confirm_me.pk}"' in page
    assert 'data-testid="edit-form"' not in page and 'data-testid="member-form"' not in page
    response = client.post(url, {"action": "decide", "record": turn_down.pk, "decision": "reject"})
    assert response.status_code == 200 and 'data-field="reason"' in body(response)
    response = client.post(
        url, {"action": "decide", "record": turn_down.pk, "decision": "reject", "reason": "重复"}
    )
    assert response.status_code == 302
    for _ in range(2):
        response = client.post(
            url, {"action": "decide", "record": confirm_me.pk, "decision": "confirm"}
        )
    assert 'data-testid="decide-errors"' in body(response)  # decided already
    confirm_me.refresh_from_db()
    turn_down.refresh_from_db()
    assert (confirm_me.status, turn_down.status) == (
        ServiceStatus.CONFIRMED,
        ServiceStatus.REJECTED,
    )
    assert turn_down.reason == "重复"
    assert points_of(hood.member) == 2
    response = client.get(url)
    assert (response.context["total_hours"], response.context["total_points"]) == ("2", 2)
    assert f'<tr data-record="{confirm_me.pk}">' in body(response)
    # A member does not open the team's desk page; the staff of C2 do not see the team.
    client.force_login(hood.member)
    assert client.get(url).status_code == 403
    client.force_login(hood.city.users["community_staff_2"])
    record = submitted(hood)
    response = client.post(url, {"action": "decide", "record": record.pk, "decision": "confirm"})
    assert response.status_code == 404


def test_the_services_page(hood, client):
    own = submitted(hood, person=hood.leader)
    theirs = submitted(hood)
    url = reverse("activities:desk_services")
    client.force_login(hood.leader)
    page = body(client.get(url))
    # A leader decides on the others' service, not on their own.
    assert f'data-record="{theirs.pk}"' in page and f'data-record="{own.pk}"' not in page
    response = client.post(url, {"action": "decide", "record": own.pk, "decision": "confirm"})
    assert response.status_code == 200 and 'data-testid="decide-errors"' in body(response)
    client.force_login(hood.staff)
    page = body(client.get(url))
    assert f'data-record="{own.pk}"' in page
    response = client.post(url, {"action": "decide", "record": own.pk, "decision": "confirm"})
    assert response.status_code == 302
    assert points_of(hood.leader) == 1
    client.force_login(hood.city.users["community_staff_2"])
    assert f'data-record="{theirs.pk}"' not in body(client.get(url))
    response = client.post(url, {"action": "decide", "record": theirs.pk, "decision": "confirm"})
    assert 'data-testid="decide-errors"' in body(response)
    theirs.refresh_from_db()
    assert theirs.status == ServiceStatus.SUBMITTED


# --- The talent pool ----------------------------------------------------------------------------


def test_talent_search_and_invite(hood, english):
    client = english
    city = hood.city
    fixer = talents.set_talent(user=hood.leader, skill="repairs", note="修水管、换灯泡")
    lawyer = talents.set_talent(user=hood.member, skill="legal", note="合同咨询")
    far = talents.set_talent(user=city.users["owner_2"], skill="repairs", note="木工")
    url = reverse("activities:desk_talents")
    client.force_login(hood.staff)
    page = body(client.get(url))
    assert f'data-talent="{fixer.pk}"' in page and f'data-talent="{lawyer.pk}"' in page
    assert f'data-talent="{far.pk}"' not in page
    page = body(client.get(url, {"skill": "repairs"}))
    assert f'data-talent="{fixer.pk}"' in page and f'data-talent="{lawyer.pk}"' not in page
    page = body(client.get(url, {"text": "合同"}))
    assert f'data-talent="{lawyer.pk}"' in page and f'data-talent="{fixer.pk}"' not in page
    page = body(client.get(url, {"place": city.places["B2"].pk}))
    assert 'data-talent="' not in page
    response = client.get(url, {"place": city.places["B3"].pk})
    assert 'data-field="place"' in body(response)
    # A building is taken though the selector lists the levels above buildings only.
    choices = [c[0] for c in response.context["search"].fields["place"].choices]
    assert city.places["E1"].pk in choices and city.places["B1"].pk not in choices
    page = body(client.get(url, {"place": city.places["B1"].pk}))
    assert f'data-talent="{fixer.pk}"' in page and 'data-field="place"' not in page

    response = client.post(url, {"talent": fixer.pk, "message": "请来帮忙"})
    assert response.status_code == 200 and 'data-field="project"' in body(response)
    response = client.post(url, {"talent": fixer.pk, "message": "", "project": "加装电梯"})
    assert 'data-field="message"' in body(response)
    response = client.post(
        url, {"talent": fixer.pk, "message": "请来帮忙", "activity": hood.party.pk}
    )
    assert response.status_code == 302
    response = client.post(url, {"talent": lawyer.pk, "message": "请审合同", "project": "加装电梯"})
    assert response.status_code == 302
    assert Invitation.objects.filter(sent_by=hood.staff).count() == 2
    invitation = Invitation.objects.get(talent=fixer)
    assert invitation.activity == hood.party
    talents.answer(user=hood.leader, invitation_id=invitation.pk, accept=True)
    page = body(client.get(url))
    assert f'data-invitation="{invitation.pk}" data-status="accepted"' in page
    # A talent of C2 is no talent of C1's staff.
    response = client.post(url, {"talent": far.pk, "message": "x", "project": "y"})
    assert response.status_code == 200 and 'data-testid="invite-errors"' in body(response)
    assert not Invitation.objects.filter(talent=far).exists()


# --- The month's figures ------------------------------------------------------------------------


def test_figures_page_and_xlsx(hood, client, monkeypatch):
    city = hood.city
    started(hood.party)
    acts.check_in(user=hood.member, code=hood.party.check_in_code)
    acts.check_in(user=hood.leader, code=hood.party.check_in_code)
    month = timezone.localdate().strftime("%Y-%m")
    client.force_login(hood.staff)
    url = reverse("activities:desk_figures")
    response = client.get(url, {"month": month})
    assert response.status_code == 200
    rows = {r["place"].name: r for r in response.context["rows"]}
    assert (rows["B1"]["activities"], rows["B1"]["person_times"]) == (1, 2)
    assert rows["B2"]["activities"] == 0
    page = body(response)
    b2 = page.split(f'data-place="{city.places["B2"].pk}"')[1].split("</tr>")[0]
    assert 'data-testid="no-activity"' in b2
    assert 'data-testid="total-person-times">2<' in page
    # Another month: nothing held.
    response = client.get(url, {"month": "2001-01"})
    assert response.context["figures"]["activities"] == 0

    # Any place of the scope is taken, though the selector lists the levels above buildings.
    choices = [c[0] for c in response.context["form"].fields["place"].choices]
    assert city.places["C1"].pk in choices and city.places["B1"].pk not in choices
    response = client.get(url, {"month": month, "place": city.places["B1"].pk})
    assert response.context["place"] == city.places["B1"]
    assert [r["place"] for r in response.context["rows"]] == [city.places["B1"]]
    response = client.get(url, {"month": month, "place": city.places["B3"].pk})
    assert response.context["figures"] is None and 'data-field="place"' in body(response)
    response = client.get(url, {"month": month, "place": city.places["U1"].pk})
    assert 'data-field="place"' in body(response)  # a unit holds no building
    # A page of buildings at a time.
    from linju.activities import views_desk

    monkeypatch.setattr(views_desk, "FIGURE_ROWS", 1)
    response = client.get(url, {"month": month, "page": 2})
    assert [r["place"].name for r in response.context["rows"]] == ["B2"]
    assert 'rel="prev"' in body(response)

    response = client.get(reverse("activities:desk_figures_xlsx"), {"month": month})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Cache-Control"] == "private, no-store"
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = [[c for c in row] for row in book.active.iter_rows(values_only=True)]
    b1 = next(row for row in cells if row[0] and str(row[0]).endswith("B1"))
    assert tuple(b1[1:3]) == (1, 2)
    b2 = next(row for row in cells if row[0] and str(row[0]).endswith("B2"))
    assert b2[1] == 0 and b2[3]  # the workbook holds every building, whatever the page
