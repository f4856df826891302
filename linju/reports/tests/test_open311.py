"""Open311 GeoReport v2 conformance (seeds 002/003 for civic-tech clients): every method in
both formats against JSON Schemas written from the spec's field tables (tests/open311/), which
the spec's own example documents must pass too; XML is read back into the JSON shape by the
schemas' element names, so both formats are held to the same schema and to each other."""

import copy
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode, urlparse

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from jsonschema import Draft202012Validator

from linju.core import tokens
from linju.reports import services
from linju.reports.models import Category, CategoryAttribute, Photo, Report, Source, Status
from linju.reports.open311 import statuses
from linju.reports.open311.views import IMPLEMENTATION_CHANGESET

from .conftest import jpeg_bytes, upload

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "open311"
SCHEMA = json.loads((DATA / "georeport_v2.schema.json").read_text())
BASE = "/open311/v2/"
T0 = datetime(2026, 5, 1, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
EXTENDED_NAMES = [
    "open",
    "closed",
    "investigating",
    "in_progress",
    "action_scheduled",
    "fixed",
    "not_councils_responsibility",
    "duplicate",
    "no_further_action",
    "internal_referral",
]
# Linju's profile over the spec's schemas: ids, codes and tokens are strings (the spec's JSON
# examples give numbers), extended statuses in FixMyStreet's lower case.
STRICT = {
    "id": {"type": "string", "pattern": "^[1-9][0-9]*$"},
    "code": {"type": "string", "minLength": 1},
    "token": {"type": "string", "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-"},
    "extended_status": {"enum": EXTENDED_NAMES},
}


# --- Schemas and the XML reader ----------------------------------------------------------------


def schema_for(document, *, strict=False, extended=False) -> dict:
    schema = copy.deepcopy(SCHEMA)
    if strict:
        schema["$defs"].update(copy.deepcopy(STRICT))
    if extended:
        schema["$defs"]["status"] = {"$ref": "#/$defs/extended_status"}
        schema["$defs"]["update_status"] = {"$ref": "#/$defs/extended_status"}
    schema["$ref"] = f"#/$defs/{document}"
    return schema


def schema_errors(document, data, **variant) -> list[str]:
    validator = Draft202012Validator(schema_for(document, **variant))
    return sorted(f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data))


def assert_valid(document, data, **variant):
    errors = schema_errors(document, data, **variant)
    assert not errors, errors


def _resolve(schema, node):
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _scalar_kinds(schema, node) -> list[str]:
    """The JSON types a leaf may take, in the schema's order of preference."""
    node = _resolve(schema, node)
    if "anyOf" in node:
        return [k for n in node["anyOf"] for k in _scalar_kinds(schema, n)]
    if "enum" in node:
        return ["string"]
    kind = node.get("type", "string")
    return kind if isinstance(kind, list) else [kind]


_READERS = {
    "boolean": lambda t: {"true": True, "false": False}.get(t),
    "integer": lambda t: int(t) if re.fullmatch(r"-?[0-9]+", t) else None,
    "number": lambda t: float(t) if re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", t) else None,
    "string": lambda t: t,
}


def _from_xml(schema, element, node):
    node = _resolve(schema, node)
    if node.get("type") == "array":
        item = node["xml"]["item"]
        assert [c.tag for c in element] == [item] * len(element), (element.tag, item)
        return [_from_xml(schema, child, node["items"]) for child in element]
    if node.get("type") == "object":
        data = {}
        for child in element:
            assert child.tag in node["properties"], f"foreign element <{child.tag}>"
            assert child.tag not in data, f"repeated element <{child.tag}>"
            data[child.tag] = _from_xml(schema, child, node["properties"][child.tag])
        return data
    assert len(element) == 0, f"<{element.tag}> should hold text only"
    text = (element.text or "").strip()
    kinds = _scalar_kinds(schema, node)
    # An empty element is the JSON null, where the field may be null.
    if text == "" and "null" in kinds:
        return None
    for kind in kinds:
        value = _READERS[kind](text) if kind in _READERS else None
        if value is not None:
            return value
    return text


def read_xml(body: bytes, document, **variant):
    """An XML document in the JSON shape (Spark convention), checking every element name
    against the schema on the way: the root, the list items, no foreign element."""
    schema = schema_for(document, **variant)
    root = ET.fromstring(body)
    node = schema["$defs"][document]
    assert root.tag in [node["xml"]["name"], *node["xml"].get("aliases", [])], root.tag
    return _from_xml(schema, root, node)


# --- Requests to the endpoint ---------------------------------------------------------------


def url(resource, fmt):
    return f"{BASE}{resource}.{fmt}"


def parse(response, document, fmt, **variant):
    assert response["Content-Type"] == CONTENT_TYPES[fmt]
    if fmt == "json":
        data = json.loads(response.content)
    else:
        assert response.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
        data = read_xml(response.content, document, strict=True, **variant)
    assert_valid(document, data, strict=True, **variant)
    return data


