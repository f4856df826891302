"""/api/v1/services: assisted services (帮办代办) and the mobile desk (流动办公桌), seed 002.
Residents read the service list of their community, request an item with a slot, follow and
cancel their requests, read their estate's desk schedule; handlers move a request along;
managers keep the catalogue, publish and remove slots, schedule and cancel sittings of the
desk. Reads through queries, writes through services; anything outside the caller's sight is
404."""

from django.http import Http404
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.pagination import paginate

from linju.core.api_support import ERRORS, CappedLimitOffset, Listing, renamed_fields
from linju.core.errors import Forbidden

from . import queries, rules, services
from .models import ServiceItem
from .schemas import (
    SvcDeclineIn,
    SvcDeskCancelledOut,
    SvcDeskIn,
    SvcDeskOut,
    SvcItemChangeIn,
    SvcItemIn,
    SvcItemOut,
    SvcNoteIn,
    SvcRequestDetailOut,
    SvcRequestFilter,
    SvcRequestIn,
    SvcRequestOut,
    SvcSlotIn,
    SvcSlotOut,
    SvcSlotRemovedOut,
    SvcTextIn,
)

router = Router(tags=["services"])

SCOPE_NOTE = " 404 for a request the caller does not see; 403 for those who see it but may not."


def _item(i) -> dict:
    return {
        "id": i.pk,
        "community": i.place_id,
        "name": i.name,
        "description": i.description,
        "materials": i.materials,
        "handling_role": i.handling_role,
        "time_limit_days": i.time_limit_days,
        "active": i.active,
    }


def _slot(s) -> dict | None:
    if s is None:
        return None
    return {
        "id": s.pk,
        "community": s.place_id,
        "day": s.day,
        "starts": s.starts,
        "ends": s.ends,
        "capacity": s.capacity,
        "booked": s.booked,
    }


def _sitting(s) -> dict:
    return {
        "id": s.pk,
        "estate": s.place_id,
        "estate_name": s.place.name,
        "day": s.day,
        "starts": s.starts,
        "ends": s.ends,
        "location": s.location,
        "staff": s.staff,
    }


def _request(r) -> dict:
    overdue = getattr(r, "overdue", None)
    if overdue is None:
        overdue = r.is_open and r.due_on < timezone.localdate()
    return {
        "id": r.pk,
        "item": r.item_id,
        "item_name": r.item.name,
        "household": r.household_id,
        "slot": _slot(r.slot),
        "status": r.status,
        "note": r.note,
        "reason": r.reason,
        "due_on": r.due_on,
        "overdue": overdue,
        "created_at": r.created_at,
    }


def _detail(user, pk) -> dict:
    found = queries.request_for(user, pk)
    if found is None:
        raise Http404
    return {
        **_request(found),
        "notes": [
            {"text": n.text, "status": n.status, "created_at": n.created_at}
            for n in queries.notes_of(found)
        ],
    }


def _seen_item(user, item_id):
    found = ServiceItem.objects.filter(pk=item_id).first()
    if found is None or not (rules.may_request(user, found) or rules.can_view(user, found)):
        raise Http404
    return found


@router.get(
    "/items",
    response={200: list[SvcItemOut], **ERRORS},
    summary="Service list (帮办代办事项服务清单)",
    description="The items offered in the communities the caller lives in, and (staff) every "
    "item of their scope.",
)
@paginate(CappedLimitOffset)
def list_items(request):
    user = request.user
    qs = queries.catalogue(user) | queries.staff_items(user)
    return Listing(qs.order_by("path", "name", "pk"), lambda rows: [_item(i) for i in rows])


@router.get(
    "/items/{int:item_id}/slots",
    response={200: list[SvcSlotOut], **ERRORS},
    summary="Free slots of an item's community",
    description="From today on, with a free place. 404 for an item the caller does not see.",
)
@paginate(CappedLimitOffset)
def list_slots(request, item_id: int):
    found = _seen_item(request.user, item_id)
    return Listing(queries.open_slots(found), lambda rows: [_slot(s) for s in rows])


