"""Stages "places", "grids" and "households": the governance tree, its grid overlay and the
households with their roster owners (as a roster import leaves them)."""

from .copy import DAY, ts
from .names import mix, person_mobile, person_name

INVITE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # as linju.places.codes.ALPHABET
INVITE_SPACE = len(INVITE_ALPHABET) ** 8
# ≈ 0.618 × 31⁸ and not a multiple of 31, so coprime to 31⁸: id → code is a bijection, and
# neighbouring ids get codes far apart.
INVITE_MULTIPLIER = 527_115_649_796
_PAIRS = [a + b for a in INVITE_ALPHABET for b in INVITE_ALPHABET]  # 961 two-letter digits


def invite_code(household_id: int, seed: int) -> str:
    """8 characters of the invite alphabet, distinct for every id below 31⁸."""
    x = (household_id * INVITE_MULTIPLIER + mix(seed, 31) % INVITE_SPACE) % INVITE_SPACE
    a, b = divmod(x, 961**2)
    return _PAIRS[a // 961] + _PAIRS[a % 961] + _PAIRS[b // 961] + _PAIRS[b % 961]


def fill_places(ctx):
    def lines():
        for n in ctx.plan.place_nodes():
            parent = n.parent_id if n.parent_id is not None else "\\N"
            yield f"{n.id}\t{n.kind}\t{n.name}\t{n.code}\t{n.path}\t{parent}\n"

    ctx.copy("places_place", "id, kind, name, code, path, parent_id", lines())


def fill_grids(ctx):
    plan = ctx.plan
    communities = plan.communities
    ctx.copy(
        "places_grid",
        "id, name, code, community_id",
        (f"{g.id}\t{g.name}\t{g.code}\t{communities[g.community].id}\n" for g in plan.grids),
    )
    buildings = plan.buildings

    def members():
        pk = 0
        for g in plan.grids:
            for b in g.buildings:
                pk += 1
                yield f"{pk}\t{g.id}\t{buildings[b].id}\n"

    ctx.copy("places_grid_buildings", "id, grid_id, place_id", members())


def imported_at(plan, community) -> int:
    """When the community's roster was imported: before the first resident signed up."""
    return plan.signup_start - DAY - mix(community.index, plan.seed) % (90 * DAY)


def fill_households(ctx):
    plan, seed, randint = ctx.plan, ctx.seed, ctx.rng.randint
    owner_no = plan.owner_no

    def lines():
        name = mobile = None
        last_owner = -1
        at = {c.index: imported_at(plan, c) for c in plan.communities}
        firsts = {c.index: c.first for c in plan.communities}
        for unit in plan.units:
            start, first = at[unit.community], firsts[unit.community]
            prefix = f"\t{unit.id}\t"
            for h in range(unit.first, unit.end):
                floor, room = plan.room(unit, h)
                owner = owner_no[h]
                if owner != last_owner:
                    last_owner = owner
                    name, mobile = person_name(owner, seed), person_mobile(owner, seed)
                area = randint(4000, 18000)
                created = ts(start + (h - first) // 200)  # an import writes ~200 a second
                yield (
                    f"{h}{prefix}{room}\t{floor}\t{area // 100}.{area % 100:02d}\t"
                    f"{unit.path}h{h:010d}/\t{invite_code(h, seed)}\t{name}\t{mobile}\t"
                    f"{created}\t{created}\n"
                )

    ctx.copy(
        "places_household",
        "id, unit_id, room, floor, area, path, invite_code, owner_name, owner_mobile,"
        " created_at, updated_at",
        lines(),
    )
