"""Reads of the crowdfunding staff desk (公益众筹 / 众筹资金管理办法, seed 002): the campaigns a
person works on with what waits for them, the projects a manager may open a campaign on, the
people the fund rules may name (the scope's staff and owners' committee, 业委会监督), and the
households a payment may come from. Every list starts from a scoped queryset
(`access.filter_queryset` or `queries_funds.desk_campaigns`)."""

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from linju.core import access
from linju.people.models import RoleGrant, User
from linju.places.models import Household

from . import queries_funds
from .models import (
    Campaign,
    Expense,
    ExpenseApproval,
    ExpenseStatus,
    Payment,
    PaymentStatus,
    Pledge,
    PledgeStatus,
    Project,
)
from .services_funds import FUND_ROLES, FUNDED_STAGES

MAX_PEOPLE = 200
MAX_HOUSEHOLDS = 300
MAX_FOUND = 30


def _count(queryset):
    """A correlated COUNT(*) of `queryset` (already filtered on the outer campaign)."""
    counted = queryset.order_by().values("campaign").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def desk_list(user, status=None):
    """The campaigns the user works on, latest first, each with what waits for the user: the
    payments they may confirm as the second person (approver or manager, not the recorder) and
    the expenses they may approve (approver, not the requester, not yet approved by them)."""
    qs = queries_funds.desk_campaigns(user).select_related("project", "place")
    if status:
        qs = qs.filter(status=status)
    pending = Payment.objects.filter(campaign=OuterRef("pk"), status=PaymentStatus.PENDING).exclude(
        recorded_by=user
    )
    mine = ExpenseApproval.objects.filter(expense=OuterRef("pk"), approver=user)
    requested = (
        Expense.objects.filter(campaign=OuterRef("pk"), status=ExpenseStatus.REQUESTED)
        .exclude(requested_by=user)
        .exclude(Exists(mine))
    )
    approver = Campaign.approvers.through.objects.filter(campaign=OuterRef("pk"), user=user)
    return qs.annotate(
        pending_n=_count(pending),
        requested_n=_count(requested),
        viewer_approves=Exists(approver),
    )


def waiting_for(user, campaign) -> tuple[int, int]:
    """(payments to confirm, expenses to approve) for one row of `desk_list`."""
    second = campaign.viewer_approves or access.can(user, "projects.manage", campaign)
    return (
        campaign.pending_n if second else 0,
        campaign.requested_n if campaign.viewer_approves else 0,
    )


def openable_projects(user):
    """Projects of the manager's scope, approved or raising funds, without a campaign yet."""
    qs = Project.objects.filter(stage__in=FUNDED_STAGES, campaign__isnull=True)
    return (
        access.filter_queryset(user, "projects.manage", qs).select_related("place").order_by("-id")
    )


def _ancestor_paths(path: str) -> list[str]:
    segments = [s for s in path.strip("/").split("/") if s]
    return ["".join(f"{s}/" for s in segments[: i + 1]) for i in range(len(segments))]


def fund_people(place):
    """The people the fund rules of a campaign at `place` may name: those holding a staff role
    (not a partner's) on its branch of the tree — above it, or inside it like an estate's
    owners' committee on a community's fund. Services_funds checks the choice again."""
    path = place.path
    above = _ancestor_paths(path)
    on_branch = Q(place__path__startswith=path) | Q(place__path__in=above)
    in_grid = Q(grid__buildings__path__startswith=path) | Q(grid__buildings__path__in=above)
    grants = RoleGrant.objects.filter(revoked_at__isnull=True, role__in=sorted(FUND_ROLES)).filter(
        on_branch | in_grid
    )
    return User.objects.filter(is_active=True, pk__in=grants.values("user_id")).order_by(
        "name", "pk"
    )[:MAX_PEOPLE]


def pledging_households(campaign):
    """The households with a live pledge, for the treasurer's payment form."""
    ids = Pledge.objects.filter(campaign=campaign, status=PledgeStatus.LIVE).values("household_id")
    return Household.objects.filter(pk__in=ids).select_related("unit__parent")[:MAX_HOUSEHOLDS]


def households_by_room(campaign, room: str):
    """Households of the campaign's scope whose room number is `room` (or starts with it)."""
    room = (room or "").strip()
    if not room:
        return Household.objects.none()
    return (
        Household.objects.filter(path__startswith=campaign.path, room__startswith=room)
        .select_related("unit__parent")
        .order_by("path")[:MAX_FOUND]
    )


def desk_pledges(campaign):
    return queries_funds.pledges(campaign).select_related("household__unit__parent")


def pending_payments(campaign):
    return (
        queries_funds.payments(None, campaign, PaymentStatus.PENDING)
        .select_related("household__unit__parent")
        .order_by("recorded_at", "id")
    )


def recent_payments(campaign, n=20):
    return (
        queries_funds.payments(None, campaign)
        .exclude(status=PaymentStatus.PENDING)
        .select_related("household__unit__parent")[:n]
    )


def open_expenses(campaign):
    return queries_funds.expenses(campaign, ExpenseStatus.REQUESTED).order_by("requested_at", "id")


def decided_expenses(campaign, n=20):
    return queries_funds.expenses(campaign).exclude(status=ExpenseStatus.REQUESTED)[:n]
