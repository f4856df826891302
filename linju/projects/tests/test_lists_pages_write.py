"""The lists desk pages that write (需求清单, 资源清单, 共建单位): recording and editing a need, the
resources list and a resource's page (withdraw), offering a resource (a partner's people,
managers on its behalf, a resident for themselves), editing it, partners created and edited
with their people, deactivated and activated, their agreements with the signed document and
their deliveries in yuan. Each form's bad input comes back on the field it names and saves
nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from linju.core.models import AuditEvent
from linju.deliberation.models import Topic
from linju.projects import services_lists as services
from linju.projects.models import Agreement, Delivery, Need, Partner, Resource
from linju.projects.tests.clients import english_client

from .fixtures_lists import *  # noqa: F403  (the fixtures)
from .fixtures_lists import make_partner, pdf

pytestmark = pytest.mark.django_db


def login(user):
    c = english_client()
    c.force_login(user)
    return c


def errors_of(response, form="form"):
    return response.context[form].errors


# --- Needs ----------------------------------------------------------------------------------------


NEED = {"title": "加装扶手", "source": "visit", "source_ref": "走访", "households": "6"}


def test_record_a_need(lists):
    worker = login(lists.u("grid_worker"))
    r = worker.get("/projects/lists/needs/new/")
    assert r.status_code == 200
    choices = dict(r.context["form"].fields["place"].choices)
    assert lists.p("B1").pk in choices and lists.p("B3").pk not in choices
    r = worker.post("/projects/lists/needs/new/", {**NEED, "place": lists.p("U1").pk})
    need = Need.objects.get(title="加装扶手")
    assert r.status_code == 302 and r["Location"] == f"/projects/lists/needs/{need.pk}/"
    assert need.households == 6 and need.created_by == lists.u("grid_worker")
    assert AuditEvent.objects.filter(verb="projects.need_create", object_id=str(need.pk)).exists()
    # The needs list offers the form to those who record, not to residents.
    assert "/projects/lists/needs/new/" in worker.get("/projects/lists/needs/").content.decode()
    owner = login(lists.u("owner"))
    assert "/projects/lists/needs/new/" not in owner.get("/projects/lists/needs/").content.decode()
    assert owner.get("/projects/lists/needs/new/").status_code == 403
    assert login(lists.u("property_manager")).get("/projects/lists/needs/new/").status_code == 403


@pytest.mark.parametrize(
    "field,change",
    [
        ("place", {"place": ""}),
        ("place", {"place": "999999"}),
        ("title", {"title": " "}),
        ("source", {"source": ""}),
        ("source", {"source": "rumour"}),
        ("households", {"households": "-1"}),
        ("households", {"households": "many"}),
        ("households", {"households": "100001"}),
        ("source_ref", {"source": "topic", "source_ref": ""}),
        ("source_ref", {"source": "topic", "source_ref": "999999"}),
        ("source_ref", {"source": "report", "source_ref": "not-a-token"}),
    ],
)
def test_record_a_need_bad_input(lists, field, change):
    data = {**NEED, "place": lists.p("B1").pk, **change}
    before = Need.objects.count()
    r = login(lists.manager).post("/projects/lists/needs/new/", data)
    assert r.status_code == 200 and field in errors_of(r)
    assert f'data-field="{field}"' in r.content.decode()
    assert Need.objects.count() == before


def test_record_a_need_outside_the_scope_is_refused(lists):
    data = {**NEED, "place": lists.p("B3").pk}
    r = login(lists.u("grid_worker")).post("/projects/lists/needs/new/", data)
    assert r.status_code == 403 and not Need.objects.filter(title="加装扶手").exists()


def test_need_from_a_topic_prefilled_and_linked(lists):
    topic = Topic.objects.create(place=lists.p("E1"), title="t", body="b")
    c = login(lists.manager)
    r = c.get("/projects/lists/needs/new/", {"source": "topic", "source_ref": topic.pk})
    assert r.context["form"].initial["source_ref"] == str(topic.pk)
    data = {**NEED, "place": lists.p("B1").pk, "source": "topic", "source_ref": topic.pk}
    c.post("/projects/lists/needs/new/", data)
    need = Need.objects.get(title="加装扶手")
    assert need.source_ref == f"topic:{topic.pk}"
    topic_url = f"/deliberation/topics/{topic.pk}/"
    assert topic_url in c.get(f"/projects/lists/needs/{need.pk}/").content.decode()
    # Residents of the community see where it came from too: a topic is public deliberation.
    body = login(lists.u("owner")).get(f"/projects/lists/needs/{need.pk}/").content.decode()
    assert topic_url in body and 'data-testid="topic-link"' in body
    # The edit form shows the number as typed, and saving keeps it.
    r = c.get(f"/projects/lists/needs/{need.pk}/edit/")
    assert r.context["form"].initial["source_ref"] == str(topic.pk)


def test_edit_a_need(lists):
    url = f"/projects/lists/needs/{lists.need.pk}/edit/"
    head = login(lists.u("building_head"))
    r = head.get(url)
    assert r.status_code == 200 and r.context["form"].initial["households"] == 12
    data = {**NEED, "title": "楼道灯", "households": "20"}
    assert head.post(url, data).status_code == 302
    lists.need.refresh_from_db()
    assert (lists.need.title, lists.need.households) == ("楼道灯", 20)
    r = head.post(url, {**data, "source": "topic", "source_ref": "999999"})
    assert r.status_code == 200 and "source_ref" in errors_of(r)
    lists.need.refresh_from_db()
    assert lists.need.source == "visit"
    assert login(lists.u("property_manager")).get(url).status_code == 403
    assert login(lists.u("owner")).get(url).status_code == 403  # sees it, may not edit
    assert login(lists.u("owner_2")).get(url).status_code == 404
    assert login(lists.u("community_staff_2")).post(url, data).status_code == 404


# --- Resources ------------------------------------------------------------------------------------


def test_resources_list_for_staff(lists, django_assert_max_num_queries):
    c = login(lists.manager)
    for n in range(6):
        services.create_resource(
            user=lists.manager,
            partner_id=lists.partner.pk,
            title=f"r{n}",
            kind="funds" if n % 2 else "materials",
            amount_fen=1250 if n % 2 else 0,
        )
    c.get("/projects/lists/resources/")
    with django_assert_max_num_queries(14):
        r = c.get("/projects/lists/resources/")
    body = r.content.decode()
    assert r.status_code == 200 and body.count("data-resource=") == 8
    assert "¥12.50" in body and "水电维修" in body
    r = c.get("/projects/lists/resources/", {"kind": "funds"})
    assert r.content.decode().count("data-resource=") == 3
    r = c.get("/projects/lists/resources/", {"place": lists.p("U1").pk})
    assert r.content.decode().count("data-resource=") == 1  # the owner's offer at U1
    services.withdraw_resource(user=lists.manager, resource=lists.resource)
    r = c.get("/projects/lists/resources/", {"status": "withdrawn"})
    assert r.content.decode().count("data-resource=") == 1
    assert c.get("/projects/lists/resources/", {"place": lists.p("B3").pk}).status_code == 404
    # The staff navigation names the pages of the lists desk.
    assert 'href="/projects/lists/partners/"' in body and 'aria-current="page"' in body
    assert login(lists.u("owner")).get("/projects/lists/resources/").status_code == 403
    assert login(lists.u("partner")).get("/projects/lists/resources/").status_code == 200
    body = login(lists.u("community_staff_2")).get("/projects/lists/resources/").content.decode()
    assert "data-resource=" not in body


def test_resource_page_and_withdraw(lists):
    url = f"/projects/lists/resources/{lists.resource.pk}/"
    # The partner user sees another partner's offer (projects.view) but does not act for it.
    other = make_partner(lists.city, name="别家", members=())
    theirs = services.create_resource(
        user=lists.manager, partner_id=other.pk, title="场地", kind="venue"
    )
    partner = login(lists.u("partner"))
    other_url = f"/projects/lists/resources/{theirs.pk}/"
    r = partner.get(other_url)
    assert r.status_code == 200 and "别家" in r.content.decode() and not r.context["may_edit"]
    assert partner.post(other_url, {"action": "withdraw"}).status_code == 403
    theirs.refresh_from_db()
    assert theirs.status == "available"
    r = partner.get(url)
    assert r.status_code == 200 and 'data-testid="withdraw-form"' in r.content.decode()
    assert partner.post(url, {"action": "withdraw"}).status_code == 302
    lists.resource.refresh_from_db()
    assert lists.resource.status == "withdrawn"
    r = partner.post(url, {"action": "withdraw"})
    assert r.status_code == 200 and r.context["form"].non_field_errors()
    assert partner.post(url, {"action": "nonsense"}).status_code == 404
    assert login(lists.u("owner")).get(url).status_code == 404
    assert login(lists.u("grid_worker")).get(url).status_code == 404  # B1's scope, not C1's
    assert login(lists.u("community_staff_2")).post(url, {"action": "withdraw"}).status_code == 404


def test_resource_page_shows_the_projects_using_it(lists):
    from linju.projects.models import Project, ResourceUse

    project = Project.objects.create(
        place=lists.p("C1"), path=lists.p("C1").path, title="楼道改造", summary="s"
    )
    ResourceUse.objects.create(project=project, resource=lists.resource, quantity=1)
    r = login(lists.manager).get(f"/projects/lists/resources/{lists.resource.pk}/")
    assert "楼道改造" in r.content.decode() and len(r.context["uses"]) == 1


OFFER = {"title": "活动室", "kind": "venue", "quantity": "2", "unit": "间"}


def test_partner_offers_for_its_own_partner(lists):
    c = login(lists.u("partner"))
    r = c.get("/projects/lists/resources/new/")
    assert r.status_code == 200
    assert list(dict(r.context["form"].fields["partner"].choices))[1:] == [lists.partner.pk]
    r = c.post("/projects/lists/resources/new/", {**OFFER, "partner": lists.partner.pk})
    created = Resource.objects.get(title="活动室")
    assert r.status_code == 302 and created.partner == lists.partner and created.quantity == 2
    # Another community's partner is not named back: 404, nothing saved.
    theirs = make_partner(
        lists.city, place="C2", name="C2 单位", user="community_staff_2", members=("partner_2",)
    )
    r = c.post("/projects/lists/resources/new/", {**OFFER, "title": "y", "partner": theirs.pk})
    assert r.status_code == 404 and not Resource.objects.filter(title="y").exists()
    assert login(lists.u("owner")).get("/projects/lists/resources/new/").status_code == 403
    assert login(lists.u("grid_worker")).get("/projects/lists/resources/new/").status_code == 403


def test_manager_offers_on_a_partners_behalf_in_yuan(lists):
    c = login(lists.manager)
    data = {**OFFER, "kind": "funds", "amount": "1234.56", "partner": lists.partner.pk}
    assert c.post("/projects/lists/resources/new/", data).status_code == 302
    assert Resource.objects.get(title="活动室").amount_fen == 123456


@pytest.mark.parametrize(
    "field,change",
    [
        ("partner", {"partner": ""}),
        ("title", {"title": ""}),
        ("kind", {"kind": "gold"}),
        ("quantity", {"quantity": "0"}),
        ("amount", {"kind": "funds", "amount": ""}),
        ("amount", {"amount": "12.345"}),
        ("amount", {"amount": "-1"}),
        ("amount", {"amount": "abc"}),
        ("available_from", {"available_from": "2025-13-01"}),
        ("available_until", {"available_from": "2025-06-01", "available_until": "2025-05-01"}),
    ],
)
def test_partner_offer_bad_input(lists, field, change):
    data = {**OFFER, "partner": lists.partner.pk, **change}
    before = Resource.objects.count()
    r = login(lists.manager).post("/projects/lists/resources/new/", data)
    assert r.status_code == 200 and field in errors_of(r), errors_of(r)
    assert Resource.objects.count() == before


def test_inactive_partner_offers_nothing(lists):
    services.set_partner_active(user=lists.manager, partner=lists.partner, active=False)
    c = login(lists.u("partner"))
    assert c.get("/projects/lists/resources/new/").context["intro"]
    r = c.post("/projects/lists/resources/new/", {**OFFER, "partner": lists.partner.pk})
    assert r.status_code == 200 and r.context["form"].non_field_errors()


def test_resident_offers_from_the_needs_page(lists):
    c = login(lists.u("owner"))
    body = c.get("/projects/lists/needs/").content.decode()
    assert "/projects/lists/resources/offer/" in body
    r = c.get("/projects/lists/resources/offer/")
    places = dict(r.context["form"].fields["place"].choices)
    assert lists.p("U1").pk in places and lists.p("C1").pk in places
    assert lists.p("U3").pk not in places
    data = {**OFFER, "title": "修自行车", "kind": "expertise", "place": lists.p("C1").pk}
    r = c.post("/projects/lists/resources/offer/", data)
    created = Resource.objects.get(title="修自行车")
    assert r.status_code == 302 and created.offered_by == lists.u("owner") and not created.partner
    # Their own offer's page is theirs to read and edit.
    assert c.get(f"/projects/lists/resources/{created.pk}/").status_code == 200
    r = c.post("/projects/lists/resources/offer/", {**data, "place": lists.p("U3").pk})
    assert r.status_code == 403
    r = c.post("/projects/lists/resources/offer/", {**data, "quantity": "0"})
    assert r.status_code == 200 and "quantity" in errors_of(r)
    r = c.post("/projects/lists/resources/offer/", {**data, "place": ""})
    assert r.status_code == 200 and "place" in errors_of(r)
    assert Resource.objects.filter(title="修自行车").count() == 1
    staff = login(lists.u("grid_worker"))
    assert (
        "/projects/lists/resources/offer/"
        not in staff.get("/projects/lists/needs/").content.decode()
    )
    assert staff.get("/projects/lists/resources/offer/").status_code == 403


def test_edit_a_resource(lists):
    url = f"/projects/lists/resources/{lists.offer.pk}/edit/"
    owner = login(lists.u("owner"))
    r = owner.get(url)
    assert r.status_code == 200 and r.context["form"].initial["amount"] == "0.00"
    data = {"title": "水电维修", "kind": "expertise", "quantity": "8", "unit": "小时"}
    assert owner.post(url, data).status_code == 302
    lists.offer.refresh_from_db()
    assert lists.offer.quantity == 8
    r = owner.post(url, {**data, "kind": "funds"})
    assert r.status_code == 200 and "amount" in errors_of(r)
    lists.offer.refresh_from_db()
    assert lists.offer.kind == "expertise"
    assert login(lists.manager).get(url).status_code == 200
    assert login(lists.u("tenant")).get(url).status_code == 404
    assert login(lists.u("grid_worker")).get(url).status_code == 403
    partner_url = f"/projects/lists/resources/{lists.resource.pk}/edit/"
    assert login(lists.u("partner")).get(partner_url).status_code == 200


# --- Partners -------------------------------------------------------------------------------------


PARTNER = {"name": "阳光小学", "kind": "school", "contact_name": "李老师", "contact_phone": "027-1"}


def test_create_and_edit_a_partner(lists):
    c = login(lists.manager)
    r = c.get("/projects/lists/partners/new/")
    people = dict(r.context["form"].fields["members"].choices)
    assert lists.u("partner").pk in people and lists.u("partner_2").pk not in people
    data = {**PARTNER, "place": lists.p("C1").pk, "members": [lists.u("partner").pk]}
    r = c.post("/projects/lists/partners/new/", data)
    partner = Partner.objects.get(name="阳光小学")
    assert r.status_code == 302 and r["Location"] == f"/projects/lists/partners/{partner.pk}/"
    assert list(partner.members.all()) == [lists.u("partner")]
    url = f"/projects/lists/partners/{partner.pk}/edit/"
    r = c.get(url)
    assert r.context["form"].initial["members"] == [lists.u("partner").pk]
    assert c.post(url, {**PARTNER, "name": "阳光实验小学"}).status_code == 302
    partner.refresh_from_db()
    assert partner.name == "阳光实验小学" and not partner.members.exists()
    assert AuditEvent.objects.filter(verb="projects.partner_update").exists()
    assert login(lists.u("partner")).get(url).status_code == 403  # sees it, may not manage
    assert login(lists.u("grid_worker")).get(url).status_code == 404
    assert login(lists.u("owner")).get(url).status_code == 404
    assert login(lists.u("grid_worker")).get("/projects/lists/partners/new/").status_code == 403
    r = login(lists.u("community_staff_2")).post(url, {**PARTNER, "name": "x"})
    assert r.status_code == 404


@pytest.mark.parametrize(
    "field,change",
    [
        ("place", {"place": ""}),
        ("place", {"place": "B1"}),
        ("name", {"name": ""}),
        ("name", {"name": "幸福物业"}),
        ("kind", {"kind": ""}),
        ("contact_phone", {"contact_phone": "call me"}),
        ("members", {"members": ["owner"]}),
        ("members", {"members": ["x"]}),
    ],
)
def test_create_a_partner_bad_input(lists, field, change):
    data = {**PARTNER, "place": lists.p("C1").pk, **change}
    for key in ("place", "members"):
        value = data.get(key, "")
        if isinstance(value, list):
            data[key] = [lists.u(v).pk if v in lists.city.users else v for v in value]
        elif value in lists.city.places:
            data[key] = lists.p(value).pk
    before = Partner.objects.count()
    r = login(lists.manager).post("/projects/lists/partners/new/", data)
    assert r.status_code == 200 and field in errors_of(r), errors_of(r)
    assert Partner.objects.count() == before


def test_deactivate_and_activate_a_partner(lists):
    url = f"/projects/lists/partners/{lists.partner.pk}/"
    c = login(lists.manager)
    body = c.get(url).content.decode()
    assert f"/projects/lists/partners/{lists.partner.pk}/agreements/new/" in body
    assert login(lists.u("partner")).post(url, {"action": "deactivate"}).status_code == 403
    assert c.post(url, {"action": "deactivate"}).status_code == 302
    lists.partner.refresh_from_db()
    assert not lists.partner.active
    r = c.post(url, {"action": "deactivate"})
    assert r.status_code == 200 and r.context["form"].non_field_errors()
    assert c.post(url, {"action": "activate"}).status_code == 302
    lists.partner.refresh_from_db()
    assert lists.partner.active
    assert c.post(url, {"action": "x"}).status_code == 404
    body = login(lists.u("partner")).get(url).content.decode()
    assert "agreements/new/" not in body and "/projects/lists/resources/new/" in body


AGREEMENT = {
    "title": "共建协议 2025",
    "commitments": "每月提供活动室",
    "starts_on": "2025-01-01",
    "ends_on": "2025-12-31",
    "signed_on": "2024-12-20",
}


def test_add_an_agreement_with_its_document(lists, media):
    url = f"/projects/lists/partners/{lists.partner.pk}/agreements/new/"
    c = login(lists.manager)
    assert 'enctype="multipart/form-data"' in c.get(url).content.decode()
    r = c.post(url, {**AGREEMENT, "document": pdf()})
    assert r.status_code == 302
    agreement = Agreement.objects.get(partner=lists.partner)
    name = agreement.document.name
    assert name.endswith(".pdf") and not name.endswith("/agreement.pdf")  # a random name
    r = c.get(f"/projects/lists/agreements/{agreement.pk}/document/")
    assert r.status_code == 200
    assert login(lists.u("partner")).get(url).status_code == 403
    assert login(lists.u("owner")).get(url).status_code == 404


@pytest.mark.parametrize(
    "field,change",
    [
        ("title", {"title": ""}),
        ("commitments", {"commitments": ""}),
        ("starts_on", {"starts_on": "someday"}),
        ("ends_on", {"ends_on": "2024-12-31"}),
        ("signed_on", {"signed_on": ""}),
        ("document", {"document": "text"}),
    ],
)
def test_add_an_agreement_bad_input(lists, media, field, change):
    data = {**AGREEMENT, **change}
    if data.get("document") == "text":
        data["document"] = SimpleUploadedFile("a.pdf", b"just text", content_type="text/plain")
    r = login(lists.manager).post(
        f"/projects/lists/partners/{lists.partner.pk}/agreements/new/", data
    )
    assert r.status_code == 200 and field in errors_of(r), errors_of(r)
    assert f'data-field="{field}"' in r.content.decode()
    assert not Agreement.objects.exists()


def test_record_a_delivery_in_yuan(lists):
    agreement = services.add_agreement(user=lists.manager, partner=lists.partner, **AGREEMENT)
    url = f"/projects/lists/partners/{lists.partner.pk}/deliveries/new/"
    c = login(lists.manager)
    r = c.get(url)
    assert agreement.pk in dict(r.context["form"].fields["agreement"].choices)
    data = {"delivered_on": "2025-03-01", "what": "捐赠桌椅", "value": "1234.56"}
    assert c.post(url, {**data, "agreement": agreement.pk}).status_code == 302
    delivery = Delivery.objects.get()
    assert delivery.value_fen == 123456 and delivery.agreement == agreement
    assert "¥1,234.56" in c.get(f"/projects/lists/partners/{lists.partner.pk}/").content.decode()
    assert login(lists.u("partner")).get(url).status_code == 403


@pytest.mark.parametrize(
    "field,change",
    [
        ("delivered_on", {"delivered_on": ""}),
        ("what", {"what": ""}),
        ("value", {"value": "1.005"}),
        ("value", {"value": "-3"}),
        ("value", {"value": "100000001"}),
        ("agreement", {"agreement": "other"}),
        ("project", {"project": "999999"}),
    ],
)
def test_record_a_delivery_bad_input(lists, field, change):
    data = {"delivered_on": "2025-03-01", "what": "捐赠桌椅", "value": "10", **change}
    if data.get("agreement") == "other":
        other = make_partner(lists.city, name="别家")
        data["agreement"] = services.add_agreement(
            user=lists.manager, partner=other, **AGREEMENT
        ).pk
    r = login(lists.manager).post(
        f"/projects/lists/partners/{lists.partner.pk}/deliveries/new/", data
    )
    assert r.status_code == 200 and field in errors_of(r), errors_of(r)
    assert not Delivery.objects.exists()


def test_a_refused_button_shows_its_reason(lists):
    """Taking back a support never given, reopening an open need: the service's conflict is
    shown on the page, nothing changes."""
    url = f"/projects/lists/needs/{lists.need.pk}/"
    r = login(lists.u("owner")).post(url, {"action": "withdraw"})
    assert r.status_code == 200 and r.context["action_form"].non_field_errors()
    r = login(lists.manager).post(url, {"action": "reopen"})
    assert r.status_code == 200 and r.context["action_form"].non_field_errors()
    lists.need.refresh_from_db()
    assert lists.need.support_count == 0 and lists.need.status == "open"
