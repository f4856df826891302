"""Pluggable SMS senders for one-time codes, chosen by settings.SMS_SENDER (like EMAIL_BACKEND)."""

import json
import logging
import sys
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)
outbox: list[tuple[str, str]] = []  # filled by LocmemSender, read by tests


class ConsoleSender:
    def send(self, mobile: str, text: str) -> None:
        sys.stdout.write(f"[SMS to {mobile}] {text}\n")
        sys.stdout.flush()


class LocmemSender:
    def send(self, mobile: str, text: str) -> None:
        outbox.append((mobile, text))


class WebhookSender:
    """POSTs {"mobile", "text"} as JSON to LINJU_SMS_WEBHOOK_URL (an SMS gateway adapter)."""

    def send(self, mobile: str, text: str) -> None:
        request = urllib.request.Request(
            settings.SMS_WEBHOOK_URL,
            data=json.dumps({"mobile": mobile, "text": text}, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()


def get_sender():
    return import_string(settings.SMS_SENDER)()
