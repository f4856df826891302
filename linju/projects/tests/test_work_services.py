"""Micro-projects (seed 002): created from needs or a topic of the scope, needs answered and
opened again, the stage road one step at a time with each step's checks, cancelling, budget by
source, milestones and tasks, progress with photos, the residents' evaluation; elevator
retrofits one per unit, their road and dates, and the figures per community."""

from datetime import timedelta

import pytest
from django.utils import timezone

from linju.core.errors import Conflict, Forbidden, Invalid
from linju.core.models import AuditEvent, Notification
from linju.projects import queries_projects as queries
from linju.projects import services_projects as services
from linju.projects import services_retrofits as retrofits
from linju.projects.models import (
    ElevatorRetrofit,
    NeedStatus,
    ProjectRating,
    StageChange,
)
from linju.reports.tests import conftest as reports_conftest
from linju.reports.tests.conftest import upload

from .fixtures_work import (
    ballot,
    make_project,
    need,
    open_retrofit,
    partner,
    resource,
    topic,
    walk_retrofit,
    walk_to,
)
from .fixtures_work import work as _work

work = _work

pytestmark = pytest.mark.django_db


def _field(exc):
    return next(iter(exc.value.errors))


# --- Creating, needs ---------------------------------------------------------------------------


def test_created_from_a_need_answers_it_and_is_audited(work):
    work.need.refresh_from_db()
    assert work.need.status == NeedStatus.ANSWERED
    assert work.project.stage == "proposed"
    assert StageChange.objects.filter(project=work.project, to_stage="proposed").count() == 1
    assert AuditEvent.objects.filter(verb="projects.project_create").count() == 1
    # The lead is told.
    assert Notification.objects.filter(
        recipient=work.u("building_head"), kind="projects.project"
    ).exists()


def test_created_from_a_topic(city):
    t = topic(city, place="E1")
    p = make_project(city, topic_obj=t)
    assert p.topic_id == t.pk


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"needs": []}, "needs"),
        ({"title": ""}, "title"),
        ({"summary": " "}, "summary"),
        ({"title": "x" * 121}, "title"),
        ({"description": "a\x00b"}, "description"),
        ({"place": "H"}, "place"),
    ],
)
def test_create_bad_input_names_the_field(city, kwargs, field):
    n = need(city)
    args = {"needs": [n]}
    place = kwargs.pop("place", "E1")
    args.update(kwargs)
    with pytest.raises(Invalid) as exc:
        if place == "H":
            services.create_project(
                user=city.users["community_staff"],
                place_id=999999,
                title="t",
                summary="s",
                need_ids=[n.pk],
            )
        else:
            make_project(city, place=place, **args)
    assert _field(exc).split(".")[0] == field


def test_need_or_topic_of_another_scope_is_refused(city):
    far = need(city, place="B3")
    with pytest.raises(Invalid) as exc:
        make_project(city, needs=[far])
    assert _field(exc) == "needs.0"
    with pytest.raises(Invalid) as exc:
        make_project(city, needs=[need(city)], topic_obj=topic(city, place="C2"))
    assert _field(exc) == "topic"


@pytest.mark.parametrize("who", ["grid_worker", "owner", "property_manager", "community_staff_2"])
def test_only_managers_of_the_scope_create(city, who):
    with pytest.raises(Forbidden):
        make_project(city, user=who, needs=[need(city)])


def test_need_open_again_when_no_live_project_answers_it(work, city):
    other = make_project(city, needs=[work.need], title="另一个")
    services.cancel(user=work.staff, project_id=work.project.pk, reason="合并")
    work.need.refresh_from_db()
    assert work.need.status == NeedStatus.ANSWERED  # the other still answers it
    services.cancel(user=work.staff, project_id=other.pk, reason="不做了")
    work.need.refresh_from_db()
    assert work.need.status == NeedStatus.OPEN


def test_link_and_unlink_needs(work, city):
    second = need(city, title="电梯")
    services.link_need(user=work.staff, project_id=work.project.pk, need_id=second.pk)
    second.refresh_from_db()
    assert second.status == NeedStatus.ANSWERED
    services.unlink_need(user=work.staff, project_id=work.project.pk, need_id=second.pk)
    second.refresh_from_db()
    assert second.status == NeedStatus.OPEN
    with pytest.raises(Conflict) as exc:
        services.unlink_need(user=work.staff, project_id=work.project.pk, need_id=work.need.pk)
    assert exc.value.code == "last_need"
    with pytest.raises(Invalid) as exc:
        services.link_need(
            user=work.staff, project_id=work.project.pk, need_id=need(city, place="B3").pk
        )
    assert _field(exc) == "need"


