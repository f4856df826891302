"""Reads about ballots, scoped by the rules: the ballots a person may vote in, the staff list
of a scope, turnout, the electorate for paper and proxy entry (names masked outside the
handling scope, PIPL) and the queue of paper ballots waiting for a second staff member.

None of them says what an elector of a secret ballot chose (see services_ballots)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Sum

from linju.core import access
from linju.core.masking import mask_name
from linju.places.models import Household

from . import rules, thresholds
from .models import (
    OPEN_TOPIC_STATUSES,
    Ballot,
    BallotStatus,
    Elector,
    ElectorMember,
    Meeting,
    MeetingStatus,
    Topic,
    Vote,
    VoteMethod,
)


def ballots():
    return Ballot.objects.select_related("place")


def is_member(user, ballot) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        ElectorMember.objects.filter(ballot_id=ballot.pk, user_id=user.pk).exists()
    )


def is_staff(user, ballot) -> bool:
    return access.can(user, "deliberation.view", ballot)


def may_view(user, ballot) -> bool:
    """Staff of the scope see every ballot, drafts too; residents whose home it covers and the
    electorate's members (a representative may live elsewhere) see it once it has opened."""
    if is_staff(user, ballot):
        return True
    if ballot.status == BallotStatus.DRAFT:
        return False
    return rules.can_view(user, ballot) or is_member(user, ballot)


def sees_result(user, ballot) -> bool:
    """Staff see the result once it is closed; everyone who sees the ballot once published."""
    if ballot.status == BallotStatus.PUBLISHED:
        return True
    return ballot.status == BallotStatus.CLOSED and is_staff(user, ballot)


def sees_live_tally(user, ballot) -> bool:
    """Staff of the scope follow an open, non-secret ballot's count as it comes in."""
    return ballot.status == BallotStatus.OPEN and not ballot.secret and is_staff(user, ballot)


def my_ballots(user):
    """Ballots the user is in the electorate of, with whether their vote is in (`voted`)."""
    mine = ElectorMember.objects.filter(user_id=user.pk)
    voted = Vote.objects.filter(ballot=OuterRef("pk"), elector__members__user_id=user.pk)
    return (
        ballots()
        .filter(pk__in=mine.values("ballot_id"))
        .annotate(voted=Exists(voted))
        .order_by("-opened_at", "-pk")
    )


def staff_ballots(user, *, status: str = "", q: str = ""):
    """The ballots of the user's scope (deliberation.view), newest first."""
    qs = access.filter_queryset(user, "deliberation.view", ballots())
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(title__icontains=q)
    return qs.order_by("-created_at", "-pk")


def may_use_ballot_desk(user) -> bool:
    return rules.may_use_desk(user)


def may_create_ballots(user) -> bool:
    return access.has_anywhere(user, "deliberation.run_ballot")


@dataclass(frozen=True)
class Turnout:
    electorate_heads: int
    electorate_area: Decimal
    heads: int  # counted votes
    area: Decimal  # their area
    pending_paper: int  # paper ballots waiting for confirmation

    @property
    def percent(self) -> str:
        if not self.electorate_heads:
            return "—"
        return f"{self.heads * 100 / self.electorate_heads:.1f}%"

    @property
    def area_percent(self) -> str:
        if not self.electorate_area:
            return "—"
        return f"{self.area * 100 / self.electorate_area:.1f}%"


def turnout(ballot) -> Turnout:
    """Who has voted so far, never for what: one aggregate query."""
    agg = Vote.objects.filter(ballot_id=ballot.pk, elector__ballot_id=ballot.pk).aggregate(
        heads=Count("id", filter=Q(confirmed_at__isnull=False)),
        area=Sum("elector__area", filter=Q(confirmed_at__isnull=False)),
        pending=Count("id", filter=Q(confirmed_at__isnull=True)),
    )
    return Turnout(
        electorate_heads=ballot.electorate_heads,
        electorate_area=Decimal(ballot.electorate_area or 0),
        heads=agg["heads"] or 0,
        area=Decimal(agg["area"] or 0),
        pending_paper=agg["pending"] or 0,
    )


def my_electors(user, ballot):
    """The electors the user casts the vote of (usually one), each with its vote (or None) as
    `my_vote`."""
    electors = list(Elector.objects.filter(ballot=ballot, members__user_id=user.pk).order_by("pk"))
    votes = {
        v.elector_id: v
        for v in Vote.objects.filter(
            ballot=ballot, elector__in=[e.pk for e in electors]
        ).select_related("option")
    }
    for e in electors:
        e.my_vote = votes.get(e.pk)
    return electors


