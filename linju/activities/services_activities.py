"""Every write on activities (seed 000: 月月有活动、人人有展示): organising one for a building
group, an estate or a community; residents signing up (a wait list beyond the capacity, moved up in
order when a place frees); checking in at the venue by scanning the activity's QR code (or at
the organiser's desk); the organiser confirming who came, which credits the community's points
for attendance once per person (and, for volunteer service, the hours and their points);
photos afterwards. Keyword-only, one transaction each; the activity's row is locked first
whenever places are counted, so the capacity holds under concurrent sign-ups (and the database
refuses an overbooked row anyway)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.core import audit
from linju.core.cleaning import as_id, as_when, clean_text
from linju.core.errors import Conflict, Invalid, NotFound
from linju.core.notifications import notify
from linju.core.uploads import clean_photos
from linju.people.models import User
from linju.places.models import Place
from linju.points import earning
from linju.points import services as points_services
from linju.points.models import PointsKind
from linju.points.services import MAX_SERVICE_MINUTES

from . import queries, rules
from .models import (
    Activity,
    ActivityKind,
    ActivityPhoto,
    ActivityStatus,
    InterestGroup,
    SignUp,
    SignUpStatus,
    Team,
)

PLACE_KINDS = ("community", "estate", "building", "unit")
MAX_CAPACITY = 10_000
MAX_PHOTOS_PER_ACTIVITY = 60
# Check-in opens this long before the start and closes at the end.
CHECK_IN_EARLY = timedelta(hours=1)


def _url(activity) -> str:
    return f"/activities/{activity.pk}/"


def _locked(activity_id) -> Activity:
    activity = (
        Activity.objects.select_for_update(of=("self",))
        .select_related("place")
        .filter(pk=as_id(activity_id))
        .first()
    )
    if activity is None:
        raise NotFound(_("No such activity."))
    return activity


def _open(activity) -> None:
    if activity.status == ActivityStatus.CANCELLED:
        raise Conflict(_("This activity was cancelled."), code="cancelled")


# --- Organising ---------------------------------------------------------------------------


def _fields(*, title, kind, venue, starts_at, ends_at, capacity, description, service_minutes):
    if kind not in ActivityKind.values:
        raise Invalid({"kind": _("Choose the kind of activity.")})
    starts = as_when(starts_at, field="starts_at", required=True)
    ends = as_when(ends_at, field="ends_at", required=True)
    if ends <= starts:
        raise Invalid({"ends_at": _("The end comes after the start.")})
    if ends - starts > timedelta(hours=Activity.MAX_HOURS):
        raise Invalid({"ends_at": _("An activity lasts at most a day.")})
    try:
        capacity = int(capacity or 0)
    except (TypeError, ValueError, OverflowError):
        raise Invalid({"capacity": _("Give the number of places (0: no limit).")}) from None
    if not 0 <= capacity <= MAX_CAPACITY:
        raise Invalid({"capacity": _("Give 0 to 10000 places (0: no limit).")})
    if kind == ActivityKind.VOLUNTEER:
        if service_minutes in (None, ""):
            service_minutes = min(int((ends - starts).total_seconds() // 60), MAX_SERVICE_MINUTES)
        try:
            service_minutes = int(service_minutes)
        except (TypeError, ValueError, OverflowError):
            raise Invalid({"service_minutes": _("Give the minutes of service.")}) from None
        if not 0 <= service_minutes <= MAX_SERVICE_MINUTES:
            raise Invalid(
                {"service_minutes": _("Give 0 to %(n)d minutes.") % {"n": MAX_SERVICE_MINUTES}}
            )
    else:
        service_minutes = 0  # only volunteer service goes on the service record
    return {
        "title": clean_text(title, field="title", max_length=100, required=_("Give a title.")),
        "kind": kind,
        "venue": clean_text(venue, field="venue", max_length=120, required=_("Say where.")),
        "starts_at": starts,
        "ends_at": ends,
        "capacity": capacity,
        "description": clean_text(description, field="description", max_length=4000),
        "service_minutes": service_minutes,
    }


def _owner(model, pk, field, place, user, leads):
    """The team or group an activity belongs to: the activity's place lies in its scope (a
    building team's leader does not hold the whole community's activity); its leader may
    organise the activity."""
    if pk in (None, ""):
        return None, False
    obj = model.objects.filter(pk=as_id(pk), active=True).first()
    if obj is None or not place.path.startswith(obj.path):
        raise Invalid({field: _("Choose one of this place.")})
    return obj, leads(user, obj)


@transaction.atomic
def create_activity(
    *,
    user,
    place_id,
    title,
    kind,
    venue,
    starts_at,
    ends_at,
    capacity=0,
    description="",
    service_minutes=None,
    team_id=None,
    group_id=None,
) -> Activity:
    """An activity of a building group (or unit, estate, community), organised by its heads or
    the community staff, or by the leader of the team or interest group holding it."""
    place = Place.objects.filter(pk=as_id(place_id), kind__in=PLACE_KINDS).first()
    if place is None:
        raise Invalid({"place": _("Choose a unit, building, estate or community.")})
    team, leads_team = _owner(Team, team_id, "team", place, user, rules.leads_team)
    group, leads_group = _owner(InterestGroup, group_id, "group", place, user, rules.leads_group)
    rules.require(rules.can_organise_at(user, place) or leads_team or leads_group)
    fields = _fields(
        title=title,
        kind=kind,
        venue=venue,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        description=description,
        service_minutes=service_minutes,
    )
    if fields["starts_at"] < timezone.now():
        raise Invalid({"starts_at": _("An activity starts in the future.")})
    activity = Activity.objects.create(
        place=place, team=team, group=group, organiser=user, created_by=user, **fields
    )
    audit.record(actor=user, verb="activities.create", obj=activity, data={"title": activity.title})
    return activity


@transaction.atomic
def update_activity(
    *,
    user,
    activity_id,
    title,
    kind,
    venue,
    starts_at,
    ends_at,
    capacity=0,
    description="",
    service_minutes=None,
) -> Activity:
    """Change an activity before it starts. A smaller capacity may not drop anyone signed up; a
    larger one moves the wait list up; a new time or venue is told to everyone signed up."""
    activity = _locked(activity_id)
    rules.require(rules.can_run(user, activity))
    _open(activity)
    if activity.starts_at <= timezone.now():
        raise Conflict(_("The activity has started: it cannot be changed."), code="started")
    fields = _fields(
        title=title,
        kind=kind,
        venue=venue,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        description=description,
        service_minutes=service_minutes,
    )
    if fields["starts_at"] < timezone.now():
        raise Invalid({"starts_at": _("An activity starts in the future.")})
    if fields["capacity"] and fields["capacity"] < activity.signed:
        raise Invalid(
            {"capacity": _("%(n)d people have signed up already.") % {"n": activity.signed}}
        )
    moved = (activity.starts_at, activity.venue) != (fields["starts_at"], fields["venue"])
    for name, value in fields.items():
        setattr(activity, name, value)
    activity.save()
    _move_up(activity)
    if moved:
        # Check-ins made in the hour before the old start were for a time that is gone.
        activity.sign_ups.filter(checked_in_at__isnull=False).update(
            checked_in_at=None, checked_in_by=None
        )
        notify(
            recipients=_people(activity, [SignUpStatus.SIGNED, SignUpStatus.WAITING]),
            kind="activities.activity",
            title=_("%(title)s: new time or place") % {"title": activity.title},
            body=f"{timezone.localtime(activity.starts_at):%Y-%m-%d %H:%M} {activity.venue}",
            url=_url(activity),
        )
    audit.record(actor=user, verb="activities.update", obj=activity, data={"moved": moved})
    return activity


def _people(activity, statuses):
    return list(activity.sign_ups.filter(status__in=statuses).values_list("user_id", flat=True))


@transaction.atomic
def cancel_activity(*, user, activity_id, reason) -> Activity:
    """Call an activity off, with the reason told to everyone signed up or waiting."""
    activity = _locked(activity_id)
    rules.require(rules.can_run(user, activity))
    _open(activity)
    if activity.ends_at <= timezone.now():
        raise Conflict(_("The activity is over."), code="over")
    reason = clean_text(reason, field="reason", max_length=300, required=_("Give the reason."))
    activity.status = ActivityStatus.CANCELLED
    activity.save(update_fields=["status"])
    notify(
        recipients=_people(activity, [SignUpStatus.SIGNED, SignUpStatus.WAITING]),
        kind="activities.activity",
        title=_("%(title)s is cancelled") % {"title": activity.title},
        body=reason,
        url=_url(activity),
    )
    audit.record(actor=user, verb="activities.cancel", obj=activity, data={"reason": reason})
    return activity


# --- Signing up and the wait list ---------------------------------------------------------


def _take_place(activity, sign_up) -> None:
    """Give `sign_up` a place if one is free, else put it at the end of the wait list."""
    if activity.is_full:
        sign_up.status = SignUpStatus.WAITING
    else:
        sign_up.status = SignUpStatus.SIGNED
        activity.signed += 1
        activity.save(update_fields=["signed"])


def _move_up(activity) -> list[SignUp]:
    """Fill free places from the wait list, first come first served, and tell those moved up."""
    moved = []
    while not activity.is_full:
        first = (
            activity.sign_ups.select_for_update()
            .filter(status=SignUpStatus.WAITING)
            .order_by("signed_at", "id")
            .first()
        )
        if first is None:
            break
        first.status = SignUpStatus.SIGNED
        first.save(update_fields=["status"])
        activity.signed += 1
        moved.append(first)
    if moved:
        activity.save(update_fields=["signed"])
        notify(
            recipients=[s.user_id for s in moved],
            kind="activities.activity",
            title=_("A place freed up: you are signed up for %(title)s")
            % {"title": activity.title},
            url=_url(activity),
        )
    return moved


@transaction.atomic
def sign_up(*, user, activity_id) -> SignUp:
    """Sign up for an activity of where one lives (a place, or the wait list when it is full).
    Signing up again after cancelling joins the end of the queue; signing up twice changes
    nothing."""
    # The caller's homes are read before the activity's row is locked: a burst queues on that
    # lock, and whatever runs under it runs once for everyone in the queue.
    rules.homes(user)
    activity = _locked(activity_id)
    rules.require(
        rules.may_take_part(user, activity),
        _("You may sign up for the activities of where you live."),
    )
    _open(activity)
    if activity.starts_at <= timezone.now():
        raise Conflict(_("The activity has started: sign-up is closed."), code="started")
    mine = SignUp.objects.select_for_update().filter(activity=activity, user=user).first()
    if mine is not None and mine.status != SignUpStatus.CANCELLED:
        return mine
    mine = mine or SignUp(activity=activity, user=user)
    mine.signed_at = timezone.now()
    _take_place(activity, mine)
    mine.save()
    audit.record(actor=user, verb="activities.sign_up", obj=activity, data={"status": mine.status})
    return mine


@transaction.atomic
def cancel_sign_up(*, user, activity_id) -> SignUp:
    """Give one's place back (before the start); the first on the wait list moves up."""
    activity = _locked(activity_id)
    mine = SignUp.objects.select_for_update().filter(activity=activity, user=user).first()
    if mine is None or mine.status == SignUpStatus.CANCELLED:
        raise NotFound(_("You have not signed up for this activity."))
    if activity.starts_at <= timezone.now():
        raise Conflict(_("The activity has started."), code="started")
    had_place = mine.status == SignUpStatus.SIGNED
    # A check-in an hour early does not survive giving the place back.
    mine.status, mine.checked_in_at, mine.checked_in_by = SignUpStatus.CANCELLED, None, None
    mine.save(update_fields=["status", "checked_in_at", "checked_in_by"])
    if had_place:
        activity.signed -= 1
        activity.save(update_fields=["signed"])
        if activity.status == ActivityStatus.OPEN:
            _move_up(activity)
    audit.record(actor=user, verb="activities.cancel_sign_up", obj=activity)
    return mine


