"""Deliberation end to end in Chromium (seeds 000–002), as real users on the pages:

1. a resident proposes a topic in their building, neighbours support it onto the agenda; a
   community worker runs it through 议事会议事 — collect topics, a 议事会 with the topic on its
   agenda, residents invited and noticed, the meeting held with its decision in the minutes, a
   task carried out, the result published; the resident reads the result on the topic page and
   the notice board and rates it;
2. an owner votes on their phone in an open owners' ballot and sees their choice; staff close
   and publish it; the owner reads the result with every line of its arithmetic.

The pages cannot make time pass: where a step waits for the clock (the meeting's start, the
ballot's closing time) the test moves that one row's time, as the days would have."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from linju.deliberation import services_ballots as ballots
from linju.deliberation.models import (
    Ballot,
    BallotStatus,
    Electorate,
    Meeting,
    MeetingStatus,
    Publication,
    Rule,
    Task,
    TaskStatus,
    Topic,
    TopicStatus,
)
from linju.people.models import Relation, Residency, ResidencyStatus, User
from linju.places.models import Household

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-Word-9"


def log_in(page, user):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("input[name=mobile]", user.mobile)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def resident(city, key, room, relation, name):
    """One more verified household of unit U1 (a neighbour on the same stairwell)."""
    hh = Household.objects.create(
        unit=city.places["U1"], room=room, floor=int(room[0]), area=Decimal("72.30")
    )
    user = User.objects.create_user(f"1380000{room}9", PASSWORD, name=name)
    Residency.objects.create(
        user=user,
        household=hh,
        relation=relation,
        status=ResidencyStatus.VERIFIED,
        source="roster",
    )
    city.users[key] = user
    return user


def local_input(dt, fmt="%Y-%m-%dT%H:%M"):
    return timezone.localtime(dt).strftime(fmt)


def act(desk, action):
    """Press a desk action's button and wait for the page it leads to."""
    with desk.expect_navigation():
        desk.locator(f"button[data-action={action}]").click()


def current_stage(desk):
    return desk.get_by_test_id("current-stage")


