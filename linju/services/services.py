"""Every write of assisted services (帮办代办) and the mobile desk (流动办公桌), seed 002.

Each function is keyword-only, runs in one transaction, checks its permission inside, takes its
locks in a fixed order (the request, then its slot) and records an audit event. A slot is never
overbooked: the booking locks the slot row (select_for_update) and a database constraint keeps
`booked <= capacity`. Notifications are inbox rows written in the transaction; their delivery
is enqueued after commit by core.notifications."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.core import audit
from linju.core.cleaning import as_id
from linju.core.errors import Conflict, Invalid, NotFound
from linju.core.notifications import notify, notify_many
from linju.places.models import Place, PlaceKind

from . import queries, rules
from .models import (
    HANDLING_ROLES,
    OPEN_STATUSES,
    DeskSession,
    RequestNote,
    RequestStatus,
    ServiceItem,
    ServiceRequest,
    ServiceSlot,
)

KIND = "services.request"
REMIND_AHEAD = dt.timedelta(hours=24)
MAX_TEXT = 2000


def _working_days_after(start: dt.date, days: int) -> dt.date:
    """`days` working days (Monday to Friday) after `start`: the time limit of an item."""
    day = start
    while days > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def _text(field, value, *, required=True, limit=MAX_TEXT):
    value = (value or "").strip()
    if required and not value:
        raise Invalid({field: _("This field is required.")})
    if len(value) > limit:
        raise Invalid({field: _("At most %(n)d characters.") % {"n": limit}})
    return value


def _place(place_id, kind, field="place"):
    place = Place.objects.filter(pk=place_id, kind=kind).first()
    if place is None:
        raise Invalid({field: _("Choose a place of the right kind.")})
    return place


def _times(starts, ends):
    if starts is None:
        raise Invalid({"starts": _("This field is required.")})
    if ends is None or ends <= starts:
        raise Invalid({"ends": _("The end must come after the start.")})


def _item_fields(*, name, description, materials, handling_role, time_limit_days):
    if handling_role not in dict(HANDLING_ROLES):
        raise Invalid({"handling_role": _("Choose one of the handling roles.")})
    if not isinstance(time_limit_days, int) or not 1 <= time_limit_days <= 60:
        raise Invalid({"time_limit_days": _("Between 1 and 60 working days.")})
    return {
        "name": _text("name", name, limit=100),
        "description": _text("description", description, required=False),
        "materials": _text("materials", materials, required=False),
        "handling_role": handling_role,
        "time_limit_days": time_limit_days,
    }


# --- The catalogue (帮办代办事项服务清单) ------------------------------------------------------


def create_item(
    *, user, place_id, name, description="", materials="", handling_role, time_limit_days
) -> ServiceItem:
    """Add an item to a community's assisted-service list."""
    with transaction.atomic():
        place = _place(place_id, PlaceKind.COMMUNITY)
        rules.require(rules.can_manage(user, place))
        fields = _item_fields(
            name=name,
            description=description,
            materials=materials,
            handling_role=handling_role,
            time_limit_days=time_limit_days,
        )
        if ServiceItem.objects.filter(place=place, name=fields["name"]).exists():
            raise Invalid({"name": _("The list already holds an item of this name.")})
        item = ServiceItem.objects.create(place=place, **fields)
        audit.record(actor=user, verb="services.item_create", obj=item, data={"name": item.name})
        return item


def update_item(
    *, user, item, name, description="", materials="", handling_role, time_limit_days, active=True
) -> ServiceItem:
    """Change an item, or take it off the list (`active=False`); open requests keep theirs."""
    with transaction.atomic():
        item = ServiceItem.objects.select_for_update().get(pk=item.pk)
        rules.require(rules.can_manage(user, item))
        fields = _item_fields(
            name=name,
            description=description,
            materials=materials,
            handling_role=handling_role,
            time_limit_days=time_limit_days,
        )
        clash = ServiceItem.objects.filter(place_id=item.place_id, name=fields["name"])
        if clash.exclude(pk=item.pk).exists():
            raise Invalid({"name": _("The list already holds an item of this name.")})
        for key, value in fields.items():
            setattr(item, key, value)
        item.active = bool(active)
        item.save()
        audit.record(
            actor=user,
            verb="services.item_update",
            obj=item,
            data={**fields, "active": item.active},
        )
        return item


