app_name = "mutualaid"

urlpatterns = []
