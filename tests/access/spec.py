"""What an entry of the access matrix says about a route, and where the routes come from.

Page routes are read from Django's URL resolver and API operations from the OpenAPI schema, so
a route added tomorrow shows up in the matrix by itself; until it has an entry in the
routes_<app>.py module of its app, its test fails and says so."""

import re
from dataclasses import dataclass, field
from datetime import timedelta

from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from .policy import Rule

# Prefixes of routes that are not the app's pages: the admin (Django's own permission checks),
# the language switch, and the API, which the schema covers.
SKIPPED_PAGES = ("admin/", "api/", "^api/", "i18n/")


@dataclass(frozen=True)
class Lit:
    """A path parameter given as is (a format, a year, a skill)."""

    value: object


@dataclass(frozen=True)
class Route:
    """One route of the matrix.

    rule    who may reach it, for the object on each side: see it (GET), or do it (an unsafe
            API operation, which is sent only by those the rule refuses; a page's POST has
            `post`).
    params  path parameter → the kind of object it names ("report"), "kind.attribute", or Lit.
    kind    the kind whose place decides inside or outside (default: the first param's kind).
    query   (world, side) → the query string a GET needs.
    seen    who sees the object: a refusal to them is `refused`; anyone else gets 404 from the
            API, so that the object is not revealed, and 403 or 404 from a page. Default: the
            rule itself.
    post    (pages) who may POST to it; everyone else is sent `data` and must be refused with
            one of `refused` and change nothing. `post_kind` decides the case (default: kind).
    data    (world, side) → the form or JSON body (the API's default: the least body its schema
            accepts, `default_body`).
    refused the statuses of a refusal to those who see the object, and of the API's routes
            without one in their path (default: 403 or 404). An anonymous page request goes to
            the login page, an anonymous API request gets 401.
    shows   kind → rule: a list, figure or export. The C1 object's marker is in the response
            exactly for those the rule lets see it; a C2 marker never is, for anyone whose scope
            lies inside C1; and one more C2 object of the kind changes nothing they see.
    counts  more kinds whose one more C2 object must change nothing a C1 person sees (a desk's
            panels count them without naming them).
    ok      the statuses of an allowed GET.
    get     (pages) the status every logged-in person gets for a GET (405: POST only).
    public  kinds whose C2 marker anyone may see (public by design).
    key_param  (pages) the form field that carries the person's API token (Open311's api_key)
            instead of the session: anonymous requests are then refused, not sent to log in.
    why     what a reader needs to know: public, resident-facing, where the rule is stated.
    bug     a known violation of the policy, reported with its fix: the route's test is an
            expected failure until the app is fixed, and fails once it passes (remove `bug`)."""

    rule: Rule
    params: dict = field(default_factory=dict)
    kind: str | None = None
    query: object = None
    seen: Rule | None = None
    post: Rule | None = None
    post_kind: str | None = None
    data: object = None
    refused: tuple | None = None
    shows: dict = field(default_factory=dict)
    counts: tuple = ()
    ok: tuple = (200,)
    get: int | None = None
    public: tuple = ()
    key_param: str | None = None
    why: str = ""
    bug: str = ""

    @property
    def counted(self) -> list:
        return list(dict.fromkeys([*self.shows, *self.counts]))

    @property
    def scope_kind(self):
        if self.kind is not None:
            return self.kind
        for spec in self.params.values():
            if not isinstance(spec, Lit):
                return spec.split(".")[0]
        return None

    def path_values(self, world, side) -> dict:
        values = {}
        for name, spec in self.params.items():
            if isinstance(spec, Lit):
                values[name] = spec.value
            elif "." in spec:
                kind, attr = spec.split(".", 1)
                values[name] = getattr(world.obj(kind, side), attr)
            else:
                values[name] = world.value(spec, side)
        return values


# --- Enumeration ------------------------------------------------------------------------------


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def page_routes() -> list[str]:
    """Every page route of the URL conf, as its pattern ("reports/<int:report_id>/")."""
    return [
        r
        for r in dict.fromkeys(_walk(get_resolver().url_patterns))
        if not r.startswith(SKIPPED_PAGES)
    ]


def api_operations() -> list[str]:
    """Every operation of the OpenAPI schema, as "METHOD /path" below /api/v1."""
    schema = _schema()
    ops = []
    for path, methods in schema["paths"].items():
        for method in methods:
            ops.append(f"{method.upper()} {path.removeprefix('/api/v1')}")
    return ops


_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")
_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")


def page_url(route: str, values: dict) -> str:
    """The URL of a page route with its path parameters filled in."""
    url = _GROUP.sub(lambda m: str(values[m.group(1)]), route)
    url = _CONVERTER.sub(lambda m: str(values[m.group(1)]), url)
    url = url.replace("^", "").replace("$", "").replace("\\.", ".")
    return "/" + url


