"""/api/v1/projects: the needs list (需求清单), the resources list (资源清单), the partners
(共建单位) with their agreements and deliveries, and the overview of a scope's lists. Writes go
through services_lists, reads through queries_lists; anything outside the caller's sight is 404."""

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from linju.core import access
from linju.core.api_support import ERRORS, CappedLimitOffset, FormOrJson, Listing, json_body_doc
from linju.core.errors import Invalid
from linju.core.masking import mask_name
from linju.core.views import private_download

from . import queries_lists as q
from . import services_lists as services
from .schemas_lists import (
    AgreementIn,
    AgreementOut,
    DeliveryIn,
    DeliveryOut,
    NeedFilter,
    NeedIn,
    NeedOut,
    NeedPatch,
    NeedReasonIn,
    OverviewFilter,
    OverviewOut,
    PartnerFilter,
    PartnerIn,
    PartnerOut,
    PartnerPatch,
    ResourceFilter,
    ResourceIn,
    ResourceOut,
    ResourcePatch,
)

router = Router(tags=["projects"])

SCOPE_NOTE = " 404 for anything the caller does not see; 403 for those who see it but may not."
OVERVIEW_ITEMS = 50


# --- Shapes ---------------------------------------------------------------------------------------


def _ref(obj, name=None) -> dict:
    return {"id": obj.pk, "name": name if name is not None else str(obj)}


def _project(p) -> dict:
    return {"id": p.pk, "title": p.title, "stage": p.stage}


class _Shapes:
    """Rows for one caller: whose names show in full, which projects they may see listed."""

    def __init__(self, user):
        self.user = user
        self.view = access.scope(user, q.VIEW)
        self.personal = access.scope(user, "people.view_personal_data")
        self.editable = {}

    def may_edit(self, r) -> bool:
        # One answer per offerer: a page of one partner's offers asks about its members once.
        key = ("partner", r.partner_id) if r.partner_id else ("person", r.offered_by_id)
        if key not in self.editable:
            self.editable[key] = q.may_edit_resource(self.user, r)
        return self.editable[key]

    def need(self, n) -> dict:
        staff = self.view.covers(n.path)
        return {
            "id": n.pk,
            "title": n.title,
            "description": n.description,
            "place": _ref(n.place, n.place.name),
            "source": n.source,
            "source_label": str(n.get_source_display()),
            "source_ref": n.source_ref if staff else "",
            "households": n.households,
            "status": n.status,
            "status_label": str(n.get_status_display()),
            "close_reason": n.close_reason,
            "support_count": n.support_count,
            "supported": bool(getattr(n, "supported", False)),
            "projects": [_project(p) for p in n.projects.all()] if staff else [],
            "created_at": n.created_at,
        }

    def person(self, person, path) -> dict:
        full = person.pk == self.user.pk or self.personal.covers(path)
        return {"id": person.pk, "name": person.name if full else mask_name(person.name)}

    def resource(self, r) -> dict:
        return {
            "id": r.pk,
            "title": r.title,
            "kind": r.kind,
            "kind_label": str(r.get_kind_display()),
            "description": r.description,
            "place": _ref(r.place, r.place.name),
            "partner": _ref(r.partner, r.partner.name) if r.partner_id else None,
            "offered_by": self.person(r.offered_by, r.path) if r.offered_by_id else None,
            "quantity": r.quantity,
            "unit": r.unit,
            "amount_fen": r.amount_fen,
            "available_from": r.available_from,
            "available_until": r.available_until,
            "status": r.status,
            "status_label": str(r.get_status_display()),
            "uses": [
                {"project": _project(u.project), "quantity": u.quantity} for u in r.uses.all()
            ],
            "editable": self.may_edit(r),
            "created_at": r.created_at,
        }


