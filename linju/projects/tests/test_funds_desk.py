"""The crowdfunding staff desk pages (公益众筹, 众筹资金管理办法): the campaigns list with what
waits for the viewer, opening a campaign and changing its rules, recording payments (a double
submit records once), confirming and rejecting them, pledges with names masked, expenses with
the receipt photo and their approvals, closing and cancelling. Each action by an allowed and a
refused person, bad input named on its field, query counts on the list and the desk."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from linju.projects import services_funds as funds
from linju.projects.models import (
    Campaign,
    Expense,
    ExpenseStatus,
    FundEntry,
    Payment,
    PaymentStatus,
)
from linju.reports.tests.conftest import upload

from .fixtures_funds import fund_fixture, make_project, open_fund, past_deadline, pay  # noqa: F401

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"projects:{name}", args=args)


def field_errors(response, field) -> list[str]:
    text = response.content.decode()
    return re.findall(rf'<p class="error" data-field="{field}">([^<]*)</p>', text)


def as_user(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def today(days=0):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def payment_body(fund, **extra):
    return {
        "household": fund.city.households["H101"].pk,
        "amount": "12.50",
        "method": "cash",
        "paid_on": today(),
        "reference": "",
        "key": "once-1",
        **extra,
    }


# --- The campaigns list ---------------------------------------------------------------------------


def test_list_shows_what_waits_for_the_viewer(client, fund, django_assert_max_num_queries):
    pay(fund, amount=150_000)  # above 1,000 yuan: waits for a second person
    pay(fund, "H201", amount=300_000, key="big-2")
    funds.request_expense(
        user=fund.treasurer,
        campaign=fund.campaign,
        payee="灯具店",
        purpose="LED 灯",
        amount_fen=10_000,
        spent_on=timezone.localdate(),
    )
    as_user(client, fund.approver)
    with django_assert_max_num_queries(12):
        r = client.get(url("funds_desk"))
    assert r.status_code == 200
    text = r.content.decode()
    assert fund.campaign.title in text
    assert "Payments to confirm: 2" in text and "Expenses to approve: 1" in text
    # The recorder and requester is not the second person of their own payments or expenses.
    as_user(client, fund.treasurer)
    text = client.get(url("funds_desk")).content.decode()
    assert fund.campaign.title in text and "Payments to confirm" not in text
    assert "Expenses to approve" not in text


def test_list_query_count_does_not_grow(client, city, django_assert_max_num_queries):
    as_user(client, city.users["community_staff"])
    open_fund(city, suffix="a")
    client.get(url("funds_desk"))
    with django_assert_max_num_queries(12) as one:
        client.get(url("funds_desk"))
    for n in range(6):
        campaign = open_fund(city, suffix=f"m{n}")
        funds.record_payment(
            user=city.users["grid_worker"],
            campaign=campaign,
            household=city.households["H101"].pk,
            amount_fen=200_000,
            method="cash",
            paid_on=timezone.localdate(),
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        r = client.get(url("funds_desk"))
    assert r.content.decode().count("Payments to confirm: 1") == 6


def test_list_is_for_staff_of_the_scope(client, fund):
    assert client.get(url("funds_desk")).status_code == 302  # to the login page
    as_user(client, fund.city.users["owner"])
    assert client.get(url("funds_desk")).status_code == 403
    as_user(client, fund.city.users["community_staff_2"])
    r = client.get(url("funds_desk"))
    assert r.status_code == 200 and fund.campaign.title not in r.content.decode()


# --- Opening and the rules ------------------------------------------------------------------------


def open_body(city, **extra):
    return {
        "title": "单元门禁众筹",
        "goal": "3000.00",
        "deadline": today(7),
        "treasurer": city.users["grid_worker"].pk,
        "approvers": [city.users["owners_committee"].pk, city.users["building_head"].pk],
        "confirm_above": "500",
        "two_approvals_above": "0",
        "surplus": "refund",
        "rules_text": "专款专用",
        **extra,
    }


def test_open_a_campaign_from_a_project(client, city):
    project = make_project(city, title="门禁改造")
    manager = as_user(client, city.users["community_staff"])
    r = manager.get(url("funds_desk_open"))
    assert r.status_code == 200 and "门禁改造" in r.content.decode()
    r = manager.get(url("funds_desk_open"), {"project": project.pk})
    text = r.content.decode()
    assert r.status_code == 200 and city.users["owners_committee"].name in text
    assert city.users["grid_worker_2"].name not in text  # C2's staff are not offered
    body = {"project": project.pk, **open_body(city)}
    r = manager.post(url("funds_desk_open"), body)
    campaign = Campaign.objects.get(project=project)
    assert r.status_code == 302 and r["Location"] == url("funds_desk_campaign", campaign.pk)
    assert campaign.goal_fen == 300_000 and campaign.confirm_above_fen == 50_000
    assert campaign.two_approvals_above_fen == 0 and campaign.surplus == "refund"
    assert set(campaign.approvers.values_list("pk", flat=True)) == set(body["approvers"])
    # The project has its campaign now: it is no longer offered.
    assert manager.get(url("funds_desk_open"), {"project": project.pk}).status_code == 404


@pytest.mark.parametrize(
    "field,value",
    [
        ("goal", "0"),
        ("goal", "12.345"),
        ("title", ""),
        ("deadline", "2020-01-01"),
        ("deadline", "not a day"),
        ("treasurer", "other"),
        ("approvers", []),
        ("confirm_above", "-1"),
        ("surplus", "burn"),
    ],
)
def test_open_errors_on_the_field(client, city, field, value):
    project = make_project(city)
    if value == "other":
        value = city.users["grid_worker_2"].pk  # staff of C2: the service refuses the choice
    manager = as_user(client, city.users["community_staff"])
    body = {"project": project.pk, **open_body(city), field: value}
    r = manager.post(url("funds_desk_open"), body)
    assert r.status_code == 422
    assert field_errors(r, field), r.content.decode()[:3000]
    assert not Campaign.objects.exists()


def test_open_is_for_managers_of_the_scope(client, city):
    project = make_project(city)
    as_user(client, city.users["grid_worker"])
    assert client.get(url("funds_desk_open")).status_code == 403
    r = client.post(url("funds_desk_open"), {"project": project.pk, **open_body(city)})
    assert r.status_code == 403
    as_user(client, city.users["community_staff_2"])
    r = client.post(url("funds_desk_open"), {"project": project.pk, **open_body(city)})
    assert r.status_code == 404 and not Campaign.objects.exists()


def test_rules_change_until_the_first_payment(client, fund):
    body = open_body(fund.city, confirm_above="20.00")
    for key in ("title", "goal", "deadline"):
        body.pop(key)
    as_user(client, fund.treasurer)
    assert client.get(url("funds_desk_rules", fund.campaign.pk)).status_code == 403
    assert client.post(url("funds_desk_rules", fund.campaign.pk), body).status_code == 403
    as_user(client, fund.manager)
    r = client.get(url("funds_desk_rules", fund.campaign.pk))
    assert r.status_code == 200 and 'value="1000.00"' in r.content.decode()
    r = client.post(url("funds_desk_rules", fund.campaign.pk), {**body, "two_approvals_above": ""})
    assert r.status_code == 422 and field_errors(r, "two_approvals_above")
    r = client.post(url("funds_desk_rules", fund.campaign.pk), body)
    assert r.status_code == 302
    fund.campaign.refresh_from_db()
    assert fund.campaign.confirm_above_fen == 2_000 and fund.campaign.surplus == "refund"
    pay(fund, amount=100)
    r = client.post(url("funds_desk_rules", fund.campaign.pk), {**body, "confirm_above": "30"})
    assert r.status_code == 422
    assert "cannot change once a payment is recorded" in r.content.decode()
    fund.campaign.refresh_from_db()
    assert fund.campaign.confirm_above_fen == 2_000


# --- Payments -------------------------------------------------------------------------------------


def test_record_payment_double_submit_records_once(client, fund):
    as_user(client, fund.treasurer)
    r = client.get(url("funds_desk_campaign", fund.campaign.pk))
    assert r.status_code == 200 and 'data-testid="payment-form"' in r.content.decode()
    for _ in range(2):
        r = client.post(url("funds_desk_pay", fund.campaign.pk), payment_body(fund))
        assert r.status_code == 302
    assert Payment.objects.count() == 1 and FundEntry.objects.count() == 1
    fund.campaign.refresh_from_db()
    assert fund.campaign.income_fen == 1_250 and fund.campaign.balance_fen == 1_250
    # The same key with other figures is refused, on the form.
    r = client.post(url("funds_desk_pay", fund.campaign.pk), payment_body(fund, amount="13"))
    assert r.status_code == 422 and "recorded already with other figures" in r.content.decode()
    # A fresh key records another one.
    r = client.post(url("funds_desk_pay", fund.campaign.pk), payment_body(fund, key="once-2"))
    assert r.status_code == 302 and Payment.objects.count() == 2


@pytest.mark.parametrize(
    "field,value",
    [
        ("amount", "0"),
        ("amount", "abc"),
        ("household", ""),
        ("household", "999999"),
        ("method", "gold"),
        ("paid_on", "later"),
        ("paid_on", "future"),
    ],
)
def test_record_payment_errors_on_the_field(client, fund, field, value):
    if value == "future":
        value = today(3)
    if field == "household" and value == "999999":
        value = fund.city.households["H301"].pk  # a household of C2: not in the scope
    as_user(client, fund.treasurer)
    r = client.post(url("funds_desk_pay", fund.campaign.pk), payment_body(fund, **{field: value}))
    assert r.status_code == 422
    assert field_errors(r, field), r.content.decode()[:3000]
    assert not Payment.objects.exists()


def test_only_the_treasurer_records_payments(client, fund):
    for who in ("community_staff", "owners_committee", "owner"):
        as_user(client, fund.city.users[who])
        r = client.post(url("funds_desk_pay", fund.campaign.pk), payment_body(fund))
        assert r.status_code in (403, 404), who
    as_user(client, fund.city.users["grid_worker_2"])
    assert (
        client.post(url("funds_desk_pay", fund.campaign.pk), payment_body(fund)).status_code == 404
    )
    assert not Payment.objects.exists()


def test_household_found_by_room(client, fund):
    funds.pledge(user=fund.city.users["owner"], campaign=fund.campaign, amount_fen=5_000)
    as_user(client, fund.treasurer)
    text = client.get(url("funds_desk_campaign", fund.campaign.pk)).content.decode()
    assert "B1 U1 101" in text and "B2 U2 201" not in text  # pledging households only
    r = client.get(url("funds_desk_campaign", fund.campaign.pk), {"room": "201"})
    text = r.content.decode()
    assert "B2 U2 201" in text and "U3 301" not in text
    text = client.get(url("funds_desk_campaign", fund.campaign.pk), {"room": "301"}).content
    assert "No household of this scope has that room number." in text.decode()


def test_confirm_and_reject_waiting_payments(client, fund):
    waiting = pay(fund, amount=150_000)
    other = pay(fund, "H201", amount=120_000, key="k2")
    confirm = url("funds_desk_confirm", fund.campaign.pk, waiting.pk)
    as_user(client, fund.treasurer)
    page = client.get(url("funds_desk_campaign", fund.campaign.pk)).content.decode()
    assert "1,500.00" in page and confirm not in page  # the recorder sees no button
    assert client.post(confirm).status_code == 403
    as_user(client, fund.city.users["partner"])  # sees the campaign, may not decide
    assert client.post(confirm).status_code == 403
    as_user(client, fund.approver)
    assert confirm in client.get(url("funds_desk_campaign", fund.campaign.pk)).content.decode()
    assert client.post(confirm).status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == PaymentStatus.CONFIRMED and waiting.confirmed_by == fund.approver
    r = client.post(confirm, follow=True)  # twice: a message, nothing counted again
    assert "decided already" in r.content.decode()
    assert FundEntry.objects.filter(payment=waiting).count() == 1
    reject = url("funds_desk_reject_payment", fund.campaign.pk, other.pk)
    r = client.post(reject, {"reason": "  "})
    assert r.status_code == 422 and field_errors(r, "reason")
    assert client.post(reject, {"reason": "未收到转账"}).status_code == 302
    other.refresh_from_db()
    assert other.status == PaymentStatus.REJECTED and other.reject_reason == "未收到转账"


# --- Pledges --------------------------------------------------------------------------------------


def test_pledgers_named_as_staff_may_see_them(client, fund):
    funds.pledge(user=fund.city.users["owner"], campaign=fund.campaign, amount_fen=8_800)
    as_user(client, fund.manager)  # a handler of the scope: the name in full
    text = client.get(url("funds_desk_campaign", fund.campaign.pk)).content.decode()
    assert "张owner明" in text and "88.00" in text
    as_user(client, fund.approver)  # the owners' committee: masked
    text = client.get(url("funds_desk_campaign", fund.campaign.pk)).content.decode()
    assert "张owner明" not in text and "张*****明" in text


# --- Expenses -------------------------------------------------------------------------------------


def expense_body(**extra):
    return {
        "payee": "灯具店",
        "purpose": "楼道 LED 灯",
        "amount": "2500.00",
        "spent_on": today(),
        **extra,
    }


def test_expense_with_receipt_and_two_approvals(client, fund, media):
    for n, home in enumerate(["H101", "H102", "H201", "H101"]):
        pay(fund, home, amount=90_000, key=f"k{n}")
    as_user(client, fund.approver)  # an approver does not ask
    r = client.post(url("funds_desk_expense", fund.campaign.pk), expense_body())
    assert r.status_code == 403
    as_user(client, fund.treasurer)
    r = client.post(
        url("funds_desk_expense", fund.campaign.pk),
        {**expense_body(), "receipt": upload(size=(64, 48))},
    )
    assert r.status_code == 302
    expense = Expense.objects.get()
    assert expense.approvals_needed == 2 and expense.receipt
    receipt = url("funds_desk_receipt", fund.campaign.pk, expense.pk)
    approve = url("funds_desk_approve", fund.campaign.pk, expense.pk)
    as_user(client, fund.approver)
    page = client.get(url("funds_desk_campaign", fund.campaign.pk)).content.decode()
    assert "Approvals still needed: 2 of 2" in page and receipt in page
    r = client.get(receipt)
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg"
    assert client.post(approve).status_code == 302
    page = client.get(url("funds_desk_campaign", fund.campaign.pk)).content.decode()
    assert "Approvals still needed: 1 of 2" in page and approve not in page
    r = client.post(approve, follow=True)
    assert "approved this expense already" in r.content.decode()
    as_user(client, fund.treasurer)
    assert client.post(approve).status_code == 403  # the requester
    as_user(client, fund.manager)
    assert client.post(approve).status_code == 403  # a manager is not an approver
    as_user(client, fund.approver2)
    r = client.post(approve, follow=True)
    assert "Your approval is recorded." in r.content.decode()
    expense.refresh_from_db()
    fund.campaign.refresh_from_db()
    assert expense.status == ExpenseStatus.PAID
    assert fund.campaign.expense_fen == 250_000 and fund.campaign.balance_fen == 110_000


@pytest.mark.parametrize(
    "field,value",
    [("payee", ""), ("purpose", ""), ("amount", "abc"), ("amount", "0"), ("spent_on", "x")],
)
def test_expense_errors_on_the_field(client, fund, field, value):
    as_user(client, fund.treasurer)
    r = client.post(url("funds_desk_expense", fund.campaign.pk), expense_body(**{field: value}))
    assert r.status_code == 422 and field_errors(r, field)
    assert not Expense.objects.exists()


def test_expense_receipt_not_a_photo_named_on_its_field(client, fund, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    as_user(client, fund.treasurer)
    bad = SimpleUploadedFile("r.jpg", b"not an image", content_type="image/jpeg")
    r = client.post(url("funds_desk_expense", fund.campaign.pk), {**expense_body(), "receipt": bad})
    assert r.status_code == 422 and field_errors(r, "receipt")
    assert not Expense.objects.exists()


def test_reject_expense_by_a_manager_and_refused_to_the_treasurer(client, fund):
    expense = funds.request_expense(
        user=fund.treasurer,
        campaign=fund.campaign,
        payee="商家",
        purpose="油漆",
        amount_fen=100,
        spent_on=timezone.localdate(),
    )
    reject = url("funds_desk_reject_expense", fund.campaign.pk, expense.pk)
    as_user(client, fund.treasurer)
    assert client.post(reject, {"reason": "x"}).status_code == 403
    as_user(client, fund.manager)
    r = client.post(reject, {"reason": ""})
    assert r.status_code == 422 and field_errors(r, "reason")
    assert client.post(reject, {"reason": "发票不符"}).status_code == 302
    expense.refresh_from_db()
    assert expense.status == ExpenseStatus.REJECTED and expense.reject_reason == "发票不符"


def test_receipt_hidden_outside_the_fund(client, fund, media):
    expense = funds.request_expense(
        user=fund.treasurer,
        campaign=fund.campaign,
        payee="商家",
        purpose="油漆",
        amount_fen=100,
        spent_on=timezone.localdate(),
        receipt=upload(size=(32, 32)),
    )
    receipt = url("funds_desk_receipt", fund.campaign.pk, expense.pk)
    for who in ("owner", "community_staff_2"):
        as_user(client, fund.city.users[who])
        assert client.get(receipt).status_code == 404, who


# --- Closing and cancelling -----------------------------------------------------------------------


def test_close_after_the_last_day(client, fund):
    close = url("funds_desk_close", fund.campaign.pk)
    as_user(client, fund.treasurer)
    assert client.post(close).status_code == 403
    as_user(client, fund.manager)
    r = client.post(close, follow=True)
    assert "closes after its last day" in r.content.decode()
    past_deadline(fund.campaign)
    r = client.post(close, follow=True)
    assert "The campaign is closed." in r.content.decode()
    fund.campaign.refresh_from_db()
    assert fund.campaign.status == "closed"


def test_cancel_with_a_reason_refunds(client, fund):
    pay(fund, amount=5_000)
    cancel = url("funds_desk_cancel", fund.campaign.pk)
    as_user(client, fund.approver)
    assert client.post(cancel, {"reason": "x"}).status_code == 403
    as_user(client, fund.manager)
    r = client.post(cancel, {"reason": ""})
    assert r.status_code == 422 and field_errors(r, "reason")
    assert client.post(cancel, {"reason": "项目取消"}).status_code == 302
    fund.campaign.refresh_from_db()
    assert fund.campaign.status == "cancelled" and fund.campaign.refund_fen == 5_000
    assert fund.campaign.balance_fen == 0


# --- The desk page --------------------------------------------------------------------------------


def test_desk_page_query_count_does_not_grow(client, fund, django_assert_max_num_queries):
    as_user(client, fund.manager)
    pay(fund, amount=150_000, key="p0")
    pay(fund, amount=100, key="s0")
    funds.pledge(user=fund.city.users["owner"], campaign=fund.campaign, amount_fen=100)
    funds.request_expense(
        user=fund.treasurer,
        campaign=fund.campaign,
        payee="商家",
        purpose="支出0",
        amount_fen=50,
        spent_on=timezone.localdate(),
    )
    client.get(url("funds_desk_campaign", fund.campaign.pk))
    with django_assert_max_num_queries(30) as one:
        client.get(url("funds_desk_campaign", fund.campaign.pk))
    for n in range(1, 6):
        pay(fund, "H201" if n % 2 else "H102", amount=150_000 + n, key=f"p{n}")
        pay(fund, "H201", amount=100 + n, key=f"s{n}")
        funds.request_expense(
            user=fund.treasurer,
            campaign=fund.campaign,
            payee="商家",
            purpose=f"支出{n}",
            amount_fen=50,
            spent_on=timezone.localdate(),
        )
    funds.pledge(user=fund.city.users["tenant"], campaign=fund.campaign, amount_fen=100)
    with django_assert_max_num_queries(len(one.captured_queries)):
        r = client.get(url("funds_desk_campaign", fund.campaign.pk))
    assert r.status_code == 200


def test_desk_page_refused_outside_the_fund(client, fund):
    for who in ("owner", "community_staff_2", "building_head_2"):
        as_user(client, fund.city.users[who])
        r = client.get(url("funds_desk_campaign", fund.campaign.pk))
        assert r.status_code in (403, 404), who
    as_user(client, fund.manager)
    text = client.get(url("funds_desk_campaign", fund.campaign.pk)).content.decode()
    for link in ("funds_account", "funds_account_print", "funds_account_xlsx"):
        assert url(link, fund.campaign.pk) in text
