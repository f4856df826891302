"""The back office of last resort: every activities model opens in the admin for a superuser;
what the points and hours ledgers depend on (a service record's status and points, a sign-up's
status, confirmation and points, an activity's count of places) stays as the services left it
whatever is posted; confirmed records, sign-ups holding a place and activities with confirmed
sign-ups are not deleted here; sign-ups and service records are not added here."""

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from linju.activities import demo
from linju.activities import services_activities as acts
from linju.activities import services_talents as talents
from linju.activities import services_teams as teams
from linju.activities.admin import CONFIRMED_HELP
from linju.activities.models import (
    Activity,
    ActivityPhoto,
    GroupMember,
    InterestGroup,
    Invitation,
    ServiceRecord,
    ServiceStatus,
    SignUp,
    SignUpStatus,
    Talent,
    Team,
    TeamMember,
)
from linju.core.testing import log_in_to_admin
from linju.people.models import User
from linju.points.models import Account

from .conftest import started

pytestmark = pytest.mark.django_db

MODELS = [
    Team,
    TeamMember,
    ServiceRecord,
    InterestGroup,
    GroupMember,
    Activity,
    SignUp,
    ActivityPhoto,
    Talent,
    Invitation,
]


@pytest.fixture
def superuser(client):
    user = User.objects.create_superuser(mobile="13800009999", password="x-admin-pass-1")
    log_in_to_admin(client, user)
    return user


@pytest.fixture
def records(hood, settings, tmp_path):
    """One of every record: a confirmed and a waiting service, a group with a member, the party
    with a confirmed sign-up, a place taken and a wait list, a photo, a talent invited."""
    settings.MEDIA_ROOT = tmp_path / "media"
    city, staff, member = hood.city, hood.staff, hood.member
    confirmed = teams.submit_service(
        user=member,
        team_id=hood.patrol.pk,
        served_on=timezone.localdate(),
        minutes=120,
        what="夜间巡逻",
    )
    teams.decide_service(user=hood.leader, record_id=confirmed.pk, confirm=True)
    waiting = teams.submit_service(
        user=member, team_id=hood.patrol.pk, served_on=timezone.localdate(), minutes=60, what="巡查"
    )
    group = teams.create_group(
        user=staff, place_id=city.places["C1"].pk, name="合唱团", leader_id=member.pk
    )
    teams.join_group(user=city.users["owner"], group_id=group.pk)
    came = acts.sign_up(user=member, activity_id=hood.party.pk)
    place = acts.sign_up(user=city.users["owner"], activity_id=hood.party.pk)
    # The building head holds a staff role over B1: they may take part (here: wait).
    wait = acts.sign_up(user=city.users["building_head"], activity_id=hood.party.pk)
    started(hood.party)
    acts.check_in(user=member, code=hood.party.check_in_code)
    acts.confirm_attendance(user=staff, activity_id=hood.party.pk, sign_up_ids=[came.pk])
    acts.add_photos(
        user=staff, activity_id=hood.party.pk, photos=[demo.photo("crafts")], caption="包饺子"
    )
    talent = talents.set_talent(user=member, skill="repairs", note="修水管", visibility="staff")
    talents.invite(user=staff, talent_id=talent.pk, project="楼道照明改造", message="请帮忙看看")
    came.refresh_from_db()
    confirmed.refresh_from_db()
    return hood, confirmed, waiting, came, place, wait


def name(model, view):
    return f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"


def test_every_model_has_a_changelist_and_a_change_page(client, superuser, records):
    for model in MODELS:
        assert admin.site.is_registered(model), model
        assert client.get(reverse(name(model, "changelist"))).status_code == 200, model
        obj = model.objects.order_by("pk").first()
        page = client.get(reverse(name(model, "change"), args=[obj.pk]))
        assert page.status_code == 200, model
    # Teams, groups, activities and talents can be repaired, even added, here.
    for model in (Team, InterestGroup, Activity, Talent):
        assert client.get(reverse(name(model, "add"))).status_code == 200, model
    # Sign-ups and service records come through the services only.
    for model in (SignUp, ServiceRecord):
        assert client.get(reverse(name(model, "add"))).status_code == 403, model


