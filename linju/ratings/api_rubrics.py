"""/ratings/rubrics: rubrics (评分细则) as JSON — templates and a scope's versions, a draft's
items and star bands, putting a draft to the residents (comments, and a topic for the
共建议事会), residents' comments, and adoption. Every write goes through services_rubrics;
every read through queries and rules."""

from django.http import Http404
from ninja import Router, Status
from ninja.pagination import paginate

from linju.core.api_support import ERRORS, CappedLimitOffset, Listing
from linju.core.masking import mask_name

from . import queries, rules
from . import services_rubrics as services
from .schemas import (
    BandOut,
    BandsIn,
    CommentIn,
    CommentOut,
    ConsultIn,
    CopyIn,
    RubricIn,
    RubricItemIn,
    RubricItemOut,
    RubricOut,
    RubricPatch,
    RubricRowOut,
)

router = Router(tags=["ratings"])

CONFLICTS = (
    "409 `adopted` when the rubric is no longer a draft; 403 when the caller may not manage "
    "the rubrics of its scope; 404 for a rubric the caller does not see."
)

# --- Shapes ---------------------------------------------------------------------------------------


def _place(place) -> dict | None:
    return {"id": place.pk, "kind": place.kind, "name": place.name} if place else None


def _row(rubric) -> dict:
    return {
        "id": rubric.pk,
        "code": rubric.code,
        "version": rubric.version,
        "name": rubric.name,
        "purpose": rubric.purpose,
        "status": rubric.status,
        "status_label": str(rubric.get_status_display()),
        "place": _place(rubric.place),
        "comments_open": rubric.comments_open,
        "adopted_at": rubric.adopted_at,
    }


def _item(item) -> dict:
    return {
        "id": item.pk,
        "position": item.position,
        "code": item.code,
        "title": item.title,
        "description": item.description,
        "kind": item.kind,
        "kind_label": str(item.get_kind_display()),
        "max_points": item.max_points,
        "exemptions": item.exemptions,
        "evidence_required": item.evidence_required,
        "tiebreak": item.tiebreak,
    }


def _bands(rubric) -> list[dict]:
    return [{"min_score": b.min_score, "stars": b.stars} for b in rubric.bands.all()]


def _comment(viewer, comment, full: bool) -> dict:
    person = comment.user
    shown = full or viewer.pk == person.pk
    return {
        "id": comment.pk,
        "item_id": comment.item_id,
        "user": {"id": person.pk, "name": person.name if shown else mask_name(person.name)},
        "text": comment.text,
        "created_at": comment.created_at,
    }


def _may_read_comments(user, rubric) -> bool:
    return bool(rubric.place_id) and (
        rules.can_follow(user, rubric) or rules.can_comment(user, rubric)
    )


def _detail(user, rubric) -> dict:
    body = _row(rubric)
    comments = None
    if _may_read_comments(user, rubric):
        full = rules.can_follow(user, rubric)
        comments = [
            _comment(user, c, full)
            for c in rubric.comments.select_related("user").order_by("created_at", "pk")[:200]
        ]
    body.update(
        {
            "description": rubric.description,
            "based_on_id": rubric.based_on_id,
            "topic_id": rubric.topic_id,
            "items": [_item(i) for i in rubric.items.all()],
            "bands": _bands(rubric),
            "comments": comments,
            "allowed": {
                "manage": bool(rubric.place_id) and rules.can_manage(user, rubric),
                "comment": rules.can_comment(user, rubric),
            },
        }
    )
    return body


# --- Finding a rubric -----------------------------------------------------------------------------


def _find(user, rubric_id: int):
    """404 for a rubric the user does not see (another scope's, or a draft not put to them)."""
    rubric = queries.rubrics_for(user).select_related("place").filter(pk=rubric_id).first()
    if rubric is None:
        raise Http404
    return rubric


def _fresh(user, rubric_id: int) -> dict:
    return _detail(user, _find(user, rubric_id))


def _find_item(rubric, item_id: int):
    item = rubric.items.filter(pk=item_id).first()
    if item is None:
        raise Http404
    return item


# --- Routes ---------------------------------------------------------------------------------------


@router.get(
    "",
    response={200: list[RubricRowOut], **ERRORS},
    summary="Rubrics I see",
    description="Templates (no scope), every version of the rubrics of the caller's staff "
    "scope, and drafts put to the residents where the caller lives. The count stops at 2,000 "
    "(`capped`).",
)
@paginate(CappedLimitOffset)
def list_rubrics(request):
    return Listing(queries.rubrics_for(request.user).select_related("place"), _rows)


def _rows(rubrics) -> list[dict]:
    return [_row(r) for r in rubrics]


@router.post(
    "",
    response={201: RubricOut, **ERRORS},
    summary="Create an empty draft",
    description="In an estate or community the caller manages (422 `place`; 403 elsewhere).",
)
def create(request, payload: RubricIn):
    rubric = services.create_rubric(
        user=request.user,
        place_id=payload.place,
        purpose=payload.purpose,
        name=payload.name,
        description=payload.description,
    )
    return Status(201, _fresh(request.user, rubric.pk))


@router.get(
    "/{int:rubric_id}",
    response={200: RubricOut, **ERRORS},
    summary="One rubric with its items and bands",
    description="`comments` for staff of the scope and, on a draft put to them, residents; "
    "residents' names are masked (张*明) for everyone but staff and the author.",
)
def detail(request, rubric_id: int):
    return _fresh(request.user, rubric_id)


