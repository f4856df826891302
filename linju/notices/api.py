"""/api/v1/notices: the notice board (seeds 002, 003) — what reaches the caller, unread first;
one notice (opening it is the read receipt, as on the page); the publishers' list, writing,
publishing, pinning and withdrawing notices, their attachments; the objections channel of a
public notice (公示) and the read coverage of an important one, building by building. The
newsletter's routes live in api_newsletter.py. Writes go through services, reads through
queries and rules; anything unseen is 404."""

from django.http import Http404
from django.urls import reverse
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from linju.core import uploads
from linju.core.api_support import ERRORS, CappedLimitOffset, Listing
from linju.core.views import private_download

from . import queries, rules, services
from .api_newsletter import router as newsletter_router
from .models import Attachment
from .schemas import (
    NoticeAnswerIn,
    NoticeAttachmentOut,
    NoticeBoardFilter,
    NoticeCoverageOut,
    NoticeIn,
    NoticeManagedOut,
    NoticeManageFilter,
    NoticeObjectionIn,
    NoticeObjectionOut,
    NoticeOut,
    NoticePatch,
    NoticePinIn,
    NoticeReadOut,
    NoticeWithdrawIn,
)

router = Router(tags=["notices"])
# Fixed paths (/newsletters…) never meet the notices' numeric ones.
router.add_router("/newsletters", newsletter_router)

# Every type core.uploads serves a stored file as (uploads.SERVED), for the OpenAPI schema.
FILE_TYPES = {
    t: {"schema": {"type": "string", "format": "binary"}}
    for t in sorted({t for t, _inline in uploads.SERVED.values()} | {"application/octet-stream"})
}
UNSEEN = " 404 for a notice the caller does not see (a draft: its publishers only)."


def _attachment(a) -> dict:
    return {
        "id": a.pk,
        "name": a.name,
        "is_image": a.is_image,
        "url": reverse("api:notices_attachment", kwargs={"attachment_id": a.pk}),
    }


def _out(notice, *, is_read: bool) -> dict:
    return {
        "id": notice.pk,
        "kind": notice.kind,
        "kind_label": str(notice.get_kind_display()),
        "title": notice.title,
        "body": notice.body,
        "status": notice.status,
        "status_label": str(notice.get_status_display()),
        "place": {"id": notice.place_id, "name": notice.place.name},
        "important": notice.important,
        "pinned": notice.pinned,
        "disclosure_ends_on": notice.disclosure_ends_on,
        "objections_open": notice.objections_open(),
        "link": notice.link,
        "source_app": notice.source_app,
        "published_at": notice.published_at,
        "withdrawn_at": notice.withdrawn_at,
        "withdraw_reason": notice.withdraw_reason,
        "is_read": is_read,
        # Prefetched on lists: one query for the page's attachments.
        "attachments": [_attachment(a) for a in notice.attachments.all()],
    }


def _managed(notice) -> dict:
    return {
        **_out(notice, is_read=False),
        "privacy": notice.privacy,
        "consent_note": notice.consent_note,
        "created_at": notice.created_at,
        "readers": notice.readers,
        "open_objections": notice.open_objections,
    }


def _found(user, notice_id):
    notice = queries.notice_for(user, notice_id)
    if notice is None:
        raise Http404
    return notice


def _one(user, notice_id) -> dict:
    notice = _found(user, notice_id)
    return _out(notice, is_read=queries.has_read(user, notice))


def _attachment_found(user, attachment_id) -> Attachment:
    attachment = queries.attachment_for(user, attachment_id)
    if attachment is None:
        raise Http404
    return attachment


def _objection(user, objection, publisher: bool) -> dict:
    mine = objection.author_id == user.pk
    return {
        "id": objection.pk,
        "notice": objection.notice_id,
        "text": objection.text,
        "author": objection.author.name if publisher or mine else "",
        "mine": mine,
        "created_at": objection.created_at,
        "answer": objection.answer,
        "answered_at": objection.answered_at,
    }


# --- Reading -------------------------------------------------------------------------------------


@router.get(
    "",
    response={200: list[NoticeOut], **ERRORS},
    summary="The notice board",
    description="The published notices reaching the caller: those of the scopes holding their "
    "home, and of their staff scope (the scopes holding it and inside it). Unread first, then "
    "pinned, then newest; by `kind`, or only the `unread` ones. Capped.",
)
@paginate(CappedLimitOffset)
def board(request, filters: Query[NoticeBoardFilter]):
    qs = queries.board(
        request.user, kind=filters.kind or "", unread_only=filters.unread
    ).prefetch_related("attachments")
    return Listing(qs, lambda rows: [_out(n, is_read=n.is_read) for n in rows])


