"""Assisted services (帮办代办) and the mobile desk (流动办公桌): the resident's service list,
request form, own requests and the estate's desk schedule; the staff desk's requests, catalogue,
slots and schedule (with the managers' buttons that remove a slot and cancel a sitting). Rules:
linju/services/rules.py and docs/services.md — staff of a scope read it (services.view); a
request is handled by the item's handling role at a scope containing the household, or by
community staff and the subdistrict (services.manage), who also keep the catalogue, slots and
schedule; residents request in the community they live in and see the mobile desk of their
estate."""

import datetime as dt

from django.utils import timezone

from linju.services import services

from .policy import Anywhere, Home, HomeIn, Is, LoggedIn, Perm, Rule, covers, scopes_of
from .spec import Route
from .world import Thing, makes, marker, person, twin

APP = "services"


@makes("svc_item", "svc_slot", "svc_request", "svc_desk", again=True)
def services_made(w, side, suffix):
    """An item of C1's (C2's) service list handled by grid workers, a slot tomorrow, the owner's
    request for H101 (H301) with the slot booked, and a sitting of the mobile desk in E1 (E2)."""
    staff = w.user(person(side, "community_staff"))
    community = w.place(twin(side, "C1"))
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    item = services.create_item(
        user=staff,
        place_id=community.pk,
        name=marker("svc_item", side, suffix),
        handling_role="grid_worker",
        time_limit_days=5,
    )
    slot = services.publish_slot(
        user=staff,
        place_id=community.pk,
        day=tomorrow,
        starts=dt.time(9),
        ends=dt.time(11),
        capacity=5,
    )
    request = services.request_service(
        user=w.user(person(side, "owner")),
        item_id=item.pk,
        slot_id=slot.pk,
        note=marker("svc_request", side, suffix),
    )
    session = services.schedule_desk(
        user=staff,
        place_id=w.place(twin(side, "E1")).pk,
        day=tomorrow,
        starts=dt.time(9),
        ends=dt.time(11),
        location=marker("svc_desk", side, suffix),
    )
    return {
        "svc_item": Thing(item, twin(side, "C1")),
        "svc_slot": Thing(slot, twin(side, "C1")),
        "svc_request": Thing(request, twin(side, "H101"), {"requester": person(side, "owner")}),
        "svc_desk": Thing(session, twin(side, "E1")),
    }


class HoldsAt(Rule):
    """Holds `role` at a scope containing the object (an item's handling role)."""

    def __init__(self, role):
        self.role = role
        self.why = f"{role} at a scope containing it"

    def __call__(self, who, case):
        return any(covers(s, case.place) for s in scopes_of(who).get(self.role, []))


VIEW = Perm("services.view")
MANAGE = Perm("services.manage")
DESK = Anywhere("services.view")
# The world's item is handled by grid workers.
HANDLE = MANAGE | (Perm("services.handle") & HoldsAt("grid_worker"))
RESIDENT = Home()
ESTATE_DESK = HomeIn("E") | VIEW


PAGES = {
    "services/": Route(
        LoggedIn(),
        shows={"svc_item": RESIDENT, "svc_request": Is("requester")},
        why="resident-facing: the list of the community the person lives in, their requests",
    ),
    "services/items/<int:pk>/": Route(
        RESIDENT | VIEW,
        params={"pk": "svc_item"},
        post=RESIDENT,
        data=lambda w, side: {"household": w.obj("household", side).pk, "note": "x"},
        why="an item: residents of its community request it; staff of the scope read it",
    ),
    "services/requests/": Route(
        LoggedIn(), shows={"svc_request": Is("requester")}, why="the person's own requests"
    ),
    "services/requests/<int:pk>/": Route(
        Is("requester") | VIEW,
        params={"pk": "svc_request"},
        post=Is("requester") | HANDLE,
        data=lambda w, side: {"action": "note", "note": "x"},
        why="the requester cancels; the item's handling role in the scope handles",
    ),
    "services/mobile-desk/": Route(
        LoggedIn(),
        shows={"svc_desk": ESTATE_DESK},
        why="resident-facing: the mobile desk of the estate the person lives in",
    ),
    "services/desk/": Route(
        DESK,
        shows={"svc_request": VIEW},
        counts=("svc_item",),
        why="the requests of the scope, overdue flagged",
    ),
    "services/desk/items/": Route(
        DESK,
        shows={"svc_item": VIEW},
        post=MANAGE,
        post_kind="community",
        data=lambda w, side: {
            "place": w.obj("community", side).pk,
            "name": "x",
            "handling_role": "grid_worker",
            "time_limit_days": 3,
        },
        refused=(200, 403),
        why="the service list of the scope; managers add items",
    ),
    "services/desk/items/<int:pk>/": Route(
        DESK & VIEW,
        params={"pk": "svc_item"},
        seen=VIEW,
        post=MANAGE,
        data=lambda w, s: {"name": "y", "handling_role": "grid_worker", "time_limit_days": 3},
        why="an item of the scope's list; changing it is the managers'",
    ),
    "services/desk/slots/": Route(
        DESK,
        counts=("svc_slot",),
        post=MANAGE,
        post_kind="community",
        data=lambda w, side: {
            "place": w.obj("community", side).pk,
            "day": (timezone.localdate() + dt.timedelta(days=2)).isoformat(),
            "starts": "09:00",
            "ends": "10:00",
            "capacity": 3,
        },
        refused=(200, 403),
        why="the slots of the scope; managers publish them",
    ),
    "services/desk/mobile/": Route(
        DESK,
        shows={"svc_desk": ESTATE_DESK},
        post=MANAGE,
        post_kind="svc_desk",
        data=lambda w, side: {
            "place": w.place(twin(side, "E1")).pk,
            "day": (timezone.localdate() + dt.timedelta(days=2)).isoformat(),
            "starts": "09:00",
            "ends": "10:00",
            "location": "x",
        },
        refused=(200, 403),
        why="the mobile desk of the scope; managers schedule it",
    ),
    "services/desk/slots/<int:pk>/remove/": Route(
        DESK & VIEW,
        params={"pk": "svc_slot"},
        get=405,
        post=MANAGE,
        seen=DESK & VIEW,
        why="POST only: managers remove a coming slot of their scope",
    ),
    "services/desk/mobile/<int:pk>/cancel/": Route(
        DESK & ESTATE_DESK,
        params={"pk": "svc_desk"},
        get=405,
        post=MANAGE,
        seen=DESK & ESTATE_DESK,
        why="POST only: managers cancel a coming sitting of their scope",
    ),
}


