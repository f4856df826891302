"""The page shell and the core pages: home (anonymous, resident, staff), inbox, preferences,
elder mode and the language switch."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from linju.core import notifications
from linju.core.models import Notification
from linju.people.models import Relation, Residency, User

pytestmark = pytest.mark.django_db
BACKEND = "linju.people.backends.MobileBackend"


def login(client, user):
    client.force_login(user, backend=BACKEND)
    return client


def html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


# --- Shell ----------------------------------------------------------------------------------------


def test_shell_serves_its_own_assets(client):
    body = client.get("/").content.decode()
    assert "/static/linju/linju.css" in body and "/static/linju/htmx.min.js" in body
    assert "//cdn" not in body and "https://" not in body
    static = Path(settings.BASE_DIR) / "linju" / "static" / "linju"
    assert (static / "htmx.min.js").stat().st_size > 10_000
    assert "htmx" in (static / "htmx.min.js").read_text()[:200]
    assert (static / "htmx.LICENSE").read_text().strip()
    assert "html.elder" in (static / "linju.css").read_text()


def test_body_carries_the_csrf_header_for_htmx(client):
    body = client.get("/").content.decode()
    token = re.search(r'<body hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'>', body)
    assert token and len(token.group(1)) >= 32


def test_default_language_is_chinese_and_switch_to_english(client):
    assert 'lang="zh-hans"' in html_tag(client.get("/"))
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert 'lang="en"' in html_tag(client.get("/"))


def test_unread_count_in_header(client, city):
    owner = city.users["owner"]
    notifications.notify(recipients=[owner], kind="k", title="one")
    notifications.notify(recipients=[owner], kind="k", title="two")
    body = login(client, owner).get("/").content.decode()
    assert re.search(r'data-testid="unread-count"[^>]*>2</span>', body)
    notifications.mark_read(user=owner)
    assert 'data-testid="unread-count"' not in client.get("/").content.decode()


# --- Elder mode -----------------------------------------------------------------------------------


def test_elder_mode_for_a_visitor_uses_a_cookie(client):
    assert "elder" not in html_tag(client.get("/"))
    response = client.post(reverse("core:elder_mode"), {"on": "1", "next": "/privacy/"})
    assert response.status_code == 302 and response["Location"] == "/privacy/"
    assert client.cookies["elder"].value == "1"
    assert 'class="elder"' in html_tag(client.get("/"))
    client.post(reverse("core:elder_mode"), {"on": "0"})
    assert 'class="elder"' not in html_tag(client.get("/"))


def test_elder_mode_is_saved_on_the_account(client, city):
    owner = city.users["owner"]
    login(client, owner).post(reverse("core:elder_mode"), {"on": "1"})
    owner.refresh_from_db()
    assert owner.elder_mode is True
    client.cookies.clear()
    login(client, owner)
    assert 'class="elder"' in html_tag(client.get("/"))
    client.post(reverse("core:elder_mode"))  # no `on`: flips it
    owner.refresh_from_db()
    assert owner.elder_mode is False
    assert 'class="elder"' not in html_tag(client.get("/"))


def test_elder_mode_ignores_an_offsite_next(client):
    response = client.post(reverse("core:elder_mode"), {"on": "1", "next": "https://evil.example/"})
    assert response["Location"] == reverse("core:home")


def test_elder_mode_is_post_only(client):
    assert client.get(reverse("core:elder_mode")).status_code == 405


# --- Home pages -----------------------------------------------------------------------------------


def test_anonymous_home_is_a_landing_page(client):
    response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert reverse("people:signup") in body and reverse("people:login") in body
    # Every module is built now: each tile links to it, none is "coming soon".
    assert "is-soon" not in body and reverse("notices:board") in body


def test_resident_home_shows_household_and_messages(client, city):
    owner = city.users["owner"]
    notifications.notify(recipients=[owner], kind="k", title="Your household was verified")
    body = login(client, owner).get("/").content.decode()
    assert 'data-testid="household"' in body
    assert "E1 B1 U1 101" in body
    assert "Your household was verified" in body
    # The report module registered its tile's link; modules not built yet are "coming soon".
    assert 'class="tile tile-report"' in body and reverse("reports:mine") in body
    assert 'class="tile tile-topics"' in body and reverse("deliberation:home") in body
    assert 'class="tile tile-contest"' in body and reverse("ratings:home") in body
    assert 'class="tile tile-projects"' in body and reverse("projects:home") in body
    assert 'class="tile tile-notices"' in body and reverse("notices:board") in body
    assert reverse("core:staff_home") not in body


def test_newcomer_home_shows_pending_request_and_bind_link(client, city):
    newcomer = city.users["newcomer"]
    body = login(client, newcomer).get("/").content.decode()
    assert 'data-testid="household"' not in body
    assert reverse("people:bind") in body
    Residency.objects.create(
        user=newcomer, household=city.households["H201"], relation=Relation.TENANT
    )
    body = client.get("/").content.decode()
    assert 'data-testid="pending-residency"' in body
    assert "E1 B2 U2 201" in body
    assert "status-pending" in body


def test_home_query_count_does_not_grow_with_messages(client, city):
    owner = city.users["owner"]
    login(client, owner)
    notifications.notify(recipients=[owner], kind="k", title="first")
    client.get("/")
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    for i in range(10):
        notifications.notify(recipients=[owner], kind="k", title=f"more {i}")
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(many) == len(few)


def test_home_query_count_does_not_grow_with_households_and_members(client, city):
    owner = city.users["owner"]
    login(client, owner)
    client.get("/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/").status_code == 200
    for key in ("H201", "H301"):
        Residency.objects.create(
            user=owner, household=city.households[key], relation="family", status="verified"
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get("/")
    assert len(many) == len(few)
    assert response.content.decode().count('data-testid="household"') == 3


def test_staff_home_for_community_staff(client, city):
    staff = city.users["community_staff"]
    Residency.objects.create(
        user=city.users["newcomer"], household=city.households["H201"], relation=Relation.OWNER
    )
    Residency.objects.create(
        user=city.users["tenant"], household=city.households["H301"], relation=Relation.TENANT
    )
    response = login(client, staff).get(reverse("core:staff_home"))
    body = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'data-testid="pending-count">1<', body)  # C1's request, not C2's
    assert "E1 B2 U2 201" in body and "E2 B3 U3 301" not in body
    assert reverse("core:audit") in body
    assert reverse("people:verify_queue") in body
    assert reverse("people:roles") in body
    assert "C1" in body  # their scope


def test_staff_home_links_follow_permissions(client, city):
    body = login(client, city.users["unit_head"]).get(reverse("core:staff_home")).content.decode()
    assert reverse("people:verify_queue") in body
    assert reverse("core:audit") not in body
    assert reverse("people:roles") not in body


def test_staff_home_refuses_residents_and_asks_visitors_to_log_in(client, city):
    response = client.get(reverse("core:staff_home"))
    assert response.status_code == 302 and reverse("people:login") in response["Location"]
    assert login(client, city.users["owner"]).get(reverse("core:staff_home")).status_code == 403


def test_staff_home_for_superuser(client, city):
    admin = User.objects.create_superuser("13700000000", "pass-Word-9", name="root")
    assert login(client, admin).get(reverse("core:staff_home")).status_code == 200


# --- Inbox and preferences ------------------------------------------------------------------------


def test_inbox_shows_unread_bold_and_marks_read(client, city):
    owner = city.users["owner"]
    first, second = (
        notifications.notify(recipients=[owner], kind="k", title=t)[0] for t in ("A", "B")
    )
    login(client, owner)
    body = client.get(reverse("core:notifications")).content.decode()
    assert body.count('class="note unread"') == 2
    response = client.post(
        reverse("core:notifications_read"), {"id": first.pk, "next": "/notifications/"}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    assert client.get(reverse("core:notifications")).content.decode().count("note unread") == 1
    client.post(reverse("core:notifications_read"), {"all": "1"})
    assert notifications.unread_count(owner) == 0


def test_inbox_mark_read_tolerates_junk_and_others_ids(client, city):
    theirs = notifications.notify(recipients=[city.users["tenant"]], kind="k", title="x")[0]
    login(client, city.users["owner"])
    assert client.post(reverse("core:notifications_read"), {"id": "abc"}).status_code == 302
    client.post(reverse("core:notifications_read"), {"id": theirs.pk})
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.get(reverse("core:notifications_read")).status_code == 405


def test_inbox_paginates_with_bounded_queries(client, city):
    owner = city.users["owner"]
    login(client, owner)
    notifications.notify(recipients=[owner], kind="k", title="m0")
    client.get(reverse("core:notifications"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("core:notifications"))
    Notification.objects.bulk_create(
        Notification(recipient=owner, kind="k", title=f"m{i}") for i in range(1, 45)
    )
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("core:notifications"))
    assert len(many) == len(few)
    assert response.content.decode().count('<li class="note') == 20
    page3 = client.get(reverse("core:notifications"), {"page": 3}).content.decode()
    assert page3.count('<li class="note') == 5
    assert client.get(reverse("core:notifications"), {"page": "zzz"}).status_code == 200


def test_inbox_needs_login(client):
    response = client.get(reverse("core:notifications"))
    assert response.status_code == 302 and reverse("people:login") in response["Location"]


def test_notification_preferences_page(client, city):
    owner = city.users["owner"]
    notifications.notify(recipients=[owner], kind="residency.decision", title="x")
    login(client, owner)
    url = reverse("core:notification_preferences")
    body = client.get(url).content.decode()
    assert 'value="residency.decision"' in body
    response = client.post(
        url, {"email": "on", "muted_kinds": ["residency.decision"]}, follow=False
    )
    assert response.status_code == 302
    pref = notifications.preference_for(owner)
    assert (pref.email, pref.webhook, pref.muted_kinds) == (True, False, ["residency.decision"])
    # A kind that is not offered is a field error, not a 500, and nothing changes.
    response = client.post(url, {"webhook": "on", "muted_kinds": ["no.such.kind"]})
    assert response.status_code == 200
    assert 'data-field="muted_kinds"' in response.content.decode()
    assert notifications.preference_for(owner).webhook is False


def test_error_pages_use_the_shell(client, city):
    response = login(client, city.users["owner"]).get(reverse("core:audit"))
    assert response.status_code == 403
    assert "/static/linju/linju.css" in response.content.decode()


def test_language_choice_is_remembered_on_the_account(client, city):
    owner = city.users["owner"]
    client.force_login(owner)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.language == "en"
    assert 'lang="en"' in client.get("/").content.decode()


@pytest.mark.django_db
def test_healthz_is_the_floor_and_touches_no_database(client, django_assert_num_queries):
    """bench/load.py measures every path against it: it must stay free of queries."""
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.json() == {"ok": True}
