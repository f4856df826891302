"""The demo deliberation (linju.deliberation.demo) on the people demo at a small scale: topics in
every state, representatives, meetings, ballots with their arithmetic, times in the past, what
the demo logins see, and a second run that changes nothing."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from linju.core.models import AuditEvent, Notification
from linju.deliberation import demo
from linju.deliberation import queries_topics as queries
from linju.deliberation import services_ballots as ballots
from linju.deliberation.models import (
    Ballot,
    BallotStatus,
    Decision,
    Elector,
    Electorate,
    ElectorMember,
    Evaluation,
    Invitee,
    Meeting,
    MeetingStatus,
    Publication,
    Representative,
    Rule,
    StageCompletion,
    Task,
    TaskStatus,
    Topic,
    TopicStatus,
    TopicSupport,
    Vote,
    VoteMethod,
)
from linju.people import demo as people_demo
from linju.people.models import OWNER_RELATIONS, Residency, ResidencyStatus, User
from linju.places.models import Household

pytestmark = pytest.mark.django_db

SMALL = 0.05  # one building per estate, as the people demo's tests use
MODELS = [
    Topic,
    TopicSupport,
    StageCompletion,
    Decision,
    Task,
    Evaluation,
    Publication,
    Meeting,
    Invitee,
    Ballot,
    Elector,
    Vote,
    Representative,
    AuditEvent,
    Notification,
]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def loaded(media):
    assert demo.load_demo() is None  # no demo community yet: nothing to do
    people_demo.load_demo(scale=SMALL)
    return demo.load_demo()


def login(role):
    return User.objects.get(mobile=people_demo.DEMO_MOBILE[role])


def counts():
    return {m.__name__: m.objects.count() for m in MODELS}


def topic(title_part) -> Topic:
    return Topic.objects.get(title__contains=title_part)


def test_what_the_demo_contains(loaded):
    """One load, three looks (the load is the slow part)."""
    check_topics(loaded)
    check_representatives_meetings_and_times(loaded)
    check_ballots_and_their_arithmetic(loaded)


def check_topics(loaded):
    """Topics near the demo owner in every state, each with its record."""
    assert loaded["topics"] == Topic.objects.count() == 9
    assert set(Topic.objects.values_list("status", flat=True)) == set(TopicStatus.values)
    owner = login("owner")
    near = set(queries.topics_near_me(owner, status="all").values_list("pk", flat=True))
    assert near == set(Topic.objects.values_list("pk", flat=True))

    lift = topic("加装电梯")
    assert lift.status == TopicStatus.PROPOSED and lift.place.kind == "unit"
    assert 1 <= lift.support_count < lift.support_needed
    assert owner.residencies.filter(household__unit=lift.place).exists()
    charging = topic("充电桩")
    assert charging.status == TopicStatus.AGENDA
    assert charging.support_count >= charging.support_needed
    declined = topic("停车场")
    assert declined.status == TopicStatus.DECLINED and "公共绿地" in declined.decline_reason
    assert topic("广场舞").status == TopicStatus.WITHDRAWN

    # 四议两公开: the first four stages done, the representatives' closed ballot used.
    canteen = topic("长者食堂")
    assert canteen.status == TopicStatus.DELIBERATING and canteen.source == "party"
    assert canteen.procedure.code == "four_two"
    assert canteen.current_stage.code == "publish_decision"
    done = list(canteen.completions.order_by("stage__order").select_related("stage", "ballot"))
    assert [c.stage.code for c in done] == [
        "branch_proposes",
        "committees_discuss",
        "members_review",
        "representatives_resolve",
    ]
    assert [c.completed_at for c in done] == sorted(c.completed_at for c in done)
    reps_ballot = done[3].ballot
    assert reps_ballot.electorate == Electorate.REPRESENTATIVES
    assert reps_ballot.status == BallotStatus.CLOSED and reps_ballot.passed
    assert done[2].ballot.electorate == Electorate.PARTY_MEMBERS and done[2].ballot.passed
    assert canteen.decisions.filter(meeting=done[3].meeting).exists()

    # 议事会议事: meeting, decision, tasks (one done, one overdue and flagged), result, ratings.
    fitness = topic("健身器材")
    assert fitness.status == TopicStatus.EVALUATING and fitness.procedure.code == "meeting"
    assert fitness.current_stage.code == "supervise"
    assert fitness.decisions.filter(meeting__kind__code="yishihui").exists()
    tasks = {t.status: t for t in fitness.tasks.all()}
    assert set(tasks) == {TaskStatus.DONE, TaskStatus.OPEN}
    overdue = tasks[TaskStatus.OPEN]
    assert overdue.due_on < timezone.localdate() and overdue.overdue_flagged_at is not None
    assert AuditEvent.objects.filter(verb="deliberation.task_overdue", object_id=str(overdue.pk))
    assert fitness.result and fitness.publications.filter(kind=Publication.Kind.RESULT).exists()
    assert fitness.rating_count == Evaluation.objects.filter(topic=fitness).count() == 5
    assert fitness.evaluation_closes_at == fitness.result_at + timedelta(days=14)
    assert not fitness.evaluations.filter(user__mobile__in=people_demo.DEMO_NUMBERS).exists()

    parcels = topic("快递柜")
    assert parcels.status == TopicStatus.CLOSED and parcels.procedure.code == "four_step"
    assert parcels.evaluation_closed_at and parcels.rating_count == 4
    assert not parcels.tasks.exclude(status=TaskStatus.DONE).exists()


def check_representatives_meetings_and_times(loaded):
    owner = login("owner")
    community = owner.residencies.get().household.unit.parent.parent.parent
    reps = Representative.objects.filter(community=community, until__isnull=True)
    assert reps.count() == loaded["representatives"] == demo.REPRESENTATIVES
    for rep in reps:  # verified residents of the community
        assert Residency.objects.filter(
            user=rep.user,
            status=ResidencyStatus.VERIFIED,
            household__path__startswith=community.path,
        ).exists()

    now = timezone.now()
    council = Meeting.objects.get(kind__code="yishihui", status=MeetingStatus.NOTICED)
    assert council.starts_at > now and council.notice_sent_at < now
    assert council.invitees.filter(user=owner).exists()
    assert council.agenda.filter(topic=topic("充电桩")).exists()
    assembly = Meeting.objects.get(kind__code="owners_assembly")
    assert assembly.status == MeetingStatus.NOTICED
    assert assembly.starts_at - assembly.notice_sent_at >= timedelta(days=15)
    owners = Residency.objects.filter(
        status=ResidencyStatus.VERIFIED,
        relation__in=OWNER_RELATIONS,
        household__path__startswith=assembly.path,
    )
    assert assembly.invitees.count() == owners.values("user").distinct().count()
    building = Meeting.objects.get(kind__code="loudonghui")
    assert building.status == MeetingStatus.HELD and building.minutes
    assert building.decisions.count() == 1
    assert building.invitees.filter(checked_in_at__isnull=False).count() >= 5
    assert building.invitees.filter(user=owner, checked_in_at__isnull=False).exists()
    assert building.invitees.filter(checked_in_by=login("building_head")).exists()
    assert Meeting.objects.filter(status=MeetingStatus.HELD).count() == 5

    # Every held meeting lies in the past, in order: created, noticed, started, held.
    for m in Meeting.objects.all():
        assert m.created_at <= m.notice_sent_at
        if m.status == MeetingStatus.HELD:
            assert m.notice_sent_at < m.starts_at <= m.held_at < now
            checked = m.invitees.exclude(checked_in_at=None).values_list("checked_in_at", flat=True)
            assert all(m.starts_at - timedelta(hours=2) <= t <= m.held_at for t in checked)
    assert not Topic.objects.filter(created_at__gt=now).exists()
    assert not Vote.objects.filter(cast_at__gt=now).exists()
    assert not Publication.objects.filter(published_at__gt=now).exists()


def check_ballots_and_their_arithmetic(loaded):
    assert loaded["ballots"] == Ballot.objects.count() == 4
    assert loaded["votes"] == Vote.objects.count()

    renewal = Ballot.objects.get(rule=Rule.ORDINARY)
    assert renewal.status == BallotStatus.OPEN and renewal.closes_at > timezone.now()
    assert renewal.electorate == Electorate.OWNERS and renewal.place.kind == "estate"
    votes = renewal.votes
    online = votes.filter(method=VoteMethod.ONLINE).count()
    assert online >= renewal.electorate_heads // 3
    proxy = votes.get(method=VoteMethod.PROXY)
    assert proxy.authorisation and proxy.proxy_name and proxy.confirmed_at
    paper = votes.get(method=VoteMethod.PAPER)
    assert paper.scan and paper.confirmed_at is None  # waiting for a second staff member
    assert paper.cast_by == login("community_staff")
    # The demo logins have not voted: the vote is theirs to cast.
    demo_electors = ElectorMember.objects.filter(
        ballot=renewal, user__mobile__in=people_demo.DEMO_NUMBERS
    ).values("elector_id")
    assert demo_electors.exists() and not votes.filter(elector_id__in=demo_electors).exists()
    # The developer's unsold flats count once together, with their areas summed.
    held = Household.objects.filter(path__startswith=renewal.path, developer_held=True)
    developer = Elector.objects.filter(ballot=renewal, key="developer")
    assert developer.count() == (1 if held.exists() else 0)
    if held.exists():
        assert developer.get().area == sum(h.area for h in held)
    result = ballots.evaluate(renewal)
    t = result.totals
    assert t.participating_heads == votes.exclude(confirmed_at=None).count() == online + 1
    assert t.electorate_heads == renewal.electorate_heads == renewal.electors.count()

    # The published elevator retrofit: its arithmetic is the votes' and the electorate's.
    lift = Ballot.objects.get(rule=Rule.ELEVATOR)
    assert lift.status == BallotStatus.PUBLISHED and lift.passed is True
    assert lift.place.kind == "unit"
    affected = lift.electors.filter(affected=True)
    assert affected.exists()
    approve = lift.options.get(approves=True)
    assert Vote.objects.filter(elector__in=affected, option=approve).count() == affected.count()
    counted = lift.votes.exclude(confirmed_at=None).select_related("elector")
    data = lift.result
    assert data["participating_heads"] == counted.count()
    approving = [v for v in counted if v.option_id == approve.pk]
    participating_area = sum((v.elector.area for v in counted), Decimal(0))
    assert Decimal(data["participating_area"]) == participating_area
    lines = {x["measure"]: x for x in data["lines"]}
    assert Decimal(lines["approving_area"]["numerator"]) == sum(
        (v.elector.area for v in approving), Decimal(0)
    )
    assert lines["participating_heads"]["denominator"] in (
        lift.electorate_heads,
        str(lift.electorate_heads),
    )
    assert all(x["ok"] for x in data["lines"])
    assert sum((e.area for e in lift.electors.all()), Decimal(0)) == lift.electorate_area
    text = lift.publications.get().body
    assert f"{counted.count()} / {lift.electorate_heads}" in text
    assert f"{len(approving)} / {counted.count()}" in text
    assert f"{affected.count()} / {affected.count()}" in text

    party = Ballot.objects.get(electorate=Electorate.PARTY_MEMBERS)
    assert party.status == BallotStatus.CLOSED and party.passed
    line = next(x for x in party.result["lines"] if x["measure"] == "approving_heads")
    assert line["of"] == "electorate"  # more than half of the members due, not of those present


def test_the_demo_logins_see_it_and_a_second_run_changes_nothing(loaded, client):
    before = counts()
    times = sorted(Vote.objects.values_list("pk", "cast_at"))
    assert demo.is_loaded() and demo.load_demo() is None
    assert counts() == before
    assert sorted(Vote.objects.values_list("pk", "cast_at")) == times

    owner = login("owner")
    client.force_login(owner)
    page = client.get(reverse("deliberation:home")).content.decode()
    assert "加装电梯" in page and "充电桩" in page
    renewal = Ballot.objects.get(rule=Rule.ORDINARY)
    page = client.get(reverse("deliberation:ballot", args=[renewal.pk])).content.decode()
    assert 'data-testid="vote-form"' in page
    page = client.get(reverse("deliberation:my_meetings")).content.decode()
    assert "充电桩选址" in page and "业主大会" in page

    client.force_login(login("owners_committee"))  # confirms the paper ballot another entered
    paper = renewal.votes.get(method=VoteMethod.PAPER)
    page = client.get(reverse("deliberation:desk_ballot", args=[renewal.pk])).content.decode()
    assert f'name="confirm-vote" value="{paper.pk}"' in page

    client.force_login(login("community_staff"))
    page = client.get(reverse("deliberation:tasks")).content.decode()
    assert "在器材区铺设防滑地垫" in page


def test_the_command_loads_it_once(media):
    out = StringIO()
    call_command("load_demo", scale=SMALL, stdout=out, stderr=StringIO(), verbosity=0)
    assert "9 topics" in out.getvalue() and "4 ballots" in out.getvalue()
    before = counts()
    out = StringIO()
    call_command("load_demo", scale=SMALL, stdout=out, stderr=StringIO(), verbosity=0)
    assert "nothing changed" in out.getvalue()
    assert counts() == before
