"""Helpers shared by the account page tests."""

import re

from django.urls import reverse

PASSWORD = "pass-Word-9"  # the `city` fixture's password
NEW_PASSWORD = "Lantern-river-42"


def ask_code(client, capture, mobile, purpose="signup"):
    """POST to the send-code endpoint as htmx does; SMS go out after commit, hence `capture`."""
    with capture(execute=True):
        return client.post(
            reverse("people:send_code"),
            {"mobile": mobile, "purpose": purpose},
            headers={"HX-Request": "true"},
        )


def last_code(outbox, mobile):
    texts = [text for to, text in outbox if to == mobile]
    assert texts, f"no SMS sent to {mobile}"
    return re.search(r"\b(\d{6})\b", texts[-1]).group(1)


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")
