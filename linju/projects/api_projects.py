"""/api/v1/projects/projects and /api/v1/projects/retrofits: micro-projects (微项目) from need to
residents' evaluation, and elevator retrofits per unit (加装电梯) with their figures per
community. Projects are public to anyone logged in (凡结果必公开); managers of the scope
(`projects.manage`) run them. Retrofits are read by staff of the scope (`projects.view`). Every
write goes through services_projects or services_retrofits; every read through
queries_projects."""

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from linju.core import access
from linju.core.api_support import ERRORS, CappedLimitOffset, FormOrJson, Listing
from linju.core.cleaning import as_id
from linju.core.errors import Invalid
from linju.people.queries import person_labels
from linju.places.models import Place
from linju.ratings import evaluations

from . import queries_projects as queries
from . import rules
from . import services_projects as services
from . import services_retrofits as retrofits
from .models import ProjectRating, ProjectStage, RetrofitStage
from .schemas_projects import (
    BudgetLineIn,
    BudgetLineOut,
    BudgetOut,
    DoneIn,
    EvaluationIn,
    MilestoneIn,
    MilestoneOut,
    NeedLinkIn,
    ProjectDetailOut,
    ProjectEvaluationOut,
    ProjectIn,
    ProjectOut,
    ProjectReasonIn,
    ProjectTaskIn,
    ProjectTaskOut,
    ProjectUpdateIn,
    ResourceUseIn,
    RetrofitDetailOut,
    RetrofitFiguresOut,
    RetrofitIn,
    RetrofitOut,
    RetrofitStageIn,
    RetrofitUpdateIn,
    StageIn,
    UpdateIn,
    UpdateOut,
)

router = Router(tags=["projects: micro-projects and elevator retrofits"])

NOTE = " 404 for no such project; 403 for those who may not do this (managers of its scope)."
RETROFIT_NOTE = (
    " 404 for a retrofit outside the caller's `projects.view` scope; 403 for those who see it "
    "but may not manage it."
)


# --- Shapes ----------------------------------------------------------------------------------


def _ref(obj, attr="name"):
    return {"id": obj.pk, "name": getattr(obj, attr)} if obj is not None else None


def _title_ref(obj):
    return {"id": obj.pk, "title": obj.title} if obj is not None else None


def _project(p) -> dict:
    return {
        "id": p.pk,
        "title": p.title,
        "summary": p.summary,
        "stage": p.stage,
        "stage_label": str(p.get_stage_display()),
        "place": _ref(p.place),
        "created_at": p.created_at,
        "stage_changed_at": p.stage_changed_at,
        "rating_count": p.rating_count,
        "rating_average": p.rating_average,
    }


def _line(line) -> dict:
    return {
        "id": line.pk,
        "source": line.source,
        "source_label": str(line.get_source_display()),
        "amount_fen": line.amount_fen,
        "hours": line.hours,
        "partner": _ref(line.partner),
        "note": line.note,
    }


def _budget(lines) -> dict:
    lines = list(lines)
    return {"lines": [_line(x) for x in lines], **queries.budget_totals(lines)}


def _milestone(m) -> dict:
    return {"id": m.pk, "title": m.title, "due_on": m.due_on, "done_on": m.done_on}


def _lead(viewer, lead):
    if lead is None:
        return None
    name, _mobile = person_labels(viewer, [lead])[lead.pk]
    return {"id": lead.pk, "name": name}


def _find(project_id):
    found = queries.project(as_id(project_id) or 0)
    if found is None:
        raise Http404
    return found


def _detail(user, project_id) -> dict:
    p = _find(project_id)
    campaign = queries.campaign_of(p)
    nxt = services.next_stage(p.stage)
    return {
        **_project(p),
        "description": p.description,
        "cancel_reason": p.cancel_reason,
        "next_stage": nxt,
        "topic": _title_ref(p.topic),
        "ballot": _title_ref(p.ballot),
        "lead": _lead(user, p.lead),
        "needs": [_title_ref(n) for n in p.needs.all()],
        "partners": [_ref(x) for x in p.partners.all()],
        "resources": [
            {"resource": _title_ref(u.resource), "quantity": u.quantity, "note": u.note}
            for u in p.resource_uses.all()
        ],
        "stages": [
            {"from_stage": c.from_stage, "to_stage": c.to_stage, "note": c.note, "at": c.at}
            for c in p.stage_changes.all()
        ],
        "budget": _budget(p.budget_lines.all()),
        "milestones": [_milestone(m) for m in p.milestones.all()],
        "campaign": campaign.pk if campaign is not None else None,
        "may_manage": rules.can_manage(user, p),
        "may_evaluate": p.stage == ProjectStage.COMPLETED and rules.lives_in(user, p),
    }


