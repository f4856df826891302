"""Reads of teams, activities, groups and the talent pool, scoped by the access rules: what a
resident may see and join (the ones of their building, estate and community), what a staff
member's scope holds, and the figures leaders report: activities per building group per month
(月月有活动) and participant person-times (人次)."""

import re
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from linju.core import access
from linju.core.cleaning import as_id
from linju.people.models import Residency, ResidencyStatus
from linju.places.models import Place
from linju.places.paths import prefixes_of
from linju.projects.models import Project, ProjectStage

from . import rules
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


def parse_month(text) -> tuple[int, int] | None:
    """A month as "2026-11" → (2026, 11); None for anything else (years 2000 to 2999: a
    month's bounds must stay inside what a datetime and the database hold)."""
    m = re.fullmatch(r"(2\d{3})-(0[1-9]|1[0-2])", str(text or "").strip())
    return (int(m[1]), int(m[2])) if m else None


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
    """Activities of where the user lives (and of their staff scope, and those of the teams and
    groups they lead, wherever they live: everything they may run), from `start` to `end`,
    soonest first, with the user's own sign-up status annotated."""
    # What the user leads, as lists (usually empty): a subquery inside the OR kept PostgreSQL
    # from combining index scans, and it read every activity of the city (docs/performance.md).
    teams = list(_led(TeamMember, user).values_list("team_id", flat=True))
    groups = list(_led(GroupMember, user).values_list("group_id", flat=True))
    runs = Q(team_id__in=teams) | Q(group_id__in=groups) if teams or groups else None
    qs = _near(Activity, user, runs).select_related("place", "team", "group")
    if start is not None:
        # Nothing lasts more than a day (Activity.MAX_HOURS): the bound on the start lets the
        # (path, starts_at) index skip the past.
        qs = qs.filter(
            ends_at__gte=start, starts_at__gt=start - timedelta(hours=Activity.MAX_HOURS)
        )
    if end is not None:
        qs = qs.filter(starts_at__lt=end)
    mine = SignUp.objects.filter(activity=OuterRef("pk"), user=user).order_by()
    return qs.annotate(my_status=mine.values("status")[:1]).order_by("starts_at", "id")


def activity_for(user, pk):
    """One activity of the user's calendar (which holds all they may run), or None."""
    return calendar(user).select_related("organiser").filter(pk=as_id(pk)).first()


def activity_by_code(code):
    """The activity a check-in QR code names, or None; only what new_check_in_code makes
    (token_urlsafe) reaches the database (a NUL in a URL would not be stored text)."""
    code = str(code or "").strip()
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", code):
        return None
    return Activity.objects.select_related("place").filter(check_in_code=code).first()


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


def _owner_for(model, member_model, field, user, pk):
    """A team or group the user may open: of where they live (active), of their staff scope
    (retired ones too), or one they belong to (a leader appointed from elsewhere); or None."""
    joined = Exists(member_model.objects.filter(**{field: OuterRef("pk")}, user=user))
    seen = (
        (Q(path__in=home_prefixes(user)) & Q(active=True))
        | access.scope(user, "activities.view").q("path")
        | Q(joined)
    )
    return (
        model.objects.filter(seen, pk=as_id(pk))
        .annotate(size=Count("members"), joined=joined)
        .select_related("place")
        .first()
    )


def team_for(user, pk):
    return _owner_for(Team, TeamMember, "team", user, pk)


def group_for(user, pk):
    return _owner_for(InterestGroup, GroupMember, "group", user, pk)


def service_records_for(user):
    """Service records the user may read: their own, those of the teams they lead, those of
    their staff scope."""
    led = _led(TeamMember, user)
    return ServiceRecord.objects.filter(
        Q(user=user) | Q(team_id__in=led) | access.scope(user, "activities.view").q("path")
    ).select_related("team", "user")


def my_team_services(user):
    return ServiceRecord.objects.filter(user=user).select_related("team").order_by("-served_on")


def services_to_confirm(user):
    """Service records waiting for this user's decision: of teams they lead (not their own),
    and of every team in their managing scope."""
    led = TeamMember.objects.filter(user=user, role=MemberRole.LEADER).values("team_id")
    managed = access.scope(user, "activities.manage").q("path")
    return (
        ServiceRecord.objects.filter(status=ServiceStatus.SUBMITTED)
        .filter(Q(team_id__in=led) | managed)
        .exclude(user=user)  # no one decides on their own service
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


def _listed(talents):
    """Talents of people who still live where the talent is filed (one who moved out is not
    offered to their old neighbours and handlers)."""
    return talents.filter(
        Exists(
            Residency.objects.filter(
                user=OuterRef("user"),
                status=ResidencyStatus.VERIFIED,
                household__path__startswith=OuterRef("path"),
            )
        )
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
    qs = _listed(Talent.objects.filter(within, visibility=Visibility.NEIGHBOURS)).select_related(
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
    """Activities the user may run (rules.can_run): in their organising scope, or of the teams
    and groups they lead."""
    scope = access.scope(user, "activities.organise").q("path")
    led = Q(team_id__in=_led(TeamMember, user)) | Q(group_id__in=_led(GroupMember, user))
    return Activity.objects.filter(scope | led).order_by("-starts_at", "-id")


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
    """The talent pool as the user may search it (rules.talent_scope_q), of people still living
    there, by skill, words of the note, and place."""
    qs = _listed(Talent.objects.filter(rules.talent_scope_q(user)).select_related("user", "place"))
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


def coming_week(user):
    """The activities of the user's staff scope starting in the next seven days, soonest first."""
    now = timezone.now()
    return (
        staff_activities(user)
        .filter(starts_at__gte=now, starts_at__lt=now + timedelta(days=7))
        .order_by("starts_at", "id")
    )


def desk_counts(user) -> dict | None:
    """The staff desk's panel: service to confirm, activities of the coming week in the scope
    (None: no panel, for staff of no activities scope such as partners)."""
    if not access.has_anywhere(user, "activities.view"):
        return None
    week = coming_week(user)
    return {
        "activities_services_waiting": services_to_confirm(user)[: DESK_COUNT_CAP + 1].count(),
        "activities_this_week": week[: DESK_COUNT_CAP + 1].count(),
    }


def co_projects(user):
    """The co-creation projects a talent may be invited to help with: those of the user's scope
    still being prepared or built (共同缔造: 出力)."""
    live = Project.objects.exclude(
        stage__in=[ProjectStage.COMPLETED, ProjectStage.EVALUATED, ProjectStage.CANCELLED]
    )
    return access.filter_queryset(user, "projects.view", live).order_by("-created_at", "-id")
