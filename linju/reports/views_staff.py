"""Staff pages of snap-and-report (随手拍, seeds 002/003): the queue of their scope, bulk
dispatch (派遣), the report page with the actions the rules allow (accept 立案, reject,
dispatch, start, resolve 处置, escalate 吹哨, merge, joint case 三方协调, notes), and the
figures leaders report ("every report answered", "resolved in x days")."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from linju.core import access
from linju.core.errors import DomainError, Forbidden
from linju.core.masking import mask_mobile, mask_name, staff_label
from linju.core.views import CappedPaginator, paginate
from linju.people import queries as people_queries
from linju.people.roles import Role
from linju.places.models import PlaceKind
from linju.places.queries import household_label

from . import figures as report_figures
from . import queries, rules, services
from .forms import (
    BulkDispatchForm,
    DispatchForm,
    EscalateForm,
    ExtendForm,
    FiguresForm,
    JointForm,
    MergeForm,
    MessageForm,
    NoteForm,
    QueueFilterForm,
    RejectForm,
    ResolveForm,
)
from .models import OPEN_STATUSES, Category, Level, Status
from .views import call, describe_steps, estate_buildings, report_or_404, schematic
from .views_resident import _answers

# Handler candidates are read per distinct place of the selected reports, up to this many.
CANDIDATE_PLACES = 10
OVERDUE_SHOWN = 50
FIGURE_PLACES = 300
ROLE_LABELS = {r.value: r.label for r in Role}


def _require_desk(user) -> None:
    if not rules.may_use_queue(user):
        raise PermissionDenied


def _nav(user) -> dict:
    return {
        "can_figures": access.has_anywhere(user, "reports.view_figures"),
        "can_categories": queries.may_manage_categories(user),
    }


# --- The queue --------------------------------------------------------------------------------


@login_required
@require_GET
def queue(request):
    user = request.user
    _require_desk(user)
    categories = list(Category.objects.all())
    form = QueueFilterForm(request.GET or None, categories=categories)
    f = queries.QueueFilter(status="open")
    if form.is_bound and form.is_valid():
        cd = form.cleaned_data
        f = queries.QueueFilter(
            status=cd["status"] or "open",
            category=cd["category"],
            level=cd["level"],
            overdue=cd["overdue"],
            mine=cd["mine"],
            q=cd["q"],
        )
    rows = queries.queue(user, f)
    if form.is_bound and form.errors:
        rows = rows.none()
    page = paginate(request, rows, CappedPaginator)
    dispatchable = {Status.SUBMITTED, *services.WORKABLE}
    for report in page:
        report.can_dispatch = report.status in dispatchable and rules.can_decide(user, report)
    return render(
        request,
        "reports/queue.html",
        {"form": form, "page_obj": page, "any_dispatchable": any(r.can_dispatch for r in page)}
        | _nav(user),
    )


def common_candidates(reports):
    """Handlers every selected report can go to: the candidates of the first report, kept
    when the other places (up to CANDIDATE_PLACES distinct ones) offer them too. The service
    checks each report again."""
    places = {}
    for report in reports:
        places.setdefault((report.path, report.grid_id), report)
    common = None
    for report in list(places.values())[:CANDIDATE_PLACES]:
        found = queries.handler_candidates(report)
        if common is None:
            common = found
        else:
            ids = {u.pk for u, _role in found}
            common = [(u, role) for u, role in common if u.pk in ids]
    return common or []


@login_required
def bulk_dispatch(request):
    """Dispatch the reports ticked in the queue to one handler: all of them or none."""
    user = request.user
    _require_desk(user)
    data = request.POST if request.method == "POST" else request.GET
    ids = sorted({i for i in (_int(v) for v in data.getlist("reports")) if i is not None})
    reports = list(
        queries.visible_reports(user)
        .filter(pk__in=ids[:100])
        .select_related("category", "place__parent", "estate", "handler")
        .order_by("pk")
    )
    if not reports:
        messages.error(request, _("Tick the reports to dispatch first."))
        return redirect("reports:queue")
    form = BulkDispatchForm(
        request.POST if request.method == "POST" else None,
        report_ids=ids,
        candidates=common_candidates(reports),
        initial={"reports": ids},
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            done = services.bulk_dispatch(
                user=user, report_ids=cd["reports"], handler_id=cd["handler"], note=cd["note"]
            )
        except Forbidden:
            form.add_error(None, _("You may not dispatch some of these reports."))
        except DomainError as exc:
            _bulk_error(form, exc)
        else:
            handler = done[0].handler
            messages.success(
                request,
                ngettext(
                    "%(n)d report dispatched to %(name)s.",
                    "%(n)d reports dispatched to %(name)s.",
                    len(done),
                )
                % {"n": len(done), "name": handler.name or handler.mobile},
            )
            return redirect("reports:queue")
    return render(request, "reports/bulk_dispatch.html", {"form": form, "reports": reports})


def _bulk_error(form, exc):
    """The service's error, with the number of the report it is about (its message starts
    with "#<id>: ") on the field it names."""
    prefix = exc.message.split(": ", 1)[0] + ": " if str(exc.message).startswith("#") else ""
    errors = getattr(exc, "errors", None)
    if not errors:
        form.add_error(None, str(exc.message))
        return
    for field, texts in errors.items():
        target = field if field in form.fields else None
        for text in texts:
            form.add_error(target, f"{prefix}{text}")


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- The report page ----------------------------------------------------------------------------

ACTION_FORMS = {
    "accept": forms.Form,
    "reject": RejectForm,
    "dispatch": DispatchForm,
    "start": forms.Form,
    "resolve": ResolveForm,
    "escalate": EscalateForm,
    "extend": ExtendForm,
    "merge": MergeForm,
    "joint": JointForm,
    "message": MessageForm,
    "note": NoteForm,
}


def allowed_actions(user, report) -> dict[str, bool]:
    """Which action forms the page offers, from the rules and the report's state (the
    services check both again)."""
    decide = rules.can_decide(user, report)
    work = rules.can_work(user, report)
    status = report.status
    live = status in (Status.SUBMITTED, *services.WORKABLE)
    return {
        "accept": decide and status == Status.SUBMITTED,
        "reject": decide and status == Status.SUBMITTED,
        "dispatch": decide and live,
        "start": work and status in services.STARTABLE,
        "resolve": work and status in services.WORKABLE,
        "escalate": work and live and report.level < Level.DISTRICT,
        "extend": decide and status in OPEN_STATUSES,
        "merge": decide and live,
        "joint": decide and live and not report.joint,
        "message": report.joint and rules.can_coordinate(user, report),
        "note": work,
    }


def _run(request, report, action, form):
    """Call the action's service; True when it went through."""
    user, cd = request.user, form.cleaned_data
    calls = {
        "accept": (services.accept_report, {}, _("Accepted.")),
        "reject": (services.reject_report, {"reason": cd.get("reason")}, _("Rejected.")),
        "dispatch": (
            services.dispatch_report,
            {"handler_id": cd.get("handler"), "note": cd.get("note", "")},
            _("Dispatched."),
        ),
        "start": (services.start_work, {}, _("Work started.")),
        "resolve": (
            services.resolve_report,
            {"reply": cd.get("reply"), "photos": cd.get("photos", [])},
            _("Resolved: the reporter is asked to confirm."),
        ),
        "escalate": (
            services.escalate_report,
            {"reason": cd.get("reason")},
            _("Escalated to the next level."),
        ),
        "extend": (
            services.extend_deadline,
            {"hours": cd.get("hours"), "reason": cd.get("reason")},
            _("The deadline is later now; the reporter is told why."),
        ),
        "merge": (
            services.merge_report,
            {"into_id": cd.get("into"), "note": cd.get("note", "")},
            _("Merged."),
        ),
        "joint": (
            services.open_joint_case,
            {"note": cd.get("note", "")},
            _("Joint case opened: the three parties are told."),
        ),
        "message": (services.post_message, {"body": cd.get("body")}, _("Message sent.")),
        "note": (
            services.add_note,
            {"text": cd.get("text"), "public": cd.get("public", False)},
            _("Note added."),
        ),
    }
    fn, kwargs, success = calls[action]
    done = call(form, fn, user=user, report=report, **kwargs)
    if done is None:
        return False
    messages.success(request, success)
    return True


