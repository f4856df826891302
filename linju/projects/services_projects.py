"""Every write on micro-projects (微项目, seed 002): 凡动议必先征求全体居民意见 (a project is
decided with the residents: deliberated, and approved by a passed ballot when it has one),
凡建设居民必众筹出钱出力 (its budget by source, residents' labour in hours), 凡结果必由群众评价收官
(residents of its scope evaluate it once it is completed), 定期发布共同缔造项目进展情况 (public
progress updates).

Managers (`projects.manage`) create and run projects in their scope; a stage is never skipped
and every change is kept (StageChange, audit `projects.stage`). Locks are taken project first,
then its needs by id, then the resource. Keyword-only, one transaction each."""

import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.core import audit
from linju.core.cleaning import as_id, clean_text
from linju.core.errors import Conflict, Invalid, NotFound
from linju.core.notifications import notify
from linju.core.uploads import clean_photos
from linju.deliberation.models import Ballot, BallotStatus, Topic
from linju.people.models import User
from linju.places.models import Place
from linju.ratings import evaluations

from . import rules
from .models import (
    STAGE_ORDER,
    BudgetLine,
    BudgetSource,
    Milestone,
    Need,
    NeedStatus,
    Partner,
    ProgressUpdate,
    Project,
    ProjectRating,
    ProjectStage,
    ProjectTask,
    Resource,
    ResourceStatus,
    ResourceUse,
    StageChange,
    TaskStatus,
    UpdatePhoto,
)
from .money import MAX_FEN

SCOPE_KINDS = ("community", "estate", "building", "unit")
# Stages in which the project is still being shaped: its budget may change until the residents
# are asked for money (funding), so what they fund is what was approved.
BUDGET_OPEN = (ProjectStage.PROPOSED, ProjectStage.DELIBERATED, ProjectStage.APPROVED)
# Stages in which work is planned and done.
WORKING = (
    ProjectStage.PROPOSED,
    ProjectStage.DELIBERATED,
    ProjectStage.APPROVED,
    ProjectStage.FUNDING,
    ProjectStage.IN_PROGRESS,
)
ENDED = (ProjectStage.COMPLETED, ProjectStage.EVALUATED, ProjectStage.CANCELLED)
MAX_HOURS = 1_000_000
MAX_NEEDS = 50
MAX_PARTNERS = 20
MAX_QUANTITY = 1_000_000


# --- Finding and checking -------------------------------------------------------------------


def _scope_place(place_id) -> Place:
    place = Place.objects.filter(pk=as_id(place_id), kind__in=SCOPE_KINDS).first()
    if place is None:
        raise Invalid({"place": _("Choose a community, an estate, a building or a unit.")})
    return place


def _locked(project_id) -> Project:
    project = Project.objects.select_for_update().filter(pk=as_id(project_id)).first()
    if project is None:
        raise NotFound(_("No such project."))
    return project


def _manage(user, project) -> None:
    rules.require(rules.can_manage(user, project))


def _inside(obj_path: str, project_path: str) -> bool:
    return obj_path.startswith(project_path)


def _related(a: str, b: str) -> bool:
    """One scope holds the other: a community partner's resource serves an estate's project."""
    return a.startswith(b) or b.startswith(a)


def _ids(values, *, field: str, most: int) -> list[int]:
    if values in (None, ""):
        return []
    if isinstance(values, str | int):
        values = [values]
    try:
        values = list(values)
    except TypeError:
        raise Invalid({field: _("Give a list.")}) from None
    if len(values) > most:
        raise Invalid({field: _("At most %(n)s.") % {"n": most}})
    ids = []
    for i, v in enumerate(values):
        pk = as_id(v)
        if pk is None:
            raise Invalid({f"{field}.{i}": _("Not a valid choice.")})
        ids.append(pk)
    return list(dict.fromkeys(ids))


def _person(person_id, field: str):
    if person_id in (None, ""):
        return None
    person = User.objects.filter(pk=as_id(person_id), is_active=True).first()
    if person is None:
        raise Invalid({field: _("Choose a person.")})
    return person