def electors(ballot, q: str = "", *, viewer=None):
    """The frozen electorate in label order, with each elector's vote state (whether and how,
    never what; an elector has at most one vote, so the join adds no rows). `q` finds a room
    (or a masked name) in the label, and a member's full name only for a viewer who may see
    the scope's personal data (a name search would otherwise tell who lives where)."""
    qs = Elector.objects.filter(ballot=ballot).annotate(
        vote_id=F("votes__id"),
        vote_method=F("votes__method"),
        vote_confirmed=F("votes__confirmed_at"),
    )
    q = (q or "").strip()
    if q:
        where = Q(label__icontains=q)
        if viewer is not None and access.can(viewer, "people.view_personal_data", ballot):
            named = ElectorMember.objects.filter(ballot=ballot, user__name__icontains=q)
            where |= Q(pk__in=named.values("elector_id"))
        qs = qs.filter(where)
    # Ids follow the tree (electorate.freeze writes them building by building): "1栋" before
    # "10栋", which ordering by label would not give.
    return qs.order_by("pk")


def elector_rows(viewer, ballot, page) -> list[dict]:
    """A page of electors as rows: members' names in full for handlers whose scope holds one
    of the elector's households (core.access.can_see_personal_data), masked otherwise. Two
    queries for the page, whatever its size."""
    page = list(page)
    ids = [e.pk for e in page]
    members: dict[int, list] = {}
    for m in (
        ElectorMember.objects.filter(elector_id__in=ids)
        .select_related("user")
        .order_by("user__name", "user_id")
    ):
        members.setdefault(m.elector_id, []).append(m.user)
    household_ids = {h for e in page for h in e.household_ids}
    paths = dict(Household.objects.filter(pk__in=household_ids).values_list("pk", "path"))
    option_of = {}
    if not ballot.secret:
        option_of = dict(
            Vote.objects.filter(elector_id__in=ids).values_list("elector_id", "option__label")
        )
    rows = []
    for e in page:
        elector_paths = [paths[h] for h in e.household_ids if h in paths]
        names = []
        for user in members.get(e.pk, []):
            full = access.can_see_personal_data(viewer, user, elector_paths)
            names.append({"id": user.pk, "name": user.name if full else mask_name(user.name)})
        vote = None
        if e.vote_id:
            vote = {
                "id": e.vote_id,
                "method": e.vote_method,
                "counted": e.vote_confirmed is not None,
                "option": option_of.get(e.pk) if not ballot.secret else None,
            }
        rows.append(
            {
                "id": e.pk,
                "label": e.label,
                "area": e.area,
                "affected": e.affected,
                "households": len(e.household_ids),
                "members": names,
                "vote": vote,
            }
        )
    return rows


def paper_queue(ballot):
    """Entered paper ballots waiting for a second staff member, oldest first."""
    return (
        Vote.objects.filter(ballot=ballot, method=VoteMethod.PAPER, confirmed_at__isnull=True)
        .select_related("elector", "option", "cast_by")
        .order_by("cast_at", "pk")
    )


def vote_file(ballot, vote_id, kind: str):
    """A vote's proxy authorisation or paper scan (`kind`), or None. A secret ballot's sheet is
    shown to the two tellers until it is confirmed, never after: the scan shows the choice."""
    vote = Vote.objects.filter(ballot=ballot, pk=vote_id).first()
    if vote is None:
        return None
    if kind == "scan" and ballot.secret and vote.confirmed_at is not None:
        return None
    document = vote.authorisation if kind == "authorisation" else vote.scan
    return document or None


# --- The result, as shown ------------------------------------------------------------------------


def result_view(ballot) -> dict | None:
    """The stored result (Ballot.result) with every line's text in the current language, for
    pages and the API; None before closing."""
    if ballot.status not in (BallotStatus.CLOSED, BallotStatus.PUBLISHED) or not ballot.result:
        return None
    result = thresholds.Result.from_dict(ballot.result)
    lines = []
    for line in result.lines:
        data = line.as_dict()
        data["label"] = thresholds.label(line)
        data["text"] = thresholds.describe(line)
        lines.append(data)
    data = result.as_dict()
    data.update(
        lines=lines,
        summary=thresholds.rule_summary(ballot.rule),
        verdict=thresholds.describe_result(result)[-1],
        unconfirmed_paper=int(ballot.result.get("unconfirmed_paper", 0)),
    )
    return data


LINKABLE = 200  # the newest; a ballot's form is no place to page through years of topics


def linkable_topics(user):
    """Open topics in the scopes the user runs ballots in, newest first."""
    topics = Topic.objects.filter(status__in=OPEN_TOPIC_STATUSES).order_by("-created_at")
    return list(access.filter_queryset(user, "deliberation.run_ballot", topics)[:LINKABLE])


def linkable_meetings(user):
    """Meetings not cancelled in the scopes the user runs ballots in, latest first."""
    meetings = Meeting.objects.exclude(status=MeetingStatus.CANCELLED).order_by("-starts_at")
    return list(access.filter_queryset(user, "deliberation.run_ballot", meetings)[:LINKABLE])
