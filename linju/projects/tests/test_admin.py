"""Django admin, the back office of last resort for co-creation: every registered model's list
and change pages open for a superuser on real rows; the public account's entries can be read
but never added, changed or deleted there (a mistake is corrected by another entry)."""

import pytest
from django.contrib import admin
from django.urls import reverse

from linju.core.testing import log_in_to_admin
from linju.people.models import User
from linju.projects import services_funds as funds
from linju.projects import services_retrofits as retrofits
from linju.projects.models import FundEntry

from .fixtures_funds import fund_fixture, pay  # noqa: F401  (the fixture)
from .fixtures_work import need, partner, resource

pytestmark = pytest.mark.django_db


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def root(client, city, fund):
    user = User.objects.create_superuser("13700000001", "pass-Word-9", name="root")
    log_in_to_admin(client, user)
    # A row in every co-creation table the admin shows.
    need(city)
    partner(city)
    resource(city)
    retrofits.open_retrofit(user=city.users["community_staff"], place_id=city.places["U1"].pk)
    funds.pledge(user=city.users["owner"], campaign=fund.campaign, amount_fen=10_000)
    pay(fund)
    return client


def test_every_co_creation_admin_page_opens(root):
    models = [m for m in admin.site._registry if m._meta.app_label == "projects"]
    assert len(models) >= 8
    for model in models:
        assert root.get(url(model, "changelist")).status_code == 200, model
        row = model.objects.first()
        if row is not None:
            assert root.get(url(model, "change", row.pk)).status_code == 200, model


def test_the_public_account_is_read_only_in_the_admin(root):
    entry = FundEntry.objects.get()
    assert root.get(url(FundEntry, "add")).status_code == 403
    assert root.get(url(FundEntry, "delete", entry.pk)).status_code == 403
    body = root.get(url(FundEntry, "change", entry.pk)).content.decode()
    assert 'name="amount_fen"' not in body
