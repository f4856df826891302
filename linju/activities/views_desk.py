"""The activities desk (seeds 000, 002, 004) for staff and the people who run things: the month's
figures of the scope (每月一活动, 参与人次) and the coming week; activities organised, changed,
cancelled, and run from their sheet (sign-ups and wait list, check-in by mobile, confirming who
came, which credits points and hours once, photos afterwards), with a printable QR poster for
checking in at the venue; volunteer teams and interest groups with their members and leaders,
and the teams' service waiting for confirmation; the talent pool (楼组达人库) searched and
invited; the figures as XLSX.

Entering the desk needs rules.may_use_desk; an activity's sheet also opens to whoever runs it
(rules.can_run: an organising role there, its team's or group's leader), the new-activity form
to whoever may organise somewhere (rules.may_organise_somewhere: leaders included), a team's
or group's page to its leaders (rules.may_see_members). Objects are found through queries
(activity_for, team_for, group_for: 404 when not found), then the page's rule is required (403);
every write goes through a service, which checks the rule at the object's scope (a refusal is a
403). Place filters offer the levels above the buildings and accept any place of the user's
scope (a subdistrict holds thousands of buildings)."""

from functools import reduce
from operator import or_

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from linju.core import access
from linju.core.cleaning import as_id
from linju.core.errors import DomainError
from linju.core.exports import xlsx_response
from linju.core.forms import call_service
from linju.core.views import PER_PAGE, CappedPaginator, paginate
from linju.people.queries import label_people, person_labels, places_in_scope
from linju.people.services import person_by_mobile
from linju.places.models import Place
from linju.places.queries import place_labels

from . import exports, queries, rules
from . import services_activities as acts
from . import services_talents as talents
from . import services_teams as teams
from .forms_desk import (
    ActivityFilterForm,
    ActivityForm,
    CancelActivityForm,
    CheckInForm,
    ConfirmForm,
    DecideForm,
    FiguresForm,
    GroupEditForm,
    InviteForm,
    MemberForm,
    NewActivityForm,
    NewGroupForm,
    NewTeamForm,
    PhotoDeleteForm,
    PhotosForm,
    RemoveMemberForm,
    TalentSearchForm,
    TeamEditForm,
)
from .models import (
    Activity,
    ActivityStatus,
    GroupMember,
    InterestGroup,
    MemberRole,
    ServiceStatus,
    SignUpStatus,
    Team,
    TeamMember,
)

ORGANISE_KINDS = ("community", "estate", "building", "unit")
SCOPE_KINDS = ("community", "estate", "building")
FIGURE_KINDS = ("district", "subdistrict", "community", "estate", "building")
# What place selectors offer: the levels above the buildings (a subdistrict holds thousands
# of buildings and their units). Any other place of the scope is accepted when given.
ABOVE_BUILDINGS = ("district", "subdistrict", "community", "estate")
MAX_PLACES = 300
FIGURE_ROWS = 50
SHEET_PAGE = 100
WEEK = 20
RECENT = 10
COUNT_CAP = 99


def _require_desk(user) -> None:
    if not rules.may_use_desk(user):
        raise PermissionDenied


def _page(request, queryset, param="page", per_page=PER_PAGE):
    """A page of `queryset` read from `param`, with the links of its neighbours (several lists
    on one page page on their own)."""
    page = Paginator(queryset, per_page).get_page(request.GET.get(param))

    def link(number):
        query = request.GET.copy()
        query[param] = number
        return f"?{query.urlencode()}"

    page.prev_link = link(page.previous_page_number()) if page.has_previous() else ""
    page.next_link = link(page.next_page_number()) if page.has_next() else ""
    return page


def _places(user, perm, kinds) -> list:
    return list(places_in_scope(user, perm, kinds)[:MAX_PLACES])


def _offered(user, perm) -> list:
    """The places a filter offers: those above the buildings in the scope, or, for a scope of
    buildings only (a building head, a grid worker), its buildings."""
    return _places(user, perm, ABOVE_BUILDINGS) or _places(user, perm, FIGURE_KINDS)


def _asked_place(pk, allowed, kinds=None):
    """The place of an id given in a filter, when `allowed(place)`; None otherwise."""
    found = Place.objects.filter(pk=as_id(pk))
    if kinds is not None:
        found = found.filter(kind__in=kinds)
    place = found.first()
    return place if place is not None and allowed(place) else None


