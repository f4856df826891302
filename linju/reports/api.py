"""/reports: snap-and-report (随手拍, seeds 002/003) as JSON — categories, submitting with photos,
"me too", a resident's own reports, the staff queue, the report with its timeline and actions
(accept 立案, dispatch 派遣, resolve 处置, confirm 核查, escalate 吹哨, merge, joint case 三方协调),
the public estate page and the figures. Every write goes through services; every read through
queries and rules."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from linju.core import access, uploads
from linju.core.api_support import (
    ERRORS,
    CappedLimitOffset,
    FormOrJson,
    LimitOffset,
    Listing,
    Rows,
    json_body_doc,
    renamed_fields,
)
from linju.core.errors import Forbidden, Invalid
from linju.core.masking import mask_email, mask_mobile, mask_name
from linju.core.schemas import Text
from linju.people.roles import Role
from linju.places.models import Place, PlaceKind

from . import figures as report_figures
from . import queries, rules, services
from .models import (
    Category,
    Level,
    Message,
    Photo,
    Report,
    Source,
    StepKind,
    Supporter,
)
from .schemas import (
    AttributeIn,
    AttributeOut,
    AttributePatch,
    BulkDispatchIn,
    CategoryFilter,
    CategoryIn,
    CategoryOut,
    CategoryPatch,
    ConfirmIn,
    DispatchIn,
    ExtendIn,
    FiguresFilter,
    FiguresOut,
    HandlerCandidateOut,
    MergeIn,
    MessageIn,
    MessageOut,
    NoteIn,
    OverdueFilter,
    PublicFilter,
    PublicReportOut,
    QueueFilter,
    RateIn,
    ReasonIn,
    ReopenIn,
    ReportIn,
    ReportOut,
    ReportRowOut,
    ResolveIn,
    SimilarFilter,
    SimilarOut,
    StaffNoteIn,
    StepOut,
)

router = Router(tags=["reports"])

# --- Shapes ---------------------------------------------------------------------------------------


def _reports():
    return Report.objects.select_related(
        "category", "place__parent", "estate", "handler", "reporter"
    )


def _place_ref(report) -> dict:
    place, estate = report.place, report.estate
    parts = [estate.name]
    if place.kind == PlaceKind.UNIT and place.parent_id:
        parts.append(place.parent.name)
    if place.pk != estate.pk:
        parts.append(place.name)
    return {"id": place.pk, "name": place.name, "label": " ".join(parts)}


def _category_ref(report) -> dict:
    return {"code": report.category.code, "name": report.category.name}


def _is_staff(user, report) -> bool:
    return access.can(user, "reports.view", report)


def _person(viewer, person, report, staff) -> dict | None:
    """A resident on a report: in full for themselves and for staff whose handling scope holds
    the report's place (PIPL), masked for other staff, hidden from non-staff when they asked."""
    if person is None:
        return None
    full = viewer.pk == person.pk or rules.sees_reporter_in_full(viewer, report)
    if not (full or staff) and report.hide_name:
        return None
    return {
        "id": person.pk,
        "name": person.name if full else mask_name(person.name),
        "mobile": person.mobile if full else mask_mobile(person.mobile),
    }


def _contact(viewer, report) -> dict | None:
    if not (report.contact_name or report.contact_phone or report.contact_email):
        return None
    full = rules.sees_reporter_in_full(viewer, report)
    return {
        "name": report.contact_name if full else mask_name(report.contact_name),
        "phone": report.contact_phone if full else mask_mobile(report.contact_phone),
        "email": report.contact_email if full else mask_email(report.contact_email),
    }


def _handler(report) -> dict | None:
    if not report.handler_id:
        return None
    return {"id": report.handler.pk, "name": report.handler.name, "role": report.handler_role}


def _photo(photo) -> dict:
    url = reverse("api:report_photo", kwargs={"report_id": photo.report_id, "photo_id": photo.pk})
    return {
        "id": photo.pk,
        "url": url,
        "width": photo.width,
        "height": photo.height,
        "step_id": photo.step_id,
    }