def _topic(topic_id, path: str):
    if topic_id in (None, ""):
        return None
    topic = Topic.objects.filter(pk=as_id(topic_id)).first()
    # A building's project may be decided on the building's topic or at the community's 议事会.
    if topic is None or not _related(topic.path, path):
        raise Invalid({"topic": _("Choose a topic of the project's scope.")})
    return topic


def _ballot(ballot_id, path: str):
    if ballot_id in (None, ""):
        return None
    ballot = Ballot.objects.filter(pk=as_id(ballot_id)).first()
    if ballot is None or not _inside(ballot.path, path):
        raise Invalid({"ballot": _("Choose a ballot of the project's scope.")})
    return ballot


def _partners(partner_ids, path: str) -> list[Partner]:
    ids = _ids(partner_ids, field="partners", most=MAX_PARTNERS)
    found = {p.pk: p for p in Partner.objects.filter(pk__in=ids, active=True)}
    for i, pk in enumerate(ids):
        if pk not in found or not _related(found[pk].path, path):
            raise Invalid({f"partners.{i}": _("Choose an active partner of the project's scope.")})
    return [found[pk] for pk in ids]


def _text_fields(*, title, summary, description) -> dict:
    return {
        "title": clean_text(title, field="title", max_length=120, required=_("Give a title.")),
        "summary": clean_text(
            summary, field="summary", max_length=300, required=_("Say in a line what it is.")
        ),
        "description": clean_text(description, field="description", max_length=8000),
    }


def _is_live(stage) -> bool:
    return stage != ProjectStage.CANCELLED


def _refresh_needs(needs) -> None:
    for need in needs:
        need.settle()


