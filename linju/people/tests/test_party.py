"""The party overlay (seeds 001, 003): committee → grid branch → building group, members, and
liaison households (党员中心户) with the households they serve."""

import pytest
from django.urls import reverse

from linju.core.errors import Conflict, Forbidden, Invalid
from linju.core.models import AuditEvent
from linju.people import services
from linju.people.models import LiaisonHousehold, PartyMembership, PartyOrganisation

pytestmark = pytest.mark.django_db


def tree(city, actor="community_staff"):
    a = city.users[actor]
    committee = services.create_party_organisation(
        actor=a, kind="committee", name="C1 committee", place_id=city.places["C1"].pk
    )
    branch = services.create_party_organisation(
        actor=a,
        kind="branch",
        name="G1 branch",
        place_id=city.places["C1"].pk,
        parent_id=committee.pk,
        grid_id=city.grids["G1"].pk,
    )
    group = services.create_party_organisation(
        actor=a, kind="group", name="B1 group", place_id=city.places["B1"].pk, parent_id=branch.pk
    )
    return committee, branch, group


def test_build_the_tree(city):
    committee, branch, group = tree(city)
    assert group.parent == branch and branch.parent == committee
    assert AuditEvent.objects.filter(verb="party.organisation_create").count() == 3


def test_tree_rules_name_the_field(city):
    a = city.users["community_staff"]
    committee, branch, _ = tree(city)
    with pytest.raises(Invalid) as exc:
        services.create_party_organisation(
            actor=a, kind="group", name="x", place_id=city.places["C1"].pk, parent_id=branch.pk
        )
    assert "place" in exc.value.errors
    with pytest.raises(Invalid) as exc:
        services.create_party_organisation(
            actor=a, kind="group", name="x", place_id=city.places["B1"].pk, parent_id=committee.pk
        )
    assert "parent" in exc.value.errors
    with pytest.raises(Invalid) as exc:
        services.create_party_organisation(
            actor=a, kind="branch", name="", place_id=city.places["C1"].pk, parent_id=committee.pk
        )
    assert {"name", "grid"} <= set(exc.value.errors)


def test_outside_scope_is_forbidden(city):
    with pytest.raises(Forbidden):
        services.create_party_organisation(
            actor=city.users["community_staff"],
            kind="committee",
            name="C2 committee",
            place_id=city.places["C2"].pk,
        )
    with pytest.raises(Forbidden):
        tree(city, actor="unit_head")
    committee, _, _ = tree(city)
    with pytest.raises(Forbidden):
        services.add_party_member(
            actor=city.users["community_staff_2"],
            organisation_id=committee.pk,
            mobile=city.users["owner"].mobile,
        )


def test_members_liaison_and_served_households(city):
    a = city.users["community_staff"]
    _, _, group = tree(city)
    owner = city.users["owner"]  # verified in H101
    m = services.add_party_member(
        actor=a, organisation_id=group.pk, mobile=owner.mobile, position="组长"
    )
    with pytest.raises(Conflict):
        services.add_party_member(actor=a, organisation_id=group.pk, mobile=owner.mobile)
    with pytest.raises(Invalid) as exc:
        services.add_party_member(actor=a, organisation_id=group.pk, mobile="13999999999")
    assert "mobile" in exc.value.errors

    # a non-member, or a member without a verified household, cannot be a liaison household
    with pytest.raises(Invalid) as exc:
        services.set_liaison_household(
            actor=a, organisation_id=group.pk, mobile=city.users["tenant"].mobile
        )
    assert "mobile" in exc.value.errors

    liaison = services.set_liaison_household(actor=a, organisation_id=group.pk, mobile=owner.mobile)
    assert liaison.household == city.households["H101"]
    with pytest.raises(Conflict):
        services.set_liaison_household(actor=a, organisation_id=group.pk, mobile=owner.mobile)

    services.link_served_households(
        actor=a, liaison_id=liaison.pk, household_ids=[city.households["H102"].pk]
    )
    assert list(liaison.served.all()) == [city.households["H102"]]
    with pytest.raises(Forbidden):
        services.link_served_households(
            actor=a, liaison_id=liaison.pk, household_ids=[city.households["H301"].pk]
        )
    with pytest.raises(Invalid):
        services.link_served_households(actor=a, liaison_id=liaison.pk, household_ids=["x"])
    assert list(liaison.served.all()) == [city.households["H102"]]
    services.link_served_households(actor=a, liaison_id=liaison.pk, household_ids=[])
    assert not liaison.served.exists()

    # a liaison member stays until the liaison household ends
    with pytest.raises(Conflict):
        services.remove_party_member(actor=a, membership_id=m.pk)
    services.end_liaison_household(actor=a, liaison_id=liaison.pk)
    services.remove_party_member(actor=a, membership_id=m.pk)
    assert not PartyMembership.objects.filter(user=owner).exists()
    assert not LiaisonHousehold.objects.filter(member=owner).exists()
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"party.member_add", "party.liaison_set", "party.served_link"} <= verbs
    assert {"party.liaison_end", "party.member_remove"} <= verbs


