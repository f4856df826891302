"""The points desk (seeds 000, 002, 004: 公益积分, 爱心超市) for community staff: the shop's
waiting redemptions, handed out by pickup code or cancelled with a reason; volunteer service
and adjustments recorded for a person found by mobile; the earning rules and the expiry policy;
the shop's items and stock; the points and hours ledgers with their XLSX (台账); the month's
leaderboard. Entering needs rules.may_use_desk; every write is checked by its service at the
object's scope (a refusal is a 403). Lists come from queries.staff_* (already scoped)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from linju.core import access
from linju.core.exports import xlsx_response
from linju.core.forms import call_service
from linju.core.views import CappedPaginator, paginate
from linju.people.queries import label_people, person_labels, places_in_scope
from linju.people.services import person_by_mobile

from . import earning, exports, queries, rules, services, services_store
from .forms_desk import (
    AdjustForm,
    CancelForm,
    ExpiryForm,
    HandOutForm,
    ItemForm,
    LeaderboardForm,
    LedgerFilterForm,
    NewItemForm,
    RecordServiceForm,
    RestockForm,
    RuleForm,
)
from .models import EARNING_KINDS, PointsKind, RedemptionStatus

COMMUNITY = ("community",)
RULE_PLACES = ("subdistrict", "community")
MAX_PLACES = 50
RECENT = 10
LEADERS = 20


def _require_desk(user) -> None:
    if not rules.may_use_desk(user):
        raise PermissionDenied


def _may_manage(user) -> bool:
    return getattr(user, "is_superuser", False) or access.has_anywhere(user, "points.manage")


def _require_manage(user) -> None:
    _require_desk(user)
    if not _may_manage(user):
        raise PermissionDenied


def _places(user, perm="points.manage", kinds=COMMUNITY) -> list:
    return list(places_in_scope(user, perm, kinds)[:MAX_PLACES])


def _hours_text(minutes) -> str:
    return f"{minutes / 60:.2f}".rstrip("0").rstrip(".")


# --- The desk: waiting redemptions ----------------------------------------------------------------


def _hand_out(request, form):
    """Find the waiting redemption by its code in the chosen community, then hand it out."""
    user, data = request.user, form.cleaned_data
    found = call_service(
        form, services_store.find_by_code, user=user, place_id=data["place"], code=data["code"]
    )
    if found is None:
        return None
    return call_service(form, services_store.collect, user=user, redemption=found)


@login_required
def desk(request):
    user = request.user
    _require_desk(user)
    manage = _may_manage(user)
    places = _places(user) if manage else []
    hand_form = cancel_form = None
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        action = request.POST.get("action")
        if action == "collect":
            hand_form = HandOutForm(request.POST, places=places)
            done = _hand_out(request, hand_form) if hand_form.is_valid() else None
            if done is not None:
                name, _mobile = person_labels(user, [done.user])[done.user_id]
                messages.success(
                    request,
                    _("Handed out: %(item)s × %(n)d to %(name)s.")
                    % {"item": done.item.name, "n": done.quantity, "name": name},
                )
                return redirect("points:desk")
        elif action == "cancel":
            cancel_form = CancelForm(request.POST)
            if cancel_form.is_valid():
                redemption = (
                    queries.staff_redemptions(user)
                    .filter(pk=cancel_form.cleaned_data["redemption"])
                    .first()
                )
                if redemption is None:
                    raise Http404
                done = call_service(
                    cancel_form,
                    services_store.cancel,
                    user=user,
                    redemption=redemption,
                    reason=cancel_form.cleaned_data["reason"],
                )
                if done is not None:
                    messages.success(request, _("Cancelled; the points are refunded."))
                    return redirect("points:desk")
        else:
            raise Http404
    waiting = queries.staff_redemptions(user, RedemptionStatus.RESERVED).select_related(
        "item__place"
    )
    page = paginate(request, waiting, CappedPaginator)
    rows = list(page.object_list)
    labels = person_labels(user, {r.user_id: r.user for r in rows}.values())
    for r in rows:
        r.person_name, r.person_mobile = labels[r.user_id]
    return render(
        request,
        "points/desk/home.html",
        {
            "manage": manage,
            "hand_form": hand_form or (HandOutForm(places=places) if manage else None),
            "cancel_form": cancel_form,
            "rows": rows,
            "page_obj": page,
        },
    )


# --- Volunteer service and adjustments ------------------------------------------------------------


def _labelled(user, queryset, n=RECENT) -> list:
    return label_people(user, queryset.select_related("place")[:n])


def _service_message(person_name, hours, points, minutes) -> str:
    figures = {"name": person_name, "hours": _hours_text(hours.minutes)}
    if points is not None:
        return _(
            "%(hours)s hours of service recorded for %(name)s; %(points)d points credited."
        ) % {
            **figures,
            "points": points.amount,
        }
    rule = earning.rule_for(hours.place, PointsKind.SERVICE)
    if earning.points_for(rule, minutes) > 0:
        return (
            _("%(hours)s hours of service recorded for %(name)s; no points: the cap is reached.")
            % figures
        )
    return (
        _(
            "%(hours)s hours of service recorded for %(name)s; no points: the time earns less than "
            "a point under the community's rule."
        )
        % figures
    )


@login_required
def service(request):
    """志愿服务: confirm a volunteer's service; their hours and the points it earned."""
    user = request.user
    _require_manage(user)
    form = RecordServiceForm(request.POST or None, places=_places(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = call_service(form, person_by_mobile, mobile=data["mobile"])
        result = person and call_service(
            form,
            services.record_service,
            user=user,
            person_id=person.pk,
            place_id=data["place"],
            served_on=data["served_on"],
            minutes=data["minutes"],
            what=data["what"],
            key=data["key"],
        )
        if result:
            hours, points = result
            name = person_labels(user, [person])[person.pk][0]
            messages.success(request, _service_message(name, hours, points, data["minutes"]))
            return redirect("points:desk_service")
    recent = _labelled(user, queries.staff_hours(user))
    return render(request, "points/desk/service.html", {"form": form, "recent": recent})


@login_required
def adjust(request):
    """A correction of a person's points by staff, with its reason."""
    user = request.user
    _require_manage(user)
    form = AdjustForm(request.POST or None, places=_places(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = call_service(form, person_by_mobile, mobile=data["mobile"])
        entry = person and call_service(
            form,
            services.adjust_points,
            user=user,
            person_id=person.pk,
            place_id=data["place"],
            amount=data["amount"],
            reason=data["reason"],
            key=data["key"],
        )
        if entry:
            name = person_labels(user, [person])[person.pk][0]
            messages.success(
                request,
                _("%(amount)+d points for %(name)s; balance now %(balance)d.")
                % {"amount": entry.amount, "name": name, "balance": entry.balance},
            )
            return redirect("points:desk_adjust")
    recent = _labelled(user, queries.staff_points(user).filter(kind=PointsKind.ADJUSTMENT), RECENT)
    return render(request, "points/desk/adjust.html", {"form": form, "recent": recent})


# --- Earning rules and expiry ---------------------------------------------------------------------


def _rule_table(user, places) -> list[dict]:
    """Each place with, for each kind, the rule that applies there (earning.rules_at): set at
    the place, inherited from a place above (a subdistrict's), or the defaults."""
    set_here = {(r.place_id, r.kind): r for r in queries.rules_in_scope(user)}
    applying = earning.rules_at(places)
    table = []
    for place in places:
        rows = []
        for kind in EARNING_KINDS:
            own = set_here.get((place.pk, kind.value))
            applies = applying[(place.pk, kind.value)]
            if applies.pk is None:
                source = "default"
            else:
                source = "here" if applies.place_id == place.pk else "above"
            points, hours, day, month = (
                applies.points,
                applies.max_hours_per_event,
                applies.max_per_day,
                applies.max_per_month,
            )
            rows.append(
                {
                    "kind": kind,
                    "own": own,
                    "source": source,
                    "from": applies.place if source == "above" else None,
                    "points": points,
                    "hours": hours if kind == PointsKind.SERVICE else None,
                    "day": day,
                    "month": month,
                }
            )
        table.append({"place": place, "rows": rows, "manage": rules.can_manage(user, place)})
    return table


def _rule_initial(request, table) -> dict:
    """The edit form filled from the row picked by ?place=&kind=."""
    try:
        pk = int(request.GET.get("place", ""))
    except ValueError:
        return {}
    kind = request.GET.get("kind", "")
    for block in table:
        if block["place"].pk != pk:
            continue
        for row in block["rows"]:
            if row["kind"].value == kind:
                own = row["own"]
                return {
                    "place": pk,
                    "kind": kind,
                    "points": row["points"],
                    "max_hours_per_event": row["hours"] if row["hours"] is not None else 0,
                    "max_per_day": row["day"],
                    "max_per_month": row["month"],
                    "active": own.active if own else True,
                }
    return {}


@login_required
def rule_list(request):
    user = request.user
    _require_desk(user)
    manage = _may_manage(user)
    rule_form = expiry_form = None
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        action = request.POST.get("action")
        if action == "rule":
            rule_form = RuleForm(request.POST, places=_places(user, kinds=RULE_PLACES))
            if rule_form.is_valid():
                data = rule_form.cleaned_data
                done = call_service(
                    rule_form,
                    services.set_rule,
                    user=user,
                    place_id=data["place"],
                    kind=data["kind"],
                    points=data["points"],
                    max_hours_per_event=data["max_hours_per_event"],
                    max_per_day=data["max_per_day"],
                    max_per_month=data["max_per_month"],
                    active=data["active"],
                )
                if done is not None:
                    messages.success(request, _("The rule is saved."))
                    return redirect("points:desk_rules")
        elif action == "expiry":
            expiry_form = ExpiryForm(request.POST, places=_places(user))
            if expiry_form.is_valid():
                data = expiry_form.cleaned_data
                call_service(
                    expiry_form,
                    services.set_expiry,
                    user=user,
                    place_id=data["place"],
                    months=data["months"],
                )
                if not expiry_form.errors:
                    messages.success(request, _("The expiry policy is saved."))
                    return redirect("points:desk_rules")
        else:
            raise Http404
    places = _places(user, "points.view", RULE_PLACES)
    table = _rule_table(user, places)
    policies = {p.place_id: p for p in queries.expiry_in_scope(user)}
    expiry = [{"place": p, "policy": policies.get(p.pk)} for p in places if p.kind == "community"]
    if manage:
        rule_form = rule_form or RuleForm(
            initial=_rule_initial(request, table), places=_places(user, kinds=RULE_PLACES)
        )
        expiry_form = expiry_form or ExpiryForm(places=_places(user))
    return render(
        request,
        "points/desk/rules.html",
        {"table": table, "expiry": expiry, "rule_form": rule_form, "expiry_form": expiry_form},
    )


# --- The shop's items -----------------------------------------------------------------------------


@login_required
@require_GET
def item_list(request):
    user = request.user
    _require_desk(user)
    items = queries.staff_items(user).select_related("place")
    page = paginate(request, items, CappedPaginator)
    return render(
        request,
        "points/desk/items.html",
        {"page_obj": page, "items": page.object_list, "manage": _may_manage(user)},
    )


@login_required
def item_new(request):
    user = request.user
    _require_manage(user)
    form = NewItemForm(request.POST or None, request.FILES or None, places=_places(user))
    if request.method == "POST" and form.is_valid():
        item = call_service(
            form,
            services_store.create_item,
            user=user,
            place_id=form.cleaned_data["place"],
            stock=form.cleaned_data["stock"],
            **form.service_kwargs(),
        )
        if item is not None:
            messages.success(request, _("The item is in the shop."))
            return redirect("points:desk_item", item.pk)
    return render(request, "points/desk/item.html", {"form": form, "item": None})


@login_required
def item(request, pk):
    user = request.user
    _require_desk(user)
    found = queries.staff_items(user).select_related("place").filter(pk=pk).first()
    if found is None:
        raise Http404
    manage = rules.can_manage(user, found)
    form = restock_form = None
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        action = request.POST.get("action")
        if action == "update":
            form = ItemForm(request.POST, request.FILES)
            if form.is_valid():
                done = call_service(
                    form, services_store.update_item, user=user, item=found, **form.service_kwargs()
                )
                if done is not None:
                    messages.success(request, _("Saved."))
                    return redirect("points:desk_item", found.pk)
        elif action == "restock":
            restock_form = RestockForm(request.POST)
            if restock_form.is_valid():
                done = call_service(
                    restock_form,
                    services_store.restock,
                    user=user,
                    item=found,
                    change=restock_form.cleaned_data["change"],
                    reason=restock_form.cleaned_data["reason"],
                )
                if done is not None:
                    messages.success(request, _("Stock now %(n)d.") % {"n": done.stock})
                    return redirect("points:desk_item", found.pk)
        else:
            raise Http404
    if manage:
        form = form or ItemForm(initial=ItemForm.initial_of(found))
        restock_form = restock_form or RestockForm()
    waiting = queries.staff_redemptions(user, RedemptionStatus.RESERVED).filter(item=found)
    return render(
        request,
        "points/desk/item.html",
        {
            "item": found,
            "form": form,
            "restock_form": restock_form,
            "manage": manage,
            "waiting": waiting.order_by().count(),
        },
    )


# --- Ledgers --------------------------------------------------------------------------------------


def _filtered(request, queryset, by_day: str):
    """The ledger filtered by the GET form: (form, queryset); nothing when the form is wrong."""
    form = LedgerFilterForm(request.GET or None)
    if not form.is_bound:
        return form, queryset
    if not form.is_valid():
        return form, queryset.none()
    if form.cleaned_data.get("mobile"):
        queryset = queryset.filter(user__mobile=form.cleaned_data["mobile"])
    if by_day == "served_on":
        days = form.month_range()
        if days:
            queryset = queryset.filter(served_on__gte=days[0], served_on__lt=days[1])
    else:
        moments = form.aware_range()
        if moments:
            queryset = queryset.filter(created_at__gte=moments[0], created_at__lt=moments[1])
    return form, queryset


LEDGERS = {
    # name: (query, the field a month filters on, export)
    "points": (queries.staff_points, "created_at", exports.points_xlsx),
    "hours": (queries.staff_hours, "served_on", exports.hours_xlsx),
}


def _ledger(request, name):
    user = request.user
    _require_desk(user)
    query, day_field, _export = LEDGERS[name]
    form, entries = _filtered(request, query(user).select_related("place"), day_field)
    return user, form, entries


@login_required
@require_GET
def ledger(request, name):
    user, form, entries = _ledger(request, name)
    page = paginate(request, entries, CappedPaginator)
    rows = label_people(user, page.object_list)
    for row in rows if name == "hours" else ():
        row.total_hours = _hours_text(row.total)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        f"points/desk/ledger_{name}.html",
        {
            "form": form,
            "rows": rows,
            "page_obj": page,
            "xlsx_url": reverse(f"points:desk_{name}_xlsx")
            + (f"?{query.urlencode()}" if query else ""),
        },
    )


@login_required
@require_GET
def ledger_xlsx(request, name):
    user, form, entries = _ledger(request, name)
    if form.is_bound and not form.is_valid():
        return redirect(reverse(f"points:desk_{name}") + f"?{request.GET.urlencode()}")
    month = form.cleaned_data.get("month") if form.is_bound else None
    titles = {"points": _("Points ledger"), "hours": _("Service hours ledger")}
    title = f"{titles[name]} {month or timezone.localdate().isoformat()}"
    return xlsx_response(LEDGERS[name][2](user, entries, title), exports.file_name(name, month))


# --- The month's leaderboard ----------------------------------------------------------------------


@login_required
@require_GET
def leaderboard(request):
    """光荣榜: who earned the most points in a community this month."""
    user = request.user
    _require_desk(user)
    places = _places(user, "points.view")
    form = LeaderboardForm(request.GET or None, places=places)
    chosen = places[0] if places else None
    since = queries.start_of_month()
    until, month = None, timezone.localdate().strftime("%Y-%m")
    if form.is_bound and form.is_valid():
        if form.cleaned_data["place"]:
            chosen = next((p for p in places if p.pk == form.cleaned_data["place"]), None)
            if chosen is None:
                raise Http404
        if form.cleaned_data["month"]:
            since, until = form.aware_range()
            month = form.cleaned_data["month"]
    rows = []
    if chosen is not None:
        rows = queries.leaderboard(chosen.path, since=since, until=until, limit=LEADERS)
        from linju.people.models import User

        people = User.objects.filter(pk__in=[r["user_id"] for r in rows])
        labels = person_labels(user, people)
        for rank, row in enumerate(rows, 1):
            row["rank"] = rank
            row["name"] = labels.get(row["user_id"], ("", ""))[0]
    return render(
        request,
        "points/desk/leaderboard.html",
        {
            "form": form,
            "place": chosen,
            "places": places,
            "rows": rows,
            "month": month,
        },
    )


urlpatterns = [
    path("desk/", desk, name="desk"),
    path("desk/service/", service, name="desk_service"),
    path("desk/adjust/", adjust, name="desk_adjust"),
    path("desk/rules/", rule_list, name="desk_rules"),
    path("desk/items/", item_list, name="desk_items"),
    path("desk/items/new/", item_new, name="desk_item_new"),
    path("desk/items/<int:pk>/", item, name="desk_item"),
    path("desk/ledger/points/", ledger, {"name": "points"}, name="desk_points"),
    path("desk/ledger/points.xlsx", ledger_xlsx, {"name": "points"}, name="desk_points_xlsx"),
    path("desk/ledger/hours/", ledger, {"name": "hours"}, name="desk_hours"),
    path("desk/ledger/hours.xlsx", ledger_xlsx, {"name": "hours"}, name="desk_hours_xlsx"),
    path("desk/leaderboard/", leaderboard, name="desk_leaderboard"),
]
