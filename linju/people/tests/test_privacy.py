"""Privacy (PIPL): the notice and consent, "my data" download, and account deletion."""

import json

import pytest
from axes.models import AccessLog
from django.urls import reverse

from linju.core.models import ApiToken, AuditEvent, Notification
from linju.core.tokens import create_token, user_for_key
from linju.people.models import Residency, ResidencyStatus, RoleGrant, SmsCode

from .auth_helpers import PASSWORD, logged_in_user_id

# --- the notice and consent ----------------------------------------------------------------------


@pytest.mark.django_db
def test_privacy_notice_is_public_and_versioned(client, settings):
    response = client.get(reverse("people:privacy"))
    assert response.status_code == 200
    html = response.content.decode()
    assert settings.PRIVACY_NOTICE_VERSION in html
    assert 'data-testid="consent"' not in html


@pytest.mark.django_db
def test_user_without_current_consent_can_consent(client, city, settings):
    owner = city.users["owner"]
    owner.privacy_consent_version = "2020-01"
    owner.save()
    client.force_login(owner)
    assert 'data-testid="consent"' in client.get(reverse("people:privacy")).content.decode()

    response = client.post(reverse("people:privacy"))

    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.privacy_consent_version == settings.PRIVACY_NOTICE_VERSION
    assert owner.privacy_consent_at is not None
    event = AuditEvent.objects.get(verb="account.consent", object_id=str(owner.pk))
    assert event.data == {"consent_version": settings.PRIVACY_NOTICE_VERSION}
    html = client.get(reverse("people:privacy")).content.decode()
    assert 'data-testid="consent"' not in html


@pytest.mark.django_db
def test_people_without_current_consent_are_reminded_on_every_page_but_the_notice(client, city):
    owner = city.users["owner"]
    owner.privacy_consent_version = "2020-01"  # as the roster import leaves it, or an old notice
    owner.save()
    client.force_login(owner)
    banner = 'data-testid="consent-banner"'

    assert banner in client.get(reverse("core:home")).content.decode()
    assert banner not in client.get(reverse("people:privacy")).content.decode()
    client.post(reverse("people:privacy"))
    assert banner not in client.get(reverse("core:home")).content.decode()


@pytest.mark.django_db
def test_anonymous_consent_goes_to_login(client):
    response = client.post(reverse("people:privacy"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("people:login"))
    assert not AuditEvent.objects.exists()


# --- my data -----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["my_data", "delete_account", "tokens"])
def test_personal_pages_need_login(client, name):
    response = client.get(reverse(f"people:{name}"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("people:login") + "?next=")


@pytest.mark.django_db
def test_my_data_page_and_download(client, city):
    owner = city.users["owner"]
    client.post(reverse("people:login"), {"mobile": owner.mobile, "password": PASSWORD})
    page = client.get(reverse("people:my_data"))
    assert page.status_code == 200
    assert 'data-testid="download-my-data"' in page.content.decode()

    response = client.get(reverse("people:my_data") + "?download=1")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == 'attachment; filename="linju-my-data.json"'
    data = json.loads(response.content)
    assert data["profile"]["mobile"] == owner.mobile
    assert data["profile"]["name"] == owner.name
    [residency] = data["residencies"]
    assert residency["relation"] == "owner"
    assert residency["status"] == "verified"
    assert residency["household"] == str(city.households["H101"])
    assert len(data["logins"]) == 1


# --- deleting the account ------------------------------------------------------------------------


def _delete(client, **data):
    return client.post(reverse("people:delete_account"), {"confirm": "on", **data})


@pytest.mark.django_db
def test_delete_account_needs_the_right_password_and_the_tick(client, city):
    owner = city.users["owner"]
    client.force_login(owner)

    response = _delete(client, password="wrong")
    assert "password" in response.context["form"].errors
    response = client.post(reverse("people:delete_account"), {"password": PASSWORD})
    assert "confirm" in response.context["form"].errors

    owner.refresh_from_db()
    assert owner.is_active and owner.name
    assert logged_in_user_id(client) == str(owner.pk)


@pytest.mark.django_db
def test_delete_account_anonymises_and_logs_out(client, city):
    person = city.users["unit_head"]  # holds a role; give them a household and traces too
    Residency.objects.create(
        user=person,
        household=city.households["H102"],
        relation="family",
        status=ResidencyStatus.VERIFIED,
    )
    Notification.objects.create(recipient=person, kind="x", title="hello")
    _token, key = create_token(user=person, name="script")
    old_mobile, old_name = person.mobile, person.name
    client.post(reverse("people:login"), {"mobile": old_mobile, "password": PASSWORD})
    assert logged_in_user_id(client) == str(person.pk)

    response = _delete(client, password=PASSWORD)

    assert response.status_code == 302
    assert logged_in_user_id(client) is None
    person.refresh_from_db()
    assert person.mobile.startswith("0") and len(person.mobile) == 11
    assert person.name == "" and person.email == ""
    assert not person.is_active
    assert not person.has_usable_password()
    assert not Residency.objects.filter(user=person).exclude(status=ResidencyStatus.ENDED).exists()
    assert not RoleGrant.objects.filter(user=person, revoked_at__isnull=True).exists()
    assert not Notification.objects.filter(recipient=person).exists()
    assert not ApiToken.objects.filter(user=person, revoked_at__isnull=True).exists()
    assert user_for_key(key) is None
    assert not SmsCode.objects.filter(mobile=old_mobile).exists()
    # The login history is kept, but no longer under the phone number.
    assert not AccessLog.objects.filter(username=old_mobile).exists()
    assert AccessLog.objects.filter(username=person.mobile).exists()
    event = AuditEvent.objects.get(verb="account.delete", object_id=str(person.pk))
    assert old_name not in event.object_repr
    assert event.scope_path == city.households["H102"].path

    # The person can no longer log in, by the old number or the new one.
    for mobile in (old_mobile, person.mobile):
        response = client.post(reverse("people:login"), {"mobile": mobile, "password": PASSWORD})
        assert response.status_code == 200
        assert logged_in_user_id(client) is None


@pytest.mark.django_db
def test_deleted_account_other_sessions_end(client, city):
    from django.test import Client

    owner = city.users["owner"]
    other = Client()
    other.force_login(owner)
    client.force_login(owner)
    _delete(client, password=PASSWORD)
    response = other.get(reverse("people:my_data"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("people:login"))


@pytest.mark.django_db
def test_code_only_account_deletes_without_password(client, city):
    newcomer = city.users["newcomer"]
    newcomer.set_unusable_password()
    newcomer.save()
    client.force_login(newcomer)
    assert "password" not in client.get(reverse("people:delete_account")).context["form"].fields

    assert _delete(client).status_code == 302

    newcomer.refresh_from_db()
    assert not newcomer.is_active
