"""The love supermarket (爱心超市, seed 002: 以志愿积分兑换超市物品): items with a price in points,
stock and a monthly limit per person, often donated by a partner organisation; a resident of
the community redeems (stock reserved and points debited in one transaction, a pickup code to
show at the desk), staff hand the item out, a waiting redemption can be cancelled (points
refunded, stock back). Each function locks the item row first."""

from datetime import datetime, time

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.core import audit
from linju.core.cleaning import as_id, clean_text, violated
from linju.core.errors import Conflict, Invalid, NotFound
from linju.core.notifications import notify
from linju.core.uploads import clean_photo

from . import ledger, rules
from .models import PointsKind, Redemption, RedemptionStatus, StoreItem, pickup_code
from .services import clean_key, community_of

MAX_QUANTITY = 20


def _number(value, *, field, low, high, message) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Invalid({field: message}) from None
    if not low <= number <= high:
        raise Invalid({field: message})
    return number


def _clean_item(data) -> dict:
    out = {}
    if "name" in data:
        out["name"] = clean_text(
            data["name"], field="name", max_length=100, required=_("Name the item.")
        )
    if "description" in data:
        out["description"] = clean_text(data["description"], field="description", max_length=500)
    if "donor" in data:
        out["donor"] = clean_text(data["donor"], field="donor", max_length=100)
    if "cost" in data:
        out["cost"] = _number(
            data["cost"], field="cost", low=1, high=100_000, message=_("Give 1 to 100000 points.")
        )
    if "per_person" in data:
        out["per_person"] = _number(
            data["per_person"],
            field="per_person",
            low=0,
            high=100,
            message=_("Give 0 (no limit) to 100."),
        )
    if "active" in data:
        out["active"] = bool(data["active"])
    return out


@transaction.atomic
def create_item(*, user, place_id, stock=0, photo=None, **data) -> StoreItem:
    community = community_of(place_id)
    rules.require(rules.can_manage(user, community))
    fields = _clean_item({"description": "", "donor": "", "per_person": 0, **data})
    if "name" not in fields or "cost" not in fields:
        raise Invalid({"name" if "name" not in fields else "cost": _("This field is required.")})
    stock = _number(stock, field="stock", low=0, high=100_000, message=_("Give 0 to 100000."))
    item = StoreItem(place=community, path=community.path, stock=stock, created_by=user, **fields)
    if photo:
        upload = clean_photo(photo, field="photo")
        item.photo.save(upload.name, upload, save=False)
    item.save()
    audit.record(actor=user, verb="points.item_create", obj=item, data={"stock": stock})
    return item


def _locked(item) -> StoreItem:
    found = StoreItem.objects.select_for_update().filter(pk=as_id(item)).first()
    if found is None:
        raise NotFound(_("No such item."))
    return found


@transaction.atomic
def update_item(*, user, item, photo=None, **data) -> StoreItem:
    item = _locked(item)
    rules.require(rules.can_manage(user, item))
    fields = _clean_item(data)
    for name, value in fields.items():
        setattr(item, name, value)
    if photo:
        upload = clean_photo(photo, field="photo")
        item.photo.save(upload.name, upload, save=False)
    item.save()
    audit.record(actor=user, verb="points.item_update", obj=item, data=sorted(fields))
    return item


@transaction.atomic
def restock(*, user, item, change, reason: str) -> StoreItem:
    """Goods in (a donation) or out (spoiled, lost), with the reason; never below zero."""
    item = _locked(item)
    rules.require(rules.can_manage(user, item))
    change = _number(
        change, field="change", low=-100_000, high=100_000, message=_("Give a whole number.")
    )
    reason = clean_text(reason, field="reason", max_length=300, required=_("Give the reason."))
    if change == 0:
        raise Invalid({"change": _("Give a change other than 0.")})
    if item.stock + change < 0:
        raise Invalid({"change": _("Only %(n)d in stock.") % {"n": item.stock}})
    item.stock += change
    item.save(update_fields=["stock"])
    audit.record(
        actor=user,
        verb="points.restock",
        obj=item,
        data={"change": change, "stock": item.stock, "reason": reason},
    )
    return item


def _this_month(user, item) -> int:
    start = timezone.make_aware(datetime.combine(timezone.localdate().replace(day=1), time.min))
    return (
        Redemption.objects.filter(item=item, user=user, created_at__gte=start)
        .exclude(status=RedemptionStatus.CANCELLED)
        .aggregate(n=Sum("quantity"))["n"]
        or 0
    )


@transaction.atomic
def redeem(*, user, item, quantity=1, key: str = "") -> Redemption:
    """兑换: in one transaction the stock is reserved and the points debited; the same request
    sent twice (same `key`) redeems once. What can be refused without the item's lock is
    refused first: a burst of residents on one item queues on that lock for the stock only."""
    key = clean_key(key, "redeem")
    seen = StoreItem.objects.select_related("place").filter(pk=as_id(item)).first()
    if seen is None:
        raise NotFound(_("No such item."))
    quantity = _number(
        quantity, field="quantity", low=1, high=MAX_QUANTITY, message=_("Give 1 to 20.")
    )
    # Read after the item: a retry whose first attempt committed meanwhile finds it here.
    done = _replay(user, seen, key, quantity)
    if done is not None:
        return done
    rules.require(
        rules.can_shop(user, seen), _("The love supermarket is for the residents it serves.")
    )
    _check_shelf(seen, quantity)
    item = _locked(seen.pk)
    item.place = seen.place
    done = _replay(
        user, item, key, quantity
    )  # under the lock: a concurrent first attempt is done now
    if done is not None:
        return done
    _check_shelf(item, quantity)
    if item.per_person and _this_month(user, item) + quantity > item.per_person:
        raise Conflict(
            _("At most %(n)d a person a month.") % {"n": item.per_person}, code="limit_reached"
        )
    points = item.cost * quantity
    # The stock is taken by the database, against its CHECK constraint: the last guard.
    StoreItem.objects.filter(pk=item.pk).update(stock=F("stock") - quantity)
    redemption = _create(item, user, quantity, points, key)
    ledger.post_points(
        user_id=user.pk,
        amount=-points,
        kind=PointsKind.REDEMPTION,
        key=key,
        place=item.place,
        ref=f"redemption:{redemption.pk}",
        reason=item.name,
        by=user,
    )
    audit.record(
        actor=user,
        verb="points.redeem",
        obj=redemption,
        data={"item": item.pk, "quantity": quantity, "points": points},
    )
    return redemption


