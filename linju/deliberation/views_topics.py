"""Topic pages (seeds 000–002). Residents: the topics near their home with support (附议) and
the way to the threshold, proposing one (建议随时提), the topic's record (stages, decisions,
tasks, result) with the rating form while it is evaluated (群众评价), and the notice board
(公示). Staff: the agenda of their scope, the topic desk (agenda, procedure, the current stage
and what it needs, decisions, tasks, declining, closing the evaluation), tasks (分解落实,
督导) and the procedures. Views call services_topics and queries_topics; who may do what is
decided in rules and the services."""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from linju.core import access
from linju.core.errors import DomainError, Forbidden
from linju.core.forms import call_service
from linju.core.masking import mask_name
from linju.core.views import CappedPaginator, paginate, private_download, safe_next
from linju.people.roles import Role
from linju.places.models import Place
from linju.ratings import evaluations

from . import queries_topics as queries
from . import rules
from . import services_topics as services
from .forms_ballots import STAGE_PRESETS
from .forms_topics import (
    FIELD_OF,
    AgendaFilterForm,
    CancelTaskForm,
    CompleteForm,
    DecisionForm,
    ProgressForm,
    RateForm,
    ReasonForm,
    StartForm,
    TaskForm,
    TopicForm,
)
from .models import (
    AgendaItem,
    Ballot,
    Meeting,
    MeetingKind,
    Need,
    StageCompletion,
    Task,
    TaskStatus,
    TopicSource,
    TopicStatus,
)

ROLE_LABELS = {r.value: r.label for r in Role}
NEED_LABELS = dict(Need.choices)
OVERDUE_SHOWN = 50
WAITING_SHOWN = 10


def _call(form, fn, names=None, **kwargs):
    return call_service(form, fn, names={**FIELD_OF, **(names or {})}, **kwargs)


def _topic_or_404(user, topic_id):
    topic = queries.topic_for(user, topic_id)
    if topic is None:
        raise Http404
    return topic


def _require_desk(user) -> None:
    if not rules.may_use_desk(user):
        raise PermissionDenied


