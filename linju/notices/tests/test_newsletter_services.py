"""The newsletter's services (睦邻服务报, seed 003): founding a paper, the editors' rota, assembly
of an issue from the quarter's pieces per section and within the paper's scope, the editor's
edits surviving a reassembly, publishing (needs a foreword, final) and who may do what."""

import pytest

from linju.core.errors import Conflict, Forbidden, Invalid, NotFound
from linju.core.models import AuditEvent, Notification
from linju.notices import queries_newsletter, rules, services
from linju.notices import services_newsletter as newsletter_services
from linju.notices.models import IssueItem
from linju.projects.models import ProgressUpdate, Project

from .newsletter_helpers import (
    QUARTER,
    YEAR,
    add_member,
    branch,
    in_quarter,
    notice_at,
    paper,
    publish,
    start,
)

pytestmark = pytest.mark.django_db


def items_of(issue, section=None):
    qs = issue.items.order_by("section", "position", "pk")
    if section:
        qs = qs.filter(section=section)
    return list(qs)


# --- Founding ---------------------------------------------------------------------------------


def test_community_staff_found_a_paper_of_their_place(city):
    made = paper(city)
    assert made.path == city.places["C1"].path
    assert AuditEvent.objects.filter(verb="newsletter.create", object_id=str(made.pk)).exists()


@pytest.mark.parametrize("who", ["community_staff_2", "building_head", "party_liaison", "owner"])
def test_others_may_not_found_one(city, who):
    with pytest.raises(Forbidden):
        paper(city, who=who)


def test_the_organisation_sits_at_above_or_inside_the_place(city):
    from linju.people.models import PartyOrganisation

    other = PartyOrganisation.objects.get(name="C2 committee")
    with pytest.raises(Invalid) as exc:
        newsletter_services.create_newsletter(
            user=city.users["community_staff"],
            place_id=city.places["E1"].pk,
            name="报",
            organisation_id=other.pk,
        )
    assert "organisation" in exc.value.errors
    # The C1 committee sits above estate E1: allowed.
    made = paper(city, place="E1")
    assert made.place == city.places["E1"]


def test_a_paper_is_for_a_community_or_an_estate(city):
    with pytest.raises(Invalid) as exc:
        paper(city, place="B1")
    assert "place" in exc.value.errors


# --- The rota ---------------------------------------------------------------------------------


def test_rotation_follows_joining_order_wraps_and_skips_nobody(city):
    # party_liaison joined with no date (last); the others by date; a branch member counts.
    add_member(city, "owner", joined="2020-05-01")
    add_member(city, "tenant", joined="2018-01-01")
    add_member(city, "owner_2", joined="2019-03-01", organisation=branch(city))
    nl = paper(city)
    order = [u.pk for u in queries_newsletter.rota(nl)]
    expected = ["tenant", "owner_2", "owner", "party_liaison"]
    assert order == [city.users[k].pk for k in expected]
    editors = []
    for n in range(6):
        year, quarter = YEAR + n // 4, n % 4 + 1
        issue = start(city, nl, year=year, quarter=quarter)
        editors.append(issue.editor_id)
        assert issue.number == n + 1
    assert editors == [city.users[k].pk for k in [*expected, *expected[:2]]]


def test_a_chosen_editor_sets_the_rota_going_from_them(city):
    add_member(city, "owner", joined="2020-05-01")
    nl = paper(city)
    first = start(city, nl, editor="party_liaison")
    assert first.editor == city.users["party_liaison"]
    # After the last member the rota wraps to the first: owner joined with a date.
    assert queries_newsletter.next_editor(nl) == city.users["owner"]


def test_the_editor_must_be_a_party_member_of_the_organisation(city):
    nl = paper(city)
    with pytest.raises(Invalid) as exc:
        start(city, nl, editor="owner")
    assert "editor" in exc.value.errors
    with pytest.raises(Invalid):
        start(city, nl, editor="party_liaison_2")  # the C2 committee's member


def test_starting_tells_the_editor_and_one_issue_per_quarter(
    city, django_capture_on_commit_callbacks
):
    nl = paper(city)
    with django_capture_on_commit_callbacks(execute=True):
        issue = start(city, nl)
    assert Notification.objects.filter(
        recipient=city.users["party_liaison"], kind="notices.newsletter"
    ).exists()
    assert issue.editor == city.users["party_liaison"]
    with pytest.raises(Conflict) as exc:
        start(city, nl)
    assert exc.value.code == "issue_exists"


def test_bad_quarter_is_refused(city):
    nl = paper(city)
    with pytest.raises(Invalid) as exc:
        start(city, nl, quarter=5)
    assert "quarter" in exc.value.errors


# --- Assembly ---------------------------------------------------------------------------------


