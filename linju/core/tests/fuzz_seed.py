"""The data the API fuzzer (test_api_fuzz.py) aims at: the shared test city with a few objects
of every app made through their services, and the real ids and codes of each, by the name the
API gives the parameter that takes them."""

from dataclasses import dataclass, field
from datetime import time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import build_city
from linju.core import tokens
from linju.core.notifications import notify

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@dataclass
class Seeded:
    city: object
    keys: dict  # who → personal API token
    ids: dict = field(default_factory=dict)  # parameter name → real values

    def add(self, name, *values):
        pool = self.ids.setdefault(name, [])
        pool.extend(getattr(v, "pk", v) for v in values if v is not None)


def seed() -> Seeded:
    """The city of conftest.build_city, then in C1 (E1, B1): reports, a topic with its
    procedure, a decision and a task, a meeting, an open ballot, a contest with a round in
    scoring, store items with a redemption, a team, an activity with a sign-up, an interest
    group, a talent with an invitation and a service record, surveys (a draft, an open one
    answered, a closed one), an assisted service with a slot, requests and a mobile desk, mutual
    aid's posts and shared items, and on the notice board a notice of each kind (drafts,
    withdrawn, important with a receipt, a disclosure with an attachment and objections) and a
    newsletter with a published issue and a draft."""
    city = build_city()
    users, places = city.users, city.places
    staff, owner, tenant = users["community_staff"], users["owner"], users["tenant"]
    seeded = Seeded(
        city=city,
        keys={
            "staff": tokens.create_token(user=staff, name="fuzz")[1],
            "resident": tokens.create_token(user=owner, name="fuzz")[1],
        },
    )
    add = seeded.add
    add("place", *(places[k] for k in ("C1", "E1", "B1", "U1", "B2", "C2")))
    add("household", *city.households.values())
    add("person", owner, tenant, staff, users["grid_worker"], users["unit_head"])
    add("grid", *city.grids.values())
    notify(recipients=[staff, owner], kind="test", title="fuzz")
    _people(seeded)
    _reports(seeded)
    _deliberation(seeded)
    _ratings(seeded)
    _points(seeded)
    _activities(seeded)
    _surveys(seeded)
    _services(seeded)
    _mutualaid(seeded)
    _notices(seeded)
    return seeded


def _people(seeded):
    from linju.people import services
    from linju.people.models import RoleGrant

    city = seeded.city
    residency = services.request_residency(
        user=city.users["newcomer"],
        household_id=city.households["H102"].pk,
        relation="tenant",
        note="fuzz",
    )
    seeded.add("residency", residency)
    seeded.add("grant", *RoleGrant.objects.filter(place=city.places["U1"]))
    seeded.add("token", *tokens.ApiToken.objects.all())


def _reports(seeded):
    from linju.reports import services
    from linju.reports.models import Category

    city = seeded.city
    staff = city.users["community_staff"]

    def submit(user="owner", place="B1", category="clutter"):
        return services.submit_report(
            user=city.users[user],
            category_code=category,
            place_id=city.places[place].pk,
            description="楼道里堆满了纸箱",
        )

    fresh = submit()
    accepted = services.accept_report(user=staff, report=submit("tenant"))
    joint = services.open_joint_case(user=staff, report=submit(place="E1"))
    seeded.add("report", fresh, accepted, joint)
    seeded.add("category", *Category.objects.values_list("code", flat=True)[:5])
    category = Category.objects.filter(attributes__isnull=False).first()
    if category is not None:
        seeded.add("category", category.code)
        seeded.add("attr_code", *category.attributes.values_list("code", flat=True))


