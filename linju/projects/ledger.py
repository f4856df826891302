"""The one place that writes a crowdfunding campaign's public account (公开账目, seed 002:
制定众筹资金管理办法进行规范化管理; DESIGN §4 Ledgers): every `FundEntry` goes through `post`,
inside the caller's transaction, with the campaign row locked, so the campaign's cached totals
(income, expenses, refunds, balance) and the entries never disagree.

- Idempotent: an entry's key is unique in the database; posting a key again returns the entry
  already written (same campaign, kind and amount), or a Conflict if it says otherwise.
- Never below zero: an expense or a refund larger than the balance is refused here with the
  balance in the message, and by the CHECK constraints on the campaign and on each entry (the
  last guard).
- Lock order everywhere in services_funds: the campaign, then its payment or expense."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.core.cleaning import violated
from linju.core.errors import Conflict

from .models import Campaign, EntryKind, FundEntry
from .money import yuan_text

# Which cached total each kind moves, and the sign of its change to the balance.
_TOTALS = {
    EntryKind.INCOME: ("income_fen", 1),
    EntryKind.EXPENSE: ("expense_fen", -1),
    EntryKind.REFUND: ("refund_fen", -1),
}


def locked_campaign(campaign_id) -> Campaign:
    """The campaign row, locked until the transaction ends (the first lock every write of the
    fund takes)."""
    return Campaign.objects.select_for_update().get(pk=campaign_id)


def _replayed(existing, *, campaign_id, kind, amount):
    if (existing.campaign_id, existing.kind, existing.amount_fen) != (campaign_id, kind, amount):
        raise Conflict(
            _("This operation was recorded already with other figures."), code="key_reused"
        )
    return existing


def short_of(balance: int, need: int) -> Conflict:
    return Conflict(
        _("The fund holds %(have)s yuan; %(need)s yuan are needed.")
        % {"have": yuan_text(balance), "need": yuan_text(need)},
        code="insufficient_balance",
    )


def post(
    *,
    campaign: Campaign,
    kind: str,
    amount: int,
    key: str,
    recorded_by,
    payment=None,
    expense=None,
    household_id=None,
    approved_by=None,
    note: str = "",
) -> FundEntry:
    """Write one entry of `kind` for `amount` fen (> 0) on the locked `campaign` and move its
    totals, once per `key`. The caller holds the lock (`locked_campaign`) and passes that
    instance, which is updated in place."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger.post runs inside the caller's transaction")
    amount = int(amount)
    if amount < 1:
        raise ValueError("an entry moves at least one fen")
    existing = FundEntry.objects.filter(key=key).first()
    if existing is not None:
        return _replayed(existing, campaign_id=campaign.pk, kind=kind, amount=amount)
    total_field, sign = _TOTALS[EntryKind(kind)]
    after = campaign.balance_fen + sign * amount
    if after < 0:
        raise short_of(campaign.balance_fen, amount)
    now = timezone.now()
    try:
        with transaction.atomic():
            entry = FundEntry.objects.create(
                campaign=campaign,
                kind=kind,
                amount_fen=amount,
                balance_fen=after,
                key=key,
                payment=payment,
                expense=expense,
                household_id=household_id,
                note=note[:300],
                recorded_by=recorded_by,
                approved_by=approved_by,
                created_at=now,
            )
    except IntegrityError as exc:
        if not violated(
            exc, "fund_entry_key_once", still_there=FundEntry.objects.filter(key=key).exists
        ):
            raise
        return _replayed(
            FundEntry.objects.get(key=key), campaign_id=campaign.pk, kind=kind, amount=amount
        )
    setattr(campaign, total_field, getattr(campaign, total_field) + amount)
    campaign.balance_fen = after
    campaign.save(update_fields=[total_field, "balance_fen"])
    return entry
