"""Writes about people: sign-up and one-time codes, residencies and their verification (seed 002:
households are verified by the unit head, building head or grid worker), role grants, consent,
and the resident's own data (PIPL: download and delete)."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.core import access, audit, privacy
from linju.core.errors import Conflict, Forbidden, Invalid
from linju.core.net import client_key
from linju.core.notifications import notify
from linju.places.codes import normalise_invite_code
from linju.places.models import Grid, Household, Place, PlaceKind
from linju.places.paths import prefixes_of

from .models import (
    LiaisonHousehold,
    PartyMembership,
    PartyOrganisation,
    PartyOrgKind,
    Relation,
    Residency,
    ResidencyStatus,
    RoleGrant,
    SmsCode,
    User,
    mobile_validator,
)
from .roles import GRANTABLE_ROLES, ROLE_SCOPE_KIND, Role
from .sms import get_sender

VERIFY_ROLES = sorted(access.PERMISSIONS["people.verify_residency"])


def clean_mobile(mobile: str, field: str = "mobile") -> str:
    mobile = (mobile or "").strip().replace(" ", "").replace("-", "")
    if mobile.startswith("+86"):
        mobile = mobile[3:]
    try:
        mobile_validator(mobile)
    except ValidationError as exc:
        raise Invalid({field: exc.messages}) from None
    return mobile


# --- One-time SMS codes ---------------------------------------------------------------------


def _code_hash(mobile: str, purpose: str, code: str) -> str:
    msg = f"{mobile}:{purpose}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), msg, hashlib.sha256).hexdigest()


@transaction.atomic
def send_code(*, mobile: str, purpose: str, client_ip: str = "") -> SmsCode:
    """Send a 6-digit code. Rate limited per number: one per SMS_RESEND_SECONDS and at most
    SMS_CODES_PER_HOUR an hour, so the gateway cannot be used to flood a phone; and per client
    address, SMS_CODES_PER_IP_HOUR an hour, so it cannot be pumped across many numbers."""
    if purpose not in ("login", "signup", "verify"):
        raise Invalid({"purpose": _("Unknown purpose.")})
    mobile = clean_mobile(mobile)
    now = timezone.now()
    key = client_key(client_ip)
    if (
        key
        and SmsCode.objects.filter(client_key=key, created_at__gte=now - timedelta(hours=1)).count()
        >= settings.SMS_CODES_PER_IP_HOUR
    ):
        raise Conflict(
            _("Too many codes asked for from this network; try again in an hour."),
            code="sms_rate_limited",
            field="mobile",
        )
    recent = SmsCode.objects.filter(mobile=mobile, created_at__gte=now - timedelta(hours=1))
    last = recent.order_by("-created_at").first()
    if last and (now - last.created_at).total_seconds() < settings.SMS_RESEND_SECONDS:
        raise Conflict(
            _("Please wait %(seconds)d seconds before asking for another code.")
            % {"seconds": settings.SMS_RESEND_SECONDS},
            code="sms_too_soon",
            field="mobile",
        )
    if recent.count() >= settings.SMS_CODES_PER_HOUR:
        raise Conflict(
            _("Too many codes for this number; try again in an hour."),
            code="sms_rate_limited",
            field="mobile",
        )
    if purpose != "signup" and not User.objects.filter(mobile=mobile, is_active=True).exists():
        # Say nothing about whether the number is registered; just send no code.
        return SmsCode(mobile=mobile, purpose=purpose)
    code = f"{secrets.randbelow(1_000_000):06d}"
    row = SmsCode.objects.create(
        mobile=mobile,
        purpose=purpose,
        code_hash=_code_hash(mobile, purpose, code),
        expires_at=now + settings.SMS_CODE_TTL,
        client_key=key,
    )
    text = _("Your Linju code is %(code)s. It expires in %(minutes)d minutes.") % {
        "code": code,
        "minutes": int(settings.SMS_CODE_TTL.total_seconds() // 60),
    }
    transaction.on_commit(lambda: get_sender().send(mobile, text))
    return row


def _consume_code(mobile: str, purpose: str, code: str) -> None:
    """Check and spend a code; raises Invalid naming the `code` field."""
    now = timezone.now()
    row = (
        SmsCode.objects.select_for_update()
        .filter(mobile=mobile, purpose=purpose, used_at__isnull=True, expires_at__gt=now)
        .order_by("-created_at")
        .first()
    )
    if row is None:
        raise Invalid({"code": _("The code has expired; ask for a new one.")})
    if row.attempts >= settings.SMS_MAX_ATTEMPTS:
        raise Invalid({"code": _("Too many wrong tries; ask for a new code.")})
    if not hmac.compare_digest(row.code_hash, _code_hash(mobile, purpose, (code or "").strip())):
        SmsCode.objects.filter(pk=row.pk).update(attempts=row.attempts + 1)
        raise Invalid({"code": _("The code is wrong.")})
    SmsCode.objects.filter(pk=row.pk).update(used_at=now)


def _spend_code(mobile: str, purpose: str, code: str) -> None:
    # The attempt counter must survive the failure, so it is committed even when we raise.
    with transaction.atomic():
        try:
            _consume_code(mobile, purpose, code)
        except Invalid as exc:
            failure = exc
        else:
            failure = None
    if failure:
        raise failure


def login_with_code(*, mobile: str, code: str) -> User:
    mobile = clean_mobile(mobile)
    _spend_code(mobile, "login", code)
    user = User.objects.filter(mobile=mobile, is_active=True).first()
    if user is None:
        raise Invalid({"mobile": _("No account uses this number.")})
    return user


def verify_with_code(*, user: User, code: str) -> None:
    """The second factor of a step-up (the admin site): a code sent to the person's own number
    (purpose "verify", so a login code cannot be replayed here)."""
    _spend_code(user.mobile, "verify", code)


# --- Sign-up and consent ----------------------------------------------------------------------


def sign_up(*, mobile: str, name: str, password: str, code: str, consent: bool) -> User:
    """Create an account after the mobile number is proven by a code. A household roster import
    may already have created the person without a password: sign-up claims that account."""
    errors = {}
    try:
        mobile = clean_mobile(mobile)
    except Invalid as exc:
        errors.update(exc.errors)
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Enter your name.")]
    elif len(name) > 50:
        errors["name"] = [_("At most 50 characters.")]
    if not consent:
        errors["consent"] = [_("You must agree to the privacy notice to sign up.")]
    password = password or ""
    if not password:
        errors["password"] = [_("Choose a password.")]
    elif "mobile" not in errors:
        try:
            password_validation.validate_password(password, User(mobile=mobile, name=name))
        except ValidationError as exc:
            errors["password"] = exc.messages
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(mobile=mobile).first()
        if user is not None and (user.has_usable_password() or not user.is_active):
            raise Invalid({"mobile": _("This number already has an account; log in instead.")})
        # A wrong code must still count against the code's attempts, so the failure leaves
        # this block normally (committing the counter) and is raised afterwards.
        try:
            _consume_code(mobile, "signup", code)
        except Invalid as exc:
            failure = exc
        else:
            failure = None
            user = _create_signed_up_user(user, mobile, name, password)
    if failure:
        raise failure
    return user


def _create_signed_up_user(user, mobile, name, password) -> User:
    """A new account, or the roster-imported one (no password yet) the person now claims."""
    if user is None:
        user = User(mobile=mobile)
    user.name = user.name or name
    user.set_password(password)
    user.privacy_consent_at = timezone.now()
    user.privacy_consent_version = settings.PRIVACY_NOTICE_VERSION
    user.save()
    audit.record(
        actor=user,
        verb="account.signup",
        obj=user,
        data={"consent_version": settings.PRIVACY_NOTICE_VERSION},
    )
    _claim_roster_households(user)
    return user


def _claim_roster_households(user) -> None:
    """The households whose roster (台账) names this mobile as the owner's: the SMS code just
    proved the number, so the person becomes their verified owner without waiting in a queue."""
    households = Household.objects.filter(owner_mobile=user.mobile).exclude(
        residencies__user=user, residencies__status__in=["pending", "verified"]
    )
    for household in households:
        residency = Residency.objects.create(
            user=user,
            household=household,
            relation=Relation.OWNER,
            status=ResidencyStatus.VERIFIED,
            source="roster",
            decided_at=timezone.now(),
        )
        audit.record(
            actor=user,
            verb="residency.verify",
            obj=residency,
            data={"relation": Relation.OWNER.value, "source": "roster", "by": "sms_code"},
        )
    access.forget(user)


@transaction.atomic
def give_consent(*, user: User) -> User:
    user.privacy_consent_at = timezone.now()
    user.privacy_consent_version = settings.PRIVACY_NOTICE_VERSION
    user.save(update_fields=["privacy_consent_at", "privacy_consent_version"])
    audit.record(
        actor=user,
        verb="account.consent",
        obj=user,
        data={"consent_version": settings.PRIVACY_NOTICE_VERSION},
    )
    return user


@transaction.atomic
def update_preferences(*, user: User, elder_mode: bool | None = None, language: str | None = None):
    fields = []
    if elder_mode is not None:
        user.elder_mode = bool(elder_mode)
        fields.append("elder_mode")
    if language is not None:
        if language not in dict(settings.LANGUAGES):
            raise Invalid({"language": _("Unknown language.")})
        user.language = language
        fields.append("language")
    if fields:
        user.save(update_fields=fields)
    return user


# --- Residencies -------------------------------------------------------------------------------


def verifiers_for(household: Household):
    """Users who may verify residencies of `household`: grants at one of its ancestors, or a
    grid covering its building."""
    prefixes = prefixes_of(household.path)
    grants = RoleGrant.objects.filter(revoked_at__isnull=True, role__in=VERIFY_ROLES).filter(
        Q(place__path__in=prefixes) | Q(grid__buildings__path__in=prefixes)
    )
    return User.objects.filter(is_active=True, pk__in=grants.values("user_id"))


def _as_id(value):
    """A primary key from user input, or None: a stray string must not become a 500."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _locked(queryset, pk, field: str, message):
    """Row `pk` of `queryset`, locked for the rest of the transaction, or Invalid on `field`.
    Only the row itself is locked: PostgreSQL refuses FOR UPDATE on the nullable side of the
    outer joins that select_related makes."""
    row = queryset.select_for_update(of=("self",)).filter(pk=_as_id(pk)).first()
    if row is None:
        raise Invalid({field: message})
    return row


