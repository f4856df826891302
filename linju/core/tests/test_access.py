"""core.access: every role against an object inside and outside its scope."""

import pytest

from linju.core import access
from linju.core.errors import Forbidden

pytestmark = pytest.mark.django_db

# role → (object it may reach, object outside its scope)
CASES = {
    "unit_head": ("H101", "H201"),
    "building_head": ("H102", "H201"),
    "floor_head": ("H101", "H301"),
    "grid_worker": ("H101", "H201"),
    "community_staff": ("H201", "H301"),
    "property_manager": ("H201", "H301"),
    "owners_committee": ("H101", "H301"),
    "party_liaison": ("H102", "H101"),
    "owner": ("H101", "H102"),
    "tenant": ("H102", "H101"),
}


@pytest.mark.parametrize("role", sorted(CASES))
def test_view_household_inside_and_outside(city, role):
    inside, outside = CASES[role]
    user = city.users[role]
    assert access.can(user, "people.view_household", city.households[inside])
    assert not access.can(user, "people.view_household", city.households[outside])
    from linju.places.models import Household

    visible = set(access.filter_queryset(user, "people.view_household", Household.objects.all()))
    assert city.households[inside] in visible
    assert city.households[outside] not in visible


def test_partner_sees_no_households(city):
    assert not access.can(city.users["partner"], "people.view_household", city.households["H101"])


def test_subdistrict_admin_sees_both_communities(city):
    admin = city.users["subdistrict_admin"]
    for key in ("H101", "H301"):
        assert access.can(admin, "people.view_household", city.households[key])


@pytest.mark.parametrize(
    "role,allowed",
    [
        ("unit_head", True),
        ("building_head", True),
        ("grid_worker", True),
        ("community_staff", True),
        ("floor_head", False),
        ("property_manager", False),
        ("owner", False),
        ("partner", False),
    ],
)
def test_verify_residency_roles(city, role, allowed):
    assert (
        access.can(city.users[role], "people.verify_residency", city.households["H101"]) is allowed
    )


def test_twin_in_other_community_is_refused(city):
    staff_2 = city.users["community_staff_2"]
    with pytest.raises(Forbidden):
        access.require(staff_2, "people.grant_role", city.places["E1"])
    access.require(staff_2, "people.grant_role", city.places["E2"])


def test_revoked_grant_stops_counting(city):
    user = city.users["unit_head"]
    grant = user.role_grants.get()
    from django.utils import timezone

    grant.revoked_at = timezone.now()
    grant.save()
    access.forget(user)
    assert not access.can(user, "people.verify_residency", city.households["H101"])


def test_superuser_everywhere(city):
    from linju.people.models import User

    root = User.objects.create_superuser("13700000000", "x-Password-1", name="root")
    assert access.can(root, "core.view_audit", city.households["H301"])


def test_unknown_permission_is_a_bug(city):
    with pytest.raises(KeyError):
        access.can(city.users["owner"], "nope.nothing", city.households["H101"])


def test_masking_follows_scope(city):
    owner = city.users["owner"]
    assert access.can_see_personal_data(city.users["unit_head"], owner)
    assert not access.can_see_personal_data(city.users["unit_head_2"], owner)
    assert not access.can_see_personal_data(city.users["tenant"], owner)
    assert access.can_see_personal_data(owner, owner)
