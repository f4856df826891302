"""Password and SMS-code login, lockout (django-axes), login history, session handling, logout,
and the staff idle timeout."""

import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from linju.core.middleware import StaffIdleTimeoutMiddleware
from linju.people.models import SmsCode

from .auth_helpers import PASSWORD, ask_code, last_code, logged_in_user_id

LOGIN = "people:login"


def post_login(client, mobile, password, **extra):
    return client.post(reverse(LOGIN), {"mobile": mobile, "password": password, **extra})


# --- password login ------------------------------------------------------------------------


@pytest.mark.django_db
def test_login_page_renders(client):
    response = client.get(reverse(LOGIN))
    assert response.status_code == 200
    assert reverse("people:code_login") in response.content.decode()


@pytest.mark.django_db
def test_password_login_logs_in_and_records_history(client, city):
    owner = city.users["owner"]

    response = post_login(client, owner.mobile, PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse(django_settings.LOGIN_REDIRECT_URL)
    assert logged_in_user_id(client) == str(owner.pk)
    assert AccessLog.objects.filter(username=owner.mobile).count() == 1


@pytest.mark.django_db
def test_login_accepts_formatted_numbers(client, city):
    owner = city.users["owner"]
    spaced = f"+86 {owner.mobile[:3]} {owner.mobile[3:7]} {owner.mobile[7:]}"
    assert post_login(client, spaced, PASSWORD).status_code == 302
    assert logged_in_user_id(client) == str(owner.pk)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "mobile, password, field",
    [
        ("13800000099", PASSWORD, None),
        ("owner", "wrong-password", None),
        ("12", PASSWORD, "mobile"),
    ],
)
def test_bad_login_shows_an_error(client, city, mobile, password, field):
    if mobile == "owner":
        mobile = city.users["owner"].mobile
    response = post_login(client, mobile, password)
    assert response.status_code == 200
    form = response.context["form"]
    assert (field or "__all__") in form.errors
    assert logged_in_user_id(client) is None


@pytest.mark.django_db
def test_failed_logins_are_recorded(client, city):
    owner = city.users["owner"]
    post_login(client, owner.mobile, "wrong-password")
    assert AccessFailureLog.objects.filter(username=owner.mobile).count() == 1
    assert AccessAttempt.objects.get(username=owner.mobile).failures_since_start == 1


@pytest.mark.django_db
def test_inactive_user_cannot_log_in(client, city):
    owner = city.users["owner"]
    owner.is_active = False
    owner.save()
    assert post_login(client, owner.mobile, PASSWORD).status_code == 200
    assert logged_in_user_id(client) is None


@pytest.mark.django_db
def test_lockout_after_five_failures_refuses_even_the_right_password(client, city, settings):
    owner = city.users["owner"]
    assert settings.AXES_FAILURE_LIMIT == 5
    for attempt in range(1, 5):
        response = post_login(client, owner.mobile, f"wrong-{attempt}")
        assert response.status_code == 200
    # Reformatting the number does not give a fresh allowance: axes sees the normalised number.
    response = post_login(client, f"+86{owner.mobile}", "wrong-5")
    assert response.status_code == 429
    assert 'data-testid="locked-out"' in response.content.decode()

    response = post_login(client, owner.mobile, PASSWORD)

    assert response.status_code == 429
    assert "people/locked_out.html" in [t.name for t in response.templates]
    assert logged_in_user_id(client) is None

    # Once the cool-off has passed, the right password works again.
    AccessAttempt.objects.filter(username=owner.mobile).update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    response = post_login(client, owner.mobile, PASSWORD)
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(owner.pk)


@pytest.mark.django_db
def test_lockout_is_per_account(client, city):
    owner, tenant = city.users["owner"], city.users["tenant"]
    for attempt in range(5):
        post_login(client, owner.mobile, f"wrong-{attempt}")
    assert post_login(client, tenant.mobile, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_login_rotates_the_session_key(client, city):
    session = client.session
    session["seen"] = True
    session.save()
    before = client.session.session_key

    post_login(client, city.users["owner"].mobile, PASSWORD)

    after = client.session.session_key
    assert after and after != before
    assert not client.session.exists(before)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/steal",
        "http://testserver.evil.example/",
        "javascript:alert(1)",
    ],
)
def test_login_refuses_an_open_redirect(client, city, target):
    response = post_login(client, city.users["owner"].mobile, PASSWORD, next=target)
    assert response.status_code == 302
    assert response["Location"] == reverse(django_settings.LOGIN_REDIRECT_URL)


