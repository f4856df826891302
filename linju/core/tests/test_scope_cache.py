"""The shared scope cache (core.access): fast for every request, never older than a change.

These tests commit for real (transactional_db): outside a transaction is where the cache is
written, and `forget` acts when a change commits.
"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from linju.core import access
from linju.people import services
from linju.people.models import LiaisonHousehold, RoleGrant, User

pytestmark = pytest.mark.django_db(transaction=True)


def fresh(user) -> User:
    """The user as the next request loads it: nothing cached on the object."""
    return User.objects.get(pk=user.pk)


def scopes_and_queries(user):
    with CaptureQueriesContext(connection) as ctx:
        scopes = access.role_scopes(fresh(user))
    return scopes, len(ctx.captured_queries) - 1  # minus loading the user


def test_scopes_are_shared_between_requests(city):
    staff = city.users["community_staff"]
    first, computed = scopes_and_queries(staff)
    again, cached = scopes_and_queries(staff)
    assert again == first and "community_staff" in first
    assert computed == 3 and cached == 0


def test_a_revoked_role_is_gone_at_the_next_request(city):
    staff = city.users["community_staff"]
    assert "community_staff" in scopes_and_queries(staff)[0]
    grant = RoleGrant.objects.get(user=staff, role="community_staff")
    services.revoke_role(actor=city.users["subdistrict_admin"], grant_id=grant.pk)
    assert "community_staff" not in scopes_and_queries(staff)[0]


def test_changes_made_in_the_admin_or_a_shell_count_too(city):
    newcomer = city.users["newcomer"]
    assert scopes_and_queries(newcomer)[0] == {}
    grant = RoleGrant.objects.create(user=newcomer, role="partner", place=city.places["C1"])
    assert scopes_and_queries(newcomer)[0] == {"partner": (city.places["C1"].path,)}
    grant.delete()
    assert scopes_and_queries(newcomer)[0] == {}


def test_a_grids_buildings_and_a_liaisons_households_move_scopes(city):
    worker = city.users["grid_worker"]
    b1, b2 = city.places["B1"], city.places["B2"]
    assert scopes_and_queries(worker)[0]["grid_worker"] == (b1.path,)
    city.grids["G1"].buildings.add(b2)
    assert set(scopes_and_queries(worker)[0]["grid_worker"]) == {b1.path, b2.path}
    b2.grid_set.clear()  # from the building's side
    assert scopes_and_queries(worker)[0]["grid_worker"] == (b1.path,)

    liaison = city.users["party_liaison"]
    served = city.households["H102"].path
    assert served in scopes_and_queries(liaison)[0]["party_liaison"]
    LiaisonHousehold.objects.get(member=liaison).served.clear()
    assert served not in scopes_and_queries(liaison)[0]["party_liaison"]


def test_scopes_read_inside_a_rolled_back_transaction_are_not_kept(city):
    newcomer = city.users["newcomer"]
    with pytest.raises(RuntimeError), transaction.atomic():
        RoleGrant.objects.create(user=newcomer, role="partner", place=city.places["C1"])
        assert "partner" in access.role_scopes(fresh(newcomer))
        raise RuntimeError("roll back")
    assert scopes_and_queries(newcomer)[0] == {}
