"""Demo points (公益积分) and love supermarket (爱心超市, seeds 000, 002, 004) in the demo
community of linju.people.demo.

The community's earning rules (volunteer service: 1 point an hour, at most 2 hours counted a
service; an accepted report: 2 points, at most 4 a day) and a 12-month expiry policy, set up
seven months ago; the shelves of its love supermarket (大米, 食用油, 洗衣液, 毛巾, 抽纸, 理发券,
家电维修券, 健康体检券), some donated by the community's partner organisation (共建单位); six
months of volunteer service (two organised services a week: 楼道清理, 垃圾分类督导, 助老探访,
夜间巡逻…) by about forty residents, recorded by the community's staff; redemptions collected
at the desk, two cancelled (one by the resident, one by the desk with its reason), a few
waiting; one adjustment with its reason (a service missed on the sign-in sheet). The demo
resident's login has services recorded today and a redemption waiting to be collected.

Everything goes through the services (`services.record_service`, `adjust_points`, `set_rule`,
`set_expiry`, `services_store.*`), so every entry is written by `ledger.post_points` /
`post_hours`, and balances, audit events and notifications are those of real use. Each step
runs inside `_Script.at(when)`: afterwards every time the step wrote is moved back to `when`
(the mechanism of linju.ratings.demo); steps run in time order, so each entry's "balance
after" reads right in a person's history. The forty volunteers are residents with no points
or hours yet: a person who has entries already (the reports and ratings demos credit points
at the time of loading) is never given entries dated before them. Audit events and
notifications carry the time of loading; pickup codes are random, as in real use.

Deterministic: people are picked in tree order, the volunteers of each service with
`random.Random(SEED)`. The audit event `MARKER` says the demo is loaded; `load_demo` then
changes nothing.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from linju.core import audit
from linju.core.models import AuditEvent
from linju.people import demo as people_demo
from linju.people.models import Residency, ResidencyStatus, RoleGrant, User
from linju.people.roles import Role
from linju.places.models import Place

from . import services
from . import services_store as store
from .models import (
    Account,
    EarningRule,
    ExpiryPolicy,
    HoursEntry,
    PointsEntry,
    PointsKind,
    Redemption,
    StoreItem,
)

SEED = 2026
MARKER = "points.demo.load"
VOLUNTEERS = 40
WEEKS = 26  # six months of service
EXPIRY_MONTHS = 12

TRACKED = (
    (PointsEntry, ("created_at",)),
    (HoursEntry, ("created_at",)),
    (Account, ("updated_at",)),
    (Redemption, ("created_at", "collected_at", "cancelled_at")),
    (StoreItem, ("created_at",)),
    (EarningRule, ("updated_at",)),
    (ExpiryPolicy, ("updated_at",)),
)

# name, description, points, stock, at most a person a month, donor (None: the partner)
ITEMS = (
    ("大米 5kg", "东北大米，一袋 5 公斤", 20, 40, 2, "桂园粮油店"),
    ("食用油 1.8L", "非转基因压榨花生油", 18, 30, 1, "桂园粮油店"),
    ("洗衣液 2kg", "", 12, 30, 2, ""),
    ("毛巾", "纯棉毛巾，两条装", 5, 60, 0, ""),
    ("抽纸", "三层抽纸，一提六包", 3, 80, 0, ""),
    ("理发券", "社区义剪点理发一次，周三、周六上午", 5, 30, 1, "丹桂理发店"),
    ("家电维修券", "上门检修小家电一次（配件另计）", 8, 20, 1, "江城家电维修服务部"),
    ("健康体检券", "常规体检一次（血常规、血压、血糖、心电图）", 25, 10, 1, None),
)

# What is redeemed, in turn: the cheap things first, while volunteers have few points.
SHOPPING = (
    "毛巾",
    "抽纸",
    "理发券",
    "家电维修券",
    "毛巾",
    "洗衣液 2kg",
    "理发券",
    "食用油 1.8L",
    "抽纸",
    "大米 5kg",
    "家电维修券",
    "健康体检券",
    "洗衣液 2kg",
    "大米 5kg",
)

# what, minutes, weekday (0 Monday), time of day
SERVICES = (
    ("楼道杂物清理", 120, 5, "08:30"),
    ("垃圾分类督导", 90, 1, "07:00"),
    ("独居老人探访陪伴", 120, 3, "15:00"),
    ("夜间平安巡逻", 150, 4, "19:30"),
    ("小区环境整治", 180, 6, "08:30"),
    ("文明劝导（电动车规范停放）", 60, 2, "18:00"),
    ("四点半课堂辅导", 90, 0, "16:30"),
    ("社区义诊协助", 120, 5, "09:00"),
)


def is_loaded() -> bool:
    return AuditEvent.objects.filter(verb=MARKER).exists()


# --- Who takes part -------------------------------------------------------------------------------


@dataclass
class _Cast:
    staff: User
    resident: User | None  # the demo resident's login
    community: Place
    partner: str
    volunteers: list = field(default_factory=list)


def _cast() -> _Cast | None:
    if not people_demo.is_loaded():
        return None
    users = {u.mobile: u for u in User.objects.filter(mobile__in=people_demo.DEMO_NUMBERS)}
    staff = users.get(people_demo.DEMO_MOBILE[Role.COMMUNITY_STAFF])
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
    partner = (
        User.objects.filter(
            pk__in=RoleGrant.objects.filter(
                role=Role.PARTNER, place=community, revoked_at__isnull=True
            ).values("user_id")
        )
        .order_by("mobile")
        .values_list("name", flat=True)
        .first()
    )
    # The partner's staff are named "organisation·person" by the people demo.
    partner = partner.split("·")[0] if partner and "·" in partner else ""
    resident = users.get(people_demo.DEMO_MOBILE[Role.RESIDENT])
    if resident is not None and not _lives_in(resident, community):
        resident = None
    cast = _Cast(staff=staff, resident=resident, community=community, partner=partner)
    cast.volunteers = _volunteers(community, {u.pk for u in users.values()})
    return cast


def _lives_in(user, community) -> bool:
    return Residency.objects.filter(
        user=user, status=ResidencyStatus.VERIFIED, household__path__startswith=community.path
    ).exists()


def _volunteers(community, demo_ids) -> list[User]:
    """About forty verified residents of the community, one per household spread over its
    estates in tree order; never a demo login, never someone with points or hours already."""
    has_entries = set(PointsEntry.objects.values_list("user_id", flat=True).distinct())
    has_entries |= set(HoursEntry.objects.values_list("user_id", flat=True).distinct())
    rows = (
        Residency.objects.filter(
            status=ResidencyStatus.VERIFIED, household__path__startswith=community.path
        )
        .exclude(user_id__in=demo_ids | has_entries)
        .select_related("user")
        .order_by("household__path", "user__mobile")
    )
    seen, found = set(), []
    for r in rows:
        if r.household_id not in seen and r.user.is_active:
            seen.add(r.household_id)
            found.append(r.user)
    step = max(1, len(found) // VOLUNTEERS)
    return found[::step][:VOLUNTEERS]


def load_demo(*, progress=None) -> dict | None:
    """Write the demo points once. Returns what was made ({"store_items": n,
    "volunteer_services": n, "redemptions": n}), or None when they are there already or the
    demo community is not."""
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        if is_loaded():
            return None
        cast = _cast()
        if cast is None:
            return None
        counts = _Script(cast).run()
        audit.record(actor=None, verb=MARKER, obj=cast.community, data=counts)
    if progress:
        progress("points", f"{counts['volunteer_services']} services")
    return counts


# --- The script -----------------------------------------------------------------------------------


class _Script:
    def __init__(self, cast: _Cast):
        self.c = cast
        self.staff = cast.staff
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.rng = random.Random(SEED)
        self.items = {}
        self.services = 0
        self.redemptions = {}  # the plan's number → its redemption
        self.fates = {}  # the plan's number → what the desk does with it later

    # --- Time -------------------------------------------------------------------------------------

    def on(self, day: date, hm: str = "10:00") -> datetime:
        hour, minute = (int(x) for x in hm.split(":"))
        return timezone.make_aware(datetime.combine(day, time(hour, minute)))

    def at(self, when: datetime):
        """Run a step as if at `when` (people.demo.moved_to)."""
        return people_demo.moved_to(when, TRACKED)

    # --- The story --------------------------------------------------------------------------------

    def run(self) -> dict:
        start = self.today - timedelta(weeks=WEEKS)
        with self.at(self.on(start - timedelta(days=30), "10:00")):
            self.set_up()
        with self.at(self.on(start - timedelta(days=20), "14:00")):
            self.shelves()
        taken = set()
        for when, step in sorted(self.plan(start), key=lambda s: s[0]):
            if when >= self.now:
                continue  # tonight's patrol has not happened yet
            while when in taken:
                # Two steps at one time would interleave their rows: one second apart.
                when += timedelta(seconds=1)
            taken.add(when)
            with self.at(when):
                step()
        self.demo_resident()
        return {
            "store_items": len(self.items),
            "volunteer_services": self.services,
            "redemptions": len(self.redemptions),
        }

    def set_up(self):
        c, staff = self.c, self.staff
        services.set_rule(
            user=staff,
            place_id=c.community.pk,
            kind=PointsKind.SERVICE,
            points=1,
            max_hours_per_event=2,
        )
        services.set_rule(
            user=staff, place_id=c.community.pk, kind=PointsKind.REPORT, points=2, max_per_day=4
        )
        services.set_expiry(user=staff, place_id=c.community.pk, months=EXPIRY_MONTHS)

    def shelves(self):
        for name, description, cost, stock, per_person, donor in ITEMS:
            if donor is None:
                donor = self.c.partner or "社区卫生服务站"
            self.items[name] = store.create_item(
                user=self.staff,
                place_id=self.c.community.pk,
                name=name,
                description=description,
                cost=cost,
                stock=stock,
                per_person=per_person,
                donor=donor,
            )

    def plan(self, start: date) -> list:
        """Every step with its time: the services week by week, then the redemptions, the desk's
        hand-outs and cancellations, an adjustment and a donation among them."""
        steps = []
        people = self.c.volunteers
        if not people:
            return steps
        # Some volunteers come most weeks, most now and then.
        weights = [8 if i % 5 == 0 else 3 if i % 3 == 0 else 1 for i in range(len(people))]
        monday = start - timedelta(days=start.weekday())
        event = 0
        for week in range(WEEKS + 1):
            # One organised service a week, two every other week, on different days.
            picked = []
            for offer in self.rng.sample(SERVICES, len(SERVICES)):
                if offer[2] not in {p[2] for p in picked}:
                    picked.append(offer)
            for n, (what, minutes, weekday, hm) in enumerate(picked[: 1 + week % 2], start=1):
                day = monday + timedelta(weeks=week, days=weekday)
                if not start <= day <= self.today:
                    continue
                # Everyone comes at least once (one of them in turn), a few most weeks.
                chosen = {event % len(people)}
                size = min(len(people), self.rng.randint(4, 7))
                while len(chosen) < size:
                    chosen.add(self.rng.choices(range(len(people)), weights)[0])
                event += 1
                team = [people[i] for i in sorted(chosen)]
                # Recorded by the staff the next morning (today's: this afternoon).
                served = self.on(day, hm)
                recorded = max(
                    self.on(day + timedelta(days=1), "09:30"),
                    served + timedelta(minutes=minutes + 30),
                )
                if day == self.today:
                    recorded = min(recorded, self.now - timedelta(minutes=5))
                if recorded <= served:
                    continue
                key = f"demo-{day.isoformat()}-{n}"
                steps.append((recorded, self._service(key, day, what, minutes, team)))
        # The love supermarket from the third month on: one redemption every week or so. What
        # becomes of it is decided when it is made (the third made is cancelled by the
        # resident, the sixth by the desk after two weeks, those of the last week wait).
        first = start + timedelta(weeks=9)
        for i, days_ago in enumerate(range((self.today - first).days, 0, -8)):
            day = self.today - timedelta(days=days_ago)
            when = self.on(day, f"{10 + i % 8}:{(i * 17) % 60:02d}")
            steps.append((when, self._redeem(i, SHOPPING[i % len(SHOPPING)], days_ago)))
            steps.append((when + timedelta(days=1 + i % 3, hours=-1), self._collect(i)))
            steps.append((when + timedelta(days=14), self._desk_cancel(i)))
        # A service missed on the sign-in sheet, credited with its reason.
        missed = self.today - timedelta(days=40)
        steps.append(
            (self.on(missed + timedelta(days=3), "11:20"), self._adjust(people[0], missed))
        )
        # The partner's second donation of health checks.
        steps.append((self.on(self.today - timedelta(days=45), "15:00"), self._restock()))
        return steps

    # --- Steps ------------------------------------------------------------------------------------

    def _service(self, key, day, what, minutes, team):
        def step():
            for person in team:
                services.record_service(
                    user=self.staff,
                    person_id=person.pk,
                    place_id=self.c.community.pk,
                    served_on=day,
                    minutes=minutes,
                    what=what,
                    key=f"{key}-{person.pk}",
                )
                self.services += 1

        return step

    def _shopper(self, item, used) -> User | None:
        """The first volunteer (in the seeded order) with the points for the item who has not
        redeemed yet: each redeems once, so monthly limits never bite."""
        balances = dict(
            Account.objects.filter(user__in=self.c.volunteers).values_list("user_id", "points")
        )
        order = self.c.volunteers[:]
        random.Random(f"{SEED}-{item.pk}-{len(used)}").shuffle(order)
        for person in order:
            if person.pk not in used and balances.get(person.pk, 0) >= item.cost:
                return person
        return None

    def _redeem(self, i, name, days_ago):
        def step():
            item = self.items[name]
            person = self._shopper(item, {r.user_id for r in self.redemptions.values()})
            if person is None:
                return  # nobody has the points for it yet
            redemption = store.redeem(user=person, item=item, key=f"demo-{i}")
            made = len(self.redemptions)
            self.redemptions[i] = redemption
            if made == 2:
                store.cancel(user=person, redemption=redemption, reason="家里已经买了，不需要了")
            elif made == 5:
                self.fates[i] = "desk_cancel"
            elif days_ago > 8:
                self.fates[i] = "collect"

        return step

    def _collect(self, i):
        def step():
            if self.fates.get(i) == "collect":
                store.collect(user=self.staff, redemption=self.redemptions[i])

        return step

    def _desk_cancel(self, i):
        def step():
            if self.fates.get(i) == "desk_cancel":
                store.cancel(
                    user=self.staff,
                    redemption=self.redemptions[i],
                    reason="预约两周未到爱心超市领取，已取消并退还积分",
                )

        return step

    def _adjust(self, person, day):
        def step():
            services.adjust_points(
                user=self.staff,
                person_id=person.pk,
                place_id=self.c.community.pk,
                amount=2,
                reason=f"补录：{day:%m月%d日}防汛值守签到表漏记，经核实补发积分",
                key="demo-adjust-1",
            )

        return step

    def _restock(self):
        def step():
            for name, *_rest, donor in ITEMS:
                if donor is None:
                    store.restock(
                        user=self.staff,
                        item=self.items[name],
                        change=10,
                        reason=f"{self.c.partner or '社区卫生服务站'}再次捐赠体检券",
                    )

        return step

    def demo_resident(self):
        """The demo resident's login: four services of the last weeks recorded at the desk
        today (after any points the other demos gave them at loading), and a towel waiting to
        be collected."""
        person = self.c.resident
        if person is None:
            return
        for n, days_ago in enumerate((23, 16, 9, 2)):
            what, minutes, _weekday, _hm = SERVICES[n % 2]
            services.record_service(
                user=self.staff,
                person_id=person.pk,
                place_id=self.c.community.pk,
                served_on=self.today - timedelta(days=days_ago),
                minutes=minutes,
                what=what,
                key=f"demo-resident-{n}",
            )
            self.services += 1
        self.redemptions["resident"] = store.redeem(
            user=person, item=self.items["毛巾"], key="demo-resident"
        )
