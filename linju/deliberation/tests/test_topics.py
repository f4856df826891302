"""Topics (seeds 000–002): proposing in a scope, the support threshold frozen at proposal (rule
inheritance, households against percent, the boundaries), one support per household, the
agenda on reaching it, withdrawing, declining, putting on the agenda and starting a procedure,
each refused to the roles that may not."""

from datetime import timedelta

import pytest
from django.utils import timezone

from linju.core.errors import Conflict, Forbidden, Invalid
from linju.core.models import AuditEvent, Notification
from linju.deliberation import services_topics as services
from linju.deliberation.models import (
    AgendaItem,
    Ballot,
    Meeting,
    MeetingKind,
    Stage,
    SupportRule,
    Topic,
    TopicStatus,
    TopicSupport,
)
from linju.people.models import Relation, Residency, ResidencyStatus, User
from linju.places.models import Household

pytestmark = pytest.mark.django_db


# --- Helpers shared by the other test modules ----------------------------------------------------


def propose(city, key="owner", place="U1", **kw):
    kw.setdefault("title", "楼道灯坏了")
    kw.setdefault("body", "一单元楼道灯坏了一个月，晚上看不见。")
    return services.propose_topic(user=city.users[key], place_id=city.places[place].pk, **kw)


def staff_topic(city, place="C1", key="community_staff", **kw):
    kw.setdefault("source", "staff")
    return propose(city, key, place, **kw)


def on_agenda(city, place="C1", key="community_staff"):
    topic = staff_topic(city, place, key)
    return services.put_on_agenda(user=city.users[key], topic=topic)


def started(city, procedure, place="C1", key="community_staff"):
    topic = on_agenda(city, place, key)
    return services.start_procedure(user=city.users[key], topic=topic, procedure=procedure)


def fresh(topic) -> Topic:
    return Topic.objects.select_related("current_stage").get(pk=topic.pk)


def stage(procedure, code) -> Stage:
    return Stage.objects.get(procedure__code=procedure, code=code)


def meeting(topic, kind="yishihui", status="held", **kw):
    """A meeting row with the topic on its agenda (the meetings' services are not needed for
    what a stage checks)."""
    m = Meeting.objects.create(
        place=topic.place,
        kind=MeetingKind.objects.get(code=kind),
        title=kw.pop("title", f"{kind} meeting"),
        starts_at=kw.pop("starts_at", timezone.now() - timedelta(hours=2)),
        venue="社区活动室",
        status=status,
        **kw,
    )
    AgendaItem.objects.create(meeting=m, topic=topic)
    return m


def ballot(topic, passed=True, status="closed", **kw):
    now = timezone.now()
    return Ballot.objects.create(
        place=topic.place,
        title=kw.pop("title", "是否同意方案"),
        topic=topic,
        electorate=kw.pop("electorate", "households"),
        rule=kw.pop("rule", "simple"),
        closes_at=now,
        closed_at=now,
        status=status,
        passed=passed,
        **kw,
    )


def add_household(city, unit="U1", room="103", user=None, relation=Relation.OWNER):
    hh = Household.objects.create(
        unit=city.places[unit], room=room, floor=int(room[0]), area="80.00"
    )
    if user is not None:
        Residency.objects.create(
            user=user,
            household=hh,
            relation=relation,
            status=ResidencyStatus.VERIFIED,
            source="roster",
        )
    return hh


def resident(city, key, unit="U1", room="103"):
    """A new verified owner in a new household of `unit`."""
    n = 13700000000 + len(city.users)
    user = User.objects.create_user(str(n), "pass-Word-9", name=f"王{key}")
    city.users[key] = user
    add_household(city, unit, room, user)
    return user


# --- Thresholds ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("households", "percent", "scope", "needed"),
    [
        (10, 5, 100, 10),  # 5% of 100 is 5: the 10 households are more
        (10, 5, 400, 20),  # 20 by share: more than 10
        (10, 5, 200, 10),  # exactly 10 both ways
        (10, 5, 220, 11),  # 11 by share
        (10, 5, 221, 12),  # ceil(11.05) = 12
        (None, 5, 3, 1),  # ceil(0.15) = 1
        (None, 50, 3, 2),  # ceil(1.5) = 2
        (None, 100, 7, 7),
        (10, None, 3, 3),  # never more than the scope holds
        (10, None, 0, 1),  # never less than one
        (1, 100, 50, 50),
    ],
)
def test_threshold_arithmetic(city, settings, households, percent, scope, needed):
    settings.DELIBERATION_SUPPORT = {"households": households, "percent": percent}
    assert services.support_threshold(city.places["C1"], households=scope) == needed


