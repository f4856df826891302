"""Reads of teams, activities, groups and the talent pool, scoped by the access rules: what a
resident may see and join (the ones of their building, estate and community), what a staff
member's scope holds, and the figures leaders report: activities per building group per month
(月月有活动) and participant person-times (人次)."""

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from linju.core import access
from linju.places.models import Place
from linju.places.paths import prefixes_of

from .models import (
    Activity,
    ActivityStatus,
    GroupMember,
    InterestGroup,
    Invitation,
    MemberRole,
    ServiceRecord,
    ServiceStatus,
    SignUp,
    SignUpStatus,
    Skill,
    Talent,
    Team,
    TeamMember,
    Visibility,
)
from .rules import homes

DESK_COUNT_CAP = 99


def home_prefixes(user) -> list[str]:
    """The place paths above and at the user's homes: the scopes whose activities, teams and
    groups are theirs."""
    return sorted({p for h in homes(user) for p in prefixes_of(h.split("h")[0])})


def _near(model, user, also=None):
    """Rows of `model` of where the user lives, or inside their staff view scope, or matching
    `also` (what the user leads or belongs to wherever they live)."""
    mine = Q(path__in=home_prefixes(user)) | access.scope(user, "activities.view").q("path")
    return model.objects.filter(mine | also if also is not None else mine)


def _led(model, user):
    return model.objects.filter(user=user, role=MemberRole.LEADER).values(
        "team_id" if model is TeamMember else "group_id"
    )


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    start = date(year, month, 1)
    end = date(year + month // 12, month % 12 + 1, 1)
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time.min), tz),
        timezone.make_aware(datetime.combine(end, time.min), tz),
    )


# --- Residents ---------------------------------------------------------------------------


def calendar(user, *, start=None, end=None):
    """Activities of where the user lives (and of their staff scope, and those they organise or
    whose team or group they lead, wherever they live), from `start` to `end`, soonest first,
    with the user's own sign-up status annotated."""
    runs = (
        Q(organiser=user)
        | Q(team_id__in=_led(TeamMember, user))
        | Q(group_id__in=_led(GroupMember, user))
    )
    qs = _near(Activity, user, runs).select_related("place", "team", "group")
    if start is not None:
        qs = qs.filter(ends_at__gte=start)
    if end is not None:
        qs = qs.filter(starts_at__lt=end)
    return qs.annotate(
        my_status=SignUp.objects.filter(activity=OuterRef("pk"), user=user).values("status")[:1]
    ).order_by("starts_at", "id")


def activity_for(user, pk):
    """One activity the user may see (where they live, or in their staff scope), or None."""
    return calendar(user).filter(pk=pk).first()


def my_sign_ups(user):
    return (
        SignUp.objects.filter(user=user)
        .exclude(status=SignUpStatus.CANCELLED)
        .select_related("activity", "activity__place")
        .order_by("-activity__starts_at")
    )


def teams_near(user):
    """Active teams of where the user lives or of their staff scope, and those they belong to
    (a leader appointed from elsewhere), with their size and whether the user joined."""
    joined = Exists(TeamMember.objects.filter(team=OuterRef("pk"), user=user))
    return (
        _near(Team, user, Q(joined))
        .filter(active=True)
        .annotate(size=Count("members"), joined=joined)
        .order_by("path", "name", "id")
    )


def groups_near(user):
    joined = Exists(GroupMember.objects.filter(group=OuterRef("pk"), user=user))
    return (
        _near(InterestGroup, user, Q(joined))
        .filter(active=True)
        .annotate(size=Count("members"), joined=joined)
        .order_by("path", "name", "id")
    )


def my_team_services(user):
    return ServiceRecord.objects.filter(user=user).select_related("team").order_by("-served_on")


def services_to_confirm(user):
    """Service records waiting for this user's decision: of teams they lead (not their own),
    and of every team in their managing scope."""
    led = TeamMember.objects.filter(user=user, role=MemberRole.LEADER).values("team_id")
    managed = access.scope(user, "activities.manage").q("path")
    return (
        ServiceRecord.objects.filter(status=ServiceStatus.SUBMITTED)
        .filter((Q(team_id__in=led) & ~Q(user=user)) | managed)
        .select_related("team", "user")
        .order_by("submitted_at", "id")
    )


def my_talents(user):
    return Talent.objects.filter(user=user).order_by("skill")


def my_invitations(user):
    return (
        Invitation.objects.filter(talent__user=user)
        .select_related("talent", "activity")
        .order_by("-sent_at")
    )