@router.post(
    "/items/{int:item_id}/requests",
    response={201: SvcRequestOut, **ERRORS},
    summary="Request an item",
    description="By a resident of the item's community, for their household, optionally "
    "booking a slot. 422 `household`, `slot`, `note`; 409 `slot_full`; 403 for staff who see "
    "the item but do not live there; 404 otherwise.",
)
def create_request(request, item_id: int, payload: SvcRequestIn):
    user = request.user
    _seen_item(user, item_id)
    made = services.request_service(
        user=user,
        item_id=item_id,
        household_id=payload.household,
        slot_id=payload.slot,
        note=payload.note,
    )
    return Status(201, _request(queries.request_for(user, made.pk)))


@router.get(
    "/requests/mine",
    response={200: list[SvcRequestOut], **ERRORS},
    summary="My requests",
    description="The caller's own requests, newest first.",
)
@paginate(CappedLimitOffset)
def my_requests(request):
    return Listing(queries.my_requests(request.user), lambda rows: [_request(r) for r in rows])


@router.get(
    "/requests",
    response={200: list[SvcRequestOut], **ERRORS},
    summary="Requests of the caller's scope (staff)",
    description="Newest first, `overdue` flagged; filters `status`, `overdue`. 403 for "
    "callers who are not staff anywhere.",
)
@paginate(CappedLimitOffset)
def desk_requests(request, filters: Query[SvcRequestFilter]):
    user = request.user
    if not rules.may_use_desk(user):
        raise Forbidden("You may not do this here.", code="forbidden")
    qs = queries.desk_requests(user, status=filters.status or "", overdue=filters.overdue)
    return Listing(qs, lambda rows: [_request(r) for r in rows])


@router.get(
    "/requests/{int:request_id}",
    response={200: SvcRequestDetailOut, **ERRORS},
    summary="One request with its handling notes",
    description="For its requester and the staff of its scope.",
)
def get_request(request, request_id: int):
    return _detail(request.user, request_id)


def _found(user, pk):
    found = queries.request_for(user, pk)
    if found is None:
        raise Http404
    return found


@router.post(
    "/requests/{int:request_id}/cancel",
    response={200: SvcRequestDetailOut, **ERRORS},
    summary="Cancel my request",
    description="By its requester before it is accepted; 409 `status` after." + SCOPE_NOTE,
)
def cancel_request(request, request_id: int):
    user = request.user
    services.cancel_request(user=user, request=_found(user, request_id))
    return _detail(user, request_id)


@router.post(
    "/requests/{int:request_id}/accept",
    response={200: SvcRequestDetailOut, **ERRORS},
    summary="Accept a request (受理)",
    description="By the item's handling role in the scope, or community staff. 409 `status` "
    "unless requested; 422 `note`." + SCOPE_NOTE,
)
def accept_request(request, request_id: int, payload: SvcNoteIn):
    user = request.user
    services.accept_request(user=user, request=_found(user, request_id), note=payload.note)
    return _detail(user, request_id)


@router.post(
    "/requests/{int:request_id}/done",
    response={200: SvcRequestDetailOut, **ERRORS},
    summary="Complete a request (办结)",
    description="409 `status` unless accepted; 422 `note`." + SCOPE_NOTE,
)
def complete_request(request, request_id: int, payload: SvcNoteIn):
    user = request.user
    services.complete_request(user=user, request=_found(user, request_id), note=payload.note)
    return _detail(user, request_id)


@router.post(
    "/requests/{int:request_id}/decline",
    response={200: SvcRequestDetailOut, **ERRORS},
    summary="Decline a request",
    description="With its `reason` (422). 409 `status` once closed." + SCOPE_NOTE,
)
def decline_request(request, request_id: int, payload: SvcDeclineIn):
    user = request.user
    services.decline_request(
        user=user, request=_found(user, request_id), reason=payload.reason, note=payload.note
    )
    return _detail(user, request_id)


@router.post(
    "/requests/{int:request_id}/notes",
    response={201: SvcRequestDetailOut, **ERRORS},
    summary="Add a handling note",
    description="422 `text`; 409 `status` once closed." + SCOPE_NOTE,
)
def add_note(request, request_id: int, payload: SvcTextIn):
    user = request.user
    services.add_note(user=user, request=_found(user, request_id), text=payload.text)
    return Status(201, _detail(user, request_id))


@router.get(
    "/mobile-desk",
    response={200: list[SvcDeskOut], **ERRORS},
    summary="The mobile desk schedule (流动办公桌)",
    description="Coming sittings in the estates the caller lives in, and (staff) in their scope.",
)
@paginate(CappedLimitOffset)
def mobile_desk(request):
    return Listing(queries.desk_schedule(request.user), lambda rows: [_sitting(s) for s in rows])