def test_default_threshold_without_a_rule(city, settings):
    # 10 households or 5% of C1's three, capped at the three it holds.
    assert services.support_threshold(city.places["C1"]) == 3
    settings.DELIBERATION_SUPPORT = {"households": 2}
    assert services.support_threshold(city.places["C1"]) == 2
    del settings.DELIBERATION_SUPPORT
    assert services.support_threshold(city.places["E1"]) == 3


def test_rule_is_inherited_from_the_nearest_ancestor(city):
    SupportRule.objects.create(place=city.places["S"], households=3)
    SupportRule.objects.create(place=city.places["B1"], percent=50)
    # U1 (2 households) takes B1's 50%: 1.
    assert services.support_threshold(city.places["U1"]) == 1
    # E1 (3 households) has no rule of its own: the subdistrict's 3.
    assert services.support_threshold(city.places["E1"]) == 3
    # B2 (1 household) takes the subdistrict's 3, capped at its one household.
    assert services.support_threshold(city.places["B2"]) == 1
    # A rule at C1 does not reach C2.
    SupportRule.objects.create(place=city.places["C1"], households=2)
    assert services.support_threshold(city.places["E1"]) == 2
    assert services.support_threshold(city.places["E2"]) == 1


def test_unsold_units_do_not_count(city, settings):
    settings.DELIBERATION_SUPPORT = {"percent": 100}
    for room in ("103", "104"):
        hh = add_household(city, "U1", room)
        hh.developer_held = room == "104"
        hh.save()
    assert services.support_threshold(city.places["U1"]) == 3


def test_threshold_is_frozen_at_proposal(city):
    SupportRule.objects.create(place=city.places["C1"], households=2)
    topic = propose(city, place="U1")
    assert (topic.support_needed, topic.support_count, topic.status) == (2, 1, "proposed")
    SupportRule.objects.filter(place=city.places["C1"]).update(households=1)
    topic.refresh_from_db()
    assert topic.support_needed == 2


# --- Proposing -----------------------------------------------------------------------------------


def test_resident_proposes_where_they_live_and_their_household_supports_first(city):
    SupportRule.objects.create(place=city.places["C1"], households=2)
    topic = propose(city, place="B1")
    assert topic.source == "resident" and topic.proposer == city.users["owner"]
    support = TopicSupport.objects.get(topic=topic)
    assert support.household == city.households["H101"]
    assert AuditEvent.objects.filter(verb="deliberation.propose", object_id=str(topic.pk)).exists()
    for scope in ("U1", "E1", "C1"):
        assert propose(city, place=scope).path == city.places[scope].path


def test_residents_cannot_propose_elsewhere(city):
    with pytest.raises(Forbidden):
        propose(city, "owner", "C2")
    with pytest.raises(Forbidden):
        propose(city, "owner", "U2")
    with pytest.raises(Forbidden):
        propose(city, "newcomer", "C1")
    assert not Topic.objects.exists()


def test_bad_input_names_the_field(city):
    for kw, field in [
        ({"title": " "}, "title"),
        ({"title": "x" * 121}, "title"),
        ({"body": ""}, "body"),
        ({"source": "rumour"}, "source"),
        ({"source": "staff", "source_ref": "x" * 81}, "source_ref"),
    ]:
        with pytest.raises(Invalid) as e:
            propose(city, "community_staff", "C1", **kw)
        assert field in e.value.errors
    with pytest.raises(Invalid) as e:
        services.propose_topic(
            user=city.users["owner"], place_id=city.households["H101"].pk, title="t", body="b"
        )
    assert "place" in e.value.errors
    with pytest.raises(Invalid) as e:
        services.propose_topic(user=city.users["owner"], place_id="x", title="t", body="b")
    assert "place" in e.value.errors
    # A household is never a scope; the subdistrict neither.
    with pytest.raises(Invalid):
        propose(city, "subdistrict_admin", "S", source="staff")
    assert not Topic.objects.exists()


@pytest.mark.parametrize("source", ["staff", "party", "report", "survey"])
def test_staff_raise_topics_with_their_source(city, source):
    topic = staff_topic(city, source=source, source_ref="report:42")
    assert (topic.source, topic.source_ref, topic.support_count) == (source, "report:42", 0)
    assert topic.status == TopicStatus.PROPOSED
    assert not topic.supports.exists()


def test_staff_without_a_home_must_name_the_source(city):
    with pytest.raises(Invalid) as e:
        propose(city, "community_staff", "C1")
    assert "source" in e.value.errors


