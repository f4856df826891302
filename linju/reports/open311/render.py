"""One document, two formats (GeoReport v2 "Format Support"): XML is the spec's required
format, JSON its Spark-convention mapping. A document is plain data under a root name: JSON
drops the root, XML wraps each list in an element holding one element per item, named by the
singular below. Both are UTF-8; XML is built with ElementTree, never by joining strings."""

import json
import re
import xml.etree.ElementTree as ET

from django.http import HttpResponse

XML = "xml"
JSON = "json"
CONTENT_TYPES = {
    XML: "text/xml; charset=utf-8",
    JSON: "application/json; charset=utf-8",
}
MIME_TYPES = {XML: "text/xml", JSON: "application/json"}

# The Spark convention names a list's items by the singular of the list.
ITEM_NAMES = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "service_request_updates": "request_update",
}

# XML 1.0 has no way to write these (a resident's text may carry a stray control character);
# left in, they would make the whole document unreadable to every client.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def scalar_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _element(name: str, value) -> ET.Element:
    element = ET.Element(name)
    if isinstance(value, dict):
        for key, item in value.items():
            element.append(_element(key, item))
    elif isinstance(value, list | tuple):
        item_name = ITEM_NAMES[name]
        for item in value:
            element.append(_element(item_name, item))
    else:
        element.text = scalar_text(value)
    return element


def to_xml(root: str, data) -> bytes:
    return ET.tostring(_element(root, data), encoding="utf-8", xml_declaration=True)


def to_json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def render(fmt: str, root: str, data, *, status: int = 200) -> HttpResponse:
    body = to_xml(root, data) if fmt == XML else to_json(data)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def errors(fmt: str, status: int, descriptions) -> HttpResponse:
    """The spec's error list: one {code, description} per problem; the code is the HTTP
    status."""
    items = [{"code": status, "description": str(d)} for d in descriptions]
    return render(fmt, "errors", items, status=status)
