"""Background delivery of notifications (Django's Tasks API, database backend by default)."""

import json
import logging
import urllib.request

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import task

from .models import Notification, NotificationPreference

log = logging.getLogger(__name__)


def post_webhook(payload: dict) -> None:
    request = urllib.request.Request(
        settings.NOTIFY_WEBHOOK_URL,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


@task()
def deliver_notifications(ids: list[int]) -> int:
    """Send the e-mail and webhook copies a recipient asked for. Each channel is stamped when
    sent, so a task run twice (a worker restarted mid-task) sends nothing twice."""
    sent = 0
    notes = Notification.objects.filter(pk__in=ids).select_related("recipient")
    prefs = {
        p.user_id: p
        for p in NotificationPreference.objects.filter(user_id__in=[n.recipient_id for n in notes])
    }
    for note in notes:
        pref = prefs.get(note.recipient_id) or NotificationPreference(user=note.recipient)
        if note.kind in (pref.muted_kinds or []):
            continue
        user = note.recipient
        if pref.email and user.email and note.emailed_at is None:
            send_mail(note.title, note.body or note.title, None, [user.email])
            Notification.objects.filter(pk=note.pk).update(emailed_at=timezone.now())
            sent += 1
        if pref.webhook and settings.NOTIFY_WEBHOOK_URL and note.webhooked_at is None:
            post_webhook(
                {
                    "mobile": user.mobile,
                    "kind": note.kind,
                    "title": note.title,
                    "body": note.body,
                    "url": note.url,
                }
            )
            Notification.objects.filter(pk=note.pk).update(webhooked_at=timezone.now())
            sent += 1
    return sent
