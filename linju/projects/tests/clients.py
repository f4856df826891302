"""A test client with English chosen (zh-Hans is the default), for tests that read wording."""

from django.conf import settings
from django.test import Client


def english_client() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
