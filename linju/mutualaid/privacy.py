"""PIPL hooks of the wish wall (心愿墙): a person's posts, claims and flags in their data
download; on account deletion their open wishes are withdrawn and the text they wrote cleared,
while the claims others made on them keep their record."""

from .models import ACTIVE_LOAN, Flag, Item, ItemFlag, ItemStatus, Loan, Post, PostStatus


def export(user) -> dict:
    return {
        "posts": [
            {
                "kind": p.kind,
                "title": p.title,
                "body": p.body,
                "status": p.status,
                "thanks": p.thanks,
                "created_at": p.created_at.isoformat(),
            }
            for p in Post.objects.filter(poster=user).order_by("pk")
        ],
        "claims": [
            {"title": p.title, "status": p.status, "thanks": p.thanks}
            for p in Post.objects.filter(claimant=user).order_by("pk")
        ],
        "flags": [
            {"post": f.post_id, "reason": f.reason, "created_at": f.created_at.isoformat()}
            for f in Flag.objects.filter(user=user).order_by("pk")
        ],
        "items": [
            {"kind": i.kind, "title": i.title, "description": i.description, "status": i.status}
            for i in Item.objects.filter(owner=user).order_by("pk")
        ],
        "loans": [
            {"item": loan.item.title, "status": loan.status}
            for loan in Loan.objects.filter(borrower=user).select_related("item").order_by("pk")
        ],
        "item_flags": [
            {"item": f.item_id, "reason": f.reason}
            for f in ItemFlag.objects.filter(user=user).order_by("pk")
        ],
    }


def erase(user) -> None:
    Post.objects.filter(poster=user, status=PostStatus.OPEN).update(status=PostStatus.WITHDRAWN)
    Post.objects.filter(poster=user).update(body="", thanks="")
    Flag.objects.filter(user=user).update(reason="")
    free = Item.objects.filter(owner=user, status=ItemStatus.AVAILABLE).exclude(
        loans__status__in=ACTIVE_LOAN
    )
    free.update(status=ItemStatus.WITHDRAWN)
    Item.objects.filter(owner=user).update(description="")
    ItemFlag.objects.filter(user=user).update(reason="")
