"""Security headers on every kind of response (issue 8 §5): the Content-Security-Policy
(django-csp), nosniff, the referrer policy, Cross-Origin-Opener-Policy and Permissions-Policy;
HSTS and Secure cookies with production settings; and a scan that keeps every template free of
inline script and style, which the policy would block."""

import io
import re
import runpy
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from PIL import Image

from linju.core.security_headers import permissions_policy_header
from linju.points import services_store

from .test_deploy import PRODUCTION_ENV, ROOT, TEST_ONLY_ENV

pytestmark = pytest.mark.django_db
BACKEND = "linju.people.backends.MobileBackend"
PASSWORD = "pass-Word-9"
SITE_POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "font-src": {"'self'"},
    "connect-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}


def parse_policy(header: str) -> dict[str, set[str]]:
    """'a x y; b z' → {"a": {"x", "y"}, "b": {"z"}} (django-csp does not keep an order)."""
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = set(values)
    return directives


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user, backend=BACKEND)
    return client


def jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "JPEG")
    return SimpleUploadedFile("rice.jpg", buffer.getvalue(), content_type="image/jpeg")


def item_photo_url(city) -> str:
    item = services_store.create_item(
        user=city.users["community_staff"],
        place_id=city.places["C1"].pk,
        name="大米 5kg",
        cost=50,
        stock=5,
        photo=jpeg(),
    )
    return reverse("points:item_photo", args=[item.pk])


# Who asks, and for what: one of each kind of response the site sends.
PAGES = {
    "login page": (None, lambda city: reverse("people:login")),
    "resident page": ("owner", lambda city: reverse("reports:mine")),
    "staff desk": ("community_staff", lambda city: reverse("reports:queue")),
    "admin login": (None, lambda city: "/admin/login/"),
    "API docs": (None, lambda city: "/api/v1/docs"),
    "JSON API": ("owner", lambda city: "/api/v1/me"),
    "file download": ("community_staff", lambda city: reverse("people:roster_template_csv")),
    "uploaded photo": ("owner", item_photo_url),
}


@pytest.fixture(params=PAGES, ids=list(PAGES))
def response(request, city):
    role, url = PAGES[request.param]
    client = logged_in(city.users[role]) if role else Client()
    response = client.get(url(city))
    assert response.status_code in (200, 302), response.status_code
    return response


def test_every_kind_of_response_carries_the_security_headers(response):
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    permissions = response["Permissions-Policy"]
    assert "camera=(self)" in permissions and "geolocation=()" in permissions
    assert "microphone=()" in permissions
    policy = parse_policy(response["Content-Security-Policy"])
    if response.get("Content-Disposition", "").startswith("inline") and "sandbox" in policy:
        # An upload keeps its own, stricter policy (core.uploads.protect).
        assert policy["default-src"] == {"'none'"} and policy["frame-ancestors"] == {"'none'"}
    else:
        assert policy == SITE_POLICY
    assert "unsafe-eval" not in response["Content-Security-Policy"]


def test_the_uploaded_photo_is_served_inline_under_its_own_policy(city):
    response = logged_in(city.users["owner"]).get(item_photo_url(city))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert "sandbox" in parse_policy(response["Content-Security-Policy"])


def test_permissions_policy_header_spelling():
    assert (
        permissions_policy_header({"camera": ["self"], "geolocation": []})
        == "camera=(self), geolocation=()"
    )


def test_report_only_mode_reports_the_same_policy_instead_of_enforcing_it(client, monkeypatch):
    monkeypatch.setenv("LINJU_CSP_REPORT_ONLY", "1")
    monkeypatch.setenv("LINJU_CSP_REPORT_URI", "/csp-reports/")
    module = runpy.run_path(str(ROOT / "linju" / "settings.py"))
    assert module["CONTENT_SECURITY_POLICY"] is None
    with override_settings(
        CONTENT_SECURITY_POLICY=None,
        CONTENT_SECURITY_POLICY_REPORT_ONLY=module["CONTENT_SECURITY_POLICY_REPORT_ONLY"],
    ):
        response = client.get(reverse("people:login"))
    assert "Content-Security-Policy" not in response
    policy = parse_policy(response["Content-Security-Policy-Report-Only"])
    assert policy == {**SITE_POLICY, "report-uri": {"/csp-reports/"}}


# --- Production settings ------------------------------------------------------------------------

HOST = PRODUCTION_ENV["LINJU_ALLOWED_HOSTS"]


