"""Sending a route's requests as each person and comparing what came back with the policy:
the status, what the response holds (markers of the other community, the in-scope marker for
those who may see it), that one more object of the other community changes nothing a person
of C1 sees, and, for unsafe requests, that a refusal changed nothing."""

import functools
import io
import json
import re
from contextlib import contextmanager

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.forms.models import model_to_dict
from django.test import Client
from django.utils import timezone

from .policy import GRANTS, home_side
from .world import MARK, maker_of, marker

LOGIN = "/accounts/login/"


class Undo(Exception):
    """Rolls back what one person's requests did, so the next person meets the same world."""


@contextmanager
def rolled_back():
    try:
        with transaction.atomic():
            yield
            raise Undo
    except Undo:
        pass


def page_client(world, who) -> Client:
    client = Client()
    if who != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[who]
    return client


def api_client(world, who) -> Client:
    if who == "anonymous":
        return Client()
    return Client(HTTP_AUTHORIZATION=f"Bearer {world.bearer[who]}")


# --- What a response holds -----------------------------------------------------------------------


def text_of(response) -> str:
    """The response as text: an XLSX's cells, a JSON or HTML body; a file's bytes as far as
    they decode."""
    if getattr(response, "streaming", False):
        raw = b"".join(response.streaming_content)
    else:
        raw = response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(raw), read_only=True)
        cells = [
            str(v)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for v in row
            if v is not None
        ]
        return "\n".join(cells)
    text = raw.decode("utf-8", errors="replace")
    if "json" in kind:
        # Read back without escapes, so that what a person is shown compares as they see it.
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            return text
    return text


_NOISE = [
    re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'),
    re.compile(r'nonce="[^"]+"'),
    re.compile(r'"csrfToken": ?"[^"]+"'),
    re.compile(r'"X-CSRFToken": ?"[^"]+"'),
    re.compile(r"csrftoken=[^;]+"),
]


def normalised(text: str) -> str:
    for pattern in _NOISE:
        text = pattern.sub("", text)
    return text


def other_side_markers(text, who, case, public=()) -> list[str]:
    """The markers of the community the person holds nothing in, found in what they were shown
    about their own community's object (or about no object): none may be there, but for kinds
    public by design. The subdistrict and anonymous visitors are not asked."""
    home = home_side(who)
    if home is None or who == "anonymous" or (case.place is not None and case.side != home):
        return []
    other = "C2" if home == "C1" else "C1"
    found = set(re.findall(re.escape(MARK) + other + r"-[\w]+", text))
    return sorted(m for m in found if not any(m.startswith(marker(k, other)) for k in public))


def holds_marker(text, kind) -> bool:
    return re.search(re.escape(marker(kind, "C1")) + r"(?![\w])", text) is not None


def verdict(route, problems) -> None:
    """Fail with every problem; a route with a known bug is an expected failure instead, and
    fails once it passes so that its `bug` is removed."""
    if route.bug:
        if not problems:
            pytest.fail(f"The known bug is fixed ({route.bug}): remove `bug` from the entry.")
        pytest.xfail(f"known bug: {route.bug}\n" + "\n".join(problems))
    assert not problems, "\n".join(problems)


def tried_sides(sides, rule, world, kind, who) -> list[str]:
    """Where a person's reads go. Someone refused their own community's object is tried there
    only: they hold no role in the other community that could let them in, so its refusal
    would add nothing but a request. Someone allowed their own community's object is tried on
    both: the other one is the out-of-scope check. The subdistrict, which holds both, is tried
    on both."""
    home = home_side(who)
    if len(sides) == 1 or home is None:
        return sides
    if not rule(who, world.case(kind, home)):
        return [home]
    return sides


def unsafe_sides(sides, rule, seen, world, kind, who) -> list[str]:
    """Where a person's unsafe requests go: only where the rule refuses them (an allowed
    request would change the world). Someone allowed their own community's object is sent the
    other community's: the out-of-scope check. Someone refused it is sent it, unless they are
    staff who do not even see it: a missing visibility check shows with the residents, the
    newcomer and the anonymous visitor, who are always sent, and a missing permission check
    with the staff who see the object (all staff, when `seen` is None: creating in a place, a
    body naming the object). The C2 persons are not sent any: the C1 persons sent C2's
    objects make the same check from the other side."""
    if who.endswith("_2"):
        return []
    home = home_side(who)
    if home is None:
        return [s for s in sides if not rule(who, world.case(kind, s))]
    if len(sides) == 2 and rule(who, world.case(kind, home)):
        return ["C2" if home == "C1" else "C1"]
    case = world.case(kind, home)
    if rule(who, case) or (who in GRANTS and seen is not None and not seen(who, case)):
        return []
    return [home]


