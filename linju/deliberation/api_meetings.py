"""The JSON API of deliberation: meetings."""

from ninja import Router

router = Router(tags=["deliberation"])
