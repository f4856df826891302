"""Services of the needs and resources lists and the partners: who may, what is refused (per
field), what is kept, what is audited."""

import datetime

import pytest

from linju.core.errors import Conflict, Forbidden, Invalid
from linju.core.models import AuditEvent
from linju.deliberation.models import Topic
from linju.projects import queries_lists as q
from linju.projects import services_lists as services
from linju.projects.models import NeedStatus, NeedSupport, Project, ResourceUse

from .fixtures_lists import *  # noqa: F403  (the fixtures)
from .fixtures_lists import make_partner, pdf

pytestmark = pytest.mark.django_db


def verbs(obj):
    return list(
        AuditEvent.objects.filter(object_id=str(obj.pk), object_type=obj._meta.label_lower)
        .order_by("pk")
        .values_list("verb", flat=True)
    )


def field_of(exc_info):
    return next(iter(exc_info.value.errors))


# --- Needs ----------------------------------------------------------------------------------------


def test_need_recorded_and_audited(lists):
    need = lists.need
    assert need.path == lists.p("B1").path and need.status == NeedStatus.OPEN
    assert verbs(need) == ["projects.need_create"]


@pytest.mark.parametrize("who", ["owner", "partner", "property_manager", "community_staff_2"])
def test_need_recorded_only_by_handlers_of_the_scope(lists, who):
    with pytest.raises(Forbidden):
        services.create_need(
            user=lists.u(who), place_id=lists.p("B1").pk, title="x", source="other"
        )


@pytest.mark.parametrize(
    "field,data",
    [
        ("place", {"place_id": 0}),
        ("title", {"title": "  "}),
        ("title", {"title": "x" * 121}),
        ("source", {"source": "rumour"}),
        ("households", {"households": -1}),
        ("households", {"households": "many"}),
        ("description", {"description": "a\x00b"}),
        ("source_ref", {"source": "report", "source_ref": "not-a-token"}),
        ("source_ref", {"source": "topic", "source_ref": ""}),
        ("source_ref", {"source": "topic", "source_ref": "999999"}),
    ],
)
def test_need_bad_input_names_the_field(lists, field, data):
    kwargs = {"place_id": lists.p("B1").pk, "title": "x", "source": "other", **data}
    with pytest.raises(Invalid) as exc:
        services.create_need(user=lists.manager, **kwargs)
    assert field_of(exc) == field


def test_need_from_a_report_of_the_community(lists, submit):
    report = submit(place="B1")
    need = services.create_need(
        user=lists.manager,
        place_id=lists.p("C1").pk,
        title="纸箱",
        source="report",
        source_ref=str(report.token),
    )
    assert need.source_ref == f"report:{report.token}"


def test_need_from_a_report_of_another_community_is_refused(lists, submit):
    report = submit(user_key="owner_2", place="B3")
    with pytest.raises(Invalid) as exc:
        services.create_need(
            user=lists.manager,
            place_id=lists.p("C1").pk,
            title="x",
            source="report",
            source_ref=f"report:{report.token}",
        )
    assert field_of(exc) == "source_ref"


def test_need_from_a_topic_in_the_community_only(lists):
    mine = Topic.objects.create(place=lists.p("E1"), title="t", body="b")
    theirs = Topic.objects.create(place=lists.p("E2"), title="t", body="b")
    need = services.create_need(
        user=lists.manager,
        place_id=lists.p("B1").pk,
        title="x",
        source="topic",
        source_ref=str(mine.pk),
    )
    assert need.source_ref == f"topic:{mine.pk}"
    with pytest.raises(Invalid):
        services.create_need(
            user=lists.manager,
            place_id=lists.p("B1").pk,
            title="x",
            source="topic",
            source_ref=f"topic:{theirs.pk}",
        )


def test_need_update_close_reopen(lists):
    need = services.update_need(user=lists.u("building_head"), need=lists.need, households=20)
    assert need.households == 20
    with pytest.raises(Invalid) as exc:
        services.close_need(user=lists.manager, need=need, reason=" ")
    assert field_of(exc) == "reason"
    need = services.close_need(user=lists.manager, need=need, reason="物业已修好")
    assert need.status == NeedStatus.CLOSED and need.close_reason == "物业已修好"
    with pytest.raises(Conflict):
        services.close_need(user=lists.manager, need=need, reason="again")
    need = services.reopen_need(user=lists.manager, need=need)
    assert need.status == NeedStatus.OPEN and need.close_reason == ""
    with pytest.raises(Conflict):
        services.reopen_need(user=lists.manager, need=need)
    assert verbs(need) == [
        "projects.need_create",
        "projects.need_update",
        "projects.need_close",
        "projects.need_reopen",
    ]


def test_need_changes_refused_outside_the_scope(lists):
    for fn, kw in [
        (services.update_need, {"title": "x"}),
        (services.close_need, {"reason": "x"}),
    ]:
        with pytest.raises(Forbidden):
            fn(user=lists.u("community_staff_2"), need=lists.need, **kw)


