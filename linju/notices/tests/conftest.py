"""Notice board tests read wording in English (zh-Hans is the default). Helpers make notices
on the board of the shared `city` (conftest.py at the root): C1's community staff publish."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from linju.notices import services


@pytest.fixture(autouse=True)
def _english_client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def notice(city, *, who="community_staff", place="C1", publish=True, **kw):
    """A notice of `place`, published unless `publish=False`."""
    kw.setdefault("kind", "announcement")
    kw.setdefault("title", "停水通知")
    kw.setdefault("body", "周三上午九点至十二点停水检修。")
    if kw["kind"] == "disclosure":
        kw.setdefault("disclosure_ends_on", timezone.localdate() + datetime.timedelta(days=7))
    if kw["kind"] in ("good_deed", "uncivil"):
        kw.setdefault("privacy", "nobody")
    return services.create_notice(
        user=city.users[who], place_id=city.places[place].pk, publish=publish, **kw
    )


@pytest.fixture
def announcement(city):
    return notice(city)


@pytest.fixture
def disclosure(city):
    return notice(
        city, kind="disclosure", title="公示: 车棚改造预算", body="预算 12,000 元, 欢迎监督。"
    )
