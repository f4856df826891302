"""Sign-up with an SMS code, consent, and claiming a roster-imported account."""

from datetime import timedelta

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from linju.core.models import AuditEvent
from linju.people.models import SmsCode, User

from .auth_helpers import NEW_PASSWORD, ask_code, last_code, logged_in_user_id

MOBILE = "13912345678"


def signup_data(**overrides):
    data = {
        "mobile": MOBILE,
        "name": "陈小红",
        "password": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "code": "",
        "consent": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def expected_after_signup():
    try:
        return reverse("people:bind")
    except NoReverseMatch:
        return reverse("core:home")


@pytest.mark.django_db
def test_signup_page_renders_with_send_code_button_and_privacy_link(client):
    response = client.get(reverse("people:signup"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("people:send_code") in html
    assert '"purpose": "signup"' in html
    assert reverse("people:privacy") in html


@pytest.mark.django_db
def test_signup_happy_path(client, sms_outbox, django_capture_on_commit_callbacks, settings):
    response = ask_code(client, django_capture_on_commit_callbacks, MOBILE)
    assert response.status_code == 200
    assert 'data-testid="code-sent"' in response.content.decode()
    code = last_code(sms_outbox, MOBILE)

    response = client.post(reverse("people:signup"), signup_data(code=code))

    assert response.status_code == 302
    assert response["Location"] == expected_after_signup()
    user = User.objects.get(mobile=MOBILE)
    assert user.name == "陈小红"
    assert user.check_password(NEW_PASSWORD)
    assert user.privacy_consent_version == settings.PRIVACY_NOTICE_VERSION
    assert user.privacy_consent_at is not None
    assert logged_in_user_id(client) == str(user.pk)
    event = AuditEvent.objects.get(verb="account.signup", object_id=str(user.pk))
    assert event.actor == user
    assert event.data["consent_version"] == settings.PRIVACY_NOTICE_VERSION
    # The code is spent.
    assert SmsCode.objects.get(mobile=MOBILE).used_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"mobile": "12345"}, "mobile"),
        ({"mobile": "23912345678"}, "mobile"),
        ({"password": "12345678", "password2": "12345678"}, "password"),
        ({"password": "short", "password2": "short"}, "password"),
        ({"password2": "Another-river-42"}, "password2"),
        ({"consent": None}, "consent"),
        ({"name": "   "}, "name"),
        ({"code": "000000"}, "code"),
    ],
)
def test_signup_errors_name_the_field_and_create_nobody(
    client, sms_outbox, django_capture_on_commit_callbacks, overrides, field
):
    ask_code(client, django_capture_on_commit_callbacks, MOBILE)
    real = last_code(sms_outbox, MOBILE)
    data = signup_data(code=real if real != "000000" else "000001")
    data.update({k: v for k, v in overrides.items() if v is not None})
    for k, v in overrides.items():
        if v is None:
            data.pop(k)

    response = client.post(reverse("people:signup"), data)

    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert f'data-field="{field}"' in response.content.decode()
    assert not User.objects.filter(mobile=MOBILE).exists()
    assert logged_in_user_id(client) is None
    assert not AuditEvent.objects.filter(verb="account.signup").exists()


@pytest.mark.django_db
def test_signup_with_expired_code_is_refused(
    client, sms_outbox, django_capture_on_commit_callbacks
):
    ask_code(client, django_capture_on_commit_callbacks, MOBILE)
    code = last_code(sms_outbox, MOBILE)
    SmsCode.objects.filter(mobile=MOBILE).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client.post(reverse("people:signup"), signup_data(code=code))

    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert not User.objects.filter(mobile=MOBILE).exists()


@pytest.mark.django_db
def test_wrong_signup_codes_count_against_the_code(
    client, sms_outbox, django_capture_on_commit_callbacks, settings
):
    """Without the counter a sign-up form would allow guessing all 10^6 codes."""
    ask_code(client, django_capture_on_commit_callbacks, MOBILE)
    code = last_code(sms_outbox, MOBILE)
    wrong = "111111" if code != "111111" else "222222"
    for _ in range(settings.SMS_MAX_ATTEMPTS):
        response = client.post(reverse("people:signup"), signup_data(code=wrong))
        assert "code" in response.context["form"].errors
    assert SmsCode.objects.get(mobile=MOBILE).attempts == settings.SMS_MAX_ATTEMPTS

    response = client.post(reverse("people:signup"), signup_data(code=code))

    assert "code" in response.context["form"].errors
    assert not User.objects.filter(mobile=MOBILE).exists()


@pytest.mark.django_db
def test_roster_imported_person_claims_the_account(
    client, sms_outbox, django_capture_on_commit_callbacks
):
    roster = User.objects.create_user(MOBILE, None, name="陈红")  # roster import: no password
    assert not roster.has_usable_password()
    ask_code(client, django_capture_on_commit_callbacks, MOBILE)

    response = client.post(
        reverse("people:signup"), signup_data(code=last_code(sms_outbox, MOBILE))
    )

    assert response.status_code == 302
    roster.refresh_from_db()
    assert roster.check_password(NEW_PASSWORD)
    assert roster.name == "陈红"  # the roster's name stays
    assert User.objects.filter(mobile=MOBILE).count() == 1
    assert logged_in_user_id(client) == str(roster.pk)


@pytest.mark.django_db
def test_existing_account_cannot_be_signed_up_again(
    client, sms_outbox, django_capture_on_commit_callbacks
):
    existing = User.objects.create_user(MOBILE, "Old-password-77", name="老用户")
    ask_code(client, django_capture_on_commit_callbacks, MOBILE)

    response = client.post(
        reverse("people:signup"), signup_data(code=last_code(sms_outbox, MOBILE))
    )

    assert response.status_code == 200
    assert "mobile" in response.context["form"].errors
    existing.refresh_from_db()
    assert existing.check_password("Old-password-77")
    assert existing.name == "老用户"
    assert logged_in_user_id(client) is None
