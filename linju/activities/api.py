"""/activities: the JSON API of activities (月月有活动), volunteer teams and their service,
interest groups and the talent pool (楼组达人库), mounted at /api/v1/activities. The routes live
in api_activities (the calendar and its activities, at the router's root), api_teams and
api_talents."""

from .api_activities import router
from .api_talents import router as talents_router
from .api_teams import router as teams_router

# Fixed paths (/teams, /talents, /check-in…) never meet the activities' `{int:…}` ones.
router.add_router("", teams_router)
router.add_router("", talents_router)

__all__ = ["router"]
