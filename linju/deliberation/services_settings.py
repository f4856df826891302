"""Every write on deliberation's settings that staff keep (seeds 000–001): who the community's
resident representatives are (居民代表, invited to the representatives' meeting and its
ballots, see electorate.representative_ids) and how much households' support puts a topic on
the agenda in a scope (附议门槛, see services_topics.support_threshold).

Who: community staff and subdistrict administrators of the scope (rules.can_organise). Each
function validates (errors name the field), locks what it changes, writes and records the
audit event, in one transaction."""

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from linju.core import audit
from linju.core.cleaning import as_id as _as_id
from linju.core.cleaning import violated
from linju.core.errors import Conflict, Invalid, NotFound
from linju.people.models import Residency, ResidencyStatus, User
from linju.places.models import Place, PlaceKind

from . import rules
from .models import SCOPE_KINDS, Representative, SupportRule

ONE_LIVE_TERM = "representative_once"
MAX_HOUSEHOLDS = 1_000_000


def _date(value, *, field: str, default: date) -> date:
    """A date from a date or an ISO string; `default` when empty."""
    if value in (None, ""):
        return default
    if isinstance(value, date):
        return value
    try:
        parsed = parse_date(str(value))
    except ValueError:
        parsed = None
    if parsed is None:
        raise Invalid({field: _("Give a date as YYYY-MM-DD.")})
    return parsed


def _number(value, *, field: str, low: int, high: int, message) -> int | None:
    """An optional whole number within [low, high]; Invalid on `field` otherwise."""
    if value in (None, ""):
        return None
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise Invalid({field: message})
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise Invalid({field: message}) from None
    if not low <= number <= high:
        raise Invalid({field: message})
    return number


# --- Resident representatives ---------------------------------------------------------------------


def _community(community_id) -> Place:
    pk = _as_id(community_id)
    place = Place.objects.filter(pk=pk, kind=PlaceKind.COMMUNITY).first() if pk else None
    if place is None:
        raise Invalid({"community_id": _("Choose a community.")})
    return place


def is_verified_resident(person_id, community) -> bool:
    return Residency.objects.filter(
        user_id=person_id,
        status=ResidencyStatus.VERIFIED,
        household__path__startswith=community.path,
    ).exists()


@transaction.atomic
def appoint_representative(*, user, community_id, user_id, since=None) -> Representative:
    """居民代表: appoint a verified resident of a household in the community, serving from
    `since` (today by default) until their term is ended. One live term per person and
    community: a second appointment while one runs (or ends on or after `since`) is a 409
    `already_serving`; the unique constraint `representative_once` is the last guard when two
    staff appoint the same person at once."""
    community = _community(community_id)
    rules.require(
        rules.can_organise(user, community),
        _("You may not appoint representatives in this community."),
    )
    pk = _as_id(user_id)
    person = User.objects.filter(pk=pk, is_active=True).first() if pk else None
    if person is None:
        raise Invalid({"user_id": _("Choose a person.")})
    if not is_verified_resident(person.pk, community):
        raise Invalid(
            {"user_id": _("Only a verified resident of this community can be appointed.")}
        )
    since = _date(since, field="since", default=timezone.localdate())
    # A running term, or one ended on a day still to come that the new one would overlap.
    overlapping = Representative.objects.filter(community=community, user=person).filter(
        Q(until__isnull=True) | Q(until__gte=since)
    )
    if overlapping.exists():
        raise _already_serving()
    try:
        with transaction.atomic():
            rep = Representative.objects.create(community=community, user=person, since=since)
    except IntegrityError as exc:
        if violated(
            exc,
            ONE_LIVE_TERM,
            still_there=lambda: Representative.objects.filter(
                community=community, user=person, until__isnull=True
            ).exists(),
        ):
            raise _already_serving() from None
        raise
    audit.record(
        actor=user,
        verb="deliberation.representative_appoint",
        obj=rep,
        data={"user": person.pk, "since": since.isoformat()},
    )
    return rep


def _already_serving() -> Conflict:
    return Conflict(
        _("This person already serves as a representative of this community."),
        code="already_serving",
        field="user_id",
    )