def test_resource_use_at_most_the_quantity_offered(work, city):
    r = resource(city, quantity=3)
    use = services.use_resource(user=work.staff, project_id=work.project.pk, resource_id=r.pk)
    assert use.quantity == 1
    use = services.use_resource(
        user=work.staff, project_id=work.project.pk, resource_id=r.pk, quantity=3
    )
    assert use.quantity == 3 and work.project.resource_uses.count() == 1
    for bad in (4, 0, -1, "x", 2.5, True):
        with pytest.raises(Invalid) as exc:
            services.use_resource(
                user=work.staff, project_id=work.project.pk, resource_id=r.pk, quantity=bad
            )
        assert _field(exc) == "quantity"
    with pytest.raises(Invalid) as exc:
        services.use_resource(
            user=work.staff,
            project_id=work.project.pk,
            resource_id=resource(city, place="C2").pk,
        )
    assert _field(exc) == "resource"
    services.release_resource(user=work.staff, project_id=work.project.pk, resource_id=r.pk)
    assert work.project.resource_uses.count() == 0


# --- The stage road ---------------------------------------------------------------------------


@pytest.mark.parametrize("to", ["approved", "funding", "completed", "evaluated", "proposed"])
def test_no_stage_is_skipped(work, to):
    with pytest.raises(Conflict) as exc:
        services.advance(user=work.staff, project_id=work.project.pk, to_stage=to)
    assert exc.value.code == "stage_order"


def test_unknown_stage_is_a_field_error(work):
    with pytest.raises(Invalid) as exc:
        services.advance(user=work.staff, project_id=work.project.pk, to_stage="done")
    assert _field(exc) == "stage"


def test_deliberated_needs_a_topic_and_a_closed_ballot(work, city):
    with pytest.raises(Conflict) as exc:
        services.advance(user=work.staff, project_id=work.project.pk, to_stage="deliberated")
    assert exc.value.code == "topic_missing"
    t = topic(city, place="E1")
    b = ballot(city.places["E1"], status="open", passed=None, topic=t)
    services.update_project(
        user=work.staff,
        project_id=work.project.pk,
        title="t",
        summary="s",
        topic_id=t.pk,
        ballot_id=b.pk,
    )
    with pytest.raises(Conflict) as exc:
        services.advance(user=work.staff, project_id=work.project.pk, to_stage="deliberated")
    assert exc.value.code == "ballot_open"
    b.status, b.passed = "closed", False
    b.save()
    services.advance(user=work.staff, project_id=work.project.pk, to_stage="deliberated")
    with pytest.raises(Conflict) as exc:
        services.advance(user=work.staff, project_id=work.project.pk, to_stage="approved")
    assert exc.value.code == "ballot_not_passed"
    b.passed = True
    b.save()
    p = services.advance(user=work.staff, project_id=work.project.pk, to_stage="approved")
    assert p.stage == "approved"


def test_funding_needs_a_budget_and_completion_every_task(work, city):
    walk_to(city, work.project, "approved")
    with pytest.raises(Conflict) as exc:
        services.advance(user=work.staff, project_id=work.project.pk, to_stage="funding")
    assert exc.value.code == "budget_missing"
    services.add_budget_line(user=work.staff, project_id=work.project.pk, source="labour", hours=40)
    services.advance(user=work.staff, project_id=work.project.pk, to_stage="funding")
    services.advance(user=work.staff, project_id=work.project.pk, to_stage="in_progress")
    task = services.add_task(
        user=work.staff, project_id=work.project.pk, title="买灯", owner_id=work.u("owner").pk
    )
    with pytest.raises(Conflict) as exc:
        services.advance(user=work.staff, project_id=work.project.pk, to_stage="completed")
    assert exc.value.code == "tasks_open"
    services.complete_task(user=work.u("owner"), task_id=task.pk)
    p = services.advance(user=work.staff, project_id=work.project.pk, to_stage="completed")
    assert p.stage == "completed"
    stages = list(StageChange.objects.filter(project=p).values_list("to_stage", flat=True))
    assert stages == ["proposed", "deliberated", "approved", "funding", "in_progress", "completed"]
    assert AuditEvent.objects.filter(verb="projects.stage", object_id=str(p.pk)).count() == 5
    # The lead is told of each step.
    assert Notification.objects.filter(recipient=work.u("building_head")).count() >= 6