def _partner(p) -> dict:
    return {
        "id": p.pk,
        "name": p.name,
        "kind": p.kind,
        "kind_label": str(p.get_kind_display()),
        "description": p.description,
        "place": _ref(p.place, p.place.name),
        "contact_name": p.contact_name,
        "contact_phone": p.contact_phone,
        "active": p.active,
        "members": [_ref(m, m.name) for m in p.members.all()],
        "created_at": p.created_at,
    }


def _agreement(a, documents: bool) -> dict:
    today = timezone.localdate()
    url = None
    if documents and a.document:
        url = reverse("api:projects_agreement_document", kwargs={"agreement_id": a.pk})
    return {
        "id": a.pk,
        "title": a.title,
        "commitments": a.commitments,
        "starts_on": a.starts_on,
        "ends_on": a.ends_on,
        "signed_on": a.signed_on,
        "current": a.starts_on <= today <= a.ends_on,
        "document_url": url,
        "created_at": a.created_at,
    }


def _delivery(d) -> dict:
    return {
        "id": d.pk,
        "delivered_on": d.delivered_on,
        "what": d.what,
        "value_fen": d.value_fen,
        "agreement": _ref(d.agreement, d.agreement.title) if d.agreement_id else None,
        "project": _project(d.project) if d.project_id else None,
        "created_at": d.created_at,
    }


# --- Finding things -------------------------------------------------------------------------------


def _filter_place(user, place_id):
    if place_id is None:
        return None
    place = q.place_in_scope(user, place_id)
    if place is None:
        raise Invalid({"place": _("Choose a place of your scope.")})
    return place


def _need(user, need_id):
    found = q.need_for(user, need_id)
    if found is None:
        raise Http404
    return found


def _resource(user, resource_id):
    found = q.resource_for(user, resource_id)
    if found is None:
        raise Http404
    return found


def _partner_of(user, partner_id):
    found = q.partner_for(user, partner_id)
    if found is None:
        raise Http404
    return found


# --- Needs ----------------------------------------------------------------------------------------


@router.get(
    "/needs",
    response={200: list[NeedOut], **ERRORS},
    summary="Needs (需求清单)",
    description="Staff see every need of their scope (filters `status`, `source`, `place`) "
    "with the projects answering each; residents the open needs of the communities they "
    "live in. Newest first; capped. 422 `place` outside the caller's scope.",
)
@paginate(CappedLimitOffset)
def list_needs(request, filters: Query[NeedFilter]):
    user = request.user
    place = _filter_place(user, filters.place)
    shapes = _Shapes(user)
    qs = q.visible_needs(user, status=filters.status, source=filters.source, place=place)
    return Listing(qs, lambda rows: [shapes.need(n) for n in rows])


@router.post(
    "/needs",
    response={201: NeedOut, **ERRORS},
    summary="Record a need",
    description="By the handlers of the place's scope (`projects.record_need`) or managers. "
    "422 `place`, `title`, `source`, `source_ref` (a report's token or a topic's id that "
    "exists in the need's community), `households`; 403 outside the caller's scope.",
)
def create_need(request, payload: NeedIn):
    user = request.user
    need = services.create_need(
        user=user, place_id=payload.place, **payload.model_dump(exclude={"place"})
    )
    return Status(201, _Shapes(user).need(_need(user, need.pk)))


@router.get(
    "/needs/{int:need_id}",
    response={200: NeedOut, **ERRORS},
    summary="One need",
    description="For staff of its scope, or residents of its community while it is open.",
)
def get_need(request, need_id: int):
    return _Shapes(request.user).need(_need(request.user, need_id))


@router.patch(
    "/needs/{int:need_id}",
    response={200: NeedOut, **ERRORS},
    summary="Change a need",
    description="Only the fields sent change. 422 as when recording." + SCOPE_NOTE,
)
def update_need(request, need_id: int, payload: NeedPatch):
    user = request.user
    found = _need(user, need_id)
    data = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    services.update_need(user=user, need=found, **data)
    return _Shapes(user).need(_need(user, need_id))