def _locked_needs(ids) -> list[Need]:
    return list(Need.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


def _check_needs(ids, path: str) -> list[Need]:
    needs = {n.pk: n for n in _locked_needs(ids)}
    for i, pk in enumerate(ids):
        need = needs.get(pk)
        if need is None or not _inside(need.path, path):
            raise Invalid({f"needs.{i}": _("Choose a need of the project's scope.")})
        if need.status == NeedStatus.CLOSED:
            raise Invalid({f"needs.{i}": _("This need was closed.")})
    return [needs[pk] for pk in ids]


def _notify_lead(project, title) -> None:
    if project.lead_id is None:
        return
    notify(
        recipients=[project.lead_id],
        kind="projects.project",
        title=title,
        url=reverse("projects:desk_project", args=[project.pk]),
    )


# --- Projects --------------------------------------------------------------------------------


@transaction.atomic
def create_project(
    *,
    user,
    place_id,
    title,
    summary,
    description="",
    need_ids=(),
    topic_id=None,
    lead_id=None,
    partner_ids=(),
) -> Project:
    """微项目 created from the needs it answers (需求清单) or from a deliberation topic (议题), of
    its scope; its needs become answered."""
    place = _scope_place(place_id)
    rules.require(rules.can_manage(user, place))
    fields = _text_fields(title=title, summary=summary, description=description)
    ids = _ids(need_ids, field="needs", most=MAX_NEEDS)
    topic = _topic(topic_id, place.path)
    if not ids and topic is None:
        raise Invalid({"needs": _("Start from a need or from a topic.")})
    lead = _person(lead_id, "lead")
    partners = _partners(partner_ids, place.path)
    needs = _check_needs(ids, place.path)
    project = Project.objects.create(place=place, topic=topic, lead=lead, created_by=user, **fields)
    project.needs.set(needs)
    project.partners.set(partners)
    StageChange.objects.create(project=project, to_stage=ProjectStage.PROPOSED, by=user)
    _refresh_needs(needs)
    audit.record(
        actor=user,
        verb="projects.project_create",
        obj=project,
        data={**fields, "needs": ids, "topic": getattr(topic, "pk", None)},
    )
    if lead is not None and lead.pk != user.pk:
        _notify_lead(project, _("You lead the project “%(t)s”.") % {"t": project.title})
    return project


@transaction.atomic
def update_project(
    *,
    user,
    project_id,
    title,
    summary,
    description="",
    lead_id=None,
    partner_ids=(),
    topic_id=None,
    ballot_id=None,
) -> Project:
    """Its words, lead and partners; the deliberation that decides it (topic, ballot) may change
    only until it is decided: the topic while proposed, the ballot until approved."""
    project = _locked(project_id)
    _manage(user, project)
    if project.stage in ENDED:
        raise Conflict(_("This project has ended."), code="project_ended")
    fields = _text_fields(title=title, summary=summary, description=description)
    lead = _person(lead_id, "lead")
    partners = _partners(partner_ids, project.path)
    topic = _topic(topic_id, project.path)
    ballot = _ballot(ballot_id, project.path)
    if getattr(topic, "pk", None) != project.topic_id and project.stage != ProjectStage.PROPOSED:
        raise Invalid({"topic": _("The topic is fixed once the project was deliberated.")})
    decided = project.stage not in (ProjectStage.PROPOSED, ProjectStage.DELIBERATED)
    if getattr(ballot, "pk", None) != project.ballot_id and decided:
        raise Invalid({"ballot": _("The ballot is fixed once the project was approved.")})
    if topic is None and project.stage != ProjectStage.PROPOSED:
        raise Invalid({"topic": _("The topic is fixed once the project was deliberated.")})
    old_lead = project.lead_id
    for k, v in fields.items():
        setattr(project, k, v)
    project.lead, project.topic, project.ballot = lead, topic, ballot
    project.save()
    project.partners.set(partners)
    audit.record(
        actor=user,
        verb="projects.project_update",
        obj=project,
        data={
            **fields,
            "lead": getattr(lead, "pk", None),
            "topic": getattr(topic, "pk", None),
            "ballot": getattr(ballot, "pk", None),
            "partners": [p.pk for p in partners],
        },
    )
    if lead is not None and lead.pk != old_lead and lead.pk != user.pk:
        _notify_lead(project, _("You lead the project “%(t)s”.") % {"t": project.title})
    return project


@transaction.atomic
def link_need(*, user, project_id, need_id) -> Project:
    """The project answers one more need of its scope, which becomes answered."""
    project = _locked(project_id)
    _manage(user, project)
    if project.stage in ENDED:
        raise Conflict(_("This project has ended."), code="project_ended")
    need_pk = as_id(need_id)
    if need_pk is None:
        raise Invalid({"need": _("Choose a need of the project's scope.")})
    try:
        (need,) = _check_needs([need_pk], project.path)
    except Invalid:
        raise Invalid({"need": _("Choose an open need of the project's scope.")}) from None
    project.needs.add(need)
    _refresh_needs([need])
    audit.record(actor=user, verb="projects.need_link", obj=project, data={"need": need.pk})
    return project


@transaction.atomic
def unlink_need(*, user, project_id, need_id) -> Project:
    """The project no longer answers the need; it is open again if no live project does."""
    project = _locked(project_id)
    _manage(user, project)
    if project.stage in ENDED:
        raise Conflict(_("This project has ended."), code="project_ended")
    needs = _locked_needs([as_id(need_id) or 0])
    if not needs or not project.needs.filter(pk=needs[0].pk).exists():
        raise NotFound(_("The project does not answer this need."))
    if project.topic_id is None and project.needs.count() == 1:
        raise Conflict(
            _("A project answers a need or a topic: link another first."), code="last_need"
        )
    project.needs.remove(needs[0])
    _refresh_needs(needs)
    audit.record(actor=user, verb="projects.need_unlink", obj=project, data={"need": needs[0].pk})
    return project


def _quantity(value, field="quantity") -> int:
    n = _whole(value, field)
    if not 1 <= n <= MAX_QUANTITY:
        raise Invalid({field: _("Give a whole number from 1.")})
    return n


@transaction.atomic
def use_resource(*, user, project_id, resource_id, quantity=1, note="") -> ResourceUse:
    """A resource of the list (资源清单) put to the project: how much of it, never more than is
    offered. Using it again changes the quantity."""
    project = _locked(project_id)
    _manage(user, project)
    if project.stage not in WORKING:
        raise Conflict(_("This project has ended."), code="project_ended")
    quantity = _quantity(quantity)
    note = clean_text(note, field="note", max_length=200)
    resource = Resource.objects.select_for_update().filter(pk=as_id(resource_id)).first()
    if resource is None or not _related(resource.path, project.path):
        raise Invalid({"resource": _("Choose a resource of the project's scope.")})
    if resource.status != ResourceStatus.AVAILABLE:
        raise Invalid({"resource": _("This resource was withdrawn.")})
    if quantity > resource.quantity:
        raise Invalid(
            {"quantity": _("At most %(n)s are offered.") % {"n": f"{resource.quantity:,}"}}
        )
    use, _created = ResourceUse.objects.update_or_create(
        project=project, resource=resource, defaults={"quantity": quantity, "note": note}
    )
    audit.record(
        actor=user,
        verb="projects.resource_use",
        obj=project,
        data={"resource": resource.pk, "quantity": quantity},
    )
    return use


@transaction.atomic
def release_resource(*, user, project_id, resource_id) -> None:
    project = _locked(project_id)
    _manage(user, project)
    deleted, _rows = ResourceUse.objects.filter(
        project=project, resource_id=as_id(resource_id) or 0
    ).delete()
    if not deleted:
        raise NotFound(_("The project does not use this resource."))
    audit.record(
        actor=user,
        verb="projects.resource_release",
        obj=project,
        data={"resource": as_id(resource_id)},
    )


# --- Stages -----------------------------------------------------------------------------------


def next_stage(stage):
    """The one stage that may follow `stage` on the road, or None at its end."""
    if stage not in STAGE_ORDER:
        return None
    i = STAGE_ORDER.index(stage)
    return STAGE_ORDER[i + 1] if i + 1 < len(STAGE_ORDER) else None


def _ballot_decided(ballot) -> bool:
    return ballot.status in (BallotStatus.CLOSED, BallotStatus.PUBLISHED)


def _check_step(project, to) -> None:
    """What a real procedure asks before each step (seed 002: 凡动议必先征求全体居民意见)."""
    if to == ProjectStage.DELIBERATED:
        if project.topic_id is None:
            raise Conflict(
                _("Link the topic the residents deliberated first."), code="topic_missing"
            )
        if project.ballot_id is not None and not _ballot_decided(project.ballot):
            raise Conflict(_("The linked ballot has not closed yet."), code="ballot_open")
    elif to == ProjectStage.APPROVED:
        if project.ballot_id is not None and not (
            _ballot_decided(project.ballot) and project.ballot.passed
        ):
            raise Conflict(_("The linked ballot did not pass."), code="ballot_not_passed")
    elif to == ProjectStage.FUNDING:
        if not project.budget_lines.exists():
            raise Conflict(_("Give the budget first: at least one line."), code="budget_missing")
    elif to == ProjectStage.COMPLETED and project.tasks.filter(status=TaskStatus.OPEN).exists():
        raise Conflict(_("Every task must be done first."), code="tasks_open")


@transaction.atomic
def advance(*, user, project_id, to_stage, note="") -> Project:
    """One step along the road (proposed → deliberated → approved → funding → in progress →
    completed → evaluated), none skipped; `evaluated` closes the residents' evaluation."""
    project = _locked(project_id)
    _manage(user, project)
    note = clean_text(note, field="note", max_length=300)
    if to_stage not in ProjectStage.values:
        raise Invalid({"stage": _("Choose a stage.")})
    expected = next_stage(project.stage)
    if to_stage != expected:
        if expected is None:
            message = _("This project's road has ended.")
        else:
            message = _("The next stage is “%(next)s”: no stage is skipped.") % {
                "next": ProjectStage(expected).label
            }
        raise Conflict(message, code="stage_order")
    _check_step(project, to_stage)
    return _move(user, project, to_stage, note)


def _move(user, project, to_stage, note) -> Project:
    now = timezone.now()
    old = project.stage
    project.stage, project.stage_changed_at = to_stage, now
    fields = ["stage", "stage_changed_at"]
    if to_stage == ProjectStage.CANCELLED:
        project.cancel_reason = note
        fields.append("cancel_reason")
    project.save(update_fields=fields)
    StageChange.objects.create(
        project=project, from_stage=old, to_stage=to_stage, note=note, by=user, at=now
    )
    audit.record(
        actor=user,
        verb="projects.stage",
        obj=project,
        data={"from": old, "to": to_stage, "note": note},
    )
    if project.lead_id is not None and project.lead_id != getattr(user, "pk", None):
        _notify_lead(
            project,
            _("“%(t)s” is now: %(stage)s")
            % {"t": project.title, "stage": project.get_stage_display()},
        )
    return project


@transaction.atomic
def cancel(*, user, project_id, reason) -> Project:
    """Stopped before completion, with the reason residents are told; its needs are open again
    unless another live project answers them."""
    project = _locked(project_id)
    _manage(user, project)
    reason = clean_text(reason, field="reason", max_length=300, required=_("Give the reason."))
    if project.stage in ENDED:
        raise Conflict(_("Only a project not yet completed may be cancelled."), code="stage_order")
    needs = _locked_needs(list(project.needs.values_list("pk", flat=True)))
    _move(user, project, ProjectStage.CANCELLED, reason)
    _refresh_needs(needs)
    return project


# --- Budget, milestones, tasks --------------------------------------------------------------


def _whole(value, field) -> int:
    """A whole number from a JSON integer or a string of digits; never a float or a bool."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise Invalid({field: _("Give a whole number.")})
    if isinstance(value, str):
        value = value.strip()
        if not value.isascii() or not value.isdigit() or len(value) > 15:
            raise Invalid({field: _("Give a whole number.")})
        value = int(value)
    return value


def _one_partner(partner_id, path):
    if as_id(partner_id) is None:
        raise Invalid({"partner": _("Choose an active partner of the project's scope.")})
    try:
        return _partners([partner_id], path)[0]
    except Invalid:
        raise Invalid({"partner": _("Choose an active partner of the project's scope.")}) from None


@transaction.atomic
def add_budget_line(
    *, user, project_id, source, amount_fen=0, hours=0, partner_id=None, note=""
) -> BudgetLine:
    """A line of the budget by source (出钱出力): money in fen, or residents' labour in hours; a
    partner's line names the partner. The budget is fixed once funding starts."""
    project = _locked(project_id)
    _manage(user, project)
    if source not in BudgetSource.values:
        raise Invalid({"source": _("Choose where it comes from.")})
    note = clean_text(note, field="note", max_length=200)
    if source == BudgetSource.LABOUR:
        hours = _whole(hours, "hours")
        if not 1 <= hours <= MAX_HOURS:
            raise Invalid({"hours": _("Give the hours of labour, from 1.")})
        if _whole(amount_fen or 0, "amount_fen") != 0:
            raise Invalid({"amount_fen": _("Labour is counted in hours, not money.")})
        amount = 0
    else:
        amount = _whole(amount_fen, "amount_fen")
        if not 1 <= amount <= MAX_FEN:
            raise Invalid({"amount_fen": _("Give an amount above zero.")})
        if _whole(hours or 0, "hours") != 0:
            raise Invalid({"hours": _("Only residents' labour is counted in hours.")})
        hours = 0
    partner = None
    if source == BudgetSource.PARTNER:
        if partner_id in (None, ""):
            raise Invalid({"partner": _("Name the partner.")})
        partner = _one_partner(partner_id, project.path)
    elif partner_id not in (None, ""):
        raise Invalid({"partner": _("Only a partner's line names a partner.")})
    if project.stage not in BUDGET_OPEN:
        raise Conflict(_("The budget is fixed once funding has started."), code="budget_fixed")
    line = BudgetLine.objects.create(
        project=project, source=source, amount_fen=amount, hours=hours, partner=partner, note=note
    )
    audit.record(
        actor=user,
        verb="projects.budget_add",
        obj=project,
        data={
            "source": source,
            "amount_fen": amount,
            "hours": hours,
            "partner": getattr(partner, "pk", None),
        },
    )
    return line


@transaction.atomic
def remove_budget_line(*, user, line_id) -> None:
    line = BudgetLine.objects.filter(pk=as_id(line_id)).first()
    if line is None:
        raise NotFound(_("No such budget line."))
    project = _locked(line.project_id)
    _manage(user, project)
    if project.stage not in BUDGET_OPEN:
        raise Conflict(_("The budget is fixed once funding has started."), code="budget_fixed")
    line.delete()
    audit.record(
        actor=user,
        verb="projects.budget_remove",
        obj=project,
        data={"source": line.source, "amount_fen": line.amount_fen, "hours": line.hours},
    )


def _date(value, field, *, required=True):
    if value in (None, ""):
        if required:
            raise Invalid({field: _("Give a date.")})
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, datetime.date):
        raise Invalid({field: _("Give a date.")})
    return value