def _request(user, household, relation, note, source):
    if relation not in Relation.values:
        raise Invalid({"relation": _("Choose how you are related to the household.")})
    if len(note or "") > 200:
        raise Invalid({"note": _("At most 200 characters.")})
    try:
        with transaction.atomic():
            residency = Residency.objects.create(
                user=user,
                household=household,
                relation=relation,
                note=note or "",
                source=source,
            )
    except IntegrityError:
        raise Conflict(
            _("You have already asked to join this household."),
            code="residency_exists",
            field="household",
        ) from None
    audit.record(
        actor=user,
        verb="residency.request",
        obj=residency,
        data={"relation": relation, "source": source},
    )
    notify(
        recipients=verifiers_for(household).exclude(pk=user.pk),
        kind="residency.request",
        title=_("%(name)s asks to join %(household)s")
        % {"name": user.name, "household": household},
        url="/people/verify/",
    )
    return residency


@transaction.atomic
def request_residency(*, user: User, household_id: int, relation: str, note: str = "") -> Residency:
    household = Household.objects.select_related("unit").filter(pk=_as_id(household_id)).first()
    if household is None:
        raise Invalid({"household": _("Choose your room.")})
    return _request(user, household, relation, note, "request")


@transaction.atomic
def request_residency_by_invite(
    *, user: User, invite_code: str, relation: str, note: str = ""
) -> Residency:
    code = normalise_invite_code(invite_code or "")
    household = Household.objects.select_related("unit").filter(invite_code=code).first()
    if household is None:
        raise Invalid({"invite_code": _("No household has this invite code.")})
    return _request(user, household, relation, note, "invite")