def _update(u) -> dict:
    return {
        "id": u.pk,
        "text": u.text,
        "created_at": u.created_at,
        "photos": [
            {
                "id": ph.pk,
                "url": reverse("projects:photo", args=[ph.pk]),
                "width": ph.width,
                "height": ph.height,
            }
            for ph in u.photos.all()
        ],
    }


def _tasks(viewer, rows) -> list[dict]:
    rows = list(rows)
    names = person_labels(viewer, [t.owner for t in rows if t.owner is not None])
    return [
        {
            "id": t.pk,
            "title": t.title,
            "owner": {"id": t.owner_id, "name": names[t.owner_id][0]} if t.owner_id else None,
            "partner": _ref(t.partner),
            "due_on": t.due_on,
            "milestone": t.milestone_id,
            "status": t.status,
            "done_at": t.done_at,
        }
        for t in rows
    ]


# --- Projects --------------------------------------------------------------------------------


class ProjectFilter(Schema):
    place: int | None = None
    all: bool = False
    stage: str | None = None


@router.get(
    "/projects",
    response={200: list[ProjectOut], **ERRORS},
    summary="Micro-projects (public)",
    description="Projects newest first, of the community the caller lives or works in unless "
    "`place` names a place (any community: public by design, 凡结果必公开) or `all` is true; "
    "`stage` keeps those at one stage. Capped. 422 `place`, `stage`.",
)
@paginate(CappedLimitOffset)
def projects(request, filters: Query[ProjectFilter]):
    place = None if filters.all else queries.home_community(request.user)
    if filters.place is not None:
        place = Place.objects.filter(pk=as_id(filters.place)).first()
        if place is None:
            raise Invalid({"place": _("No such place.")})
    if filters.stage and filters.stage not in ProjectStage.values:
        raise Invalid({"stage": _("Choose a stage.")})
    qs = queries.public_projects(place=place, stage=filters.stage or None)
    return Listing(qs, lambda rows: [_project(p) for p in rows])


@router.post(
    "/projects",
    response={201: ProjectDetailOut, **ERRORS},
    summary="Create a micro-project",
    description="In `place` (a community, estate, building or unit), by its managers, from "
    "`needs` of that scope and/or a deliberation `topic` of that scope (one at least). 422 "
    "`place`, `title`, `summary`, `description`, `needs` / `needs.<n>`, `topic`, `lead`, "
    "`partners.<n>`; 403 for others.",
)
def create_project(request, payload: ProjectIn):
    user = request.user
    created = services.create_project(
        user=user,
        place_id=payload.place,
        title=payload.title,
        summary=payload.summary,
        description=payload.description,
        need_ids=payload.needs,
        topic_id=payload.topic,
        lead_id=payload.lead,
        partner_ids=payload.partners,
    )
    return Status(201, _detail(user, created.pk))


@router.get(
    "/projects/{int:project_id}",
    response={200: ProjectDetailOut, **ERRORS},
    summary="One micro-project (public)",
    description="Its road with dates, needs, resources, budget by source, milestones, the "
    "campaign's id if crowdfunding started, `may_manage` and `may_evaluate`. 404 for none.",
)
def project(request, project_id: int):
    return _detail(request.user, project_id)


@router.put(
    "/projects/{int:project_id}",
    response={200: ProjectDetailOut, **ERRORS},
    summary="Change a micro-project",
    description="Words, lead, partners; the `topic` until it is deliberated, the `ballot` "
    "until it is approved. 409 `project_ended`; 422 per field." + NOTE,
)
def update_project(request, project_id: int, payload: ProjectUpdateIn):
    user = request.user
    _find(project_id)
    services.update_project(
        user=user,
        project_id=project_id,
        title=payload.title,
        summary=payload.summary,
        description=payload.description,
        lead_id=payload.lead,
        partner_ids=payload.partners,
        topic_id=payload.topic,
        ballot_id=payload.ballot,
    )
    return _detail(user, project_id)


