"""Access matrix of the notices app (board): filled by its author."""

APP = "notices"
PAGES = {}
API = {}
