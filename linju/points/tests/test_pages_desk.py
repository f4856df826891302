"""The points desk pages: handing out by pickup code and cancelling with a reason, volunteer
service and adjustments for a person found by mobile, earning rules (defaults shown) and
expiry, the shop's items with photo and stock, the ledgers with their filters and XLSX opened
back, the month's leaderboard, the staff desk panel; who gets 200, 403, 404 or the login."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from linju.core.masking import mask_mobile, mask_name
from linju.people.models import User
from linju.points import services, services_store
from linju.points.models import (
    EarningRule,
    ExpiryPolicy,
    HoursEntry,
    PointsEntry,
    PointsKind,
    Redemption,
    RedemptionStatus,
    StoreItem,
)
from linju.reports.tests.conftest import jpeg_bytes

from .conftest import give

pytestmark = pytest.mark.django_db

PAGES = [
    "points:desk",
    "points:desk_service",
    "points:desk_adjust",
    "points:desk_rules",
    "points:desk_items",
    "points:desk_item_new",
    "points:desk_points",
    "points:desk_hours",
    "points:desk_leaderboard",
]


def today():
    return timezone.localdate()


def body(response) -> str:
    return response.content.decode()


def reserved(shop, person="owner", amount=100, item=None):
    """A redemption waiting at the desk, by a resident of C1 given the points first."""
    user = shop.city.users[person]
    give(shop, user, amount)
    return services_store.redeem(user=user, item=item or shop.towel)


def book_of(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Cache-Control"] == "private, no-store"
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


# --- Who may enter --------------------------------------------------------------------------------


def test_who_enters_the_desk(shop, client):
    city = shop.city
    item_url = reverse("points:desk_item", args=[shop.rice.pk])
    urls = [reverse(name) for name in PAGES] + [
        item_url,
        reverse("points:desk_points_xlsx"),
        reverse("points:desk_hours_xlsx"),
    ]
    client.force_login(shop.manager)
    for url in urls:
        assert client.get(url).status_code == 200, url
    # A subdistrict admin manages every community below: the same pages.
    client.force_login(city.users["subdistrict_admin"])
    for url in urls:
        assert client.get(url).status_code == 200, url
    # The staff of C2 enter their own desk but never see C1's item.
    client.force_login(city.users["community_staff_2"])
    assert client.get(reverse("points:desk")).status_code == 200
    assert client.get(item_url).status_code == 404
    assert (
        client.post(item_url, {"action": "restock", "change": 5, "reason": "x"}).status_code == 404
    )
    # A resident has no desk.
    client.force_login(city.users["owner"])
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("points:desk_adjust"), {}).status_code == 403
    # A grid worker reads the ledgers (points.view) but writes nothing.
    client.force_login(city.users["grid_worker"])
    assert client.get(reverse("points:desk_points")).status_code == 200
    assert client.get(reverse("points:desk_service")).status_code == 403
    assert client.get(reverse("points:desk_item_new")).status_code == 403
    assert client.post(reverse("points:desk"), {"action": "collect"}).status_code == 403
    assert client.post(reverse("points:desk_rules"), {"action": "rule"}).status_code == 403
    client.logout()
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url


def test_the_desk_panel(shop, client):
    reserved(shop)
    client.force_login(shop.manager)
    page = body(client.get(reverse("core:staff_home")))
    assert 'data-testid="points-waiting">1<' in page
    assert reverse("points:desk") in page
    client.force_login(shop.city.users["community_staff_2"])
    assert 'data-testid="points-waiting">0<' in body(client.get(reverse("core:staff_home")))


# --- The shop's desk ------------------------------------------------------------------------------


def test_hand_out_by_code(shop, client):
    redemption = reserved(shop)
    client.force_login(shop.manager)
    page = client.get(reverse("points:desk"))
    assert f'data-redemption="{redemption.pk}"' in body(page)
    assert redemption.code not in body(page)  # the resident shows it; the list does not
    url = reverse("points:desk")
    place = shop.community.pk
    wrong = "0" * 8 if redemption.code != "0" * 8 else "1" * 8
    for data, field in [
        ({"place": place, "code": wrong}, "code"),
        ({"place": place}, "code"),
        ({"code": redemption.code}, "place"),
    ]:
        response = client.post(url, {"action": "collect", **data})
        assert response.status_code == 200
        assert f'data-field="{field}"' in body(response), data
    assert Redemption.objects.get(pk=redemption.pk).status == RedemptionStatus.RESERVED
    response = client.post(url, {"action": "collect", "place": place, "code": redemption.code})
    assert response.status_code == 302
    assert Redemption.objects.get(pk=redemption.pk).status == RedemptionStatus.COLLECTED
    assert "毛巾" in body(client.get(url))  # the message names the item
    # Handed out once: the code no longer finds it.
    response = client.post(url, {"action": "collect", "place": place, "code": redemption.code})
    assert 'data-field="code"' in body(response)
    # The staff of C2 cannot hand out in C1's shop.
    other = reserved(shop, "tenant")
    client.force_login(shop.city.users["community_staff_2"])
    response = client.post(url, {"action": "collect", "place": place, "code": other.code})
    assert response.status_code == 403
    assert Redemption.objects.get(pk=other.pk).status == RedemptionStatus.RESERVED


def test_cancel_with_a_reason(shop, client):
    redemption = reserved(shop, amount=10)
    owner = shop.city.users["owner"]
    url = reverse("points:desk")
    client.force_login(shop.manager)
    response = client.post(url, {"action": "cancel", "redemption": redemption.pk, "reason": ""})
    assert response.status_code == 200
    assert 'data-field="reason"' in body(response)
    assert Redemption.objects.get(pk=redemption.pk).status == RedemptionStatus.RESERVED
    assert owner.points_account.points == 0
    client.force_login(shop.city.users["community_staff_2"])
    response = client.post(url, {"action": "cancel", "redemption": redemption.pk, "reason": "x"})
    assert response.status_code == 404
    client.force_login(shop.manager)
    response = client.post(
        url, {"action": "cancel", "redemption": redemption.pk, "reason": "货品破损"}
    )
    assert response.status_code == 302
    redemption.refresh_from_db()
    owner.points_account.refresh_from_db()
    assert (redemption.status, redemption.cancel_reason) == (RedemptionStatus.CANCELLED, "货品破损")
    assert owner.points_account.points == 10
    assert StoreItem.objects.get(pk=shop.towel.pk).stock == 3


# --- Volunteer service and adjustments ------------------------------------------------------------


def test_record_service(shop, english):
    client = english
    owner = shop.city.users["owner"]
    url = reverse("points:desk_service")
    client.force_login(shop.manager)
    form = client.get(url).context["form"]
    key = form.initial["key"]
    data = {
        "mobile": owner.mobile,
        "place": shop.community.pk,
        "served_on": today().isoformat(),
        "minutes": 90,
        "what": "清扫楼道",
        "key": key,
    }
    for change, field in [
        ({"mobile": "13999999999"}, "mobile"),  # nobody has this number
        ({"mobile": "12345"}, "mobile"),
        ({"minutes": 0}, "minutes"),
        ({"what": ""}, "what"),
        ({"served_on": (today() + timedelta(days=1)).isoformat()}, "served_on"),
    ]:
        response = client.post(url, {**data, **change})
        assert response.status_code == 200
        assert f'data-field="{field}"' in body(response), change
    assert not HoursEntry.objects.exists() and not PointsEntry.objects.exists()
    response = client.post(url, data, follow=True)
    assert response.redirect_chain[-1][0] == url
    page = body(response)
    assert "1.5" in page and "清扫楼道" in page
    hours = HoursEntry.objects.get()
    points = PointsEntry.objects.get()
    assert (hours.user, hours.minutes, hours.place) == (owner, 90, shop.community)
    assert (points.kind, points.amount) == (PointsKind.SERVICE, 1)  # 1 an hour, whole points
    # Sent twice (the same form): recorded once.
    client.post(url, data)
    assert HoursEntry.objects.count() == 1 and PointsEntry.objects.count() == 1
    # A cap of 1 point a day: the next service counts its hours, no points.
    services.set_rule(
        user=shop.manager, place_id=shop.community.pk, kind="service", points=1, max_per_day=1
    )
    response = client.post(url, {**data, "key": "another"}, follow=True)
    assert "cap" in body(response)
    assert HoursEntry.objects.count() == 2 and PointsEntry.objects.count() == 1
    # C2's staff record nothing in C1.
    client.force_login(shop.city.users["community_staff_2"])
    assert client.post(url, {**data, "key": "third"}).status_code == 403
    assert HoursEntry.objects.count() == 2


def test_adjustments(shop, client):
    owner = shop.city.users["owner"]
    url = reverse("points:desk_adjust")
    client.force_login(shop.manager)
    data = {"mobile": owner.mobile, "place": shop.community.pk, "amount": 30, "reason": "补录"}
    for change, field in [
        ({"amount": -5}, "amount"),  # the balance would go below zero
        ({"amount": 0}, "amount"),
        ({"amount": 20_000}, "amount"),
        ({"reason": ""}, "reason"),
        ({"mobile": "13999999999"}, "mobile"),
        ({"place": ""}, "place"),
    ]:
        response = client.post(url, {**data, **change})
        assert response.status_code == 200
        assert f'data-field="{field}"' in body(response), change
    assert not PointsEntry.objects.exists()
    response = client.post(url, data, follow=True)
    assert "30" in body(response)
    entry = PointsEntry.objects.get()
    assert (entry.user, entry.amount, entry.kind, entry.reason) == (
        owner,
        30,
        PointsKind.ADJUSTMENT,
        "补录",
    )
    client.force_login(shop.city.users["community_staff_2"])
    assert client.post(url, {**data, "key": "x"}).status_code == 403
    assert PointsEntry.objects.count() == 1


# --- Rules and expiry -----------------------------------------------------------------------------


def test_rules_and_expiry(shop, client):
    url = reverse("points:desk_rules")
    client.force_login(shop.manager)
    page = body(client.get(url))
    assert 'data-kind="service" data-source="default"' in page
    assert 'data-kind="report" data-source="default"' in page
    # The edit form starts from the row picked.
    initial = (
        client.get(url, {"place": shop.community.pk, "kind": "report"}).context["rule_form"].initial
    )
    assert (initial["points"], initial["max_per_day"], initial["max_per_month"]) == (2, 4, 20)
    rule = {
        "action": "rule",
        "place": shop.community.pk,
        "kind": "service",
        "points": 3,
        "max_hours_per_event": "2.5",
        "max_per_day": 10,
        "max_per_month": 0,
        "active": "on",
    }
    for change, field in [
        ({"points": -1}, "points"),
        ({"max_hours_per_event": "1.3"}, "max_hours_per_event"),  # half hours only
        ({"kind": "redemption"}, "kind"),
    ]:
        response = client.post(url, {**rule, **change})
        assert f'data-field="{field}"' in body(response), change
    assert not EarningRule.objects.exists()
    assert client.post(url, rule).status_code == 302
    saved = EarningRule.objects.get()
    assert (saved.points, str(saved.max_hours_per_event), saved.max_per_day) == (3, "2.5", 10)
    assert 'data-kind="service" data-source="here"' in body(client.get(url))
    # A subdistrict's rule applies below it: the community shows where it comes from.
    services.set_rule(
        user=shop.city.users["subdistrict_admin"],
        place_id=shop.city.places["S"].pk,
        kind="report",
        points=5,
    )
    assert 'data-kind="report" data-source="above"' in body(client.get(url))
    # Expiry.
    response = client.post(url, {"action": "expiry", "place": shop.community.pk, "months": 200})
    assert 'data-field="months"' in body(response)
    assert (
        client.post(url, {"action": "expiry", "place": shop.community.pk, "months": 12}).status_code
        == 302
    )
    assert ExpiryPolicy.objects.get(place=shop.community).months == 12
    # C2's staff: a refusal at C1, nothing saved.
    client.force_login(shop.city.users["community_staff_2"])
    assert client.post(url, {**rule, "points": 9}).status_code == 403
    response = client.post(url, {"action": "expiry", "place": shop.community.pk, "months": 1})
    assert response.status_code == 403
    assert EarningRule.objects.get(place=shop.community).points == 3
    assert ExpiryPolicy.objects.get(place=shop.community).months == 12
    assert f'data-place="{shop.community.pk}"' not in body(client.get(url))


# --- The shop's items -----------------------------------------------------------------------------


def test_items_create_edit_restock(shop, client, media):
    client.force_login(shop.manager)
    page = body(client.get(reverse("points:desk_items")))
    assert f'data-item="{shop.rice.pk}"' in page and f'data-item="{shop.towel.pk}"' in page
    url = reverse("points:desk_item_new")
    data = {
        "place": shop.community.pk,
        "name": "=HYPERLINK(1)",
        "cost": 20,
        "stock": 5,
        "per_person": 1,
        "donor": "共建单位",
        "active": "on",
    }
    bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    response = client.post(url, {**data, "photo": bad})
    assert 'data-field="photo"' in body(response)
    for change, field in [({"cost": 0}, "cost"), ({"name": ""}, "name"), ({"stock": -1}, "stock")]:
        assert f'data-field="{field}"' in body(client.post(url, {**data, **change})), change
    assert StoreItem.objects.count() == 2  # nothing half-saved
    photo = SimpleUploadedFile("p.jpg", jpeg_bytes(size=(400, 300)), content_type="image/jpeg")
    response = client.post(url, {**data, "photo": photo})
    assert response.status_code == 302
    item = StoreItem.objects.get(name="=HYPERLINK(1)")
    assert response["Location"] == reverse("points:desk_item", args=[item.pk])
    assert (item.cost, item.stock, item.place, bool(item.photo)) == (20, 5, shop.community, True)
    item_url = reverse("points:desk_item", args=[item.pk])
    assert "item-photo" in body(client.get(item_url))
    # Edit.
    edit = {"action": "update", "name": "油", "cost": 30, "per_person": 0, "donor": ""}
    assert 'data-field="cost"' in body(client.post(item_url, {**edit, "cost": ""}))
    assert client.post(item_url, edit).status_code == 302
    item.refresh_from_db()
    assert (item.name, item.cost, item.active) == ("油", 30, False)
    # Restock, with a reason; never below zero.
    for change, field in [
        ({"change": -6, "reason": "过期"}, "change"),
        ({"change": 0, "reason": "x"}, "change"),
        ({"change": 3, "reason": ""}, "reason"),
    ]:
        response = client.post(item_url, {"action": "restock", **change})
        assert f'data-field="{field}"' in body(response), change
    assert StoreItem.objects.get(pk=item.pk).stock == 5
    assert (
        client.post(item_url, {"action": "restock", "change": -2, "reason": "过期"}).status_code
        == 302
    )
    assert StoreItem.objects.get(pk=item.pk).stock == 3
    # The subdistrict admin sees and manages it; C2's staff neither.
    client.force_login(shop.city.users["community_staff_2"])
    assert client.post(item_url, edit).status_code == 404
    assert f'data-item="{item.pk}"' not in body(client.get(reverse("points:desk_items")))
    response = client.post(url, {**data, "name": "外人"})  # C2's staff at C1
    assert response.status_code == 403
    assert not StoreItem.objects.filter(name="外人").exists()


# --- Ledgers and exports --------------------------------------------------------------------------


@pytest.fixture
def ledger(shop):
    """Points and hours in C1 for the owner (a resident) and a volunteer who lives nowhere in
    C1 and named themselves like a formula; one entry in C2."""
    city = shop.city
    owner = city.users["owner"]
    outsider = User.objects.create_user("13700000001", "pass-Word-9", name='=HYPERLINK("x")')
    give(shop, owner, 40)
    give(shop, outsider, 7)
    for person, minutes in [(owner, 120), (outsider, 45)]:
        services.record_service(
            user=shop.manager,
            person_id=person.pk,
            place_id=shop.community.pk,
            served_on=today(),
            minutes=minutes,
            what="=SUM(A1)",
        )
    services_store.redeem(user=owner, item=shop.towel)
    services.adjust_points(
        user=city.users["community_staff_2"],
        person_id=city.users["owner_2"].pk,
        place_id=city.places["C2"].pk,
        amount=99,
        reason="C2",
    )
    return owner, outsider


def test_points_ledger_and_xlsx(shop, ledger, client):
    owner, outsider = ledger
    client.force_login(shop.manager)
    url = reverse("points:desk_points")
    page = client.get(url)
    rows = page.context["rows"]
    # Two adjustments, the owner's service (45 minutes earn no whole point), one redemption;
    # not C2's.
    assert len(rows) == 4
    by_user = {r.user_id: r for r in rows}
    assert by_user[owner.pk].person_mobile == owner.mobile  # a resident of C1: in full
    assert by_user[outsider.pk].person_mobile == mask_mobile(outsider.mobile)
    assert outsider.mobile not in body(page)
    # Filters: by mobile, by month; a wrong filter names its field.
    assert len(client.get(url, {"mobile": owner.mobile}).context["rows"]) == 3
    month = today().strftime("%Y-%m")
    assert len(client.get(url, {"month": month}).context["rows"]) == 4
    assert len(client.get(url, {"month": "2001-01"}).context["rows"]) == 0
    response = client.get(url, {"month": "2026-13"})
    assert 'data-field="month"' in body(response) and not response.context["rows"]
    assert f"{reverse('points:desk_points_xlsx')}?mobile={owner.mobile}" in body(
        client.get(url, {"mobile": owner.mobile})
    )
    # The XLSX.
    book = book_of(client.get(reverse("points:desk_points_xlsx")))
    sheet = book.active
    values = list(sheet.iter_rows(values_only=True))
    data, total = values[2:-1], values[-1]
    assert len(data) == 4
    assert sum(r[4] for r in data) == total[4] == 40 + 7 + 2 - 10
    owner_rows = [r for r in data if r[2] == owner.mobile]
    assert len(owner_rows) == 3 and {r[8] for r in owner_rows} == {"C1"}
    # Outside the handling scope: masked, and the masked name still starts with "=": text.
    cells = [r for r in sheet.iter_rows(min_row=3) if r[2].value == mask_mobile(outsider.mobile)]
    assert len(cells) == 1
    for row in cells:
        assert (row[1].value, row[1].data_type) == (mask_name(outsider.name), "s")
        assert row[1].value.startswith("=")
    # Filtered export; C2's staff export only C2.
    book = book_of(client.get(reverse("points:desk_points_xlsx"), {"mobile": owner.mobile}))
    assert len(list(book.active.iter_rows(values_only=True))) == 2 + 3 + 1
    response = client.get(reverse("points:desk_points_xlsx"), {"month": "bad"})
    assert response.status_code == 302
    client.force_login(shop.city.users["community_staff_2"])
    values = list(book_of(client.get(reverse("points:desk_points_xlsx"))).active.values)
    assert len(values) == 4 and values[2][4] == 99


def test_hours_xlsx_keeps_formulas_as_text(shop, ledger, client):
    owner, outsider = ledger
    # A superuser sees everyone's personal data: the formula-like name in full.
    client.force_login(User.objects.create_superuser("13600000001", "pass-Word-9"))
    sheet = book_of(client.get(reverse("points:desk_hours_xlsx"))).active
    rows = list(sheet.iter_rows(min_row=3))
    data, total = rows[:-1], rows[-1]
    assert len(data) == 2
    named = next(r for r in data if r[2].value == outsider.mobile)
    assert (named[1].value, named[1].data_type) == ('=HYPERLINK("x")', "s")
    assert (named[3].value, named[3].data_type) == ("=SUM(A1)", "s")
    assert total[4].value == 165 and float(total[5].value) == 2.75
    mine = next(r for r in data if r[2].value == owner.mobile)
    assert (mine[4].value, float(mine[5].value), float(mine[6].value)) == (120, 2.0, 2.0)
    page = client.get(reverse("points:desk_hours"), {"mobile": outsider.mobile})
    assert [r.minutes for r in page.context["rows"]] == [45]


def test_ledger_queries_do_not_grow_with_rows(shop, client, django_assert_max_num_queries):
    client.force_login(shop.manager)
    url = reverse("points:desk_points")
    for i, name in enumerate(["owner", "tenant"]):
        give(shop, shop.city.users[name], 5 + i)
    client.get(url)  # warm the scope cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(15):
        person = User.objects.create_user(f"1370000{i:04d}", "pass-Word-9", name=f"志愿者{i}")
        give(shop, person, 1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


# --- The leaderboard ------------------------------------------------------------------------------


def test_leaderboard_of_the_month(shop, ledger, client):
    owner, _outsider = ledger
    client.force_login(shop.manager)
    response = client.get(reverse("points:desk_leaderboard"))
    rows = response.context["rows"]
    # Earnings only: service points (2 and 0), not adjustments.
    assert [(r["user_id"], r["points"], r["rank"]) for r in rows] == [(owner.pk, 2, 1)]
    assert owner.name in body(response)
    # Another month: nobody yet; a wrong month names its field.
    response = client.get(reverse("points:desk_leaderboard"), {"month": "2001-01"})
    assert response.context["rows"] == [] and response.context["month"] == "2001-01"
    response = client.get(reverse("points:desk_leaderboard"), {"month": "2001-1"})
    assert 'data-field="month"' in body(response)
    client.force_login(shop.city.users["community_staff_2"])
    response = client.get(reverse("points:desk_leaderboard"), {"place": shop.community.pk})
    assert response.status_code == 404
    client.force_login(shop.city.users["subdistrict_admin"])
    response = client.get(reverse("points:desk_leaderboard"), {"place": shop.community.pk})
    assert response.context["place"] == shop.community
