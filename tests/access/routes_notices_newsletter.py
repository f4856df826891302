"""Access matrix of the notices app (newsletter): filled by its author."""

APP = "notices"
PAGES = {}
API = {}
