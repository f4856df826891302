# Placeholder: the desk pages are being written.
from django.http import HttpResponse
from django.urls import path

urlpatterns = [path("desk/", lambda request: HttpResponse("desk"), name="desk")]