def _deliberation(seeded):
    from linju.deliberation import services_ballots as ballots
    from linju.deliberation import services_meetings as meetings
    from linju.deliberation import services_settings as settings_
    from linju.deliberation import services_topics as topics
    from linju.deliberation.models import Procedure

    city = seeded.city
    staff, owner = city.users["community_staff"], city.users["owner"]
    now = timezone.now()
    proposed = topics.propose_topic(
        user=owner, place_id=city.places["B1"].pk, title="楼道照明", body="太暗"
    )
    raised = topics.propose_topic(
        user=staff,
        place_id=city.places["E1"].pk,
        title="加装电梯",
        body="老人上楼难",
        source="staff",
    )
    procedure = Procedure.objects.order_by("pk").first()
    raised = topics.put_on_agenda(user=staff, topic=raised)
    raised = topics.start_procedure(user=staff, topic=raised, procedure=procedure.code)
    decision = topics.record_topic_decision(user=staff, topic=raised, text="同意加装")
    task = topics.add_task(
        user=staff, topic=raised, title="报价", owner_id=owner.pk, due_on=now.date() + timedelta(7)
    )
    seeded.add("topic", proposed, raised)
    seeded.add("stage", *procedure.stages.all()[:3])
    seeded.add("decision", decision)
    seeded.add("task", task)
    seeded.add("procedure", procedure.code)
    meeting = meetings.create_meeting(
        user=staff,
        kind="yishihui",
        place_id=city.places["B1"].pk,
        title="一栋议事会",
        starts_at=now + timedelta(days=20),
        venue="活动室",
        topic_ids=[proposed.pk],
    )
    meetings.invite(user=staff, meeting=meeting, user_ids=[owner.pk, city.users["tenant"].pk])
    seeded.add("meeting", meeting)
    seeded.add("code", "yishihui")
    ballot = ballots.create_ballot(
        user=staff,
        place_id=city.places["E1"].pk,
        title="更换小区大门",
        electorate="owners",
        rule="ordinary",
        closes_at=now + timedelta(days=7),
    )
    ballot = ballots.open_ballot(user=staff, ballot=ballot)
    option = ballot.options.order_by("order").first()
    vote = ballots.cast_vote(user=owner, ballot=ballot, option_id=option.pk)
    seeded.add("ballot", ballot)
    seeded.add("option", *ballot.options.all())
    seeded.add("vote", vote)
    seeded.add("vote_file", "scan", "authorisation")
    seeded.add("elector", *ballot.electors.all()[:3])
    representative = settings_.appoint_representative(
        user=staff, community_id=city.places["C1"].pk, user_id=owner.pk
    )
    seeded.add("representative", representative)
    settings_.set_support_rule(user=staff, place_id=city.places["E1"].pk, households=2)


def _ratings(seeded):
    from linju.ratings import defaults
    from linju.ratings.models import Party
    from linju.ratings.services_rounds import (
        add_panellist,
        create_contest,
        open_round,
        start_scoring,
    )
    from linju.ratings.services_rubrics import adopt_rubric, copy_rubric

    city = seeded.city
    staff, e1 = city.users["community_staff"], city.places["E1"]
    rubric = copy_rubric(user=staff, rubric=defaults.template(defaults.CONTEST), place_id=e1.pk)
    adopt_rubric(user=staff, rubric=rubric)
    draft = copy_rubric(user=staff, rubric=defaults.template(defaults.CONTEST), place_id=e1.pk)
    contest = create_contest(
        user=staff,
        place_id=e1.pk,
        name="文明单元评比",
        rubric_id=rubric.pk,
        fee_fen_per_sqm_month=100,
    )
    panel = [
        (staff, Party.COMMUNITY),
        (city.users["property_manager"], Party.PROPERTY),
        (city.users["owners_committee"], Party.OWNERS_COMMITTEE),
        (city.users["owner"], Party.RESIDENTS),
    ]
    panellists = [
        add_panellist(user=staff, contest=contest, person_id=person.pk, party=party)
        for person, party in panel
    ]
    round_ = open_round(user=staff, contest=contest, period=timezone.localdate().strftime("%Y-%m"))
    round_ = start_scoring(user=staff, round_=round_)
    seeded.add("rubric", rubric, draft)
    seeded.add("rubric_item", *draft.items.all()[:3], *rubric.items.all()[:2])
    seeded.add("contest", contest)
    seeded.add("panellist", *panellists)
    seeded.add("round", round_)
    seeded.add("target", city.places["U1"], city.places["U2"])
    seeded.add("year", timezone.localdate().year)


def _points(seeded):
    from linju.points import services, services_store

    city = seeded.city
    staff, owner, c1 = city.users["community_staff"], city.users["owner"], city.places["C1"]
    rice = services_store.create_item(
        user=staff, place_id=c1.pk, name="大米 5kg", cost=50, stock=50, per_person=2
    )
    towel = services_store.create_item(user=staff, place_id=c1.pk, name="毛巾", cost=10, stock=3)
    services.adjust_points(
        user=staff, person_id=owner.pk, place_id=c1.pk, amount=200, reason="发放"
    )
    redemption = services_store.redeem(user=owner, item=rice)
    seeded.add("store_item", rice, towel)
    seeded.add("redemption", redemption)


