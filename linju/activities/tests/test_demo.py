"""The demo teams, activities, groups and talents (linju.activities.demo), loaded by the whole
`load_demo` command on the people demo at a small scale, after the points demo: three teams
with leaders, members and service confirmed, turned down and waiting; the interest groups;
activities of the building groups over the last three months and the next, attended,
checked in and confirmed; a full one with its wait list; talents shown to neighbours or to the
staff, and invitations. Every credit is in the ledgers once, every balance is what its entries
add up to in the order a person's history shows them; a second run changes nothing."""

import io
from datetime import timedelta

from django.core.management import call_command
from django.db.models import F, Sum
from django.utils import timezone

from linju.activities import demo, queries
from linju.activities.models import (
    Activity,
    ActivityKind,
    ActivityPhoto,
    GroupMember,
    InterestGroup,
    Invitation,
    InvitationStatus,
    MemberRole,
    ServiceRecord,
    ServiceStatus,
    SignUp,
    SignUpStatus,
    Talent,
    Team,
    TeamMember,
    Visibility,
)
from linju.people import demo as people_demo
from linju.people.roles import Role
from linju.points import demo as points_demo
from linju.points.models import Account, HoursEntry, PointsEntry

SMALL = 0.05  # one building per estate, as the people demo's tests use
MODELS = (
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
    PointsEntry,
    HoursEntry,
)


def assert_ledgers_add_up():
    """Each account is the sum of its entries, and each entry's "after" figure is the running
    sum in the order a person's history shows them; nothing is dated in the future."""
    now = timezone.now()
    for account in Account.objects.all():
        running = 0
        for e in PointsEntry.objects.filter(user=account.user).order_by("created_at", "id"):
            running += e.amount
            assert e.balance == running, e
            assert e.created_at <= now
        assert account.points == running
        total = 0
        for e in HoursEntry.objects.filter(user=account.user).order_by("served_on", "id"):
            total += e.minutes
            assert e.total == total, e
        assert account.minutes == total


def load_people_points_activities() -> dict:
    """The people demo, the points demo (whose ledgers come first) and this one: the other
    demos are left out to keep the test quick (the points demo's test runs them all)."""
    people_demo.load_demo(scale=SMALL)
    points_demo.load_demo()
    return demo.load_demo()


def test_nothing_without_the_demo_community(db):
    assert demo.load_demo() is None
    assert not Activity.objects.exists()


def test_the_load_demo_command_loads_it_after_the_points_demo(db, monkeypatch):
    """The command's wiring (the whole chain runs in the points demo's test): the people demo
    stubbed as loaded before, the other demos find no community and add nothing."""
    calls = []

    def points():
        calls.append("points")

    def activities():
        calls.append("activities")
        return {"activities": 3}

    monkeypatch.setattr(people_demo, "load_demo", lambda **kwargs: None)
    monkeypatch.setattr(points_demo, "load_demo", points)
    monkeypatch.setattr(demo, "load_demo", activities)
    out = io.StringIO()
    call_command("load_demo", verbosity=0, stdout=out, stderr=io.StringIO())
    assert calls == ["points", "activities"]
    assert "added 3 activities" in out.getvalue()


