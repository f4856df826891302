"""Stage "audit": the events linju.core.audit.record() writes for what earlier stages made —
"residency.verify" for each member a worker verified, "role.grant" for each grant — derived in
SQL from those rows, field by field as record() fills them, in time order."""

from .inbox import ROLE_LABELS

# object_repr is str(obj): "<user> @ <household id> (<relation>)" for a Residency and
# "<user> · <role label> · <scope>" for a RoleGrant, where str(user) is the name or the mobile.
EVENTS = """
INSERT INTO core_auditevent
    (id, created_at, actor_id, verb, object_type, object_id, object_repr, scope_path, data)
SELECT %(first)s - 1 + row_number() OVER (ORDER BY e.created_at, e.verb, e.n),
       e.created_at, e.actor_id, e.verb, e.object_type, e.n::text, left(e.repr, 200),
       e.scope_path, e.data
FROM (
    SELECT r.decided_at AS created_at, r.decided_by_id AS actor_id, 'residency.verify' AS verb,
           'people.residency' AS object_type, r.id AS n,
           coalesce(nullif(u.name, ''), u.mobile) || ' @ ' || r.household_id
               || ' (' || r.relation || ')' AS repr,
           h.path AS scope_path,
           jsonb_build_object('reason', r.reason, 'relation', r.relation) AS data
    FROM people_residency r
    JOIN people_user u ON u.id = r.user_id
    JOIN places_household h ON h.id = r.household_id
    WHERE r.status = 'verified' AND r.source <> 'roster'
    UNION ALL
    SELECT g.granted_at, g.granted_by_id, 'role.grant', 'people.rolegrant', g.id,
           coalesce(nullif(u.name, ''), u.mobile) || ' · ' || l.label || ' · '
               || coalesce(p.name, gr.name),
           coalesce(p.path, c.path),
           jsonb_build_object('user', g.user_id, 'role', g.role, 'place', g.place_id,
                              'grid', g.grid_id)
    FROM people_rolegrant g
    JOIN people_user u ON u.id = g.user_id
    JOIN (SELECT * FROM jsonb_each_text(%(labels)s)) l (role, label) ON l.role = g.role
    LEFT JOIN places_place p ON p.id = g.place_id
    LEFT JOIN places_grid gr ON gr.id = g.grid_id
    LEFT JOIN places_place c ON c.id = gr.community_id
) e
"""


def fill_audit(ctx):
    from psycopg.types.json import Jsonb

    first = ctx.next_id("core_auditevent")
    ctx.conn.execute("SET LOCAL work_mem = '256MB'")  # the time-order sort stays in memory
    # Seven indexes on a table filled 1.2 million rows at once: built after the rows, the
    # stage takes 15 s instead of 25 s (city preset).
    with ctx.indexes_rebuilt("core_auditevent"):
        ctx.insert("core_auditevent", EVENTS, {"first": first, "labels": Jsonb(ROLE_LABELS)})


def expected_audit(plan) -> int:
    from .roles import expected_roles

    return sum(plan.n_other) + expected_roles(plan)