def test_assembly_takes_each_section_of_the_quarter_only_and_within_scope(city):
    good = notice_at(in_quarter(5), city, kind="good_deed", place="B1", title="好人: 修车棚")
    notice_at(in_quarter(-100), city, kind="good_deed", place="B1", title="上季度的好事")
    notice_at(in_quarter(6), city, kind="good_deed", place="E2", who="community_staff_2")
    bad = notice_at(in_quarter(7), city, kind="uncivil", place="E1", title="高空抛物")
    water = notice_at(in_quarter(8), city, place="S", who="subdistrict_admin", title="街道通知")
    disclosure = notice_at(in_quarter(9), city, kind="disclosure", place="C1", title="公示: 预算")
    notice_at(in_quarter(9), city, publish=False, title="草稿")  # never published
    with_result = services.publish_result(
        user=city.users["community_staff"],
        place=city.places["E1"],
        title="红栋力 九月排名",
        body="一号楼第一",
        source="deliberation.publication:999",
        source_app="ratings",
    )
    ballot = services.publish_result(
        user=city.users["community_staff"],
        place=city.places["E1"],
        title="电梯表决结果",
        body="通过",
        source="deliberation.publication:998",
        source_app="deliberation",
    )
    from linju.notices.models import Notice

    when = in_quarter(10)
    Notice.objects.filter(pk__in=[with_result.pk, ballot.pk]).update(published_at=when)
    project = Project.objects.create(
        place=city.places["B1"], title="车棚改造", summary="s", stage="in_progress"
    )
    elsewhere = Project.objects.create(
        place=city.places["B3"], title="C2 的项目", summary="s", stage="in_progress"
    )
    ProgressUpdate.objects.create(project=project, text="地面已铺好", created_at=in_quarter(11))
    ProgressUpdate.objects.create(project=elsewhere, text="不该出现", created_at=in_quarter(11))
    ProgressUpdate.objects.create(project=project, text="下季度", created_at=in_quarter(100))

    issue = start(city, paper(city))
    by = {s: [i.title for i in items_of(issue, s)] for s in ("good_deeds", "uncivil")}
    assert by == {"good_deeds": [good.title], "uncivil": [bad.title]}
    assert [i.title for i in items_of(issue, "notices")] == [water.title, disclosure.title]
    assert [i.title for i in items_of(issue, "contests")] == ["红栋力 九月排名"]
    progress = items_of(issue, "projects")
    assert [(i.title, i.summary) for i in progress] == [("车棚改造", "地面已铺好")]
    assert progress[0].link == f"/projects/{project.pk}/"
    assert items_of(issue, "good_deeds")[0].link == f"/notices/{good.pk}/"
    assert items_of(issue, "good_deeds")[0].source == f"notices.notice:{good.pk}"


def test_reassembly_adds_new_pieces_and_keeps_the_editors_edits(city):
    first = notice_at(in_quarter(5), city, kind="good_deed", title="第一件好事")
    second = notice_at(in_quarter(6), city, kind="good_deed", title="第二件好事")
    issue = start(city, paper(city))
    editor = city.users["party_liaison"]
    a, b = items_of(issue, "good_deeds")
    newsletter_services.update_item(
        user=editor, item_id=a.pk, title="改过的标题", summary="改写", included=True, position=9
    )
    newsletter_services.update_item(
        user=editor, item_id=b.pk, title=b.title, summary=b.summary, included=False, position=0
    )
    third = notice_at(in_quarter(20), city, kind="good_deed", title="第三件好事")
    again = newsletter_services.reassemble(user=editor, issue_id=issue.pk)
    assert again.added == 1
    rows = {i.source: i for i in items_of(issue, "good_deeds")}
    assert len(rows) == 3
    edited = rows[f"notices.notice:{first.pk}"]
    assert (edited.title, edited.summary, edited.position) == ("改过的标题", "改写", 9)
    assert rows[f"notices.notice:{second.pk}"].included is False
    new = rows[f"notices.notice:{third.pk}"]
    assert new.included and new.position > 0
    # Once more: nothing new, nothing copied twice.
    assert newsletter_services.reassemble(user=editor, issue_id=issue.pk).added == 0
    assert IssueItem.objects.filter(issue=issue).count() == 3


def test_a_withdrawn_notice_is_left_out_on_reassembly(city):
    gone = notice_at(in_quarter(5), city, kind="uncivil", title="曝光")
    issue = start(city, paper(city))
    services.withdraw_notice(
        user=city.users["community_staff"], notice_id=gone.pk, reason="当事人撤回同意"
    )
    newsletter_services.reassemble(user=city.users["party_liaison"], issue_id=issue.pk)
    assert items_of(issue, "uncivil")[0].included is False


