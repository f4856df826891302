"""Open311 GeoReport v2 over snap-and-report (随手拍, seeds 002/003): civic-tech clients list
the categories (services), file reports (POST requests, with a personal API token as api_key)
and follow public reports and their public timeline (mySociety's servicerequestupdates).

Every view answers in the format its URL ends with (.xml or .json); errors are the spec's list
of {code, description}, each description naming the parameter at fault. Writes go through
reports.services; what the public may read is in open311.queries. docs/open311.md documents
the endpoint."""

import re
import uuid
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from functools import wraps

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from linju.core import tokens
from linju.core.errors import DomainError, Forbidden, Invalid
from linju.people.roles import Role

from .. import services as report_services
from ..models import Level, Source
from . import queries, render, statuses

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# Sortable, like the spec's "2011-02-03 14:18". Bump it when a change of this module alters
# what clients cache (the service list and definitions); category edits bump it by themselves.
IMPLEMENTATION_CHANGESET = "2026-11-29 00:00"
# GeoReport v2 "Response Volume": 90 days or the first 1000 requests, whichever is smaller.
MAX_SPAN = timedelta(days=90)
MAX_RESULTS = 1000
MAX_OFFSET = 1_000_000_000  # keeps OFFSET inside a database integer
MAX_CONTACT_NAME = 50  # Report.contact_name


class Open311Error(Exception):
    def __init__(self, status: int, descriptions):
        super().__init__(status, descriptions)
        self.status = status
        self.descriptions = [str(d) for d in descriptions]


def _about(field: str, message) -> str:
    """Every description starts with the parameter it is about."""
    return f"{field}: {message}"


