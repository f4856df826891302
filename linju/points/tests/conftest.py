"""The love supermarket of community C1 of the test city, with a few items; helpers to credit
points through the real services."""

from dataclasses import dataclass

import pytest

from linju.points import services, services_store
from linju.ratings.tests.conftest import contested  # noqa: F401  (a fixture for the tests)
from linju.reports.tests.conftest import media, submit  # noqa: F401  (fixtures)


@dataclass
class Shop:
    city: object
    manager: object
    community: object
    rice: object  # 50 points, 50 in stock, 2 a person a month
    towel: object  # 10 points, 3 in stock, no limit


@pytest.fixture
def shop(city):
    manager = city.users["community_staff"]
    community = city.places["C1"]
    rice = services_store.create_item(
        user=manager,
        place_id=community.pk,
        name="大米 5kg",
        cost=50,
        stock=50,
        per_person=2,
        donor="共建单位·粮油公司",
    )
    towel = services_store.create_item(
        user=manager, place_id=community.pk, name="毛巾", cost=10, stock=3
    )
    return Shop(city=city, manager=manager, community=community, rice=rice, towel=towel)


def give(shop, person, amount, key=None):
    """Credit `amount` points to a person by a staff adjustment in the shop's community."""
    return services.adjust_points(
        user=shop.manager,
        person_id=person.pk,
        place_id=shop.community.pk,
        amount=amount,
        reason="测试发放",
        key=key or "",
    )
