"""Evidence photos through both upload routes (the panellist's score page, the API's multipart
sheet): a file that is no photo is refused naming the item's photo and no sheet is saved."""

import pytest

from linju.core.tests import upload_samples as s
from linju.core.tests.test_api import api_client, assert_error
from linju.ratings.models import Entry, Sheet

from .test_api import json_marks, put_sheet
from .test_pages import field_errors, scoring_round, sheet_post, url

pytestmark = pytest.mark.django_db


def test_score_page_refuses_a_page_named_photo_jpg(client, contested):
    round_ = scoring_round(contested)
    client.force_login(contested.city.users["owner"])  # the residents' representative
    data = sheet_post(round_, hygiene__points="18")
    data["hygiene__photo"] = s.upload("evidence.jpg", s.HTML, "image/jpeg")
    response = client.post(url("score", round_.pk), data)
    assert response.status_code == 200
    assert field_errors(response.content.decode()) == {"hygiene__photo"}
    assert not Sheet.objects.exists() and not Entry.objects.exists()


def test_api_sheet_refuses_a_bad_photo(contested):
    round_ = scoring_round(contested)
    target = round_.targets.order_by("position").first()
    judge = api_client(contested.panel[1])
    marks = json_marks(contested.rubric, hygiene=18)
    bomb = s.upload("evidence.png", s.png_claiming(50_000, 50_000), "image/png")
    response = put_sheet(judge, round_.pk, target.pk, marks, hygiene=bomb)
    assert_error(response, 422, "invalid", field="marks.hygiene.photo")
    assert not Sheet.objects.exists() and not Entry.objects.exists()