@pytest.mark.parametrize(
    ("key", "place", "allowed"),
    [
        ("community_staff", "C1", True),
        ("community_staff", "U1", True),
        ("community_staff_2", "C1", False),
        ("subdistrict_admin", "C2", True),
        ("grid_worker", "B1", True),
        ("grid_worker", "B2", False),
        ("unit_head", "U1", True),
        ("unit_head", "B1", False),
        ("building_head", "U1", True),
        ("property_manager", "E1", True),
        ("owners_committee", "E2", False),
        ("partner", "C1", False),
        ("owner", "C1", False),  # residents raise their own topics as residents
    ],
)
def test_who_raises_staff_topics(city, key, place, allowed):
    if allowed:
        assert staff_topic(city, place, key).pk
    else:
        with pytest.raises(Forbidden):
            staff_topic(city, place, key)


def test_resident_topic_with_threshold_one_goes_straight_to_the_agenda(
    city, django_capture_on_commit_callbacks
):
    SupportRule.objects.create(place=city.places["C1"], households=1)
    with django_capture_on_commit_callbacks(execute=True):
        topic = propose(city, place="C1")
    assert topic.status == TopicStatus.AGENDA and topic.agenda_at is not None
    assert Notification.objects.filter(
        recipient=city.users["community_staff"], kind="deliberation.agenda"
    ).exists()


# --- Support -------------------------------------------------------------------------------------


@pytest.fixture
def two_needed(city):
    SupportRule.objects.create(place=city.places["C1"], households=2)
    return city


def test_support_from_another_household_puts_it_on_the_agenda(
    two_needed, django_capture_on_commit_callbacks
):
    city = two_needed
    topic = propose(city, place="U1")
    with django_capture_on_commit_callbacks(execute=True):
        services.support_topic(user=city.users["tenant"], topic=topic)
    topic = fresh(topic)
    assert (topic.support_count, topic.status) == (2, TopicStatus.AGENDA)
    assert topic.agenda_at is not None
    # Organisers of the scope (community staff of C1, the subdistrict) hear of it; not C2's.
    told = set(
        Notification.objects.filter(kind="deliberation.agenda").values_list(
            "recipient_id", flat=True
        )
    )
    assert told == {city.users["community_staff"].pk, city.users["subdistrict_admin"].pk}
    assert Notification.objects.filter(
        recipient=city.users["owner"], kind="deliberation.update"
    ).exists()
    assert AuditEvent.objects.filter(verb="deliberation.agenda", object_id=str(topic.pk)).exists()


def test_one_support_per_household(two_needed):
    city = two_needed
    topic = staff_topic(city, "U1")
    services.support_topic(user=city.users["owner"], topic=topic)
    with pytest.raises(Conflict) as e:
        services.support_topic(user=city.users["owner"], topic=topic)
    assert e.value.code == "already_supported"
    # A second person of the same household: the household supports already.
    spouse = User.objects.create_user("13700000099", "pass-Word-9", name="配偶")
    Residency.objects.create(
        user=spouse,
        household=city.households["H101"],
        relation=Relation.FAMILY,
        status=ResidencyStatus.VERIFIED,
    )
    with pytest.raises(Conflict) as e:
        services.support_topic(user=spouse, topic=topic)
    assert e.value.code == "household_supported"
    assert fresh(topic).support_count == 1
    assert TopicSupport.objects.filter(topic=topic).count() == 1


def test_the_database_keeps_one_support_per_household(two_needed):
    from django.db import IntegrityError, transaction

    city = two_needed
    topic = staff_topic(city, "U1")
    TopicSupport.objects.create(topic=topic, household=city.households["H101"])
    with pytest.raises(IntegrityError), transaction.atomic():
        TopicSupport.objects.create(topic=topic, household=city.households["H101"])


def test_support_outside_the_scope_is_refused(two_needed):
    city = two_needed
    topic = staff_topic(city, "U1")
    for key in ("owner_2", "party_liaison", "newcomer", "community_staff"):
        with pytest.raises(Forbidden):
            services.support_topic(user=city.users[key], topic=topic)
    assert fresh(topic).support_count == 0


def test_support_only_while_open(two_needed):
    city = two_needed
    topic = propose(city, place="U1")
    services.withdraw_topic(user=city.users["owner"], topic=topic)
    with pytest.raises(Conflict) as e:
        services.support_topic(user=city.users["tenant"], topic=topic)
    assert e.value.code == "wrong_status"