@router.post(
    "/needs/{int:need_id}/close",
    response={200: NeedOut, **ERRORS},
    summary="Close a need without a project",
    description="With its `reason` (422). 409 `wrong_status` when closed already." + SCOPE_NOTE,
)
def close_need(request, need_id: int, payload: NeedReasonIn):
    user = request.user
    services.close_need(user=user, need=_need(user, need_id), reason=payload.reason)
    return _Shapes(user).need(_need(user, need_id))


@router.post(
    "/needs/{int:need_id}/reopen",
    response={200: NeedOut, **ERRORS},
    summary="Reopen a closed need",
    description="409 `wrong_status` unless it is closed." + SCOPE_NOTE,
)
def reopen_need(request, need_id: int):
    user = request.user
    services.reopen_need(user=user, need=_need(user, need_id))
    return _Shapes(user).need(_need(user, need_id))


@router.post(
    "/needs/{int:need_id}/support",
    response={200: NeedOut, **ERRORS},
    summary="I need this too (我也需要)",
    description="By a resident living where the need is; once per person (sent again, it "
    "counts once). 409 `wrong_status` unless the need is open; 403 for those who see it but "
    "do not live in its scope.",
)
def support_need(request, need_id: int):
    user = request.user
    services.support_need(user=user, need=_need(user, need_id))
    return _Shapes(user).need(_need(user, need_id))


@router.delete(
    "/needs/{int:need_id}/support",
    response={200: NeedOut, **ERRORS},
    summary="Take my support back",
    description="409 `not_supported` when the caller does not support it.",
)
def withdraw_support(request, need_id: int):
    user = request.user
    services.withdraw_support(user=user, need=_need(user, need_id))
    return _Shapes(user).need(_need(user, need_id))


# --- Resources ------------------------------------------------------------------------------------


@router.get(
    "/resources",
    response={200: list[ResourceOut], **ERRORS},
    summary="Resources (资源清单)",
    description="Those of the caller's staff scope, with the projects using each, and the "
    "caller's own offers and their partner's; filters `status`, `kind`, `place`. Capped.",
)
@paginate(CappedLimitOffset)
def list_resources(request, filters: Query[ResourceFilter]):
    user = request.user
    place = _filter_place(user, filters.place)
    shapes = _Shapes(user)
    qs = q.visible_resources(user, status=filters.status, kind=filters.kind, place=place)
    return Listing(qs, lambda rows: [shapes.resource(r) for r in rows])


@router.post(
    "/resources",
    response={201: ResourceOut, **ERRORS},
    summary="Offer a resource",
    description="With `partner`: by its own people or the managers of its community (listed "
    "there). Without: a resident's own offer for a `place` they live in. 422 `partner`, "
    "`place`, `title`, `kind`, `quantity`, `amount_fen` (required for funds), "
    "`available_until` (not before `available_from`); 403 for anyone else.",
)
def create_resource(request, payload: ResourceIn):
    user = request.user
    data = payload.model_dump()
    resource = services.create_resource(
        user=user, partner_id=data.pop("partner"), place_id=data.pop("place"), **data
    )
    return Status(201, _Shapes(user).resource(_resource(user, resource.pk)))


@router.get(
    "/resources/{int:resource_id}",
    response={200: ResourceOut, **ERRORS},
    summary="One resource",
    description="404 for anything the caller does not see.",
)
def get_resource(request, resource_id: int):
    return _Shapes(request.user).resource(_resource(request.user, resource_id))


@router.patch(
    "/resources/{int:resource_id}",
    response={200: ResourceOut, **ERRORS},
    summary="Change a resource",
    description="By whoever offered it (a partner's people, the resident) or managers; only "
    "the fields sent change. 422 as when offering." + SCOPE_NOTE,
)
def update_resource(request, resource_id: int, payload: ResourcePatch):
    user = request.user
    found = _resource(user, resource_id)
    data = payload.model_dump(exclude_unset=True)
    for name in ("title", "kind", "description", "quantity", "unit", "amount_fen"):
        if name in data and data[name] is None:
            data.pop(name)
    services.update_resource(user=user, resource=found, **data)
    return _Shapes(user).resource(_resource(user, resource_id))