@transaction.atomic
def decide_residency(
    *, actor: User, residency_id: int, approve: bool, reason: str = ""
) -> Residency:
    residency = _locked(
        Residency.objects.select_related("household", "user"),
        residency_id,
        "residency",
        _("No such request."),
    )
    access.require(actor, "people.verify_residency", residency)
    if residency.user_id == actor.pk:
        # Nobody vouches for themselves; another head or the grid worker decides.
        raise Forbidden(_("You cannot decide your own request."), code="own_request")
    if residency.status != ResidencyStatus.PENDING:
        raise Conflict(_("This request has already been decided."), code="already_decided")
    reason = (reason or "").strip()
    if not approve and not reason:
        raise Invalid({"reason": _("Give the resident a reason for the rejection.")})
    if len(reason) > 200:
        raise Invalid({"reason": _("At most 200 characters.")})
    residency.status = ResidencyStatus.VERIFIED if approve else ResidencyStatus.REJECTED
    residency.reason = reason
    residency.decided_by = actor
    residency.decided_at = timezone.now()
    residency.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    audit.record(
        actor=actor,
        verb="residency.verify" if approve else "residency.reject",
        obj=residency,
        data={"reason": reason, "relation": residency.relation},
    )
    access.forget(residency.user)
    if approve:
        title = _("You are now verified as a member of %(household)s") % {
            "household": residency.household
        }
    else:
        title = _("Your request to join %(household)s was rejected: %(reason)s") % {
            "household": residency.household,
            "reason": reason,
        }
    notify(recipients=[residency.user], kind="residency.decision", title=title, url="/")
    return residency


