"""Reads of crowdfunding: the public account (公开账目, 凡结果必公开: anyone, signed in or not),
the campaigns a resident may pledge to, the staff's campaigns, payments, expenses and pledges,
each scoped by `access.filter_queryset`."""

from django.db.models import Prefetch, Q

from linju.core import access

from . import rules
from .models import Campaign, Expense, FundEntry, Payment, Pledge, PledgeStatus


def public_campaigns():
    """Every campaign's account is public (凡结果必公开)."""
    return Campaign.objects.select_related("project", "place")


def staff_campaigns(user):
    return access.filter_queryset(user, "projects.view", public_campaigns())


def desk_campaigns(user):
    """The campaigns a person works on: staff of their scope, and those whose fund rules name
    them treasurer or approver (an estate's owners' committee on a community's fund)."""
    if not getattr(user, "is_authenticated", False):
        return Campaign.objects.none()
    named = Q(treasurer=user) | Q(
        pk__in=Campaign.approvers.through.objects.filter(user=user).values("campaign_id")
    )
    return public_campaigns().filter(access.scope(user, "projects.view").q("path") | named)


def campaign_for_desk(user, campaign_id):
    return desk_campaigns(user).filter(pk=campaign_id).first()


def account_entries(campaign):
    """The public account's lines, oldest first, with who recorded and approved them and the
    household's building and pledge (for how it is named)."""
    return (
        FundEntry.objects.filter(campaign=campaign)
        .select_related(
            "recorded_by", "approved_by", "household__unit__parent", "payment__pledge__user"
        )
        .order_by("created_at", "id")
    )


def payments(user, campaign, status=None):
    qs = Payment.objects.filter(campaign=campaign).select_related(
        "household__unit", "recorded_by", "confirmed_by"
    )
    return qs.filter(status=status) if status else qs


def expenses(campaign, status=None):
    qs = (
        Expense.objects.filter(campaign=campaign)
        .select_related("requested_by")
        .prefetch_related(Prefetch("approvals__approver"))
    )
    return qs.filter(status=status) if status else qs


def pledges(campaign):
    return Pledge.objects.filter(campaign=campaign, status=PledgeStatus.LIVE).select_related(
        "household__unit", "user"
    )


def my_pledges_and_payments(user, campaign):
    """What the user's households in the campaign's scope pledged and paid."""
    homes = [h for h in rules.homes(user) if h.startswith(campaign.path)]
    live = Pledge.objects.filter(
        campaign=campaign, household__path__in=homes, status=PledgeStatus.LIVE
    ).select_related("household__unit")
    paid = Payment.objects.filter(campaign=campaign, household__path__in=homes).select_related(
        "household__unit", "recorded_by", "confirmed_by"
    )
    return list(live), list(paid)


def household_label(entry) -> str:
    """How a household is named on the public account: by the pledger's name if their pledge
    asked for it, else "a household of <building>"."""
    from django.utils.translation import gettext as _

    if entry.household_id is None:
        return ""
    pledge = entry.payment.pledge if entry.payment_id else None
    if pledge is not None and pledge.show_name and pledge.user is not None and pledge.user.name:
        return pledge.user.name
    building = entry.household.unit.parent
    return _("a household of %(building)s") % {"building": building.name if building else ""}