def _with(places, place) -> list:
    """The offered places, and the one chosen though the list does not hold it."""
    if place is None or any(p.pk == place.pk for p in places):
        return places
    return [*places, place]


def _hours_text(minutes) -> str:
    return f"{(minutes or 0) / 60:.2f}".rstrip("0").rstrip(".")


def _render(request, template, context):
    context.setdefault("desk_user", rules.may_use_desk(request.user))
    return render(request, template, context)


def _this_month() -> tuple[int, int]:
    today = timezone.localdate()
    return today.year, today.month


# --- The overview and the month's figures -----------------------------------------------------


def _figures_choice(request, user):
    """(form, place, year, month) of the figures asked for: the outermost place of the
    user's scope and this month by default, any place of the scope the user names (checked by
    rules.can_view); (form, None, …) when the form is wrong."""
    places = _offered(user, "activities.view")
    year, month = _this_month()
    form = FiguresForm(request.GET or None, initial={"month": f"{year:04d}-{month:02d}"})
    # Sorted by path, the first place is above the others (the outermost of the scope).
    place = places[0] if places else None
    if form.is_bound:
        if not form.is_valid():
            place = None
        elif form.cleaned_data["place"]:
            place = _asked_place(
                form.cleaned_data["place"], lambda p: rules.can_view(user, p), FIGURE_KINDS
            )
            if place is None:
                form.add_error("place", _("Choose a place of your scope."))
        if form.is_valid():
            year, month = form.cleaned_data["month"] or (year, month)
    places = _with(places, place)
    form.offer(places, place_labels(places))
    return form, place, year, month


@login_required
@require_GET
def desk(request):
    user = request.user
    _require_desk(user)
    form, place, year, month = _figures_choice(request, user)
    figures = queries.monthly_figures(place=place, year=year, month=month) if place else None
    week = list(queries.coming_week(user)[:WEEK])
    labels = place_labels([a.place for a in week])
    for a in week:
        a.place_label = labels.get(a.place_id, "")
    waiting = queries.services_to_confirm(user)
    return _render(
        request,
        "activities/desk/home.html",
        {
            "form": form,
            "place": place,
            "figures": figures,
            "month_label": f"{year:04d}-{month:02d}",
            "quiet": [r for r in figures["buildings"] if not r["activities"]] if figures else [],
            "week": week,
            "waiting": label_people(user, waiting[:RECENT]),
            "waiting_count": waiting[: COUNT_CAP + 1].count(),
            "count_cap": COUNT_CAP,
            "manage": access.has_anywhere(user, "activities.manage"),
            "organise": rules.may_organise_somewhere(user),
        },
    )


def _figures(request):
    user = request.user
    _require_desk(user)
    form, place, year, month = _figures_choice(request, user)
    figures = queries.monthly_figures(place=place, year=year, month=month) if place else None
    return form, place, year, month, figures


