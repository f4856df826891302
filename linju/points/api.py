"""/points: a person's balances, ledgers and service record (志愿服务时长), the love supermarket
(爱心超市) for residents, and for staff the shop's items and desk, volunteer service records,
adjustments, the ledgers of their scope, earning rules, expiry and the leaderboard. Every write
goes through services or services_store; every read through queries and rules. Writes that
post to a ledger take an `Idempotency-Key` header: the same request sent twice posts once."""

from datetime import date, datetime, time
from typing import Annotated

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Header, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from linju.core import access
from linju.core.api_support import (
    ERRORS,
    CappedLimitOffset,
    FormOrJson,
    Listing,
    json_body_doc,
)
from linju.core.errors import Invalid
from linju.core.masking import mask_name, staff_label
from linju.core.views import private_download
from linju.places.models import Place

from . import queries, rules, services, services_store
from .models import HoursEntry, PointsEntry, Redemption
from .schemas import (
    AdjustmentIn,
    BalanceOut,
    CertificateOut,
    CodeFilter,
    DeskRedemptionOut,
    ExpiryIn,
    ExpiryOut,
    HoursEntryOut,
    ItemIn,
    ItemOut,
    ItemPatch,
    LeaderboardFilter,
    LeaderOut,
    LedgerFilter,
    LedgerHoursOut,
    LedgerPointsOut,
    PointsEntryOut,
    PointsReasonIn,
    RedeemIn,
    RedemptionFilter,
    RedemptionOut,
    RestockIn,
    RuleIn,
    RuleOut,
    ServiceIn,
    ServiceOut,
)

router = Router(tags=["points"])

# The client's key for a write that posts to a ledger. Keys are the caller's own: the same key
# sent by two people are two requests.
IdempotencyKey = Annotated[
    str | None,
    Header(
        None,
        alias="Idempotency-Key",
        max_length=64,
        description="Any text up to 64 characters, new for each intended operation: sent "
        "again (a retry, a double tap), the operation happens once and the first result is "
        "returned. Without it every request counts.",
    ),
]
KEY_NOTE = (
    " Send an `Idempotency-Key` header: the same key again returns the first result; the same "
    "key with other figures is 409 `key_reused`."
)
SCOPE_NOTE = " 404 for anything outside the caller's scope; 403 for staff who may only read."


def _key(request, key) -> str:
    return f"{request.user.pk}:{key}" if key else ""


# --- Shapes ---------------------------------------------------------------------------------------


def _place(place) -> dict:
    return {"id": place.pk, "name": place.name}


class _Names:
    """Who sees a person's name in full (PIPL): the person, and staff whose personal-data scope
    holds the row's community; everyone else sees it masked (张*明)."""

    def __init__(self, viewer):
        self.viewer = viewer
        self.scope = access.scope(viewer, "people.view_personal_data")

    def __call__(self, person, path) -> dict:
        full = person.pk == self.viewer.pk or self.scope.covers(path)
        return {"id": person.pk, "name": person.name if full else mask_name(person.name)}


def _points_entry(e) -> dict:
    return {
        "id": e.pk,
        "amount": e.amount,
        "balance": e.balance,
        "kind": e.kind,
        "kind_label": str(e.get_kind_display()),
        "reason": e.reason,
        "ref": e.ref,
        "place": _place(e.place),
        "created_at": e.created_at,
    }


def _hours_entry(e) -> dict:
    return {
        "id": e.pk,
        "minutes": e.minutes,
        "total": e.total,
        "served_on": e.served_on,
        "what": e.what,
        "place": _place(e.place),
        "created_at": e.created_at,
    }


def _by(entry) -> str | None:
    return staff_label(entry.created_by) if entry.created_by_id else None


def _item(item) -> dict:
    photo = None
    if item.photo:
        photo = reverse("api:points_item_photo", kwargs={"item_id": item.pk})
    return {
        "id": item.pk,
        "name": item.name,
        "description": item.description,
        "cost": item.cost,
        "stock": item.stock,
        "per_person": item.per_person,
        "donor": item.donor,
        "active": item.active,
        "place": _place(item.place),
        "photo_url": photo,
    }


def _redemption(viewer, r) -> dict:
    return {
        "id": r.pk,
        "item": {"id": r.item.pk, "name": r.item.name},
        "place": _place(r.item.place),
        "quantity": r.quantity,
        "points": r.points,
        "status": r.status,
        "status_label": str(r.get_status_display()),
        # The code collects the item: the resident's alone.
        "code": r.code if r.user_id == viewer.pk else None,
        "created_at": r.created_at,
        "collected_at": r.collected_at,
        "cancelled_at": r.cancelled_at,
        "cancel_reason": r.cancel_reason,
    }


