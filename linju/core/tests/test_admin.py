"""Django admin, the back office of last resort: every page of our models opens for a
superuser, and the audit log cannot be written through it."""

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from linju.core import audit, notifications
from linju.core.models import ApiToken, AuditEvent
from linju.core.testing import log_in_to_admin
from linju.people.models import (
    LiaisonHousehold,
    PartyMembership,
    PartyOrganisation,
    SmsCode,
    User,
)

pytestmark = pytest.mark.django_db
APPS = {"core", "places", "people", "reports"}
# Rows that only the app itself creates: audit events, API tokens (their secret is shown once,
# on the token page) and SMS codes.
NO_ADD = {"core.AuditEvent", "core.ApiToken", "people.SmsCode"}
MODELS = sorted(
    (m for m in admin.site._registry if m._meta.app_label in APPS), key=lambda m: m._meta.label
)


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def superuser_client(client, city):
    root = User.objects.create_superuser("13700000000", "pass-Word-9", name="root")
    log_in_to_admin(client, root)
    # Something in every table, so change pages have a row to open.
    audit.record(actor=root, verb="test.event", obj=city.households["H101"])
    notifications.notify(recipients=[root], kind="k", title="hello")
    notifications.update_preference(user=root, email=True, webhook=False, muted_kinds=[])
    ApiToken.objects.create(user=root, name="script", prefix="abcd1234", key_hash="0" * 64)
    SmsCode.objects.create(
        mobile=root.mobile, purpose="login", code_hash="x", expires_at=timezone.now()
    )
    committee = PartyOrganisation.objects.create(
        kind="committee", name="C1 party committee", place=city.places["C1"]
    )
    PartyMembership.objects.create(organisation=committee, user=city.users["owner"])
    liaison = LiaisonHousehold.objects.create(
        member=city.users["owner"], household=city.households["H101"], organisation=committee
    )
    liaison.served.set([city.households["H102"]])
    from linju.reports import services as reports

    report = reports.submit_report(
        user=city.users["owner"],
        category_code="clutter",
        place_id=city.places["B1"].pk,
        description="纸箱",
    )
    reports.support_report(user=city.users["tenant"], report=report)
    reports.open_joint_case(user=city.users["community_staff"], report=report, note="三方")
    return client


def test_every_app_model_is_registered():
    labels = {m._meta.label for m in MODELS}
    assert {
        "core.AuditEvent",
        "core.Notification",
        "core.NotificationPreference",
        "core.ApiToken",
        "places.Place",
        "places.Grid",
        "places.Household",
        "people.User",
        "people.Residency",
        "people.RoleGrant",
        "people.PartyOrganisation",
        "people.LiaisonHousehold",
    } <= labels


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_changelist_search_and_add_pages_open(superuser_client, model):
    assert superuser_client.get(url(model, "changelist")).status_code == 200
    assert superuser_client.get(url(model, "changelist"), {"q": "1"}).status_code == 200
    expected = 403 if model._meta.label in NO_ADD else 200
    assert superuser_client.get(url(model, "add")).status_code == expected


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_change_page_opens(superuser_client, model):
    obj = model._default_manager.first()
    assert superuser_client.get(url(model, "change", obj.pk)).status_code == 200


def test_audit_events_are_read_only_in_admin(superuser_client):
    event = AuditEvent.objects.get(verb="test.event")
    model_admin = admin.site._registry[AuditEvent]
    assert not model_admin.has_add_permission(None)
    assert not model_admin.has_change_permission(None, event)
    assert not model_admin.has_delete_permission(None, event)
    assert superuser_client.get(url(AuditEvent, "delete", event.pk)).status_code == 403
    response = superuser_client.post(url(AuditEvent, "change", event.pk), {"verb": "tampered"})
    assert response.status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).verb == "test.event"


def test_add_user_by_mobile(superuser_client):
    response = superuser_client.post(
        url(User, "add"),
        {
            "mobile": "13912345678",
            "name": "王小明",
            "usable_password": "true",
            "password1": "a-Long-pass-42",
            "password2": "a-Long-pass-42",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(mobile="13912345678")
    assert user.name == "王小明" and user.check_password("a-Long-pass-42")


def test_add_user_rejects_a_bad_mobile(superuser_client):
    response = superuser_client.post(
        url(User, "add"),
        {"mobile": "12345", "usable_password": "false"},
    )
    assert response.status_code == 200
    assert not User.objects.filter(mobile="12345").exists()


def test_place_parent_is_fixed_once_created(superuser_client, city):
    place = city.places["B1"]
    body = superuser_client.get(url(type(place), "change", place.pk)).content.decode()
    assert 'name="parent"' not in body
    assert 'name="parent"' in superuser_client.get(url(type(place), "add")).content.decode()


# --- repairs in the admin are audited (core.admin_audit) ------------------------------------------


def test_every_model_admin_records_its_repairs_in_the_audit_log():
    from linju.core.admin_audit import AuditedAdmin

    plain = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if model.__module__.startswith("linju.") and not isinstance(model_admin, AuditedAdmin)
    ]
    assert plain == []


def test_a_change_in_the_admin_writes_an_audit_event_in_the_objects_scope(superuser_client, city):
    from linju.people.models import RoleGrant

    grant = RoleGrant.objects.get(user=city.users["unit_head"])
    data = {
        "user": grant.user_id,
        "role": grant.role,
        "place": grant.place_id,
        "grid": "",
        "granted_at_0": grant.granted_at.strftime("%Y-%m-%d"),
        "granted_at_1": grant.granted_at.strftime("%H:%M:%S"),
        "revoked_at_0": timezone.now().strftime("%Y-%m-%d"),
        "revoked_at_1": "00:00:00",
    }
    form = superuser_client.get(url(RoleGrant, "change", grant.pk)).context["adminform"].form
    data = {**{k: v for k, v in form.initial.items() if v is not None and k in form.fields}, **data}
    data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items()}

    response = superuser_client.post(url(RoleGrant, "change", grant.pk), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get(verb="admin.change", object_id=str(grant.pk))
    assert event.object_type == "people.rolegrant"
    assert event.scope_path == grant.place.path
    assert event.data["changes"]  # the fields that changed, as Django's admin log names them


def test_a_delete_in_the_admin_writes_an_audit_event_before_the_row_goes(superuser_client, city):
    from linju.places.models import Grid

    grid = Grid.objects.create(community=city.places["C1"], name="G9", code="G9")

    response = superuser_client.post(url(Grid, "delete", grid.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Grid.objects.filter(pk=grid.pk).exists()
    event = AuditEvent.objects.get(verb="admin.delete", object_id=str(grid.pk))
    assert event.object_type == "places.grid"
