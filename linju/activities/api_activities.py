"""/activities: the calendar of where one lives (月月有活动), signing up (a wait list beyond the
capacity), checking in with the venue's QR code, my sign-ups; for organisers: creating,
changing and cancelling activities, the sign-up list, desk check-in, confirming who came (which
credits points and, for volunteer service, hours), and photos afterwards (人人有展示). Every
write goes through services_activities; every read through queries and rules. The services are
idempotent by state: signing up twice returns the same sign-up, confirming twice credits once."""

from django.db.models import Count
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from linju.core.api_support import (
    ERRORS,
    CappedLimitOffset,
    FormOrJson,
    Listing,
)
from linju.core.views import private_download

from . import queries, rules
from . import services_activities as services
from .api_common import activity_ref, people, place_ref
from .models import ActivityPhoto, SignUp, SignUpStatus
from .schemas import (
    ActivityDetailOut,
    ActivityIn,
    ActivityOut,
    ActivityPhotoOut,
    ActivityReasonIn,
    ActivityUpdateIn,
    AttendanceIn,
    CalendarFilter,
    CodeIn,
    PersonIn,
    PhotosIn,
    SignUpOut,
    SignUpRowOut,
)

router = Router(tags=["activities"])

SCOPE_NOTE = (
    " 404 for an activity outside the caller's calendar (where they live, or their staff "
    "scope) that they do not run; 403 for those who see it but do not run it."
)


# --- Shapes ---------------------------------------------------------------------------------------


def _ref(obj) -> dict | None:
    return {"id": obj.pk, "name": obj.name} if obj is not None else None


def _waiting(activity_ids) -> dict[int, int]:
    rows = (
        SignUp.objects.filter(activity_id__in=list(activity_ids), status=SignUpStatus.WAITING)
        .values_list("activity_id")
        .annotate(n=Count("id"))
        .values_list("activity_id", "n")
    )
    return dict(rows)


def _activity(a, waiting: int, names: dict[int, dict]) -> dict:
    return {
        "id": a.pk,
        "title": a.title,
        "kind": a.kind,
        "kind_label": str(a.get_kind_display()),
        "description": a.description,
        "venue": a.venue,
        "starts_at": a.starts_at,
        "ends_at": a.ends_at,
        "capacity": a.capacity,
        "signed": a.signed,
        "waiting": waiting,
        "service_minutes": a.service_minutes,
        "status": a.status,
        "status_label": str(a.get_status_display()),
        "place": place_ref(a.place),
        "team": _ref(a.team),
        "group": _ref(a.group),
        "organiser": names[a.organiser_id]["name"] if a.organiser_id else None,
        "my_status": getattr(a, "my_status", None),
    }


def _activities(viewer, rows) -> list[dict]:
    """Activities as `viewer` sees them: the organiser named as any person is (masked outside
    the viewer's personal-data scope, since residents who lead a team organise too), the wait
    lists counted, in one query each for the page."""
    rows = list(rows)
    waiting = _waiting(a.pk for a in rows)
    names = people(viewer, [a.organiser for a in rows if a.organiser_id])
    return [_activity(a, waiting.get(a.pk, 0), names) for a in rows]


def _photo(viewer, p) -> dict:
    return {
        "id": p.pk,
        "caption": p.caption,
        "url": reverse("api:activities_photo", kwargs={"photo_id": p.pk}),
        "mine": p.uploaded_by_id == viewer.pk,
        "created_at": p.created_at,
    }


def _detail(user, activity_id: int) -> dict:
    a = _find(user, activity_id)
    may_run = rules.can_run(user, a)
    return {
        **_activities(user, [a])[0],
        "may_run": may_run,
        "check_in_code": a.check_in_code if may_run else None,
        "photos": [_photo(user, p) for p in a.photos.order_by("created_at", "id")],
    }


