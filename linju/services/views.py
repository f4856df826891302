"""Pages of assisted services (帮办代办) and the mobile desk (流动办公桌), seed 002, mobile first.

Residents: the service list of the community they live in, an item with the request form (their
household, a slot), their requests (cancel before acceptance), the mobile desk schedule of their
estate. Staff: the requests of their scope with the overdue ones flagged, handling a request
(accept, done, decline with a reason, notes), the catalogue, the slots and the desk schedule
(managers remove a slot, cancel a sitting). Views call services and queries only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from linju.core import access
from linju.core.errors import Conflict, DomainError, Forbidden, NotFound
from linju.core.forms import call_service
from linju.core.views import paginate
from linju.places.models import Place, PlaceKind

from . import queries, rules, services
from .forms import DeskForm, HandleForm, ItemEditForm, ItemForm, RequestForm, SlotForm
from .models import RequestStatus, ServiceItem

LATEST = 10


@login_required
def home(request):
    user = request.user
    context = {
        "items": list(queries.catalogue(request.user)[:100]),
        "mine": list(queries.my_requests(user)[:LATEST]),
        "staff": rules.may_use_desk(user),
    }
    return render(request, "services/home.html", context)


def _households(user, item):
    found = list(queries.my_households(user, item).select_related("unit"))
    for h in found:
        h.label = str(h)
    return found


@login_required
def item(request, pk):
    user = request.user
    found = ServiceItem.objects.select_related("place").filter(pk=pk).first()
    if found is None:
        raise Http404
    may_request = rules.may_request(user, found)
    if not (may_request or rules.can_view(user, found)):
        raise Http404
    form = None
    if may_request:
        households = _households(user, found)
        slots = list(queries.open_slots(found)[:50])
        form = RequestForm(request.POST or None, households=households, slots=slots)
        if request.method == "POST" and form.is_valid():
            made = call_service(
                form,
                services.request_service,
                user=user,
                item_id=found.pk,
                household_id=form.cleaned_data["household"],
                slot_id=form.cleaned_data["slot"],
                note=form.cleaned_data["note"],
            )
            if made is not None:
                messages.success(request, _("Your request is sent."))
                return redirect("services:request", made.pk)
    elif request.method == "POST":
        raise PermissionDenied
    return render(request, "services/item.html", {"item": found, "form": form})


@login_required
def my_requests(request):
    page = paginate(request, queries.my_requests(request.user))
    return render(request, "services/requests.html", {"page_obj": page})


@login_required
def request_detail(request, pk):
    user = request.user
    found = queries.request_for(user, pk)
    if found is None:
        raise Http404
    handler = rules.can_handle(user, found)
    form = HandleForm(request.POST or None) if handler else None
    if request.method == "POST":
        if request.POST.get("action") == "cancel":
            if found.requester_id != user.pk:
                raise PermissionDenied
            try:
                services.cancel_request(user=user, request=found)
            except Forbidden:
                raise PermissionDenied from None
            except DomainError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("Your request is cancelled."))
            return redirect("services:request", found.pk)
        if not handler:
            raise PermissionDenied
        action = request.POST.get("action")
        if action not in HandleForm.ACTIONS:
            raise Http404
        if form.is_valid():
            note = form.cleaned_data["note"]
            if action == "accept":
                done = call_service(
                    form, services.accept_request, user=user, request=found, note=note
                )
            elif action == "done":
                done = call_service(
                    form, services.complete_request, user=user, request=found, note=note
                )
            elif action == "decline":
                done = call_service(
                    form,
                    services.decline_request,
                    user=user,
                    request=found,
                    note=note,
                    reason=form.cleaned_data["reason"],
                )
            else:
                done = call_service(
                    form,
                    services.add_note,
                    names={"text": "note"},
                    user=user,
                    request=found,
                    text=note,
                )
            if done is not None:
                messages.success(request, _("Saved."))
                return redirect("services:request", found.pk)
    context = {
        "req": found,
        "notes": list(queries.notes_of(found)),
        "form": form,
        "handler": handler,
        "cancellable": found.requester_id == user.pk and found.status == RequestStatus.REQUESTED,
    }
    return render(request, "services/request.html", context)


@login_required
def mobile_desk(request):
    page = paginate(request, queries.desk_schedule(request.user))
    return render(request, "services/mobile_desk.html", {"page_obj": page})


# --- The staff desk ------------------------------------------------------------------------------


def _desk(user):
    if not rules.may_use_desk(user):
        raise PermissionDenied


@login_required
def desk(request):
    user = request.user
    _desk(user)
    status = request.GET.get("status", "")
    if status not in RequestStatus.values:
        status = ""
    overdue = request.GET.get("overdue") == "1"
    page = paginate(request, queries.desk_requests(user, status=status, overdue=overdue))
    context = {
        "page_obj": page,
        "status": status,
        "overdue": overdue,
        "statuses": RequestStatus.choices,
    }
    return render(request, "services/desk/requests.html", context)


def _managed(user, kind):
    qs = Place.objects.filter(kind=kind).order_by("path")
    return list(access.filter_queryset(user, "services.manage", qs))


def _desk_form(request, form_class, kind, service, fields):
    """A desk list with its form for a new row: only those who manage somewhere may post."""
    user = request.user
    places = _managed(user, kind)
    form = form_class(request.POST or None, places=places) if places else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = {k: form.cleaned_data[k] for k in fields}
            made = call_service(form, service, user=user, place_id=data.pop("place"), **data)
            if made is not None:
                messages.success(request, _("Saved."))
                return None, True
    return form, False


@login_required
def desk_items(request):
    _desk(request.user)
    form, done = _desk_form(
        request,
        ItemForm,
        PlaceKind.COMMUNITY,
        services.create_item,
        ["place", "name", "description", "materials", "handling_role", "time_limit_days"],
    )
    if done:
        return redirect("services:desk_items")
    page = paginate(request, queries.staff_items(request.user))
    return render(request, "services/desk/items.html", {"page_obj": page, "form": form})


@login_required
def desk_item(request, pk):
    """An item of the scope's list; its managers change it or take it off the list."""
    user = request.user
    _desk(user)
    found = queries.staff_items(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    manage = rules.can_manage(user, found)
    form = None
    if manage:
        initial = {
            f: getattr(found, f)
            for f in ("name", "description", "materials", "handling_role", "time_limit_days")
        }
        form = ItemEditForm(request.POST or None, initial={**initial, "active": found.active})
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        if form.is_valid():
            done = call_service(
                form, services.update_item, user=user, item=found, **form.cleaned_data
            )
            if done is not None:
                messages.success(request, _("Saved."))
                return redirect("services:desk_item", found.pk)
    return render(request, "services/desk/item.html", {"item": found, "form": form})


@login_required
def desk_slots(request):
    _desk(request.user)
    form, done = _desk_form(
        request,
        SlotForm,
        PlaceKind.COMMUNITY,
        services.publish_slot,
        ["place", "day", "starts", "ends", "capacity"],
    )
    if done:
        return redirect("services:desk_slots")
    page = _removable(request.user, paginate(request, queries.staff_slots(request.user)))
    return render(request, "services/desk/slots.html", {"page_obj": page, "form": form})


def _removable(user, page):
    """Mark the rows of a desk list its viewer may remove (or cancel): its managers."""
    for row in page:
        row.may_remove = rules.can_manage(user, row)
    return page


def _button(request, fn, **kwargs):
    """A row's button: a refusal is a 403, a conflict (it passed, someone was quicker) a
    message; the service's result, or None."""
    try:
        return fn(**kwargs)
    except Forbidden:
        raise PermissionDenied from None
    except (Conflict, NotFound) as exc:
        messages.error(request, str(exc.message))
    return None


@login_required
@require_POST
def desk_slot_remove(request, pk):
    user = request.user
    _desk(user)
    found = queries.slot_for(user, pk)
    if found is None:
        raise Http404
    if not rules.can_manage(user, found):
        raise PermissionDenied
    removed = _button(request, services.remove_slot, user=user, slot_id=found.pk)
    if removed is not None:
        n = len(removed.released)
        messages.success(
            request,
            ngettext(
                "The slot is removed; the %(n)d resident who had booked it is told.",
                "The slot is removed; the %(n)d residents who had booked it are told.",
                n,
            )
            % {"n": n}
            if n
            else _("The slot is removed."),
        )
    return redirect("services:desk_slots")


@login_required
def desk_mobile(request):
    _desk(request.user)
    form, done = _desk_form(
        request,
        DeskForm,
        PlaceKind.ESTATE,
        services.schedule_desk,
        ["place", "day", "starts", "ends", "location", "staff"],
    )
    if done:
        return redirect("services:desk_mobile")
    page = _removable(request.user, paginate(request, queries.desk_schedule(request.user)))
    return render(request, "services/desk/mobile.html", {"page_obj": page, "form": form})


@login_required
@require_POST
def desk_sitting_cancel(request, pk):
    user = request.user
    _desk(user)
    found = queries.sitting_for(user, pk)
    if found is None:
        raise Http404
    if not rules.can_manage(user, found):
        raise PermissionDenied
    if _button(request, services.cancel_desk, user=user, session_id=found.pk) is not None:
        messages.success(request, _("The sitting is cancelled; residents no longer see it."))
    return redirect("services:desk_mobile")


urlpatterns = [
    path("", home, name="home"),
    path("items/<int:pk>/", item, name="item"),
    path("requests/", my_requests, name="requests"),
    path("requests/<int:pk>/", request_detail, name="request"),
    path("mobile-desk/", mobile_desk, name="mobile_desk"),
    path("desk/", desk, name="desk"),
    path("desk/items/", desk_items, name="desk_items"),
    path("desk/items/<int:pk>/", desk_item, name="desk_item"),
    path("desk/slots/", desk_slots, name="desk_slots"),
    path("desk/slots/<int:pk>/remove/", desk_slot_remove, name="desk_slot_remove"),
    path("desk/mobile/", desk_mobile, name="desk_mobile"),
    path("desk/mobile/<int:pk>/cancel/", desk_sitting_cancel, name="desk_sitting_cancel"),
]