def _desk_redemption(viewer, names, r) -> dict:
    return {**_redemption(viewer, r), "person": names(r.user, r.path)}


def _rule(rule) -> dict:
    return {
        "id": rule.pk,
        "place": _place(rule.place),
        "kind": rule.kind,
        "kind_label": str(rule.get_kind_display()),
        "points": rule.points,
        "max_hours_per_event": rule.max_hours_per_event,
        "max_per_day": rule.max_per_day,
        "max_per_month": rule.max_per_month,
        "active": rule.active,
        "updated_at": rule.updated_at,
    }


# --- Finding things -------------------------------------------------------------------------------


def _shop_item(user, item_id: int):
    item = queries.item_for_shopper(user, item_id)
    if item is None:
        raise Http404
    return item


def _staff_item(user, item_id: int):
    item = queries.staff_items(user).select_related("place").filter(pk=item_id).first()
    if item is None:
        raise Http404
    return item


def _desk_redemptions(user, status=None):
    return queries.staff_redemptions(user, status).select_related("item__place")


def _redemption_for(user, redemption_id: int):
    """The caller's own redemption, or one of their staff scope; 404 otherwise."""
    found = queries.my_redemptions(user).filter(pk=redemption_id).first()
    if found is None:
        found = _desk_redemptions(user).filter(pk=redemption_id).first()
    if found is None:
        raise Http404
    return found


def _fresh_redemption(redemption_id: int):
    return Redemption.objects.select_related("item__place", "user").get(pk=redemption_id)


# --- My account -----------------------------------------------------------------------------------


@router.get(
    "/me",
    response={200: BalanceOut, **ERRORS},
    summary="My balances",
    description="Points to spend, and volunteer service time (kept for ever).",
)
def my_balance(request):
    account = queries.account_of(request.user)
    return {
        "points": account.points,
        "minutes": account.minutes,
        "hours": round(account.minutes / 60, 1),
    }


@router.get(
    "/me/points",
    response={200: list[PointsEntryOut], **ERRORS},
    summary="My points entries",
    description="Latest first: what I earned, spent, got refunded, lost to expiry; capped.",
)
@paginate(CappedLimitOffset)
def my_points(request):
    return Listing(
        queries.my_points(request.user).select_related("place"),
        lambda rows: [_points_entry(e) for e in rows],
    )


@router.get(
    "/me/hours",
    response={200: list[HoursEntryOut], **ERRORS},
    summary="My volunteer service record",
    description="Latest day first; capped.",
)
@paginate(CappedLimitOffset)
def my_hours(request):
    return Listing(
        queries.my_hours(request.user).select_related("place"),
        lambda rows: [_hours_entry(e) for e in rows],
    )


@router.get(
    "/me/redemptions",
    response={200: list[RedemptionOut], **ERRORS},
    summary="My redemptions",
    description="Latest first, with the pickup `code` of those waiting to be collected; capped.",
)
@paginate(CappedLimitOffset)
def my_redemptions(request):
    user = request.user
    return Listing(
        queries.my_redemptions(user).select_related("item__place"),
        lambda rows: [_redemption(user, r) for r in rows],
    )


@router.get(
    "/me/certificate",
    response={200: CertificateOut, **ERRORS},
    summary="My service record's figures (the certificate)",
    description="Hours in all, services, the first and last day, minutes per community.",
)
def my_certificate(request):
    record = queries.service_record(request.user)
    return {
        **record,
        "by_place": [
            {"place": row["place__name"], "minutes": row["minutes"]} for row in record["by_place"]
        ],
    }


# --- The love supermarket -------------------------------------------------------------------------


@router.get(
    "/shop/items",
    response={200: list[ItemOut], **ERRORS},
    summary="The love supermarket (爱心超市)",
    description="Items on the shelves of the communities I live in, cheapest first; capped.",
)
@paginate(CappedLimitOffset)
def shop_items(request):
    return Listing(queries.shop_items(request.user), lambda rows: [_item(i) for i in rows])


@router.get(
    "/shop/items/{int:item_id}",
    response={200: ItemOut, **ERRORS},
    summary="One item of the love supermarket",
    description="404 for an item of a shop I may not use.",
)
def shop_item(request, item_id: int):
    return _item(_shop_item(request.user, item_id))


@router.get(
    "/shop/items/{int:item_id}/photo",
    response={200: None, **ERRORS},
    summary="An item's photo",
    description="For the shop's residents and staff of its scope; 404 otherwise.",
    url_name="points_item_photo",
)
def item_photo(request, item_id: int):
    user = request.user
    item = queries.item_for_shopper(user, item_id) or _staff_item(user, item_id)
    return private_download(item.photo)


