"""Reads of deliberation's settings for the staff pages and the API: the communities a user
organises with their resident representatives (居民代表), the residents who may be appointed,
and the support thresholds (附议门槛) of the user's scopes with what each gives now. Lists are
scoped by core.access with the `deliberation.organise` permission, like the services."""

from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from linju.core import access
from linju.core.masking import mask_mobile, mask_name
from linju.people.models import Residency, ResidencyStatus, User
from linju.places.models import Place, PlaceKind
from linju.places.queries import place_labels

from . import electorate
from .models import SCOPE_KINDS, Representative, SupportRule
from .services_topics import threshold_of

PERM = "deliberation.organise"
CANDIDATES_SHOWN = 20
PLACES_SHOWN = 300

SERVING, UPCOMING, ENDED = "serving", "upcoming", "ended"


def may_use(user) -> bool:
    """The settings pages and routes are for those who organise somewhere."""
    return access.has_anywhere(user, PERM)


# --- Representatives ------------------------------------------------------------------------------


def communities(user):
    """The communities the user organises, in tree order."""
    qs = Place.objects.filter(kind=PlaceKind.COMMUNITY)
    return access.filter_queryset(user, PERM, qs).order_by("path")


def representatives(user, *, community_id=None, serving=None, on=None):
    """Terms in the user's communities: by community, running terms first (open-ended, then
    by their last day), then ended ones, latest first. `serving` keeps those serving on `on`
    (today) or the others."""
    qs = access.filter_queryset(
        user, PERM, Representative.objects.all(), field="community__path"
    ).select_related("community", "user")
    if community_id is not None:
        qs = qs.filter(community_id=community_id)
    if serving is not None:
        on = on or timezone.localdate()
        now_serving = Q(since__lte=on) & (Q(until__isnull=True) | Q(until__gte=on))
        qs = qs.filter(now_serving) if serving else qs.exclude(now_serving)
    return qs.order_by(
        "community__path", F("until").desc(nulls_first=True), "-since", "user__name", "pk"
    )


def status_of(rep, on=None) -> str:
    on = on or timezone.localdate()
    if rep.until is not None and rep.until < on:
        return ENDED
    if rep.since > on:
        return UPCOMING
    return SERVING


@dataclass
class PersonShown:
    id: int
    name: str
    mobile: str
    masked: bool


def people_shown(viewer, people) -> dict[int, PersonShown]:
    """Person id → name and mobile, in full for a viewer whose scope holds one of the person's
    households (core.access.can_see_personal_data), masked otherwise. One query for them all."""
    people = {p.pk: p for p in people}
    paths: dict[int, list[str]] = {pk: [] for pk in people}
    for user_id, path in (
        Residency.objects.filter(user_id__in=list(people))
        .exclude(status=ResidencyStatus.REJECTED)
        .values_list("user_id", "household__path")
    ):
        paths[user_id].append(path)
    shown = {}
    for pk, person in people.items():
        full = access.can_see_personal_data(viewer, person, paths[pk])
        shown[pk] = PersonShown(
            id=pk,
            name=person.name if full else mask_name(person.name),
            mobile=person.mobile if full else mask_mobile(person.mobile),
            masked=not full,
        )
    return shown


def label_representatives(viewer, reps, on=None) -> list:
    """Set `person` (name and mobile as the viewer may see them) and `status` on each term."""
    reps = list(reps)
    shown = people_shown(viewer, [r.user for r in reps])
    for r in reps:
        r.person = shown[r.user_id]
        r.status = status_of(r, on)
    return reps


def candidates(community, q: str):
    """Active verified residents of the community whose name or mobile holds `q`: the people
    who may be appointed (services_settings.appoint_representative checks it again)."""
    q = (q or "").strip()
    if not q:
        return User.objects.none()
    living_here = Residency.objects.filter(
        status=ResidencyStatus.VERIFIED, household__path__startswith=community.path
    ).values("user_id")
    return (
        User.objects.filter(pk__in=living_here, is_active=True)
        .filter(Q(name__icontains=q) | Q(mobile__contains=q))
        .order_by("name", "pk")[:CANDIDATES_SHOWN]
    )


# --- Support thresholds ---------------------------------------------------------------------------


def support_rules(user):
    """The rules of places in the user's scope, in tree order."""
    qs = SupportRule.objects.select_related("place")
    return access.filter_queryset(user, PERM, qs, field="place__path").order_by("place__path")


def rule_rows(rules) -> list:
    """Set on each rule its place's label, the households that count there now and the
    threshold a topic proposed there now would get (a place's own rule is its nearest;
    services_topics.threshold_of holds the arithmetic). One query for all the counts."""
    rules = list(rules)
    labels = place_labels([r.place for r in rules])
    counted = living_households_of([r.place for r in rules])
    for rule in rules:
        rule.label = labels.get(rule.place_id, rule.place.name)
        rule.scope_households = counted.get(rule.place_id, 0)
        rule.threshold = threshold_of(rule.households, rule.percent, rule.scope_households)
    return rules


def living_households_of(places) -> dict[int, int]:
    """Place id → its households that count (electorate.living_households), in one query."""
    if not places:
        return {}
    households = (
        electorate.living_households_under(OuterRef("path"))
        .order_by()
        .values("developer_held")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return dict(
        Place.objects.filter(pk__in=[p.pk for p in places])
        .annotate(n=Coalesce(Subquery(households[:1]), 0))
        .values_list("pk", "n")
    )


def rule_places(user):
    """Places offered by the page's form: the communities, estates and buildings of the
    user's scope (units too through the API; the service takes any of the four kinds)."""
    qs = Place.objects.filter(kind__in=[k for k in SCOPE_KINDS if k != PlaceKind.UNIT])
    return access.filter_queryset(user, PERM, qs).order_by("path")[:PLACES_SHOWN]