def _working(project) -> None:
    if project.stage not in WORKING:
        raise Conflict(_("This project has ended."), code="project_ended")


@transaction.atomic
def add_milestone(*, user, project_id, title, due_on) -> Milestone:
    project = _locked(project_id)
    _manage(user, project)
    title = clean_text(title, field="title", max_length=120, required=_("Give a title."))
    due_on = _date(due_on, "due_on")
    _working(project)
    position = project.milestones.count()
    milestone = Milestone.objects.create(
        project=project, title=title, due_on=due_on, position=position
    )
    audit.record(
        actor=user,
        verb="projects.milestone_add",
        obj=project,
        data={"title": title, "due_on": due_on.isoformat()},
    )
    return milestone


@transaction.atomic
def set_milestone_done(*, user, milestone_id, done=True) -> Milestone:
    """A milestone reached (today), or not after all."""
    milestone = Milestone.objects.filter(pk=as_id(milestone_id)).first()
    if milestone is None:
        raise NotFound(_("No such milestone."))
    project = _locked(milestone.project_id)
    _manage(user, project)
    _working(project)
    milestone.done_on = timezone.localdate() if done else None
    milestone.save(update_fields=["done_on"])
    audit.record(
        actor=user,
        verb="projects.milestone_done",
        obj=project,
        data={"milestone": milestone.pk, "done": bool(done)},
    )
    return milestone


