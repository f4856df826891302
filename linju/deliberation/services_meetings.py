"""Every write on a deliberation meeting (议事会, 院子会, 楼栋会, 居民代表会议, 党员大会,
民情恳谈会, 听证会, 业主大会 and the kinds staff define; seeds 000–002: notify and convene, hold
the meeting, record what it decided). A meeting goes draft → noticed → held, or is cancelled
on the way.

Each function is keyword-only, runs in one transaction, locks the meeting row first (then its
invitee rows), validates and raises core.errors naming the field, writes the audit event and
sends notifications after the commit.

Decisions documented here (one place):

- Agenda topics: an open topic (models.OPEN_TOPIC_STATUSES) whose scope lies inside the
  meeting's (a community meeting takes up a building's topic) or contains the meeting's place
  (a building meeting takes up a community-wide topic as it concerns the building).
- Notice: `send_notice` refuses when the meeting starts less than `kind.notice_days` days from
  now (exactly that many days is enough: 15 days for an owners' assembly, Civil Code art. 285
  and the owners' assembly rules). Moving a noticed meeting to a new time needs the same
  notice again, and its invitees are told of the change.
- Check-in by QR code: the code opens `checkin` with the meeting's token; it works from
  CHECKIN_OPENS before the start until the minutes are recorded. Open meetings (OPEN_KINDS:
  议事会, 民情恳谈会, 院子会, 楼栋会) take verified residents of the scope who were not invited as
  walk-ins; owners' assemblies, party members' and representatives' meetings and every kind
  staff define admit invitees only (their quorum counts a fixed body of people).
- Quorum: at least numerator/denominator of the invitees present, computed with integers
  ("at least" includes the boundary). Decisions are recorded only when the quorum is met;
  minutes alone may be recorded without it (a meeting that failed its quorum is minuted too).
- Meeting kinds are city-wide data, like report categories: superusers and subdistrict
  administrators (who organise deliberation from the subdistrict) change them, see
  `may_manage_kinds`."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from linju.core import access, audit
from linju.core.cleaning import as_id as _as_id
from linju.core.cleaning import as_when
from linju.core.cleaning import clean_text as _text
from linju.core.errors import Conflict, Forbidden, Invalid
from linju.core.notifications import notify_many
from linju.people.models import (
    OWNER_RELATIONS,
    Residency,
    ResidencyStatus,
    RoleGrant,
    User,
)
from linju.people.roles import GRANTABLE_ROLES, Role
from linju.places.models import Place
from linju.places.paths import prefixes_of

from . import electorate, publishing, rules
from .models import (
    OPEN_TOPIC_STATUSES,
    SCOPE_KINDS,
    AgendaItem,
    Invitee,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Publication,
    Rsvp,
    Topic,
    new_checkin_token,
)

NOTIFY_KIND = "deliberation.meeting"
# The check-in code works from this long before the start (people arrive early to sign in).
CHECKIN_OPENS = timedelta(hours=2)
# Kinds open to any resident of the scope: walk-ins may check in without an invitation.
OPEN_KINDS = frozenset({"yishihui", "kentanhui", "yuanzihui", "loudonghui"})
OWNERS_ASSEMBLY = "owners_assembly"
REP_ASSEMBLY = "rep_assembly"
PARTY_ASSEMBLY = "party_assembly"
EDITABLE = (MeetingStatus.DRAFT, MeetingStatus.NOTICED)
MAX_AGENDA = 50
MAX_LIST = 1000
MAX_DECISIONS = 50
ROLE_CODES = tuple(r.value for r in GRANTABLE_ROLES)
RSVP_ANSWERS = (Rsvp.YES, Rsvp.NO, Rsvp.MAYBE)


# --- Small helpers ---------------------------------------------------------------------------


def _local(value) -> str:
    return date_format(timezone.localtime(value), "Y-m-d H:i")


def _locked(meeting) -> Meeting:
    """The meeting's row, locked for the rest of the transaction (always the first lock)."""
    pk = _as_id(meeting)
    row = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("kind", "place")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if row is None:
        raise Invalid({"meeting": _("No such meeting.")})
    return row


def _expect(meeting, statuses, action: str) -> None:
    if meeting.status not in statuses:
        raise Conflict(
            _("This meeting is %(status)s: it cannot be %(action)s now.")
            % {"status": meeting.get_status_display(), "action": action},
            code="wrong_status",
        )


def _host(user, meeting) -> None:
    rules.require(rules.can_host(user, meeting), _("You may not run meetings here."))