def _activities(seeded):
    from linju.activities import services_activities as acts
    from linju.activities import services_talents as talents
    from linju.activities import services_teams as teams
    from linju.activities.tests.conftest import started

    city = seeded.city
    staff, owner, tenant = city.users["community_staff"], city.users["owner"], city.users["tenant"]
    patrol = teams.create_team(
        user=staff,
        place_id=city.places["C1"].pk,
        name="平安巡逻队",
        kind="safety",
        leader_id=owner.pk,
    )
    teams.add_team_member(user=staff, team_id=patrol.pk, person_id=tenant.pk)
    record = teams.submit_service(
        user=tenant, team_id=patrol.pk, served_on=timezone.localdate(), minutes=60, what="巡逻"
    )
    group = teams.create_group(
        user=staff, place_id=city.places["E1"].pk, name="广场舞队", leader_id=owner.pk
    )
    start = timezone.now() + timedelta(days=1)
    party = acts.create_activity(
        user=staff,
        place_id=city.places["B1"].pk,
        title="楼组包饺子",
        kind="festival",
        venue="B1 楼下",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=5,
    )
    sign_up = acts.sign_up(user=tenant, activity_id=party.pk)
    later = acts.create_activity(
        user=staff,
        place_id=city.places["E1"].pk,
        title="广场舞",
        kind="culture",
        venue="中心广场",
        starts_at=start + timedelta(days=7),
        ends_at=start + timedelta(days=7, hours=1),
        group_id=group.pk,
    )
    started(party)
    photo = acts.add_photos(
        user=staff,
        activity_id=party.pk,
        photos=[SimpleUploadedFile("a.jpg", _jpeg(), content_type="image/jpeg")],
    )[0]
    talent = talents.set_talent(user=tenant, skill="repairs", note="水电")
    invitation = talents.invite(
        user=staff, talent_id=talent.pk, message="帮忙修灯", project="楼道照明"
    )
    seeded.add("team", patrol)
    seeded.add("group", group)
    seeded.add("record", record)
    seeded.add("activity", party, later)
    seeded.add("sign_up", sign_up)
    seeded.add("activity_photo", photo)
    seeded.add("talent", talent)
    seeded.add("invitation", invitation)
    seeded.add("skill", "repairs", "legal")


def _surveys(seeded):
    from linju.surveys import services

    city = seeded.city
    staff, owner, c1 = city.users["community_staff"], city.users["owner"], city.places["C1"]
    today = timezone.localdate()
    questions = [
        {"kind": "single", "text": "最需要改善的是？", "options": ["停车", "照明", "绿化"]},
        {"kind": "scale", "text": "满意度（1–5）"},
        {"kind": "text", "text": "其他建议", "required": False},
    ]

    def survey(title):
        return services.create_survey(
            user=staff,
            place_id=c1.pk,
            title=title,
            audience="household",
            opens_on=today,
            closes_on=today + timedelta(days=14),
            questions=questions,
        )

    def answers(survey, choice):
        single, scale, _text = survey.questions.order_by("position")
        return {str(single.pk): choice, str(scale.pk): 4}

    draft = survey("需求调查（草稿）")
    running = survey("居民需求调查")
    services.open_survey(user=staff, survey=running)
    services.submit_response(user=owner, survey=running, answers=answers(running, 0))
    services.enter_paper(
        user=staff,
        survey=running,
        answers=answers(running, 1),
        household_id=city.households["H201"].pk,
    )
    closed = survey("满意度调查")
    services.open_survey(user=staff, survey=closed)
    services.submit_response(user=owner, survey=closed, answers=answers(closed, 2))
    services.close_survey(user=staff, survey=closed)
    seeded.add("survey", draft, running, closed)


def _services(seeded):
    from linju.services import services

    city = seeded.city
    staff, owner, tenant = city.users["community_staff"], city.users["owner"], city.users["tenant"]
    c1, today = city.places["C1"], timezone.localdate()
    item = services.create_item(
        user=staff,
        place_id=c1.pk,
        name="居住证明",
        description="社区出具居住证明",
        materials="身份证",
        handling_role="community_staff",
        time_limit_days=2,
    )
    other = services.create_item(
        user=staff,
        place_id=c1.pk,
        name="医保缴费",
        handling_role="grid_worker",
        time_limit_days=3,
    )
    slot = services.publish_slot(
        user=staff,
        place_id=c1.pk,
        day=today + timedelta(days=2),
        starts=time(9, 0),
        ends=time(11, 0),
        capacity=3,
    )
    booked = services.request_service(user=owner, item_id=item.pk, slot_id=slot.pk, note="上午")
    accepted = services.request_service(user=tenant, item_id=other.pk)
    services.accept_request(user=staff, request=accepted, note="已受理")
    desk = services.schedule_desk(
        user=staff,
        place_id=city.places["E1"].pk,
        day=today + timedelta(days=3),
        starts=time(15, 0),
        ends=time(17, 0),
        location="东门凉亭",
    )
    seeded.add("service_item", item, other)
    seeded.add("slot", slot)
    seeded.add("request", booked, accepted)
    seeded.add("session", desk)


