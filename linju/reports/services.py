"""Every write on a report (随手拍, seeds 002/003). Each function validates, locks the report,
moves it one step along submitted → accepted/rejected → dispatched → in progress → resolved →
confirmed/reopened → closed, writes the timeline step and the audit event, and notifies the
reporter and whoever acts next. Escalation (吹哨) moves a report one level up, by the handler's
decision or when its time limit passes (the sweep)."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from linju.core import audit
from linju.core.cleaning import as_id as _as_id
from linju.core.cleaning import clean_text as _text
from linju.core.errors import Conflict, Forbidden, Invalid
from linju.core.models import AuditEvent
from linju.core.notifications import notify, notify_many
from linju.core.uploads import clean_photos
from linju.people.models import User
from linju.places.models import Grid, Household, Place, PlaceKind
from linju.points import services as points_services

from . import queries, rules
from .attributes import clean_attributes
from .models import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    Category,
    CategoryAttribute,
    Level,
    Message,
    Photo,
    Report,
    Source,
    Status,
    Step,
    StepKind,
    Supporter,
)

AUTO_CLOSE_DAYS = 7
SWEEP_BATCH = 2000
REPORTABLE_KINDS = (PlaceKind.ESTATE, PlaceKind.BUILDING, PlaceKind.UNIT)
# Statuses a handler works from (resolve, escalate), starts from, and that neighbours may back.
WORKABLE = [Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS, Status.REOPENED]
STARTABLE = [Status.ACCEPTED, Status.DISPATCHED, Status.REOPENED]
SUPPORTABLE = [*OPEN_STATUSES, Status.RESOLVED]


def _hours(n: int) -> timedelta:
    return timedelta(hours=n)


def _locked(report) -> Report:
    """The report's row, locked for the rest of the transaction (fixed order: report first)."""
    pk = _as_id(getattr(report, "pk", report))
    row = Report.objects.select_for_update(of=("self",)).filter(pk=pk).first() if pk else None
    if row is None:
        raise Invalid({"report": _("No such report.")})
    return row


def _expect(report, statuses, action: str) -> None:
    if report.status not in statuses:
        raise Conflict(
            _("This report is %(status)s: it cannot be %(action)s now.")
            % {"status": report.get_status_display(), "action": action},
            code="wrong_status",
        )


def _step(report, kind, *, actor=None, text="", data=None, public=True, at=None) -> Step:
    return Step.objects.create(
        report=report,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        status=report.status,
        text=text,
        data=data or {},
        public=public,
        created_at=at or timezone.now(),
    )


def _save(report, now, *fields) -> None:
    report.updated_at = now
    report.save(update_fields=[*fields, "updated_at"])


def _link(report) -> str:
    return f"/reports/{report.pk}/"


def _tell_reporter(report, title, body="") -> None:
    """The reporter and everyone who said "me too" hear of every public step."""
    people = list(User.objects.filter(pk__in=queries.followers(report), is_active=True))
    notify(recipients=people, kind="report.update", title=title, body=body, url=_link(report))


def _tell_staff(report, users, title, body="") -> None:
    notify(recipients=users, kind="report.task", title=title, body=body, url=_link(report))


def _title(report, what) -> str:
    return _("Report #%(id)s: %(what)s") % {"id": report.pk, "what": what}


def _add_photos(report, step, photos, user) -> None:
    for content in photos:
        Photo.objects.create(report=report, step=step, image=content, uploaded_by=user)


# --- Submitting ------------------------------------------------------------------------------


def _place_for_report(place_id) -> tuple[Place, Place]:
    place = Place.objects.filter(pk=_as_id(place_id), kind__in=REPORTABLE_KINDS).first()
    if place is None:
        raise Invalid({"place": _("Choose a building, unit or estate.")})
    estate = place if place.kind == PlaceKind.ESTATE else place.ancestor_of_kind(PlaceKind.ESTATE)
    if estate is None:
        raise Invalid({"place": _("This place belongs to no estate.")})
    return place, estate


def _building_of(place: Place) -> Place | None:
    if place.kind == PlaceKind.BUILDING:
        return place
    if place.kind == PlaceKind.UNIT:
        return place.parent
    return None


