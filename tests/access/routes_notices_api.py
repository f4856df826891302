"""Access matrix of the notices app (api): filled by its author."""

APP = "notices"
PAGES = {}
API = {}
