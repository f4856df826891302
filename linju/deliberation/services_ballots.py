"""Every write on a ballot (业主大会表决 and the other votes of seed 002): create and change a
draft, open it (the electorate is frozen, electorate.py), vote online, record a proxy's vote
with its written authorisation, enter a paper ballot that a second staff member confirms
against the scanned sheet, close it (the rule's arithmetic, thresholds.py), publish the result
as a public notice (公示).

Each function is one transaction: it validates, takes its locks in a fixed order (the ballot,
then the elector, then the vote), writes, records the audit event and notifies after commit.

One vote per elector: the elector's row lock makes co-owners voting at once take turns, and
the unique constraint `vote_one_per_elector` is the last guard (its IntegrityError is told
apart by the constraint's name, never by the error's text). A vote takes a share lock on the
ballot's row and closing takes an exclusive one, so no vote lands after the tally.

Secret ballots: nobody learns who chose what, only who voted. The vote row keeps its option
(the tally and a voter's own change need it), but no page, no API answer and no audit event
shows another elector's choice: audit data of a secret ballot's votes names the elector and
the method, never the option; staff lists say whether and how an elector voted, never for
what; there is no live tally of a secret ballot. The voter (and a co-owner sharing the vote)
sees their own current choice. The one exception is the paper count: the two staff members
who enter and confirm a paper ballot read the sheet, as tellers do; a confirmed sheet's
choice is not shown again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from linju.core import audit
from linju.core.cleaning import as_id as _as_id
from linju.core.cleaning import clean_text as _text
from linju.core.cleaning import violated
from linju.core.errors import Conflict, Forbidden, Invalid
from linju.core.notifications import notify_many
from linju.core.uploads import SHEET
from linju.core.uploads import clean as clean_upload
from linju.places.models import Household, Place, PlaceKind

from . import electorate, publishing, rules, thresholds
from .models import (
    SCOPE_KINDS,
    Ballot,
    BallotOption,
    BallotStatus,
    Elector,
    Electorate,
    ElectorMember,
    Meeting,
    Publication,
    Rule,
    Topic,
    Vote,
    VoteMethod,
)

NOTIFY_KIND = "deliberation.ballot"
ONE_VOTE = "vote_one_per_elector"
OWNER_SCOPES = (PlaceKind.ESTATE, PlaceKind.BUILDING, PlaceKind.UNIT)
MAX_OPTIONS = 20
MAX_FRACTION_TERM = 1000


# --- Small helpers -------------------------------------------------------------------------------


def _link(ballot) -> str:
    return reverse("deliberation:ballot", args=[ballot.pk])


def _locked(ballot) -> Ballot:
    """The ballot's row, locked for the rest of the transaction (always the first lock)."""
    pk = _as_id(ballot)
    row = Ballot.objects.select_for_update(of=("self",)).filter(pk=pk).first() if pk else None
    if row is None:
        raise Invalid({"ballot": _("No such ballot.")})
    return row


def _shared(ballot) -> Ballot:
    """The ballot's row under a share lock: many voters at once, but closing (an exclusive
    lock) waits for them and they wait for it. SQLite has one writer: a plain read will do."""
    pk = _as_id(ballot)
    row = None
    if pk and connection.vendor == "postgresql":
        table = connection.ops.quote_name(Ballot._meta.db_table)
        rows = list(Ballot.objects.raw(f"SELECT * FROM {table} WHERE id = %s FOR SHARE", [pk]))
        row = rows[0] if rows else None
    elif pk:
        row = Ballot.objects.filter(pk=pk).first()
    if row is None:
        raise Invalid({"ballot": _("No such ballot.")})
    return row


def _expect(ballot, statuses, code="wrong_status") -> None:
    if ballot.status not in statuses:
        raise Conflict(
            _("This ballot is %(status)s: that is not possible now.")
            % {"status": ballot.get_status_display()},
            code=code,
        )


def _expect_voting(ballot, now) -> None:
    """Open, and its closing time not yet reached."""
    _expect(ballot, [BallotStatus.OPEN], code="not_open")
    if now >= ballot.closes_at:
        raise Conflict(_("Voting on this ballot has ended."), code="voting_ended")


def _option(ballot, option_id) -> BallotOption:
    option = BallotOption.objects.filter(ballot=ballot, pk=_as_id(option_id)).first()
    if option is None:
        raise Invalid({"option": _("Choose one of the ballot's options.")})
    return option


def _elector(ballot, elector_id) -> Elector:
    """The elector's row, locked (after the ballot's lock). Looked up by its key alone: right
    after a large electorate is frozen the planner's statistics still think the ballot has no
    electors and would scan all of them by ballot."""
    pk = _as_id(elector_id)
    elector = Elector.objects.select_for_update().filter(pk=pk).first() if pk else None
    if elector is not None and elector.ballot_id != ballot.pk:
        elector = None
    if elector is None:
        raise Invalid({"elector": _("Choose a voter of this ballot's electorate.")})
    return elector


