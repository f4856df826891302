"""Deliberation pages under /deliberation/: topics and procedures, meetings, ballots."""

from . import views_ballots, views_meetings, views_settings, views_topics

app_name = "deliberation"
urlpatterns = [
    *views_topics.urlpatterns,
    *views_meetings.urlpatterns,
    *views_ballots.urlpatterns,
    *views_settings.urlpatterns,
]
