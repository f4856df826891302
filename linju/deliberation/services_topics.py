"""Every write on topics, their procedures and what was decided (seeds 000–002): suggestions at
any time (建议随时提) that enter the agenda with enough households' support (附议), staff, party,
report and survey topics, procedures walked stage by stage (四议两公开, 四步协商, 议事会议事),
decisions broken down into tasks (分解落实) that the supervising role hears of when overdue
(督导), the result published (公示) and rated by residents (群众评价) until the topic closes.

Each function validates, locks the topic first (then a task, in that order), writes, records
the audit event and sends its notifications after the transaction commits."""

from datetime import date, timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from linju.core import access, audit
from linju.core.cleaning import as_id as _as_id
from linju.core.cleaning import clean_text as _text
from linju.core.cleaning import constraint_name as _constraint
from linju.core.errors import Conflict, Forbidden, Invalid
from linju.core.models import AuditEvent
from linju.core.notifications import notify_many
from linju.core.uploads import DOCUMENT
from linju.core.uploads import clean as clean_upload
from linju.people.models import ResidencyStatus, RoleGrant, User
from linju.places.models import Household, Place
from linju.places.paths import prefixes_of
from linju.ratings import evaluations

from . import electorate, rules
from .models import (
    SCOPE_KINDS,
    AgendaItem,
    Ballot,
    BallotStatus,
    Decision,
    Evaluation,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Need,
    Procedure,
    Publication,
    Stage,
    StageCompletion,
    SupportRule,
    Task,
    TaskStatus,
    TaskUpdate,
    Topic,
    TopicSource,
    TopicStatus,
    TopicSupport,
)
from .publishing import publish, record_decision, topic_followers
from .services_meetings import quorum

DEFAULT_SUPPORT = {"households": 10, "percent": 5}
DEFAULT_EVALUATION_DAYS = 14
SWEEP_BATCH = 1000
STAFF_SOURCES = [s for s in TopicSource.values if s != TopicSource.RESIDENT]
# Households may back a topic until its procedure has published a result.
SUPPORTABLE = [TopicStatus.PROPOSED, TopicStatus.AGENDA, TopicStatus.DELIBERATING]
DECLINABLE = [TopicStatus.PROPOSED, TopicStatus.AGENDA, TopicStatus.DELIBERATING]
# Stages are completed while the procedure runs, and after the result (evaluation, 督导).
COMPLETABLE = [TopicStatus.DELIBERATING, TopicStatus.EVALUATING]
TASKABLE = [TopicStatus.DELIBERATING, TopicStatus.EVALUATING]


# --- Small helpers -------------------------------------------------------------------------------


