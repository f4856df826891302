from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from .api import api
from .core import views as core_views
from .core.api_support import api_not_found
from .people import views_auth as people_auth_views

urlpatterns = [
    path("", include("linju.core.urls")),
    path("", include("linju.people.urls")),
    path("places/", include("linju.places.urls")),
    path("reports/", include("linju.reports.urls")),
    path("deliberation/", include("linju.deliberation.urls")),
    path("ratings/", include("linju.ratings.urls")),
    path("points/", include("linju.points.urls")),
    path("activities/", include("linju.activities.urls")),
    path("projects/", include("linju.projects.urls")),
    path("surveys/", include("linju.surveys.urls")),
    path("services/", include("linju.services.urls")),
    path("mutualaid/", include("linju.mutualaid.urls")),
    path("notices/", include("linju.notices.urls")),
    path("open311/v2/", include("linju.reports.open311.urls")),
    path("api/v1/", api.urls),
    re_path(r"^api/", api_not_found),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("admin/login/", people_auth_views.admin_login),
    path("admin/", admin.site.urls),
]

# A database that cannot be reached answers 503, any other uncaught error 500 (core.outage).
handler500 = "linju.core.outage.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(
        settings.MEDIA_URL, view=core_views.media, document_root=settings.MEDIA_ROOT
    )
