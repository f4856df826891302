"""One claimant at a time under concurrent requests on PostgreSQL, with real threads and
connections (SQLite has one writer: its IMMEDIATE transactions queue by construction)."""

import pytest
from django.db import connection

from linju.core.errors import Conflict
from linju.core.testing import race
from linju.mutualaid import services
from linju.mutualaid.models import Flag, Post, PostStatus

from .conftest import wish


@pytest.fixture
def pg(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent writers are PostgreSQL's (CI runs it there)")


def test_two_claims_at_once_one_wins(pg, city):
    post = wish(city)
    claimants = [city.users[k] for k in ("tenant", "party_liaison", "grid_worker", "unit_head")]
    results = race(*[lambda u=u: services.claim_post(user=u, post_id=post.pk) for u in claimants])
    won = [r for r in results if isinstance(r, Post)]
    lost = [r for r in results if not isinstance(r, Post)]
    assert len(won) == 1, results
    assert all(isinstance(r, Conflict) and r.code == "taken" for r in lost), lost
    post.refresh_from_db()
    assert post.status == PostStatus.CLAIMED and post.claimant_id == won[0].claimant_id


def test_one_flag_per_person_at_once(pg, city):
    post = wish(city)
    tenant = city.users["tenant"]
    results = race(*[lambda: services.flag_post(user=tenant, post_id=post.pk, reason="x")] * 4)
    assert sum(isinstance(r, Flag) for r in results) == 1, results
    assert Flag.objects.filter(post=post).count() == 1


def test_one_active_loan_per_item(pg, city):
    from linju.mutualaid import services_sharing as sharing
    from linju.mutualaid.models import Loan

    item = sharing.create_item(user=city.users["owner"], kind="book", title="《围城》")
    people = [city.users[k] for k in ("tenant", "party_liaison", "grid_worker", "unit_head")]
    results = race(*[lambda u=u: sharing.request_item(user=u, item_id=item.pk) for u in people])
    won = [r for r in results if isinstance(r, Loan)]
    assert len(won) == 1, results
    assert all(isinstance(r, Conflict) and r.code == "unavailable" for r in results if r not in won)
    assert Loan.objects.filter(item=item).count() == 1
