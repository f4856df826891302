"""surveys: entries of the access matrix (being built)."""

APP = "surveys"

PAGES = {}

API = {}
