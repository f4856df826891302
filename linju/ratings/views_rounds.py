"""Round pages (seed 001: 每月评分, 流动红旗). Everyone allowed sees a published ranking: rank,
name, total, veto, red flag or stars. Staff who follow the scope see each panellist's progress
with the late ones marked; managers start and close scoring, correct marks in review (with a
reason), publish, reopen with a reason, and lock. Panellists score on their phone one target
per screen (`score`), walking the targets in order. Views call services_rounds and queries."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linju.core.errors import DomainError, Forbidden
from linju.core.forms import call_service
from linju.core.masking import staff_label
from linju.core.views import CappedPaginator, paginate, private_download

from . import queries, rules
from . import services_rounds as services
from .forms_rounds import CorrectionForm, ReasonForm, SheetForm
from .models import Purpose, RoundStatus, Sheet

# Bare buttons: the service and what the page says when it is done.
BUTTONS = {
    "start": (services.start_scoring, gettext_lazy("Scoring has started: the panel is told.")),
    "close": (
        services.close_scoring,
        gettext_lazy("Scoring is closed: the round is ranked, in review."),
    ),
    "publish": (
        services.publish_round,
        gettext_lazy("The ranking is published on the notice board."),
    ),
    "lock": (services.lock_round, gettext_lazy("The round is locked: its ranking is final.")),
}
# Which buttons a manager sees in each status.
ACTIONS_OF = {
    RoundStatus.OPEN: ["start"],
    RoundStatus.SCORING: ["close"],
    RoundStatus.REVIEW: ["publish"],
    RoundStatus.PUBLISHED: ["reopen", "lock"],
    RoundStatus.LOCKED: [],
}


def _round_or_404(user, pk):
    round_ = queries.rounds_for(user).filter(pk=pk).first()
    if round_ is None:
        raise Http404
    return round_


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
def round_page(request, pk):
    user = request.user
    round_ = _round_or_404(user, pk)
    manage = rules.can_manage(user, round_)
    bound = {}
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        action = request.POST.get("action", "")
        if action in BUTTONS:
            fn, done = BUTTONS[action]
            try:
                fn(user=user, round_=round_)
            except Forbidden:
                raise PermissionDenied from None
            except DomainError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, done)
            return redirect("ratings:round", round_.pk)
        if action == "reopen":
            form = ReasonForm(request.POST, prefix="reopen")
            if form.is_valid() and call_service(
                form,
                services.reopen_review,
                user=user,
                round_=round_,
                reason=form.cleaned_data["reason"],
            ):
                messages.success(request, _("The round is back in review."))
                return redirect("ratings:round", round_.pk)
            bound["reopen"] = form
        elif action == "correct":
            form = CorrectionForm(request.POST)
            entry = None
            if form.is_valid():
                entry = queries.entry_in(round_, form.cleaned_data["entry"])
                if entry is None:
                    raise Http404
                cd = form.cleaned_data
                done = call_service(
                    form,
                    services.correct_entry,
                    user=user,
                    entry=entry,
                    reason=cd["reason"],
                    points=cd["points"],
                    exempt=cd["exempt"],
                    vetoed=cd["vetoed"],
                )
                if done is not None:
                    messages.success(request, _("The mark is corrected and the round re-ranked."))
                    return redirect(f"{request.path}?target={entry.sheet.target_id}#sheets")
            bound["correct"] = form
            bound["entry"] = _int(request.POST.get("entry"))
        else:
            raise Http404
        round_ = _round_or_404(user, pk)
    return _page(request, round_, manage, bound)


def _page(request, round_, manage, bound):
    user = request.user
    follow = rules.can_follow(user, round_)
    results = rules.can_see_results(user, round_)
    context = {
        "round": round_,
        "contest": round_.contest,
        "manage": manage,
        "follow": follow,
        "stars": round_.contest.purpose == Purpose.STARS,
        "actions": ACTIONS_OF.get(round_.status, []) if manage else [],
        "reopen_form": bound.get("reopen") or ReasonForm(prefix="reopen"),
        "on_panel": rules.is_panellist(user, round_),
        "scoring": round_.status == RoundStatus.SCORING,
    }
    if follow:
        context["progress"] = queries.progress(round_)
    if results or follow:
        page = paginate(request, queries.ranking(round_), CappedPaginator)
        context["page_obj"], context["ranking"] = page, page.object_list
        context["ranked"] = round_.status != RoundStatus.OPEN and round_.ranked_at is not None
    target_id = _int(request.GET.get("target"))
    if target_id is None and bound.get("entry"):
        entry = queries.entry_in(round_, bound["entry"])
        target_id = entry.sheet.target_id if entry else None
    if follow and target_id and round_.status != RoundStatus.OPEN:
        target = round_.targets.filter(pk=target_id).first()
        if target is not None:
            context["target"] = target
            context["sheets"] = _sheets(
                target, manage and round_.status == RoundStatus.REVIEW, bound
            )
    return render(request, "ratings/round.html", context)


def _sheets(target, correcting, bound):
    """A target's sheets with their marks; in review each mark has its correction form."""
    sheets = list(
        Sheet.objects.filter(target=target)
        .select_related("panellist")
        .prefetch_related("entries__item")
        .order_by("panellist__name", "pk")
    )
    for sheet in sheets:
        sheet.marks = list(sheet.entries.all())
        sheet.panellist_name = staff_label(sheet.panellist)
        for entry in sheet.marks:
            if not correcting:
                entry.form = None
            elif bound.get("entry") == entry.pk:
                entry.form = bound["correct"]
            else:
                entry.form = CorrectionForm(
                    initial={
                        "entry": entry.pk,
                        "points": f"{entry.points.normalize():f}",
                        "exempt": entry.exempt,
                        "vetoed": entry.vetoed,
                    },
                    auto_id=f"id_c{entry.pk}_%s",
                )
    return sheets