def _check_point(map_x, map_y) -> None:
    if (map_x is None) != (map_y is None):
        raise Invalid({"map_x": _("Give both coordinates of the point, or neither.")})
    for name, value in (("map_x", map_x), ("map_y", map_y)):
        if value is not None and not 0 <= value <= 1:
            raise Invalid({name: _("The point must lie on the schematic (0 to 1).")})


@transaction.atomic
def submit_report(
    *,
    user,
    category_code: str,
    place_id,
    description: str,
    title: str = "",
    photos=(),
    hide_name: bool = False,
    map_x: float | None = None,
    map_y: float | None = None,
    attributes: dict | None = None,
    address: str = "",
    lat=None,
    long=None,
    source: str = Source.WEB,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
) -> Report:
    """A resident reports a problem in an estate they live in (staff: anywhere in scope). The
    category fixes the level, the limits and whether the public sees it."""
    category = Category.objects.filter(code=category_code, active=True).first()
    if category is None:
        raise Invalid({"category": _("Choose a category.")})
    description = _text(
        description, field="description", max_length=2000, required=_("Describe the problem.")
    )
    title = _text(title, field="title", max_length=80)
    address = _text(address, field="address", max_length=200)
    contact_name = _text(contact_name, field="contact_name", max_length=50)
    contact_phone = _text(contact_phone, field="contact_phone", max_length=20)
    _check_point(map_x, map_y)
    answers = clean_attributes(category, attributes or {})
    photo_files = clean_photos(photos)
    place, estate = _place_for_report(place_id)
    rules.require(rules.may_report_at(user, place, estate))

    building = _building_of(place)
    grid = Grid.objects.filter(buildings=building).first() if building else None
    household = None
    if building is not None:
        household = (
            Household.objects.filter(
                residencies__user=user,
                residencies__status="verified",
                path__startswith=place.path,
            )
            .order_by("path")
            .first()
        )
    now = timezone.now()
    report = Report.objects.create(
        category=category,
        reporter=user,
        place=place,
        estate=estate,
        grid=grid,
        household=household,
        path=place.path,
        title=title,
        description=description,
        address=address,
        map_x=map_x,
        map_y=map_y,
        lat=lat,
        long=long,
        attributes=answers,
        hide_name=bool(hide_name),
        is_public=category.is_public,
        source=source,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        level=category.level,
        created_at=now,
        updated_at=now,
        accept_due_at=now + _hours(category.accept_hours),
        due_at=now + _hours(category.accept_hours),
    )
    step = _step(report, StepKind.SUBMITTED, actor=user, at=now)
    _add_photos(report, step, photo_files, user)
    audit.record(actor=user, verb="report.submit", obj=report, data={"category": category.code})
    _tell_staff(report, queries.level_staff(report), _title(report, _("new report to accept")))
    return report


@transaction.atomic
def support_report(*, user, report) -> Report:
    """ "Me too": the resident backs a similar open report instead of filing a duplicate."""
    report = _locked(report)
    if not (rules.can_view(user, report) or queries.is_public_to(user, report)):
        rules.require(False)
    _expect(report, SUPPORTABLE, pgettext("report action", "supported"))
    if report.reporter_id == user.pk:
        raise Conflict(_("This is your own report."), code="own_report")
    try:
        with transaction.atomic():
            Supporter.objects.create(report=report, user=user)
    except IntegrityError:
        raise Conflict(_("You already support this report."), code="already_supported") from None
    report.supporter_count = F("supporter_count") + 1
    _save(report, timezone.now(), "supporter_count")
    report.refresh_from_db(fields=["supporter_count"])
    _step(report, StepKind.SUPPORTED, actor=user, public=False)
    # Backing counts publicly (the report's supporters), like a topic's 附议.
    audit.record(
        actor=user, verb="report.support", obj=report, data={"supporters": report.supporter_count}
    )
    return report


# --- Handling ----------------------------------------------------------------------------------


