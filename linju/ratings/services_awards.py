"""The year's awards (seed 001: 年底按流动红旗月获评次数前三名给予物业费补贴; 履职尽责的"三长"在享受
物业费补贴10%的基础上再提高10%).

Flags are counted over the year's published rounds; units are ranked by flags (a shared count
shares the rank) and those ranked within the contest's award places get its subsidy — every
household of the unit. The three heads (楼栋长, 单元长, 楼层长) serving in the contest's scope
that year get the heads' subsidy for their own household there, more when staff recorded that
they fulfilled their duties. A household can hold both. Amounts are the year's property fee
(area × fee a m² a month × 12) × the percentage, in fen, rounded half up. Confirming writes the
list the property company receives; confirming again replaces it."""

from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.core import audit
from linju.core.cleaning import as_id, clean_text
from linju.core.errors import Conflict, Invalid
from linju.people.models import Residency, ResidencyStatus, RoleGrant, User
from linju.people.roles import Role
from linju.places.models import Household, Place

from . import rules
from .models import Award, AwardKind, Contest, HeadDuty, Purpose, Round, RoundStatus, Target

HEAD_ROLES = (Role.BUILDING_HEAD, Role.UNIT_HEAD, Role.FLOOR_HEAD)
PUBLIC = (RoundStatus.PUBLISHED, RoundStatus.LOCKED)


def clean_year(value) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= 2100:
        raise Invalid({"year": _("Give a year such as 2026.")})
    return year


def flag_table(contest, year: int) -> list[dict]:
    """[{place_id, label, flags, rank}] for the year, most flags first; rank is shared by equal
    counts (8, 8, 7 → 1, 1, 3)."""
    rows = list(
        Target.objects.filter(
            round__contest=contest,
            round__period_start__year=year,
            round__status__in=PUBLIC,
            place__isnull=False,
        )
        .values("place_id")
        .annotate(flags=Count("id", filter=Q(flag=True)), months=Count("id"))
        .filter(flags__gt=0)
        .order_by("-flags", "place_id")
    )
    paths = dict(
        Place.objects.filter(pk__in=[r["place_id"] for r in rows]).values_list("pk", "path")
    )
    labels = dict(
        Target.objects.filter(round__contest=contest, place_id__in=[r["place_id"] for r in rows])
        .order_by("place_id", "round__period_start")  # the newest label wins
        .values_list("place_id", "label")
    )
    rank, last = 0, None
    for i, row in enumerate(rows, 1):
        if row["flags"] != last:
            rank, last = i, row["flags"]
        row["rank"] = rank
        row["label"] = labels.get(row["place_id"], "")
        row["path"] = paths[row["place_id"]]
    return rows


def heads_of_year(contest, year: int):
    """The three heads who served in the contest's scope at some time in the year."""
    start = timezone.make_aware(datetime.combine(date(year, 1, 1), time.min))
    end = timezone.make_aware(datetime.combine(date(year + 1, 1, 1), time.min))
    return (
        RoleGrant.objects.filter(
            role__in=HEAD_ROLES, scope_path__startswith=contest.path, granted_at__lt=end
        )
        .filter(Q(revoked_at__isnull=True) | Q(revoked_at__gte=start))
        .select_related("user")
        .order_by("scope_path", "user_id")
    )


