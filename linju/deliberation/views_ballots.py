"""Ballot pages (seed 002: owners' decisions by area and headcount, elevator retrofits per
unit). Residents: my votes, and the ballot page where they vote, see their own choice and, once
published, the result with every line of its arithmetic. Staff: the ballots of their scope, a
new ballot, and the ballot's desk (open it, follow the turnout, enter paper ballots with their
scans, confirm another member's entries, record proxies with their authorisations, close,
publish). Pages call services_ballots and queries_ballots; who may do what is the rules'."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from linju.core.errors import DomainError, Forbidden
from linju.core.forms import call_service
from linju.core.views import CappedPaginator, paginate, private_download
from linju.people import queries as people_queries
from linju.places.models import Household

from . import queries_ballots as queries
from . import rules
from . import services_ballots as services
from .forms_ballots import (
    PRESETS,
    BallotForm,
    ConfirmForm,
    DeskFilterForm,
    ElectorSearchForm,
    PaperForm,
    ProxyForm,
    RejectForm,
    VoteForm,
)
from .models import SCOPE_KINDS, BallotStatus, Electorate, Rule, VoteMethod

ELECTORS_PER_PAGE = 20


_call = call_service


def _ballot_or_404(user, ballot_id):
    ballot = queries.ballots().select_related("topic").filter(pk=ballot_id).first()
    if ballot is None or not queries.may_view(user, ballot):
        raise Http404
    return ballot


def _weighs_area(ballot) -> bool:
    return ballot.electorate in (Electorate.OWNERS, Electorate.HOUSEHOLDS)


def _result(user, ballot):
    return queries.result_view(ballot) if queries.sees_result(user, ballot) else None


# --- Residents -----------------------------------------------------------------------------------


@login_required
@require_GET
def my_ballots(request):
    page = paginate(request, queries.my_ballots(request.user), CappedPaginator)
    return render(request, "deliberation/ballots/mine.html", {"page_obj": page})


@login_required
def ballot(request, ballot_id):
    """The question, its options and rule, my vote (to cast or change while it is open) and,
    once published, the result with its arithmetic."""
    user = request.user
    ballot = _ballot_or_404(user, ballot_id)
    options = list(ballot.options.order_by("order"))
    electors = queries.my_electors(user, ballot) if ballot.status != BallotStatus.DRAFT else []
    form = None
    voting = ballot.status == BallotStatus.OPEN and timezone.now() < ballot.closes_at
    if electors and voting:
        chosen = request.POST.get("elector") or request.GET.get("elector")
        current = next((e for e in electors if str(e.pk) == str(chosen)), electors[0])
        initial = {"elector": current.pk}
        if current.my_vote:
            initial["option"] = current.my_vote.option_id
        data = request.POST if request.method == "POST" else None
        form = VoteForm(data, options=options, initial=initial)
        if data is not None and form.is_valid():
            done = _call(
                form,
                services.cast_vote,
                user=user,
                ballot=ballot,
                option_id=form.cleaned_data["option"],
                elector_id=form.cleaned_data["elector"] or current.pk,
            )
            if done is not None:
                messages.success(
                    request, _("Your vote is in: %(option)s.") % {"option": done.option.label}
                )
                return redirect("deliberation:ballot", ballot.pk)
    elif request.method == "POST":
        messages.warning(request, _("You cannot vote in this ballot now."))
        return redirect("deliberation:ballot", ballot.pk)
    context = {
        "ballot": ballot,
        "options": options,
        "electors": electors,
        "form": form,
        "voting": voting,
        "may_change": ballot.changeable,
        "turnout": queries.turnout(ballot) if ballot.status != BallotStatus.DRAFT else None,
        "result": _result(user, ballot),
        "rule_summary": services.thresholds.rule_summary(ballot.rule),
        "is_staff": queries.is_staff(user, ballot),
        "show_area": _weighs_area(ballot),
    }
    return render(request, "deliberation/ballots/ballot.html", context)


# --- Staff ---------------------------------------------------------------------------------------


def _require_desk(user):
    if not queries.may_use_ballot_desk(user):
        raise PermissionDenied


@login_required
@require_GET
def desk_ballots(request):
    user = request.user
    _require_desk(user)
    form = DeskFilterForm(request.GET or None)
    status, q = "", ""
    if form.is_bound and form.is_valid():
        status, q = form.cleaned_data["status"], form.cleaned_data["q"]
    rows = queries.staff_ballots(user, status=status, q=q)
    if form.is_bound and form.errors:
        rows = rows.none()
    page = paginate(request, rows, CappedPaginator)
    return render(
        request,
        "deliberation/ballots/desk_list.html",
        {"form": form, "page_obj": page, "can_create": queries.may_create_ballots(user)},
    )


def _places(user):
    return people_queries.places_in_scope(user, "deliberation.run_ballot", SCOPE_KINDS)


def _links(user) -> dict:
    """The topics and meetings a new ballot may belong to: open ones in the user's scope."""
    return {
        "topics": queries.linkable_topics(user),
        "meetings": queries.linkable_meetings(user),
    }