# --- Check-in -------------------------------------------------------------------------------


def _check_in_window(activity) -> None:
    now = timezone.now()
    if now < activity.starts_at - CHECK_IN_EARLY:
        raise Conflict(_("Check-in opens an hour before the start."), code="too_early")
    if now > activity.ends_at:
        raise Conflict(_("The activity is over."), code="over")


def _arrive(activity, person, by) -> SignUp:
    """Check `person` in: someone signed up, or a walk-in when a place is free (someone on the
    wait list who comes gets a free place too)."""
    mine = SignUp.objects.select_for_update().filter(activity=activity, user=person).first()
    if mine is not None and mine.checked_in_at:
        return mine
    if mine is None or mine.status != SignUpStatus.SIGNED:
        if activity.is_full:
            raise Conflict(_("The activity is full."), code="full")
        mine = mine or SignUp(activity=activity, user=person)
        _take_place(activity, mine)
    mine.checked_in_at, mine.checked_in_by = timezone.now(), by
    mine.save()
    return mine


@transaction.atomic
def check_in(*, user, code) -> SignUp:
    """签到: a participant scans the QR code shown at the venue."""
    found = queries.activity_by_code(code)
    if found is None:
        raise Invalid({"code": _("This check-in code is not known.")})
    rules.homes(user)  # before the lock, as in sign_up
    activity = _locked(found.pk)
    _open(activity)
    rules.require(
        rules.may_take_part(user, activity),
        _("You may take part in the activities of where you live."),
    )
    _check_in_window(activity)
    mine = _arrive(activity, user, user)
    audit.record(actor=user, verb="activities.check_in", obj=activity)
    return mine


