"""The JSON API under /api/v1/ (django-ninja). Routers live in each app's api.py."""

from ninja import NinjaAPI

from linju.core.api_support import LocalSwagger, install_error_handlers, session_or_token

api = NinjaAPI(
    title="Linju API",
    version="1",
    description=(
        "Linju (邻聚) JSON API. Authenticate with the page session (unsafe methods need the "
        "`X-CSRFToken` header) or a personal token: `Authorization: Bearer lj_…`. Lists take "
        "`limit` (≤ 100) and `offset` and return `{items, count, next}`. Errors are "
        "`{code, message, errors: [{field, message}]}`."
    ),
    urls_namespace="api",
    auth=session_or_token,
    docs=LocalSwagger(),
    docs_url="/docs",
)
install_error_handlers(api)

from linju.activities.api import router as activities_router  # noqa: E402
from linju.core.api import router as core_router  # noqa: E402
from linju.deliberation.api import router as deliberation_router  # noqa: E402
from linju.mutualaid.api import router as mutualaid_router  # noqa: E402
from linju.notices.api import router as notices_router  # noqa: E402
from linju.people.api import router as people_router  # noqa: E402
from linju.people.api_roster import router as roster_router  # noqa: E402
from linju.places.api import router as places_router  # noqa: E402
from linju.points.api import router as points_router  # noqa: E402
from linju.projects.api import router as projects_router  # noqa: E402
from linju.ratings.api import router as ratings_router  # noqa: E402
from linju.reports.api import router as reports_router  # noqa: E402
from linju.services.api import router as services_router  # noqa: E402
from linju.surveys.api import router as surveys_router  # noqa: E402

api.add_router("/", core_router)
api.add_router("/places", places_router)
api.add_router("/people", people_router)
api.add_router("/people/roster", roster_router)
api.add_router("/reports", reports_router)
api.add_router("/deliberation", deliberation_router)
api.add_router("/ratings", ratings_router)
api.add_router("/points", points_router)
api.add_router("/activities", activities_router)
api.add_router("/projects", projects_router)
api.add_router("/surveys", surveys_router)
api.add_router("/services", services_router)
api.add_router("/mutualaid", mutualaid_router)
api.add_router("/notices", notices_router)