@login_required
def ballot_new(request):
    user = request.user
    if not queries.may_create_ballots(user):
        raise PermissionDenied
    places = _places(user)
    initial = {"changeable": True, **PRESETS.get(request.GET.get("preset"), {})}
    for name in ("topic", "meeting", "place", "title"):
        if request.GET.get(name):
            initial[name] = request.GET[name]
    form = BallotForm(request.POST or None, places=places, initial=initial, **_links(user))
    if request.method == "POST" and form.is_valid():
        created = _call(
            form,
            services.create_ballot,
            names=BallotForm.NAMES,
            user=user,
            **form.service_kwargs(),
        )
        if created is not None:
            messages.success(request, _("The ballot is drafted: check it, then open it."))
            return redirect("deliberation:desk_ballot", created.pk)
    return render(
        request, "deliberation/ballots/edit.html", {"form": form, "ballot": None, "rules": Rule}
    )


@login_required
def ballot_edit(request, ballot_id):
    user = request.user
    ballot = _ballot_or_404(user, ballot_id)
    if not rules.can_run_ballot(user, ballot) or ballot.status != BallotStatus.DRAFT:
        raise PermissionDenied
    rooms = ", ".join(
        Household.objects.filter(pk__in=services.affected_households(ballot))
        .order_by("room")
        .values_list("room", flat=True)
    )
    places = _places(user)
    form = BallotForm(
        request.POST or None,
        places=places,
        initial=BallotForm.initial_of(ballot, rooms),
        **_links(user),
    )
    if request.method == "POST" and form.is_valid():
        done = _call(
            form,
            services.update_ballot,
            names=BallotForm.NAMES,
            user=user,
            ballot=ballot,
            **form.service_kwargs(),
        )
        if done is not None:
            messages.success(request, _("Saved."))
            return redirect("deliberation:desk_ballot", ballot.pk)
    return render(
        request, "deliberation/ballots/edit.html", {"form": form, "ballot": ballot, "rules": Rule}
    )


# The desk's actions: a form class (or None for a bare button) and the service call.
ACTIONS = {
    "open": None,
    "close": None,
    "publish": None,
    "proxy": ProxyForm,
    "paper": PaperForm,
    "confirm": ConfirmForm,
    "reject": RejectForm,
}
DONE = {
    "open": _("The ballot is open: its electorate is frozen and told."),
    "close": _("The ballot is closed and counted."),
    "publish": _("The result is published on the notice board."),
    "proxy": _("The proxy's vote is recorded."),
    "paper": _("The paper ballot is entered: a second staff member confirms it."),
    "confirm": _("The paper ballot is confirmed: it counts."),
    "reject": _("The entry is removed: the sheet can be entered again."),
}


def _run(request, ballot, action, form):
    user = request.user
    if form is None:
        fn = {
            "open": services.open_ballot,
            "close": services.close_ballot,
            "publish": services.publish_result,
        }[action]
        try:
            fn(user=user, ballot=ballot)
        except Forbidden:
            raise PermissionDenied from None
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return False
        messages.success(request, DONE[action])
        return True
    cd = form.cleaned_data
    if action == "proxy":
        kwargs = {
            "fn": services.record_proxy_vote,
            "elector_id": cd["elector"],
            "option_id": cd["option"],
            "proxy_name": cd["proxy_name"],
            "authorisation": cd.get("authorisation"),
        }
    elif action == "paper":
        kwargs = {
            "fn": services.enter_paper_vote,
            "elector_id": cd["elector"],
            "option_id": cd["option"],
            "scan": cd.get("scan"),
        }
    elif action == "confirm":
        kwargs = {"fn": services.confirm_paper_vote, "vote_id": cd["vote"]}
    else:
        kwargs = {"fn": services.reject_paper_vote, "vote_id": cd["vote"], "reason": cd["reason"]}
    fn = kwargs.pop("fn")
    # The voter and the entry are hidden fields: their errors go on top of the form.
    hidden = {"elector": None, "vote": None}
    if _call(form, fn, names=hidden, user=user, ballot=ballot, **kwargs) is None:
        return False
    messages.success(request, DONE[action])
    return True


