"""Stage documents, proxies' authorisations and ballot sheets' scans through every upload route
(the topic and ballot desks; the API's stage completion, proxy and paper votes): typed by their
bytes (core.uploads), refused naming the field with nothing saved, stored under random names
ending in the sniffed kind, and served as downloads with safe headers."""

import re

import pytest
from django.urls import reverse

from linju.core.errors import Invalid
from linju.core.tests import upload_samples as s
from linju.core.tests.test_api import API, api_client, assert_error
from linju.deliberation.models import StageCompletion, Vote

from .test_ballots import elector_of, media, opened, option  # noqa: F401  (media: a fixture)
from .test_procedures import complete, current
from .test_topics import stage, started

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def field_errors(response) -> set[str]:
    return set(re.findall(r'class="error" data-field="([^"]+)"', response.content.decode()))


def exe_named_pdf():
    return s.upload("纪要.pdf", s.EXE, "application/pdf")


# --- Stage documents ------------------------------------------------------------------------------


def test_an_exe_named_pdf_is_refused_and_nothing_is_completed(city):
    topic = started(city, "four_two")
    for document in (exe_named_pdf(), s.upload("big.pdf", s.pdf() + b" " * (10 << 20))):
        with pytest.raises(Invalid) as caught:
            complete(city, topic, "branch_proposes", note="提议", document=document)
        assert set(caught.value.errors) == {"document"}
    assert current(topic) == "branch_proposes" and not StageCompletion.objects.exists()


@pytest.mark.parametrize(
    "data, name, ext",
    [
        (s.docx(), "纪要.doc", ".docx"),
        (s.xlsx(), "名单.csv", ".xlsx"),
        (s.pdf(), "方案", ".pdf"),
        ("同意加装电梯".encode("gb18030"), "纪要.pdf", ".txt"),
        (s.png(transparent=True), "平面图.jpg", ".png"),
    ],
)
def test_documents_are_stored_under_random_names_of_their_kind(city, data, name, ext):
    topic = started(city, "four_two")
    done = complete(city, topic, "branch_proposes", document=s.upload(name, data))
    stored = done.document.name
    assert re.fullmatch(rf"deliberation/\d{{4}}/\d{{2}}/[0-9a-f]{{32}}\{ext}", stored), stored


def test_a_stored_document_downloads_with_safe_headers(client, city):
    topic = started(city, "four_two")
    done = complete(city, topic, "branch_proposes", document=s.upload("方案.pdf", s.pdf()))
    client.force_login(city.users["owner"])
    response = client.get(reverse("deliberation:topic_document", args=[topic.pk, done.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "private, no-store"


def test_desk_page_refuses_an_exe_named_pdf(client, city):
    topic = started(city, "four_two")
    client.force_login(city.users["community_staff"])
    desk = reverse("deliberation:desk_topic", args=[topic.pk])
    data = {"action": "complete", "complete-note": "提议", "complete-document": exe_named_pdf()}
    response = client.post(desk, data)
    assert response.status_code == 200 and field_errors(response) == {"document"}
    assert current(topic) == "branch_proposes" and not StageCompletion.objects.exists()


def test_api_complete_refuses_an_exe_named_pdf(city):
    topic = started(city, "four_two")
    first = stage("four_two", "branch_proposes").pk
    staff = api_client(city.users["community_staff"])
    url = f"{API}/deliberation/topics/{topic.pk}/stages/{first}/complete"
    response = staff.post(url, {"note": "提议", "document": exe_named_pdf()})
    assert_error(response, 422, "invalid", field="document")
    assert current(topic) == "branch_proposes" and not StageCompletion.objects.exists()


# --- Ballot sheets --------------------------------------------------------------------------------


def test_ballot_desk_refuses_a_bad_authorisation_and_scan(client, city):
    ballot = opened(city)
    client.force_login(city.users["community_staff"])
    desk = reverse("deliberation:desk_ballot", args=[ballot.pk])
    proxy = {
        "action": "proxy",
        "proxy-elector": elector_of(ballot, city.households["H102"]).pk,
        "proxy-option": option(ballot, 0).pk,
        "proxy-proxy_name": "王代理",
        "proxy-authorisation": s.upload("委托书.jpg", s.HTML, "image/jpeg"),
    }
    response = client.post(desk, proxy)
    assert response.status_code == 200 and field_errors(response) == {"authorisation"}
    paper = {
        "action": "paper",
        "paper-elector": elector_of(ballot, city.households["H201"]).pk,
        "paper-option": option(ballot, 1).pk,
        "paper-scan": exe_named_pdf(),
    }
    response = client.post(desk, paper)
    assert response.status_code == 200 and field_errors(response) == {"scan"}
    assert not Vote.objects.exists()


def test_api_refuses_a_bad_authorisation_and_scan(city):
    ballot = opened(city)
    staff = api_client(city.users["community_staff"])
    url = f"{API}/deliberation/ballots/{ballot.pk}"
    proxy = {
        "elector": elector_of(ballot, city.households["H102"]).pk,
        "option": option(ballot, 0).pk,
        "proxy_name": "王代理",
        "authorisation": s.upload("委托书.pdf", s.pdf()[:-60]),  # cut off
    }
    assert_error(staff.post(f"{url}/proxy", proxy), 422, "invalid", field="authorisation")
    paper = {
        "elector": elector_of(ballot, city.households["H201"]).pk,
        "option": option(ballot, 1).pk,
        "scan": s.upload("scan.png", s.png_claiming(50_000, 50_000), "image/png"),
    }
    assert_error(staff.post(f"{url}/paper", paper), 422, "invalid", field="scan")
    assert not Vote.objects.exists()


def test_a_scan_is_re_encoded_without_exif_and_named_by_its_kind(city):
    from linju.deliberation import services_ballots as services

    ballot = opened(city)
    vote = services.enter_paper_vote(
        user=city.users["community_staff"],
        ballot=ballot,
        elector_id=elector_of(ballot, city.households["H201"]).pk,
        option_id=option(ballot, 1).pk,
        scan=s.upload("scan.pdf", s.jpeg(), "application/pdf"),
    )
    assert re.fullmatch(r"deliberation/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", vote.scan.name)
    assert b"PhoneMaker" not in vote.scan.read()
