"""The resident's pages of snap-and-report (随手拍, seeds 002/003): report a problem in three
screens (photos and category; where and the category's questions; description), "me too"
instead of a duplicate, my reports with their timeline, and the answer to a resolution:
solved (with a rating) or not solved (which reopens it)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from linju.core.errors import Conflict, DomainError, Forbidden
from linju.core.views import paginate
from linju.places.models import Place, PlaceKind

from . import queries, rules, services
from .forms import ConfirmForm, RateForm, ReopenForm, ReportForm
from .models import Category, Source, Status, StepKind, Supporter
from .views import (
    active_categories,
    call,
    describe_steps,
    estate_buildings,
    public_name,
    report_or_404,
    schematic,
)

# The fields of each screen, to open the screen holding the first error after a failed submit.
SCREEN_OF = {"photos": 1, "category": 1, "place": 2, "map_x": 2, "map_y": 2}


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- Where a person may report ------------------------------------------------------------------


def place_choices(estate):
    """The estate's grounds, its buildings and their units, as one group of the place select."""
    options = [(estate.pk, _("%(estate)s: roads, gates, grounds") % {"estate": estate.name})]
    for place in (
        Place.objects.filter(
            path__startswith=estate.path, kind__in=[PlaceKind.BUILDING, PlaceKind.UNIT]
        )
        .select_related("parent")
        .order_by("path")
    ):
        label = (
            place.name if place.kind == PlaceKind.BUILDING else f"{place.parent.name} {place.name}"
        )
        options.append((place.pk, label))
    return [(estate.name, options)]


def _estate_of(place_id, estates):
    place = Place.objects.filter(pk=_int(place_id)).only("path").first()
    if place is None:
        return None
    return next((e for e in estates if place.path.startswith(e.path)), None)


# --- Report a problem ---------------------------------------------------------------------------


@login_required
def new_report(request):
    """Three screens on a phone (sections of one form: without JavaScript they stack on one
    page). Nothing is saved until the last screen is sent, and an error names its field."""
    user = request.user
    estates, homes = queries.reporting_estates(user)
    if not estates:
        return render(request, "reports/new_unavailable.html")
    estate = None
    if request.method == "POST":
        estate = _estate_of(request.POST.get("place"), estates)
    if estate is None:
        wanted = _int(request.GET.get("estate"))
        estate = next((e for e in estates if e.pk == wanted), estates[0])
    categories = list(active_categories())
    kwargs = {"categories": categories, "places": place_choices(estate)}
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES, **kwargs)
        if form.is_valid():
            report = _submit(form, user)
            if report is not None:
                messages.success(
                    request,
                    _("Thank you. Report #%(id)s was sent; you will hear of every step.")
                    % {"id": report.pk},
                )
                return redirect("reports:detail", report.pk)
        category_code, place_id = form.data.get("category", ""), form.data.get("place")
        point = (_float(form.data.get("map_x")), _float(form.data.get("map_y")))
    else:
        home = homes.get(estate.pk)
        category_code = request.GET.get("category", "")
        place_id = home.pk if home else estate.pk
        form = ReportForm(initial={"place": place_id, "category": category_code}, **kwargs)
        point = None
    first_error = min(
        (SCREEN_OF.get(name, 2 if name.startswith("attr__") else 3) for name in form.errors),
        default=1,
    )
    return render(
        request,
        "reports/new.html",
        {
            "form": form,
            "estate": estate,
            "estates": estates,
            "schematic": schematic(estate_buildings(estate), point),
            "similar": similar_for(user, category_code, place_id),
            "first_screen": first_error,
            "home": homes[estate.pk].parent_id if estate.pk in homes else None,
        },
    )


