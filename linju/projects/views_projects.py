"""Pages of micro-projects and elevator retrofits (seed 002).

Public (凡结果必公开), for anyone signed in or not: the projects of a community (`home`), a
project's page (its road, needs, budget by source, milestones, progress with photos, the
residents' evaluation, the crowdfunding account once there is one) and its photos. Residents of
the project's scope evaluate it on `evaluate` once it is completed.

The desk (`work/…`) is for staff with `projects.view` somewhere: the projects of their scope,
a project's working page whose actions (stages, cancel, needs, resources, budget, milestones,
tasks, updates) each go through a service, which checks `projects.manage` at the project (a
refusal is a 403); the elevator retrofits of the scope with their figures per community."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from linju.core import access
from linju.core.cleaning import as_id
from linju.core.errors import DomainError, Forbidden, Invalid
from linju.core.forms import apply_domain_error
from linju.core.views import CappedPaginator, paginate, private_download
from linju.people.queries import places_in_scope
from linju.people.services import person_by_mobile
from linju.places.models import Place
from linju.places.queries import place_labels
from linju.ratings import evaluations

from . import queries_projects as queries
from . import rules
from . import services_projects as services
from . import services_retrofits as retrofits
from .forms_projects import (
    BudgetForm,
    CancelForm,
    EvaluationForm,
    FilterForm,
    MilestoneForm,
    NeedForm,
    ProjectEditForm,
    ProjectForm,
    ResourceForm,
    RetrofitEditForm,
    RetrofitForm,
    RetrofitStageForm,
    StageForm,
    TaskForm,
    UpdateForm,
)
from .models import (
    RETROFIT_ORDER,
    STAGE_ORDER,
    BudgetSource,
    ProjectStage,
    RetrofitStage,
)
from .money import yuan_text

MAX_CHOICES = 200
SCOPE_KINDS = ("community", "estate", "building", "unit")


def _place(pk):
    return Place.objects.filter(pk=as_id(pk)).first() if pk else None


def _run(form, fn, names=None, **kwargs):
    """A service for a page: refusals are 403, other domain errors land on the form."""
    try:
        return fn(**kwargs)
    except Forbidden as exc:
        raise PermissionDenied(str(exc.message)) from None
    except DomainError as exc:
        apply_domain_error(form, exc, names)
        return None


def _person_id(form, field):
    mobile = form.cleaned_data.get(field)
    if not mobile:
        return None
    try:
        return person_by_mobile(mobile, field).pk
    except Invalid as exc:
        apply_domain_error(form, exc)
        return False


# --- Public ---------------------------------------------------------------------------------


@require_GET
def home(request):
    """The projects of a community, filtered by stage: public (三张清单, 项目清单)."""
    places = list(queries.communities()[:MAX_CHOICES])
    mine = queries.home_community(request.user)
    data = request.GET.copy()
    if "place" not in data and mine is not None:
        data["place"] = str(mine.pk)  # opens on where the person lives or works
    form = FilterForm(data, places=places)
    place = stage = None
    if form.is_valid():
        place = _place(form.cleaned_data["place"])
        stage = form.cleaned_data["stage"] or None
    page = paginate(request, queries.public_projects(place=place, stage=stage), CappedPaginator)
    context = {"form": form, "page_obj": page, "desk": rules.may_use_desk(request.user)}
    return render(request, "projects/work/home.html", context)


def _road(project):
    """The stages with the day each was reached (the last time), for the stage road."""
    reached = {c.to_stage: c.at for c in project.stage_changes.all()}
    current = STAGE_ORDER.index(project.stage) if project.stage in STAGE_ORDER else -1
    return [
        {
            "stage": s,
            "label": s.label,
            "at": reached.get(s.value),
            "done": i < current or (i == current),
            "current": s == project.stage,
        }
        for i, s in enumerate(STAGE_ORDER)
    ]


def _public_context(request, project):
    lines = list(project.budget_lines.all())
    for line in lines:
        line.yuan = yuan_text(line.amount_fen)
    totals = queries.budget_totals(lines)
    totals["money_yuan"] = yuan_text(totals["money_fen"])
    return {
        "project": project,
        "road": _road(project),
        "cancelled": project.stage == ProjectStage.CANCELLED,
        "lines": lines,
        "totals": totals,
        "source_labels": dict(BudgetSource.choices),
        "campaign": queries.campaign_of(project),
        "summary": evaluations.summary(services.subject_of(project)),
        "may_evaluate": project.stage == ProjectStage.COMPLETED
        and rules.lives_in(request.user, project),
        "may_manage": rules.can_manage(request.user, project),
    }


@require_GET
def project_page(request, pk):
    project = queries.project(pk)
    if project is None:
        raise Http404
    return render(request, "projects/work/project.html", _public_context(request, project))


@login_required
def evaluate(request, pk):
    """群众评价收官: a resident of the project's scope rates it once it is completed."""
    project = queries.project(pk)
    if project is None:
        raise Http404
    if not rules.lives_in(request.user, project):
        raise PermissionDenied
    items = evaluations.items_for(project.path)
    mine = queries.rating_of(project, request.user)
    initial = {"stars": mine.stars, "comment": mine.comment} if mine else None
    form = EvaluationForm(request.POST or None, items=items, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = _run(
            form,
            services.evaluate,
            user=request.user,
            project_id=project.pk,
            stars=form.cleaned_data["stars"],
            comment=form.cleaned_data["comment"],
            scores=form.scores() if items else None,
        )
        if done is not None:
            messages.success(request, _("Thank you: your evaluation is recorded."))
            return redirect("projects:project", pk=project.pk)
    context = {"project": project, "form": form, "open": project.stage == ProjectStage.COMPLETED}
    return render(request, "projects/work/evaluate.html", context)


@require_GET
def photo(request, pk):
    """A progress photo: progress is public (定期发布进展), served with the upload headers."""
    found = queries.photo(pk)
    if found is None:
        raise Http404
    response = private_download(found.image)
    response["Cache-Control"] = "public, max-age=3600"
    return response


# --- Desk ------------------------------------------------------------------------------------


def _desk(request):
    if not request.user.is_authenticated:
        return False
    if not rules.may_use_desk(request.user):
        raise PermissionDenied
    return True


def _login(request):
    from django.contrib.auth.views import redirect_to_login

    return redirect_to_login(request.get_full_path())


def desk(request):
    """The projects of the staff member's scope, with filters."""
    if not _desk(request):
        return _login(request)
    user = request.user
    places = list(places_in_scope(user, "projects.view", ("community", "estate"))[:MAX_CHOICES])
    form = FilterForm(request.GET or None, places=places)
    place = stage = None
    if form.is_bound and form.is_valid():
        place = _place(form.cleaned_data["place"])
        if place is not None and not access.can(user, "projects.view", place):
            place = None
        stage = form.cleaned_data["stage"] or None
    page = paginate(request, queries.projects_for(user, place=place, stage=stage), CappedPaginator)
    may_create = access.has_anywhere(user, "projects.manage")
    context = {"form": form, "page_obj": page, "may_create": may_create}
    return render(request, "projects/work/desk.html", context)


def desk_new(request):
    if not _desk(request):
        return _login(request)
    user = request.user
    if not access.has_anywhere(user, "projects.manage"):
        raise PermissionDenied
    places = list(places_in_scope(user, "projects.manage", SCOPE_KINDS)[:MAX_CHOICES])
    form = ProjectForm(request.POST or None, places=places, **queries.form_choices(user))
    if request.method == "POST" and form.is_valid():
        lead = _person_id(form, "lead")
        if lead is not False:
            data = form.cleaned_data
            created = _run(
                form,
                services.create_project,
                names={"needs": "needs", "partners": "partners"},
                user=user,
                place_id=data["place"],
                title=data["title"],
                summary=data["summary"],
                description=data["description"],
                need_ids=data["needs"],
                topic_id=data["topic"] or None,
                lead_id=lead,
                partner_ids=data["partners"],
            )
            if created is not None:
                messages.success(request, _("The project is proposed."))
                return redirect("projects:desk_project", pk=created.pk)
    return render(request, "projects/work/project_form.html", {"form": form, "project": None})


def _desk_project(request, pk):
    if not _desk(request):
        return None
    project = queries.project_for(request.user, pk)
    if project is None:
        raise Http404
    return project


def desk_edit(request, pk):
    project = _desk_project(request, pk)
    if project is None:
        return _login(request)
    user = request.user
    if not rules.can_manage(user, project):
        raise PermissionDenied
    choices = queries.form_choices(user, project.place)
    ballots = list(queries.ballots_within(project.path)[:MAX_CHOICES])
    initial = {
        "title": project.title,
        "summary": project.summary,
        "description": project.description,
        "topic": project.topic_id or "",
        "ballot": project.ballot_id or "",
        "lead": project.lead.mobile if project.lead else "",
        "partners": [str(p.pk) for p in project.partners.all()],
    }
    form = ProjectEditForm(
        request.POST or None,
        initial=initial,
        ballots=ballots,
        topics=choices["topics"],
        partners=choices["partners"],
    )
    if request.method == "POST" and form.is_valid():
        lead = _person_id(form, "lead")
        if lead is not False:
            data = form.cleaned_data
            done = _run(
                form,
                services.update_project,
                user=user,
                project_id=project.pk,
                title=data["title"],
                summary=data["summary"],
                description=data["description"],
                lead_id=lead,
                partner_ids=data["partners"],
                topic_id=data["topic"] or None,
                ballot_id=data["ballot"] or None,
            )
            if done is not None:
                messages.success(request, _("Saved."))
                return redirect("projects:desk_project", pk=project.pk)
    return render(request, "projects/work/project_form.html", {"form": form, "project": project})


def _forms(request, project, data=None, files=None, action=None):
    """The working page's forms; only the one posted is bound."""
    user = request.user
    choices = queries.form_choices(user, None)
    resources = list(queries.available_resources(user)[:MAX_CHOICES])
    nxt = services.next_stage(project.stage)

    def bound(name):
        return data if action == name else None

    return {
        "stage_form": StageForm(bound("stage"), initial={"stage": nxt}),
        "cancel_form": CancelForm(bound("cancel")),
        "need_form": NeedForm(bound("need"), needs=choices["needs"]),
        "resource_form": ResourceForm(bound("resource"), resources=resources),
        "budget_form": BudgetForm(bound("budget"), partners=choices["partners"]),
        "milestone_form": MilestoneForm(bound("milestone")),
        "task_form": TaskForm(bound("task"), partners=choices["partners"]),
        "update_form": UpdateForm(bound("update"), files if action == "update" else None),
        "next_stage": nxt,
        "next_label": ProjectStage(nxt).label if nxt else "",
    }


def _act(request, project, action, forms):
    """Run the posted action; True when it succeeded."""
    user, pk = request.user, project.pk
    post = request.POST
    simple = {
        "unlink": (services.unlink_need, {"need_id": post.get("need")}),
        "release": (services.release_resource, {"resource_id": post.get("resource")}),
        "remove_line": (services.remove_budget_line, {"line_id": post.get("line")}),
        "milestone_done": (
            services.set_milestone_done,
            {"milestone_id": post.get("milestone"), "done": post.get("done") != "0"},
        ),
        "task_done": (services.complete_task, {"task_id": post.get("task")}),
    }
    if action in simple:
        fn, kwargs = simple[action]
        if action in ("unlink", "release"):
            kwargs["project_id"] = pk
        try:
            fn(user=user, **kwargs)
        except Forbidden as exc:
            raise PermissionDenied(str(exc.message)) from None
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return False
        return True
    key = {
        "stage": "stage_form",
        "cancel": "cancel_form",
        "need": "need_form",
        "resource": "resource_form",
        "budget": "budget_form",
        "milestone": "milestone_form",
        "task": "task_form",
        "update": "update_form",
    }.get(action)
    if key is None:
        raise Http404
    form = forms[key]
    # A refusal comes before the form's complaints: those who may not act learn nothing more.
    leads = action == "update" and project.lead_id == user.pk
    if action != "task" and not leads and not rules.can_manage(user, project):
        raise PermissionDenied
    if not form.is_valid():
        return False
    d = form.cleaned_data
    calls = {
        "stage": lambda: services.advance(
            user=user, project_id=pk, to_stage=d["stage"], note=d["note"]
        ),
        "cancel": lambda: services.cancel(user=user, project_id=pk, reason=d["reason"]),
        "need": lambda: services.link_need(user=user, project_id=pk, need_id=d["need"]),
        "resource": lambda: services.use_resource(
            user=user,
            project_id=pk,
            resource_id=d["resource"],
            quantity=d["quantity"],
            note=d["note"],
        ),
        "budget": lambda: services.add_budget_line(
            user=user,
            project_id=pk,
            source=d["source"],
            amount_fen=d["amount"] if d["source"] != BudgetSource.LABOUR else 0,
            hours=d["hours"] or 0 if d["source"] == BudgetSource.LABOUR else 0,
            partner_id=d["partner"] or None,
            note=d["note"],
        ),
        "milestone": lambda: services.add_milestone(
            user=user, project_id=pk, title=d["title"], due_on=d["due_on"]
        ),
        "update": lambda: services.post_update(
            user=user, project_id=pk, text=d["text"], photos=d["photos"]
        ),
    }
    if action == "task":
        owner = _person_id(form, "owner")
        if owner is False:
            return False
        calls["task"] = lambda: services.add_task(
            user=user,
            project_id=pk,
            title=d["title"],
            owner_id=owner,
            partner_id=d["partner"] or None,
            due_on=d["due_on"],
        )
    names = {"amount_fen": "amount", "note": "note", "need": "need"}
    if action == "stage":
        names["stage"] = "note"
    return _run(form, calls[action], names=names) is not None


def desk_project(request, pk):
    """A project's working page: its road and every action a manager takes on it."""
    project = _desk_project(request, pk)
    if project is None:
        return _login(request)
    action = request.POST.get("action") if request.method == "POST" else None
    forms = _forms(request, project, request.POST, request.FILES, action)
    if action:
        if _act(request, project, action, forms):
            messages.success(request, _("Done."))
            return redirect("projects:desk_project", pk=project.pk)
        project = queries.project_for(request.user, pk)
    tasks = list(queries.tasks_of(project))
    for t in tasks:
        t.project = project
        t.may_complete = services.may_complete_task(request.user, t)
    context = {**_public_context(request, project), **forms, "tasks": tasks}
    status = (
        422 if action and any(f.errors for f in forms.values() if hasattr(f, "errors")) else 200
    )
    return render(request, "projects/work/desk_project.html", context, status=status)


# --- Retrofits -------------------------------------------------------------------------------


def retrofit_desk(request):
    """加装电梯: the units of the scope, their figures per community, and opening one."""
    if not _desk(request):
        return _login(request)
    user = request.user
    units = list(places_in_scope(user, "projects.manage", ("unit",))[:MAX_CHOICES])
    labels = place_labels(units)
    for u in units:
        u.label = labels[u.pk]
    form = RetrofitForm(request.POST or None, units=units)
    if request.method == "POST":
        if not access.has_anywhere(user, "projects.manage"):
            raise PermissionDenied
        if form.is_valid():
            made = _run(
                form,
                retrofits.open_retrofit,
                user=user,
                place_id=form.cleaned_data["place"],
                note=form.cleaned_data["note"],
            )
            if made is not None:
                messages.success(request, _("The retrofit is opened."))
                return redirect("projects:retrofit", pk=made.pk)
    stage = request.GET.get("stage")
    if stage not in RetrofitStage.values:
        stage = None
    rows = queries.retrofits_for(user, stage=stage)
    page = paginate(request, rows, CappedPaginator)
    page_labels = place_labels([r.place for r in page])
    for r in page:
        r.label = page_labels[r.place_id]
    figures = queries.retrofit_figures(user)
    context = {
        "page_obj": page,
        "figures": figures,
        "total": queries.figures_total(figures),
        "form": form,
        "may_open": bool(units),
        "stages": RetrofitStage.choices,
        "stage": stage,
    }
    return render(request, "projects/work/retrofits.html", context)


def retrofit_page(request, pk):
    """One unit's retrofit: its road and, for managers, the next step, its ballot, abandoning."""
    if not _desk(request):
        return _login(request)
    user = request.user
    found = queries.retrofit_for(user, pk)
    if found is None:
        raise Http404
    nxt = retrofits.next_stage(found.stage)
    action = request.POST.get("action") if request.method == "POST" else None
    ballots = list(queries.unit_ballots(found.place_id)[:MAX_CHOICES])
    stage_form = RetrofitStageForm(
        request.POST if action == "stage" else None, initial={"stage": nxt}
    )
    edit_form = RetrofitEditForm(
        request.POST if action == "edit" else None,
        ballots=ballots,
        initial={"ballot": found.ballot_id or "", "note": found.note},
    )
    cancel_form = CancelForm(request.POST if action == "abandon" else None)
    forms = {"stage": stage_form, "edit": edit_form, "abandon": cancel_form}
    if action:
        if action not in forms:
            raise Http404
        if not rules.can_manage(user, found):
            raise PermissionDenied
        form = forms[action]
        if form.is_valid():
            d = form.cleaned_data
            calls = {
                "stage": lambda: retrofits.advance_retrofit(
                    user=user, retrofit_id=found.pk, to_stage=d["stage"], on=d["on"], note=d["note"]
                ),
                "edit": lambda: retrofits.update_retrofit(
                    user=user,
                    retrofit_id=found.pk,
                    project_id=found.project_id,
                    ballot_id=d["ballot"] or None,
                    note=d["note"],
                ),
                "abandon": lambda: retrofits.abandon_retrofit(
                    user=user, retrofit_id=found.pk, reason=d["reason"]
                ),
            }
            if _run(form, calls[action], names={"stage": "on"}) is not None:
                messages.success(request, _("Done."))
                return redirect("projects:retrofit", pk=found.pk)
    road = []
    reached = {c.to_stage: c.on for c in found.stage_changes.all()}
    for s in RETROFIT_ORDER:
        road.append({"label": s.label, "on": reached.get(s.value), "current": s == found.stage})
    context = {
        "retrofit": found,
        "label": place_labels([found.place])[found.place_id],
        "road": road,
        "next_stage": nxt,
        "next_label": RetrofitStage(nxt).label if nxt else "",
        "stage_form": stage_form,
        "edit_form": edit_form,
        "cancel_form": cancel_form,
        "may_manage": rules.can_manage(user, found),
        "abandoned": found.stage == RetrofitStage.ABANDONED,
        "changes": list(found.stage_changes.all()),
    }
    status = 422 if any(f.errors for f in forms.values()) else 200
    return render(request, "projects/work/retrofit.html", context, status=status)


urlpatterns = [
    path("", home, name="home"),
    path("<int:pk>/", project_page, name="project"),
    path("<int:pk>/evaluate/", evaluate, name="evaluate"),
    path("photos/<int:pk>/", photo, name="photo"),
    path("work/", desk, name="desk_projects"),
    path("work/new/", desk_new, name="desk_project_new"),
    path("work/<int:pk>/", desk_project, name="desk_project"),
    path("work/<int:pk>/edit/", desk_edit, name="desk_project_edit"),
    path("work/retrofits/", retrofit_desk, name="retrofits"),
    path("work/retrofits/<int:pk>/", retrofit_page, name="retrofit"),
]
