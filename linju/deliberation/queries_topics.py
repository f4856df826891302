"""Reads of topics, procedures, tasks and the notice board, scoped by rules and core.access:
residents see what covers their home (every scope containing it: `rules.home_prefixes`, one
`path IN (…)`), staff what lies inside their scope (`deliberation.view`, prefix scans)."""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Prefetch, Q
from django.utils import timezone

from linju.core import access
from linju.places.models import Place, PlaceKind
from linju.places.paths import prefixes_of

from . import rules
from .models import (
    OPEN_TOPIC_STATUSES,
    SCOPE_KINDS,
    Decision,
    Evaluation,
    Procedure,
    Publication,
    Stage,
    StageCompletion,
    Task,
    TaskStatus,
    TaskUpdate,
    Topic,
    TopicStatus,
    TopicSupport,
)

DESK_COUNT_CAP = 999
# Staff choosing where to raise a topic pick among at most this many places of their scope.
STAFF_PLACES_SHOWN = 300
STATUS_GROUPS = {
    "open": OPEN_TOPIC_STATUSES,
    "final": [TopicStatus.CLOSED, TopicStatus.DECLINED, TopicStatus.WITHDRAWN],
}


def _topics():
    return Topic.objects.select_related("place", "procedure", "current_stage")


def _viewer_q(user, field: str = "path") -> Q | None:
    """Rows the user sees: their homes' scopes, or inside their staff scope. None: all."""
    staff = access.scope(user, "deliberation.view")
    if staff.everywhere:
        return None
    homes = rules.home_prefixes(user)
    q = staff.q(field)
    return q | Q(**{f"{field}__in": homes}) if homes else q


def visible_topics(user):
    q = _viewer_q(user)
    return _topics() if q is None else _topics().filter(q)


def topic_for(user, topic_id):
    """The topic if the user may see it, else None (callers answer 404: not revealed)."""
    topic = _topics().select_related("proposer").filter(pk=topic_id).first()
    if topic is None or not rules.can_view(user, topic):
        return None
    return topic


@dataclass(frozen=True)
class TopicFilter:
    status: str = "open"  # "open", "final", "all" or one status
    place_path: str = ""  # the topics of this place and below it
    source: str = ""
    near: bool = False  # only those covering the user's home


def _filtered(qs, f: TopicFilter):
    if f.status in STATUS_GROUPS:
        qs = qs.filter(status__in=STATUS_GROUPS[f.status])
    elif f.status and f.status != "all":
        qs = qs.filter(status=f.status)
    if f.place_path:
        qs = qs.filter(path__startswith=f.place_path)
    if f.source:
        qs = qs.filter(source=f.source)
    return qs


def topics(user, f: TopicFilter = TopicFilter()):
    """The API's list: every topic the user sees, newest first."""
    qs = topics_near_me(user, status="all") if f.near else visible_topics(user)
    return _filtered(qs, f).order_by("-created_at", "-pk")


def topics_near_me(user, *, status: str = "open"):
    """Topics of the user's unit, building, estate and community (one `path IN` lookup)."""
    qs = _topics().filter(path__in=rules.home_prefixes(user))
    return _filtered(qs, TopicFilter(status=status)).order_by("-created_at", "-pk")


def agenda(user, f: TopicFilter = TopicFilter()):
    """The staff agenda: topics inside the user's `deliberation.view` scope; those waiting on
    the agenda first, then by activity."""
    qs = access.filter_queryset(user, "deliberation.view", _topics())
    return _filtered(qs, f).order_by("-agenda_at", "-created_at", "-pk")


def supported_ids(user, topic_ids) -> set[int]:
    """Which of these topics the user supports (one query for a page)."""
    return set(
        TopicSupport.objects.filter(user=user, topic_id__in=list(topic_ids)).values_list(
            "topic_id", flat=True
        )
    )


def my_ratings(user, topic_ids) -> dict[int, Evaluation]:
    rows = Evaluation.objects.filter(user=user, topic_id__in=list(topic_ids))
    return {e.topic_id: e for e in rows}


def own_home_paths(user) -> list[str]:
    """The paths of the user's verified households (their own homes: a party liaison's served
    households are not theirs to support or rate for)."""
    from linju.people.models import Residency, ResidencyStatus

    return list(
        Residency.objects.filter(user=user, status=ResidencyStatus.VERIFIED).values_list(
            "household__path", flat=True
        )
    )


