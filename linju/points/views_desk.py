from django.http import HttpResponse
from django.urls import path


def todo(request, **kwargs):
    return HttpResponse("")


urlpatterns = [
    path("desk/", todo, name="desk"),
]
