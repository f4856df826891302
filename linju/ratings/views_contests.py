from django.http import HttpResponse
from django.urls import path


def todo(request, **kwargs):
    return HttpResponse("")


urlpatterns = [
    path("", todo, name="home"),
    path("desk/", todo, name="desk"),
    path("contests/<int:pk>/", todo, name="contest"),
    path("contests/<int:pk>/awards/<int:year>/", todo, name="awards"),
    path("contests/<int:pk>/awards/<int:year>.xlsx", todo, name="awards_xlsx"),
    path("places/<int:pk>/", todo, name="place"),
]
