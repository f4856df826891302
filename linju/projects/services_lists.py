"""Writes of the three lists' first two and the partners (seed 000: 梳理需求、资源、项目"三张清单",
推动辖区单位、社会组织与楼组签订共建协议; seed 004: 需求清单、资源清单).

- 需求清单: handlers record a need where it was heard (a survey, a report, a topic, a home
  visit), edit it, close it with a reason and reopen it; residents of its scope say "I need
  this too" (once each, counted under the need's lock) and take it back.
- 资源清单: a partner's people (or managers on its behalf) and residents offer what they have,
  how much and when; they edit and withdraw their offers.
- 共建单位: managers register partner organisations, the people acting for them, their
  co-building agreements (共建协议) with the signed document, and what they delivered.

Every function checks its permission inside its one transaction, locks the row it changes
first, and writes its audit event there (`projects.need_*`, `projects.resource_*`,
`projects.partner_*`, `projects.agreement_add`, `projects.delivery_add`)."""

import dataclasses
import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linju.core import audit
from linju.core.cleaning import as_id, clean_text, violated
from linju.core.errors import Conflict, Invalid, NotFound
from linju.core.uploads import DOCUMENT, DOCX, IMAGES, PDF, clean
from linju.people.models import RoleGrant, User
from linju.people.roles import Role
from linju.places.models import Place

from . import rules
from .models import (
    Agreement,
    Delivery,
    Need,
    NeedSource,
    NeedStatus,
    NeedSupport,
    Partner,
    PartnerKind,
    Resource,
    ResourceKind,
    ResourceStatus,
)
from .money import MAX_FEN
from .queries_lists import may_edit_resource

# A signed agreement: its scan or photo, a PDF, or the Word file it was drafted in.
AGREEMENT = dataclasses.replace(
    DOCUMENT,
    kinds=IMAGES | {PDF, DOCX},
    refused=gettext_lazy("Upload the agreement as a PDF, a Word (.docx) file or an image."),
)
MAX_HOUSEHOLDS = 100_000
MAX_QUANTITY = 1_000_000
MAX_MEMBERS = 50
NEED_FIELDS = ("title", "description", "source", "source_ref", "households")
RESOURCE_FIELDS = (
    "title",
    "kind",
    "description",
    "quantity",
    "unit",
    "amount_fen",
    "available_from",
    "available_until",
)
PARTNER_FIELDS = ("name", "kind", "description", "contact_name", "contact_phone")


# --- Cleaning -------------------------------------------------------------------------------------


def _number(value, *, field, low, high, message) -> int:
    if isinstance(value, bool):
        raise Invalid({field: message})
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise Invalid({field: message}) from None
    if not low <= number <= high:
        raise Invalid({field: message})
    return number


def _choice(value, choices, *, field, message) -> str:
    if value not in choices.values:
        raise Invalid({field: message})
    return value


def _date(value, *, field, required=True):
    if value in (None, ""):
        if required:
            raise Invalid({field: _("Give the date.")})
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, datetime.date):
        raise Invalid({field: _("Give a date as YYYY-MM-DD.")})
    return value


def _place(place_id, field="place") -> Place:
    place = Place.objects.filter(pk=as_id(place_id)).first()
    if place is None:
        raise Invalid({field: _("Choose a place.")})
    return place


def _community(place_id) -> Place:
    place = _place(place_id)
    if place.kind != "community":
        raise Invalid({"place": _("A partner belongs to a community.")})
    return place


# --- Needs (需求清单) ---------------------------------------------------------------------------


def _source_check(source: str, ref: str, path: str) -> str:
    """A need from a report or a topic names it (the report's token, the topic's id), and it
    must exist in the need's community: a need of one community never points at another's."""
    if source not in (NeedSource.REPORT, NeedSource.TOPIC):
        return ref
    ref = ref.split(":", 1)[1] if ref.startswith(f"{source}:") else ref
    if not ref:
        raise Invalid(
            {
                "source_ref": _("Give the report's number.")
                if source == NeedSource.REPORT
                else _("Give the topic's number.")
            }
        )
    community = _community_path(path)
    if source == NeedSource.REPORT:
        import uuid

        from linju.reports.models import Report

        try:
            token = uuid.UUID(ref)
        except ValueError:
            token = None
        found = token and Report.objects.filter(token=token, path__startswith=community).exists()
        if not found:
            raise Invalid({"source_ref": _("No report of this community has this number.")})
        return f"report:{token}"
    from linju.deliberation.models import Topic

    topic_id = as_id(ref)
    if not topic_id or not Topic.objects.filter(pk=topic_id, path__startswith=community).exists():
        raise Invalid({"source_ref": _("No topic of this community has this number.")})
    return f"topic:{topic_id}"