@transaction.atomic
def add_task(
    *, user, project_id, title, owner_id=None, partner_id=None, due_on=None, milestone_id=None
) -> ProjectTask:
    """A piece of work with its owner: a person, or a partner organisation (共建单位认领任务)."""
    project = _locked(project_id)
    _manage(user, project)
    title = clean_text(title, field="title", max_length=200, required=_("Give a title."))
    owner = _person(owner_id, "owner")
    partner = None
    if partner_id not in (None, ""):
        partner = _one_partner(partner_id, project.path)
    if owner is None and partner is None:
        raise Invalid({"owner": _("Name who does it: a person or a partner.")})
    due_on = _date(due_on, "due_on", required=False)
    milestone = None
    if milestone_id not in (None, ""):
        milestone = project.milestones.filter(pk=as_id(milestone_id)).first()
        if milestone is None:
            raise Invalid({"milestone": _("Choose a milestone of this project.")})
    _working(project)
    task = ProjectTask.objects.create(
        project=project,
        title=title,
        owner=owner,
        partner=partner,
        due_on=due_on,
        milestone=milestone,
    )
    audit.record(
        actor=user,
        verb="projects.task_add",
        obj=project,
        data={
            "task": task.pk,
            "owner": getattr(owner, "pk", None),
            "partner": getattr(partner, "pk", None),
        },
    )
    if owner is not None and owner.pk != user.pk:
        notify(
            recipients=[owner],
            kind="projects.project",
            title=_("A task for you in “%(t)s”: %(task)s") % {"t": project.title, "task": title},
            url=reverse("projects:project", args=[project.pk]),
        )
    return task