def test_the_demo_loads_once_and_tells_its_story(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    made = load_people_points_activities()
    assert made["activities"] == Activity.objects.count()
    assert made["team_service_records"] == ServiceRecord.objects.count()
    assert made["talents"] == Talent.objects.count()
    counts = {m: m.objects.count() for m in MODELS}
    assert demo.load_demo() is None
    assert {m: m.objects.count() for m in MODELS} == counts
    assert_ledgers_add_up()
    now, today = timezone.now(), timezone.localdate()
    demo_user = {
        role: people_demo.DEMO_MOBILE[role]
        for role in (Role.RESIDENT, Role.OWNER, Role.PARTY_LIAISON)
    }

    # 志愿服务队伍: three teams with leaders (the demo party liaison, the demo owner).
    assert set(Team.objects.values_list("name", flat=True)) == {
        "文明劝导队",
        "环境保护队",
        "平安巡逻队",
    }
    leaders = TeamMember.objects.filter(role=MemberRole.LEADER)
    assert leaders.filter(
        team__name="文明劝导队", user__mobile=demo_user[Role.PARTY_LIAISON]
    ).exists()
    assert leaders.filter(team__name="平安巡逻队", user__mobile=demo_user[Role.OWNER]).exists()
    for team in Team.objects.all():
        assert team.members.filter(role=MemberRole.MEMBER).count() >= 4, team
    assert TeamMember.objects.filter(
        team__name="环境保护队", user__mobile=demo_user[Role.RESIDENT]
    ).exists()
    # Their service over three months: confirmed (never by the one who served), one turned
    # down with its reason, the last days' and one forgotten still waiting.
    records = ServiceRecord.objects.all()
    statuses = set(records.values_list("status", flat=True))
    assert statuses == {s.value for s in ServiceStatus}
    confirmed = records.filter(status=ServiceStatus.CONFIRMED)
    assert confirmed.count() >= 60
    assert not confirmed.filter(decided_by=F("user")).exists()
    assert records.filter(status=ServiceStatus.REJECTED).exclude(reason="").exists()
    first = records.order_by("served_on").first().served_on
    assert today - timedelta(weeks=14) <= first <= today - timedelta(weeks=12)
    waiting = records.filter(status=ServiceStatus.SUBMITTED)
    assert waiting.filter(submitted_at__lte=now - timedelta(days=3)).exists()  # the sweep's
    assert waiting.filter(submitted_at__gte=now - timedelta(days=3)).exists()
    for record in confirmed:
        points = PointsEntry.objects.get(key=f"team-service:{record.pk}")
        hours = HoursEntry.objects.get(key=f"team-service:{record.pk}")
        assert (points.user_id, points.amount) == (record.user_id, record.points), record
        assert (hours.minutes, hours.served_on) == (record.minutes, record.served_on)
    assert not PointsEntry.objects.filter(
        key__in=[f"team-service:{pk}" for pk in waiting.values_list("pk", flat=True)]
    ).exists()

    # 兴趣导向: the three groups with a leader and members.
    for name in ("合唱团", "书法社", "广场舞队"):
        group = InterestGroup.objects.get(name=name)
        assert group.members.filter(role=MemberRole.LEADER).count() == 1
        assert group.members.count() >= 8

    # 月月有活动: activities of every kind, over the last three months and the next.
    kinds = set(Activity.objects.values_list("kind", flat=True))
    assert {
        ActivityKind.FESTIVAL,
        ActivityKind.PARENT_CHILD,
        ActivityKind.CULTURE,
        ActivityKind.VOLUNTEER,
        ActivityKind.TRAINING,
    } <= kinds
    assert Activity.objects.filter(title="楼道清洁日").exists()
    assert Activity.objects.filter(title__contains="防").exists()
    assert Activity.objects.filter(starts_at__lt=now - timedelta(days=75)).exists()
    assert Activity.objects.filter(starts_at__gt=now + timedelta(days=7)).exists()
    assert not Activity.objects.filter(starts_at__gt=now + timedelta(days=32)).exists()
    past = Activity.objects.filter(starts_at__lt=now)
    for a in past:
        assert a.created_at < a.starts_at, a  # announced before, not at loading
        assert a.sign_ups.filter(status=SignUpStatus.SIGNED).count() == a.signed, a
    # Past: those who came checked in; the organisers confirmed them, except the last days'.
    came = SignUp.objects.filter(activity__in=past, checked_in_at__isnull=False)
    assert came.exists()
    assert came.filter(confirmed_at__isnull=True).exists()
    late = came.filter(confirmed_at__isnull=True, activity__starts_at__lt=now - timedelta(days=5))
    assert not late.exists()
    for s in came.filter(confirmed_at__isnull=False).select_related("activity"):
        assert s.checked_in_at >= s.activity.starts_at - timedelta(hours=1), s
        assert s.confirmed_by_id == s.activity.organiser_id != s.user_id
        entry = PointsEntry.objects.get(key=f"activity:{s.pk}")
        assert (entry.user_id, entry.amount) == (s.user_id, s.points)
        if s.activity.service_minutes:
            hours = HoursEntry.objects.get(key=f"activity:{s.pk}")
            assert hours.served_on == timezone.localdate(s.activity.starts_at)
    assert HoursEntry.objects.filter(key__startswith="activity:").exists()
    assert ActivityPhoto.objects.count() >= 2
    # The figures leaders report: the demo building group had activities each past month.
    home = Activity.objects.filter(title="亲子手工：风筝制作").get()
    community = Team.objects.first().place
    month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)  # last month
    figures = queries.monthly_figures(place=community, year=month.year, month=month.month)
    by_path = {r["place"].path: r for r in figures["buildings"]}
    assert by_path[home.path]["activities"] >= 1
    assert by_path[home.path]["person_times"] >= 5
    assert figures["buildings_with_activity"] >= 2

    # The full one: ten places taken, one given back, the wait list moved up, the demo resident
    # waits last.
    assert (home.capacity, home.signed) == (10, 10)
    assert home.sign_ups.filter(status=SignUpStatus.CANCELLED).count() == 1
    queue = list(
        home.sign_ups.filter(status=SignUpStatus.WAITING)
        .order_by("signed_at", "id")
        .values_list("user__mobile", flat=True)
    )
    assert len(queue) == 3 and queue[-1] == demo_user[Role.RESIDENT]
    assert SignUp.objects.filter(
        user__mobile=demo_user[Role.RESIDENT],
        status=SignUpStatus.SIGNED,
        activity__starts_at__gt=now,
    ).exists()

    # 楼组达人库: repairs, legal advice, calligraphy, health care, shown either way.
    skills = set(Talent.objects.values_list("skill", flat=True))
    assert {"repairs", "legal", "calligraphy", "health"} <= skills
    assert set(Talent.objects.values_list("visibility", flat=True)) == set(Visibility.values)
    assert set(Invitation.objects.values_list("status", flat=True)) == set(InvitationStatus.values)
    assert Invitation.objects.filter(
        talent__user__mobile=demo_user[Role.RESIDENT], status=InvitationStatus.SENT
    ).exists()

    # The ledgers agree with the records they were credited from.
    for account in Account.objects.filter(user__activity_sign_ups__isnull=False).distinct():
        total = PointsEntry.objects.filter(user=account.user).aggregate(n=Sum("amount"))["n"]
        assert account.points == total