def get(client, resource, document, *, extended=False, **params):
    """The resource in both formats: each valid, and the same data in each."""
    found = {}
    for fmt in ("json", "xml"):
        response = client.get(url(resource, fmt), params)
        assert response.status_code == 200, response.content
        assert response["Access-Control-Allow-Origin"] == "*"
        found[fmt] = parse(response, document, fmt, extended=extended)
    assert found["xml"] == found["json"]
    return found["json"]


def errors_of(response, status, fmt="json", field=None) -> list[str]:
    assert response.status_code == status, response.content
    items = parse(response, "errors", fmt)
    assert all(item["code"] == status for item in items)
    descriptions = [item["description"] for item in items]
    if field is not None:
        assert any(d.startswith(f"{field}: ") for d in descriptions), descriptions
    return descriptions


def ids(items) -> list[str]:
    return [item["service_request_id"] for item in items]


@pytest.fixture
def client():
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def key(city):
    """The owner's personal API token (lives in H101, building B1)."""
    return tokens.create_token(user=city.users["owner"], name="open311 client")[1]


def post(client, key, fmt="json", **data):
    """Form-encoded, as the spec sends it."""
    if key is not None:
        data["api_key"] = key
    return client.post(
        url("requests", fmt),
        urlencode(data, doseq=True),
        content_type="application/x-www-form-urlencoded; charset=utf-8",
    )


# --- The schemas against the spec's own examples --------------------------------------------

EXAMPLES = [
    ("discovery", "discovery"),
    ("services", "services"),
    ("service_definition", "service_definition"),
    ("post_request", "service_requests_created"),
    ("tokens", "tokens"),
    ("requests", "service_requests"),
    ("request", "service_requests"),
    ("errors", "errors"),
    ("service_request_updates", "service_request_updates"),
]
# The spec writes these codes as 001 and 006: not JSON (RFC 8259 numbers have no leading zero).
NOT_JSON = {"services", "requests", "request"}


def spec_json(name):
    text = (DATA / "examples" / f"{name}.json").read_text()
    if name in NOT_JSON:
        with pytest.raises(json.JSONDecodeError):
            json.loads(text)
        text = re.sub(r'(":\s*)(0[0-9]+)', r'\1"\2"', text)
    return json.loads(text)


@pytest.mark.parametrize(("name", "document"), EXAMPLES)
def test_the_specs_json_examples_pass_the_schemas(name, document):
    assert_valid(document, spec_json(name))


@pytest.mark.parametrize(("name", "document"), EXAMPLES)
def test_the_specs_xml_examples_pass_the_schemas_and_match_their_json(name, document):
    data = read_xml((DATA / "examples" / f"{name}.xml").read_bytes(), document)
    assert_valid(document, data)

    def same(value):
        # The XML form has no types: compare ids and codes as text, trailing spaces aside.
        if isinstance(value, dict):
            return {k: same(v) for k, v in value.items()}
        if isinstance(value, list):
            return [same(v) for v in value]
        if isinstance(value, str):
            return value.strip()
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value

    assert same(data) == same(spec_json(name))


def test_extended_update_statuses_example_passes_only_the_extended_schema():
    data = spec_json("service_request_updates_extended")
    assert_valid("service_request_updates", data, extended=True)
    assert schema_errors("service_request_updates", data)


@pytest.mark.parametrize(
    ("document", "broken"),
    [
        (
            "services",
            [{"service_code": "1", "service_name": "x", "metadata": "yes", "type": "realtime"}],
        ),
        (
            "services",
            [{"service_code": "1", "service_name": "x", "metadata": True, "type": "live"}],
        ),
        (
            "service_definition",
            {
                "service_code": "x",
                "attributes": [
                    {
                        "variable": True,
                        "code": "a",
                        "datatype": "singlevaluelist",
                        "required": True,
                        "order": 1,
                        "description": "?",
                    }
                ],
            },
        ),
        (
            "service_definition",
            {
                "service_code": "x",
                "attributes": [
                    {
                        "variable": True,
                        "code": "a",
                        "datatype": "string",
                        "required": True,
                        "order": 0,
                        "description": "?",
                    }
                ],
            },
        ),
        ("service_requests", [{**spec_json("request")[0], "status": "pending"}]),
        (
            "service_requests",
            [{**spec_json("request")[0], "requested_datetime": "2010-04-14T06:37:38"}],
        ),
        ("service_requests", [{**spec_json("request")[0], "reporter": "张三"}]),
        ("service_requests", [{k: v for k, v in spec_json("request")[0].items() if k != "lat"}]),
        ("errors", []),
        ("errors", [{"code": 400}]),
        ("tokens", [{"token": "1"}]),
        ("discovery", {**spec_json("discovery"), "endpoints": []}),
    ],
)
def test_the_schemas_reject_what_the_spec_does_not_allow(document, broken):
    assert schema_errors(document, broken)


