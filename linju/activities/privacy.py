"""What teams, activities, interest groups and the talent pool hold about a person, for the PIPL
download and account deletion (DESIGN §4: "ledgers keep anonymised rows").

The download lists the person's sign-ups (with check-in, confirmation and points), their
memberships of volunteer teams and interest groups, their team service records, the skills
they offered to the talent pool (楼组达人库), the invitations they received and the photos
they added to activities.

On deletion, what is only about the person goes: their talents (and the invitations sent to
them), their memberships of teams and groups. Their places at activities still to come are
given back as they would give them back (`services_activities.cancel_sign_up`), so the first
on the wait list moves up. What happened stays, as the ledgers do: past attendance and team
service records are what the points and hours entries (keys `activity:<sign-up id>`,
`team-service:<id>`) and the monthly figures (person-times) were counted from, and now point
at the anonymised account. Photos they added belong to the activity's record and stay too."""

from django.utils import timezone
from django.utils.translation import gettext as _

from . import services_activities
from .models import (
    ActivityPhoto,
    GroupMember,
    Invitation,
    ServiceRecord,
    ServiceStatus,
    SignUp,
    SignUpStatus,
    Talent,
    TeamMember,
)


def _when(value):
    return value.isoformat() if value else None


def export(user) -> dict:
    return {
        "records_kept": _(
            "Past attendance and team service are kept when the account is deleted, without "
            "your name: your points and service hours were counted from them."
        ),
        "sign_ups": [
            {
                "activity": s.activity.title,
                "place": s.activity.place.name,
                "starts_at": _when(s.activity.starts_at),
                "status": str(s.get_status_display()),
                "signed_at": _when(s.signed_at),
                "checked_in_at": _when(s.checked_in_at),
                "confirmed_at": _when(s.confirmed_at),
                "points": s.points,
            }
            for s in SignUp.objects.filter(user=user)
            .select_related("activity__place")
            .order_by("activity__starts_at", "id")
        ],
        "teams": [
            {
                "team": m.team.name,
                "role": str(m.get_role_display()),
                "joined_at": _when(m.joined_at),
            }
            for m in TeamMember.objects.filter(user=user).select_related("team").order_by("id")
        ],
        "interest_groups": [
            {
                "group": m.group.name,
                "role": str(m.get_role_display()),
                "joined_at": _when(m.joined_at),
            }
            for m in GroupMember.objects.filter(user=user).select_related("group").order_by("id")
        ],
        "team_service": [
            {
                "team": r.team.name,
                "served_on": r.served_on.isoformat(),
                "minutes": r.minutes,
                "service": r.what,
                "status": str(r.get_status_display()),
                "reason": r.reason,
                "points": r.points,
                "submitted_at": _when(r.submitted_at),
                "decided_at": _when(r.decided_at),
            }
            for r in ServiceRecord.objects.filter(user=user)
            .select_related("team")
            .order_by("served_on", "id")
        ],
        "talents": [
            {
                "skill": str(t.get_skill_display()),
                "note": t.note,
                "visibility": str(t.get_visibility_display()),
                "place": t.place.name,
                "updated_at": _when(t.updated_at),
            }
            for t in Talent.objects.filter(user=user).select_related("place").order_by("skill")
        ],
        "invitations": [
            {
                "skill": str(i.talent.get_skill_display()),
                "activity": i.activity.title if i.activity else None,
                "project": i.project,
                "message": i.message,
                "status": str(i.get_status_display()),
                "sent_at": _when(i.sent_at),
                "answered_at": _when(i.answered_at),
            }
            for i in Invitation.objects.filter(talent__user=user)
            .select_related("talent", "activity")
            .order_by("sent_at", "id")
        ],
        "photos": [
            {
                "activity": p.activity.title,
                "caption": p.caption,
                "added_at": _when(p.created_at),
            }
            for p in ActivityPhoto.objects.filter(uploaded_by=user)
            .select_related("activity")
            .order_by("created_at", "id")
        ],
    }


def erase(user) -> None:
    coming = (
        SignUp.objects.filter(
            user=user,
            status__in=[SignUpStatus.SIGNED, SignUpStatus.WAITING],
            activity__starts_at__gt=timezone.now(),
        )
        .order_by("activity_id")
        .values_list("activity_id", flat=True)
    )
    for activity_id in list(coming):
        services_activities.cancel_sign_up(user=user, activity_id=activity_id)
    # Service not yet confirmed would credit an erased account: it is turned down instead.
    ServiceRecord.objects.filter(user=user, status=ServiceStatus.SUBMITTED).update(
        status=ServiceStatus.REJECTED,
        reason=_("The volunteer's account was erased."),
        decided_at=timezone.now(),
    )
    # Invitations to a talent go with it (the staff's list keeps no name without the person).
    Talent.objects.filter(user=user).delete()
    TeamMember.objects.filter(user=user).delete()
    GroupMember.objects.filter(user=user).delete()
