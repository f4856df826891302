"""Malformed input to every activities page, resident and desk, each form action: answered
with the page or a 4xx, never a 500 (a NUL reaches PostgreSQL as an error if unchecked)."""

from django.urls import reverse

from .conftest import started

BAD = ["x", "9" * 30, "\x00", "2026-13"]
ACTIONS = [
    "accept", "cancel", "check_in", "confirm", "decide", "decline", "delete_photo", "join",
    "leave", "member", "photos", "reject", "remove", "service", "set", "sign_up", "update", "",
]  # fmt: skip
FIELDS = [
    "place", "title", "kind", "venue", "starts_at", "ends_at", "capacity", "service_minutes",
    "team", "group", "description", "reason", "mobile", "role", "person", "sign_up_ids",
    "served_on", "minutes", "what", "confirm", "skill", "note", "visibility", "message",
    "activity", "project", "invitation", "photo", "caption", "name", "open_to_join", "active",
    "record", "leader_mobile", "month", "text", "within", "page", "ipage",
]  # fmt: skip


def _urls(hood):
    party, team = hood.party.pk, hood.patrol.pk
    mine = ["activities:home", "activities:mine", "activities:teams", "activities:groups"]
    mine += ["activities:talents"]
    desk = ["activities:desk", "activities:desk_figures", "activities:desk_figures_xlsx"]
    desk += ["activities:desk_activities", "activities:desk_activity_new"]
    desk += ["activities:desk_services", "activities:desk_teams", "activities:desk_groups"]
    desk += ["activities:desk_talents"]
    with_pk = [
        ("activities:activity", party),
        ("activities:team", team),
        ("activities:desk_activity", party),
        ("activities:desk_activity_edit", party),
        ("activities:desk_team", team),
    ]
    return [reverse(n) for n in mine + desk] + [reverse(n, args=[pk]) for n, pk in with_pk]


def test_the_pages_answer_malformed_input_without_a_500(hood, client):
    started(hood.party)
    urls = _urls(hood)
    # Staff reach every page and form; the leader's view of the team page differs (decisions).
    for user, pages in (
        (hood.staff, urls),
        (hood.leader, [reverse("activities:team", args=[hood.patrol.pk])]),
    ):
        client.force_login(user)
        for url in pages:
            for bad in BAD:
                assert client.get(url, {f: bad for f in FIELDS}).status_code < 500, (url, bad)
                for action in ACTIONS:
                    data = {f: bad for f in FIELDS} | {"action": action}
                    r = client.post(url, data)
                    assert r.status_code < 500, (url, action, bad)
    code = hood.party.check_in_code
    client.force_login(hood.member)
    for bad in BAD:
        r = client.post(reverse("activities:check_in", args=[code]), {"code": bad})
        assert r.status_code < 500, bad