def test_the_strict_profile_wants_ids_and_codes_as_strings():
    example = spec_json("request")
    assert_valid("service_requests", example)
    assert schema_errors("service_requests", example, strict=True)


# --- Discovery, services, service definitions -------------------------------------------------


def test_discovery(client, city, settings):
    settings.ALLOWED_HOSTS = ["testserver", "311.example.org"]
    data = get(client, "discovery", "discovery")
    assert data["changeset"] == IMPLEMENTATION_CHANGESET
    (endpoint,) = data["endpoints"]
    assert endpoint == {
        "specification": "http://wiki.open311.org/GeoReport_v2",
        "url": "http://testserver/open311/v2",
        "changeset": IMPLEMENTATION_CHANGESET,
        "type": "production",
        "formats": ["text/xml", "application/json"],
    }
    assert "http://testserver/me/tokens/" in data["key_service"]
    # The endpoint's root leads a browsing developer to the discovery document.
    response = client.get(BASE)
    assert response.status_code == 302 and response["Location"] == url("discovery", "xml")
    # Served at the endpoint's own host, as the request named it.
    other = client.get(url("discovery", "json"), HTTP_HOST="311.example.org")
    assert other.json()["endpoints"][0]["url"] == "http://311.example.org/open311/v2"


def test_discovery_changeset_follows_category_changes(client, city):
    with time_machine.travel(datetime(2027, 1, 1, 2, 0, tzinfo=UTC), tick=False):
        services.save_category(
            user=city.users["subdistrict_admin"],
            category_id=Category.objects.get(code="noise").pk,
            description="夜间施工、广场舞",
        )
    data = get(client, "discovery", "discovery")
    assert data["changeset"] == data["endpoints"][0]["changeset"] == "2027-01-01 10:00"


def test_service_list_shows_active_public_categories(client, city):
    Category.objects.filter(code="noise").update(active=False)
    data = get(client, "services", "services")
    codes = [s["service_code"] for s in data]
    assert codes == [
        "hygiene",
        "clutter",
        "flying-wire",
        "safety",
        "facility",
        "elevator",
        "water-leak",
        "greenery",
        "parking",
        "other",
    ]
    # Neighbour disputes are private: never offered, never listed.
    assert "dispute" not in codes and "noise" not in codes
    by_code = {s["service_code"]: s for s in data}
    assert {c for c, s in by_code.items() if s["metadata"]} == {"elevator", "water-leak", "parking"}
    assert by_code["elevator"] == {
        "service_code": "elevator",
        "service_name": "电梯故障",
        "description": None,
        "metadata": True,
        "type": "realtime",
        "keywords": None,
        "group": "设施",
    }


def test_service_definition_lists_the_questions(client, city):
    data = get(client, "services/elevator", "service_definition")
    assert data["service_code"] == "elevator"
    elevator, trapped = data["attributes"]
    assert elevator == {
        "variable": True,
        "code": "elevator",
        "datatype": "string",
        "required": True,
        "datatype_description": "如：2号电梯",
        "order": 1,
        "description": "哪部电梯？",
        "values": [],
    }
    assert trapped["order"] == 2 and trapped["datatype"] == "singlevaluelist"
    assert trapped["values"] == [
        {"key": "yes", "name": "有人被困"},
        {"key": "no", "name": "无人被困"},
    ]
    assert get(client, "services/clutter", "service_definition")["attributes"] == []


@pytest.mark.parametrize("code", ["no-such", "dispute"])
def test_unknown_or_private_service_definition_is_404(client, city, code):
    for fmt in ("json", "xml"):
        response = client.get(url(f"services/{code}", fmt))
        errors_of(response, 404, fmt, field="service_code")


# --- POST Service Request ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_without_or_with_a_bad_api_key_is_403(client, city, fmt):
    errors_of(
        post(client, None, fmt, service_code="clutter", description="纸箱"), 403, fmt, "api_key"
    )
    errors_of(
        post(client, "lj_wrong", fmt, service_code="clutter", description="纸箱"),
        403,
        fmt,
        "api_key",
    )
    token, secret = tokens.create_token(user=city.users["owner"], name="old")
    tokens.revoke_token(user=city.users["owner"], token_id=token.pk)
    errors_of(
        post(client, secret, fmt, service_code="clutter", description="纸箱"), 403, fmt, "api_key"
    )
    assert not Report.objects.exists()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_creates_a_report_with_answers_contact_and_point(client, city, key, fmt):
    with time_machine.travel(T0, tick=False):
        response = post(
            client,
            key,
            fmt,
            jurisdiction_id="linju.example",
            service_code="elevator",
            address_id=str(city.places["U1"].pk),
            lat="31.2304161",
            long="121.473701",
            address_string="1单元电梯厅",
            description="电梯门关不上",
            first_name="三",
            last_name="张",
            email="zhang@example.com",
            phone="13912345678",
            device_id="phone-1",
            media_url="http://example.com/photo.jpg",
            **{"attribute[elevator]": "2号电梯", "attribute[trapped]": "no"},
        )
    assert response.status_code == 200, response.content
    assert "Access-Control-Allow-Origin" not in response
    (created,) = parse(response, "service_requests_created", fmt)
    report = Report.objects.get(pk=int(created["service_request_id"]))
    assert created == {
        "service_request_id": str(report.pk),
        "token": str(report.token),
        "service_notice": created["service_notice"],
        "account_id": str(city.users["owner"].pk),
    }
    assert "2" in created["service_notice"] and "24" in created["service_notice"]
    assert report.source == Source.OPEN311 and report.reporter == city.users["owner"]
    assert report.category.code == "elevator" and report.place == city.places["U1"]
    assert report.attributes == {"elevator": "2号电梯", "trapped": "no"}
    assert (report.lat, report.long) == (Decimal("31.230416"), Decimal("121.473701"))
    assert report.address == "1单元电梯厅" and report.description == "电梯门关不上"
    assert (report.contact_name, report.contact_email, report.contact_phone) == (
        "张三",
        "zhang@example.com",
        "13912345678",
    )
    assert report.created_at == T0 and report.status == Status.SUBMITTED


