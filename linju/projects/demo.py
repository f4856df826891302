"""Demo co-creation (共同缔造, seeds 000, 002, 004) in the demo community of linju.people.demo.

The three lists: eight needs heard on visits, in surveys and from reports, some supported by
residents; the resources of three partner organisations (the community's own partner, with
its people, a primary school and the subdistrict's housing office), each with its co-building
agreement and what it delivered, and a retired electrician's offer. The projects, one in each
part of the road:
- 路面刷黑 (seed 002: 众筹x万元完成小区路面刷黑): decided on the community's topic, funded by
  government money, the partner and a crowdfunding campaign whose public account shows
  residents' payments (one confirmed by a second person), the contractor's approved expenses
  and the surplus kept; built, completed and evaluated by residents;
- 楼道声控灯改造: funding now — an open campaign with pledges, payments (one waiting for its
  second confirmation) and an expense waiting for its approval;
- 儿童游乐角: in progress, with milestones, tasks (one the partner's) and progress updates;
- 楼顶漏水修复: proposed from two needs;
and elevator retrofits: the unit whose owners' ballot the deliberation demo published is under
construction; up to three more units are consulting their owners.

Everything goes through the services (lists, projects, retrofits, funds), so audit events,
ledgers and notifications are those of real use. Where a service waits for time to pass (a
campaign closes after its deadline) the row's date is moved first, as a clock would have.
Deterministic; the audit event `MARKER` says the demo is loaded and `load_demo` then changes
nothing."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from linju.core import access, audit
from linju.core.models import AuditEvent
from linju.deliberation.models import Ballot, BallotStatus, Rule, Topic, TopicStatus
from linju.people import demo as people_demo
from linju.people.models import Residency, ResidencyStatus, RoleGrant, User
from linju.people.roles import Role
from linju.places.models import Place, PlaceKind
from linju.ratings import evaluations

from . import services_funds as funds
from . import services_lists as lists
from . import services_projects as work
from . import services_retrofits as retrofits
from .models import Campaign, PaymentStatus, RetrofitStage

MARKER = "projects.demo.load"
YUAN = 100  # fen


def is_loaded() -> bool:
    return AuditEvent.objects.filter(verb=MARKER).exists()


@dataclass
class _Cast:
    staff: User
    owners_committee: User | None
    partner_person: User | None
    resident: User | None
    fund_people: list  # demo logins who may keep or approve a fund: committee first
    community: Place
    estates: list
    residents: list  # (user, household) of verified owners, one per household, tree order


def _cast() -> _Cast | None:
    if not people_demo.is_loaded():
        return None
    users = {u.mobile: u for u in User.objects.filter(mobile__in=people_demo.DEMO_NUMBERS)}
    staff = users.get(people_demo.DEMO_MOBILE[Role.COMMUNITY_STAFF])
    grant = (
        RoleGrant.objects.filter(user=staff, role=Role.COMMUNITY_STAFF, revoked_at__isnull=True)
        .select_related("place")
        .order_by("pk")
        .first()
    )
    if grant is None:
        return None
    community = grant.place
    partner = users.get(people_demo.DEMO_MOBILE[Role.PARTNER])
    if partner is not None and not RoleGrant.objects.filter(
        user=partner, role=Role.PARTNER, place=community, revoked_at__isnull=True
    ):
        partner = None
    committee = users.get(people_demo.DEMO_MOBILE[Role.OWNERS_COMMITTEE])
    estates = list(Place.objects.filter(parent=community, kind=PlaceKind.ESTATE).order_by("path"))
    # The owners' committee's estate first: its committee keeps the estate's funds.
    home = next(
        (e for e in estates if committee and access.can(committee, "projects.view", e)), None
    )
    if home is not None:
        estates.remove(home)
        estates.insert(0, home)
    keepers = [
        users.get(people_demo.DEMO_MOBILE[role])
        for role in (
            Role.OWNERS_COMMITTEE,
            Role.COMMUNITY_STAFF,
            Role.BUILDING_HEAD,
            Role.GRID_WORKER,
            Role.UNIT_HEAD,
        )
    ]
    rows = (
        Residency.objects.filter(
            status=ResidencyStatus.VERIFIED,
            household__path__startswith=community.path,
            relation__in=["owner", "co_owner"],
        )
        .exclude(user__mobile__in=people_demo.DEMO_NUMBERS)
        .select_related("user", "household")
        .order_by("household__path", "user__mobile")
    )
    seen, residents = set(), []
    for r in rows[:2000]:
        if r.household_id not in seen and r.user.is_active:
            seen.add(r.household_id)
            residents.append((r.user, r.household))
    resident = users.get(people_demo.DEMO_MOBILE[Role.RESIDENT])
    return _Cast(
        staff=staff,
        owners_committee=committee,
        partner_person=partner,
        resident=resident,
        fund_people=[k for k in keepers if k is not None],
        community=community,
        estates=estates,
        residents=residents,
    )


def load_demo(*, progress=None) -> dict | None:
    """Write the demo co-creation once. Returns what was made, or None when it is there already
    or the demo community is not."""
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        if is_loaded():
            return None
        cast = _cast()
        if cast is None or not cast.estates or len(cast.residents) < 12:
            return None
        counts = _Script(cast).run()
        audit.record(actor=None, verb=MARKER, obj=cast.community, data=counts)
    if progress:
        progress("projects", f"{counts['projects']} projects")
    return counts


class _Script:
    def __init__(self, cast: _Cast):
        self.c = cast
        self.staff = cast.staff
        self.today = timezone.localdate()
        self.estate = cast.estates[0]
        self.buildings = list(
            Place.objects.filter(parent=self.estate, kind=PlaceKind.BUILDING).order_by("path")
        )

    def days_ago(self, n) -> datetime.date:
        return self.today - datetime.timedelta(days=n)

    def in_estate(self, estate):
        return [(u, h) for u, h in self.c.residents if h.path.startswith(estate.path)]

    # --- The story -------------------------------------------------------------------------------

    def run(self) -> dict:
        partners = self.partners()
        needs = self.needs()
        resources = self.resources(partners)
        road = self.road_project(needs, partners, resources)
        lights = self.lights_project(needs)
        play = self.playground_project(needs, partners)
        roof = work.create_project(
            user=self.staff,
            place_id=self.estate.pk,
            title="楼顶漏水修复",
            summary="顶楼住户反映雨天漏水，拟对两栋楼屋面做防水",
            need_ids=[needs["roof"].pk, needs["roof2"].pk],
        )
        lifts = self.retrofits()
        return {
            "partners": len(partners),
            "needs": len(needs),
            "resources": len(resources),
            "projects": len([road, lights, play, roof]),
            "elevator_retrofits": lifts,
        }

    def partners(self) -> dict:
        c, staff = self.c, self.staff
        members = [c.partner_person.pk] if c.partner_person else []
        name = (
            c.partner_person.name.split("·")[0]
            if c.partner_person and "·" in c.partner_person.name
            else "幸福里物业服务有限公司"
        )
        made = {
            "company": lists.create_partner(
                user=staff,
                place_id=c.community.pk,
                name=name,
                kind="enterprise",
                members=members,
                contact_name="王经理",
                description="辖区共建单位，提供活动场地和维修力量，支持小区微更新。",
            ),
            "school": lists.create_partner(
                user=staff,
                place_id=c.community.pk,
                name="实验小学",
                kind="school",
                description="共建单位：学生志愿服务、暑期托管场地。",
            ),
            "office": lists.create_partner(
                user=staff,
                place_id=c.community.pk,
                name="街道房管所",
                kind="government",
                description="老旧小区改造、加装电梯政策咨询与审批协助。",
            ),
        }
        terms = {
            "company": (
                "2026年度共建协议",
                "每季度提供活动室两次；维修班组参与微项目施工；资助路面改造2万元。",
            ),
            "school": ("校社共建协议", "每学期组织学生志愿服务四次；暑期开放操场。"),
            "office": ("老旧小区改造共建协议", "加装电梯政策宣讲每季度一次；协助办理审批。"),
        }
        start = self.today.replace(month=1, day=1)
        for key, (title, commitments) in terms.items():
            agreement = lists.add_agreement(
                user=staff,
                partner=made[key],
                title=title,
                commitments=commitments,
                starts_on=start,
                ends_on=start.replace(month=12, day=31),
                signed_on=start,
            )
            if key == "company":
                lists.add_delivery(
                    user=staff,
                    partner=made[key],
                    delivered_on=self.days_ago(40),
                    what="提供活动室举办邻里议事会",
                    agreement_id=agreement.pk,
                )
        return made

    def needs(self) -> dict:
        staff, estate = self.staff, self.estate
        b = self.buildings
        spec = {
            "road": (estate, "小区主干道坑洼积水", "survey", 320),
            "lights": (b[0], f"{b[0].name}楼道灯经常不亮", "visit", 24),
            "play": (estate, "缺少儿童游乐场地", "survey", 85),
            "roof": (b[min(1, len(b) - 1)], "顶楼雨天漏水", "visit", 6),
            "roof2": (b[min(2, len(b) - 1)], "屋面防水层老化", "visit", 4),
            "dry": (estate, "缺少晾晒架", "survey", 40),
            "meals": (self.c.community, "高龄老人吃饭难，希望有助餐点", "visit", 60),
            "bins": (estate, "垃圾分类亭不够用", "other", 120),
        }
        made = {}
        for key, (place, title, source, households) in spec.items():
            made[key] = lists.create_need(
                user=staff,
                place_id=place.pk,
                title=title,
                source=source,
                households=households,
                description=f"走访和问卷中居民反映：{title}。",
            )
        supporters = [u for u, h in self.in_estate(estate)][:9]
        for i, user in enumerate(supporters):
            for key in ("dry", "bins") if i % 2 else ("dry", "play", "bins"):
                lists.support_need(user=user, need=made[key])
        return made

    def resources(self, partners) -> dict:
        staff = self.staff
        made = {
            "room": lists.create_resource(
                user=staff,
                partner_id=partners["company"].pk,
                title="物业活动室",
                kind="venue",
                quantity=2,
                unit="次/季度",
                description="可容纳40人，配投影。",
            ),
            "fund": lists.create_resource(
                user=staff,
                partner_id=partners["company"].pk,
                title="共建资金",
                kind="funds",
                amount_fen=20_000 * YUAN,
            ),
            "pupils": lists.create_resource(
                user=staff,
                partner_id=partners["school"].pk,
                title="学生志愿者",
                kind="volunteers",
                quantity=30,
                unit="人次",
            ),
            "advice": lists.create_resource(
                user=staff,
                partner_id=partners["office"].pk,
                title="加装电梯政策咨询",
                kind="expertise",
                quantity=4,
                unit="次",
            ),
        }
        electrician = self.c.residents[3][0]
        made["electrician"] = lists.create_resource(
            user=electrician,
            place_id=self.estate.pk,
            title="退休电工，可帮忙检修线路",
            kind="expertise",
            quantity=10,
            unit="小时",
        )
        return made

    def road_project(self, needs, partners, resources):
        staff = self.staff
        topic = (
            Topic.objects.filter(
                path__startswith=self.c.community.path,
                status__in=[TopicStatus.EVALUATING, TopicStatus.CLOSED],
            )
            .order_by("pk")
            .first()
        )
        project = work.create_project(
            user=staff,
            place_id=self.estate.pk,
            title="小区路面刷黑",
            summary="主干道沥青刷黑、疏通雨水口，居民众筹出资出力",
            description="凡建设居民必众筹出钱出力：政府补助、共建单位资助、居民众筹，"
            "居民义务劳动清理路面。",
            need_ids=[needs["road"].pk],
            topic_id=topic.pk if topic else None,
            partner_ids=[partners["company"].pk],
        )
        pk = project.pk
        work.use_resource(user=staff, project_id=pk, resource_id=resources["fund"].pk)
        if topic is None:  # the deliberation demo is not there: deliberated on this topic
            return project
        for source, amount, hours, partner in (
            ("government", 30_000 * YUAN, 0, None),
            ("partner", 20_000 * YUAN, 0, partners["company"].pk),
            ("crowdfunding", 10_000 * YUAN, 0, None),
            ("labour", 0, 120, None),
        ):
            work.add_budget_line(
                user=staff,
                project_id=pk,
                source=source,
                amount_fen=amount,
                hours=hours,
                partner_id=partner,
            )
        for stage in ("deliberated", "approved"):
            work.advance(user=staff, project_id=pk, to_stage=stage)
        campaign = self.campaign(project, goal=10_000, deadline_days=20)
        work.advance(user=staff, project_id=pk, to_stage="funding")
        payers = self.in_estate(self.estate)[:14]
        for i, (user, household) in enumerate(payers):
            amount = 800 if i < 12 else 1_200
            funds.pledge(
                user=user, campaign=campaign, amount_fen=amount * YUAN, show_name=i % 3 == 0
            )
            payment = funds.record_payment(
                user=campaign.treasurer,
                campaign=campaign,
                household=household.pk,
                amount_fen=amount * YUAN,
                method="qr" if i % 2 else "cash",
                paid_on=self.days_ago(15 - i % 5),
                key=f"demo:road:{household.pk}",
            )
            if payment.status == PaymentStatus.PENDING:
                funds.confirm_payment(user=self.staff, payment=payment)
        work.advance(user=staff, project_id=pk, to_stage="in_progress")
        work.add_milestone(user=staff, project_id=pk, title="路面清理", due_on=self.days_ago(10))
        task = work.add_task(
            user=staff, project_id=pk, title="施工队进场刷黑", partner_id=partners["company"].pk
        )
        work.complete_task(user=staff, task_id=task.pk)
        work.post_update(
            user=staff,
            project_id=pk,
            text="居民义务劳动清理路面，施工队完成主干道沥青刷黑，雨水口全部疏通。",
        )
        expense = funds.request_expense(
            user=campaign.treasurer,
            campaign=campaign,
            payee="路桥养护工程队",
            purpose="主干道沥青刷黑（众筹承担部分）",
            amount_fen=9_000 * YUAN,
            spent_on=self.days_ago(5),
        )
        for approver in campaign.approvers.exclude(pk=campaign.treasurer_id).order_by("pk")[:2]:
            funds.approve_expense(user=approver, expense=expense)
        Campaign.objects.filter(pk=campaign.pk).update(deadline=self.days_ago(1))
        funds.close_campaign(user=staff, campaign=campaign)
        work.advance(user=staff, project_id=pk, to_stage="completed")
        items = evaluations.items_for(project.path)
        for i, (user, _household) in enumerate(payers[:10]):
            stars = 5 if i % 4 else 4
            work.evaluate(
                user=user,
                project_id=pk,
                stars=stars,
                comment="路面平整了，下雨不再积水。" if i % 3 == 0 else "",
                scores={item.code: int(item.max_points) - (i % 2) for item in items},
            )
        work.advance(user=staff, project_id=pk, to_stage="evaluated")
        return project

    def campaign(self, project, *, goal, deadline_days):
        """The fund kept by the first demo login whose role lies on the project's branch (the
        owners' committee where it can), approved by the next two."""
        branch = [
            p
            for p in self.c.fund_people
            if any(
                project.path.startswith(s) or s.startswith(project.path)
                for role, paths in access.role_scopes(p).items()
                if role not in ("resident", "owner", "party_liaison")
                for s in paths
            )
        ]
        treasurer, approvers = branch[0], [p.pk for p in branch[1:3]] or [branch[0].pk]
        return funds.open_campaign(
            user=self.staff,
            project=project,
            title=f"{project.title}众筹",
            goal_fen=goal * YUAN,
            deadline=self.today + datetime.timedelta(days=deadline_days),
            treasurer=treasurer.pk,
            approvers=approvers,
            confirm_above_fen=1_000 * YUAN,
            two_approvals_above_fen=5_000 * YUAN,
            surplus="keep",
            rules_text="众筹资金专款专用；单笔支出5000元以上须两名审批人同意；"
            "收支每月在公示栏公开，接受全体居民监督。",
        )

    def lights_project(self, needs):
        staff, building = self.staff, self.buildings[0]
        project = work.create_project(
            user=staff,
            place_id=building.pk,
            title="楼道声控灯改造",
            summary=f"{building.name}各单元楼道更换声控节能灯",
            need_ids=[needs["lights"].pk],
        )
        pk = project.pk
        topic = (
            Topic.objects.filter(path__startswith=self.c.community.path)
            .exclude(status__in=[TopicStatus.DECLINED, TopicStatus.WITHDRAWN])
            .order_by("-pk")
            .first()
        )
        if topic is None:
            return project
        work.update_project(
            user=staff,
            project_id=pk,
            title=project.title,
            summary=project.summary,
            topic_id=topic.pk,
        )
        work.add_budget_line(
            user=staff, project_id=pk, source="crowdfunding", amount_fen=3_000 * YUAN
        )
        work.add_budget_line(user=staff, project_id=pk, source="labour", hours=16)
        for stage in ("deliberated", "approved"):
            work.advance(user=staff, project_id=pk, to_stage=stage)
        campaign = self.campaign(project, goal=3_000, deadline_days=14)
        work.advance(user=staff, project_id=pk, to_stage="funding")
        households = [(u, h) for u, h in self.c.residents if h.path.startswith(building.path)][:8]
        for i, (user, household) in enumerate(households):
            amount = (100, 200, 150, 1_200, 100, 300, 200, 100)[i]
            funds.pledge(user=user, campaign=campaign, amount_fen=amount * YUAN, show_name=i == 1)
            if i < 5:
                funds.record_payment(
                    user=campaign.treasurer,
                    campaign=campaign,
                    household=household.pk,
                    amount_fen=amount * YUAN,
                    method="qr",
                    paid_on=self.days_ago(3 - i % 3),
                    key=f"demo:lights:{household.pk}",
                )
        funds.request_expense(
            user=campaign.treasurer,
            campaign=campaign,
            payee="五金电料店",
            purpose="声控灯40只",
            amount_fen=600 * YUAN,
            spent_on=self.days_ago(1),
        )
        return project

    def playground_project(self, needs, partners):
        staff = self.staff
        estate = self.c.estates[-1] if len(self.c.estates) > 1 else self.estate
        project = work.create_project(
            user=staff,
            place_id=self.estate.pk,
            title="儿童游乐角",
            summary="利用闲置绿地建儿童游乐角，家长和学生志愿者共建",
            need_ids=[needs["play"].pk],
            partner_ids=[partners["school"].pk],
        )
        pk = project.pk
        topic = Topic.objects.filter(path__startswith=self.c.community.path).order_by("pk").first()
        if topic is None or estate is None:
            return project
        work.update_project(
            user=staff,
            project_id=pk,
            title=project.title,
            summary=project.summary,
            topic_id=topic.pk,
        )
        work.add_budget_line(
            user=staff, project_id=pk, source="government", amount_fen=15_000 * YUAN
        )
        work.add_budget_line(user=staff, project_id=pk, source="labour", hours=60)
        for stage in ("deliberated", "approved", "funding", "in_progress"):
            work.advance(user=staff, project_id=pk, to_stage=stage)
        first = work.add_milestone(
            user=staff, project_id=pk, title="方案征求意见", due_on=self.days_ago(7)
        )
        work.set_milestone_done(user=staff, milestone_id=first.pk)
        work.add_milestone(
            user=staff,
            project_id=pk,
            title="设施安装",
            due_on=self.today + datetime.timedelta(days=20),
        )
        work.add_task(
            user=staff,
            project_id=pk,
            title="组织学生志愿者彩绘围栏",
            partner_id=partners["school"].pk,
            due_on=self.today + datetime.timedelta(days=10),
        )
        work.add_task(
            user=staff,
            project_id=pk,
            title="采购滑梯和秋千",
            owner_id=staff.pk,
            due_on=self.today + datetime.timedelta(days=14),
        )
        work.post_update(
            user=staff,
            project_id=pk,
            text="方案在议事会和公示栏征求意见两周，居民投票选定了“沙坑+滑梯+休息座椅”方案。",
        )
        return project

    def retrofits(self) -> int:
        staff = self.staff
        made = 0
        passed = (
            Ballot.objects.filter(
                path__startswith=self.c.community.path,
                rule=Rule.ELEVATOR,
                passed=True,
                status__in=[BallotStatus.CLOSED, BallotStatus.PUBLISHED],
            )
            .select_related("place")
            .order_by("pk")
            .first()
        )
        taken = set()
        if passed is not None and passed.place.kind == PlaceKind.UNIT:
            lift = retrofits.open_retrofit(
                user=staff, place_id=passed.place_id, ballot_id=passed.pk, note="北侧加装8人电梯"
            )
            retrofits.advance_retrofit(
                user=staff, retrofit_id=lift.pk, to_stage=RetrofitStage.CONSENT
            )
            for stage, days in (
                (RetrofitStage.SIGNED, 30),
                (RetrofitStage.APPROVED, 18),
                (RetrofitStage.CONSTRUCTION, 6),
            ):
                retrofits.advance_retrofit(
                    user=staff, retrofit_id=lift.pk, to_stage=stage, on=self.days_ago(days)
                )
            taken.add(passed.place_id)
            made += 1
        units = (
            Place.objects.filter(kind=PlaceKind.UNIT, path__startswith=self.estate.path)
            .exclude(pk__in=taken)
            .order_by("path")
        )
        for unit in units[:3]:
            retrofits.open_retrofit(user=staff, place_id=unit.pk, note="业主意见征询中")
            made += 1
        return made
