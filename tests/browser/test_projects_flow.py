"""Co-creation end to end in Chromium (seed 002: 凡动议必先征求全体居民意见、
凡建设居民必众筹出钱出力、凡结果必由群众评价收官): community staff record a need heard on
a visit, start a project from it, link the topic the residents deliberated, budget it and
open a crowdfunding campaign; a resident pledges on a phone; the owners' committee's
treasurer records the payment; the project is built and completed; the resident evaluates it
on the phone; staff close the evaluation; anyone reads the project's road and the campaign's
public account."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from linju.deliberation.models import Topic
from linju.projects.models import Campaign, Need, Project

from .test_household_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-Word-9"


@pytest.fixture
def browser_page(chromium, live_server):
    """Another person's browser (one context each, so their sessions stay apart)."""
    contexts = []

    def open_page(width=1280, height=800, locale="zh-CN"):
        context = chromium.new_context(
            viewport={"width": width, "height": height}, base_url=live_server.url, locale=locale
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def advance(desk, project, stage):
    """The stage form of the project's desk page: one step, to `stage`."""
    desk.goto(f"/projects/work/{project.pk}/")
    form = desk.get_by_test_id("stage-form")
    expect(form.locator("input[name=stage]")).to_have_value(stage)
    with desk.expect_navigation():
        form.locator("button[type=submit]").click()
    project.refresh_from_db()
    assert project.stage == stage


def test_from_a_need_to_a_funded_completed_and_evaluated_project(city, desk, phone, browser_page):
    staff, owner = city.users["community_staff"], city.users["owner"]
    treasurer = city.users["owners_committee"]
    estate = city.places["E1"]
    topic = Topic.objects.create(
        place=city.places["C1"], title="小区路面坑洼怎么修", body="议事会商议：众筹刷黑路面"
    )

    # 1. Staff record the need heard on a home visit.
    log_in(desk, staff.mobile, PASSWORD)
    desk.goto("/projects/lists/needs/new/")
    form = desk.get_by_test_id("lists-form")
    form.locator("select[name=place]").select_option(str(estate.pk))
    form.locator("input[name=title]").fill("主干道坑洼积水")
    form.locator("select[name=source]").select_option("visit")
    form.locator("input[name=households]").fill("40")
    with desk.expect_navigation():
        form.locator("button[type=submit]").click()
    need = Need.objects.get(title="主干道坑洼积水")
    with translation.override("zh-hans"):  # the pages speak Chinese, whatever ran before
        waiting = str(need.get_status_display())
    expect(desk.get_by_test_id("status")).to_contain_text(waiting)

    # 2. A project answers it, decided on the residents' topic.
    desk.goto("/projects/work/new/")
    form = desk.get_by_test_id("project-form")
    form.locator("select[name=place]").select_option(str(estate.pk))
    form.locator("input[name=title]").fill("小区路面刷黑")
    form.locator("input[name=summary]").fill("主干道沥青刷黑，居民众筹出资出力")
    form.locator(f"input[name=needs][value='{need.pk}']").check()
    form.locator("select[name=topic]").select_option(str(topic.pk))
    with desk.expect_navigation():
        form.locator("button[type=submit]").click()
    project = Project.objects.get(title="小区路面刷黑")
    need.refresh_from_db()
    assert need.status == "answered" and project.stage == "proposed"

    # 3. The budget, then deliberated and approved, one step at a time.
    form = desk.get_by_test_id("budget-form")
    form.locator("select[name=source]").select_option("crowdfunding")
    form.locator("input[name=amount]").fill("500")
    with desk.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(desk.get_by_test_id("money-total")).to_contain_text("500.00")
    advance(desk, project, "deliberated")
    advance(desk, project, "approved")

    # 4. The crowdfunding campaign, kept by the owners' committee.
    desk.goto(f"/projects/work/{project.pk}/")
    with desk.expect_navigation():
        desk.get_by_test_id("fund-desk-link").get_by_role("link").click()
    form = desk.get_by_test_id("open-form")
    form.locator("input[name=title]").fill("路面刷黑众筹")
    form.locator("input[name=goal]").fill("500")
    deadline = timezone.localdate() + timedelta(days=10)
    form.locator("input[name=deadline]").fill(deadline.isoformat())
    form.locator("select[name=treasurer]").select_option(str(treasurer.pk))
    form.locator(f"input[name=approvers][value='{staff.pk}']").check()
    with desk.expect_navigation():
        form.locator("button[type=submit]").click()
    campaign = Campaign.objects.get(project=project)
    assert (campaign.goal_fen, campaign.treasurer, campaign.status) == (50_000, treasurer, "open")
    advance(desk, project, "funding")

    # 5. The resident pledges on the phone, name shown.
    log_in(phone, owner.mobile, PASSWORD)
    phone.goto(f"/projects/{project.pk}/")
    with phone.expect_navigation():
        phone.get_by_test_id("campaign-link").click()
    form = phone.get_by_test_id("pledge-form")
    form.locator("input[name=amount]").fill("500")
    form.locator("input[name=show_name]").check()
    with phone.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(phone.get_by_test_id("my-pledges")).to_contain_text("500.00")

    # 6. The treasurer records the household's payment (at the threshold: it counts at once).
    cashier = browser_page()
    log_in(cashier, treasurer.mobile, PASSWORD)
    cashier.goto(f"/projects/funds/desk/{campaign.pk}/")
    form = cashier.get_by_test_id("payment-form")
    form.locator("select[name=household]").select_option(str(city.households["H101"].pk))
    form.locator("input[name=amount]").fill("500")
    form.locator("select[name=method]").select_option("qr")
    with cashier.expect_navigation():
        form.locator("button[type=submit]").click()
    campaign.refresh_from_db()
    assert (campaign.income_fen, campaign.balance_fen) == (50_000, 50_000)

    # 7. Built and completed.
    advance(desk, project, "in_progress")
    advance(desk, project, "completed")

    # 8. The resident evaluates it on the phone.
    phone.goto(f"/projects/{project.pk}/")
    with phone.expect_navigation():
        phone.get_by_test_id("evaluate-link").click()
    form = phone.get_by_test_id("evaluation-form")
    form.locator("input[name=stars][value='5']").check()
    for group in form.locator("fieldset, .field").all():
        radios = group.locator("input[type=radio][name^='scores.']")
        if radios.count():
            radios.first.check()
    form.locator("textarea[name=comment]").fill("路面平整了，下雨不再积水。")
    with phone.expect_navigation():
        form.locator("button[type=submit]").click()
    project.refresh_from_db()
    assert (project.rating_count, project.rating_sum) == (1, 5)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 362

    # 9. Staff close the evaluation.
    advance(desk, project, "evaluated")

    # 10. Anyone reads the road, the evaluation and the public account.
    visitor = browser_page(width=390, height=844)
    visitor.goto(f"/projects/{project.pk}/")
    with translation.override("zh-hans"):
        evaluated = str(project.get_stage_display())
    expect(visitor.get_by_test_id("road")).to_contain_text(evaluated)
    expect(visitor.get_by_test_id("rating")).to_contain_text("5")
    visitor.goto(f"/projects/funds/{campaign.pk}/account/")
    entries = visitor.get_by_test_id("fund-entries")
    expect(entries).to_contain_text("500.00")
    expect(entries).to_contain_text(owner.name)