class Before:
    """The state before an unsafe request, read once per side: every person's request is
    rolled back, so each meets the same."""

    def __init__(self, world, app):
        self.world, self.app, self.seen = world, app, {}

    def __call__(self, kind, side):
        if (kind, side) not in self.seen:
            self.seen[kind, side] = state(self.world, kind, side, self.app)
        return self.seen[kind, side]


# --- Refusals -----------------------------------------------------------------------------------


def refusals(route, who, case, *, api: bool) -> tuple:
    """What a refused request may get. To those who do not see the object (or the page): 404 in
    the API, so that the object is not revealed; 403 or 404 on pages. To those who see it, and
    for API routes without an object in their path: the route's `refused`, by default 403 or
    404. Anonymous: 401 in the API (the pages send them to the login page, checked apart)."""
    if who == "anonymous":
        return (401,) if api else (403, 404)
    seen = route.seen or route.rule
    if not seen(who, case):
        if not api:
            return (403, 404)
        if route.params:
            return (404,)
    return route.refused or (403, 404)


# --- State, for unsafe requests ------------------------------------------------------------------


@functools.cache
def _tables(app_labels):
    names = []
    for label in app_labels:
        for model in apps.get_app_config(label).get_models():
            names.append(model._meta.db_table)
    return sorted(set(names))


def state(world, kind, side, app_label):
    """The object's row and the row counts of its app's tables and of the audit log and the
    notifications, read in one query."""
    tables = [*_tables((app_label,)), "core_auditevent", "core_notification"]
    qn = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {qn(t)})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        counts = dict(zip(tables, cursor.fetchone(), strict=True))
    row = None
    if kind is not None:
        obj = world.obj(kind, side)
        fresh = type(obj)._default_manager.filter(pk=obj.pk).first()
        if fresh is not None:
            # Many-to-many fields are left out: their values are lists read one query each.
            row = {k: v for k, v in model_to_dict(fresh).items() if not isinstance(v, list)}
    return counts, row


def changed(before, after) -> str:
    counts_b, row_b = before
    counts_a, row_a = after
    diff = [f"{t}: {counts_b[t]} → {counts_a[t]}" for t in counts_b if counts_b[t] != counts_a[t]]
    if row_b != row_a:
        fields = sorted(k for k in (row_b or {}) if (row_a or {}).get(k) != (row_b or {}).get(k))
        diff.append(f"the object changed: {fields}" if row_a else "the object is gone")
    return "; ".join(diff)


# --- One more object on the other side ------------------------------------------------------------


def one_more(world, kinds, public=()):
    """Make one more object of each kind in C2 (its marker ends in "x"); not of a maker that
    also makes a kind the route shows publicly (one more of those may well show)."""
    done = set()
    for kind in kinds:
        maker = maker_of(kind)
        if not maker.again or maker in done or set(maker.kinds) & set(public):
            continue
        maker.make(world, "C2", "x")
        done.add(maker)
    return bool(done)


@contextmanager
def standing_still():
    """One instant for a whole route: a second look after one more object must not differ by
    a "minutes ago" that moved."""
    with time_machine.travel(timezone.now(), tick=False):
        yield


def first_difference(first: str, second: str) -> str:
    if first == second:
        return ""
    a, b = first.splitlines(), second.splitlines()
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return f"line {i + 1}: {x.strip()[:160]!r} became {y.strip()[:160]!r}"
    return f"{len(a)} lines became {len(b)}"


COUNT_CHECKS = 2


def same_after_one_more(world, route, kept) -> list[str]:
    """`kept`: (where, send, text, sees) of the C1 persons' answers to a list route. With one
    more C2 object of each listed kind, each must be the very same: a count, a total or a
    figure that moves is a leak too. Looked at again: a few who see the list's C1 objects and
    one who does not (each look costs a request)."""
    if not kept:
        return []
    seeing = [k for k in kept if k[3]][:COUNT_CHECKS]
    others = [k for k in kept if not k[3]][:1]
    problems = []
    with rolled_back():
        if not one_more(world, route.counted, route.public):
            return []
        for where, send, text, _sees in seeing + others:
            diff = first_difference(text, normalised(text_of(send())))
            if diff:
                problems.append(f"{where}: one more {route.counted} of C2 changed it: {diff}")
    return problems