def test_stage_moves_only_for_managers_of_the_scope(work):
    for who in ("grid_worker", "partner", "owner", "community_staff_2", "building_head"):
        with pytest.raises(Forbidden):
            services.advance(user=work.u(who), project_id=work.project.pk, to_stage="deliberated")


def test_cancel_needs_a_reason_and_not_after_completion(work, city):
    with pytest.raises(Invalid) as exc:
        services.cancel(user=work.staff, project_id=work.project.pk, reason=" ")
    assert _field(exc) == "reason"
    p = make_project(city, needs=[need(city)])
    walk_to(city, p, "completed")
    with pytest.raises(Conflict):
        services.cancel(user=work.staff, project_id=p.pk, reason="x")
    done = services.cancel(user=work.staff, project_id=work.project.pk, reason="资金不足")
    assert done.stage == "cancelled" and done.cancel_reason == "资金不足"
    with pytest.raises(Conflict):
        services.advance(user=work.staff, project_id=done.pk, to_stage="deliberated")


# --- Budget, milestones, tasks ------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"source": "gold", "amount_fen": 1}, "source"),
        ({"source": "government", "amount_fen": 0}, "amount_fen"),
        ({"source": "government", "amount_fen": -5}, "amount_fen"),
        ({"source": "government", "amount_fen": 10**13}, "amount_fen"),
        ({"source": "government", "amount_fen": "1.5"}, "amount_fen"),
        ({"source": "government", "amount_fen": 100, "hours": 2}, "hours"),
        ({"source": "labour", "hours": 0}, "hours"),
        ({"source": "labour", "hours": 3, "amount_fen": 100}, "amount_fen"),
        ({"source": "partner", "amount_fen": 100}, "partner"),
        ({"source": "partner", "amount_fen": 100, "partner_id": 999999}, "partner"),
        ({"source": "other", "amount_fen": 100, "partner_id": 1}, "partner"),
        ({"source": "other", "amount_fen": 100, "note": "x" * 201}, "note"),
    ],
)
def test_budget_bad_input_names_the_field(work, kwargs, field):
    with pytest.raises(Invalid) as exc:
        services.add_budget_line(user=work.staff, project_id=work.project.pk, **kwargs)
    assert _field(exc) == field


def test_budget_by_source_and_fixed_once_funding(work, city):
    p = partner(city)
    services.add_budget_line(
        user=work.staff, project_id=work.project.pk, source="government", amount_fen=300000
    )
    services.add_budget_line(
        user=work.staff,
        project_id=work.project.pk,
        source="partner",
        amount_fen=20000,
        partner_id=p.pk,
    )
    services.add_budget_line(user=work.staff, project_id=work.project.pk, source="labour", hours=12)
    totals = queries.budget_totals(work.project.budget_lines.all())
    assert totals == {
        "by_source": {"government": 300000, "partner": 20000},
        "money_fen": 320000,
        "hours": 12,
    }
    walk_to(city, work.project, "funding")
    with pytest.raises(Conflict) as exc:
        services.add_budget_line(
            user=work.staff, project_id=work.project.pk, source="other", amount_fen=1
        )
    assert exc.value.code == "budget_fixed"
    line = work.project.budget_lines.first()
    with pytest.raises(Conflict):
        services.remove_budget_line(user=work.staff, line_id=line.pk)


def test_tasks_done_by_owner_partner_people_or_managers(work, city):
    p = partner(city)
    by_partner = services.add_task(
        user=work.staff,
        project_id=work.project.pk,
        title="安装",
        partner_id=p.pk,
        due_on=timezone.localdate() + timedelta(days=7),
    )
    by_owner = services.add_task(
        user=work.staff, project_id=work.project.pk, title="买灯", owner_id=work.u("tenant").pk
    )
    with pytest.raises(Invalid) as exc:
        services.add_task(user=work.staff, project_id=work.project.pk, title="x")
    assert _field(exc) == "owner"
    with pytest.raises(Invalid) as exc:
        services.add_task(
            user=work.staff,
            project_id=work.project.pk,
            title="x",
            owner_id=work.u("owner").pk,
            due_on="soon",
        )
    assert _field(exc) == "due_on"
    for who in ("owner", "grid_worker"):
        with pytest.raises(Forbidden):
            services.complete_task(user=work.u(who), task_id=by_partner.pk)
    assert services.complete_task(user=work.u("partner"), task_id=by_partner.pk).status == "done"
    with pytest.raises(Forbidden):
        services.complete_task(user=work.u("partner"), task_id=by_owner.pk)
    assert services.complete_task(user=work.u("tenant"), task_id=by_owner.pk).status == "done"
    with pytest.raises(Conflict):
        services.complete_task(user=work.staff, task_id=by_owner.pk)


