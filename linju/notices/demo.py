"""Demo notice board and newsletter (公示栏, 睦邻服务报; seeds 002, 003) in the demo community of
linju.people.demo, on the board of its first estate (桂园新村, where the demo logins live):

- a pinned, important water-cut notice (停水通知) read by part of the households, building by
  building at different rates (its coverage page has doors to knock on);
- a public notice (公示) of a co-creation micro-project's budget, its disclosure period still
  running, with a text attachment and two objections: one answered, one open;
- a good deed naming its hero, with the consent recorded; uncivil behaviour (飞线充电,
  高空抛物) without names; a withdrawn notice; a draft being prepared;
- the results of the deliberation and ratings demos are already on the board (they publish
  through notices.services.publish_result); they are dated here as their publications are;
- 《睦邻服务报》, run by the first grid's party branch: the two last quarters' issues published
  with forewords by two members, and this quarter's issue being edited by the next member in
  the rota (the demo party liaison, when the rota allows).

Through the services, each step run "as if" at its date (the timestamps it set are moved
back, as the deliberation demo does); read receipts are written directly with spread times.
Deterministic; the audit event `MARKER` says it is loaded."""

import random
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone, translation

from linju.core import audit
from linju.core.models import AuditEvent
from linju.people import demo as people_demo
from linju.people.models import PartyOrganisation, PartyOrgKind, Residency, ResidencyStatus
from linju.people.roles import Role
from linju.places.models import Place, PlaceKind

from . import queries_newsletter, services, services_newsletter
from .models import (
    Attachment,
    Newsletter,
    NewsletterIssue,
    Notice,
    NoticeKind,
    Objection,
    Receipt,
)

MARKER = "notices.demo.load"
SEED = 2026
PAPER = "睦邻服务报"
# Share of households that read the water-cut notice, building after building (cycled): the
# coverage page shows some buildings nearly done and some where nobody has read it yet.
READ_SHARES = (0.9, 0.6, 0.35, 0.75, 0.15, 0.5, 0.0, 0.8, 0.25)
TRACKED = (
    (Notice, ("created_at", "published_at", "withdrawn_at")),
    (Objection, ("created_at", "answered_at")),
    (Attachment, ("added_at",)),
    (Newsletter, ("created_at",)),
    (NewsletterIssue, ("created_at", "published_at")),
)
BUDGET = """桂园新村中心花园健身角改造 预算明细
1. 拆除旧器材、清运：1,800 元
2. 塑胶地面 120 平方米 × 95 元：11,400 元
3. 适老健身器材 6 件：16,200 元
4. 休息座椅 4 张：3,600 元
5. 照明灯 2 盏：2,400 元
合计：35,400 元
资金来源：社区惠民资金 20,000 元，居民众筹 10,400 元，共建单位捐赠 5,000 元
"""


def is_loaded() -> bool:
    return AuditEvent.objects.filter(verb=MARKER).exists()


def load_demo(*, progress=None) -> dict | None:
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        if is_loaded():
            return None
        cast = people_demo.cast(limit=400)
        if cast is None or not cast.estates:
            return None
        script = _Script(cast)
        if len(script.neighbours) < 4:
            return None
        counts = script.run()
        audit.record(actor=None, verb=MARKER, obj=cast.community, data=counts)
    if progress:
        progress("notices", f"{counts['notices']} notices")
    return counts


