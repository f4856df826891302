from . import views

app_name = "services"

urlpatterns = views.urlpatterns