@router.post(
    "/shop/items/{int:item_id}/redeem",
    response={201: RedemptionOut, **ERRORS},
    summary="Redeem an item (兑换)",
    description="The stock is reserved and the points debited at once; show the pickup `code` "
    "at the desk. 422 `quantity` (1 to 20); 409 `insufficient_points`, `out_of_stock`, "
    "`limit_reached` (the item's monthly limit a person), `inactive`; 404 for an item of a "
    "shop I may not use." + KEY_NOTE,
)
def redeem(request, item_id: int, payload: RedeemIn, idempotency_key: IdempotencyKey = None):
    user = request.user
    item = _shop_item(user, item_id)
    done = services_store.redeem(
        user=user, item=item, quantity=payload.quantity, key=_key(request, idempotency_key)
    )
    return Status(201, _redemption(user, _fresh_redemption(done.pk)))


@router.post(
    "/redemptions/{int:redemption_id}/cancel",
    response={200: DeskRedemptionOut, **ERRORS},
    summary="Cancel a waiting redemption",
    description="By the resident (`reason` optional) or at the desk (`reason` required, 422; "
    "the resident is told): the points are refunded and the stock put back. 409 "
    "`wrong_status` once collected or cancelled." + SCOPE_NOTE,
)
def cancel(request, redemption_id: int, payload: PointsReasonIn):
    user = request.user
    found = _redemption_for(user, redemption_id)
    services_store.cancel(user=user, redemption=found, reason=payload.reason)
    return _desk_redemption(user, _Names(user), _fresh_redemption(found.pk))


# --- The shop's items (staff) ---------------------------------------------------------------------


@router.get(
    "/items",
    response={200: list[ItemOut], **ERRORS},
    summary="The shops' items of my scope",
    description="On the shelf or not, with their stock; staff of the scope; capped.",
)
@paginate(CappedLimitOffset)
def staff_items(request):
    return Listing(
        queries.staff_items(request.user).select_related("place"),
        lambda rows: [_item(i) for i in rows],
    )


@router.post(
    "/items",
    response={201: ItemOut, **ERRORS},
    summary="Put an item in a community's shop",
    description="Multipart form fields with an optional `photo` file (EXIF removed), or the "
    "same fields as a JSON object. 422 `place`, `name`, `cost`, `stock`, `per_person`, "
    "`photo`; 403 for staff who may not manage the community's shop.",
    openapi_extra=json_body_doc(ItemIn),
)
def create_item(request, payload: FormOrJson[ItemIn], photo: File[UploadedFile] = None):
    data = payload.model_dump()
    item = services_store.create_item(
        user=request.user, place_id=data.pop("place"), photo=photo, **data
    )
    return Status(201, _item(_staff_item(request.user, item.pk)))


@router.get(
    "/items/{int:item_id}",
    response={200: ItemOut, **ERRORS},
    summary="One item of my scope's shops",
    description="404 outside the caller's scope.",
)
def staff_item(request, item_id: int):
    return _item(_staff_item(request.user, item_id))


@router.patch(
    "/items/{int:item_id}",
    response={200: ItemOut, **ERRORS},
    summary="Change an item",
    description="Only the fields sent change (multipart with an optional `photo`, or JSON); "
    "`active: false` takes it off the shelf. The stock changes by restocking." + SCOPE_NOTE,
    openapi_extra=json_body_doc(ItemPatch),
)
def update_item(request, item_id: int, payload: FormOrJson[ItemPatch]):
    item = _staff_item(request.user, item_id)
    data = payload.model_dump(exclude_unset=True)
    # A multipart PATCH's files are parsed with its form (FormOrJson).
    photo = request.FILES.get("photo")
    services_store.update_item(user=request.user, item=item, photo=photo, **data)
    return _item(_staff_item(request.user, item_id))


@router.post(
    "/items/{int:item_id}/restock",
    response={200: ItemOut, **ERRORS},
    summary="Goods in or out",
    description="`change` (not 0; the stock never goes below 0) with its `reason`; 422 "
    "`change`, `reason`." + SCOPE_NOTE,
)
def restock(request, item_id: int, payload: RestockIn):
    item = _staff_item(request.user, item_id)
    services_store.restock(
        user=request.user, item=item, change=payload.change, reason=payload.reason
    )
    return _item(_staff_item(request.user, item_id))


# --- The desk -------------------------------------------------------------------------------------


