"""The assisted-service list (帮办代办) of community C1 of the test city: an item handled by grid
workers, a slot tomorrow with two places, and the mobile desk of estate E1. Pages are read in
English (zh-Hans is the default)."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.utils import timezone

from linju.services import services


@pytest.fixture(autouse=True)
def _english_client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@dataclass
class Desk:
    city: object
    staff: object
    item: object
    slot: object


def tomorrow():
    return timezone.localdate() + dt.timedelta(days=1)


def make_item(city, **kw):
    fields = {
        "name": "老年证代办",
        "description": "帮您申请老年优待证",
        "materials": "身份证、一寸照片",
        "handling_role": "grid_worker",
        "time_limit_days": 5,
    }
    fields.update(kw)
    return services.create_item(
        user=city.users["community_staff"], place_id=city.places["C1"].pk, **fields
    )


def make_slot(city, *, capacity=2, day=None, starts=dt.time(9), ends=dt.time(11)):
    return services.publish_slot(
        user=city.users["community_staff"],
        place_id=city.places["C1"].pk,
        day=day or tomorrow(),
        starts=starts,
        ends=ends,
        capacity=capacity,
    )


@pytest.fixture
def desk(city):
    return Desk(
        city=city, staff=city.users["community_staff"], item=make_item(city), slot=make_slot(city)
    )