def neighbours_talents(user, *, skill=""):
    """Talents residents chose to show to their community, in the communities the user lives
    in (the user's own included)."""
    communities = Place.objects.filter(path__in=home_prefixes(user), kind="community")
    communities = list(communities.values_list("path", flat=True))
    if not communities:
        return Talent.objects.none()
    within = Q()
    for path in communities:
        within |= Q(path__startswith=path)
    if skill and skill not in Skill.values:
        return Talent.objects.none()
    qs = Talent.objects.filter(within, visibility=Visibility.NEIGHBOURS).select_related(
        "user", "place"
    )
    if skill:
        qs = qs.filter(skill=skill)
    return qs.order_by("skill", "path", "id")


# --- Staff ---------------------------------------------------------------------------------


def staff_activities(user):
    return access.filter_queryset(
        user, "activities.view", Activity.objects.select_related("place", "organiser")
    ).order_by("-starts_at", "-id")


def runnable_activities(user):
    """Activities the user may run: in their organising scope, or their own as organiser."""
    scope = access.scope(user, "activities.organise").q("path")
    led = Q(team_id__in=_led(TeamMember, user)) | Q(group_id__in=_led(GroupMember, user))
    return Activity.objects.filter(scope | Q(organiser=user) | led).order_by("-starts_at", "-id")


def staff_teams(user):
    return (
        access.filter_queryset(user, "activities.view", Team.objects.all())
        .annotate(size=Count("members"))
        .order_by("path", "name", "id")
    )


def staff_groups(user):
    return (
        access.filter_queryset(user, "activities.view", InterestGroup.objects.all())
        .annotate(size=Count("members"))
        .order_by("path", "name", "id")
    )


def sign_up_list(activity):
    return (
        activity.sign_ups.exclude(status=SignUpStatus.CANCELLED)
        .select_related("user")
        .order_by("status", "signed_at", "id")
    )


def talent_search(user, *, skill="", text="", place=None):
    """The talent pool of the user's organising scope (every visibility: the pool is the
    staff's to call on), by skill, words of the note, and place."""
    qs = access.filter_queryset(
        user, "activities.organise", Talent.objects.select_related("user", "place")
    )
    if skill and skill not in Skill.values:
        return qs.none()
    text = str(text or "").replace("\x00", "")
    if skill:
        qs = qs.filter(skill=skill)
    if text:
        qs = qs.filter(Q(note__icontains=text) | Q(user__name__icontains=text))
    if place is not None:
        qs = qs.filter(path__startswith=place.path)
    return qs.order_by("skill", "path", "id")


def sent_invitations(user):
    return access.filter_queryset(
        user,
        "activities.organise",
        Invitation.objects.select_related("talent__user", "activity"),
    ).order_by("-sent_at", "-id")


def monthly_figures(*, place, year: int, month: int) -> dict:
    """每月一活动: for every building under `place`, the activities held there in the month (at
    the building or one of its units; cancelled ones do not count) and the participant
    person-times (check-ins); plus the totals for `place`, whose activities at the estate or
    community level count in the totals only. Two grouped queries whatever the size."""
    start, end = month_bounds(year, month)
    held = Activity.objects.filter(
        path__startswith=place.path, starts_at__gte=start, starts_at__lt=end
    ).exclude(status=ActivityStatus.CANCELLED)
    rows = {
        b.path: {"place": b, "activities": 0, "person_times": 0}
        for b in Place.objects.filter(path__startswith=place.path, kind="building").order_by("path")
    }

    def add(path, name, n):
        # An activity's building is the one among its path's prefixes (a unit's sits below).
        row = next((rows[p] for p in prefixes_of(path) if p in rows), None)
        if row is not None:
            row[name] += n

    activities = person_times = 0
    for path, n in held.values_list("path").annotate(n=Count("id")).values_list("path", "n"):
        add(path, "activities", n)
        activities += n
    for path, n in (
        SignUp.objects.filter(activity__in=held, checked_in_at__isnull=False)
        .values_list("activity__path")
        .annotate(n=Count("id"))
        .values_list("activity__path", "n")
    ):
        add(path, "person_times", n)
        person_times += n
    rows = list(rows.values())
    return {
        "year": year,
        "month": month,
        "buildings": rows,
        "buildings_with_activity": sum(1 for r in rows if r["activities"]),
        "activities": activities,
        "person_times": person_times,
    }


def desk_counts(user) -> dict:
    """The desk panel: service to confirm, activities of the coming week in the scope."""
    if (
        not access.has_anywhere(user, "activities.view")
        and not TeamMember.objects.filter(user=user, role=MemberRole.LEADER).exists()
    ):
        return {}
    now = timezone.now()
    week = staff_activities(user).filter(starts_at__gte=now, starts_at__lt=now + timedelta(days=7))
    return {
        "activities_services_waiting": services_to_confirm(user)[: DESK_COUNT_CAP + 1].count(),
        "activities_this_week": week[: DESK_COUNT_CAP + 1].count(),
    }