@login_required
def desk_report(request, report_id):
    report = report_or_404(report_id)
    user = request.user
    if not rules.can_view(user, report):
        raise Http404
    if rules.is_reporter(user, report) and not (
        access.can(user, "reports.view", report) or rules.is_handler(user, report)
    ):
        return redirect("reports:detail", report.pk)
    bound = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTION_FORMS:
            raise Http404
        if not allowed_actions(user, report)[action]:
            # Usually a second click, or someone else moved the report on meanwhile.
            messages.warning(request, _("This action is not possible for this report now."))
            return redirect("reports:desk_report", report.pk)
        form = _action_form(action, report, request.POST, request.FILES)
        if form.is_valid() and _run(request, report, action, form):
            return redirect("reports:desk_report", report.pk)
        bound = (action, form)
    return _desk_page(request, report, bound)


def _action_form(action, report, data=None, files=None):
    cls = ACTION_FORMS[action]
    if cls is DispatchForm:
        return cls(data, candidates=queries.handler_candidates(report), prefix=action)
    if cls is ResolveForm:
        return cls(data, files, prefix=action)
    return cls(data, prefix=action)


def _desk_page(request, report, bound=None):
    user = request.user
    allowed = allowed_actions(user, report)
    action_forms = {}
    for action, ok in allowed.items():
        if not ok:
            continue
        if bound and bound[0] == action:
            action_forms[action] = bound[1]
        else:
            action_forms[action] = _action_form(action, report)
    reporter = report.reporter
    see_personal = rules.sees_reporter_in_full(user, report)
    steps = describe_steps(list(queries.timeline(report, user)))
    for step in steps:
        step.actor_label = _actor_label(step, report, see_personal)
    thread = list(report.messages.select_related("author")) if report.joint else []
    for message in thread:
        message.role_label = ROLE_LABELS.get(message.role, message.role)
    context = {
        "report": report,
        "steps": steps,
        "forms": action_forms,
        "bound_action": bound[0] if bound else "",
        "answers": _answers(report),
        "reporter_name": _shown(
            reporter.name if reporter else report.contact_name, see_personal, mask_name
        ),
        "reporter_mobile": _shown(
            reporter.mobile if reporter else report.contact_phone, see_personal, mask_mobile
        ),
        "household": household_label(report.household)
        if see_personal and report.household_id
        else "",
        "see_personal": see_personal,
        "thread": thread,
        "duplicates": list(report.duplicates.values_list("pk", flat=True)),
        "point": schematic(estate_buildings(report.estate), (report.map_x, report.map_y))
        if report.map_x is not None
        else None,
        "handler_role": ROLE_LABELS.get(report.handler_role, report.handler_role),
    } | _nav(user)
    return render(request, "reports/desk_report.html", context)


