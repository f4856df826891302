"""The admin site asks for both factors: a password and a code sent to the phone
(people.factors, ASVS 4.3.1)."""

import pytest
from axes.models import AccessFailureLog
from django.test import Client
from django.urls import reverse

from linju.people import factors
from linju.people.models import User

from .auth_helpers import PASSWORD, last_code

ADMIN = "/admin/"
VERIFY = "people:verify"
pytestmark = pytest.mark.django_db


@pytest.fixture
def root():
    return User.objects.create_superuser("13700000001", PASSWORD, name="root")


def password_login(user):
    client = Client()
    response = client.post(reverse("people:login"), {"mobile": user.mobile, "password": PASSWORD})
    assert response.status_code == 302
    return client


def verify_url(target=ADMIN):
    return f"{reverse(VERIFY)}?next={target.replace('/', '%2F')}"


def test_a_password_alone_does_not_open_the_admin(
    root, sms_outbox, django_capture_on_commit_callbacks
):
    client = password_login(root)

    response = client.get(ADMIN)

    assert response.status_code == 302
    assert response["Location"] == verify_url()
    page = client.get(response["Location"])
    assert page.context["factor"] == factors.SMS
    assert "137****0001" in page.content.decode()  # the number is shown masked

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse(VERIFY), {"action": "send", "next": ADMIN})
    key_before = client.session.session_key
    response = client.post(
        reverse(VERIFY), {"code": last_code(sms_outbox, root.mobile), "next": ADMIN}
    )

    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == ADMIN  # nothing missing: go on
    assert client.get(ADMIN).status_code == 200
    assert client.session.session_key != key_before  # a new key with the new privilege


def test_a_wrong_code_keeps_the_admin_closed(root, sms_outbox, django_capture_on_commit_callbacks):
    client = password_login(root)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse(VERIFY), {"action": "send", "next": ADMIN})
    right = last_code(sms_outbox, root.mobile)
    wrong = "000000" if right != "000000" else "111111"

    response = client.post(reverse(VERIFY), {"code": wrong, "next": ADMIN})

    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert client.get(ADMIN).status_code == 302


def test_a_login_code_cannot_be_replayed_as_the_admin_code(
    root, sms_outbox, django_capture_on_commit_callbacks
):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("people:send_code"), {"mobile": root.mobile, "purpose": "login"})
    login_code = last_code(sms_outbox, root.mobile)
    client.post(reverse("people:code_login"), {"mobile": root.mobile, "code": login_code})

    # After an SMS login the admin asks for the password, not a code.
    page = client.get(verify_url())
    assert page.context["factor"] == factors.PASSWORD
    assert client.get(ADMIN).status_code == 302


def test_after_an_sms_login_the_password_completes_the_step_up(
    root, sms_outbox, django_capture_on_commit_callbacks
):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("people:send_code"), {"mobile": root.mobile, "purpose": "login"})
    client.post(
        reverse("people:code_login"),
        {"mobile": root.mobile, "code": last_code(sms_outbox, root.mobile)},
    )

    wrong = client.post(reverse(VERIFY), {"password": "not-the-password", "next": ADMIN})
    assert "password" in wrong.context["form"].errors
    assert AccessFailureLog.objects.filter(username=root.mobile).count() == 1  # axes counted it

    response = client.post(reverse(VERIFY), {"password": PASSWORD, "next": ADMIN})
    assert response.status_code == 302
    assert client.get(ADMIN).status_code == 200


def test_the_admin_login_form_is_the_sites_login(client):
    response = client.get("/admin/login/?next=/admin/core/auditevent/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("people:login"))
    assert "next=%2Fadmin%2Fcore%2Fauditevent%2F" in response["Location"]


def test_people_who_are_not_staff_get_no_step_up(client, city):
    client.force_login(city.users["community_staff"])
    response = client.get(ADMIN)
    assert response.status_code == 302
    assert not response["Location"].startswith(reverse(VERIFY))


def test_the_step_up_can_be_turned_off(root, settings):
    settings.ADMIN_TWO_FACTORS = False
    client = password_login(root)
    assert client.get(ADMIN).status_code == 200


def test_someone_without_a_password_is_sent_to_set_one(
    root, sms_outbox, django_capture_on_commit_callbacks
):
    root.set_unusable_password()
    root.save()
    client = Client()
    client.force_login(root, backend="linju.people.backends.MobileBackend")
    session = client.session
    session[factors.KEY] = [factors.SMS]
    session.save()

    page = client.get(verify_url())

    assert 'data-testid="needs-password"' in page.content.decode()
    assert client.get(ADMIN).status_code == 302


def test_verify_refuses_an_outside_next(root):
    client = password_login(root)
    session = client.session
    session[factors.KEY] = list(factors.FOR_ADMIN)
    session.save()
    response = client.get(f"{reverse(VERIFY)}?next=https://evil.example/")
    assert response["Location"] == ADMIN
