"""/api/v1/projects lists routes: needs (record, support once, close, reopen), resources
(partner's and resident's), partners with agreements (multipart document, served with the safe
headers) and deliveries, the overview; 422 naming the field, 403/404, query counts."""

import pytest
from django.test.client import encode_multipart

from linju.core.tests.test_api import API, api_client, assert_error, post
from linju.projects import services_lists as services
from linju.projects.models import Agreement, Need, Project, ResourceUse

from .fixtures_lists import *  # noqa: F403  (the fixtures)
from .fixtures_lists import PDF, pdf

pytestmark = pytest.mark.django_db
P = "/projects"


def test_anonymous_gets_401(client, db):
    assert_error(client.get(f"{API}{P}/needs"), 401, "unauthenticated")


def test_need_lifecycle(lists):
    worker = api_client(lists.u("grid_worker"))
    r = post(
        worker,
        f"{P}/needs",
        {"place": lists.p("U1").pk, "title": "单元门禁", "source": "visit", "households": 6},
    )
    assert r.status_code == 201, r.content
    need = r.json()
    assert need["status"] == "open" and need["households"] == 6 and need["projects"] == []
    url = f"{P}/needs/{need['id']}"

    owner = api_client(lists.u("owner"))
    r = post(owner, f"{url}/support", {})
    assert r.status_code == 200 and r.json()["support_count"] == 1 and r.json()["supported"]
    assert post(owner, f"{url}/support", {}).json()["support_count"] == 1
    r = owner.delete(API + f"{url}/support")
    assert r.status_code == 200 and r.json()["support_count"] == 0
    assert_error(owner.delete(API + f"{url}/support"), 409, "not_supported")
    # A resident of the community who does not live under U1 sees it but may not support it.
    liaison = api_client(lists.u("party_liaison"))
    assert liaison.get(API + url).status_code == 200
    assert_error(post(liaison, f"{url}/support", {}), 403, "forbidden")
    assert_error(api_client(lists.u("owner_2")).get(API + url), 404, "not_found")

    r = post(worker, url, {"title": "单元门禁坏了"}, method="patch")
    assert r.status_code == 200 and r.json()["title"] == "单元门禁坏了"
    assert_error(post(worker, f"{url}/close", {"reason": ""}), 422, "invalid", "reason")
    r = post(worker, f"{url}/close", {"reason": "物业已修"})
    assert r.json()["status"] == "closed"
    assert_error(post(worker, f"{url}/close", {"reason": "x"}), 409, "wrong_status")
    assert_error(owner.get(API + url), 404, "not_found")  # residents see open needs only
    assert post(worker, f"{url}/reopen", {}).json()["status"] == "open"


@pytest.mark.parametrize(
    "field,data",
    [
        ("place", {"place": 0}),
        ("place", {"place": 999999}),
        ("title", {"title": ""}),
        ("title", {"title": "x" * 121}),
        ("source", {"source": "rumour"}),
        ("households", {"households": -1}),
        ("source_ref", {"source": "topic", "source_ref": "abc"}),
        ("description", {"description": "a\x00b"}),
    ],
)
def test_need_bad_input_422(lists, field, data):
    body = {"place": lists.p("B1").pk, "title": "x", "source": "other", **data}
    r = post(api_client(lists.manager), f"{P}/needs", body)
    assert_error(r, 422, "invalid", field)
    assert Need.objects.count() == 2


def test_need_refused_outside_scope(lists):
    body = {"place": lists.p("B3").pk, "title": "x", "source": "other"}
    assert_error(post(api_client(lists.manager), f"{P}/needs", body), 403, "forbidden")
    url = f"{P}/needs/{lists.need.pk}"
    assert_error(
        post(api_client(lists.u("community_staff_2")), url, {"title": "y"}, "patch"),
        404,
        "not_found",
    )
    # The property manager sees it (projects.view) but records no needs.
    r = post(api_client(lists.u("property_manager")), f"{url}/close", {"reason": "x"})
    assert_error(r, 403, "forbidden")


def test_need_from_report_api(lists, submit):
    report = submit(place="B1")
    body = {
        "place": lists.p("C1").pk,
        "title": "x",
        "source": "report",
        "source_ref": str(report.token),
    }
    r = post(api_client(lists.manager), f"{P}/needs", body)
    assert r.status_code == 201 and r.json()["source_ref"] == f"report:{report.token}"


