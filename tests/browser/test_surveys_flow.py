"""Surveys end to end in Chromium (seeds 002, 003: 民意调查, 诉求调查表): a resident answers an
open survey on a phone, where question 3 is asked only when question 1 is answered "Parking";
the server holds them to it (shown, it is required); staff then see the results and the
coverage by building at their desk."""

import pytest
from playwright.sync_api import expect

from linju.surveys.models import Response
from linju.surveys.tests.conftest import make_survey

from .test_household_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-Word-9"


def test_resident_answers_with_a_condition_and_staff_see_coverage(city, phone, desk):
    survey = make_survey(city)
    q1, q2, q3, *_ = survey.questions.order_by("position")
    owner, staff = city.users["owner"], city.users["community_staff"]

    # 1. On the phone: choose "Parking", rank, but leave question 3 empty: refused on it.
    log_in(phone, owner.mobile, PASSWORD)
    phone.goto("/surveys/")
    phone.get_by_role("link", name="Demands 2026").click()
    phone.check(f"input[name=q{q1.pk}][value='0']")
    phone.select_option(f"select[name=q{q2.pk}_1]", "1")
    phone.select_option(f"select[name=q{q2.pk}_2]", "0")
    with phone.expect_navigation():
        phone.get_by_test_id("submit").click()
    expect(phone.get_by_test_id(f"q{q3.pk}").locator(".errorlist")).to_be_visible()
    assert not Response.objects.exists()

    # 2. Answer it: the questionnaire is in.
    phone.fill(f"textarea[name=q{q3.pk}]", "东门口")
    with phone.expect_navigation():
        phone.get_by_test_id("submit").click()
    expect(phone.get_by_test_id("answered")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 362
    assert Response.objects.get().answers.count() == 3

    # 3. Staff see the results, the coverage of B1 (1 of 2 households) and the demands.
    log_in(desk, staff.mobile, PASSWORD)
    desk.goto(f"/surveys/{survey.pk}/")
    desk.get_by_test_id("results-link").click()
    expect(desk.get_by_test_id("result-1")).to_contain_text("Parking")
    expect(desk.get_by_test_id("result-1").locator("meter").first).to_have_attribute("value", "100")
    coverage = desk.get_by_test_id("coverage")
    expect(coverage.locator("tr", has_text="B1")).to_contain_text("50%")
    expect(coverage.locator("tr", has_text="B2")).to_contain_text("0%")
    expect(desk.get_by_test_id("demands").locator("tbody tr").first).to_contain_text("Gym")