def _community_path(path: str) -> str:
    """The path of the community holding `path` (itself at or above a community: itself)."""
    from linju.places.paths import prefixes_of

    found = (
        Place.objects.filter(kind="community", path__in=prefixes_of(path))
        .values_list("path", flat=True)
        .first()
    )
    return found or path


def _clean_need(data: dict) -> dict:
    out = {}
    if "title" in data:
        out["title"] = clean_text(
            data["title"], field="title", max_length=120, required=_("Say what is needed.")
        )
    if "description" in data:
        out["description"] = clean_text(data["description"], field="description", max_length=4000)
    if "source" in data:
        out["source"] = _choice(
            data["source"], NeedSource, field="source", message=_("Choose where it came from.")
        )
    if "source_ref" in data:
        out["source_ref"] = clean_text(data["source_ref"], field="source_ref", max_length=80)
    if "households" in data:
        out["households"] = _number(
            data["households"],
            field="households",
            low=0,
            high=MAX_HOUSEHOLDS,
            message=_("Give 0 to 100000 households."),
        )
    return out


@transaction.atomic
def create_need(*, user, place_id, title, source, source_ref="", households=0, description=""):
    """Record a need (需求) heard in a place of the recorder's scope."""
    place = _place(place_id)
    rules.require(rules.can_record_need(user, place))
    data = _clean_need(
        {
            "title": title,
            "description": description,
            "source": source,
            "source_ref": source_ref,
            "households": households,
        }
    )
    data["source_ref"] = _source_check(data["source"], data["source_ref"], place.path)
    need = Need.objects.create(place=place, path=place.path, created_by=user, **data)
    audit.record(
        actor=user,
        verb="projects.need_create",
        obj=need,
        data={"source": need.source, "source_ref": need.source_ref},
    )
    return need


def _locked_need(need) -> Need:
    found = Need.objects.select_for_update().filter(pk=as_id(need)).first()
    if found is None:
        raise NotFound(_("No such need."))
    return found