def _labels(report) -> dict:
    return {
        "status": report.status,
        "status_label": str(report.get_status_display()),
        "level": report.level,
        "level_label": str(Level(report.level).label),
    }


def _detail(viewer, report, full: bool) -> dict:
    staff = full and _is_staff(viewer, report)
    supported = Supporter.objects.filter(report=report, user_id=viewer.pk).exists()
    body = {
        "id": report.pk,
        "view": "full" if full else "public",
        "category": _category_ref(report),
        **_labels(report),
        "title": report.title,
        "description": report.description,
        "place": _place_ref(report),
        "estate_id": report.estate_id,
        "address": report.address if full else "",
        "map_x": report.map_x,
        "map_y": report.map_y,
        "attributes": report.attributes if full else {},
        "hide_name": report.hide_name,
        "is_public": report.is_public,
        "joint": report.joint,
        "merged_into": report.merged_into_id,
        "reply": report.reply,
        "rating": report.rating if full else None,
        "rating_comment": report.rating_comment if full else "",
        "supporter_count": report.supporter_count,
        "supported_by_me": supported,
        "escalations": report.escalations,
        "reporter": _person(viewer, report.reporter, report, staff) if full else None,
        "reporter_name": rules.public_name(report),
        "contact": _contact(viewer, report) if staff else None,
        "handler": _handler(report) if full else None,
        "created_at": report.created_at,
        "updated_at": report.updated_at,
        "accept_due_at": report.accept_due_at,
        "resolve_due_at": report.resolve_due_at,
        "due_at": report.due_at,
        "overdue": report.overdue,
        "accepted_at": report.accepted_at,
        "resolved_at": report.resolved_at,
        "closed_at": report.closed_at,
        "photos": [_photo(p) for p in report.photos.all()] if full else [],
        "allowed": {
            "decide": full and rules.can_decide(viewer, report),
            "work": full and rules.can_work(viewer, report),
            "coordinate": full and rules.can_coordinate(viewer, report),
            "reporter": rules.is_reporter(viewer, report),
        },
    }
    return body


def _row(viewer, report, staff_list: bool) -> dict:
    return {
        "id": report.pk,
        "category": _category_ref(report),
        **_labels(report),
        "title": report.title,
        "excerpt": report.description[:80],
        "place": _place_ref(report),
        "handler": _handler(report) if staff_list else None,
        "joint": report.joint,
        "supporter_count": report.supporter_count,
        "reported_by_me": report.reporter_id == viewer.pk,
        "created_at": report.created_at,
        "updated_at": report.updated_at,
        "due_at": report.due_at,
        "overdue": report.overdue,
    }


def _card(report) -> dict:
    return {
        "id": report.pk,
        "category": _category_ref(report),
        "status": report.status,
        "status_label": str(report.get_status_display()),
        "title": report.title,
        "description": report.description,
        "place": _place_ref(report),
        "reporter_name": rules.public_name(report),
        "reply": report.reply,
        "supporter_count": report.supporter_count,
        "created_at": report.created_at,
        "resolved_at": report.resolved_at,
        "closed_at": report.closed_at,
    }


# --- Finding a report ----------------------------------------------------------------------------


def _find(user, report_id: int) -> tuple[Report, bool]:
    """The report and whether the user sees it in full. A public report is seen by anyone as
    its anonymised card; a private one outside the user's reach is 404, so that it is not
    revealed. Refusals of what the user may not do to a report they see are 403 (services)."""
    report = _reports().filter(pk=report_id).first()
    if report is None:
        raise Http404
    if rules.can_view(user, report):
        return report, True
    if queries.is_public_to(user, report):
        return report, False
    raise Http404


def _fresh(user, report_id: int) -> dict:
    report, full = _find(user, report_id)
    return _detail(user, report, full)


