"""Concurrent writers on one topic, with real threads and connections on PostgreSQL (SQLite has
a single writer: IMMEDIATE transactions queue there by construction). Services lock the topic
row first; the unique keys (one support per household, one completion per stage) are the last
guard."""

import pytest
from django.db import connection

from conftest import build_city
from linju.core.errors import DomainError
from linju.core.testing import race
from linju.deliberation import services_topics as services
from linju.deliberation.models import (
    StageCompletion,
    SupportRule,
    Topic,
    TopicStatus,
    TopicSupport,
)
from linju.people.models import Relation, Residency, ResidencyStatus, User


@pytest.fixture
def pg_city(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent writers are PostgreSQL's (CI runs it there)")
    return build_city()


def test_one_household_supports_once_when_two_members_click_together(pg_city):
    city = pg_city
    SupportRule.objects.create(place=city.places["C1"], households=3)
    topic = services.propose_topic(
        user=city.users["community_staff"],
        place_id=city.places["U1"].pk,
        title="t",
        body="b",
        source="staff",
    )
    spouse = User.objects.create_user("13700000077", "pass-Word-9", name="配偶")
    Residency.objects.create(
        user=spouse,
        household=city.households["H101"],
        relation=Relation.FAMILY,
        status=ResidencyStatus.VERIFIED,
    )
    owner = city.users["owner"]
    results = race(
        lambda: services.support_topic(user=owner, topic=topic.pk),
        lambda: services.support_topic(user=spouse, topic=topic.pk),
    )
    failures = [r for r in results if isinstance(r, Exception)]
    assert len(failures) == 1 and isinstance(failures[0], DomainError)
    assert failures[0].code == "household_supported"
    assert TopicSupport.objects.filter(topic=topic).count() == 1
    assert Topic.objects.get(pk=topic.pk).support_count == 1


def test_supports_racing_to_the_threshold_count_every_household(pg_city):
    city = pg_city
    SupportRule.objects.create(place=city.places["C1"], households=3)
    topic = services.propose_topic(
        user=city.users["community_staff"],
        place_id=city.places["C1"].pk,
        title="t",
        body="b",
        source="staff",
    )
    keys = ("owner", "tenant", "party_liaison")
    results = race(
        *[lambda k=k: services.support_topic(user=city.users[k], topic=topic.pk) for k in keys]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    topic = Topic.objects.get(pk=topic.pk)
    assert topic.support_count == 3 == TopicSupport.objects.filter(topic=topic).count()
    assert topic.status == TopicStatus.AGENDA


def test_a_stage_is_completed_once(pg_city):
    city = pg_city
    topic = services.propose_topic(
        user=city.users["community_staff"],
        place_id=city.places["C1"].pk,
        title="t",
        body="b",
        source="staff",
    )
    services.put_on_agenda(user=city.users["community_staff"], topic=topic)
    services.start_procedure(user=city.users["community_staff"], topic=topic, procedure="four_two")
    stage_id = Topic.objects.get(pk=topic.pk).current_stage_id
    results = race(
        *[
            lambda k=k: services.complete_stage(
                user=city.users[k], topic=topic.pk, stage_id=stage_id, note=k
            )
            for k in ("community_staff", "subdistrict_admin")
        ]
    )
    failures = [r for r in results if isinstance(r, Exception)]
    assert len(failures) == 1 and failures[0].code in ("stage_done", "not_current_stage")
    assert StageCompletion.objects.filter(topic=topic).count() == 1
