"""Shared fixtures: a small two-community tree with one person per role."""

from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from linju.people import sms


@dataclass
class City:
    places: dict = field(default_factory=dict)
    grids: dict = field(default_factory=dict)
    households: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)


def build_city():
    """district D › subdistrict S › communities C1, C2.
    C1 › estate E1 › buildings B1 (unit U1: rooms 101, 102), B2 (unit U2: room 201); grid G1 = {B1}.
    C2 › estate E2 › building B3 › unit U3: room 301.
    Users: one per role, scoped inside C1 (their `*_2` twins sit in C2), plus residents.
    The party liaison lives in H201 and serves H102 (its twin lives in H301)."""
    from linju.people.models import (
        LiaisonHousehold,
        PartyMembership,
        PartyOrganisation,
        PartyOrgKind,
        Relation,
        Residency,
        ResidencyStatus,
        RoleGrant,
        User,
    )
    from linju.places.models import Grid, Household, Place
    from linju.reports import defaults
    from linju.reports.models import Category

    # Migration 0002's categories are flushed away by any transactional test (browser tests
    # too) that ran before this one in the same process.
    if not Category.objects.exists():
        defaults.install()
    from linju.deliberation import defaults as deliberation_defaults
    from linju.deliberation.models import Procedure

    if not Procedure.objects.exists():
        deliberation_defaults.install()
    from linju.ratings import defaults as ratings_defaults

    ratings_defaults.install()
    c = City()

    def place(key, kind, parent=None):
        c.places[key] = Place.objects.create(
            kind=kind, name=key, code=key, parent=c.places.get(parent)
        )

    place("D", "district")
    place("S", "subdistrict", "D")
    place("C1", "community", "S")
    place("C2", "community", "S")
    place("E1", "estate", "C1")
    place("E2", "estate", "C2")
    place("B1", "building", "E1")
    place("B2", "building", "E1")
    place("B3", "building", "E2")
    place("U1", "unit", "B1")
    place("U2", "unit", "B2")
    place("U3", "unit", "B3")
    for key, unit, room in [
        ("H101", "U1", "101"),
        ("H102", "U1", "102"),
        ("H201", "U2", "201"),
        ("H301", "U3", "301"),
    ]:
        c.households[key] = Household.objects.create(
            unit=c.places[unit], room=room, floor=int(room[0]), area=Decimal("88.50")
        )
    g1 = Grid.objects.create(community=c.places["C1"], name="G1", code="G1")
    g1.buildings.set([c.places["B1"]])
    g2 = Grid.objects.create(community=c.places["C2"], name="G2", code="G2")
    g2.buildings.set([c.places["B3"]])
    c.grids.update(G1=g1, G2=g2)

    n = iter(range(13800000001, 13900000000))

    def user(key, name):
        c.users[key] = User.objects.create_user(str(next(n)), "pass-Word-9", name=name)
        return c.users[key]

    scopes = {
        "unit_head": ("U1", "U3"),
        "building_head": ("B1", "B3"),
        "floor_head": ("B1", "B3"),
        "grid_worker": ("G1", "G2"),
        "community_staff": ("C1", "C2"),
        "property_manager": ("E1", "E2"),
        "owners_committee": ("E1", "E2"),
        "partner": ("C1", "C2"),
        "subdistrict_admin": ("S", None),
    }
    for role, (inside, other) in scopes.items():
        for key, scope in ((role, inside), (f"{role}_2", other)):
            if scope is None:
                continue
            u = user(key, f"{role} {key[-1]}")
            if scope.startswith("G"):
                RoleGrant.objects.create(user=u, role=role, grid=c.grids[scope])
            else:
                RoleGrant.objects.create(user=u, role=role, place=c.places[scope])
    for key, hh, relation in [
        ("owner", "H101", Relation.OWNER),
        ("tenant", "H102", Relation.TENANT),
        ("owner_2", "H301", Relation.OWNER),
    ]:
        u = user(key, f"张{key}明")
        Residency.objects.create(
            user=u,
            household=c.households[hh],
            relation=relation,
            status=ResidencyStatus.VERIFIED,
            source="roster",
        )
    # 党员中心户: the party liaison lives in H201 and serves H102; its twin lives in H301.
    committee = PartyOrganisation.objects.create(
        kind=PartyOrgKind.COMMITTEE, name="C1 committee", place=c.places["C1"]
    )
    committee_2 = PartyOrganisation.objects.create(
        kind=PartyOrgKind.COMMITTEE, name="C2 committee", place=c.places["C2"]
    )
    for key, home, org, served in [
        ("party_liaison", "H201", committee, ["H102"]),
        ("party_liaison_2", "H301", committee_2, []),
    ]:
        u = user(key, f"党员{key[-1]}")
        Residency.objects.create(
            user=u,
            household=c.households[home],
            relation=Relation.FAMILY,
            status=ResidencyStatus.VERIFIED,
            source="roster",
        )
        PartyMembership.objects.create(organisation=org, user=u)
        liaison = LiaisonHousehold.objects.create(
            member=u, household=c.households[home], organisation=org
        )
        liaison.served.set([c.households[h] for h in served])
    user("newcomer", "李新来")
    return c


@pytest.fixture
def city(db):
    return build_city()


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_SENDER = "linju.people.sms.LocmemSender"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def english(client, settings):
    """The test client with English chosen, for tests that read the wording of pages and API
    answers (zh-Hans is the default)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture(autouse=True)
def _empty_cache():
    """Ids come back after a rollback (SQLite), so nothing cached may outlive its test."""
    from django.core.cache import cache

    cache.clear()
    yield
