"""Deliberation pages: topics."""

urlpatterns = []
