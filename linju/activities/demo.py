"""Demo volunteer teams, activities, interest groups and talent pool (seeds 000, 002, 004) in the
demo community of linju.people.demo.

- 志愿服务队伍 (seed 002): three teams of the community — 文明劝导队 (led by the demo party
  liaison), 环境保护队 and 平安巡逻队 (led by the demo owner and a neighbour) — with their
  members (a few joined by themselves, the demo resident among them), a weekly service each
  over the last three months submitted by the members and confirmed by a leader the next
  evening (a leader's own by the other leader or the community staff); one turned down with
  its reason, the last days' still waiting, and one forgotten for days (the sweep's reminder
  to the leaders is due).
- 月月有活动、人人有展示 (seed 000): activities of up to four building groups (the demo one first)
  over the last three months and the next one — 楼道清洁日 (volunteer service, with hours),
  亲子手工, the month's festival (包粽子, 中秋灯谜会, 重阳敬老饺子宴…), 楼组茶话会 — plus the
  community's trainings (防诈骗讲座, 急救培训), the estate's festivals and the interest groups'
  shows; residents signed up, most came and checked in at the venue by its QR code, a few
  walked in at the desk, and the organiser confirmed who came (the last three days' not yet),
  with photos of two; one coming 亲子手工 is full, with a wait list that moved up when someone
  cancelled and ends with the demo resident.
- 兴趣导向 (seed 000): 合唱团, 书法社 and 广场舞队 with their members.
- 楼组达人库 (seed 000): talents in repairs, legal advice, calligraphy and health care shown to
  neighbours or to the staff only; invitations accepted, declined, and one waiting for the
  demo resident.

Everything goes through the services, so the points and hours ledgers (keys
`team-service:<id>`, `activity:<sign-up id>`), the wait lists, audit events and notifications
are those of real use. Each step runs inside `_Script.at(when)`: afterwards every time the step
wrote is moved back to `when` (the mechanism of linju.points.demo); steps run in time order.
An activity in the past is created with a time to come (the service refuses a past start),
moved to "started ten minutes ago" for its check-ins, then to its real time before it is
confirmed (as the tests' `started` helper does). Ledger entries are moved back only for people
with no entries before this demo, so everyone's history reads in order; the others (the
reports, ratings and points demos credited them at loading) have theirs at the time of
loading. Service hours go only to people with none yet, one source each (a team, or the
building's cleaning days), so their record reads in the order of the days served. Audit events
and notifications carry the time of loading; check-in codes are random, as in real use.

Deterministic: people are picked in tree order with `random.Random(SEED)`. The audit event
`MARKER` says the demo is loaded; `load_demo` then changes nothing."""

import io
import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from PIL import Image, ImageDraw

from linju.core import audit
from linju.core.models import AuditEvent
from linju.people import demo as people_demo
from linju.people.models import Residency, ResidencyStatus, RoleGrant, User
from linju.people.roles import Role
from linju.places.models import Place
from linju.points.models import HoursEntry, PointsEntry

from . import services_activities as acts
from . import services_talents as talents
from . import services_teams as teams
from .models import (
    Activity,
    ActivityKind,
    ActivityPhoto,
    GroupMember,
    InterestGroup,
    Invitation,
    MemberRole,
    ServiceRecord,
    ServiceStatus,
    SignUp,
    SignUpStatus,
    Skill,
    Talent,
    Team,
    TeamKind,
    TeamMember,
    Visibility,
)

SEED = 2026
MARKER = "activities.demo.load"
BUILDINGS = 4  # building groups with activities of their own
WEEKS = 13  # three months of team service
UNCONFIRMED_DAYS = 3  # the organisers have not confirmed the last days' activities yet
MAX_SIGN_UPS = 18  # a demo, not a benchmark: enough to fill the lists, quick to load

# Every time a step may write, by model (what `_Script.at` moves back).
TRACKED = {
    Team: ("created_at",),
    TeamMember: ("joined_at",),
    InterestGroup: ("created_at",),
    GroupMember: ("joined_at",),
    ServiceRecord: ("submitted_at", "decided_at"),
    Activity: ("created_at",),
    SignUp: ("signed_at", "checked_in_at", "confirmed_at"),
    ActivityPhoto: ("created_at",),
    Talent: ("created_at", "updated_at"),
    Invitation: ("sent_at", "answered_at"),
}
LEDGERS = (PointsEntry, HoursEntry)

# name, kind, description, services: (what, minutes, weekday (0 Monday), time of day)
TEAMS = (
    (
        "文明劝导队",
        TeamKind.CIVILITY,
        "劝导电动车规范停放、文明养犬、不高空抛物，宣传居民公约。党员带头，欢迎邻居加入。",
        (("文明劝导（电动车规范停放）", 60, 2, "18:00"), ("文明养犬劝导", 90, 5, "08:00")),
    ),
    (
        "环境保护队",
        TeamKind.ENVIRONMENT,
        "垃圾分类督导、楼道和绿化带清洁，守护小区环境。",
        (("垃圾分类督导", 90, 1, "07:00"), ("绿化带白色垃圾捡拾", 120, 6, "09:00")),
    ),
    (
        "平安巡逻队",
        TeamKind.SAFETY,
        "夜间巡逻、消防通道巡查、节假日值守，发现隐患及时报告。",
        (("夜间平安巡逻", 150, 4, "19:30"), ("消防通道巡查", 60, 0, "15:00")),
    ),
)
REJECTED_REASON = "与当天值班表重复登记，已按值班表记录"

