"""The Content-Security-Policy breaks no page (issue 8 §5): the main resident and staff pages of
every app, the admin and the API docs open in Chromium without one violation report in the
console, and the behaviour moved out of inline attributes into linju.js still works: a
data-confirm button asks first, a data-print button prints."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from linju.activities import services_activities as acts
from linju.deliberation import services_ballots as ballots
from linju.deliberation import services_meetings as meetings
from linju.deliberation.models import Electorate, Rule
from linju.people import factors
from linju.people.models import Residency, ResidencyStatus, User
from linju.ratings.services_rounds import open_round, start_scoring
from linju.ratings.tests.conftest import contested  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANONYMOUS_PAGES = ["/", "/accounts/login/", "/accounts/login/code/", "/accounts/signup/"]
RESIDENT_PAGES = [
    "/",
    "/notifications/",
    "/me/notifications/preferences/",
    "/privacy/",
    "/me/household/bind/",
    "/me/data/",
    "/me/tokens/",
    "/me/security/",
    "/reports/",
    "/reports/new/",
    "/deliberation/",
    "/deliberation/topics/new/",
    "/deliberation/notices/",
    "/deliberation/meetings/",
    "/deliberation/ballots/",
    "/ratings/",
    "/points/",
    "/points/history/",
    "/points/certificate/",
    "/points/shop/",
    "/points/redemptions/",
    "/activities/",
    "/activities/mine/",
    "/activities/teams/",
    "/activities/groups/",
    "/activities/talents/",
]
STAFF_PAGES = [
    "/staff/",
    "/staff/audit/",
    "/people/verify/",
    "/people/roles/",
    "/people/party/",
    "/people/roster/import/",
    "/reports/desk/",
    "/reports/figures/",
    "/deliberation/desk/topics/",
    "/deliberation/desk/tasks/",
    "/deliberation/desk/procedures/",
    "/deliberation/desk/meetings/",
    "/deliberation/desk/meetings/new/",
    "/deliberation/desk/ballots/",
    "/deliberation/desk/representatives/",
    "/deliberation/desk/support-rules/",
    "/ratings/desk/",
    "/ratings/rubrics/",
    "/points/desk/",
    "/points/desk/service/",
    "/points/desk/adjust/",
    "/points/desk/rules/",
    "/points/desk/items/",
    "/points/desk/items/new/",
    "/points/desk/ledger/points/",
    "/points/desk/ledger/hours/",
    "/points/desk/leaderboard/",
    "/activities/desk/",
    "/activities/desk/figures/",
    "/activities/desk/activities/",
    "/activities/desk/activities/new/",
    "/activities/desk/services/",
    "/activities/desk/teams/",
    "/activities/desk/groups/",
    "/activities/desk/talents/",
]
# What only a subdistrict administrator runs: report categories, meeting kinds.
SUBDISTRICT_PAGES = [
    "/reports/categories/",
    "/reports/categories/new/",
    "/deliberation/desk/meeting-kinds/",
]
ADMIN_PAGES = [
    "/admin/",
    "/admin/people/user/",
    "/admin/people/user/add/",
    "/admin/places/place/",
    "/admin/places/place/add/",
    "/admin/places/grid/add/",
    "/admin/reports/report/",
    "/admin/core/auditevent/",
]


class Violations:
    """Console messages of one browser context that report a Content-Security-Policy
    violation (Chromium writes one for each blocked script, style, handler or load), or an
    error in the Permissions-Policy header (an unknown feature, a bad value)."""

    def __init__(self, context):
        self.seen = []
        context.on("page", self.watch)

    def watch(self, page):
        page.on("console", lambda message: self.note(page, message))

    def note(self, page, message):
        if "Content Security Policy" in message.text or "Permissions-Policy" in message.text:
            self.seen.append(f"{page.url}: {message.text}")


class Browser:
    """One browser context on the live server, its CSP violations watched."""

    def __init__(self, context, url):
        self.context, self.url = context, url
        self.violations = Violations(context)
        self.page = context.new_page()

    def log_in(self, user, *, admin=False):
        """The user's session cookie in the browser (the login form has its own tests)."""
        client = Client()
        client.force_login(user, backend="linju.people.backends.MobileBackend")
        if admin:  # the admin also wants the phone's code (people.factors)
            session = client.session
            session[factors.KEY] = list(factors.FOR_ADMIN)
            session.save()
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        self.context.clear_cookies()
        self.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": self.url}]
        )


@pytest.fixture
def browser(chromium, live_server):
    context = chromium.new_context(
        viewport={"width": 360, "height": 740}, base_url=live_server.url, locale="zh-CN"
    )
    # A cold live server on a busy machine: the first pages may take a while.
    context.set_default_timeout(30_000)
    yield Browser(context, live_server.url)
    context.close()


