"""Personal API tokens for scripts (Authorization: Bearer <token>)."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .errors import Invalid
from .models import ApiToken

PREFIX = "lj_"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def create_token(*, user, name: str) -> tuple[ApiToken, str]:
    """Returns the token and its secret, which is shown once and never stored."""
    name = (name or "").strip()
    if not name:
        raise Invalid({"name": _("Give the token a name.")})
    if len(name) > 60:
        raise Invalid({"name": _("At most 60 characters.")})
    key = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:10], key_hash=_hash(key))
    audit.record(
        actor=user,
        verb="token.create",
        obj=token,
        scope_path="",
        data={"name": name, "prefix": token.prefix},
    )
    return token, key


@transaction.atomic
def revoke_token(*, user, token_id: int) -> ApiToken:
    token = ApiToken.objects.select_for_update().filter(user=user, pk=token_id).first()
    if token is None:
        raise Invalid({"token_id": _("No such token.")})
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=user, verb="token.revoke", obj=token, scope_path="")
    return token


def user_for_key(key: str):
    """The active user a token belongs to, or None."""
    if not key or not key.startswith(PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
