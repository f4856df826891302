"""Malformed input to the ratings write routes is answered 4xx, never 500."""

import pytest

pytestmark = pytest.mark.django_db
# Malformed values a client may send: empty, words, huge and negative numbers, NaN, a NUL, an
# impossible month, null.
BAD = ["", "x", "9" * 30, "-1", "1e999", "NaN", "\x00", "2026-13", None]


def test_the_api_answers_malformed_input_without_a_500(contested, client):
    client.force_login(contested.manager)
    for bad in BAD:
        r = client.post(
            "/api/v1/ratings/rounds",
            {"contest": bad, "period": bad},
            content_type="application/json",
        )
        assert r.status_code < 500, bad
        r = client.post(
            "/api/v1/ratings/contests",
            {"place": bad, "name": bad, "rubric": bad, "flags": bad},
            content_type="application/json",
        )
        assert r.status_code < 500, bad