@router.post(
    "/projects/{int:project_id}/stage",
    response={200: ProjectDetailOut, **ERRORS},
    summary="Move a project one stage on",
    description="`stage` must be the next one (409 `stage_order`: none is skipped). To "
    "`deliberated` a topic is linked (409 `topic_missing`) and a linked ballot has closed (409 "
    "`ballot_open`); to `approved` a linked ballot has passed (409 `ballot_not_passed`); to "
    "`funding` the budget has a line (409 `budget_missing`); to `completed` every task is done "
    "(409 `tasks_open`); `evaluated` closes the residents' evaluation. 422 `stage`, `note`." + NOTE,
)
def advance(request, project_id: int, payload: StageIn):
    user = request.user
    _find(project_id)
    services.advance(user=user, project_id=project_id, to_stage=payload.stage, note=payload.note)
    return _detail(user, project_id)


@router.post(
    "/projects/{int:project_id}/cancel",
    response={200: ProjectDetailOut, **ERRORS},
    summary="Cancel a project",
    description="Before completion, with the `reason` (422); its needs are open again unless "
    "another live project answers them. 409 `stage_order` once completed." + NOTE,
)
def cancel(request, project_id: int, payload: ProjectReasonIn):
    user = request.user
    _find(project_id)
    services.cancel(user=user, project_id=project_id, reason=payload.reason)
    return _detail(user, project_id)


@router.post(
    "/projects/{int:project_id}/needs",
    response={200: ProjectDetailOut, **ERRORS},
    summary="Link a need the project answers",
    description="An open need of the project's scope (422 `need`); it becomes answered." + NOTE,
)
def link_need(request, project_id: int, payload: NeedLinkIn):
    user = request.user
    _find(project_id)
    services.link_need(user=user, project_id=project_id, need_id=payload.need)
    return _detail(user, project_id)


@router.delete(
    "/projects/{int:project_id}/needs/{int:need_id}",
    response={200: ProjectDetailOut, **ERRORS},
    summary="Unlink a need",
    description="The need is open again if no live project answers it; 409 `last_need` when "
    "it is the project's only origin. 404 when the project does not answer it." + NOTE,
)
def unlink_need(request, project_id: int, need_id: int):
    user = request.user
    _find(project_id)
    services.unlink_need(user=user, project_id=project_id, need_id=need_id)
    return _detail(user, project_id)


@router.post(
    "/projects/{int:project_id}/resources",
    response={200: ProjectDetailOut, **ERRORS},
    summary="Put a resource to use",
    description="An available resource of a related scope (422 `resource`), at most the "
    "quantity offered (422 `quantity`); again to change the quantity." + NOTE,
)
def use_resource(request, project_id: int, payload: ResourceUseIn):
    user = request.user
    _find(project_id)
    services.use_resource(
        user=user,
        project_id=project_id,
        resource_id=payload.resource,
        quantity=payload.quantity,
        note=payload.note,
    )
    return _detail(user, project_id)


@router.delete(
    "/projects/{int:project_id}/resources/{int:resource_id}",
    response={200: ProjectDetailOut, **ERRORS},
    summary="Stop using a resource",
    description="404 when the project does not use it." + NOTE,
)
def release_resource(request, project_id: int, resource_id: int):
    user = request.user
    _find(project_id)
    services.release_resource(user=user, project_id=project_id, resource_id=resource_id)
    return _detail(user, project_id)


# --- Budget, milestones, tasks, updates ----------------------------------------------------


@router.get(
    "/projects/{int:project_id}/budget",
    response={200: BudgetOut, **ERRORS},
    summary="A project's budget by source (public)",
    description="Lines, money by source in fen, residents' labour in hours. 404 for none.",
)
def budget(request, project_id: int):
    return _budget(_find(project_id).budget_lines.all())


@router.post(
    "/projects/{int:project_id}/budget",
    response={201: BudgetLineOut, **ERRORS},
    summary="Add a budget line",
    description="Money in fen (`amount_fen` ≥ 1) or, for `labour`, `hours` ≥ 1; a `partner` "
    "line names the partner. 409 `budget_fixed` once funding started. 422 `source`, "
    "`amount_fen`, `hours`, `partner`, `note`." + NOTE,
)
def add_budget_line(request, project_id: int, payload: BudgetLineIn):
    _find(project_id)
    line = services.add_budget_line(
        user=request.user,
        project_id=project_id,
        source=payload.source,
        amount_fen=payload.amount_fen,
        hours=payload.hours,
        partner_id=payload.partner,
        note=payload.note,
    )
    return Status(201, _line(line))


