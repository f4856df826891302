"""/deliberation: topics (议题) from proposal and support (附议) to the agenda, procedures walked
stage by stage (四议两公开, 四步协商, 议事会议事), decisions carried out as tasks (分解落实,
督导), the result rated by residents (群众评价), and the notice board (公示). Every write goes
through services_topics; every read through queries_topics and rules."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from linju.core import access
from linju.core.api_support import (
    ERRORS,
    CappedLimitOffset,
    FormOrJson,
    Listing,
    json_body_doc,
    renamed_fields,
)
from linju.core.errors import Forbidden, Invalid
from linju.core.masking import mask_name
from linju.core.views import private_download
from linju.places.models import Place
from linju.ratings import evaluations

from . import queries_topics as queries
from . import rules
from . import services_topics as services
from .models import Publication, StageCompletion, Task, TaskStatus, TopicSource, TopicStatus
from .schemas_topics import (
    CancelIn,
    CompleteIn,
    DecisionOut,
    EvaluationOut,
    NoticeFilterIn,
    ProcedureOut,
    PublicationOut,
    StartIn,
    TaskFilterIn,
    TaskIn,
    TaskOut,
    TaskProgressIn,
    TopicDecisionIn,
    TopicFilterIn,
    TopicIn,
    TopicOut,
    TopicRateIn,
    TopicReasonIn,
    TopicRowOut,
)

router = Router(tags=["deliberation"])

CONFLICTS = (
    "409 `wrong_status` when the topic's status does not allow it; 403 when the caller may "
    "not do it; 404 for a topic the caller does not see."
)

# --- Shapes --------------------------------------------------------------------------------------


def _place(place) -> dict:
    return {"id": place.pk, "name": place.name, "kind": place.kind}


def _person(viewer, person, full: bool) -> dict | None:
    """Staff of the scope and the person themself read the name in full; others masked."""
    if person is None:
        return None
    shown = full or viewer.pk == person.pk
    return {"id": person.pk, "name": person.name if shown else mask_name(person.name)}


def _official(person) -> dict | None:
    # Staff act in their official capacity (completing stages, deciding): names are shown.
    return {"id": person.pk, "name": person.name} if person else None


def _stage_ref(stage) -> dict | None:
    if stage is None:
        return None
    return {"id": stage.pk, "order": stage.order, "code": stage.code, "name": stage.name}


def _row(topic, supported: bool) -> dict:
    return {
        "id": topic.pk,
        "title": topic.title,
        "excerpt": topic.body[:80],
        "status": topic.status,
        "status_label": str(topic.get_status_display()),
        "source": topic.source,
        "source_label": str(TopicSource(topic.source).label),
        "place": _place(topic.place),
        "support_count": topic.support_count,
        "support_needed": topic.support_needed,
        "supported_by_me": supported,
        "procedure": topic.procedure.code if topic.procedure_id else None,
        "current_stage": _stage_ref(topic.current_stage),
        "created_at": topic.created_at,
        "agenda_at": topic.agenda_at,
        "rating_count": topic.rating_count,
        "rating_average": topic.rating_average,
    }


def _rows(user, topics) -> list[dict]:
    mine = queries.supported_ids(user, [t.pk for t in topics])
    return [_row(t, t.pk in mine) for t in topics]


def _stage(stage) -> dict:
    return {
        "id": stage.pk,
        "order": stage.order,
        "code": stage.code,
        "name": stage.name,
        "description": stage.description,
        "completer_roles": list(stage.completer_roles or []),
        "needs": list(stage.needs or []),
        "meeting_kind": stage.meeting_kind,
        "publishes": stage.publishes,
    }


def _document_url(completion) -> str | None:
    if not completion.document:
        return None
    return reverse(
        "api:topic_document",
        kwargs={"topic_id": completion.topic_id, "completion_id": completion.pk},
    )


def _completion(c) -> dict:
    return {
        "id": c.pk,
        "completed_by": _official(c.completed_by),
        "completed_at": c.completed_at,
        "note": c.note,
        "document_url": _document_url(c),
        "meeting_id": c.meeting_id,
        "ballot_id": c.ballot_id,
    }


def _task(viewer, task, full: bool, *, updates=None) -> dict:
    today = timezone.localdate()
    return {
        "id": task.pk,
        "topic_id": task.topic_id,
        "topic_title": task.topic.title,
        "decision_id": task.decision_id,
        "title": task.title,
        "owner": _person(viewer, task.owner, full),
        "due_on": task.due_on,
        "status": task.status,
        "status_label": str(TaskStatus(task.status).label),
        "progress": task.progress,
        "overdue": task.status == TaskStatus.OPEN and task.due_on < today,
        "overdue_flagged": task.overdue_flagged_at is not None,
        "done_at": task.done_at,
        "updates": [
            {
                "text": u.text,
                "progress": u.progress,
                "author": _person(viewer, u.author, full),
                "created_at": u.created_at,
            }
            for u in (updates or [])
        ],
    }


def _publication(p) -> dict:
    return {
        "id": p.pk,
        "kind": p.kind,
        "kind_label": str(Publication.Kind(p.kind).label),
        "title": p.title,
        "body": p.body,
        "place": _place(p.place),
        "topic_id": p.topic_id,
        "ballot_id": p.ballot_id,
        "meeting_id": p.meeting_id,
        "published_at": p.published_at,
    }


def detail(user, topic) -> dict:
    """The topic with its record, for the API and the tests."""
    staff = access.can(user, "deliberation.view", topic)
    rec = queries.record(topic)
    supported = bool(queries.supported_ids(user, [topic.pk]))
    home = queries.home_households(user, topic.path).exists()
    rating = queries.my_ratings(user, [topic.pk]).get(topic.pk)
    status = topic.status
    stage = topic.current_stage
    for t in rec.tasks:
        t.topic = topic
    official = queries.staff_ids({t.owner_id for t in rec.tasks})
    proposer_full = staff or topic.source != TopicSource.RESIDENT
    return {
        **_row(topic, supported),
        "body": topic.body,
        "source_ref": topic.source_ref,
        "proposer": _person(user, topic.proposer, proposer_full),
        "decline_reason": topic.decline_reason,
        "result": topic.result,
        "result_at": topic.result_at,
        "evaluation_closes_at": topic.evaluation_closes_at,
        "evaluation_closed_at": topic.evaluation_closed_at,
        "closed_at": topic.closed_at,
        "my_rating": {"stars": rating.stars, "comment": rating.comment} if rating else None,
        "evaluation_items": [
            {"code": i.code, "title": i.title, "max_points": int(i.max_points)}
            for i in evaluations.items_for(topic.path)
        ],
        "item_means": evaluations.summary(services.subject_of(topic)) if topic.rating_count else [],
        "stages": [
            {
                **_stage(s),
                "done": done is not None,
                "current": current,
                "completion": _completion(done) if done else None,
            }
            for s, done, current in rec.stages
        ],
        "decisions": [
            {
                "id": d.pk,
                "text": d.text,
                "meeting_id": d.meeting_id,
                "ballot_id": d.ballot_id,
                "decided_at": d.decided_at,
            }
            for d in rec.decisions
        ],
        "tasks": [
            _task(user, t, staff or t.owner_id in official, updates=t.updates.all())
            for t in rec.tasks
        ],
        "publications": [_publication(p) for p in rec.publications],
        "allowed": {
            "support": status in services.SUPPORTABLE and home and not supported,
            "unsupport": status == TopicStatus.PROPOSED
            and supported
            and topic.proposer_id != user.pk,
            "withdraw": status == TopicStatus.PROPOSED and topic.proposer_id == user.pk,
            "rate": status == TopicStatus.EVALUATING
            and topic.evaluation_closed_at is None
            and home,
            "organise": rules.can_organise(user, topic),
            "complete": status in services.COMPLETABLE
            and stage is not None
            and rules.can_complete(user, topic, stage),
        },
    }


def _find(user, topic_id: int):
    topic = queries.topic_for(user, topic_id)
    if topic is None:
        raise Http404
    return topic


def _fresh(user, topic_id: int) -> dict:
    return detail(user, _find(user, topic_id))


# --- Topics --------------------------------------------------------------------------------------


@router.get(
    "/topics",
    response={200: list[TopicRowOut], **ERRORS},
    summary="Topics I can see",
    description="Residents: the topics of their unit, building, estate and community; staff: "
    "those inside their scope too. Newest first, open ones by default. The count stops at "
    "2,000 (`capped`).",
)
@paginate(CappedLimitOffset)
def list_topics(request, filters: Query[TopicFilterIn]):
    user = request.user
    place_path = ""
    if filters.place is not None:
        place = Place.objects.filter(pk=filters.place).only("path").first()
        if place is None:
            raise Invalid({"place": _("No such place.")})
        place_path = place.path
    f = queries.TopicFilter(
        status=filters.status, place_path=place_path, source=filters.source, near=filters.near
    )
    return Listing(queries.topics(user, f), lambda objs: _rows(user, objs))


@router.post(
    "/topics",
    response={201: TopicOut, **ERRORS},
    summary="Propose a topic (建议随时提)",
    description="A verified resident proposes in a scope containing their home (their "
    "household supports it first); staff of the scope raise `staff`, `party`, `report` and "
    "`survey` topics with a `source_ref`. The support threshold (households) is frozen now. "
    "Errors name the field: `place`, `title`, `body`, `source`, `source_ref`; 403 outside the "
    "proposer's reach.",
)
def propose(request, payload: TopicIn):
    topic = services.propose_topic(
        user=request.user,
        place_id=payload.place,
        title=payload.title,
        body=payload.body,
        source=payload.source,
        source_ref=payload.source_ref,
    )
    return Status(201, _fresh(request.user, topic.pk))


@router.get(
    "/topics/{int:topic_id}",
    response={200: TopicOut, **ERRORS},
    summary="One topic with its record",
    description="The procedure's stages with their completions (the timeline), decisions, "
    "tasks with their progress, public notices, the ratings' average and what the caller may "
    "do. 404 for a topic the caller does not see.",
)
def get_topic(request, topic_id: int):
    return _fresh(request.user, topic_id)


@router.get(
    "/topics/{int:topic_id}/completions/{int:completion_id}/document",
    response=ERRORS,
    url_name="topic_document",
    summary="A stage's uploaded document",
    description="For those who see the topic.",
    openapi_extra={
        "responses": {
            # An int, to merge into ninja's own 200 rather than stand beside it as "200".
            200: {
                "description": "The file",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def document(request, topic_id: int, completion_id: int):
    topic = _find(request.user, topic_id)
    completion = get_object_or_404(StageCompletion, pk=completion_id, topic=topic)
    return private_download(completion.document)


def _action(path, summary, description, payload_doc=""):
    return router.post(
        path,
        response={200: TopicOut, **ERRORS},
        summary=summary,
        description=f"{description} Returns the topic. {CONFLICTS}{payload_doc}",
    )


@_action(
    "/topics/{int:topic_id}/support",
    "Support a topic (附议)",
    "One support per household of the topic's scope (409 `already_supported`, "
    "`household_supported`). Reaching the threshold puts the topic on the agenda.",
)
def support(request, topic_id: int):
    topic = _find(request.user, topic_id)
    services.support_topic(user=request.user, topic=topic)
    return _fresh(request.user, topic_id)


@_action(
    "/topics/{int:topic_id}/unsupport",
    "Take my support back",
    "While the topic gathers support. 409 `not_supported`; `own_topic` for the proposer.",
)
def unsupport(request, topic_id: int):
    topic = _find(request.user, topic_id)
    services.unsupport_topic(user=request.user, topic=topic)
    return _fresh(request.user, topic_id)


@_action(
    "/topics/{int:topic_id}/withdraw",
    "Withdraw my topic",
    "The proposer, while it gathers support.",
)
def withdraw(request, topic_id: int):
    topic = _find(request.user, topic_id)
    services.withdraw_topic(user=request.user, topic=topic)
    return _fresh(request.user, topic_id)


@_action(
    "/topics/{int:topic_id}/decline",
    "Decline a topic",
    "Organisers (community staff, subdistrict), with a `reason` the followers read.",
)
def decline(request, topic_id: int, payload: TopicReasonIn):
    topic = _find(request.user, topic_id)
    services.decline_topic(user=request.user, topic=topic, reason=payload.reason)
    return _fresh(request.user, topic_id)


@_action(
    "/topics/{int:topic_id}/agenda",
    "Put a topic on the agenda",
    "Organisers, without waiting for support (staff, party, report and survey topics).",
)
def agenda(request, topic_id: int):
    topic = _find(request.user, topic_id)
    services.put_on_agenda(user=request.user, topic=topic)
    return _fresh(request.user, topic_id)


@_action(
    "/topics/{int:topic_id}/start",
    "Start a procedure",
    "Organisers, for a topic on the agenda: its first stage becomes current. Error field "
    "`procedure`.",
)
def start(request, topic_id: int, payload: StartIn):
    topic = _find(request.user, topic_id)
    services.start_procedure(user=request.user, topic=topic, procedure=payload.procedure)
    return _fresh(request.user, topic_id)


@router.post(
    "/topics/{int:topic_id}/stages/{int:stage_id}/complete",
    response={200: TopicOut, **ERRORS},
    summary="Complete the current stage",
    description="Multipart form fields with an optional `document` file (PDF, image, Word, "
    "Excel, text; ≤ 10 MB), or the same fields as JSON without it. Only the current stage "
    "(409 `not_current_stage`, `stage_done`), by its completer roles (403). Each of the "
    "stage's needs is checked; a missing one is a 422 naming its field: `note` (document), "
    "`meeting_id` (meeting, meeting_noticed), `ballot_id`, `decision_text`, `tasks`, "
    "`result_text`, `evaluation`. A publishing stage puts its record on the notice board. "
    f"Returns the topic. {CONFLICTS}",
    openapi_extra=json_body_doc(CompleteIn),
)
def complete(
    request,
    topic_id: int,
    stage_id: int,
    payload: FormOrJson[CompleteIn],
    document: File[UploadedFile] = None,
):
    topic = _find(request.user, topic_id)
    with renamed_fields(meeting="meeting_id", ballot="ballot_id", stage="stage_id"):
        services.complete_stage(
            user=request.user,
            topic=topic,
            stage_id=stage_id,
            note=payload.note,
            document=document,
            meeting_id=payload.meeting_id,
            ballot_id=payload.ballot_id,
            decision_text=payload.decision_text,
            result_text=payload.result_text,
        )
    return _fresh(request.user, topic_id)


@router.post(
    "/topics/{int:topic_id}/decisions",
    response={201: DecisionOut, **ERRORS},
    summary="Record a decision (决议)",
    description="What a meeting or ballot decided, recorded before the stage that needs it is "
    "completed: tasks hang on a decision. Organisers and those who may complete the current "
    "stage; `meeting_id` (on the topic's agenda) and `ballot_id` (on the topic) are optional. "
    f"{CONFLICTS}",
)
def record_decision(request, topic_id: int, payload: TopicDecisionIn):
    topic = _find(request.user, topic_id)
    with renamed_fields(meeting="meeting_id", ballot="ballot_id"):
        decision = services.record_topic_decision(
            user=request.user,
            topic=topic,
            text=payload.text,
            meeting_id=payload.meeting_id,
            ballot_id=payload.ballot_id,
        )
    return Status(
        201,
        {
            "id": decision.pk,
            "text": decision.text,
            "meeting_id": decision.meeting_id,
            "ballot_id": decision.ballot_id,
            "decided_at": decision.decided_at,
        },
    )


@router.post(
    "/topics/{int:topic_id}/tasks",
    response={201: TaskOut, **ERRORS},
    summary="Break the decision down: add a task (分解落实)",
    description="Organisers and those who may complete the current stage. The owner is staff "
    "of the topic's scope or one of its residents (422 `owner_id`); the due date is today or "
    f"later (422 `due_on`); `decision_id` defaults to the latest decision. {CONFLICTS}",
)
def add_task(request, topic_id: int, payload: TaskIn):
    user = request.user
    topic = _find(user, topic_id)
    with renamed_fields(owner="owner_id", decision="decision_id"):
        task = services.add_task(
            user=user,
            topic=topic,
            title=payload.title,
            owner_id=payload.owner_id,
            due_on=payload.due_on,
            decision_id=payload.decision_id,
        )
    task = Task.objects.select_related("topic", "owner").get(pk=task.pk)
    return Status(201, _task(user, task, True))


@router.post(
    "/topics/{int:topic_id}/rate",
    response={200: EvaluationOut, **ERRORS},
    summary="Rate the result (群众评价)",
    description="Verified residents of the topic's scope, while it is evaluated: 1–5 stars and "
    "a comment, one rating each, changeable until the evaluation closes (409 "
    "`evaluation_closed`).",
)
def rate(request, topic_id: int, payload: TopicRateIn):
    topic = _find(request.user, topic_id)
    evaluation = services.rate_topic(
        user=request.user,
        topic=topic,
        stars=payload.stars,
        comment=payload.comment,
        scores=payload.scores,
    )
    topic = _find(request.user, topic_id)
    return {
        "topic_id": topic.pk,
        "stars": evaluation.stars,
        "comment": evaluation.comment,
        "rating_count": topic.rating_count,
        "rating_average": topic.rating_average,
    }


@_action(
    "/topics/{int:topic_id}/close-evaluation",
    "Close the evaluation",
    "Organisers; the sweep does it when the evaluation's time is up. With every stage done "
    "the topic closes (409 `evaluation_closed` when none is open).",
)
def close_evaluation(request, topic_id: int):
    topic = _find(request.user, topic_id)
    services.close_evaluation(user=request.user, topic=topic)
    return _fresh(request.user, topic_id)


# --- Tasks ---------------------------------------------------------------------------------------


def _task_for(user, task_id: int) -> Task:
    task = Task.objects.select_related("topic", "owner").filter(pk=task_id).first()
    if task is None or not (task.owner_id == user.pk or rules.can_view(user, task.topic)):
        raise Http404
    return task


def _task_out(user, task_id: int) -> dict:
    task = _task_for(user, task_id)
    staff = access.can(user, "deliberation.view", task)
    return _task(user, task, staff, updates=task.updates.select_related("author"))


@router.get(
    "/tasks",
    response={200: list[TaskOut], **ERRORS},
    summary="Tasks: mine, or those of my scope",
    description="`which=mine` (default): my open tasks; `overdue`: open tasks past due in my "
    "scope; `scope`: open tasks in my scope. Staff only for `overdue` and `scope` (403). The "
    "count stops at 2,000 (`capped`).",
)
@paginate(CappedLimitOffset)
def list_tasks(request, filters: Query[TaskFilterIn]):
    user = request.user
    if filters.which == "mine":
        qs = queries.my_tasks(user)
    else:
        if not rules.may_use_desk(user):
            raise Forbidden(_("You may not see the tasks of this scope."))
        qs = (
            queries.overdue_tasks(user) if filters.which == "overdue" else queries.scope_tasks(user)
        )
    return Listing(qs, lambda objs: [_task(user, t, True) for t in objs])


@router.get(
    "/tasks/{int:task_id}",
    response={200: TaskOut, **ERRORS},
    summary="One task with its progress reports",
    description="Its owner and those who see its topic.",
)
def get_task(request, task_id: int):
    return _task_out(request.user, task_id)


@router.post(
    "/tasks/{int:task_id}/progress",
    response={200: TaskOut, **ERRORS},
    summary="Report progress on a task (进展)",
    description="The owner or an organiser; `progress: 100` completes it. 409 `task_closed`.",
)
def task_progress(request, task_id: int, payload: TaskProgressIn):
    task = _task_for(request.user, task_id)
    services.update_task(user=request.user, task=task, text=payload.text, progress=payload.progress)
    return _task_out(request.user, task_id)


@router.post(
    "/tasks/{int:task_id}/cancel",
    response={200: TaskOut, **ERRORS},
    summary="Cancel a task",
    description="Organisers. 409 `task_closed`.",
)
def cancel_task(request, task_id: int, payload: CancelIn):
    task = _task_for(request.user, task_id)
    services.cancel_task(user=request.user, task=task, reason=payload.reason)
    return _task_out(request.user, task_id)


# --- Procedures and the notice board -------------------------------------------------------------


@router.get(
    "/procedures",
    response={200: list[ProcedureOut], **ERRORS},
    summary="Procedures and their stages",
    description="How topics are decided (四议两公开, 四步协商, 议事会议事, …): each stage with "
    "who completes it, what it needs and whether it is published.",
)
def list_procedures(request):
    return [
        {
            "code": p.code,
            "name": p.name,
            "description": p.description,
            "active": p.active,
            "stages": [_stage(s) for s in p.stages.all()],
        }
        for p in queries.procedures()
    ]


@router.get(
    "/notices",
    response={200: list[PublicationOut], **ERRORS},
    summary="The notice board (公示)",
    description="Public notices of every scope containing my home, and inside my staff scope; "
    "newest first. With `place`: that place's board. The count stops at 2,000 (`capped`).",
)
@paginate(CappedLimitOffset)
def notices(request, filters: Query[NoticeFilterIn]):
    place = None
    if filters.place is not None:
        place = Place.objects.filter(pk=filters.place).first()
        if place is None:
            raise Invalid({"place": _("No such place.")})
    qs = queries.board(request.user, place=place)
    return Listing(qs, lambda objs: [_publication(p) for p in objs])