def _shown(value, full, mask):
    if not value:
        return ""
    return value if full else mask(value)


def _actor_label(step, report, see_personal):
    actor = step.actor
    if actor is None:
        return _("System")
    if actor.pk == report.reporter_id:
        name = actor.name or actor.mobile
        return _("Reporter %(name)s") % {"name": name if see_personal else mask_name(name)}
    return staff_label(actor)


# --- Figures ----------------------------------------------------------------------------------


def figure_places(user):
    places = people_queries.places_in_scope(
        user,
        "reports.view_figures",
        [PlaceKind.SUBDISTRICT, PlaceKind.COMMUNITY, PlaceKind.ESTATE],
    )[:FIGURE_PLACES]
    places = list(places)
    if not places:  # a grid worker's scope is the buildings of their grid
        places = list(
            people_queries.places_in_scope(user, "reports.view_figures", [PlaceKind.BUILDING])[
                :FIGURE_PLACES
            ]
        )
    return places


def _pct(rate):
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _hours(value):
    return "—" if value is None else f"{value:g}"


def _shown_row(row):
    return {
        "label": row.label,
        "reports": row.reports,
        "accepted": row.accepted,
        "resolved": row.resolved,
        "open": row.open,
        "overdue": row.overdue,
        "rated": row.rated,
        "response_rate": _pct(row.response_rate),
        "resolution_rate": _pct(row.resolution_rate),
        "satisfaction_rate": _pct(row.satisfaction_rate),
        "to_accept": _hours(row.avg_hours_to_accept),
        "to_resolve": _hours(row.avg_hours_to_resolve),
    }


@login_required
@require_GET
def figures_page(request):
    """Response, resolution and satisfaction rates and average times per category, month or
    place of the user's scope, and the reports now overdue."""
    user = request.user
    if not access.has_anywhere(user, "reports.view_figures"):
        raise PermissionDenied
    places = figure_places(user)
    form = FiguresForm(request.GET or None, places=places, categories=Category.objects.all())
    params = {"by": "category", "place_path": "", "since": None, "until": None, "category": ""}
    if form.is_bound and form.is_valid():
        cd = form.cleaned_data
        chosen = next((p for p in places if p.pk == cd["place"]), None)
        if cd["place"] and chosen is None:
            form.add_error("place", _("Choose a place of your area."))
        params.update(
            by=cd["by"] or "category",
            place_path=chosen.path if chosen else "",
            since=cd["since"],
            until=cd["until"],
            category=cd["category"],
        )
    result = None
    overdue = []
    if not form.errors:
        result = report_figures.figures(user=user, **params)
        overdue = list(
            report_figures.overdue_reports(
                user=user, place_path=params["place_path"]
            ).select_related("place__parent")[:OVERDUE_SHOWN]
        )
    return render(
        request,
        "reports/figures.html",
        {
            "form": form,
            "by": params["by"],
            "rows": [_shown_row(r) for r in result.rows] if result else [],
            "total": _shown_row(result.total) if result else None,
            "overdue": overdue,
            "overdue_cap": OVERDUE_SHOWN,
        }
        | _nav(user),
    )