# --- Slots ---------------------------------------------------------------------------------------


def publish_slot(*, user, place_id, day, starts, ends, capacity) -> ServiceSlot:
    """Publish a slot of a community in which residents can come (or be visited)."""
    with transaction.atomic():
        place = _place(place_id, PlaceKind.COMMUNITY)
        rules.require(rules.can_manage(user, place))
        if day is None or day < timezone.localdate():
            raise Invalid({"day": _("Choose today or a later day.")})
        _times(starts, ends)
        if not isinstance(capacity, int) or not 1 <= capacity <= 500:
            raise Invalid({"capacity": _("Between 1 and 500.")})
        slot = ServiceSlot.objects.create(
            place=place, day=day, starts=starts, ends=ends, capacity=capacity
        )
        audit.record(
            actor=user,
            verb="services.slot_publish",
            obj=slot,
            data={"day": day.isoformat(), "capacity": capacity},
        )
        return slot


def _book(slot_id, item):
    """Take one place of a slot of the item's community, the slot row locked."""
    slot = ServiceSlot.objects.select_for_update().filter(
        pk=slot_id, place_id=item.place_id, removed_at__isnull=True
    )
    slot = slot.first()
    if slot is None:
        raise Invalid({"slot": _("Choose one of the slots offered.")})
    if slot.day < timezone.localdate():
        raise Invalid({"slot": _("This slot has passed.")})
    if slot.booked >= slot.capacity:
        raise Conflict(_("This slot is fully booked; choose another."), code="slot_full")
    try:
        with transaction.atomic():
            ServiceSlot.objects.filter(pk=slot.pk).update(booked=F("booked") + 1)
    except IntegrityError:  # service_slot_cap: the database's last word
        raise Conflict(_("This slot is fully booked; choose another."), code="slot_full") from None
    return slot


def _open_on(slot_id, *, besides=()):
    """The open requests holding a slot, their rows locked (never the joined item's)."""
    qs = ServiceRequest.objects.select_for_update(of=("self",)).select_related("item")
    qs = qs.filter(slot_id=slot_id, status__in=OPEN_STATUSES).exclude(pk__in=besides)
    return list(qs.order_by("pk"))


def remove_slot(*, user, slot_id) -> ServiceSlot:
    """Take a coming slot off the schedule (nobody can sit at the desk then). The requests
    still open on it are not refused with it: each loses its appointment, its place is
    released and its requester is told that the request stands and the handlers will arrange
    another time. The slot row stays (removed_at) as the closed requests' record; the returned
    slot's `released` lists the requests set free."""
    with transaction.atomic():
        slot_id = as_id(slot_id)
        if slot_id is None:
            raise NotFound(_("No such slot."))
        # The fixed lock order: the requests, then their slot.
        holders = _open_on(slot_id)
        slot = ServiceSlot.objects.select_for_update().filter(pk=slot_id, removed_at=None).first()
        if slot is None:
            raise NotFound(_("No such slot."))
        rules.require(rules.can_manage(user, slot))
        if slot.day < timezone.localdate():
            raise Conflict(_("This slot has passed."), code="past")
        # A booking that took the slot's lock before us has committed by now.
        holders += _open_on(slot_id, besides=[r.pk for r in holders])
        for request in holders:
            request.slot = None
            request.save(update_fields=["slot", "updated_at"])
        slot.booked = max(slot.booked - len(holders), 0)
        slot.removed_at = timezone.now()
        slot.save(update_fields=["booked", "removed_at"])
        slot.released = [r.pk for r in holders]
        audit.record(
            actor=user,
            verb="services.slot_remove",
            obj=slot,
            data={"day": slot.day.isoformat(), "released": [r.pk for r in holders]},
        )
        when = {"day": slot.day.isoformat(), "time": slot.starts.strftime("%H:%M")}
        notify_many(
            kind=KIND,
            messages=[
                {
                    "recipients": [r.requester_id],
                    "title": _("Your appointment on %(day)s at %(time)s is cancelled") % when,
                    "body": _("%(item)s: your request stands; we will arrange another time.")
                    % {"item": r.item.name},
                    "url": reverse("services:request", args=[r.pk]),
                }
                for r in holders
            ],
        )
        return slot


