"""/api/v1/mutualaid: the wish wall (心愿墙, seed 002) — the wall, posting a need or an offer,
claiming, releasing, fulfilling with thanks, withdrawing, flagging (举报) — and the moderators'
queues (flagged wishes, wishes left unclaimed). Writes go through services, reads through
queries and rules."""

from django.http import Http404
from ninja import Query, Router, Status
from ninja.pagination import paginate

from linju.core.api_support import ERRORS, LimitOffset, Rows

from . import queries, rules, services
from .api_sharing import router as sharing_router
from .schemas import (
    MutualAidFlaggedOut,
    MutualAidFlagIn,
    MutualAidFlagOut,
    MutualAidFulfilIn,
    MutualAidModerateIn,
    MutualAidPostIn,
    MutualAidPostOut,
    MutualAidReleaseIn,
    MutualAidUnclaimedFilter,
    MutualAidWallFilter,
)

router = Router(tags=["mutualaid: wish wall"])


def _shape(viewer, post, labels) -> dict:
    return {
        "id": post.pk,
        "kind": post.kind,
        "kind_label": str(post.get_kind_display()),
        "title": post.title,
        "body": post.body,
        "status": post.status,
        "status_label": str(post.get_status_display()),
        "visibility": post.visibility,
        "place": {"id": post.place_id, "name": post.place.name},
        "poster": labels.get(post.poster_id, ""),
        "claimant": labels.get(post.claimant_id) if post.claimant_id else None,
        "thanks": post.thanks,
        "mine": post.poster_id == viewer.pk,
        "claimed_by_me": post.claimant_id == viewer.pk,
        "created_at": post.created_at,
        "claimed_at": post.claimed_at,
        "fulfilled_at": post.fulfilled_at,
    }


class _Page(Rows):
    """A page of posts whose names are looked up once for the whole page."""

    def __init__(self, viewer, queryset, extra=None):
        super().__init__(queryset, None)
        self.viewer, self.extra = viewer, extra

    def __getitem__(self, page: slice):
        posts = list(self.queryset[page])
        labels = queries.names(self.viewer, posts)
        rows = []
        for p in posts:
            row = _shape(self.viewer, p, labels)
            if self.extra:
                row.update(self.extra(p))
            rows.append(row)
        return rows


def _one(viewer, post_id) -> dict:
    post = queries.post_for(viewer, post_id)
    if post is None:
        raise Http404
    return _shape(viewer, post, queries.names(viewer, [post]))


@router.get(
    "/posts",
    response={200: list[MutualAidPostOut], **ERRORS},
    summary="The wish wall",
    description="Needs and offers of the communities I live in and of my staff scope, mine "
    "and those I claimed; by `kind` and `status`. Names masked except between the two "
    "parties of a claim.",
)
@paginate(LimitOffset)
def wall(request, filters: Query[MutualAidWallFilter]):
    qs = queries.wall(request.user, kind=filters.kind or "", status=filters.status or "")
    return _Page(request.user, qs)


@router.post(
    "/posts",
    response={201: MutualAidPostOut, **ERRORS},
    summary="Post a need or an offer",
    description="On the wall of the community I live in (`place`: which, when I have homes in "
    "several). 409 `no_home` before my home is verified; 422 `kind`, `title`, `body`, `place`.",
)
def create_post(request, payload: MutualAidPostIn):
    post = services.create_post(
        user=request.user,
        kind=payload.kind,
        title=payload.title,
        body=payload.body,
        place_id=payload.place,
    )
    return Status(201, _one(request.user, post.pk))


@router.get(
    "/posts/{int:post_id}",
    response={200: MutualAidPostOut, **ERRORS},
    summary="One wish",
    description="404 for a wish the caller may not see.",
)
def get_post(request, post_id: int):
    return _one(request.user, post_id)


@router.post(
    "/posts/{int:post_id}/claim",
    response={200: MutualAidPostOut, **ERRORS},
    summary="Claim a wish",
    description="One claimant at a time: 409 `taken` when someone was first; 403 on my own.",
)
def claim(request, post_id: int):
    services.claim_post(user=request.user, post_id=post_id)
    return _one(request.user, post_id)


@router.post(
    "/posts/{int:post_id}/release",
    response={200: MutualAidPostOut, **ERRORS},
    summary="Release a claim",
    description="The poster, or the claimant stepping back. 409 `not_claimed`; 422 `reason`.",
)
def release(request, post_id: int, payload: MutualAidReleaseIn):
    services.release_claim(user=request.user, post_id=post_id, reason=payload.reason)
    return _one(request.user, post_id)


@router.post(
    "/posts/{int:post_id}/fulfil",
    response={200: MutualAidPostOut, **ERRORS},
    summary="Mark fulfilled, with thanks",
    description="The poster only; the thank-you note shows on the wish. 409 `not_claimed`; "
    "422 `thanks`.",
)
def fulfil(request, post_id: int, payload: MutualAidFulfilIn):
    services.fulfil_post(user=request.user, post_id=post_id, thanks=payload.thanks)
    return _one(request.user, post_id)


@router.post(
    "/posts/{int:post_id}/withdraw",
    response={200: MutualAidPostOut, **ERRORS},
    summary="Withdraw a wish",
    description="The poster, while nobody holds a claim. 409 `not_open`.",
)
def withdraw(request, post_id: int):
    services.withdraw_post(user=request.user, post_id=post_id)
    return _one(request.user, post_id)


@router.post(
    "/posts/{int:post_id}/flag",
    response={201: MutualAidFlagOut, **ERRORS},
    summary="Flag an abusive wish",
    description="Once per person (409 `flagged`); enough flags hide it until staff decide. "
    "422 `reason`.",
)
def flag(request, post_id: int, payload: MutualAidFlagIn):
    f = services.flag_post(user=request.user, post_id=post_id, reason=payload.reason)
    return Status(
        201, {"id": f.pk, "post": f.post_id, "reason": f.reason, "created_at": f.created_at}
    )


@router.post(
    "/posts/{int:post_id}/moderate",
    response={200: MutualAidPostOut, **ERRORS},
    summary="Moderate a wish",
    description="Handlers of the scope: `hide`, `restore` (shown, flags dismissed) or "
    "`dismiss` (flags dismissed). 422 `action`, `note`.",
)
def moderate(request, post_id: int, payload: MutualAidModerateIn):
    services.moderate_post(
        user=request.user, post_id=post_id, action=payload.action, note=payload.note
    )
    return _one(request.user, post_id)


@router.get(
    "/desk/flagged",
    response={200: list[MutualAidFlaggedOut], **ERRORS},
    summary="Flagged wishes",
    description="For the handlers of a scope: its wishes with open flags or hidden; empty for "
    "anyone else.",
)
@paginate(LimitOffset)
def desk_flagged(request):
    return _Page(
        request.user, queries.flagged(request.user), lambda p: {"open_flags": p.open_flags}
    )


@router.get(
    "/desk/unclaimed",
    response={200: list[MutualAidPostOut], **ERRORS},
    summary="Wishes left unclaimed",
    description="For the handlers of a scope: its open wishes posted more than `days` days ago "
    "(default LINJU_MUTUALAID_UNCLAIMED_DAYS, 7), oldest first; empty for anyone else.",
)
@paginate(LimitOffset)
def desk_unclaimed(request, filters: Query[MutualAidUnclaimedFilter]):
    return _Page(request.user, queries.unclaimed(request.user, days=filters.days))


# Sharing and the book corner: fixed paths (/items…) never meet the wishes' ones.
router.add_router("", sharing_router)

__all__ = ["router", "rules"]