GROUPS = (
    ("合唱团", "每周三下午在党群服务中心排练，唱红歌、老歌，也学新歌。", 10),
    ("书法社", "楷书、行书入门到提高，逢年过节给邻居写春联。", 8),
    ("广场舞队", "每天晚饭后在文化广场跳舞健身，音量按公约控制在 60 分贝以下。", 12),
)

# The building groups' rotation: title, kind, venue, minutes, places (0: no limit), description.
# None is the month's festival.
ROTATION = (
    (
        "楼道清洁日",
        ActivityKind.VOLUNTEER,
        "各单元楼道及楼前空地",
        120,
        0,
        "本楼组每月一次的楼道清洁：清理杂物、擦拭扶手、整理信报箱。工具由社区提供。",
    ),
    (
        "亲子手工：旧物改造小书架",
        ActivityKind.PARENT_CHILD,
        "楼下架空层",
        120,
        12,
        "用旧纸箱和包装盒和孩子一起做一个小书架，材料现场提供，请家长陪同。",
    ),
    None,
    (
        "楼组茶话会",
        ActivityKind.CULTURE,
        "楼组议事角",
        90,
        0,
        "邻里坐一坐、聊一聊：楼里的新鲜事、想办的事、想提的建议。",
    ),
)
# Days from today of each building group's activities (shifted a day per building).
BUILDING_DAYS = (-80, -52, -24, -4, 7)
HOURS_OF_DAY = ("09:30", "14:30", "19:00")

FESTIVALS = {
    1: ("写春联 送福字", "书法爱好者现场写春联、送福字，邻里一起贴春联迎新春。"),
    2: ("闹元宵 猜灯谜", "挂灯笼、猜灯谜、煮汤圆，一起过元宵。"),
    3: ("三八节插花沙龙", "为楼里的女性邻居准备的插花沙龙，花材由共建单位赞助。"),
    4: ("清明青团制作", "学做青团，讲讲清明节的来历。"),
    5: ("端午包粽子", "一起包粽子、做香囊，粽子分送楼里的独居老人。"),
    6: ("端午包粽子", "一起包粽子、做香囊，粽子分送楼里的独居老人。"),
    7: ("夏日纳凉晚会", "露天电影和邻里才艺表演，自带小板凳。"),
    8: ("七夕手工香囊", "缝香囊、讲七夕故事，老少皆宜。"),
    9: ("中秋灯谜会", "猜灯谜、做月饼、赏月，灯谜奖品由共建单位提供。"),
    10: ("重阳敬老饺子宴", "为楼里 70 岁以上的老人包饺子、量血压、拍全家福。"),
    11: ("立冬包饺子", "立冬吃饺子，邻里一起包，一起吃。"),
    12: ("冬至搓汤圆", "冬至搓汤圆，给行动不便的老人送上门。"),
}

# days from today, title, kind, venue, minutes, places, description, time of day
COMMUNITY_ACTIVITIES = (
    (
        -75,
        "防范电信网络诈骗讲座",
        ActivityKind.TRAINING,
        "社区党群服务中心二楼会议室",
        90,
        60,
        "派出所民警讲解冒充客服、刷单返利、虚假投资等常见骗局，现场教大家安装国家反诈中心 App。",
        "14:30",
    ),
    (
        -47,
        "急救知识与 AED 使用培训",
        ActivityKind.TRAINING,
        "社区党群服务中心二楼会议室",
        120,
        30,
        "共建单位医院的医生讲心肺复苏和 AED 使用，每人上手练习。",
        "09:30",
    ),
    (
        -19,
        "居家用电用气安全讲座",
        ActivityKind.TRAINING,
        "社区党群服务中心二楼会议室",
        90,
        60,
        "讲解电动车入户充电、燃气泄漏的危害和处置，发放燃气报警器（限 20 户）。",
        "14:30",
    ),
    (
        10,
        "防范养老诈骗讲座",
        ActivityKind.TRAINING,
        "社区党群服务中心二楼会议室",
        90,
        60,
        "以案说法：保健品、“以房养老”、养老投资里的骗局，子女也欢迎一起来。",
        "14:30",
    ),
)
# days from today, group, title, kind, venue, minutes, places, description
GROUP_ACTIVITIES = (
    (-40, "合唱团", "合唱团社区展演", "社区文化广场", 90, 0, "合唱团三个月排练成果汇报。"),
    (12, "合唱团", "合唱团新年音乐会排练", "党群服务中心多功能厅", 120, 40, "欢迎新团员。"),
    (-26, "书法社", "书法社作品展", "党群服务中心一楼大厅", 120, 0, "社员习作展，现场可体验。"),
    (
        17,
        "书法社",
        "楷书入门公开课",
        "党群服务中心活动室",
        90,
        20,
        "零基础也能学，笔墨纸现场提供。",
    ),
    (-33, "广场舞队", "广场舞展演", "社区文化广场", 60, 0, "广场舞队新编曲目展演。"),
    (8, "广场舞队", "广场舞新曲目教学", "社区文化广场", 60, 0, "手把手教新曲目。"),
)

