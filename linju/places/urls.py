app_name = "places"
urlpatterns = []
