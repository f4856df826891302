"""The newsletter's pages, read in English: the staff list and founding a paper, a paper's page
with its rota and the start form, the editor's page (a piece, the foreword, gathering again,
publishing), the published issue for residents (sections in order, the foreword signed with the
editor's name), the A4 print page, and the latest issues block of the notice board."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from linju.core.testing import linked_styles
from linju.notices.models import IssueItem, Newsletter

from .newsletter_helpers import add_member, in_quarter, notice_at, paper, publish, start

pytestmark = pytest.mark.django_db


def login(client, city, who):
    client.force_login(city.users[who])
    return client


def test_staff_list_and_founding_a_paper(client, city):
    from linju.people.models import PartyOrganisation

    login(client, city, "community_staff")
    page = client.get("/notices/newsletters/")
    assert page.status_code == 200
    assert "Found a paper" in page.text
    org = PartyOrganisation.objects.get(name="C1 committee")
    bad = client.post("/notices/newsletters/", {"name": "", "place": city.places["C1"].pk})
    assert bad.status_code == 422
    made = client.post(
        "/notices/newsletters/",
        {"name": "睦邻服务报", "place": city.places["E1"].pk, "organisation": org.pk},
    )
    paper_ = Newsletter.objects.get()
    assert made.status_code == 302 and made.url == f"/notices/newsletters/{paper_.pk}/"
    assert "睦邻服务报" in client.get("/notices/newsletters/").text


def test_residents_may_not_found_a_paper(client, city):
    login(client, city, "owner")
    page = client.get("/notices/newsletters/")
    assert page.status_code == 200 and "Found a paper" not in page.text
    assert client.post("/notices/newsletters/", {"name": "x"}).status_code == 403


def test_paper_page_shows_the_rota_and_starts_an_issue(client, city):
    add_member(city, "owner", joined="2015-01-01")
    nl = paper(city)
    login(client, city, "community_staff")
    page = client.get(f"/notices/newsletters/{nl.pk}/")
    assert page.status_code == 200
    assert "The editors&#x27; rota" in page.text or "The editors' rota" in page.text
    assert 'data-testid="next-editor"' in page.text and "张owner明" in page.text
    done = client.post(f"/notices/newsletters/{nl.pk}/", {"year": 2026, "quarter": 3})
    issue = nl.issues.get()
    assert done.status_code == 302 and done.url == f"/notices/newsletters/issues/{issue.pk}/edit/"
    assert issue.editor == city.users["owner"]
    again = client.post(f"/notices/newsletters/{nl.pk}/", {"year": 2026, "quarter": 3})
    assert again.status_code == 422 and "exists already" in again.text


def test_a_c2_resident_cannot_read_c1s_paper_or_issue(client, city):
    nl = paper(city)
    issue = start(city, nl)
    publish(city, issue)
    login(client, city, "owner_2")
    assert client.get(f"/notices/newsletters/{nl.pk}/").status_code == 404
    assert client.get(f"/notices/newsletters/issues/{issue.pk}/").status_code == 404
    assert client.get(f"/notices/newsletters/issues/{issue.pk}/print/").status_code == 404
    login(client, city, "owner")
    assert client.get(f"/notices/newsletters/issues/{issue.pk}/").status_code == 200
    assert client.post(f"/notices/newsletters/{nl.pk}/", {"year": 2026}).status_code == 403


def test_the_editor_arranges_writes_and_publishes(client, city):
    deed = notice_at(in_quarter(5), city, kind="good_deed", title="帮邻居修水管")
    notice_at(in_quarter(6), city, kind="uncivil", title="楼道堆物")
    issue = start(city, paper(city))
    item = IssueItem.objects.get(issue=issue, section="good_deeds")
    login(client, city, "party_liaison")
    url = f"/notices/newsletters/issues/{issue.pk}/edit/"
    page = client.get(url)
    assert page.status_code == 200 and "帮邻居修水管" in page.text
    bad = client.post(url, {"action": "item", "item": item.pk, "title": "", "position": 0})
    assert bad.status_code == 422
    saved = client.post(
        url,
        {
            "action": "item",
            "item": item.pk,
            "title": "好邻居王师傅",
            "summary": "半夜帮忙修水管",
            "position": 0,
            "included": "on",
        },
    )
    assert saved.status_code == 302
    item.refresh_from_db()
    assert item.title == "好邻居王师傅"
    refused = client.post(url, {"action": "publish"})
    assert refused.status_code == 422 and "Write the foreword" in refused.text
    assert client.post(url, {"action": "foreword", "foreword": "秋天到了。"}).status_code == 302
    notice_at(in_quarter(7), city, kind="good_deed", title="又一件好事")
    gathered = client.post(url, {"action": "reassemble"}, follow=True)
    assert "New pieces gathered: 1." in gathered.text
    done = client.post(url, {"action": "publish"})
    assert done.status_code == 302 and done.url == f"/notices/newsletters/issues/{issue.pk}/"
    read_only = client.get(url)
    assert 'data-testid="read-only"' in read_only.text
    assert client.post(url, {"action": "foreword", "foreword": "x"}).status_code == 422
    assert deed.pk


def test_a_party_member_who_is_not_the_editor_gets_no_editing_page(client, city):
    add_member(city, "owner", joined="2010-01-01")
    issue = start(city, paper(city))
    assert issue.editor == city.users["owner"]
    login(client, city, "party_liaison")
    assert client.get(f"/notices/newsletters/issues/{issue.pk}/edit/").status_code == 404
    publish(city, issue)
    assert client.get(f"/notices/newsletters/issues/{issue.pk}/edit/").status_code == 403


def test_the_published_issue_for_residents(client, city):
    notice_at(in_quarter(5), city, kind="good_deed", title="好人好事一")
    notice_at(in_quarter(6), city, kind="uncivil", title="不文明一")
    notice_at(in_quarter(7), city, title="停水通知")
    issue = start(city, paper(city))
    left_out = IssueItem.objects.get(issue=issue, section="notices")
    left_out.included = False
    left_out.save()
    publish(city, issue)
    login(client, city, "tenant")
    page = client.get(f"/notices/newsletters/issues/{issue.pk}/")
    assert page.status_code == 200
    text = page.text
    assert text.index("Good deeds") < text.index("Uncivil behaviour")
    assert "好人好事一" in text and "不文明一" in text and "停水通知" not in text
    assert "各位邻居好。" in text
    assert "Editor of this issue: 党员n" in text
    assert 'data-testid="draft"' not in text


def test_the_print_page_is_a4_two_columns_without_navigation(client, city):
    notice_at(in_quarter(5), city, kind="good_deed", title="好人好事一")
    issue = start(city, paper(city))
    publish(city, issue)
    login(client, city, "owner")
    page = client.get(f"/notices/newsletters/issues/{issue.pk}/print/")
    assert page.status_code == 200
    assert "好人好事一" in page.text and "睦邻服务报" in page.text
    assert 'class="top-nav"' not in page.text and "<nav" not in page.text
    css = linked_styles(page.text)
    assert "@page { size: A4" in css and "column-count: 2" in css


def test_the_latest_block_for_the_board(city):
    issue = start(city, paper(city))
    publish(city, issue)
    request = RequestFactory().get("/notices/")
    request.user = city.users["owner"]
    html = render_to_string("notices/newsletter/_latest.html", {"request": request})
    assert f"/notices/newsletters/issues/{issue.pk}/" in html
    request.user = city.users["owner_2"]
    assert "newsletter-latest" not in render_to_string(
        "notices/newsletter/_latest.html", {"request": request}
    )


def test_list_page_queries_do_not_grow(client, city, django_assert_max_num_queries):
    nl = paper(city)
    for q in (1, 2, 3):
        publish(city, start(city, nl, quarter=q))
    login(client, city, "community_staff")
    client.get("/notices/newsletters/")
    with django_assert_max_num_queries(25):
        client.get("/notices/newsletters/")
        client.get(f"/notices/newsletters/{nl.pk}/")
