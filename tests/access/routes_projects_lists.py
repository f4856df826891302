"""Co-creation (lists): the needs list (需求清单), the resources list (资源清单), the partners
(共建单位) with their agreements and deliveries, the overview of a scope's lists;
/projects/lists/… and /api/v1/projects/{needs,resources,partners,agreements,lists}. Rules:
linju/projects/rules.py — staff of a scope and the partners' people there read the lists
(projects.view); handlers record needs (projects.record_need, and managers); managers run
partners, agreements and deliveries (projects.manage); a partner's own people (`acts_for`) and
the resident who offered (`offered_by`) edit their offers; residents see the open needs of the
community they live in and support those whose scope holds their home (`lives_in`); a signed
agreement is served to staff of the scope (places.view: not other partners' people) and the
partner's own people."""

from linju.projects import services_lists as lists

from .policy import Anywhere, HasRole, Home, HomeIn, Is, LoggedIn, Nobody, Perm
from .spec import Route
from .world import Thing, makes, marker, person, twin

APP = "projects"


@makes("list_partner", "list_need", "list_resource", "list_offer", "list_agreement", again=True)
def lists_made(w, side, suffix):
    """A partner of C1 (C2) acting through the partner user, with an agreement (and its PDF)
    and a venue it offers; a need at B1 (B3) recorded by the grid worker; the owner's own
    offer at U1 (U3)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    manager = w.user(person(side, "community_staff"))
    community = twin(side, "C1")
    partner_key = person(side, "partner")
    partner = lists.create_partner(
        user=manager,
        place_id=w.place(community).pk,
        name=marker("list_partner", side, suffix),
        kind="enterprise",
        members=[w.user(partner_key).pk],
    )
    agreement = lists.add_agreement(
        user=manager,
        partner=partner,
        title=marker("list_agreement", side, suffix),
        commitments="场地",
        starts_on="2025-01-01",
        ends_on="2030-12-31",
        signed_on="2025-01-01",
        document=SimpleUploadedFile(
            "a.pdf", b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n", "application/pdf"
        ),
    )
    resource = lists.create_resource(
        user=w.user(partner_key),
        partner_id=partner.pk,
        title=marker("list_resource", side, suffix),
        kind="venue",
    )
    building = twin(side, "B1")
    worker = "grid_worker" if side == "C1" else "community_staff_2"
    need = lists.create_need(
        user=w.user(worker),
        place_id=w.place(building).pk,
        title=marker("list_need", side, suffix),
        source="visit",
    )
    unit = twin(side, "U1")
    owner_key = person(side, "owner")
    offer = lists.create_resource(
        user=w.user(owner_key),
        place_id=w.place(unit).pk,
        title=marker("list_offer", side, suffix),
        kind="expertise",
    )
    crew = {"member": partner_key}
    return {
        "list_partner": Thing(partner, community, crew),
        "list_agreement": Thing(agreement, community, crew),
        "list_resource": Thing(resource, community, crew),
        "list_need": Thing(need, building),
        "list_offer": Thing(offer, unit, {"offerer": owner_key}),
    }


VIEW = Perm("projects.view")
MANAGE = Perm("projects.manage")
RECORD = Perm("projects.record_need") | MANAGE
# Residents see the open needs of the community they live in; they support where they live.
NEED_SEEN = VIEW | HomeIn("C")
SUPPORT = Home()
RESOURCE_SEEN = VIEW | Is("member")
RESOURCE_EDIT = Is("member") | MANAGE
OFFER_SEEN = VIEW | Is("offerer")
OFFER_EDIT = Is("offerer") | MANAGE
# The signed agreement: staff of the scope (the roles seeing the place tree), and its people.
DOCUMENT = Perm("places.view") | Is("member")


def _need(rule, **kw):
    kw.setdefault("seen", NEED_SEEN)
    return Route(rule, params={"need_id": "list_need"}, **kw)


def _partner(rule, **kw):
    kw.setdefault("seen", VIEW)
    return Route(rule, params={"partner_id": "list_partner"}, **kw)


RESOURCE_DATA = {
    "title": "x",
    "kind": "venue",
}

STAFF = Anywhere("projects.view")
RECORDERS = Anywhere("projects.record_need")  # the managers are among the handlers
MANAGERS = Anywhere("projects.manage")
# A partner's offer: managers on its behalf, and the people holding the partner role (for the
# partners they act for: rules.acts_for); a resident's offer: anyone with a home.
PARTNER_OFFERERS = MANAGERS | HasRole("partner")
RESIDENTS = HasRole("resident")
NEED_FORM = {"title": "x", "source": "visit", "households": "0"}
OFFER_FORM = {"title": "x", "kind": "venue", "quantity": "1"}
AGREEMENT_FORM = {
    "title": "x",
    "commitments": "x",
    "starts_on": "2025-01-01",
    "ends_on": "2025-12-31",
    "signed_on": "2025-01-01",
}

PAGES = {
    "projects/lists/": Route(
        STAFF, counts=("list_need", "list_resource"), why="the overview of the first community"
    ),
    "projects/lists/needs/": Route(
        LoggedIn(), shows={"list_need": NEED_SEEN}, why="staff's scope; residents' community"
    ),
    "projects/lists/needs/<int:pk>/": Route(
        NEED_SEEN,
        params={"pk": "list_need"},
        post=SUPPORT,
        data=lambda w, s: {"action": "support"},
        refused=(302, 403, 404),
        why="a need; supporting it is for residents living where it is",
    ),
    "projects/lists/needs/new/": Route(
        RECORDERS,
        post=RECORD,
        post_kind="unit",
        data=lambda w, side: {"place": w.obj("unit", side).pk, **NEED_FORM},
        why="record a need at a place of the recorder's scope (rules.can_record_need)",
    ),
    "projects/lists/needs/<int:pk>/edit/": Route(
        RECORD,
        params={"pk": "list_need"},
        seen=NEED_SEEN,
        post=RECORD,
        data=lambda w, s: NEED_FORM,
    ),
    "projects/lists/resources/": Route(
        STAFF,
        shows={"list_resource": VIEW, "list_offer": VIEW},
        why="the resources of the staff's scope (residents see their own offers' pages)",
    ),
    "projects/lists/resources/new/": Route(
        PARTNER_OFFERERS,
        post=RESOURCE_EDIT,
        post_kind="list_partner",
        data=lambda w, side: {"partner": w.obj("list_partner", side).pk, **OFFER_FORM},
        why="a partner's offer: its own people, managers on its behalf",
    ),
    "projects/lists/resources/offer/": Route(
        RESIDENTS,
        post=Home(),
        post_kind="unit",
        data=lambda w, side: {"place": w.obj("unit", side).pk, **OFFER_FORM},
        why="a resident's own offer at a place they live in (rules.lives_in)",
    ),
    "projects/lists/resources/<int:pk>/": Route(
        RESOURCE_SEEN,
        params={"pk": "list_resource"},
        post=RESOURCE_EDIT,
        data=lambda w, s: {"action": "withdraw"},
        why="a partner's offer; withdrawing it is for its people and managers",
    ),
    "projects/lists/resources/<int:pk>/edit/": Route(
        OFFER_EDIT,
        params={"pk": "list_offer"},
        seen=OFFER_SEEN,
        post=OFFER_EDIT,
        data=lambda w, s: {**OFFER_FORM, "kind": "expertise"},
        why="a resident's offer: the resident who offered it, or managers",
    ),
    "projects/lists/partners/": Route(STAFF, shows={"list_partner": VIEW}),
    "projects/lists/partners/new/": Route(
        MANAGERS,
        post=MANAGE,
        post_kind="community",
        data=lambda w, side: {"place": w.obj("community", side).pk, "name": "x", "kind": "school"},
    ),
    "projects/lists/partners/<int:pk>/": Route(
        VIEW,
        params={"pk": "list_partner"},
        post=MANAGE,
        data=lambda w, s: {"action": "deactivate"},
        why="a partner; deactivating it is the managers'",
    ),
    "projects/lists/partners/<int:pk>/edit/": Route(
        MANAGE,
        params={"pk": "list_partner"},
        seen=VIEW,
        post=MANAGE,
        data=lambda w, s: {"name": "x", "kind": "school"},
    ),
    "projects/lists/partners/<int:pk>/agreements/new/": Route(
        MANAGE,
        params={"pk": "list_partner"},
        seen=VIEW,
        post=MANAGE,
        data=lambda w, s: AGREEMENT_FORM,
    ),
    "projects/lists/partners/<int:pk>/deliveries/new/": Route(
        MANAGE,
        params={"pk": "list_partner"},
        seen=VIEW,
        post=MANAGE,
        data=lambda w, s: {"delivered_on": "2025-03-01", "what": "x", "value": "1.00"},
    ),
    "projects/lists/agreements/<int:pk>/document/": Route(
        DOCUMENT, params={"pk": "list_agreement"}, seen=VIEW, refused=(404,)
    ),
}

API = {
    "GET /projects/needs": Route(
        LoggedIn(), shows={"list_need": NEED_SEEN}, why="staff's scope; residents' community"
    ),
    "POST /projects/needs": Route(
        RECORD,
        kind="unit",
        data=lambda w, side: {"place": w.obj("unit", side).pk, "title": "x", "source": "other"},
        refused=(403,),
    ),
    "GET /projects/needs/{need_id}": _need(NEED_SEEN),
    "PATCH /projects/needs/{need_id}": _need(RECORD, data=lambda w, s: {"title": "x"}),
    "POST /projects/needs/{need_id}/close": _need(RECORD, data=lambda w, s: {"reason": "x"}),
    "POST /projects/needs/{need_id}/reopen": _need(RECORD),
    "POST /projects/needs/{need_id}/support": _need(SUPPORT, why="rules.lives_in"),
    "DELETE /projects/needs/{need_id}/support": _need(
        Nobody(), refused=(403, 404, 409), why="one's own support (409: none given)"
    ),
    "GET /projects/resources": Route(
        LoggedIn(),
        shows={"list_resource": RESOURCE_SEEN, "list_offer": OFFER_SEEN},
        why="the scope's resources and one's own offers",
    ),
    "POST /projects/resources": Route(
        RESOURCE_EDIT,
        kind="list_partner",
        data=lambda w, side: {"partner": w.obj("list_partner", side).pk, **RESOURCE_DATA},
        refused=(403, 422),
        why="a partner's offer: its people or managers (422: a partner the caller does not see)",
    ),
    "GET /projects/resources/{resource_id}": Route(
        RESOURCE_SEEN, params={"resource_id": "list_resource"}
    ),
    "PATCH /projects/resources/{resource_id}": Route(
        OFFER_EDIT,
        params={"resource_id": "list_offer"},
        seen=OFFER_SEEN,
        data=lambda w, s: {"quantity": 2},
        why="the resident who offered it, or managers",
    ),
    "POST /projects/resources/{resource_id}/withdraw": Route(
        RESOURCE_EDIT, params={"resource_id": "list_resource"}, seen=RESOURCE_SEEN
    ),
    "GET /projects/partners": Route(LoggedIn(), shows={"list_partner": VIEW}),
    "POST /projects/partners": Route(
        MANAGE,
        kind="community",
        data=lambda w, side: {"place": w.obj("community", side).pk, "name": "x", "kind": "school"},
        refused=(403,),
    ),
    "GET /projects/partners/{partner_id}": _partner(VIEW),
    "PATCH /projects/partners/{partner_id}": _partner(MANAGE, data=lambda w, s: {"name": "x"}),
    "POST /projects/partners/{partner_id}/deactivate": _partner(MANAGE),
    "POST /projects/partners/{partner_id}/activate": _partner(
        MANAGE, refused=(403, 404, 409), why="active already: managers get 409"
    ),
    "GET /projects/partners/{partner_id}/agreements": _partner(VIEW),
    "POST /projects/partners/{partner_id}/agreements": _partner(
        MANAGE,
        data=lambda w, s: {
            "title": "x",
            "commitments": "x",
            "starts_on": "2025-01-01",
            "ends_on": "2025-12-31",
            "signed_on": "2025-01-01",
        },
    ),
    "GET /projects/agreements/{agreement_id}/document": Route(
        DOCUMENT,
        params={"agreement_id": "list_agreement"},
        seen=VIEW,
        refused=(404,),
        why="staff of the scope and the partner's people; other partners' people get 404",
    ),
    "GET /projects/partners/{partner_id}/deliveries": _partner(VIEW),
    "POST /projects/partners/{partner_id}/deliveries": _partner(
        MANAGE, data=lambda w, s: {"delivered_on": "2025-03-01", "what": "x"}
    ),
    "GET /projects/lists/overview": Route(
        VIEW,
        kind="community",
        query=lambda w, side: {"place": w.obj("community", side).pk},
        refused=(422,),
        why="a place of the caller's scope (422 `place` otherwise)",
    ),
}
