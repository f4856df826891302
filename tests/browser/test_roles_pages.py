"""Every role logs in on a phone and the pages its work starts from open without an error and
without horizontal scrolling."""

import pytest
from playwright.sync_api import expect

from linju.core import access

from .test_household_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = [
    "owner",
    "tenant",
    "unit_head",
    "building_head",
    "floor_head",
    "grid_worker",
    "party_liaison",
    "community_staff",
    "property_manager",
    "owners_committee",
    "partner",
    "subdistrict_admin",
    "newcomer",
]


def pages_for(user):
    """The pages a role is expected to use, by the permissions it holds."""
    pages = ["/", "/notifications/", "/me/household/bind/", "/me/data/"]
    if access.staff_roles_of(user):
        pages.append("/staff/")
    checks = {
        "people.verify_residency": "/people/verify/",
        "people.grant_role": "/people/roles/",
        "people.import_roster": "/people/roster/import/",
        "core.view_audit": "/staff/audit/",
        "people.manage_party": "/people/party/",
    }
    pages += [url for perm, url in checks.items() if access.has_anywhere(user, perm)]
    return pages


@pytest.mark.parametrize("role", ROLES)
def test_role_pages_open_on_a_phone(city, phone, role):
    user = city.users[role]
    log_in(phone, user.mobile, "pass-Word-9")
    expect(phone.locator("form[action='/accounts/logout/']")).to_have_count(1)
    for url in pages_for(user):
        response = phone.goto(url)
        assert response.status == 200, url
        assert phone.evaluate("document.documentElement.scrollWidth") <= 362, url
