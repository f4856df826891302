"""Co-creation (work): audit table entries and scenarios (see audit_table.py). Micro-projects and
elevator retrofits: every write of governance weight is audited on the project (or retrofit),
including its budget, tasks, progress and the residents' evaluation."""

from datetime import timedelta

from django.utils import timezone

from linju.core.tests.audit_kinds import CALLER, CLEAN, ERASE, READ, audited, exempt  # noqa: F401
from linju.core.tests.audit_scenarios import Case, scenario
from linju.projects import services_projects as projects
from linju.projects import services_retrofits as retrofits
from linju.projects.tests import fixtures_work as fx

P = "linju.projects."
S = P + "services_projects."
R = P + "services_retrofits."

TABLE = {
    S + "create_project": audited("projects.project_create"),
    S + "update_project": audited("projects.project_update"),
    S + "link_need": audited("projects.need_link"),
    S + "unlink_need": audited("projects.need_unlink"),
    S + "use_resource": audited("projects.resource_use"),
    S + "release_resource": audited("projects.resource_release"),
    S + "next_stage": exempt(READ),
    S + "advance": audited("projects.stage"),
    S + "cancel": audited("projects.stage"),
    S + "add_budget_line": audited("projects.budget_add"),
    S + "remove_budget_line": audited("projects.budget_remove"),
    S + "add_milestone": audited("projects.milestone_add"),
    S + "set_milestone_done": audited("projects.milestone_done"),
    S + "add_task": audited("projects.task_add"),
    S + "may_complete_task": exempt(READ),
    S + "complete_task": audited("projects.task_done"),
    S + "post_update": audited("projects.update_post"),
    S + "subject_of": exempt(READ),
    S + "evaluate": audited("projects.evaluate"),
    R + "open_retrofit": audited("projects.retrofit_open"),
    R + "update_retrofit": audited("projects.retrofit_update"),
    R + "next_stage": exempt(READ),
    R + "advance_retrofit": audited("projects.retrofit_stage"),
    R + "abandon_retrofit": audited("projects.retrofit_stage"),
}


def _project(c):
    return fx.make_project(c.city, needs=[fx.need(c.city)])


def _staff(c):
    return c.u["community_staff"]


def _on(c, fn, **kw):
    """A case acting on a fresh project of estate E1 as community staff."""
    p = _project(c)
    return Case(act=lambda: fn(p, **kw), actor=_staff(c), obj=p, within=c.p["E1"])


@scenario(S + "create_project")
def _(c):
    return Case(act=lambda: _project(c), actor=_staff(c), obj=lambda p: p, within=c.p["E1"])


@scenario(S + "update_project")
def _(c):
    return _on(
        c,
        lambda p: projects.update_project(
            user=_staff(c), project_id=p.pk, title="新", summary="新"
        ),
    )


@scenario(S + "link_need")
def _(c):
    n = fx.need(c.city, title="另一个")
    return _on(c, lambda p: projects.link_need(user=_staff(c), project_id=p.pk, need_id=n.pk))


@scenario(S + "unlink_need")
def _(c):
    p = _project(c)
    n = fx.need(c.city, title="另一个")
    projects.link_need(user=_staff(c), project_id=p.pk, need_id=n.pk)
    return Case(
        act=lambda: projects.unlink_need(user=_staff(c), project_id=p.pk, need_id=n.pk),
        actor=_staff(c),
        obj=p,
        within=c.p["E1"],
    )


@scenario(S + "use_resource")
def _(c):
    r = fx.resource(c.city)
    return _on(
        c, lambda p: projects.use_resource(user=_staff(c), project_id=p.pk, resource_id=r.pk)
    )


@scenario(S + "release_resource")
def _(c):
    p = _project(c)
    r = fx.resource(c.city)
    projects.use_resource(user=_staff(c), project_id=p.pk, resource_id=r.pk)
    return Case(
        act=lambda: projects.release_resource(user=_staff(c), project_id=p.pk, resource_id=r.pk),
        actor=_staff(c),
        obj=p,
        within=c.p["E1"],
    )