@transaction.atomic
def end_residency(*, actor: User, residency_id: int) -> Residency:
    """The resident leaves the household (or staff record a move)."""
    residency = _locked(Residency.objects, residency_id, "residency", _("No such residency."))
    if residency.user_id != actor.pk:
        access.require(actor, "people.verify_residency", residency)
    if residency.status not in (ResidencyStatus.PENDING, ResidencyStatus.VERIFIED):
        raise Conflict(_("This residency has already ended."), code="already_ended")
    residency.status = ResidencyStatus.ENDED
    residency.decided_at = timezone.now()
    residency.save(update_fields=["status", "decided_at"])
    audit.record(actor=actor, verb="residency.end", obj=residency)
    access.forget(actor)
    return residency


# --- Roles -----------------------------------------------------------------------------------


def _scope_for_grant(role: str, place_id, grid_id):
    kind = ROLE_SCOPE_KIND[Role(role)]
    if kind == "grid":
        grid = (
            Grid.objects.select_related("community").filter(pk=grid_id).first() if grid_id else None
        )
        if grid is None:
            raise Invalid({"grid": _("Choose the grid this role is bound to.")})
        return None, grid
    place = Place.objects.filter(pk=place_id).first() if place_id else None
    if place is None:
        raise Invalid({"place": _("Choose the place this role is bound to.")})
    if place.kind != kind:
        raise Invalid(
            {
                "place": _("This role is bound to a place of kind %(kind)s.")
                % {"kind": PlaceKind(kind).label}
            }
        )
    return place, None


@transaction.atomic
def grant_role(*, actor: User, user_id: int, role: str, place_id=None, grid_id=None) -> RoleGrant:
    if role not in [r.value for r in GRANTABLE_ROLES]:
        raise Invalid({"role": _("Choose a role.")})
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise Invalid({"user": _("No such person.")})
    place, grid = _scope_for_grant(role, place_id, grid_id)
    grant = RoleGrant(user=user, role=role, place=place, grid=grid, granted_by=actor)
    grant.set_scope_path()
    access.require(actor, "people.grant_role", grant)
    # Only a subdistrict administrator (or a superuser) makes another one.
    if role == Role.SUBDISTRICT_ADMIN and not (
        actor.is_superuser or access.role_scopes(actor).get(Role.SUBDISTRICT_ADMIN.value)
    ):
        raise Forbidden(_("Only a subdistrict administrator can grant this role."))
    try:
        with transaction.atomic():
            grant.save()
    except IntegrityError:
        raise Conflict(_("This person already holds this role here."), code="role_exists") from None
    audit.record(
        actor=actor,
        verb="role.grant",
        obj=grant,
        data={"user": user.pk, "role": role, "place": place_id, "grid": grid_id},
    )
    access.forget(user)
    notify(
        recipients=[user],
        kind="role.grant",
        title=_("You are now %(role)s of %(scope)s")
        % {"role": grant.get_role_display(), "scope": grant.scope},
        url="/staff/",
    )
    return grant