def _sign_up(s) -> dict:
    return {
        "id": s.pk,
        "activity": activity_ref(s.activity),
        "status": s.status,
        "status_label": str(s.get_status_display()),
        "signed_at": s.signed_at,
        "checked_in_at": s.checked_in_at,
        "confirmed_at": s.confirmed_at,
        "points": s.points,
    }


def _mine(sign_up_id: int) -> dict:
    return _sign_up(SignUp.objects.select_related("activity__place").get(pk=sign_up_id))


def _rows(viewer, sign_ups) -> list[dict]:
    sign_ups = list(sign_ups)
    names = people(viewer, [s.user for s in sign_ups])
    return [
        {
            "id": s.pk,
            "person": names[s.user_id],
            "status": s.status,
            "status_label": str(s.get_status_display()),
            "signed_at": s.signed_at,
            "checked_in_at": s.checked_in_at,
            "confirmed_at": s.confirmed_at,
            "points": s.points,
        }
        for s in sign_ups
    ]


# --- Finding things -------------------------------------------------------------------------------


def _calendar(user, **kw):
    return queries.calendar(user, **kw).select_related("organiser")


def _find(user, activity_id: int):
    """An activity of the caller's calendar (queries.activity_for, which holds those they run);
    404 otherwise (its existence is not revealed)."""
    activity = queries.activity_for(user, activity_id)
    if activity is None:
        raise Http404
    return activity


def _run(user, activity_id: int):
    activity = _find(user, activity_id)
    rules.require(rules.can_run(user, activity))
    return activity


def _local(when):
    if when is not None and timezone.is_naive(when):
        return timezone.make_aware(when, timezone.get_current_timezone())
    return when


# --- The calendar and one activity ----------------------------------------------------------------


@router.get(
    "",
    response={200: list[ActivityOut], **ERRORS},
    summary="My calendar of activities",
    description="Activities of the building, estate and community I live in (and of my staff "
    "scope), soonest first, with `my_status`. `from` (default: now) and `to` bound the time "
    "(an activity still going on at `from` is listed); `kind` filters. 422 `from`, `to`, "
    "`kind`. Capped.",
)
@paginate(CappedLimitOffset)
def calendar(request, filters: Query[CalendarFilter]):
    user = request.user
    qs = _calendar(user, start=_local(filters.start) or timezone.now(), end=_local(filters.end))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return Listing(qs, lambda rows: _activities(user, rows))


@router.get(
    "/mine",
    response={200: list[SignUpOut], **ERRORS},
    summary="My sign-ups",
    description="Places I hold and wait-list places, latest activity first, with my check-in, "
    "its confirmation and the points it earned; capped.",
)
@paginate(CappedLimitOffset)
def my_sign_ups(request):
    return Listing(queries.my_sign_ups(request.user), lambda rows: [_sign_up(s) for s in rows])


@router.get(
    "/{int:activity_id}",
    response={200: ActivityDetailOut, **ERRORS},
    summary="One activity",
    description="With `my_status`, the places taken and the wait list, the photos, and for "
    "those who run it `may_run` and the `check_in_code` the venue's QR code shows. 404 outside "
    "the caller's calendar.",
)
def activity(request, activity_id: int):
    return _detail(request.user, activity_id)


# --- Organising -----------------------------------------------------------------------------------


@router.post(
    "",
    response={201: ActivityDetailOut, **ERRORS},
    summary="Organise an activity",
    description="At a unit, building, estate or community (`place`), by its heads, grid "
    "workers and community staff, or by the leader of the volunteer team or interest group "
    "holding it (`team`, `group`: of the place or above it); the caller is its organiser, who "
    "runs it while they hold one of these rights, not after losing it. 422 "
    "`place`, `title`, `kind`, `venue`, `starts_at` (in the future), `ends_at` (after the "
    "start, within a day), `capacity` (0 to 10000), `service_minutes` (0 to 720), `team`, "
    "`group`; 403 for anyone else.",
)
def create(request, payload: ActivityIn):
    user = request.user
    created = services.create_activity(
        user=user,
        place_id=payload.place,
        title=payload.title,
        kind=payload.kind,
        venue=payload.venue,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        capacity=payload.capacity,
        description=payload.description,
        service_minutes=payload.service_minutes,
        team_id=payload.team,
        group_id=payload.group,
    )
    return Status(201, _detail(user, created.pk))