@router.get(
    "/manage",
    response={200: list[NoticeManagedOut], **ERRORS},
    summary="The publishers' list",
    description="Every notice of the scopes the caller publishes in, drafts and withdrawn ones "
    "included, with read and open-objection counts; by `status` and `kind`. Empty for those "
    "who publish nowhere. Capped.",
)
@paginate(CappedLimitOffset)
def manage(request, filters: Query[NoticeManageFilter]):
    qs = queries.managed(
        request.user, status=filters.status or "", kind=filters.kind or ""
    ).prefetch_related("attachments")
    return Listing(qs, lambda rows: [_managed(n) for n in rows])


@router.get(
    "/{int:notice_id}",
    response={200: NoticeOut, **ERRORS},
    summary="One notice (records the read receipt)",
    description="Opening a published notice records the caller's read receipt, as the page "
    "does (once: the first opening counts)." + UNSEEN,
)
def get_notice(request, notice_id: int):
    user = request.user
    notice = _found(user, notice_id)
    services.mark_read(user=user, notice=notice)
    return _out(notice, is_read=queries.has_read(user, notice))


@router.post(
    "/{int:notice_id}/read",
    response={200: NoticeReadOut, **ERRORS},
    summary="Confirm reading a notice",
    description="The read receipt without fetching the notice; `new` is false when it was "
    "read before (or is not published)." + UNSEEN,
)
def read_notice(request, notice_id: int):
    user = request.user
    notice = _found(user, notice_id)
    new = services.mark_read(user=user, notice=notice)
    return {"id": notice.pk, "is_read": queries.has_read(user, notice), "new": new}


# --- Writing -------------------------------------------------------------------------------------


@router.post(
    "",
    response={201: NoticeOut, **ERRORS},
    summary="Write a notice (a draft, or published at once)",
    description="By the handlers of `place` (the three heads, grid workers, community staff, "
    "the subdistrict; 403 elsewhere). With `publish`, the privacy guard and the disclosure "
    "date are checked at once. 422 `place`, `kind`, `title`, `body`, `disclosure_ends_on` "
    "(required for a 公示, not in the past), `privacy` (required for good deeds and uncivil "
    "behaviour), `consent_note`, and `title`/`body` when the text names a resident of the "
    "scope or carries a phone or identity number without their consent.",
)
def create_notice(request, payload: NoticeIn):
    user = request.user
    data = payload.model_dump()
    notice = services.create_notice(user=user, place_id=data.pop("place"), **data)
    return Status(201, _one(user, notice.pk))


def _update(request, notice_id: int, payload: NoticePatch):
    user = request.user
    notice = _found(user, notice_id)
    current = {
        "kind": notice.kind,
        "title": notice.title,
        "body": notice.body,
        "important": notice.important,
        "disclosure_ends_on": notice.disclosure_ends_on,
        "privacy": notice.privacy,
        "consent_note": notice.consent_note,
        "link": notice.link,
    }
    sent = {k: v for k, v in payload.model_dump(exclude_unset=True).items()}
    # A null for a text or a flag means "leave it"; a null date clears it.
    sent = {k: v for k, v in sent.items() if v is not None or k == "disclosure_ends_on"}
    services.update_notice(user=user, notice_id=notice.pk, **{**current, **sent})
    return _one(user, notice.pk)


@router.patch(
    "/{int:notice_id}",
    response={200: NoticeOut, **ERRORS},
    summary="Correct a notice",
    description="Only the fields sent change. A published notice is corrected in place (the "
    "audit keeps the old text) and checked again by the privacy guard. 403 for readers who "
    "do not publish there; 409 `withdrawn`, `result` (a result is corrected in its own "
    "module); 422 as for writing." + UNSEEN,
)
def update_notice(request, notice_id: int, payload: NoticePatch):
    return _update(request, notice_id, payload)


@router.post(
    "/{int:notice_id}/publish",
    response={200: NoticeOut, **ERRORS},
    summary="Publish a draft",
    description="The privacy guard and the disclosure date are checked (422 naming the "
    "field); an important notice tells its residents. 409 `not_draft` when it is published "
    "or withdrawn already (also to the second of two publishers at once)." + UNSEEN,
)
def publish_notice(request, notice_id: int):
    user = request.user
    _found(user, notice_id)
    services.publish_notice(user=user, notice_id=notice_id)
    return _one(user, notice_id)


@router.post(
    "/{int:notice_id}/pin",
    response={200: NoticeOut, **ERRORS},
    summary="Pin or unpin a notice",
    description="Pinned notices stay at the top of the board (after the unread ones). 403 "
    "for readers who do not publish there." + UNSEEN,
)
def pin_notice(request, notice_id: int, payload: NoticePinIn):
    user = request.user
    _found(user, notice_id)
    services.set_pinned(user=user, notice_id=notice_id, pinned=payload.pinned)
    return _one(user, notice_id)


