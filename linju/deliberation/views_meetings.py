"""Deliberation pages: meetings."""

urlpatterns = []