def meeting_url(meeting) -> str:
    return reverse("deliberation:meeting", args=[meeting.pk])


def _invitee_ids(meeting) -> list[int]:
    return list(
        Invitee.objects.filter(meeting=meeting, user__is_active=True)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


def _tell(recipients, title, body, url) -> None:
    """Notify after the commit: a rolled-back change never tells anyone anything."""
    recipients = list(recipients)
    if not recipients:
        return
    message = {"recipients": recipients, "title": str(title), "body": str(body)[:500], "url": url}
    transaction.on_commit(lambda: notify_many(messages=[message], kind=NOTIFY_KIND))


def _quorum_pair(kind_or_meeting) -> tuple[int, int]:
    return kind_or_meeting.quorum_numerator, kind_or_meeting.quorum_denominator


def _check_quorum(numerator, denominator) -> tuple[int, int]:
    num, den = _as_int(numerator), _as_int(denominator)
    if den is None or not 1 <= den <= 1000:
        raise Invalid({"quorum_denominator": _("A whole number from 1 to 1,000.")})
    if num is None or not 0 <= num <= den:
        raise Invalid(
            {
                "quorum_numerator": _("A whole number from 0 to the denominator (%(d)s).")
                % {"d": den}
            }
        )
    return num, den


def _as_int(value):
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- Quorum ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quorum:
    """How many invitees are present, how many are needed (at least ⌈invited × n/d⌉), met?"""

    present: int
    invited: int
    needed: int
    met: bool
    numerator: int
    denominator: int

    @property
    def missing(self) -> int:
        return max(0, self.needed - self.present)


def needed_for(invited: int, numerator: int, denominator: int) -> int:
    """⌈invited × numerator / denominator⌉ in integers: "at least" includes the boundary."""
    return -(-invited * numerator // denominator)


def quorum(meeting) -> Quorum:
    counts = Invitee.objects.filter(meeting_id=meeting.pk).aggregate(
        invited=Count("pk"), present=Count("pk", filter=Q(checked_in_at__isnull=False))
    )
    return quorum_of(meeting, counts["invited"], counts["present"])


def quorum_of(meeting, invited: int, present: int) -> Quorum:
    num, den = _quorum_pair(meeting)
    needed = needed_for(invited, num, den)
    return Quorum(
        present=present,
        invited=invited,
        needed=needed,
        met=present >= needed,
        numerator=num,
        denominator=den,
    )


# --- Creating and changing ------------------------------------------------------------------------


def _kind(code) -> MeetingKind:
    kind = MeetingKind.objects.filter(code=str(code or ""), active=True).first()
    if kind is None:
        raise Invalid({"kind": _("Choose a kind of meeting.")})
    return kind


def _place(place_id) -> Place:
    place = Place.objects.filter(pk=_as_id(place_id), kind__in=SCOPE_KINDS).first()
    if place is None:
        raise Invalid({"place": _("Choose a unit, building, estate or community.")})
    return place


def _check_times(starts_at, ends_at, now) -> None:
    if starts_at <= now:
        raise Invalid({"starts_at": _("The meeting must start in the future.")})
    if ends_at is not None and ends_at <= starts_at:
        raise Invalid({"ends_at": _("The meeting must end after it starts.")})


@transaction.atomic
def create_meeting(
    *,
    user,
    kind,
    place_id,
    title,
    starts_at,
    venue,
    ends_at=None,
    quorum_numerator=None,
    quorum_denominator=None,
    topic_ids=(),
) -> Meeting:
    """A draft meeting of `kind` (a code) at a unit, building, estate or community the user
    may host meetings at. The quorum comes from the kind unless given; `topic_ids` start its
    agenda (a topic's stage convenes the meeting it needs)."""
    kind = _kind(getattr(kind, "code", kind))
    place = _place(place_id)
    _host(user, place)
    title = _text(title, field="title", max_length=120, required=_("Give the meeting a title."))
    venue = _text(venue, field="venue", max_length=120, required=_("Say where it takes place."))
    starts_at = as_when(starts_at, field="starts_at", required=True)
    ends_at = as_when(ends_at, field="ends_at", required=False)
    now = timezone.now()
    _check_times(starts_at, ends_at, now)
    if quorum_numerator is None and quorum_denominator is None:
        num, den = _quorum_pair(kind)
    else:
        num, den = _check_quorum(
            kind.quorum_numerator if quorum_numerator is None else quorum_numerator,
            kind.quorum_denominator if quorum_denominator is None else quorum_denominator,
        )
    meeting = Meeting.objects.create(
        kind=kind,
        place=place,
        path=place.path,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venue,
        quorum_numerator=num,
        quorum_denominator=den,
        created_by=user,
        created_at=now,
    )
    audit.record(
        actor=user,
        verb="deliberation.meeting.create",
        obj=meeting,
        data={"kind": kind.code, "starts_at": starts_at.isoformat()},
    )
    if topic_ids:
        _write_agenda(meeting, _agenda_topics(meeting, topic_ids, "topic_ids"))
        _agenda_changed(user, meeting, "deliberation.meeting.agenda")
    return meeting


@transaction.atomic
def update_meeting(*, user, meeting, **fields) -> Meeting:
    """Change the title, time, venue or quorum of a draft or noticed meeting (a field given as
    None stays). Once noticed, a new time needs the kind's notice again and the invitees hear
    of a new time or venue (and the board gets the changed notice)."""
    allowed = {"title", "venue", "starts_at", "ends_at", "quorum_numerator", "quorum_denominator"}
    unknown = set(fields) - allowed
    if unknown:
        raise Invalid({sorted(unknown)[0]: _("Unknown field.")})
    meeting = _locked(meeting)
    _host(user, meeting)
    _expect(meeting, EDITABLE, pgettext("meeting action", "changed"))
    now = timezone.now()
    before = {
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "venue": meeting.venue,
    }
    if fields.get("title") is not None:
        meeting.title = _text(
            fields["title"], field="title", max_length=120, required=_("Give the meeting a title.")
        )
    if fields.get("venue") is not None:
        meeting.venue = _text(
            fields["venue"], field="venue", max_length=120, required=_("Say where it takes place.")
        )
    if fields.get("starts_at") is not None:
        meeting.starts_at = as_when(fields["starts_at"], field="starts_at", required=True)
    if "ends_at" in fields:
        meeting.ends_at = as_when(fields["ends_at"], field="ends_at", required=False)
    num, den = fields.get("quorum_numerator"), fields.get("quorum_denominator")
    changes_quorum = (num is not None and _as_int(num) != meeting.quorum_numerator) or (
        den is not None and _as_int(den) != meeting.quorum_denominator
    )
    if changes_quorum and meeting.status != MeetingStatus.DRAFT:
        # Once invitees have the notice, the quorum they were told of holds: a host must not
        # lower it just before recording decisions.
        raise Invalid({"quorum_numerator": _("The quorum cannot change after the notice.")})
    if changes_quorum:
        meeting.quorum_numerator, meeting.quorum_denominator = _check_quorum(
            meeting.quorum_numerator if num is None else num,
            meeting.quorum_denominator if den is None else den,
        )
    moved = meeting.starts_at != before["starts_at"]
    if moved or meeting.ends_at != before["ends_at"]:
        _check_times(meeting.starts_at, meeting.ends_at, now)
    noticed = meeting.status == MeetingStatus.NOTICED
    if noticed and moved:
        _check_notice(meeting, now)
    meeting.save()
    changed = {
        k: (v.isoformat() if isinstance(v, datetime) else v)
        for k, v in before.items()
        if getattr(meeting, k) != v
    }
    audit.record(
        actor=user,
        verb="deliberation.meeting.update",
        obj=meeting,
        data={"before": changed, "quorum": list(_quorum_pair(meeting))},
    )
    if noticed and changed:
        if moved:
            meeting.notice_sent_at = now
            meeting.save(update_fields=["notice_sent_at"])
        title = _("Meeting changed: %(title)s") % {"title": meeting.title}
        body = notice_text(meeting)
        publishing.publish(
            user=user,
            kind=Publication.Kind.MEETING,
            place=meeting.place,
            title=title[:160],
            body=body,
            meeting=meeting,
        )
        _tell(_invitee_ids(meeting), title, body, meeting_url(meeting))
    return meeting


# --- Agenda ---------------------------------------------------------------------------------------


def topics_for(meeting):
    """Open topics that may go on the meeting's agenda (see the module's docstring)."""
    return Topic.objects.filter(status__in=OPEN_TOPIC_STATUSES).filter(
        Q(path__startswith=meeting.path) | Q(path__in=prefixes_of(meeting.path))
    )


def _agenda_topics(meeting, topic_ids, field) -> list[Topic]:
    ids = []
    for value in topic_ids or []:
        pk = _as_id(value)
        if pk is None:
            raise Invalid({field: _("Choose topics from the list.")})
        if pk not in ids:
            ids.append(pk)
    if len(ids) > MAX_AGENDA:
        raise Invalid({field: _("At most %(n)s topics.") % {"n": MAX_AGENDA}})
    found = {t.pk: t for t in topics_for(meeting).filter(pk__in=ids)}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise Invalid(
            {
                field: _(
                    "Topic #%(id)s cannot go on this agenda: choose an open topic of this "
                    "place, of a place inside it or of one containing it."
                )
                % {"id": missing[0]}
            }
        )
    return [found[pk] for pk in ids]


def _write_agenda(meeting, topics) -> None:
    AgendaItem.objects.filter(meeting=meeting).delete()
    AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, topic=t, order=i) for i, t in enumerate(topics, 1)
    )