def _slot_body(w, side):
    return {
        "community": w.obj("community", side).pk,
        "day": (timezone.localdate() + dt.timedelta(days=2)).isoformat(),
        "starts": "09:00",
        "ends": "10:00",
        "capacity": 3,
    }


def _desk_body(w, side):
    return {
        "estate": w.place(twin(side, "E1")).pk,
        "day": (timezone.localdate() + dt.timedelta(days=2)).isoformat(),
        "starts": "09:00",
        "ends": "10:00",
        "location": "x",
    }


ITEM = {"name": "y", "handling_role": "grid_worker", "time_limit_days": 3}

API = {
    "GET /services/items": Route(
        LoggedIn(),
        shows={"svc_item": RESIDENT | VIEW},
        why="the list of the communities the caller lives in, and of their staff scope",
    ),
    "GET /services/items/{item_id}/slots": Route(
        RESIDENT | VIEW, params={"item_id": "svc_item"}, counts=("svc_slot",)
    ),
    "POST /services/items/{item_id}/requests": Route(
        RESIDENT,
        params={"item_id": "svc_item"},
        seen=RESIDENT | VIEW,
        data=lambda w, s: {"note": "x"},
        why="residents of its community request it",
    ),
    "GET /services/requests/mine": Route(
        LoggedIn(), shows={"svc_request": Is("requester")}, why="the caller's own requests"
    ),
    "GET /services/requests": Route(
        DESK,
        shows={"svc_request": VIEW},
        refused=(403,),
        why="the requests of the scope, for staff",
    ),
    "GET /services/requests/{request_id}": Route(
        Is("requester") | VIEW, params={"request_id": "svc_request"}
    ),
    "POST /services/requests/{request_id}/cancel": Route(
        Is("requester"), params={"request_id": "svc_request"}, seen=Is("requester") | VIEW
    ),
    "POST /services/requests/{request_id}/accept": Route(
        HANDLE, params={"request_id": "svc_request"}, seen=Is("requester") | VIEW
    ),
    "POST /services/requests/{request_id}/done": Route(
        HANDLE, params={"request_id": "svc_request"}, seen=Is("requester") | VIEW
    ),
    "POST /services/requests/{request_id}/decline": Route(
        HANDLE,
        params={"request_id": "svc_request"},
        seen=Is("requester") | VIEW,
        data=lambda w, s: {"reason": "x"},
    ),
    "POST /services/requests/{request_id}/notes": Route(
        HANDLE,
        params={"request_id": "svc_request"},
        seen=Is("requester") | VIEW,
        data=lambda w, s: {"text": "x"},
    ),
    "GET /services/mobile-desk": Route(
        LoggedIn(),
        shows={"svc_desk": ESTATE_DESK},
        why="the mobile desk of the caller's estate, and of their staff scope",
    ),
    "POST /services/items": Route(
        MANAGE,
        kind="community",
        data=lambda w, side: {**ITEM, "community": w.obj("community", side).pk},
        refused=(403,),
        why="managers add items to a community of their scope",
    ),
    "PUT /services/items/{item_id}": Route(
        MANAGE,
        params={"item_id": "svc_item"},
        seen=RESIDENT | VIEW,
        data=lambda w, s: ITEM,
        why="managers change an item of their scope",
    ),
    "GET /services/slots": Route(
        DESK, counts=("svc_slot",), refused=(403,), why="the coming slots of the scope, for staff"
    ),
    "POST /services/slots": Route(
        MANAGE,
        kind="community",
        data=_slot_body,
        refused=(403,),
        why="managers publish slots in a community of their scope",
    ),
    "POST /services/slots/{slot_id}/remove": Route(
        MANAGE,
        params={"slot_id": "svc_slot"},
        seen=VIEW,
        why="managers remove a coming slot; staff of the scope are refused",
    ),
    "POST /services/mobile-desk": Route(
        MANAGE,
        kind="svc_desk",
        data=_desk_body,
        refused=(403,),
        why="managers schedule the desk in an estate of their scope",
    ),
    "POST /services/mobile-desk/{session_id}/cancel": Route(
        MANAGE,
        params={"session_id": "svc_desk"},
        seen=ESTATE_DESK,
        why="managers cancel a coming sitting; those who see it on their schedule are refused",
    ),
}
