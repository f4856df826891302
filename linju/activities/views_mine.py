# Placeholder: the resident pages are being written.
from django.http import HttpResponse
from django.urls import path

urlpatterns = [path("", lambda request: HttpResponse("activities"), name="home")]
