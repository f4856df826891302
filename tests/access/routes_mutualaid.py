"""mutualaid: entries of the access matrix (being built)."""

APP = "mutualaid"

PAGES = {}

API = {}
