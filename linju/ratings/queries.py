"""Reads of ratings, scoped by the access rules: which contests, rounds and rubrics a user may
see, a round's progress and late panellists, the leaderboard with its flag history, a unit's
month-by-month scores, and a panellist's next screen."""

from django.db.models import Count, Exists, F, OuterRef, Q

from linju.core import access
from linju.core.cleaning import as_id
from linju.core.masking import staff_label
from linju.deliberation.rules import home_prefixes

from .models import (
    Contest,
    Purpose,
    Round,
    RoundPanellist,
    RoundStatus,
    Rubric,
    RubricStatus,
    Sheet,
    Target,
)
from .rules import PUBLIC_STATUSES


def _home_q(user, field="path") -> Q:
    prefixes = home_prefixes(user)
    return Q(**{f"{field}__in": prefixes}) if prefixes else Q(pk__in=[])


def contests_for(user):
    """Contests of the user's staff scope, unit contests covering their home, and the star
    ratings that rate them (rules.can_see_contest)."""
    staff = access.scope(user, "ratings.view")
    q = (_home_q(user) & Q(purpose=Purpose.CONTEST)) | Q(rounds__targets__member=user)
    if staff:
        q |= staff.q("path")
    ids = Contest.objects.filter(q).values("pk")
    return (
        Contest.objects.filter(pk__in=ids)
        .select_related("place", "rubric")
        .order_by("path", "name")
    )


def rounds_for(user):
    """Rounds the user may see: every round of their staff scope; published rounds of the unit
    contests where they live and of the star ratings that rate them; rounds whose panel they
    sit on."""
    staff = access.scope(user, "ratings.view")
    public = Q(status__in=PUBLIC_STATUSES)
    q = (
        (public & _home_q(user) & Q(contest__purpose=Purpose.CONTEST))
        | (public & Q(targets__member=user))
        | Q(panel__user=user)
    )
    if staff:
        q |= staff.q("path")
    ids = Round.objects.filter(q).values("pk")
    return (
        Round.objects.filter(pk__in=ids)
        .select_related("contest", "place", "rubric")
        .order_by("-period_start", "contest__name")
    )


def rubrics_for(user):
    """Templates, the rubrics of the user's staff scope, and drafts put to their residents."""
    staff = access.scope(user, "ratings.view")
    # Residents see the drafts put to them and the adopted rules their homes are judged by.
    q = Q(place__isnull=True) | (
        _home_q(user) & (Q(comments_open=True) | Q(status=RubricStatus.ADOPTED))
    )
    if staff:
        q |= staff.q("path")
    return Rubric.objects.filter(q).order_by("code", "-version")


def panel_rounds(user):
    """The rounds the user scores now, with how far they are."""
    mine = Sheet.objects.filter(round=OuterRef("pk"), panellist=user)
    return (
        Round.objects.filter(panel__user=user, status=RoundStatus.SCORING)
        .select_related("contest")
        .annotate(
            target_count=Count("targets", distinct=True),
            done=Count("sheets", filter=Q(sheets__panellist=user), distinct=True),
            started=Exists(mine),
        )
        .order_by("due_on")
    )


def progress(round_) -> list[dict]:
    """Each panellist: party, sheets done of the targets, late (past due and not finished)."""
    from django.utils import timezone

    targets = round_.targets.count()
    done = dict(
        round_.sheets.values("panellist_id")
        .annotate(n=Count("id"))
        .values_list("panellist_id", "n")
    )
    overdue = timezone.localdate() > round_.due_on
    rows = []
    for seat in round_.panel.select_related("user"):
        n = done.get(seat.user_id, 0)
        rows.append(
            {
                "user_id": seat.user_id,
                "user": seat.user,
                "name": staff_label(seat.user),
                "party": seat.party,
                "party_label": seat.get_party_display(),
                "done": n,
                "targets": targets,
                "late": overdue and n < targets,
            }
        )
    return rows


def panel_of(contest) -> list:
    """The contest's sitting panel, each seat with the name others see (`name`)."""
    seats = list(
        contest.panellists.filter(until=None).select_related("user").order_by("party", "pk")
    )
    for seat in seats:
        seat.name = staff_label(seat.user)
    return seats


def late_panellists(round_) -> list[dict]:
    """Panellists with targets left once scoring was due (listed in review, reminded once)."""
    targets = round_.targets.count()
    done = dict(
        round_.sheets.values("panellist_id")
        .annotate(n=Count("id"))
        .values_list("panellist_id", "n")
    )
    return [
        {"user_id": uid, "party": party, "done": done.get(uid, 0), "targets": targets}
        for uid, party in RoundPanellist.objects.filter(round=round_).values_list(
            "user_id", "party"
        )
        if done.get(uid, 0) < targets
    ]