def test_post_without_address_id_reports_at_the_reporters_building(client, city, key):
    response = post(
        client, key, service_code="clutter", description="纸箱", lat="31.2", long="121.4"
    )
    report = Report.objects.get(pk=int(response.json()[0]["service_request_id"]))
    assert report.place == city.places["B1"]


def test_post_multi_value_answers(client, city, key):
    CategoryAttribute.objects.create(
        category=Category.objects.get(code="hygiene"),
        code="kinds",
        datatype="multivaluelist",
        description="什么垃圾？",
        values=[{"key": "paper", "name": "纸"}, {"key": "bottle", "name": "瓶"}],
    )
    data = {
        "service_code": "hygiene",
        "description": "垃圾没清",
        "attribute[kinds][]": ["paper", "bottle"],
    }
    response = post(client, key, **data)
    assert response.status_code == 200, response.content
    report = Report.objects.get(pk=int(response.json()[0]["service_request_id"]))
    assert report.attributes == {"kinds": ["paper", "bottle"]}
    data["attribute[kinds][]"] = ["paper", "glass"]
    errors_of(post(client, key, **data), 400, field="attribute[kinds]")


@pytest.mark.parametrize(
    ("data", "status", "field"),
    [
        ({"description": "纸箱"}, 400, "service_code"),
        ({"service_code": "no-such", "description": "纸箱"}, 404, "service_code"),
        ({"service_code": "dispute", "description": "吵架"}, 404, "service_code"),
        ({"service_code": "clutter"}, 400, "description"),
        ({"service_code": "clutter", "description": "x" * 2001}, 400, "description"),
        (
            {"service_code": "clutter", "description": "纸箱", "address_id": "abc"},
            400,
            "address_id",
        ),
        ({"service_code": "clutter", "description": "纸箱", "address_id": "C1"}, 400, "address_id"),
        ({"service_code": "clutter", "description": "纸箱", "lat": "31.2"}, 400, "long"),
        (
            {"service_code": "clutter", "description": "纸箱", "lat": "north", "long": "1"},
            400,
            "lat",
        ),
        (
            {"service_code": "clutter", "description": "纸箱", "lat": "1", "long": "200"},
            400,
            "long",
        ),
        ({"service_code": "clutter", "description": "纸箱", "email": "not-mail"}, 400, "email"),
        (
            {"service_code": "elevator", "description": "坏了", "attribute[trapped]": "no"},
            400,
            "attribute[elevator]",
        ),
        (
            {
                "service_code": "elevator",
                "description": "坏了",
                "attribute[elevator]": "1",
                "attribute[trapped]": "maybe",
            },
            400,
            "attribute[trapped]",
        ),
        (
            {"service_code": "clutter", "description": "纸箱", "attribute[color]": "red"},
            400,
            "attribute[color]",
        ),
    ],
)
def test_post_errors_name_the_parameter(client, city, key, data, status, field):
    if data.get("address_id") == "C1":
        data = {**data, "address_id": str(city.places["C1"].pk)}
    for fmt in ("json", "xml"):
        errors_of(post(client, key, fmt, **data), status, fmt, field)
    assert not Report.objects.exists()


def test_post_without_a_location_for_someone_without_a_home_is_400(client, city):
    key = tokens.create_token(user=city.users["newcomer"], name="c")[1]
    errors_of(
        post(client, key, service_code="clutter", description="纸箱"), 400, field="address_id"
    )


def test_post_where_the_reporter_may_not_report_is_403(client, city):
    # owner_2 lives in estate E2; B1 is in E1.
    key = tokens.create_token(user=city.users["owner_2"], name="c")[1]
    data = {
        "service_code": "clutter",
        "description": "纸箱",
        "address_id": str(city.places["B1"].pk),
    }
    for fmt in ("json", "xml"):
        errors_of(post(client, key, fmt, **data), 403, fmt)
    assert not Report.objects.exists()