@router.get(
    "/redemptions",
    response={200: list[DeskRedemptionOut], **ERRORS},
    summary="Redemptions of my scope",
    description="Latest first; filter `status` (`reserved`: waiting at the desk). Names masked "
    "outside the caller's personal-data scope; codes are never listed. Capped.",
)
@paginate(CappedLimitOffset)
def desk_redemptions(request, filters: Query[RedemptionFilter]):
    user = request.user
    names = _Names(user)
    return Listing(
        _desk_redemptions(user, filters.status),
        lambda rows: [_desk_redemption(user, names, r) for r in rows],
    )


@router.get(
    "/redemptions/by-code",
    response={200: DeskRedemptionOut, **ERRORS},
    summary="Find a waiting redemption by its pickup code",
    description="At the desk of a community's shop (`place`). 422 `place`, `code` (no waiting "
    "redemption has it); 403 for staff who may not hand items out there.",
)
def by_code(request, filters: Query[CodeFilter]):
    user = request.user
    found = services_store.find_by_code(user=user, place_id=filters.place, code=filters.code)
    return _desk_redemption(user, _Names(user), _fresh_redemption(found.pk))


@router.post(
    "/redemptions/{int:redemption_id}/collect",
    response={200: DeskRedemptionOut, **ERRORS},
    summary="Hand the item out",
    description="409 `wrong_status` once collected or cancelled." + SCOPE_NOTE,
)
def collect(request, redemption_id: int):
    user = request.user
    found = _desk_redemptions(user).filter(pk=redemption_id).first()
    if found is None:
        raise Http404
    services_store.collect(user=user, redemption=found)
    return _desk_redemption(user, _Names(user), _fresh_redemption(found.pk))


# --- Service records and adjustments --------------------------------------------------------------


@router.post(
    "/service",
    response={201: ServiceOut, **ERRORS},
    summary="Record volunteer service (志愿服务)",
    description="The time goes on the person's record (kept for ever) and earns points under "
    "the community's rule and caps (`points` null when a cap leaves nothing). 422 `person`, "
    "`place`, `served_on` (in the past year), `minutes` (1 to 720), `what`; 403 for staff who "
    "may not manage the community." + KEY_NOTE,
)
def record_service(request, payload: ServiceIn, idempotency_key: IdempotencyKey = None):
    hours, points = services.record_service(
        user=request.user,
        person_id=payload.person,
        place_id=payload.place,
        served_on=payload.served_on,
        minutes=payload.minutes,
        what=payload.what,
        key=_key(request, idempotency_key),
    )
    hours = HoursEntry.objects.select_related("place").get(pk=hours.pk)
    if points is not None:
        points = PointsEntry.objects.select_related("place").get(pk=points.pk)
    return Status(
        201,
        {
            "hours": _hours_entry(hours),
            "points": _points_entry(points) if points is not None else None,
        },
    )


@router.post(
    "/adjustments",
    response={201: LedgerPointsOut, **ERRORS},
    summary="Adjust a person's points",
    description="A correction with its `reason` (audited); it cannot take a balance below "
    "zero (409 `insufficient_points`). 422 `person`, `place`, `amount` (-10000 to 10000, not "
    "0), `reason`; 403 for staff who may not manage the community." + KEY_NOTE,
)
def adjust(request, payload: AdjustmentIn, idempotency_key: IdempotencyKey = None):
    user = request.user
    entry = services.adjust_points(
        user=user,
        person_id=payload.person,
        place_id=payload.place,
        amount=payload.amount,
        reason=payload.reason,
        key=_key(request, idempotency_key),
    )
    entry = PointsEntry.objects.select_related("place", "user", "created_by").get(pk=entry.pk)
    return Status(201, _ledger_points(_Names(user))(entry))


# --- Ledgers --------------------------------------------------------------------------------------


def _ledger_points(names):
    def row(e) -> dict:
        return {**_points_entry(e), "person": names(e.user, e.path), "by": _by(e)}

    return row


@router.get(
    "/ledger/points",
    response={200: list[LedgerPointsOut], **ERRORS},
    summary="The points ledger of my scope",
    description="Every entry of the communities in the caller's scope, latest first; filter "
    "`person`. Names masked outside the caller's personal-data scope. Capped.",
)
@paginate(CappedLimitOffset)
def ledger_points(request, filters: Query[LedgerFilter]):
    qs = queries.staff_points(request.user).select_related("place", "created_by")
    if filters.person is not None:
        qs = qs.filter(user_id=filters.person)
    row = _ledger_points(_Names(request.user))
    return Listing(qs, lambda rows: [row(e) for e in rows])