def may_complete_task(user, task) -> bool:
    """Its owner, one of its partner's people (rules.acts_for) or a manager of the project."""
    if not getattr(user, "is_authenticated", False):
        return False
    if task.owner_id is not None and task.owner_id == user.pk:
        return True
    if task.partner_id is not None and rules.acts_for(user, task.partner):
        return True
    return rules.can_manage(user, task.project)


@transaction.atomic
def complete_task(*, user, task_id) -> ProjectTask:
    found = ProjectTask.objects.filter(pk=as_id(task_id)).first()
    if found is None:
        raise NotFound(_("No such task."))
    project = _locked(found.project_id)
    task = ProjectTask.objects.select_related("partner").get(pk=found.pk)
    task.project = project
    rules.require(may_complete_task(user, task))
    _working(project)
    if task.status == TaskStatus.DONE:
        raise Conflict(_("This task is done already."), code="task_done")
    task.status, task.done_at, task.done_by = TaskStatus.DONE, timezone.now(), user
    task.save(update_fields=["status", "done_at", "done_by"])
    audit.record(actor=user, verb="projects.task_done", obj=project, data={"task": task.pk})
    return task


# --- Progress updates -------------------------------------------------------------------------

MAX_UPDATE_PHOTOS = 9


@transaction.atomic
def post_update(*, user, project_id, text, photos=()) -> ProgressUpdate:
    """进展: a public note with photos (定期发布共同缔造项目进展情况), by a manager or the project's
    lead; photos are re-encoded without their metadata (core.uploads)."""
    project = _locked(project_id)
    rules.require(
        rules.can_manage(user, project) or (project.lead_id and project.lead_id == user.pk)
    )
    text = clean_text(text, field="text", max_length=4000, required=_("Say what happened."))
    files = clean_photos(photos)
    if len(files) > MAX_UPDATE_PHOTOS:
        raise Invalid({"photos": _("At most %(n)d photos.") % {"n": MAX_UPDATE_PHOTOS}})
    if project.stage == ProjectStage.CANCELLED:
        raise Conflict(_("This project was cancelled."), code="project_ended")
    update = ProgressUpdate.objects.create(project=project, text=text, created_by=user)
    from PIL import Image

    for f in files:
        with Image.open(f) as img:
            width, height = img.size
        f.seek(0)
        photo = UpdatePhoto(update=update, width=width, height=height)
        photo.image.save(f.name, f, save=True)
    audit.record(
        actor=user,
        verb="projects.update_post",
        obj=project,
        data={"update": update.pk, "photos": len(files)},
    )
    return update


