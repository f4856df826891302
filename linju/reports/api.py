"""The reports router of /api/v1/."""

from ninja import Router

router = Router(tags=["reports"])
