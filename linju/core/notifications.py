"""Notifications: the in-app inbox row is written in the caller's transaction; e-mail and the
webhook channel (an SMS or WeChat gateway) are delivered by a task enqueued after commit, so a
rolled-back change never sends a message about something that did not happen."""

from django.db import connection, transaction
from django.utils import timezone

from .models import Notification, NotificationPreference

# kind → label, for the "muted kinds" choice on the preferences page. Apps register theirs in
# AppConfig.ready(); a kind nobody registered is still delivered and can still be muted.
KINDS: dict[str, str] = {}


def register_kind(kind: str, label) -> None:
    KINDS[kind] = label


def notify(
    *, recipients, kind: str, title: str, body: str = "", url: str = ""
) -> list[Notification]:
    return notify_many(
        messages=[{"recipients": recipients, "title": title, "body": body, "url": url}],
        kind=kind,
    )


def notify_many(*, messages, kind: str) -> list[Notification]:
    """Several messages of one kind in one insert: each is a dict of `recipients` (users or
    user ids), `title`, and optionally `body` and `url`. Sweeps notify thousands at a time."""
    rows = []
    for m in messages:
        ids = dict.fromkeys(getattr(u, "pk", u) for u in m["recipients"])
        rows.extend(
            Notification(
                recipient_id=uid,
                kind=kind,
                title=str(m["title"]),
                body=str(m.get("body", "")),
                url=m.get("url", ""),
            )
            for uid in ids
        )
    if not rows:
        return []
    if connection.features.can_return_rows_from_bulk_insert:
        created = Notification.objects.bulk_create(rows, batch_size=2000)
    else:  # without RETURNING the ids are unknown after a bulk insert
        for row in rows:
            row.save()
        created = rows
    ids = [n.pk for n in created]

    def enqueue():
        from .tasks import deliver_notifications

        deliver_notifications.enqueue(ids)

    # robust: the write has committed; a queue the database cannot reach just now must not turn
    # its success into an error page (the lost delivery is logged).
    transaction.on_commit(enqueue, robust=True)
    return created


def preference_for(user) -> NotificationPreference:
    """The user's preferences; an unsaved default row when they never set any."""
    pref = NotificationPreference.objects.filter(user=user).first()
    return pref or NotificationPreference(user=user)


@transaction.atomic
def update_preference(
    *, user, email: bool, webhook: bool, muted_kinds: list[str]
) -> NotificationPreference:
    pref, _ = NotificationPreference.objects.update_or_create(
        user=user,
        defaults={
            "email": bool(email),
            "webhook": bool(webhook),
            "muted_kinds": sorted({str(k) for k in muted_kinds}),
        },
    )
    return pref


def kind_choices(user) -> list[tuple[str, str]]:
    """Registered kinds plus any kind the user has already received."""
    seen = Notification.objects.filter(recipient=user).values_list("kind", flat=True).distinct()
    kinds = dict(KINDS)
    for kind in seen:
        kinds.setdefault(kind, kind)
    return sorted(((k, str(v)) for k, v in kinds.items()), key=lambda kv: kv[0])


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(*, user, ids=None) -> int:
    """Mark the user's unread notifications (all, or those in `ids`) read; returns how many."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