def test_token_lookup(client, city, key):
    created = post(client, key, service_code="clutter", description="纸箱").json()[0]
    data = get(client, f"tokens/{created['token']}", "tokens")
    assert data == [
        {"service_request_id": created["service_request_id"], "token": created["token"]}
    ]
    for token in ["0b2f4a5e-2a52-4b0b-9d0c-2f0b9a6f0c11", "not-a-token"]:
        for fmt in ("json", "xml"):
            errors_of(client.get(url(f"tokens/{token}", fmt)), 404, fmt, "token")


# --- GET Service Requests -----------------------------------------------------------------------


def test_requests_carry_every_field_and_no_reporters_identity(client, city, key, submit):
    owner = city.users["owner"]
    with time_machine.travel(T0, tick=False):
        created = post(
            client,
            key,
            service_code="water-leak",
            address_id=str(city.places["U1"].pk),
            lat="31.230416",
            long="121.473701",
            description="天花板漏水",
            first_name="三",
            last_name="张",
            email="zhang@example.com",
            phone="13912345678",
            **{"attribute[where]": "ceiling"},
        ).json()[0]
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        data = get(client, "requests", "service_requests")
    report = Report.objects.get(pk=int(created["service_request_id"]))
    assert data == [
        {
            "service_request_id": str(report.pk),
            "status": "open",
            "status_notes": None,
            "service_name": "漏水渗水",
            "service_code": "water-leak",
            "description": "天花板漏水",
            "agency_responsible": data[0]["agency_responsible"],
            "service_notice": created["service_notice"],
            "requested_datetime": "2026-05-01T09:00:00+08:00",
            "updated_datetime": "2026-05-01T09:00:00+08:00",
            "expected_datetime": "2026-05-01T21:00:00+08:00",
            "address": "U1, B1, E1, C1",
            "address_id": str(city.places["U1"].pk),
            "zipcode": None,
            "lat": 31.230416,
            "long": 121.473701,
            "media_url": None,
        }
    ]
    assert data[0]["agency_responsible"]
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        bodies = [
            client.get(url(resource, fmt)).content.decode()
            for resource in ["requests", f"requests/{report.pk}", "servicerequestupdates"]
            for fmt in ("json", "xml")
        ]
    for body in bodies:
        for secret in [owner.name, owner.mobile, "张三", "zhang@example.com", "13912345678"]:
            assert secret not in body


def test_requests_show_status_notes_and_closing_time(client, city, submit):
    u = city.users
    with time_machine.travel(T0, tick=False):
        rejected = submit(description="不归我们管")
        resolved = submit(description="纸箱")
        opened = submit(description="还在")
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        services.reject_report(user=u["grid_worker"], report=rejected, reason="属于物业合同范围")
        services.accept_report(user=u["grid_worker"], report=resolved)
    with time_machine.travel(T0 + timedelta(hours=3), tick=False):
        services.resolve_report(user=u["grid_worker"], report=resolved, reply="已清理")
    with time_machine.travel(T0 + timedelta(hours=4), tick=False):
        services.accept_report(user=u["grid_worker"], report=opened)
        data = {r["service_request_id"]: r for r in get(client, "requests", "service_requests")}
    assert data[str(rejected.pk)]["status"] == "closed"
    assert data[str(rejected.pk)]["status_notes"] == "属于物业合同范围"
    assert data[str(rejected.pk)]["updated_datetime"] == "2026-05-01T10:00:00+08:00"
    assert data[str(rejected.pk)]["expected_datetime"] is None
    assert data[str(resolved.pk)]["status"] == "closed"
    assert data[str(resolved.pk)]["status_notes"] == "已清理"
    assert data[str(resolved.pk)]["updated_datetime"] == "2026-05-01T12:00:00+08:00"
    assert data[str(opened.pk)]["status"] == "open"
    # Accepted at 13:00 with 72 hours to resolve.
    assert data[str(opened.pk)]["expected_datetime"] == "2026-05-04T13:00:00+08:00"


def test_private_and_merged_reports_never_appear(client, city, submit, media):
    u = city.users
    with time_machine.travel(T0, tick=False):
        public = submit(description="纸箱")
        private = submit(category="dispute", description="邻居吵架", photos=[upload()])
        duplicate = submit(user_key="tenant", description="纸箱又来了")
        services.merge_report(user=u["grid_worker"], report=duplicate, into_id=public.pk)
        services.add_note(user=u["community_staff"], report=private, text="已调解", public=True)
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        assert ids(get(client, "requests", "service_requests")) == [str(public.pk)]
        every = ",".join(str(r.pk) for r in (public, private, duplicate))
        listed = get(client, "requests", "service_requests", service_request_id=every)
        assert ids(listed) == [str(public.pk)]
        for report in (private, duplicate):
            for fmt in ("json", "xml"):
                errors_of(client.get(url(f"requests/{report.pk}", fmt)), 404, fmt)
        updates = get(client, "servicerequestupdates", "service_request_updates")
        assert {u["service_request_id"] for u in updates} == {str(public.pk)}
    # Nor does the photo page show its photo to the public.
    photo = private.photos.get()
    assert client.get(reverse("reports:photo", kwargs={"photo_id": photo.pk})).status_code != 200