def _release(request):
    if request.slot_id is not None:
        ServiceSlot.objects.select_for_update().filter(pk=request.slot_id).update(
            booked=F("booked") - 1
        )


# --- Requests ------------------------------------------------------------------------------------


def _notify_requester(request, title):
    notify(
        recipients=[request.requester_id],
        kind=KIND,
        title=title,
        body=request.item.name,
        url=reverse("services:request", args=[request.pk]),
    )


def request_service(*, user, item_id, household_id=None, slot_id=None, note="") -> ServiceRequest:
    """A resident requests an item for their household and books a slot (optional)."""
    with transaction.atomic():
        item = ServiceItem.objects.filter(pk=item_id).select_related("place").first()
        if item is None or not (rules.may_request(user, item) or rules.can_view(user, item)):
            raise NotFound(_("No such item."))
        rules.require(rules.may_request(user, item))
        households = queries.my_households(user, item)
        if household_id is None:
            household = households.first()
        else:
            household = households.filter(pk=household_id).first()
        if household is None:
            raise Invalid({"household": _("Choose your household in this community.")})
        note = _text("note", note, required=False)
        slot = _book(slot_id, item) if slot_id is not None else None
        request = ServiceRequest.objects.create(
            item=item,
            household=household,
            path=household.path,
            requester=user,
            slot=slot,
            note=note,
            due_on=_working_days_after(timezone.localdate(), item.time_limit_days),
        )
        audit.record(
            actor=user,
            verb="services.request_create",
            obj=request,
            data={"item": item.pk, "slot": slot_id},
        )
        return request


def _locked(request):
    return ServiceRequest.objects.select_for_update().select_related("item").get(pk=request.pk)


def cancel_request(*, user, request) -> ServiceRequest:
    """The resident withdraws a request before it is accepted; the slot's place is freed."""
    with transaction.atomic():
        request = _locked(request)
        rules.require(request.requester_id == user.pk)
        if request.status != RequestStatus.REQUESTED:
            raise Conflict(_("Only a request not yet accepted can be cancelled."), code="status")
        _release(request)
        request.status = RequestStatus.CANCELLED
        request.save(update_fields=["status", "updated_at"])
        audit.record(actor=user, verb="services.request_cancel", obj=request)
        return request


def _handle(*, user, request, to, allowed_from, verb, note="", reason=None):
    with transaction.atomic():
        request = _locked(request)
        rules.require(rules.can_handle(user, request))
        if request.status not in allowed_from:
            raise Conflict(
                _("The request is %(s)s.") % {"s": request.get_status_display()}, code="status"
            )
        note = _text("note", note, required=False)
        if reason is not None:
            request.reason = _text("reason", reason, limit=500)
        if to == RequestStatus.DECLINED:
            _release(request)
        request.status = to
        request.save()
        if note:
            RequestNote.objects.create(request=request, author=user, text=note, status=to)
        audit.record(actor=user, verb=verb, obj=request, data={"note": note, "reason": reason})
        _notify_requester(
            request,
            {
                RequestStatus.ACCEPTED: _("Your request was accepted"),
                RequestStatus.DONE: _("Your request is done"),
                RequestStatus.DECLINED: _("Your request was declined"),
            }[to],
        )
        return request


def accept_request(*, user, request, note="") -> ServiceRequest:
    """A handler takes the request on (受理)."""
    return _handle(
        user=user,
        request=request,
        to=RequestStatus.ACCEPTED,
        allowed_from=(RequestStatus.REQUESTED,),
        verb="services.request_accept",
        note=note,
    )


def complete_request(*, user, request, note="") -> ServiceRequest:
    """A handler marks the request done (办结)."""
    return _handle(
        user=user,
        request=request,
        to=RequestStatus.DONE,
        allowed_from=(RequestStatus.ACCEPTED,),
        verb="services.request_done",
        note=note,
    )