def _locked(topic) -> Topic:
    """The topic's row, locked for the rest of the transaction (fixed order: topic first)."""
    pk = _as_id(getattr(topic, "pk", topic))
    row = (
        Topic.objects.select_for_update(of=("self",))
        .select_related("place", "current_stage", "procedure")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if row is None:
        raise Invalid({"topic": _("No such topic.")})
    return row


def _expect(topic, statuses, code="wrong_status") -> None:
    if topic.status not in statuses:
        raise Conflict(
            _("This topic is %(status)s: this cannot be done now.")
            % {"status": topic.get_status_display()},
            code=code,
        )


def topic_url(topic) -> str:
    return reverse("deliberation:topic", args=[topic.pk])


def desk_url(topic) -> str:
    return reverse("deliberation:desk_topic", args=[topic.pk])


def _tell(*, recipients, kind: str, title, body="", url="") -> None:
    """Notify once the transaction commits: a rolled-back change sends nothing."""
    ids = sorted({getattr(u, "pk", u) for u in recipients} - {None})
    if not ids:
        return
    message = {"recipients": ids, "title": str(title), "body": str(body)[:500], "url": url}
    transaction.on_commit(partial(notify_many, messages=[message], kind=kind))


def _tell_followers(topic, title, body="", *, but=None) -> None:
    followers = [i for i in topic_followers(topic) if i != getattr(but, "pk", but)]
    _tell(
        recipients=followers,
        kind="deliberation.update",
        title=title,
        body=body,
        url=topic_url(topic),
    )


def _title(topic, what) -> str:
    return _("Topic “%(title)s”: %(what)s") % {"title": topic.title, "what": what}


def _grant_holders(perm: str, paths) -> dict[str, set[int]]:
    """For each path: the active users holding a role of `perm` by a grant at that place or
    above it. One query for all the paths (the prefixes of every path, by exact match)."""
    roles = access.PERMISSIONS[perm]
    wanted = {p for path in paths for p in prefixes_of(path)}
    grants = RoleGrant.objects.filter(
        role__in=roles,
        revoked_at__isnull=True,
        scope_path__in=wanted,
        user__is_active=True,
    ).values_list("user_id", "scope_path")
    holders: dict[str, set[int]] = {path: set() for path in paths}
    for user_id, scope_path in grants:
        for path in paths:
            if path.startswith(scope_path):
                holders[path].add(user_id)
    return holders


def organisers_of(topic) -> set[int]:
    return _grant_holders("deliberation.organise", [topic.path])[topic.path]


def _homes_in(user, path):
    """The user's verified households inside `path`, in tree order."""
    return (
        Household.objects.filter(
            path__startswith=path,
            residencies__user=user,
            residencies__status=ResidencyStatus.VERIFIED,
        )
        .order_by("path")
        .distinct()
    )


# --- Thresholds ----------------------------------------------------------------------------------


def scope_households(place) -> int:
    """Households that can support a topic in `place`: all of them but the developer's unsold
    units, which nobody lives in."""
    return electorate.living_households(place).count()


def support_rule_for(place) -> SupportRule | None:
    """The nearest SupportRule of `place` or an ancestor (one query over the path's ids)."""
    ids = [int(seg) for seg in place.path.strip("/").split("/") if seg]
    rules_found = list(SupportRule.objects.filter(place_id__in=ids).select_related("place"))
    return max(rules_found, key=lambda r: len(r.place.path), default=None)


def support_threshold(place, *, households: int | None = None) -> int:
    """How many households put a topic of `place` on the agenda, by the nearest rule up the
    tree or the settings (see threshold_of)."""
    if households is None:
        households = scope_households(place)
    rule = support_rule_for(place)
    if rule is not None:
        return threshold_of(rule.households, rule.percent, households)
    default = getattr(settings, "DELIBERATION_SUPPORT", DEFAULT_SUPPORT) or {}
    return threshold_of(default.get("households"), default.get("percent"), households)


def threshold_of(count, percent, households: int) -> int:
    """A rule's household count, or its share of the scope's households where that is more
    ("10 households or 5%": a unit needs 10, an estate of 2,000 needs 100); never more than
    the scope holds, never less than one. (The smaller of the two would let one household put
    any small scope's topic on the agenda by proposing it.)"""
    candidates = []
    if count:
        candidates.append(int(count))
    if percent:
        # ceil(percent × households / 100) in integers: no float rounding at the boundary.
        candidates.append(-(-int(percent) * households // 100))
    needed = max(candidates) if candidates else 1
    return max(1, min(needed, households))


# --- Proposing and supporting --------------------------------------------------------------------


def _scope_place(place_id) -> Place:
    place = Place.objects.filter(pk=_as_id(place_id), kind__in=SCOPE_KINDS).first()
    if place is None:
        raise Invalid({"place": _("Choose a unit, building, estate or community.")})
    return place


@transaction.atomic
def propose_topic(
    *,
    user,
    place_id,
    title: str,
    body: str,
    source: str = TopicSource.RESIDENT,
    source_ref: str = "",
) -> Topic:
    """建议随时提: a verified resident proposes a topic in a scope containing their home (their
    household backs it first); staff raise topics from their work, a party branch, a report or
    a survey, naming where it came from. The support threshold is frozen now."""
    title = _text(title, field="title", max_length=120, required=_("Give the topic a title."))
    body = _text(body, field="body", max_length=5000, required=_("Describe the topic."))
    if source not in TopicSource.values:
        raise Invalid({"source": _("Choose where the topic comes from.")})
    source_ref = _text(source_ref, field="source_ref", max_length=80)
    place = _scope_place(place_id)
    home = None
    if source == TopicSource.RESIDENT:
        home = _homes_in(user, place.path).first()
        if home is None:
            if access.can(user, "deliberation.propose", place):
                raise Invalid(
                    {"source": _("You do not live here: say where the topic comes from.")}
                )
            raise Forbidden(_("Residents propose topics where they live."), code="forbidden")
        source_ref = ""
    else:
        rules.require(
            rules.can_organise(user, place) or access.can(user, "deliberation.propose", place),
            _("You may not raise topics here."),
        )
    now = timezone.now()
    households = scope_households(place)
    topic = Topic.objects.create(
        place=place,
        path=place.path,
        title=title,
        body=body,
        source=source,
        source_ref=source_ref,
        proposer=user,
        support_needed=support_threshold(place, households=households),
        created_at=now,
    )
    audit.record(
        actor=user,
        verb="deliberation.propose",
        obj=topic,
        data={"source": source, "support_needed": topic.support_needed},
    )
    if home is not None:
        TopicSupport.objects.create(topic=topic, household=home, user=user, created_at=now)
        topic.support_count = 1
        topic.save(update_fields=["support_count"])
        _reach_agenda(topic, now)
    return topic


def _reach_agenda(topic, now) -> None:
    """Enough households back a gathering topic: it enters the agenda, organisers hear of it."""
    if topic.status != TopicStatus.PROPOSED or topic.support_count < topic.support_needed:
        return
    topic.status = TopicStatus.AGENDA
    topic.agenda_at = now
    topic.save(update_fields=["status", "agenda_at"])
    audit.record(
        actor=None,
        verb="deliberation.agenda",
        obj=topic,
        data={"support": topic.support_count, "needed": topic.support_needed},
    )
    _tell(
        recipients=organisers_of(topic),
        kind="deliberation.agenda",
        title=_title(topic, _("enough households back it; it is on the agenda")),
        url=desk_url(topic),
    )
    _tell_followers(topic, _title(topic, _("it is on the agenda")))


@transaction.atomic
def support_topic(*, user, topic) -> Topic:
    """附议: one support per household (the database's unique key is the last guard); a topic
    reaching its threshold enters the agenda."""
    topic = _locked(topic)
    _expect(topic, SUPPORTABLE)
    homes = list(_homes_in(user, topic.path).values_list("pk", flat=True))
    if not homes:
        raise Forbidden(_("Households of the topic's area support it."), code="forbidden")
    backing = TopicSupport.objects.filter(topic=topic)
    if backing.filter(user=user).exists():
        raise Conflict(_("You already support this topic."), code="already_supported")
    taken = set(backing.filter(household_id__in=homes).values_list("household_id", flat=True))
    free = [h for h in homes if h not in taken]
    if not free:
        raise Conflict(
            _("Someone of your household already supports this topic."), code="household_supported"
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            TopicSupport.objects.create(
                topic=topic, household_id=free[0], user=user, created_at=now
            )
    except IntegrityError as exc:
        name = _constraint(exc)
        if name == "topicsupport_one_per_household" or (
            name is None and backing.filter(household_id=free[0]).exists()
        ):
            raise Conflict(
                _("Someone of your household already supports this topic."),
                code="household_supported",
            ) from None
        raise
    topic.support_count += 1
    topic.save(update_fields=["support_count"])
    audit.record(actor=user, verb="deliberation.support", obj=topic, data={"household": free[0]})
    _reach_agenda(topic, now)
    return topic


@transaction.atomic
def unsupport_topic(*, user, topic) -> Topic:
    """A household takes its support back while the topic still gathers it."""
    topic = _locked(topic)
    _expect(topic, [TopicStatus.PROPOSED])
    if topic.proposer_id == user.pk:
        raise Conflict(_("You proposed this topic: withdraw it instead."), code="own_topic")
    deleted, _rows = TopicSupport.objects.filter(topic=topic, user=user).delete()
    if not deleted:
        raise Conflict(_("You do not support this topic."), code="not_supported")
    topic.support_count = max(0, topic.support_count - deleted)
    topic.save(update_fields=["support_count"])
    audit.record(actor=user, verb="deliberation.unsupport", obj=topic)
    return topic


@transaction.atomic
def withdraw_topic(*, user, topic) -> Topic:
    """The proposer takes their topic back while it gathers support."""
    topic = _locked(topic)
    if topic.proposer_id != user.pk:
        raise Forbidden(_("Only the proposer withdraws a topic."), code="forbidden")
    _expect(topic, [TopicStatus.PROPOSED])
    topic.status = TopicStatus.WITHDRAWN
    topic.closed_at = timezone.now()
    topic.save(update_fields=["status", "closed_at"])
    audit.record(actor=user, verb="deliberation.withdraw", obj=topic)
    _tell_followers(topic, _title(topic, _("withdrawn by its proposer")), but=user)
    return topic


@transaction.atomic
def decline_topic(*, user, topic, reason: str) -> Topic:
    """Organisers decline a topic with a reason its followers read."""
    reason = _text(reason, field="reason", max_length=300, required=_("Say why it is declined."))
    topic = _locked(topic)
    rules.require(rules.can_organise(user, topic))
    _expect(topic, DECLINABLE)
    topic.status = TopicStatus.DECLINED
    topic.decline_reason = reason
    topic.closed_at = timezone.now()
    topic.current_stage = None
    topic.save(update_fields=["status", "decline_reason", "closed_at", "current_stage"])
    audit.record(actor=user, verb="deliberation.decline", obj=topic, data={"reason": reason})
    _tell_followers(topic, _title(topic, _("declined")), reason, but=user)
    return topic


@transaction.atomic
def put_on_agenda(*, user, topic) -> Topic:
    """Organisers put a topic on the agenda without waiting for support (staff, party,
    report and survey topics; a resident's topic they judge urgent)."""
    topic = _locked(topic)
    rules.require(rules.can_organise(user, topic))
    _expect(topic, [TopicStatus.PROPOSED])
    topic.status = TopicStatus.AGENDA
    topic.agenda_at = timezone.now()
    topic.save(update_fields=["status", "agenda_at"])
    audit.record(actor=user, verb="deliberation.agenda", obj=topic, data={"direct": True})
    _tell_followers(topic, _title(topic, _("it is on the agenda")), but=user)
    return topic


@transaction.atomic
def start_procedure(*, user, topic, procedure) -> Topic:
    """An organiser chooses how the topic is decided; its first stage becomes current."""
    topic = _locked(topic)
    rules.require(rules.can_organise(user, topic))
    _expect(topic, [TopicStatus.AGENDA])
    code = getattr(procedure, "code", procedure)
    chosen = Procedure.objects.filter(code=str(code or ""), active=True).first()
    if chosen is None:
        raise Invalid({"procedure": _("Choose a procedure.")})
    first = chosen.stages.order_by("order").first()
    if first is None:
        raise Invalid({"procedure": _("This procedure has no stages.")})
    topic.procedure = chosen
    topic.current_stage = first
    topic.status = TopicStatus.DELIBERATING
    topic.save(update_fields=["procedure", "current_stage", "status"])
    audit.record(
        actor=user, verb="deliberation.start_procedure", obj=topic, data={"procedure": chosen.code}
    )
    _tell_followers(
        topic,
        _title(topic, _("deliberation starts (%(procedure)s)") % {"procedure": chosen.name}),
        but=user,
    )
    return topic


# --- Completing stages ---------------------------------------------------------------------------


def _decisions_since(topic):
    """Decisions that may satisfy a stage's `decision` need: those recorded since the last
    stage that needed one was completed (or since the agenda), so minutes recorded before an
    intermediate stage (通知召集) was ticked off still count, and no decision counts twice."""
    # A handful of rows; JSON "contains" is not portable to SQLite.
    done = topic.completions.values_list("completed_at", "stage__needs")
    last = max((at for at, needs in done if Need.DECISION.value in (needs or [])), default=None)
    return last or topic.agenda_at or topic.created_at


def _qualifying_meeting(topic, stage, meeting_id, statuses):
    """The meeting given (or else the latest) with the topic on its agenda, of the stage's
    kind, in one of `statuses`."""
    meetings = Meeting.objects.filter(
        pk__in=AgendaItem.objects.filter(topic=topic).values("meeting_id"), status__in=statuses
    )
    if stage.meeting_kind:
        meetings = meetings.filter(kind__code=stage.meeting_kind)
    if meeting_id is not None:
        return meetings.filter(pk=meeting_id).first()
    return meetings.order_by("-starts_at", "-pk").first()


def _meeting_missing(stage) -> str:
    kind = MeetingKind.objects.filter(code=stage.meeting_kind).values_list("name", flat=True)
    name = kind.first() if stage.meeting_kind else None
    if name:
        return _("Hold a meeting (%(kind)s) on this topic first.") % {"kind": name}
    return _("Hold a meeting on this topic first.")


def _clean_document(document):
    """(the stored file, None) or (None, what is wrong with it): typed by its content
    (core.uploads.DOCUMENT), read before the topic is locked and reported with the other
    fields' errors."""
    if not document:
        return None, None
    try:
        return clean_upload(document, use=DOCUMENT, field="document"), None
    except Invalid as exc:
        return None, exc.errors["document"][0]


@transaction.atomic
def complete_stage(
    *,
    user,
    topic,
    stage_id,
    note: str = "",
    document=None,
    meeting_id=None,
    ballot_id=None,
    decision_text: str = "",
    result_text: str = "",
) -> StageCompletion:
    """Complete the topic's current stage: stages are never skipped; only the stage's completer
    roles at a scope containing the topic; every `need` of the stage satisfied, or Invalid
    naming the field. A publishing stage puts its record (the note, the decision or the
    result) on the scope's notice board. Audited; shown on the topic's timeline."""
    note = _text(note, field="note", max_length=5000)
    decision_text = _text(decision_text, field="decision_text", max_length=5000)
    result_text = _text(result_text, field="result_text", max_length=5000)
    stored, document_error = _clean_document(document)
    topic = _locked(topic)
    _expect(topic, COMPLETABLE)
    stage = Stage.objects.filter(pk=_as_id(stage_id), procedure_id=topic.procedure_id).first()
    if stage is None:
        raise Invalid({"stage": _("This stage is not part of the topic's procedure.")})
    if topic.current_stage_id != stage.pk:
        if StageCompletion.objects.filter(topic=topic, stage=stage).exists():
            raise Conflict(_("This stage is already complete."), code="stage_done")
        raise Conflict(
            _("Stages are completed in order: complete “%(stage)s” first.")
            % {"stage": topic.current_stage.name if topic.current_stage else "—"},
            code="not_current_stage",
        )
    rules.require(rules.can_complete(user, topic, stage), _("You may not complete this stage."))

    needs = set(stage.needs or [])
    errors: dict[str, str] = {}
    meeting_pk, ballot_pk = _as_id(meeting_id), _as_id(ballot_id)
    if meeting_id not in (None, "") and meeting_pk is None:
        errors["meeting"] = _("Choose a meeting.")
    if ballot_id not in (None, "") and ballot_pk is None:
        errors["ballot"] = _("Choose a ballot.")
    meeting = ballot = decision = None
    if Need.MEETING in needs:
        meeting = _qualifying_meeting(topic, stage, meeting_pk, [MeetingStatus.HELD])
        if meeting is None:
            errors.setdefault("meeting", _meeting_missing(stage))
        elif not quorum(meeting).met:
            errors.setdefault("meeting", _("That meeting did not reach its quorum."))
    elif Need.MEETING_NOTICED in needs:
        meeting = _qualifying_meeting(
            topic, stage, meeting_pk, [MeetingStatus.NOTICED, MeetingStatus.HELD]
        )
        if meeting is None:
            errors.setdefault(
                "meeting", _("Send the notice of a meeting with this topic on its agenda first.")
            )
    elif meeting_pk is not None:
        meeting = Meeting.objects.filter(pk=meeting_pk, agenda__topic=topic).first()
        if meeting is None:
            errors.setdefault("meeting", _("Choose a meeting with this topic on its agenda."))
    used = StageCompletion.objects.filter(topic=topic, ballot__isnull=False).values("ballot_id")
    ballots = Ballot.objects.filter(topic=topic)
    if Need.BALLOT in needs:
        passed = ballots.filter(
            status__in=[BallotStatus.CLOSED, BallotStatus.PUBLISHED], passed=True
        ).exclude(pk__in=used)
        ballot = (
            passed.filter(pk=ballot_pk).first()
            if ballot_pk is not None
            else passed.order_by("-closed_at", "-pk").first()
        )
        if ballot is None:
            errors.setdefault("ballot", _("A ballot on this topic must pass first."))
    elif ballot_pk is not None:
        ballot = ballots.filter(pk=ballot_pk).first()
        if ballot is None:
            errors.setdefault("ballot", _("Choose a ballot on this topic."))
    if Need.DOCUMENT in needs and not (note or document):
        errors["note"] = _("Write the record, or upload the document.")
    if document_error:
        errors["document"] = document_error
    if Need.DECISION in needs and not decision_text:
        decision = (
            Decision.objects.filter(topic=topic, decided_at__gt=_decisions_since(topic))
            .order_by("-decided_at", "-pk")
            .first()
        )
        if decision is None:
            errors["decision_text"] = _("Write down the decision.")
    if Need.TASKS in needs:
        tasks = Task.objects.filter(topic=topic).exclude(status=TaskStatus.CANCELLED)
        if tasks.filter(status=TaskStatus.OPEN).exists():
            errors["tasks"] = _("Some tasks are still open.")
        elif not tasks.filter(status=TaskStatus.DONE).exists():
            errors["tasks"] = _("Break the decision down into tasks and carry them out first.")
    if Need.RESULT in needs:
        if not result_text:
            errors["result_text"] = _("Describe the result.")
    elif result_text:
        errors["result_text"] = _("This stage does not publish the result.")
    if Need.EVALUATION in needs and topic.evaluation_closed_at is None:
        errors["evaluation"] = _("The residents' evaluation is still open.")
    if errors:
        raise Invalid(errors)

    now = timezone.now()
    if decision_text:
        # Stamped with the completion's time: a later stage counts only decisions after it.
        decision = record_decision(
            user=user, topic=topic, text=decision_text, meeting=meeting, ballot=ballot, at=now
        )
    try:
        with transaction.atomic():
            completion = StageCompletion.objects.create(
                topic=topic,
                stage=stage,
                completed_by=user,
                completed_at=now,
                note=note,
                document=stored or "",
                meeting=meeting,
                ballot=ballot,
            )
    except IntegrityError as exc:
        name = _constraint(exc)
        if name == "completion_once_per_stage" or name is None:
            raise Conflict(_("This stage is already complete."), code="stage_done") from None
        raise
    fields = ["current_stage"]
    published = None
    if Need.RESULT in needs:
        days = getattr(settings, "DELIBERATION_EVALUATION_DAYS", DEFAULT_EVALUATION_DAYS)
        topic.result = result_text
        topic.result_at = now
        topic.status = TopicStatus.EVALUATING
        topic.evaluation_closes_at = now + timedelta(days=days)
        fields += ["result", "result_at", "status", "evaluation_closes_at"]
        published = publish(
            user=user,
            kind=Publication.Kind.RESULT,
            place=topic.place,
            title=_title(topic, _("the result")),
            body=result_text,
            topic=topic,
        )
    elif stage.publishes:
        published = _publish_stage(user, topic, stage, note, decision)
    topic.current_stage = (
        Stage.objects.filter(procedure_id=stage.procedure_id, order__gt=stage.order)
        .order_by("order")
        .first()
    )
    if topic.current_stage is None and (
        topic.status == TopicStatus.DELIBERATING or topic.evaluation_closed_at is not None
    ):
        topic.status = TopicStatus.CLOSED
        topic.closed_at = now
        fields += ["status", "closed_at"]
    topic.save(update_fields=sorted(set(fields)))
    audit.record(
        actor=user,
        verb="deliberation.complete_stage",
        obj=completion,
        scope_path=topic.path,
        data={
            "topic": topic.pk,
            "stage": stage.code,
            "order": stage.order,
            "meeting": meeting and meeting.pk,
            "ballot": ballot and ballot.pk,
            "decision": decision and decision.pk,
            "publication": published and published.pk,
            "document": bool(document),
        },
    )
    if published is None:
        # A publication has told them already.
        _tell_followers(
            topic, _title(topic, _("“%(stage)s” done") % {"stage": stage.name}), note, but=user
        )
    return completion


@transaction.atomic
def record_topic_decision(*, user, topic, text: str, meeting_id=None, ballot_id=None) -> Decision:
    """决议 recorded on its own, before the stage that needs it is complete: a decision must
    exist before it can be broken down into tasks (四步协商's "decide and implement")."""
    text = _text(text, field="text", max_length=5000, required=_("Write down the decision."))
    topic = _locked(topic)
    rules.require(may_assign(user, topic), _("You may not record decisions on this topic."))
    _expect(topic, TASKABLE)
    meeting = ballot = None
    if meeting_id not in (None, ""):
        meeting = Meeting.objects.filter(pk=_as_id(meeting_id), agenda__topic=topic).first()
        if meeting is None:
            raise Invalid({"meeting": _("Choose a meeting with this topic on its agenda.")})
    if ballot_id not in (None, ""):
        ballot = Ballot.objects.filter(pk=_as_id(ballot_id), topic=topic).first()
        if ballot is None:
            raise Invalid({"ballot": _("Choose a ballot on this topic.")})
    return record_decision(user=user, topic=topic, text=text, meeting=meeting, ballot=ballot)


def _publish_stage(user, topic, stage, note, decision):
    """公示 of a publishing stage: the decision when the stage made or used one, or when the
    topic's decisions were never published (决议公开); else the stage's record."""
    if decision is None and not topic.publications.filter(kind=Publication.Kind.DECISION).exists():
        decision = topic.decisions.order_by("-decided_at", "-pk").first()
    if decision is not None:
        body = decision.text + (f"\n\n{note}" if note else "")
        kind, title = Publication.Kind.DECISION, _title(topic, _("the decision"))
    else:
        body = note or stage.description or stage.name
        kind, title = Publication.Kind.STAGE, _title(topic, stage.name)
    return publish(user=user, kind=kind, place=topic.place, title=title, body=body, topic=topic)


# --- Evaluation ----------------------------------------------------------------------------------


@transaction.atomic
def rate_topic(*, user, topic, stars, comment: str = "", scores=None) -> Evaluation:
    """群众评价: a resident of the topic's area rates the published result 1–5, once, and may
    change the rating while the evaluation is open; `scores` optionally marks the scope's
    evaluation rubric item by item (linju.ratings.evaluations)."""
    comment = _text(comment, field="comment", max_length=500)
    stars = _as_id(stars)
    if stars is None or not 1 <= stars <= 5:
        raise Invalid({"stars": _("Choose 1 to 5 stars.")})
    topic = _locked(topic)
    if not _homes_in(user, topic.path).exists():
        raise Forbidden(_("Residents of the topic's area rate its result."), code="forbidden")
    if topic.status != TopicStatus.EVALUATING or topic.evaluation_closed_at is not None:
        raise Conflict(_("The evaluation is not open."), code="evaluation_closed")
    now = timezone.now()
    evaluation = Evaluation.objects.filter(topic=topic, user=user).first()
    if evaluation is None:
        try:
            with transaction.atomic():
                evaluation = Evaluation.objects.create(
                    topic=topic, user=user, stars=stars, comment=comment, created_at=now
                )
        except IntegrityError:
            # The topic's lock serialises raters; only a broken lock lands here.
            raise Conflict(_("You already rated this topic."), code="already_rated") from None
        topic.rating_count += 1
        topic.rating_sum += stars
    else:
        topic.rating_sum += stars - evaluation.stars
        evaluation.stars, evaluation.comment, evaluation.created_at = stars, comment, now
        evaluation.save(update_fields=["stars", "comment", "created_at"])
    topic.save(update_fields=["rating_count", "rating_sum"])
    if scores:
        evaluations.record(user=user, subject=subject_of(topic), path=topic.path, scores=scores)
    audit.record(
        actor=user, verb="deliberation.rate", obj=topic, data={"stars": stars, "by": user.pk}
    )
    return evaluation


def subject_of(topic) -> str:
    """How the ratings engine names a topic's evaluation."""
    return f"deliberation.topic:{topic.pk}"


def _close_evaluation(topic, now) -> list[str]:
    topic.evaluation_closed_at = now
    fields = ["evaluation_closed_at"]
    if topic.current_stage_id is None:
        topic.status = TopicStatus.CLOSED
        topic.closed_at = now
        fields += ["status", "closed_at"]
    return fields


@transaction.atomic
def close_evaluation(*, user, topic) -> Topic:
    """An organiser ends the residents' evaluation; with every stage done the topic closes."""
    topic = _locked(topic)
    rules.require(rules.can_organise(user, topic))
    if topic.status != TopicStatus.EVALUATING or topic.evaluation_closed_at is not None:
        raise Conflict(_("The evaluation is not open."), code="evaluation_closed")
    now = timezone.now()
    topic.save(update_fields=_close_evaluation(topic, now))
    audit.record(
        actor=user,
        verb="deliberation.close_evaluation",
        obj=topic,
        data={"ratings": topic.rating_count, "average": topic.rating_average},
    )
    _tell_followers(topic, _title(topic, _("the evaluation is closed")), but=user)
    return topic


def close_due_evaluations(*, now=None, progress=None) -> int:
    """Evaluations whose time is up close themselves (a scheduler calls this). Batches of
    SWEEP_BATCH, one transaction each; rows another writer holds wait for the next run."""
    now = now or timezone.now()
    done = 0
    while True:
        with transaction.atomic():
            batch = list(
                Topic.objects.select_for_update(of=("self",), skip_locked=True)
                .filter(
                    status=TopicStatus.EVALUATING,
                    evaluation_closes_at__lte=now,
                    evaluation_closed_at__isnull=True,
                )
                .order_by("evaluation_closes_at", "pk")[:SWEEP_BATCH]
            )
            if not batch:
                return done
            ids = [t.pk for t in batch]
            closing = [t.pk for t in batch if t.current_stage_id is None]
            # Two plain UPDATEs for the whole batch (the rows are locked), not one per topic.
            Topic.objects.filter(pk__in=ids).update(evaluation_closed_at=now)
            Topic.objects.filter(pk__in=closing).update(status=TopicStatus.CLOSED, closed_at=now)
            AuditEvent.objects.bulk_create(
                AuditEvent(
                    verb="deliberation.evaluation_closed",
                    object_type="deliberation.topic",
                    object_id=str(t.pk),
                    object_repr=str(t)[:200],
                    scope_path=t.path,
                    data={"ratings": t.rating_count, "closed": t.pk in closing},
                    created_at=now,
                )
                for t in batch
            )
            followers = _followers_of(ids)
            messages = [
                {
                    "recipients": followers.get(t.pk, []),
                    "title": _title(t, _("the evaluation is closed")),
                    "body": "",
                    "url": topic_url(t),
                }
                for t in batch
            ]
            transaction.on_commit(
                partial(notify_many, messages=messages, kind="deliberation.update")
            )
        done += len(batch)
        if progress:
            progress(len(batch))


def _followers_of(topic_ids) -> dict[int, list[int]]:
    """publishing.topic_followers for many topics in two queries."""
    out: dict[int, set[int]] = {i: set() for i in topic_ids}
    supports = TopicSupport.objects.filter(topic_id__in=topic_ids).exclude(user=None)
    for topic_id, user_id in supports.values_list("topic_id", "user_id"):
        out[topic_id].add(user_id)
    proposers = Topic.objects.filter(pk__in=topic_ids, proposer__isnull=False)
    for topic_id, user_id in proposers.values_list("pk", "proposer_id"):
        out[topic_id].add(user_id)
    return {k: sorted(v) for k, v in out.items()}


# --- Tasks (分解落实, 督导) ----------------------------------------------------------------------


def _due(value) -> date:
    if isinstance(value, date):
        day = value
    else:
        day = parse_date(str(value or "").strip()) if value else None
        if day is None:
            raise Invalid({"due_on": _("Give the due date as YYYY-MM-DD.")})
    if day < timezone.localdate():
        raise Invalid({"due_on": _("The due date has passed.")})
    return day


def may_assign(user, topic) -> bool:
    """Organisers, and those who may complete the current stage, break decisions down."""
    if rules.can_organise(user, topic):
        return True
    stage = topic.current_stage
    return stage is not None and rules.can_complete(user, topic, stage)


def may_own(person, topic) -> bool:
    """A task goes to staff of the topic's scope (any role held at or above it) or to one of
    its residents."""
    if not person.is_active:
        return False
    if rules.covers_home(person, topic):
        return True
    return any(
        topic.path.startswith(p) for paths in access.role_scopes(person).values() for p in paths
    )


@transaction.atomic
def add_task(*, user, topic, title: str, owner_id, due_on, decision_id=None) -> Task:
    """分解落实: a piece of carrying out a decision, with its owner and due date."""
    title = _text(title, field="title", max_length=160, required=_("Name the task."))
    day = _due(due_on)
    topic = _locked(topic)
    rules.require(may_assign(user, topic), _("You may not assign tasks on this topic."))
    _expect(topic, TASKABLE)
    decisions = Decision.objects.filter(topic=topic)
    if decision_id not in (None, ""):
        decision = decisions.filter(pk=_as_id(decision_id)).first()
        if decision is None:
            raise Invalid({"decision": _("Choose a decision of this topic.")})
    else:
        decision = decisions.order_by("-decided_at", "-pk").first()
        if decision is None:
            raise Invalid({"decision": _("Record the decision first.")})
    owner = User.objects.filter(pk=_as_id(owner_id)).first()
    if owner is None or not may_own(owner, topic):
        raise Invalid({"owner": _("Choose a member of staff or a resident of the topic's area.")})
    task = Task.objects.create(
        decision=decision,
        topic=topic,
        path=topic.path,
        title=title,
        owner=owner,
        due_on=day,
        created_by=user,
    )
    audit.record(
        actor=user,
        verb="deliberation.add_task",
        obj=task,
        data={"topic": topic.pk, "owner": owner.pk, "due_on": day.isoformat()},
    )
    if owner.pk != user.pk:
        _tell(
            recipients=[owner],
            kind="deliberation.task",
            title=_("A task for you: %(task)s (due %(due)s)") % {"task": title, "due": day},
            body=topic.title,
            url=reverse("deliberation:tasks"),
        )
    return task


def _locked_task(task) -> tuple[Topic, Task]:
    pk = _as_id(getattr(task, "pk", task))
    topic_id = Task.objects.filter(pk=pk).values_list("topic_id", flat=True).first() if pk else None
    if topic_id is None:
        raise Invalid({"task": _("No such task.")})
    topic = _locked(topic_id)
    row = Task.objects.select_for_update(of=("self",)).select_related("owner").get(pk=pk)
    return topic, row


@transaction.atomic
def update_task(*, user, task, text: str, progress) -> TaskUpdate:
    """进展: the owner (or an organiser) reports progress; 100% is done."""
    text = _text(text, field="text", max_length=2000, required=_("Say what was done."))
    try:
        percent = int(progress)
    except (TypeError, ValueError):
        percent = -1
    if isinstance(progress, bool) or not 0 <= percent <= 100:
        raise Invalid({"progress": _("Give the progress as 0 to 100 percent.")})
    topic, task = _locked_task(task)
    rules.require(task.owner_id == user.pk or rules.can_organise(user, task))
    if task.status != TaskStatus.OPEN:
        raise Conflict(_("This task is no longer open."), code="task_closed")
    now = timezone.now()
    update = TaskUpdate.objects.create(
        task=task, author=user, text=text, progress=percent, created_at=now
    )
    task.progress = percent
    fields = ["progress"]
    if percent == 100:
        task.status = TaskStatus.DONE
        task.done_at = now
        fields += ["status", "done_at"]
    task.save(update_fields=fields)
    audit.record(
        actor=user,
        verb="deliberation.update_task",
        obj=task,
        data={"progress": percent, "done": percent == 100},
    )
    if percent == 100 and task.created_by_id and task.created_by_id != user.pk:
        _tell(
            recipients=[task.created_by_id],
            kind="deliberation.task",
            title=_("Task done: %(task)s") % {"task": task.title},
            body=text,
            url=desk_url(topic),
        )
    return update


@transaction.atomic
def cancel_task(*, user, task, reason: str = "") -> Task:
    """An organiser cancels a task that is no longer needed."""
    reason = _text(reason, field="reason", max_length=300)
    topic, task = _locked_task(task)
    rules.require(rules.can_organise(user, task))
    if task.status != TaskStatus.OPEN:
        raise Conflict(_("This task is no longer open."), code="task_closed")
    task.status = TaskStatus.CANCELLED
    task.save(update_fields=["status"])
    audit.record(actor=user, verb="deliberation.cancel_task", obj=task, data={"reason": reason})
    if task.owner_id != user.pk:
        _tell(
            recipients=[task.owner_id],
            kind="deliberation.task",
            title=_("Task cancelled: %(task)s") % {"task": task.title},
            body=reason,
            url=topic_url(topic),
        )
    return task


def flag_overdue_tasks(*, now=None, progress=None) -> int:
    """督导: open tasks past their due date, not yet flagged, are flagged to the supervisors of
    their scope and to their owner, once. Batches of SWEEP_BATCH, one transaction each: the
    supervisors of a whole batch are read in one query, the flags set in one UPDATE."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    done = 0
    while True:
        with transaction.atomic():
            batch = list(
                Task.objects.select_for_update(of=("self",), skip_locked=True)
                .filter(status=TaskStatus.OPEN, due_on__lt=today, overdue_flagged_at__isnull=True)
                .select_related("topic")
                .order_by("due_on", "pk")[:SWEEP_BATCH]
            )
            if not batch:
                return done
            Task.objects.filter(pk__in=[t.pk for t in batch]).update(overdue_flagged_at=now)
            supervisors = _grant_holders("deliberation.supervise", {t.path for t in batch})
            AuditEvent.objects.bulk_create(
                AuditEvent(
                    verb="deliberation.task_overdue",
                    object_type="deliberation.task",
                    object_id=str(t.pk),
                    object_repr=str(t)[:200],
                    scope_path=t.path,
                    data={"topic": t.topic_id, "due_on": t.due_on.isoformat(), "owner": t.owner_id},
                    created_at=now,
                )
                for t in batch
            )
            messages = [
                {
                    "recipients": sorted(supervisors[t.path] | {t.owner_id}),
                    "title": _("Overdue task: %(task)s (due %(due)s)")
                    % {"task": t.title, "due": t.due_on},
                    "body": t.topic.title,
                    "url": desk_url(t.topic),
                }
                for t in batch
            ]
            transaction.on_commit(
                partial(notify_many, messages=messages, kind="deliberation.overdue")
            )
        done += len(batch)
        if progress:
            progress(len(batch))