@login_required
@require_GET
def figures(request):
    """每月一活动: activities and person-times per building in a month; the buildings that had
    no activity stand out."""
    form, place, year, month, figures = _figures(request)
    # A page of buildings at a time (a subdistrict holds thousands); the XLSX holds them all.
    page = Paginator(figures["buildings"] if figures else [], FIGURE_ROWS).get_page(
        request.GET.get("page")
    )
    labels = place_labels([r["place"] for r in page.object_list])
    rows = [{**r, "label": labels.get(r["place"].pk, r["place"].name)} for r in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    query = query.urlencode()
    return _render(
        request,
        "activities/desk/figures.html",
        {
            "form": form,
            "place": place,
            "figures": figures,
            "rows": rows,
            "page_obj": page,
            "month_label": f"{year:04d}-{month:02d}",
            "xlsx_url": reverse("activities:desk_figures_xlsx") + (f"?{query}" if query else ""),
        },
    )


@login_required
@require_GET
def figures_xlsx(request):
    _form, place, year, month, figures = _figures(request)
    if figures is None:
        return redirect(reverse("activities:desk_figures") + f"?{request.GET.urlencode()}")
    labels = place_labels([place] + [r["place"] for r in figures["buildings"]])
    title = _("Activities of %(place)s, %(month)s") % {
        "place": labels.get(place.pk) or place.name,
        "month": f"{year:04d}-{month:02d}",
    }
    return xlsx_response(
        exports.figures_xlsx(figures, labels, title), exports.file_name(place, year, month)
    )


# --- Activities ---------------------------------------------------------------------------------


@login_required
@require_GET
def activity_list(request):
    user = request.user
    _require_desk(user)
    form = ActivityFilterForm(request.GET or None)
    found = queries.staff_activities(user)
    if form.is_bound:
        if not form.is_valid():
            found = found.none()
        else:
            data = form.cleaned_data
            if data["status"]:
                found = found.filter(status=data["status"])
            if data["kind"]:
                found = found.filter(kind=data["kind"])
            if data["month"]:
                start, end = queries.month_bounds(*data["month"])
                found = found.filter(starts_at__gte=start, starts_at__lt=end)
    page = paginate(request, found, CappedPaginator)
    rows = list(page.object_list)
    labels = place_labels([a.place for a in rows])
    for a in rows:
        a.place_label = labels.get(a.place_id, "")
    return _render(
        request,
        "activities/desk/activities.html",
        {
            "form": form,
            "rows": rows,
            "page_obj": page,
            "organise": rules.may_organise_somewhere(user),
        },
    )


def _in_scope_or(scope, other):
    """A filter: inside `scope` (an access.Scope) or matching `other`. Written out because an
    empty Q (a superuser's scope: everything) would vanish from an OR."""
    return Q() if scope.everywhere else scope.q("path") | other


def _organise_choices(user) -> dict:
    """What the new-activity form offers (the service decides in the end): the teams and
    groups the user leads, and those of their staff scope; the places of their organising
    scope and, for a leader, those of the scopes of the teams and groups they lead."""
    view = access.scope(user, "activities.view")
    led_teams = TeamMember.objects.filter(user=user, role=MemberRole.LEADER).values("team_id")
    led_groups = GroupMember.objects.filter(user=user, role=MemberRole.LEADER).values("group_id")
    team_rows = Team.objects.filter(active=True).filter(_in_scope_or(view, Q(pk__in=led_teams)))
    group_rows = InterestGroup.objects.filter(active=True).filter(
        _in_scope_or(view, Q(pk__in=led_groups))
    )
    organise = access.scope(user, "activities.organise")
    if organise.everywhere:
        where = Q()
    else:
        roots = [
            *organise.prefixes,
            *Team.objects.filter(active=True, pk__in=led_teams).values_list("path", flat=True),
            *InterestGroup.objects.filter(active=True, pk__in=led_groups).values_list(
                "path", flat=True
            ),
        ]
        where = reduce(or_, (Q(path__startswith=p) for p in roots), Q(pk__in=[]))
    return {
        "where": where,
        "teams": team_rows.order_by("path", "name", "id")[:MAX_PLACES],
        "groups": group_rows.order_by("path", "name", "id")[:MAX_PLACES],
    }


def _organise_places(request, where, chosen_id) -> tuple[list, Place | None, list]:
    """(the places offered, the estate or community whose buildings are listed, the estates
    and communities to list buildings of when the scope holds too many to offer at once).
    The scope's communities, estates and buildings (and a unit head's unit); the one chosen
    is offered too when the list does not hold it. Any place id is accepted: the service
    checks it."""
    places = Place.objects.filter(where, kind__in=ORGANISE_KINDS).order_by("path")
    offered = list(places.filter(kind__in=SCOPE_KINDS)[: MAX_PLACES + 1])
    if not offered:  # a unit head organises at their unit
        offered = list(places[: MAX_PLACES + 1])
    within, areas = None, []
    if len(offered) > MAX_PLACES:
        areas = list(places.filter(kind__in=("community", "estate"))[:MAX_PLACES])
        within = next((a for a in areas if a.pk == as_id(request.GET.get("within"))), None)
        offered = list(areas)
        if within is not None:
            offered += list(
                places.filter(path__startswith=within.path, kind="building")[:MAX_PLACES]
            )
    chosen = places.filter(pk=as_id(chosen_id)).first() if chosen_id else None
    return _with(offered, chosen), within, areas


@login_required
def activity_new(request):
    """Organise an activity: staff of an organising scope, and the leaders of teams and
    interest groups (for the team's or group's activities)."""
    user = request.user
    if not rules.may_organise_somewhere(user):
        raise PermissionDenied
    choices = _organise_choices(user)
    chosen = request.POST.get("place") if request.method == "POST" else None
    places, within, areas = _organise_places(request, choices["where"], chosen)
    labels = place_labels(places + areas)
    for area in areas:
        area.label = labels.get(area.pk, area.name)
    # The team's or group's page links here with it chosen.
    initial = {name: as_id(request.GET.get(name)) for name in ("team", "group")}
    form = NewActivityForm(
        request.POST or None,
        initial=initial,
        places=places,
        labels=labels,
        teams=choices["teams"],
        groups=choices["groups"],
    )
    if request.method == "POST" and form.is_valid():
        done = call_service(form, acts.create_activity, user=user, **form.service_kwargs())
        if done is not None:
            messages.success(request, _("The activity is on the calendar."))
            return redirect("activities:desk_activity", done.pk)
    return _render(
        request,
        "activities/desk/activity_form.html",
        {
            "form": form,
            "activity": None,
            "areas": areas,
            "within": within,
        },
    )


def _activity(user, pk, *, run=False) -> Activity:
    """The activity (queries.activity_for: 404 when the user has no way to it), which the user
    runs (`run`) or at least reads as staff of its scope or runs; else 403."""
    found = queries.activity_for(user, pk)
    if found is None:
        raise Http404
    runs = rules.can_run(user, found)
    if not (runs or (not run and rules.can_view(user, found))):
        raise PermissionDenied
    return found


def _running(user, pk) -> Activity:
    return _activity(user, pk, run=True)


@login_required
def activity_edit(request, pk):
    user = request.user
    found = _running(user, pk)
    if request.method == "POST":
        form = ActivityForm(request.POST)
        if form.is_valid():
            done = call_service(
                form, acts.update_activity, user=user, activity_id=found.pk, **form.service_kwargs()
            )
            if done is not None:
                messages.success(request, _("Saved."))
                return redirect("activities:desk_activity", found.pk)
    else:
        form = ActivityForm(initial=ActivityForm.initial_of(found))
    return _render(request, "activities/desk/activity_form.html", {"form": form, "activity": found})


def _check_in(request, user, found, form):
    try:
        person = person_by_mobile(form.cleaned_data["mobile"])
    except DomainError:
        person = None
    # A number no one has goes to the service too, which refuses it where and as it refuses
    # a person of elsewhere (CheckInForm gives both one message): running an activity does not
    # tell which numbers are registered.
    mine = call_service(
        form,
        acts.check_in_person,
        user=user,
        activity_id=found.pk,
        person_id=person.pk if person else None,
    )
    if mine:
        name = person_labels(user, [person])[person.pk][0]
        messages.success(request, _("%(name)s is checked in.") % {"name": name or "—"})
    return mine


def _confirm(request, user, found, form):
    ids = form.cleaned_data["sign_up_ids"]
    # Those confirmed before this post: sending the form again credits nobody twice.
    before = set(
        found.sign_ups.filter(pk__in=ids, confirmed_at__isnull=False).values_list("pk", flat=True)
    )
    done = call_service(
        form, acts.confirm_attendance, user=user, activity_id=found.pk, sign_up_ids=ids
    )
    if done is None:
        return None
    new = [s for s in done if s.pk not in before]
    if new:
        messages.success(
            request,
            ngettext(
                "Attendance confirmed for %(n)d person; the points are credited.",
                "Attendance confirmed for %(n)d people; the points are credited.",
                len(new),
            )
            % {"n": len(new)},
        )
    else:
        messages.info(request, _("They were confirmed already: nothing more is credited."))
    return done


def _cancel(request, user, found, form):
    done = call_service(
        form,
        acts.cancel_activity,
        user=user,
        activity_id=found.pk,
        reason=form.cleaned_data["reason"],
    )
    if done is not None:
        messages.success(request, _("The activity is cancelled; those signed up are told."))
    return done


def _photos(request, user, found, form):
    done = call_service(
        form,
        acts.add_photos,
        user=user,
        activity_id=found.pk,
        photos=form.cleaned_data["photos"],
        caption=form.cleaned_data["caption"],
    )
    if done is not None:
        messages.success(
            request,
            ngettext("%(n)d photo added.", "%(n)d photos added.", len(done)) % {"n": len(done)},
        )
    return done


def _delete_photo(request, user, found, form):
    photo = found.photos.filter(pk=form.cleaned_data["photo"]).first()
    if photo is None:
        raise Http404
    call_service(form, acts.delete_photo, user=user, photo_id=photo.pk)
    if not form.errors:
        messages.success(request, _("The photo is deleted."))
        return True
    return None


SHEET_ACTIONS = {
    # action: (the form's name in the page, its class, the handler)
    "check_in": ("check_in_form", CheckInForm, _check_in),
    "confirm": ("confirm_form", ConfirmForm, _confirm),
    "cancel": ("cancel_form", CancelActivityForm, _cancel),
    "photos": ("photos_form", PhotosForm, _photos),
    "delete_photo": ("delete_form", PhotoDeleteForm, _delete_photo),
}


@login_required
def activity(request, pk):
    """The running sheet: who signed up (then the wait list, in order), who checked in, whose
    attendance is confirmed; the desk's check-in by mobile, the confirmation, cancelling, and
    photos."""
    user = request.user
    found = _activity(user, pk)
    runs = rules.can_run(user, found)
    bound = {}
    if request.method == "POST":
        if not runs:
            raise PermissionDenied
        action = SHEET_ACTIONS.get(request.POST.get("action", ""))
        if action is None:
            raise Http404
        name, form_class, handler = action
        form = form_class(request.POST, request.FILES or None)
        if form.is_valid() and handler(request, user, found, form) is not None:
            return redirect("activities:desk_activity", found.pk)
        bound[name] = form
        found.refresh_from_db()
    sign_ups = queries.sign_up_list(found)
    page = _page(request, sign_ups, per_page=SHEET_PAGE)
    rows = label_people(user, page.object_list)
    counts = sign_ups.order_by().aggregate(
        signed=Count("id", filter=Q(status=SignUpStatus.SIGNED)),
        waiting=Count("id", filter=Q(status=SignUpStatus.WAITING)),
        checked_in=Count("id", filter=Q(checked_in_at__isnull=False)),
        confirmed=Count("id", filter=Q(confirmed_at__isnull=False)),
    )
    now = timezone.now()
    is_open = found.status == ActivityStatus.OPEN
    context = {
        "activity": found,
        "place_label": place_labels([found.place]).get(found.place_id, ""),
        "runs": runs,
        "is_open": is_open,
        "started": found.starts_at <= now,
        "over": found.ends_at < now,
        "rows": rows,
        "sheet": page,
        "counts": counts,
        "to_confirm": [r for r in rows if r.checked_in_at and not r.confirmed_at],
        "photos": list(found.photos.all()),
    }
    if runs:
        context.update(
            check_in_form=bound.get("check_in_form") or CheckInForm(),
            confirm_form=bound.get("confirm_form") or ConfirmForm(),
            cancel_form=bound.get("cancel_form") or CancelActivityForm(),
            photos_form=bound.get("photos_form") or PhotosForm(),
            delete_form=bound.get("delete_form"),
        )
    return _render(request, "activities/desk/activity.html", context)


def _qr_svg(text):
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2)
    # The SVG holds only the drawing of the code (paths), never the text: safe to inline.
    return mark_safe(image.to_string(encoding="unicode"))


