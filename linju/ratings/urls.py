from . import views_awards, views_contests, views_rounds, views_rubrics

app_name = "ratings"

urlpatterns = [
    *views_contests.urlpatterns,
    *views_awards.urlpatterns,
    *views_rounds.urlpatterns,
    *views_rubrics.urlpatterns,
]
