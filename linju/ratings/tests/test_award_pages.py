"""The year's awards page: a 2026 built month by month (rounds opened, scored by one panellist,
closed and published, seen from 2027), the flag table, the three heads' duties, the preview in
yuan, the confirmation refused while a round is unpublished or the year runs, the confirmed list
and its XLSX opened back; who gets 403 or 404."""

import io
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from linju.people.models import Relation, Residency, ResidencyStatus
from linju.places.models import Household
from linju.ratings.models import Award, AwardKind, HeadDuty
from linju.ratings.services_rounds import close_scoring, open_round, publish_round, start_scoring

from .conftest import score

pytestmark = pytest.mark.django_db

IN_2027 = datetime(2027, 2, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def month(contested, period, winners):
    """A month scored by the community's panellist: the `winners` (indexes of the units) keep
    full marks, everyone else loses civility points, so exactly they get the red flags."""
    manager = contested.manager
    round_ = open_round(user=manager, contest=contested.contest, period=period)
    start_scoring(user=manager, round_=round_)
    targets = {t.place_id: t for t in round_.targets.all()}
    for i, unit in enumerate(contested.units):
        changes = {} if i in winners else {"civility": 15 - (i % 3)}
        score(round_, manager, targets[unit.pk], **changes)
    close_scoring(user=manager, round_=round_)
    return round_


def fee(area, percent):
    fen = Decimal(area) * 100 * 12 * Decimal(percent) / 100
    return int(fen.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def awards_url(contested, year=2026):
    return reverse("ratings:awards", args=[contested.contest.pk, year])


def xlsx_url(contested, year=2026):
    return reverse("ratings:awards_xlsx", args=[contested.contest.pk, year])


@pytest.fixture
def year(contested):
    """2026: three published months and an April opened, scored and in review; the unit head
    lives in U2's H201; H101's owner is named on the roster."""
    city = contested.city
    Residency.objects.create(
        user=city.users["unit_head"],
        household=city.households["H201"],
        relation=Relation.OWNER,
        status=ResidencyStatus.VERIFIED,
        source="roster",
    )
    Household.objects.filter(pk=city.households["H101"].pk).update(owner_name="张三")
    # A roster name typed as a formula must reach the property company as text.
    Household.objects.filter(pk=city.households["H102"].pk).update(
        owner_name='=HYPERLINK("http://evil.example","x")'
    )
    with time_machine.travel(IN_2027, tick=False):
        for period, winners in [
            ("2026-01", {0, 1, 2}),
            ("2026-02", {0, 1, 2}),
            ("2026-03", {0, 1, 3}),
        ]:
            publish_round(user=contested.manager, round_=month(contested, period, winners))
        april = month(contested, "2026-04", {4, 5, 6})
    return april


def test_the_year_from_flags_to_the_xlsx(contested, year, client):
    city, units = contested.city, contested.units
    with time_machine.travel(IN_2027, tick=False):
        client.force_login(contested.manager)  # a session of 2027
        page = client.get(awards_url(contested))
        assert page.status_code == 200
        body = page.content.decode()
        # The flag table: u0 and u1 three flags (shared rank 1), u2 two, u3 one.
        flags = page.context["flags"]
        assert [(r["place_id"], r["flags"], r["rank"]) for r in flags] == [
            (units[0].pk, 3, 1),
            (units[1].pk, 3, 1),
            (units[2].pk, 2, 3),
            (units[3].pk, 1, 4),
        ]
        assert f'data-person="{city.users["unit_head"].pk}"' in body

        # The unit head's duties: errors name the field, then fulfilled.
        head = city.users["unit_head"]
        body = client.post(
            awards_url(contested), {"action": "duty", "person_id": head.pk}
        ).content.decode()
        assert 'data-field="fulfilled"' in body
        body = client.post(
            awards_url(contested),
            {"action": "duty", "person_id": city.users["owner"].pk, "fulfilled": "1"},
        ).content.decode()
        assert 'data-testid="duty-errors"' in body
        response = client.post(
            awards_url(contested),
            {"action": "duty", "person_id": head.pk, "fulfilled": "1", "note": "按时巡楼"},
        )
        assert response.status_code == 302
        assert HeadDuty.objects.get(contest=contested.contest, year=2026, user=head).fulfilled

        # The preview in yuan: every household of u0, u1, u2 at 10%, the head's home at 20%.
        page = client.get(awards_url(contested))
        preview = page.context["preview"]
        awarded = Household.objects.filter(unit__in=units[:3])
        expected = sum(fee(h.area, 10) for h in awarded) + fee(city.households["H201"].area, 20)
        assert len(preview) == awarded.count() + 1
        total = (Decimal(expected) / 100).quantize(Decimal("0.01"))
        assert page.context["preview_total"] == total
        assert f'data-testid="total">{total}<' in page.content.decode()
        assert "106.20" in page.content.decode()  # 88.50 m² × 1.00 × 12 × 10%

        # April is still in review: confirming is refused with the reason on the form.
        body = client.post(awards_url(contested), {"action": "confirm"}).content.decode()
        assert 'data-testid="confirm-errors"' in body
        assert not Award.objects.exists()
        assert client.get(xlsx_url(contested)).status_code == 302  # nothing confirmed yet
        publish_round(user=contested.manager, round_=year)

        # May to December were never opened: they do not block.
        response = client.post(awards_url(contested), {"action": "confirm"})
        assert response.status_code == 302
        lines = Award.objects.filter(contest=contested.contest, year=2026)
        assert sum(a.amount_fen for a in lines) == expected
        assert lines.filter(kind=AwardKind.HEAD).get().percent == 20
        page = client.get(awards_url(contested)).content.decode()
        assert 'data-testid="confirmed"' in page and xlsx_url(contested) in page

        response = client.get(xlsx_url(contested))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "2026.xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == f"{contested.contest.name} · 2026"
    data, total_row = rows[2:-1], rows[-1]
    assert len(data) == lines.count()
    h101 = next(r for r in data if r[1] == "101" and r[2] == "张三")
    assert h101[0] == units[0].full_name
    assert Decimal(str(h101[3])) == Decimal("88.50")
    assert h101[5] == 3 and h101[6] == 1
    assert Decimal(str(h101[8])) == Decimal("106.20")
    formula = next(c for c in book.active.iter_rows(min_row=3) if c[1].value == "102")[2]
    assert (formula.value, formula.data_type) == ('=HYPERLINK("http://evil.example","x")', "s")
    head_row = next(r for r in data if r[1] == "201" and r[7] == 20)
    assert Decimal(str(head_row[8])) == Decimal("212.40")
    assert Decimal(str(total_row[8])) == total
    assert sum(Decimal(str(r[8])) for r in data) == total


def test_the_year_is_not_over(contested, client):
    with time_machine.travel(datetime(2026, 12, 20, tzinfo=ZoneInfo("Asia/Shanghai"))):
        client.force_login(contested.manager)
        response = client.post(awards_url(contested), {"action": "confirm"})
    assert response.status_code == 200
    assert 'data-testid="confirm-errors"' in response.content.decode()
    assert not Award.objects.exists()


def test_who_sees_the_awards(contested, client):
    city = contested.city
    for key, status in [
        ("property_manager", 403),  # follows the contest, does not manage it
        ("owner", 403),  # lives in E1: sees the contest, not its awards desk
        ("community_staff_2", 404),
        ("owner_2", 404),
    ]:
        client.force_login(city.users[key])
        assert client.get(awards_url(contested)).status_code == status, key
        assert client.post(awards_url(contested), {"action": "confirm"}).status_code == status
        assert client.get(xlsx_url(contested)).status_code == status, key
        client.logout()
    assert client.get(awards_url(contested)).status_code == 302  # to the login page
    client.force_login(contested.manager)
    assert client.get(awards_url(contested, 1999)).status_code == 404
    assert client.post(awards_url(contested), {"action": "other"}).status_code == 403