def endpoint(*methods):
    """The format suffix, the allowed methods, Open311Error → the spec's error list, and CORS
    for reads (any web page may show public reports)."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, fmt, **kwargs):
            if fmt not in render.CONTENT_TYPES:
                # XML is the one format every GeoReport client reads.
                response = render.errors(
                    render.XML,
                    404,
                    [_about("format", _("Unknown format: use .xml or .json."))],
                )
            elif request.method not in methods:
                response = render.errors(
                    fmt,
                    405,
                    [_("%(method)s is not allowed here.") % {"method": request.method}],
                )
                response["Allow"] = ", ".join(methods)
            else:
                try:
                    response = view(request, fmt, **kwargs)
                except Open311Error as exc:
                    response = render.errors(fmt, exc.status, exc.descriptions)
            if request.method in ("GET", "HEAD"):
                response["Access-Control-Allow-Origin"] = "*"
            return response

        # No view reads a cookie: POST authenticates by its api_key, so a CSRF token would
        # protect nothing and only turn clients' requests into HTML 403 pages.
        return csrf_exempt(wrapper)

    return decorate


READ = ("GET", "HEAD")


def w3c(dt) -> str | None:
    """W3C-note date and time with the local offset, e.g. 2026-05-01T17:00:00+08:00."""
    return timezone.localtime(dt).isoformat(timespec="seconds") if dt else None


# --- Discovery and services ----------------------------------------------------------------


def index(request):
    return redirect("open311:discovery", fmt=render.XML)


def not_found(request, rest=""):
    fmt = render.JSON if rest.endswith(".json") else render.XML
    return render.errors(fmt, 404, [_about("url", _("No such Open311 resource."))])


def _changeset() -> str:
    at = queries.last_category_change()
    changed = timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else ""
    return max(IMPLEMENTATION_CHANGESET, changed)


@endpoint(*READ)
def discovery(request, fmt):
    changeset = _changeset()
    base = request.build_absolute_uri(reverse("open311:index")).rstrip("/")
    tokens_page = request.build_absolute_uri(reverse("people:tokens"))
    data = {
        "changeset": changeset,
        "contact": _(
            "Questions about this service go to your community's residents' committee "
            "(居委会) or to the operator of this site."
        ),
        "key_service": _(
            "Sign in and create a personal API token at %(url)s; send it as api_key. "
            "Reports are filed in that account's name."
        )
        % {"url": tokens_page},
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base,
                "changeset": changeset,
                "type": "production",
                "formats": [render.MIME_TYPES[render.XML], render.MIME_TYPES[render.JSON]],
            }
        ],
    }
    return render.render(fmt, "discovery", data)


def _blank_as_none(value: str) -> str | None:
    return value or None


@endpoint(*READ)
def service_list(request, fmt):
    data = [
        {
            "service_code": category.code,
            "service_name": category.name,
            "description": _blank_as_none(category.description),
            "metadata": category.has_attributes,
            "type": "realtime",
            "keywords": _blank_as_none(category.keywords),
            "group": _blank_as_none(category.group),
        }
        for category in queries.services()
    ]
    return render.render(fmt, "services", data)


@endpoint(*READ)
def service_definition(request, fmt, service_code):
    category = queries.service(service_code)
    if category is None:
        raise Open311Error(404, [_about("service_code", _("No service has this code."))])
    attributes = [
        {
            "variable": True,
            "code": attribute.code,
            "datatype": attribute.datatype,
            "required": attribute.required,
            "datatype_description": _blank_as_none(attribute.datatype_description),
            # The spec's order starts at 1 and is unique within the service.
            "order": position,
            "description": attribute.description,
            "values": [
                {"key": str(v.get("key", "")), "name": str(v.get("name", ""))}
                for v in attribute.values or []
            ],
        }
        for position, attribute in enumerate(category.attributes.all(), start=1)
    ]
    return render.render(
        fmt, "service_definition", {"service_code": category.code, "attributes": attributes}
    )


def _service_notice(category) -> str:
    return _(
        "Accepted within %(accept)d hours of reporting, then dealt with within %(resolve)d hours."
    ) % {"accept": category.accept_hours, "resolve": category.resolve_hours}


# --- Query parameters ----------------------------------------------------------------------


def _param(request, name: str) -> str:
    """ "Optional" in the spec: an empty parameter is the same as an absent one."""
    return (request.GET.get(name) or "").strip()


def _flag(request, name: str) -> bool:
    return _param(request, name).lower() in ("true", "1")


def _list(request, name: str) -> list[str]:
    return [item.strip() for item in _param(request, name).split(",") if item.strip()]


_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# An unencoded "+" in a query string arrives as a space ("…T09:00:00 08:00").
_PLUS_AS_SPACE = re.compile(r" (\d{2}:?\d{2})$")


def _parse_w3c(raw: str):
    """An aware datetime, a date (local midnight), a naive datetime, or None."""
    try:
        if _DATE_ONLY.match(raw):
            day = parse_date(raw)
            return timezone.make_aware(datetime.combine(day, time.min)) if day else None
        return parse_datetime(_PLUS_AS_SPACE.sub(r"+\1", raw))
    except ValueError:
        return None


def _datetime(request, name: str):
    raw = _param(request, name)
    if not raw:
        return None
    parsed = _parse_w3c(raw)
    if parsed is None:
        raise Open311Error(
            400,
            [
                _about(
                    name, _("Give a date and time in W3C format, e.g. 2026-05-01T09:30:00+08:00.")
                )
            ],
        )
    if timezone.is_naive(parsed):
        raise Open311Error(400, [_about(name, _("Include the time zone, e.g. +08:00 or Z."))])
    return parsed


def _window(request):
    """[start, end] of a list: the spec's default is the most recent 90 days, and a range may
    not span more."""
    start, end = _datetime(request, "start_date"), _datetime(request, "end_date")
    if start and end:
        if end < start:
            raise Open311Error(400, [_about("end_date", _("It must not be before start_date."))])
        if end - start > MAX_SPAN:
            raise Open311Error(400, [_about("end_date", _("A range may span at most 90 days."))])
    elif start:
        end = start + MAX_SPAN
    elif end:
        start = end - MAX_SPAN
    else:
        end = timezone.now()
        start = end - MAX_SPAN
    return start, end


def _positive_int(request, name: str, default: int) -> int:
    raw = _param(request, name)
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise Open311Error(400, [_about(name, _("Give a whole number from 1."))])
    return int(raw)


def _page(request) -> tuple[int, int]:
    """The page and page_size extension (GeoReport v2 Extensions: Pagination)."""
    size = _positive_int(request, "page_size", MAX_RESULTS)
    if size > MAX_RESULTS:
        raise Open311Error(400, [_about("page_size", _("At most 1000."))])
    offset = (_positive_int(request, "page", 1) - 1) * size
    if offset > MAX_OFFSET:
        raise Open311Error(400, [_about("page", _("This page is too far."))])
    return offset, size


def _request_ids(request) -> list[int] | None:
    ids = _list(request, "service_request_id")
    if not ids:
        return None
    if len(ids) > MAX_RESULTS:
        raise Open311Error(400, [_about("service_request_id", _("At most 1000 ids."))])
    if not all(i.isdigit() and len(i) <= 18 for i in ids):
        raise Open311Error(400, [_about("service_request_id", _("Give ids separated by commas."))])
    return [int(i) for i in ids]


def _statuses(request) -> list[str] | None:
    wanted = {s.lower() for s in _list(request, "status")}
    if not wanted:
        return None
    unknown = wanted - set(statuses.BY_SIMPLE)
    if unknown:
        raise Open311Error(400, [_about("status", _("Use open, closed or both."))])
    return [s for name in sorted(wanted) for s in statuses.BY_SIMPLE[name]]


# --- Service requests ------------------------------------------------------------------------


def _media_url(request, photo_id: int | None) -> str | None:
    """The photo page of the report pages, which shows a public report's public photos to
    anyone."""
    if photo_id is None:
        return None
    return request.build_absolute_uri(reverse("reports:photo", kwargs={"photo_id": photo_id}))


def _agency(report) -> str:
    """The kind of party handling it (物业, 网格员…), never the person."""
    if report.handler_role in Role.values:
        return str(Role(report.handler_role).label)
    return str(Level(report.level).label)


def _request_items(request, reports, *, extended: bool) -> list[dict]:
    """Reports as GeoReport requests: three queries for any number of them (the reports with
    their categories, the first photos, the names of their places). Nothing about who reported:
    no name, account, household or contact."""
    photos = queries.first_photos(report_ids=[r.pk for r in reports])
    names = queries.place_names(r.path for r in reports)
    items = []
    for report in reports:
        closed = statuses.is_closed(report.status)
        # "For requests with status=closed, this will be the date the request was closed."
        updated = (report.closed_at or report.resolved_at) if closed else None
        address = [report.address] if report.address else []
        address += queries.address_of(report.path, names)
        items.append(
            {
                "service_request_id": str(report.pk),
                "status": statuses.open311_status(report.status, extended=extended),
                "status_notes": (report.reply or None) if closed else None,
                "service_name": report.category.name,
                "service_code": report.category.code,
                "description": report.description,
                "agency_responsible": _agency(report),
                "service_notice": _service_notice(report.category),
                "requested_datetime": w3c(report.created_at),
                "updated_datetime": w3c(updated or report.updated_at),
                "expected_datetime": w3c(report.due_at),
                "address": ", ".join(address) or None,
                "address_id": str(report.place_id),
                "zipcode": None,
                "lat": float(report.lat) if report.lat is not None else None,
                "long": float(report.long) if report.long is not None else None,
                "media_url": _media_url(request, photos.get(report.pk)),
            }
        )
    return items


@endpoint(*READ, "POST")
def service_requests(request, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    extended = _flag(request, "extended_statuses")
    reports = queries.public_reports()
    ids = _request_ids(request)
    if ids is not None:
        # "This overrides all other arguments."
        reports = reports.filter(pk__in=ids)
    else:
        start, end = _window(request)
        reports = reports.filter(created_at__gte=start, created_at__lte=end)
        codes = _list(request, "service_code")
        if codes:
            reports = reports.filter(category__code__in=codes)
        wanted = _statuses(request)
        if wanted is not None:
            reports = reports.filter(status__in=wanted)
    offset, size = _page(request)
    rows = list(queries.report_rows(reports)[offset : offset + size])
    return render.render(fmt, "service_requests", _request_items(request, rows, extended=extended))


@endpoint(*READ)
def service_request(request, fmt, request_id):
    report = None
    if request_id.isdigit() and len(request_id) <= 18:
        report = queries.report_rows(queries.public_reports().filter(pk=int(request_id))).first()
    if report is None:
        raise Open311Error(
            404, [_about("service_request_id", _("No public service request has this id."))]
        )
    extended = _flag(request, "extended_statuses")
    return render.render(
        fmt, "service_requests", _request_items(request, [report], extended=extended)
    )


@endpoint(*READ)
def token(request, fmt, token):
    try:
        value = uuid.UUID(token)
    except ValueError:
        value = None
    report_id = queries.request_id_for_token(value) if value else None
    if report_id is None:
        raise Open311Error(404, [_about("token", _("No service request has this token."))])
    return render.render(
        fmt, "service_requests", [{"service_request_id": str(report_id), "token": str(value)}]
    )


@endpoint(*READ)
def request_updates(request, fmt):
    """mySociety's servicerequestupdates: the public steps of public reports, oldest first (a
    feed a client replays), within start_date/end_date."""
    extended = _flag(request, "extended_statuses")
    start, end = _window(request)
    offset, size = _page(request)
    steps = list(
        queries.public_steps().filter(created_at__gte=start, created_at__lte=end)[
            offset : offset + size
        ]
    )
    photos = queries.first_photos(step_ids=[s.pk for s in steps])
    data = [
        {
            "update_id": str(step.pk),
            "service_request_id": str(step.report_id),
            "status": statuses.open311_status(step.status, extended=extended),
            "updated_datetime": w3c(step.created_at),
            "description": step.text or str(step.get_kind_display()),
            "media_url": _media_url(request, photos.get(step.pk)) or "",
        }
        for step in steps
    ]
    return render.render(fmt, "service_request_updates", data)


# --- POST Service Request --------------------------------------------------------------------

# reports.services field → the Open311 parameter a client sent it as.
PARAMETERS = {"category": "service_code", "place": "address_id", "attributes": "attribute"}
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
_CJK = re.compile(r"[\u3400-\u9fff]+")


def _parameter(field: str) -> str:
    if field.startswith("attributes."):
        return f"attribute[{field.split('.', 1)[1]}]"
    return PARAMETERS.get(field, field)


def _api_user(request):
    key = (request.POST.get("api_key") or request.GET.get("api_key") or "").strip()
    if not key:
        raise Open311Error(403, [_about("api_key", _("Send a personal API token as api_key."))])
    user = tokens.user_for_key(key)
    if user is None:
        raise Open311Error(
            403, [_about("api_key", _("This api_key is not valid (revoked or mistyped)."))]
        )
    return user


def _coordinate(raw: str, name: str, limit: int) -> Decimal:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or abs(value) > limit:
        raise Open311Error(
            400, [_about(name, _("Give WGS84 degrees from -%(n)d to %(n)d.") % {"n": limit})]
        )
    return value.quantize(Decimal("0.000001"))


def _point(data):
    lat, long = (data.get("lat") or "").strip(), (data.get("long") or "").strip()
    if not lat and not long:
        return None, None
    if not (lat and long):
        missing = "long" if lat else "lat"
        raise Open311Error(400, [_about(missing, _("Send lat and long together."))])
    return _coordinate(lat, "lat", 90), _coordinate(long, "long", 180)


def _place_id(data, user):
    """address_id is our place id (a building, unit or estate); without it, the reporter's own
    building."""
    address_id = (data.get("address_id") or "").strip()
    if address_id:
        return address_id
    building = queries.home_building(user)
    if building is None:
        raise Open311Error(
            400,
            [
                _about(
                    "address_id",
                    _(
                        "Give the id of a building, unit or estate: this account has no "
                        "verified home to report at."
                    ),
                )
            ],
        )
    return building.pk


def _answers(data) -> dict:
    """attribute[code]=value, and attribute[code][]=value for several values."""
    answers: dict = {}
    for key in data:
        match = _ATTRIBUTE.match(key)
        if not match:
            continue
        code, many = match.group(1), bool(match.group(2))
        values = [v for v in data.getlist(key) if v.strip()]
        if many or len(values) > 1:
            held = answers.get(code, [])
            answers[code] = [*(held if isinstance(held, list) else [held]), *values]
        elif values:
            answers.setdefault(code, values[0])
    return answers


def _contact(data) -> dict:
    first, last = (data.get("first_name") or "").strip(), (data.get("last_name") or "").strip()
    # 张 + 三 is 张三; John + Smith is "John Smith".
    name = last + first if _CJK.fullmatch(first + last) else " ".join(p for p in (first, last) if p)
    email = (data.get("email") or "").strip()
    phone = (data.get("phone") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Open311Error(400, [_about("email", _("Give a valid e-mail address."))]) from None
    if len(phone) > 20:
        raise Open311Error(400, [_about("phone", _("At most 20 characters."))])
    if len(name) > MAX_CONTACT_NAME:
        raise Open311Error(400, [_about("first_name", _("At most 50 characters."))])
    return {"contact_name": name, "contact_email": email, "contact_phone": phone}


def _create(request, fmt):
    user = _api_user(request)
    data = request.POST
    code = (data.get("service_code") or "").strip()
    if not code:
        raise Open311Error(
            400, [_about("service_code", _("Choose a service from the service list."))]
        )
    category = queries.service(code)
    if category is None:
        raise Open311Error(404, [_about("service_code", _("No service has this code."))])
    place_id = _place_id(data, user)
    lat, long = _point(data)
    try:
        report = report_services.submit_report(
            user=user,
            category_code=category.code,
            place_id=place_id,
            description=data.get("description") or "",
            attributes=_answers(data),
            address=data.get("address_string") or "",
            lat=lat,
            long=long,
            source=Source.OPEN311,
            **_contact(data),
        )
    except Invalid as exc:
        raise Open311Error(
            400,
            [_about(_parameter(f), m) for f, messages in exc.errors.items() for m in messages],
        ) from None
    except Forbidden as exc:
        raise Open311Error(403, [exc.message]) from None
    except DomainError as exc:
        raise Open311Error(400, [exc.message]) from None
    item = {
        "service_request_id": str(report.pk),
        # The spec returns either an id or a token; both let a client use either route.
        "token": str(report.token),
        "service_notice": _service_notice(category),
        "account_id": str(user.pk),
    }
    return render.render(fmt, "service_requests", [item])