# skill, note, visibility
TALENTS = (
    (Skill.REPAIRS, "电工出身，可帮忙检查家里线路、更换开关插座。", Visibility.STAFF),
    (Skill.LEGAL, "退休律师，可提供婚姻家庭、物业纠纷方面的法律咨询。", Visibility.NEIGHBOURS),
    (Skill.CALLIGRAPHY, "二十年楷书功底，可教写春联、写毛笔字。", Visibility.NEIGHBOURS),
    (Skill.HEALTH, "退休护士，可帮忙量血压、讲解用药常识。", Visibility.NEIGHBOURS),
    (Skill.HEALTH, "社区医院全科医生，周末可参加义诊。", Visibility.STAFF),
    (Skill.TEACHING, "退休中学数学教师，可辅导四点半课堂。", Visibility.STAFF),
)
RESIDENT_TALENT = (Skill.REPAIRS, "会修水管、换灯泡、修小家电，邻居有需要可以找我。")


def _writes(step, *models):
    """Say which models' times a step writes (`_Script.at` moves only those back)."""
    step.writes = models
    return step


def is_loaded() -> bool:
    return AuditEvent.objects.filter(verb=MARKER).exists()


# --- Photos ----------------------------------------------------------------------------------


def photo(scene: str, seed: int = 0) -> ContentFile:
    """A phone photo of the activity, drawn with Pillow (never fetched): lanterns over a crowd,
    or children's handicrafts on a table."""
    rng = random.Random(f"{scene}-{seed}")
    img = Image.new("RGB", (640, 480), (40, 44, 70) if scene == "lanterns" else (226, 220, 206))
    d = ImageDraw.Draw(img)
    if scene == "lanterns":
        d.line([(0, 90), (640, 70)], fill=(200, 200, 200), width=2)
        for i in range(7):
            x = 40 + i * 88
            d.line([(x + 25, 80), (x + 25, 110)], fill=(220, 200, 120), width=2)
            d.ellipse([x, 110, x + 50, 170], fill=(210, 40, 40), outline=(240, 190, 60), width=3)
        for _ in range(22):  # heads of the crowd
            x, y = rng.randint(10, 610), rng.randint(330, 440)
            d.ellipse([x, y, x + 34, y + 40], fill=(30, 24, 20))
    else:
        d.rectangle([40, 260, 600, 440], fill=(170, 120, 70))  # the table
        for _ in range(9):
            x, y = rng.randint(60, 520), rng.randint(270, 380)
            color = (rng.randint(60, 240), rng.randint(60, 240), rng.randint(60, 240))
            d.rectangle([x, y, x + 60, y + 50], fill=color, outline=(60, 40, 20), width=3)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=75)
    return ContentFile(out.getvalue(), name=f"{scene}.jpg")


# --- Who takes part --------------------------------------------------------------------------


@dataclass
class _Cast:
    staff: User
    community: Place
    estate: Place  # the demo building's
    buildings: list  # the building groups with activities, the demo one first
    organisers: dict  # building pk → the building head (or the community staff)
    residents: dict  # building pk → its verified residents in tree order
    resident: User | None  # the demo logins who take part
    owner: User | None
    liaison: User | None
    demo_ids: set = field(default_factory=set)

    def everyone(self) -> list:
        """Every verified resident of the community, in tree order."""
        seen, out = set(), []
        for people in self.residents.values():
            for person in people:
                if person.pk not in seen:
                    seen.add(person.pk)
                    out.append(person)
        return out


