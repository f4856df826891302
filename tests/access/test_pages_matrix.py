"""The access matrix of the pages: every route of the URL conf (read from Django's resolver) ×
every person of policy.ROLES × the route's object inside community C1 and in C2, against the
declared policy (docs/access.md, each app's rules.py). Pages are opened with the person's
session. A route without an entry fails here, naming the module its entry belongs in."""

import pytest
from django.conf import settings

from linju.core import access

from .checks import (
    LOGIN,
    Before,
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
    tried_sides,
    unsafe_sides,
    verdict,
)
from .policy import INSIDE_C1, ROLES, communities_of
from .spec import PAGES, module_for, page_routes, page_url

pytestmark = pytest.mark.django_db

ROUTES = page_routes()


def test_the_documented_table_is_the_registered_one():
    """The rules read the registered table (core.access.PERMISSIONS): each row of the table in
    docs/access.md must say the same roles."""
    text = (settings.BASE_DIR / "docs" / "access.md").read_text()
    header = next(line for line in text.splitlines() if line.startswith("| permission"))
    roles = [cell.strip() for cell in header.strip("|").split("|")][1:]
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert rows
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        perm = cells[0].strip("`")
        documented = {roles[i] for i, cell in enumerate(cells[1:]) if cell == "✓"}
        assert documented == set(access.PERMISSIONS[perm]), perm


def test_every_entry_is_a_route():
    stale = sorted(set(PAGES) - set(ROUTES))
    assert not stale, f"entries for routes that no longer exist: {stale}"


def sides_of_kind(world, kind):
    """C1 and C2, or one side for no object or one that belongs to no community."""
    if kind is None or world.case(kind, "C1").place is None:
        return ["C1"]
    return ["C1", "C2"]


def sides_of(world, route):
    return sides_of_kind(world, route.scope_kind)


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
    if status != 200:
        return []
    text = text_of(response)
    leaked = other_side_markers(text, who, case, route.public)
    problems = [f"{where}: shows {leaked} of the other community"] if leaked else []
    if side != "C1":
        return problems
    if who in INSIDE_C1 and route.counted:
        sees = not route.shows or any(
            rule(who, world.case(k, "C1")) for k, rule in route.shows.items()
        )
        kept.append((where, send, normalised(text), sees))
    for shown, rule in route.shows.items():
        may = rule(who, world.case(shown, "C1"))
        if may != holds_marker(text, shown):
            problems.append(f"{where}: {'misses' if may else 'shows'} the C1 {shown} ({rule!r})")
    return problems


def check_post(world, key, route, app, who, side, before) -> list[str]:
    kind = route.post_kind or route.scope_kind
    case = world.case(kind, side)
    if route.post(who, case):
        return []
    url = page_url(key, route.path_values(world, side))
    data = route.data(world, side) if route.data else {}
    if route.key_param and who != "anonymous":
        data[route.key_param] = world.bearer[who]
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
    diff = changed(before(kind, side), state(world, kind, side, app))
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
    before = Before(world, app)
    post_kind = route.post_kind or route.scope_kind
    with standing_still():
        for who in ROLES:
            sides = sides_of(world, route)
            for side in tried_sides(sides, route.rule, world, route.scope_kind, who):
                with rolled_back():
                    problems += check_get(world, key, route, who, side, kept)
            if route.post is None:
                continue
            post_sides = sides if post_kind == route.scope_kind else sides_of_kind(world, post_kind)
            seen = (route.seen or route.rule) if route.params else route.seen
            for side in unsafe_sides(post_sides, route.post, seen, world, post_kind, who):
                with rolled_back():
                    problems += check_post(world, key, route, app, who, side, before)
        problems += same_after_one_more(world, route, kept)
    verdict(route, problems)
