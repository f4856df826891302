"""Role grants bound to scopes: services and the roles page."""

import pytest
from django.urls import reverse

from linju.core import access
from linju.core.errors import Conflict, Forbidden, Invalid
from linju.core.models import AuditEvent
from linju.people import services
from linju.people.models import RoleGrant

pytestmark = pytest.mark.django_db


def grant(city, actor="community_staff", user="newcomer", role="unit_head", place="U2", grid=None):
    return services.grant_role(
        actor=city.users[actor],
        user_id=city.users[user].pk,
        role=role,
        place_id=city.places[place].pk if place else None,
        grid_id=city.grids[grid].pk if grid else None,
    )


def test_grant_and_revoke_in_scope(city):
    g = grant(city)
    newcomer = city.users["newcomer"]
    assert access.role_scopes(newcomer)["unit_head"] == (city.places["U2"].path,)
    assert AuditEvent.objects.filter(verb="role.grant", object_id=str(g.pk)).exists()
    services.revoke_role(actor=city.users["community_staff"], grant_id=g.pk)
    access.forget(newcomer)
    assert "unit_head" not in access.role_scopes(newcomer)
    assert AuditEvent.objects.filter(verb="role.revoke", object_id=str(g.pk)).exists()
    with pytest.raises(Conflict):
        services.revoke_role(actor=city.users["community_staff"], grant_id=g.pk)


def test_grid_worker_is_bound_to_a_grid(city):
    g = grant(city, role="grid_worker", place=None, grid="G1")
    assert g.grid == city.grids["G1"]
    with pytest.raises(Invalid) as exc:
        grant(city, role="grid_worker", place="B1")
    assert "grid" in exc.value.errors


def test_wrong_place_kind_names_place(city):
    with pytest.raises(Invalid) as exc:
        grant(city, role="building_head", place="U2")
    assert "place" in exc.value.errors


def test_out_of_scope_is_forbidden(city):
    with pytest.raises(Forbidden):
        grant(city, place="U3")
    with pytest.raises(Forbidden):
        grant(city, role="grid_worker", place=None, grid="G2")
    with pytest.raises(Forbidden):
        grant(city, actor="unit_head")  # a head grants nothing


def test_duplicate_is_conflict(city):
    grant(city)
    with pytest.raises(Conflict):
        grant(city)
    assert RoleGrant.objects.filter(user=city.users["newcomer"], revoked_at=None).count() == 1


def test_only_subdistrict_admin_makes_another(city):
    with pytest.raises(Forbidden):
        grant(city, role="subdistrict_admin", place="S")
    g = grant(city, actor="subdistrict_admin", role="subdistrict_admin", place="S")
    assert g.place == city.places["S"]


def test_revoke_outside_scope_is_forbidden(city):
    theirs = RoleGrant.objects.get(user=city.users["unit_head_2"])
    with pytest.raises(Forbidden):
        services.revoke_role(actor=city.users["community_staff"], grant_id=theirs.pk)
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


# --- page -------------------------------------------------------------------------------------


def test_roles_page_lists_grants_in_scope(client, city):
    client.force_login(city.users["community_staff"])
    body = client.get(reverse("people:roles")).content.decode()
    assert city.users["unit_head"].name in body
    assert city.users["unit_head_2"].name not in body
    body = client.get(reverse("people:roles"), {"role": "grid_worker"}).content.decode()
    assert city.users["grid_worker"].name in body
    assert body.count("data-grant=") == 1
    body = client.get(reverse("people:roles"), {"place": city.places["B2"].pk}).content.decode()
    assert body.count("data-grant=") == 0


@pytest.mark.parametrize("role", ["unit_head", "grid_worker", "property_manager", "owner"])
def test_roles_page_refused_without_the_role(client, city, role):
    client.force_login(city.users[role])
    assert client.get(reverse("people:roles")).status_code == 403