@router.delete(
    "/projects/budget-lines/{int:line_id}",
    response={204: None, **ERRORS},
    summary="Remove a budget line",
    description="Until funding starts (409 `budget_fixed`). 404 for no such line; 403 for "
    "those who may not manage its project.",
)
def remove_budget_line(request, line_id: int):
    services.remove_budget_line(user=request.user, line_id=line_id)
    return Status(204, None)


@router.post(
    "/projects/{int:project_id}/milestones",
    response={201: MilestoneOut, **ERRORS},
    summary="Add a milestone",
    description="422 `title`, `due_on`; 409 `project_ended`." + NOTE,
)
def add_milestone(request, project_id: int, payload: MilestoneIn):
    _find(project_id)
    m = services.add_milestone(
        user=request.user, project_id=project_id, title=payload.title, due_on=payload.due_on
    )
    return Status(201, _milestone(m))


@router.post(
    "/projects/milestones/{int:milestone_id}/done",
    response={200: MilestoneOut, **ERRORS},
    summary="Mark a milestone reached (or not)",
    description="`done: false` undoes it. 404 for no such milestone; 403 for those who may not "
    "manage its project.",
)
def milestone_done(request, milestone_id: int, payload: DoneIn):
    m = services.set_milestone_done(user=request.user, milestone_id=milestone_id, done=payload.done)
    return _milestone(m)


def _may_see_tasks(user, p) -> bool:
    return rules.can_view(user, p) or (p.lead_id is not None and p.lead_id == user.pk)


@router.get(
    "/projects/{int:project_id}/tasks",
    response={200: list[ProjectTaskOut], **ERRORS},
    summary="A project's tasks",
    description="For staff of its scope (`projects.view`, partners included) and its lead; "
    "owners' names masked outside the caller's personal-data scope; capped. 403 for others.",
)
@paginate(CappedLimitOffset)
def tasks(request, project_id: int):
    user = request.user
    p = _find(project_id)
    rules.require(_may_see_tasks(user, p))
    return Listing(queries.tasks_of(p), lambda rows: _tasks(user, rows))


@router.post(
    "/projects/{int:project_id}/tasks",
    response={201: ProjectTaskOut, **ERRORS},
    summary="Add a task",
    description="With its `owner` (a person) or `partner` (one at least: 422 `owner`), a "
    "`due_on` and a `milestone` of the project. 422 per field; 409 `project_ended`." + NOTE,
)
def add_task(request, project_id: int, payload: ProjectTaskIn):
    user = request.user
    _find(project_id)
    task = services.add_task(
        user=user,
        project_id=project_id,
        title=payload.title,
        owner_id=payload.owner,
        partner_id=payload.partner,
        due_on=payload.due_on,
        milestone_id=payload.milestone,
    )
    return Status(201, _tasks(user, queries.tasks_of(task.project).filter(pk=task.pk))[0])


@router.post(
    "/projects/tasks/{int:task_id}/done",
    response={200: ProjectTaskOut, **ERRORS},
    summary="Mark a task done",
    description="By its owner, one of its partner's people or a manager (403 for others). 409 "
    "`task_done`, `project_ended`. 404 for no such task.",
)
def task_done(request, task_id: int):
    user = request.user
    task = services.complete_task(user=user, task_id=task_id)
    return _tasks(user, queries.tasks_of(task.project).filter(pk=task.pk))[0]


@router.get(
    "/projects/{int:project_id}/updates",
    response={200: list[UpdateOut], **ERRORS},
    summary="A project's progress updates (public)",
    description="Newest first, with their photos (定期发布进展); capped. 404 for none.",
)
@paginate(CappedLimitOffset)
def updates(request, project_id: int):
    p = _find(project_id)
    qs = p.updates.prefetch_related("photos").order_by("-created_at", "-id")
    return Listing(qs, lambda rows: [_update(u) for u in rows])


