"""The talent pool (seed 000: 楼组达人库): residents list their skills (repairs, legal advice,
calligraphy, health care…) at the unit they live in and say who may see them; the
handlers of a scope search it and invite a talent to an activity or a project; the talent
accepts or declines. Keyword-only, one transaction each."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.core import audit
from linju.core.cleaning import as_id, clean_text
from linju.core.errors import Conflict, Invalid, NotFound
from linju.core.notifications import notify
from linju.people.models import Residency, ResidencyStatus

from . import queries, rules
from .models import Activity, Invitation, InvitationStatus, Skill, Talent, Visibility


def _home_unit(user):
    residency = (
        Residency.objects.filter(user=user, status=ResidencyStatus.VERIFIED)
        .select_related("household__unit")
        .order_by("id")
        .first()
    )
    if residency is None:
        raise Conflict(
            _("The talent pool lists residents: your home needs to be verified first."),
            code="no_home",
        )
    # Filed at the unit: its head finds it, and so does everyone whose scope holds the unit.
    return residency.household.unit


@transaction.atomic
def set_talent(*, user, skill, note="", visibility=Visibility.STAFF) -> Talent:
    """Offer a skill (or change what one says of it and who may see it)."""
    if skill not in Skill.values:
        raise Invalid({"skill": _("Choose a skill.")})
    if visibility not in Visibility.values:
        raise Invalid({"visibility": _("Choose who may see it.")})
    note = clean_text(note, field="note", max_length=300)
    unit = _home_unit(user)
    talent, created = Talent.objects.select_for_update().get_or_create(
        user=user,
        skill=skill,
        defaults={"place": unit, "note": note, "visibility": visibility},
    )
    if not created:
        talent.note, talent.visibility, talent.updated_at = note, visibility, timezone.now()
        talent.place, talent.path = unit, unit.path
        talent.save()
    audit.record(actor=user, verb="activities.talent", obj=talent, data={"skill": skill})
    return talent


@transaction.atomic
def remove_talent(*, user, skill) -> None:
    if skill not in Skill.values:
        raise NotFound(_("You have not listed this skill."))
    deleted, _rows = Talent.objects.filter(user=user, skill=skill).delete()
    if not deleted:
        raise NotFound(_("You have not listed this skill."))
    audit.record(actor=user, verb="activities.talent_remove", obj=user, data={"skill": skill})


@transaction.atomic
def invite(
    *, user, talent_id, message, activity_id=None, project="", project_id=None
) -> Invitation:
    """Staff of the talent's scope ask them to help with an activity they run, a co-creation
    project of their scope (`project_id`, 共同缔造: 出力), or a project named in words."""
    # Found as the search finds it: visible to this user, of someone still living there.
    talent = queries.talent_search(user).filter(pk=as_id(talent_id)).first()
    if talent is None:
        raise NotFound(_("No such talent."))
    message = clean_text(
        message, field="message", max_length=500, required=_("Say what you are asking.")
    )
    project = clean_text(project, field="project", max_length=120)
    activity = None
    if activity_id not in (None, ""):
        activity = Activity.objects.filter(pk=as_id(activity_id)).first()
        if activity is None or not rules.can_run(user, activity):
            raise Invalid({"activity": _("Choose an activity you organise.")})
    co_project = None
    if project_id not in (None, ""):
        co_project = queries.co_projects(user).filter(pk=as_id(project_id)).first()
        if co_project is None:
            raise Invalid({"project_id": _("Choose a co-creation project of your scope.")})
        project = project or co_project.title[:120]
    if activity is None and not project:
        raise Invalid({"project": _("Choose an activity or name the project.")})
    invitation = Invitation.objects.create(
        talent=talent,
        place_id=talent.place_id,
        path=talent.path,
        activity=activity,
        project=project,
        co_project=co_project,
        message=message,
        sent_by=user,
    )
    notify(
        recipients=[talent.user_id],
        kind="activities.talent",
        title=_("You are invited to help: %(what)s") % {"what": activity or project},
        body=message,
        url="/activities/talents/",
    )
    audit.record(actor=user, verb="activities.invite", obj=invitation)
    return invitation


@transaction.atomic
def answer(*, user, invitation_id, accept: bool) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("talent")
        .filter(pk=as_id(invitation_id), talent__user=user)
        .first()
    )
    if invitation is None:
        raise NotFound(_("No such invitation."))
    if invitation.status != InvitationStatus.SENT:
        raise Conflict(_("You have answered already."), code="answered")
    invitation.status = InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["status", "answered_at"])
    if invitation.sent_by_id:
        notify(
            recipients=[invitation.sent_by_id],
            kind="activities.talent",
            title=(
                _("Your invitation was accepted") if accept else _("Your invitation was declined")
            ),
            body=str(invitation.activity or invitation.project),
            url="/activities/desk/talents/",
        )
    audit.record(actor=user, verb="activities.answer", obj=invitation, data={"accept": accept})
    return invitation