@router.put(
    "/{int:activity_id}",
    response={200: ActivityDetailOut, **ERRORS},
    summary="Change an activity",
    description="Before it starts (409 `started`, `cancelled`). A smaller `capacity` may not "
    "drop anyone signed up (422); a larger one moves the wait list up; a new time or venue is "
    "told to everyone signed up. 422 as on creation." + SCOPE_NOTE,
)
def update(request, activity_id: int, payload: ActivityUpdateIn):
    user = request.user
    _find(user, activity_id)
    services.update_activity(user=user, activity_id=activity_id, **payload.model_dump())
    return _detail(user, activity_id)


@router.post(
    "/{int:activity_id}/cancel",
    response={200: ActivityDetailOut, **ERRORS},
    summary="Call an activity off",
    description="With the `reason` (422) told to everyone signed up or waiting. 409 "
    "`cancelled`, `over`." + SCOPE_NOTE,
)
def cancel(request, activity_id: int, payload: ActivityReasonIn):
    user = request.user
    _find(user, activity_id)
    services.cancel_activity(user=user, activity_id=activity_id, reason=payload.reason)
    return _detail(user, activity_id)


# --- Signing up and checking in -------------------------------------------------------------------


@router.post(
    "/{int:activity_id}/sign-up",
    response={200: SignUpOut, **ERRORS},
    summary="Sign up (报名)",
    description="A place, or the end of the wait list when it is full (`status`: `signed` or "
    "`waiting`; a freed place moves the first waiting up). Signing up again returns the same "
    "sign-up. 409 `started`, `cancelled`; 404 outside the caller's calendar.",
)
def sign_up(request, activity_id: int):
    user = request.user
    _find(user, activity_id)
    mine = services.sign_up(user=user, activity_id=activity_id)
    return _mine(mine.pk)


@router.delete(
    "/{int:activity_id}/sign-up",
    response={200: SignUpOut, **ERRORS},
    summary="Give my place back",
    description="Before the start (409 `started`); the first on the wait list moves up. 404 "
    "when I have not signed up (or outside my calendar).",
)
def cancel_sign_up(request, activity_id: int):
    user = request.user
    _find(user, activity_id)
    mine = services.cancel_sign_up(user=user, activity_id=activity_id)
    return _mine(mine.pk)


@router.post(
    "/check-in",
    response={200: SignUpOut, **ERRORS},
    summary="Check in at the venue (签到)",
    description="With the `code` the venue's QR code holds, from an hour before the start to "
    "the end (409 `too_early`, `over`, `cancelled`). A walk-in gets a free place (409 "
    "`full`). Checking in twice changes nothing. 422 `code` (not known); 403 for an activity "
    "of somewhere else.",
)
def check_in(request, payload: CodeIn):
    mine = services.check_in(user=request.user, code=payload.code)
    return _mine(mine.pk)


@router.get(
    "/{int:activity_id}/sign-ups",
    response={200: list[SignUpRowOut], **ERRORS},
    summary="Who signed up",
    description="For those who run the activity: places first, then the wait list in order, "
    "with check-ins and confirmations. Names masked outside the caller's personal-data scope. "
    "Capped." + SCOPE_NOTE,
)
@paginate(CappedLimitOffset)
def sign_ups(request, activity_id: int):
    user = request.user
    activity = _run(user, activity_id)
    return Listing(queries.sign_up_list(activity), lambda rows: _rows(user, rows))


