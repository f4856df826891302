"""Store items' photos through every upload route (the desk's new-item and item pages, the API's
create and PATCH): a file that is no photo is refused naming `photo` and nothing is saved; a
photo is stored under a random name ending in .jpg whatever the client called it."""

import re

import pytest
from django.test.client import MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from linju.core.tests import upload_samples as s
from linju.core.tests.test_api import API, api_client, assert_error
from linju.points import services_store
from linju.points.models import StoreItem

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]
BOUNDARY = "uploadsboundary"


def multipart(client, method, url, data):
    return getattr(client, method)(
        API + url,
        encode_multipart(BOUNDARY, data),
        content_type=f"{MULTIPART_CONTENT}; boundary={BOUNDARY}",
    )


def test_a_photo_keeps_no_client_extension(shop):
    item = services_store.create_item(
        user=shop.manager,
        place_id=shop.community.pk,
        name="油",
        cost=5,
        photo=s.upload("shell.php.html", s.jpeg()),
    )
    assert re.fullmatch(r"points/items/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", item.photo.name)


def test_desk_pages_refuse_a_page_named_photo_jpg(client, shop):
    client.force_login(shop.manager)
    new = {"place": shop.community.pk, "name": "油", "cost": 20, "stock": 5, "per_person": 0}
    bad = s.upload("photo.jpg", s.HTML, "image/jpeg")
    response = client.post(reverse("points:desk_item_new"), {**new, "photo": bad})
    assert response.status_code == 200 and 'data-field="photo"' in response.content.decode()
    assert StoreItem.objects.count() == 2
    edit = {"action": "update", "name": "新大米", "cost": 50, "per_person": 2, "donor": ""}
    url = reverse("points:desk_item", args=[shop.rice.pk])
    response = client.post(url, {**edit, "photo": s.upload("photo.jpg", s.EXE, "image/jpeg")})
    assert response.status_code == 200 and 'data-field="photo"' in response.content.decode()
    shop.rice.refresh_from_db()
    assert shop.rice.name == "大米 5kg" and not shop.rice.photo


def test_api_create_and_update_refuse_a_bad_photo(shop):
    desk = api_client(shop.manager)
    fields = {"place": str(shop.community.pk), "name": "油", "cost": "30", "stock": "5"}
    response = multipart(
        desk, "post", "/points/items", {**fields, "photo": s.upload("p.jpg", s.HTML)}
    )
    assert_error(response, 422, "invalid", field="photo")
    assert StoreItem.objects.count() == 2
    data = {"name": "新大米", "photo": s.upload("p.jpg", s.png_claiming(9000, 9000))}
    response = multipart(desk, "patch", f"/points/items/{shop.rice.pk}", data)
    assert_error(response, 422, "invalid", field="photo")
    shop.rice.refresh_from_db()
    assert shop.rice.name == "大米 5kg" and not shop.rice.photo
