"""Reads about deliberation meetings, scoped by rules and core.access: the meetings a person is
invited to, the meeting notices on the boards of their home scopes (公示), the staff list of a
scope with its counts, the invitee list with answers and check-ins (names masked outside the
handling scope, PIPL), and who may see a meeting at all."""

from dataclasses import dataclass

from django.db.models import Case, Count, F, IntegerField, OuterRef, Prefetch, Q, Subquery, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from linju.core import access
from linju.core.masking import mask_mobile, mask_name
from linju.people.models import Residency, ResidencyStatus, User
from linju.places.models import Place
from linju.places.queries import household_label, place_labels

from . import rules
from .models import SCOPE_KINDS, AgendaItem, Invitee, Meeting, MeetingStatus, Rsvp

# The desk's place choices for a new meeting stop here (a subdistrict holds thousands).
HOST_PLACES_SHOWN = 500
BOARD_SHOWN = 20


def meetings():
    return Meeting.objects.select_related("kind", "place")


def meeting_or_none(meeting_id) -> Meeting | None:
    try:
        pk = int(meeting_id)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**63:
        return None
    return meetings().select_related("created_by").filter(pk=pk).first()


# --- Who sees what --------------------------------------------------------------------------------


def is_staff_viewer(user, meeting) -> bool:
    """Staff of a scope containing the meeting (deliberation.view) see it, drafts included."""
    return access.can(user, "deliberation.view", meeting)


def invitation(user, meeting) -> Invitee | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Invitee.objects.filter(meeting=meeting, user=user).first()


def can_see(user, meeting, invitee=None) -> bool:
    """Staff in scope always; once noticed, the invitees and the residents whose home it covers
    (the notice is on their board). A draft is nobody else's business yet."""
    if is_staff_viewer(user, meeting):
        return True
    if meeting.status == MeetingStatus.DRAFT:
        return False
    return invitee is not None or rules.covers_home(user, meeting)


def may_use_desk(user) -> bool:
    return rules.may_use_desk(user)


# --- Lists ----------------------------------------------------------------------------------------


def upcoming_first(qs, field: str = "starts_at", now=None):
    """Meetings still to start first, soonest first; then past ones, latest first."""
    now = now or timezone.now()
    return qs.annotate(
        _past=Case(When(**{f"{field}__lt": now}, then=1), default=0, output_field=IntegerField())
    ).order_by(
        "_past",
        Case(When(**{f"{field}__gte": now}, then=F(field))).asc(nulls_last=True),
        F(field).desc(),
        "-pk",
    )


def my_invitations(user):
    """The invitations of the user to meetings that are no longer drafts, upcoming first."""
    qs = (
        Invitee.objects.filter(user=user)
        .exclude(meeting__status=MeetingStatus.DRAFT)
        .select_related("meeting__kind", "meeting__place")
    )
    return upcoming_first(qs, "meeting__starts_at")


def board_meetings(user):
    """Meeting notices on the boards of the user's home scopes (their unit, building, estate,
    community) that they are not invited to, upcoming first."""
    prefixes = rules.home_prefixes(user)
    if not prefixes:
        return Meeting.objects.none()
    qs = (
        meetings()
        .filter(path__in=prefixes, notice_sent_at__isnull=False)
        .exclude(pk__in=Invitee.objects.filter(user=user).values("meeting_id"))
    )
    return upcoming_first(qs)


@dataclass
class StaffFilter:
    status: str = ""
    when: str = ""  # "upcoming", "past" or "" (all)
    place_path: str = ""
    q: str = ""