@scenario(S + "advance")
def _(c):
    p = fx.make_project(c.city, topic_obj=fx.topic(c.city, place="E1"))
    return Case(
        act=lambda: projects.advance(user=_staff(c), project_id=p.pk, to_stage="deliberated"),
        actor=_staff(c),
        obj=p,
        within=c.p["E1"],
    )


@scenario(S + "cancel")
def _(c):
    return _on(c, lambda p: projects.cancel(user=_staff(c), project_id=p.pk, reason="x"))


@scenario(S + "add_budget_line")
def _(c):
    return _on(
        c,
        lambda p: projects.add_budget_line(
            user=_staff(c), project_id=p.pk, source="government", amount_fen=100
        ),
    )


@scenario(S + "remove_budget_line")
def _(c):
    p = _project(c)
    line = projects.add_budget_line(user=_staff(c), project_id=p.pk, source="labour", hours=2)
    return Case(
        act=lambda: projects.remove_budget_line(user=_staff(c), line_id=line.pk),
        actor=_staff(c),
        obj=p,
        within=c.p["E1"],
    )


@scenario(S + "add_milestone")
def _(c):
    return _on(
        c,
        lambda p: projects.add_milestone(
            user=_staff(c), project_id=p.pk, title="m", due_on=timezone.localdate()
        ),
    )


@scenario(S + "set_milestone_done")
def _(c):
    p = _project(c)
    m = projects.add_milestone(
        user=_staff(c), project_id=p.pk, title="m", due_on=timezone.localdate()
    )
    return Case(
        act=lambda: projects.set_milestone_done(user=_staff(c), milestone_id=m.pk),
        actor=_staff(c),
        obj=p,
        within=c.p["E1"],
    )


@scenario(S + "add_task")
def _(c):
    return _on(
        c,
        lambda p: projects.add_task(
            user=_staff(c), project_id=p.pk, title="t", owner_id=c.u["owner"].pk
        ),
    )


@scenario(S + "complete_task")
def _(c):
    p = _project(c)
    t = projects.add_task(user=_staff(c), project_id=p.pk, title="t", owner_id=c.u["owner"].pk)
    return Case(
        act=lambda: projects.complete_task(user=c.u["owner"], task_id=t.pk),
        actor=c.u["owner"],
        obj=p,
        within=c.p["E1"],
    )


@scenario(S + "post_update")
def _(c):
    return _on(c, lambda p: projects.post_update(user=_staff(c), project_id=p.pk, text="进展"))


@scenario(S + "evaluate")
def _(c):
    p = fx.walk_to(c.city, _project(c), "completed")
    return Case(
        act=lambda: projects.evaluate(user=c.u["owner"], project_id=p.pk, stars=5),
        actor=c.u["owner"],
        obj=p,
        within=c.p["E1"],
    )


@scenario(R + "open_retrofit")
def _(c):
    return Case(
        act=lambda: fx.open_retrofit(c.city), actor=_staff(c), obj=lambda r: r, within=c.p["U1"]
    )


@scenario(R + "update_retrofit")
def _(c):
    r = fx.open_retrofit(c.city)
    return Case(
        act=lambda: retrofits.update_retrofit(user=_staff(c), retrofit_id=r.pk, note="n"),
        actor=_staff(c),
        obj=r,
        within=c.p["U1"],
    )


@scenario(R + "advance_retrofit")
def _(c):
    r = fx.walk_retrofit(c.city, fx.open_retrofit(c.city), "consent")
    day = timezone.localdate() - timedelta(days=1)
    return Case(
        act=lambda: retrofits.advance_retrofit(
            user=_staff(c), retrofit_id=r.pk, to_stage="signed", on=day
        ),
        actor=_staff(c),
        obj=r,
        within=c.p["U1"],
    )


@scenario(R + "abandon_retrofit")
def _(c):
    r = fx.open_retrofit(c.city)
    return Case(
        act=lambda: retrofits.abandon_retrofit(user=_staff(c), retrofit_id=r.pk, reason="x"),
        actor=_staff(c),
        obj=r,
        within=c.p["U1"],
    )