def _place_in_scope(user, place_id: int, perm: str, field: str = "place") -> str:
    place = Place.objects.filter(pk=place_id).only("path").first()
    if place is None or not access.scope(user, perm).covers(place.path):
        raise Invalid({field: _("Choose a place in your scope.")})
    return place.path


# --- Categories -----------------------------------------------------------------------------------


def _category_row(c) -> dict:
    return {
        "code": c.code,
        "name": c.name,
        "description": c.description,
        "group": c.group,
        "keywords": c.keywords,
        "level": c.level,
        "level_label": str(Level(c.level).label),
        "handler_role": c.handler_role,
        "accept_hours": c.accept_hours,
        "resolve_hours": c.resolve_hours,
        "urgent": c.urgent,
        "is_public": c.is_public,
        "active": c.active,
        "sort_order": c.sort_order,
        "attributes": [_attribute_row(a) for a in c.attributes.all()],
    }


def _attribute_row(a) -> dict:
    return {
        "code": a.code,
        "datatype": a.datatype,
        "description": a.description,
        "datatype_description": a.datatype_description,
        "required": a.required,
        "values": [{"key": str(v.get("key")), "name": str(v.get("name"))} for v in a.values],
        "order": a.order,
    }


def _categories(user):
    qs = Category.objects.prefetch_related("attributes")
    return qs if queries.may_manage_categories(user) else qs.filter(active=True)


def _category(user, code: str) -> Category:
    return get_object_or_404(_categories(user), code=code)


@router.get(
    "/categories",
    response={200: list[CategoryOut], **ERRORS},
    summary="Report categories with their questions",
    description="Categories open for new reports, in display order, each with its extra "
    "questions (Open311 attributes). Category managers (subdistrict administrators) may ask "
    "for closed ones too with `all=true`.",
)
@paginate(LimitOffset)
def list_categories(request, filters: Query[CategoryFilter]):
    qs = Category.objects.prefetch_related("attributes")
    if not (filters.all and queries.may_manage_categories(request.user)):
        qs = qs.filter(active=True)
    return Rows(qs.order_by("sort_order", "code"), _category_row)


@router.get(
    "/categories/{code}",
    response={200: CategoryOut, **ERRORS},
    summary="One category",
    description="Closed categories are 404 except to category managers.",
)
def get_category(request, code: Text):
    return _category_row(_category(request.user, code))


@router.post(
    "/categories",
    response={201: CategoryOut, **ERRORS},
    summary="Create a category",
    description="Category managers only (403 otherwise). The code is also the Open311 service "
    "code and must be unique.",
)
def create_category(request, payload: CategoryIn):
    category = services.save_category(user=request.user, **payload.model_dump())
    return Status(201, _category_row(_category(request.user, category.code)))


@router.patch(
    "/categories/{code}",
    response={200: CategoryOut, **ERRORS},
    summary="Change a category",
    description="Only the fields sent change. `active: false` closes it for new reports; "
    "existing reports keep their limits.",
)
def update_category(request, code: Text, payload: CategoryPatch):
    category = _category(request.user, code)
    saved = services.save_category(
        user=request.user, category_id=category.pk, **payload.model_dump(exclude_unset=True)
    )
    return _category_row(_category(request.user, saved.code))


@router.post(
    "/categories/{code}/attributes",
    response={201: AttributeOut, **ERRORS},
    summary="Add a question to a category",
    description="Category managers only. List types (`singlevaluelist`, `multivaluelist`) "
    "need `values`, each with a key and a name.",
)
def create_attribute(request, code: Text, payload: AttributeIn):
    category = _category(request.user, code)
    attribute = services.save_attribute(
        user=request.user, category=category, **payload.model_dump()
    )
    return Status(201, _attribute_row(attribute))


