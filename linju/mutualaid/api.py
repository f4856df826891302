"""/api/v1/mutualaid (being built)."""

from ninja import Router

router = Router(tags=["mutualaid"])
