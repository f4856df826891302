"""/api/v1/services (being built)."""

from ninja import Router

router = Router(tags=["services"])
