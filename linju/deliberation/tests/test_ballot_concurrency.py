"""Concurrent voters on PostgreSQL, with real threads and connections (SQLite has one writer:
its IMMEDIATE transactions queue by construction). Co-owners voting at once for their unit,
again and again, leave exactly one vote; two staff members entering the same voter's paper
sheet leave one; two sweeps close a ballot once."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from conftest import build_city
from linju.core.errors import DomainError
from linju.core.models import AuditEvent
from linju.core.testing import race
from linju.deliberation import services_ballots as services
from linju.deliberation.models import BallotStatus, Vote
from linju.people.models import Relation, Residency, ResidencyStatus, User

from .test_ballots import PDF, elector_of, opened, option


@pytest.fixture
def pg_city(transactional_db, settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent writers are PostgreSQL's (CI runs it there)")
    settings.MEDIA_ROOT = tmp_path
    return build_city()


def co_owner(city):
    spouse = User.objects.create_user("13700000009", "pass-Word-9", name="李小红")
    Residency.objects.create(
        user=spouse,
        household=city.households["H101"],
        relation=Relation.CO_OWNER,
        status=ResidencyStatus.VERIFIED,
    )
    return spouse


def test_co_owners_voting_at_once_leave_one_vote(pg_city):
    spouse = co_owner(pg_city)
    ballot = opened(pg_city)
    options = [option(ballot, i).pk for i in range(3)]
    owner = pg_city.users["owner"]
    # Each thread loads its own user (a user object caches its scopes).
    calls = [
        lambda i=i, who=(owner.pk if i % 2 else spouse.pk): [
            services.cast_vote(
                user=User.objects.get(pk=who), ballot=ballot.pk, option_id=options[(i + n) % 3]
            )
            for n in range(3)
        ]
        for i in range(8)
    ]
    results = race(*calls)
    assert all(isinstance(r, list) for r in results), results
    h101 = elector_of(ballot, pg_city.households["H101"])
    assert Vote.objects.filter(ballot=ballot).count() == 1
    assert Vote.objects.filter(ballot=ballot, elector=h101).count() == 1
    assert services.tally(ballot)[Vote.objects.get().option_id].heads == 1


def test_a_final_vote_is_cast_once_under_a_race(pg_city):
    spouse = co_owner(pg_city)
    ballot = opened(pg_city, changeable=False)
    owner = pg_city.users["owner"]
    people = [owner.pk, spouse.pk] * 4
    results = race(
        *[
            lambda who=who, n=n: services.cast_vote(
                user=User.objects.get(pk=who), ballot=ballot.pk, option_id=option(ballot, n % 2).pk
            )
            for n, who in enumerate(people)
        ]
    )
    wins = [r for r in results if isinstance(r, Vote)]
    losses = [r for r in results if isinstance(r, DomainError)]
    # The first vote wins; repeats of the same choice return it, other choices are refused.
    assert len(wins) + len(losses) == 8, results
    assert {e.code for e in losses} <= {"already_voted"}
    assert Vote.objects.filter(ballot=ballot).count() == 1
    assert len({w.pk for w in wins}) == 1


def test_two_staff_entering_one_voters_sheet_leave_one(pg_city):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ballot = opened(pg_city)
    h102 = elector_of(ballot, pg_city.households["H102"])
    staff = [pg_city.users["community_staff"].pk, pg_city.users["owners_committee"].pk]
    results = race(
        *[
            lambda who=who: services.enter_paper_vote(
                user=User.objects.get(pk=who),
                ballot=ballot.pk,
                elector_id=h102.pk,
                option_id=option(ballot, 0).pk,
                scan=SimpleUploadedFile("s.pdf", PDF, content_type="application/pdf"),
            )
            for who in staff
        ]
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "Vote"], results
    assert Vote.objects.filter(ballot=ballot).count() == 1


def test_two_sweeps_close_a_ballot_once(pg_city):
    ballot = opened(pg_city)
    services.cast_vote(
        user=pg_city.users["owner"], ballot=ballot.pk, option_id=option(ballot, 0).pk
    )
    later = timezone.now() + timedelta(days=10)
    results = race(lambda: services.close_due(now=later), lambda: services.close_due(now=later))
    assert sorted(results) == [0, 1], results
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.CLOSED
    assert AuditEvent.objects.filter(verb="ballot.close").count() == 1