@router.post(
    "/{int:activity_id}/check-ins",
    response={200: SignUpRowOut, **ERRORS},
    summary="Check someone in at the desk",
    description="For a participant without a phone, or a walk-in (a free place, else 409 "
    "`full`); within the check-in time (409 `too_early`, `over`). 422 `person`." + SCOPE_NOTE,
)
def desk_check_in(request, activity_id: int, payload: PersonIn):
    user = request.user
    _find(user, activity_id)
    mine = services.check_in_person(user=user, activity_id=activity_id, person_id=payload.person)
    return _rows(user, [SignUp.objects.select_related("user").get(pk=mine.pk)])[0]


@router.post(
    "/{int:activity_id}/confirm",
    response={200: list[SignUpRowOut], **ERRORS},
    summary="Confirm who took part",
    description="Once the activity has started (409 `not_started`): each sign-up named (checked "
    "in) earns its points, and for volunteer service its hours, once however often this is "
    "sent. An organiser's own attendance is confirmed by another organiser or the staff (409 "
    "`own_attendance`). 422 `sign_up_ids` (none, not of this activity, not checked in)."
    + SCOPE_NOTE,
)
def confirm(request, activity_id: int, payload: AttendanceIn):
    user = request.user
    _find(user, activity_id)
    chosen = services.confirm_attendance(
        user=user, activity_id=activity_id, sign_up_ids=payload.sign_up_ids
    )
    fresh = SignUp.objects.select_related("user").filter(pk__in=[s.pk for s in chosen])
    return _rows(user, fresh.order_by("id"))


# --- Photos ---------------------------------------------------------------------------------------


@router.get(
    "/{int:activity_id}/photos",
    response={200: list[ActivityPhotoOut], **ERRORS},
    summary="Photos of an activity",
    description="Oldest first; capped. 404 outside the caller's calendar.",
)
@paginate(CappedLimitOffset)
def photos(request, activity_id: int):
    user = request.user
    activity = _find(user, activity_id)
    return Listing(
        activity.photos.order_by("created_at", "id"), lambda rows: [_photo(user, p) for p in rows]
    )


@router.post(
    "/{int:activity_id}/photos",
    response={201: list[ActivityPhotoOut], **ERRORS},
    summary="Add photos (人人有展示)",
    description="Multipart: up to 9 `photos` files (any common image format: re-encoded, EXIF "
    "location removed) and a `caption`; by those who run it or took part (checked in), once "
    "it has started (409 `not_started`). 422 `photos` (none, or more than 60 in all), "
    "`photos.<n>` (from 0: not an image), `caption`." + SCOPE_NOTE,
)
def add_photos(
    request,
    activity_id: int,
    payload: FormOrJson[PhotosIn],
    photos: File[list[UploadedFile]] = None,
):
    user = request.user
    _find(user, activity_id)
    saved = services.add_photos(
        user=user, activity_id=activity_id, photos=photos or [], caption=payload.caption
    )
    return Status(201, [_photo(user, p) for p in saved])


def _photo_for(user, photo_id: int):
    photo = ActivityPhoto.objects.filter(pk=photo_id).first()
    if photo is None:
        raise Http404
    _find(user, photo.activity_id)
    return photo


@router.get(
    "/photos/{int:photo_id}",
    response={200: None, **ERRORS},
    summary="A photo",
    description="The JPEG, for those who see the activity; 404 otherwise.",
    url_name="activities_photo",
    openapi_extra={
        "responses": {
            # An int, to merge into ninja's own 200 rather than stand beside it as "200".
            200: {
                "description": "The photo",
                "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def photo(request, photo_id: int):
    return private_download(_photo_for(request.user, photo_id).photo)


@router.delete(
    "/photos/{int:photo_id}",
    response={204: None, **ERRORS},
    summary="Delete a photo",
    description="By who uploaded it or those who run the activity; 403 for others who see it, "
    "404 outside the caller's calendar.",
)
def delete_photo(request, photo_id: int):
    user = request.user
    _photo_for(user, photo_id)
    services.delete_photo(user=user, photo_id=photo_id)
    return Status(204, None)
