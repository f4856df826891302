"""services: entries of the access matrix (being built)."""

APP = "services"

PAGES = {}

API = {}
