"""Read receipts and publishing under concurrent requests on PostgreSQL, with real threads and
connections (SQLite has one writer: its IMMEDIATE transactions queue by construction)."""

import pytest
from django.db import connection

from linju.core.errors import Conflict
from linju.core.models import AuditEvent
from linju.core.testing import race
from linju.notices import services
from linju.notices.models import Notice, NoticeStatus, Receipt

from .conftest import notice


@pytest.fixture
def pg(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent writers are PostgreSQL's (CI runs it there)")


def test_many_openings_by_one_reader_leave_one_receipt(pg, city):
    n = notice(city, important=True)
    owner = city.users["owner"]
    results = race(*[lambda: services.mark_read(user=owner, notice=n)] * 8)
    assert results.count(True) == 1, results
    assert results.count(False) == 7, results
    assert Receipt.objects.filter(notice=n, user=owner).count() == 1


def test_two_publishers_publishing_one_draft_one_wins(pg, city):
    draft = notice(city, publish=False, important=True)
    publishers = [city.users["community_staff"], city.users["subdistrict_admin"]]
    results = race(
        *[lambda u=u: services.publish_notice(user=u, notice_id=draft.pk) for u in publishers]
    )
    won = [r for r in results if isinstance(r, Notice)]
    lost = [r for r in results if not isinstance(r, Notice)]
    assert len(won) == 1, results
    assert len(lost) == 1 and isinstance(lost[0], Conflict) and lost[0].code == "not_draft"
    draft.refresh_from_db()
    assert draft.status == NoticeStatus.PUBLISHED
    assert AuditEvent.objects.filter(verb="notices.publish", object_id=str(draft.pk)).count() == 1


def test_two_publish_requests_at_once_one_200_one_409(pg, city):
    from django.test import Client

    draft = notice(city, publish=False)
    clients = []
    for key in ("community_staff", "subdistrict_admin"):
        c = Client()
        c.force_login(city.users[key])
        clients.append(c)
    url = f"/api/v1/notices/{draft.pk}/publish"
    results = race(*[lambda c=c: c.post(url).status_code for c in clients])
    assert sorted(results) == [200, 409], results
