"""What every API router shares: authentication (session with CSRF, or a personal token), one
error body shape, pagination, and a Swagger UI served from the app's own static files."""

import json
from contextlib import contextmanager
from typing import Annotated, Any

from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template import Context, Engine
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import Field, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import ABS_TPL_PATH, Swagger
from ninja.pagination import PaginationBase
from ninja.params.models import FormModel
from ninja.params.models import Param as _Param
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from . import tokens
from .errors import DomainError, Forbidden, Invalid

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
MAX_OFFSET = 1_000_000_000  # keeps OFFSET inside a database integer


class TokenAuth(HttpBearer):
    """Authorization: Bearer lj_… — for scripts; no cookie, so no CSRF check is needed."""

    def authenticate(self, request, token):
        user = tokens.user_for_key(token)
        if user is not None:
            request.user = user
        return user


class CsrfSessionAuth(SessionAuth):
    """The page session. Unsafe methods must carry the CSRF token (DESIGN §7: no CSRF gap).

    The check only runs for a logged-in session: an anonymous caller gets 401, not a CSRF 403,
    and a bearer-token caller never reaches this (TokenAuth is tried first)."""

    def __call__(self, request):
        if not request.user.is_authenticated:
            return None
        exempt = getattr(request, "_ninja_csrf_exempt", False)
        if self.csrf and not exempt and check_csrf(request) is not None:
            raise Forbidden(
                _("CSRF check failed: send the X-CSRFToken header with the csrftoken cookie."),
                code="csrf_failed",
            )
        return request.user


session_or_token = [TokenAuth(), CsrfSessionAuth(csrf=True)]


# --- Errors ----------------------------------------------------------------------------------


class ErrorItem(Schema):
    field: str = Field(description="Dotted path of the offending input field, e.g. `name`.")
    message: str


class ErrorOut(Schema):
    """The one error body every route returns on failure."""

    code: str = Field(description="Machine-readable code, e.g. `invalid`, `role_exists`.")
    message: str = Field(description="Human-readable summary in the user's language.")
    errors: list[ErrorItem] = Field(description="Per-field messages (422); may be empty.")


ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def error_body(code: str, message: str, errors=None) -> dict:
    """The one error shape: {"code", "message", "errors": [{"field", "message"}]}."""
    return {"code": code, "message": str(message), "errors": errors or []}


def _field_of(loc) -> str:
    """ninja's error location → the client's field path.

    ("body", "payload", "reason") → "reason": the first item is where the value came from and,
    for a JSON or form body, the second is the Python parameter name, which the client never
    sees.
    ("query", "limit") → "limit"."""
    parts = [str(p) for p in loc]
    source, rest = (parts[0], parts[1:]) if parts else ("", [])
    # A form model's own validators report ("form", "marks") without the parameter's name.
    if source == "body" or (source == "form" and len(rest) > 1):
        rest = rest[1:]
    return ".".join(rest) or source


def install_error_handlers(api):
    from . import outage  # imports error_body from here

    # ninja catches every exception of a route; without this a database outage would reach
    # Django as a 500 (or ninja's traceback page under DEBUG).
    for database_error in outage.DATABASE_ERRORS:
        api.add_exception_handler(database_error, outage.unavailable)

    @api.exception_handler(Invalid)
    def invalid(request, exc: Invalid):
        errors = [{"field": f, "message": m} for f, ms in exc.errors.items() for m in ms]
        return api.create_response(request, error_body(exc.code, exc.message, errors), status=422)

    @api.exception_handler(DomainError)
    def domain(request, exc: DomainError):
        errors = [{"field": exc.field, "message": str(exc.message)}] if exc.field else []
        return api.create_response(
            request, error_body(exc.code, exc.message, errors), status=exc.status
        )

    @api.exception_handler(ValidationError)
    def validation(request, exc: ValidationError):
        errors = [
            {"field": _field_of(e.get("loc", ())), "message": e.get("msg", "")} for e in exc.errors
        ]
        first = errors[0] if errors else {"field": "", "message": ""}
        message = f"{first['field']}: {first['message']}" if errors else _("Invalid input.")
        return api.create_response(request, error_body("invalid", message, errors), status=422)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return api.create_response(
            request,
            error_body("unauthenticated", _("Log in, or send a personal API token.")),
            status=401,
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, error_body("not_found", _("Not found.")), status=404)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        # ninja turns an unparsable body into HttpError(400) raised from the parser's error.
        if exc.status_code == 400 and exc.__cause__ is not None:
            message = _("The request body is not valid JSON.")
            return api.create_response(
                request,
                error_body("invalid_json", message, [{"field": "body", "message": message}]),
                status=422,
            )
        return api.create_response(
            request, error_body("error", exc.message), status=exc.status_code
        )


# --- Pagination --------------------------------------------------------------------------------


class LimitOffset(PaginationBase):
    """`?limit=&offset=` on every list; the body is {"items", "count", "next"}."""

    class Input(Schema):
        limit: int = Field(
            DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Page size (at most 100)."
        )
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many items to skip.")

    class Output(Schema):
        items: list[Any]
        count: int = Field(description="Number of items across all pages.")
        next: str | None = Field(description="URL of the next page, or null on the last.")

    items_attribute = "items"

    def paginate_queryset(self, queryset, pagination: Input, request: HttpRequest, **params):
        limit, offset = pagination.limit, pagination.offset
        count = self._items_count(queryset)
        items = list(queryset[offset : offset + limit])
        next_url = None
        if offset + limit < count:
            query = request.GET.copy()
            query["offset"] = str(offset + limit)
            query["limit"] = str(limit)
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        return {"items": items, "count": count, "next": next_url}