@transaction.atomic
def check_in_person(*, user, activity_id, person_id) -> SignUp:
    """The organiser checks someone in at the desk (no phone, a walk-in)."""
    activity = _locked(activity_id)
    rules.require(rules.can_run(user, activity))
    _open(activity)
    _check_in_window(activity)
    person = User.objects.filter(pk=as_id(person_id), is_active=True).first()
    if person is None:
        raise Invalid({"person": _("Choose a person.")})
    if not rules.may_take_part(person, activity):
        # Points are the community's: an organiser cannot bring in people from elsewhere.
        raise Invalid({"person": _("This person does not live where the activity is held.")})
    mine = _arrive(activity, person, user)
    audit.record(actor=user, verb="activities.check_in", obj=activity, data={"person": person.pk})
    return mine


# --- Confirmation: points and hours ---------------------------------------------------------


def _credit(activity, community, mine, by) -> int:
    """What a confirmed participant earns, once (key `activity:<sign-up id>`): volunteer
    service goes on the service record and earns the service rule's points; any other activity
    earns the attendance rule's points."""
    what = activity.title
    if activity.service_minutes:
        _hours, points = points_services.credit_service(
            person_id=mine.user_id,
            community=community,
            served_on=timezone.localtime(activity.starts_at).date(),
            minutes=activity.service_minutes,
            what=what,
            key=mine.ledger_key,
            ref=f"activity:{activity.pk}",
            by=by,
        )
    else:
        points = earning.earn(
            user_id=mine.user_id,
            kind=PointsKind.ACTIVITY,
            place=community,
            key=mine.ledger_key,
            ref=f"activity:{activity.pk}",
            reason=what,
            by=by,
        )
    return points.amount if points else 0