def _vote_data(ballot, vote, **more) -> dict:
    """Audit data of a vote: the option only for an open (non-secret) ballot."""
    data = {"elector": vote.elector_id, "method": vote.method, **more}
    if not ballot.secret:
        data["option"] = vote.option_id
    return data


def _member_ids(ballot) -> list[int]:
    return list(
        ElectorMember.objects.filter(ballot=ballot)
        .order_by()
        .values_list("user_id", flat=True)
        .distinct()
    )


def _tell_electorate(ballot, title, body="") -> None:
    """The electorate's members hear of it once the change has committed."""
    ids = _member_ids(ballot)
    if not ids:
        return
    message = {"recipients": ids, "title": str(title), "body": str(body), "url": _link(ballot)}
    transaction.on_commit(lambda: notify_many(messages=[message], kind=NOTIFY_KIND))


# --- Files (a proxy's authorisation, a paper ballot's scan) ---------------------------------------


def clean_document(upload, *, field: str, required) -> ContentFile:
    """A scan or photo of a signed sheet (core.uploads.SHEET): a PDF is kept as sent; an image
    is re-encoded as a JPEG without metadata (a phone's photo carries the location of the home
    it was taken in)."""
    if not upload:
        raise Invalid({field: required})
    return clean_upload(upload, use=SHEET, field=field)


# --- Creating and changing a draft ----------------------------------------------------------------


def default_options() -> list[dict]:
    """同意 / 反对 / 弃权: the first approves; abstaining takes part without approving."""
    return [
        {"label": pgettext("ballot option", "Approve"), "approves": True},
        {"label": pgettext("ballot option", "Against"), "approves": False},
        {"label": pgettext("ballot option", "Abstain"), "approves": False},
    ]


def _clean_options(options, rule) -> list[dict]:
    if not options:
        options = default_options()
    cleaned = []
    for i, o in enumerate(options):
        if isinstance(o, str):
            o = {"label": o, "approves": False}
        label = _text(
            o.get("label"),
            field=f"options.{i}",
            max_length=120,
            required=_("Give every option a label."),
        )
        cleaned.append({"label": label, "approves": bool(o.get("approves"))})
    if len(cleaned) < 2:
        raise Invalid({"options": _("Give at least two options.")})
    if len(cleaned) > MAX_OPTIONS:
        raise Invalid({"options": _("At most %(n)d options.") % {"n": MAX_OPTIONS}})
    if len({o["label"] for o in cleaned}) != len(cleaned):
        raise Invalid({"options": _("Two options have the same label.")})
    approving = sum(o["approves"] for o in cleaned)
    if rule == Rule.SIMPLE:
        if approving > 1:
            raise Invalid(
                {"options": _("Mark one option as approval, or none for a choice of candidates.")}
            )
    elif approving != 1:
        raise Invalid({"options": _("Mark exactly one option as the approval (同意).")})
    return cleaned


def _aware(value):
    """A datetime without an offset is read in the configured time zone (a phone's picker)."""
    if isinstance(value, datetime) and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _fraction(numerator, denominator, *, field: str) -> Fraction:
    try:
        n, d = int(numerator), int(denominator)
    except (TypeError, ValueError):
        raise Invalid({field: _("Give whole numbers.")}) from None
    if not (0 <= n <= MAX_FRACTION_TERM and 1 <= d <= MAX_FRACTION_TERM):
        raise Invalid(
            {field: _("Numerator 0–%(n)d, denominator 1–%(n)d.") % {"n": MAX_FRACTION_TERM}}
        )
    if n > d:
        raise Invalid({field: _("A share cannot exceed the whole.")})
    return Fraction(n, d)


@dataclass
class _Clean:
    fields: dict
    options: list[dict]
    affected: list[int]


