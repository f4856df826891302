"""Residency requests and their verification (seed 002: the unit head, building head or grid
worker verifies a household), as services."""

import pytest

from linju.core import access
from linju.core.errors import Conflict, Forbidden, Invalid
from linju.core.models import AuditEvent, Notification
from linju.people import services
from linju.people.models import Residency, ResidencyStatus

pytestmark = pytest.mark.django_db

VERIFIERS = ["unit_head", "building_head", "grid_worker", "community_staff"]


def ask(city, household="H101", relation="owner", user="newcomer"):
    return services.request_residency(
        user=city.users[user],
        household_id=city.households[household].pk,
        relation=relation,
        note="moved in in May",
    )


def test_request_by_pick_notifies_verifiers_in_scope(city):
    residency = ask(city)
    assert residency.status == ResidencyStatus.PENDING
    assert residency.source == "request"
    notified = set(
        Notification.objects.filter(kind="residency.request").values_list(
            "recipient__mobile", flat=True
        )
    )
    expected = {city.users[k].mobile for k in VERIFIERS}
    assert notified == expected  # the *_2 twins, floor head and property manager are not told
    assert AuditEvent.objects.filter(verb="residency.request", object_id=str(residency.pk)).exists()


def test_request_by_invite_code(city):
    code = city.households["H201"].invite_code
    residency = services.request_residency_by_invite(
        user=city.users["newcomer"],
        invite_code=f" {code.lower()[:4]}-{code.lower()[4:]} ",
        relation="tenant",
    )
    assert residency.household == city.households["H201"]
    assert residency.source == "invite"


def test_bad_invite_code_names_the_field(city):
    with pytest.raises(Invalid) as exc:
        services.request_residency_by_invite(
            user=city.users["newcomer"], invite_code="NOPE0000", relation="owner"
        )
    assert "invite_code" in exc.value.errors
    assert not Residency.objects.filter(user=city.users["newcomer"]).exists()


@pytest.mark.parametrize("household_id", [None, "abc", 999999])
def test_bad_household_names_the_field(city, household_id):
    with pytest.raises(Invalid) as exc:
        services.request_residency(
            user=city.users["newcomer"], household_id=household_id, relation="owner"
        )
    assert "household" in exc.value.errors


def test_bad_relation_names_the_field(city):
    with pytest.raises(Invalid) as exc:
        ask(city, relation="landlord")
    assert "relation" in exc.value.errors


def test_duplicate_request_is_a_conflict(city):
    ask(city)
    with pytest.raises(Conflict) as exc:
        ask(city)
    assert exc.value.code == "residency_exists"
    assert Residency.objects.filter(user=city.users["newcomer"]).count() == 1


@pytest.mark.parametrize("verifier", VERIFIERS)
def test_each_verifier_approves_inside_scope(city, verifier):
    residency = ask(city)
    done = services.decide_residency(
        actor=city.users[verifier], residency_id=residency.pk, approve=True
    )
    assert done.status == ResidencyStatus.VERIFIED
    assert done.decided_by == city.users[verifier]
    decision = Notification.objects.get(kind="residency.decision")
    assert decision.recipient == city.users["newcomer"]
    assert AuditEvent.objects.filter(verb="residency.verify").count() == 1


@pytest.mark.parametrize("verifier", VERIFIERS)
def test_each_verifier_rejects_with_reason(city, verifier):
    residency = ask(city)
    done = services.decide_residency(
        actor=city.users[verifier], residency_id=residency.pk, approve=False, reason="Not on deed"
    )
    assert done.status == ResidencyStatus.REJECTED
    assert done.reason == "Not on deed"
    note = Notification.objects.get(kind="residency.decision", recipient=city.users["newcomer"])
    assert "Not on deed" in note.title


@pytest.mark.parametrize(
    "actor",
    [
        "unit_head_2",
        "building_head_2",
        "grid_worker_2",
        "community_staff_2",
        "floor_head",
        "property_manager",
        "owners_committee",
        "owner",
        "tenant",
        "partner",
    ],
)
def test_others_are_refused(city, actor):
    residency = ask(city)
    with pytest.raises(Forbidden):
        services.decide_residency(actor=city.users[actor], residency_id=residency.pk, approve=True)
    residency.refresh_from_db()
    assert residency.status == ResidencyStatus.PENDING


def test_reject_needs_a_reason(city):
    residency = ask(city)
    with pytest.raises(Invalid) as exc:
        services.decide_residency(
            actor=city.users["unit_head"], residency_id=residency.pk, approve=False, reason="  "
        )
    assert "reason" in exc.value.errors
    residency.refresh_from_db()
    assert residency.status == ResidencyStatus.PENDING


def test_decided_request_cannot_be_decided_again(city):
    residency = ask(city)
    services.decide_residency(
        actor=city.users["unit_head"], residency_id=residency.pk, approve=True
    )
    with pytest.raises(Conflict):
        services.decide_residency(
            actor=city.users["grid_worker"], residency_id=residency.pk, approve=False, reason="x"
        )


def test_nobody_verifies_their_own_request(city):
    head = city.users["unit_head"]
    residency = services.request_residency(
        user=head, household_id=city.households["H102"].pk, relation="family"
    )
    with pytest.raises(Forbidden):
        services.decide_residency(actor=head, residency_id=residency.pk, approve=True)
    # and the head is not asked to verify themselves
    assert not Notification.objects.filter(recipient=head, kind="residency.request").exists()


def test_verified_owner_gets_owner_role(city):
    newcomer = city.users["newcomer"]
    residency = ask(city, household="H201")
    assert "owner" not in access.role_scopes(newcomer)
    services.decide_residency(
        actor=city.users["community_staff"], residency_id=residency.pk, approve=True
    )
    access.forget(newcomer)
    scopes = access.role_scopes(newcomer)
    assert scopes["owner"] == (city.households["H201"].path,)
    assert scopes["resident"] == (city.households["H201"].path,)


def test_verified_tenant_is_resident_not_owner(city):
    residency = ask(city, relation="tenant")
    services.decide_residency(
        actor=city.users["unit_head"], residency_id=residency.pk, approve=True
    )
    scopes = access.role_scopes(city.users["newcomer"])
    assert "resident" in scopes and "owner" not in scopes


def test_end_residency_by_resident_and_refused_for_others(city):
    residency = ask(city)
    with pytest.raises(Forbidden):
        services.end_residency(actor=city.users["tenant"], residency_id=residency.pk)
    services.end_residency(actor=city.users["newcomer"], residency_id=residency.pk)
    residency.refresh_from_db()
    assert residency.status == ResidencyStatus.ENDED
    with pytest.raises(Conflict):
        services.end_residency(actor=city.users["newcomer"], residency_id=residency.pk)
    # once ended, the person may ask again
    assert ask(city).status == ResidencyStatus.PENDING


def test_leaving_drops_owner_rights(city):
    owner = city.users["owner"]
    live = Residency.objects.get(user=owner, status=ResidencyStatus.VERIFIED)
    assert "owner" in access.role_scopes(owner)
    services.end_residency(actor=owner, residency_id=live.pk)
    assert "owner" not in access.role_scopes(owner)