def api_url(op: str, values: dict) -> tuple[str, str]:
    method, path = op.split(" ", 1)
    return method, "/api/v1" + re.sub(r"{(\w+)}", lambda m: str(values[m.group(1)]), path)


# --- The entries ------------------------------------------------------------------------------


def _load():
    from . import (
        routes_activities,
        routes_core,
        routes_deliberation,
        routes_mutualaid,
        routes_notices_api,
        routes_notices_board,
        routes_notices_newsletter,
        routes_people,
        routes_points,
        routes_projects_funds,
        routes_projects_lists,
        routes_projects_work,
        routes_ratings,
        routes_reports,
        routes_services,
        routes_surveys,
    )

    modules = [
        routes_core,
        routes_people,
        routes_reports,
        routes_deliberation,
        routes_ratings,
        routes_points,
        routes_activities,
        routes_projects_lists,
        routes_projects_work,
        routes_projects_funds,
        routes_surveys,
        routes_services,
        routes_mutualaid,
        routes_notices_board,
        routes_notices_api,
        routes_notices_newsletter,
    ]
    pages, api = {}, {}
    for module in modules:
        for key, route in module.PAGES.items():
            assert key not in pages, f"two entries for {key}"
            pages[key] = (route, module.APP)
        for key, route in module.API.items():
            assert key not in api, f"two entries for {key}"
            api[key] = (route, module.APP)
    return pages, api


PAGES, API = _load()


def module_for(route: str) -> str:
    """Where a missing route's entry belongs, from its first path segment."""
    first = route.strip("/^").split("/")[0].removeprefix("api/v1/") or "core"
    app = {
        "": "core",
        "staff": "core",
        "notifications": "core",
        "healthz": "core",
        "me": "people",
        "accounts": "people",
        "privacy": "people",
        "people": "people",
        "places": "people",
        "open311": "reports",
        "audit": "core",
    }.get(first, first)
    if app == "projects":
        # Co-creation keeps one module per part: the lists, the funds, the projects' work.
        second = [*route.strip("/^").split("/"), "", ""][1]
        lists = ("needs", "resources", "partners", "lists")
        part = (
            "funds" if second in ("funds", "campaigns") else "lists" if second in lists else "work"
        )
        app = f"projects_{part}"
    if app == "notices":
        # The board keeps three modules: its pages, its API (paths from the schema start with
        # "/", the URL conf's do not) and the newsletter's pages and API.
        second = [*route.strip("/^").split("/"), "", ""][1]
        api = route.startswith("/")
        app = (
            "notices_newsletter"
            if second == "newsletters"
            else f"notices_{'api' if api else 'board'}"
        )
    return f"tests/access/routes_{app}.py"


# --- Default bodies ---------------------------------------------------------------------------

_SCHEMA = None


def _schema():
    global _SCHEMA
    if _SCHEMA is None:
        from linju.api import api

        _SCHEMA = api.get_openapi_schema()
    return _SCHEMA


def _resolve(node):
    while "$ref" in node:
        node = _schema()["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    if "allOf" in node and len(node["allOf"]) == 1:
        return _resolve(node["allOf"][0])
    if "anyOf" in node:
        return _resolve(next(n for n in node["anyOf"] if n.get("type") != "null"))
    return node


def _sample(node):
    """A value of the schema node that passes validation: the least each type allows."""
    node = _resolve(node)
    if "enum" in node:
        return node["enum"][0]
    if "default" in node and node["default"] is not None:
        return node["default"]
    kind = node.get("type")
    if kind == "object":
        return {
            name: _sample(prop)
            for name, prop in node.get("properties", {}).items()
            if name in node.get("required", [])
        }
    if kind == "array":
        return [_sample(node["items"])] * node.get("minItems", 0)
    if kind == "integer":
        return max(node.get("minimum", 1), 1)
    if kind == "number":
        return max(node.get("minimum", 1), 1)
    if kind == "boolean":
        return True
    fmt = node.get("format")
    if fmt == "date-time":
        return (timezone.now() + timedelta(days=20)).isoformat()
    if fmt == "date":
        return timezone.localdate().isoformat()
    if fmt == "binary":
        return None
    return "x" * max(node.get("minLength", 1), 1)


def default_body(op: str) -> dict:
    """The least body an operation's schema accepts, from its required fields (JSON)."""
    method, path = op.split(" ", 1)
    operation = _schema()["paths"]["/api/v1" + path][method.lower()]
    body = operation.get("requestBody")
    if not body:
        return {}
    content = body["content"]
    schema = (content.get("application/json") or next(iter(content.values())))["schema"]
    return _sample(schema)
