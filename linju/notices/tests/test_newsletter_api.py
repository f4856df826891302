"""/api/v1/notices/newsletters: list papers and issues, an issue with its pieces, and the writes
(found, start, gather again, a piece, the foreword, publish) with their refusals."""

import pytest

from linju.notices.models import IssueItem
from linju.people.models import PartyOrganisation

from .newsletter_helpers import add_member, in_quarter, notice_at, paper, publish, start

pytestmark = pytest.mark.django_db
API = "/api/v1/notices/newsletters"


def as_(client, city, who):
    client.force_login(city.users[who])
    return client


def test_found_start_edit_publish_through_the_api(client, city):
    notice_at(in_quarter(5), city, kind="good_deed", title="好人好事")
    org = PartyOrganisation.objects.get(name="C1 committee")
    staff = as_(client, city, "community_staff")
    made = staff.post(
        API,
        {"place": city.places["C1"].pk, "name": "睦邻服务报", "organisation": org.pk},
        content_type="application/json",
    )
    assert made.status_code == 201, made.json()
    paper_id = made.json()["id"]
    assert made.json()["runs"] is True
    bad = staff.post(
        f"{API}/{paper_id}/issues", {"year": 2026, "quarter": 9}, content_type="application/json"
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "quarter"
    started = staff.post(
        f"{API}/{paper_id}/issues", {"year": 2026, "quarter": 3}, content_type="application/json"
    )
    assert started.status_code == 201
    issue = started.json()
    assert issue["editor"] == city.users["party_liaison"].pk and issue["number"] == 1
    assert [i["section"] for i in issue["items"]] == ["good_deeds"]
    again = staff.post(
        f"{API}/{paper_id}/issues", {"year": 2026, "quarter": 3}, content_type="application/json"
    )
    assert again.status_code == 409 and again.json()["code"] == "issue_exists"

    editor = as_(client, city, "party_liaison")
    item_id = issue["items"][0]["id"]
    moved = editor.put(
        f"{API}/items/{item_id}",
        {"title": "好邻居", "summary": "改写", "included": True, "position": 3},
        content_type="application/json",
    )
    assert moved.status_code == 200 and moved.json()["title"] == "好邻居"
    no_foreword = editor.post(f"{API}/issues/{issue['id']}/publish")
    assert no_foreword.status_code == 422
    assert no_foreword.json()["errors"][0]["field"] == "foreword"
    wrote = editor.put(
        f"{API}/issues/{issue['id']}/foreword",
        {"foreword": "各位邻居好"},
        content_type="application/json",
    )
    assert wrote.status_code == 200 and wrote.json()["foreword"] == "各位邻居好"
    gathered = editor.post(f"{API}/issues/{issue['id']}/reassemble")
    assert gathered.status_code == 200 and len(gathered.json()["items"]) == 1
    done = editor.post(f"{API}/issues/{issue['id']}/publish")
    assert done.status_code == 200 and done.json()["status"] == "published"
    final = editor.post(f"{API}/issues/{issue['id']}/publish")
    assert final.status_code == 409 and final.json()["code"] == "published"


def test_reading_lists_and_an_issue(client, city):
    nl = paper(city)
    published = start(city, nl, quarter=2)
    IssueItem.objects.create(issue=published, section="notices", title="留下", included=True)
    IssueItem.objects.create(issue=published, section="notices", title="拿掉", included=False)
    publish(city, published)
    draft = start(city, nl, quarter=3)
    owner = as_(client, city, "owner")
    papers = owner.get(API).json()
    assert [p["id"] for p in papers["items"]] == [nl.pk] and papers["items"][0]["runs"] is False
    issues = owner.get(f"{API}/{nl.pk}/issues").json()["items"]
    assert [i["id"] for i in issues] == [published.pk]
    got = owner.get(f"{API}/issues/{published.pk}").json()
    assert [i["title"] for i in got["items"]] == ["留下"]
    assert owner.get(f"{API}/issues/{draft.pk}").status_code == 404
    staff = as_(client, city, "community_staff")
    assert len(staff.get(f"{API}/{nl.pk}/issues").json()["items"]) == 2
    other = as_(client, city, "owner_2")
    assert other.get(API).json()["items"] == []
    assert other.get(f"{API}/{nl.pk}/issues").status_code == 404
    assert other.get(f"{API}/issues/{published.pk}").status_code == 404


def test_refusals(client, city):
    add_member(city, "owner", joined="2010-01-01")
    nl = paper(city)
    issue = start(city, nl)
    assert issue.editor == city.users["owner"]
    liaison = as_(client, city, "party_liaison")  # a member, not this issue's editor
    assert liaison.post(f"{API}/issues/{issue.pk}/reassemble").status_code == 404
    resident = as_(client, city, "tenant")
    started = resident.post(
        f"{API}/{nl.pk}/issues", {"year": 2026, "quarter": 4}, content_type="application/json"
    )
    assert started.status_code == 403
    publish(city, issue)
    assert resident.post(f"{API}/issues/{issue.pk}/reassemble").status_code == 403
    org = PartyOrganisation.objects.get(name="C1 committee")
    founded = resident.post(
        API,
        {"place": city.places["C1"].pk, "name": "x", "organisation": org.pk},
        content_type="application/json",
    )
    assert founded.status_code == 403
    client.logout()
    assert client.get(API).status_code == 401
