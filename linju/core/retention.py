"""How long security records are kept, and their purge (ASVS V7.3, PIPL art. 19, and the
Cybersecurity Law's six months for network logs).

Login history (django-axes' AccessLog and AccessFailureLog) is kept LOGIN_HISTORY_DAYS, the
audit log AUDIT_RETENTION_DAYS (0: for ever); neither may be set below MIN_DAYS. SMS codes are
useless a day after they were sent and only ever counted for an hour, so they go after a day;
expired sessions go too."""

from datetime import timedelta

from django.conf import settings
from django.core import checks
from django.utils import timezone

MIN_DAYS = 180
SMS_CODE_DAYS = 1
BATCH = 10_000


@checks.register(checks.Tags.security)
def check_retention(app_configs=None, **kwargs):
    errors = []
    if settings.LOGIN_HISTORY_DAYS < MIN_DAYS:
        errors.append(
            checks.Error(
                f"LINJU_LOGIN_HISTORY_DAYS is {settings.LOGIN_HISTORY_DAYS}; login history "
                f"must be kept at least {MIN_DAYS} days.",
                id="linju.E001",
            )
        )
    if 0 < settings.AUDIT_RETENTION_DAYS < MIN_DAYS:
        errors.append(
            checks.Error(
                f"LINJU_AUDIT_RETENTION_DAYS is {settings.AUDIT_RETENTION_DAYS}; the audit log "
                f"must be kept at least {MIN_DAYS} days (0 keeps it for ever).",
                id="linju.E002",
            )
        )
    return errors


def _delete_in_batches(queryset, progress=None) -> int:
    """Delete by primary-key batches: one huge DELETE would hold its locks and bloat the WAL
    for minutes on a city's login history."""
    total = 0
    while True:
        ids = list(queryset.values_list("pk", flat=True)[:BATCH])
        if not ids:
            return total
        total += queryset.model._base_manager.filter(pk__in=ids).delete()[0]
        if progress is not None:
            progress(len(ids))


def purge(*, now=None, progress=None) -> dict[str, int]:
    """Remove what the retention settings no longer keep; returns rows removed per kind."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.sessions.models import Session

    from linju.people.models import SmsCode

    from .models import AuditEvent

    now = now or timezone.now()
    login_cutoff = now - timedelta(days=max(settings.LOGIN_HISTORY_DAYS, MIN_DAYS))
    removed = {
        "logins": _delete_in_batches(
            AccessLog.objects.filter(attempt_time__lt=login_cutoff), progress
        ),
        "failed_logins": _delete_in_batches(
            AccessFailureLog.objects.filter(attempt_time__lt=login_cutoff), progress
        ),
        # Lockout counters older than the cool-off lock no one out any more.
        "lockout_counters": _delete_in_batches(
            AccessAttempt.objects.filter(attempt_time__lt=now - settings.AXES_COOLOFF_TIME),
            progress,
        ),
        "sms_codes": _delete_in_batches(
            SmsCode.objects.filter(created_at__lt=now - timedelta(days=SMS_CODE_DAYS)), progress
        ),
        "sessions": _delete_in_batches(Session.objects.filter(expire_date__lt=now), progress),
        "audit_events": 0,
    }
    if settings.AUDIT_RETENTION_DAYS:
        cutoff = now - timedelta(days=max(settings.AUDIT_RETENTION_DAYS, MIN_DAYS))
        removed["audit_events"] = AuditEvent.objects.expire(before=cutoff)
    return removed