@router.post(
    "/{int:rubric_id}/copy",
    response={201: RubricOut, **ERRORS},
    summary="Copy into a new draft",
    description="A template is copied into the scope `place` (422 `place`); a scope's rubric "
    "becomes its next version (same code). 403 when the caller may not manage the scope.",
)
def copy(request, rubric_id: int, payload: CopyIn):
    source = _find(request.user, rubric_id)
    rubric = services.copy_rubric(user=request.user, rubric=source.pk, place_id=payload.place)
    return Status(201, _fresh(request.user, rubric.pk))


@router.patch(
    "/{int:rubric_id}",
    response={200: RubricOut, **ERRORS},
    summary="Rename a draft",
    description=f"Only the fields sent change. {CONFLICTS}",
)
def update(request, rubric_id: int, payload: RubricPatch):
    rubric = _find(request.user, rubric_id)
    data = payload.model_dump(exclude_unset=True)
    services.update_rubric(
        user=request.user,
        rubric=rubric,
        name=data.get("name", rubric.name),
        description=data.get("description", rubric.description),
    )
    return _fresh(request.user, rubric_id)


@router.post(
    "/{int:rubric_id}/items",
    response={201: RubricItemOut, **ERRORS},
    summary="Add an item",
    description="422 `code` (letters, digits, - and _; unique in the rubric), `max_points` "
    "(0–1000 in half points; 0 only for a veto), `tiebreak` (scored items only; one per "
    f"rubric: setting it moves it here). {CONFLICTS}",
)
def add_item(request, rubric_id: int, payload: RubricItemIn):
    rubric = _find(request.user, rubric_id)
    item = services.save_item(user=request.user, rubric=rubric, **payload.model_dump())
    return Status(201, _item(item))


@router.put(
    "/{int:rubric_id}/items/{int:item_id}",
    response={200: RubricItemOut, **ERRORS},
    summary="Change an item",
    description=f"Every field, as when adding. {CONFLICTS}",
)
def update_item(request, rubric_id: int, item_id: int, payload: RubricItemIn):
    rubric = _find(request.user, rubric_id)
    item = _find_item(rubric, item_id)
    saved = services.save_item(
        user=request.user, rubric=rubric, item_id=item.pk, **payload.model_dump()
    )
    return _item(saved)


@router.delete(
    "/{int:rubric_id}/items/{int:item_id}",
    response={204: None, **ERRORS},
    summary="Remove an item",
    description=CONFLICTS,
)
def delete_item(request, rubric_id: int, item_id: int):
    rubric = _find(request.user, rubric_id)
    services.delete_item(user=request.user, item=_find_item(rubric, item_id))
    return Status(204, None)


@router.put(
    "/{int:rubric_id}/bands",
    response={200: list[BandOut], **ERRORS},
    summary="Set the star bands (星级)",
    description="Star ratings only (422 `bands`): from `min_score` up, `stars` (1–5, each "
    f"once; more stars need a higher score). Replaces the bands. {CONFLICTS}",
)
def set_bands(request, rubric_id: int, payload: BandsIn):
    rubric = _find(request.user, rubric_id)
    services.set_bands(
        user=request.user, rubric=rubric, bands=[b.model_dump() for b in payload.bands]
    )
    return _bands(rubric)


@router.post(
    "/{int:rubric_id}/consult",
    response={200: RubricOut, **ERRORS},
    summary="Put the draft to the residents",
    description="Residents of the scope may comment; with `raise_topic` the draft also becomes "
    "a deliberation topic (`topic_id`) for the scope's 共建议事会. 409 `no_items` for an empty "
    f"draft. {CONFLICTS}",
)
def consult(request, rubric_id: int, payload: ConsultIn):
    rubric = _find(request.user, rubric_id)
    services.put_to_residents(user=request.user, rubric=rubric, raise_topic=payload.raise_topic)
    return _fresh(request.user, rubric_id)


@router.get(
    "/{int:rubric_id}/comments",
    response={200: list[CommentOut], **ERRORS},
    summary="Residents' comments on a draft",
    description="Staff of the scope, and residents while the draft is put to them (403 "
    "otherwise), oldest first; names masked (张*明) except for staff and the author.",
)
@paginate(CappedLimitOffset)
def comments(request, rubric_id: int):
    user = request.user
    rubric = _find(user, rubric_id)
    rules.require(_may_read_comments(user, rubric))
    full = rules.can_follow(user, rubric)
    return Listing(
        rubric.comments.select_related("user").order_by("created_at", "pk"),
        lambda rows: [_comment(user, c, full) for c in rows],
    )


@router.post(
    "/{int:rubric_id}/comments",
    response={201: CommentOut, **ERRORS},
    summary="Comment on a draft",
    description="Residents of the scope and its staff, while the draft is put to them (403 "
    "otherwise). 422 `text`, `item` (an item of this rubric).",
)
def comment(request, rubric_id: int, payload: CommentIn):
    user = request.user
    rubric = _find(user, rubric_id)
    made = services.comment_rubric(
        user=user, rubric=rubric, text=payload.text, item_id=payload.item
    )
    return Status(201, _comment(user, made, True))


@router.post(
    "/{int:rubric_id}/adopt",
    response={200: RubricOut, **ERRORS},
    summary="Adopt the draft",
    description="The version is frozen; earlier adopted versions retire and the contests that "
    "used them move to this one (past rounds keep theirs). 409 `no_items`, `no_scored_item`, "
    f"`no_bands` (star ratings). {CONFLICTS}",
)
def adopt(request, rubric_id: int):
    rubric = _find(request.user, rubric_id)
    services.adopt_rubric(user=request.user, rubric=rubric)
    return _fresh(request.user, rubric_id)