def _float(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _submit(form, user):
    cd = form.cleaned_data
    try:
        return services.submit_report(
            user=user,
            category_code=cd["category"],
            place_id=cd["place"],
            description=cd["description"],
            title=cd["title"],
            photos=cd["photos"],
            hide_name=cd["hide_name"],
            map_x=cd["map_x"],
            map_y=cd["map_y"],
            attributes=form.answers(),
            source=Source.WEB,
        )
    except Forbidden:
        # The place select offers only places the user may report at; a forged id lands here.
        form.add_error("place", _("You can report only in the estate you live in."))
    except DomainError as exc:
        form.apply_error(exc)
    return None


def similar_for(user, category_code, place_id):
    """Open reports like the one being written (same category, same building, last 30 days)
    that this person may see: public ones, or their own."""
    if not category_code or not place_id:
        return []
    category = Category.objects.filter(code=category_code, active=True).first()
    place = Place.objects.filter(
        pk=_int(place_id), kind__in=[PlaceKind.ESTATE, PlaceKind.BUILDING, PlaceKind.UNIT]
    ).first()
    if category is None or place is None:
        return []
    found = [
        r
        for r in queries.similar_reports(category=category, place=place, user=user)
        if r.is_public or rules.can_view(user, r)
    ]
    backed = set(
        Supporter.objects.filter(user=user, report__in=[r.pk for r in found]).values_list(
            "report_id", flat=True
        )
    )
    for r in found:
        r.mine = r.reporter_id == user.pk
        r.supported = r.pk in backed
    return found


@login_required
@require_GET
def similar(request):
    """The "already reported?" box of the last screen, refreshed by htmx when the category or
    the place changes."""
    reports = similar_for(request.user, request.GET.get("category", ""), request.GET.get("place"))
    return render(request, "reports/_similar.html", {"similar": reports})


@login_required
@require_POST
def support(request, report_id):
    """Me too (我也遇到): back an open report instead of filing a duplicate."""
    report = report_or_404(report_id)
    try:
        services.support_report(user=request.user, report=report)
    except Forbidden:
        raise Http404 from None
    except Conflict as exc:
        messages.info(request, str(exc.message))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Thank you: you back this report and will hear of every step."))
    return redirect("reports:detail", report.pk)


# --- My reports ---------------------------------------------------------------------------------


@login_required
def my_reports(request):
    user = request.user
    page = paginate(request, queries.my_reports(user))
    estates, _homes = queries.reporting_estates(user)
    return render(
        request,
        "reports/mine.html",
        {"page_obj": page, "estates": estates, "can_report": bool(estates)},
    )


@login_required
def report_detail(request, report_id):
    """The reporter's page of a report; staff go to the desk page, neighbours who backed it or
    may see it publicly get the anonymised card."""
    report = report_or_404(report_id)
    user = request.user
    if rules.is_reporter(user, report):
        return _reporter_page(request, report)
    if rules.can_view(user, report):
        return redirect("reports:desk_report", report.pk)
    supporter = Supporter.objects.filter(report=report, user=user).exists()
    if not (supporter or queries.is_public_to(user, report)):
        raise Http404
    steps = describe_steps([s for s in queries.timeline(report, user) if s.public])
    return render(
        request,
        "reports/public_report.html",
        {
            "report": report,
            "steps": steps,
            "public_name": public_name(report),
            "supporter": supporter,
            "can_support": not supporter and report.status in services.SUPPORTABLE,
        },
    )


def _reporter_page(request, report, **forms):
    user = request.user
    steps = describe_steps(list(queries.timeline(report, user)))
    problem_photos = [p for s in steps if s.kind == StepKind.SUBMITTED for p in s.photos.all()]
    context = {
        "report": report,
        "steps": steps,
        "problem_photos": problem_photos,
        "answers": _answers(report),
        "point": schematic(estate_buildings(report.estate), (report.map_x, report.map_y))
        if report.map_x is not None
        else None,
    }
    if report.status == Status.RESOLVED:
        context["confirm_form"] = forms.get("confirm_form") or ConfirmForm()
        context["reopen_form"] = forms.get("reopen_form") or ReopenForm()
    if report.status == Status.CLOSED and report.rating is None:
        context["rate_form"] = forms.get("rate_form") or RateForm()
    return render(request, "reports/report.html", context)


def _answers(report):
    """The category's questions with this report's answers, in the category's order."""
    names = []
    for attribute in report.category.attributes.all():
        value = report.attributes.get(attribute.code)
        if value in (None, "", []):
            continue
        labels = {str(v.get("key")): v.get("name") for v in attribute.values or []}
        if isinstance(value, list):
            shown = pgettext("list separator", ", ").join(labels.get(v, v) for v in value)
        else:
            shown = labels.get(value, value)
        names.append((attribute.description, shown))
    return names


def _own_report(request, report_id):
    report = report_or_404(report_id)
    if not rules.is_reporter(request.user, report):
        if rules.can_view(request.user, report):
            raise PermissionDenied
        raise Http404
    return report


def _reporter_answer(request, report_id, *, form_class, form_key, service, fields, success):
    """The reporter's answer to a resolution (confirm, reopen, rate): the form, the service,
    then back to the report, or the page again with the form's errors."""
    report = _own_report(request, report_id)
    form = form_class(request.POST)
    if form.is_valid():
        kwargs = {name: form.cleaned_data[name] for name in fields}
        if call(form, service, user=request.user, report=report, **kwargs):
            messages.success(request, success)
            return redirect("reports:detail", report.pk)
    return _reporter_page(request, report, **{form_key: form})


@login_required
@require_POST
def confirm(request, report_id):
    """Solved (核查): the reporter closes the report, and may rate the handling."""
    return _reporter_answer(
        request,
        report_id,
        form_class=ConfirmForm,
        form_key="confirm_form",
        service=services.confirm_report,
        fields=["rating", "comment"],
        success=_("Thank you for confirming. The report is closed."),
    )


@login_required
@require_POST
def reopen(request, report_id):
    """Not solved: the reporter says what is still wrong and the report goes back to work."""
    return _reporter_answer(
        request,
        report_id,
        form_class=ReopenForm,
        form_key="reopen_form",
        service=services.reopen_report,
        fields=["comment"],
        success=_("The report was reopened; the handler will look again."),
    )


@login_required
@require_POST
def rate(request, report_id):
    """The satisfaction rating of a closed report that was not rated when it closed."""
    return _reporter_answer(
        request,
        report_id,
        form_class=RateForm,
        form_key="rate_form",
        service=services.rate_report,
        fields=["rating", "comment"],
        success=_("Thank you for your rating."),
    )
