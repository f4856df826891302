import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_landing_page_renders_on_a_phone(phone):
    response = phone.goto("/")
    assert response.status == 200
    assert phone.locator("html").get_attribute("lang") == "zh-hans"
    # Nothing wider than the phone: no horizontal scrolling on the landing page.
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
