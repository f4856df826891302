"""Core routes: home pages, the inbox, the audit log, elder mode, health; /api/v1/me and
/api/v1/audit. Rules: linju/core/access.py (core.view_audit), core/views.py (staff_required:
any role that is not resident or owner)."""

from .policy import Anywhere, Everyone, HasRole, Is, LoggedIn
from .spec import Route

APP = "core"

# The staff desk is for anyone holding a role that is not resident or owner (core.views.
# is_staff_member): every granted role, and the party liaison household.
STAFF = HasRole(
    "unit_head",
    "building_head",
    "floor_head",
    "grid_worker",
    "community_staff",
    "property_manager",
    "owners_committee",
    "partner",
    "subdistrict_admin",
    "party_liaison",
)
# What the desk's panels count: one more of them in C2 must not move a C1 person's numbers.
DESK_COUNTS = (
    "residency",
    "report",
    "topic",
    "meeting",
    "ballot",
    "contest",
    "item",
    "activity",
    "team",
)

PAGES = {
    "": Route(Everyone(), why="public: the landing page, or the person's own home page"),
    "staff/": Route(STAFF, counts=DESK_COUNTS, why="the staff desk, with each app's counts"),
    "notifications/": Route(LoggedIn(), why="the person's own inbox"),
    "notifications/read/": Route(
        LoggedIn(), get=405, why="POST only: marks the person's own notifications read"
    ),
    "me/notifications/preferences/": Route(LoggedIn(), why="the person's own settings"),
    "staff/audit/": Route(
        Anywhere("core.view_audit"),
        counts=("residency", "report"),
        why="the audit log of the scope",
    ),
    "me/elder-mode/": Route(Everyone(), get=405, why="public, POST only: a display preference"),
    "healthz": Route(Everyone(), why="public: the load balancer's probe"),
}

API = {
    "GET /me": Route(LoggedIn(), why="the caller's own profile"),
    "GET /me/data": Route(LoggedIn(), why="the caller's own data (PIPL)"),
    "GET /me/notifications": Route(LoggedIn(), why="the caller's own inbox"),
    "POST /me/notifications/read": Route(LoggedIn(), why="the caller's own inbox"),
    "GET /me/tokens": Route(LoggedIn(), why="the caller's own tokens"),
    "POST /me/tokens": Route(LoggedIn(), why="the caller's own tokens"),
    "DELETE /me/tokens/{token_id}": Route(
        Is("owner"), params={"token_id": "token"}, why="only the token's owner"
    ),
    "GET /audit": Route(
        Anywhere("core.view_audit"),
        counts=("residency", "report"),
        why="the audit log of the scope",
    ),
}
