"""Co-creation (work): micro-projects (微项目) and elevator retrofits (加装电梯); the public pages
/projects/ (a community's projects, a project's page, its photos, the residents' evaluation),
the desk /projects/work/… and /api/v1/projects/{projects,retrofits}. Rules:
linju/projects/rules.py — projects are public (凡结果必公开: every page to anyone, the API to
anyone logged in); managers of a scope run them (projects.manage); staff of a scope and the
partners' people read the desk, tasks and retrofits (projects.view); residents whose home lies
in the project's scope evaluate it (`lives_in`); a task is done by its owner, one of its
partner's people (`acts_for`) or a manager."""

from django.utils import timezone

from linju.places.models import Place
from linju.projects import services_projects as projects
from linju.projects import services_retrofits as retrofits
from linju.projects.models import Need
from linju.reports.tests.conftest import upload

from .policy import Anywhere, Everyone, Home, Is, LoggedIn, Named, Perm
from .spec import Lit, Route
from .world import Thing, makes, marker, person, twin

APP = "projects"


@makes(
    "work_need",
    "work_project",
    "work_line",
    "work_milestone",
    "work_task",
    "work_photo",
    again=True,
)
def work_made(w, side, suffix):
    """A project of unit U1 (U3) proposed by community staff from a need there, with a budget
    line, a milestone, a task owned by the owner and a progress update with a photo."""
    staff = w.user(person(side, "community_staff"))
    unit = twin(side, "U1")
    need = Need.objects.create(
        place=w.place(unit), title=marker("work_need", side, suffix), source="visit"
    )
    project = projects.create_project(
        user=staff,
        place_id=w.place(unit).pk,
        title=marker("work_project", side, suffix),
        summary="楼道灯",
        need_ids=[need.pk],
    )
    line = projects.add_budget_line(
        user=staff, project_id=project.pk, source="government", amount_fen=10000
    )
    milestone = projects.add_milestone(
        user=staff, project_id=project.pk, title="m", due_on=timezone.localdate()
    )
    owner = person(side, "owner")
    task = projects.add_task(
        user=staff, project_id=project.pk, title="t", owner_id=w.user(owner).pk
    )
    update = projects.post_update(
        user=staff, project_id=project.pk, text="进展", photos=[upload(size=(64, 48))]
    )
    people = {"owner": owner}
    return {
        "work_need": Thing(need, unit),
        "work_project": Thing(project, unit, people),
        "work_line": Thing(line, unit),
        "work_milestone": Thing(milestone, unit),
        "work_task": Thing(task, unit, people),
        "work_photo": Thing(update.photos.get(), unit),
    }


@makes("work_retrofit", again=True)
def retrofit_made(w, side, suffix):
    """An elevator retrofit of unit U1 (U3), its note marked; one more goes to a new unit."""
    staff = w.user(person(side, "community_staff"))
    unit = w.place(twin(side, "U1"))
    if suffix:
        unit = Place.objects.create(
            kind="unit", name=f"U{suffix}", code=f"U{suffix}{side}", parent=unit.parent
        )
    retrofit = retrofits.open_retrofit(
        user=staff, place_id=unit.pk, note=marker("work_retrofit", side, suffix)
    )
    return {"work_retrofit": Thing(retrofit, twin(side, "U1"))}


VIEW = Perm("projects.view")
MANAGE = Perm("projects.manage")
DESK = Anywhere("projects.view")
PUBLIC = Everyone()
LIVES = Home()
# The public list opens on the community the person lives or works in; those of no community
# (and the subdistrict) see every community's projects, which are public with their places
# and the campaigns' projects.
OWN_COMMUNITY = ~Named("community_staff_2", "owner_2")
PUBLIC_KINDS = ("work_project", "campaign", "community", "unit")


def _project(rule, **kw):
    kw.setdefault("seen", LoggedIn())
    kw.setdefault("refused", (403,))
    return Route(rule, params={"project_id": "work_project"}, **kw)


def _retrofit(rule, **kw):
    kw.setdefault("seen", VIEW)
    return Route(rule, params={"retrofit_id": "work_retrofit"}, **kw)


PAGES = {
    "projects/": Route(
        PUBLIC,
        shows={"work_project": OWN_COMMUNITY},
        public=PUBLIC_KINDS,
        why="public by design (凡结果必公开): opens on the person's own community's projects; "
        "the community filter names every community",
    ),
    "projects/<int:pk>/": Route(PUBLIC, params={"pk": "work_project"}, why="public by design"),
    "projects/<int:pk>/evaluate/": Route(
        LIVES,
        params={"pk": "work_project"},
        seen=PUBLIC,
        post=LIVES,
        data=lambda w, s: {"stars": "5"},
        why="residents whose home lies in the project's scope (rules.lives_in)",
    ),
    "projects/photos/<int:pk>/": Route(
        PUBLIC, params={"pk": "work_photo"}, why="progress photos are public (定期发布进展)"
    ),
    "projects/work/": Route(DESK, shows={"work_project": VIEW}, why="the desk"),
    "projects/work/new/": Route(Anywhere("projects.manage"), why="managers anywhere"),
    "projects/work/<int:pk>/": Route(
        VIEW,
        params={"pk": "work_project"},
        post=MANAGE,
        data=lambda w, s: {"action": "stage", "stage": "deliberated"},
        why="staff of the scope read it; managers act",
    ),
    "projects/work/<int:pk>/edit/": Route(
        MANAGE,
        params={"pk": "work_project"},
        seen=VIEW,
        post=MANAGE,
        data=lambda w, s: {"title": "x", "summary": "x"},
    ),
    "projects/work/retrofits/": Route(
        DESK, shows={"work_retrofit": VIEW}, why="the retrofits and figures of the scope"
    ),
    "projects/work/retrofits/<int:pk>/": Route(
        VIEW,
        params={"pk": "work_retrofit"},
        post=MANAGE,
        data=lambda w, s: {"action": "abandon", "reason": "x"},
    ),
}