@transaction.atomic
def update_need(*, user, need, **data):
    """Change what was recorded; only the fields given change."""
    need = _locked_need(need)
    rules.require(rules.can_record_need(user, need))
    unknown = set(data) - set(NEED_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    fields = _clean_need(data)
    if "source" in fields or "source_ref" in fields:
        source = fields.get("source", need.source)
        ref = fields.get("source_ref", need.source_ref)
        fields["source_ref"] = _source_check(source, ref, need.path)
    changed = sorted(k for k, v in fields.items() if getattr(need, k) != v)
    for name, value in fields.items():
        setattr(need, name, value)
    need.save()
    audit.record(actor=user, verb="projects.need_update", obj=need, data={"changed": changed})
    return need


@transaction.atomic
def close_need(*, user, need, reason):
    """Close a need no project will answer (met otherwise, out of the community's reach),
    saying why; the residents who supported it see the reason."""
    need = _locked_need(need)
    rules.require(rules.can_record_need(user, need))
    reason = clean_text(reason, field="reason", max_length=300, required=_("Say why it is closed."))
    if need.status == NeedStatus.CLOSED:
        raise Conflict(_("This need is closed already."), code="wrong_status")
    need.status, need.close_reason = NeedStatus.CLOSED, reason
    need.save(update_fields=["status", "close_reason"])
    audit.record(actor=user, verb="projects.need_close", obj=need, data={"reason": reason})
    return need


@transaction.atomic
def reopen_need(*, user, need):
    need = _locked_need(need)
    rules.require(rules.can_record_need(user, need))
    if need.status != NeedStatus.CLOSED:
        raise Conflict(_("Only a closed need can be reopened."), code="wrong_status")
    need.status, need.close_reason = NeedStatus.OPEN, ""
    need.save(update_fields=["status", "close_reason"])
    need.settle()  # answered again if a live project still answers it
    audit.record(actor=user, verb="projects.need_reopen", obj=need)
    return need


@transaction.atomic
def support_need(*, user, need) -> Need:
    """我也需要: a resident living in the need's scope counts once; the count is kept under the
    need's lock, and the database's unique key is the last guard against a double tap."""
    need = _locked_need(need)
    rules.require(
        rules.lives_in(user, need), _("Only residents living where the need is may support it.")
    )
    if need.status != NeedStatus.OPEN:
        raise Conflict(_("This need is no longer open."), code="wrong_status")
    if NeedSupport.objects.filter(need=need, user=user).exists():
        return need  # the same tap again: already counted
    try:
        with transaction.atomic():
            NeedSupport.objects.create(need=need, user=user)
    except IntegrityError as exc:
        still = NeedSupport.objects.filter(need=need, user=user).exists
        if violated(exc, "need_support_once", still_there=still):
            return need
        raise
    Need.objects.filter(pk=need.pk).update(support_count=F("support_count") + 1)
    need.refresh_from_db(fields=["support_count"])
    audit.record(
        actor=user,
        verb="projects.need_support",
        obj=need,
        data={"support_count": need.support_count},
    )
    return need


@transaction.atomic
def withdraw_support(*, user, need) -> Need:
    need = _locked_need(need)
    deleted, _rows = NeedSupport.objects.filter(need=need, user=user).delete()
    if not deleted:
        raise Conflict(_("You do not support this need."), code="not_supported")
    Need.objects.filter(pk=need.pk).update(support_count=F("support_count") - 1)
    need.refresh_from_db(fields=["support_count"])
    audit.record(
        actor=user,
        verb="projects.need_unsupport",
        obj=need,
        data={"support_count": need.support_count},
    )
    return need


# --- Partners (共建单位) -------------------------------------------------------------------------


def _clean_partner(data: dict) -> dict:
    out = {}
    if "name" in data:
        out["name"] = clean_text(
            data["name"], field="name", max_length=120, required=_("Name the organisation.")
        )
    if "kind" in data:
        out["kind"] = _choice(
            data["kind"], PartnerKind, field="kind", message=_("Choose what kind it is.")
        )
    if "description" in data:
        out["description"] = clean_text(data["description"], field="description", max_length=2000)
    if "contact_name" in data:
        out["contact_name"] = clean_text(data["contact_name"], field="contact_name", max_length=60)
    if "contact_phone" in data:
        phone = clean_text(data["contact_phone"], field="contact_phone", max_length=20)
        if phone and not all(c.isdigit() or c in "+- " for c in phone):
            raise Invalid({"contact_phone": _("Give a phone number: digits, spaces, + and -.")})
        out["contact_phone"] = phone
    return out


def _members(partner_path: str, member_ids) -> list:
    """Only people holding the partner role at a scope containing the partner act for it."""
    ids = list(member_ids or [])
    if len(ids) > MAX_MEMBERS:
        raise Invalid({"members": _("At most %(n)d people.") % {"n": MAX_MEMBERS}})
    wanted = []
    for n, raw in enumerate(ids):
        pk = as_id(raw)
        if pk is None:
            raise Invalid({f"members.{n}": _("Choose a person.")})
        wanted.append(pk)
    wanted = list(dict.fromkeys(wanted))
    grants = RoleGrant.objects.filter(
        user_id__in=wanted, role=Role.PARTNER, revoked_at__isnull=True, place__isnull=False
    ).values_list("user_id", "place__path")
    allowed = {uid for uid, path in grants if partner_path.startswith(path)}
    for n, pk in enumerate(wanted):
        if pk not in allowed:
            raise Invalid(
                {
                    f"members.{n}": _(
                        "Only people holding the partner role in this community can act for it."
                    )
                }
            )
    return list(User.objects.filter(pk__in=wanted, is_active=True))


def _save_partner(partner):
    try:
        with transaction.atomic():
            partner.save()
    except IntegrityError as exc:
        taken = (
            Partner.objects.filter(place_id=partner.place_id, name=partner.name)
            .exclude(pk=partner.pk)
            .exists
        )
        if violated(exc, "partner_name_once_per_scope", still_there=taken):
            raise Invalid({"name": _("This community has a partner of this name.")}) from None
        raise
    return partner


@transaction.atomic
def create_partner(*, user, place_id, name, kind, members=(), **data) -> Partner:
    """Register a co-building unit (共建单位) of a community."""
    place = _community(place_id)
    rules.require(rules.can_manage(user, place))
    unknown = set(data) - set(PARTNER_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    fields = _clean_partner({"name": name, "kind": kind, **data})
    people = _members(place.path, members)
    partner = Partner(place=place, path=place.path, created_by=user, **fields)
    _save_partner(partner)
    partner.members.set(people)
    audit.record(
        actor=user,
        verb="projects.partner_create",
        obj=partner,
        data={"kind": partner.kind, "members": sorted(p.pk for p in people)},
    )
    return partner


def _locked_partner(partner) -> Partner:
    found = Partner.objects.select_for_update().filter(pk=as_id(partner)).first()
    if found is None:
        raise NotFound(_("No such partner."))
    return found


@transaction.atomic
def update_partner(*, user, partner, members=None, **data) -> Partner:
    """Change a partner's details and, when `members` is given, the people acting for it."""
    partner = _locked_partner(partner)
    rules.require(rules.can_manage(user, partner))
    unknown = set(data) - set(PARTNER_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    fields = _clean_partner(data)
    people = _members(partner.path, members) if members is not None else None
    for name, value in fields.items():
        setattr(partner, name, value)
    _save_partner(partner)
    record = {"changed": sorted(fields)}
    if people is not None:
        partner.members.set(people)
        record["members"] = sorted(p.pk for p in people)
    audit.record(actor=user, verb="projects.partner_update", obj=partner, data=record)
    return partner


@transaction.atomic
def set_partner_active(*, user, partner, active: bool) -> Partner:
    """Deactivate a partner that no longer builds with the community (its history stays), or
    bring it back."""
    partner = _locked_partner(partner)
    rules.require(rules.can_manage(user, partner))
    active = bool(active)
    if partner.active == active:
        raise Conflict(
            _("This partner is active already.") if active else _("This partner is inactive."),
            code="wrong_status",
        )
    partner.active = active
    partner.save(update_fields=["active"])
    verb = "projects.partner_activate" if active else "projects.partner_deactivate"
    audit.record(actor=user, verb=verb, obj=partner)
    return partner


@transaction.atomic
def add_agreement(
    *, user, partner, title, commitments, starts_on, ends_on, signed_on, document=None
) -> Agreement:
    """共建协议: what the partner commits to, for which term, signed when; the document as it
    was signed (PDF, Word or a photo of it), stored under a random name (core.uploads)."""
    partner = _locked_partner(partner)
    rules.require(rules.can_manage(user, partner))
    title = clean_text(title, field="title", max_length=120, required=_("Give the title."))
    commitments = clean_text(
        commitments,
        field="commitments",
        max_length=4000,
        required=_("Say what the partner commits to."),
    )
    starts_on = _date(starts_on, field="starts_on")
    ends_on = _date(ends_on, field="ends_on")
    signed_on = _date(signed_on, field="signed_on")
    if ends_on < starts_on:
        raise Invalid({"ends_on": _("The term ends before it starts.")})
    stored = clean(document, use=AGREEMENT, field="document") if document else None
    agreement = Agreement(
        partner=partner,
        title=title,
        commitments=commitments,
        starts_on=starts_on,
        ends_on=ends_on,
        signed_on=signed_on,
        created_by=user,
    )
    if stored is not None:
        agreement.document.save(stored.name, stored, save=False)
    agreement.save()
    audit.record(
        actor=user,
        verb="projects.agreement_add",
        obj=agreement,
        data={
            "partner": partner.pk,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "document": bool(stored),
        },
    )
    return agreement


@transaction.atomic
def add_delivery(
    *, user, partner, delivered_on, what, value_fen=0, agreement_id=None, project_id=None
) -> Delivery:
    """What a partner delivered (履约记录), optionally under one of its agreements and for a
    project of its community."""
    from .models import Project

    partner = _locked_partner(partner)
    rules.require(rules.can_manage(user, partner))
    delivered_on = _date(delivered_on, field="delivered_on")
    what = clean_text(what, field="what", max_length=300, required=_("Say what was delivered."))
    value_fen = _number(
        value_fen, field="value_fen", low=0, high=MAX_FEN, message=_("Give an amount of 0 or more.")
    )
    agreement = None
    if agreement_id not in (None, ""):
        agreement = Agreement.objects.filter(pk=as_id(agreement_id), partner=partner).first()
        if agreement is None:
            raise Invalid({"agreement": _("Choose one of this partner's agreements.")})
    project = None
    if project_id not in (None, ""):
        project = Project.objects.filter(
            pk=as_id(project_id), path__startswith=_community_path(partner.path)
        ).first()
        if project is None:
            raise Invalid({"project": _("Choose a project of this partner's community.")})
    delivery = Delivery.objects.create(
        partner=partner,
        agreement=agreement,
        project=project,
        delivered_on=delivered_on,
        what=what,
        value_fen=value_fen,
        recorded_by=user,
    )
    audit.record(
        actor=user,
        verb="projects.delivery_add",
        obj=delivery,
        data={
            "partner": partner.pk,
            "value_fen": value_fen,
            "agreement": getattr(agreement, "pk", None),
            "project": getattr(project, "pk", None),
        },
    )
    return delivery


# --- Resources (资源清单) -------------------------------------------------------------------------


def _clean_resource(data: dict) -> dict:
    out = {}
    if "title" in data:
        out["title"] = clean_text(
            data["title"], field="title", max_length=120, required=_("Say what is offered.")
        )
    if "kind" in data:
        out["kind"] = _choice(
            data["kind"], ResourceKind, field="kind", message=_("Choose what kind it is.")
        )
    if "description" in data:
        out["description"] = clean_text(data["description"], field="description", max_length=2000)
    if "quantity" in data:
        out["quantity"] = _number(
            data["quantity"],
            field="quantity",
            low=1,
            high=MAX_QUANTITY,
            message=_("Give a quantity of 1 or more."),
        )
    if "unit" in data:
        out["unit"] = clean_text(data["unit"], field="unit", max_length=20)
    if "amount_fen" in data:
        out["amount_fen"] = _number(
            data["amount_fen"],
            field="amount_fen",
            low=0,
            high=MAX_FEN,
            message=_("Give an amount of 0 or more."),
        )
    for name in ("available_from", "available_until"):
        if name in data:
            out[name] = _date(data[name], field=name, required=False)
    return out


def _check_resource(resource: Resource) -> None:
    """What holds across fields, checked on the row as it will be saved."""
    if resource.kind == ResourceKind.FUNDS and not resource.amount_fen:
        raise Invalid({"amount_fen": _("Give the amount of the funds offered.")})
    start, end = resource.available_from, resource.available_until
    if start and end and end < start:
        raise Invalid({"available_until": _("It stops being available before it starts.")})


@transaction.atomic
def create_resource(*, user, title, kind, partner_id=None, place_id=None, **data) -> Resource:
    """资源: offered by a partner (its own people, or managers on its behalf; listed at the
    partner's community) or by a resident for a place they live in (the offer is theirs)."""
    unknown = set(data) - set(RESOURCE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    partner = None
    if partner_id not in (None, ""):
        partner = Partner.objects.filter(pk=as_id(partner_id)).first()
        if partner is None or not rules.can_view(user, partner):
            raise Invalid({"partner": _("Choose a partner.")})
        rules.require(rules.acts_for(user, partner) or rules.can_manage(user, partner))
        if not partner.active:
            raise Conflict(_("This partner is inactive."), code="inactive")
        place = partner.place
    else:
        place = _place(place_id)
        rules.require(
            rules.lives_in(user, place),
            _("A resident offers for a place they live in; a partner's offer names the partner."),
        )
    fields = _clean_resource({"title": title, "kind": kind, **data})
    resource = Resource(
        place=place,
        path=place.path,
        partner=partner,
        offered_by=None if partner else user,
        created_by=user,
        **fields,
    )
    _check_resource(resource)
    resource.save()
    audit.record(
        actor=user,
        verb="projects.resource_create",
        obj=resource,
        data={"kind": resource.kind, "partner": getattr(partner, "pk", None)},
    )
    return resource


def _locked_resource(resource) -> Resource:
    found = (
        Resource.objects.select_for_update(of=("self",))
        .select_related("partner")
        .filter(pk=as_id(resource))
        .first()
    )
    if found is None:
        raise NotFound(_("No such resource."))
    return found


@transaction.atomic
def update_resource(*, user, resource, **data) -> Resource:
    resource = _locked_resource(resource)
    rules.require(may_edit_resource(user, resource))
    unknown = set(data) - set(RESOURCE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    fields = _clean_resource(data)
    for name, value in fields.items():
        setattr(resource, name, value)
    _check_resource(resource)
    resource.save()
    audit.record(
        actor=user, verb="projects.resource_update", obj=resource, data={"changed": sorted(fields)}
    )
    return resource


@transaction.atomic
def withdraw_resource(*, user, resource) -> Resource:
    """The offer is no longer there; projects that used it keep the record of it."""
    resource = _locked_resource(resource)
    rules.require(may_edit_resource(user, resource))
    if resource.status == ResourceStatus.WITHDRAWN:
        raise Conflict(_("This resource is withdrawn already."), code="wrong_status")
    resource.status = ResourceStatus.WITHDRAWN
    resource.save(update_fields=["status"])
    audit.record(actor=user, verb="projects.resource_withdraw", obj=resource)
    return resource