# --- Residents' evaluation ------------------------------------------------------------------


def subject_of(project) -> str:
    """How the ratings engine names a project's evaluation."""
    return f"project:{project.pk}"


@transaction.atomic
def evaluate(*, user, project_id, stars, comment="", scores=None) -> ProjectRating:
    """群众评价收官: a resident living in the project's scope gives 1–5 stars, a comment and, if
    given, marks for every item of the scope's evaluation rubric (ratings.evaluations); once,
    changeable until the evaluation closes (stage `evaluated`)."""
    comment = clean_text(comment, field="comment", max_length=500)
    stars_n = as_id(stars)
    if stars_n is None or not 1 <= stars_n <= 5:
        raise Invalid({"stars": _("Choose 1 to 5 stars.")})
    project = _locked(project_id)
    rules.require(rules.lives_in(user, project), _("Residents of the project's area evaluate it."))
    if project.stage != ProjectStage.COMPLETED:
        raise Conflict(_("The evaluation is not open."), code="evaluation_closed")
    if scores is not None and not isinstance(scores, dict):
        raise Invalid({"scores": _("Rate every item.")})
    rating = ProjectRating.objects.filter(project=project, user=user).first()
    now = timezone.now()
    if rating is None:
        try:
            with transaction.atomic():
                rating = ProjectRating.objects.create(
                    project=project, user=user, stars=stars_n, comment=comment, created_at=now
                )
        except IntegrityError:
            # The project's lock serialises raters; only a broken lock lands here.
            raise Conflict(_("You evaluated this project already."), code="already_rated") from None
        project.rating_count += 1
        project.rating_sum += stars_n
    else:
        project.rating_sum += stars_n - rating.stars
        rating.stars, rating.comment, rating.created_at = stars_n, comment, now
        rating.save(update_fields=["stars", "comment", "created_at"])
    project.save(update_fields=["rating_count", "rating_sum"])
    if scores:
        evaluations.record(user=user, subject=subject_of(project), path=project.path, scores=scores)
    audit.record(
        actor=user, verb="projects.evaluate", obj=project, data={"stars": stars_n, "by": user.pk}
    )
    return rating
