"""Personal data of the notice board (PIPL, DESIGN §4 Privacy): a person's download holds what
they read and the objections they raised with their answers; deleting the account removes the
receipts and blanks the objections' text, while the notice keeps its count of objections."""

import pytest

from linju.core import privacy as core_privacy
from linju.notices import privacy, queries, services
from linju.notices.models import Objection, Receipt
from linju.people import services as people

from .conftest import notice

pytestmark = pytest.mark.django_db


def test_export_holds_receipts_and_objections(city, disclosure):
    owner = city.users["owner"]
    services.mark_read(user=owner, notice=disclosure)
    objection = services.raise_objection(user=owner, notice_id=disclosure.pk, text="预算偏高")
    services.answer_objection(
        user=city.users["community_staff"], objection_id=objection.pk, answer="已核实。"
    )
    data = privacy.export(owner)
    assert [r["notice"] for r in data["read"]] == [disclosure.title]
    assert data["objections"][0]["text"] == "预算偏高"
    assert data["objections"][0]["answer"] == "已核实。"
    assert core_privacy.export(owner)["notices"] == data
    assert privacy.export(city.users["tenant"]) == {"read": [], "objections": []}


def test_deleting_the_account_erases_receipts_and_objection_text(city, disclosure):
    owner, tenant = city.users["owner"], city.users["tenant"]
    important = notice(city, important=True)
    for n in (disclosure, important):
        services.mark_read(user=owner, notice=n)
    services.mark_read(user=tenant, notice=important)
    services.raise_objection(user=owner, notice_id=disclosure.pk, text="我家 1 单元 101 不同意")
    people.delete_account(user=owner, password="pass-Word-9")
    assert not Receipt.objects.filter(user=owner).exists()
    assert Receipt.objects.filter(user=tenant).count() == 1  # others' receipts stay
    objection = Objection.objects.get(notice=disclosure)
    assert objection.text == "" and objection.author_id == owner.pk
    assert queries.managed(city.users["community_staff"]).get(pk=disclosure.pk).open_objections == 1
    assert privacy.export(owner) == {
        "read": [],
        "objections": [
            {
                "notice": disclosure.title,
                "text": "",
                "created_at": objection.created_at.isoformat(),
                "answer": "",
            }
        ],
    }
