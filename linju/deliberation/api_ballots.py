"""The JSON API of deliberation: ballots."""

from ninja import Router

router = Router(tags=["deliberation"])