@transaction.atomic
def end_representative(*, user, representative_id, until=None) -> Representative:
    """End a representative's term: `until` (today by default) is their last day, not before
    the day they started. They are invited and vote until then (electorate.representative_ids);
    ballots already opened keep their frozen electorate."""
    pk = _as_id(representative_id)
    rep = (
        Representative.objects.select_for_update(of=("self",))
        .select_related("community")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if rep is None:
        raise Invalid({"representative_id": _("No such representative.")})
    rules.require(
        rules.can_organise(user, rep.community),
        _("You may not change representatives in this community."),
    )
    if rep.until is not None:
        raise Conflict(_("This term has ended already."), code="already_ended")
    until = _date(until, field="until", default=timezone.localdate())
    if until < rep.since:
        raise Invalid(
            {
                "until": _("The term cannot end before it started (%(since)s).")
                % {"since": rep.since.isoformat()}
            }
        )
    rep.until = until
    rep.save(update_fields=["until"])
    audit.record(
        actor=user,
        verb="deliberation.representative_end",
        obj=rep,
        data={"user": rep.user_id, "since": rep.since.isoformat(), "until": until.isoformat()},
    )
    return rep


# --- Support thresholds ---------------------------------------------------------------------------


def _scope_place(place_id, *, lock=False) -> Place:
    pk = _as_id(place_id)
    qs = Place.objects.filter(pk=pk, kind__in=SCOPE_KINDS)
    if lock:
        qs = qs.select_for_update()
    place = qs.first() if pk else None
    if place is None:
        raise Invalid({"place_id": _("Choose a unit, building, estate or community.")})
    return place


def _rule_data(rule) -> dict:
    return {"households": rule.households, "percent": rule.percent}


@transaction.atomic
def set_support_rule(*, user, place_id, households=None, percent=None) -> SupportRule:
    """附议门槛: how many households' support puts a topic of this place (and the places below
    it without a rule of their own) on the agenda — a number of households, a percent of the
    scope's households, or both (the larger applies; services_topics.support_threshold).

    Only topics proposed afterwards are affected: a topic's threshold is frozen when it is
    proposed (Topic.support_needed), so changing the rule never moves a topic that is already
    gathering support."""
    households = _number(
        households,
        field="households",
        low=1,
        high=MAX_HOUSEHOLDS,
        message=_("Give a whole number of households, at least 1."),
    )
    percent = _number(
        percent,
        field="percent",
        low=1,
        high=100,
        message=_("Give a whole percent from 1 to 100."),
    )
    if households is None and percent is None:
        message = _("Give a number of households, a percent of the households, or both.")
        raise Invalid({"households": message, "percent": message})
    # Fixed order: the place first, then its rule (two staff setting it at once queue here).
    place = _scope_place(place_id, lock=True)
    rules.require(rules.can_organise(user, place), _("You may not set the support threshold here."))
    rule = SupportRule.objects.select_for_update().filter(place=place).first()
    before = _rule_data(rule) if rule else None
    if rule is None:
        rule = SupportRule.objects.create(place=place, households=households, percent=percent)
    else:
        rule.households, rule.percent = households, percent
        rule.save(update_fields=["households", "percent"])
    audit.record(
        actor=user,
        verb="deliberation.support_rule_set",
        obj=rule,
        scope_path=place.path,
        data={"before": before, "after": _rule_data(rule)},
    )
    return rule


@transaction.atomic
def clear_support_rule(*, user, place_id) -> None:
    """Remove the place's own threshold: its topics then follow the nearest rule above it, or
    the default (settings.DELIBERATION_SUPPORT). As with setting one, only topics proposed
    afterwards are affected (thresholds are frozen at proposal)."""
    place = _scope_place(place_id, lock=True)
    rules.require(
        rules.can_organise(user, place), _("You may not clear the support threshold here.")
    )
    rule = SupportRule.objects.select_for_update().filter(place=place).first()
    if rule is None:
        raise NotFound(
            _("This place has no support threshold of its own."), code="no_rule", field="place_id"
        )
    audit.record(
        actor=user,
        verb="deliberation.support_rule_clear",
        obj=rule,
        scope_path=place.path,
        data={"before": _rule_data(rule)},
    )
    rule.delete()
