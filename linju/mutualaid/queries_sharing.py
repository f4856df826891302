"""Reads of sharing (闲置共享) and the book corner (共享图书角): the shelf a person sees, one item
with its active request or loan, what I borrowed, the moderators' queue of flagged items, and
the names shown (masked, except between the owner and the borrower)."""

from django.db.models import Count, Prefetch, Q

from linju.core import access
from linju.people.queries import person_labels

from . import rules
from .models import ACTIVE_LOAN, Item, Loan, Visibility


def _base():
    active = Loan.objects.filter(status__in=ACTIVE_LOAN).select_related("borrower")
    return Item.objects.select_related("owner", "place").prefetch_related(
        Prefetch("loans", queryset=active, to_attr="active_loans")
    )


def active_loan(item):
    loans = getattr(item, "active_loans", None)
    if loans is None:
        return Loan.objects.filter(item=item, status__in=ACTIVE_LOAN).first()
    return loans[0] if loans else None


def shelf(user, *, kind: str = ""):
    """Items the user may see: shown ones of their communities and their staff scope, their own
    and those they hold or asked for, and all of the scope they moderate."""
    shown = access.scope(user, "mutualaid.view").q("path")
    for community in rules.community_paths(user):
        shown |= Q(path__startswith=community)
    q = (Q(visibility=Visibility.SHOWN) & shown) | access.scope(user, "mutualaid.moderate").q(
        "path"
    )
    if getattr(user, "pk", None):
        q |= Q(owner=user) | Q(
            pk__in=Loan.objects.filter(borrower=user, status__in=ACTIVE_LOAN).values("item_id")
        )
    qs = _base().filter(q)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-created_at", "-id")


def item_for(user, item_id: int):
    item = _base().filter(pk=item_id).first()
    if item is None:
        return None
    loan = active_loan(item)
    if not rules.can_see_item(user, item, borrower_id=loan.borrower_id if loan else None):
        return None
    return item


def flagged_items(user):
    qs = access.filter_queryset(user, "mutualaid.moderate", _base())
    qs = qs.annotate(open_flags=Count("flags", filter=Q(flags__dismissed_at__isnull=True)))
    return qs.filter(Q(open_flags__gt=0) | ~Q(visibility=Visibility.SHOWN)).order_by(
        "-open_flags", "-created_at", "-id"
    )


def names(viewer, items) -> dict[int, str]:
    """Person id → name as `viewer` sees them: in full between the owner and the borrower of an
    active loan, masked (张*明) to the other neighbours (unless they handle personal data)."""
    items = list(items)
    people = {}
    for it in items:
        people[it.owner_id] = it.owner
        loan = active_loan(it)
        if loan:
            people[loan.borrower_id] = loan.borrower
    labels = {pk: name for pk, (name, _m) in person_labels(viewer, people.values()).items()}
    for it in items:
        loan = active_loan(it)
        if loan and viewer.pk in (it.owner_id, loan.borrower_id):
            labels[it.owner_id] = it.owner.name
            labels[loan.borrower_id] = loan.borrower.name
    return labels