def test_a_confirmed_service_record_keeps_what_the_ledger_was_credited_from(
    client, superuser, records
):
    hood, confirmed, *_rest = records
    change = reverse(name(ServiceRecord, "change"), args=[confirmed.pk])
    page = client.get(change).content.decode()
    assert escape(str(CONFIRMED_HELP)) in page
    answer = client.post(
        change,
        {
            "what": "夜间巡逻（东区）",
            "reason": "",
            "status": ServiceStatus.REJECTED,
            "points": "99",
            "minutes": "720",
            "served_on": "2020-01-01",
            "user": str(hood.leader.pk),
        },
    )
    assert answer.status_code == 302
    confirmed.refresh_from_db()
    assert confirmed.what == "夜间巡逻（东区）"  # the description may be repaired
    assert (confirmed.status, confirmed.points, confirmed.minutes) == (
        ServiceStatus.CONFIRMED,
        2,
        120,
    )
    assert confirmed.user_id == hood.member.pk
    assert confirmed.served_on == timezone.localdate()
    account = Account.objects.get(user=hood.member)
    assert (account.points, account.minutes) == (3, 120)  # 2 for the service, 1 for the party


def test_a_confirmed_sign_up_is_read_only_and_stays(client, superuser, records):
    hood, _confirmed, _waiting, came, place, _wait = records
    change = reverse(name(SignUp, "change"), args=[came.pk])
    assert escape(str(CONFIRMED_HELP)) in client.get(change).content.decode()
    before = SignUp.objects.filter(pk=came.pk).values().get()
    answer = client.post(
        change,
        {"status": SignUpStatus.CANCELLED, "points": "50", "confirmed_at": "", "user": "1"},
    )
    assert answer.status_code in (200, 302)
    assert SignUp.objects.filter(pk=came.pk).values().get() == before
    # Never deleted: not confirmed ones, not one holding a place, not the activity holding them.
    for model, pk in ((SignUp, came.pk), (SignUp, place.pk), (Activity, hood.party.pk)):
        assert (
            client.post(reverse(name(model, "delete"), args=[pk]), {"post": "yes"}).status_code
            == 403
        )
    assert SignUp.objects.filter(pk__in=[came.pk, place.pk]).count() == 2
    hood.party.refresh_from_db()
    assert hood.party.signed == 2


def test_bulk_delete_is_not_offered_where_it_would_skip_the_checks(client, superuser, records):
    hood, confirmed, *_rest = records
    for model, pk in (
        (ServiceRecord, confirmed.pk),
        (SignUp, records[3].pk),
        (Activity, hood.party.pk),
    ):
        page = client.get(reverse(name(model, "changelist"))).content.decode()
        assert "delete_selected" not in page, model
        client.post(
            reverse(name(model, "changelist")),
            {"action": "delete_selected", "_selected_action": [pk], "post": "yes"},
        )
        assert model.objects.filter(pk=pk).exists(), model


def test_a_confirmed_record_is_not_deleted_but_a_waiting_one_may_be(client, superuser, records):
    _hood, confirmed, waiting, _came, _place, wait = records
    delete = reverse(name(ServiceRecord, "delete"), args=[confirmed.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert ServiceRecord.objects.filter(pk=confirmed.pk).exists()
    delete = reverse(name(ServiceRecord, "delete"), args=[waiting.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not ServiceRecord.objects.filter(pk=waiting.pk).exists()
    # A place on the wait list holds no place: it may go.
    assert wait.status == SignUpStatus.WAITING
    assert (
        client.post(reverse(name(SignUp, "delete"), args=[wait.pk]), {"post": "yes"}).status_code
        == 302
    )


def test_the_count_of_places_is_read_only(client, superuser, records):
    hood = records[0]
    page = client.get(reverse(name(Activity, "change"), args=[hood.party.pk])).content.decode()
    assert 'name="signed"' not in page
    assert 'name="check_in_code"' not in page