@login_required
@require_GET
def activity_qr(request, pk):
    """The poster put up at the venue: scanning it opens the activity's check-in page."""
    found = _running(request.user, pk)
    url = request.build_absolute_uri(reverse("activities:check_in", args=[found.check_in_code]))
    return _render(
        request,
        "activities/desk/qr.html",
        {
            "activity": found,
            "place_label": place_labels([found.place]).get(found.place_id, ""),
            "url": url,
            "qr": _qr_svg(url),
        },
    )


# --- Service waiting for confirmation -----------------------------------------------------------


def _decide(request, user, records, form):
    """Confirm or turn down a record among `records` (404 otherwise)."""
    data = form.cleaned_data
    record = records.filter(pk=data["record"]).first()
    if record is None:
        raise Http404
    confirm = data["decision"] == "confirm"
    done = call_service(
        form,
        teams.decide_service,
        user=user,
        record_id=record.pk,
        confirm=confirm,
        reason=data["reason"],
    )
    if done is not None:
        if confirm:
            messages.success(
                request,
                _("Confirmed: %(hours)s hours, %(points)d points credited.")
                % {"hours": _hours_text(done.minutes), "points": done.points},
            )
        else:
            messages.success(request, _("Not confirmed; the volunteer is told why."))
    return done


def _waiting_rows(user, queryset):
    rows = label_people(user, queryset)
    for r in rows:
        r.hours = _hours_text(r.minutes)
    return rows