def test_unsupport_while_proposed(two_needed):
    city = two_needed
    SupportRule.objects.filter(place=city.places["C1"]).update(households=3)
    topic = propose(city, place="E1")
    services.support_topic(user=city.users["tenant"], topic=topic)
    services.unsupport_topic(user=city.users["tenant"], topic=topic)
    assert fresh(topic).support_count == 1
    with pytest.raises(Conflict) as e:
        services.unsupport_topic(user=city.users["tenant"], topic=topic)
    assert e.value.code == "not_supported"
    with pytest.raises(Conflict) as e:
        services.unsupport_topic(user=city.users["owner"], topic=topic)
    assert e.value.code == "own_topic"
    # Supported again, then on the agenda: no taking it back any more.
    services.support_topic(user=city.users["tenant"], topic=topic)
    services.support_topic(user=city.users["party_liaison"], topic=topic)
    assert fresh(topic).status == TopicStatus.AGENDA
    with pytest.raises(Conflict):
        services.unsupport_topic(user=city.users["tenant"], topic=topic)


def test_reaching_exactly_the_threshold(city):
    SupportRule.objects.create(place=city.places["U1"], households=3)
    resident(city, "third", "U1", "103")
    topic = propose(city, place="U1")
    services.support_topic(user=city.users["tenant"], topic=topic)
    assert fresh(topic).status == TopicStatus.PROPOSED  # 2 of 3
    services.support_topic(user=city.users["third"], topic=topic)
    topic = fresh(topic)
    assert (topic.support_count, topic.status) == (3, TopicStatus.AGENDA)


# --- Withdraw, decline, agenda, start ------------------------------------------------------------


def test_only_the_proposer_withdraws_and_only_while_proposed(two_needed):
    city = two_needed
    topic = propose(city, place="U1")
    with pytest.raises(Forbidden):
        services.withdraw_topic(user=city.users["tenant"], topic=topic)
    services.withdraw_topic(user=city.users["owner"], topic=topic)
    topic = fresh(topic)
    assert topic.status == TopicStatus.WITHDRAWN and topic.closed_at
    with pytest.raises(Conflict):
        services.withdraw_topic(user=city.users["owner"], topic=topic)


def test_decline_needs_an_organiser_and_a_reason(two_needed, django_capture_on_commit_callbacks):
    city = two_needed
    topic = propose(city, place="U1")
    with pytest.raises(Invalid) as e:
        services.decline_topic(user=city.users["community_staff"], topic=topic, reason=" ")
    assert "reason" in e.value.errors
    for key in ("community_staff_2", "unit_head", "grid_worker", "owner"):
        with pytest.raises(Forbidden):
            services.decline_topic(user=city.users[key], topic=topic, reason="重复")
    with django_capture_on_commit_callbacks(execute=True):
        services.decline_topic(user=city.users["community_staff"], topic=topic, reason="重复议题")
    topic = fresh(topic)
    assert (topic.status, topic.decline_reason) == (TopicStatus.DECLINED, "重复议题")
    assert Notification.objects.filter(recipient=city.users["owner"], body="重复议题").exists()
    with pytest.raises(Conflict):
        services.decline_topic(user=city.users["community_staff"], topic=topic, reason="x")


def test_put_on_agenda_and_start(city):
    topic = staff_topic(city, "C1", source="party", source_ref="C1 党支部")
    with pytest.raises(Forbidden):
        services.put_on_agenda(user=city.users["unit_head"], topic=topic)
    with pytest.raises(Conflict):
        services.start_procedure(
            user=city.users["community_staff"], topic=topic, procedure="four_two"
        )
    services.put_on_agenda(user=city.users["subdistrict_admin"], topic=topic)
    with pytest.raises(Conflict):
        services.put_on_agenda(user=city.users["community_staff"], topic=topic)
    with pytest.raises(Invalid) as e:
        services.start_procedure(user=city.users["community_staff"], topic=topic, procedure="x")
    assert "procedure" in e.value.errors
    with pytest.raises(Forbidden):
        services.start_procedure(
            user=city.users["community_staff_2"], topic=topic, procedure="four_two"
        )
    services.start_procedure(user=city.users["community_staff"], topic=topic, procedure="four_two")
    topic = fresh(topic)
    assert topic.status == TopicStatus.DELIBERATING
    assert topic.current_stage == stage("four_two", "branch_proposes")
    assert AuditEvent.objects.filter(
        verb="deliberation.start_procedure", object_id=str(topic.pk)
    ).exists()


def test_inactive_procedures_cannot_start(city):
    from linju.deliberation.models import Procedure

    Procedure.objects.filter(code="meeting").update(active=False)
    topic = on_agenda(city)
    with pytest.raises(Invalid):
        services.start_procedure(
            user=city.users["community_staff"], topic=topic, procedure="meeting"
        )
