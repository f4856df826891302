"""The JSON API of deliberation: topics."""

from ninja import Router

router = Router(tags=["deliberation"])