@router.patch(
    "/categories/{code}/attributes/{attr_code}",
    response={200: AttributeOut, **ERRORS},
    summary="Change a question of a category",
    description="Only the fields sent change.",
)
def update_attribute(request, code: Text, attr_code: Text, payload: AttributePatch):
    category = _category(request.user, code)
    attribute = get_object_or_404(category.attributes.all(), code=attr_code)
    saved = services.save_attribute(
        user=request.user,
        category=category,
        attribute_id=attribute.pk,
        **payload.model_dump(exclude_unset=True),
    )
    return _attribute_row(saved)


@router.delete(
    "/categories/{code}/attributes/{attr_code}",
    response={200: CategoryOut, **ERRORS},
    summary="Remove a question from a category",
    description="Answers already given stay on their reports. Returns the category.",
)
def delete_attribute(request, code: Text, attr_code: Text):
    category = _category(request.user, code)
    attribute = get_object_or_404(category.attributes.all(), code=attr_code)
    services.delete_attribute(user=request.user, attribute_id=attribute.pk)
    return _category_row(_category(request.user, code))


# --- Submitting -----------------------------------------------------------------------------------


@router.post(
    "",
    response={201: ReportOut, **ERRORS},
    summary="Report a problem (随手拍)",
    description="Multipart form fields with up to 9 `photos` (any common image format: resized "
    "on the server, EXIF location removed), or the same fields as a JSON object without photos. "
    "Residents report in the estates they live in (403 elsewhere). Errors name the field: "
    "`category`, `place`, `description`, `attributes.<code>`, `photos.<n>` (from 0).",
    openapi_extra=json_body_doc(ReportIn),
)
def submit(request, payload: FormOrJson[ReportIn], photos: File[list[UploadedFile]] = None):
    report = services.submit_report(
        user=request.user,
        category_code=payload.category,
        place_id=payload.place,
        description=payload.description,
        title=payload.title,
        address=payload.address,
        photos=photos or [],
        hide_name=payload.hide_name,
        map_x=payload.map_x,
        map_y=payload.map_y,
        attributes=payload.attributes,
        source=Source.API,
    )
    return Status(201, _fresh(request.user, report.pk))


@router.get(
    "/similar",
    response={200: list[SimilarOut], **ERRORS},
    summary="Similar open reports, before submitting",
    description="At most 5 open (or just resolved) reports of the same category about the "
    'same building in the last 30 days, as anonymised cards: say "me too" '
    "(POST /reports/{id}/support) instead of filing a duplicate.",
)
def similar(request, filters: Query[SimilarFilter]):
    category = Category.objects.filter(code=filters.category, active=True).first()
    if category is None:
        raise Invalid({"category": _("Choose a category.")})
    place = Place.objects.filter(pk=filters.place, kind__in=services.REPORTABLE_KINDS).first()
    if place is None:
        raise Invalid({"place": _("Choose a building, unit or estate.")})
    ids = [r.pk for r in queries.similar_reports(category=category, place=place, user=request.user)]
    rows = {r.pk: r for r in _reports().filter(pk__in=ids)}
    # A private category's reports are offered only to those who may open them.
    shown = [
        rows[i]
        for i in ids
        if queries.is_public_to(request.user, rows[i]) or rules.can_view(request.user, rows[i])
    ]
    backed = set(
        Supporter.objects.filter(user=request.user, report_id__in=ids).values_list(
            "report_id", flat=True
        )
    )
    return [
        {
            **_card(r),
            "supported_by_me": r.pk in backed,
            "reported_by_me": r.reporter_id == request.user.pk,
        }
        for r in shown
    ]


# --- Lists ---------------------------------------------------------------------------------------


@router.get(
    "/mine",
    response={200: list[ReportRowOut], **ERRORS},
    summary="My reports",
    description='Reports I filed and those I said "me too" to, newest first.',
)
@paginate(CappedLimitOffset)
def mine(request):
    qs = queries.my_reports(request.user).select_related("place__parent")
    return Listing(qs, lambda objs: [_row(request.user, r, False) for r in objs])


