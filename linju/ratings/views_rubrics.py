from django.http import HttpResponse
from django.urls import path


def todo(request, **kwargs):
    return HttpResponse("")


urlpatterns = [
    path("rubrics/", todo, name="rubrics"),
    path("rubrics/<int:pk>/", todo, name="rubric"),
]
