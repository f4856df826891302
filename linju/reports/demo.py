"""Demo reports (随手拍, seeds 002/003) in the demo community of linju.people.demo: a dozen
problems of the first estate in every state of the workflow — just submitted, overdue, accepted,
dispatched to the property company, in progress, resolved and waiting for the reporter, closed
with a rating, reopened, rejected with a reason, merged as a duplicate, escalated to the
subdistrict (吹哨), a joint case of the three parties (三方协调) with its messages, and a private
neighbour dispute. Photos are drawn with Pillow, never fetched.

Every report goes through the services, so its timeline, audit events and notifications are
those of real use; then its times are moved into the past day by day, as if it had been
reported and handled over the last two weeks. A report's token is derived from its place in
this script: the first one's token marks the demo reports as loaded, and `load_demo` then
changes nothing.
"""

import io
import random
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from linju.people.demo import DEMO_MOBILE
from linju.people.models import Residency, ResidencyStatus, RoleGrant, User
from linju.people.roles import Role
from linju.places.models import Place, PlaceKind

from . import services
from .models import OPEN_STATUSES, Message, Photo, Report, Status, StepKind, Supporter

NAMESPACE = uuid.UUID("6c1f0a52-5d0b-4c57-9a55-2f3f3c0d2026")
PHOTO_SIZE = (640, 480)


def token_for(index: int) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"demo-report-{index}")


def is_loaded() -> bool:
    return Report.objects.filter(token=token_for(0)).exists()


# --- Photos ---------------------------------------------------------------------------------