def _agenda_changed(user, meeting, verb) -> None:
    ids = list(
        AgendaItem.objects.filter(meeting=meeting).order_by("order").values_list("topic", flat=True)
    )
    audit.record(actor=user, verb=verb, obj=meeting, data={"topics": ids})


@transaction.atomic
def set_agenda(*, user, meeting, topic_ids) -> list[AgendaItem]:
    """The agenda, in this order (replacing the old one)."""
    meeting = _locked(meeting)
    _host(user, meeting)
    _expect(meeting, EDITABLE, pgettext("meeting action", "given a new agenda"))
    topics = _agenda_topics(meeting, topic_ids, "topic_ids")
    _write_agenda(meeting, topics)
    _agenda_changed(user, meeting, "deliberation.meeting.agenda")
    return list(meeting.agenda.select_related("topic"))


@transaction.atomic
def add_topic(*, user, meeting, topic_id) -> AgendaItem:
    """Put a topic at the end of the agenda; adding one already there changes nothing."""
    meeting = _locked(meeting)
    _host(user, meeting)
    _expect(meeting, EDITABLE, pgettext("meeting action", "given a new agenda"))
    if _as_id(topic_id) is None:
        raise Invalid({"topic_id": _("Choose a topic.")})
    topic = _agenda_topics(meeting, [topic_id], "topic_id")[0]
    item = AgendaItem.objects.filter(meeting=meeting, topic=topic).first()
    if item is not None:
        return item
    if AgendaItem.objects.filter(meeting=meeting).count() >= MAX_AGENDA:
        raise Invalid({"topic_id": _("At most %(n)s topics.") % {"n": MAX_AGENDA}})
    last = AgendaItem.objects.filter(meeting=meeting).order_by("-order").first()
    item = AgendaItem.objects.create(
        meeting=meeting, topic=topic, order=(last.order + 1) if last else 1
    )
    _agenda_changed(user, meeting, "deliberation.meeting.agenda")
    return item


