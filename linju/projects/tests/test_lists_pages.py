"""Pages of the lists: the overview, the needs list (staff and resident), a need's page
(support, close with an error on the field, reopen), the partners and a partner's page."""

import pytest

from linju.projects import services_lists as services
from linju.projects.models import NeedStatus
from linju.projects.tests.clients import english_client

from .fixtures_lists import *  # noqa: F403  (the fixtures)
from .fixtures_lists import pdf

pytestmark = pytest.mark.django_db


def login(user):
    c = english_client()
    c.force_login(user)
    return c


def test_overview_and_lists_for_staff(lists, media, django_assert_max_num_queries):
    c = login(lists.manager)
    r = c.get("/projects/lists/")
    assert r.status_code == 200 and "楼道灯坏了" in r.content.decode()
    for n in range(5):
        services.create_need(
            user=lists.manager, place_id=lists.p("E1").pk, title=f"n{n}", source="other"
        )
    c.get("/projects/lists/needs/")
    with django_assert_max_num_queries(14):
        r = c.get("/projects/lists/needs/")
    assert r.status_code == 200 and r.content.decode().count("data-need=") == 7
    r = c.get("/projects/lists/needs/", {"source": "survey"})
    assert r.content.decode().count("data-need=") == 1
    services.add_agreement(
        user=lists.manager,
        partner=lists.partner,
        title="共建协议",
        commitments="场地",
        starts_on="2020-01-01",
        ends_on="2020-12-31",
        signed_on="2020-01-01",
        document=pdf(),
    )
    r = c.get("/projects/lists/partners/")
    assert "幸福物业" in r.content.decode()
    r = c.get(f"/projects/lists/partners/{lists.partner.pk}/")
    body = r.content.decode()
    assert "共建协议" in body and "会议室" in body
    assert (
        login(lists.u("owner")).get(f"/projects/lists/partners/{lists.partner.pk}/").status_code
        == 404
    )


def test_resident_supports_and_staff_closes(lists):
    owner = login(lists.u("owner"))
    url = f"/projects/lists/needs/{lists.need.pk}/"
    assert owner.get("/projects/lists/needs/").content.decode().count("data-need=") == 2
    r = owner.post(url, {"action": "support"})
    assert r.status_code == 302
    lists.need.refresh_from_db()
    assert lists.need.support_count == 1
    assert owner.post(url, {"action": "close", "reason": "x"}).status_code == 403
    staff = login(lists.u("grid_worker"))
    r = staff.post(url, {"action": "close", "reason": ""})
    assert r.status_code == 200 and "reason" in r.context["close_form"].errors
    assert staff.post(url, {"action": "close", "reason": "已修好"}).status_code == 302
    lists.need.refresh_from_db()
    assert lists.need.status == NeedStatus.CLOSED
    assert owner.get(url).status_code == 404  # closed: no longer shown to residents
    assert staff.post(url, {"action": "reopen"}).status_code == 302
    assert login(lists.u("owner_2")).get(url).status_code == 404
    assert login(lists.u("owner")).get("/projects/lists/").status_code == 403