@login_required
def service_list(request):
    """Every stretch of team service waiting for this user's decision."""
    user = request.user
    if not (rules.may_use_desk(user) or rules.leads_a_team(user)):
        raise PermissionDenied
    decide_form = None
    if request.method == "POST":
        decide_form = DecideForm(request.POST)
        if decide_form.is_valid():
            waiting = queries.services_to_confirm(user)
            if not waiting.filter(pk=decide_form.cleaned_data["record"]).exists():
                # Decided meanwhile (by another leader, or this form sent twice), or not
                # this user's to decide: the same answer, so nothing leaks.
                decide_form.add_error(None, _("This service is no longer waiting for you."))
            elif _decide(request, user, waiting, decide_form) is not None:
                return redirect("activities:desk_services")
    page = paginate(request, queries.services_to_confirm(user))
    return _render(
        request,
        "activities/desk/services.html",
        {
            "rows": _waiting_rows(user, page.object_list),
            "page_obj": page,
            "decide_form": decide_form,
        },
    )


# --- Volunteer teams and interest groups --------------------------------------------------------


def _owned_list(request, *, kind):
    """The list of teams (or groups) of the scope, and the form creating one."""
    user = request.user
    _require_desk(user)
    manage = access.has_anywhere(user, "activities.manage")
    is_team = kind == "team"
    form_class = NewTeamForm if is_team else NewGroupForm
    places = _places(user, "activities.manage", SCOPE_KINDS) if manage else []
    choices = {"places": places, "labels": place_labels(places)}
    form = None
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        form = form_class(request.POST, **choices)
        if form.is_valid():
            data = form.cleaned_data
            leader = None
            if data["leader_mobile"]:
                leader = call_service(
                    form, person_by_mobile, mobile=data["leader_mobile"], field="leader_mobile"
                )
            if not form.errors:
                extra = (
                    {"kind": data["kind"], "open_to_join": data["open_to_join"]} if is_team else {}
                )
                done = call_service(
                    form,
                    teams.create_team if is_team else teams.create_group,
                    user=user,
                    place_id=data["place"],
                    name=data["name"],
                    description=data["description"],
                    leader_id=leader.pk if leader else None,
                    **extra,
                )
                if done is not None:
                    messages.success(
                        request,
                        _("The team is set up.") if is_team else _("The group is set up."),
                    )
                    return redirect(f"activities:desk_{kind}", done.pk)
    found = queries.staff_teams(user) if is_team else queries.staff_groups(user)
    found = found.select_related("place").order_by("path", "name", "id")
    page = paginate(request, found, CappedPaginator)
    rows = list(page.object_list)
    labels = place_labels([r.place for r in rows])
    for r in rows:
        r.place_label = labels.get(r.place_id, "")
    if manage and form is None:
        form = form_class(**choices)
    return _render(
        request,
        f"activities/desk/{kind}s.html",
        {"rows": rows, "page_obj": page, "form": form, "manage": manage},
    )