def photo(scene: str, seed: int = 0) -> ContentFile:
    """A phone-sized JPEG of a simple scene: a stairwell with boxes, a wire to a scooter, a
    broken door, a stained ceiling, full bins, a branch over a lamp, lift doors, a clean
    stairwell (the fix)."""
    rng = random.Random(f"{scene}-{seed}")
    img = Image.new("RGB", PHOTO_SIZE, (214, 210, 200))
    d = ImageDraw.Draw(img)
    w, h = PHOTO_SIZE
    d.rectangle([0, int(h * 0.72), w, h], fill=(150, 140, 128))  # floor
    if scene in ("boxes", "clean"):
        for i in range(6):  # stairs
            y = int(h * 0.72) - i * 28
            d.rectangle(
                [w - 260 + i * 30, y - 28, w, y], fill=(175, 168, 156), outline=(120, 112, 100)
            )
        if scene == "boxes":
            for _ in range(7):
                bw, bh = rng.randint(60, 130), rng.randint(45, 100)
                x, y = rng.randint(20, w - 330), int(h * 0.72) - bh - rng.randint(0, 90)
                d.rectangle(
                    [x, y, x + bw, y + bh], fill=(181, 134, 84), outline=(110, 76, 40), width=3
                )
                d.line([x, y + bh // 2, x + bw, y + bh // 2], fill=(140, 100, 60), width=2)
    elif scene == "wire":
        d.rectangle([60, 60, 260, 230], fill=(170, 200, 225), outline=(90, 90, 90), width=6)
        points = [(160, 230), (200, 300), (260, 280), (330, 340), (420, 330)]
        d.line(points, fill=(20, 20, 20), width=5)
        d.ellipse([400, 330, 470, 400], outline=(30, 30, 30), width=8)
        d.ellipse([540, 330, 610, 400], outline=(30, 30, 30), width=8)
        d.polygon([(430, 330), (580, 330), (560, 280), (450, 290)], fill=(200, 40, 40))
    elif scene == "door":
        d.rectangle([220, 60, 420, h - 130], fill=(110, 120, 130), outline=(40, 40, 40), width=6)
        d.line([(330, 80), (300, 200), (350, 260), (310, 330)], fill=(20, 20, 20), width=4)
        d.rectangle([390, 200, 408, 240], fill=(230, 200, 60))
    elif scene == "leak":
        d.rectangle([0, 0, w, 120], fill=(235, 233, 228))
        for _ in range(5):
            x, y = rng.randint(120, 420), rng.randint(10, 80)
            d.ellipse(
                [x, y, x + rng.randint(80, 180), y + rng.randint(40, 90)], fill=(170, 150, 110)
            )
        for x in (260, 300, 350):
            d.line([(x, 110), (x, 110 + rng.randint(80, 200))], fill=(120, 150, 190), width=4)
    elif scene == "bins":
        for i, color in enumerate([(40, 120, 60), (60, 60, 60), (30, 80, 160), (170, 40, 40)]):
            x = 60 + i * 140
            d.rectangle([x, 200, x + 110, int(h * 0.72)], fill=color, outline=(20, 20, 20), width=3)
            for _ in range(4):
                cx, cy = x + rng.randint(0, 110), rng.randint(150, 215)
                d.ellipse(
                    [cx - 25, cy - 18, cx + 25, cy + 18], fill=(230, 230, 230), outline=(90, 90, 90)
                )
    elif scene == "branch":
        d.rectangle([0, 0, w, int(h * 0.72)], fill=(150, 190, 225))
        d.rectangle([420, 90, 432, int(h * 0.72)], fill=(70, 70, 70))
        d.ellipse([395, 70, 460, 110], fill=(250, 240, 170))
        d.rectangle([90, 160, 130, int(h * 0.72)], fill=(100, 70, 40))
        for _ in range(14):
            x, y = rng.randint(60, 520), rng.randint(40, 200)
            d.ellipse([x, y, x + 90, y + 60], fill=(50, 120 + rng.randint(0, 40), 50))
    elif scene == "lift":
        d.rectangle([140, 50, 500, int(h * 0.72)], fill=(90, 90, 95))
        d.rectangle(
            [160, 70, 318, int(h * 0.72)], fill=(190, 195, 200), outline=(60, 60, 60), width=3
        )
        d.rectangle(
            [322, 70, 480, int(h * 0.72)], fill=(190, 195, 200), outline=(60, 60, 60), width=3
        )
        d.rectangle([520, 200, 560, 280], fill=(40, 40, 40))
        d.ellipse([530, 215, 550, 235], fill=(220, 60, 60))
    elif scene == "car":
        d.rectangle([0, int(h * 0.55), w, h], fill=(120, 120, 120))
        d.rectangle([0, int(h * 0.55), w, int(h * 0.55) + 12], fill=(230, 200, 40))
        d.rounded_rectangle([150, 230, 500, 340], radius=30, fill=(30, 60, 140))
        d.ellipse([190, 310, 260, 380], fill=(20, 20, 20))
        d.ellipse([390, 310, 460, 380], fill=(20, 20, 20))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return ContentFile(out.getvalue(), name=f"{scene}.jpg")


# --- The script -----------------------------------------------------------------------------


@dataclass
class _Cast:
    resident: User
    owner: User
    neighbours: list
    grid_worker: User
    property_manager: User
    owners_committee: User
    community_staff: User
    subdistrict_admin: User
    estate: Place
    home_unit: Place
    buildings: list = field(default_factory=list)

    def building(self, i):
        return self.buildings[i % len(self.buildings)]


def _cast():
    users = {u.mobile: u for u in User.objects.filter(mobile__in=DEMO_MOBILE.values())}
    by_role = {role: users.get(mobile) for role, mobile in DEMO_MOBILE.items()}
    if any(by_role.get(r) is None for r in (Role.RESIDENT, Role.OWNER, Role.GRID_WORKER)):
        return None
    home = (
        Residency.objects.filter(user=by_role[Role.RESIDENT], status=ResidencyStatus.VERIFIED)
        .select_related("household__unit__parent__parent")
        .first()
    )
    if home is None:
        return None
    unit = home.household.unit
    estate = unit.parent.parent
    grant = RoleGrant.objects.filter(
        user=by_role[Role.GRID_WORKER], role=Role.GRID_WORKER, revoked_at__isnull=True
    ).first()
    buildings = list(
        grant.grid.buildings.filter(path__startswith=estate.path).order_by("path")
        if grant and grant.grid_id
        else Place.objects.filter(parent=estate, kind=PlaceKind.BUILDING).order_by("path")
    )
    neighbours = list(
        User.objects.filter(
            residencies__status=ResidencyStatus.VERIFIED,
            residencies__household__path__startswith=buildings[0].path,
        )
        .exclude(mobile__in=DEMO_MOBILE.values())
        .distinct()
        .order_by("mobile")[:6]
    )
    return _Cast(
        resident=by_role[Role.RESIDENT],
        owner=by_role[Role.OWNER],
        neighbours=neighbours or [by_role[Role.OWNER]],
        grid_worker=by_role[Role.GRID_WORKER],
        property_manager=by_role[Role.PROPERTY_MANAGER],
        owners_committee=by_role[Role.OWNERS_COMMITTEE],
        community_staff=by_role[Role.COMMUNITY_STAFF],
        subdistrict_admin=by_role[Role.SUBDISTRICT_ADMIN],
        estate=estate,
        home_unit=unit,
        buildings=buildings or [unit.parent],
    )


def load_demo(*, progress=None) -> dict | None:
    """Write the demo reports once. Returns {"reports": n, "photos": n}, or None when they are
    there already or the demo community is not."""
    with transaction.atomic():
        if is_loaded():
            return None
        cast = _cast()
        if cast is None:
            return None
        reports = _Script(cast).run()
        for index, report in enumerate(reports):
            Report.objects.filter(pk=report.pk).update(token=token_for(index))
    counts = {
        "reports": len(reports),
        "photos": Photo.objects.filter(report__in=[r.pk for r in reports]).count(),
    }
    if progress:
        progress("reports", f"{counts['reports']} reports")
    return counts


class _Script:
    """Each scene submits a report and moves it along; `ages` are the hours ago at which its
    steps happened, one per step in order (the last one may be the most recent)."""

    def __init__(self, cast: _Cast):
        self.c = cast
        self.now = timezone.now()
        self.reports = []

    def submit(self, user, category, place, description, *, title="", scene=None, **more):
        report = services.submit_report(
            user=user,
            category_code=category,
            place_id=place.pk,
            description=description,
            title=title,
            photos=[photo(scene, len(self.reports))] if scene else [],
            **more,
        )
        self.reports.append(report)
        return report

    def run(self):
        c = self.c
        b0, b1, b2 = c.building(0), c.building(1), c.building(2)

        # 1. Just submitted, with neighbours saying "me too".
        boxes = self.submit(
            c.resident,
            "clutter",
            c.home_unit,
            "三楼到四楼楼道里堆满纸箱和旧家具，晚上下楼容易绊倒，也有消防隐患。",
            title="楼道堆满纸箱",
            scene="boxes",
        )
        for neighbour in c.neighbours[:2]:
            if neighbour.pk != c.resident.pk:
                services.support_report(user=neighbour, report=boxes)
        self.backdate(boxes, [5, 4, 3][: boxes.steps.count()])

        # 2. A duplicate of it, merged by the grid worker.
        dup = self.submit(
            c.neighbours[-1], "clutter", b0, "楼道纸箱太多，麻烦清理一下。", scene="boxes"
        )
        services.merge_report(
            user=c.grid_worker, report=dup, into_id=boxes.pk, note="与前一条反映的是同一处"
        )
        self.backdate(dup, [2, 1])

        # 3. Overdue: an urgent safety problem nobody has accepted within its 2 hours.
        self.backdate(
            self.submit(
                c.neighbours[0],
                "safety",
                b1,
                "2单元一楼消防栓箱门掉了，水带露在外面。",
                title="消防栓箱门损坏",
                scene="door",
            ),
            [6],
        )

        # 4. Accepted by the grid worker: flying-wire charging (飞线充电).
        wire = self.submit(
            c.owner,
            "flying-wire",
            b0,
            "有住户从二楼窗户拉电线下来给电动车充电，电线就挂在单元门口。",
            title="窗口飞线充电",
            scene="wire",
            hide_name=True,
        )
        services.accept_report(user=c.grid_worker, report=wire)
        self.backdate(wire, [3, 2])

        # 5. Dispatched to the property company.
        door = self.submit(
            c.neighbours[1 % len(c.neighbours)],
            "facility",
            b1,
            "单元门禁坏了，门一直关不上，外人随便进出。",
            title="单元门禁损坏",
            scene="door",
        )
        services.dispatch_report(
            user=c.grid_worker,
            report=door,
            handler_id=c.property_manager.pk,
            note="请物业今天派人看看门禁",
        )
        self.backdate(door, [28, 26, 25])

        # 6. In progress: a leak being fixed, with its answer to the extra question.
        leak = self.submit(
            c.resident,
            "water-leak",
            c.home_unit,
            "卫生间天花板渗水，怀疑是楼上管道漏水，已经滴了两天。",
            title="卫生间天花板渗水",
            scene="leak",
            attributes={"where": "ceiling"},
        )
        services.dispatch_report(user=c.grid_worker, report=leak, handler_id=c.property_manager.pk)
        services.start_work(user=c.property_manager, report=leak)
        services.add_note(
            user=c.property_manager,
            report=leak,
            text="已联系楼上住户，明天上午开门检修。",
            public=True,
        )
        self.backdate(leak, [50, 47, 46, 30, 29])

        # 7. Resolved with a reply and a photo: waiting for the demo owner to confirm.
        bins = self.submit(
            c.owner,
            "hygiene",
            c.estate,
            "北门垃圾分类点满溢，周末没有清运，气味很大。",
            title="垃圾分类点满溢",
            scene="bins",
        )
        # The grounds belong to no grid: the community's staff dispatch.
        services.dispatch_report(
            user=c.community_staff, report=bins, handler_id=c.property_manager.pk
        )
        services.resolve_report(
            user=c.property_manager,
            report=bins,
            reply="已安排保洁加派一次清运，并把周末清运改为每天两次。",
            photos=[photo("clean", 7)],
        )
        self.backdate(bins, [70, 66, 65, 20])

        # 8. Closed with a rating.
        branch = self.submit(
            c.neighbours[0],
            "greenery",
            b2,
            "3栋旁边的树枝把路灯挡住了，晚上路很黑。",
            title="树枝遮挡路灯",
            scene="branch",
        )
        services.dispatch_report(
            user=c.grid_worker, report=branch, handler_id=c.property_manager.pk
        )
        services.resolve_report(
            user=c.property_manager, report=branch, reply="已修剪树枝，路灯恢复照明。"
        )
        services.confirm_report(user=c.neighbours[0], report=branch, rating=5, comment="很及时")
        self.backdate(branch, [200, 190, 189, 150, 140, 140])

        # 9. Reopened: "not solved" by the reporter.
        lamp = self.submit(
            c.resident,
            "facility",
            c.home_unit,
            "楼道声控灯不亮，晚上上楼看不见台阶。",
            title="楼道灯不亮",
        )
        services.dispatch_report(user=c.grid_worker, report=lamp, handler_id=c.property_manager.pk)
        services.resolve_report(user=c.property_manager, report=lamp, reply="已更换灯泡。")
        services.reopen_report(
            user=c.resident, report=lamp, comment="换了之后第二天又不亮了，可能是线路问题。"
        )
        self.backdate(lamp, [120, 118, 117, 100, 80])

        # 10. Rejected, with the reason as the answer.
        noise = self.submit(
            c.neighbours[1 % len(c.neighbours)],
            "noise",
            b0,
            "小区外马路夜里有人飙车，很吵。",
        )
        services.reject_report(
            user=c.grid_worker,
            report=noise,
            reason="小区外道路上的噪音由交警负责，请拨打122反映；我们也已转告派出所。",
        )
        self.backdate(noise, [90, 88])

        # 11. A joint case (三方协调) with the coordination thread.
        lift = self.submit(
            c.owner,
            "elevator",
            b0,
            "2号电梯经常停在3楼不动，按钮没反应，上周已经修过一次。",
            title="电梯反复故障",
            scene="lift",
            attributes={"elevator": "2号电梯", "trapped": "no"},
        )
        services.dispatch_report(user=c.grid_worker, report=lift, handler_id=c.property_manager.pk)
        services.open_joint_case(
            user=c.grid_worker,
            report=lift,
            note="电梯反复故障，需要物业、业委会和居委会商量是否动用维修基金大修。",
        )
        services.post_message(
            user=c.property_manager,
            report=lift,
            body="维保公司检测后认为控制柜老化，大修约需4万元。",
        )
        services.post_message(
            user=c.owners_committee,
            report=lift,
            body="业委会同意申请使用维修基金，下周一公示。",
        )
        services.post_message(
            user=c.community_staff,
            report=lift,
            body="居委会协助公示和征求业主意见，公示期间请物业每天巡检一次。",
        )
        self.backdate(lift, [20, 19, 18, 12], messages=[11, 8, 5])

        # 12. Escalated (吹哨) from the community to the subdistrict.
        parking = self.submit(
            c.neighbours[0],
            "parking",
            c.estate,
            "消防通道长期被外来私家车占用，消防车进不来。",
            title="消防通道被占",
            scene="car",
        )
        services.accept_report(user=c.community_staff, report=parking)
        services.escalate_report(
            user=c.community_staff,
            report=parking,
            reason="需要街道协调交警和城管在小区出入口设置限停。",
        )
        self.backdate(parking, [80, 76, 30])

        # 13. A private neighbour dispute (邻里纠纷): never on the public page.
        dispute = self.submit(
            c.resident,
            "dispute",
            c.home_unit,
            "楼上装修每天早上七点就开始电钻，沟通过两次没有改善。",
            title="楼上装修噪音",
        )
        services.accept_report(user=c.community_staff, report=dispute)
        services.add_note(
            user=c.community_staff,
            report=dispute,
            text="已约双方周六上午到居委会调解。",
        )
        self.backdate(dispute, [26, 22, 21])
        return self.reports

    # --- Moving a report into the past ------------------------------------------------------

    def backdate(self, report, ages, *, messages=()):
        """Give the report's steps the times `ages` (hours ago), and recompute every time the
        workflow derives from them (deadlines, accepted, resolved, closed)."""
        report = Report.objects.select_related("category").get(pk=report.pk)
        steps = list(report.steps.order_by("created_at", "id"))
        ages = list(ages) + [ages[-1]] * (len(steps) - len(ages))
        at = [self.now - timedelta(hours=a) for a in ages]
        for step, when in zip(steps, at, strict=False):
            step.created_at = when
        type(steps[0]).objects.bulk_update(steps, ["created_at"])
        for step in steps:
            Photo.objects.filter(step=step).update(created_at=step.created_at)
        Supporter.objects.filter(report=report).update(created_at=at[0] + timedelta(minutes=40))

        category = report.category
        times = {}
        for step in steps:
            times.setdefault(step.kind, []).append(step.created_at)
        created = steps[0].created_at
        report.created_at = created
        report.updated_at = steps[-1].created_at
        report.accept_due_at = created + timedelta(hours=category.accept_hours)
        accepted = (times.get(StepKind.ACCEPTED) or times.get(StepKind.DISPATCHED) or [None])[0]
        if report.accepted_at is not None:
            report.accepted_at = accepted
            report.resolve_due_at = accepted + timedelta(hours=category.resolve_hours)
        if report.resolved_at is not None:
            report.resolved_at = times[StepKind.RESOLVED][-1]
        if report.closed_at is not None:
            report.closed_at = steps[-1].created_at
        if report.due_at is not None and report.status in OPEN_STATUSES:
            restart = [
                s.created_at
                for s in steps
                if s.kind in (StepKind.ESCALATED, StepKind.REOPENED, StepKind.AUTO_ESCALATED)
            ]
            if report.status == Status.SUBMITTED:
                base = restart[-1] if restart else created
                report.due_at = base + timedelta(hours=category.accept_hours)
            elif restart:
                report.due_at = restart[-1] + timedelta(hours=category.resolve_hours)
            else:
                report.due_at = report.resolve_due_at
        report.save(
            update_fields=[
                "created_at",
                "updated_at",
                "accept_due_at",
                "accepted_at",
                "resolve_due_at",
                "resolved_at",
                "closed_at",
                "due_at",
            ]
        )
        for message, age in zip(
            Message.objects.filter(report=report).order_by("id"),
            [ages[-1], *messages],
            strict=False,
        ):
            Message.objects.filter(pk=message.pk).update(created_at=self.now - timedelta(hours=age))
