"""The wish wall tests read page wording in English (zh-Hans is the default)."""

import pytest
from django.conf import settings

from linju.mutualaid import services


@pytest.fixture(autouse=True)
def _english_client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def wish(city, who="owner", **kw):
    kw.setdefault("kind", "need")
    kw.setdefault("title", "帮忙取快递")
    return services.create_post(user=city.users[who], **kw)
