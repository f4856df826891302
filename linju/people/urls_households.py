from django.urls import path

from . import views_households as v

urlpatterns = [
    path("me/household/bind/", v.bind, name="bind"),
    path("me/household/join/<str:invite_code>/", v.join, name="join"),
    path("me/household/options/", v.bind_options, name="bind_options"),
    path("me/household/<int:residency_id>/end/", v.end_residency, name="end_residency"),
    path("people/verify/", v.verify_queue, name="verify_queue"),
    path("people/roles/", v.roles, name="roles"),
    path("people/roles/places/", v.role_places, name="role_places"),
    path("people/roles/<int:grant_id>/revoke/", v.revoke_role, name="revoke_role"),
    path("people/party/", v.party, name="party"),
    path("people/party/liaison/<int:liaison_id>/", v.party_served, name="party_served"),
    path("places/<int:place_id>/invites/", v.invites, name="invites"),
]
