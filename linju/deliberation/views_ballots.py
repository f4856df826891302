"""Deliberation pages: ballots."""

urlpatterns = []
