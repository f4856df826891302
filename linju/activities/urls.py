from . import views_desk, views_mine

app_name = "activities"

urlpatterns = [*views_mine.urlpatterns, *views_desk.urlpatterns]