def _fee(contest, area: Decimal, percent: Decimal) -> int:
    fen = area * contest.fee_fen_per_sqm_month * 12 * percent / 100
    return int(fen.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def draft_awards(contest, year: int) -> list[Award]:
    """The award lines the year would get, unsaved (the confirm page previews them); a few
    queries whatever the number of units and heads."""
    winners = [r for r in flag_table(contest, year) if r["rank"] <= contest.award_places]
    lines = []
    if winners:
        # Every household of the unit (or of the building, for a contest of buildings).
        within = Q()
        for row in winners:
            within |= Q(path__startswith=row["path"])
        households = list(Household.objects.filter(within).order_by("path"))
        for row in winners:
            for hh in (h for h in households if h.path.startswith(row["path"])):
                lines.append(
                    Award(
                        contest=contest,
                        year=year,
                        kind=AwardKind.FLAGS,
                        household=hh,
                        unit_id=hh.unit_id,
                        flags=row["flags"],
                        rank=row["rank"],
                        percent=contest.award_percent,
                        area=hh.area,
                        amount_fen=_fee(contest, hh.area, contest.award_percent),
                    )
                )
    heads = {g.user_id: g.user for g in heads_of_year(contest, year)}
    fulfilled = set(
        HeadDuty.objects.filter(
            contest=contest, year=year, fulfilled=True, user_id__in=heads
        ).values_list("user_id", flat=True)
    )
    homes = Residency.objects.filter(
        user_id__in=heads,
        status=ResidencyStatus.VERIFIED,
        household__path__startswith=contest.path,
    ).select_related("household")
    # One line per household: two heads living together get the higher subsidy once.
    head_lines: dict[int, Award] = {}
    for residency in homes.order_by("household__path", "user_id"):
        hh, uid = residency.household, residency.user_id
        percent = contest.head_percent + (contest.head_bonus_percent if uid in fulfilled else 0)
        held = head_lines.get(hh.pk)
        if held is not None and held.percent >= percent:
            continue
        head_lines[hh.pk] = Award(
            contest=contest,
            year=year,
            kind=AwardKind.HEAD,
            household=hh,
            unit_id=hh.unit_id,
            user=heads[uid],
            percent=percent,
            area=hh.area,
            amount_fen=_fee(contest, hh.area, percent),
        )
    lines.extend(sorted(head_lines.values(), key=lambda a: a.household.path))
    return lines


@transaction.atomic
def set_head_duty(*, user, contest, year, person_id, fulfilled: bool, note: str = "") -> HeadDuty:
    """Staff record whether a head fulfilled their duties this year (履职尽责)."""
    contest = Contest.objects.get(pk=contest.pk)
    rules.require(rules.can_manage(user, contest))
    year = clean_year(year)
    person = User.objects.filter(pk=as_id(person_id)).first()
    if person is None or not heads_of_year(contest, year).filter(user=person).exists():
        raise Invalid({"person": _("This person was not a head here that year.")})
    duty, _created = HeadDuty.objects.update_or_create(
        contest=contest,
        year=year,
        user=person,
        defaults={
            "fulfilled": bool(fulfilled),
            "note": clean_text(note, field="note", max_length=300),
            "decided_by": user,
            "decided_at": timezone.now(),
        },
    )
    audit.record(
        actor=user,
        verb="ratings.head_duty",
        obj=contest,
        data={"year": year, "user": person.pk, "fulfilled": duty.fulfilled},
    )
    return duty


@transaction.atomic
def confirm_awards(*, user, contest, year) -> list[Award]:
    """Write the year's award list once the year is over and its rounds are published."""
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    rules.require(rules.can_manage(user, contest))
    year = clean_year(year)
    if contest.purpose != Purpose.CONTEST:
        raise Conflict(_("Only a contest has awards."), code="not_contest")
    if timezone.localdate() <= date(year, 12, 31):
        raise Conflict(_("The year is not over yet."), code="year_running")
    pending = Round.objects.filter(contest=contest, period_start__year=year).exclude(
        status__in=PUBLIC
    )
    if pending.exists():
        raise Conflict(_("Publish every round of the year first."), code="rounds_pending")
    Award.objects.filter(contest=contest, year=year).delete()
    now = timezone.now()
    lines = draft_awards(contest, year)
    for line in lines:
        line.confirmed_by, line.confirmed_at = user, now
    Award.objects.bulk_create(lines)
    audit.record(
        actor=user,
        verb="ratings.awards_confirm",
        obj=contest,
        data={
            "year": year,
            "lines": len(lines),
            "amount_fen": sum(line.amount_fen for line in lines),
        },
    )
    return lines