def test_needs_list_shows_projects_and_filters(lists, django_assert_max_num_queries):
    for n in range(5):
        project = Project.objects.create(place=lists.p("E1"), title=f"p{n}", summary="s")
        project.needs.add(lists.need)
        services.create_need(
            user=lists.manager, place_id=lists.p("E1").pk, title=f"n{n}", source="other"
        )
    client = api_client(lists.manager)
    client.get(f"{API}{P}/needs")
    with django_assert_max_num_queries(12):
        r = client.get(f"{API}{P}/needs")
    body = r.json()
    assert body["count"] == 7
    row = next(n for n in body["items"] if n["id"] == lists.need.pk)
    assert len(row["projects"]) == 5
    r = client.get(f"{API}{P}/needs", {"source": "survey"})
    assert [n["id"] for n in r.json()["items"]] == [lists.other_need.pk]
    r = client.get(f"{API}{P}/needs", {"place": lists.p("B1").pk})
    assert [n["id"] for n in r.json()["items"]] == [lists.need.pk]
    assert_error(
        client.get(f"{API}{P}/needs", {"place": lists.p("C2").pk}), 422, "invalid", "place"
    )
    assert_error(client.get(f"{API}{P}/needs", {"status": "x"}), 422, "invalid", "status")
    # A resident: open needs of their community, no projects shown, no source reference.
    mine = api_client(lists.u("owner")).get(f"{API}{P}/needs").json()
    assert mine["count"] == 7 and all(n["projects"] == [] for n in mine["items"])
    assert api_client(lists.u("owner_2")).get(f"{API}{P}/needs").json()["count"] == 0


def test_resources(lists, django_assert_max_num_queries):
    partner = api_client(lists.u("partner"))
    body = {"partner": lists.partner.pk, "title": "捐款", "kind": "funds", "amount_fen": 100000}
    r = post(partner, f"{P}/resources", body)
    assert r.status_code == 201, r.content
    made = r.json()
    assert made["partner"]["id"] == lists.partner.pk and made["editable"]
    assert_error(
        post(partner, f"{P}/resources", {**body, "amount_fen": 0}), 422, "invalid", "amount_fen"
    )
    bad_dates = {**body, "available_from": "2025-05-02", "available_until": "2025-05-01"}
    assert_error(post(partner, f"{P}/resources", bad_dates), 422, "invalid", "available_until")
    assert_error(post(partner, f"{P}/resources", {**body, "kind": "x"}), 422, "invalid", "kind")
    # A resident offers for where they live, not elsewhere.
    owner = api_client(lists.u("owner"))
    offer = {"place": lists.p("B2").pk, "title": "x", "kind": "other"}
    assert_error(post(owner, f"{P}/resources", offer), 403, "forbidden")
    mine = owner.get(f"{API}{P}/resources").json()
    assert [r["id"] for r in mine["items"]] == [lists.offer.pk]
    assert mine["items"][0]["offered_by"]["name"] == lists.u("owner").name
    # Staff: the scope's resources and the projects using each, names masked where due.
    project = Project.objects.create(place=lists.p("E1"), title="p", summary="s")
    ResourceUse.objects.create(project=project, resource=lists.resource, quantity=1)
    staff = api_client(lists.manager)
    staff.get(f"{API}{P}/resources")
    with django_assert_max_num_queries(12):
        listed = staff.get(f"{API}{P}/resources").json()
    assert listed["count"] == 3
    row = next(r for r in listed["items"] if r["id"] == lists.resource.pk)
    assert row["uses"] == [
        {"project": {"id": project.pk, "title": "p", "stage": "proposed"}, "quantity": 1}
    ]
    # The property company sees the offer under its estate, the resident's name masked.
    seen = api_client(lists.u("property_manager")).get(f"{API}{P}/resources").json()
    assert [r["id"] for r in seen["items"]] == [lists.offer.pk]
    assert seen["items"][0]["offered_by"]["name"] != lists.u("owner").name
    assert not seen["items"][0]["editable"]
    offer_url = f"{P}/resources/{lists.offer.pk}"
    grid = api_client(lists.u("grid_worker"))
    assert_error(post(grid, offer_url, {"quantity": 2}, "patch"), 403, "forbidden")
    url = f"{P}/resources/{made['id']}"
    assert post(partner, url, {"quantity": 2}, "patch").json()["quantity"] == 2
    assert post(partner, f"{url}/withdraw", {}).json()["status"] == "withdrawn"
    assert_error(post(partner, f"{url}/withdraw", {}), 409, "wrong_status")
    assert_error(api_client(lists.u("owner_2")).get(API + url), 404, "not_found")


