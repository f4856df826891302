"""The JSON API of ratings under /api/v1/ratings/."""

from ninja import Router

from .api_rounds import router as rounds_router
from .api_rubrics import router as rubrics_router

router = Router()
router.add_router("/rubrics", rubrics_router)
router.add_router("/", rounds_router)