@transaction.atomic
def revoke_role(*, actor: User, grant_id: int) -> RoleGrant:
    grant = _locked(
        RoleGrant.objects.select_related("place", "grid__community"),
        grant_id,
        "grant",
        _("No such role grant."),
    )
    access.require(actor, "people.grant_role", grant)
    if grant.revoked_at is not None:
        raise Conflict(_("This role has already been revoked."), code="already_revoked")
    grant.revoked_at = timezone.now()
    grant.revoked_by = actor
    grant.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(
        actor=actor, verb="role.revoke", obj=grant, data={"user": grant.user_id, "role": grant.role}
    )
    access.forget(grant.user)
    return grant


# --- The resident's own data (PIPL) --------------------------------------------------------------


def export_personal_data(*, user: User) -> dict:
    """Everything Linju holds about the person, as a JSON-ready document."""
    from axes.models import AccessLog

    from linju.core.models import AuditEvent, Notification

    return {
        "exported_at": timezone.now().isoformat(),
        "profile": {
            "mobile": user.mobile,
            "name": user.name,
            "email": user.email,
            "date_joined": user.date_joined.isoformat(),
            "privacy_consent_at": user.privacy_consent_at and user.privacy_consent_at.isoformat(),
            "privacy_consent_version": user.privacy_consent_version,
            "elder_mode": user.elder_mode,
            "language": user.language,
        },
        "residencies": [
            {
                "household": str(r.household),
                "relation": r.relation,
                "status": r.status,
                "requested_at": r.requested_at.isoformat(),
                "decided_at": r.decided_at and r.decided_at.isoformat(),
                "reason": r.reason,
            }
            for r in user.residencies.select_related("household__unit")
        ],
        "roles": [
            {
                "role": g.role,
                "scope": str(g.scope),
                "granted_at": g.granted_at.isoformat(),
                "revoked_at": g.revoked_at and g.revoked_at.isoformat(),
            }
            for g in user.role_grants.select_related("place", "grid")
        ],
        "notifications": [
            {
                "title": n.title,
                "body": n.body,
                "created_at": n.created_at.isoformat(),
                "read_at": n.read_at and n.read_at.isoformat(),
            }
            for n in Notification.objects.filter(recipient=user)
        ],
        "party_memberships": [
            {"organisation": m.organisation.name, "position": m.position}
            for m in user.party_memberships.select_related("organisation")
        ],
        "api_tokens": [
            {
                "name": t.name,
                "prefix": t.prefix,
                "created_at": t.created_at.isoformat(),
                "last_used_at": t.last_used_at and t.last_used_at.isoformat(),
                "revoked_at": t.revoked_at and t.revoked_at.isoformat(),
            }
            for t in user.api_tokens.all()
        ],
        "logins": [
            {
                "time": log.attempt_time.isoformat(),
                "logout_time": log.logout_time and log.logout_time.isoformat(),
                "ip_address": log.ip_address,
                "user_agent": log.user_agent,
            }
            for log in AccessLog.objects.filter(username=user.mobile).order_by("-attempt_time")
        ],
        "activity": [
            {"time": e.created_at.isoformat(), "action": e.verb, "object": e.object_repr}
            for e in AuditEvent.objects.filter(actor=user)
        ],
        **privacy.export(user),
    }


