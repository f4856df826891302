from django.http import HttpResponse
from django.urls import path


def todo(request, **kwargs):
    return HttpResponse("")


urlpatterns = [
    path("rounds/<int:pk>/", todo, name="round"),
    path("rounds/<int:pk>/score/", todo, name="score"),
    path("rounds/<int:pk>/score/<int:target>/", todo, name="score_target"),
]
