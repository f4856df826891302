"""Report photos through every upload route (the report form and the staff desk's resolve
action; the API's submit and resolve): a file that is no photo, whatever it is called, is
refused naming the photo, and nothing is saved (core.uploads)."""

import re

import pytest
from django.urls import reverse

from linju.core.tests import upload_samples as s
from linju.core.tests.test_api import API, api_client, assert_error
from linju.reports import services
from linju.reports.models import Photo, Report, Status

from .conftest import upload

pytestmark = pytest.mark.django_db


def html_named_jpg():
    return s.upload("photo.jpg", s.HTML, "image/jpeg")


def field_errors(response) -> set[str]:
    return set(re.findall(r'class="error" data-field="([^"]+)"', response.content.decode()))


@pytest.fixture
def started(city, submit):
    """A report the property manager is working on."""
    u = city.users
    report = submit()
    services.dispatch_report(
        user=u["grid_worker"], report=report, handler_id=u["property_manager"].pk
    )
    services.start_work(user=u["property_manager"], report=report)
    return report


def test_report_page_refuses_a_page_named_photo_jpg(client, city, media):
    client.force_login(city.users["owner"])
    data = {
        "category": "clutter",
        "place": city.places["B1"].pk,
        "description": "楼道里堆满了纸箱",
        "photos": [upload(size=(64, 48)), html_named_jpg()],
    }
    response = client.post(reverse("reports:new"), data)
    assert response.status_code == 200 and field_errors(response) == {"photos"}
    assert not Report.objects.exists() and not Photo.objects.exists()


def test_api_submit_refuses_a_bad_photo_and_an_oversize_one(city, media):
    owner = api_client(city.users["owner"])
    fields = {"category": "clutter", "place": city.places["B1"].pk, "description": "纸箱"}
    bad = owner.post(f"{API}/reports", {**fields, "photos": [upload(), html_named_jpg()]})
    assert_error(bad, 422, "invalid", field="photos.1")
    huge = s.upload("big.jpg", s.jpeg() + b"\0" * (15 * 1024 * 1024), "image/jpeg")
    assert_error(
        owner.post(f"{API}/reports", {**fields, "photos": [huge]}), 422, "invalid", "photos.0"
    )
    assert not Report.objects.exists() and not Photo.objects.exists()


def test_resolve_page_refuses_a_bad_photo(client, city, started):
    client.force_login(city.users["property_manager"])
    url = reverse("reports:desk_report", args=[started.pk])
    data = {"action": "resolve", "resolve-reply": "已清理", "resolve-photos": [html_named_jpg()]}
    response = client.post(url, data)
    assert response.status_code == 200 and field_errors(response) == {"photos"}
    started.refresh_from_db()
    assert started.status == Status.IN_PROGRESS and not started.photos.exists()


def test_api_resolve_refuses_a_bad_photo(city, started):
    handler = api_client(city.users["property_manager"])
    data = {"reply": "已清理", "photos": [s.upload("fix.jpg", s.EXE, "image/jpeg")]}
    response = handler.post(f"{API}/reports/{started.pk}/resolve", data)
    assert_error(response, 422, "invalid", field="photos.0")
    started.refresh_from_db()
    assert started.status == Status.IN_PROGRESS and not started.photos.exists()
