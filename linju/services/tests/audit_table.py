"""Assisted services' part of the audit coverage table (linju/core/tests/test_audit_coverage.py):
every public function of linju/services/services.py and privacy.py, classified, with a scenario
for each audited one (帮办代办: the catalogue, slots (published, removed), requests and their
handling, reminders; the mobile desk 流动办公桌, its sittings scheduled and cancelled)."""

import datetime as dt

from django.utils import timezone

from linju.core.tests.audit_kinds import ERASE, READ, audited, exempt
from linju.core.tests.audit_scenarios import Case, scenario, travel

P = "linju.services."
S = P + "services."

TABLE = {
    P + "privacy.export": exempt(READ),
    P + "privacy.erase": exempt(ERASE, "linju.people.services.delete_account"),
    S + "create_item": audited("services.item_create"),
    S + "update_item": audited("services.item_update"),
    S + "publish_slot": audited("services.slot_publish"),
    S + "request_service": audited("services.request_create"),
    S + "cancel_request": audited("services.request_cancel"),
    S + "accept_request": audited("services.request_accept"),
    S + "complete_request": audited("services.request_done"),
    S + "decline_request": audited("services.request_decline"),
    S + "add_note": audited("services.request_note"),
    S + "send_reminders": audited("services.request_remind"),
    S + "schedule_desk": audited("services.desk_schedule"),
    S + "remove_slot": audited("services.slot_remove"),
    S + "cancel_desk": audited("services.desk_cancel"),
}


def _services():
    from linju.services import services

    return services


def _tomorrow():
    return timezone.localdate() + dt.timedelta(days=1)


def _item(c):
    return _services().create_item(
        user=c.u["community_staff"],
        place_id=c.p["C1"].pk,
        name="老年证代办",
        handling_role="grid_worker",
        time_limit_days=5,
    )


def _slot(c):
    return _services().publish_slot(
        user=c.u["community_staff"],
        place_id=c.p["C1"].pk,
        day=_tomorrow(),
        starts=dt.time(9),
        ends=dt.time(11),
        capacity=3,
    )


def _request(c, slot=None):
    return _services().request_service(
        user=c.u["owner"], item_id=_item(c).pk, slot_id=slot.pk if slot else None
    )


@scenario(S + "create_item")
def _(c):
    return Case(
        act=lambda: _item(c), actor=c.u["community_staff"], obj=lambda i: i, within=c.p["C1"]
    )


@scenario(S + "update_item")
def _(c):
    item, staff = _item(c), c.u["community_staff"]
    return Case(
        act=lambda: _services().update_item(
            user=staff, item=item, name="老年证", handling_role="grid_worker", time_limit_days=3
        ),
        actor=staff,
        obj=item,
        within=c.p["C1"],
    )


@scenario(S + "publish_slot")
def _(c):
    return Case(
        act=lambda: _slot(c), actor=c.u["community_staff"], obj=lambda s: s, within=c.p["C1"]
    )


@scenario(S + "request_service")
def _(c):
    item, slot = _item(c), _slot(c)
    return Case(
        act=lambda: _services().request_service(
            user=c.u["owner"], item_id=item.pk, slot_id=slot.pk
        ),
        actor=c.u["owner"],
        obj=lambda r: r,
        within=c.h["H101"],
    )


@scenario(S + "cancel_request")
def _(c):
    request = _request(c, _slot(c))
    return Case(
        act=lambda: _services().cancel_request(user=c.u["owner"], request=request),
        actor=c.u["owner"],
        obj=request,
        within=c.h["H101"],
    )


def _handled(c, fn, **kw):
    request = _request(c)
    worker = c.u["grid_worker"]
    if fn == "complete_request":
        _services().accept_request(user=worker, request=request)
    return Case(
        act=lambda: getattr(_services(), fn)(user=worker, request=request, **kw),
        actor=worker,
        obj=request,
        within=c.h["H101"],
    )


@scenario(S + "accept_request")
def _(c):
    return _handled(c, "accept_request", note="已受理")


@scenario(S + "complete_request")
def _(c):
    return _handled(c, "complete_request")


@scenario(S + "decline_request")
def _(c):
    return _handled(c, "decline_request", reason="材料不全")


@scenario(S + "add_note")
def _(c):
    return _handled(c, "add_note", text="请带户口本")


@scenario(S + "send_reminders")
def _(c):
    request = _request(c, _slot(c))
    tz = timezone.get_current_timezone()
    evening = dt.datetime.combine(timezone.localdate(), dt.time(18), tzinfo=tz)

    def act():
        with travel(evening):
            return _services().send_reminders()

    return Case(act=act, actor=None, obj=request, within=c.h["H101"])


@scenario(S + "schedule_desk")
def _(c):
    staff = c.u["community_staff"]
    return Case(
        act=lambda: _services().schedule_desk(
            user=staff,
            place_id=c.p["E1"].pk,
            day=_tomorrow(),
            starts=dt.time(9),
            ends=dt.time(11),
            location="3栋楼下",
        ),
        actor=staff,
        obj=lambda s: s,
        within=c.p["E1"],
    )


@scenario(S + "remove_slot")
def _(c):
    slot = _slot(c)
    _request(c, slot)
    staff = c.u["community_staff"]
    return Case(
        act=lambda: _services().remove_slot(user=staff, slot_id=slot.pk),
        actor=staff,
        obj=slot,
        within=c.p["C1"],
    )


@scenario(S + "cancel_desk")
def _(c):
    staff = c.u["community_staff"]
    session = _services().schedule_desk(
        user=staff,
        place_id=c.p["E1"].pk,
        day=_tomorrow(),
        starts=dt.time(9),
        ends=dt.time(11),
        location="3栋楼下",
    )
    return Case(
        act=lambda: _services().cancel_desk(user=staff, session_id=session.pk),
        actor=staff,
        obj=session,
        within=c.p["E1"],
    )