# --- The panellist's screen -----------------------------------------------------------------------


@login_required
def score(request, pk, target=None):
    """One target per screen: every item of the rubric, save and go to the next."""
    user = request.user
    round_ = _round_or_404(user, pk)
    if not rules.is_panellist(user, round_):
        raise PermissionDenied
    scored = set(
        Sheet.objects.filter(round=round_, panellist=user).values_list("target_id", flat=True)
    )
    targets = list(round_.targets.order_by("position", "pk").only("pk", "label", "position"))
    context = {
        "round": round_,
        "done": len(scored),
        "total": len(targets),
        "targets": targets,
        "scored": scored,
    }
    if round_.status != RoundStatus.SCORING:
        context["closed"] = True
        return render(request, "ratings/score.html", context)
    if target is not None:
        current = round_.targets.filter(pk=target).first()
        if current is None:
            raise Http404
    else:
        current = queries.next_target(round_, user)
        if current is None:
            context["finished"] = True
            return render(request, "ratings/score.html", context)
    items = list(round_.rubric.items.order_by("position", "pk"))
    sheet = Sheet.objects.filter(target=current, panellist=user).first()
    entries = {e.item_id: e for e in sheet.entries.all()} if sheet else {}
    initial = {"note": sheet.note} if sheet else None
    form = SheetForm(
        request.POST or None,
        request.FILES or None,
        items=items,
        entries=entries,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        saved = call_service(
            form,
            services.save_sheet,
            user=user,
            round_=round_,
            target_id=current.pk,
            marks=form.marks(),
            note=form.cleaned_data["note"],
        )
        if saved is not None:
            messages.success(
                request,
                _("Saved: %(target)s, %(total)s.")
                % {"target": current.label, "total": saved.total},
            )
            if request.POST.get("then") == "stay":
                return redirect("ratings:score_target", round_.pk, current.pk)
            return redirect("ratings:score", round_.pk)
    context.update(current=current, form=form, rows=form.bound_rows(), sheet=sheet)
    return render(request, "ratings/score.html", context)


@login_required
def evidence(request, pk, entry):
    """An evidence photo, served privately to those the rule allows."""
    round_ = _round_or_404(request.user, pk)
    found = queries.entry_in(round_, entry)
    if found is None or not rules.can_see_evidence(request.user, found):
        raise Http404
    return private_download(found.photo)


urlpatterns = [
    path("rounds/<int:pk>/", round_page, name="round"),
    path("rounds/<int:pk>/evidence/<int:entry>/", evidence, name="evidence"),
    path("rounds/<int:pk>/score/", score, name="score"),
    path("rounds/<int:pk>/score/<int:target>/", score, name="score_target"),
]