@router.get(
    "",
    response={200: list[ReportRowOut], **ERRORS},
    summary="The staff queue",
    description="Reports in my scope (and those dispatched to me), newest first, filtered. "
    "Open reports by default. The count stops at 2,000 (`capped`). Residents: 403.",
)
@paginate(CappedLimitOffset)
def queue(request, filters: Query[QueueFilter]):
    user = request.user
    if not rules.may_use_queue(user):
        raise Forbidden(_("You may not see the report queue."))
    place = ""
    if filters.place is not None:
        place = _place_in_scope(user, filters.place, "reports.view")
    f = queries.QueueFilter(
        status=filters.status,
        category=filters.category,
        level=filters.level,
        overdue=filters.overdue,
        mine=filters.mine,
        place=place,
        q=filters.q,
    )
    qs = queries.queue(user, f).select_related("place__parent")
    return Listing(qs, lambda objs: [_row(user, r, True) for r in objs])


@router.get(
    "/public",
    response={200: list[PublicReportOut], **ERRORS},
    auth=None,
    summary="An estate's public reports (no login needed)",
    description="Recent reports of public categories, anonymised: no reporter identity, the "
    "name masked (张*明) or empty when the reporter hid it. Private categories (neighbour "
    "disputes) and merged duplicates never appear. The count stops at 2,000 (`capped`).",
)
@paginate(CappedLimitOffset)
def public(request, filters: Query[PublicFilter]):
    estate = Place.objects.filter(pk=filters.estate, kind=PlaceKind.ESTATE).first()
    if estate is None:
        raise Invalid({"estate": _("Choose an estate.")})
    qs = queries.public_reports(estate).select_related("estate", "place__parent", "reporter")
    return Listing(qs, lambda objs: [_card(r) for r in objs])


@router.get(
    "/figures",
    response={200: FiguresOut, **ERRORS},
    summary="Figures of my scope",
    description="Per category, local month or child place: reports, the response rate "
    "(accepted within the category's limit, a rejection being an answer too), the resolution "
    "rate, the satisfaction rate (ratings of 4 and 5), average hours to accept and to resolve, "
    "open and overdue counts, and the total. Grid workers, community staff and subdistrict "
    "administrators (403 otherwise).",
)
def figures(request, filters: Query[FiguresFilter]):
    user = request.user
    if not access.has_anywhere(user, "reports.view_figures"):
        raise Forbidden(_("You may not see the figures."))
    if filters.since and filters.until and filters.since > filters.until:
        raise Invalid({"until": _("The end comes before the start.")})
    place = ""
    if filters.place is not None:
        place = _place_in_scope(user, filters.place, "reports.view_figures")
    result = report_figures.figures(
        user=user,
        by=filters.by,
        place_path=place,
        since=filters.since,
        until=filters.until,
        category=filters.category,
    )
    return {
        "by": result.by,
        "rows": [r.as_dict() for r in result.rows],
        "total": result.total.as_dict(),
    }


@router.get(
    "/overdue",
    response={200: list[ReportRowOut], **ERRORS},
    summary="Overdue reports of my scope",
    description="Reports whose running time limit has passed, most overdue first. Same roles "
    "as the figures. The count stops at 2,000 (`capped`).",
)
@paginate(CappedLimitOffset)
def overdue(request, filters: Query[OverdueFilter]):
    user = request.user
    if not access.has_anywhere(user, "reports.view_figures"):
        raise Forbidden(_("You may not see the figures."))
    place = ""
    if filters.place is not None:
        place = _place_in_scope(user, filters.place, "reports.view_figures")
    qs = report_figures.overdue_reports(user=user, place_path=place).select_related("place__parent")
    return Listing(qs, lambda objs: [_row(user, r, True) for r in objs])


