"""/api/v1/mutualaid/items: sharing (闲置共享) and the book corner (共享图书角) — the shelf,
offering an item, requesting it, the hand-over, the return, withdrawing, flagging and
moderating. Writes go through services_sharing, reads through queries_sharing."""

from django.http import Http404
from ninja import Query, Router, Status
from ninja.pagination import paginate

from linju.core.api_support import ERRORS, LimitOffset, Rows

from . import queries_sharing as queries
from . import services_sharing as services
from .schemas import (
    MutualAidFlaggedItemOut,
    MutualAidFlagIn,
    MutualAidFlagOut,
    MutualAidItemIn,
    MutualAidItemOut,
    MutualAidModerateIn,
    MutualAidShelfFilter,
)

router = Router(tags=["mutualaid: sharing and the book corner"])


def _shape(viewer, item, labels) -> dict:
    loan = queries.active_loan(item)
    return {
        "id": item.pk,
        "kind": item.kind,
        "kind_label": str(item.get_kind_display()),
        "title": item.title,
        "description": item.description,
        "status": item.status,
        "status_label": str(item.get_status_display()),
        "visibility": item.visibility,
        "place": {"id": item.place_id, "name": item.place.name},
        "owner": labels.get(item.owner_id, ""),
        "mine": item.owner_id == viewer.pk,
        "loan": None
        if loan is None
        else {
            "id": loan.pk,
            "borrower": labels.get(loan.borrower_id, ""),
            "borrowed_by_me": loan.borrower_id == viewer.pk,
            "status": loan.status,
            "requested_at": loan.requested_at,
            "handed_at": loan.handed_at,
        },
        "created_at": item.created_at,
    }


class _Page(Rows):
    def __init__(self, viewer, queryset, extra=None):
        super().__init__(queryset, None)
        self.viewer, self.extra = viewer, extra

    def __getitem__(self, page: slice):
        items = list(self.queryset[page])
        labels = queries.names(self.viewer, items)
        rows = []
        for it in items:
            row = _shape(self.viewer, it, labels)
            if self.extra:
                row.update(self.extra(it))
            rows.append(row)
        return rows


def _one(viewer, item_id) -> dict:
    item = queries.item_for(viewer, item_id)
    if item is None:
        raise Http404
    return _shape(viewer, item, queries.names(viewer, [item]))


@router.get(
    "/items",
    response={200: list[MutualAidItemOut], **ERRORS},
    summary="The sharing shelf",
    description="Items to lend, give away or swap and the books of the book corner, of the "
    "communities I live in and my staff scope, mine and those I hold; by `kind`.",
)
@paginate(LimitOffset)
def shelf(request, filters: Query[MutualAidShelfFilter]):
    return _Page(request.user, queries.shelf(request.user, kind=filters.kind or ""))


@router.post(
    "/items",
    response={201: MutualAidItemOut, **ERRORS},
    summary="Share an item",
    description="At the community I live in. 409 `no_home`; 422 `kind`, `title`, "
    "`description`, `place`.",
)
def create_item(request, payload: MutualAidItemIn):
    item = services.create_item(
        user=request.user,
        kind=payload.kind,
        title=payload.title,
        description=payload.description,
        place_id=payload.place,
    )
    return Status(201, _one(request.user, item.pk))


@router.get(
    "/items/{int:item_id}",
    response={200: MutualAidItemOut, **ERRORS},
    summary="One item",
    description="404 for an item the caller may not see.",
)
def get_item(request, item_id: int):
    return _one(request.user, item_id)


def _action(name, summary, description):
    fn = getattr(services, name)

    def view(request, item_id: int):
        fn(user=request.user, item_id=item_id)
        return _one(request.user, item_id)

    view.__name__ = f"item_{name}"
    path = "/items/{int:item_id}/" + name.split("_")[0].replace("hand", "hand-over")
    router.post(
        path,
        response={200: MutualAidItemOut, **ERRORS},
        summary=summary,
        description=description,
        operation_id=f"mutualaid_item_{name}",
    )(view)


_action("request_item", "Request an item", "Not my own (403); 409 `unavailable` while held.")
_action("cancel_request", "Call off a request", "The borrower or the owner. 409 `no_request`.")
_action("hand_over", "Hand the item over", "The owner. Given or swapped items are then gone.")
_action("return_item", "Return a lent item", "The borrower (or the owner). 409 `not_lent`.")
_action("withdraw_item", "Withdraw an item", "The owner, while free. 409 `not_available`.")


@router.post(
    "/items/{int:item_id}/flag",
    response={201: MutualAidFlagOut, **ERRORS},
    summary="Flag an item",
    description="Once per person (409 `flagged`); enough flags hide it. 422 `reason`.",
)
def flag_item(request, item_id: int, payload: MutualAidFlagIn):
    f = services.flag_item(user=request.user, item_id=item_id, reason=payload.reason)
    return Status(
        201, {"id": f.pk, "post": f.item_id, "reason": f.reason, "created_at": f.created_at}
    )


@router.post(
    "/items/{int:item_id}/moderate",
    response={200: MutualAidItemOut, **ERRORS},
    summary="Moderate an item",
    description="Handlers of the scope: `hide`, `restore` or `dismiss`. 422 `action`, `note`.",
)
def moderate_item(request, item_id: int, payload: MutualAidModerateIn):
    services.moderate_item(
        user=request.user, item_id=item_id, action=payload.action, note=payload.note
    )
    return _one(request.user, item_id)


@router.get(
    "/desk/flagged-items",
    response={200: list[MutualAidFlaggedItemOut], **ERRORS},
    summary="Flagged items",
    description="For the handlers of a scope: its items with open flags or hidden.",
)
@paginate(LimitOffset)
def desk_flagged_items(request):
    return _Page(
        request.user,
        queries.flagged_items(request.user),
        lambda it: {"open_flags": it.open_flags},
    )
