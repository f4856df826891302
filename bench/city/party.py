"""Stage "party": the party overlay (社区党委 → 网格党支部), members drawn from each grid's
residents, and 党员中心户: members' own households, each serving households of its building."""

from .copy import DAY, NULL, day_text

MEMBER_SHARE = 0.03  # residents who are party members
HOUSEHOLDS_PER_LIAISON = 30
SERVED_PER_LIAISON = 10


def fill_party(ctx):
    plan, rng = ctx.plan, ctx.rng
    random_, randint = rng.random, rng.randint
    orgs, memberships, liaisons, served = [], [], [], []

    def joined_party():
        return day_text(plan.anchor - randint(365, 40 * 365) * DAY)

    committee_of = {}
    for c in plan.communities:
        pk = len(orgs) + 1
        committee_of[c.index] = pk
        orgs.append((pk, "committee", f"{c.name}党委", NULL, NULL, c.id))
        # The community's first two workers lead its committee.
        memberships.append((pk, c.staff[0], "书记", joined_party()))
        memberships.append((pk, c.staff[1], "副书记", joined_party()))
    for g in plan.grids:
        comm = plan.communities[g.community]
        branch = len(orgs) + 1
        name = f"{comm.name}{g.name}党支部"
        orgs.append((branch, "branch", name, g.id, committee_of[comm.index], comm.id))
        seen = set()
        positions = iter(("书记", "委员", "委员"))
        for b in g.buildings:
            building = plan.buildings[b]
            homes = {}  # household → its first member, in this building
            for h in range(building.first, building.end):
                for uid in plan.members(h):
                    if uid in seen or random_() >= MEMBER_SHARE:
                        continue
                    seen.add(uid)
                    position = next(positions, "")
                    memberships.append((branch, uid, position, joined_party()))
                    if position == "书记":
                        memberships.append((committee_of[comm.index], uid, "委员", joined_party()))
                    homes.setdefault(h, uid)
            count = min(len(homes), round((building.end - building.first) / HOUSEHOLDS_PER_LIAISON))
            chosen = rng.sample([(uid, h) for h, uid in homes.items()], count)
            own = {h for _, h in chosen}
            others = [h for h in range(building.first, building.end) if h not in own]
            rng.shuffle(others)
            for i, (uid, h) in enumerate(chosen):
                liaisons.append((len(liaisons) + 1, uid, h, branch))
                lid = len(liaisons)
                for s in others[i * SERVED_PER_LIAISON : (i + 1) * SERVED_PER_LIAISON]:
                    served.append((lid, s))

    ctx.copy(
        "people_partyorganisation",
        "id, kind, name, grid_id, parent_id, place_id",
        ("\t".join(map(str, row)) + "\n" for row in orgs),
    )
    ctx.copy(
        "people_partymembership",
        "id, organisation_id, user_id, position, joined_at",
        (f"{pk}\t{o}\t{u}\t{p}\t{d}\n" for pk, (o, u, p, d) in enumerate(memberships, 1)),
    )
    ctx.copy(
        "people_liaisonhousehold",
        "id, member_id, household_id, organisation_id",
        (f"{pk}\t{u}\t{h}\t{o}\n" for pk, u, h, o in liaisons),
    )
    ctx.copy(
        "people_liaisonhousehold_served",
        "id, liaisonhousehold_id, household_id",
        (f"{pk}\t{lid}\t{h}\n" for pk, (lid, h) in enumerate(served, 1)),
    )


def expected_party(plan) -> int:
    members = round(plan.residents * MEMBER_SHARE)
    liaisons = plan.households // HOUSEHOLDS_PER_LIAISON
    return len(plan.communities) + len(plan.grids) + members + liaisons * (1 + SERVED_PER_LIAISON)