@router.get(
    "/ledger/hours",
    response={200: list[LedgerHoursOut], **ERRORS},
    summary="The service hours ledger of my scope",
    description="Latest day first; filter `person`. Names masked outside the caller's "
    "personal-data scope. Capped.",
)
@paginate(CappedLimitOffset)
def ledger_hours(request, filters: Query[LedgerFilter]):
    qs = queries.staff_hours(request.user).select_related("place", "created_by")
    if filters.person is not None:
        qs = qs.filter(user_id=filters.person)
    names = _Names(request.user)
    return Listing(
        qs,
        lambda rows: [
            {**_hours_entry(e), "person": names(e.user, e.path), "by": _by(e)} for e in rows
        ],
    )


# --- Rules and expiry -----------------------------------------------------------------------------


@router.get(
    "/rules",
    response={200: list[RuleOut], **ERRORS},
    summary="Earning rules of my scope",
    description="Where a community set none, the nearest rule up the tree applies, else the "
    "defaults (1 point an hour of service, at most 2 hours counted; 2 points an accepted "
    "report, at most 4 a day and 20 a month; 1 an activity; 5 a red flag). Capped.",
)
@paginate(CappedLimitOffset)
def list_rules(request):
    return Listing(queries.rules_in_scope(request.user), lambda rows: [_rule(r) for r in rows])


@router.put(
    "/rules",
    response={200: RuleOut, **ERRORS},
    summary="Set a community's (or subdistrict's) rule for one kind",
    description="Replaces the rule of `place` for `kind` (`service`, `activity`, `report`, "
    "`contest`). 422 `place`, `kind`, `points` (0 to 1000), `max_hours_per_event` (0 to 24, "
    "half hours), `max_per_day`, `max_per_month`; 403 for staff who may not manage the place.",
)
def put_rule(request, payload: RuleIn):
    data = payload.model_dump()
    rule = services.set_rule(user=request.user, place_id=data.pop("place"), **data)
    return _rule(queries.rules_in_scope(request.user).get(pk=rule.pk))


@router.get(
    "/expiry",
    response={200: list[ExpiryOut], **ERRORS},
    summary="Points expiry (积分有效期) in my scope",
    description="Communities without a policy: points never lapse. Capped.",
)
@paginate(CappedLimitOffset)
def list_expiry(request):
    return Listing(
        queries.expiry_in_scope(request.user),
        lambda rows: [{"place": _place(p.place), "months": p.months} for p in rows],
    )


@router.put(
    "/expiry",
    response={200: ExpiryOut, **ERRORS},
    summary="Set a community's points expiry",
    description="Points lapse `months` after they were earned (the monthly sweep); 0 removes "
    "the policy. 422 `place`, `months` (0 to 120); 403 for staff who may not manage it.",
)
def put_expiry(request, payload: ExpiryIn):
    services.set_expiry(user=request.user, place_id=payload.place, months=payload.months)
    community = services.community_of(payload.place)
    policy = queries.expiry_in_scope(request.user).filter(place=community).first()
    return {"place": _place(community), "months": policy.months if policy else 0}


# --- Leaderboard ----------------------------------------------------------------------------------


def _month_start(month: str | None):
    if not month:
        return None, None
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError:
        raise Invalid({"month": _("Give a month as YYYY-MM.")}) from None
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)

    def start(day):
        return timezone.make_aware(datetime.combine(day, time.min))

    return start(first), start(following)


@router.get(
    "/leaderboard",
    response={200: list[LeaderOut], **ERRORS},
    summary="Who earned the most points",
    description="The top 20 in a place (`place`: staff of its scope, or residents living in "
    "it), for a month (`month` YYYY-MM) or all time; earnings only. Names masked outside the "
    "caller's personal-data scope. 422 `place`, `month`.",
)
def leaderboard(request, filters: Query[LeaderboardFilter]):
    user = request.user
    place = Place.objects.filter(pk=filters.place).first()
    if place is None or not (rules.can_view(user, place) or rules.can_shop(user, place)):
        raise Invalid({"place": _("Choose a place you may see.")})
    since, until = _month_start(filters.month)
    names = _Names(user)
    rows, rank, last = [], 0, None
    for n, row in enumerate(queries.leaderboard(place.path, since=since, until=until), start=1):
        if row["points"] != last:
            rank, last = n, row["points"]
        full = row["user_id"] == user.pk or names.scope.covers(place.path)
        name = row["user__name"] if full else mask_name(row["user__name"])
        rows.append(
            {
                "rank": rank,
                "person": {"id": row["user_id"], "name": name},
                "points": row["points"],
                "entries": row["entries"],
            }
        )
    return rows
