"""The demo co-creation (linju.projects.demo), loaded on the people and deliberation demos at a
small scale: partners with agreements, needs (some answered, some supported), resources, one
project in each part of the road with its campaign's public account adding up, the elevator
retrofit under construction on the unit whose ballot passed; a second run changes nothing."""

from django.db.models import Sum

from linju.deliberation import demo as deliberation_demo
from linju.people import demo as people_demo
from linju.people.models import User
from linju.people.roles import Role
from linju.projects import demo, queries_projects
from linju.projects.models import (
    Agreement,
    Campaign,
    ElevatorRetrofit,
    EntryKind,
    FundEntry,
    Need,
    Partner,
    Payment,
    Project,
    ProjectRating,
    Resource,
)

SMALL = 0.05
MODELS = (Partner, Agreement, Need, Resource, Project, Campaign, Payment, FundEntry)


def test_nothing_without_the_demo_community(db):
    assert demo.load_demo() is None
    assert not Project.objects.exists()


def test_the_demo_loads_once_and_tells_its_story(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    people_demo.load_demo(scale=SMALL)
    deliberation_demo.load_demo()
    made = demo.load_demo()
    assert made["projects"] == Project.objects.count() == 4
    assert made["partners"] == Partner.objects.count() == 3
    counts = {m: m.objects.count() for m in MODELS}
    assert demo.load_demo() is None
    assert {m: m.objects.count() for m in MODELS} == counts

    # One project in each part of the road; the road project's residents evaluated it.
    stages = dict(Project.objects.values_list("title", "stage"))
    assert stages == {
        "小区路面刷黑": "evaluated",
        "楼道声控灯改造": "funding",
        "儿童游乐角": "in_progress",
        "楼顶漏水修复": "proposed",
    }
    road = Project.objects.get(title="小区路面刷黑")
    assert road.rating_count == ProjectRating.objects.filter(project=road).count() >= 5
    assert all(n.status == "answered" for n in Need.objects.filter(projects__isnull=False))
    assert Need.objects.filter(status="open", support_count__gt=0).exists()

    # Every campaign's totals are its entries, and its balance what they leave.
    for campaign in Campaign.objects.all():
        entries = FundEntry.objects.filter(campaign=campaign)
        sums = {
            k: entries.filter(kind=k).aggregate(s=Sum("amount_fen"))["s"] or 0
            for k in EntryKind.values
        }
        assert (campaign.income_fen, campaign.expense_fen, campaign.refund_fen) == (
            sums["income"],
            sums["expense"],
            sums["refund"],
        )
        assert campaign.balance_fen == sums["income"] - sums["expense"] - sums["refund"] >= 0
    road_fund = Campaign.objects.get(project=road)
    assert road_fund.status == "closed" and road_fund.expense_fen > 0
    lights_fund = Campaign.objects.get(project__title="楼道声控灯改造")
    assert lights_fund.status == "open"
    assert lights_fund.payments.filter(status="pending").exists()
    assert lights_fund.expenses.filter(status="requested").exists()

    # The unit whose owners' ballot passed is under construction; others are consulting.
    lifts = list(ElevatorRetrofit.objects.values_list("stage", flat=True))
    assert lifts.count("construction") == 1 and set(lifts) == {"construction", "consultation"}
    staff = User.objects.get(mobile=people_demo.DEMO_MOBILE[Role.COMMUNITY_STAFF])
    total = queries_projects.figures_total(queries_projects.retrofit_figures(staff))
    assert total == {"units": len(lifts), "signed": 1, "construction": 1, "installed": 0}