# --- Editing and publishing -------------------------------------------------------------------


def test_publish_needs_a_foreword_and_is_final(city, django_capture_on_commit_callbacks):
    notice_at(in_quarter(5), city, kind="good_deed")
    issue = start(city, paper(city))
    editor = city.users["party_liaison"]
    with pytest.raises(Invalid) as exc:
        newsletter_services.publish_issue(user=editor, issue_id=issue.pk)
    assert "foreword" in exc.value.errors
    with django_capture_on_commit_callbacks(execute=True):
        done = publish(city, issue)
    assert done.status == "published" and done.published_at
    told = set(
        Notification.objects.filter(kind="notices.newsletter").values_list(
            "recipient_id", flat=True
        )
    )
    assert {city.users["owner"].pk, city.users["tenant"].pk} <= told
    assert city.users["owner_2"].pk not in told  # lives in C2
    item = items_of(issue)[0]
    for call in (
        lambda: newsletter_services.write_foreword(user=editor, issue_id=issue.pk, foreword="x"),
        lambda: newsletter_services.reassemble(user=editor, issue_id=issue.pk),
        lambda: newsletter_services.publish_issue(user=editor, issue_id=issue.pk),
        lambda: newsletter_services.update_item(
            user=editor, item_id=item.pk, title="x", summary="", included=True, position=0
        ),
    ):
        with pytest.raises(Conflict) as exc:
            call()
        assert exc.value.code == "published"


def test_a_party_member_who_is_not_the_editor_cannot_edit(city):
    add_member(city, "owner", joined="2010-01-01")
    notice_at(in_quarter(5), city, kind="good_deed")
    issue = start(city, paper(city))
    assert issue.editor == city.users["owner"]
    other = city.users["party_liaison"]
    assert not rules.can_edit_issue(other, issue)
    with pytest.raises(NotFound):  # a draft is not shown to them at all
        newsletter_services.write_foreword(user=other, issue_id=issue.pk, foreword="x")
    item = items_of(issue)[0]
    with pytest.raises(NotFound):
        newsletter_services.update_item(
            user=other, item_id=item.pk, title="x", summary="", included=True, position=0
        )
    # The community staff may step in.
    newsletter_services.write_foreword(
        user=city.users["community_staff"], issue_id=issue.pk, foreword="代笔"
    )


def test_readers_of_a_published_issue_may_not_edit_it(city):
    issue = start(city, paper(city))
    publish(city, issue)
    with pytest.raises(Forbidden):
        newsletter_services.reassemble(user=city.users["owner"], issue_id=issue.pk)


def test_who_reads_an_issue(city):
    issue = start(city, paper(city))
    assert queries_newsletter.issue_for(city.users["owner"], issue.pk) is None  # a draft
    assert queries_newsletter.issue_for(city.users["party_liaison"], issue.pk) is not None
    publish(city, issue)
    for who in ("owner", "tenant", "building_head", "community_staff", "subdistrict_admin"):
        assert queries_newsletter.issue_for(city.users[who], issue.pk) is not None, who
    for who in ("owner_2", "community_staff_2", "newcomer"):
        assert queries_newsletter.issue_for(city.users[who], issue.pk) is None, who


def test_item_input_is_checked(city):
    notice_at(in_quarter(5), city, kind="good_deed")
    issue = start(city, paper(city))
    item = items_of(issue)[0]
    editor = city.users["party_liaison"]
    for field, kw in [
        ("title", {"title": " ", "position": 0}),
        ("position", {"title": "x", "position": -1}),
        ("position", {"title": "x", "position": "many"}),
    ]:
        with pytest.raises(Invalid) as exc:
            newsletter_services.update_item(
                user=editor, item_id=item.pk, summary="", included=True, **kw
            )
        assert field in exc.value.errors


def test_latest_published_for_the_board(city):
    nl = paper(city)
    first = start(city, nl, quarter=2)
    publish(city, first)
    start(city, nl, quarter=QUARTER)  # a draft: not listed
    assert queries_newsletter.latest_published(city.users["owner"]) == [first]
    assert queries_newsletter.latest_published(city.users["owner_2"]) == []


def test_every_write_is_audited(city):
    notice_at(in_quarter(5), city, kind="good_deed")
    issue = start(city, paper(city))
    editor = city.users["party_liaison"]
    item = items_of(issue)[0]
    newsletter_services.update_item(
        user=editor, item_id=item.pk, title="t", summary="", included=True, position=1
    )
    newsletter_services.reassemble(user=editor, issue_id=issue.pk)
    publish(city, issue)
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {
        "newsletter.create",
        "newsletter.issue_start",
        "newsletter.item_update",
        "newsletter.reassemble",
        "newsletter.foreword",
        "newsletter.publish",
    } <= verbs