def _accept(report, user, now) -> None:
    report.status = Status.ACCEPTED
    report.accepted_at = now
    report.resolve_due_at = now + _hours(report.category.resolve_hours)
    report.due_at = report.resolve_due_at
    _save(report, now, "status", "accepted_at", "resolve_due_at", "due_at")
    _step(report, StepKind.ACCEPTED, actor=user, at=now)
    audit.record(actor=user, verb="report.accept", obj=report)
    # Seed 002: a report taken on earns its reporter the community's points (once, capped).
    points_services.credit_report(report)


@transaction.atomic
def accept_report(*, user, report) -> Report:
    """立案: the report is taken on; the resolution clock starts."""
    report = _locked(report)
    rules.require(rules.can_decide(user, report))
    _expect(report, [Status.SUBMITTED], pgettext("report action", "accepted"))
    _accept(report, user, timezone.now())
    _tell_reporter(report, _title(report, _("accepted")))
    return report


@transaction.atomic
def reject_report(*, user, report, reason: str) -> Report:
    """Not a case for the platform; the reason is the answer the reporter gets."""
    reason = _text(
        reason,
        field="reason",
        max_length=2000,
        required=_("Say why, so the reporter gets an answer."),
    )
    report = _locked(report)
    rules.require(rules.can_decide(user, report))
    _expect(report, [Status.SUBMITTED], pgettext("report action", "rejected"))
    now = timezone.now()
    report.status = Status.REJECTED
    report.reply = reason
    report.closed_at = now
    report.due_at = None
    _save(report, now, "status", "reply", "closed_at", "due_at")
    _step(report, StepKind.REJECTED, actor=user, text=reason, at=now)
    audit.record(actor=user, verb="report.reject", obj=report, data={"reason": reason})
    _tell_reporter(report, _title(report, _("not accepted")), reason)
    return report


def _dispatch(report, user, handler_id, note, now) -> None:
    rules.require(rules.can_decide(user, report))
    _expect(report, [Status.SUBMITTED, *WORKABLE], pgettext("report action", "dispatched"))
    handler = User.objects.filter(pk=_as_id(handler_id), is_active=True).first()
    role = queries.handler_role(report, handler) if handler else None
    if role is None:
        raise Invalid({"handler": _("Choose a handler responsible for this place.")})
    if report.status == Status.SUBMITTED:
        _accept(report, user, now)
    report.status = Status.DISPATCHED
    report.handler = handler
    report.handler_role = role
    _save(report, now, "status", "handler", "handler_role")
    _step(
        report,
        StepKind.DISPATCHED,
        actor=user,
        text=note,
        data={"handler_role": role},
        at=now,
    )
    audit.record(
        actor=user, verb="report.dispatch", obj=report, data={"handler": handler.pk, "role": role}
    )
    _tell_staff(report, [handler], _title(report, _("dispatched to you")), note)
    _tell_reporter(report, _title(report, _("dispatched to a handler")))


@transaction.atomic
def dispatch_report(*, user, report, handler_id, note: str = "") -> Report:
    """派遣: hand the report to a grid worker, the property company, the owners' committee or a
    partner responsible for its place. A submitted report is accepted on the way."""
    report = _locked(report)
    note = _text(note, field="note", max_length=2000)
    _dispatch(report, user, handler_id, note, timezone.now())
    return report