def home_households(user, path: str):
    """The user's verified households inside `path` (may they support, rate)."""
    from linju.people.models import ResidencyStatus
    from linju.places.models import Household

    return Household.objects.filter(
        path__startswith=path,
        residencies__user=user,
        residencies__status=ResidencyStatus.VERIFIED,
    ).distinct()


# --- One topic's record --------------------------------------------------------------------------


@dataclass
class Record:
    """Everything the topic page shows, read in a fixed number of queries."""

    stages: list  # (stage, completion or None, is_current)
    completions: list
    decisions: list
    tasks: list
    publications: list
    procedure: Procedure | None


def record(topic) -> Record:
    completions = list(
        StageCompletion.objects.filter(topic=topic)
        .select_related("stage", "completed_by", "meeting", "ballot")
        .order_by("completed_at", "pk")
    )
    done = {c.stage_id: c for c in completions}
    stages = []
    if topic.procedure_id:
        for stage in Stage.objects.filter(procedure_id=topic.procedure_id).order_by("order"):
            stages.append((stage, done.get(stage.pk), stage.pk == topic.current_stage_id))
    decisions = list(
        Decision.objects.filter(topic=topic)
        .select_related("meeting", "ballot", "decided_by")
        .order_by("decided_at", "pk")
    )
    tasks = list(
        Task.objects.filter(topic=topic)
        .select_related("owner")
        .prefetch_related(
            Prefetch(
                "updates",
                queryset=TaskUpdate.objects.select_related("author").order_by("created_at", "pk"),
            )
        )
        .order_by("due_on", "pk")
    )
    publications = list(
        Publication.objects.filter(topic=topic)
        .select_related("place")
        .order_by("published_at", "pk")
    )
    return Record(
        stages=stages,
        completions=completions,
        decisions=decisions,
        tasks=tasks,
        publications=publications,
        procedure=topic.procedure,
    )


def procedures(*, active_only: bool = False):
    qs = Procedure.objects.prefetch_related(
        Prefetch("stages", queryset=Stage.objects.order_by("order"))
    ).order_by("code")
    return qs.filter(active=True) if active_only else qs


# --- The notice board (公示) ---------------------------------------------------------------------


def board(user, *, place=None):
    """Public notices the user sees: those of every scope containing their home, and those
    inside their staff scope. With `place`: the notices of that place, of the places inside it
    and of the scopes above it."""
    qs = Publication.objects.select_related("topic", "place").order_by("-published_at", "-pk")
    q = _viewer_q(user)
    if q is not None:
        qs = qs.filter(q)
    if place is not None:
        qs = qs.filter(Q(path__startswith=place.path) | Q(path__in=prefixes_of(place.path)))
    return qs


# --- Tasks ---------------------------------------------------------------------------------------


def _tasks():
    return Task.objects.select_related("topic", "owner", "decision")


def my_tasks(user, *, open_only: bool = True):
    qs = _tasks().filter(owner=user)
    if open_only:
        qs = qs.filter(status=TaskStatus.OPEN)
    return qs.order_by("due_on", "pk")


def overdue_tasks(user, *, today=None):
    """Open tasks past their due date inside the user's `deliberation.view` scope."""
    today = today or timezone.localdate()
    qs = _tasks().filter(status=TaskStatus.OPEN, due_on__lt=today)
    return access.filter_queryset(user, "deliberation.view", qs).order_by("due_on", "pk")


def scope_tasks(user, *, status: str = "open"):
    qs = access.filter_queryset(user, "deliberation.view", _tasks())
    if status and status != "all":
        qs = qs.filter(status=status)
    return qs.order_by("due_on", "pk")


# --- The staff desk ------------------------------------------------------------------------------


def waiting_for_me(user):
    """Topics whose current stage the user may complete: the stage's completer roles, held at a
    scope containing the topic (rules.can_complete as a filter; stages are a small table)."""
    qs = _topics().filter(status__in=[TopicStatus.DELIBERATING, TopicStatus.EVALUATING])
    if access.scope(user, "deliberation.organise").everywhere:
        return qs.filter(current_stage__isnull=False)
    stages = list(Stage.objects.values_list("pk", "completer_roles"))
    parts = []
    for role, paths in access.role_scopes(user).items():
        ids = [pk for pk, roles in stages if role in (roles or [])]
        if ids:
            parts.extend(Q(current_stage_id__in=ids, path__startswith=p) for p in set(paths))
    if not parts:
        return qs.none()
    return qs.filter(reduce(or_, parts)).order_by("-pk")