@router.post(
    "/resources/{int:resource_id}/withdraw",
    response={200: ResourceOut, **ERRORS},
    summary="Withdraw a resource",
    description="409 `wrong_status` when withdrawn already." + SCOPE_NOTE,
)
def withdraw_resource(request, resource_id: int):
    user = request.user
    services.withdraw_resource(user=user, resource=_resource(user, resource_id))
    return _Shapes(user).resource(_resource(user, resource_id))


# --- Partners -------------------------------------------------------------------------------------


@router.get(
    "/partners",
    response={200: list[PartnerOut], **ERRORS},
    summary="Partner organisations (共建单位)",
    description="Of the caller's scope; filters `active`, `kind`. Capped.",
)
@paginate(CappedLimitOffset)
def list_partners(request, filters: Query[PartnerFilter]):
    qs = q.partners(request.user, active=filters.active, kind=filters.kind).prefetch_related(
        "members"
    )
    return Listing(qs, lambda rows: [_partner(p) for p in rows])


@router.post(
    "/partners",
    response={201: PartnerOut, **ERRORS},
    summary="Register a partner organisation",
    description="By the managers of its community. 422 `place` (a community), `name` (once "
    "per community), `kind`, `contact_phone`, `members.<n>` (each must hold the partner role "
    "in the community); 403 outside the caller's scope.",
)
def create_partner(request, payload: PartnerIn):
    user = request.user
    data = payload.model_dump()
    partner = services.create_partner(user=user, place_id=data.pop("place"), **data)
    return Status(201, _partner(_partner_of(user, partner.pk)))


@router.get(
    "/partners/{int:partner_id}",
    response={200: PartnerOut, **ERRORS},
    summary="One partner organisation",
    description="404 outside the caller's scope.",
)
def get_partner(request, partner_id: int):
    return _partner(_partner_of(request.user, partner_id))


@router.patch(
    "/partners/{int:partner_id}",
    response={200: PartnerOut, **ERRORS},
    summary="Change a partner organisation",
    description="Only the fields sent change; `members` replaces the people acting for it. "
    "422 as when registering." + SCOPE_NOTE,
)
def update_partner(request, partner_id: int, payload: PartnerPatch):
    user = request.user
    found = _partner_of(user, partner_id)
    data = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    services.update_partner(user=user, partner=found, **data)
    return _partner(_partner_of(user, partner_id))


@router.post(
    "/partners/{int:partner_id}/deactivate",
    response={200: PartnerOut, **ERRORS},
    summary="Deactivate a partner",
    description="It no longer builds with the community; its record stays. 409 "
    "`wrong_status` when inactive already." + SCOPE_NOTE,
)
def deactivate_partner(request, partner_id: int):
    user = request.user
    services.set_partner_active(user=user, partner=_partner_of(user, partner_id), active=False)
    return _partner(_partner_of(user, partner_id))


@router.post(
    "/partners/{int:partner_id}/activate",
    response={200: PartnerOut, **ERRORS},
    summary="Bring a partner back",
    description="409 `wrong_status` when active already." + SCOPE_NOTE,
)
def activate_partner(request, partner_id: int):
    user = request.user
    services.set_partner_active(user=user, partner=_partner_of(user, partner_id), active=True)
    return _partner(_partner_of(user, partner_id))


@router.get(
    "/partners/{int:partner_id}/agreements",
    response={200: list[AgreementOut], **ERRORS},
    summary="A partner's co-building agreements (共建协议)",
    description="Latest term first, with `current` (today inside the term). Capped.",
)
@paginate(CappedLimitOffset)
def list_agreements(request, partner_id: int):
    user = request.user
    partner = _partner_of(user, partner_id)
    documents = q.may_read_documents(user, partner)
    return Listing(
        q.partner_agreements(partner), lambda rows: [_agreement(a, documents) for a in rows]
    )


