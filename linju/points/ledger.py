"""The one place that writes the ledgers (DESIGN §4 Ledgers): every points or hours entry goes
through `post_points` / `post_hours`, inside the caller's transaction, with the person's
account row locked, so the cached balance and the entries never disagree.

- Idempotent: an entry's key is unique in the database; posting a key again returns the entry
  already written (the same person, amount and kind), or a Conflict if it says otherwise.
- Never below zero: the new balance is checked here (a clear error) and by the database's
  CHECK constraints on the account and on each entry (the last guard).
- Accounts are created on first use; two first posts at once meet on the account's unique key
  and both go on with the one row."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.core.cleaning import violated
from linju.core.errors import Conflict

from .models import Account, HoursEntry, PointsEntry


def locked_account(user_id) -> Account:
    account = Account.objects.select_for_update().filter(user_id=user_id).first()
    if account is None:
        try:
            with transaction.atomic():
                Account.objects.create(user_id=user_id)
        except IntegrityError:
            pass  # created by a concurrent first post: lock that one
        account = Account.objects.select_for_update().get(user_id=user_id)
    return account


def _replayed(existing, **expected):
    """The entry a repeated key already wrote, if it is the same posting."""
    for name, value in expected.items():
        if getattr(existing, name) != value:
            raise Conflict(
                _("This operation was recorded already with other figures."), code="key_reused"
            )
    return existing


def post_points(
    *, user_id, amount: int, kind: str, key: str, place, ref="", reason="", by=None, at=None
) -> PointsEntry:
    """Add `amount` (negative to spend) to a person's points, once per `key`."""
    existing = PointsEntry.objects.filter(key=key).first()
    if existing is not None:
        return _replayed(existing, user_id=user_id, amount=amount, kind=kind)
    account = locked_account(user_id)
    balance = account.points + amount
    if balance < 0:
        raise Conflict(
            _("Not enough points: %(have)d, %(need)d needed.")
            % {"have": account.points, "need": -amount},
            code="insufficient_points",
        )
    now = at or timezone.now()
    try:
        with transaction.atomic():
            entry = PointsEntry.objects.create(
                user_id=user_id,
                amount=amount,
                balance=balance,
                kind=kind,
                key=key,
                place=place,
                path=place.path,
                ref=ref,
                reason=reason,
                created_by=by,
                created_at=now,
            )
    except IntegrityError as exc:
        taken = PointsEntry.objects.filter(key=key).exists
        if not violated(exc, "points_entry_key_once", still_there=taken):
            raise
        # The same key posted at this instant by another request: that one counts.
        return _replayed(
            PointsEntry.objects.get(key=key), user_id=user_id, amount=amount, kind=kind
        )
    account.points, account.updated_at = balance, now
    account.save(update_fields=["points", "updated_at"])
    return entry


def post_hours(
    *, user_id, minutes: int, key: str, place, served_on, what: str, ref="", by=None, at=None
) -> HoursEntry:
    """Add service time to a person's record, once per `key` (negative only to correct)."""
    existing = HoursEntry.objects.filter(key=key).first()
    if existing is not None:
        return _replayed(existing, user_id=user_id, minutes=minutes)
    account = locked_account(user_id)
    total = account.minutes + minutes
    if total < 0:
        raise Conflict(_("The service record cannot go below zero."), code="insufficient_hours")
    now = at or timezone.now()
    try:
        with transaction.atomic():
            entry = HoursEntry.objects.create(
                user_id=user_id,
                minutes=minutes,
                total=total,
                served_on=served_on,
                what=what,
                key=key,
                place=place,
                path=place.path,
                ref=ref,
                created_by=by,
                created_at=now,
            )
    except IntegrityError as exc:
        taken = HoursEntry.objects.filter(key=key).exists
        if not violated(exc, "hours_entry_key_once", still_there=taken):
            raise
        return _replayed(HoursEntry.objects.get(key=key), user_id=user_id, minutes=minutes)
    account.minutes, account.updated_at = total, now
    account.save(update_fields=["minutes", "updated_at"])
    return entry
