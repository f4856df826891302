"""/surveys/: the pages of surveys (see views.py)."""

from .views import urlpatterns  # noqa: F401

app_name = "surveys"