def test_grant_by_mobile_on_the_page(client, city, english):
    client.force_login(city.users["community_staff"])
    data = {"mobile": city.users["newcomer"].mobile, "role": "building_head"}
    response = client.post(reverse("people:roles"), {**data, "place": city.places["B2"].pk})
    assert response.status_code == 302
    assert RoleGrant.objects.filter(user=city.users["newcomer"], role="building_head").exists()
    # duplicate → conflict message on the page
    response = client.post(reverse("people:roles"), {**data, "place": city.places["B2"].pk})
    assert "already holds this role" in response.content.decode()
    # wrong kind → error on place
    response = client.post(reverse("people:roles"), {**data, "place": city.places["U2"].pk})
    assert 'data-field="place"' in response.content.decode()
    # unknown number → error on mobile
    response = client.post(
        reverse("people:roles"), {**data, "mobile": "13999999999", "place": city.places["B1"].pk}
    )
    assert 'data-field="mobile"' in response.content.decode()
    # out of scope → 403
    response = client.post(reverse("people:roles"), {**data, "place": city.places["B3"].pk})
    assert response.status_code == 403


def test_place_options_follow_the_role(client, city):
    client.force_login(city.users["community_staff"])
    body = client.get(reverse("people:role_places"), {"role": "unit_head"}).content.decode()
    assert ">B1 · U1<" in body and ">B2 · U2<" in body
    assert "U3" not in body and "E1" not in body


def test_grant_form_lists_places_only_once_a_role_is_chosen(client, city, english):
    """A subdistrict has thousands of units: the place select waits for the role."""
    client.force_login(city.users["community_staff"])
    body = client.get(reverse("people:roles")).content.decode()
    place_select = body[body.index('name="place" id="id_place"') :]
    place_select = place_select[: place_select.index("</select>")]
    assert "Choose a role first" in place_select and "U1" not in place_select
    body = client.get(reverse("people:roles"), {"role": "unit_head"}).content.decode()
    assert ">B1 · U1<" in body
    options = client.get(reverse("people:role_places"), {"role": ""}).content.decode()
    assert "Choose a role first" in options and "U1" not in options


def test_revoke_with_confirmation(client, city, english):
    client.force_login(city.users["community_staff"])
    g = RoleGrant.objects.get(user=city.users["unit_head"])
    url = reverse("people:revoke_role", args=[g.pk])
    assert "Yes, revoke" in client.get(url).content.decode()
    g.refresh_from_db()
    assert g.revoked_at is None
    assert client.post(url).status_code == 302
    g.refresh_from_db()
    assert g.revoked_at is not None
    other = RoleGrant.objects.get(user=city.users["unit_head_2"])
    assert client.get(reverse("people:revoke_role", args=[other.pk])).status_code == 403
    assert client.post(reverse("people:revoke_role", args=[other.pk])).status_code == 403


def test_scope_path_is_the_place_or_the_grids_community_even_for_bulk_grants(city):
    """Scoped grant lists filter on the stored scope_path: save() sets it, and bulk loads
    (the demo, the city generator) fill it in SQL."""
    grid_grant = RoleGrant.objects.get(user=city.users["grid_worker"])
    assert grid_grant.scope_path == city.places["C1"].path
    head = RoleGrant.objects.get(user=city.users["unit_head"])
    assert head.scope_path == city.places["U1"].path
    bulk = RoleGrant.objects.bulk_create(
        [
            RoleGrant(user=city.users["newcomer"], role="partner", place=city.places["C2"]),
            RoleGrant(user=city.users["newcomer"], role="grid_worker", grid=city.grids["G2"]),
        ]
    )
    assert RoleGrant.objects.filter(pk__in=[g.pk for g in bulk], scope_path="").count() == 2
    RoleGrant.objects.filter(scope_path="").fill_scope_paths()
    assert {g.scope_path for g in RoleGrant.objects.filter(pk__in=[g.pk for g in bulk])} == {
        city.places["C2"].path
    }