@login_required
def team_list(request):
    return _owned_list(request, kind="team")


@login_required
def group_list(request):
    return _owned_list(request, kind="group")


def _owned(user, kind, pk):
    """The team (or group) the user may open (queries.team_for / group_for; 404 otherwise),
    whose page is for its leaders and the staff of its scope (rules.may_see_members: it lists
    the members); 403 for anyone else."""
    found = (queries.team_for if kind == "team" else queries.group_for)(user, pk)
    if found is None:
        raise Http404
    if not rules.may_see_members(user, found):
        raise PermissionDenied
    return found


def _member_action(request, user, owner, kind, form):
    person = call_service(form, person_by_mobile, mobile=form.cleaned_data["mobile"])
    if person is None:
        return None
    service = teams.add_team_member if kind == "team" else teams.add_group_member
    done = call_service(
        form,
        service,
        user=user,
        **{f"{kind}_id": owner.pk},
        person_id=person.pk,
        role=form.cleaned_data["role"],
    )
    if done is not None:
        name = person_labels(user, [person])[person.pk][0]
        if done.role == MemberRole.LEADER:
            messages.success(request, _("%(name)s is a leader.") % {"name": name or "—"})
        else:
            messages.success(request, _("%(name)s is a member.") % {"name": name or "—"})
    return done