@transaction.atomic
def confirm_attendance(*, user, activity_id, sign_up_ids) -> list[SignUp]:
    """The organiser confirms who took part (those checked in), once the activity has started:
    each earns their points (and hours) once, however often this is sent. An organiser does not
    confirm their own attendance, staff included: someone else does (no one credits
    themselves)."""
    activity = _locked(activity_id)
    rules.require(rules.can_run(user, activity))
    _open(activity)
    if activity.starts_at > timezone.now():
        raise Conflict(_("The activity has not started yet."), code="not_started")
    if not isinstance(sign_up_ids, list | tuple | set | frozenset):
        raise Invalid({"sign_up_ids": _("Choose who took part.")})
    ids = {as_id(i) for i in sign_up_ids}
    if not ids or None in ids or len(ids) > MAX_CAPACITY:
        raise Invalid({"sign_up_ids": _("Choose who took part.")})
    # By person: every confirmation locks (and credits) accounts in the same order, so two at
    # once with the same people never deadlock.
    chosen = list(
        SignUp.objects.select_for_update()
        .filter(activity=activity, pk__in=ids)
        .order_by("user_id", "id")
    )
    if len(chosen) != len(ids):
        raise Invalid({"sign_up_ids": _("Choose people signed up for this activity.")})
    if any(s.checked_in_at is None or s.status != SignUpStatus.SIGNED for s in chosen):
        raise Invalid({"sign_up_ids": _("Check people in before confirming them.")})
    if any(s.user_id == user.pk for s in chosen):
        raise Conflict(
            _("Another organiser or the community staff confirm your own attendance."),
            code="own_attendance",
        )
    community = points_services.community_of(activity.place_id)
    now = timezone.now()
    confirmed = []
    for mine in chosen:
        if mine.confirmed_at:
            continue
        mine.points = _credit(activity, community, mine, user)
        mine.confirmed_at, mine.confirmed_by = now, user
        mine.save(update_fields=["points", "confirmed_at", "confirmed_by"])
        confirmed.append(mine)
    if confirmed:
        notify(
            recipients=[m.user_id for m in confirmed],
            kind="activities.activity",
            title=_("Thank you for taking part in %(title)s") % {"title": activity.title},
            url="/points/",
        )
    audit.record(
        actor=user,
        verb="activities.confirm",
        obj=activity,
        data={"sign_ups": [m.pk for m in confirmed]},
    )
    return chosen


