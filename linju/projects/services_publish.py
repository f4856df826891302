"""A campaign's public account on the notice board (凡结果必公开, seed 002: 众筹资金公开账目): the
fund's figures as a published result of the scope's board (notices.services.publish_result),
once per campaign ("projects.campaign:<id>"), linking to the public account page; publishing
again revises the same notice with the figures of the day."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.core import audit
from linju.core.cleaning import as_id
from linju.core.errors import NotFound
from linju.notices.services import publish_result

from . import rules
from .models import Campaign
from .money import yuan_text


def may_publish_account(user, campaign) -> bool:
    """Who manages the campaign's funds: the managers of its scope and its treasurer."""
    return rules.can_manage(user, campaign) or rules.is_treasurer(user, campaign)


def _body(campaign) -> str:
    figures = [
        (_("Goal"), campaign.goal_fen),
        (_("Pledged"), campaign.pledged_fen),
        (_("Income"), campaign.income_fen),
        (_("Expenses"), campaign.expense_fen),
        (_("Refunds"), campaign.refund_fen),
        (_("Balance"), campaign.balance_fen),
    ]
    lines = [
        _("The public account of %(title)s as of %(day)s (yuan):")
        % {"title": campaign.title, "day": timezone.localdate().isoformat()},
        *(f"{label}: {yuan_text(fen)}" for label, fen in figures),
        _("Every payment and expense is listed on the public account page."),
    ]
    return "\n".join(lines)


def publish_account(*, user, campaign_id):
    """Put (or put again) the campaign's public account on its scope's notice board; returns
    the notice."""
    with transaction.atomic():
        campaign = (
            Campaign.objects.select_for_update()
            .select_related("place")
            .filter(pk=as_id(campaign_id))
            .first()
        )
        if campaign is None:
            raise NotFound(_("Not found."))
        rules.require(may_publish_account(user, campaign))
        notice = publish_result(
            user=user,
            place=campaign.place,
            title=_("Public account: %(title)s") % {"title": campaign.title},
            body=_body(campaign),
            source=f"projects.campaign:{campaign.pk}",
            source_app="projects",
            link=reverse("projects:funds_account", args=[campaign.pk]),
        )
        audit.record(
            actor=user,
            verb="projects.account_publish",
            obj=campaign,
            data={"notice": notice.pk, "balance_fen": campaign.balance_fen},
        )
        return notice
