"""The report workflow of seeds 002/003, step by step, with its time limits on a frozen clock."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from PIL import Image

from linju.core.errors import Conflict, Forbidden, Invalid
from linju.core.models import AuditEvent, Notification
from linju.reports import services
from linju.reports.models import Level, Report, Status, StepKind

from .conftest import upload

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def kinds(report):
    return list(report.steps.values_list("kind", flat=True))


def test_full_cycle_submit_accept_dispatch_resolve_confirm(city, submit):
    u = city.users
    with time_machine.travel(T0, tick=False):
        report = submit(photos=[upload()], hide_name=True)
    assert report.status == Status.SUBMITTED
    assert report.level == Level.GRID
    assert report.grid == city.grids["G1"]
    assert report.household == city.households["H101"]
    assert report.accept_due_at == T0 + timedelta(hours=24)
    # The grid's worker is told there is a report to accept.
    assert Notification.objects.filter(recipient=u["grid_worker"], kind="report.task").exists()

    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        services.accept_report(user=u["grid_worker"], report=report)
    report.refresh_from_db()
    assert report.status == Status.ACCEPTED
    assert report.resolve_due_at == T0 + timedelta(hours=2 + 72)
    assert report.due_at == report.resolve_due_at

    with time_machine.travel(T0 + timedelta(hours=3), tick=False):
        services.dispatch_report(
            user=u["grid_worker"], report=report, handler_id=u["property_manager"].pk
        )
    report.refresh_from_db()
    assert (report.status, report.handler, report.handler_role) == (
        Status.DISPATCHED,
        u["property_manager"],
        "property_manager",
    )
    services.start_work(user=u["property_manager"], report=report)
    services.resolve_report(
        user=u["property_manager"], report=report, reply="已清理", photos=[upload()]
    )
    report.refresh_from_db()
    assert report.status == Status.RESOLVED and report.due_at is None
    services.confirm_report(user=u["owner"], report=report, rating=5, comment="很快")
    report.refresh_from_db()
    assert report.status == Status.CLOSED and report.rating == 5
    assert kinds(report) == [
        "submitted",
        "accepted",
        "dispatched",
        "started",
        "resolved",
        "confirmed",
        "rated",
    ]
    verbs = set(
        AuditEvent.objects.filter(
            object_type="reports.report", object_id=str(report.pk)
        ).values_list("verb", flat=True)
    )
    assert {
        "report.submit",
        "report.accept",
        "report.dispatch",
        "report.resolve",
        "report.confirm",
        "report.rate",
    } <= verbs
    assert report.photos.count() == 2
    assert Notification.objects.filter(recipient=u["owner"], kind="report.update").count() >= 4


def test_photos_are_resized_and_lose_their_exif(submit):
    report = submit(photos=[upload(size=(4000, 3000))])
    photo = report.photos.get()
    with Image.open(photo.image.path) as img:
        assert max(img.size) == 1600
        assert not img.getexif()
        assert "exif" not in img.info


def test_bad_input_names_the_field_and_saves_nothing(city, submit):
    with pytest.raises(Invalid) as e:
        submit(description="   ")
    assert "description" in e.value.errors
    with pytest.raises(Invalid) as e:
        submit(category="nope")
    assert "category" in e.value.errors
    with pytest.raises(Invalid) as e:
        submit(category="elevator", attributes={"elevator": "2号"})
    assert "attributes.trapped" in e.value.errors
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(Invalid) as e:
        submit(photos=[upload(), SimpleUploadedFile("x.jpg", b"not an image")])
    assert "photos.1" in e.value.errors
    with pytest.raises(Invalid) as e:
        submit(photos=[upload() for _ in range(10)])
    assert "photos" in e.value.errors
    assert Report.objects.count() == 0


def test_residents_report_only_in_their_own_estate(city, submit):
    with pytest.raises(Forbidden):
        submit(user_key="owner", place="B3")
    with pytest.raises(Forbidden):
        submit(user_key="newcomer", place="B1")
    # Another building of the same estate is fine.
    assert submit(user_key="owner", place="B2").estate == city.places["E1"]


def test_reject_needs_a_reason_and_answers_the_reporter(city, submit):
    report = submit()
    with pytest.raises(Invalid):
        services.reject_report(user=city.users["grid_worker"], report=report, reason=" ")
    services.reject_report(user=city.users["grid_worker"], report=report, reason="不属于本平台")
    report.refresh_from_db()
    assert report.status == Status.REJECTED and report.reply == "不属于本平台"
    assert report.closed_at is not None and report.due_at is None


def test_reopen_runs_the_clock_again(city, submit):
    u = city.users
    report = submit()
    services.accept_report(user=u["grid_worker"], report=report)
    services.resolve_report(user=u["grid_worker"], report=report, reply="已处理")
    with pytest.raises(Forbidden):
        services.reopen_report(user=u["tenant"], report=report, comment="没有")
    with time_machine.travel(T0, tick=False):
        services.reopen_report(user=u["owner"], report=report, comment="还在")
    report.refresh_from_db()
    assert report.status == Status.REOPENED
    assert report.due_at == T0 + timedelta(hours=72)
    assert Notification.objects.filter(recipient=u["grid_worker"], title__contains="#").exists()


def test_wrong_status_is_a_conflict(city, submit):
    report = submit()
    with pytest.raises(Conflict):
        services.confirm_report(user=city.users["owner"], report=report)
    with pytest.raises(Conflict):
        services.start_work(user=city.users["grid_worker"], report=report)


def test_only_staff_of_the_level_and_scope_decide(city, submit):
    u = city.users
    report = submit()
    for outsider in ("grid_worker_2", "community_staff_2", "owner", "property_manager", "partner"):
        with pytest.raises(Forbidden):
            services.accept_report(user=u[outsider], report=report)
    services.escalate_report(user=u["grid_worker"], report=report, reason="需要社区协调")
    report.refresh_from_db()
    assert report.level == Level.COMMUNITY
    # The grid worker no longer decides; the community does.
    with pytest.raises(Forbidden):
        services.accept_report(user=u["grid_worker"], report=report)
    services.accept_report(user=u["community_staff"], report=report)


def test_dispatch_only_to_handlers_of_the_place(city, submit):
    u = city.users
    report = submit()
    for wrong in ("property_manager_2", "owner", "grid_worker_2"):
        with pytest.raises(Invalid) as e:
            services.dispatch_report(user=u["grid_worker"], report=report, handler_id=u[wrong].pk)
        assert "handler" in e.value.errors
    # A submitted report is accepted on the way.
    services.dispatch_report(user=u["grid_worker"], report=report, handler_id=u["partner"].pk)
    report.refresh_from_db()
    assert report.accepted_at is not None and report.handler_role == "partner"
    assert kinds(report) == ["submitted", "accepted", "dispatched"]


def test_bulk_dispatch_is_all_or_nothing(city, submit):
    u = city.users
    a, b = submit(), submit(place="B2")
    services.reject_report(user=u["community_staff"], report=b, reason="重复")
    with pytest.raises(Conflict) as e:
        services.bulk_dispatch(
            user=u["community_staff"], report_ids=[a.pk, b.pk], handler_id=u["property_manager"].pk
        )
    assert f"#{b.pk}" in e.value.message
    a.refresh_from_db()
    assert a.status == Status.SUBMITTED and a.handler is None
    c = submit(place="B2")
    done = services.bulk_dispatch(
        user=u["community_staff"], report_ids=[a.pk, c.pk], handler_id=u["property_manager"].pk
    )
    assert {r.status for r in done} == {Status.DISPATCHED}


def test_sweep_escalates_overdue_reports_level_by_level(city, submit):
    u = city.users
    with time_machine.travel(T0, tick=False):
        late = submit()
        on_time = submit(place="B2")  # B2 lies in no grid: the community takes it
        services.accept_report(user=u["community_staff"], report=on_time)
    # 24 hours to accept: one minute after, the sweep blows the whistle.
    with time_machine.travel(T0 + timedelta(hours=24, minutes=1), tick=False):
        assert services.sweep_overdue() == 1
        assert services.sweep_overdue() == 0  # the new level has a fresh limit
    late.refresh_from_db()
    assert late.level == Level.COMMUNITY and late.escalations == 1
    assert late.due_at == T0 + timedelta(hours=48, minutes=1)
    assert late.steps.filter(kind=StepKind.AUTO_ESCALATED).count() == 1
    assert Notification.objects.filter(recipient=u["community_staff"], kind="report.task").exists()
    assert AuditEvent.objects.filter(verb="report.auto_escalated", object_id=str(late.pk)).exists()
    # Community → subdistrict → district, then it stays (the district is outside the platform).
    with time_machine.travel(T0 + timedelta(days=30), tick=False):
        assert services.sweep_overdue() == 2  # late and on_time (72 h to resolve)
    with time_machine.travel(T0 + timedelta(days=60), tick=False):
        services.sweep_overdue()
    with time_machine.travel(T0 + timedelta(days=90), tick=False):
        services.sweep_overdue()
        assert services.sweep_overdue() == 0
    late.refresh_from_db()
    assert late.level == Level.DISTRICT
    assert Notification.objects.filter(
        recipient=u["subdistrict_admin"], kind="report.task"
    ).exists()


def test_unconfirmed_resolutions_close_after_seven_days(city, submit):
    u = city.users
    with time_machine.travel(T0, tick=False):
        report = submit()
        services.accept_report(user=u["grid_worker"], report=report)
        services.resolve_report(user=u["grid_worker"], report=report, reply="已处理")
    with time_machine.travel(T0 + timedelta(days=6, hours=23), tick=False):
        assert services.close_unconfirmed() == 0
    with time_machine.travel(T0 + timedelta(days=7, minutes=1), tick=False):
        assert services.close_unconfirmed() == 1
    report.refresh_from_db()
    assert report.status == Status.CLOSED
    assert kinds(report)[-1] == StepKind.AUTO_CLOSED
    # The reporter may still rate it.
    services.rate_report(user=u["owner"], report=report, rating=4)
    with pytest.raises(Conflict):
        services.rate_report(user=u["owner"], report=report, rating=2)


def test_me_too_and_merge(city, submit):
    u = city.users
    first = submit()
    services.support_report(user=u["tenant"], report=first)
    with pytest.raises(Conflict):
        services.support_report(user=u["tenant"], report=first)
    with pytest.raises(Conflict):
        services.support_report(user=u["owner"], report=first)
    first.refresh_from_db()
    assert first.supporter_count == 1
    dup = submit(user_key="party_liaison", place="B2")
    services.merge_report(user=u["community_staff"], report=dup, into_id=first.pk)
    dup.refresh_from_db()
    first.refresh_from_db()
    assert dup.status == Status.MERGED and dup.merged_into == first
    assert first.supporter_count == 2
    # The duplicate's reporter now hears of the first report's progress.
    services.accept_report(user=u["grid_worker"], report=first)
    assert Notification.objects.filter(
        recipient=u["party_liaison"], title__contains=f"#{first.pk}"
    ).exists()


def test_joint_case_thread(city, submit):
    u = city.users
    report = submit()
    with pytest.raises(Conflict):
        services.post_message(user=u["property_manager"], report=report, body="?")
    services.open_joint_case(user=u["community_staff"], report=report, note="三方协调")
    for who in ("property_manager", "owners_committee", "grid_worker"):
        assert Notification.objects.filter(recipient=u[who], kind="report.coordination").exists()
    msg = services.post_message(user=u["owners_committee"], report=report, body="业委会同意")
    assert msg.role == "owners_committee"
    with pytest.raises(Forbidden):
        services.post_message(user=u["owner"], report=report, body="我也说")
    with pytest.raises(Forbidden):
        services.post_message(user=u["property_manager_2"], report=report, body="?")


def test_private_categories_stay_private(submit):
    assert submit(category="dispute").is_public is False
    assert submit(category="clutter").is_public is True


def test_category_management(city):
    with pytest.raises(Forbidden):
        services.save_category(user=city.users["community_staff"], code="x", name="X")
    with pytest.raises(Invalid) as e:
        services.save_category(user=city.users["subdistrict_admin"], code="bad code", name="X")
    assert "code" in e.value.errors
    cat = services.save_category(
        user=city.users["subdistrict_admin"], code="pets", name="宠物", accept_hours=4
    )
    attr = services.save_attribute(
        user=city.users["subdistrict_admin"],
        category=cat,
        code="kind",
        datatype="singlevaluelist",
        description="什么宠物",
        values=[{"key": "dog", "name": "狗"}],
    )
    assert attr.value_keys() == ["dog"]
    with pytest.raises(Invalid) as e:
        services.save_attribute(
            user=city.users["subdistrict_admin"],
            category=cat,
            code="k2",
            datatype="singlevaluelist",
            description="?",
            values=[],
        )
    assert "values" in e.value.errors


def test_sweep_command_escalates_and_closes(city, submit):
    from io import StringIO

    from django.core.management import call_command

    u = city.users
    with time_machine.travel(T0, tick=False):
        late = submit()
        done = submit(place="B2")
        services.accept_report(user=u["community_staff"], report=done)
        services.resolve_report(user=u["community_staff"], report=done, reply="好了")
    out = StringIO()
    with time_machine.travel(T0 + timedelta(days=8), tick=False):
        call_command("sweep_reports", stdout=out, stderr=StringIO())
    assert "escalated 1, closed 1" in out.getvalue()
    late.refresh_from_db()
    done.refresh_from_db()
    assert (late.level, done.status) == (Level.COMMUNITY, Status.CLOSED)


def test_the_category_handling_role_comes_first_among_handlers(city, submit):
    from linju.reports import queries

    lift = submit(category="elevator", attributes={"elevator": "2号", "trapped": "no"})
    roles = [role for _, role in queries.handler_candidates(lift)]
    assert roles[0] == "property_manager"
    assert {"grid_worker", "owners_committee", "partner", "community_staff"} <= set(roles)
    assert "property_manager" not in [r for _, r in queries.handler_candidates(lift)][1:]
    noise = submit(category="noise")
    assert queries.handler_candidates(noise)[0][1] == "grid_worker"


def test_more_time_moves_the_deadline_and_the_sweep_waits(city, submit):
    """延期: a case that needs longer gets a later deadline, with a reason the reporter reads."""
    u = city.users
    with time_machine.travel(T0, tick=False):
        report = submit()
        services.accept_report(user=u["grid_worker"], report=report)
    with time_machine.travel(T0 + timedelta(hours=70), tick=False):
        with pytest.raises(Forbidden):
            services.extend_deadline(user=u["owner"], report=report, hours=48, reason="x")
        with pytest.raises(Forbidden):
            services.extend_deadline(user=u["grid_worker_2"], report=report, hours=48, reason="x")
        for hours in (0, -5, "many", 24 * 30 + 1):
            with pytest.raises(Invalid) as e:
                services.extend_deadline(
                    user=u["grid_worker"], report=report, hours=hours, reason="等配件"
                )
            assert "hours" in e.value.errors
        with pytest.raises(Invalid) as e:
            services.extend_deadline(user=u["grid_worker"], report=report, hours=48, reason="")
        assert "reason" in e.value.errors
        services.extend_deadline(user=u["grid_worker"], report=report, hours=48, reason="等配件")
    report.refresh_from_db()
    # 72 h to resolve from T0, then 48 more.
    assert report.due_at == T0 + timedelta(hours=72 + 48)
    assert report.resolve_due_at == T0 + timedelta(hours=72)  # what the figures compare with
    step = report.steps.get(kind=StepKind.EXTENDED)
    assert (step.text, step.data["hours"], step.public) == ("等配件", 48, True)
    assert AuditEvent.objects.filter(verb="report.extend", object_id=str(report.pk)).exists()
    assert Notification.objects.filter(recipient=u["owner"], body="等配件").exists()
    with time_machine.travel(T0 + timedelta(hours=100), tick=False):
        assert services.sweep_overdue() == 0
    with time_machine.travel(T0 + timedelta(hours=121), tick=False):
        assert services.sweep_overdue() == 1


def test_an_overdue_case_with_the_district_can_be_given_more_time(city, submit):
    u = city.users
    report = submit()
    for _ in range(3):
        report.refresh_from_db()
        services.escalate_report(user=u["subdistrict_admin"], report=report, reason="需要上级")
    report.refresh_from_db()
    assert report.level == Level.DISTRICT
    services.extend_deadline(
        user=u["subdistrict_admin"], report=report, hours=720, reason="区里排期"
    )
    report.refresh_from_db()
    assert not report.overdue
    services.accept_report(user=u["subdistrict_admin"], report=report)
    services.resolve_report(user=u["subdistrict_admin"], report=report, reply="已处理")
    with pytest.raises(Conflict):
        services.extend_deadline(user=u["subdistrict_admin"], report=report, hours=1, reason="?")