def test_single_request(client, city, submit):
    with time_machine.travel(T0, tick=False):
        report = submit(description="纸箱")
        data = get(client, f"requests/{report.pk}", "service_requests")
    assert ids(data) == [str(report.pk)]
    for missing in ["999999", "abc"]:
        for fmt in ("json", "xml"):
            errors_of(client.get(url(f"requests/{missing}", fmt)), 404, fmt, "service_request_id")


@pytest.fixture
def dated(city, submit):
    """Reports 100 days, 89 days and one hour before T0."""
    reports = {}
    for name, age in [
        ("old", timedelta(days=100)),
        ("recent", timedelta(days=89)),
        ("new", timedelta(hours=1)),
    ]:
        with time_machine.travel(T0 - age, tick=False):
            reports[name] = submit(description=name)
    return reports


def test_requests_default_to_the_last_90_days(client, dated):
    with time_machine.travel(T0, tick=False):
        assert ids(get(client, "requests", "service_requests")) == [
            str(dated["new"].pk),
            str(dated["recent"].pk),
        ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"start_date": "2026-01-01T00:00:00Z"}, ["recent", "old"]),
        ({"end_date": "2026-01-25T00:00:00+08:00"}, ["old"]),
        ({"start_date": "2026-01-22", "end_date": "2026-02-02"}, ["recent"]),
        ({"start_date": "2026-04-30T23:00:00Z", "end_date": "2026-05-01T00:30:00Z"}, ["new"]),
        ({"start_date": "", "end_date": ""}, ["new", "recent"]),
    ],
)
def test_requests_date_filters(client, dated, params, expected):
    with time_machine.travel(T0, tick=False):
        found = ids(get(client, "requests", "service_requests", **params))
    assert found == [str(dated[name].pk) for name in expected]


def test_an_unencoded_plus_in_a_date_still_means_an_offset(client, dated):
    with time_machine.travel(T0, tick=False):
        response = client.get(url("requests", "json") + "?start_date=2026-04-30T08:30:00+08:00")
    assert ids(response.json()) == [str(dated["new"].pk)]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start_date": "yesterday"}, "start_date"),
        ({"start_date": "2026-04-01T00:00:00"}, "start_date"),
        ({"end_date": "2026-13-01T00:00:00Z"}, "end_date"),
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-02T00:00:00Z"}, "end_date"),
        ({"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, "end_date"),
        ({"status": "pending"}, "status"),
        ({"service_request_id": "1,two"}, "service_request_id"),
        ({"page_size": "1001"}, "page_size"),
        ({"page": "0"}, "page"),
    ],
)
def test_bad_filters_are_400_naming_the_parameter(client, city, params, field):
    for resource in ["requests", "servicerequestupdates"]:
        if resource == "servicerequestupdates" and field in ("status", "service_request_id"):
            continue
        for fmt in ("json", "xml"):
            errors_of(client.get(url(resource, fmt), params), 400, fmt, field)


def test_service_request_id_overrides_the_other_arguments(client, dated):
    with time_machine.travel(T0, tick=False):
        found = get(
            client,
            "requests",
            "service_requests",
            service_request_id=f"{dated['old'].pk}, {dated['new'].pk}",
            status="closed",
            start_date="2026-04-30T00:00:00Z",
        )
    assert set(ids(found)) == {str(dated["old"].pk), str(dated["new"].pk)}


def test_requests_status_and_service_code_filters(client, city, submit):
    with time_machine.travel(T0, tick=False):
        clutter = submit(description="纸箱")
        hygiene = submit(category="hygiene", description="垃圾")
        rejected = submit(category="hygiene", description="不管")
        services.reject_report(user=city.users["grid_worker"], report=rejected, reason="重复")

        def found(**params):
            return set(ids(get(client, "requests", "service_requests", **params)))

        assert found(status="open") == {str(clutter.pk), str(hygiene.pk)}
        assert found(status="closed") == {str(rejected.pk)}
        assert (
            found(status="open,closed")
            == found()
            == {str(r.pk) for r in (clutter, hygiene, rejected)}
        )
        assert found(service_code="hygiene") == {str(hygiene.pk), str(rejected.pk)}
        assert found(service_code="clutter,hygiene", status="OPEN") == {
            str(clutter.pk),
            str(hygiene.pk),
        }
        assert found(service_code="no-such") == set()