@transaction.atomic
def remove_topic(*, user, meeting, topic_id) -> None:
    meeting = _locked(meeting)
    _host(user, meeting)
    _expect(meeting, EDITABLE, pgettext("meeting action", "given a new agenda"))
    deleted, _rows = AgendaItem.objects.filter(meeting=meeting, topic_id=_as_id(topic_id)).delete()
    if not deleted:
        raise Invalid({"topic_id": _("This topic is not on the agenda.")})
    _agenda_changed(user, meeting, "deliberation.meeting.agenda")


# --- Invitations ----------------------------------------------------------------------------------


def role_holders(meeting, roles) -> set[int]:
    """Active users holding one of `roles` (live grants) at a scope inside the meeting's or
    containing it; a grid's scope is its buildings."""
    inside_or_above = Q(scope_path__startswith=meeting.path) | Q(
        scope_path__in=prefixes_of(meeting.path)
    )
    grid_buildings = Q(grid__buildings__path__startswith=meeting.path) | Q(
        grid__buildings__path__in=prefixes_of(meeting.path)
    )
    grants = RoleGrant.objects.filter(
        role__in=roles, revoked_at__isnull=True, user__is_active=True
    ).filter((Q(place__isnull=False) & inside_or_above) | (Q(grid__isnull=False) & grid_buildings))
    return set(grants.values_list("user_id", flat=True))


def scope_members(meeting) -> set[int]:
    """Who "the scope" means for the meeting's kind: the community's resident representatives
    (居民代表会议), the party members of its organisations (党员大会), the verified owners of the
    households under the place (业主大会), or all its verified residents (any other kind)."""
    code = meeting.kind.code
    if code == REP_ASSEMBLY:
        return set(electorate.representative_ids(meeting.place).values_list("user_id", flat=True))
    if code == PARTY_ASSEMBLY:
        return set(electorate.party_member_ids(meeting.place).values_list("user_id", flat=True))
    residents = Residency.objects.filter(
        status=ResidencyStatus.VERIFIED,
        household__path__startswith=meeting.path,
        user__is_active=True,
    )
    if code == OWNERS_ASSEMBLY:
        residents = residents.filter(relation__in=OWNER_RELATIONS)
    return set(residents.values_list("user_id", flat=True))


