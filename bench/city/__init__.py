"""The city generator's stages, in the order they run (see bench/generate.py).

To add data for a new benchmark, write a module with a `fill(ctx)` that writes its rows with
ctx.copy() (ids from ctx.plan or ctx.next_id(), randomness from ctx.rng only) and add one
Stage line below, before the vacuum. Later stages may read what earlier ones wrote; never the
reverse.
"""

from . import audit, ballots, contest, inbox, party, people, places, reports, roles, vacuum
from .copy import Stage

STAGES = [
    Stage("places", places.fill_places, lambda plan: plan.places),
    Stage("grids", places.fill_grids, lambda plan: len(plan.grids) + len(plan.buildings)),
    Stage("households", places.fill_households, lambda plan: plan.households),
    Stage("users", people.fill_users, lambda plan: plan.users),
    Stage("residencies", people.fill_residencies, people.expected_residencies),
    Stage("roles", roles.fill_roles, roles.expected_roles),
    Stage("party", party.fill_party, party.expected_party),
    Stage("inbox", inbox.fill_inbox, inbox.expected_inbox),
    Stage("audit", audit.fill_audit, audit.expected_audit),
    Stage("reports", reports.fill_reports, reports.expected_reports),
    Stage("ballot_estate", ballots.fill, ballots.expected),
    Stage("contest_100k", contest.fill, contest.expected),
    # New stages go above this line: the vacuum stays last.
    Stage("vacuum", vacuum.fill_vacuum, transaction=False),
]