def _validate(user, data: dict, now) -> _Clean:
    """Check a draft's fields together; every problem is reported on its field."""
    errors: dict[str, list[str]] = {}

    def check(fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Invalid as exc:
            for k, v in exc.errors.items():
                errors.setdefault(k, []).extend(v)
            return None

    title = check(
        _text,
        data.get("title"),
        field="title",
        max_length=200,
        required=_("Ask the question."),
    )
    description = check(_text, data.get("description"), field="description", max_length=5000)
    place = Place.objects.filter(pk=_as_id(data.get("place_id")), kind__in=SCOPE_KINDS).first()
    if place is None:
        errors["place"] = [_("Choose a unit, building, estate or community.")]
    kind = data.get("electorate")
    rule = data.get("rule")
    if kind not in Electorate.values:
        errors["electorate"] = [_("Choose who votes.")]
    if rule not in Rule.values:
        errors["rule"] = [_("Choose a rule.")]
    if place is not None and kind == Electorate.OWNERS and place.kind not in OWNER_SCOPES:
        errors["place"] = [_("Owners vote in an estate, a building or a unit.")]
    civil_code = rule in (Rule.ORDINARY, Rule.SPECIAL, Rule.ELEVATOR)
    if civil_code and kind in Electorate.values and kind != Electorate.OWNERS:
        errors["electorate"] = [
            _("The Civil Code's thresholds count owners by area and headcount.")
        ]
    affected = []
    if rule == Rule.ELEVATOR:
        if place is not None and place.kind != PlaceKind.UNIT:
            errors["place"] = [_("An elevator retrofit is decided by one unit's owners.")]
        ids = {i for i in (_as_id(h) for h in data.get("affected_household_ids") or []) if i}
        if place is not None and place.kind == PlaceKind.UNIT:
            affected = sorted(
                Household.objects.filter(pk__in=ids, path__startswith=place.path).values_list(
                    "pk", flat=True
                )
            )
        if not affected or len(affected) != len(ids):
            errors["affected_households"] = [
                _("Name the directly affected households of this unit (at least one).")
            ]
    closes_at, opens_at = _aware(data.get("closes_at")), _aware(data.get("opens_at"))
    if not isinstance(closes_at, datetime):
        errors["closes_at"] = [_("Give the closing time.")]
    elif closes_at <= now:
        errors["closes_at"] = [_("The closing time must lie in the future.")]
    elif opens_at is not None and (not isinstance(opens_at, datetime) or closes_at <= opens_at):
        errors["closes_at"] = [_("The ballot must close after it opens.")]
    options = check(_clean_options, data.get("options"), rule) or []
    fractions = {
        "participation_numerator": 0,
        "participation_denominator": 1,
        "approval_numerator": 1,
        "approval_denominator": 2,
        "approval_strict": True,
        "approval_of_electorate": False,
        "weigh_area": False,
    }
    if rule == Rule.CUSTOM:
        p = check(
            _fraction,
            data.get("participation_numerator", 0),
            data.get("participation_denominator", 1),
            field="participation_numerator",
        )
        a = check(
            _fraction,
            data.get("approval_numerator", 1),
            data.get("approval_denominator", 2),
            field="approval_numerator",
        )
        strict = bool(data.get("approval_strict", True))
        if a is not None and (a == 0 or (strict and a == 1)):
            errors["approval_numerator"] = [
                _("Approval must be more than nothing and reachable (not more than all).")
            ]
        weigh = bool(data.get("weigh_area", False))
        if weigh and kind not in (Electorate.OWNERS, Electorate.HOUSEHOLDS):
            errors["weigh_area"] = [_("Only owners' and households' votes have an area.")]
        if p is not None and a is not None:
            fractions.update(
                participation_numerator=p.numerator,
                participation_denominator=p.denominator,
                approval_numerator=a.numerator,
                approval_denominator=a.denominator,
                approval_strict=strict,
                approval_of_electorate=bool(data.get("approval_of_electorate", False)),
                weigh_area=weigh,
            )
    topic = meeting = None
    if data.get("topic_id"):
        topic = Topic.objects.filter(pk=_as_id(data["topic_id"])).first()
        if topic is None or (place is not None and not place.path.startswith(topic.path)):
            errors["topic"] = [_("Choose a topic of this scope or one containing it.")]
    if data.get("meeting_id"):
        meeting = Meeting.objects.filter(pk=_as_id(data["meeting_id"])).first()
        if meeting is None or (place is not None and not place.path.startswith(meeting.path)):
            errors["meeting"] = [_("Choose a meeting of this scope or one containing it.")]
    if errors:
        raise Invalid(errors)
    rules.require(rules.can_run_ballot(user, place))
    fields = {
        "title": title,
        "description": description,
        "place": place,
        "path": place.path,
        "electorate": kind,
        "rule": rule,
        "closes_at": closes_at,
        "opens_at": opens_at,
        "secret": bool(data.get("secret", False)),
        "changeable": bool(data.get("changeable", True)),
        "topic": topic,
        "meeting": meeting,
        **fractions,
    }
    return _Clean(fields=fields, options=options, affected=affected)


def _write_options(ballot, options) -> None:
    BallotOption.objects.filter(ballot=ballot).delete()
    BallotOption.objects.bulk_create(
        BallotOption(ballot=ballot, order=i, label=o["label"], approves=o["approves"])
        for i, o in enumerate(options)
    )


def _draft_data(ballot) -> dict:
    """A draft's current values, in create_ballot's terms (to apply a partial update)."""
    return {
        "title": ballot.title,
        "description": ballot.description,
        "place_id": ballot.place_id,
        "electorate": ballot.electorate,
        "rule": ballot.rule,
        "closes_at": ballot.closes_at,
        "opens_at": ballot.opens_at,
        "secret": ballot.secret,
        "changeable": ballot.changeable,
        "participation_numerator": ballot.participation_numerator,
        "participation_denominator": ballot.participation_denominator,
        "approval_numerator": ballot.approval_numerator,
        "approval_denominator": ballot.approval_denominator,
        "approval_strict": ballot.approval_strict,
        "approval_of_electorate": ballot.approval_of_electorate,
        "weigh_area": ballot.weigh_area,
        "topic_id": ballot.topic_id,
        "meeting_id": ballot.meeting_id,
        "affected_household_ids": affected_households(ballot),
        "options": [
            {"label": o.label, "approves": o.approves} for o in ballot.options.order_by("order")
        ],
    }


def affected_households(ballot) -> list[int]:
    """An elevator ballot's directly affected households, named at creation (the computed
    result keeps the list beside its arithmetic)."""
    return list(ballot.affected_household_ids or [])


@transaction.atomic
def create_ballot(
    *,
    user,
    place_id,
    title: str,
    electorate: str,
    rule: str,
    closes_at,
    description: str = "",
    options=None,
    opens_at=None,
    secret: bool = False,
    changeable: bool = True,
    participation_numerator: int = 0,
    participation_denominator: int = 1,
    approval_numerator: int = 1,
    approval_denominator: int = 2,
    approval_strict: bool = True,
    approval_of_electorate: bool = False,
    weigh_area: bool = False,
    affected_household_ids=(),
    topic_id=None,
    meeting_id=None,
) -> Ballot:
    """A draft ballot in a scope the user runs ballots in (owners' committee, community staff,
    subdistrict). Without options it asks 同意 / 反对 / 弃权."""
    data = {k: v for k, v in locals().items() if k != "user"}
    clean = _validate(user, data, timezone.now())
    ballot = Ballot.objects.create(
        **clean.fields, affected_household_ids=clean.affected, created_by=user
    )
    _write_options(ballot, clean.options)
    audit.record(
        actor=user,
        verb="ballot.create",
        obj=ballot,
        data={"rule": ballot.rule, "electorate": ballot.electorate, "secret": ballot.secret},
    )
    return ballot


UPDATABLE = {
    "title",
    "description",
    "place_id",
    "electorate",
    "rule",
    "closes_at",
    "opens_at",
    "secret",
    "changeable",
    "participation_numerator",
    "participation_denominator",
    "approval_numerator",
    "approval_denominator",
    "approval_strict",
    "approval_of_electorate",
    "weigh_area",
    "affected_household_ids",
    "topic_id",
    "meeting_id",
    "options",
}


@transaction.atomic
def update_ballot(*, user, ballot, **changes) -> Ballot:
    """Change a draft: only the fields given change; the whole draft is checked again."""
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise Invalid({name: _("This cannot be changed.") for name in sorted(unknown)})
    ballot = _locked(ballot)
    rules.require(rules.can_run_ballot(user, ballot))
    _expect(ballot, [BallotStatus.DRAFT])
    data = _draft_data(ballot) | changes
    clean = _validate(user, data, timezone.now())
    for name, value in clean.fields.items():
        setattr(ballot, name, value)
    ballot.affected_household_ids = clean.affected
    ballot.save()
    if "options" in changes or "rule" in changes:
        _write_options(ballot, clean.options)
    audit.record(actor=user, verb="ballot.update", obj=ballot, data={"fields": sorted(changes)})
    return ballot


# --- Opening --------------------------------------------------------------------------------------


def _open(ballot, user, now) -> Ballot:
    if ballot.closes_at <= now:
        raise Conflict(
            _("The closing time has passed: set a later one first."),
            code="closes_passed",
            field="closes_at",
        )
    heads, area = electorate.freeze(ballot, affected_household_ids=affected_households(ballot))
    if heads == 0:
        raise Conflict(_("Nobody is in this ballot's electorate."), code="empty_electorate")
    if (
        ballot.rule == Rule.ELEVATOR
        and not Elector.objects.filter(ballot=ballot, affected=True).exists()
    ):
        raise Conflict(_("None of the named households is in the electorate."), code="no_affected")
    ballot.status = BallotStatus.OPEN
    ballot.opened_at = now
    ballot.save(update_fields=["status", "opened_at", "electorate_heads", "electorate_area"])
    audit.record(
        actor=user,
        verb="ballot.open",
        obj=ballot,
        data={"electorate_heads": heads, "electorate_area": str(area)},
    )
    _tell_electorate(
        ballot,
        _("Vote: %(title)s") % {"title": ballot.title},
        _("Open until %(at)s.")
        % {"at": timezone.localtime(ballot.closes_at).strftime("%Y-%m-%d %H:%M")},
    )
    return ballot


@transaction.atomic
def open_ballot(*, user, ballot) -> Ballot:
    """Open a draft: its electorate (people, units, areas) is frozen now, and told."""
    ballot = _locked(ballot)
    rules.require(rules.can_run_ballot(user, ballot))
    _expect(ballot, [BallotStatus.DRAFT])
    return _open(ballot, user, timezone.now())


def open_due(*, now=None) -> int:
    """Open the drafts whose opening time has come (a scheduler calls this), each in its own
    transaction; a draft that cannot open (its electorate is empty) stays a draft."""
    now = now or timezone.now()
    ids = list(
        Ballot.objects.filter(
            status=BallotStatus.DRAFT, opens_at__isnull=False, opens_at__lte=now
        ).values_list("pk", flat=True)
    )
    opened = 0
    for pk in ids:
        try:
            with transaction.atomic():
                ballot = (
                    Ballot.objects.select_for_update(of=("self",), skip_locked=True)
                    .filter(pk=pk, status=BallotStatus.DRAFT)
                    .first()
                )
                if ballot is None:
                    continue
                _open(ballot, None, now)
        except Conflict:
            continue
        opened += 1
    return opened


# --- Voting ---------------------------------------------------------------------------------------


def _for_voter(ballot, user, option_id):
    """An online vote's reads in one statement: the ballot under its share lock (closing takes
    an exclusive one, so no vote lands after the count), whether the option is the ballot's,
    and the electors the user votes for. A vote is the busiest write of an owners' assembly and
    the ORM's five queries cost more than the vote itself (bench/ballots.py, docs/performance.md).
    Returns the ballot, with `chosen_option_id` and the user's `elector_ids`."""
    pk = _as_id(ballot)
    if pk is None:
        raise Invalid({"ballot": _("No such ballot.")})
    qn = connection.ops.quote_name
    sql = (
        f"SELECT b.*, o.id AS chosen_option_id, m.elector_id AS member_elector_id"
        f" FROM {qn(Ballot._meta.db_table)} b"
        f" LEFT JOIN {qn(BallotOption._meta.db_table)} o ON o.ballot_id = b.id AND o.id = %s"
        f" LEFT JOIN {qn(ElectorMember._meta.db_table)} m ON m.ballot_id = b.id AND m.user_id = %s"
        f" WHERE b.id = %s"
    )
    if connection.vendor == "postgresql":  # SQLite has one writer: a plain read will do
        sql += " FOR SHARE OF b"
    rows = list(Ballot.objects.raw(sql, [_as_id(option_id), user.pk, pk]))
    if not rows:
        raise Invalid({"ballot": _("No such ballot.")})
    found = rows[0]
    found.elector_ids = sorted({r.member_elector_id for r in rows if r.member_elector_id})
    return found


def _my_elector(ballot, elector_id) -> int:
    mine = ballot.elector_ids
    if not mine:
        raise Forbidden(_("You are not in this ballot's electorate."), code="not_elector")
    if elector_id is not None:
        pk = _as_id(elector_id)
        if pk not in mine:
            raise Invalid({"elector": _("You do not vote for this voter.")})
        return pk
    if len(mine) > 1:
        raise Invalid({"elector": _("You vote for several households: choose one.")})
    return mine[0]


def _elector_and_vote(ballot, elector_pk) -> tuple[Elector, Vote | None]:
    """The elector's row, locked (after the ballot's share lock), and its vote if it had one
    when the statement began: one statement on the vote's hot path (see _for_voter)."""
    qn = connection.ops.quote_name
    sql = (
        f"SELECT e.*, v.id AS vote_pk FROM {qn(Elector._meta.db_table)} e"
        f" LEFT JOIN {qn(Vote._meta.db_table)} v ON v.elector_id = e.id"
        f" WHERE e.id = %s AND e.ballot_id = %s"
    )
    if connection.vendor == "postgresql":
        sql += " FOR UPDATE OF e"
    rows = list(Elector.objects.raw(sql, [elector_pk, ballot.pk]))
    if not rows:
        raise Invalid({"elector": _("Choose a voter of this ballot's electorate.")})
    elector = rows[0]
    vote = Vote.objects.get(pk=elector.vote_pk) if elector.vote_pk else None
    return elector, vote


@transaction.atomic
def cast_vote(*, user, ballot, option_id, elector_id=None) -> Vote:
    """An elector's member votes online, until closing time. Changing the vote is allowed only
    when the ballot says so; a co-owner's change replaces the elector's one vote. A vote that
    staff recorded (proxy, paper) is not changed online."""
    now = timezone.now()
    ballot = _for_voter(ballot, user, option_id)
    _expect_voting(ballot, now)
    if ballot.chosen_option_id is None:
        raise Invalid({"option": _("Choose one of the ballot's options.")})
    elector, vote = _elector_and_vote(ballot, _my_elector(ballot, elector_id))
    if vote is None:
        # A co-owner's vote may have committed while this one waited for the elector's lock
        # (the statement's join saw the rows of before the wait): the unique key tells.
        try:
            with transaction.atomic():
                vote = Vote.objects.create(
                    ballot=ballot,
                    elector=elector,
                    option_id=ballot.chosen_option_id,
                    method=VoteMethod.ONLINE,
                    cast_by=user,
                    cast_at=now,
                    confirmed_at=now,
                )
        except IntegrityError as exc:
            if not violated(
                exc,
                ONE_VOTE,
                still_there=lambda: Vote.objects.filter(elector=elector).exists(),
            ):
                raise
            vote = Vote.objects.get(elector=elector)
        else:
            audit.record(actor=user, verb="ballot.vote", obj=ballot, data=_vote_data(ballot, vote))
            return vote
    return _change(ballot, vote, _option(ballot, ballot.chosen_option_id), user, now)


def _change(ballot, vote, option, user, now) -> Vote:
    if vote.method != VoteMethod.ONLINE:
        raise Conflict(
            _("Staff recorded this vote (by proxy or on paper): it cannot be changed online."),
            code="recorded_by_staff",
        )
    if not ballot.changeable:
        raise Conflict(
            _("This vote has been cast, and this ballot's votes cannot be changed."),
            code="already_voted",
        )
    if vote.option_id == option.pk:
        return vote
    vote.option = option
    vote.cast_by = user
    vote.changed_at = now
    vote.save(update_fields=["option", "cast_by", "changed_at"])
    audit.record(actor=user, verb="ballot.vote_change", obj=ballot, data=_vote_data(ballot, vote))
    return vote


def _no_vote_yet(ballot, elector) -> None:
    if Vote.objects.filter(elector=elector).exists():
        raise Conflict(_("This voter has voted already."), code="already_voted", field="elector")


def _staff_create(ballot, elector, **fields) -> Vote:
    try:
        with transaction.atomic():
            return Vote.objects.create(ballot=ballot, elector=elector, **fields)
    except IntegrityError as exc:
        if violated(
            exc,
            ONE_VOTE,
            still_there=lambda: Vote.objects.filter(elector=elector).exists(),
        ):
            raise Conflict(
                _("This voter has voted already."), code="already_voted", field="elector"
            ) from None
        raise


@transaction.atomic
def record_proxy_vote(
    *, user, ballot, elector_id, option_id, proxy_name: str, authorisation
) -> Vote:
    """A proxy votes for an elector, with the elector's signed written authorisation (委托书):
    staff who run the ballot record it, with the authorisation's scan; it counts at once."""
    proxy_name = _text(
        proxy_name, field="proxy_name", max_length=50, required=_("Give the proxy's name.")
    )
    document = clean_document(
        authorisation,
        field="authorisation",
        required=_("Attach the signed written authorisation."),
    )
    now = timezone.now()
    ballot = _shared(ballot)
    rules.require(rules.can_run_ballot(user, ballot))
    _expect_voting(ballot, now)
    option = _option(ballot, option_id)
    elector = _elector(ballot, elector_id)
    _no_vote_yet(ballot, elector)
    vote = _staff_create(
        ballot,
        elector,
        option=option,
        method=VoteMethod.PROXY,
        cast_by=user,
        proxy_name=proxy_name,
        authorisation=document,
        cast_at=now,
        confirmed_at=now,
    )
    audit.record(
        actor=user,
        verb="ballot.proxy_vote",
        obj=ballot,
        data=_vote_data(ballot, vote, proxy_name=proxy_name),
    )
    return vote


@transaction.atomic
def enter_paper_vote(*, user, ballot, elector_id, option_id, scan) -> Vote:
    """One staff member enters a paper ballot sheet with its scan; it counts only once a
    second staff member confirms it (confirm_paper_vote). Sheets are entered while the ballot
    is open, also after its closing time (those handed in on time)."""
    document = clean_document(scan, field="scan", required=_("Attach the scanned ballot sheet."))
    ballot = _shared(ballot)
    rules.require(rules.can_run_ballot(user, ballot))
    _expect(ballot, [BallotStatus.OPEN], code="not_open")
    option = _option(ballot, option_id)
    elector = _elector(ballot, elector_id)
    _no_vote_yet(ballot, elector)
    vote = _staff_create(
        ballot,
        elector,
        option=option,
        method=VoteMethod.PAPER,
        cast_by=user,
        scan=document,
        cast_at=timezone.now(),
    )
    audit.record(actor=user, verb="ballot.paper_enter", obj=ballot, data=_vote_data(ballot, vote))
    return vote


def _paper(ballot, vote_id) -> Vote:
    vote = (
        Vote.objects.select_for_update(of=("self",))
        .filter(ballot=ballot, pk=_as_id(vote_id), method=VoteMethod.PAPER)
        .first()
    )
    if vote is None:
        raise Invalid({"vote": _("No such paper ballot in this ballot.")})
    if vote.confirmed_at is not None:
        raise Conflict(_("This paper ballot is confirmed already."), code="already_confirmed")
    return vote


def _second_person(user, vote) -> None:
    if vote.cast_by_id == user.pk:
        raise Conflict(
            _("A second staff member, not the one who entered it, checks a paper ballot."),
            code="second_person_needed",
        )


@transaction.atomic
def confirm_paper_vote(*, user, ballot, vote_id) -> Vote:
    """A second staff member checks an entered paper ballot against its scan: it counts now."""
    ballot = _shared(ballot)
    rules.require(rules.can_run_ballot(user, ballot))
    _expect(ballot, [BallotStatus.OPEN], code="not_open")
    vote = _paper(ballot, vote_id)
    _second_person(user, vote)
    vote.confirmed_by = user
    vote.confirmed_at = timezone.now()
    vote.save(update_fields=["confirmed_by", "confirmed_at"])
    audit.record(
        actor=user,
        verb="ballot.paper_confirm",
        obj=ballot,
        data={"elector": vote.elector_id, "entered_by": vote.cast_by_id},
    )
    return vote


@transaction.atomic
def reject_paper_vote(*, user, ballot, vote_id, reason: str = "") -> Ballot:
    """The second staff member finds the entry does not match its scan: it is removed, and the
    sheet can be entered again. Returns the ballot."""
    reason = _text(reason, field="reason", max_length=300)
    ballot = _shared(ballot)
    rules.require(rules.can_run_ballot(user, ballot))
    _expect(ballot, [BallotStatus.OPEN], code="not_open")
    vote = _paper(ballot, vote_id)
    _second_person(user, vote)
    scan = vote.scan
    audit.record(
        actor=user,
        verb="ballot.paper_reject",
        obj=ballot,
        data={"elector": vote.elector_id, "entered_by": vote.cast_by_id, "reason": reason},
    )
    vote.delete()
    if scan:
        transaction.on_commit(lambda: scan.storage.delete(scan.name))
    return ballot


# --- Counting -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionCount:
    heads: int
    area: Decimal
    affected: int


def tally(ballot) -> dict[int, OptionCount]:
    """Counted votes per option id: electors (heads), their summed area and how many of them
    are directly affected. One GROUP BY over the ballot's confirmed votes joined to their
    electors, summed in the database (no Python work per vote); unconfirmed paper ballots are
    left out. Electors are joined by their key alone: a condition on elector.ballot as well
    leads the planner, while a fresh electorate has no statistics yet, to rescan the ballot's
    electors for every vote (250 ms instead of 4 ms for 2,000 votes of 20,000 electors)."""
    pk = getattr(ballot, "pk", ballot)
    rows = (
        Vote.objects.filter(ballot_id=pk, confirmed_at__isnull=False)
        .order_by()
        .values("option_id")
        .annotate(
            heads=Count("id"),
            area=Sum("elector__area"),
            affected=Count("id", filter=Q(elector__affected=True)),
        )
        .values_list("option_id", "heads", "area", "affected")
    )
    return {
        option_id: OptionCount(heads, Decimal(area or 0), affected)
        for option_id, heads, area, affected in rows
    }


def totals(ballot, counts=None, options=None) -> thresholds.Totals:
    """The rule's inputs: the frozen electorate's totals and the counted votes per option."""
    counts = tally(ballot) if counts is None else counts
    options = list(ballot.options.order_by("order")) if options is None else options
    approving = next((o for o in options if o.approves), None)
    affected = 0
    if ballot.rule == Rule.ELEVATOR:
        affected = Elector.objects.filter(ballot=ballot, affected=True).count()
    empty = OptionCount(0, Decimal(0), 0)
    return thresholds.Totals(
        electorate_heads=ballot.electorate_heads,
        electorate_area=Decimal(ballot.electorate_area),
        options=tuple(
            thresholds.OptionTotal(
                id=o.pk,
                label=o.label,
                heads=counts.get(o.pk, empty).heads,
                area=counts.get(o.pk, empty).area,
                approves=o.approves,
            )
            for o in options
        ),
        affected=affected,
        affected_approving=counts.get(approving.pk, empty).affected if approving else 0,
    )


def evaluate(ballot, counts=None, options=None) -> thresholds.Result:
    return thresholds.evaluate(thresholds.Spec.of(ballot), totals(ballot, counts, options))


# --- Closing and publishing -----------------------------------------------------------------------


def _close(ballot, user, now) -> Ballot:
    result = evaluate(ballot)
    pending = Vote.objects.filter(
        ballot=ballot, method=VoteMethod.PAPER, confirmed_at__isnull=True
    ).count()
    data = result.as_dict()
    data["unconfirmed_paper"] = pending
    affected = affected_households(ballot)
    if affected:
        data["affected_households"] = affected
    ballot.result = data
    ballot.passed = result.passed
    ballot.status = BallotStatus.CLOSED
    ballot.closed_at = now
    ballot.save(update_fields=["result", "passed", "status", "closed_at"])
    audit.record(
        actor=user,
        verb="ballot.close",
        obj=ballot,
        data={
            "passed": result.passed,
            "participating_heads": result.totals.participating_heads,
            "unconfirmed_paper": pending,
        },
    )
    return ballot


@transaction.atomic
def close_ballot(*, user, ballot) -> Ballot:
    """Staff close a ballot at or after its closing time: the rule's arithmetic is computed
    once and kept (Ballot.result, Ballot.passed). Paper ballots not yet confirmed do not count."""
    now = timezone.now()
    ballot = _locked(ballot)
    rules.require(rules.can_run_ballot(user, ballot))
    _expect(ballot, [BallotStatus.OPEN])
    if now < ballot.closes_at:
        raise Conflict(
            _("This ballot closes at %(at)s.")
            % {"at": timezone.localtime(ballot.closes_at).strftime("%Y-%m-%d %H:%M")},
            code="not_due",
            field="closes_at",
        )
    return _close(ballot, user, now)


def paper_entry_time() -> timedelta:
    """How long after closing time staff may still enter and confirm paper sheets handed in on
    time, before the sweep closes the ballot (staff may close it sooner)."""
    return timedelta(hours=getattr(settings, "DELIBERATION_PAPER_ENTRY_HOURS", 48))


def close_due(*, now=None) -> int:
    """Close every open ballot whose closing time and paper-entry time have passed (a scheduler
    calls this), each in its own transaction; a ballot another sweep is closing is skipped.
    Returns how many."""
    now = now or timezone.now()
    due = now - paper_entry_time()
    ids = list(
        Ballot.objects.filter(status=BallotStatus.OPEN, closes_at__lte=due)
        .order_by("closes_at", "pk")
        .values_list("pk", flat=True)
    )
    closed = 0
    for pk in ids:
        with transaction.atomic():
            ballot = (
                Ballot.objects.select_for_update(of=("self",), skip_locked=True)
                .filter(pk=pk, status=BallotStatus.OPEN, closes_at__lte=due)
                .first()
            )
            if ballot is None:
                continue
            _close(ballot, None, now)
        closed += 1
    return closed


def result_text(ballot) -> str:
    """The published notice's text: the question, the rule, every line of arithmetic and the
    count per option."""
    result = thresholds.Result.from_dict(ballot.result)
    lines = [ballot.title, "", thresholds.rule_summary(ballot.rule), ""]
    lines += thresholds.describe_result(result)
    lines.append("")
    for o in result.totals.options:
        if ballot.electorate in (Electorate.OWNERS, Electorate.HOUSEHOLDS):
            lines.append(
                _("%(option)s: %(heads)s, %(area)s m²")
                % {
                    "option": o.label,
                    "heads": f"{o.heads:,}",
                    "area": thresholds.number(o.area, area=True),
                }
            )
        else:
            lines.append(_("%(option)s: %(heads)s") % {"option": o.label, "heads": f"{o.heads:,}"})
    pending = ballot.result.get("unconfirmed_paper", 0)
    if pending:
        lines.append(
            _("%(n)s paper ballots were not confirmed in time and were not counted.")
            % {"n": pending}
        )
    return "\n".join(lines)


@transaction.atomic
def publish_result(*, user, ballot) -> Publication:
    """公示: the closed ballot's result goes up on the scope's notice board, with its
    arithmetic; the electorate hears of it."""
    ballot = _locked(ballot)
    rules.require(rules.can_run_ballot(user, ballot))
    _expect(ballot, [BallotStatus.CLOSED])
    verdict = _("passed") if ballot.passed else _("not passed")
    title = _("Ballot result: %(title)s (%(verdict)s)") % {
        "title": ballot.title[:100],
        "verdict": verdict,
    }
    publication = publishing.publish(
        user=user,
        kind=Publication.Kind.BALLOT,
        place=ballot.place,
        title=title[:160],
        body=result_text(ballot),
        topic=ballot.topic,
        ballot=ballot,
    )
    ballot.status = BallotStatus.PUBLISHED
    ballot.save(update_fields=["status"])
    audit.record(
        actor=user, verb="ballot.publish", obj=ballot, data={"publication": publication.pk}
    )
    _tell_electorate(ballot, title)
    return publication