@router.post(
    "/partners/{int:partner_id}/agreements",
    response={201: AgreementOut, **ERRORS},
    summary="Add a co-building agreement",
    description="Multipart form fields with an optional `document` (PDF, Word .docx or an "
    "image), or the same fields as JSON without it. 422 `title`, `commitments`, `starts_on`, "
    "`ends_on` (not before the start), `signed_on`, `document`." + SCOPE_NOTE,
    openapi_extra=json_body_doc(AgreementIn),
)
def add_agreement(
    request,
    partner_id: int,
    payload: FormOrJson[AgreementIn],
    document: File[UploadedFile] = None,
):
    user = request.user
    partner = _partner_of(user, partner_id)
    agreement = services.add_agreement(
        user=user, partner=partner, document=document, **payload.model_dump()
    )
    return Status(201, _agreement(agreement, q.may_read_documents(user, partner)))


@router.get(
    "/agreements/{int:agreement_id}/document",
    response={200: None, **ERRORS},
    summary="An agreement's signed document",
    description="For staff of the partner's scope and the partner's own people; served with "
    "the uploads' safe headers. 404 otherwise, or when there is none.",
    url_name="projects_agreement_document",
)
def agreement_document(request, agreement_id: int):
    user = request.user
    found = q.agreement_for(user, agreement_id)
    if found is None or not q.may_read_documents(user, found.partner):
        raise Http404
    return private_download(found.document)


@router.get(
    "/partners/{int:partner_id}/deliveries",
    response={200: list[DeliveryOut], **ERRORS},
    summary="What a partner delivered",
    description="Latest first. Capped.",
)
@paginate(CappedLimitOffset)
def list_deliveries(request, partner_id: int):
    partner = _partner_of(request.user, partner_id)
    return Listing(q.partner_deliveries(partner), lambda rows: [_delivery(d) for d in rows])


@router.post(
    "/partners/{int:partner_id}/deliveries",
    response={201: DeliveryOut, **ERRORS},
    summary="Record what a partner delivered",
    description="422 `delivered_on`, `what`, `value_fen`, `agreement` (one of the partner's), "
    "`project` (one of its community's)." + SCOPE_NOTE,
)
def add_delivery(request, partner_id: int, payload: DeliveryIn):
    user = request.user
    partner = _partner_of(user, partner_id)
    data = payload.model_dump()
    delivery = services.add_delivery(
        user=user,
        partner=partner,
        agreement_id=data.pop("agreement"),
        project_id=data.pop("project"),
        **data,
    )
    found = q.partner_deliveries(partner).get(pk=delivery.pk)
    return Status(201, _delivery(found))


# --- Overview -------------------------------------------------------------------------------------


@router.get(
    "/lists/overview",
    response={200: OverviewOut, **ERRORS},
    summary="The three lists of a scope (三张清单)",
    description="Counts of needs, resources and projects of a `place` of the caller's staff "
    "scope, with the unmatched needs (open, answered by no live project) and the unused "
    "resources (available, used by no live project). 422 `place` outside the scope.",
)
def overview(request, filters: Query[OverviewFilter]):
    user = request.user
    place = _filter_place(user, filters.place)
    figures = q.overview(place)
    needs, resources, projects = figures["needs"], figures["resources"], figures["projects"]
    return {
        "place": _ref(place, place.name),
        "counts": {
            "needs": needs["total"],
            "needs_open": needs["open"],
            "needs_answered": needs["answered"],
            "needs_closed": needs["closed"],
            "resources": resources["total"],
            "resources_available": resources["available"],
            "projects": projects["total"],
            "projects_live": projects["live"],
            "unmatched_needs": figures["unmatched_needs"],
            "unused_resources": figures["unused_resources"],
        },
        "unmatched_needs": [
            _ref(n, n.title) for n in q.unmatched_needs(place.path)[:OVERVIEW_ITEMS]
        ],
        "unused_resources": [
            _ref(r, r.title) for r in q.unused_resources(place.path)[:OVERVIEW_ITEMS]
        ],
    }
