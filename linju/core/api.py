"""/me (profile, personal data, notifications, API tokens) and /audit."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from linju.people.models import ResidencyStatus, RoleGrant
from linju.people.queries import my_residencies
from linju.people.roles import Role
from linju.people.services import export_personal_data
from linju.places.queries import household_label

from . import access, notifications, tokens
from .api_support import ERRORS, CappedLimitOffset, LimitOffset
from .errors import Forbidden, Invalid
from .models import ApiToken, AuditEvent, Notification
from .schemas import (
    AuditEventOut,
    MarkedOut,
    MarkReadIn,
    MeOut,
    NotificationOut,
    Text,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
)

router = Router(tags=["me"])


@router.get("/me", response={200: MeOut, **ERRORS}, summary="My profile, roles and households")
def me(request):
    user = request.user
    roles: dict[str, list[dict]] = {}
    grants = RoleGrant.objects.filter(user=user, revoked_at__isnull=True).select_related(
        "place", "grid"
    )
    for g in grants.order_by("role", "pk"):
        scope = (
            {"type": "place", "id": g.place_id, "name": g.place.name}
            if g.place_id
            else {"type": "grid", "id": g.grid_id, "name": g.grid.name}
        )
        roles.setdefault(g.role, []).append(scope)
    households = []
    for r in my_residencies(user).filter(status=ResidencyStatus.VERIFIED):
        scope = {"type": "household", "id": r.household_id, "name": household_label(r.household)}
        roles.setdefault(Role.RESIDENT.value, []).append(scope)
        if r.is_owner:
            roles.setdefault(Role.OWNER.value, []).append(scope)
        households.append({"id": r.household_id, "label": scope["name"], "relation": r.relation})
    return {
        "id": user.pk,
        "mobile": user.mobile,
        "name": user.name,
        "email": user.email,
        "language": user.language,
        "elder_mode": user.elder_mode,
        "privacy_consent_at": user.privacy_consent_at,
        "unread_notifications": notifications.unread_count(user),
        "roles": [
            {"role": role, "label": str(Role(role).label), "scopes": scopes}
            for role, scopes in roles.items()
        ],
        "households": households,
    }


@router.get("/me/data", response={200: dict, **ERRORS}, summary="Download my data (PIPL)")
def my_data(request):
    """Everything Linju holds about the caller, as one JSON document."""
    return export_personal_data(user=request.user)


class NotificationFilter(Schema):
    unread: bool | None = Field(None, description="`true`: only unread; `false`: only read.")


@router.get(
    "/me/notifications", response={200: list[NotificationOut], **ERRORS}, summary="My inbox"
)
@paginate(LimitOffset)
def my_notifications(request, filters: Query[NotificationFilter]):
    qs = Notification.objects.filter(recipient=request.user)
    if filters.unread is not None:
        qs = qs.filter(read_at__isnull=filters.unread)
    return qs


@router.post(
    "/me/notifications/read",
    response={200: MarkedOut, **ERRORS},
    summary="Mark notifications read",
)
def mark_read(request, payload: MarkReadIn):
    """Send `{"ids": [..]}` or `{"all": true}`."""
    if payload.all == (payload.ids is not None):
        raise Invalid({"ids": _("Send either the ids to mark read or all: true.")})
    ids = None if payload.all else payload.ids
    return {"marked": notifications.mark_read(user=request.user, ids=ids)}


@router.get("/me/tokens", response={200: list[TokenOut], **ERRORS}, summary="My API tokens")
@paginate(LimitOffset)
def list_tokens(request):
    return ApiToken.objects.filter(user=request.user)


@router.post("/me/tokens", response={201: TokenCreatedOut, **ERRORS}, summary="Create an API token")
def create_token(request, payload: TokenIn):
    token, key = tokens.create_token(user=request.user, name=payload.name)
    token.key = key
    return Status(201, token)


@router.delete(
    "/me/tokens/{token_id}", response={200: TokenOut, **ERRORS}, summary="Revoke an API token"
)
def revoke_token(request, token_id: int):
    get_object_or_404(ApiToken, user=request.user, pk=token_id)
    return tokens.revoke_token(user=request.user, token_id=token_id)


class AuditFilter(Schema):
    actor: int | None = Field(None, description="Id of the user who acted.")
    verb: Text | None = Field(None, description="Exact action, e.g. `role.grant`.")
    object_type: Text | None = Field(None, description="e.g. `people.residency`.")
    object_id: Text | None = Field(None, description="Id of the object (needs object_type).")


@router.get(
    "/audit",
    response={200: list[AuditEventOut], **ERRORS},
    tags=["audit"],
    summary="Audit log of my scope",
)
@paginate(CappedLimitOffset)
def audit_log(request, filters: Query[AuditFilter]):
    """Newest first. Needs an audit-viewing role; shows events inside its scope only. The count
    stops at 2,000 (`capped`): a subdistrict's log holds hundreds of thousands of events."""
    if not access.has_anywhere(request.user, "core.view_audit"):
        raise Forbidden(_("You may not view the audit log."))
    qs = access.filter_queryset(
        request.user,
        "core.view_audit",
        AuditEvent.objects.select_related("actor"),
        field="scope_path",
    )
    if filters.actor is not None:
        qs = qs.filter(actor_id=filters.actor)
    if filters.verb:
        qs = qs.filter(verb=filters.verb)
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.object_id:
        qs = qs.filter(object_id=filters.object_id)
    return qs