def test_partners_agreements_deliveries(lists, media):
    manager = api_client(lists.manager)
    body = {
        "place": lists.p("C1").pk,
        "name": "实验小学",
        "kind": "school",
        "members": [lists.u("owner").pk],
    }
    assert_error(post(manager, f"{P}/partners", body), 422, "invalid", "members.0")
    assert_error(
        post(manager, f"{P}/partners", {**body, "members": [], "place": lists.p("E1").pk}),
        422,
        "invalid",
        "place",
    )
    assert_error(
        post(manager, f"{P}/partners", {**body, "members": [], "name": "幸福物业"}),
        422,
        "invalid",
        "name",
    )
    r = post(manager, f"{P}/partners", {**body, "members": [lists.u("partner").pk]})
    assert r.status_code == 201, r.content
    school = r.json()
    assert school["members"] == [{"id": lists.u("partner").pk, "name": lists.u("partner").name}]
    url = f"{P}/partners/{school['id']}"
    assert_error(
        post(api_client(lists.u("partner")), url, {"name": "x"}, "patch"), 403, "forbidden"
    )
    assert (
        post(manager, url, {"contact_name": "李老师"}, "patch").json()["contact_name"] == "李老师"
    )

    # An agreement with its document, multipart.
    data = {
        "title": "共建协议",
        "commitments": "每学期两次志愿服务",
        "starts_on": "2025-01-01",
        "ends_on": "2024-12-01",
        "signed_on": "2024-12-20",
        "document": pdf(),
    }
    r = manager.post(
        API + f"{url}/agreements",
        encode_multipart("b", data),
        content_type="multipart/form-data; boundary=b",
    )
    assert_error(r, 422, "invalid", "ends_on")
    data["ends_on"], data["document"] = "2025-12-31", pdf()
    r = manager.post(
        API + f"{url}/agreements",
        encode_multipart("b", data),
        content_type="multipart/form-data; boundary=b",
    )
    assert r.status_code == 201, r.content
    agreement = r.json()
    assert agreement["document_url"]
    doc = manager.get(agreement["document_url"])
    assert doc.status_code == 200 and b"".join(doc.streaming_content) == PDF
    assert doc["X-Content-Type-Options"] == "nosniff" and "attachment" in doc["Content-Disposition"]
    # The partner's own people read it; another partner's people, residents and C2 do not.
    assert api_client(lists.u("partner")).get(agreement["document_url"]).status_code == 200
    Agreement.objects.filter(pk=agreement["id"]).update(partner_id=lists.partner.pk)
    services.update_partner(user=lists.manager, partner=lists.partner, members=[])
    assert api_client(lists.u("partner")).get(agreement["document_url"]).status_code == 404
    assert api_client(lists.u("owner")).get(agreement["document_url"]).status_code == 404
    assert (
        api_client(lists.u("community_staff_2")).get(agreement["document_url"]).status_code == 404
    )
    assert (
        api_client(lists.u("subdistrict_admin")).get(agreement["document_url"]).status_code == 200
    )

    listed = manager.get(f"{API}{P}/partners/{lists.partner.pk}/agreements").json()
    assert listed["count"] == 1 and listed["items"][0]["title"] == "共建协议"
    # Deliveries.
    d_url = f"{P}/partners/{lists.partner.pk}/deliveries"
    r = post(
        manager,
        d_url,
        {
            "delivered_on": "2025-03-01",
            "what": "场地",
            "value_fen": 5000,
            "agreement": agreement["id"],
        },
    )
    assert r.status_code == 201, r.content
    assert r.json()["agreement"]["id"] == agreement["id"]
    assert_error(
        post(manager, d_url, {"delivered_on": "x", "what": "y"}), 422, "invalid", "delivered_on"
    )
    assert_error(
        post(manager, d_url, {"delivered_on": "2025-03-01", "what": "y", "project": 999999}),
        422,
        "invalid",
        "project",
    )
    assert manager.get(API + d_url).json()["count"] == 1
    assert_error(api_client(lists.u("owner")).get(API + d_url), 404, "not_found")
    # Deactivate, bring back.
    p_url = f"{P}/partners/{lists.partner.pk}"
    assert post(manager, f"{p_url}/deactivate", {}).json()["active"] is False
    assert_error(post(manager, f"{p_url}/deactivate", {}), 409, "wrong_status")
    assert post(manager, f"{p_url}/activate", {}).json()["active"] is True
    listed = manager.get(f"{API}{P}/partners", {"kind": "school"}).json()
    assert [p["id"] for p in listed["items"]] == [school["id"]]
    assert api_client(lists.u("community_staff_2")).get(f"{API}{P}/partners").json()["count"] == 0


def test_overview(lists):
    client = api_client(lists.manager)
    r = client.get(f"{API}{P}/lists/overview", {"place": lists.p("C1").pk})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["counts"]["needs_open"] == 2 and body["counts"]["unused_resources"] == 2
    assert {n["id"] for n in body["unmatched_needs"]} == {lists.need.pk, lists.other_need.pk}
    r = client.get(f"{API}{P}/lists/overview", {"place": lists.p("C2").pk})
    assert_error(r, 422, "invalid", "place")
    r = api_client(lists.u("owner")).get(f"{API}{P}/lists/overview", {"place": lists.p("C1").pk})
    assert_error(r, 422, "invalid", "place")