def visit(page, urls):
    for url in urls:
        response = page.goto(url)
        assert response.status == 200, url
        page.wait_for_load_state("networkidle")


def test_the_console_watch_sees_a_blocked_inline_script(browser):
    page = browser.page
    page.goto("/accounts/login/")
    page.evaluate(
        """() => {
            const s = document.createElement("script");
            s.textContent = "window.ran = true";
            document.head.appendChild(s);
        }"""
    )
    expect(page.locator("body")).to_be_visible()
    page.wait_for_timeout(200)
    assert page.evaluate("window.ran === undefined")
    assert browser.violations.seen, "a blocked inline script must show in the console"


def test_anonymous_and_resident_pages_keep_the_policy(city, contested, browser):  # noqa: F811
    page = browser.page
    visit(page, ANONYMOUS_PAGES)
    # A round the resident scores: the ratings home and the score page draw a progress bar.
    round_ = open_round(user=contested.manager, contest=contested.contest, period="2026-10")
    start_scoring(user=contested.manager, round_=round_)
    browser.log_in(city.users["owner"])
    visit(page, [*RESIDENT_PAGES, f"/ratings/rounds/{round_.pk}/score/"])
    assert browser.violations.seen == []


def test_staff_pages_keep_the_policy(city, browser):
    page = browser.page
    staff = city.users["community_staff"]
    start = timezone.now() + timedelta(days=20)
    meeting = meetings.create_meeting(
        user=staff,
        kind="yishihui",
        place_id=city.places["B1"].pk,
        starts_at=start,
        title="楼道照明议事会",
        venue="活动室",
    )
    activity = acts.create_activity(
        user=staff,
        place_id=city.places["B1"].pk,
        title="楼下义诊",
        kind="festival",
        venue="B1 楼下",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=20,
    )
    browser.log_in(staff)
    visit(
        page,
        [
            *STAFF_PAGES,
            f"/places/{city.places['U1'].pk}/invites/",
            f"/deliberation/desk/meetings/{meeting.pk}/",
            f"/deliberation/desk/meetings/{meeting.pk}/notice/",
            f"/deliberation/desk/meetings/{meeting.pk}/sign-in/",
            f"/activities/desk/activities/{activity.pk}/",
            f"/activities/desk/activities/{activity.pk}/qr/",
        ],
    )
    # An open ballot's desk, with its turnout bar, at the owners' committee.
    committee = city.users["owners_committee"]
    ballot = ballots.create_ballot(
        user=committee,
        place_id=city.places["E1"].pk,
        title="是否同意更换小区监控摄像头",
        electorate=Electorate.OWNERS,
        rule=Rule.ORDINARY,
        closes_at=timezone.now() + timedelta(days=7),
        options=[{"label": "同意", "approves": True}, {"label": "反对", "approves": False}],
    )
    ballots.open_ballot(user=committee, ballot=ballot)
    browser.log_in(committee)
    visit(page, ["/deliberation/desk/ballots/", f"/deliberation/desk/ballots/{ballot.pk}/"])
    expect(page.locator("progress.meter")).to_have_count(1)
    browser.log_in(city.users["subdistrict_admin"])
    visit(page, SUBDISTRICT_PAGES)
    assert browser.violations.seen == []


def test_admin_and_api_docs_keep_the_policy(browser):
    page = browser.page
    root = User.objects.create_superuser("13700000009", "pass-Word-9", name="root")
    browser.log_in(root, admin=True)
    visit(page, ADMIN_PAGES)
    # The grid's buildings are picked with the admin's autocomplete (select2).
    page.goto("/admin/places/grid/add/")
    page.locator(".select2-selection").first.click()
    expect(page.locator(".select2-dropdown")).to_be_visible()
    # Swagger UI from the app's static files: it draws every operation of the schema.
    page.goto("/api/v1/docs")
    expect(page.locator(".opblock").first).to_be_visible(timeout=30_000)
    assert browser.violations.seen == []


def test_a_confirm_button_asks_and_a_print_button_prints(city, browser):
    page = browser.page
    owner = city.users["owner"]
    browser.log_in(owner)
    residency = Residency.objects.get(user=owner, status=ResidencyStatus.VERIFIED)

    # Leaving the household asks first; "Cancel" sends nothing.
    page.goto("/me/household/bind/")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    leave = page.locator("button[data-confirm]").first
    leave.click()
    page.wait_for_timeout(300)
    assert asked == [leave.get_attribute("data-confirm")]
    residency.refresh_from_db()
    assert residency.status == ResidencyStatus.VERIFIED
    # "OK" sends the form.
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        leave.click()
    residency.refresh_from_db()
    assert residency.status != ResidencyStatus.VERIFIED

    # The certificate's print button opens the print dialog.
    page.goto("/points/certificate/")
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    page.get_by_test_id("print").click()
    assert page.evaluate("window.printed") == 1
    assert browser.violations.seen == []