def test_topic_to_published_result(city, phone, desk):
    u = city.users
    owner, tenant = u["owner"], u["tenant"]
    neighbour = resident(city, "neighbour", "103", Relation.OWNER, "李邻居")
    staff = u["community_staff"]
    building = city.places["B1"]

    # 1. The owner proposes a topic for their building on the phone.
    log_in(phone, owner)
    phone.goto("/deliberation/")
    phone.get_by_test_id("new-topic").click()
    form = phone.get_by_test_id("topic-form")
    form.locator("select[name=place]").select_option(str(building.pk))
    form.locator("input[name=title]").fill("楼道安装声控灯")
    form.locator("textarea[name=body]").fill(
        "B1楼道晚上太黑，老人上下楼容易摔倒，建议每层装声控灯。"
    )
    form.locator("button[type=submit]").click()
    expect(phone).to_have_url(re.compile(r"/deliberation/topics/\d+/$"))
    topic = Topic.objects.get(title="楼道安装声控灯")
    assert topic.place == building and topic.support_needed == 3  # the building's 3 households
    expect(phone.get_by_test_id("support-count")).to_contain_text("1")

    # 2. Neighbours support it from their list and from the topic page: it is on the agenda.
    log_in(phone, tenant)
    phone.goto("/deliberation/")
    phone.get_by_test_id(f"support-button-{topic.pk}").click()
    expect(phone.get_by_test_id(f"support-{topic.pk}")).to_contain_text("2")
    log_in(phone, neighbour)
    phone.goto(f"/deliberation/topics/{topic.pk}/")
    phone.get_by_test_id("support").click()
    expect(phone.locator("main [data-status]").first).to_have_attribute("data-status", "agenda")
    topic.refresh_from_db()
    assert topic.status == TopicStatus.AGENDA and topic.support_count == 3

    # 3. The community worker starts 议事会议事 and completes 收集议题.
    log_in(desk, staff)
    desk.goto("/deliberation/desk/topics/")
    desk.locator(f"[data-topic='{topic.pk}'] a").first.click()
    desk.locator("select[name=start-procedure]").select_option("meeting")
    act(desk, "start")
    expect(current_stage(desk)).to_contain_text("收集议题")
    desk.locator("textarea[name=complete-note]").fill("本月收集到楼道照明议题1条。")
    act(desk, "complete")
    expect(current_stage(desk)).to_contain_text("通知召集")
    topic_desk = desk.url

    # 4. A 议事会 for the building, four days ahead: agenda, the residents invited, the notice.
    desk.goto("/deliberation/desk/meetings/new/")
    desk.locator("select[name=kind]").select_option("yishihui")
    desk.locator("select[name=place]").select_option(str(building.pk))
    desk.locator("input[name=title]").fill("B1楼道照明议事会")
    desk.locator("input[name=starts_at]").fill(local_input(timezone.now() + timedelta(days=4)))
    desk.locator("input[name=venue]").fill("B1楼下活动室")
    with desk.expect_navigation():
        desk.locator("main form button[type=submit]").click()
    meeting = Meeting.objects.get(title="B1楼道照明议事会")
    desk.locator("select[name=agenda_add-topic_id]").select_option(str(topic.pk))
    act(desk, "agenda_add")
    expect(desk.get_by_test_id("agenda")).to_contain_text("楼道安装声控灯")
    act(desk, "invite_scope")
    for person in (owner, tenant, neighbour):
        expect(desk.locator(f"tr[data-invitee='{person.pk}']")).to_have_count(1)
    act(desk, "notice")
    expect(desk.locator(".status-noticed").first).to_be_visible()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.NOTICED and meeting.invitees.count() == 3

    desk.goto(topic_desk)
    act(desk, "complete")  # 通知召集: the latest noticed meeting with the topic on its agenda
    expect(current_stage(desk)).to_contain_text("民情会议")

    # 5. The day of the meeting (the clock moves the meeting's start to now): the host ticks
    # the owner present and records the minutes with the decision.
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - timedelta(minutes=5),
        ends_at=timezone.now() + timedelta(hours=1),
    )
    desk.goto(f"/deliberation/desk/meetings/{meeting.pk}/")
    with desk.expect_navigation():
        desk.locator(f"tr[data-invitee='{owner.pk}'] button[data-action=tick]").click()
    expect(desk.locator(f"tr[data-invitee='{owner.pk}'] button[data-action=untick]")).to_have_count(
        1
    )
    desk.locator("textarea[name=minutes-minutes]").fill("三户居民到会，一致同意每层安装声控灯。")
    desk.locator(f"textarea[name=minutes-decision_{topic.pk}]").fill(
        "每层安装声控LED灯，费用从公共收益列支，物业两周内完成。"
    )
    act(desk, "minutes")
    expect(desk.get_by_test_id("decision")).to_contain_text("声控LED灯")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD

    desk.goto(topic_desk)
    act(desk, "complete")  # 民情会议: the meeting held, its decision recorded
    expect(current_stage(desk)).to_contain_text("分解落实")

    # 6. A task, carried out.
    desk.locator("input[name=task-title]").fill("采购并安装声控灯")
    desk.locator("select[name=task-owner]").select_option(str(staff.pk))
    desk.locator("input[name=task-due_on]").fill(
        (timezone.localdate() + timedelta(days=14)).isoformat()
    )
    act(desk, "task")
    task = Task.objects.get(topic=topic)
    desk.goto("/deliberation/desk/tasks/")
    card = desk.get_by_test_id("my-tasks").locator(f"[data-task='{task.pk}']")
    card.locator("summary").click()
    card.locator(f"textarea[name=t{task.pk}-text]").fill("6盏声控灯已安装并试亮。")
    card.locator(f"input[name=t{task.pk}-progress]").fill("100")
    with desk.expect_navigation():
        card.get_by_test_id(f"progress-{task.pk}").click()
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE

    desk.goto(topic_desk)
    act(desk, "complete")  # 分解落实: every task done
    expect(current_stage(desk)).to_contain_text("结果公开")

    # 7. The result, published.
    desk.locator("textarea[name=complete-result_text]").fill(
        "B1每层已安装声控LED灯6盏，花费1,080元（公共收益），请大家评价。"
    )
    act(desk, "complete")
    topic.refresh_from_db()
    assert topic.status == TopicStatus.EVALUATING and topic.current_stage.code == "supervise"
    assert topic.publications.filter(kind=Publication.Kind.RESULT).exists()

    # 8. The owner reads it on the topic page and the notice board, and rates it.
    log_in(phone, owner)
    phone.goto(f"/deliberation/topics/{topic.pk}/")
    expect(phone.get_by_test_id("result")).to_contain_text("声控LED灯6盏")
    expect(phone.get_by_test_id("decisions")).to_contain_text("公共收益列支")
    expect(phone.locator("[data-stage=implement]")).to_have_class(re.compile(r"\bdone\b"))
    phone.goto("/deliberation/notices/")
    expect(phone.get_by_test_id("notices")).to_contain_text("声控LED灯6盏")
    phone.goto(f"/deliberation/topics/{topic.pk}/")
    rate = phone.get_by_test_id("rate")
    rate.locator("input[name=rate-stars][value='5']").check()
    rate.locator("textarea[name=rate-comment]").fill("晚上回家亮堂多了")
    with phone.expect_navigation():
        rate.locator("button[type=submit]").click()
    expect(phone.get_by_test_id("rating-average")).to_contain_text("5")
    topic.refresh_from_db()
    assert topic.rating_count == 1 and topic.rating_sum == 5


