"""What the API fuzzer (linju/core/tests/test_api_fuzz.py) found in the deliberation routes."""

import pytest
from django.urls import reverse

from linju.core.tests.test_api import api_client, assert_error, post

from .test_meetings_services import clock, noticed

__all__ = ["clock"]

pytestmark = pytest.mark.django_db


def test_a_check_in_code_with_non_ascii_characters_is_refused_not_a_500(city, clock):
    """secrets.compare_digest raised TypeError on a str with non-ASCII characters: the API's
    check-in and the page the QR code opens were a 500 for a code like `签到`."""
    meeting = noticed(city, "owner")
    owner = city.users["owner"]
    response = post(
        api_client(owner), f"/deliberation/meetings/{meeting.pk}/check-in", {"token": "签到"}
    )
    assert_error(response, 422, "invalid", "token")
    page = api_client(owner).get(reverse("deliberation:checkin", args=[meeting.pk, "签到"]))
    assert page.status_code == 422 and page.context["problem"]  # the page says what is wrong