@router.post(
    "/bulk-dispatch",
    response={200: list[ReportRowOut], **ERRORS},
    summary="Dispatch several reports to one handler",
    description="All of them, or none: the error names the first report that cannot go "
    "(`#id: …`). At most 100.",
)
def bulk_dispatch(request, payload: BulkDispatchIn):
    with renamed_fields(reports="report_ids", handler="handler_id"):
        reports = services.bulk_dispatch(
            user=request.user,
            report_ids=payload.report_ids,
            handler_id=payload.handler_id,
            note=payload.note,
        )
    rows = _reports().filter(pk__in=[r.pk for r in reports]).order_by("pk")
    return [_row(request.user, r, True) for r in rows]


# --- One report ----------------------------------------------------------------------------------


@router.get(
    "/{int:report_id}",
    response={200: ReportOut, **ERRORS},
    summary="One report",
    description="In full for the reporter, the handler and staff in scope (the reporter's "
    "name and mobile masked outside the handling scope; hidden from non-staff when the "
    "reporter asked). Anyone else gets a public report's anonymised card (`view: public`); "
    "a private report outside their reach is 404.",
)
def get_report(request, report_id: int):
    return _fresh(request.user, report_id)


@router.get(
    "/{int:report_id}/timeline",
    response={200: list[StepOut], **ERRORS},
    summary="The report's timeline",
    description="Every step, oldest first, with the photos that came with it. Internal notes "
    "only for staff in scope and the handler; the public card's viewers see public steps "
    "without photos or residents' names.",
)
@paginate(LimitOffset)
def timeline(request, report_id: int):
    user = request.user
    report, full = _find(user, report_id)
    staff = full and _is_staff(user, report)
    steps = queries.timeline(report, user)
    return Rows(steps, lambda s: _step_row(user, report, s, full, staff))


def _step_row(viewer, report, step, full, staff) -> dict:
    return {
        "id": step.pk,
        "kind": step.kind,
        "kind_label": str(StepKind(step.kind).label),
        "status": step.status,
        "text": step.text,
        "data": step.data,
        "public": step.public,
        "actor": _actor(viewer, report, step, full, staff),
        "created_at": step.created_at,
        "photos": [_photo(p) for p in step.photos.all()] if full else [],
    }


def _actor(viewer, report, step, full, staff) -> dict | None:
    actor = step.actor
    if actor is None:
        return None
    resident = actor.pk == report.reporter_id or step.kind == StepKind.SUPPORTED
    if not resident:
        # Staff act in their official capacity: their names are shown.
        return {"id": actor.pk, "name": actor.name}
    if actor.pk == viewer.pk:
        return {"id": actor.pk, "name": actor.name}
    if not full:
        return None
    person = _person(viewer, actor, report, staff)
    return {"id": person["id"], "name": person["name"]} if person else None


