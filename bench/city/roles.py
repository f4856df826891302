"""Stage "roles": staff role grants bound to places or grids (people.RoleGrant), top down:
subdistrict admins, then who they appoint, then who community workers appoint."""

from .copy import DAY, NULL, ts
from .people import staff_joined

OWNERS_COMMITTEE = 3
UNIT_HEAD_SHARE = 0.5  # units with a unit head

COLUMNS = (
    "id, user_id, role, place_id, grid_id, granted_by_id, granted_at, revoked_at, revoked_by_id,"
    " scope_path"
)


def fill_roles(ctx):
    plan, rng = ctx.plan, ctx.rng
    randint, choice, random_ = rng.randint, rng.choice, rng.random
    latest = plan.anchor - 3600
    rows = []

    def grant(uid, role, place, grid, by, at):
        rows.append((uid, role, place, grid, by, min(at, latest)))

    def resident_grant(uid, role, place, by):
        # After their own verification (at most a few days after sign-up).
        start = plan.joined(uid) + 4 * DAY
        grant(uid, role, place, NULL, by, start + randint(0, min(90 * DAY, latest - start)))

    for s in plan.subdistricts:
        first, second = s.staff
        grant(first, "subdistrict_admin", s.id, NULL, NULL, staff_joined(plan, first) + DAY)
        grant(second, "subdistrict_admin", s.id, NULL, first, staff_joined(plan, second) + DAY)
    for c in plan.communities:
        admin = plan.subdistricts[c.parent].staff[0]
        *workers, partner = c.staff
        for uid in workers:
            grant(uid, "community_staff", c.id, NULL, admin, staff_joined(plan, uid) + 2 * DAY)
        grant(partner, "partner", c.id, NULL, admin, staff_joined(plan, partner) + 2 * DAY)
    for e in plan.estates:
        boss = plan.communities[e.community].staff[0]
        manager = e.staff[0]
        grant(manager, "property_manager", e.id, NULL, boss, staff_joined(plan, manager) + 3 * DAY)
        owners = list(dict.fromkeys(u for u in plan.owner_uid[e.first : e.end] if u))
        for uid in rng.sample(owners, min(OWNERS_COMMITTEE, len(owners))):
            resident_grant(uid, "owners_committee", e.id, boss)
    for g in plan.grids:
        boss = plan.communities[g.community].staff[0]
        grant(g.worker, "grid_worker", NULL, g.id, boss, staff_joined(plan, g.worker) + 3 * DAY)
    for b in plan.buildings:
        staff = plan.community_staff(plan.communities[b.community])
        members = [u for h in range(b.first, b.end) for u in plan.members(h)]
        if members:
            resident_grant(choice(members), "building_head", b.id, choice(staff))
        for u in b.children:
            unit = plan.units[u]
            members = [m for h in range(unit.first, unit.end) for m in plan.members(h)]
            if members and random_() < UNIT_HEAD_SHARE:
                resident_grant(choice(members), "unit_head", unit.id, choice(staff))

    ctx.copy(
        "people_rolegrant",
        COLUMNS,
        (
            f"{pk}\t{uid}\t{role}\t{place}\t{grid}\t{by}\t{ts(at)}\t{NULL}\t{NULL}\t\n"
            for pk, (uid, role, place, grid, by, at) in enumerate(rows, 1)
        ),
    )
    # Empty in the COPY (the column is NOT NULL), then as RoleGrant.save() sets it: the
    # place's path, or the grid's community's.
    ctx.conn.execute(
        "UPDATE people_rolegrant g SET scope_path = coalesce("
        " (SELECT p.path FROM places_place p WHERE p.id = g.place_id),"
        " (SELECT c.path FROM places_grid gr JOIN places_place c ON c.id = gr.community_id"
        "  WHERE gr.id = g.grid_id))"
    )


def expected_roles(plan) -> int:
    return (
        2 * len(plan.subdistricts)
        + 7 * len(plan.communities)
        + 4 * len(plan.estates)
        + len(plan.grids)
        + len(plan.buildings)
        + len(plan.units) // 2
    )