def test_milestones(work):
    m = services.add_milestone(
        user=work.staff, project_id=work.project.pk, title="完成采购", due_on="2030-01-01"
    )
    assert services.set_milestone_done(user=work.staff, milestone_id=m.pk).done_on is not None
    assert (
        services.set_milestone_done(user=work.staff, milestone_id=m.pk, done=False).done_on is None
    )
    with pytest.raises(Invalid) as exc:
        services.add_milestone(user=work.staff, project_id=work.project.pk, title="x", due_on="x")
    assert _field(exc) == "due_on"


media = reports_conftest.media


def test_progress_update_with_photos(work, media):
    u = services.post_update(
        user=work.staff,
        project_id=work.project.pk,
        text="灯已买好",
        photos=[upload(size=(64, 48))],
    )
    photo = u.photos.get()
    assert (photo.width, photo.height) == (64, 48)
    assert photo.image.name.startswith("projects/updates/")
    # The lead posts too; others do not.
    services.post_update(user=work.u("building_head"), project_id=work.project.pk, text="进展")
    with pytest.raises(Forbidden):
        services.post_update(user=work.u("owner"), project_id=work.project.pk, text="x")
    with pytest.raises(Invalid) as exc:
        services.post_update(user=work.staff, project_id=work.project.pk, text="")
    assert _field(exc) == "text"


# --- Evaluation -------------------------------------------------------------------------------


def test_evaluation_by_residents_once_changeable_until_closed(work, city):
    owner = work.u("owner")
    with pytest.raises(Conflict) as exc:
        services.evaluate(user=owner, project_id=work.project.pk, stars=5)
    assert exc.value.code == "evaluation_closed"
    walk_to(city, work.project, "completed")
    scores = {"satisfaction": 5, "effect": 4, "timeliness": 4, "openness": 5}
    services.evaluate(user=owner, project_id=work.project.pk, stars=5, comment="好", scores=scores)
    services.evaluate(user=work.u("tenant"), project_id=work.project.pk, stars=3)
    services.evaluate(user=owner, project_id=work.project.pk, stars=4)  # changed
    work.project.refresh_from_db()
    assert (work.project.rating_count, work.project.rating_sum) == (2, 7)
    assert ProjectRating.objects.filter(project=work.project).count() == 2
    summary = {r["title"]: r["count"] for r in queries_summary(work.project)}
    assert summary["总体满意度"] == 1
    for who in ("owner_2", "community_staff", "newcomer"):
        with pytest.raises(Forbidden):
            services.evaluate(user=work.u(who), project_id=work.project.pk, stars=4)
    for bad in (0, 6, "x", None):
        with pytest.raises(Invalid) as exc:
            services.evaluate(user=owner, project_id=work.project.pk, stars=bad)
        assert _field(exc) == "stars"
    with pytest.raises(Invalid) as exc:
        services.evaluate(user=owner, project_id=work.project.pk, stars=4, scores={"effect": 9})
    assert _field(exc).startswith("scores.")
    services.advance(user=work.staff, project_id=work.project.pk, to_stage="evaluated")
    with pytest.raises(Conflict):
        services.evaluate(user=owner, project_id=work.project.pk, stars=1)


def queries_summary(project):
    from linju.ratings import evaluations

    return evaluations.summary(services.subject_of(project))


# --- Elevator retrofits -----------------------------------------------------------------------


def test_one_live_retrofit_per_unit(city):
    r = open_retrofit(city)
    with pytest.raises(Conflict) as exc:
        open_retrofit(city)
    assert exc.value.code == "retrofit_exists"
    retrofits.abandon_retrofit(user=city.users["community_staff"], retrofit_id=r.pk, reason="x")
    again = open_retrofit(city)
    assert again.pk != r.pk