def _mutualaid(seeded):
    from linju.mutualaid import services, services_sharing

    city = seeded.city
    owner, tenant = city.users["owner"], city.users["tenant"]
    need = services.create_post(user=owner, kind="need", title="借个梯子", body="换灯泡")
    offer = services.create_post(user=tenant, kind="offer", title="辅导数学", body="周末")
    services.claim_post(user=tenant, post_id=need.pk)
    drill = services_sharing.create_item(user=owner, kind="lend", title="电钻")
    book = services_sharing.create_item(user=tenant, kind="book", title="《小王子》")
    services_sharing.request_item(user=tenant, item_id=drill.pk)
    seeded.add("post", need, offer)
    seeded.add("shared_item", drill, book)


def _notices(seeded):
    from linju.notices import services, services_newsletter
    from linju.people.models import PartyOrganisation

    city = seeded.city
    staff, owner, tenant = city.users["community_staff"], city.users["owner"], city.users["tenant"]
    c1, e1 = city.places["C1"], city.places["E1"]
    today = timezone.localdate()

    def notice(place, kind, title, publish=True, **more):
        return services.create_notice(
            user=staff,
            place_id=place.pk,
            kind=kind,
            title=title,
            body=f"{title}，请居民留意。",
            publish=publish,
            **more,
        )

    water = notice(c1, "announcement", "停水通知", important=True, pinned=True)
    services.mark_read(user=owner, notice=water)
    budget = notice(e1, "disclosure", "预算公示", disclosure_ends_on=today + timedelta(days=7))
    attachment = services.add_attachment(
        user=staff,
        notice_id=budget.pk,
        upload=SimpleUploadedFile("预算.pdf", PDF, content_type="application/pdf"),
    )
    deed = notice(
        e1, "good_deed", "拾金不昧", privacy="consented", consent_note="本人书面同意公开姓名"
    )
    uncivil = notice(e1, "uncivil", "楼道飞线充电", privacy="nobody")
    draft = notice(e1, "announcement", "电梯维保安排", publish=False)
    withdrawn = notice(c1, "announcement", "停电通知")
    services.withdraw_notice(user=staff, notice_id=withdrawn.pk, reason="检修推迟")
    result = services.publish_result(
        user=staff,
        place=e1,
        title="表决结果：更换小区大门",
        body="同意 2 户，通过。",
        source="fuzz.result:1",
        source_app="deliberation",
    )
    open_objection = services.raise_objection(user=owner, notice_id=budget.pk, text="单价偏高")
    answered = services.raise_objection(user=tenant, notice_id=budget.pk, text="能否公开报价")
    services.answer_objection(user=staff, objection_id=answered.pk, answer="报价单已张贴")
    seeded.add("notice", water, budget, deed, uncivil, draft, withdrawn, result)
    seeded.add("attachment", attachment)
    seeded.add("objection", open_objection, answered)

    committee = PartyOrganisation.objects.get(name="C1 committee")
    paper = services_newsletter.create_newsletter(
        user=staff, place_id=c1.pk, name="睦邻服务报", organisation_id=committee.pk
    )
    year, quarter = today.year, (today.month - 1) // 3 + 1
    before = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    last = services_newsletter.start_issue(
        user=staff, newsletter_id=paper.pk, year=before[0], quarter=before[1]
    )
    services_newsletter.write_foreword(user=staff, issue_id=last.pk, foreword="各位邻居好。")
    services_newsletter.publish_issue(user=staff, issue_id=last.pk)
    issue = services_newsletter.start_issue(
        user=staff, newsletter_id=paper.pk, year=year, quarter=quarter
    )
    seeded.add("newsletter", paper)
    seeded.add("issue", issue, last)
    seeded.add("issue_item", *issue.items.all()[:4])
    seeded.add("organisation", committee)


def _jpeg() -> bytes:
    from linju.reports.tests.conftest import jpeg_bytes

    return jpeg_bytes(size=(40, 30), exif_gps=False)


__all__ = ["PDF", "Seeded", "seed"]