def next_target(round_, user):
    """One target per screen: the first (in walking order) the panellist has not scored."""
    scored = Sheet.objects.filter(target=OuterRef("pk"), panellist=user)
    return round_.targets.filter(~Exists(scored)).order_by("position", "pk").first()


def entry_in(round_, entry_id):
    """A mark of the round, with its sheet and round (for the evidence rule), or None."""
    from linju.core.cleaning import as_id

    from .models import Entry

    return (
        Entry.objects.filter(pk=as_id(entry_id), sheet__round=round_)
        .select_related("sheet__round")
        .first()
    )


def ranking(round_):
    """A round's targets in rank order (unranked last)."""
    return round_.targets.select_related("place").order_by(
        F("rank").asc(nulls_last=True), "position", "pk"
    )


def flag_history(contest, limit=12) -> list[dict]:
    """The last `limit` published rounds of a contest, each with its flag holders."""
    rounds = list(
        contest.rounds.filter(status__in=PUBLIC_STATUSES).order_by("-period_start")[:limit]
    )
    holders = {}
    for t in Target.objects.filter(round__in=rounds, flag=True).order_by("rank", "position"):
        holders.setdefault(t.round_id, []).append(t)
    return [{"round": r, "flags": holders.get(r.pk, [])} for r in rounds]


def leaderboard(contest, year: int) -> list[dict]:
    """Flags per target over a year's published rounds, most first (the year's award table)."""
    from .services_awards import flag_table

    return flag_table(contest, year)


def place_history(place_id, user):
    """A unit's (or building's) month-by-month results in the published rounds the user sees,
    or None when the user sees none of them (pages and API answer 404 alike)."""
    visible = rounds_for(user).filter(status__in=PUBLIC_STATUSES).values("pk")
    rows = (
        Target.objects.filter(place_id=as_id(place_id), round__in=visible)
        .select_related("round__contest", "place")
        .order_by("-round__period_start")
    )
    return rows if rows.exists() else None


def adopted_rubrics(place, purpose):
    """What a contest of `place` may use: adopted rubrics of the place or its ancestors."""
    from linju.places.paths import prefixes_of

    return Rubric.objects.filter(
        status=RubricStatus.ADOPTED, purpose=purpose, path__in=prefixes_of(place.path)
    ).order_by("name", "-version")


DESK_COUNT_CAP = 99


def desk_counts(user) -> dict | None:
    """The staff desk's ratings panel: rounds of the user's scope being scored or in review,
    and the sheets the user still owes as a panellist; counts stop at DESK_COUNT_CAP."""
    from .rules import may_use_desk

    seats = panel_rounds(user)
    if not may_use_desk(user) and not seats.exists():
        return None
    scoped = access.filter_queryset(user, "ratings.view", Round.objects.all())

    def capped(qs):
        n = qs.order_by().values("pk")[: DESK_COUNT_CAP + 1].count()
        return f"{DESK_COUNT_CAP}+" if n > DESK_COUNT_CAP else n

    return {
        "scoring": capped(scoped.filter(status=RoundStatus.SCORING)),
        "review": capped(scoped.filter(status=RoundStatus.REVIEW)),
        "to_score": sum(max(r.target_count - r.done, 0) for r in seats[:20]),
    }


# --- What staff manage (the desk, the create and copy forms) -----------------------------------

OFFERED = 200  # places or organisations offered in a form's choices


def managed_places(user, kinds):
    """Places of these kinds where the user may run ratings, in path order."""
    from linju.people.queries import places_in_scope

    return places_in_scope(user, "ratings.manage", kinds)[:OFFERED]


def managed_organisations(user):
    """Party organisations whose star rating the user may run."""
    from linju.people.models import PartyOrganisation

    organisations = PartyOrganisation.objects.select_related("place").order_by(
        "place__path", "name"
    )
    return access.filter_queryset(user, "ratings.manage", organisations, field="place__path")[
        :OFFERED
    ]


def desk_contests(user):
    """The contests the user follows as staff (not those merely covering their home)."""
    return access.filter_queryset(
        user, "ratings.view", Contest.objects.select_related("place", "rubric")
    ).order_by("path", "name")


def desk_rounds(user):
    """The rounds of the user's staff scope that are not locked yet, newest first."""
    rounds = Round.objects.exclude(status=RoundStatus.LOCKED).select_related("contest")
    return access.filter_queryset(user, "ratings.view", rounds).order_by(
        "-period_start", "contest__name"
    )


def confirmed_awards(contest, year: int):
    """The year's confirmed award list, in the order the property company works through it."""
    from .models import Award

    return (
        Award.objects.filter(contest=contest, year=year)
        .select_related("household__unit__parent__parent", "user", "confirmed_by")
        .order_by("kind", "household__path", "pk")
    )
