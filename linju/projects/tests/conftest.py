"""The co-creation tests read the wording of pages, exports and API answers in English
(zh-Hans is the default): the test client has English chosen, as with the `english` fixture."""

import pytest
from django.conf import settings


@pytest.fixture(autouse=True)
def _english_client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