def _quarter(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def _before(year: int, quarter: int, n: int) -> tuple[int, int]:
    """The quarter `n` quarters before."""
    index = year * 4 + quarter - 1 - n
    return index // 4, index % 4 + 1


class _Script:
    def __init__(self, cast):
        self.c = cast
        self.staff = cast.staff
        self.estate = cast.estates[0]
        self.rng = random.Random(SEED)
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.quarter = _quarter(self.today)
        self.quarter_start = queries_newsletter.quarter_bounds(*self.quarter)[0]
        # Residents of the estate who are no demo login (those stay for whoever tries it).
        self.neighbours = [u for u, h in cast.residents if h.path.startswith(self.estate.path)]
        self.made: list[Notice] = []

    # --- Time ---------------------------------------------------------------------------------

    def ago(self, days: int, hm: str = "09:00") -> datetime:
        """Local wall time `hm`, `days` days ago, but not before this quarter began (so this
        quarter's notices are this quarter's issue's pieces)."""
        hour, minute = (int(x) for x in hm.split(":"))
        day = self.today - timedelta(days=days)
        when = timezone.make_aware(datetime.combine(day, time(hour, minute)))
        return min(max(when, self.quarter_start), self.now)

    def in_quarter(self, year: int, quarter: int, day: int, hm: str = "09:00") -> datetime:
        """Local wall time on the `day`-th day of a quarter (negative: counted from its end)."""
        start, end = queries_newsletter.quarter_bounds(year, quarter)
        hour, minute = (int(x) for x in hm.split(":"))
        base = start if day >= 0 else end
        return base + timedelta(days=day, hours=hour, minutes=minute)

    def at(self, when: datetime):
        """Run a step as if at `when` (people.demo.moved_to)."""
        return people_demo.moved_to(when, TRACKED)

    # --- Steps --------------------------------------------------------------------------------

    def run(self) -> dict:
        self.date_results()
        past = [_before(*self.quarter, n) for n in (2, 1)]
        for (year, quarter), notices in zip(
            past, (self.earlier_notices, self.last_notices), strict=True
        ):
            notices(year, quarter)
        water = self.water_cut()
        receipts = self.receipts(water)
        budget = self.disclosure()
        objections = self.objections(budget)
        self.good_deed()
        self.uncivil()
        self.withdrawn()
        self.draft()
        issues = self.newsletter(past)
        return {
            "notices": len(self.made),
            "read_receipts": receipts,
            "objections": objections,
            "newsletter_issues": issues,
        }

    def date_results(self):
        """The board's copies of deliberation's publications (results, rankings, meeting
        notices) carry their publications' dates, not the moment the demo wrote them."""
        from linju.deliberation.models import Publication

        prefix = "deliberation.publication:"
        results = Notice.objects.filter(kind=NoticeKind.RESULT, source__startswith=prefix)
        dates = dict(Publication.objects.values_list("pk", "published_at"))
        for notice in results:
            when = dates.get(int(notice.source.removeprefix(prefix)))
            if when is not None and when != notice.published_at:
                Notice.objects.filter(pk=notice.pk).update(created_at=when, published_at=when)

    def notice(self, when, place, kind, title, body, **more) -> Notice:
        with self.at(when):
            notice = services.create_notice(
                user=self.staff,
                place_id=place.pk,
                kind=kind,
                title=title,
                body=body,
                publish=more.pop("publish", True),
                **more,
            )
        notice.refresh_from_db()
        self.made.append(notice)
        return notice

    def hero(self, index: int):
        return self.neighbours[index % len(self.neighbours)]

    def earlier_notices(self, year, quarter):
        """Two quarters ago: a fire-safety reminder and a neighbour's help with a burst pipe (no
        season named: the demo may be loaded in any quarter)."""
        self.notice(
            self.in_quarter(year, quarter, 20),
            self.c.community,
            NoticeKind.ANNOUNCEMENT,
            "消防安全提示：清理楼道杂物",
            "楼道是逃生通道。请各位居民在本月底前清理楼道里的纸箱、旧家具等杂物，"
            "轮椅、婴儿车可以靠边停放。月底社区、物业和楼栋长将一起逐栋检查。",
        )
        hero = self.hero(3)
        signed = self.in_quarter(year, quarter, 54)
        self.notice(
            self.in_quarter(year, quarter, 52, "20:00"),
            self.estate,
            NoticeKind.GOOD_DEED,
            f"好人好事：深夜水管爆裂，{hero.name}帮邻居抢修",
            f"一天深夜，楼上独居老人家的水管爆裂，水漫到楼道，{hero.name}听到动静，"
            f"关总阀、找工具、联系物业，一直忙到凌晨。社区向{hero.name}表示感谢！",
            privacy="consented",
            consent_note=f"{hero.name}本人同意公开姓名，{signed:%Y-%m-%d}在社区服务站签字确认。",
        )

    def last_notices(self, year, quarter):
        """Last quarter: the neighbourhood festival, volunteers' meals, a thrown bottle."""
        self.notice(
            self.in_quarter(year, quarter, 72),
            self.estate,
            NoticeKind.ANNOUNCEMENT,
            "邻里节活动通知",
            "本月最后一个周六下午三点，在中心花园举办邻里节：邻里百家宴、闲置物品交换、"
            "义诊和理发。欢迎各家带一道拿手菜，报名请找楼栋长。",
        )
        self.notice(
            self.in_quarter(year, quarter, 40),
            self.estate,
            NoticeKind.GOOD_DEED,
            "好人好事：党员志愿者为独居老人上门送餐",
            "这个季度，小区党员志愿者轮流为独居和行动不便的老人送午餐，风雨无阻，"
            "累计送餐三百余份。老人们说：有邻居在，心里踏实。",
            privacy="nobody",
        )
        self.notice(
            self.in_quarter(year, quarter, 70, "19:00"),
            self.estate,
            NoticeKind.UNCIVIL,
            "不文明现象曝光：高空抛物",
            "某日傍晚，有居民从高层向楼下草坪扔下玻璃瓶，险些砸中放学回家的孩子。"
            "高空抛物是违法行为，监控已留存，请大家引以为戒，看好家中老人孩子。",
            privacy="nobody",
        )

    def water_cut(self) -> Notice:
        day = self.today + timedelta(days=3)
        notice = self.notice(
            self.ago(3, "08:30"),
            self.estate,
            NoticeKind.ANNOUNCEMENT,
            "停水通知：二次供水水箱清洗",
            f"因小区二次供水水箱清洗消毒，{day.month}月{day.day}日 8:00—17:00 全小区停水。"
            "请各家提前储水，关好水龙头，来水初期水质可能发黄，放水片刻即可。"
            "家中有老人或行动不便者需要送水的，请联系楼栋长。",
            important=True,
            pinned=True,
        )
        return notice

    def receipts(self, notice) -> int:
        """Receipts of part of the households, more in some buildings than in others, read
        at spread times since the notice went up (most in its first hours)."""
        rows = (
            Residency.objects.filter(
                status=ResidencyStatus.VERIFIED, household__path__startswith=self.estate.path
            )
            .exclude(user__mobile__in=people_demo.DEMO_NUMBERS)
            .order_by("household__path", "user__mobile")
            .values_list("household__unit__parent_id", "household_id", "user_id")
        )
        homes: dict[int, dict[int, int]] = {}
        for building, household, user in rows:
            homes.setdefault(building, {}).setdefault(household, user)
        buildings = Place.objects.filter(
            kind=PlaceKind.BUILDING, path__startswith=self.estate.path
        ).order_by("path")
        since = (self.now - notice.published_at).total_seconds()
        made = []
        for i, building in enumerate(buildings):
            readers = list(homes.get(building.pk, {}).values())
            share = READ_SHARES[i % len(READ_SHARES)]
            for user in self.rng.sample(readers, round(share * len(readers))):
                delay = since * self.rng.random() ** 3
                made.append(
                    Receipt(
                        notice=notice,
                        user_id=user,
                        read_at=notice.published_at + timedelta(seconds=delay),
                    )
                )
        Receipt.objects.bulk_create(made, batch_size=1000)
        return len(made)

    def disclosure(self) -> Notice:
        ends = self.today + timedelta(days=5)
        notice = self.notice(
            self.ago(2, "10:00"),
            self.estate,
            NoticeKind.DISCLOSURE,
            "公示：中心花园健身角改造（共同缔造微项目）预算",
            "经居民议事会商议，中心花园健身角改造列入今年共同缔造微项目。现将预算公示如下："
            "总预算 35,400 元，其中社区惠民资金 20,000 元、居民众筹 10,400 元、"
            "共建单位捐赠 5,000 元，明细见附件。"
            f"公示期至 {ends:%Y年%m月%d日}，对预算有异议的居民可在本页提出，社区将逐条答复。",
            disclosure_ends_on=ends,
        )
        with self.at(self.ago(2, "10:05")):
            upload = SimpleUploadedFile("预算明细.txt", BUDGET.encode(), content_type="text/plain")
            services.add_attachment(user=self.staff, notice_id=notice.pk, upload=upload)
        return notice

    def objections(self, notice) -> int:
        owner = self.c.logins.get(Role.OWNER) or self.neighbours[0]
        with self.at(self.ago(1, "20:15")):
            asked = services.raise_objection(
                user=owner,
                notice_id=notice.pk,
                text="塑胶地面每平方米 95 元是不是偏高？能否公开几家的报价？",
            )
        with self.at(self.ago(0, "09:40")):
            services.answer_objection(
                user=self.staff,
                objection_id=asked.pk,
                answer="感谢监督。我们比较了三家报价（95 元、108 元、112 元），选了最低的一家；"
                "三份报价单已贴在社区公示栏，欢迎到服务站查看。",
            )
        with self.at(self.ago(1, "21:30")):
            services.raise_objection(
                user=self.hero(5),
                notice_id=notice.pk,
                text="希望健身器材多考虑老年人，比如加扶手的款式，另外晚上照明要够亮。",
            )
        return 2

    def good_deed(self):
        hero = self.hero(11)
        self.notice(
            self.ago(6, "16:00"),
            self.estate,
            NoticeKind.GOOD_DEED,
            f"好人好事：{hero.name}拾金不昧",
            f"前几天傍晚，{hero.name}在小区东门捡到一个钱包，内有现金和银行卡，"
            "在原地等候无果后交到社区服务站，经核实已归还失主。失主专程送来感谢信，"
            f"社区为{hero.name}点赞！",
            privacy="consented",
            consent_note=f"{hero.name}本人同意公开姓名，{self.ago(6):%Y-%m-%d}在社区服务站"
            "口头同意并签字确认。",
        )

    def uncivil(self):
        self.notice(
            self.ago(4, "18:30"),
            self.estate,
            NoticeKind.UNCIVIL,
            "不文明现象曝光：楼道飞线充电",
            "近日巡查发现，个别楼栋有居民从窗口拉电线到楼下给电动车充电，楼道里也有电动车"
            "停放充电。飞线充电极易引发火灾，请立即整改，使用小区集中充电桩。"
            "楼栋长将逐户提醒，屡劝不改的将在文明单元评比中一票否决。",
            privacy="nobody",
        )

    def withdrawn(self):
        notice = self.notice(
            self.ago(5, "15:00"),
            self.estate,
            NoticeKind.ANNOUNCEMENT,
            "停电检修通知",
            "供电公司将于本周六 9:00—12:00 对小区配电设备检修，届时全小区停电。",
        )
        with self.at(self.ago(4, "11:00")):
            services.withdraw_notice(
                user=self.staff,
                notice_id=notice.pk,
                reason="供电公司推迟了检修，具体时间另行通知。",
            )

    def draft(self):
        place = self.c.estates[1] if len(self.c.estates) > 1 else self.estate
        self.notice(
            self.ago(0, "08:50"),
            place,
            NoticeKind.ANNOUNCEMENT,
            "电梯年度维保安排",
            "各栋电梯将按楼号依次进行年度维保检测，每部电梯停运约半天，具体日期待维保公司确认"
            "后公布。停运期间请老人和行动不便的居民提前安排出行。",
            publish=False,
        )

    # --- The newsletter -----------------------------------------------------------------------

    def branch(self):
        """The party branch of the demo liaison's grid (the branch of the first grid in the
        demo), else the community's party committee."""
        orgs = PartyOrganisation.objects.filter(place=self.c.community)
        liaison = self.c.logins.get(Role.PARTY_LIAISON)
        if liaison is not None:
            found = (
                orgs.filter(kind=PartyOrgKind.BRANCH, memberships__user=liaison)
                .order_by("pk")
                .first()
            )
            if found is not None:
                return found
        return (
            orgs.filter(kind=PartyOrgKind.BRANCH).order_by("pk").first()
            or orgs.filter(kind=PartyOrgKind.COMMITTEE).order_by("pk").first()
        )

    def newsletter(self, past) -> int:
        branch = self.branch()
        if branch is None:
            return 0
        first = self.in_quarter(*past[0], -20)
        with self.at(first):
            paper = services_newsletter.create_newsletter(
                user=self.staff, place_id=self.estate.pk, name=PAPER, organisation_id=branch.pk
            )
        rota = queries_newsletter.rota(paper)
        if not rota:
            return 0
        # The two issues before were edited by the two members before the demo liaison, so
        # this quarter's turn falls to the liaison, whose login the demo prints.
        liaison = self.c.logins.get(Role.PARTY_LIAISON)
        turn = rota.index(liaison) if liaison in rota else 0
        editors = [rota[(turn - 2) % len(rota)], rota[(turn - 1) % len(rota)]]
        forewords = (self.earlier_foreword, self.last_foreword)
        for (year, quarter), editor, foreword in zip(past, editors, forewords, strict=True):
            with self.at(self.in_quarter(year, quarter, -12)):
                issue = services_newsletter.start_issue(
                    user=self.staff,
                    newsletter_id=paper.pk,
                    year=year,
                    quarter=quarter,
                    editor_id=editor.pk,
                )
            with self.at(self.in_quarter(year, quarter, -6, "20:00")):
                services_newsletter.write_foreword(
                    user=editor, issue_id=issue.pk, foreword=foreword(year, quarter)
                )
            with self.at(self.in_quarter(year, quarter, -3, "10:00")):
                services_newsletter.publish_issue(user=editor, issue_id=issue.pk)
        # This quarter's issue: started, the next in the rota editing it.
        with self.at(self.ago(1, "14:00")):
            services_newsletter.start_issue(
                user=self.staff,
                newsletter_id=paper.pk,
                year=self.quarter[0],
                quarter=self.quarter[1],
            )
        return 3

    @staticmethod
    def earlier_foreword(year, quarter) -> str:
        return (
            f"各位邻居：{year}年第{quarter}季度的《{PAPER}》和大家见面了。这个季度，"
            "深夜水管爆裂，是邻居们互相帮忙才没酿成大损失。远亲不如近邻，我们把这些小事记下来，"
            "也请大家把身边的好人好事告诉楼栋长，下一期继续登。"
        )

    @staticmethod
    def last_foreword(year, quarter) -> str:
        return (
            f"各位邻居：第{quarter}季度，邻里节摆了几十桌百家宴，党员志愿者给独居老人"
            "送了三百多份午餐，红“栋”力评比的流动红旗也换了几次主人。也有让人揪心的事："
            "高空抛物险些伤到孩子。小区是大家的家，文明要靠每一户。"
        )