@transaction.atomic
def change_password(*, user: User, current_password: str, new_password: str) -> User:
    """A person sets a new password. The current one is asked for when there is one (a session
    left open on a shared desk must not be enough to take the account over); someone who has
    only ever logged in with SMS codes sets their first. Other sessions end, because Django ties
    a session to the password's hash; the caller keeps its own with update_session_auth_hash."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.has_usable_password() and not user.check_password(current_password or ""):
        raise Invalid({"current_password": _("The password is wrong.")})
    try:
        password_validation.validate_password(new_password or "", user)
    except ValidationError as exc:
        raise Invalid({"new_password": list(exc.messages)}) from None
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit.record(actor=user, verb="account.password_change", obj=user, scope_path=user.scope_path)
    transaction.on_commit(
        lambda: notify(
            recipients=[user],
            kind="account.security",
            title=_("Your password was changed"),
            body=_("If this was not you, log in with an SMS code and change it at once."),
        )
    )
    return user


@transaction.atomic
def end_other_sessions(*, user: User) -> User:
    """ "Log out everywhere else" (ASVS 3.3.4): a phone left logged in at a neighbour's, a desk
    session someone forgot. The caller keeps its own session with update_session_auth_hash;
    API tokens are separate and are revoked on the tokens page."""
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])
    audit.record(actor=user, verb="account.sessions_end", obj=user, scope_path=user.scope_path)
    return user


def login_history(*, user: User, limit: int = 20) -> list[dict]:
    """The person's recent logins and failed attempts, newest first, for their security page."""
    from axes.models import AccessFailureLog, AccessLog

    logins = [
        {"time": log.attempt_time, "ok": True, "ip": log.ip_address, "agent": log.user_agent}
        for log in AccessLog.objects.filter(username=user.mobile).order_by("-attempt_time")[:limit]
    ]
    failures = [
        {"time": log.attempt_time, "ok": False, "ip": log.ip_address, "agent": log.user_agent}
        for log in AccessFailureLog.objects.filter(username=user.mobile).order_by("-attempt_time")[
            :limit
        ]
    ]
    return sorted(logins + failures, key=lambda row: row["time"], reverse=True)[:limit]