def decline_request(*, user, request, reason, note="") -> ServiceRequest:
    """A handler declines the request, saying why; the slot's place is freed."""
    return _handle(
        user=user,
        request=request,
        to=RequestStatus.DECLINED,
        allowed_from=OPEN_STATUSES,
        verb="services.request_decline",
        note=note,
        reason=reason,
    )


def add_note(*, user, request, text) -> RequestNote:
    """A handler's note on an open request; the resident is told."""
    with transaction.atomic():
        request = _locked(request)
        rules.require(rules.can_handle(user, request))
        if not request.is_open:
            raise Conflict(_("The request is closed."), code="status")
        note = RequestNote.objects.create(
            request=request, author=user, text=_text("text", text), status=""
        )
        audit.record(actor=user, verb="services.request_note", obj=request, data={"note": note.pk})
        _notify_requester(request, _("A note on your request"))
        return note


def send_reminders(*, now=None) -> int:
    """The sweep (sweep_services): remind each resident whose booked slot starts within a day,
    once per request — the reminded_at mark, set under the row lock, makes a rerun send none."""
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    horizon = now + REMIND_AHEAD
    sent = 0
    with transaction.atomic():
        due = (
            ServiceRequest.objects.select_for_update(of=("self",))
            .filter(
                status__in=OPEN_STATUSES,
                reminded_at__isnull=True,
                slot__day__gte=timezone.localdate(now),
                slot__day__lte=timezone.localdate(horizon),
            )
            .select_related("slot", "item")
            .order_by("pk")
        )
        for request in due:
            starts = dt.datetime.combine(request.slot.day, request.slot.starts, tzinfo=tz)
            if not now <= starts <= horizon:
                continue
            request.reminded_at = now
            request.save(update_fields=["reminded_at"])
            audit.record(
                actor=None,
                verb="services.request_remind",
                obj=request,
                data={"slot": request.slot_id},
            )
            _notify_requester(
                request,
                _("Reminder: your appointment on %(day)s at %(time)s")
                % {
                    "day": request.slot.day.isoformat(),
                    "time": request.slot.starts.strftime("%H:%M"),
                },
            )
            sent += 1
    return sent


# --- The mobile desk (流动办公桌) -----------------------------------------------------------------


def schedule_desk(*, user, place_id, day, starts, ends, location, staff="") -> DeskSession:
    """Put a sitting of the mobile desk on an estate's schedule."""
    with transaction.atomic():
        place = _place(place_id, PlaceKind.ESTATE)
        rules.require(rules.can_manage(user, place))
        if day is None or day < timezone.localdate():
            raise Invalid({"day": _("Choose today or a later day.")})
        _times(starts, ends)
        session = DeskSession.objects.create(
            place=place,
            day=day,
            starts=starts,
            ends=ends,
            location=_text("location", location, limit=100),
            staff=_text("staff", staff, required=False, limit=100),
        )
        audit.record(
            actor=user,
            verb="services.desk_schedule",
            obj=session,
            data={"day": day.isoformat(), "location": session.location},
        )
        return session


def cancel_desk(*, user, session_id) -> DeskSession:
    """Call off a coming sitting of the mobile desk: it leaves every schedule, so residents no
    longer see it (nobody books a sitting, so nobody is notified). The row stays
    (cancelled_at): the audit trail names it."""
    with transaction.atomic():
        session = (
            DeskSession.objects.select_for_update()
            .filter(pk=as_id(session_id), cancelled_at=None)
            .first()
        )
        if session is None:
            raise NotFound(_("No such sitting."))
        rules.require(rules.can_manage(user, session))
        if session.day < timezone.localdate():
            raise Conflict(_("This sitting has passed."), code="past")
        session.cancelled_at = timezone.now()
        session.save(update_fields=["cancelled_at"])
        audit.record(
            actor=user,
            verb="services.desk_cancel",
            obj=session,
            data={"day": session.day.isoformat(), "location": session.location},
        )
        return session