def _replay(user, item, key, quantity) -> Redemption | None:
    """The redemption a repeated request made, if it is the same request."""
    done = Redemption.objects.filter(entry_key=key).first()
    if done is not None and (
        done.user_id != user.pk or done.item_id != item.pk or done.quantity != quantity
    ):
        raise Conflict(_("This request was used for another item."), code="key_reused")
    return done


def _check_shelf(item, quantity) -> None:
    if not item.active:
        raise Conflict(_("This item is not on the shelf."), code="inactive")
    if item.stock < quantity:
        raise Conflict(
            _("Only %(n)d left.") % {"n": item.stock} if item.stock else _("Out of stock."),
            code="out_of_stock",
        )


def _create(item, user, quantity, points, key) -> Redemption:
    for _attempt in range(5):
        code = pickup_code()
        try:
            with transaction.atomic():
                return Redemption.objects.create(
                    item=item,
                    user=user,
                    quantity=quantity,
                    points=points,
                    code=code,
                    path=item.path,
                    entry_key=key,
                )
        except IntegrityError as exc:
            if violated(
                exc,
                "redemption_key_once",
                still_there=Redemption.objects.filter(entry_key=key).exists,
            ):
                raise Conflict(
                    _("This request was used for another item."), code="key_reused"
                ) from None
            taken = Redemption.objects.filter(
                path=item.path, code=code, status=RedemptionStatus.RESERVED
            ).exists
            if not violated(exc, "redemption_code_once", still_there=taken):
                raise
    raise Conflict(_("Please try again."), code="busy")


def _locked_redemption(redemption) -> Redemption:
    found = (
        Redemption.objects.select_for_update(of=("self",))
        .select_related("item")
        .filter(pk=as_id(redemption))
        .first()
    )
    if found is None:
        raise NotFound(_("No such redemption."))
    return found


def _expect_reserved(redemption) -> None:
    if redemption.status != RedemptionStatus.RESERVED:
        raise Conflict(
            _("This redemption is %(status)s.") % {"status": redemption.get_status_display()},
            code="wrong_status",
        )


def find_by_code(*, user, place_id, code) -> Redemption:
    """The waiting redemption a resident shows at the desk of a community's shop."""
    community = community_of(place_id)
    rules.require(rules.can_hand_out(user, community))
    code = clean_text(code, field="code", max_length=8, required=_("Enter the pickup code."))
    found = Redemption.objects.filter(
        path=community.path, code=code, status=RedemptionStatus.RESERVED
    ).first()
    if found is None:
        raise Invalid({"code": _("No waiting redemption has this code.")})
    return found


@transaction.atomic
def collect(*, user, redemption) -> Redemption:
    """The item is handed out at the desk."""
    redemption = _locked_redemption(redemption)
    rules.require(rules.can_hand_out(user, redemption))
    _expect_reserved(redemption)
    redemption.status = RedemptionStatus.COLLECTED
    redemption.collected_at, redemption.collected_by = timezone.now(), user
    redemption.save(update_fields=["status", "collected_at", "collected_by"])
    audit.record(actor=user, verb="points.collect", obj=redemption)
    return redemption


@transaction.atomic
def cancel(*, user, redemption, reason: str = "") -> Redemption:
    """The resident (or the desk) cancels a waiting redemption: points refunded, stock back."""
    redemption = _locked_redemption(redemption)
    own = redemption.user_id == user.pk
    rules.require(own or rules.can_hand_out(user, redemption))
    _expect_reserved(redemption)
    reason = clean_text(
        reason,
        field="reason",
        max_length=300,
        required=None if own else _("Say why it is cancelled."),
    )
    item = _locked(redemption.item_id)
    StoreItem.objects.filter(pk=item.pk).update(stock=F("stock") + redemption.quantity)
    ledger.post_points(
        user_id=redemption.user_id,
        amount=redemption.points,
        kind=PointsKind.REFUND,
        key=f"refund:{redemption.pk}",
        place=item.place,
        ref=f"redemption:{redemption.pk}",
        reason=reason or item.name,
        by=user,
    )
    redemption.status = RedemptionStatus.CANCELLED
    redemption.cancelled_at, redemption.cancelled_by = timezone.now(), user
    redemption.cancel_reason = reason
    redemption.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
    audit.record(actor=user, verb="points.cancel", obj=redemption, data={"reason": reason})
    if not own:
        notify(
            recipients=[redemption.user_id],
            kind="points.store",
            title=_("Your redemption of %(item)s was cancelled; points refunded.")
            % {"item": item.name},
            body=reason,
        )
    return redemption