def _cast() -> _Cast | None:
    if not people_demo.is_loaded():
        return None
    users = {u.mobile: u for u in User.objects.filter(mobile__in=people_demo.DEMO_NUMBERS)}
    by_role = {role: users.get(mobile) for role, mobile in people_demo.DEMO_MOBILE.items()}
    staff = by_role.get(Role.COMMUNITY_STAFF)
    if staff is None:
        return None
    grant = (
        RoleGrant.objects.filter(user=staff, role=Role.COMMUNITY_STAFF, revoked_at__isnull=True)
        .select_related("place")
        .order_by("pk")
        .first()
    )
    if grant is None:
        return None
    community = grant.place
    residents: dict[int, list] = {}
    home_of: dict[int, int] = {}
    rows = (
        Residency.objects.filter(
            status=ResidencyStatus.VERIFIED,
            household__path__startswith=community.path,
            user__is_active=True,
        )
        .select_related("user", "household__unit")
        .order_by("household__path", "user__mobile")
    )
    for r in rows:
        if r.user_id in home_of:
            continue
        building_id = r.household.unit.parent_id
        home_of[r.user_id] = building_id
        residents.setdefault(building_id, []).append(r.user)
    demo_ids = {u.pk for u in users.values()}

    def living(person):
        return person if person is not None and person.pk in home_of else None

    resident, owner = living(by_role.get(Role.RESIDENT)), living(by_role.get(Role.OWNER))
    all_buildings = list(
        Place.objects.filter(path__startswith=community.path, kind="building").order_by("path")
    )
    if not all_buildings:
        return None
    home = (resident or owner).pk if (resident or owner) else None
    first = next((b for b in all_buildings if home and home_of.get(home) == b.pk), None)
    first = first or all_buildings[0]
    others = [b for b in all_buildings if b.pk != first.pk]
    step = max(1, len(others) // max(1, BUILDINGS - 1))
    buildings = [first, *others[::step][: BUILDINGS - 1]]
    heads = dict(
        RoleGrant.objects.filter(
            role=Role.BUILDING_HEAD,
            place__in=buildings,
            revoked_at__isnull=True,
            user__is_active=True,
        )
        .order_by("-user__mobile")
        .values_list("place_id", "user")
    )
    head_users = {u.pk: u for u in User.objects.filter(pk__in=heads.values())}
    return _Cast(
        staff=staff,
        community=community,
        estate=first.parent,
        buildings=buildings,
        organisers={b.pk: head_users.get(heads.get(b.pk), staff) for b in buildings},
        residents=residents,
        resident=resident,
        owner=owner,
        liaison=living(by_role.get(Role.PARTY_LIAISON)),
        demo_ids=demo_ids,
    )


def load_demo(*, progress=None) -> dict | None:
    """Write the demo teams, activities, groups and talents once. Returns what was made
    ({"activities": n, "activity_sign_ups": n, "team_service_records": n, "talents": n}), or
    None when they are there already or the demo community is not."""
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        if is_loaded():
            return None
        cast = _cast()
        if cast is None:
            return None
        counts = _Script(cast).run()
        audit.record(actor=None, verb=MARKER, obj=cast.community, data=counts)
    if progress:
        progress("activities", f"{counts['activities']} activities")
    return counts


# --- The script ------------------------------------------------------------------------------


@dataclass
class _Plan:
    """An activity of the demo with its real times (in the past or to come)."""

    key: str
    place: Place
    organiser: User
    title: str
    kind: str
    venue: str
    starts: datetime
    minutes: int
    capacity: int
    description: str
    pool: list  # who may sign up, in the order they would
    team: Team | None = None
    group: InterestGroup | None = None
    photo: str = ""
    activity: Activity | None = None

    @property
    def ends(self) -> datetime:
        return self.starts + timedelta(minutes=self.minutes)


class _Script:
    def __init__(self, cast: _Cast):
        self.c = cast
        self.staff = cast.staff
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.rng = random.Random(SEED)
        had_hours = set(HoursEntry.objects.values_list("user_id", flat=True).distinct())
        self.hours_ok = {p.pk for p in cast.everyone()} - had_hours
        # People with entries already (the other demos'): theirs stay at the time of posting,
        # after what they had, so their history reads in order.
        self.others = had_hours | set(
            PointsEntry.objects.values_list("user_id", flat=True).distinct()
        )
        self.teams: dict[str, Team] = {}
        self.leaders: dict[str, list] = {}
        self.serving: dict[str, list] = {}
        self.groups: dict[str, InterestGroup] = {}
        self.members: dict[str, list] = {}
        self.in_teams: set = set()
        self.plans: list[_Plan] = []
        self.talents: dict[str, Talent] = {}
        self.services = 0

    # --- Time ----------------------------------------------------------------------------

    def on(self, day: date, hm: str = "10:00") -> datetime:
        hour, minute = (int(x) for x in hm.split(":"))
        return timezone.make_aware(datetime.combine(day, time(hour, minute)))

    def days(self, n: int, hm: str = "10:00") -> datetime:
        return self.on(self.today + timedelta(days=n), hm)

    @contextmanager
    def at(self, when: datetime, writes=None):
        """Run a step as if at `when` (see linju.points.demo._Script.at): the times of the
        models it `writes` (all when not said), and the ledger entries of people whose history
        starts with this demo."""
        start = timezone.now()
        yield
        end = timezone.now()
        delta = when - start
        writes = writes or (*TRACKED, *LEDGERS)
        for model in writes:
            if model in LEDGERS:
                rows = model.objects.filter(created_at__range=(start, end))
                ids = [
                    pk for pk, user in rows.values_list("pk", "user_id") if user not in self.others
                ]
                if ids:
                    model.objects.filter(pk__in=ids).update(created_at=F("created_at") + delta)
                continue
            for name in TRACKED[model]:
                model.objects.filter(**{f"{name}__range": (start, end)}).update(
                    **{name: F(name) + delta}
                )

    # --- The story -----------------------------------------------------------------------

    def run(self) -> dict:
        with self.at(self.days(-100, "10:00")):
            self.set_up_teams()
        with self.at(self.days(-98, "15:00")):
            self.set_up_groups()
        self.plan_activities()
        taken = set()
        for when, step in sorted(self.steps(), key=lambda s: s[0]):
            if when >= self.now:
                continue
            while when in taken:
                # Two steps at one time would interleave their rows: one second apart.
                when += timedelta(seconds=1)
            taken.add(when)
            with self.at(when, step.writes):
                step()
        made = [p for p in self.plans if p.activity is not None]
        for plan in made:
            if plan.starts <= self.now:
                self._move(plan, plan.starts)  # one whose check-in step had not come yet
        return {
            "activities": len(made),
            "activity_sign_ups": SignUp.objects.filter(activity__in=[p.activity for p in made])
            .exclude(status=SignUpStatus.CANCELLED)
            .count(),
            "team_service_records": self.services,
            "talents": len(self.talents),
        }

    def steps(self) -> list:
        steps = []
        steps += self.team_steps()
        for plan in self.plans:
            steps += self.activity_steps(plan)
        steps += self.talent_steps()
        return steps

    # --- Teams and groups ----------------------------------------------------------------

    def pick(self, pool, n, exclude=()) -> list:
        left = [p for p in pool if p.pk not in exclude and p.pk not in self.c.demo_ids]
        return self.rng.sample(left, min(n, len(left)))

    def set_up_teams(self):
        """Three teams of the community; their members are people with no service hours yet
        (their record then reads day by day)."""
        c = self.c
        pool = [p for p in c.everyone() if p.pk in self.hours_ok]
        used = set()
        for name, kind, description, _services in TEAMS:
            if kind == TeamKind.CIVILITY:
                leaders = [c.liaison] if c.liaison else []
            elif kind == TeamKind.SAFETY:
                leaders = [c.owner] if c.owner else []
                leaders += self.pick(pool, 1, used)  # a second leader confirms the owner's
            else:
                leaders = []
            leaders = [p for p in leaders if p is not None] or self.pick(pool, 1, used)
            used |= {p.pk for p in leaders}
            members = self.pick(pool, 5, used)
            used |= {p.pk for p in members}
            team = teams.create_team(
                user=self.staff,
                place_id=c.community.pk,
                name=name,
                kind=kind,
                description=description,
                leader_id=leaders[0].pk if leaders else None,
            )
            for person in leaders[1:]:
                teams.add_team_member(
                    user=self.staff, team_id=team.pk, person_id=person.pk, role=MemberRole.LEADER
                )
            for i, person in enumerate(members):
                if i < 2:
                    teams.join_team(user=person, team_id=team.pk)  # joined by themselves
                else:
                    teams.add_team_member(user=self.staff, team_id=team.pk, person_id=person.pk)
            self.teams[name] = team
            self.leaders[name] = leaders
            self.serving[name] = [p for p in leaders + members if p.pk in self.hours_ok]
        self.in_teams = used | {p.pk for people in self.serving.values() for p in people}

    def set_up_groups(self):
        c = self.c
        pool = c.everyone()
        used = set()
        for name, description, size in GROUPS:
            people = self.pick(pool, size + 1, used)
            if not people:
                continue
            used |= {p.pk for p in people}
            group = teams.create_group(
                user=self.staff,
                place_id=c.community.pk,
                name=name,
                description=description,
                leader_id=people[0].pk,
            )
            for person in people[1:]:
                teams.join_group(user=person, group_id=group.pk)
            if name == "书法社" and c.resident is not None:
                teams.join_group(user=c.resident, group_id=group.pk)
            self.groups[name] = group
            self.members[name] = people

    def team_steps(self) -> list:
        """A weekly service per team: submitted that evening by each member who served (or by
        a leader for them), confirmed the next evening by a leader; the last days' wait."""
        steps = []
        start = self.today - timedelta(weeks=WEEKS)
        monday = start - timedelta(days=start.weekday())
        for name, _kind, _description, services in TEAMS:
            serving = self.serving.get(name, [])
            if not serving:
                continue
            decisions = []
            for week in range(WEEKS + 1):
                what, minutes, weekday, hm = services[week % 2]
                day = monday + timedelta(weeks=week, days=weekday)
                served = self.on(day, hm)
                done = served + timedelta(minutes=minutes + 30)
                if day < start or done >= self.now:
                    continue
                people = self.rng.sample(serving, min(len(serving), self.rng.randint(2, 4)))
                steps.append((done, self._submit(name, day, minutes, what, people)))
                if day > self.today - timedelta(days=UNCONFIRMED_DAYS + 1):
                    continue  # the leaders have not got to it yet
                decided = self.on(day + timedelta(days=1), f"20:{self.rng.randint(0, 59):02d}")
                decisions.append([decided, name, day, name == "文明劝导队" and week == 5, False])
            if name == "平安巡逻队" and decisions:
                decisions[-1][4] = True  # the last decided: one record forgotten
            steps += [(d[0], self._decide(*d[1:])) for d in decisions]
        resident = self.c.resident
        if resident is not None and "环境保护队" in self.teams:
            steps.append((self.days(-20, "19:40"), self._resident_joins()))
            day = self.today - timedelta(days=2)
            steps.append(
                (
                    self.on(day, "10:00"),
                    self._submit("环境保护队", day, 90, "垃圾分类督导", [resident]),
                )
            )
        return steps

    def _resident_joins(self):
        def step():
            teams.join_team(user=self.c.resident, team_id=self.teams["环境保护队"].pk)

        return _writes(step, TeamMember)

    def _submit(self, name, day, minutes, what, people):
        def step():
            team, leaders = self.teams[name], self.leaders[name]
            for i, person in enumerate(people):
                # Now and then a leader records the service for a member.
                by = person
                if i == 0 and len(people) > 2 and leaders and person not in leaders:
                    by = leaders[0]
                teams.submit_service(
                    user=by,
                    team_id=team.pk,
                    served_on=day,
                    minutes=minutes,
                    what=what,
                    person_id=person.pk,
                )
                self.services += 1

        return _writes(step, ServiceRecord)

    def _decide(self, name, day, reject, forget):
        def step():
            team, leaders = self.teams[name], self.leaders[name]
            waiting = list(
                ServiceRecord.objects.filter(
                    team=team, served_on=day, status=ServiceStatus.SUBMITTED
                )
                .select_related("user")
                .order_by("pk")
            )
            for i, record in enumerate(waiting):
                if forget and i == 0:
                    continue  # left waiting: the sweep reminds the leaders
                others = [p for p in leaders if p.pk != record.user_id]
                by = others[0] if others else self.staff
                teams.decide_service(
                    user=by,
                    record_id=record.pk,
                    confirm=not (reject and i == 0),
                    reason=REJECTED_REASON if reject and i == 0 else "",
                )

        return _writes(step, ServiceRecord, *LEDGERS)

    # --- Activities ----------------------------------------------------------------------

    def plan_activities(self):
        c = self.c
        everyone = c.everyone()
        under = set(
            Place.objects.filter(path__startswith=c.estate.path, kind="building").values_list(
                "pk", flat=True
            )
        )
        estate_people = [p for pk, people in c.residents.items() if pk in under for p in people]
        for i, building in enumerate(c.buildings):
            people = c.residents.get(building.pk, [])
            organiser = c.organisers[building.pk]
            for j, offset in enumerate(BUILDING_DAYS):
                starts = self.days(offset + i, HOURS_OF_DAY[(i + j) % 3])
                spec = ROTATION[(i + j) % len(ROTATION)]
                if spec is None:
                    title, description = FESTIVALS[timezone.localtime(starts).month]
                    spec = (title, ActivityKind.FESTIVAL, "楼下架空层", 120, 30, description)
                title, kind, venue, minutes, capacity, description = spec
                if kind == ActivityKind.VOLUNTEER:
                    # Service hours go to people whose record starts here.
                    pool = [p for p in people if p.pk in self.hours_ok - self.in_teams]
                else:
                    pool = people
                self.plans.append(
                    _Plan(
                        key=f"b{i}-{j}",
                        place=building,
                        organiser=organiser,
                        title=title,
                        kind=kind,
                        venue=venue,
                        starts=starts,
                        minutes=minutes,
                        capacity=capacity,
                        description=description,
                        pool=self._shuffled(pool, f"b{i}-{j}"),
                        photo="crafts" if kind == ActivityKind.PARENT_CHILD and i == 0 else "",
                    )
                )
        for n, (offset, title, kind, venue, minutes, capacity, description, hm) in enumerate(
            COMMUNITY_ACTIVITIES
        ):
            self.plans.append(
                _Plan(
                    key=f"c{n}",
                    place=c.community,
                    organiser=self.staff,
                    title=title,
                    kind=kind,
                    venue=venue,
                    starts=self.days(offset, hm),
                    minutes=minutes,
                    capacity=capacity,
                    description=description,
                    pool=self._shuffled(everyone, f"c{n}"),
                )
            )
        for n, offset in enumerate((-64, 20)):
            starts = self.days(offset, "18:30")
            title, description = FESTIVALS[timezone.localtime(starts).month]
            self.plans.append(
                _Plan(
                    key=f"e{n}",
                    place=c.estate,
                    organiser=self.staff,
                    title=f"{c.estate.name}{title}",
                    kind=ActivityKind.FESTIVAL,
                    venue="小区中心花园",
                    starts=starts,
                    minutes=120,
                    capacity=80,
                    description=description,
                    pool=self._shuffled(estate_people, f"e{n}"),
                    photo="lanterns" if offset < 0 else "",
                )
            )
        for n, (offset, name, title, venue, minutes, capacity, description) in enumerate(
            GROUP_ACTIVITIES
        ):
            if name not in self.groups:
                continue
            leader, *members = self.members[name]
            self.plans.append(
                _Plan(
                    key=f"g{n}",
                    place=c.community,
                    organiser=leader,
                    title=title,
                    kind=ActivityKind.CULTURE,
                    venue=venue,
                    starts=self.days(offset, "15:00"),
                    minutes=minutes,
                    capacity=capacity,
                    description=description,
                    pool=members + self._shuffled(everyone, f"g{n}"),
                    group=self.groups[name],
                )
            )
        if "环境保护队" in self.teams:
            leader = self.leaders["环境保护队"][0]
            self.plans.append(
                _Plan(
                    key="t0",
                    place=c.estate,
                    organiser=leader,
                    title="小区大扫除",
                    kind=ActivityKind.VOLUNTEER,
                    venue="小区南门集合",
                    starts=self.days(8, "08:30"),
                    minutes=180,
                    capacity=40,
                    description="清理绿化带、公共区域的卫生死角，手套、夹子、垃圾袋由社区提供。",
                    pool=self._shuffled(estate_people, "t0"),
                    team=self.teams["环境保护队"],
                )
            )
        self.full = _Plan(
            key="full",
            place=c.buildings[0],
            organiser=c.organisers[c.buildings[0].pk],
            title="亲子手工：风筝制作",
            kind=ActivityKind.PARENT_CHILD,
            venue="楼下架空层",
            starts=self.days(9, "09:30"),
            minutes=120,
            capacity=10,
            description="和孩子一起扎一只风筝，春天一起去放。材料有限，满员后可排队候补。",
            pool=self._shuffled(c.residents.get(c.buildings[0].pk, []), "full"),
        )
        self.plans.append(self.full)

    def _shuffled(self, people, key) -> list:
        people = [p for p in people if p.pk not in self.c.demo_ids]
        random.Random(f"{SEED}-{key}").shuffle(people)
        return people

    @staticmethod
    def _pool(plan) -> list:
        """Who signs up, in order: each once, never the organiser (who confirms the others)."""
        seen, out = {plan.organiser.pk}, []
        for person in plan.pool:
            if person.pk not in seen:
                seen.add(person.pk)
                out.append(person)
        return out

    def activity_steps(self, plan: _Plan) -> list:
        """Created ten days before; sign-ups in two waves; for one past: the check-ins at the
        venue, and the organiser's confirmation after it (not for the last days')."""
        rng = random.Random(f"{SEED}-{plan.key}")
        pool = plan.pool = self._pool(plan)
        created = plan.starts - timedelta(days=10, hours=rng.randint(0, 6))
        # One to come was announced a few days ago at the latest, its sign-ups since.
        created = min(created, self.now - timedelta(days=3, hours=rng.randint(0, 6)))
        until = min(plan.starts, self.now)
        want = plan.capacity - rng.randint(0, 3) if plan.capacity else rng.randint(6, 12)
        want = min(want, len(pool), MAX_SIGN_UPS)
        if plan is self.full:
            want = min(plan.capacity + 3, len(pool))  # three wait
        people = pool[:want]
        early, late = people[: len(people) // 2], people[len(people) // 2 :]
        steps = [
            (created, self._create(plan)),
            (created + (until - created) / 4, self._sign_up(plan, early)),
            (created + (until - created) * 3 / 4, self._sign_up(plan, late)),
        ]
        if plan.starts > self.now:
            steps += self._coming(plan, people)
            return steps
        came = [p for p in people if rng.random() < 0.85]
        walk_ins = [] if plan.capacity else pool[want : want + rng.randint(0, 2)]
        steps.append((plan.starts + timedelta(minutes=5), self._check_in(plan, came, walk_ins)))
        if timezone.localdate(plan.starts) < self.today - timedelta(days=UNCONFIRMED_DAYS):
            confirm_at = plan.ends + timedelta(minutes=40 + rng.randint(0, 60))
            steps.append((confirm_at, self._confirm(plan)))
        return steps

    def _coming(self, plan, people) -> list:
        """What happens before an activity to come: the demo resident signs up for their
        building's first one; on the full one, someone gives their place back (the first
        waiting moves up) and the demo resident joins the end of the wait list."""
        steps = []
        resident = self.c.resident
        if resident is None:
            return steps
        home = self.c.buildings[0]
        coming = [p for p in self.plans if p.place == home and p.starts > self.now]
        if plan is self.full:
            if people:
                steps.append((self.now - timedelta(hours=5), self._cancel(plan, people[0])))
            steps.append((self.now - timedelta(hours=3), self._sign_up(plan, [resident])))
        elif coming and plan is min(coming, key=lambda p: p.starts):
            steps.append((self.now - timedelta(hours=20), self._sign_up(plan, [resident])))
        return steps

    def _create(self, plan):
        def step():
            # A past activity is created with a time to come, and moved at its check-in.
            starts = plan.starts if plan.starts > self.now else self.now + timedelta(days=2)
            plan.activity = acts.create_activity(
                user=plan.organiser,
                place_id=plan.place.pk,
                title=plan.title,
                kind=plan.kind,
                venue=plan.venue,
                starts_at=starts,
                ends_at=starts + timedelta(minutes=plan.minutes),
                capacity=plan.capacity,
                description=plan.description,
                team_id=plan.team.pk if plan.team else None,
                group_id=plan.group.pk if plan.group else None,
            )

        return _writes(step, Activity)

    def _sign_up(self, plan, people):
        def step():
            for person in people:
                acts.sign_up(user=person, activity_id=plan.activity.pk)

        return _writes(step, SignUp)

    def _cancel(self, plan, person):
        def step():
            acts.cancel_sign_up(user=person, activity_id=plan.activity.pk)

        return _writes(step, SignUp)

    def _move(self, plan, starts):
        Activity.objects.filter(pk=plan.activity.pk).update(
            starts_at=starts, ends_at=starts + timedelta(minutes=plan.minutes)
        )

    def _check_in(self, plan, came, walk_ins):
        def step():
            self._move(plan, timezone.now() - timedelta(minutes=10))
            signed = set(
                plan.activity.sign_ups.filter(status=SignUpStatus.SIGNED).values_list(
                    "user_id", flat=True
                )
            )
            for person in came:
                if person.pk in signed:
                    acts.check_in(user=person, code=plan.activity.check_in_code)
            for person in walk_ins:
                acts.check_in_person(
                    user=plan.organiser, activity_id=plan.activity.pk, person_id=person.pk
                )
            self._move(plan, plan.starts)

        return _writes(step, SignUp)

    def _confirm(self, plan):
        def step():
            ids = list(
                plan.activity.sign_ups.filter(checked_in_at__isnull=False).values_list(
                    "pk", flat=True
                )
            )
            if ids:
                acts.confirm_attendance(
                    user=plan.organiser, activity_id=plan.activity.pk, sign_up_ids=ids
                )
            if plan.photo:
                acts.add_photos(
                    user=plan.organiser,
                    activity_id=plan.activity.pk,
                    photos=[photo(plan.photo, 0), photo(plan.photo, 1)],
                    caption=plan.title,
                )

        return _writes(step, SignUp, ActivityPhoto, *LEDGERS)

    # --- The talent pool -----------------------------------------------------------------

    def talent_steps(self) -> list:
        c = self.c
        steps = []
        pool = [p for p in c.everyone() if p.pk not in c.demo_ids]
        calligrapher = self.members.get("书法社", [None])[0]
        people = self.pick(pool, len(TALENTS), {calligrapher.pk} if calligrapher else set())
        for n, (skill, note, visibility) in enumerate(TALENTS):
            person = calligrapher if skill == Skill.CALLIGRAPHY and calligrapher else None
            person = person or (people[n] if n < len(people) else None)
            when = self.days(-95 + n * 9, "20:15")
            steps.append(
                (when, self._talent(f"{skill.value}-{n}", person, skill, note, visibility))
            )
        if c.resident is not None:
            skill, note = RESIDENT_TALENT
            steps.append(
                (
                    self.days(-12, "21:05"),
                    self._talent("resident", c.resident, skill, note, Visibility.NEIGHBOURS),
                )
            )
            steps.append((self.days(-2, "10:30"), self._invite_resident()))
        steps.append((self.days(-2, "11:00"), self._invite_calligrapher()))
        steps.append((self.days(-1, "09:10"), self._answer(Skill.CALLIGRAPHY, True)))
        steps.append((self.days(-30, "16:00"), self._invite_lawyer()))
        steps.append((self.days(-28, "19:30"), self._answer(Skill.LEGAL, False)))
        return steps

    def _talent(self, key, person, skill, note, visibility):
        def step():
            if person is not None:
                self.talents[key] = talents.set_talent(
                    user=person, skill=skill, note=note, visibility=visibility
                )

        return _writes(step, Talent)

    def _invite_resident(self):
        def step():
            talent = self.talents.get("resident")
            if talent is not None:
                talents.invite(
                    user=self.staff,
                    talent_id=talent.pk,
                    project="楼道照明改造微项目",
                    message="楼道感应灯改造需要懂电的邻居帮忙看看线路，您方便的话周末一起去看看？",
                )

        return _writes(step, Invitation)

    def _invite_calligrapher(self):
        def step():
            talent = self.talent(Skill.CALLIGRAPHY)
            festival = next((p.activity for p in self.plans if p.key == "e1"), None)
            if talent is not None and festival is not None:
                talents.invite(
                    user=self.staff,
                    talent_id=talent.pk,
                    activity_id=festival.pk,
                    message="想请您在活动现场给邻居们写几幅字，笔墨纸砚社区准备。",
                )

        return _writes(step, Invitation)

    def _invite_lawyer(self):
        def step():
            talent = self.talent(Skill.LEGAL)
            if talent is not None:
                talents.invite(
                    user=self.staff,
                    talent_id=talent.pk,
                    project="物业纠纷调解室坐班（每月一次）",
                    message="社区想请您每月来调解室坐班半天，帮邻居们解答物业纠纷方面的问题。",
                )

        return _writes(step, Invitation)

    def talent(self, skill) -> Talent | None:
        """The first talent listed with `skill`."""
        return next((t for k, t in self.talents.items() if k.startswith(f"{skill.value}-")), None)

    def _answer(self, skill, accept):
        def step():
            talent = self.talent(skill)
            invitation = talent and talent.invitations.order_by("-pk").first()
            if invitation is not None:
                talents.answer(user=talent.user, invitation_id=invitation.pk, accept=accept)

        return _writes(step, Invitation)
