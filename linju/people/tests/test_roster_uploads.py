"""Roster files through both upload routes (the import page, the API) and the service: typed by
their bytes (XLSX or UTF-8/GB18030 text, core.uploads.ROSTER), never by their name; anything
else is refused naming `file` and nothing is imported."""

import pytest
from django.urls import reverse

from linju.core.tests import upload_samples as s
from linju.core.tests.test_api import API, api_client, assert_error
from linju.people.roster import RosterInvalid
from linju.places.models import Household

from .test_roster import ROWS, csv_bytes, run, xlsx_bytes

pytestmark = pytest.mark.django_db


def test_the_kind_comes_from_the_bytes_not_the_name(city):
    assert run(city, xlsx_bytes(ROWS), name="roster.csv").households_created == 4
    assert run(city, csv_bytes(ROWS, encoding="gb18030"), name="台账.xlsx").rows == len(ROWS)


@pytest.mark.parametrize("data", [s.EXE, s.ole(), s.docx(), s.png(), "名单".encode("utf-16")])
def test_other_files_are_refused_whatever_their_name(city, data):
    with pytest.raises(RosterInvalid) as caught:
        run(city, data, name="roster.csv")
    assert [p.field for p in caught.value.problems] == ["file"]
    assert not Household.objects.filter(room="1501").exists()


def test_page_and_api_name_the_file(client, city):
    client.force_login(city.users["community_staff"])
    upload = s.upload("roster.csv", s.EXE, "text/csv")
    page = client.post(
        reverse("people:roster_import"), {"community": city.places["C1"].pk, "file": upload}
    )
    assert page.status_code == 422 and b'data-row="0" data-field="file"' in page.content
    staff = api_client(city.users["community_staff"])
    upload = s.upload("roster.xlsx", s.docm())
    response = staff.post(
        f"{API}/people/roster/", {"community": city.places["C1"].pk, "file": upload}
    )
    assert_error(response, 422, "invalid", field="file")
    assert not Household.objects.filter(room="1501").exists()