@pytest.mark.django_db
def test_login_follows_a_local_next(client, city):
    url = reverse(LOGIN) + "?next=" + reverse("people:privacy")
    response = client.post(url, {"mobile": city.users["owner"].mobile, "password": PASSWORD})
    assert response["Location"] == reverse("people:privacy")
    page = client.get(reverse(LOGIN) + "?next=https://evil.example/")
    assert page.context["next"] == ""
    assert 'value="https://evil.example/"' not in page.content.decode()


@pytest.mark.django_db
def test_login_sets_the_preferred_language(client, city):
    owner = city.users["owner"]
    owner.language = "en"
    owner.save()
    response = post_login(client, owner.mobile, PASSWORD)
    assert response.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "en"


@pytest.mark.django_db
def test_login_without_language_preference_sets_no_cookie(client, city):
    response = post_login(client, city.users["owner"].mobile, PASSWORD)
    assert django_settings.LANGUAGE_COOKIE_NAME not in response.cookies


# --- logout --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_logout_is_post_only(client, city):
    client.force_login(city.users["owner"])
    assert client.get(reverse("people:logout")).status_code == 405
    assert logged_in_user_id(client) == str(city.users["owner"].pk)

    response = client.post(reverse("people:logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("people:login")
    assert logged_in_user_id(client) is None


# --- SMS codes -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_code_login(client, city, sms_outbox, django_capture_on_commit_callbacks):
    owner = city.users["owner"]
    response = ask_code(client, django_capture_on_commit_callbacks, owner.mobile, "login")
    assert 'data-testid="code-sent"' in response.content.decode()

    response = client.post(
        reverse("people:code_login"),
        {"mobile": owner.mobile, "code": last_code(sms_outbox, owner.mobile)},
    )

    assert response.status_code == 302
    assert logged_in_user_id(client) == str(owner.pk)
    assert AccessLog.objects.filter(username=owner.mobile).exists()


@pytest.mark.django_db
def test_code_login_works_while_password_login_is_locked(
    client, city, sms_outbox, django_capture_on_commit_callbacks
):
    owner = city.users["owner"]
    for attempt in range(5):
        post_login(client, owner.mobile, f"wrong-{attempt}")
    ask_code(client, django_capture_on_commit_callbacks, owner.mobile, "login")
    response = client.post(
        reverse("people:code_login"),
        {"mobile": owner.mobile, "code": last_code(sms_outbox, owner.mobile)},
    )
    assert response.status_code == 302
    # A successful login clears the failures (AXES_RESET_ON_SUCCESS).
    assert not AccessAttempt.objects.filter(username=owner.mobile).exists()


@pytest.mark.django_db
def test_code_login_for_unknown_number_sends_nothing_and_says_nothing(
    client, sms_outbox, django_capture_on_commit_callbacks
):
    response = ask_code(client, django_capture_on_commit_callbacks, "13700000000", "login")
    assert 'data-testid="code-sent"' in response.content.decode()
    assert sms_outbox == []
    response = client.post(
        reverse("people:code_login"), {"mobile": "13700000000", "code": "123456"}
    )
    assert "code" in response.context["form"].errors


@pytest.mark.django_db
def test_code_max_attempts(client, city, sms_outbox, django_capture_on_commit_callbacks, settings):
    owner = city.users["owner"]
    ask_code(client, django_capture_on_commit_callbacks, owner.mobile, "login")
    code = last_code(sms_outbox, owner.mobile)
    wrong = "111111" if code != "111111" else "222222"
    for _ in range(settings.SMS_MAX_ATTEMPTS):
        response = client.post(
            reverse("people:code_login"), {"mobile": owner.mobile, "code": wrong}
        )
        assert "code" in response.context["form"].errors

    response = client.post(reverse("people:code_login"), {"mobile": owner.mobile, "code": code})

    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert logged_in_user_id(client) is None


@pytest.mark.django_db
def test_expired_login_code_is_refused(
    client, city, sms_outbox, django_capture_on_commit_callbacks
):
    owner = city.users["owner"]
    ask_code(client, django_capture_on_commit_callbacks, owner.mobile, "login")
    SmsCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(
        reverse("people:code_login"),
        {"mobile": owner.mobile, "code": last_code(sms_outbox, owner.mobile)},
    )
    assert "code" in response.context["form"].errors
    assert logged_in_user_id(client) is None


@pytest.mark.django_db
def test_code_cannot_be_used_twice(client, city, sms_outbox, django_capture_on_commit_callbacks):
    owner = city.users["owner"]
    ask_code(client, django_capture_on_commit_callbacks, owner.mobile, "login")
    data = {"mobile": owner.mobile, "code": last_code(sms_outbox, owner.mobile)}
    assert client.post(reverse("people:code_login"), data).status_code == 302
    client.post(reverse("people:logout"))
    response = client.post(reverse("people:code_login"), data)
    assert "code" in response.context["form"].errors


@pytest.mark.django_db
def test_sms_too_soon(client, sms_outbox, django_capture_on_commit_callbacks):
    ask_code(client, django_capture_on_commit_callbacks, "13912345678")

    response = ask_code(client, django_capture_on_commit_callbacks, "13912345678")

    html = response.content.decode()
    assert 'data-field="mobile"' in html
    assert 'data-testid="code-sent"' not in html
    assert len(sms_outbox) == 1
    assert SmsCode.objects.count() == 1


@pytest.mark.django_db
def test_sms_too_many_per_hour(client, sms_outbox, django_capture_on_commit_callbacks, settings):
    settings.SMS_RESEND_SECONDS = 0
    for _ in range(settings.SMS_CODES_PER_HOUR):
        response = ask_code(client, django_capture_on_commit_callbacks, "13912345678")
        assert 'data-testid="code-sent"' in response.content.decode()

    response = ask_code(client, django_capture_on_commit_callbacks, "13912345678")

    assert 'data-field="mobile"' in response.content.decode()
    assert len(sms_outbox) == settings.SMS_CODES_PER_HOUR
    # An hour later the number may ask again.
    SmsCode.objects.update(created_at=timezone.now() - timedelta(hours=1, seconds=1))
    response = ask_code(client, django_capture_on_commit_callbacks, "13912345678")
    assert 'data-testid="code-sent"' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data", [{"mobile": "123", "purpose": "signup"}, {"mobile": "13912345678", "purpose": "x"}]
)
def test_send_code_bad_input_names_the_field(client, sms_outbox, data):
    response = client.post(reverse("people:send_code"), data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    field = "mobile" if data["mobile"] == "123" else "purpose"
    assert f'data-field="{field}"' in response.content.decode()
    assert sms_outbox == []


@pytest.mark.django_db
def test_send_code_without_javascript_goes_back_with_a_message(
    client, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("people:send_code"), {"mobile": "13912345678", "purpose": "signup"}
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("people:signup") + "?mobile=13912345678"
    page = client.get(response["Location"])
    assert 'value="13912345678"' in page.content.decode()
    assert len(list(page.context["messages"])) == 1


@pytest.mark.django_db
def test_send_code_is_post_only(client):
    assert client.get(reverse("people:send_code")).status_code == 405


# --- staff idle timeout ------------------------------------------------------------------------


def _age_session(client, seconds):
    session = client.session
    session[StaffIdleTimeoutMiddleware.key] = time.time() - seconds
    session.save()


@pytest.mark.django_db
def test_staff_session_ends_after_idle_timeout(client, city, settings):
    staff = city.users["grid_worker"]
    client.force_login(staff)
    assert client.get("/healthz").status_code == 200
    assert StaffIdleTimeoutMiddleware.key in client.session

    # Activity within the timeout keeps the session.
    _age_session(client, settings.STAFF_IDLE_TIMEOUT.total_seconds() - 60)
    assert client.get("/healthz").status_code == 200
    assert logged_in_user_id(client) == str(staff.pk)

    _age_session(client, settings.STAFF_IDLE_TIMEOUT.total_seconds() + 1)
    response = client.get("/healthz")

    assert response.status_code == 302
    assert response["Location"] == reverse("people:login") + "?idle=1"
    assert logged_in_user_id(client) is None


@pytest.mark.django_db
def test_staff_last_seen_is_written_at_most_once_a_minute(client, city):
    """Every staff page view reads the session; only the first in a minute writes it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(city.users["grid_worker"])
    client.get("/healthz")
    first_seen = client.session[StaffIdleTimeoutMiddleware.key]

    def session_writes():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/healthz").status_code == 200
        return [q for q in ctx.captured_queries if q["sql"].startswith(("UPDATE", "INSERT"))]

    assert session_writes() == []
    assert client.session[StaffIdleTimeoutMiddleware.key] == first_seen
    _age_session(client, StaffIdleTimeoutMiddleware.resolution)
    assert session_writes() != []
    assert client.session[StaffIdleTimeoutMiddleware.key] > first_seen


@pytest.mark.django_db
def test_resident_session_survives_idle_time(client, city, settings):
    owner = city.users["owner"]
    client.force_login(owner)
    _age_session(client, settings.STAFF_IDLE_TIMEOUT.total_seconds() * 10)
    assert client.get("/healthz").status_code == 200
    assert logged_in_user_id(client) == str(owner.pk)
