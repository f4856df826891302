"""Open311 GeoReport v2 under /open311/v2/. Every resource ends with its format, .xml or .json
(an unknown one is a 404 error list): the spec's paths, plus mySociety's servicerequestupdates.
media_url points at the report pages' photo view (reports:photo)."""

from django.urls import path, re_path

from . import views

app_name = "open311"

FMT = r"\.(?P<fmt>\w+)$"

urlpatterns = [
    path("", views.index, name="index"),
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.service_list, name="services"),
    re_path(r"^services/(?P<service_code>[-\w]+)" + FMT, views.service_definition, name="service"),
    re_path(r"^requests" + FMT, views.service_requests, name="requests"),
    re_path(r"^requests/(?P<request_id>[^/.]+)" + FMT, views.service_request, name="request"),
    re_path(r"^tokens/(?P<token>[^/.]+)" + FMT, views.token, name="token"),
    re_path(r"^servicerequestupdates" + FMT, views.request_updates, name="updates"),
    re_path(r"^(?P<rest>.*)$", views.not_found),
]