def test_support_once_per_resident_counted_and_withdrawn(lists):
    owner = lists.u("owner")
    need = services.support_need(user=owner, need=lists.need)
    assert need.support_count == 1
    need = services.support_need(user=owner, need=lists.need)  # a double tap
    assert need.support_count == 1 and NeedSupport.objects.filter(need=need).count() == 1
    need = services.support_need(user=lists.u("tenant"), need=lists.need)
    assert need.support_count == 2
    need = services.withdraw_support(user=owner, need=lists.need)
    assert need.support_count == 1
    with pytest.raises(Conflict):
        services.withdraw_support(user=owner, need=lists.need)
    assert verbs(need).count("projects.need_support") == 2
    assert verbs(need).count("projects.need_unsupport") == 1


@pytest.mark.parametrize("who", ["party_liaison", "owner_2", "community_staff", "newcomer"])
def test_support_only_by_residents_of_its_scope(lists, who):
    # The party liaison lives in B2: the need is at B1.
    with pytest.raises(Forbidden):
        services.support_need(user=lists.u(who), need=lists.need)


def test_closed_need_takes_no_support(lists):
    services.close_need(user=lists.manager, need=lists.need, reason="done")
    with pytest.raises(Conflict):
        services.support_need(user=lists.u("owner"), need=lists.need)


def test_residents_see_open_needs_of_their_community(lists):
    liaison = lists.u("party_liaison")  # lives in B2, same community
    seen = set(q.visible_needs(liaison).values_list("pk", flat=True))
    assert seen == {lists.need.pk, lists.other_need.pk}
    assert not q.visible_needs(lists.u("owner_2")).exists()
    services.close_need(user=lists.manager, need=lists.need, reason="done")
    assert set(q.visible_needs(liaison).values_list("pk", flat=True)) == {lists.other_need.pk}


# --- Resources ------------------------------------------------------------------------------------


def test_partner_resource_by_its_people_or_managers(lists):
    assert lists.resource.partner_id == lists.partner.pk
    assert lists.resource.path == lists.partner.path
    assert lists.resource.offered_by_id is None
    made = services.create_resource(
        user=lists.manager,
        partner_id=lists.partner.pk,
        title="资金",
        kind="funds",
        amount_fen=500000,
    )
    assert made.amount_fen == 500000
    for who in ["owner", "grid_worker", "partner_2", "community_staff_2"]:
        with pytest.raises((Forbidden, Invalid)):
            services.create_resource(
                user=lists.u(who), partner_id=lists.partner.pk, title="x", kind="venue"
            )


def test_resident_offers_for_where_they_live(lists):
    assert lists.offer.offered_by_id == lists.u("owner").pk
    with pytest.raises(Forbidden):
        services.create_resource(
            user=lists.u("owner"), place_id=lists.p("U2").pk, title="x", kind="other"
        )


@pytest.mark.parametrize(
    "field,data",
    [
        ("title", {"title": ""}),
        ("kind", {"kind": "magic"}),
        ("quantity", {"quantity": 0}),
        ("amount_fen", {"kind": "funds", "amount_fen": 0}),
        ("amount_fen", {"amount_fen": -5}),
        ("available_until", {"available_from": "2025-05-02", "available_until": "2025-05-01"}),
        ("available_from", {"available_from": "2025-13-01"}),
        ("place", {"place_id": None}),
    ],
)
def test_resource_bad_input_names_the_field(lists, field, data):
    kwargs = {"place_id": lists.p("U1").pk, "title": "x", "kind": "other", **data}
    with pytest.raises(Invalid) as exc:
        services.create_resource(user=lists.u("owner"), **kwargs)
    assert field_of(exc) == field


def test_resource_edit_and_withdraw_by_its_offerer(lists):
    r = services.update_resource(user=lists.u("partner"), resource=lists.resource, quantity=2)
    assert r.quantity == 2
    with pytest.raises(Forbidden):
        services.update_resource(user=lists.u("owner"), resource=lists.resource, quantity=3)
    with pytest.raises(Forbidden):
        services.withdraw_resource(user=lists.u("tenant"), resource=lists.offer)
    services.withdraw_resource(user=lists.u("owner"), resource=lists.offer)
    with pytest.raises(Conflict):
        services.withdraw_resource(user=lists.manager, resource=lists.offer)
    assert verbs(lists.offer) == ["projects.resource_create", "projects.resource_withdraw"]


# --- Partners -------------------------------------------------------------------------------------


def test_partner_members_must_hold_the_partner_role_there(lists):
    with pytest.raises(Invalid) as exc:
        make_partner(lists.city, name="学校", members=("partner", "owner"))
    assert field_of(exc) == "members.1"
    with pytest.raises(Invalid):
        make_partner(lists.city, name="学校", members=("partner_2",))
    assert list(lists.partner.members.all()) == [lists.u("partner")]