def _listed(user_ids) -> set[int]:
    ids = []
    for value in user_ids or []:
        pk = _as_id(value)
        if pk is None:
            raise Invalid({"user_ids": _("Give the ids of the people to invite.")})
        ids.append(pk)
    ids = set(ids)
    if len(ids) > MAX_LIST:
        raise Invalid({"user_ids": _("At most %(n)s people at a time.") % {"n": MAX_LIST}})
    found = set(User.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))
    missing = sorted(ids - found)
    if missing:
        raise Invalid({"user_ids": _("No such person: #%(id)s.") % {"id": missing[0]}})
    return found


@dataclass(frozen=True)
class Invited:
    added: int
    invited: int


@transaction.atomic
def invite(*, user, meeting, roles=(), scope: bool = False, user_ids=()) -> Invited:
    """Invite people to a draft or noticed meeting, in bulk: holders of `roles` at a scope
    inside or above the meeting's, the members of its scope (`scope_members`), and listed
    user ids. Idempotent: people already invited stay as they are (the unique invitee key is
    the last guard). People invited after the notice went out receive it now."""
    roles = [str(r) for r in (roles or [])]
    bad = [r for r in roles if r not in ROLE_CODES]
    if bad:
        raise Invalid({"roles": _("Unknown role: %(role)s.") % {"role": bad[0]}})
    listed = _listed(user_ids)
    if not (roles or scope or listed):
        raise Invalid({"roles": _("Choose roles, the scope or people to invite.")})
    meeting = _locked(meeting)
    _host(user, meeting)
    _expect(meeting, EDITABLE, pgettext("meeting action", "given invitees"))
    wanted: dict[int, str] = {}
    for uid in listed:
        wanted.setdefault(uid, Invitee.Via.LIST)
    if roles:
        for uid in role_holders(meeting, roles):
            wanted.setdefault(uid, Invitee.Via.ROLE)
    if scope:
        for uid in scope_members(meeting):
            wanted.setdefault(uid, Invitee.Via.SCOPE)
    already = set(Invitee.objects.filter(meeting=meeting).values_list("user_id", flat=True))
    new = {uid: via for uid, via in wanted.items() if uid not in already}
    Invitee.objects.bulk_create(
        [Invitee(meeting=meeting, user_id=uid, via=via) for uid, via in sorted(new.items())],
        batch_size=1000,
        ignore_conflicts=True,
    )
    invited = Invitee.objects.filter(meeting=meeting).count()
    audit.record(
        actor=user,
        verb="deliberation.meeting.invite",
        obj=meeting,
        data={"roles": roles, "scope": bool(scope), "listed": len(listed), "added": len(new)},
    )
    if new and meeting.status == MeetingStatus.NOTICED:
        title = _("Meeting notice: %(title)s") % {"title": meeting.title}
        _tell(sorted(new), title, notice_text(meeting), meeting_url(meeting))
    return Invited(added=len(new), invited=invited)


# --- The notice -------------------------------------------------------------------------------


def notice_text(meeting, agenda=None) -> str:
    """The notice as the board shows it: kind, time, venue and the agenda."""
    if agenda is None:
        agenda = [
            item.topic.title
            for item in AgendaItem.objects.filter(meeting=meeting)
            .select_related("topic")
            .order_by("order", "pk")
        ]
    lines = [
        _("Kind: %(kind)s") % {"kind": meeting.kind.name},
        _("Time: %(start)s") % {"start": _local(meeting.starts_at)}
        + (f" – {_local(meeting.ends_at)}" if meeting.ends_at else ""),
        _("Venue: %(venue)s") % {"venue": meeting.venue},
    ]
    if agenda:
        lines.append(_("Agenda:"))
        lines.extend(f"{i}. {title}" for i, title in enumerate(agenda, 1))
    return "\n".join(lines)


def earliest_start(kind, now=None):
    """The earliest start a notice sent now allows for this kind."""
    return (now or timezone.now()) + timedelta(days=kind.notice_days)