def test_owner_votes_on_the_phone_and_reads_the_result(city, phone, desk):
    u = city.users
    owner, committee = u["owner"], u["owners_committee"]
    # A second owner in E1 (H201) who has voted already; H102 has no owner on the roster.
    other = User.objects.create_user("13800002019", PASSWORD, name="王业主")
    Residency.objects.create(
        user=other,
        household=city.households["H201"],
        relation=Relation.OWNER,
        status=ResidencyStatus.VERIFIED,
        source="roster",
    )
    ballot = ballots.create_ballot(
        user=committee,
        place_id=city.places["E1"].pk,
        title="是否同意更换小区监控摄像头",
        electorate=Electorate.OWNERS,
        rule=Rule.ORDINARY,
        closes_at=timezone.now() + timedelta(days=7),
        options=[
            {"label": "同意", "approves": True},
            {"label": "反对", "approves": False},
            {"label": "弃权", "approves": False},
        ],
    )
    ballots.open_ballot(user=committee, ballot=ballot)
    approve = ballot.options.get(approves=True)
    ballots.cast_vote(user=other, ballot=ballot, option_id=approve.pk)

    # The owner finds it among their votes and votes on the phone.
    log_in(phone, owner)
    phone.goto("/deliberation/ballots/")
    phone.get_by_role("link", name="是否同意更换小区监控摄像头").click()
    form = phone.get_by_test_id("vote-form")
    form.get_by_label("同意").check()
    with phone.expect_navigation():
        phone.get_by_test_id("cast").click()
    expect(phone.get_by_test_id("my-choice")).to_have_text("同意")
    expect(phone.get_by_test_id("turnout")).to_contain_text("2")
    # Nothing runs off a 360 px screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    # The closing time comes; the owners' committee closes, counts and publishes.
    Ballot.objects.filter(pk=ballot.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    log_in(desk, committee)
    desk.goto(f"/deliberation/desk/ballots/{ballot.pk}/")
    act(desk, "close")
    expect(desk.get_by_test_id("result")).to_be_visible()
    act(desk, "publish")
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.PUBLISHED and ballot.passed is True

    # The owner reads the result: 2 of the 3 owners took part (at least 2/3: the boundary
    # counts), both approved.
    phone.reload()
    result = phone.get_by_test_id("result")
    expect(result).to_be_visible()
    lines = phone.get_by_test_id("arithmetic").locator("li")
    expect(lines).to_have_count(4)
    expect(lines.nth(1)).to_contain_text("2 / 3")
    expect(lines.nth(3)).to_contain_text("2 / 2")
    expect(result.locator(".verdict")).to_contain_text("通过")
    expect(phone.get_by_test_id("my-choice")).to_have_text("同意")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