def _remove_action(request, user, owner, kind, form):
    service = teams.leave_team if kind == "team" else teams.leave_group
    call_service(
        form, service, user=user, **{f"{kind}_id": owner.pk}, person_id=form.cleaned_data["person"]
    )
    if form.errors:
        return None
    messages.success(request, _("Removed; what they did stays on record."))
    return True


def _update_action(request, user, owner, kind, form):
    service = teams.update_team if kind == "team" else teams.update_group
    done = call_service(
        form, service, user=user, **{f"{kind}_id": owner.pk}, **form.service_kwargs()
    )
    if done is not None:
        messages.success(request, _("Saved."))
    return done


def _unlisted_errors(form, listed) -> list:
    if form is None or not form.errors:
        return []
    record = form.cleaned_data.get("record") if hasattr(form, "cleaned_data") else None
    if record in listed:
        return list(form.non_field_errors())
    return [e for errors in form.errors.values() for e in errors]


def _owned_page(request, pk, *, kind):
    user = request.user
    owner = _owned(user, kind, pk)
    is_team = kind == "team"
    manage = rules.can_manage(user, owner)
    decides = is_team and rules.can_confirm_service(user, owner)
    edit_class = TeamEditForm if is_team else GroupEditForm
    bound = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "decide" and is_team:
            if not decides:
                raise PermissionDenied
            form = DecideForm(request.POST)
            done = form.is_valid() and _decide(request, user, owner.services.all(), form)
        elif action in ("update", "member", "remove"):
            if not manage:
                raise PermissionDenied
            form_class, handler = {
                "update": (edit_class, _update_action),
                "member": (MemberForm, _member_action),
                "remove": (RemoveMemberForm, _remove_action),
            }[action]
            form = form_class(request.POST)
            done = form.is_valid() and handler(request, user, owner, kind, form)
        else:
            raise Http404
        if done:
            return redirect(f"activities:desk_{kind}", owner.pk)
        bound[action] = form
        owner.refresh_from_db()
    waiting = queries.services_to_confirm(user).filter(team=owner)[:PER_PAGE] if decides else []
    waiting_ids = {r.pk for r in waiting}
    members = owner.members.select_related("user").order_by("role", "joined_at", "id")
    member_page = _page(request, members)
    context = {
        "owner": owner,
        "kind": kind,
        "place_label": place_labels([owner.place]).get(owner.place_id, ""),
        "manage": manage,
        "decides": decides,
        "members": label_people(user, member_page.object_list),
        "member_page": member_page,
        "size": members.count(),
        "decide_form": bound.get("decide"),
        # The errors of a decision on a record no longer waiting go above the list.
        "decide_errors": _unlisted_errors(bound.get("decide"), waiting_ids),
        "remove_form": bound.get("remove"),
    }
    if manage:
        context["edit_form"] = bound.get("update") or edit_class(
            initial=edit_class.initial_of(owner)
        )
        context["member_form"] = bound.get("member") or MemberForm()
    if is_team:
        confirmed = owner.services.filter(status=ServiceStatus.CONFIRMED).select_related("user")
        history = _page(request, confirmed.order_by("-served_on", "-id"), param="hpage")
        totals = confirmed.order_by().aggregate(minutes=Sum("minutes"), points=Sum("points"))
        context.update(
            waiting=_waiting_rows(user, waiting),
            history=_waiting_rows(user, history.object_list),
            history_page=history,
            total_hours=_hours_text(totals["minutes"]),
            total_points=totals["points"] or 0,
        )
    return _render(request, "activities/desk/owned.html", context)


@login_required
def team(request, pk):
    return _owned_page(request, pk, kind="team")


@login_required
def group(request, pk):
    return _owned_page(request, pk, kind="group")


# --- The talent pool ------------------------------------------------------------------------