class Rows:
    """A queryset paged by LimitOffset whose rows are built in Python: counted in SQL, sliced
    before `to_row` runs, so a page costs the same whatever the table size."""

    def __init__(self, queryset, to_row):
        self.queryset = queryset
        self.to_row = to_row

    def all(self):
        return self

    def count(self):
        return self.queryset.count()

    def __getitem__(self, page: slice):
        return [self.to_row(obj) for obj in self.queryset[page]]


# --- Docs ----------------------------------------------------------------------------------------


class LocalSwagger(Swagger):
    """Swagger UI from ninja's bundled static files, never from a CDN (DESIGN §3: no CDN).

    ninja falls back to its CDN template unless "ninja" is an installed app; this always renders
    the local template, which links the bundled files under STATIC_URL."""

    engine = Engine(
        dirs=[str(ABS_TPL_PATH.parent)], libraries={"static": "django.templatetags.static"}
    )

    def render_page(self, request, api, **kwargs):
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {
            "swagger_settings": json.dumps(self.settings, indent=1),
            "api": api,
            "add_csrf": True,
            "csrf_token": get_token(request),
        }
        html = self.engine.get_template(self.template).render(Context(context))
        return HttpResponse(html)


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    """Unknown paths under /api/ answer in the API's error shape, not Django's HTML page.

    Exempt from the CSRF check: it changes nothing, and an unsafe method sent to a path no route
    takes (`POST /api/v1/reports/abc/accept`) would otherwise get Django's HTML 403 page."""
    from django.http import JsonResponse

    return JsonResponse(error_body("not_found", _("Not found.")), status=404)


# Big lists (a subdistrict holds millions of reports, hundreds of thousands of audit events)
# count at most this many rows, like the pages' CappedPaginator; `next` comes from fetching one
# row past the page, not from the count.
COUNT_CAP = 2_000


# --- Multipart or JSON ---------------------------------------------------------------------------


def _load_form(request) -> None:
    """Django parses multipart bodies for POST only (ticket 12635): parse a PUT's or a PATCH's
    the same way."""
    method = request.method
    request.method = request.META["REQUEST_METHOD"] = "POST"
    try:
        request._load_post_and_files()
    finally:
        request.method = request.META["REQUEST_METHOD"] = method


class _FormOrJsonModel(FormModel):
    """Form fields from a multipart (or urlencoded) body, or the same fields as a JSON object:
    a phone sends photos, a script may send JSON without them."""

    @classmethod
    def get_request_data(cls, request, api, path_params):
        if request.content_type != "application/json":
            if request.method in ("PUT", "PATCH"):
                _load_form(request)
            return super().get_request_data(request, api, path_params)
        if not request.body:
            return {}
        try:
            data = api.parser.parse_body(request)
        except Exception as exc:
            # The API's handler answers 422 `invalid_json` for a 400 raised from a parse error.
            raise HttpError(400, "Cannot parse request body") from exc
        return data if isinstance(data, dict) else {}


class _FormOrJson(_Param):
    _model = _FormOrJsonModel

    @classmethod
    def _param_source(cls) -> str:
        return "form"


class _FormOrJsonShortcut:
    """`FormOrJson[Schema]`, like ninja's `Form[Schema]`."""

    def __getitem__(self, annotation):
        return Annotated[annotation, _FormOrJson(...)]


FormOrJson = _FormOrJsonShortcut()


def json_body_doc(schema) -> dict:
    """OpenAPI: the route takes the same fields as a JSON object too."""
    return {
        "requestBody": {"content": {"application/json": {"schema": schema.model_json_schema()}}}
    }


# --- Pagination -----------------------------------------------------------------------------------


class Listing:
    """A queryset paged by CappedLimitOffset (which also takes a bare queryset); `to_rows`
    builds a page's rows in one go (so per-page look-ups are batched, never one per row)."""

    def __init__(self, queryset, to_rows):
        self.queryset = queryset
        self.to_rows = to_rows


class CappedLimitOffset(LimitOffset):
    """`?limit=&offset=` → {items, count, capped, next}: the count stops at `cap`."""

    cap = COUNT_CAP

    class Output(Schema):
        items: list[Any]
        count: int = Field(
            description="Items across all pages; counted up to 2,000 (see `capped`)."
        )
        capped: bool = Field(
            description="true: there are more than `count` items; narrow the filters."
        )
        next: str | None = Field(description="URL of the next page, or null on the last.")

    def paginate_queryset(self, queryset, pagination, request, **params):
        listing = queryset if isinstance(queryset, Listing) else Listing(queryset, list)
        limit, offset = pagination.limit, pagination.offset
        objs = list(listing.queryset[offset : offset + limit + 1])
        has_next = len(objs) > limit
        objs = objs[:limit]
        if not has_next and (objs or offset == 0):
            count, capped = offset + len(objs), False
        else:
            count = listing.queryset.order_by().values("pk")[: self.cap + 1].count()
            capped = count > self.cap
            count = min(count, self.cap)
        next_url = None
        if has_next:
            query = request.GET.copy()
            query["offset"] = str(offset + limit)
            query["limit"] = str(limit)
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        return {"items": listing.to_rows(objs), "count": count, "capped": capped, "next": next_url}


@contextmanager
def renamed_fields(**names):
    """Services name the fields they check (`handler`); the client sent `handler_id`: the error
    names what the client sent."""
    try:
        yield
    except Invalid as exc:
        errors = {names.get(k, k): v for k, v in exc.errors.items()}
        message = exc.message
        for old, new in names.items():
            message = message.replace(f"{old}: ", f"{new}: ", 1)
        raise Invalid(errors, message=message) from None