def _action_form(action, options, data=None, files=None, initial=None):
    cls = ACTIONS[action]
    if cls in (ProxyForm, PaperForm):
        return cls(data, files, options=options, prefix=action, initial=initial)
    return cls(data, prefix=action, initial=initial)


@login_required
def desk_ballot(request, ballot_id):
    user = request.user
    ballot = _ballot_or_404(user, ballot_id)
    if not queries.is_staff(user, ballot):
        return redirect("deliberation:ballot", ballot.pk)
    options = list(ballot.options.order_by("order"))
    bound = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            raise Http404
        if not rules.can_run_ballot(user, ballot):
            raise PermissionDenied
        form = None
        if ACTIONS[action] is not None:
            form = _action_form(action, options, request.POST, request.FILES)
            if not form.is_valid():
                bound[action] = form
        if action not in bound and _run(request, ballot, action, form):
            return redirect("deliberation:desk_ballot", ballot.pk)
        if form is not None:
            bound[action] = form
        ballot = _ballot_or_404(user, ballot_id)
    return _desk_page(request, ballot, options, bound)


def _desk_page(request, ballot, options, bound):
    user = request.user
    run = rules.can_run_ballot(user, ballot)
    now = timezone.now()
    is_open = ballot.status == BallotStatus.OPEN
    context = {
        "ballot": ballot,
        "options": options,
        "run": run,
        "now": now,
        "rule_summary": services.thresholds.rule_summary(ballot.rule),
        "result": _result(user, ballot),
        "can_open": run and ballot.status == BallotStatus.DRAFT,
        "can_close": run and is_open and now >= ballot.closes_at,
        "can_publish": run and ballot.status == BallotStatus.CLOSED,
        "affected": [],
        "show_area": _weighs_area(ballot),
    }
    if ballot.rule == Rule.ELEVATOR:
        context["affected"] = list(
            Household.objects.filter(pk__in=services.affected_households(ballot))
            .order_by("room")
            .values_list("room", flat=True)
        )
    if ballot.status != BallotStatus.DRAFT:
        context["turnout"] = queries.turnout(ballot)
    if queries.sees_live_tally(user, ballot):
        counts = services.tally(ballot)
        context["live_tally"] = [(o, counts.get(o.pk)) for o in options]
    if is_open and run:
        search = ElectorSearchForm(request.GET or None)
        q = search.cleaned_data["q"] if search.is_valid() else ""
        electors = paginate(request, queries.electors(ballot, q, viewer=user), CappedPaginator)
        rows = queries.elector_rows(user, ballot, electors)
        chosen = _int(request.GET.get("elector"))
        chosen_row = None
        if chosen:
            chosen_qs = queries.electors(ballot).filter(pk=chosen)
            found = queries.elector_rows(user, ballot, chosen_qs)
            chosen_row = found[0] if found else None
        voting = now < ballot.closes_at
        forms = {}
        for action in ("proxy", "paper"):
            if action == "proxy" and not voting:
                continue
            forms[action] = bound.get(action) or _action_form(
                action, options, initial={"elector": chosen_row["id"]} if chosen_row else None
            )
        queue = list(queries.paper_queue(ballot))
        for vote in queue:
            vote.can_check = vote.cast_by_id != user.pk
        context.update(
            search=search,
            electors=electors,
            elector_rows=rows,
            chosen=chosen_row,
            forms=forms,
            queue=queue,
            reject_form=bound.get("reject"),
            confirm_errors=bound.get("confirm"),
            voting=voting,
            paper=VoteMethod.PAPER,
        )
    return render(request, "deliberation/ballots/desk.html", context)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_GET
def vote_file(request, ballot_id, vote_id, kind):
    """A proxy's authorisation or a paper ballot's scan, for staff who run the ballot."""
    user = request.user
    ballot = _ballot_or_404(user, ballot_id)
    if not rules.can_run_ballot(user, ballot) or kind not in ("authorisation", "scan"):
        raise Http404
    return private_download(queries.vote_file(ballot, vote_id, kind))


urlpatterns = [
    path("ballots/", my_ballots, name="my_ballots"),
    path("ballots/<int:ballot_id>/", ballot, name="ballot"),
    path("desk/ballots/", desk_ballots, name="desk_ballots"),
    path("desk/ballots/new/", ballot_new, name="ballot_new"),
    path("desk/ballots/<int:ballot_id>/", desk_ballot, name="desk_ballot"),
    path("desk/ballots/<int:ballot_id>/edit/", ballot_edit, name="ballot_edit"),
    path(
        "desk/ballots/<int:ballot_id>/votes/<int:vote_id>/<str:kind>/",
        vote_file,
        name="ballot_vote_file",
    ),
]