@login_required
def talent_list(request):
    """楼组达人库: the pool of the scope by skill, words and place; an invitation to an
    activity the user runs (or a project); the invitations sent and their answers."""
    user = request.user
    _require_desk(user)
    now = timezone.now()
    activities = list(
        queries.runnable_activities(user).filter(status=ActivityStatus.OPEN, ends_at__gte=now)[
            :MAX_PLACES
        ]
    )
    co_projects = list(queries.co_projects(user)[:MAX_PLACES])
    invite_form = None
    if request.method == "POST":
        invite_form = InviteForm(
            request.POST,
            activities=activities,
            projects=co_projects,
            auto_id=f"invite-{request.POST.get('talent', '')}-%s",
        )
        if invite_form.is_valid():
            data = invite_form.cleaned_data
            done = call_service(
                invite_form,
                talents.invite,
                user=user,
                talent_id=data["talent"],
                message=data["message"],
                activity_id=data["activity"],
                project=data["project"],
                project_id=data["project_id"],
            )
            if done is not None:
                messages.success(request, _("The invitation is sent."))
                query = request.GET.urlencode()
                return redirect(reverse("activities:desk_talents") + (f"?{query}" if query else ""))
    search = TalentSearchForm(request.GET or None)
    found = queries.talent_search(user).none()
    place = None
    if not search.is_bound:
        found = queries.talent_search(user)
    elif search.is_valid():
        data = search.cleaned_data
        if data["place"]:
            # Any place of the organising scope (the selector lists the levels above the
            # buildings only).
            place = _asked_place(data["place"], lambda p: rules.can_organise_at(user, p))
            if place is None:
                search.add_error("place", _("Choose a place of your scope."))
        if not search.errors:
            found = queries.talent_search(user, skill=data["skill"], text=data["text"], place=place)
    places = _with(_offered(user, "activities.organise"), place)
    search.offer(places, place_labels(places))
    page = paginate(request, found, CappedPaginator)
    rows = label_people(user, page.object_list)
    place_names = place_labels([t.place for t in rows])
    bound_for = invite_form.data.get("talent") if invite_form is not None else None
    for t in rows:
        t.place_label = place_names.get(t.place_id, "")
        if bound_for == str(t.pk):
            t.invite_form = invite_form
        else:
            t.invite_form = InviteForm(
                initial={"talent": t.pk},
                activities=activities,
                projects=co_projects,
                auto_id=f"invite-{t.pk}-%s",
            )
    sent = _page(request, queries.sent_invitations(user), param="ipage")
    bound_listed = any(getattr(t, "invite_form", None) is invite_form for t in rows)
    return _render(
        request,
        "activities/desk/talents.html",
        {
            "search": search,
            "rows": rows,
            "page_obj": page,
            "sent": _label_invitations(user, sent.object_list),
            "sent_page": sent,
            # The errors of an invitation to a talent no longer listed would go unseen.
            "lost_form": invite_form if invite_form is not None and not bound_listed else None,
        },
    )


def _label_invitations(user, invitations):
    invitations = list(invitations)
    labels = person_labels(user, {i.talent.user_id: i.talent.user for i in invitations}.values())
    for i in invitations:
        i.person_name = labels[i.talent.user_id][0]
    return invitations


urlpatterns = [
    path("desk/", desk, name="desk"),
    path("desk/figures/", figures, name="desk_figures"),
    path("desk/figures/xlsx/", figures_xlsx, name="desk_figures_xlsx"),
    path("desk/activities/", activity_list, name="desk_activities"),
    path("desk/activities/new/", activity_new, name="desk_activity_new"),
    path("desk/activities/<int:pk>/", activity, name="desk_activity"),
    path("desk/activities/<int:pk>/edit/", activity_edit, name="desk_activity_edit"),
    path("desk/activities/<int:pk>/qr/", activity_qr, name="desk_activity_qr"),
    path("desk/services/", service_list, name="desk_services"),
    path("desk/teams/", team_list, name="desk_teams"),
    path("desk/teams/<int:pk>/", team, name="desk_team"),
    path("desk/groups/", group_list, name="desk_groups"),
    path("desk/groups/<int:pk>/", group, name="desk_group"),
    path("desk/talents/", talent_list, name="desk_talents"),
]