@router.get(
    "/{int:report_id}/photos/{int:photo_id}",
    response=ERRORS,
    url_name="report_photo",
    summary="A photo of the report",
    description="The JPEG (re-encoded on upload, without metadata). Only for those who see the "
    "report in full.",
    openapi_extra={
        "responses": {
            # An int, to merge into ninja's own 200 rather than stand beside it as "200".
            200: {
                "description": "The photo",
                "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def photo(request, report_id: int, photo_id: int):
    report, full = _find(request.user, report_id)
    if not full:
        raise Http404
    image = get_object_or_404(Photo, pk=photo_id, report=report)
    try:
        handle = image.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = uploads.protect(FileResponse(handle), image.image.name)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@router.get(
    "/{int:report_id}/handlers",
    response={200: list[HandlerCandidateOut], **ERRORS},
    summary="Who the report can be dispatched to",
    description="Grid workers, heads, community staff, the property company, the owners' "
    "committee and partners responsible for the report's place. Staff deciding at its level "
    "only (403 otherwise).",
)
def handlers(request, report_id: int):
    report, full = _find(request.user, report_id)
    rules.require(full and rules.can_decide(request.user, report))
    return [
        {"id": u.pk, "name": u.name, "role": role, "role_label": str(Role(role).label)}
        for u, role in queries.handler_candidates(report)
    ]


# --- Actions -------------------------------------------------------------------------------------

ACTION_ERRORS = (
    "409 `wrong_status` when the report's status does not allow it; 403 when the caller may "
    "not do it; 404 for a private report outside the caller's reach."
)


def _action(path, summary, description):
    return router.post(
        path,
        response={200: ReportOut, **ERRORS},
        summary=summary,
        description=f"{description} Returns the updated report. {ACTION_ERRORS}",
    )


@_action(
    "/{int:report_id}/support",
    "Me too (我也遇到)",
    "Back an open report instead of "
    "filing a duplicate: you follow it as its reporter does. 409 `own_report`, "
    "`already_supported`.",
)
def support(request, report_id: int):
    report, _full = _find(request.user, report_id)
    services.support_report(user=request.user, report=report)
    return _fresh(request.user, report_id)


@_action(
    "/{int:report_id}/accept",
    "Accept (立案)",
    "The resolution clock starts. Staff deciding at the report's level.",
)
def accept(request, report_id: int):
    report, _full = _find(request.user, report_id)
    services.accept_report(user=request.user, report=report)
    return _fresh(request.user, report_id)


@_action(
    "/{int:report_id}/reject", "Reject with a reason", "The reason is the answer the reporter gets."
)
def reject(request, report_id: int, payload: ReasonIn):
    report, _full = _find(request.user, report_id)
    services.reject_report(user=request.user, report=report, reason=payload.reason)
    return _fresh(request.user, report_id)


@_action(
    "/{int:report_id}/dispatch",
    "Dispatch to a handler (派遣)",
    "To one of GET /reports/{id}/handlers; a submitted report is accepted on the way.",
)
def dispatch(request, report_id: int, payload: DispatchIn):
    report, _full = _find(request.user, report_id)
    with renamed_fields(handler="handler_id"):
        services.dispatch_report(
            user=request.user, report=report, handler_id=payload.handler_id, note=payload.note
        )
    return _fresh(request.user, report_id)


@_action("/{int:report_id}/start", "Start work", "The handler, or staff deciding at its level.")
def start(request, report_id: int):
    report, _full = _find(request.user, report_id)
    services.start_work(user=request.user, report=report)
    return _fresh(request.user, report_id)


@router.post(
    "/{int:report_id}/resolve",
    response={200: ReportOut, **ERRORS},
    summary="Resolve with a reply (处置)",
    description="Multipart `reply` with up to 9 `photos` of the fix, or JSON `{reply}`. The "
    f"reporter is asked to confirm. Returns the updated report. {ACTION_ERRORS}",
    openapi_extra=json_body_doc(ResolveIn),
)
def resolve(
    request,
    report_id: int,
    payload: FormOrJson[ResolveIn],
    photos: File[list[UploadedFile]] = None,
):
    report, _full = _find(request.user, report_id)
    services.resolve_report(
        user=request.user, report=report, reply=payload.reply, photos=photos or []
    )
    return _fresh(request.user, report_id)


@_action(
    "/{int:report_id}/confirm",
    "Confirm solved (核查)",
    "The reporter closes it, optionally rating the handling from 1 to 5.",
)
def confirm(request, report_id: int, payload: ConfirmIn):
    report, _full = _find(request.user, report_id)
    services.confirm_report(
        user=request.user, report=report, rating=payload.rating, comment=payload.comment
    )
    return _fresh(request.user, report_id)


@_action(
    "/{int:report_id}/reopen",
    "Not solved: reopen",
    "The reporter says what is still wrong; the handler's clock runs again.",
)
def reopen(request, report_id: int, payload: ReopenIn):
    report, _full = _find(request.user, report_id)
    services.reopen_report(user=request.user, report=report, comment=payload.comment)
    return _fresh(request.user, report_id)


@_action(
    "/{int:report_id}/rate", "Rate a closed report", "Satisfaction 1–5, once (409 `already_rated`)."
)
def rate(request, report_id: int, payload: RateIn):
    report, _full = _find(request.user, report_id)
    services.rate_report(
        user=request.user, report=report, rating=payload.rating, comment=payload.comment
    )
    return _fresh(request.user, report_id)


@_action(
    "/{int:report_id}/escalate",
    "Escalate (吹哨)",
    "The next level takes it over; 409 `top_level` once it is with the district.",
)
def escalate(request, report_id: int, payload: ReasonIn):
    report, _full = _find(request.user, report_id)
    services.escalate_report(user=request.user, report=report, reason=payload.reason)
    return _fresh(request.user, report_id)


@_action(
    "/{int:report_id}/extend",
    "Give more time (延期)",
    "Staff of the report's level move its running deadline later by `hours`, with a `reason` "
    "the reporter reads; the category's limits stay what the figures measure against. 409 "
    "`wrong_status` when no clock runs.",
)
def extend(request, report_id: int, payload: ExtendIn):
    report, _full = _find(request.user, report_id)
    services.extend_deadline(
        user=request.user, report=report, hours=payload.hours, reason=payload.reason
    )
    return _fresh(request.user, report_id)


@_action(
    "/{int:report_id}/merge",
    "Merge a duplicate",
    "This report joins the one it "
    "repeats (`into`); its reporter and supporters follow that one. 409 `target_final`.",
)
def merge(request, report_id: int, payload: MergeIn):
    report, _full = _find(request.user, report_id)
    services.merge_report(user=request.user, report=report, into_id=payload.into, note=payload.note)
    return _fresh(request.user, report_id)


@_action(
    "/{int:report_id}/joint",
    "Open a joint case (三方协调)",
    "The residents' committee, "
    "the owners' committee and the property company coordinate in the report's thread. "
    "409 `already_joint`.",
)
def joint(request, report_id: int, payload: NoteIn):
    report, _full = _find(request.user, report_id)
    services.open_joint_case(user=request.user, report=report, note=payload.note)
    return _fresh(request.user, report_id)


def _coordinated(user, report_id) -> Report:
    report, full = _find(user, report_id)
    rules.require(full and rules.can_coordinate(user, report))
    return report


def _message_row(m) -> dict:
    author = {"id": m.author.pk, "name": m.author.name} if m.author_id else None
    return {
        "id": m.pk,
        "author": author,
        "role": m.role,
        "body": m.body,
        "created_at": m.created_at,
    }


@router.get(
    "/{int:report_id}/messages",
    response={200: list[MessageOut], **ERRORS},
    summary="A joint case's coordination thread",
    description="Oldest first. The three parties, the grid worker, the subdistrict and the "
    "handler (403 for others).",
)
@paginate(LimitOffset)
def messages(request, report_id: int):
    report = _coordinated(request.user, report_id)
    qs = Message.objects.filter(report=report).select_related("author").order_by("created_at", "pk")
    return Rows(qs, _message_row)


@router.post(
    "/{int:report_id}/messages",
    response={201: MessageOut, **ERRORS},
    summary="Post in a joint case's thread",
    description="409 `not_joint` unless the report is a joint case. The other parties are "
    "notified.",
)
def post_message(request, report_id: int, payload: MessageIn):
    report, _full = _find(request.user, report_id)
    message = services.post_message(user=request.user, report=report, body=payload.body)
    message = Message.objects.select_related("author").get(pk=message.pk)
    return Status(201, _message_row(message))


@router.post(
    "/{int:report_id}/notes",
    response={201: StepOut, **ERRORS},
    summary="Add a progress note",
    description="On the timeline: internal (staff and the handler) by default, or shown to the "
    "reporter with `public: true`. The handler or staff deciding at its level. Returns the step.",
)
def add_note(request, report_id: int, payload: StaffNoteIn):
    user = request.user
    report, full = _find(user, report_id)
    step = services.add_note(user=user, report=report, text=payload.text, public=payload.public)
    step = queries.timeline(report, user).get(pk=step.pk)
    return Status(201, _step_row(user, report, step, full, full and _is_staff(user, report)))
