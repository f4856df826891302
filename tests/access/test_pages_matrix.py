"""The access matrix of the pages: every route of the URL conf (read from Django's resolver) ×
every person of policy.ROLES × the route's object inside community C1 and in C2, against the
declared policy (docs/access.md, each app's rules.py). Pages are opened with the person's
session. A route without an entry fails here, naming the module its entry belongs in."""

import pytest

from .checks import (
    LOGIN,
    changed,
    holds_marker,
    normalised,
    other_side_markers,
    page_client,
    refusals,
    rolled_back,
    same_after_one_more,
    standing_still,
    state,
    text_of,
    verdict,
)
from .policy import INSIDE_C1, ROLES, communities_of
from .spec import PAGES, module_for, page_routes, page_url

pytestmark = pytest.mark.django_db

ROUTES = page_routes()


def test_every_entry_is_a_route():
    stale = sorted(set(PAGES) - set(ROUTES))
    assert not stale, f"entries for routes that no longer exist: {stale}"


def sides_of(world, route):
    """C1 and C2, or one side when the route takes no object of a community."""
    kind = route.scope_kind
    if kind is None or world.case(kind, "C1").place is None:
        return ["C1"]
    return ["C1", "C2"]


def label(world, who, side, kind):
    if world.case(kind, side).place is None:
        return who
    where = "inside" if side in communities_of(who) else "outside"
    return f"{who} × {kind} of {side} ({where})"


def check_get(world, key, route, who, side, kept) -> list[str]:
    kind = route.scope_kind
    case = world.case(kind, side)
    url = page_url(key, route.path_values(world, side))
    query = route.query(world, side) if route.query else {}
    client = page_client(world, who)

    def send():
        return client.get(url, query)

    response = send()
    status = response.status_code
    where = f"GET {url} as {label(world, who, side, kind)}"
    allowed = route.rule(who, case)
    login = status == 302 and response["Location"].startswith(LOGIN)
    if route.get is not None:
        if status != route.get and not (who == "anonymous" and login):
            return [f"{where}: expected {route.get}, got {status}"]
        return []
    if who == "anonymous" and not allowed:
        return [] if login else [f"{where}: expected the login page, got {status}"]
    if not allowed:
        expected = refusals(route, who, case, api=False)
        if status not in expected:
            return [
                f"{where}: the policy ({route.rule!r}) refuses, expected {expected}, got {status}"
            ]
        return []
    if status not in route.ok:
        return [f"{where}: the policy ({route.rule!r}) allows, expected {route.ok}, got {status}"]
    if status != 200 or side != "C1":
        return []
    problems = []
    text = text_of(response)
    if who in INSIDE_C1:
        leaked = other_side_markers(text, route.public)
        if leaked:
            problems.append(f"{where}: shows {leaked} of the other community")
        if route.shows:
            kept.append((where, send, normalised(text)))
    for shown, rule in route.shows.items():
        may = rule(who, world.case(shown, "C1"))
        if may != holds_marker(text, shown):
            problems.append(f"{where}: {'misses' if may else 'shows'} the C1 {shown} ({rule!r})")
    return problems


def check_post(world, key, route, app, who, side) -> list[str]:
    kind = route.post_kind or route.scope_kind
    case = world.case(kind, side)
    if route.post(who, case):
        return []
    url = page_url(key, route.path_values(world, side))
    data = route.data(world, side) if route.data else {}
    if route.key_param and who != "anonymous":
        data[route.key_param] = world.bearer[who]
    before = state(world, kind, side, app)
    response = page_client(world, who).post(url, data)
    status = response.status_code
    where = f"POST {url} as {label(world, who, side, kind)}"
    problems = []
    expected = refusals(route, who, case, api=False)
    if who == "anonymous" and not route.key_param:
        if not (status == 302 and response["Location"].startswith(LOGIN)):
            problems.append(f"{where}: expected the login page, got {status}")
    elif status not in expected:
        problems.append(
            f"{where}: the policy ({route.post!r}) refuses, expected {expected}, got {status}"
        )
    diff = changed(before, state(world, kind, side, app))
    if diff:
        problems.append(f"{where}: a refused request changed {diff}")
    return problems


@pytest.mark.parametrize("key", ROUTES)
def test_page(world, key):
    if key not in PAGES:
        pytest.fail(
            f"The page route {key!r} has no entry in the access matrix: add one to "
            f"{module_for(key)} (see docs/access.md, 'The generated matrix')."
        )
    route, app = PAGES[key]
    problems, kept = [], []
    with standing_still():
        for who in ROLES:
            for side in sides_of(world, route):
                with rolled_back():
                    problems += check_get(world, key, route, who, side, kept)
                if route.post is not None:
                    with rolled_back():
                        problems += check_post(world, key, route, app, who, side)
        problems += same_after_one_more(world, route, kept)
    verdict(route, problems)
