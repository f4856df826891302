"""Every write of sharing (闲置共享) and the book corner (共享图书角, seed 002): offer an item to
lend, give away or swap (a book of the corner is lent), a neighbour requests it, the owner hands
it over, the borrower returns it (for loans); one active request or loan per item, guarded by
the database; flag an item (举报) and moderate the flags. One transaction each, permission
checked inside, audited."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.core import audit
from linju.core.errors import Conflict, Invalid, NotFound
from linju.core.notifications import notify

from . import rules
from .models import (
    ACTIVE_LOAN,
    LOAN_KINDS,
    Item,
    ItemFlag,
    ItemKind,
    ItemStatus,
    Loan,
    LoanStatus,
    Visibility,
)
from .services import MODERATIONS, _text

KIND = "mutualaid.sharing"


def _active(item):
    return Loan.objects.filter(item=item, status__in=ACTIVE_LOAN).first()


def _locked(user, item_id):
    """The item, locked (then its active loan): 404 to whoever may not see it."""
    item = Item.objects.select_for_update().filter(pk=item_id).first()
    if item is None:
        raise NotFound(_("Not found."))
    loan = _active(item)
    if not rules.can_see_item(user, item, borrower_id=loan.borrower_id if loan else None):
        raise NotFound(_("Not found."))
    return item, loan


def _tell(item, recipients, title):
    url = reverse("mutualaid:item", args=[item.pk])
    notify(recipients=recipients, kind=KIND, title=title, body=item.title, url=url)


def create_item(*, user, kind: str, title: str, description: str = "", place_id=None) -> Item:
    """Offer an item (or a book for the book corner) to the community the owner lives in."""
    with transaction.atomic():
        if kind not in ItemKind.values:
            raise Invalid({"kind": _("Choose lend, give away, swap or book.")})
        title = _text(title, "title", required=True, limit=100)
        description = _text(description, "description", required=False, limit=2000)
        place = rules.home_place(
            user, place_id, no_home=_("Your home must be verified before you share an item.")
        )
        path = place.path
        item = Item.objects.create(
            place=place, path=path, kind=kind, title=title, description=description, owner=user
        )
        audit.record(actor=user, verb="mutualaid.item_create", obj=item, data={"kind": kind})
        return item


def request_item(*, user, item_id: int) -> Loan:
    """A neighbour asks for the item. One active request or loan per item: 409 `unavailable`
    when someone else holds it (the partial unique index is the last guard)."""
    with transaction.atomic():
        item, loan = _locked(user, item_id)
        rules.require(not rules.is_owner(user, item), _("You cannot request your own item."))
        if item.status != ItemStatus.AVAILABLE or loan is not None:
            raise Conflict(_("Someone else has this item just now."), code="unavailable")
        try:
            with transaction.atomic():
                loan = Loan.objects.create(item=item, borrower=user)
        except IntegrityError:
            raise Conflict(_("Someone else has this item just now."), code="unavailable") from None
        audit.record(actor=user, verb="mutualaid.item_request", obj=item, data={"loan": loan.pk})
        _tell(item, [item.owner_id], _("A neighbour asks for your item"))
        return loan


def cancel_request(*, user, item_id: int) -> Loan:
    """The borrower or the owner calls off a request before the hand-over."""
    with transaction.atomic():
        item, loan = _locked(user, item_id)
        parties = (item.owner_id, loan.borrower_id if loan else None)
        rules.require(user.pk in parties)
        if loan is None or loan.status != LoanStatus.REQUESTED:
            raise Conflict(_("There is no request waiting."), code="no_request")
        loan.status = LoanStatus.CANCELLED
        loan.save(update_fields=["status"])
        audit.record(actor=user, verb="mutualaid.item_cancel", obj=item, data={"loan": loan.pk})
        other = loan.borrower_id if user.pk == item.owner_id else item.owner_id
        _tell(item, [other], _("A request for an item was called off"))
        return loan


def hand_over(*, user, item_id: int) -> Loan:
    """The owner hands the item over: lent (a loan, a book) or given for good (give, swap)."""
    with transaction.atomic():
        item, loan = _locked(user, item_id)
        rules.require(rules.is_owner(user, item), _("Only the owner hands the item over."))
        if loan is None or loan.status != LoanStatus.REQUESTED:
            raise Conflict(_("There is no request waiting."), code="no_request")
        now = timezone.now()
        if item.kind in LOAN_KINDS:
            loan.status, loan.handed_at = LoanStatus.HANDED, now
        else:  # given away or swapped: the exchange is done
            loan.status, loan.handed_at, loan.returned_at = LoanStatus.RETURNED, now, None
            item.status = ItemStatus.GONE
            item.save(update_fields=["status"])
        loan.save(update_fields=["status", "handed_at", "returned_at"])
        audit.record(
            actor=user,
            verb="mutualaid.item_hand_over",
            obj=item,
            data={"loan": loan.pk, "borrower": loan.borrower_id},
        )
        _tell(item, [loan.borrower_id], _("The item is handed over to you"))
        return loan


def return_item(*, user, item_id: int) -> Loan:
    """The borrower returns a lent item (or the owner records that it came back)."""
    with transaction.atomic():
        item, loan = _locked(user, item_id)
        parties = (item.owner_id, loan.borrower_id if loan else None)
        rules.require(user.pk in parties)
        if loan is None or loan.status != LoanStatus.HANDED:
            raise Conflict(_("This item is not on loan."), code="not_lent")
        loan.status, loan.returned_at = LoanStatus.RETURNED, timezone.now()
        loan.save(update_fields=["status", "returned_at"])
        audit.record(actor=user, verb="mutualaid.item_return", obj=item, data={"loan": loan.pk})
        other = loan.borrower_id if user.pk == item.owner_id else item.owner_id
        _tell(item, [other], _("A lent item came back"))
        return loan


def withdraw_item(*, user, item_id: int) -> Item:
    """The owner takes the item off the shelf while nobody asks for it or holds it."""
    with transaction.atomic():
        item, loan = _locked(user, item_id)
        rules.require(rules.is_owner(user, item), _("Only the owner withdraws the item."))
        if item.status != ItemStatus.AVAILABLE or loan is not None:
            raise Conflict(_("Only an available item can be withdrawn."), code="not_available")
        item.status = ItemStatus.WITHDRAWN
        item.save(update_fields=["status"])
        audit.record(actor=user, verb="mutualaid.item_withdraw", obj=item)
        return item


def flag_item(*, user, item_id: int, reason: str) -> ItemFlag:
    """举报: once per person; enough distinct open flags hide the item until staff decide."""
    with transaction.atomic():
        item, _loan = _locked(user, item_id)
        reason = _text(reason, "reason", required=True, limit=300)
        if ItemFlag.objects.filter(item=item, user=user).exists():
            raise Conflict(_("You have already flagged this post."), code="flagged")
        try:
            with transaction.atomic():
                flag = ItemFlag.objects.create(item=item, user=user, reason=reason)
        except IntegrityError:
            raise Conflict(_("You have already flagged this post."), code="flagged") from None
        open_flags = ItemFlag.objects.filter(item=item, dismissed_at__isnull=True).count()
        hidden = False
        if item.visibility == Visibility.SHOWN and open_flags >= rules.flags_to_hide():
            item.visibility = Visibility.FLAGGED
            item.save(update_fields=["visibility"])
            hidden = True
        audit.record(
            actor=user,
            verb="mutualaid.item_flag",
            obj=item,
            data={"flags": open_flags, "hidden": hidden},
        )
        return flag


def moderate_item(*, user, item_id: int, action: str, note: str = "") -> Item:
    """Staff of the scope: `hide`, `restore` (flags dismissed) or `dismiss` (flags dismissed,
    the staff's hiding kept)."""
    with transaction.atomic():
        item, _loan = _locked(user, item_id)
        rules.require(rules.access.can(user, "mutualaid.moderate", item))
        if action not in MODERATIONS:
            raise Invalid({"action": _("Choose hide, restore or dismiss.")})
        note = _text(note, "note", required=False, limit=300)
        dismissed = 0
        if action == "hide":
            item.visibility = Visibility.HIDDEN
        else:
            dismissed = ItemFlag.objects.filter(item=item, dismissed_at__isnull=True).update(
                dismissed_at=timezone.now()
            )
            if action == "restore" or item.visibility == Visibility.FLAGGED:
                item.visibility = Visibility.SHOWN
        item.save(update_fields=["visibility"])
        audit.record(
            actor=user,
            verb=f"mutualaid.item_{action}",
            obj=item,
            data={"note": note, "dismissed": dismissed, "visibility": item.visibility},
        )
        return item
