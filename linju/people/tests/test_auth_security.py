"""The account's security page (password change, login history), the client address behind
proxies, the per-address SMS limit, and the retention of login history and the audit log."""

from datetime import timedelta
from io import StringIO

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from linju.core import retention
from linju.core.models import AppendOnlyError, AuditEvent, Notification
from linju.core.net import client_ip
from linju.people.models import SmsCode

from .auth_helpers import NEW_PASSWORD, PASSWORD, ask_code, logged_in_user_id

SECURITY = "people:security"


def logged_in(user, password=PASSWORD):
    client = Client()
    response = client.post(reverse("people:login"), {"mobile": user.mobile, "password": password})
    assert response.status_code == 302, "login failed"
    return client


# --- the client's address --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "remote", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.9", "10.0.0.9"),  # facing the internet: X-Forwarded-For is a lie
        (1, "6.6.6.6, 203.0.113.7", "127.0.0.1", "203.0.113.7"),  # nginx appended the last
        (1, "", "127.0.0.1", "127.0.0.1"),
        (2, "6.6.6.6, 203.0.113.7, 10.1.1.1", "127.0.0.1", "203.0.113.7"),
        (1, "not-an-address", "127.0.0.1", ""),
    ],
)
def test_client_ip_believes_only_our_proxies(settings, proxies, forwarded, remote, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


@pytest.mark.django_db
def test_login_history_records_the_address_our_proxy_saw(client, city, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    owner = city.users["owner"]
    client.post(
        reverse("people:login"),
        {"mobile": owner.mobile, "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7",
    )
    assert AccessLog.objects.get(username=owner.mobile).ip_address == "203.0.113.7"


# --- SMS codes per address ---------------------------------------------------------------------


@pytest.mark.django_db
def test_sms_codes_are_limited_per_address(
    client, sms_outbox, django_capture_on_commit_callbacks, settings
):
    settings.SMS_CODES_PER_IP_HOUR = 3
    numbers = [f"1391234000{i}" for i in range(4)]
    for mobile in numbers[:3]:
        response = ask_code(client, django_capture_on_commit_callbacks, mobile)
        assert 'data-testid="code-sent"' in response.content.decode()

    response = ask_code(client, django_capture_on_commit_callbacks, numbers[3])

    assert 'data-field="mobile"' in response.content.decode()
    assert [to for to, _text in sms_outbox] == numbers[:3]
    assert SmsCode.objects.count() == 3
    # The table counts by a keyed digest; it never holds the address itself.
    assert not SmsCode.objects.filter(client_key__contains="127").exists()
    # Another network is not held up by this one.
    other = Client(REMOTE_ADDR="198.51.100.4")
    response = ask_code(other, django_capture_on_commit_callbacks, numbers[3])
    assert 'data-testid="code-sent"' in response.content.decode()


# --- changing the password ---------------------------------------------------------------------


@pytest.mark.django_db
def test_changing_the_password_ends_other_sessions_and_keeps_this_one(
    city, django_capture_on_commit_callbacks
):
    owner = city.users["owner"]
    desk = logged_in(owner)
    phone = logged_in(owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(
            reverse(SECURITY),
            {
                "current_password": PASSWORD,
                "new_password": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )

    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)
    assert desk.get(reverse(SECURITY)).status_code == 200  # still logged in here
    assert phone.get(reverse(SECURITY)).status_code == 302  # the other session has ended
    assert logged_in_user_id(phone) is None
    event = AuditEvent.objects.get(verb="account.password_change")
    assert (event.actor, event.object_id) == (owner, str(owner.pk))
    assert Notification.objects.filter(recipient=owner, kind="account.security").exists()
    # The old password no longer opens the account; the new one does.
    assert (
        Client()
        .post(reverse("people:login"), {"mobile": owner.mobile, "password": PASSWORD})
        .status_code
        == 200
    )
    logged_in(owner, NEW_PASSWORD)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"current_password": "wrong", "new_password": NEW_PASSWORD}, "current_password"),
        ({"current_password": PASSWORD, "new_password": "12345678"}, "new_password"),
        ({"current_password": PASSWORD, "new_password": "short"}, "new_password"),
        ({"current_password": PASSWORD, "new_password": "password123"}, "new_password"),
        (
            {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password2": "x"},
            "new_password2",
        ),
    ],
)
def test_a_bad_password_change_names_the_field_and_changes_nothing(city, data, field):
    owner = city.users["owner"]
    client = logged_in(owner)
    data = {"new_password2": data["new_password"], **data}

    response = client.post(reverse(SECURITY), data)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(verb="account.password_change").exists()


@pytest.mark.django_db
def test_someone_who_only_used_sms_codes_sets_a_first_password(client, city):
    newcomer = city.users["newcomer"]
    newcomer.set_unusable_password()
    newcomer.save()
    client.force_login(newcomer)

    page = client.get(reverse(SECURITY))
    assert "current_password" not in page.context["form"].fields

    response = client.post(
        reverse(SECURITY), {"new_password": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.check_password(NEW_PASSWORD)


@pytest.mark.django_db
def test_the_security_page_lists_logins_and_failed_attempts(city):
    owner = city.users["owner"]
    Client().post(reverse("people:login"), {"mobile": owner.mobile, "password": "nope"})
    client = logged_in(owner)

    response = client.get(reverse(SECURITY))

    history = response.context["history"]
    assert [row["ok"] for row in history] == [True, False]
    assert 'data-testid="login-history"' in response.content.decode()


def test_the_security_page_needs_a_login(client):
    response = client.get(reverse(SECURITY))
    assert response.status_code == 302
    assert reverse("people:login") in response["Location"]


# --- retention ---------------------------------------------------------------------------------


def _aged(model, days, **fields):
    row = model.objects.create(**fields)
    model.objects.filter(pk=row.pk).update(attempt_time=timezone.now() - timedelta(days=days))
    return row


def _audit(days):
    event = AuditEvent.objects.create(
        verb="test.old", object_type="people.user", object_id="1", object_repr="x"
    )
    # Ageing a row needs the plain queryset: the log's own refuses every update.
    from django.db.models import QuerySet

    QuerySet.update(
        AuditEvent.objects.filter(pk=event.pk), created_at=timezone.now() - timedelta(days=days)
    )
    return event


@pytest.mark.django_db
def test_purge_keeps_login_history_for_the_retention_and_drops_the_rest(settings):
    settings.LOGIN_HISTORY_DAYS = 365
    kept = _aged(AccessLog, 200, username="13800000001", ip_address="1.2.3.4")
    gone = _aged(AccessLog, 400, username="13800000001", ip_address="1.2.3.4")
    gone_failure = _aged(AccessFailureLog, 400, username="13800000001", locked_out=False)
    old_code = SmsCode.objects.create(
        mobile="13800000001",
        purpose="login",
        code_hash="x",
        expires_at=timezone.now(),
        created_at=timezone.now() - timedelta(days=2),
    )
    new_code = SmsCode.objects.create(
        mobile="13800000001", purpose="login", code_hash="x", expires_at=timezone.now()
    )
    old_event, new_event = _audit(3000), _audit(10)
    out = StringIO()

    call_command("purge_logs", verbosity=1, stdout=out, stderr=StringIO())

    assert set(AccessLog.objects.values_list("pk", flat=True)) == {kept.pk}
    assert not AccessFailureLog.objects.filter(pk=gone_failure.pk).exists()
    assert set(SmsCode.objects.values_list("pk", flat=True)) == {new_code.pk}
    # An audit retention of 0 keeps the log for ever.
    assert AuditEvent.objects.filter(pk__in=[old_event.pk, new_event.pk]).count() == 2
    assert "logins: 1" in out.getvalue()
    assert gone.pk != kept.pk and old_code.pk != new_code.pk


@pytest.mark.django_db
def test_audit_retention_drops_only_what_is_older_than_it(settings):
    settings.AUDIT_RETENTION_DAYS = 200
    old, young = _audit(300), _audit(190)

    removed = retention.purge()

    assert removed["audit_events"] == 1
    assert list(AuditEvent.objects.filter(verb="test.old").values_list("pk", flat=True)) == [
        young.pk
    ]
    assert old.pk != young.pk


@pytest.mark.django_db
def test_the_audit_log_refuses_to_expire_rows_younger_than_the_minimum():
    _audit(100)
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.expire(before=timezone.now() - timedelta(days=90))
    assert AuditEvent.objects.filter(verb="test.old").count() == 1


@pytest.mark.parametrize(
    ("login_days", "audit_days", "ids"),
    [
        (365, 0, []),
        (180, 180, []),
        (90, 0, ["linju.E001"]),
        (365, 30, ["linju.E002"]),
    ],
)
def test_retention_settings_below_six_months_fail_the_checks(settings, login_days, audit_days, ids):
    settings.LOGIN_HISTORY_DAYS = login_days
    settings.AUDIT_RETENTION_DAYS = audit_days
    assert [e.id for e in retention.check_retention()] == ids


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "ok"),
    [("Lantern-riv4", True), ("Lantern-ri4", False), ("x" * 120 + "Lantern-4", False)],
)
def test_passwords_are_twelve_to_128_characters(city, password, ok):
    owner = city.users["owner"]
    client = logged_in(owner)

    response = client.post(
        reverse(SECURITY),
        {"current_password": PASSWORD, "new_password": password, "new_password2": password},
    )

    assert (response.status_code == 302) is ok
    owner.refresh_from_db()
    assert owner.check_password(password) is ok
    if not ok:
        assert "new_password" in response.context["form"].errors


@pytest.mark.django_db
def test_log_out_everywhere_else_ends_the_other_sessions_only(city):
    owner = city.users["owner"]
    desk, phone, tablet = logged_in(owner), logged_in(owner), logged_in(owner)

    response = desk.post(reverse(SECURITY), {"action": "end_sessions"})

    assert response.status_code == 302
    assert desk.get(reverse(SECURITY)).status_code == 200
    for other in (phone, tablet):
        assert other.get(reverse(SECURITY)).status_code == 302
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)  # the password stays
    assert AuditEvent.objects.filter(verb="account.sessions_end", actor=owner).count() == 1
    # A new login works as before.
    assert logged_in(owner).get(reverse(SECURITY)).status_code == 200


@pytest.mark.django_db
def test_sessions_from_before_the_generation_field_stay_valid(city):
    # At generation 0 the session hash is Django's own, so an upgrade logs no one out.
    from django.contrib.auth.base_user import AbstractBaseUser

    owner = city.users["owner"]
    assert owner.get_session_auth_hash() == AbstractBaseUser._get_session_auth_hash(owner)
