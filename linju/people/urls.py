from django.urls import include, path

app_name = "people"
urlpatterns = [
    path("", include("linju.people.urls_auth")),
    path("", include("linju.people.urls_households")),
    path("", include("linju.people.urls_roster")),
]
