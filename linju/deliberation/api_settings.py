"""/deliberation/settings: deliberation's settings as JSON for community staff and subdistrict
administrators — the resident representatives (居民代表) of the communities they organise
(listed, appointed, their terms ended) and the support thresholds (附议门槛) of their scopes
(listed with what each gives now, read, set, cleared). Every write goes through
services_settings; every read through queries_settings and rules."""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from linju.core.api_support import ERRORS, CappedLimitOffset, Listing
from linju.core.errors import Forbidden
from linju.places.models import Place

from . import queries_settings as queries
from . import rules
from . import services_settings as services
from .models import SCOPE_KINDS, Representative, SupportRule
from .schemas_settings import (
    AppointIn,
    EndIn,
    RepresentativeFilter,
    RepresentativeOut,
    SupportRuleIn,
    SupportRuleOut,
)

router = Router(tags=["deliberation"])

WHO = (
    "Community staff and subdistrict administrators of the scope; 403 for anyone else "
    "(and for a place outside the caller's scope)."
)
FROZEN = (
    "A change affects only topics proposed afterwards: a topic's threshold is frozen when it "
    "is proposed."
)


def _require(user) -> None:
    if not queries.may_use(user):
        raise Forbidden(_("You may not change deliberation's settings."))


# --- Shapes ---------------------------------------------------------------------------------------


def _rep_rows(user, reps) -> list[dict]:
    return [
        {
            "id": r.pk,
            "community": {"id": r.community_id, "name": r.community.name},
            "person": vars(r.person),
            "since": r.since,
            "until": r.until,
            "status": r.status,
        }
        for r in queries.label_representatives(user, reps)
    ]


def _rule_rows(rules_found) -> list[dict]:
    return [
        {
            "place": {
                "id": r.place_id,
                "kind": r.place.kind,
                "name": r.place.name,
                "label": r.label,
            },
            "households": r.households,
            "percent": r.percent,
            "scope_households": r.scope_households,
            "threshold": r.threshold,
        }
        for r in queries.rule_rows(rules_found)
    ]


def _representative(user, pk) -> dict:
    rep = Representative.objects.select_related("community", "user").get(pk=pk)
    return _rep_rows(user, [rep])[0]


def _scope_place(user, place_id: int) -> Place:
    """The place of a threshold: 404 when there is no unit, building, estate or community of
    that id; 403 outside the caller's scope."""
    place = Place.objects.filter(pk=place_id, kind__in=SCOPE_KINDS).first()
    if place is None:
        raise Http404
    rules.require(rules.can_organise(user, place), _("You may not see this place's settings."))
    return place


# --- Representatives ------------------------------------------------------------------------------


@router.get(
    "/representatives",
    response={200: list[RepresentativeOut], **ERRORS},
    summary="Resident representatives of my communities",
    description="The terms of resident representatives (居民代表) in the communities the caller "
    "organises: by community, running terms first, then ended ones (latest first). Names and "
    f"mobiles are masked outside the caller's personal-data scope. {WHO} The count stops at "
    "2,000 (`capped`).",
)
@paginate(CappedLimitOffset)
def list_representatives(request, filters: Query[RepresentativeFilter]):
    user = request.user
    _require(user)
    qs = queries.representatives(user, community_id=filters.community, serving=filters.serving)
    return Listing(qs, lambda page: _rep_rows(user, page))


@router.post(
    "/representatives",
    response={201: RepresentativeOut, **ERRORS},
    summary="Appoint a resident representative",
    description="The person must be a verified resident of a household in the community (422 "
    "on `user_id`); 422 on `community_id` for a place that is not a community. One running "
    "term per person and community: 409 `already_serving`. From `since` (today by default) "
    f"they are invited to representatives' meetings and vote in their ballots. {WHO}",
)
def appoint(request, payload: AppointIn):
    rep = services.appoint_representative(user=request.user, **payload.model_dump())
    return Status(201, _representative(request.user, rep.pk))


@router.post(
    "/representatives/{int:representative_id}/end",
    response={200: RepresentativeOut, **ERRORS},
    summary="End a representative's term",
    description="`until` (today by default) is the last day they serve; 422 on `until` when it "
    "comes before the term's first day; 409 `already_ended` for a term that has ended. "
    f"Ballots already open keep their electorate. 404 for an unknown term. {WHO}",
)
def end(request, representative_id: int, payload: EndIn):
    if not Representative.objects.filter(pk=representative_id).exists():
        raise Http404
    services.end_representative(
        user=request.user, representative_id=representative_id, until=payload.until
    )
    return _representative(request.user, representative_id)


# --- Support thresholds ---------------------------------------------------------------------------


@router.get(
    "/support-rules",
    response={200: list[SupportRuleOut], **ERRORS},
    summary="Support thresholds of my scope",
    description="The places of the caller's scope with a support threshold (附议门槛) of their "
    "own, in tree order, each with the threshold a topic proposed there now gets. Places "
    "without one follow the nearest rule above them, else the default. "
    f"{WHO} The count stops at 2,000 (`capped`).",
)
@paginate(CappedLimitOffset)
def list_support_rules(request):
    user = request.user
    _require(user)
    return Listing(queries.support_rules(user), _rule_rows)


@router.get(
    "/support-rules/{int:place_id}",
    response={200: SupportRuleOut, **ERRORS},
    summary="A place's support threshold",
    description="The place's own rule; 404 when it has none (or there is no unit, building, "
    f"estate or community of that id). {WHO}",
)
def get_support_rule(request, place_id: int):
    place = _scope_place(request.user, place_id)
    rule = SupportRule.objects.filter(place=place).select_related("place").first()
    if rule is None:
        raise Http404
    return _rule_rows([rule])[0]


@router.put(
    "/support-rules/{int:place_id}",
    response={200: SupportRuleOut, **ERRORS},
    summary="Set a place's support threshold",
    description="A number of households (at least 1), a percent of the place's households "
    "(1–100), or both (the larger applies); 422 on `households` and `percent` when neither is "
    f"given. The rule covers the place and the places below it without their own. {FROZEN} "
    f"{WHO}",
)
def put_support_rule(request, place_id: int, payload: SupportRuleIn):
    _scope_place(request.user, place_id)
    rule = services.set_support_rule(user=request.user, place_id=place_id, **payload.model_dump())
    return _rule_rows([rule])[0]


@router.delete(
    "/support-rules/{int:place_id}",
    response={204: None, **ERRORS},
    summary="Clear a place's support threshold",
    description="Its topics then follow the nearest rule above it, else the default; 404 "
    f"`no_rule` when the place has no rule of its own. {FROZEN} {WHO}",
)
def delete_support_rule(request, place_id: int):
    _scope_place(request.user, place_id)
    services.clear_support_rule(user=request.user, place_id=place_id)
    return Status(204, None)