def _check_notice(meeting, now) -> None:
    days = meeting.kind.notice_days
    if meeting.starts_at - now < timedelta(days=days):
        raise Invalid(
            {
                "starts_at": ngettext(
                    "A %(kind)s needs %(days)d day of notice: it may start at %(earliest)s "
                    "at the earliest.",
                    "A %(kind)s needs %(days)d days of notice: it may start at %(earliest)s "
                    "at the earliest.",
                    days,
                )
                % {
                    "kind": meeting.kind.name,
                    "days": days,
                    "earliest": _local(earliest_start(meeting.kind, now)),
                }
            }
        )


@transaction.atomic
def send_notice(*, user, meeting) -> Meeting:
    """通知召集: draft → noticed. Needs invitees and the kind's days of notice; every invitee
    is told, and the notice goes up on the scope's board (公示)."""
    meeting = _locked(meeting)
    _host(user, meeting)
    _expect(meeting, [MeetingStatus.DRAFT], pgettext("meeting action", "noticed"))
    now = timezone.now()
    _check_notice(meeting, now)
    recipients = _invitee_ids(meeting)
    if not recipients:
        raise Invalid({"invitees": _("Invite people before sending the notice.")})
    meeting.status = MeetingStatus.NOTICED
    meeting.notice_sent_at = now
    meeting.save(update_fields=["status", "notice_sent_at"])
    title = _("Meeting notice: %(title)s") % {"title": meeting.title}
    body = notice_text(meeting)
    publishing.publish(
        user=user,
        kind=Publication.Kind.MEETING,
        place=meeting.place,
        title=title[:160],
        body=body,
        meeting=meeting,
    )
    audit.record(
        actor=user,
        verb="deliberation.meeting.notice",
        obj=meeting,
        data={"invitees": len(recipients), "starts_at": meeting.starts_at.isoformat()},
    )
    _tell(recipients, title, body, meeting_url(meeting))
    return meeting


# --- Answers and check-in -------------------------------------------------------------------------


def _invitation(meeting, user, *, lock=False) -> Invitee | None:
    qs = Invitee.objects.filter(meeting=meeting, user_id=getattr(user, "pk", None))
    if lock:
        qs = qs.select_for_update()
    return qs.first()


@transaction.atomic
def rsvp(*, user, meeting, answer) -> Invitee:
    """The invitee says whether they will come (yes / no / maybe), until the meeting starts.
    Not audited: it is the invitee's own answer, kept on the row with its time."""
    answer = str(answer or "")
    if answer not in RSVP_ANSWERS:
        raise Invalid({"answer": _("Answer yes, no or maybe.")})
    meeting = _locked(meeting)
    invitee = _invitation(meeting, user, lock=True)
    if invitee is None or meeting.status == MeetingStatus.DRAFT:
        raise Forbidden(_("You are not invited to this meeting."), code="not_invited")
    _expect(meeting, [MeetingStatus.NOTICED], pgettext("meeting action", "answered"))
    now = timezone.now()
    if now >= meeting.starts_at:
        raise Conflict(_("The meeting has started: answers are closed."), code="rsvp_closed")
    invitee.rsvp = answer
    invitee.rsvp_at = now
    invitee.save(update_fields=["rsvp", "rsvp_at"])
    return invitee


def is_open_kind(meeting) -> bool:
    return meeting.kind.code in OPEN_KINDS


def lives_in_scope(user, meeting) -> bool:
    return Residency.objects.filter(
        user_id=getattr(user, "pk", None),
        status=ResidencyStatus.VERIFIED,
        household__path__startswith=meeting.path,
    ).exists()


def checkin_problem(user, meeting, token, now=None):
    """What check-in with this code would refuse, or None (the check-in page shows it before
    anyone taps the button; `check_in` raises it)."""
    now = now or timezone.now()
    # As bytes: compare_digest refuses str with non-ASCII characters (TypeError, a 500).
    if not secrets.compare_digest(str(token or "").encode(), meeting.checkin_token.encode()):
        return Invalid(
            {"token": _("This check-in code is not valid (any more): scan the code at the door.")}
        )
    if meeting.status != MeetingStatus.NOTICED:
        return Conflict(
            _("This meeting is %(status)s: check-in is closed.")
            % {"status": meeting.get_status_display()},
            code="wrong_status",
        )
    if now < meeting.starts_at - CHECKIN_OPENS:
        return Conflict(
            _("Check-in opens at %(at)s.") % {"at": _local(meeting.starts_at - CHECKIN_OPENS)},
            code="checkin_not_open",
        )
    if _invitation(meeting, user) is None and not (
        is_open_kind(meeting) and lives_in_scope(user, meeting)
    ):
        return Forbidden(_("Only invitees may check in to this meeting."), code="not_invited")
    return None


