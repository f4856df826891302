"""The year's awards page (seed 001: 年底按流动红旗次数前三名给予物业费补贴;
"三长"履职尽责再提高10%) for the managers of a unit contest: the year's red-flag table, the three
heads with their duties recorded, the preview of the award lines in yuan, the confirmation
(once the year is over and every opened round is published), and the confirmed list as XLSX
for the property company. Views call services_awards and queries; the rules live there."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from linju.core.exports import xlsx_response
from linju.core.forms import call_service

from . import exports, queries, rules
from . import services_awards as services
from .forms_awards import ConfirmForm, HeadDutyForm
from .models import HeadDuty, Purpose, TargetKind

FIRST_YEAR, LAST_YEAR = 2000, 2100


def _contest_or_404(user, pk, year):
    """A unit contest the user sees (else 404) and manages (else 403)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404
    contest = (
        queries.contests_for(user)
        .filter(pk=pk, purpose=Purpose.CONTEST, target_kind=TargetKind.UNIT)
        .first()
    )
    if contest is None:
        raise Http404
    if not rules.can_manage(user, contest):
        raise PermissionDenied
    return contest


def _heads(contest, year):
    """One row per head (a person may hold several of the three roles), with the duty decided."""
    duties = {d.user_id: d for d in HeadDuty.objects.filter(contest=contest, year=year)}
    rows = {}
    for grant in services.heads_of_year(contest, year).select_related("place"):
        row = rows.setdefault(
            grant.user_id, {"user": grant.user, "roles": [], "duty": duties.get(grant.user_id)}
        )
        where = grant.place.name if grant.place_id else ""
        row["roles"].append(f"{grant.get_role_display()} {where}".strip())
    return list(rows.values())


def _lines(lines):
    labels = exports.unit_labels(line.unit_id for line in lines)
    for line in lines:
        line.unit_label = labels.get(line.unit_id, "")
        line.yuan = exports.yuan(line.amount_fen)
    return lines


@login_required
def awards(request, pk, year):
    user = request.user
    contest = _contest_or_404(user, pk, year)
    duty_form = confirm_form = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "duty":
            duty_form = HeadDutyForm(request.POST)
            if duty_form.is_valid():
                data = duty_form.cleaned_data
                duty = call_service(
                    duty_form,
                    services.set_head_duty,
                    user=user,
                    contest=contest,
                    year=year,
                    person_id=data["person_id"],
                    fulfilled=data["fulfilled"],
                    note=data["note"],
                )
                if duty:
                    messages.success(request, _("Saved: %(name)s") % {"name": duty.user})
                    return redirect(request.path + "#heads")
        elif action == "confirm":
            confirm_form = ConfirmForm(request.POST)
            confirm_form.is_valid()
            lines = call_service(
                confirm_form, services.confirm_awards, user=user, contest=contest, year=year
            )
            if lines is not None:
                messages.success(
                    request,
                    _("The year's awards are confirmed: %(n)d lines.") % {"n": len(lines)},
                )
                return redirect(request.path + "#confirmed")
        else:
            raise PermissionDenied
    preview = _lines(services.draft_awards(contest, year))
    confirmed = _lines(list(queries.confirmed_awards(contest, year)))
    return render(
        request,
        "ratings/awards/awards.html",
        {
            "contest": contest,
            "year": year,
            "flags": services.flag_table(contest, year),
            "heads": _heads(contest, year),
            "preview": preview,
            "preview_total": exports.yuan(sum(line.amount_fen for line in preview)),
            "confirmed": confirmed,
            "confirmed_total": exports.yuan(sum(line.amount_fen for line in confirmed)),
            "duty_form": duty_form,
            "confirm_form": confirm_form or ConfirmForm(),
            "years": [y for y in (year - 1, year + 1) if FIRST_YEAR <= y <= LAST_YEAR],
        },
    )


@login_required
@require_GET
def awards_xlsx(request, pk, year):
    contest = _contest_or_404(request.user, pk, year)
    if not queries.confirmed_awards(contest, year).exists():
        messages.error(request, _("Confirm the year's awards first."))
        return redirect(reverse("ratings:awards", args=[contest.pk, year]))
    return xlsx_response(exports.awards_xlsx(contest, year), exports.file_name(contest, year))


urlpatterns = [
    path("contests/<int:pk>/awards/<int:year>/", awards, name="awards"),
    path("contests/<int:pk>/awards/<int:year>.xlsx", awards_xlsx, name="awards_xlsx"),
]
