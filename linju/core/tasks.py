"""Background delivery of notifications (Django's Tasks API, database backend by default)."""

import json
import logging
import urllib.request
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import task

from .models import Notification, NotificationPreference

log = logging.getLogger(__name__)


class DeliveryFailed(Exception):
    pass


def post_webhook(payload: dict) -> None:
    request = urllib.request.Request(
        settings.NOTIFY_WEBHOOK_URL,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={
            "Content-Type": "application/json; charset=utf-8",
            # The gateway can drop a repeat if we ever resend after a lost reply.
            "Idempotency-Key": f"linju-notification-{payload['id']}",
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


def _claim(note_id: int, stamp: str) -> bool:
    """Stamp a channel before sending; only the run whose update matched the row sends. Two
    runs of the task (a retry, or a worker restarted mid-task) can never both send."""
    return bool(
        Notification.objects.filter(pk=note_id, **{f"{stamp}__isnull": True}).update(
            **{stamp: timezone.now()}
        )
    )


def _release(note_id: int, stamp: str) -> None:
    """Sending failed: clear the stamp so a later run tries again."""
    Notification.objects.filter(pk=note_id).update(**{stamp: None})


def _send(note, stamp: str, send) -> bool:
    if not _claim(note.pk, stamp):
        return False
    try:
        send()
    except Exception:
        _release(note.pk, stamp)
        raise
    return True


@task()
def deliver_notifications(ids: list[int]) -> int:
    """Send the e-mail and webhook copies recipients asked for; returns how many were sent.
    A channel that fails is left unstamped and the task fails after trying the others, so a
    retry sends only what is still missing."""
    sent = 0
    failures = []
    notes = list(Notification.objects.filter(pk__in=ids).select_related("recipient"))
    prefs = {
        p.user_id: p
        for p in NotificationPreference.objects.filter(user_id__in={n.recipient_id for n in notes})
    }
    for note in notes:
        user = note.recipient
        pref = prefs.get(user.pk) or NotificationPreference(user=user)
        if note.kind in (pref.muted_kinds or []) or not user.is_active:
            continue
        channels = []
        if pref.email and user.email and note.emailed_at is None:
            channels.append(("emailed_at", partial(_send_email, note, user)))
        if pref.webhook and settings.NOTIFY_WEBHOOK_URL and note.webhooked_at is None:
            channels.append(("webhooked_at", partial(post_webhook, _webhook_payload(note, user))))
        for stamp, send in channels:
            try:
                sent += _send(note, stamp, send)
            except Exception as exc:
                log.warning("notification %s: %s failed: %s", note.pk, stamp, exc)
                failures.append((note.pk, stamp))
    if failures:
        raise DeliveryFailed(f"{len(failures)} deliveries failed: {failures}")
    return sent


def _send_email(note, user) -> None:
    parts = [note.body or note.title]
    if note.url:
        parts.append(note.url)
    send_mail(note.title, "\n\n".join(parts), None, [user.email], fail_silently=False)


def _webhook_payload(note, user) -> dict:
    return {
        "id": note.pk,
        "mobile": user.mobile,
        "kind": note.kind,
        "title": note.title,
        "body": note.body,
        "url": note.url,
        "created_at": note.created_at.isoformat(),
    }
