"""Our report statuses as Open311 sees them: GeoReport v2 knows only `open` and `closed`;
mySociety's extension (FixMyStreet) adds finer states, requested with `extended_statuses=true`.
docs/open311.md has the table with the reasoning."""

from ..models import Status

OPEN = "open"
CLOSED = "closed"

# The spec: open = "it has been reported", closed = "it has been resolved". A resolved report
# waits only for the reporter's confirmation, and a rejection is the report's final answer.
SIMPLE = {
    Status.SUBMITTED: OPEN,
    Status.ACCEPTED: OPEN,
    Status.DISPATCHED: OPEN,
    Status.IN_PROGRESS: OPEN,
    Status.REOPENED: OPEN,
    Status.RESOLVED: CLOSED,
    Status.CLOSED: CLOSED,
    Status.REJECTED: CLOSED,
    Status.MERGED: CLOSED,
}

# FixMyStreet's names (lower case, as its open311-adapter sends them; its client lower-cases
# whatever it receives). Every extended name keeps the open/closed side of SIMPLE: FixMyStreet
# closes a report on fixed, duplicate, not_councils_responsibility, no_further_action,
# internal_referral and closed.
EXTENDED = {
    # Reported, nobody has taken it on yet.
    Status.SUBMITTED: "open",
    # 立案: taken on, the handling level is looking into it.
    Status.ACCEPTED: "investigating",
    # 派遣: a handler has it; the work is planned.
    Status.DISPATCHED: "action_scheduled",
    Status.IN_PROGRESS: "in_progress",
    # The reporter said "not solved": open again, as FixMyStreet's OPEN re-opens a report.
    Status.REOPENED: "open",
    # The handler answered that it is fixed; the reporter may still confirm.
    Status.RESOLVED: "fixed",
    # Confirmed by the reporter, or closed 7 days after the handler's answer: fixed either way.
    Status.CLOSED: "fixed",
    # Not a case for the platform (不予受理): the reason is in status_notes.
    Status.REJECTED: "not_councils_responsibility",
    Status.MERGED: "duplicate",
}

# Statuses behind each value of the `status` filter of GET requests.
BY_SIMPLE = {
    OPEN: [s for s, v in SIMPLE.items() if v == OPEN],
    CLOSED: [s for s, v in SIMPLE.items() if v == CLOSED and s != Status.MERGED],
}


def open311_status(status: str, *, extended: bool = False) -> str:
    return (EXTENDED if extended else SIMPLE)[status]


def is_closed(status: str) -> bool:
    return SIMPLE[status] == CLOSED
