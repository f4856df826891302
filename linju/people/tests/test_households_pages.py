"""The household binding page, the verification queue page and the invite cards page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from linju.core.models import AuditEvent
from linju.core.testing import linked_styles
from linju.people.models import Residency, ResidencyStatus, User
from linju.places.models import Household

pytestmark = pytest.mark.django_db


def logged_in(client, user):
    client.force_login(user)
    return client


# --- binding -----------------------------------------------------------------------------------


def test_bind_needs_login(client):
    response = client.get(reverse("people:bind"))
    assert response.status_code == 302
    assert "next=" in response["Location"]


def test_bind_walks_the_tree_without_javascript(client, city):
    c = logged_in(client, city.users["newcomer"])
    page = c.get(reverse("people:bind")).content.decode()
    assert f'value="{city.places["E1"].pk}"' in page and f'value="{city.places["E2"].pk}"' in page
    page = c.get(reverse("people:bind"), {"estate": city.places["E1"].pk}).content.decode()
    assert f'value="{city.places["B1"].pk}"' in page
    assert f'value="{city.places["B3"].pk}"' not in page
    page = c.get(
        reverse("people:bind"),
        {
            "estate": city.places["E1"].pk,
            "building": city.places["B1"].pk,
            "unit": city.places["U1"].pk,
        },
    ).content.decode()
    assert f'value="{city.households["H101"].pk}"' in page
    assert f'value="{city.households["H201"].pk}"' not in page
    # never other households' people
    assert "张owner明" not in page and "张tenant明" not in page


def test_bind_options_for_htmx(client, city):
    c = logged_in(client, city.users["newcomer"])
    url = reverse("people:bind_options")
    body = c.get(url, {"level": "building", "estate": city.places["E1"].pk}).content.decode()
    assert "<option" in body and ">B1<" in body and ">B2<" in body and ">B3<" not in body
    assert 'id="id_unit" hx-swap-oob' in body
    body = c.get(url, {"level": "room", "unit": city.places["U1"].pk}).content.decode()
    assert ">101<" in body and ">102<" in body
    # an estate id where a building is expected offers nothing; bad input is no 500
    body = c.get(url, {"level": "unit", "building": city.places["E1"].pk}).content.decode()
    assert body.count("<option") == 2  # the placeholder and the emptied room select
    assert c.get(url, {"level": "room", "unit": "x"}).status_code == 200
    assert c.get(url, {"level": "nope"}).status_code == 404


def test_bind_by_pick_then_status_and_withdraw(client, city, english):
    c = logged_in(client, city.users["newcomer"])
    response = c.post(
        reverse("people:bind"),
        {
            "action": "pick",
            "household": city.households["H102"].pk,
            "relation": "family",
            "note": "",
        },
    )
    assert response.status_code == 302
    residency = Residency.objects.get(user=city.users["newcomer"])
    assert residency.status == ResidencyStatus.PENDING
    page = c.get(reverse("people:bind")).content.decode()
    assert "Waiting for verification" in page and "102" in page
    c.post(reverse("people:end_residency", args=[residency.pk]))
    residency.refresh_from_db()
    assert residency.status == ResidencyStatus.ENDED


def test_bind_duplicate_shows_conflict(client, city, english):
    c = logged_in(client, city.users["newcomer"])
    data = {"action": "pick", "household": city.households["H102"].pk, "relation": "tenant"}
    c.post(reverse("people:bind"), data)
    response = c.post(reverse("people:bind"), data)
    assert response.status_code == 200
    assert "already asked to join this household" in response.content.decode()


def test_bind_missing_room_names_the_field(client, city):
    c = logged_in(client, city.users["newcomer"])
    response = c.post(reverse("people:bind"), {"action": "pick", "relation": "tenant"})
    assert 'data-field="household"' in response.content.decode()
    response = c.post(
        reverse("people:bind"), {"action": "pick", "household": "zz", "relation": "tenant"}
    )
    assert response.status_code == 200


def test_bind_by_invite_code_and_bad_code(client, city):
    c = logged_in(client, city.users["newcomer"])
    response = c.post(
        reverse("people:bind"),
        {"action": "invite", "invite-invite_code": "ZZZZ2222", "invite-relation": "owner"},
    )
    assert 'data-field="invite_code"' in response.content.decode()
    assert not Residency.objects.filter(user=city.users["newcomer"]).exists()
    response = c.post(
        reverse("people:bind"),
        {
            "action": "invite",
            "invite-invite_code": city.households["H301"].invite_code,
            "invite-relation": "owner",
        },
    )
    assert response.status_code == 302
    assert Residency.objects.get(user=city.users["newcomer"]).household == city.households["H301"]


def test_join_link_prefills_the_code(client, city):
    code = city.households["H201"].invite_code
    url = reverse("people:join", args=[code])
    assert client.get(url).status_code == 302  # login first, then back here
    page = logged_in(client, city.users["newcomer"]).get(url).content.decode()
    assert f'value="{code}"' in page


def test_leave_someone_elses_household_is_refused(client, city):
    owners = Residency.objects.get(user=city.users["owner"])
    response = logged_in(client, city.users["tenant"]).post(
        reverse("people:end_residency", args=[owners.pk])
    )
    assert response.status_code == 403
    owners.refresh_from_db()
    assert owners.status == ResidencyStatus.VERIFIED


# --- verification queue -------------------------------------------------------------------------


def make_pending(city, count):
    """`count` newcomers each asking to join a fresh room of U1."""
    for i in range(count):
        hh = Household.objects.create(
            unit=city.places["U1"], room=f"9{i:02d}", floor=9, area=Decimal("70")
        )
        u = User.objects.create_user(f"1370000{i:04d}", "pw-Long-enough-1", name=f"新人{i}")
        Residency.objects.create(user=u, household=hh, relation="tenant", note=f"note {i}")


@pytest.mark.parametrize("role", ["unit_head", "building_head", "grid_worker", "community_staff"])
def test_queue_shows_in_scope_requests_in_full(client, city, role):
    Residency.objects.create(
        user=city.users["newcomer"],
        household=city.households["H102"],
        relation="family",
        note="I am the daughter",
    )
    outsider = User.objects.create_user("13600000001", "pw-Long-enough-1", name="外人")
    Residency.objects.create(user=outsider, household=city.households["H301"], relation="tenant")
    page = logged_in(client, city.users[role]).get(reverse("people:verify_queue")).content.decode()
    assert city.users["newcomer"].mobile in page and "李新来" in page
    assert "I am the daughter" in page
    assert "张tenant明" in page  # the verified member already there
    assert "外人" not in page


@pytest.mark.parametrize("role", ["floor_head", "property_manager", "owner", "newcomer", "partner"])
def test_queue_is_403_without_the_role(client, city, role):
    assert (
        logged_in(client, city.users[role]).get(reverse("people:verify_queue")).status_code == 403
    )


def test_queue_other_community_sees_nothing_of_ours(client, city):
    Residency.objects.create(
        user=city.users["newcomer"], household=city.households["H101"], relation="tenant"
    )
    page = logged_in(client, city.users["unit_head_2"]).get(reverse("people:verify_queue"))
    assert "李新来" not in page.content.decode()


def test_queue_query_count_is_bounded(client, city, django_assert_max_num_queries):
    c = logged_in(client, city.users["building_head"])
    make_pending(city, 1)
    c.get(reverse("people:verify_queue"))  # warm the session
    with django_assert_max_num_queries(12) as one:
        assert c.get(reverse("people:verify_queue")).status_code == 200
    make_pending_more = 19
    for i in range(make_pending_more):
        hh = Household.objects.create(
            unit=city.places["U1"], room=f"8{i:02d}", floor=8, area=Decimal("70")
        )
        u = User.objects.create_user(f"1350000{i:04d}", "pw-Long-enough-1", name=f"后来{i}")
        Residency.objects.create(user=u, household=hh, relation="tenant")
    with django_assert_max_num_queries(len(one.captured_queries)) as twenty:
        response = c.get(reverse("people:verify_queue"))
    assert response.content.decode().count("data-residency=") == 20
    assert len(twenty.captured_queries) == len(one.captured_queries)


def test_queue_paginates_oldest_first(client, city):
    make_pending(city, 25)
    c = logged_in(client, city.users["unit_head"])
    first = c.get(reverse("people:verify_queue")).content.decode()
    assert first.count("data-residency=") == 20 and "新人0<" in first
    second = c.get(reverse("people:verify_queue"), {"page": 2}).content.decode()
    assert second.count("data-residency=") == 5 and "新人24" in second


def test_queue_approve_and_reject_by_page(client, city, english):
    a = Residency.objects.create(
        user=city.users["newcomer"], household=city.households["H102"], relation="family"
    )
    c = logged_in(client, city.users["grid_worker"])
    response = c.post(
        reverse("people:verify_queue"), {"residency": a.pk, "decision": "reject", "reason": ""}
    )
    assert response.status_code == 200
    assert 'data-field="reason"' in response.content.decode()
    a.refresh_from_db()
    assert a.status == ResidencyStatus.PENDING
    response = c.post(
        reverse("people:verify_queue"), {"residency": a.pk, "decision": "approve", "reason": ""}
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.status == ResidencyStatus.VERIFIED
    assert AuditEvent.objects.filter(
        verb="residency.verify", actor=city.users["grid_worker"]
    ).exists()
    # deciding again: a clear message, not a 500
    response = c.post(
        reverse("people:verify_queue"), {"residency": a.pk, "decision": "reject", "reason": "x"}
    )
    assert response.status_code == 200
    assert "already been decided" in response.content.decode()


def test_queue_post_outside_scope_is_403(client, city):
    r = Residency.objects.create(
        user=city.users["newcomer"], household=city.households["H301"], relation="tenant"
    )
    response = logged_in(client, city.users["unit_head"]).post(
        reverse("people:verify_queue"), {"residency": r.pk, "decision": "approve"}
    )
    assert response.status_code == 403
    r.refresh_from_db()
    assert r.status == ResidencyStatus.PENDING


# --- invite cards -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["unit_head", "building_head", "grid_worker", "community_staff"])
def test_invite_cards_with_qr(client, city, role):
    response = logged_in(client, city.users[role]).get(
        reverse("people:invites", args=[city.places["U1"].pk])
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("<svg") == 2
    for key in ("H101", "H102"):
        assert city.households[key].invite_code in body
    assert city.households["H201"].invite_code not in body
    assert "@media print" in linked_styles(body)


def test_invite_cards_for_a_building(client, city):
    body = (
        logged_in(client, city.users["community_staff"])
        .get(reverse("people:invites", args=[city.places["B2"].pk]))
        .content.decode()
    )
    assert city.households["H201"].invite_code in body and body.count("<svg") == 1


@pytest.mark.parametrize(
    "role",
    [
        "unit_head_2",
        "building_head_2",
        "grid_worker_2",
        "community_staff_2",
        "floor_head",
        "property_manager",
        "owner",
    ],
)
def test_invite_cards_refused_outside_scope(client, city, role):
    response = logged_in(client, city.users[role]).get(
        reverse("people:invites", args=[city.places["U1"].pk])
    )
    assert response.status_code == 403


def test_invite_cards_only_for_units_and_buildings(client, city):
    c = logged_in(client, city.users["community_staff"])
    assert c.get(reverse("people:invites", args=[city.places["E1"].pk])).status_code == 404
