"""/projects: the JSON API of co-creation (共同缔造), mounted at /api/v1/projects. The routes
live in api_lists (needs, resources, partners), api_projects (projects and elevator retrofits)
and api_funds (crowdfunding campaigns and their public accounts)."""

from ninja import Router

from .api_funds import router as funds_router
from .api_lists import router as lists_router
from .api_projects import router as projects_router

router = Router()
router.add_router("", lists_router)
router.add_router("", projects_router)
router.add_router("", funds_router)

__all__ = ["router"]
