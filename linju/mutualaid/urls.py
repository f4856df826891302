from . import views, views_sharing

app_name = "mutualaid"

urlpatterns = [*views.urlpatterns, *views_sharing.urlpatterns]