def bulk_reports(city, n, *, at):
    category = Category.objects.get(code="clutter")
    building = city.places["B1"]
    Report.objects.bulk_create(
        Report(
            category=category,
            place=building,
            estate=city.places["E1"],
            path=building.path,
            description=f"纸箱 {i}",
            level=category.level,
            created_at=at - timedelta(minutes=i),
            updated_at=at - timedelta(minutes=i),
            accept_due_at=at + timedelta(hours=24),
            due_at=at + timedelta(hours=24),
        )
        for i in range(n)
    )


def test_requests_return_at_most_1000_newest_first_and_page_on(client, city):
    bulk_reports(city, 1003, at=T0)
    with time_machine.travel(T0, tick=False):
        first = client.get(url("requests", "json")).json()
        second = client.get(url("requests", "json"), {"page": 2}).json()
        small = client.get(url("requests", "json"), {"page_size": 2, "page": 3}).json()
    newest = list(Report.objects.order_by("-created_at", "-id").values_list("pk", flat=True))
    assert ids(first) == [str(pk) for pk in newest[:1000]]
    assert ids(second) == [str(pk) for pk in newest[1000:]]
    assert ids(small) == [str(pk) for pk in newest[4:6]]


def test_request_lists_take_three_queries_whatever_their_length(client, city, submit):
    def queries_for(resource):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url(resource, "json"))
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.json())

    with time_machine.travel(T0, tick=False):
        submit(photos=[upload()])
        submit(user_key="tenant", place="U1", photos=[upload(), upload()])
        few = queries_for("requests"), queries_for("servicerequestupdates")
        bulk_reports(city, 40, at=T0)
        for report in Report.objects.filter(photos__isnull=True)[:5]:
            services.accept_report(user=city.users["grid_worker"], report=report)
        many = queries_for("requests"), queries_for("servicerequestupdates")
    assert few[0][0] == many[0][0] <= 3 and many[0][1] == 42
    assert few[1][0] == many[1][0] <= 2 and many[1][1] == 7


def test_media_url_is_the_first_public_photo_on_the_photo_page(client, city, submit):
    with time_machine.travel(T0, tick=False):
        report = submit(photos=[upload(color=(10, 20, 30)), upload()])
    first = report.photos.order_by("created_at", "id").first()
    # A photo on an internal step is never the one linked, even when it is older.
    note = services.add_note(user=city.users["grid_worker"], report=report, text="现场照片")
    Photo.objects.create(
        report=report,
        step=note,
        image=ContentFile(jpeg_bytes(size=(40, 30)), name="inside.jpg"),
        created_at=T0 - timedelta(hours=1),
    )
    with time_machine.travel(T0, tick=False):
        (item,) = get(client, "requests", "service_requests")
    link = urlparse(item["media_url"])
    assert (link.scheme, link.netloc) == ("http", "testserver")
    assert link.path == reverse("reports:photo", kwargs={"photo_id": first.pk})
    response = client.get(link.path)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


def test_extended_statuses(client, city, submit):
    u = city.users
    reports = {}
    with time_machine.travel(T0, tick=False):
        for name in [
            "submitted",
            "accepted",
            "dispatched",
            "in_progress",
            "resolved",
            "closed",
            "reopened",
            "rejected",
        ]:
            reports[name] = submit(description=name)
        for name in ["accepted", "dispatched", "in_progress", "resolved", "closed", "reopened"]:
            services.accept_report(user=u["grid_worker"], report=reports[name])
        for name in ["dispatched", "in_progress"]:
            services.dispatch_report(
                user=u["grid_worker"], report=reports[name], handler_id=u["property_manager"].pk
            )
        services.start_work(user=u["property_manager"], report=reports["in_progress"])
        for name in ["resolved", "closed", "reopened"]:
            services.resolve_report(user=u["grid_worker"], report=reports[name], reply="好了")
        services.confirm_report(user=u["owner"], report=reports["closed"])
        services.reopen_report(user=u["owner"], report=reports["reopened"], comment="没好")
        services.reject_report(user=u["grid_worker"], report=reports["rejected"], reason="不归口")
        simple = get(client, "requests", "service_requests")
        extended = get(
            client, "requests", "service_requests", extended=True, extended_statuses="true"
        )
    by_id = {str(r.pk): name for name, r in reports.items()}
    assert {by_id[r["service_request_id"]]: r["status"] for r in simple} == {
        "submitted": "open",
        "accepted": "open",
        "dispatched": "open",
        "in_progress": "open",
        "reopened": "open",
        "resolved": "closed",
        "closed": "closed",
        "rejected": "closed",
    }
    assert {by_id[r["service_request_id"]]: r["status"] for r in extended} == {
        "submitted": "open",
        "accepted": "investigating",
        "dispatched": "action_scheduled",
        "in_progress": "in_progress",
        "reopened": "open",
        "resolved": "fixed",
        "closed": "fixed",
        "rejected": "not_councils_responsibility",
    }
    # The agency is the handling party, never the person.
    agencies = {by_id[r["service_request_id"]]: r["agency_responsible"] for r in simple}
    assert u["property_manager"].name not in agencies.values()
    assert agencies["dispatched"] != agencies["submitted"]