@pytest.fixture
def production(monkeypatch):
    """settings.py as production runs it (test_deploy's environment), its security settings in
    force for the test."""
    for name in TEST_ONLY_ENV:
        monkeypatch.delenv(name, raising=False)
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    module = runpy.run_path(str(ROOT / "linju" / "settings.py"))
    names = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "MIDDLEWARE", "CONTENT_SECURITY_POLICY")
    prefixes = ("SECURE_", "SESSION_COOKIE_", "CSRF_COOKIE_", "PERMISSIONS_POLICY")
    chosen = {k: v for k, v in module.items() if k in names or k.startswith(prefixes)}
    with override_settings(**chosen):
        yield chosen


def test_production_sends_hsts_and_redirects_plain_http(production):
    client = Client(SERVER_NAME=HOST)
    assert client.get(reverse("people:login")).status_code == 301
    response = client.get(reverse("people:login"), secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert parse_policy(response["Content-Security-Policy"]) == SITE_POLICY
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=(self)" in response["Permissions-Policy"]


def test_production_cookies_are_secure(production, city):
    client = Client(SERVER_NAME=HOST)
    page = client.get(reverse("people:login"), secure=True)
    assert page.cookies["csrftoken"]["secure"] is True
    response = client.post(
        reverse("people:login"),
        {"mobile": city.users["owner"].mobile, "password": PASSWORD},
        secure=True,
    )
    assert response.status_code == 302
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] is True and session["httponly"] is True


# --- Templates ------------------------------------------------------------------------------------

TEMPLATES = sorted((ROOT / "linju").rglob("templates/**/*.html"))
TEMPLATE_SYNTAX = re.compile(
    r"\{% comment %\}.*?\{% endcomment %\}|\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.DOTALL
)
TAG = re.compile(r"<[a-zA-Z][^>]*>")
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.DOTALL | re.IGNORECASE)
# A <script> of one of these types is data the page reads, never run.
DATA_SCRIPT = re.compile(r"""type=["']?application/(ld\+)?json""", re.IGNORECASE)


def inline_code(source: str) -> list[str]:
    """What the Content-Security-Policy would block in a template: inline event handlers,
    style attributes and elements, javascript: URLs, and <script> elements with code."""
    html = TEMPLATE_SYNTAX.sub(" ", source)
    found = []
    for tag in TAG.findall(html):
        found += [f"handler {m}" for m in re.findall(r"\s(on[a-z]+)\s*=", tag, re.IGNORECASE)]
        if re.search(r"\sstyle\s*=", tag, re.IGNORECASE):
            found.append("style attribute")
        if re.search(r"""=\s*["']?\s*javascript:""", tag, re.IGNORECASE):
            found.append("javascript: URL")
    if re.search(r"<style\b", html, re.IGNORECASE):
        found.append("<style> element")
    for attributes, body in SCRIPT.findall(html):
        if body.strip() and not DATA_SCRIPT.search(attributes):
            found.append("inline <script>")
    return found


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('<button onclick="go()">', ["handler onclick"]),
        ("<img src=x ONERROR=alert(1)>", ["handler ONERROR"]),
        ('<span style="width: {{ p }}%">', ["style attribute"]),
        ("<style>.a { color: red }</style>", ["<style> element"]),
        ("<script>\n  run();\n</script>", ["inline <script>"]),
        ('<a href="javascript:void(0)">', ["javascript: URL"]),
        ("<script src=\"{% static 'linju/linju.js' %}\" defer></script>", []),
        ('<script type="application/json" id="x">{"a": 1}</script>', []),
        ("<button data-confirm=\"{% translate 'Sure?' %}\">", []),
        ("{% blocktranslate with month=m online=o %}{{ month }}{% endblocktranslate %}", []),
        ("{% comment %}<style> in a comment{% endcomment %}", []),
    ],
)
def test_the_template_scan_finds_inline_code(source, expected):
    assert inline_code(source) == expected


def test_no_template_has_inline_script_or_style():
    assert len(TEMPLATES) > 100
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in TEMPLATES
        if (found := inline_code(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_pages_load_the_shared_script_deferred():
    base = (ROOT / "linju" / "templates" / "base.html").read_text()
    assert re.search(r"<script src=\"\{% static 'linju/linju\.js' %\}\" defer></script>", base)
    assert '"includeIndicatorStyles": false' in base
    assert Path(settings.BASE_DIR / "linju" / "static" / "linju" / "linju.js").exists()
