"""Background delivery of notifications (Django's Tasks API, database backend by default)."""

import json
import logging
import urllib.request
from email.utils import parseaddr
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
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


def _stamp(note_id: int, stamp: str) -> None:
    """Record a channel as delivered, once its send succeeded. The first run to stamp wins; a
    run that sent after it changes nothing."""
    Notification.objects.filter(pk=note_id, **{f"{stamp}__isnull": True}).update(
        **{stamp: timezone.now()}
    )


@task()
def deliver_notifications(ids: list[int]) -> int:
    """Send the e-mail and webhook copies recipients asked for; returns how many were sent.
    A channel that fails is left unstamped and the task fails after trying the others, so a
    retry sends only what is still missing.

    A channel is stamped after its send succeeded, never before: a run that dies between the
    two (its worker killed, its task re-queued by core.workers) sends that channel again rather
    than never. What "once" means therefore differs by channel:
    - webhook: delivered at least once, and every attempt carries the same Idempotency-Key
      (`linju-notification-<id>`), so a gateway that honours the key acts on it exactly once;
    - e-mail: delivered at least once. SMTP has no idempotency key; a repeat, only possible when
      a run dies between the mail server's acceptance and the stamp, is a second copy with the
      same Message-ID, which mail systems that deduplicate by it drop. (Stamping before sending
      traded that rare duplicate for a rare loss, and a lost notice is the worse of the two.)"""
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
                send()
                _stamp(note.pk, stamp)
                sent += 1
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
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "linju"
    EmailMessage(
        note.title,
        "\n\n".join(parts),
        to=[user.email],
        # The same on every attempt, like the webhook's Idempotency-Key.
        headers={"Message-ID": f"<linju-notification-{note.pk}@{domain}>"},
    ).send(fail_silently=False)


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