@router.post(
    "/projects/{int:project_id}/updates",
    response={201: UpdateOut, **ERRORS},
    summary="Post a progress update",
    description="Multipart: `text` and up to 9 `photos` (re-encoded, EXIF location removed); "
    "by a manager or the project's lead. 422 `text`, `photos`, `photos.<n>`; 409 "
    "`project_ended` once cancelled." + NOTE,
)
def post_update(
    request,
    project_id: int,
    payload: FormOrJson[UpdateIn],
    photos: File[list[UploadedFile]] = None,
):
    _find(project_id)
    u = services.post_update(
        user=request.user, project_id=project_id, text=payload.text, photos=photos or []
    )
    return Status(201, _update(u))


# --- Evaluation -------------------------------------------------------------------------------


def _evaluation(user, p) -> dict:
    mine = ProjectRating.objects.filter(project=p, user=user).values_list("stars", flat=True)
    return {
        "open": p.stage == ProjectStage.COMPLETED,
        "rating_count": p.rating_count,
        "rating_average": p.rating_average,
        "items": [
            {
                "title": r["title"],
                "max_points": float(r["max_points"]),
                "mean": float(r["mean"]),
                "count": r["count"],
            }
            for r in evaluations.summary(services.subject_of(p))
        ],
        "my_stars": mine.first(),
    }


@router.get(
    "/projects/{int:project_id}/evaluation",
    response={200: ProjectEvaluationOut, **ERRORS},
    summary="The residents' evaluation (public)",
    description="Whether it is open (the project is completed), the stars' count and average, "
    "the rubric's items with their means, and my stars. 404 for none.",
)
def evaluation(request, project_id: int):
    return _evaluation(request.user, _find(project_id))


@router.post(
    "/projects/{int:project_id}/evaluation",
    response={200: ProjectEvaluationOut, **ERRORS},
    summary="Evaluate a completed project (群众评价)",
    description="A resident living in its scope (403 for others): `stars` 1–5, a `comment`, "
    "and optionally `scores` for every item of the scope's evaluation rubric; again to change "
    "it until the evaluation closes (409 `evaluation_closed`). 422 `stars`, `comment`, "
    "`scores.<item>`. 404 for no such project.",
)
def evaluate(request, project_id: int, payload: EvaluationIn):
    user = request.user
    _find(project_id)
    services.evaluate(
        user=user,
        project_id=project_id,
        stars=payload.stars,
        comment=payload.comment,
        scores=payload.scores,
    )
    return _evaluation(user, _find(project_id))


# --- Elevator retrofits ----------------------------------------------------------------------


def _retrofit(r) -> dict:
    return {
        "id": r.pk,
        "place": _ref(r.place),
        "stage": r.stage,
        "stage_label": str(r.get_stage_display()),
        "project": _title_ref(r.project),
        "ballot": _title_ref(r.ballot) if r.ballot_id else None,
        "note": r.note,
        "signed_on": r.signed_on,
        "construction_started_on": r.construction_started_on,
        "in_use_on": r.in_use_on,
        "next_stage": retrofits.next_stage(r.stage),
    }


def _find_retrofit(user, retrofit_id):
    found = queries.retrofit_for(user, as_id(retrofit_id) or 0)
    if found is None:
        raise Http404
    return found


def _retrofit_detail(user, retrofit_id) -> dict:
    r = _find_retrofit(user, retrofit_id)
    return {
        **_retrofit(r),
        "stages": [
            {"from_stage": c.from_stage, "to_stage": c.to_stage, "on": c.on, "note": c.note}
            for c in r.stage_changes.all()
        ],
    }


class RetrofitFilter(Schema):
    place: int | None = None
    stage: str | None = None


def _scope_place(user, place_id, field="place"):
    if place_id is None:
        return None
    place = Place.objects.filter(pk=as_id(place_id)).first()
    if place is None or not access.can(user, "projects.view", place):
        raise Invalid({field: _("Choose a place of your scope.")})
    return place


