"""Reads of the wish wall (心愿墙): the wall a person sees (their communities' shown wishes,
the staff's scope, their own whatever their state), one wish, the moderators' queue of flagged
wishes and the wishes left unclaimed too long (staff help with those), and the names shown
(masked, except between the two parties of a claim)."""

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from linju.core import access
from linju.core.masking import mask_name
from linju.people.queries import person_labels

from . import rules
from .models import Post, PostStatus, Visibility


def _base():
    return Post.objects.select_related("poster", "claimant", "place")


def wall(user, *, kind: str = "", status: str = ""):
    """Wishes the user may see: shown ones of their communities and their staff scope, their
    own and those they claimed, and everything of the scope they moderate."""
    homes = rules.community_paths(user)
    shown = access.scope(user, "mutualaid.view").q("path")
    for community in homes:
        shown |= Q(path__startswith=community)
    q = (Q(visibility=Visibility.SHOWN) & shown) | access.scope(user, "mutualaid.moderate").q(
        "path"
    )
    if getattr(user, "pk", None):
        q |= Q(poster=user) | Q(claimant=user)
    qs = _base().filter(q)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def post_for(user, post_id: int):
    post = _base().filter(pk=post_id).first()
    if post is None or not rules.can_see(user, post):
        return None
    return post


def flagged(user):
    """The moderators' queue: posts of their scope with open flags, or hidden."""
    qs = access.filter_queryset(user, "mutualaid.moderate", _base())
    qs = qs.annotate(open_flags=Count("flags", filter=Q(flags__dismissed_at__isnull=True)))
    return qs.filter(Q(open_flags__gt=0) | ~Q(visibility=Visibility.SHOWN)).order_by(
        "-open_flags", "-created_at", "-id"
    )


def unclaimed(user, *, days: int | None = None):
    """Open wishes of the moderator's scope posted more than `days` days ago (default
    LINJU_MUTUALAID_UNCLAIMED_DAYS): staff help with these."""
    days = rules.unclaimed_days() if days is None else days
    before = timezone.now() - timedelta(days=days)
    qs = access.filter_queryset(user, "mutualaid.moderate", _base())
    return qs.filter(
        status=PostStatus.OPEN, visibility=Visibility.SHOWN, created_at__lte=before
    ).order_by("created_at", "id")


def names(viewer, posts) -> dict[int, str]:
    """Person id → name as `viewer` sees it: in full between the two parties of a claim (and to
    the handlers who may see personal data), masked (张*明) to the other neighbours."""
    posts = list(posts)
    people = {}
    for p in posts:
        people[p.poster_id] = p.poster
        if p.claimant_id:
            people[p.claimant_id] = p.claimant
    labels = {pk: name for pk, (name, _m) in person_labels(viewer, people.values()).items()}
    for p in posts:
        if rules.is_party(viewer, p):
            labels[p.poster_id] = p.poster.name
            if p.claimant_id:
                labels[p.claimant_id] = p.claimant.name
    return labels


def party_names(viewer, post) -> tuple[str, str]:
    """(poster, claimant) names for one post as `viewer` sees them."""
    labels = names(viewer, [post])
    poster = labels.get(post.poster_id) or mask_name(post.poster.name)
    claimant = labels.get(post.claimant_id, "") if post.claimant_id else ""
    return poster, claimant


def desk_counts(user):
    if not rules.may_use_desk(user):
        return None
    from .queries_sharing import flagged_items

    return {
        "flagged": flagged(user).count() + flagged_items(user).count(),
        "unclaimed": unclaimed(user).count(),
    }
