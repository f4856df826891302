"""Every write of the wish wall (心愿墙, seed 002: 心愿墙等邻里互助平台): post a need or an
offer, claim it (one claimant at a time), release a claim, mark it fulfilled with thanks,
withdraw it; flag an abusive post (举报) and moderate the flags. Each function is one
transaction, checks its permission inside, records its audit event and notifies after commit
(core.notifications)."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.core import audit
from linju.core.errors import Conflict, Invalid, NotFound
from linju.core.notifications import notify

from . import rules
from .models import Flag, Post, PostKind, PostStatus, Visibility

KIND = "mutualaid.wish"


def _text(value, field, *, required, limit):
    value = (value or "").strip()
    if "\x00" in value:
        raise Invalid({field: _("This text holds a character that cannot be stored.")})
    if required and not value:
        raise Invalid({field: _("This field is required.")})
    if len(value) > limit:
        raise Invalid({field: _("At most %(n)d characters.") % {"n": limit}})
    return value


def _locked(user, post_id) -> Post:
    """The post, locked; 404 to whoever may not see it (its existence is not revealed)."""
    post = Post.objects.select_for_update().filter(pk=post_id).first()
    if post is None or not rules.can_see(user, post):
        raise NotFound(_("Not found."))
    return post


def _url(post) -> str:
    return reverse("mutualaid:post", args=[post.pk])


def _tell(post, recipients, title) -> None:
    notify(recipients=recipients, kind=KIND, title=title, body=post.title, url=_url(post))


def create_post(*, user, kind: str, title: str, body: str = "", place_id=None) -> Post:
    """Post a need or an offer on the wall of the community the poster lives in (`place_id`:
    which community, for a person with homes in several)."""
    with transaction.atomic():
        if kind not in PostKind.values:
            raise Invalid({"kind": _("Choose a need or an offer.")})
        title = _text(title, "title", required=True, limit=100)
        body = _text(body, "body", required=False, limit=2000)
        place = rules.home_place(
            user,
            place_id,
            no_home=_("Your home must be verified before you post on the wish wall."),
        )
        path = place.path
        post = Post.objects.create(
            place=place, path=path, kind=kind, title=title, body=body, poster=user
        )
        audit.record(actor=user, verb="mutualaid.post", obj=post, data={"kind": kind})
        return post


def claim_post(*, user, post_id: int) -> Post:
    """A neighbour (or a member of staff helping) takes the wish on. The update only succeeds on
    an open row, so of two claims at once one wins and the other gets 409 `taken`."""
    with transaction.atomic():
        post = _locked(user, post_id)
        rules.require(post.poster_id != user.pk, _("You cannot claim your own wish."))
        if post.status != PostStatus.OPEN:
            raise Conflict(_("Someone has already claimed this wish."), code="taken")
        now = timezone.now()
        won = Post.objects.filter(pk=post.pk, status=PostStatus.OPEN).update(
            status=PostStatus.CLAIMED, claimant=user, claimed_at=now
        )
        if not won:
            raise Conflict(_("Someone has already claimed this wish."), code="taken")
        post.refresh_from_db()
        audit.record(actor=user, verb="mutualaid.claim", obj=post)
        _tell(post, [post.poster_id], _("A neighbour claimed your wish"))
        return post


def release_claim(*, user, post_id: int, reason: str = "") -> Post:
    """The poster (or the claimant, stepping back) frees the wish for someone else."""
    with transaction.atomic():
        post = _locked(user, post_id)
        rules.require(rules.is_party(user, post))
        reason = _text(reason, "reason", required=False, limit=300)
        if post.status != PostStatus.CLAIMED:
            raise Conflict(_("This wish is not claimed."), code="not_claimed")
        claimant_id = post.claimant_id
        post.status, post.claimant, post.claimed_at = PostStatus.OPEN, None, None
        post.save(update_fields=["status", "claimant", "claimed_at"])
        audit.record(
            actor=user,
            verb="mutualaid.release",
            obj=post,
            data={"claimant": claimant_id, "reason": reason},
        )
        other = claimant_id if user.pk == post.poster_id else post.poster_id
        _tell(post, [other], _("A claim on a wish was released"))
        return post


def fulfil_post(*, user, post_id: int, thanks: str = "") -> Post:
    """The poster marks the wish fulfilled and thanks the claimant (the note shows on it)."""
    with transaction.atomic():
        post = _locked(user, post_id)
        rules.require(post.poster_id == user.pk, _("Only the poster marks a wish fulfilled."))
        thanks = _text(thanks, "thanks", required=False, limit=300)
        if post.status != PostStatus.CLAIMED:
            raise Conflict(_("Only a claimed wish can be fulfilled."), code="not_claimed")
        post.status, post.fulfilled_at, post.thanks = PostStatus.FULFILLED, timezone.now(), thanks
        post.save(update_fields=["status", "fulfilled_at", "thanks"])
        audit.record(
            actor=user, verb="mutualaid.fulfil", obj=post, data={"claimant": post.claimant_id}
        )
        _tell(post, [post.claimant_id], _("Your neighbour thanks you"))
        return post


def withdraw_post(*, user, post_id: int) -> Post:
    """The poster takes back a wish nobody has claimed (or released)."""
    with transaction.atomic():
        post = _locked(user, post_id)
        rules.require(post.poster_id == user.pk, _("Only the poster withdraws a wish."))
        if post.status != PostStatus.OPEN:
            raise Conflict(_("Only an open wish can be withdrawn."), code="not_open")
        post.status = PostStatus.WITHDRAWN
        post.save(update_fields=["status"])
        audit.record(actor=user, verb="mutualaid.withdraw", obj=post)
        return post


def flag_post(*, user, post_id: int, reason: str) -> Flag:
    """举报: anyone who sees the post flags it once; at LINJU_MUTUALAID_FLAGS_TO_HIDE open flags
    from distinct people the post hides itself until staff decide."""
    with transaction.atomic():
        post = _locked(user, post_id)
        reason = _text(reason, "reason", required=True, limit=300)
        if Flag.objects.filter(post=post, user=user).exists():
            raise Conflict(_("You have already flagged this post."), code="flagged")
        try:
            with transaction.atomic():
                flag = Flag.objects.create(post=post, user=user, reason=reason)
        except IntegrityError:  # the unique constraint, if a second request slipped past
            raise Conflict(_("You have already flagged this post."), code="flagged") from None
        open_flags = Flag.objects.filter(post=post, dismissed_at__isnull=True).count()
        hidden = False
        if post.visibility == Visibility.SHOWN and open_flags >= rules.flags_to_hide():
            post.visibility = Visibility.FLAGGED
            post.save(update_fields=["visibility"])
            hidden = True
        audit.record(
            actor=user,
            verb="mutualaid.flag",
            obj=post,
            data={"flags": open_flags, "hidden": hidden},
        )
        return flag


MODERATIONS = ("hide", "restore", "dismiss")


def moderate_post(*, user, post_id: int, action: str, note: str = "") -> Post:
    """Staff of the scope decide: `hide` (kept from the neighbours), `restore` (shown again,
    its flags dismissed) or `dismiss` (the open flags dismissed, the staff's hiding kept)."""
    with transaction.atomic():
        post = _locked(user, post_id)
        rules.require(rules.can_moderate(user, post))
        if action not in MODERATIONS:
            raise Invalid({"action": _("Choose hide, restore or dismiss.")})
        note = _text(note, "note", required=False, limit=300)
        now = timezone.now()
        dismissed = 0
        if action == "hide":
            post.visibility = Visibility.HIDDEN
        else:
            dismissed = Flag.objects.filter(post=post, dismissed_at__isnull=True).update(
                dismissed_at=now
            )
            if action == "restore" or post.visibility == Visibility.FLAGGED:
                post.visibility = Visibility.SHOWN
        post.save(update_fields=["visibility"])
        audit.record(
            actor=user,
            verb=f"mutualaid.{action}",
            obj=post,
            data={"note": note, "dismissed": dismissed, "visibility": post.visibility},
        )
        return post
