"""Pages of crowdfunding (公益众筹): the public account of a campaign for anyone, signed in or
not (公开账目, 凡结果必公开), its print view for the notice board (A4) and its XLSX export; the
campaign page where a resident of the scope pledges for the household and sees its pledge and
payments. The staff's desk is the API for now (see docs)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linju.core.errors import Conflict, Forbidden, Invalid
from linju.core.exports import xlsx_response
from linju.core.forms import call_service
from linju.core.views import paginate

from . import exports
from . import queries_funds as queries
from . import services_funds as services
from .forms_funds import PledgeForm
from .money import yuan_text


def _campaign_or_404(pk):
    found = queries.public_campaigns().select_related("treasurer").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _rows(entries):
    return [
        {
            "entry": e,
            "amount": yuan_text(e.amount_fen),
            "balance": yuan_text(e.balance_fen),
            "household": queries.household_label(e),
        }
        for e in entries
    ]


def _figures(c):
    return [
        (_("Goal"), yuan_text(c.goal_fen)),
        (_("Pledged"), yuan_text(c.pledged_fen)),
        (_("Income"), yuan_text(c.income_fen)),
        (_("Expenses"), yuan_text(c.expense_fen)),
        (_("Refunds"), yuan_text(c.refund_fen)),
        (_("Balance"), yuan_text(c.balance_fen)),
    ]


def account(request, pk):
    """公开账目: the figures and every entry, paginated; anyone may read it."""
    campaign = _campaign_or_404(pk)
    page = paginate(request, queries.account_entries(campaign))
    context = {
        "campaign": campaign,
        "figures": _figures(campaign),
        "page": page,
        "rows": _rows(page.object_list),
        "progress": min(100, campaign.income_fen * 100 // campaign.goal_fen),
    }
    return render(request, "projects/funds/account.html", context)


def account_print(request, pk):
    """The whole account on A4 sheets for the notice board."""
    campaign = _campaign_or_404(pk)
    context = {
        "campaign": campaign,
        "figures": _figures(campaign),
        "rows": _rows(queries.account_entries(campaign)),
        "approvers": list(campaign.approvers.all()),
    }
    return render(request, "projects/funds/print.html", context)


def account_xlsx(request, pk):
    campaign = _campaign_or_404(pk)
    return xlsx_response(exports.account_workbook(campaign), f"account-{campaign.pk}.xlsx")


def campaign(request, pk):
    """The campaign page, public like its account: progress and figures; for a resident of
    its scope, the pledge form and the household's pledge and payments."""
    found = _campaign_or_404(pk)
    homes = list(services.my_households(request.user, found).select_related("unit"))
    form = PledgeForm(households=homes)
    pledges, payments = queries.my_pledges_and_payments(request.user, found)
    context = {
        "campaign": found,
        "figures": _figures(found),
        "form": form if homes else None,
        "pledges": [(p, yuan_text(p.amount_fen)) for p in pledges],
        "payments": [(p, yuan_text(p.amount_fen)) for p in payments],
        "progress": min(100, found.income_fen * 100 // found.goal_fen),
    }
    return render(request, "projects/funds/campaign.html", context)


@login_required
@require_POST
def pledge(request, pk):
    found = _campaign_or_404(pk)
    homes = list(services.my_households(request.user, found).select_related("unit"))
    if not homes:
        raise PermissionDenied
    form = PledgeForm(request.POST, households=homes)
    if form.is_valid():
        done = call_service(
            form,
            services.pledge,
            user=request.user,
            campaign=found,
            amount_fen=form.cleaned_data["amount"],
            show_name=form.cleaned_data["show_name"],
            household=form.cleaned_data["household"],
        )
        if done is not None:
            messages.success(request, _("Thank you: your household's pledge is recorded."))
            return redirect("projects:funds_campaign", pk)
    pledges, payments = queries.my_pledges_and_payments(request.user, found)
    context = {
        "campaign": found,
        "figures": _figures(found),
        "form": form,
        "pledges": [(p, yuan_text(p.amount_fen)) for p in pledges],
        "payments": [(p, yuan_text(p.amount_fen)) for p in payments],
        "progress": min(100, found.income_fen * 100 // found.goal_fen),
    }
    return render(request, "projects/funds/campaign.html", context, status=422)


@login_required
@require_POST
def withdraw(request, pk):
    found = _campaign_or_404(pk)
    try:
        services.withdraw_pledge(
            user=request.user, campaign=found, household=request.POST.get("household")
        )
    except Forbidden:
        raise PermissionDenied from None
    except (Conflict, Invalid) as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Your household's pledge is withdrawn."))
    return redirect("projects:funds_campaign", pk)


urlpatterns = [
    path("funds/<int:pk>/", campaign, name="funds_campaign"),
    path("funds/<int:pk>/pledge/", pledge, name="funds_pledge"),
    path("funds/<int:pk>/withdraw/", withdraw, name="funds_withdraw"),
    path("funds/<int:pk>/account/", account, name="funds_account"),
    path("funds/<int:pk>/account/print/", account_print, name="funds_account_print"),
    path("funds/<int:pk>/account.xlsx", account_xlsx, name="funds_account_xlsx"),
]