@router.get(
    "/retrofits",
    response={200: list[RetrofitOut], **ERRORS},
    summary="Elevator retrofits of my scope",
    description="Per unit, in tree order, for staff of the scope (`projects.view`; 403 for "
    "those without it anywhere); `place` and `stage` filter. Capped. 422 `place`, `stage`.",
)
@paginate(CappedLimitOffset)
def retrofit_list(request, filters: Query[RetrofitFilter]):
    user = request.user
    rules.require(rules.may_use_desk(user))
    place = _scope_place(user, filters.place)
    if filters.stage and filters.stage not in RetrofitStage.values:
        raise Invalid({"stage": _("Choose a stage.")})
    qs = queries.retrofits_for(user, place=place, stage=filters.stage or None)
    return Listing(qs.select_related("ballot"), lambda rows: [_retrofit(r) for r in rows])


@router.get(
    "/retrofits/figures",
    response={200: RetrofitFiguresOut, **ERRORS},
    summary="Elevator retrofit figures per community",
    description="Units signed (signed or later), under construction and installed (in use), "
    "per community of my scope (under `place` if given) — the figures of seed 002. 403 "
    "without `projects.view` anywhere; 422 `place`.",
)
def figures(request, place: int | None = None):
    user = request.user
    rules.require(rules.may_use_desk(user))
    rows = queries.retrofit_figures(user, place=_scope_place(user, place))
    return {"rows": rows, "total": queries.figures_total(rows)}


@router.post(
    "/retrofits",
    response={201: RetrofitDetailOut, **ERRORS},
    summary="Open an elevator retrofit for a unit",
    description="By managers of the unit's scope; one live per unit (409 `retrofit_exists`). "
    "422 `place` (a unit), `project` (a live project holding the unit), `ballot` (held over "
    "the unit), `note`; 403 for others.",
)
def open_retrofit(request, payload: RetrofitIn):
    user = request.user
    r = retrofits.open_retrofit(
        user=user,
        place_id=payload.place,
        project_id=payload.project,
        ballot_id=payload.ballot,
        note=payload.note,
    )
    return Status(201, _retrofit_detail(user, r.pk))


@router.get(
    "/retrofits/{int:retrofit_id}",
    response={200: RetrofitDetailOut, **ERRORS},
    summary="One elevator retrofit",
    description="With its stage road and days." + RETROFIT_NOTE,
)
def retrofit(request, retrofit_id: int):
    return _retrofit_detail(request.user, retrofit_id)


@router.put(
    "/retrofits/{int:retrofit_id}",
    response={200: RetrofitDetailOut, **ERRORS},
    summary="Change a retrofit's project, ballot or note",
    description="The ballot until consent is recorded. 422 `project`, `ballot`, `note`; 409 "
    "`retrofit_abandoned`." + RETROFIT_NOTE,
)
def update_retrofit(request, retrofit_id: int, payload: RetrofitUpdateIn):
    user = request.user
    _find_retrofit(user, retrofit_id)
    retrofits.update_retrofit(
        user=user,
        retrofit_id=retrofit_id,
        project_id=payload.project,
        ballot_id=payload.ballot,
        note=payload.note,
    )
    return _retrofit_detail(user, retrofit_id)


@router.post(
    "/retrofits/{int:retrofit_id}/stage",
    response={200: RetrofitDetailOut, **ERRORS},
    summary="Move a retrofit one stage on",
    description="The next stage only (409 `stage_order`); `consent` needs the unit's ballot "
    "passed (409 `ballot_missing`, `ballot_not_passed`); `signed`, `construction`, `in_use` "
    "need `on` (422: missing, in the future, before the previous stage's day). 422 `stage`."
    + RETROFIT_NOTE,
)
def advance_retrofit(request, retrofit_id: int, payload: RetrofitStageIn):
    user = request.user
    _find_retrofit(user, retrofit_id)
    retrofits.advance_retrofit(
        user=user,
        retrofit_id=retrofit_id,
        to_stage=payload.stage,
        on=payload.on,
        note=payload.note,
    )
    return _retrofit_detail(user, retrofit_id)


@router.post(
    "/retrofits/{int:retrofit_id}/abandon",
    response={200: RetrofitDetailOut, **ERRORS},
    summary="Abandon a retrofit",
    description="Before the lift is in use, with the `reason` (422); 409 `stage_order` after."
    + RETROFIT_NOTE,
)
def abandon_retrofit(request, retrofit_id: int, payload: ProjectReasonIn):
    user = request.user
    _find_retrofit(user, retrofit_id)
    retrofits.abandon_retrofit(user=user, retrofit_id=retrofit_id, reason=payload.reason)
    return _retrofit_detail(user, retrofit_id)