@dataclass(frozen=True)
class CheckIn:
    invitee: Invitee
    already: bool
    walk_in: bool


@transaction.atomic
def check_in(*, user, meeting, token) -> CheckIn:
    """The invitee scanned the code at the door (logged in): they are present. A resident of
    the scope who was not invited joins an open meeting as a walk-in invitee. Scanning twice
    keeps the first time."""
    meeting = _locked(meeting)
    now = timezone.now()
    problem = checkin_problem(user, meeting, token, now)
    if problem is not None:
        raise problem
    invitee = _invitation(meeting, user, lock=True)
    walk_in = invitee is None
    if walk_in:
        invitee = Invitee.objects.create(meeting=meeting, user=user, via=Invitee.Via.SCOPE)
    if invitee.checked_in_at is not None:
        return CheckIn(invitee=invitee, already=True, walk_in=False)
    invitee.checked_in_at = now
    invitee.checked_in_by = None
    invitee.save(update_fields=["checked_in_at", "checked_in_by"])
    audit.record(
        actor=user,
        verb="deliberation.meeting.check_in",
        obj=meeting,
        data={"user": user.pk, "walk_in": walk_in},
    )
    return CheckIn(invitee=invitee, already=False, walk_in=walk_in)


@transaction.atomic
def check_in_by_host(*, user, meeting, invitee_user_id, present: bool = True) -> Invitee:
    """A host ticks an invitee off the sign-in sheet by hand (or takes a wrong tick back)."""
    meeting = _locked(meeting)
    _host(user, meeting)
    _expect(meeting, [MeetingStatus.NOTICED], pgettext("meeting action", "checked in to"))
    now = timezone.now()
    if now < meeting.starts_at - CHECKIN_OPENS:
        raise Conflict(
            _("Check-in opens at %(at)s.") % {"at": _local(meeting.starts_at - CHECKIN_OPENS)},
            code="checkin_not_open",
        )
    invitee = (
        Invitee.objects.select_for_update()
        .filter(meeting=meeting, user_id=_as_id(invitee_user_id))
        .first()
    )
    if invitee is None:
        raise Invalid({"user_id": _("This person is not invited.")})
    if present and invitee.checked_in_at is None:
        invitee.checked_in_at = now
        invitee.checked_in_by = user
    elif not present:
        invitee.checked_in_at = None
        invitee.checked_in_by = None
    invitee.save(update_fields=["checked_in_at", "checked_in_by"])
    audit.record(
        actor=user,
        verb="deliberation.meeting.host_check_in",
        obj=meeting,
        data={"user": invitee.user_id, "present": bool(present)},
    )
    return invitee


@transaction.atomic
def rotate_token(*, user, meeting) -> Meeting:
    """A new check-in code: the old QR code (a photo of it passed around) stops working."""
    meeting = _locked(meeting)
    _host(user, meeting)
    _expect(meeting, EDITABLE, pgettext("meeting action", "given a new check-in code"))
    meeting.checkin_token = new_checkin_token()
    meeting.save(update_fields=["checkin_token"])
    audit.record(actor=user, verb="deliberation.meeting.rotate_token", obj=meeting)
    return meeting


# --- Minutes and cancelling -----------------------------------------------------------------------


