from django.http import HttpResponse
from django.urls import path


def todo(request, **kwargs):
    return HttpResponse("")


urlpatterns = [
    path("", todo, name="home"),
    path("history/", todo, name="history"),
    path("certificate/", todo, name="certificate"),
    path("shop/", todo, name="shop"),
    path("shop/<int:pk>/", todo, name="item"),
    path("redemptions/<int:pk>/", todo, name="redemption"),
]