def with_counts(qs):
    """Invited, present, and answered yes/no/maybe, from one join of the invitees; the
    agenda's length from a subquery (a second join would multiply the counts)."""
    agenda = (
        AgendaItem.objects.filter(meeting=OuterRef("pk"))
        .order_by()
        .values("meeting")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(
        invited=Count("invitees"),
        present=Count("invitees", filter=Q(invitees__checked_in_at__isnull=False)),
        said_yes=Count("invitees", filter=Q(invitees__rsvp=Rsvp.YES)),
        said_no=Count("invitees", filter=Q(invitees__rsvp=Rsvp.NO)),
        said_maybe=Count("invitees", filter=Q(invitees__rsvp=Rsvp.MAYBE)),
        agenda_count=Coalesce(Subquery(agenda, output_field=IntegerField()), 0),
    )


def staff_meetings(user, f: StaffFilter | None = None):
    """Meetings of the user's deliberation.view scope, filtered, upcoming first, with counts."""
    f = f or StaffFilter()
    qs = access.filter_queryset(user, "deliberation.view", meetings())
    if f.status:
        qs = qs.filter(status=f.status)
    now = timezone.now()
    if f.when == "upcoming":
        qs = qs.filter(starts_at__gte=now)
    elif f.when == "past":
        qs = qs.filter(starts_at__lt=now)
    if f.place_path:
        qs = qs.filter(path__startswith=f.place_path)
    if f.q:
        qs = qs.filter(Q(title__icontains=f.q) | Q(venue__icontains=f.q))
    return upcoming_first(with_counts(qs), now=now)


def host_places(user):
    """Places the user may host meetings at, for the new meeting form."""
    qs = Place.objects.filter(kind__in=SCOPE_KINDS)
    return access.filter_queryset(user, "deliberation.host_meeting", qs).order_by("path")[
        :HOST_PLACES_SHOWN
    ]


def label_meetings(rows) -> list:
    """Set `place_label` on each meeting (or on each invitation's meeting)."""
    found = [getattr(r, "meeting", r) for r in rows]
    labels = place_labels([m.place for m in found])
    for m in found:
        m.place_label = labels.get(m.place_id, m.place.name)
    return rows


# --- One meeting ----------------------------------------------------------------------------------


def agenda(meeting):
    return list(
        AgendaItem.objects.filter(meeting=meeting).select_related("topic").order_by("order", "pk")
    )


def decisions(meeting):
    return list(meeting.decisions.select_related("topic").order_by("decided_at", "pk"))


def invitees(meeting):
    """The invitees with what the masking needs: the person and their homes (one query each)."""
    homes = Residency.objects.exclude(status=ResidencyStatus.REJECTED).select_related(
        "household__unit__parent__parent"
    )
    return (
        Invitee.objects.filter(meeting=meeting)
        .select_related("user", "checked_in_by")
        .prefetch_related(Prefetch("user__residencies", queryset=homes, to_attr="homes"))
        .order_by("pk")
    )


def describe_invitees(viewer, rows) -> list:
    """Set `name`, `mobile` and `home` on each invitee as the viewer may see them: in full for
    themselves, for handlers whose scope holds one of the person's households, and for people
    invited in their official capacity (by role); masked otherwise (张*明, 138****1234)."""
    for inv in rows:
        person = inv.user
        homes = getattr(person, "homes", [])
        full = inv.via == Invitee.Via.ROLE or access.can_see_personal_data(
            viewer, person, paths=[r.household.path for r in homes]
        )
        name = person.name or ""
        inv.full = full
        inv.name = name if full else mask_name(name)
        inv.mobile = person.mobile if full else mask_mobile(person.mobile)
        verified = [r for r in homes if r.status == ResidencyStatus.VERIFIED]
        inv.home = household_label(verified[0].household) if full and verified else ""
    return rows


def invitee_counts(meeting) -> dict:
    counts = Invitee.objects.filter(meeting=meeting).aggregate(
        invited=Count("pk"),
        present=Count("pk", filter=Q(checked_in_at__isnull=False)),
        by_host=Count("pk", filter=Q(checked_in_at__isnull=False, checked_in_by__isnull=False)),
        yes=Count("pk", filter=Q(rsvp=Rsvp.YES)),
        no=Count("pk", filter=Q(rsvp=Rsvp.NO)),
        maybe=Count("pk", filter=Q(rsvp=Rsvp.MAYBE)),
    )
    counts["unanswered"] = counts["invited"] - counts["yes"] - counts["no"] - counts["maybe"]
    return counts


def users_by_mobile(mobiles) -> tuple[list[int], list[str]]:
    """(ids of the active accounts with these mobile numbers, numbers with no account)."""
    mobiles = [m for m in dict.fromkeys(str(m).strip() for m in mobiles) if m]
    found = dict(
        User.objects.filter(mobile__in=mobiles, is_active=True).values_list("mobile", "pk")
    )
    return [found[m] for m in mobiles if m in found], [m for m in mobiles if m not in found]
