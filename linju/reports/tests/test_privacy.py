"""PIPL: a reporter's download holds their reports; deleting the account keeps the reports
(the community's record) without contact details or a name."""

import pytest

from linju.people import services as people
from linju.reports import services
from linju.reports.models import Report

pytestmark = pytest.mark.django_db


def test_download_and_delete(city, submit):
    own = submit(contact_phone="13812345678")
    other = submit(user_key="tenant")
    services.support_report(user=city.users["owner"], report=other)
    data = people.export_personal_data(user=city.users["owner"])
    assert [r["id"] for r in data["reports"]] == [own.pk, other.pk]
    assert data["reports"][0]["contact"]["phone"] == "13812345678"
    assert data["reports"][1] == {"id": other.pk, "me_too": True}

    people.delete_account(user=city.users["owner"], password="pass-Word-9")
    own = Report.objects.get(pk=own.pk)
    assert (own.contact_phone, own.hide_name) == ("", True)
    assert own.reporter.name == ""