def _progress(topic) -> int:
    """Percent of the way to the support threshold, for the progress bar."""
    return min(100, topic.support_count * 100 // max(topic.support_needed, 1))


def _describe(rec) -> None:
    """Labels the record's templates show without lookups."""
    today = timezone.localdate()
    for stage, _done, _current in rec.stages:
        stage.need_labels = [NEED_LABELS.get(n, n) for n in stage.needs or []]
        stage.role_labels = [ROLE_LABELS.get(r, r) for r in stage.completer_roles or []]
    for task in rec.tasks:
        task.overdue = task.status == TaskStatus.OPEN and task.due_on < today


# --- Residents -----------------------------------------------------------------------------------


@login_required
@require_GET
def home(request):
    """议事: the topics of the user's unit, building, estate and community, with support."""
    user = request.user
    status = request.GET.get("status") if request.GET.get("status") in ("all", "final") else "open"
    page = paginate(request, queries.topics_near_me(user, status=status), CappedPaginator)
    homes = queries.own_home_paths(user)
    supported = queries.supported_ids(user, [t.pk for t in page])
    for topic in page:
        topic.supported = topic.pk in supported
        topic.progress = _progress(topic)
        mine = any(h.startswith(topic.path) for h in homes)
        topic.can_support = mine and not topic.supported and topic.status in services.SUPPORTABLE
    return render(
        request,
        "deliberation/home.html",
        {
            "page_obj": page,
            "status": status,
            "can_propose": bool(homes) or bool(queries.staff_scopes(user)),
            "is_desk": rules.may_use_desk(user),
        },
    )


@login_required
def topic_new(request):
    user = request.user
    homes = queries.home_scopes(user)
    staff_places = queries.staff_scopes(user)
    if not homes and not staff_places:
        return render(request, "deliberation/topic_new.html", {"unavailable": True})
    kwargs = {"homes": homes, "staff_places": staff_places}
    if request.method == "POST":
        form = TopicForm(request.POST, **kwargs)
        if form.is_valid():
            cd = form.cleaned_data
            try:
                topic = _call(
                    form,
                    services.propose_topic,
                    user=user,
                    place_id=cd["place"],
                    title=cd["title"],
                    body=cd["body"],
                    source=cd.get("source") or TopicSource.RESIDENT,
                    source_ref=cd.get("source_ref", ""),
                )
            except PermissionDenied:
                # The select offers only the user's places; a forged id lands here.
                form.add_error("place", _("Choose one of the places offered."))
                topic = None
            if topic is not None:
                messages.success(request, _("Your topic is up. Neighbours can support it now."))
                return redirect("deliberation:topic", topic.pk)
    else:
        initial = {"place": homes[0].pk} if homes else {}
        if staff_places:
            # Raised from other work: a report's desk page links here with its details.
            initial.update(
                {
                    k: request.GET[k]
                    for k in ("place", "title", "source", "source_ref")
                    if k in request.GET
                }
            )
        form = TopicForm(initial=initial, **kwargs)
    return render(request, "deliberation/topic_new.html", {"form": form})


def _topic_context(user, topic, rate_form=None) -> dict:
    rec = queries.record(topic)
    _describe(rec)
    homes = queries.own_home_paths(user)
    mine = any(h.startswith(topic.path) for h in homes)
    supported = bool(queries.supported_ids(user, [topic.pk]))
    rating = queries.my_ratings(user, [topic.pk]).get(topic.pk)
    evaluating = topic.status == TopicStatus.EVALUATING and topic.evaluation_closed_at is None
    if rate_form is None and evaluating and mine:
        initial = {"stars": rating.stars, "comment": rating.comment} if rating else {}
        rate_form = RateForm(
            initial=initial, prefix="rate", items=evaluations.items_for(topic.path)
        )
    staff = access.can(user, "deliberation.view", topic)
    proposer = topic.proposer
    proposer_name = ""
    if proposer is not None:
        full = staff or topic.source != TopicSource.RESIDENT or proposer.pk == user.pk
        proposer_name = proposer.name if full else mask_name(proposer.name)
    official = queries.staff_ids({t.owner_id for t in rec.tasks})
    for task in rec.tasks:
        full = staff or task.owner_id in (user.pk, *official)
        task.owner_name = task.owner.name if full else mask_name(task.owner.name)
    return {
        "topic": topic,
        "rec": rec,
        "progress": _progress(topic),
        "supported": supported,
        "can_support": mine and not supported and topic.status in services.SUPPORTABLE,
        "can_unsupport": supported
        and topic.status == TopicStatus.PROPOSED
        and topic.proposer_id != user.pk,
        "can_withdraw": topic.proposer_id == user.pk and topic.status == TopicStatus.PROPOSED,
        "rate_form": rate_form if evaluating and mine else None,
        "my_rating": rating,
        "item_means": evaluations.summary(services.subject_of(topic)) if topic.rating_count else [],
        "staff": staff,
        "proposer_name": proposer_name,
    }


@login_required
@require_GET
def topic_page(request, topic_id):
    topic = _topic_or_404(request.user, topic_id)
    return render(request, "deliberation/topic.html", _topic_context(request.user, topic))


TOPIC_ACTIONS = {
    "support": (services.support_topic, _("Thank you: your household supports this topic.")),
    "unsupport": (services.unsupport_topic, _("Your support was taken back.")),
    "withdraw": (services.withdraw_topic, _("Your topic was withdrawn.")),
}


@login_required
@require_POST
def topic_action(request, topic_id, action):
    """Support (附议), take the support back, withdraw: one button each."""
    topic = _topic_or_404(request.user, topic_id)
    fn, done = TOPIC_ACTIONS[action]
    try:
        fn(user=request.user, topic=topic)
    except Forbidden as exc:
        raise PermissionDenied(str(exc.message)) from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return redirect(safe_next(request, reverse("deliberation:topic", args=[topic.pk])))


@login_required
@require_POST
def topic_rate(request, topic_id):
    user = request.user
    topic = _topic_or_404(user, topic_id)
    form = RateForm(request.POST, prefix="rate", items=evaluations.items_for(topic.path))
    if form.is_valid():
        done = _call(
            form,
            services.rate_topic,
            names=form.error_names(),
            user=user,
            topic=topic,
            stars=form.cleaned_data["stars"],
            comment=form.cleaned_data["comment"],
            scores=form.scores(),
        )
        if done is not None:
            messages.success(request, _("Thank you for your rating."))
            return redirect("deliberation:topic", topic.pk)
    topic = _topic_or_404(user, topic_id)
    context = _topic_context(user, topic, rate_form=form)
    if context["rate_form"] is None:
        # The evaluation closed meanwhile: say so rather than show a form that cannot be sent.
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return render(request, "deliberation/topic.html", context)


@login_required
@require_GET
def topic_document(request, topic_id, completion_id):
    topic = _topic_or_404(request.user, topic_id)
    completion = get_object_or_404(StageCompletion, pk=completion_id, topic=topic)
    return private_download(completion.document)


def _board_places(user) -> list[Place]:
    places = {p.pk: p for p in queries.home_scopes(user)}
    for p in queries.staff_scopes(user, "deliberation.view"):
        places.setdefault(p.pk, p)
    return sorted(places.values(), key=lambda p: p.path)


@login_required
@require_GET
def board(request):
    """公示: the notice board of the scopes the user belongs to or works in."""
    user = request.user
    places = _board_places(user)
    chosen = None
    wanted = request.GET.get("place", "")
    if wanted.isdigit():
        chosen = next((p for p in places if p.pk == int(wanted)), None)
    page = paginate(request, queries.board(user, place=chosen), CappedPaginator)
    return render(
        request,
        "deliberation/topics/board.html",
        {"page_obj": page, "places": places, "chosen": chosen},
    )


# --- Staff: the agenda ---------------------------------------------------------------------------


@login_required
@require_GET
def agenda(request):
    user = request.user
    _require_desk(user)
    places = queries.staff_scopes(user, "deliberation.view")
    form = AgendaFilterForm(request.GET or None, places=places)
    f = queries.TopicFilter(status="open")
    rows = None
    if form.is_bound and form.is_valid():
        cd = form.cleaned_data
        place_path = ""
        if cd["place"] is not None:
            place = Place.objects.filter(pk=cd["place"]).only("path").first()
            if place is None or not access.can(user, "deliberation.view", place):
                form.add_error("place", _("Choose a place in your area."))
            else:
                place_path = place.path
        f = queries.TopicFilter(
            status=cd["status"] or "open", source=cd["source"], place_path=place_path
        )
    if form.is_bound and form.errors:
        rows = queries.agenda(user, f).none()
    else:
        rows = queries.agenda(user, f)
    page = paginate(request, rows, CappedPaginator)
    for topic in page:
        topic.progress = _progress(topic)
    waiting = list(queries.waiting_for_me(user)[:WAITING_SHOWN])
    return render(
        request,
        "deliberation/topics/agenda.html",
        {"form": form, "page_obj": page, "waiting": waiting},
    )


# --- Staff: one topic ----------------------------------------------------------------------------

DESK_ACTIONS = ("agenda", "start", "complete", "decision", "task", "decline", "close_evaluation")


def _allowed(user, topic) -> dict[str, bool]:
    organise = rules.can_organise(user, topic)
    assign = topic.status in services.TASKABLE and services.may_assign(user, topic)
    stage = topic.current_stage
    return {
        "agenda": organise and topic.status == TopicStatus.PROPOSED,
        "start": organise and topic.status == TopicStatus.AGENDA,
        "complete": topic.status in services.COMPLETABLE
        and stage is not None
        and rules.can_complete(user, topic, stage),
        "decision": assign,
        "task": assign,
        "decline": organise and topic.status in services.DECLINABLE,
        "close_evaluation": organise
        and topic.status == TopicStatus.EVALUATING
        and topic.evaluation_closed_at is None,
    }


def _action_form(action, topic, data=None, files=None):
    if action == "start":
        procedures = queries.procedures(active_only=True)
        return StartForm(data, procedures=procedures, prefix=action)
    if action == "complete":
        meetings = Meeting.objects.filter(
            pk__in=AgendaItem.objects.filter(topic=topic).values("meeting_id")
        ).order_by("-starts_at")
        ballots = Ballot.objects.filter(topic=topic).order_by("-created_at")
        return CompleteForm(
            data,
            files,
            stage=topic.current_stage,
            meetings=list(meetings),
            ballots=list(ballots),
            prefix=action,
        )
    if action == "decision":
        return DecisionForm(data, prefix=action)
    if action == "task":
        return TaskForm(
            data,
            owners=queries.task_owner_candidates(topic),
            decisions=list(topic.decisions.order_by("-decided_at")),
            prefix=action,
        )
    if action == "decline":
        return ReasonForm(data, prefix=action)
    return forms.Form(data, prefix=action)


def _run(request, topic, action, form) -> bool:
    user, cd = request.user, form.cleaned_data
    calls = {
        "agenda": (services.put_on_agenda, {}, _("The topic is on the agenda.")),
        "start": (
            services.start_procedure,
            {"procedure": cd.get("procedure")},
            _("The procedure has started."),
        ),
        "complete": (
            services.complete_stage,
            {
                "stage_id": topic.current_stage_id,
                "note": cd.get("note", ""),
                "document": cd.get("document"),
                "meeting_id": cd.get("meeting_id"),
                "ballot_id": cd.get("ballot_id"),
                "decision_text": cd.get("decision_text", ""),
                "result_text": cd.get("result_text", ""),
            },
            _("The stage is complete."),
        ),
        "decision": (
            services.record_topic_decision,
            {"text": cd.get("text", "")},
            _("The decision was recorded."),
        ),
        "task": (
            services.add_task,
            {
                "title": cd.get("title", ""),
                "owner_id": cd.get("owner"),
                "due_on": cd.get("due_on"),
                "decision_id": cd.get("decision"),
            },
            _("The task was added; its owner is told."),
        ),
        "decline": (
            services.decline_topic,
            {"reason": cd.get("reason", "")},
            _("The topic was declined."),
        ),
        "close_evaluation": (services.close_evaluation, {}, _("The evaluation is closed.")),
    }
    fn, kwargs, done = calls[action]
    if _call(form, fn, user=user, topic=topic, **kwargs) is None:
        return False
    messages.success(request, done)
    return True


@login_required
def desk_topic(request, topic_id):
    user = request.user
    _require_desk(user)
    topic = _topic_or_404(user, topic_id)
    if not access.can(user, "deliberation.view", topic):
        raise Http404
    bound = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in DESK_ACTIONS:
            raise Http404
        if not _allowed(user, topic)[action]:
            # Usually a second click, or someone else moved the topic on meanwhile.
            messages.warning(request, _("This action is not possible for this topic now."))
            return redirect("deliberation:desk_topic", topic.pk)
        form = _action_form(action, topic, request.POST, request.FILES)
        if form.is_valid() and _run(request, topic, action, form):
            return redirect("deliberation:desk_topic", topic.pk)
        bound = (action, form)
    return _desk_page(request, topic, bound)


def _desk_page(request, topic, bound=None):
    user = request.user
    action_forms = {}
    for action, ok in _allowed(user, topic).items():
        if ok:
            same = bound and bound[0] == action
            action_forms[action] = bound[1] if same else _action_form(action, topic)
    rec = queries.record(topic)
    _describe(rec)
    proposer = topic.proposer
    see_full = proposer is not None and access.can_see_personal_data(user, proposer)
    stage = topic.current_stage
    if stage is not None:
        stage.need_labels = [NEED_LABELS.get(n, n) for n in stage.needs or []]
        stage.role_labels = [ROLE_LABELS.get(r, r) for r in stage.completer_roles or []]
        kind = MeetingKind.objects.filter(code=stage.meeting_kind).first()
        stage.kind_name = kind.name if kind else ""
        if {Need.MEETING, Need.MEETING_NOTICED} & set(stage.needs or []):
            stage.meeting_url = (
                reverse("deliberation:meeting_new")
                + "?"
                + urlencode(
                    {
                        "topic": topic.pk,
                        "place": topic.place_id,
                        "kind": stage.meeting_kind,
                        "title": f"{stage.kind_name or stage.name}：{topic.title}"[:120],
                    }
                )
            )
        if Need.BALLOT in (stage.needs or []):
            preset = STAGE_PRESETS.get(stage.code, "")
            stage.ballot_url = (
                reverse("deliberation:ballot_new")
                + "?"
                + urlencode(
                    {
                        "topic": topic.pk,
                        "place": topic.place_id,
                        "title": topic.title,
                        "preset": preset,
                    }
                )
            )
    for task in rec.tasks:
        task.owner_name = task.owner.name
        task.can_cancel = task.status == TaskStatus.OPEN and rules.can_organise(user, task)
    return render(
        request,
        "deliberation/topics/desk_topic.html",
        {
            "topic": topic,
            "rec": rec,
            "forms": action_forms,
            "progress": _progress(topic),
            "stage": stage,
            "proposer_name": (proposer.name if see_full else mask_name(proposer.name))
            if proposer
            else "",
            "bound_action": bound[0] if bound else "",
        },
    )


# --- Tasks ---------------------------------------------------------------------------------------


@login_required
def tasks_page(request, bound=None):
    """分解落实 and 督导: my tasks (staff or resident owners) and, for the desk, the overdue and
    open tasks of the user's scope, each with its progress form where the user may report."""
    user = request.user
    desk = rules.may_use_desk(user)
    mine = list(queries.my_tasks(user))
    overdue, page = [], None
    if desk:
        overdue = list(queries.overdue_tasks(user)[:OVERDUE_SHOWN])
        page = paginate(request, queries.scope_tasks(user), CappedPaginator)
    today = timezone.localdate()
    shown = [*mine, *overdue, *(page or [])]
    organiser = {}
    for task in shown:
        task.overdue = task.status == TaskStatus.OPEN and task.due_on < today
        if task.path not in organiser:
            organiser[task.path] = rules.can_organise(user, task)
        task.can_report = task.status == TaskStatus.OPEN and (
            task.owner_id == user.pk or organiser[task.path]
        )
        task.can_cancel = task.status == TaskStatus.OPEN and organiser[task.path]
        if bound and bound[0] == task.pk:
            task.form = bound[1]
        elif task.can_report:
            task.form = ProgressForm(prefix=f"t{task.pk}", initial={"progress": task.progress})
    return render(
        request,
        "deliberation/topics/tasks.html",
        {"mine": mine, "overdue": overdue, "page_obj": page, "desk": desk},
    )


def _task_or_404(user, task_id) -> Task:
    task = Task.objects.select_related("topic").filter(pk=task_id).first()
    if task is None or not (task.owner_id == user.pk or rules.can_view(user, task.topic)):
        raise Http404
    return task


@login_required
@require_POST
def task_progress(request, task_id):
    user = request.user
    task = _task_or_404(user, task_id)
    form = ProgressForm(request.POST, prefix=f"t{task.pk}")
    if form.is_valid():
        done = _call(
            form,
            services.update_task,
            user=user,
            task=task,
            text=form.cleaned_data["text"],
            progress=form.cleaned_data["progress"],
        )
        if done is not None:
            messages.success(request, _("Progress saved."))
            return redirect(safe_next(request, reverse("deliberation:tasks")))
    return tasks_page(request, bound=(task.pk, form))


@login_required
@require_POST
def task_cancel(request, task_id):
    user = request.user
    task = _task_or_404(user, task_id)
    form = CancelTaskForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.cancel_task(user=user, task=task, reason=reason)
    except Forbidden as exc:
        raise PermissionDenied(str(exc.message)) from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The task was cancelled."))
    return redirect(safe_next(request, reverse("deliberation:tasks")))


# --- Procedures ----------------------------------------------------------------------------------


@login_required
@require_GET
def procedures_page(request):
    _require_desk(request.user)
    kinds = dict(MeetingKind.objects.values_list("code", "name"))
    procedures = list(queries.procedures())
    for procedure in procedures:
        for stage in procedure.stages.all():
            stage.need_labels = [NEED_LABELS.get(n, n) for n in stage.needs or []]
            stage.role_labels = [ROLE_LABELS.get(r, r) for r in stage.completer_roles or []]
            stage.kind_name = kinds.get(stage.meeting_kind, stage.meeting_kind)
    return render(request, "deliberation/topics/procedures.html", {"procedures": procedures})


urlpatterns = [
    path("", home, name="home"),
    path("topics/new/", topic_new, name="topic_new"),
    path("topics/<int:topic_id>/", topic_page, name="topic"),
    path(
        "topics/<int:topic_id>/support/",
        topic_action,
        {"action": "support"},
        name="topic_support",
    ),
    path(
        "topics/<int:topic_id>/unsupport/",
        topic_action,
        {"action": "unsupport"},
        name="topic_unsupport",
    ),
    path(
        "topics/<int:topic_id>/withdraw/",
        topic_action,
        {"action": "withdraw"},
        name="topic_withdraw",
    ),
    path("topics/<int:topic_id>/rate/", topic_rate, name="topic_rate"),
    path(
        "topics/<int:topic_id>/documents/<int:completion_id>/",
        topic_document,
        name="topic_document",
    ),
    path("notices/", board, name="board"),
    path("desk/topics/", agenda, name="agenda"),
    path("desk/topics/<int:topic_id>/", desk_topic, name="desk_topic"),
    path("desk/tasks/", tasks_page, name="tasks"),
    path("desk/tasks/<int:task_id>/progress/", task_progress, name="task_progress"),
    path("desk/tasks/<int:task_id>/cancel/", task_cancel, name="task_cancel"),
    path("desk/procedures/", procedures_page, name="procedures"),
]