def test_partner_rules(lists):
    with pytest.raises(Invalid) as exc:
        make_partner(lists.city)  # the same name in the same community
    assert field_of(exc) == "name"
    with pytest.raises(Invalid) as exc:
        make_partner(lists.city, place="E1", name="x")
    assert field_of(exc) == "place"
    for who in ["grid_worker", "partner", "community_staff_2"]:
        with pytest.raises(Forbidden):
            make_partner(lists.city, name="y", user=who)
    p = services.update_partner(
        user=lists.manager, partner=lists.partner, contact_name="李", members=[]
    )
    assert p.contact_name == "李" and not p.members.exists()
    with pytest.raises(Invalid) as exc:
        services.update_partner(user=lists.manager, partner=p, contact_phone="call me")
    assert field_of(exc) == "contact_phone"
    services.set_partner_active(user=lists.manager, partner=p, active=False)
    with pytest.raises(Conflict):
        services.set_partner_active(user=lists.manager, partner=p, active=False)
    with pytest.raises(Conflict):
        services.create_resource(user=lists.manager, partner_id=p.pk, title="x", kind="venue")
    assert verbs(p) == [
        "projects.partner_create",
        "projects.partner_update",
        "projects.partner_deactivate",
    ]


def _agreement(lists, **more):
    data = {
        "title": "共建协议",
        "commitments": "每年提供活动场地",
        "starts_on": "2025-01-01",
        "ends_on": "2025-12-31",
        "signed_on": "2024-12-20",
        **more,
    }
    return services.add_agreement(user=lists.manager, partner=lists.partner, **data)


def test_agreement_with_its_document(lists, media):
    agreement = _agreement(lists, document=pdf())
    assert agreement.document.name.endswith(".pdf")
    assert "agreement" not in agreement.document.name.rsplit("/", 1)[1]
    assert verbs(agreement) == ["projects.agreement_add"]


@pytest.mark.parametrize(
    "field,data",
    [
        ("ends_on", {"ends_on": "2024-12-31"}),
        ("starts_on", {"starts_on": "soon"}),
        ("signed_on", {"signed_on": None}),
        ("title", {"title": ""}),
        ("commitments", {"commitments": ""}),
    ],
)
def test_agreement_bad_input(lists, field, data):
    with pytest.raises(Invalid) as exc:
        _agreement(lists, **data)
    assert field_of(exc) == field


def test_agreement_document_kinds(lists, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = SimpleUploadedFile("a.txt", b"hello", content_type="text/plain")
    with pytest.raises(Invalid) as exc:
        _agreement(lists, document=text)
    assert field_of(exc) == "document"


def test_agreement_only_by_managers(lists):
    with pytest.raises(Forbidden):
        services.add_agreement(
            user=lists.u("partner"),
            partner=lists.partner,
            title="x",
            commitments="x",
            starts_on=datetime.date(2025, 1, 1),
            ends_on=datetime.date(2025, 1, 2),
            signed_on=datetime.date(2025, 1, 1),
        )


def test_delivery(lists):
    agreement = _agreement(lists)
    project = Project.objects.create(place=lists.p("E1"), title="p", summary="s")
    other = Project.objects.create(place=lists.p("E2"), title="p", summary="s")
    d = services.add_delivery(
        user=lists.manager,
        partner=lists.partner,
        delivered_on="2025-03-01",
        what="场地 4 次",
        value_fen=120000,
        agreement_id=agreement.pk,
        project_id=project.pk,
    )
    assert (d.agreement, d.project, d.value_fen) == (agreement, project, 120000)
    assert verbs(d) == ["projects.delivery_add"]
    for field, data in [
        ("project", {"project_id": other.pk}),
        ("agreement", {"agreement_id": 999999}),
        ("value_fen", {"value_fen": -1}),
        ("what", {"what": ""}),
        ("delivered_on", {"delivered_on": ""}),
    ]:
        kwargs = {"delivered_on": "2025-03-01", "what": "x", **data}
        with pytest.raises(Invalid) as exc:
            services.add_delivery(user=lists.manager, partner=lists.partner, **kwargs)
        assert field_of(exc) == field


# --- Overview -------------------------------------------------------------------------------------


def test_unmatched_needs_and_unused_resources(lists):
    c1 = lists.p("C1").path
    assert set(q.unmatched_needs(c1)) == {lists.need, lists.other_need}
    assert set(q.unused_resources(c1)) == {lists.resource, lists.offer}
    project = Project.objects.create(place=lists.p("E1"), title="p", summary="s")
    project.needs.add(lists.need)
    ResourceUse.objects.create(project=project, resource=lists.resource)
    assert set(q.unmatched_needs(c1)) == {lists.other_need}
    assert set(q.unused_resources(c1)) == {lists.offer}
    Project.objects.filter(pk=project.pk).update(stage="cancelled")
    assert set(q.unmatched_needs(c1)) == {lists.need, lists.other_need}
    figures = q.overview(lists.p("C1"))
    assert figures["needs"]["open"] == 2 and figures["projects"]["live"] == 0
    assert figures["unused_resources"] == 2
    assert q.overview(lists.p("C2"))["needs"]["total"] == 0
