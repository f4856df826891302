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


def _post(model, *, constraint, balance_field, after_field, change_field, short, fields, same):
    """Write one entry of `model` and move the account's `balance_field` by its change, once
    per key: the shared steps of both ledgers. `same` is what a replay must match; `short` the
    error when the balance would go below zero."""
    key, user_id, change = fields["key"], fields["user_id"], fields[change_field]
    existing = model.objects.filter(key=key).first()
    if existing is not None:
        return _replayed(existing, **same)
    account = locked_account(user_id)
    after = getattr(account, balance_field) + change
    if after < 0:
        raise short(getattr(account, balance_field))
    now = fields.pop("at", None) or timezone.now()
    try:
        with transaction.atomic():
            entry = model.objects.create(**fields, **{after_field: after}, created_at=now)
    except IntegrityError as exc:
        if not violated(exc, constraint, still_there=model.objects.filter(key=key).exists):
            raise
        # The same key posted at this instant by another request: that one counts.
        return _replayed(model.objects.get(key=key), **same)
    setattr(account, balance_field, after)
    account.updated_at = now
    account.save(update_fields=[balance_field, "updated_at"])
    return entry


def post_points(
    *, user_id, amount: int, kind: str, key: str, place, ref="", reason="", by=None, at=None
) -> PointsEntry:
    """Add `amount` (negative to spend) to a person's points, once per `key`."""

    def short(have):
        return Conflict(
            _("Not enough points: %(have)d, %(need)d needed.") % {"have": have, "need": -amount},
            code="insufficient_points",
        )

    return _post(
        PointsEntry,
        constraint="points_entry_key_once",
        balance_field="points",
        after_field="balance",
        change_field="amount",
        short=short,
        same={"user_id": user_id, "amount": amount, "kind": kind},
        fields={
            "user_id": user_id,
            "amount": amount,
            "kind": kind,
            "key": key,
            "place": place,
            "path": place.path,
            "ref": ref,
            "reason": reason,
            "created_by": by,
            "at": at,
        },
    )


def post_hours(
    *, user_id, minutes: int, key: str, place, served_on, what: str, ref="", by=None, at=None
) -> HoursEntry:
    """Add service time to a person's record, once per `key` (negative only to correct)."""

    def short(_have):
        return Conflict(_("The service record cannot go below zero."), code="insufficient_hours")

    return _post(
        HoursEntry,
        constraint="hours_entry_key_once",
        balance_field="minutes",
        after_field="total",
        change_field="minutes",
        short=short,
        same={"user_id": user_id, "minutes": minutes},
        fields={
            "user_id": user_id,
            "minutes": minutes,
            "served_on": served_on,
            "what": what,
            "key": key,
            "place": place,
            "path": place.path,
            "ref": ref,
            "created_by": by,
            "at": at,
        },
    )