@router.post(
    "/{int:notice_id}/withdraw",
    response={200: NoticeOut, **ERRORS},
    summary="Withdraw a notice",
    description="Taken off the board (a mistake, a consent withdrawn); its record stays. 409 "
    "`withdrawn` when it was already; 422 `reason`." + UNSEEN,
)
def withdraw_notice(request, notice_id: int, payload: NoticeWithdrawIn):
    user = request.user
    _found(user, notice_id)
    services.withdraw_notice(user=user, notice_id=notice_id, reason=payload.reason)
    return _one(user, notice_id)


# --- Attachments ---------------------------------------------------------------------------------


@router.post(
    "/{int:notice_id}/attachments",
    response={201: NoticeAttachmentOut, **ERRORS},
    summary="Attach a file",
    description="Multipart `file`: a PDF, an image (re-encoded, EXIF location removed), a "
    "Word or Excel file or text, up to 10 MB; at most 9 per notice. 422 `file`; 409 "
    "`withdrawn`." + UNSEEN,
)
def add_attachment(request, notice_id: int, file: File[UploadedFile] = None):
    user = request.user
    _found(user, notice_id)
    attachment = services.add_attachment(user=user, notice_id=notice_id, upload=file)
    return Status(201, _attachment(attachment))


@router.get(
    "/attachments/{int:attachment_id}",
    response={200: None, **ERRORS},
    summary="An attachment",
    description="The file, for those who may read its notice, with the uploads' safe headers "
    "(images open in the browser, anything else downloads); 404 otherwise.",
    url_name="notices_attachment",
    openapi_extra={
        "responses": {
            # An int, to merge into ninja's own 200 rather than stand beside it as "200".
            200: {"description": "The file, typed by its stored extension", "content": FILE_TYPES}
        }
    },
)
def attachment(request, attachment_id: int):
    return private_download(_attachment_found(request.user, attachment_id).file)


@router.delete(
    "/attachments/{int:attachment_id}",
    response={204: None, **ERRORS},
    summary="Remove an attachment",
    description="By the publishers of its notice's scope; 403 for readers, 404 for others.",
)
def remove_attachment(request, attachment_id: int):
    user = request.user
    _attachment_found(user, attachment_id)
    services.remove_attachment(user=user, attachment_id=attachment_id)
    return Status(204, None)


# --- Objections (公示异议) and coverage -----------------------------------------------------------


@router.get(
    "/{int:notice_id}/objections",
    response={200: list[NoticeObjectionOut], **ERRORS},
    summary="Objections to a public notice",
    description="The publishers see every objection with its author; a resident sees their "
    "own. Oldest first." + UNSEEN,
)
def list_objections(request, notice_id: int):
    user = request.user
    notice = _found(user, notice_id)
    publisher = rules.can_publish(user, notice)
    return [_objection(user, o, publisher) for o in queries.objections(user, notice)]


@router.post(
    "/{int:notice_id}/objections",
    response={201: NoticeObjectionOut, **ERRORS},
    summary="Object to a public notice (公示异议)",
    description="By a resident whose home lies in the notice's scope, while its disclosure "
    "period runs (409 `closed` after it, `not_disclosure` on other kinds); 403 for readers "
    "who do not live there; 422 `text`. Its publisher is told." + UNSEEN,
)
def raise_objection(request, notice_id: int, payload: NoticeObjectionIn):
    user = request.user
    _found(user, notice_id)
    objection = services.raise_objection(user=user, notice_id=notice_id, text=payload.text)
    return Status(201, _objection(user, objection, publisher=False))


@router.post(
    "/objections/{int:objection_id}/answer",
    response={200: NoticeObjectionOut, **ERRORS},
    summary="Answer an objection",
    description="By the publishers of the notice's scope; the objector is told. 403 for "
    "readers of the notice, 404 for others; 422 `answer`.",
)
def answer_objection(request, objection_id: int, payload: NoticeAnswerIn):
    user = request.user
    if queries.objection_for(user, objection_id) is None:
        raise Http404
    objection = services.answer_objection(
        user=user, objection_id=objection_id, answer=payload.answer
    )
    return _objection(user, objection, publisher=True)


@router.get(
    "/{int:notice_id}/coverage",
    response={200: NoticeCoverageOut, **ERRORS},
    summary="Read coverage, building by building",
    description="For the publishers of the notice's scope: per building, its households and "
    "those where someone opened the notice (households, not people), least covered first. "
    "403 for readers." + UNSEEN,
)
def coverage(request, notice_id: int):
    user = request.user
    notice = _found(user, notice_id)
    rules.require(rules.can_publish(user, notice))
    rows = queries.coverage(notice)
    return {
        "notice": notice.pk,
        "important": notice.important,
        "total": queries.coverage_total(rows),
        "buildings": [
            {
                "building_id": r["building"].pk,
                "building": r["building"].name,
                "households": r["households"],
                "read": r["read"],
                "percent": r["percent"],
            }
            for r in rows
        ],
    }