@transaction.atomic
def delete_account(*, user: User, password: str) -> None:
    """Erase the person: profile anonymised, residencies ended, roles revoked, inbox and tokens
    dropped. Rows other records depend on (audit, later ledgers) stay, pointing at an anonymous
    user, so totals do not change."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    from .models import LiaisonHousehold, PartyMembership

    if user.has_usable_password() and not user.check_password(password or ""):
        raise Invalid({"password": _("The password is wrong.")})
    now = timezone.now()
    scope_path = user.scope_path  # before the residencies end
    old_mobile = user.mobile
    anonymous_mobile = f"0{user.pk:010d}"  # cannot collide with a real number (they start with 1)
    user.residencies.filter(status__in=["pending", "verified"]).update(
        status=ResidencyStatus.ENDED, decided_at=now
    )
    user.role_grants.filter(revoked_at__isnull=True).update(revoked_at=now, revoked_by=user)
    user.notifications.all().delete()
    user.api_tokens.update(revoked_at=now)
    # Party membership is sensitive personal information and means nothing without the person.
    LiaisonHousehold.objects.filter(member=user).delete()
    PartyMembership.objects.filter(user=user).delete()
    SmsCode.objects.filter(mobile=old_mobile).delete()
    # The login history is kept (security logs), but no longer names the phone number.
    for model in (AccessLog, AccessAttempt, AccessFailureLog):
        model.objects.filter(username=old_mobile).update(username=anonymous_mobile)
    privacy.erase(user)
    user.mobile = anonymous_mobile
    user.name = ""
    user.email = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()
    user.save()
    # Recorded after the anonymisation so the append-only log does not keep the name.
    audit.record(actor=user, verb="account.delete", obj=user, scope_path=scope_path)
    access.forget(user)


# --- Party organisation overlay (seeds 001, 003) ----------------------------------------------

# 社区党委 sits at a community, 网格党支部 under it (at the community, bound to a grid), 楼栋党小组
# at a building under a branch.
PARTY_PLACE_KIND = {
    PartyOrgKind.COMMITTEE: PlaceKind.COMMUNITY,
    PartyOrgKind.BRANCH: PlaceKind.COMMUNITY,
    PartyOrgKind.GROUP: PlaceKind.BUILDING,
}
PARTY_PARENT_KIND = {
    PartyOrgKind.COMMITTEE: None,
    PartyOrgKind.BRANCH: PartyOrgKind.COMMITTEE,
    PartyOrgKind.GROUP: PartyOrgKind.BRANCH,
}


def person_by_mobile(mobile: str, field: str = "mobile") -> User:
    """The active person with exactly this mobile number; Invalid on `field` otherwise."""
    mobile = clean_mobile(mobile, field)
    user = User.objects.filter(mobile=mobile, is_active=True).first()
    if user is None:
        raise Invalid({field: _("No one has signed up with this mobile number.")})
    return user


def _party_org(organisation_id, field="organisation", lock=False) -> PartyOrganisation:
    qs = PartyOrganisation.objects.select_related("place")
    message = _("No such party organisation.")
    if lock:
        return _locked(qs, organisation_id, field, message)
    org = qs.filter(pk=_as_id(organisation_id)).first()
    if org is None:
        raise Invalid({field: message})
    return org


@transaction.atomic
def create_party_organisation(
    *, actor: User, kind: str, name: str, place_id, parent_id=None, grid_id=None
) -> PartyOrganisation:
    """Add a committee, grid branch or building group to the party overlay."""
    errors = {}
    if kind not in PartyOrgKind.values:
        raise Invalid({"kind": _("Choose a kind of organisation.")})
    kind = PartyOrgKind(kind)
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("This field is required.")]
    elif len(name) > 100:
        errors["name"] = [_("At most 100 characters.")]
    place = Place.objects.filter(pk=_as_id(place_id)).first()
    if place is None or place.kind != PARTY_PLACE_KIND[kind]:
        errors["place"] = [
            _("This organisation sits at a place of kind %(kind)s.")
            % {"kind": PARTY_PLACE_KIND[kind].label}
        ]
    parent = None
    if PARTY_PARENT_KIND[kind] is None:
        if parent_id:
            errors["parent"] = [_("A community party committee has no parent.")]
    else:
        parent = PartyOrganisation.objects.filter(pk=_as_id(parent_id)).first()
        if parent is None or parent.kind != PARTY_PARENT_KIND[kind]:
            errors["parent"] = [
                _("Choose the %(kind)s this organisation belongs to.")
                % {"kind": PARTY_PARENT_KIND[kind].label}
            ]
    grid = Grid.objects.filter(pk=_as_id(grid_id)).first() if grid_id else None
    if grid_id and grid is None:
        errors["grid"] = [_("No such grid.")]
    if kind == PartyOrgKind.BRANCH and not grid_id:
        errors["grid"] = [_("Choose the grid of this branch.")]
    if errors:
        raise Invalid(errors)
    access.require(actor, "people.manage_party", place)
    if parent is not None and not place.path.startswith(parent.place.path):
        raise Invalid({"parent": _("The parent organisation must cover this place.")})
    if grid is not None and not place.path.startswith(grid.community.path):
        raise Invalid({"grid": _("The grid must belong to this community.")})
    org = PartyOrganisation.objects.create(
        kind=kind, name=name, place=place, parent=parent, grid=grid
    )
    audit.record(
        actor=actor,
        verb="party.organisation_create",
        obj=org,
        data={"kind": kind.value, "parent": parent and parent.pk, "grid": grid and grid.pk},
    )
    return org


@transaction.atomic
def add_party_member(
    *, actor: User, organisation_id, mobile: str, position: str = ""
) -> PartyMembership:
    org = _party_org(organisation_id)
    access.require(actor, "people.manage_party", org)
    user = person_by_mobile(mobile)
    position = (position or "").strip()
    if len(position) > 30:
        raise Invalid({"position": _("At most 30 characters.")})
    try:
        with transaction.atomic():
            membership = PartyMembership.objects.create(
                organisation=org, user=user, position=position, joined_at=timezone.localdate()
            )
    except IntegrityError:
        raise Conflict(
            _("This person is already a member of this organisation."),
            code="member_exists",
            field="mobile",
        ) from None
    audit.record(
        actor=actor,
        verb="party.member_add",
        obj=org,
        data={"user": user.pk, "position": position},
    )
    return membership


@transaction.atomic
def remove_party_member(*, actor: User, membership_id) -> None:
    membership = _locked(
        PartyMembership.objects.select_related("organisation__place"),
        membership_id,
        "membership",
        _("No such membership."),
    )
    org = membership.organisation
    access.require(actor, "people.manage_party", org)
    if LiaisonHousehold.objects.filter(organisation=org, member_id=membership.user_id).exists():
        raise Conflict(
            _("This member keeps a liaison household; end it first."), code="member_is_liaison"
        )
    membership.delete()
    audit.record(
        actor=actor, verb="party.member_remove", obj=org, data={"user": membership.user_id}
    )


@transaction.atomic
def set_liaison_household(
    *, actor: User, organisation_id, mobile: str, household_id=None
) -> LiaisonHousehold:
    """Make a member's own household a 党员中心户. Without `household_id` it is the member's only
    verified household."""
    org = _party_org(organisation_id)
    access.require(actor, "people.manage_party", org)
    user = person_by_mobile(mobile)
    if not PartyMembership.objects.filter(organisation=org, user=user).exists():
        raise Invalid({"mobile": _("Add this person to the organisation first.")})
    homes = Household.objects.filter(
        residencies__user=user, residencies__status=ResidencyStatus.VERIFIED
    ).distinct()
    if household_id:
        household = homes.filter(pk=_as_id(household_id)).first()
    else:
        found = list(homes[:2])
        household = found[0] if len(found) == 1 else None
    if household is None:
        raise Invalid({"household": _("Choose a household this member is a verified resident of.")})
    if not household.path.startswith(org.place.path):
        raise Invalid({"household": _("The household must lie inside the organisation's area.")})
    access.require(actor, "people.manage_party", household)
    try:
        with transaction.atomic():
            liaison = LiaisonHousehold.objects.create(
                member=user, household=household, organisation=org
            )
    except IntegrityError:
        raise Conflict(
            _("This household is already a liaison household."),
            code="liaison_exists",
            field="household",
        ) from None
    audit.record(
        actor=actor,
        verb="party.liaison_set",
        obj=liaison,
        data={"member": user.pk, "organisation": org.pk},
    )
    return liaison


@transaction.atomic
def link_served_households(*, actor: User, liaison_id, household_ids) -> LiaisonHousehold:
    """Replace the set of households a liaison household serves (unlinking is leaving out)."""
    liaison = _locked(
        LiaisonHousehold.objects.select_related("household"),
        liaison_id,
        "liaison",
        _("No such liaison household."),
    )
    access.require(actor, "people.manage_party", liaison)
    ids = {_as_id(i) for i in household_ids or ()}
    if None in ids:
        raise Invalid({"households": _("Choose households from the list.")})
    ids.discard(liaison.household_id)
    households = list(Household.objects.filter(pk__in=ids))
    if len(households) != len(ids):
        raise Invalid({"households": _("Choose households from the list.")})
    for household in households:
        access.require(actor, "people.manage_party", household)
    before = set(liaison.served.values_list("pk", flat=True))
    liaison.served.set(households)
    audit.record(
        actor=actor,
        verb="party.served_link",
        obj=liaison,
        data={"added": sorted(ids - before), "removed": sorted(before - ids)},
    )
    return liaison


@transaction.atomic
def end_liaison_household(*, actor: User, liaison_id) -> None:
    liaison = _locked(
        LiaisonHousehold.objects.select_related("household"),
        liaison_id,
        "liaison",
        _("No such liaison household."),
    )
    access.require(actor, "people.manage_party", liaison)
    audit.record(
        actor=actor,
        verb="party.liaison_end",
        obj=liaison,
        data={"member": liaison.member_id, "household": liaison.household_id},
    )
    liaison.served.clear()
    liaison.delete()


from .roster import import_roster  # noqa: E402, F401  (household roster import, roster.py)