def desk_counts(user) -> dict | None:
    """The staff desk's deliberation panel: topics waiting on the agenda, stages waiting for
    the user, overdue tasks of their scope; each count stopped at DESK_COUNT_CAP."""
    if not rules.may_use_desk(user):
        return None
    cap = DESK_COUNT_CAP

    def capped(qs):
        n = qs.order_by().values("pk")[: cap + 1].count()
        return f"{cap}+" if n > cap else n

    waiting_agenda = access.filter_queryset(
        user, "deliberation.view", Topic.objects.filter(status=TopicStatus.AGENDA)
    )
    overdue = Task.objects.filter(status=TaskStatus.OPEN, due_on__lt=timezone.localdate())
    return {
        "agenda": capped(waiting_agenda),
        "stages": capped(waiting_for_me(user)),
        "overdue": capped(access.filter_queryset(user, "deliberation.view", overdue)),
    }


# --- Where one may raise a topic -----------------------------------------------------------------


def home_scopes(user) -> list[Place]:
    """The unit, building, estate and community of each of the user's verified homes."""
    from linju.people.models import Residency, ResidencyStatus

    paths = Residency.objects.filter(user=user, status=ResidencyStatus.VERIFIED).values_list(
        "household__path", flat=True
    )
    wanted = {p for path in paths for p in prefixes_of(path.split("h")[0])}
    return list(Place.objects.filter(path__in=wanted, kind__in=SCOPE_KINDS).order_by("path"))


def staff_scopes(user, perm: str = "deliberation.propose") -> list[Place]:
    """Scope places (community to unit) inside the user's staff scope for `perm`: where they
    raise staff topics, or filter the agenda by (at most STAFF_PLACES_SHOWN, in tree order)."""
    scope = access.scope(user, perm)
    kinds = [PlaceKind.COMMUNITY, PlaceKind.ESTATE, PlaceKind.BUILDING, PlaceKind.UNIT]
    qs = Place.objects.filter(kind__in=kinds)
    if not scope.everywhere:
        # Only places at or below a granted place: residents' household paths never match.
        prefixes = [p for p in scope.prefixes if "h" not in p]
        if not prefixes:
            return []
        qs = qs.filter(reduce(or_, (Q(path__startswith=p) for p in prefixes)))
    return list(qs.order_by("path")[:STAFF_PLACES_SHOWN])


def staff_ids(user_ids) -> set[int]:
    """Which of these users hold a staff role: they act in an official capacity, so their names
    are shown in full (one query for a page)."""
    from linju.people.models import RoleGrant

    return set(
        RoleGrant.objects.filter(user_id__in=list(user_ids), revoked_at__isnull=True).values_list(
            "user_id", flat=True
        )
    )


def task_owner_candidates(topic) -> list[tuple]:
    """Who a task can go to, for the desk's select: staff holding a role at the topic's place
    or above it, then the topic's proposer and supporters (residents who follow it)."""
    from linju.people.models import RoleGrant, User
    from linju.people.roles import Role

    labels = {r.value: r.label for r in Role}
    grants = (
        RoleGrant.objects.filter(
            scope_path__in=prefixes_of(topic.path), revoked_at__isnull=True, user__is_active=True
        )
        .select_related("user")
        .order_by("role", "user_id")
    )
    seen, out = set(), []
    for g in grants:
        if g.user_id not in seen:
            seen.add(g.user_id)
            out.append((g.user, f"{g.user.name or g.user.mobile} · {labels.get(g.role, g.role)}"))
    followers = set(
        TopicSupport.objects.filter(topic=topic)
        .exclude(user=None)
        .values_list("user_id", flat=True)
    )
    if topic.proposer_id:
        followers.add(topic.proposer_id)
    for person in User.objects.filter(pk__in=followers - seen, is_active=True).order_by("pk"):
        out.append((person, f"{person.name or person.mobile} · {Role.RESIDENT.label}"))
    return out
