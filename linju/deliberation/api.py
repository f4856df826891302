"""The JSON API of deliberation under /api/v1/deliberation/."""

from ninja import Router

from .api_ballots import router as ballots_router
from .api_meetings import router as meetings_router
from .api_settings import router as settings_router
from .api_topics import router as topics_router

router = Router()
router.add_router("/", topics_router)
router.add_router("/meetings", meetings_router)
router.add_router("/ballots", ballots_router)
router.add_router("/settings", settings_router)