def test_the_database_guards_one_live_per_unit(city):
    from django.db import IntegrityError, transaction

    r = open_retrofit(city)
    with pytest.raises(IntegrityError), transaction.atomic():
        ElevatorRetrofit.objects.create(place=r.place)


@pytest.mark.parametrize("place,field", [("B1", "place"), ("C1", "place")])
def test_retrofit_is_for_a_unit(city, place, field):
    with pytest.raises(Invalid) as exc:
        open_retrofit(city, unit=place)
    assert _field(exc) == field


def test_retrofit_road_consent_and_dates(city):
    staff = city.users["community_staff"]
    r = open_retrofit(city)
    with pytest.raises(Conflict) as exc:
        retrofits.advance_retrofit(user=staff, retrofit_id=r.pk, to_stage="signed", on="2024-01-01")
    assert exc.value.code == "stage_order"
    with pytest.raises(Conflict) as exc:
        retrofits.advance_retrofit(user=staff, retrofit_id=r.pk, to_stage="consent")
    assert exc.value.code == "ballot_missing"
    failed = ballot(r.place, passed=False, rule="elevator")
    retrofits.update_retrofit(user=staff, retrofit_id=r.pk, ballot_id=failed.pk)
    with pytest.raises(Conflict) as exc:
        retrofits.advance_retrofit(user=staff, retrofit_id=r.pk, to_stage="consent")
    assert exc.value.code == "ballot_not_passed"
    with pytest.raises(Invalid) as exc:
        retrofits.update_retrofit(
            user=staff, retrofit_id=r.pk, ballot_id=ballot(city.places["U2"]).pk
        )
    assert _field(exc) == "ballot"
    passed = ballot(r.place, rule="elevator")
    retrofits.update_retrofit(user=staff, retrofit_id=r.pk, ballot_id=passed.pk)
    retrofits.advance_retrofit(user=staff, retrofit_id=r.pk, to_stage="consent")
    tomorrow = timezone.localdate() + timedelta(days=1)
    for bad in (None, "x", tomorrow):
        with pytest.raises(Invalid) as exc:
            retrofits.advance_retrofit(user=staff, retrofit_id=r.pk, to_stage="signed", on=bad)
        assert _field(exc) == "on"
    day = timezone.localdate() - timedelta(days=10)
    r = retrofits.advance_retrofit(user=staff, retrofit_id=r.pk, to_stage="signed", on=day)
    assert r.signed_on == day
    retrofits.advance_retrofit(user=staff, retrofit_id=r.pk, to_stage="approved")
    with pytest.raises(Invalid) as exc:
        retrofits.advance_retrofit(
            user=staff, retrofit_id=r.pk, to_stage="construction", on=day - timedelta(days=1)
        )
    assert _field(exc) == "on"
    r = retrofits.advance_retrofit(
        user=staff, retrofit_id=r.pk, to_stage="construction", on=timezone.localdate()
    )
    assert r.construction_started_on == timezone.localdate()
    assert r.stage_changes.count() == 5
    assert AuditEvent.objects.filter(verb="projects.retrofit_stage").count() == 4
    with pytest.raises(Forbidden):
        retrofits.advance_retrofit(
            user=city.users["grid_worker"],
            retrofit_id=r.pk,
            to_stage="in_use",
            on=timezone.localdate(),
        )


def test_figures_per_community_in_one_query(city, django_assert_max_num_queries):
    staff = city.users["subdistrict_admin"]
    walk_retrofit(city, open_retrofit(city, unit="U1"), "signed")
    walk_retrofit(city, open_retrofit(city, unit="U2"), "construction")
    walk_retrofit(
        city,
        open_retrofit(city, unit="U3", user="community_staff_2"),
        "in_use",
        user="community_staff_2",
    )
    with django_assert_max_num_queries(6):
        rows = queries.retrofit_figures(staff)
    by_name = {r["community"]["name"]: r for r in rows}
    assert by_name["C1"]["signed"] == 2
    assert by_name["C1"]["construction"] == 1
    assert by_name["C1"]["installed"] == 0
    assert by_name["C2"] == {**by_name["C2"], "signed": 1, "construction": 0, "installed": 1}
    # Staff of C1 see C1 only.
    rows = queries.retrofit_figures(city.users["community_staff"])
    assert [r["community"]["name"] for r in rows] == ["C1"]
    assert queries.figures_total(rows)["signed"] == 2
