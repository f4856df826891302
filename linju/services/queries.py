"""Reads of assisted services (帮办代办) and the mobile desk (流动办公桌), scoped by core.access:
the catalogue and slots of the communities a resident lives in, their own requests, the desk's
requests of a scope with the overdue ones flagged, the mobile desk schedule of an estate."""

from django.db.models import BooleanField, Case, F, Q, Value, When
from django.utils import timezone

from linju.core import access
from linju.places.models import Household

from . import rules
from .models import OPEN_STATUSES, DeskSession, ServiceItem, ServiceRequest, ServiceSlot


def _under_homes(user, qs):
    """Rows whose scope contains one of the user's homes (a community's list, an estate's
    desk)."""
    homes = rules.homes(user)
    if not homes:
        return qs.none()
    q = Q(pk__in=[])
    for home in homes:
        # The scope path is a prefix of the home: one of the home's ancestors' paths.
        segments = [s for s in home.split("/") if s]
        prefixes = ["/".join(segments[:i]) + "/" for i in range(1, len(segments) + 1)]
        q |= Q(path__in=prefixes)
    return qs.filter(q)


def catalogue(user):
    """The offered items of the communities the user lives in."""
    return _under_homes(user, ServiceItem.objects.filter(active=True)).select_related("place")


def staff_items(user):
    qs = ServiceItem.objects.select_related("place")
    return access.filter_queryset(user, "services.view", qs)


def _coming_slots():
    return ServiceSlot.objects.filter(day__gte=timezone.localdate(), removed_at__isnull=True)


def open_slots(item):
    """The slots of an item's community from today on with a free place."""
    return _coming_slots().filter(place_id=item.place_id, booked__lt=F("capacity"))


def staff_slots(user):
    """The coming slots of the user's scope (removed ones left out)."""
    return access.filter_queryset(user, "services.view", _coming_slots().select_related("place"))


def slot_for(user, pk):
    """A coming slot of the user's staff scope, else None."""
    return staff_slots(user).filter(pk=pk).first()


def _with_overdue(qs):
    today = timezone.localdate()
    return qs.annotate(
        overdue=Case(
            When(status__in=OPEN_STATUSES, due_on__lt=today, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def my_requests(user):
    qs = ServiceRequest.objects.filter(requester=user).select_related("item", "slot")
    return _with_overdue(qs)


def desk_requests(user, *, status="", overdue=False):
    qs = ServiceRequest.objects.select_related("item", "slot", "household__unit")
    qs = _with_overdue(access.filter_queryset(user, "services.view", qs))
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(overdue=True)
    return qs


def request_for(user, pk):
    """A request the user may see (their own, or one of the scope), else None."""
    found = (
        ServiceRequest.objects.select_related("item", "slot", "household", "requester")
        .filter(pk=pk)
        .first()
    )
    if found is None or not rules.may_see_request(user, found):
        return None
    found.overdue = found.is_open and found.due_on < timezone.localdate()
    return found


def notes_of(request):
    return request.notes.select_related("author")


def desk_schedule(user):
    """The coming sittings of the mobile desk in the estates the user lives in, and (staff) in
    their scope; cancelled ones are gone."""
    qs = DeskSession.objects.filter(day__gte=timezone.localdate(), cancelled_at__isnull=True)
    qs = qs.select_related("place")
    mine = _under_homes(user, qs)
    staff = access.filter_queryset(user, "services.view", qs)
    return (mine | staff).distinct()


def sitting_for(user, pk):
    """A coming sitting the user sees on their schedule, else None."""
    return desk_schedule(user).filter(pk=pk).first()


def my_households(user, item):
    """The households a resident may request `item` for: their verified homes in its community."""
    homes = [h for h in rules.homes(user) if h.startswith(item.path)]
    return Household.objects.filter(path__in=homes).order_by("path")