# --- page -------------------------------------------------------------------------------------


def test_party_page_manage_flow(client, city):
    client.force_login(city.users["community_staff"])
    url = reverse("people:party")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "action": "create_organisation",
            "kind": "committee",
            "name": "社区党委",
            "place": city.places["C1"].pk,
        },
    )
    assert response.status_code == 302
    org = PartyOrganisation.objects.get(name="社区党委")
    response = client.post(
        url, {"action": "add_member", "organisation": org.pk, "mobile": "13999999999"}
    )
    assert 'data-field="mobile"' in response.content.decode()
    client.post(
        url,
        {"action": "add_member", "organisation": org.pk, "mobile": city.users["owner"].mobile},
    )
    client.post(
        url,
        {"action": "set_liaison", "organisation": org.pk, "mobile": city.users["owner"].mobile},
    )
    liaison = LiaisonHousehold.objects.get(member=city.users["owner"])
    served_url = reverse("people:party_served", args=[liaison.pk])
    body = client.get(served_url).content.decode()
    assert "U1 102" in body and "U2 201" not in body  # neighbours of the same building only
    client.post(served_url, {"households": [city.households["H102"].pk]})
    assert list(liaison.served.all()) == [city.households["H102"]]
    body = client.get(url).content.decode()
    assert "社区党委" in body and city.users["owner"].name in body
    assert city.users["owner"].mobile in body  # the manager sees the number in full


def test_party_page_read_only_for_other_staff(client, city):
    org = services.create_party_organisation(
        actor=city.users["community_staff"],
        kind="committee",
        name="C1 committee",
        place_id=city.places["C1"].pk,
    )
    services.add_party_member(
        actor=city.users["community_staff"],
        organisation_id=org.pk,
        mobile=city.users["owner"].mobile,
    )
    client.force_login(city.users["property_manager"])
    body = client.get(reverse("people:party")).content.decode()
    assert "C1 committee" in body
    assert city.users["owner"].mobile not in body  # masked for read-only staff
    assert "New organisation" not in body
    response = client.post(
        reverse("people:party"),
        {"action": "create_organisation", "kind": "committee", "name": "x", "place": 1},
    )
    assert response.status_code == 403
    client.force_login(city.users["community_staff_2"])
    assert "C1 committee" not in client.get(reverse("people:party")).content.decode()


@pytest.mark.parametrize("role", ["owner", "newcomer", "partner"])
def test_party_page_refused_for_non_staff(client, city, role):
    client.force_login(city.users[role])
    assert client.get(reverse("people:party")).status_code == 403


def test_party_page_counts_served_households_in_constant_queries(client, city, english):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(city.users["community_staff"])
    liaison = LiaisonHousehold.objects.get(member=city.users["party_liaison"])
    client.get(reverse("people:party"))
    with CaptureQueriesContext(connection) as few:
        body = client.get(reverse("people:party")).content.decode()
    assert "serves 1 household" in body
    liaison.served.add(city.households["H101"])
    with CaptureQueriesContext(connection) as more:
        body = client.get(reverse("people:party")).content.decode()
    assert "serves 2 households" in body
    assert len(more) == len(few)
