"""Contest pages (红"栋"力, seed 001). Residents: the contests of where they live with the
latest ranking and its red flags (流动红旗), a unit's month-by-month results. Panellists: the
rounds they score. Staff: the desk (contests of their scope, a new contest, rounds by status)
and the contest page (settings, the four-party panel, opening a month's round, the year's
leaderboard and the flag history). Pages call services_rounds and queries; who may do what is
the rules'."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from linju.core import access
from linju.core.forms import call_service
from linju.core.views import CappedPaginator, paginate

from . import queries, rules
from . import services_rounds as services
from .forms_contests import (
    ContestForm,
    EndSeatForm,
    OpenRoundForm,
    PanellistForm,
    SettingsForm,
    YearForm,
)
from .models import Contest, Panellist, Purpose, RoundStatus

HOME_CONTESTS = 20
DESK_ROUNDS = 100
CONTEST_SCOPES = ("estate", "community")


def _contest_or_404(user, pk) -> Contest:
    contest = queries.contests_for(user).filter(pk=pk).first()
    if contest is None or not rules.can_see_contest(user, contest):
        raise Http404
    return contest


def _awards_url(contest, year):
    """The awards page belongs to another part of the app; link it once it exists."""
    try:
        return reverse("ratings:awards", args=[contest.pk, year])
    except NoReverseMatch:
        return None


# --- Residents and panellists ---------------------------------------------------------------------


@login_required
@require_GET
def home(request):
    """The contests of my estate and community with their latest ranking, and what I score."""
    user = request.user
    contests = []
    for contest in queries.contests_for(user)[:HOME_CONTESTS]:
        latest = queries.flag_history(contest, limit=1)
        contests.append({"contest": contest, "latest": latest[0] if latest else None})
    return render(
        request,
        "ratings/home.html",
        {
            "contests": contests,
            "panel_rounds": list(queries.panel_rounds(user)),
            "is_desk": rules.may_use_desk(user),
        },
    )


@login_required
@require_GET
def place(request, pk):
    """A unit's (or building's) results month by month, in the rounds I may see."""
    user = request.user
    rows = queries.place_history(pk, user)
    if rows is None:
        raise Http404
    page = paginate(request, rows, CappedPaginator)
    return render(
        request,
        "ratings/place.html",
        {"place": page.object_list[0].place, "rows": page.object_list, "page_obj": page},
    )


# --- Staff ----------------------------------------------------------------------------------------


def _require_desk(user) -> None:
    if not rules.may_use_desk(user):
        raise PermissionDenied


def _create_choices(user) -> dict:
    """What a new contest may be made of: places and party organisations the user manages, and
    the rubrics adopted there or above (queries.adopted_rubrics, per place)."""
    places = list(queries.managed_places(user, CONTEST_SCOPES)[:50])
    organisations = list(queries.managed_organisations(user)[:50])
    seen, rubrics = set(), []
    for where, purpose in [(p, Purpose.CONTEST) for p in places] + [
        (o.place, Purpose.STARS) for o in organisations
    ]:
        for rubric in queries.adopted_rubrics(where, purpose):
            if rubric.pk not in seen:
                seen.add(rubric.pk)
                rubrics.append(rubric)
    return {"places": places, "organisations": organisations, "rubrics": rubrics}


@login_required
def desk(request):
    """The contests of my scope, a new one, and their rounds by status."""
    user = request.user
    _require_desk(user)
    may_create = access.has_anywhere(user, "ratings.manage")
    form = None
    if may_create:
        choices = _create_choices(user)
        form = ContestForm(request.POST or None, **choices)
        if request.method == "POST" and form.is_valid():
            created = call_service(
                form, services.create_contest, user=user, **form.service_kwargs()
            )
            if created is not None:
                messages.success(request, _("The contest is set up: name its panel next."))
                return redirect("ratings:contest", created.pk)
    elif request.method == "POST":
        raise PermissionDenied
    contests = queries.desk_contests(user)
    rounds = list(queries.desk_rounds(user)[:DESK_ROUNDS])
    by_status = [
        (label, [r for r in rounds if r.status == value])
        for value, label in RoundStatus.choices
        if value != RoundStatus.LOCKED
    ]
    return render(
        request,
        "ratings/desk.html",
        {"contests": contests[:200], "form": form, "by_status": by_status},
    )


# The contest page's actions: the form and the service call.
DONE = {
    "settings": gettext_lazy("Saved. The next round uses these settings."),
    "panel_add": gettext_lazy("Added to the panel."),
    "panel_end": gettext_lazy("The seat is ended."),
    "open_round": gettext_lazy("The round is open: start scoring when the panel is ready."),
}


def _act(request, contest, action):
    """Run one action; returns (done, bound form)."""
    user = request.user
    data = request.POST
    if action == "settings":
        form = SettingsForm(data, prefix="settings")
        if form.is_valid():
            return call_service(
                form, services.update_contest, user=user, contest=contest, **form.cleaned_data
            ), form
    elif action == "panel_add":
        form = PanellistForm(data, prefix="panel", purpose=contest.purpose)
        if form.is_valid():
            return call_service(
                form,
                services.add_panellist,
                user=user,
                contest=contest,
                mobile=form.cleaned_data["mobile"],
                party=form.cleaned_data["party"],
            ), form
    elif action == "panel_end":
        form = EndSeatForm(data)
        if form.is_valid():
            seat = Panellist.objects.filter(
                contest=contest, pk=form.cleaned_data["panellist"]
            ).first()
            if seat is None:
                raise Http404
            return call_service(form, services.end_panellist, user=user, panellist=seat), form
    elif action == "open_round":
        form = OpenRoundForm(data, prefix="round")
        if form.is_valid():
            return call_service(
                form,
                services.open_round,
                user=user,
                contest=contest,
                period=form.cleaned_data["period"],
            ), form
    else:
        raise Http404
    return None, form


@login_required
def contest(request, pk):
    user = request.user
    contest = _contest_or_404(user, pk)
    manage = rules.can_manage(user, contest)
    bound = {}
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        action = request.POST.get("action", "")
        done, form = _act(request, contest, action)
        if done is not None:
            messages.success(request, DONE[action])
            if action == "open_round":
                return redirect("ratings:round", done.pk)
            return redirect("ratings:contest", contest.pk)
        bound[action] = form
        contest = _contest_or_404(user, pk)
    year_form = YearForm(request.GET or None)
    year = timezone.localdate().year
    if year_form.is_bound and year_form.is_valid() and year_form.cleaned_data["year"]:
        year = year_form.cleaned_data["year"]
    follow = rules.can_follow(user, contest)
    context = {
        "contest": contest,
        "manage": manage,
        "follow": follow,
        "year": year,
        "leaderboard": queries.leaderboard(contest, year),
        "history": queries.flag_history(contest),
        "rounds": list(queries.rounds_for(user).filter(contest=contest)[:24]),
        "awards_url": _awards_url(contest, year) if follow else None,
    }
    if follow:
        context["seats"] = queries.panel_of(contest)
    if manage:
        context.update(
            settings_form=bound.get("settings")
            or SettingsForm(initial=SettingsForm.initial_of(contest), prefix="settings"),
            panel_form=bound.get("panel_add")
            or PanellistForm(prefix="panel", purpose=contest.purpose),
            end_form=bound.get("panel_end"),
            round_form=bound.get("open_round")
            or OpenRoundForm(
                prefix="round", initial={"period": timezone.localdate().strftime("%Y-%m")}
            ),
        )
    return render(request, "ratings/contest.html", context)


urlpatterns = [
    path("", home, name="home"),
    path("desk/", desk, name="desk"),
    path("contests/<int:pk>/", contest, name="contest"),
    path("places/<int:pk>/", place, name="place"),
]
