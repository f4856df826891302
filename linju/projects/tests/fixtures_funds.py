"""A crowdfunding campaign on an approved project of community C1 of the test city: the
community staff manage it, the grid worker keeps the money (treasurer), the owners' committee
and the building head approve spending. Thresholds: payments above 1,000.00 yuan wait for a
second person; expenses above 2,000.00 yuan need two approvals."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from linju.projects import services_funds as funds
from linju.projects.models import Project, ProjectStage


@dataclass
class Fund:
    city: object
    project: object
    campaign: object
    manager: object
    treasurer: object
    approver: object
    approver2: object


def make_project(city, place="C1", title="楼道照明改造", stage=ProjectStage.APPROVED):
    return Project.objects.create(
        place=city.places[place],
        title=title,
        summary=f"{title}（{place}）",
        stage=stage,
        created_by=city.users["community_staff"],
    )


def open_fund(city, place="C1", suffix="", **rules):
    project = make_project(city, place, title=f"楼道照明改造{place}{suffix}")
    tail = "" if place == "C1" else "_2"
    approvers = [city.users[f"owners_committee{tail}"].pk, city.users[f"building_head{tail}"].pk]
    options = {
        "title": f"AXM-{place}-campaign 楼道灯众筹{suffix}",
        "goal_fen": 500_000,
        "deadline": timezone.localdate() + timedelta(days=10),
        "treasurer": city.users[f"grid_worker{tail}"].pk,
        "approvers": approvers,
        "confirm_above_fen": 100_000,
        "two_approvals_above_fen": 200_000,
        "surplus": "refund",
        "rules_text": "众筹资金专款专用，支出经审批后公示。",
    }
    options.update(rules)
    return funds.open_campaign(
        user=city.users[f"community_staff{tail}"], project=project, **options
    )


@pytest.fixture(name="fund")
def fund_fixture(city):
    campaign = open_fund(city)
    return Fund(
        city=city,
        project=campaign.project,
        campaign=campaign,
        manager=city.users["community_staff"],
        treasurer=city.users["grid_worker"],
        approver=city.users["owners_committee"],
        approver2=city.users["building_head"],
    )


def pay(fund, household="H101", amount=50_000, key="", **extra):
    """The treasurer records a payment of a C1 household (confirmed at once up to 1,000 yuan)."""
    return funds.record_payment(
        user=fund.treasurer,
        campaign=fund.campaign,
        household=fund.city.households[household].pk,
        amount_fen=amount,
        method=extra.pop("method", "cash"),
        paid_on=extra.pop("paid_on", timezone.localdate()),
        key=key,
        **extra,
    )


def past_deadline(campaign, days=1):
    """Move the campaign's last day into the past (closing comes after it)."""
    type(campaign).objects.filter(pk=campaign.pk).update(
        deadline=timezone.localdate() - timedelta(days=days)
    )
    campaign.refresh_from_db()
    return campaign