# --- The desk: catalogue, slots and the mobile desk's schedule (managers) ----------------------


@router.post(
    "/items",
    response={201: SvcItemOut, **ERRORS},
    summary="Add an item to a community's service list",
    description="By community staff or the subdistrict, for a `community` of their scope (403 "
    "otherwise). 422 `community`, `name` (also when the list holds it already), "
    "`handling_role`, `time_limit_days` (1–60).",
)
def create_item(request, payload: SvcItemIn):
    data = payload.model_dump()
    with renamed_fields(place="community"):
        made = services.create_item(user=request.user, place_id=data.pop("community"), **data)
    return Status(201, _item(made))


@router.put(
    "/items/{int:item_id}",
    response={200: SvcItemOut, **ERRORS},
    summary="Change an item, or take it off the list",
    description="The whole item (a field left out takes its default; `active: false` takes "
    "it off the list, open requests keep it). By its managers; 403 for others who see it, 404 "
    "otherwise. 422 as for adding.",
)
def update_item(request, item_id: int, payload: SvcItemChangeIn):
    user = request.user
    changed = services.update_item(
        user=user, item=_seen_item(user, item_id), **payload.model_dump()
    )
    return _item(changed)


@router.get(
    "/slots",
    response={200: list[SvcSlotOut], **ERRORS},
    summary="Coming slots of the caller's scope (staff)",
    description="From today on, full ones too; removed ones are gone. 403 for callers who are "
    "not staff anywhere.",
)
@paginate(CappedLimitOffset)
def staff_slots(request):
    rules.require(rules.may_use_desk(request.user))
    return Listing(queries.staff_slots(request.user), lambda rows: [_slot(s) for s in rows])


@router.post(
    "/slots",
    response={201: SvcSlotOut, **ERRORS},
    summary="Publish a slot",
    description="By community staff or the subdistrict, for a `community` of their scope (403 "
    "otherwise). 422 `community`, `day` (today or later), `ends` (after `starts`), "
    "`capacity` (1–500).",
)
def publish_slot(request, payload: SvcSlotIn):
    data = payload.model_dump()
    with renamed_fields(place="community"):
        made = services.publish_slot(user=request.user, place_id=data.pop("community"), **data)
    return Status(201, _slot(made))


@router.post(
    "/slots/{int:slot_id}/remove",
    response={200: SvcSlotRemovedOut, **ERRORS},
    summary="Remove a coming slot",
    description="By its managers. The open requests booked on it keep going without an "
    "appointment (their places are released, `released` lists them) and each requester is "
    "told. 403 for staff of the scope who may not; 404 for anyone else, for a slot of an "
    "earlier day and once removed.",
)
def remove_slot(request, slot_id: int):
    user = request.user
    if queries.slot_for(user, slot_id) is None:
        raise Http404
    removed = services.remove_slot(user=user, slot_id=slot_id)
    return {**_slot(removed), "removed_at": removed.removed_at, "released": removed.released}


@router.post(
    "/mobile-desk",
    response={201: SvcDeskOut, **ERRORS},
    summary="Schedule a sitting of the mobile desk",
    description="By community staff or the subdistrict, in an `estate` of their scope (403 "
    "otherwise). 422 `estate`, `day` (today or later), `ends` (after `starts`), `location`, "
    "`staff`.",
)
def schedule_desk(request, payload: SvcDeskIn):
    data = payload.model_dump()
    with renamed_fields(place="estate"):
        made = services.schedule_desk(user=request.user, place_id=data.pop("estate"), **data)
    return Status(201, _sitting(made))


@router.post(
    "/mobile-desk/{int:session_id}/cancel",
    response={200: SvcDeskCancelledOut, **ERRORS},
    summary="Cancel a coming sitting of the mobile desk",
    description="By its managers; it leaves every schedule (residents no longer see it). 403 "
    "for others who see it on their schedule; 404 for anyone else, for a sitting of an "
    "earlier day and once cancelled.",
)
def cancel_desk(request, session_id: int):
    user = request.user
    if queries.sitting_for(user, session_id) is None:
        raise Http404
    cancelled = services.cancel_desk(user=user, session_id=session_id)
    return {**_sitting(cancelled), "cancelled_at": cancelled.cancelled_at}