# --- Photos -----------------------------------------------------------------------------------


@transaction.atomic
def add_photos(*, user, activity_id, photos, caption="") -> list[ActivityPhoto]:
    """人人有展示: the organiser or a participant who checked in adds photos once the activity
    has started; each is re-encoded without its metadata."""
    activity = _locked(activity_id)
    took_part = SignUp.objects.filter(
        activity=activity, user=user, checked_in_at__isnull=False
    ).exists()
    rules.require(rules.may_add_photos(user, activity, took_part=took_part))
    _open(activity)
    if activity.starts_at > timezone.now():
        raise Conflict(_("Photos come once the activity has started."), code="not_started")
    caption = clean_text(caption, field="caption", max_length=200)
    files = clean_photos(photos)
    if not files:
        raise Invalid({"photos": _("Choose a photo.")})
    if activity.photos.count() + len(files) > MAX_PHOTOS_PER_ACTIVITY:
        raise Invalid({"photos": _("An activity keeps at most 60 photos.")})
    saved = []
    for f in files:
        photo = ActivityPhoto(activity=activity, caption=caption, uploaded_by=user)
        photo.photo.save(f.name, f, save=True)
        saved.append(photo)
    audit.record(actor=user, verb="activities.photos", obj=activity, data={"n": len(saved)})
    return saved


@transaction.atomic
def delete_photo(*, user, photo_id) -> None:
    photo = ActivityPhoto.objects.select_related("activity").filter(pk=as_id(photo_id)).first()
    if photo is None:
        raise NotFound(_("No such photo."))
    rules.require(rules.can_run(user, photo.activity) or photo.uploaded_by_id == user.pk)
    name, storage = photo.photo.name, photo.photo.storage
    photo.delete()
    transaction.on_commit(lambda: storage.delete(name))
    audit.record(actor=user, verb="activities.photo_delete", obj=photo.activity)
