"""The demo community (issue 2 §7): roles, a consistent tree, determinism, idempotency."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from linju.core import access
from linju.core.models import AuditEvent
from linju.people import demo
from linju.people.models import (
    LiaisonHousehold,
    PartyMembership,
    PartyOrganisation,
    Relation,
    Residency,
    ResidencyStatus,
    RoleGrant,
    User,
)
from linju.people.roles import Role
from linju.places.models import Grid, Household, Place, PlaceKind, path_segment

SMALL = 0.05  # one building per estate: the whole structure in a fraction of a second

MODELS = [
    Place,
    Grid,
    Household,
    User,
    Residency,
    RoleGrant,
    PartyOrganisation,
    PartyMembership,
    LiaisonHousehold,
    AuditEvent,
]


def counts():
    return {m.__name__: m.objects.count() for m in MODELS}


def snapshot():
    """Everything a person would see, keyed by names and mobiles, never by database ids."""

    def where(hh):
        unit = hh.unit
        return (unit.parent.parent.name, unit.parent.name, unit.name, hh.room)

    households = sorted(
        (*where(hh), hh.floor, str(hh.area), hh.invite_code)
        for hh in Household.objects.select_related("unit__parent__parent")
    )
    users = sorted(User.objects.values_list("mobile", "name"))
    residencies = sorted(
        (r.user.mobile, *where(r.household), r.relation, r.status)
        for r in Residency.objects.select_related("user", "household__unit__parent__parent")
    )
    grants = sorted(
        (g.user.mobile, g.role, g.place.name if g.place_id else g.grid.name)
        for g in RoleGrant.objects.select_related("user", "place", "grid")
    )
    return households, users, residencies, grants


@pytest.fixture
def small_demo(db):
    return demo.load_demo(scale=SMALL)


def test_every_role_has_a_working_demo_login(small_demo):
    rows = {row.role: row for row in demo.demo_logins()}
    assert set(rows) == {r.value for r in Role}
    for role, mobile in demo.DEMO_LOGINS:
        user = User.objects.get(mobile=mobile)
        assert rows[role].name == user.name and rows[role].scope
        assert user.is_active and user.check_password(demo.DEMO_PASSWORD)
        assert user.privacy_consent_at is not None
        if role == Role.RESIDENT:
            assert user.residencies.get().relation == Relation.TENANT
        elif role == Role.OWNER:
            assert user.residencies.get().is_owner
        elif role == Role.PARTY_LIAISON:
            assert access.role_scopes(user)[role]  # from its liaison household, not a grant
        else:
            assert user.role_grants.filter(role=role, revoked_at__isnull=True).exists()
    # The heads of the demo unit verify the pending requests there: they have a queue.
    unit_head = User.objects.get(mobile=demo.DEMO_MOBILE[Role.UNIT_HEAD])
    unit = unit_head.role_grants.get(role=Role.UNIT_HEAD).place
    assert (
        Residency.objects.filter(household__unit=unit, status=ResidencyStatus.PENDING).count() >= 2
    )


def test_demo_passwords_are_hashed_with_argon2(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    demo.load_demo(scale=SMALL)
    for _, mobile in demo.DEMO_LOGINS:
        assert User.objects.get(mobile=mobile).password.startswith("argon2")
    # Everyone else came from the roster and signs in with an SMS code first.
    others = User.objects.exclude(mobile__in=demo.DEMO_NUMBERS)
    assert others.exists() and not any(u.has_usable_password() for u in others[:50])


def test_tree_paths_match_place_save_semantics(small_demo):
    by_id = {p.pk: p for p in Place.objects.all()}
    for place in by_id.values():
        parent_path = by_id[place.parent_id].path if place.parent_id else ""
        assert place.path == parent_path + path_segment(place.pk)
    kinds = [p.kind for p in by_id.values()]
    assert kinds.count(PlaceKind.COMMUNITY) == 2 and kinds.count(PlaceKind.ESTATE) == 4
    for hh in Household.objects.select_related("unit"):
        assert hh.path == hh.unit.path + "h" + path_segment(hh.pk)
        assert hh.unit.kind == PlaceKind.UNIT
        assert hh.room == f"{hh.floor}{hh.room[-2:]}" and 45 <= hh.area <= 160
    # "Everything under the subdistrict" is one prefix query and finds every household.
    subdistrict = Place.objects.get(kind=PlaceKind.SUBDISTRICT)
    assert Household.objects.filter(path__startswith=subdistrict.path).count() == (
        Household.objects.count()
    )


def test_overlays_stay_inside_their_community(small_demo):
    for grid in Grid.objects.prefetch_related("buildings"):
        assert grid.buildings.exists()
        assert all(b.path.startswith(grid.community.path) for b in grid.buildings.all())
        assert RoleGrant.objects.filter(grid=grid, role=Role.GRID_WORKER).exists()
    for liaison in LiaisonHousehold.objects.select_related("household", "organisation__place"):
        served = list(liaison.served.all())
        assert 1 <= len(served) <= 10 and liaison.household not in served
        assert all(h.unit_id == liaison.household.unit_id for h in served)
        assert liaison.household.path.startswith(liaison.organisation.place.path)
        assert liaison.member.residencies.filter(household=liaison.household).exists()
    for org in PartyOrganisation.objects.exclude(parent=None).select_related("parent"):
        assert org.place.path.startswith(org.parent.place.path)


def test_same_seed_gives_the_same_community(db):
    with transaction.atomic():
        demo.load_demo(scale=SMALL)
        first = snapshot()
        transaction.set_rollback(True)
    assert Place.objects.count() == 0
    demo.load_demo(scale=SMALL)
    assert snapshot() == first
    assert first[1] and all(m.startswith("1390000") for m, _ in first[1])


def test_second_run_changes_nothing_and_says_so(db):
    out = StringIO()
    call_command("load_demo", scale=SMALL, stdout=out, stderr=StringIO())
    assert "Loaded the demo community" in out.getvalue()
    assert all(mobile in out.getvalue() for _, mobile in demo.DEMO_LOGINS)
    before, state = counts(), snapshot()
    out = StringIO()
    call_command("load_demo", scale=SMALL, stdout=out, stderr=StringIO())
    assert "already loaded; nothing changed" in out.getvalue()
    assert counts() == before and snapshot() == state
    assert demo.load_demo(scale=SMALL) is None

    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert demo.DEMO_PASSWORD in out.getvalue()
    assert len([line for line in out.getvalue().splitlines() if "1390000" in line]) == 12


def test_full_size_is_a_realistic_subdistrict(db):
    created = demo.load_demo()
    assert 55 <= Place.objects.filter(kind=PlaceKind.BUILDING).count() <= 65
    assert 2700 <= created["households"] == Household.objects.count() <= 3300
    for community in Place.objects.filter(kind=PlaceKind.COMMUNITY):
        assert 3 <= community.grids.count() <= 4
    floors = Household.objects.values_list("floor", flat=True)
    assert min(floors) == 1 and max(floors) == 20
    areas = sorted(Household.objects.values_list("area", flat=True))
    assert areas[0] >= 45 and areas[-1] <= 160 and 60 <= areas[len(areas) // 2] <= 110
    owners = Residency.objects.filter(relation=Relation.OWNER, status=ResidencyStatus.VERIFIED)
    assert owners.count() >= 0.9 * created["households"]
    assert Residency.objects.filter(relation=Relation.TENANT).exists()
    assert Residency.objects.filter(relation=Relation.FAMILY).exists()
    assert Residency.objects.filter(status=ResidencyStatus.PENDING).count() >= 5
    for role in (Role.UNIT_HEAD, Role.BUILDING_HEAD, Role.FLOOR_HEAD):
        assert RoleGrant.objects.filter(role=role).count() >= 10
    names = set(User.objects.values_list("name", flat=True))
    assert len(names) > 1000  # a generator of names, not a short list repeated