API = {
    "GET /projects/projects": Route(
        LoggedIn(),
        shows={"work_project": OWN_COMMUNITY},
        public=PUBLIC_KINDS,
        why="public by design: the caller's own community's projects unless a place is asked",
    ),
    "POST /projects/projects": Route(
        MANAGE,
        kind="work_need",
        data=lambda w, side: {
            "place": w.place(twin(side, "U1")).pk,
            "title": "x",
            "summary": "x",
            "needs": [w.obj("work_need", side).pk],
        },
        refused=(403,),
    ),
    "GET /projects/projects/{project_id}": _project(LoggedIn(), why="public by design"),
    "PUT /projects/projects/{project_id}": _project(
        MANAGE, data=lambda w, s: {"title": "x", "summary": "x"}
    ),
    "POST /projects/projects/{project_id}/stage": _project(
        MANAGE, data=lambda w, s: {"stage": "deliberated"}
    ),
    "POST /projects/projects/{project_id}/cancel": _project(
        MANAGE, data=lambda w, s: {"reason": "x"}
    ),
    "POST /projects/projects/{project_id}/needs": _project(
        MANAGE, data=lambda w, side: {"need": w.obj("work_need", side).pk}
    ),
    "DELETE /projects/projects/{project_id}/needs/{need_id}": Route(
        MANAGE,
        params={"project_id": "work_project", "need_id": "work_need"},
        seen=LoggedIn(),
        refused=(403,),
    ),
    "POST /projects/projects/{project_id}/resources": _project(
        MANAGE, data=lambda w, s: {"resource": 1}
    ),
    "DELETE /projects/projects/{project_id}/resources/{resource_id}": Route(
        MANAGE,
        params={"project_id": "work_project", "resource_id": Lit(999999)},
        seen=LoggedIn(),
        refused=(403,),
    ),
    "GET /projects/projects/{project_id}/budget": _project(LoggedIn(), why="public by design"),
    "POST /projects/projects/{project_id}/budget": _project(
        MANAGE, data=lambda w, s: {"source": "government", "amount_fen": 100}
    ),
    "DELETE /projects/projects/budget-lines/{line_id}": Route(
        MANAGE, params={"line_id": "work_line"}, seen=LoggedIn(), refused=(403,)
    ),
    "POST /projects/projects/{project_id}/milestones": _project(MANAGE),
    "POST /projects/projects/milestones/{milestone_id}/done": Route(
        MANAGE, params={"milestone_id": "work_milestone"}, seen=LoggedIn(), refused=(403,)
    ),
    "GET /projects/projects/{project_id}/tasks": _project(
        VIEW, why="staff of the scope, partners included, and the lead"
    ),
    "POST /projects/projects/{project_id}/tasks": _project(
        MANAGE, data=lambda w, side: {"title": "x", "owner": w.user(person(side, "owner")).pk}
    ),
    "POST /projects/projects/tasks/{task_id}/done": Route(
        MANAGE | Is("owner"),
        params={"task_id": "work_task"},
        seen=LoggedIn(),
        refused=(403,),
        why="its owner or a manager",
    ),
    "GET /projects/projects/{project_id}/updates": _project(LoggedIn(), why="public by design"),
    "POST /projects/projects/{project_id}/updates": _project(
        MANAGE, data=lambda w, s: {"text": "x"}
    ),
    "GET /projects/projects/{project_id}/evaluation": _project(LoggedIn(), why="public by design"),
    "POST /projects/projects/{project_id}/evaluation": _project(
        LIVES, data=lambda w, s: {"stars": 5}, refused=(403, 409)
    ),
    "GET /projects/retrofits": Route(DESK, shows={"work_retrofit": VIEW}, refused=(403,)),
    "GET /projects/retrofits/figures": Route(
        DESK, counts=("work_retrofit",), refused=(403,), why="the figures of the scope"
    ),
    "POST /projects/retrofits": Route(
        MANAGE,
        kind="work_retrofit",
        data=lambda w, side: {"place": w.place(twin(side, "U1")).pk},
        refused=(403,),
    ),
    "GET /projects/retrofits/{retrofit_id}": _retrofit(VIEW),
    "PUT /projects/retrofits/{retrofit_id}": _retrofit(MANAGE, data=lambda w, s: {"note": "x"}),
    "POST /projects/retrofits/{retrofit_id}/stage": _retrofit(
        MANAGE, data=lambda w, s: {"stage": "consent"}
    ),
    "POST /projects/retrofits/{retrofit_id}/abandon": _retrofit(
        MANAGE, data=lambda w, s: {"reason": "x"}
    ),
}