@transaction.atomic
def bulk_dispatch(*, user, report_ids, handler_id, note: str = "") -> list[Report]:
    """Dispatch several reports to one handler: all of them, or none (the error names the
    report that could not go)."""
    note = _text(note, field="note", max_length=2000)
    ids = sorted({i for i in (_as_id(r) for r in report_ids or []) if i is not None})
    if not ids:
        raise Invalid({"reports": _("Choose at least one report.")})
    if len(ids) > 100:
        raise Invalid({"reports": _("At most 100 reports at a time.")})
    # Locks in id order, like every other writer that locks several reports.
    reports = list(Report.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk"))
    if len(reports) != len(ids):
        raise Invalid({"reports": _("Some of these reports do not exist.")})
    now = timezone.now()
    for report in reports:
        try:
            _dispatch(report, user, handler_id, note, now)
        except Invalid as exc:
            raise Invalid(exc.errors, message=f"#{report.pk}: {exc.message}") from None
        except Conflict as exc:
            raise Conflict(f"#{report.pk}: {exc.message}", code=exc.code) from None
        except Forbidden as exc:
            raise Forbidden(f"#{report.pk}: {exc.message}", code=exc.code) from None
    return reports


@transaction.atomic
def start_work(*, user, report) -> Report:
    report = _locked(report)
    rules.require(rules.can_work(user, report))
    _expect(report, STARTABLE, pgettext("report action", "started"))
    now = timezone.now()
    report.status = Status.IN_PROGRESS
    _save(report, now, "status")
    _step(report, StepKind.STARTED, actor=user, at=now)
    audit.record(actor=user, verb="report.start", obj=report)
    _tell_reporter(report, _title(report, _("work has started")))
    return report


@transaction.atomic
def resolve_report(*, user, report, reply: str, photos=()) -> Report:
    """处置: the handler answers with what was done (and photos of it); the reporter confirms."""
    reply = _text(
        reply, field="reply", max_length=2000, required=_("Tell the reporter what was done.")
    )
    photo_files = clean_photos(photos)
    report = _locked(report)
    rules.require(rules.can_work(user, report))
    _expect(report, WORKABLE, pgettext("report action", "resolved"))
    now = timezone.now()
    report.status = Status.RESOLVED
    report.reply = reply
    report.resolved_at = now
    report.due_at = None
    _save(report, now, "status", "reply", "resolved_at", "due_at")
    step = _step(report, StepKind.RESOLVED, actor=user, text=reply, at=now)
    _add_photos(report, step, photo_files, user)
    audit.record(actor=user, verb="report.resolve", obj=report)
    _tell_reporter(report, _title(report, _("resolved: please confirm")), reply)
    return report


def _check_rating(rating, comment) -> tuple[int | None, str]:
    comment = _text(comment, field="comment", max_length=500)
    if rating in (None, ""):
        return None, comment
    rating = _as_id(rating)
    if rating is None or not 1 <= rating <= 5:
        raise Invalid({"rating": _("Rate from 1 to 5.")})
    return rating, comment


def _close(report, now, kind, actor=None) -> None:
    report.status = Status.CLOSED
    report.closed_at = now
    report.due_at = None
    _save(report, now, "status", "closed_at", "due_at")
    _step(report, kind, actor=actor, at=now)


@transaction.atomic
def confirm_report(*, user, report, rating=None, comment: str = "") -> Report:
    """核查: the reporter confirms the problem is solved (and may rate the handling)."""
    rating, comment = _check_rating(rating, comment)
    report = _locked(report)
    rules.require(rules.is_reporter(user, report))
    _expect(report, [Status.RESOLVED], pgettext("report action", "confirmed"))
    now = timezone.now()
    _close(report, now, StepKind.CONFIRMED, user)
    audit.record(actor=user, verb="report.confirm", obj=report)
    if rating is not None:
        _rate(report, user, rating, comment, now)
    if report.handler_id:
        _tell_staff(report, [report.handler], _title(report, _("confirmed solved")))
    return report


@transaction.atomic
def reopen_report(*, user, report, comment: str) -> Report:
    """Not solved: the reporter says why, and the handler's clock runs again."""
    comment = _text(
        comment, field="comment", max_length=2000, required=_("Say what is still wrong.")
    )
    report = _locked(report)
    rules.require(rules.is_reporter(user, report))
    _expect(report, [Status.RESOLVED], pgettext("report action", "reopened"))
    now = timezone.now()
    report.status = Status.REOPENED
    report.resolved_at = None
    report.due_at = now + _hours(report.category.resolve_hours)
    _save(report, now, "status", "resolved_at", "due_at")
    _step(report, StepKind.REOPENED, actor=user, text=comment, at=now)
    audit.record(actor=user, verb="report.reopen", obj=report, data={"comment": comment})
    users = [report.handler] if report.handler_id else queries.level_staff(report)
    _tell_staff(report, users, _title(report, _("reopened by the reporter")), comment)
    return report


def _rate(report, user, rating, comment, now) -> None:
    report.rating = rating
    report.rating_comment = comment
    _save(report, now, "rating", "rating_comment")
    _step(report, StepKind.RATED, actor=user, text=comment, data={"rating": rating}, at=now)
    audit.record(actor=user, verb="report.rate", obj=report, data={"rating": rating})


@transaction.atomic
def rate_report(*, user, report, rating, comment: str = "") -> Report:
    """The satisfaction rating of a closed report, once."""
    rating, comment = _check_rating(rating, comment)
    if rating is None:
        raise Invalid({"rating": _("Rate from 1 to 5.")})
    report = _locked(report)
    rules.require(rules.is_reporter(user, report))
    _expect(report, [Status.CLOSED], pgettext("report action", "rated"))
    if report.rating is not None:
        raise Conflict(_("You have already rated this report."), code="already_rated")
    _rate(report, user, rating, comment, timezone.now())
    return report


# --- Escalation (吹哨) ---------------------------------------------------------------------


def _escalate(report, now, *, actor, reason, auto: bool) -> None:
    old = report.level
    report.level = old + 1
    report.escalations = F("escalations") + 1
    report.handler = None
    report.handler_role = ""
    if report.status == Status.SUBMITTED:
        report.due_at = now + _hours(report.category.accept_hours)
    else:
        report.status = Status.ACCEPTED
        report.due_at = now + _hours(report.category.resolve_hours)
    _save(report, now, "level", "escalations", "handler", "handler_role", "status", "due_at")
    kind = StepKind.AUTO_ESCALATED if auto else StepKind.ESCALATED
    data = {"from": old, "to": report.level}
    _step(report, kind, actor=actor, text=reason, data=data, at=now)
    audit.record(actor=actor, verb=f"report.{kind}", obj=report, data={**data, "reason": reason})


def _escalation_notices(report, reason) -> None:
    level = Level(report.level).label
    _tell_staff(report, queries.level_staff(report), _title(report, _("escalated to you")), reason)
    _tell_reporter(report, _title(report, _("escalated to the %(level)s") % {"level": level}))


@transaction.atomic
def escalate_report(*, user, report, reason: str) -> Report:
    """吹哨: the grid cannot solve it alone; the next level takes it over."""
    reason = _text(
        reason, field="reason", max_length=2000, required=_("Say why the next level is needed.")
    )
    report = _locked(report)
    rules.require(rules.can_work(user, report))
    _expect(report, [Status.SUBMITTED, *WORKABLE], pgettext("report action", "escalated"))
    if report.level >= Level.DISTRICT:
        raise Conflict(_("This report is already with the district."), code="top_level")
    _escalate(report, timezone.now(), actor=user, reason=reason, auto=False)
    report.refresh_from_db(fields=["escalations"])
    _escalation_notices(report, reason)
    return report


MAX_EXTENSION_HOURS = 24 * 30


@transaction.atomic
def extend_deadline(*, user, report, hours, reason: str) -> Report:
    """延期: staff of the report's level give a case that needs longer (parts to order, an owners'
    vote to hold) a later deadline, with a reason the reporter reads, instead of letting the
    sweep push it up a level. The category's original limits stay what the response and
    resolution rates are measured against."""
    reason = _text(
        reason, field="reason", max_length=2000, required=_("Say why more time is needed.")
    )
    hours = _as_id(hours)
    if hours is None or hours > MAX_EXTENSION_HOURS:
        raise Invalid({"hours": _("From 1 to %(n)s hours.") % {"n": MAX_EXTENSION_HOURS}})
    report = _locked(report)
    rules.require(rules.can_decide(user, report))
    _expect(report, OPEN_STATUSES, pgettext("report action", "given more time"))
    now = timezone.now()
    report.due_at = max(report.due_at or now, now) + _hours(hours)
    _save(report, now, "due_at")
    data = {"hours": hours, "due_at": report.due_at.isoformat()}
    _step(report, StepKind.EXTENDED, actor=user, text=reason, data=data, at=now)
    audit.record(actor=user, verb="report.extend", obj=report, data={**data, "reason": reason})
    _tell_reporter(report, _title(report, _("more time is needed")), reason)
    if report.handler_id and report.handler_id != user.pk:
        _tell_staff(report, [report.handler], _title(report, _("deadline extended")), reason)
    return report


def sweep_overdue(*, now=None, progress=None) -> int:
    """Escalate every report whose running time limit has passed (a scheduler calls this).
    Batches of SWEEP_BATCH, one transaction each; rows another writer holds are left for the
    next run rather than waited for."""
    now = now or timezone.now()
    reason = _("Time limit passed")
    done = 0
    while True:
        with transaction.atomic():
            batch = list(
                Report.objects.select_for_update(of=("self",), skip_locked=True)
                .filter(due_at__lt=now, level__lt=Level.DISTRICT, status__in=OPEN_STATUSES)
                .select_related("category")
                .order_by("due_at")[:SWEEP_BATCH]
            )
            if not batch:
                return done
            _escalate_batch(batch, now, str(reason))
        done += len(batch)
        if progress:
            progress(len(batch))


def _escalate_batch(batch, now, reason) -> None:
    """_escalate for many reports in a handful of statements (the sweep's hot loop)."""
    steps, events = [], []
    for r in batch:
        old = r.level
        r.level = old + 1
        r.escalations += 1
        r.handler_id = None
        r.handler_role = ""
        if r.status == Status.SUBMITTED:
            r.due_at = now + _hours(r.category.accept_hours)
        else:
            r.status = Status.ACCEPTED
            r.due_at = now + _hours(r.category.resolve_hours)
        r.updated_at = now
        data = {"from": old, "to": r.level}
        steps.append(
            Step(
                report=r,
                kind=StepKind.AUTO_ESCALATED,
                status=r.status,
                text=reason,
                data=data,
                created_at=now,
            )
        )
        events.append(
            AuditEvent(
                verb="report.auto_escalated",
                object_type="reports.report",
                object_id=str(r.pk),
                object_repr=str(r)[:200],
                scope_path=r.path,
                data={**data, "reason": reason},
                created_at=now,
            )
        )
    # One UPDATE per (status, deadline) group — a handful per batch, one per category limit —
    # instead of bulk_update, whose CASE WHEN per row and field costs O(batch²) in Django and
    # in PostgreSQL (6 s for 4,073 reports at city scale). The rows are locked, so F() + 1 is
    # what was read plus one.
    groups: dict[tuple, list[int]] = {}
    for r in batch:
        groups.setdefault((r.status, r.due_at), []).append(r.pk)
    for (status, due_at), ids in groups.items():
        Report.objects.filter(pk__in=ids).update(
            level=F("level") + 1,
            escalations=F("escalations") + 1,
            handler=None,
            handler_role="",
            status=status,
            due_at=due_at,
            updated_at=now,
        )
    Step.objects.bulk_create(steps)
    AuditEvent.objects.bulk_create(events)
    staff = queries.level_staff_ids(batch)
    followers = queries.followers_of(batch)
    notify_many(
        kind="report.task",
        messages=[
            {
                "recipients": staff[r.pk],
                "title": _title(r, _("escalated to you")),
                "body": reason,
                "url": _link(r),
            }
            for r in batch
        ],
    )
    notify_many(
        kind="report.update",
        messages=[
            {
                "recipients": followers[r.pk],
                "url": _link(r),
                "title": _title(
                    r, _("escalated to the %(level)s") % {"level": Level(r.level).label}
                ),
            }
            for r in batch
        ],
    )


def close_unconfirmed(*, now=None, progress=None) -> int:
    """Resolutions the reporter has not confirmed within AUTO_CLOSE_DAYS close themselves."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=AUTO_CLOSE_DAYS)
    done = 0
    while True:
        with transaction.atomic():
            batch = list(
                Report.objects.select_for_update(of=("self",), skip_locked=True)
                .filter(status=Status.RESOLVED, resolved_at__lt=cutoff)
                .order_by("resolved_at")[:SWEEP_BATCH]
            )
            if not batch:
                return done
            for r in batch:
                r.status = Status.CLOSED
                r.closed_at = now
                r.updated_at = now
            # The same values for every row: one plain UPDATE, not bulk_update's CASE per row.
            Report.objects.filter(pk__in=[r.pk for r in batch]).update(
                status=Status.CLOSED, closed_at=now, updated_at=now
            )
            Step.objects.bulk_create(
                Step(report=r, kind=StepKind.AUTO_CLOSED, status=r.status, created_at=now)
                for r in batch
            )
            AuditEvent.objects.bulk_create(
                AuditEvent(
                    verb="report.auto_closed",
                    object_type="reports.report",
                    object_id=str(r.pk),
                    object_repr=str(r)[:200],
                    scope_path=r.path,
                    created_at=now,
                )
                for r in batch
            )
        done += len(batch)
        if progress:
            progress(len(batch))


# --- Duplicates, joint cases, notes ------------------------------------------------------------


@transaction.atomic
def merge_report(*, user, report, into_id, note: str = "") -> Report:
    """A duplicate joins the report it repeats: its reporter and supporters follow that one."""
    note = _text(note, field="note", max_length=2000)
    ids = sorted({_as_id(getattr(report, "pk", report)), _as_id(into_id)} - {None})
    if len(ids) != 2:
        raise Invalid({"into": _("Choose another report to merge into.")})
    rows = {r.pk: r for r in Report.objects.select_for_update(of=("self",)).filter(pk__in=ids)}
    dup = rows.get(_as_id(getattr(report, "pk", report)))
    target = rows.get(_as_id(into_id))
    if dup is None:
        raise Invalid({"report": _("No such report.")})
    if target is None or not rules.can_view(user, target):
        raise Invalid({"into": _("No such report.")})
    rules.require(rules.can_decide(user, dup))
    _expect(dup, [Status.SUBMITTED, *WORKABLE], pgettext("report action", "merged"))
    if target.status in FINAL_STATUSES:
        raise Conflict(_("The report to merge into is already finished."), code="target_final")
    now = timezone.now()
    dup.status = Status.MERGED
    dup.merged_into = target
    dup.closed_at = now
    dup.due_at = None
    _save(dup, now, "status", "merged_into", "closed_at", "due_at")
    _step(dup, StepKind.MERGED, actor=user, text=note, data={"into": target.pk}, at=now)
    followers = set(queries.followers(dup)) - set(queries.followers(target))
    Supporter.objects.bulk_create(
        [Supporter(report=target, user_id=uid) for uid in followers], ignore_conflicts=True
    )
    target.supporter_count = Supporter.objects.filter(report=target).count()
    _save(target, now, "supporter_count")
    audit.record(actor=user, verb="report.merge", obj=dup, data={"into": target.pk})
    _tell_reporter(
        dup, _title(dup, _("merged into report #%(id)s") % {"id": target.pk}), note or ""
    )
    return dup


@transaction.atomic
def open_joint_case(*, user, report, note: str = "") -> Report:
    """三方协调: the residents' committee, the owners' committee and the property company work
    the report together in a coordination thread."""
    note = _text(note, field="note", max_length=2000)
    report = _locked(report)
    rules.require(rules.can_decide(user, report))
    _expect(report, [Status.SUBMITTED, *WORKABLE], pgettext("report action", "made a joint case"))
    if report.joint:
        raise Conflict(_("This is already a joint case."), code="already_joint")
    now = timezone.now()
    report.joint = True
    _save(report, now, "joint")
    _step(report, StepKind.JOINT, actor=user, text=note, at=now)
    if note:
        Message.objects.create(report=report, author=user, role="", body=note, created_at=now)
    audit.record(actor=user, verb="report.joint", obj=report)
    notify(
        recipients=[u for u in queries.coordinators(report) if u.pk != user.pk],
        kind="report.coordination",
        title=_title(report, _("joint case: the three parties coordinate")),
        body=note,
        url=_link(report),
    )
    return report


@transaction.atomic
def post_message(*, user, report, body: str) -> Message:
    body = _text(body, field="body", max_length=2000, required=_("Write a message."))
    report = _locked(report)
    rules.require(rules.can_coordinate(user, report))
    if not report.joint:
        raise Conflict(_("This report is not a joint case."), code="not_joint")
    role = queries.coordination_role(report, user)
    message = Message.objects.create(report=report, author=user, role=role, body=body)
    notify(
        recipients=[u for u in queries.coordinators(report) if u.pk != user.pk],
        kind="report.coordination",
        title=_title(report, _("new coordination message")),
        body=body[:200],
        url=_link(report),
    )
    return message


@transaction.atomic
def add_note(*, user, report, text: str, public: bool = False) -> Step:
    """A progress note on the timeline: internal by default, or shown to the reporter."""
    text = _text(text, field="text", max_length=2000, required=_("Write a note."))
    report = _locked(report)
    rules.require(rules.can_work(user, report))
    step = _step(report, StepKind.NOTE, actor=user, text=text, public=bool(public))
    _save(report, step.created_at)
    if public:
        _tell_reporter(report, _title(report, _("a note from the handler")), text)
    return step


# --- Categories --------------------------------------------------------------------------------

CATEGORY_FIELDS = [
    "code",
    "name",
    "description",
    "group",
    "keywords",
    "level",
    "handler_role",
    "accept_hours",
    "resolve_hours",
    "urgent",
    "is_public",
    "active",
    "sort_order",
]
ATTRIBUTE_FIELDS = [
    "code",
    "datatype",
    "description",
    "datatype_description",
    "required",
    "values",
    "order",
]


def _full_clean(obj, exclude=None) -> None:
    from django.core.exceptions import ValidationError

    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise Invalid(exc.message_dict) from None


@transaction.atomic
def save_category(*, user, category_id=None, **fields) -> Category:
    """Create or change a category (city-wide data kept by subdistrict administrators)."""
    rules.require(queries.may_manage_categories(user))
    unknown = set(fields) - set(CATEGORY_FIELDS)
    if unknown:
        raise Invalid({sorted(unknown)[0]: _("Unknown field.")})
    if category_id is None:
        category = Category()
    else:
        category = Category.objects.select_for_update().filter(pk=_as_id(category_id)).first()
        if category is None:
            raise Invalid({"category": _("No such category.")})
    for name, value in fields.items():
        setattr(category, name, value)
    _full_clean(category)
    category.save()
    audit.record(
        actor=user,
        verb="report.category.save",
        obj=category,
        data={k: v for k, v in fields.items()},
        scope_path="",
    )
    return category


@transaction.atomic
def save_attribute(*, user, category, attribute_id=None, **fields) -> CategoryAttribute:
    """Add or change an extra question of a category (an Open311 attribute)."""
    rules.require(queries.may_manage_categories(user))
    unknown = set(fields) - set(ATTRIBUTE_FIELDS)
    if unknown:
        raise Invalid({sorted(unknown)[0]: _("Unknown field.")})
    if attribute_id is None:
        attribute = CategoryAttribute(category=category)
    else:
        attribute = category.attributes.filter(pk=_as_id(attribute_id)).first()
        if attribute is None:
            raise Invalid({"attribute": _("No such question.")})
    for name, value in fields.items():
        setattr(attribute, name, value)
    if attribute.datatype in ("singlevaluelist", "multivaluelist"):
        values = attribute.values
        if (
            not isinstance(values, list)
            or not values
            or not all(
                isinstance(v, dict)
                and str(v.get("key", "")).strip()
                and str(v.get("name", "")).strip()
                for v in values
            )
        ):
            raise Invalid(
                {"values": _("A list question needs choices, each with a key and a name.")}
            )
    else:
        attribute.values = []
    _full_clean(attribute, exclude=["category"])
    attribute.save()
    audit.record(
        actor=user,
        verb="report.category.attribute",
        obj=category,
        data={"attribute": attribute.code},
        scope_path="",
    )
    return attribute


@transaction.atomic
def delete_attribute(*, user, attribute_id) -> None:
    rules.require(queries.may_manage_categories(user))
    attribute = CategoryAttribute.objects.filter(pk=_as_id(attribute_id)).first()
    if attribute is None:
        raise Invalid({"attribute": _("No such question.")})
    category = attribute.category
    attribute.delete()
    audit.record(
        actor=user,
        verb="report.category.attribute_delete",
        obj=category,
        data={"attribute": attribute.code},
        scope_path="",
    )
