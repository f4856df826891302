"""The access matrix of the JSON API: every operation of the OpenAPI schema × every person of
policy.ROLES × the operation's object inside community C1 and in C2, against the declared
policy. Reads are sent by everyone; an unsafe operation by everyone the policy refuses, who
must get 401 (anonymous), 404 (an object they do not see) or 403, and change nothing.
Requests carry the person's personal token (Authorization: Bearer). An operation without an
entry fails here, naming the module its entry belongs in."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from .checks import (
    Before,
    api_client,
    changed,
    holds_marker,
    normalised,
    other_side_markers,
    refusals,
    rolled_back,
    same_after_one_more,
    standing_still,
    state,
    text_of,
    tried_sides,
    unsafe_sides,
    verdict,
)
from .policy import INSIDE_C1, ROLES, communities_of
from .spec import API, api_operations, api_url, default_body, module_for

pytestmark = pytest.mark.django_db

OPERATIONS = api_operations()


def test_every_entry_is_an_operation():
    stale = sorted(set(API) - set(OPERATIONS))
    assert not stale, f"entries for operations that no longer exist: {stale}"


def sides_of(world, route):
    kind = route.scope_kind
    if kind is None or world.case(kind, "C1").place is None:
        return ["C1"]
    return ["C1", "C2"]


def label(world, who, side, kind):
    if world.case(kind, side).place is None:
        return who
    where = "inside" if side in communities_of(who) else "outside"
    return f"{who} × {kind} of {side} ({where})"


def send(client, method, url, data):
    if any(isinstance(v, SimpleUploadedFile) for v in data.values()):
        return client.post(url, data)
    return client.generic(method, url, json.dumps(data), content_type="application/json")


def check_unsafe(world, op, route, app, who, side, before) -> list[str]:
    method = op.split(" ", 1)[0]
    kind = route.scope_kind
    case = world.case(kind, side)
    if route.rule(who, case):
        return []
    _, url = api_url(op, route.path_values(world, side))
    data = route.data(world, side) if route.data else default_body(op)
    where = f"{method} {url} as {label(world, who, side, kind)}"
    response = send(api_client(world, who), method, url, data)
    problems = []
    expected = refusals(route, who, case, api=True)
    if response.status_code not in expected:
        problems.append(
            f"{where}: the policy ({route.rule!r}) refuses, expected {expected}, "
            f"got {response.status_code} {response.content[:300]!r}"
        )
    diff = changed(before(kind, side), state(world, kind, side, app))
    if diff:
        problems.append(f"{where}: a refused request changed {diff}")
    return problems


def check_get(world, op, route, who, side, kept) -> list[str]:
    kind = route.scope_kind
    case = world.case(kind, side)
    _, url = api_url(op, route.path_values(world, side))
    query = route.query(world, side) if route.query else {}
    client = api_client(world, who)

    def get():
        return client.get(url, query)

    response = get()
    status = response.status_code
    where = f"GET {url} as {label(world, who, side, kind)}"
    if not route.rule(who, case):
        expected = refusals(route, who, case, api=True)
        if status not in expected:
            return [
                f"{where}: the policy ({route.rule!r}) refuses, expected {expected}, got {status}"
            ]
        return []
    if status not in route.ok:
        return [
            f"{where}: the policy ({route.rule!r}) allows, expected {route.ok}, got {status} "
            f"{response.content[:300]!r}"
        ]
    text = text_of(response)
    leaked = other_side_markers(text, who, case, route.public)
    problems = [f"{where}: shows {leaked} of the other community"] if leaked else []
    if side != "C1":
        return problems
    if who in INSIDE_C1 and route.counted:
        sees = not route.shows or any(
            rule(who, world.case(k, "C1")) for k, rule in route.shows.items()
        )
        kept.append((where, get, normalised(text), sees))
    for shown, rule in route.shows.items():
        may = rule(who, world.case(shown, "C1"))
        if may != holds_marker(text, shown):
            problems.append(f"{where}: {'misses' if may else 'shows'} the C1 {shown} ({rule!r})")
    return problems


@pytest.mark.parametrize("op", OPERATIONS)
def test_api(world, op):
    if op not in API:
        pytest.fail(
            f"The API operation {op!r} has no entry in the access matrix: add one to "
            f"{module_for(op.split(' ', 1)[1])} (see docs/access.md, 'The generated matrix')."
        )
    route, app = API[op]
    problems, kept = [], []
    unsafe = not op.startswith("GET ")
    before = Before(world, app)
    with standing_still():
        for who in ROLES:
            sides = sides_of(world, route)
            if unsafe:
                sides = unsafe_sides(sides, route.rule, route.seen, world, route.scope_kind, who)
            else:
                sides = tried_sides(sides, route.rule, world, route.scope_kind, who)
            for side in sides:
                with rolled_back():
                    if unsafe:
                        problems += check_unsafe(world, op, route, app, who, side, before)
                    else:
                        problems += check_get(world, op, route, who, side, kept)
        problems += same_after_one_more(world, route, kept)
    verdict(route, problems)