@transaction.atomic
def record_minutes(*, user, meeting, minutes, decisions=()) -> Meeting:
    """会议纪要: the host records the minutes and what was decided on agenda topics
    ([{topic_id, text}], each a recorded decision, 决议); the meeting is held. Decisions need
    the quorum; minutes alone do not."""
    minutes = _text(minutes, field="minutes", max_length=20000, required=_("Write the minutes."))
    decisions = list(decisions or [])
    if len(decisions) > MAX_DECISIONS:
        raise Invalid({"decisions": _("At most %(n)s decisions.") % {"n": MAX_DECISIONS}})
    meeting = _locked(meeting)
    _host(user, meeting)
    _expect(meeting, [MeetingStatus.NOTICED], pgettext("meeting action", "minuted"))
    now = timezone.now()
    if now < meeting.starts_at:
        raise Conflict(_("The meeting has not started yet."), code="not_started")
    agenda = {
        item.topic_id: item.topic
        for item in AgendaItem.objects.filter(meeting=meeting).select_related("topic")
    }
    cleaned = []
    for i, d in enumerate(decisions):
        d = d if isinstance(d, dict) else {}
        topic = agenda.get(_as_id(d.get("topic_id")))
        if topic is None:
            raise Invalid({f"decisions.{i}.topic_id": _("Choose a topic on the agenda.")})
        text = _text(
            d.get("text"),
            field=f"decisions.{i}.text",
            max_length=5000,
            required=_("Write what was decided."),
        )
        cleaned.append((topic, text))
    if cleaned:
        q = quorum(meeting)
        if not q.met:
            raise Conflict(
                _(
                    "No quorum: %(present)s of %(invited)s present, at least %(needed)s needed. "
                    "Record the minutes without decisions."
                )
                % {"present": q.present, "invited": q.invited, "needed": q.needed},
                code="no_quorum",
            )
    meeting.minutes = minutes
    meeting.status = MeetingStatus.HELD
    meeting.held_at = now
    meeting.save(update_fields=["minutes", "status", "held_at"])
    for topic, text in cleaned:
        publishing.record_decision(user=user, topic=topic, text=text, meeting=meeting)
    q = quorum(meeting)
    audit.record(
        actor=user,
        verb="deliberation.meeting.minutes",
        obj=meeting,
        data={"decisions": len(cleaned), "present": q.present, "invited": q.invited},
    )
    return meeting


@transaction.atomic
def cancel(*, user, meeting, reason) -> Meeting:
    """Call a draft or noticed meeting off, with a reason; once noticed, the invitees and the
    board are told."""
    reason = _text(
        reason, field="reason", max_length=300, required=_("Say why the meeting is cancelled.")
    )
    meeting = _locked(meeting)
    _host(user, meeting)
    _expect(meeting, EDITABLE, pgettext("meeting action", "cancelled"))
    was_noticed = meeting.status == MeetingStatus.NOTICED
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancelled_reason = reason
    meeting.save(update_fields=["status", "cancelled_reason"])
    audit.record(
        actor=user, verb="deliberation.meeting.cancel", obj=meeting, data={"reason": reason}
    )
    if was_noticed:
        title = _("Meeting cancelled: %(title)s") % {"title": meeting.title}
        publishing.publish(
            user=user,
            kind=Publication.Kind.MEETING,
            place=meeting.place,
            title=title[:160],
            body=reason,
            meeting=meeting,
        )
        _tell(_invitee_ids(meeting), title, reason, meeting_url(meeting))
    return meeting


# --- Meeting kinds (city-wide data) ---------------------------------------------------------------

KIND_FIELDS = ["code", "name", "notice_days", "quorum_numerator", "quorum_denominator", "active"]


def may_manage_kinds(user) -> bool:
    """Superusers and subdistrict administrators: kinds (and their days of notice) apply to
    every community, so a community worker may not change them for the others."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    return access.has_anywhere(user, "deliberation.organise") and (
        Role.SUBDISTRICT_ADMIN.value in access.roles_of(user)
    )


@transaction.atomic
def save_kind(*, user, kind_id=None, **fields) -> MeetingKind:
    """Create or change a meeting kind (a new staff-defined kind, or the notice and quorum of
    one of the nine shipped)."""
    rules.require(may_manage_kinds(user))
    unknown = set(fields) - set(KIND_FIELDS)
    if unknown:
        raise Invalid({sorted(unknown)[0]: _("Unknown field.")})
    if kind_id is None:
        kind = MeetingKind()
    else:
        kind = MeetingKind.objects.select_for_update().filter(pk=_as_id(kind_id)).first()
        if kind is None:
            raise Invalid({"kind": _("No such meeting kind.")})
        if "code" in fields and fields["code"] != kind.code:
            # Procedures' stages and the invitation rules name kinds by code.
            raise Invalid({"code": _("A kind's code cannot change; make a new kind instead.")})
    for name, value in fields.items():
        setattr(kind, name, value)
    days = _as_int(kind.notice_days)
    if days is None or not 0 <= days <= 365:
        raise Invalid({"notice_days": _("A whole number of days from 0 to 365.")})
    kind.quorum_numerator, kind.quorum_denominator = _check_quorum(
        kind.quorum_numerator, kind.quorum_denominator
    )
    kind.name = _text(kind.name, field="name", max_length=60, required=_("Give the kind a name."))
    try:
        kind.full_clean()
    except ValidationError as exc:
        raise Invalid(exc.message_dict) from None
    kind.save()
    audit.record(
        actor=user,
        verb="deliberation.meeting_kind.save",
        obj=kind,
        data={k: v for k, v in fields.items()},
        scope_path="",
    )
    return kind
