"""What the load harness asks of Linju: every hot path, who asks for it and how often.

One table serves both ways of running (bench/load.py): each path alone at full concurrency, to
compare its throughput and latency with the floor's, and all of them together in the mix a
real day brings (residents on their phones far outnumber staff at their desks). Later issues
add their flows here: one `Path` row each, with the role that uses it and its weight in the mix.

Pure data, so the orchestrator imports it without gevent and the locustfile without Django.
"""

import random
import string
from dataclasses import dataclass

PAGE = 50  # the page size the list paths ask for

# Roles of the credential pools bench/load.py prepares (see `pools` there). "anonymous" has no
# credentials; "api" is a community worker's script using a personal API token; "reporter" is
# a resident who has filed reports; "heavy_admin" an administrator of the subdistrict the
# generator gave 40% of the city's reports (2,000,000 at city scale: issue 4's worst case).
ROLES = (
    "anonymous",
    "resident",
    "reporter",
    "community_staff",
    "grid_worker",
    "subdistrict_admin",
    "heavy_admin",
    "api",
)

# How the simulated clients split between roles in the mix.
ROLE_WEIGHTS = {
    "anonymous": 8,
    "resident": 62,
    "reporter": 8,
    "community_staff": 8,
    "grid_worker": 4,
    "subdistrict_admin": 1,
    "heavy_admin": 1,
    "api": 8,
}

# Snap-and-report's URLs (linju/reports/urls.py, linju/reports/api.py), in one place.
REPORTS = {
    "queue": "/reports/desk/",
    "desk report": "/reports/desk/{report_id}/",
    "mine": "/reports/",
    "report": "/reports/{report_id}/",
    "api queue": "/api/v1/reports?limit=50",
    "api report": "/api/v1/reports/{report_id}",
}


@dataclass(frozen=True)
class Path:
    """One hot path. `url` may name fields of the client's credential ({household_id}, …) and
    {X_offset}, a random page of the credential's X_count rows (see `fill`). `budget` is False
    for what a user does not wait on as a read (login is a deliberately slow password check)."""

    name: str
    role: str
    url: str
    weight: int = 1
    method: str = "GET"
    budget: bool = True


FLOOR = Path("floor: minimal JSON, no database", "anonymous", "/healthz")

PATHS = [
    FLOOR,
    Path("anonymous: landing page", "anonymous", "/", weight=3),
    Path("anonymous: login page", "anonymous", "/accounts/login/", weight=2),
    Path("resident: home", "resident", "/", weight=8),
    Path("resident: inbox", "resident", "/notifications/", weight=3),
    Path("resident: api me (profile, households)", "resident", "/api/v1/me", weight=4),
    Path(
        "resident: api my household",
        "resident",
        "/api/v1/places/households/{household_id}",
        weight=3,
    ),
    Path("resident: api my residencies", "resident", "/api/v1/people/residencies/mine", weight=1),
    Path("resident: api estates to bind", "resident", "/api/v1/people/directory/estates"),
    Path("staff: desk home", "community_staff", "/staff/", weight=3),
    Path("staff: verification queue", "community_staff", "/people/verify/", weight=3),
    Path("staff: audit log", "community_staff", "/staff/audit/"),
    Path("staff: role grants", "community_staff", "/people/roles/"),
    Path("staff: party organisation", "community_staff", "/people/party/"),
    Path("grid worker: desk home", "grid_worker", "/staff/", weight=2),
    Path("grid worker: verification queue", "grid_worker", "/people/verify/", weight=2),
    Path("subdistrict: desk home", "subdistrict_admin", "/staff/"),
    Path("subdistrict: audit log", "subdistrict_admin", "/staff/audit/"),
    Path(
        "api: households page",
        "api",
        "/api/v1/places/households?limit=50&offset={households_offset}",
        weight=3,
    ),
    Path("api: one household", "api", "/api/v1/places/households/{household_id}", weight=3),
    Path("api: pending residencies", "api", "/api/v1/people/residencies/pending?limit=50"),
    Path(
        "api: buildings", "api", "/api/v1/places?kind=building&limit=50&offset={buildings_offset}"
    ),
    Path("api: grids", "api", "/api/v1/places/grids?limit=50"),
    # Snap-and-report (issue 4). The heavy subdistrict's desk and queue read 2,000,000 reports
    # at city scale; its report ids are drawn from all of them.
    Path("heavy subdistrict: desk home", "heavy_admin", "/staff/", weight=2),
    Path("heavy subdistrict: report queue", "heavy_admin", REPORTS["queue"], weight=3),
    Path(
        "heavy subdistrict: report queue, all statuses",
        "heavy_admin",
        REPORTS["queue"] + "?status=all",
    ),
    Path("heavy subdistrict: report page", "heavy_admin", REPORTS["desk report"], weight=4),
    Path("grid worker: report queue", "grid_worker", REPORTS["queue"], weight=2),
    Path("resident: my reports", "reporter", REPORTS["mine"], weight=4),
    Path("resident: my report page", "reporter", REPORTS["report"], weight=4),
    Path("api: reports queue", "api", REPORTS["api queue"], weight=2),
    Path("api: one report", "api", REPORTS["api report"], weight=2),
]

# Measured alone, not in the mix: every login runs argon2 on purpose.
LOGIN = Path("anonymous: log in (argon2)", "anonymous", "/accounts/login/", method="POST")


def by_name(name: str) -> Path:
    for path in [*PATHS, LOGIN]:
        if path.name == name:
            return path
    raise KeyError(name)


def fill(url: str, cred: dict) -> str:
    """Put the credential's values into the URL: a list gives a random member, `X_offset` a
    random page of a list of `X_count` rows."""
    values = {}
    for _, field, _, _ in string.Formatter().parse(url):
        if not field:
            continue
        if field.endswith("_offset"):
            count = cred.get(field.removesuffix("_offset") + "_count", 0)
            values[field] = random.randrange(0, max(count, 1), PAGE)
        else:
            value = cred[field]
            values[field] = random.choice(value) if isinstance(value, list) else value
    return url.format(**values)
