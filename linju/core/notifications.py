"""Notifications: the in-app inbox row is written in the caller's transaction; e-mail and the
webhook channel (an SMS or WeChat gateway) are delivered by a task enqueued after commit."""

from django.db import transaction

from .models import Notification, NotificationPreference


def notify(
    *, recipients, kind: str, title: str, body: str = "", url: str = ""
) -> list[Notification]:
    rows = [
        Notification(recipient=user, kind=kind, title=str(title), body=str(body), url=url)
        for user in {u.pk: u for u in recipients}.values()
    ]
    created = Notification.objects.bulk_create(rows)
    if any(n.pk is None for n in created):  # backends without RETURNING on bulk insert
        created = list(
            Notification.objects.filter(kind=kind, title=str(title)).order_by("-id")[: len(rows)]
        )
    ids = [n.pk for n in created]

    def enqueue():
        from .tasks import deliver_notifications

        deliver_notifications.enqueue(ids)

    transaction.on_commit(enqueue)
    return created


def preference_for(user) -> NotificationPreference:
    pref, _ = NotificationPreference.objects.get_or_create(user=user)
    return pref


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(*, user, ids=None) -> int:
    from django.utils import timezone

    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