def test_every_status_has_both_names():
    for status in Status.values:
        assert statuses.open311_status(status) in ("open", "closed")
        extended = statuses.open311_status(status, extended=True)
        assert extended in EXTENDED_NAMES
        # FixMyStreet closes a report on these names; our open/closed must agree.
        closing = extended in {
            "fixed",
            "closed",
            "duplicate",
            "not_councils_responsibility",
            "no_further_action",
            "internal_referral",
        }
        assert closing == (statuses.open311_status(status) == "closed")


# --- servicerequestupdates -------------------------------------------------------------------


def test_request_updates_are_the_public_timeline(client, city, submit):
    u = city.users
    steps = []

    def at(minutes):
        return time_machine.travel(T0 + timedelta(minutes=minutes), tick=False)

    with at(0):
        report = submit(description="纸箱")
    with at(10):
        services.accept_report(user=u["grid_worker"], report=report)
    with at(20):
        services.add_note(user=u["grid_worker"], report=report, text="内部：联系物业")
    with at(30):
        services.dispatch_report(
            user=u["grid_worker"], report=report, handler_id=u["property_manager"].pk
        )
    with at(40):
        services.support_report(user=u["tenant"], report=report)
    with at(50):
        services.resolve_report(
            user=u["property_manager"], report=report, reply="已清理", photos=[upload()]
        )
    with at(60):
        services.confirm_report(user=u["owner"], report=report)
    with at(120):
        simple = get(client, "servicerequestupdates", "service_request_updates")
        extended = get(
            client,
            "servicerequestupdates",
            "service_request_updates",
            extended=True,
            extended_statuses="true",
        )
        later = get(
            client,
            "servicerequestupdates",
            "service_request_updates",
            start_date="2026-05-01T09:25:00+08:00",
            end_date="2026-05-01T09:55:00+08:00",
        )
    steps = list(report.steps.filter(public=True).order_by("created_at", "id"))
    assert [s["update_id"] for s in simple] == [str(s.pk) for s in steps]
    assert {s["service_request_id"] for s in simple} == {str(report.pk)}
    assert [s["status"] for s in simple] == ["open", "open", "open", "closed", "closed"]
    assert [s["status"] for s in extended] == [
        "open",
        "investigating",
        "action_scheduled",
        "fixed",
        "fixed",
    ]
    assert [s["updated_datetime"] for s in simple] == [
        "2026-05-01T09:00:00+08:00",
        "2026-05-01T09:10:00+08:00",
        "2026-05-01T09:30:00+08:00",
        "2026-05-01T09:50:00+08:00",
        "2026-05-01T10:00:00+08:00",
    ]
    # The internal note and the "me too" are not public; every update has a text.
    assert "内部：联系物业" not in json.dumps(simple, ensure_ascii=False)
    assert all(s["description"] for s in simple)
    resolved = simple[3]
    assert resolved["description"] == "已清理"
    photo = report.photos.get()
    photo_page = reverse("reports:photo", kwargs={"photo_id": photo.pk})
    assert resolved["media_url"] == f"http://testserver{photo_page}"
    assert [s["media_url"] for s in simple if s is not resolved] == [""] * 4
    assert [s["update_id"] for s in later] == [str(steps[2].pk), str(steps[3].pk)]


# --- Formats --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "resource", ["services", "requests", "discovery", "services/elevator", "servicerequestupdates"]
)
def test_unknown_format_is_404(client, city, resource):
    response = client.get(f"{BASE}{resource}.yaml")
    errors_of(response, 404, "xml", "format")


def test_unknown_resource_and_method(client, city):
    errors_of(client.get(f"{BASE}reports.json"), 404, "json")
    errors_of(client.get(f"{BASE}reports"), 404, "xml")
    response = client.put(url("requests", "json"))
    errors_of(response, 405, "json")
    assert response["Allow"] == "GET, HEAD, POST"
    errors_of(client.post(url("services", "xml")), 405, "xml")


def test_xml_never_carries_characters_xml_cannot_hold(client, city, submit):
    with time_machine.travel(T0, tick=False):
        submit(description="纸箱\x0b堆满\x1f了")
        response = client.get(url("requests", "xml"))
    (item,) = parse(response, "service_requests", "xml")
    assert item["description"] == "纸箱堆满了"


def test_json_is_utf8_not_escaped(client, city):
    body = client.get(url("services", "json")).content
    assert "电梯故障".encode() in body


def test_post_needs_no_csrf_token_and_reads_no_session(city, key):
    client = Client(enforce_csrf_checks=True)
    client.force_login(city.users["tenant"])
    response = post(client, key, service_code="clutter", description="纸箱")
    assert response.status_code == 200, response.content
    report = Report.objects.get(pk=int(response.json()[0]["service_request_id"]))
    # The api_key's owner reports, not the browser session's user.
    assert report.reporter == city.users["owner"]
    assert timezone.is_aware(report.created_at)
