"""Crowdfunding over HTTP: the API (bad input naming the field, the idempotency header, the
public account without login, the 409 with the balance), the pages (public account, print
view, pledge form with its errors), the XLSX export opened with openpyxl, query counts."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from linju.projects import services_funds as funds
from linju.projects.models import FundEntry, Payment, Pledge

from .fixtures_funds import fund_fixture, pay  # noqa: F401

API = "/api/v1/projects/campaigns"


def test_public_account_without_login(client, fund, django_assert_max_num_queries):
    funds.pledge(
        user=fund.city.users["owner"], campaign=fund.campaign, amount_fen=100, show_name=True
    )
    for n in range(5):
        pay(fund, "H101" if n % 2 else "H201", 1_000 + n, key=f"k{n}")
    with django_assert_max_num_queries(8):
        r = client.get(f"{API}/{fund.campaign.pk}/entries")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 5
    households = {i["household"] for i in body["items"]}
    assert "张owner明" in households and "a household of B2" in households
    r = client.get(f"{API}/{fund.campaign.pk}")
    assert r.json()["income_fen"] == 5_010 and r.json()["balance_fen"] == 5_010
    r = client.get(reverse("projects:funds_account", args=[fund.campaign.pk]))
    assert r.status_code == 200 and "50.10" in r.content.decode()
    r = client.get(reverse("projects:funds_account_print", args=[fund.campaign.pk]))
    assert r.status_code == 200 and "projects/funds.css" in r.content.decode()


def test_xlsx_export(client, fund):
    pay(fund, amount=12_345)
    r = client.get(reverse("projects:funds_account_xlsx", args=[fund.campaign.pk]))
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    rows = list(book.active.values)
    assert rows[0][0] == fund.campaign.title
    assert ["Balance", 123.45] in [list(r[:2]) for r in rows if r]
    assert float(rows[-1][2]) == 123.45


def test_api_payment_idempotency_header_and_bad_input(client, fund):
    client.force_login(fund.treasurer)
    body = {
        "household": fund.city.households["H101"].pk,
        "amount_fen": 500,
        "method": "cash",
        "paid_on": timezone.localdate().isoformat(),
    }
    for _ in range(2):
        r = client.post(
            f"{API}/{fund.campaign.pk}/payments",
            body,
            content_type="application/json",
            headers={"Idempotency-Key": "tap-1"},
        )
        assert r.status_code == 201, r.json()
    assert Payment.objects.count() == 1 and FundEntry.objects.count() == 1
    for field, value in [("amount_fen", 0), ("method", "gold"), ("household", 999999)]:
        r = client.post(
            f"{API}/{fund.campaign.pk}/payments",
            {**body, field: value},
            content_type="application/json",
        )
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == field
    r = client.post(
        f"{API}/{fund.campaign.pk}/payments",
        {**body, "paid_on": "not-a-day"},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "paid_on"


def test_api_expense_409_says_the_balance(client, fund):
    pay(fund, amount=1_000)
    client.force_login(fund.treasurer)
    r = client.post(
        f"{API}/{fund.campaign.pk}/expenses",
        {"payee": "商家", "purpose": "灯", "amount_fen": 5_000, "spent_on": "2026-01-02"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.json()
    client.force_login(fund.approver)
    r = client.post(f"{API}/{fund.campaign.pk}/expenses/{r.json()['id']}/approve")
    assert r.status_code == 409
    assert r.json()["code"] == "insufficient_balance" and "10.00" in r.json()["message"]


def test_api_pledge_and_withdraw(client, fund):
    client.force_login(fund.city.users["owner"])
    r = client.post(
        f"{API}/{fund.campaign.pk}/pledge", {"amount_fen": 0}, content_type="application/json"
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "amount_fen"
    r = client.post(
        f"{API}/{fund.campaign.pk}/pledge", {"amount_fen": 300}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["amount_fen"] == 300
    assert client.get(f"{API}/{fund.campaign.pk}/mine").json()["pledges"][0]["amount_fen"] == 300
    r = client.post(
        f"{API}/{fund.campaign.pk}/pledge/withdraw", {}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"


def test_pledge_page_in_yuan_with_errors_on_the_field(client, fund):
    client.force_login(fund.city.users["owner"])
    url = reverse("projects:funds_pledge", args=[fund.campaign.pk])
    r = client.post(url, {"amount": "12.345"})
    assert r.status_code == 422
    assert "amount" in r.context["form"].errors
    r = client.post(url, {"amount": "12.50", "show_name": "on"})
    assert r.status_code == 302
    assert Pledge.objects.get().amount_fen == 1250
    page = client.get(reverse("projects:funds_campaign", args=[fund.campaign.pk]))
    assert "12.50" in page.content.decode()
    client.force_login(fund.city.users["owner_2"])
    assert client.post(url, {"amount": "1"}).status_code == 403


@pytest.mark.parametrize("text", ["abc", "-1", "0", "1.2.3", "NaN", "99999999999"])
def test_yuan_field_refuses(text):
    from linju.projects.forms_funds import PledgeForm

    form = PledgeForm({"amount": text}, households=[])
    assert not form.is_valid() and "amount" in form.errors
