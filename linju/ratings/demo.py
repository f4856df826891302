"""Demo ratings (seeds 001, 002) in the demo community of linju.people.demo.

In the demo owner's estate (the community's first): the contest template copied into a draft,
put to the residents with a deliberation topic (共建议事会) and commented on by two residents,
then adopted; the civilised-unit contest (红"栋"力) with its four-party panel (the demo logins
for the community, the property company and the owners' committee, and a verified resident
of the estate for the residents); the rounds of the last four months published with their red
flags (流动红旗) — one unit vetoed for flying-wire charging (飞线充电), a pram found exempt (婴儿车
不算楼道杂物), a wheelchair's deduction corrected in review with its reason, a student admitted
to university — the older ones locked once their objection days were over, as the sweep does;
the current month's round in scoring, three panellists done and the property company's late
(its scoring was due yesterday); and a second version of the rubric as a draft. In the
community: the party committee's star rating (星级评定) with an adopted copy of the stars
template and last year's round published.

Everything goes through the services, so audit events, notices and notifications are those of
real use. Each step runs inside `_Script.at(when)`: afterwards every time the step wrote is
moved back to `when` (the same mechanism as linju.deliberation.demo). Where a service insists
on a date computed from today (a round's due date) the row is set afterwards, as a clock would
have moved. Audit events and notifications carry the time of loading.

Deterministic: people are picked in tree order, marks with `random.Random` seeded per month.
The audit event `MARKER` says the demo is loaded; `load_demo` then changes nothing.
"""

import calendar
import io
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from PIL import Image, ImageDraw

from linju.core import audit
from linju.core.models import AuditEvent
from linju.deliberation.models import Procedure, Publication, Topic
from linju.people import demo as people_demo
from linju.people.models import (
    PartyOrganisation,
    PartyOrgKind,
    Residency,
    ResidencyStatus,
    RoleGrant,
    User,
)
from linju.people.roles import Role
from linju.places.models import Place

from . import defaults, scoring
from . import services_rounds as rounds
from . import services_rubrics as rubrics
from .models import (
    Contest,
    Correction,
    Entry,
    ItemKind,
    Panellist,
    Party,
    Purpose,
    Round,
    RoundStatus,
    Rubric,
    RubricComment,
    Sheet,
)
from .scoring import default_points

SEED = 2026
MARKER = "ratings.demo.load"
PAST_MONTHS = 4  # published rounds before the current month's
FEE_FEN = 120  # the estate's property fee, 1.20 yuan per m² a month (as in deliberation's demo)
# The items a panellist may mark down without an evidence photo.
PLAIN = ("disputes", "civility", "family", "volunteering")

TRACKED = (
    (Rubric, ("created_at", "adopted_at")),
    (RubricComment, ("created_at",)),
    (Contest, ("created_at",)),
    (
        Round,
        (
            "opened_at",
            "scoring_at",
            "review_at",
            "ranked_at",
            "reminded_at",
            "published_at",
            "locked_at",
        ),
    ),
    (Sheet, ("submitted_at", "updated_at")),
    (Correction, ("corrected_at",)),
    (Topic, ("created_at",)),
    (Publication, ("published_at",)),
)


def is_loaded() -> bool:
    return AuditEvent.objects.filter(verb=MARKER).exists()


def evidence(kind: str, seed: int = 0) -> ContentFile:
    """A panellist's phone photo, drawn with Pillow (never fetched): a corridor with a pram or a
    wheelchair, a cable hanging from a window to an e-bike, or an admission letter."""
    rng = random.Random(f"{kind}-{seed}")
    img = Image.new("RGB", (480, 360), (214, 210, 200))
    d = ImageDraw.Draw(img)
    d.polygon([(0, 360), (160, 140), (320, 140), (480, 360)], fill=(170, 165, 155))  # floor
    d.rectangle([200, 40, 280, 140], fill=(120, 96, 70))  # a door at the end
    if kind == "pram":
        d.ellipse([300, 270, 340, 310], outline=(30, 30, 30), width=5)
        d.ellipse([380, 270, 420, 310], outline=(30, 30, 30), width=5)
        d.pieslice([300, 180, 420, 280], 180, 360, fill=(70, 110, 170))
    elif kind == "wheelchair":
        d.ellipse([290, 220, 390, 320], outline=(40, 40, 40), width=6)
        d.rectangle([320, 180, 380, 240], fill=(60, 60, 60))
    elif kind == "wire":
        d.rectangle([60, 20, 140, 100], fill=(180, 200, 220), outline=(90, 90, 90), width=3)
        d.line([(100, 100), (120, 200), (300, 280)], fill=(20, 20, 20), width=4)
        d.rectangle([290, 260, 420, 320], fill=(40, 120, 60))  # the e-bike
    elif kind == "letter":
        d.rectangle([120, 60, 360, 320], fill=(180, 30, 30))
        d.rectangle([150, 100, 330, 140], fill=(240, 200, 80))
    else:  # litter thrown from above
        for _i in range(12):
            x, y = rng.randint(150, 400), rng.randint(220, 340)
            d.rectangle([x, y, x + 14, y + 10], fill=(rng.randint(60, 220), 200, 90))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=70)
    return ContentFile(out.getvalue(), name=f"{kind}.jpg")


# --- Who takes part -------------------------------------------------------------------------------


@dataclass
class _Cast:
    community_staff: User
    property_manager: User
    owners_committee: User
    second_staff: User  # another of the community's staff, for the star rating's panel
    community: Place
    estate: Place
    demo_ids: set


def _cast() -> _Cast | None:
    if not people_demo.is_loaded():
        return None
    users = {u.mobile: u for u in User.objects.filter(mobile__in=people_demo.DEMO_NUMBERS)}
    by_role = {role: users.get(mobile) for role, mobile in people_demo.DEMO_MOBILE.items()}
    needed = (Role.OWNER, Role.COMMUNITY_STAFF, Role.PROPERTY_MANAGER, Role.OWNERS_COMMITTEE)
    if any(by_role.get(r) is None for r in needed):
        return None
    home = (
        Residency.objects.filter(user=by_role[Role.OWNER], status=ResidencyStatus.VERIFIED)
        .select_related("household__unit__parent__parent__parent")
        .first()
    )
    if home is None:
        return None
    estate = home.household.unit.parent.parent
    community = estate.parent
    staff = by_role[Role.COMMUNITY_STAFF]
    second = (
        User.objects.filter(
            pk__in=RoleGrant.objects.filter(
                role=Role.COMMUNITY_STAFF, place=community, revoked_at__isnull=True
            ).values("user_id")
        )
        .exclude(pk=staff.pk)
        .order_by("mobile")
        .first()
    )
    return _Cast(
        community_staff=staff,
        property_manager=by_role[Role.PROPERTY_MANAGER],
        owners_committee=by_role[Role.OWNERS_COMMITTEE],
        second_staff=second or staff,
        community=community,
        estate=estate,
        demo_ids={u.pk for u in users.values()},
    )


def load_demo(*, progress=None) -> dict | None:
    """Write the demo ratings once. Returns what was made ({"contests": n, "rating_rounds": n,
    "score_sheets": n}), or None when they are there already or the demo community is not."""
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        if is_loaded():
            return None
        cast = _cast()
        if cast is None:
            return None
        if not Rubric.objects.filter(code=defaults.CONTEST, place__isnull=True).exists():
            defaults.install()  # a test database flushed since migration 0002
        if not Procedure.objects.exists():
            from linju.deliberation import defaults as deliberation_defaults

            deliberation_defaults.install()  # the rubric's topic needs deliberation's procedures
        counts = _Script(cast).run()
        audit.record(actor=None, verb=MARKER, obj=cast.community, data=counts)
    if progress:
        progress("ratings", f"{counts['rating_rounds']} rounds")
    return counts


# --- The script -----------------------------------------------------------------------------------


def _month_start(day: date, back: int) -> date:
    months = day.year * 12 + day.month - 1 - back
    return date(months // 12, months % 12 + 1, 1)


class _Script:
    def __init__(self, cast: _Cast):
        self.c = cast
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.staff = cast.community_staff
        self.rounds = []
        self.sheets = 0

    # --- Time -------------------------------------------------------------------------------------

    def on(self, day: date, hm: str = "10:00") -> datetime:
        hour, minute = (int(x) for x in hm.split(":"))
        return timezone.make_aware(datetime.combine(day, time(hour, minute)))

    def ago(self, days: int, hm: str = "10:00") -> datetime:
        return self.on(self.today - timedelta(days=days), hm)

    def at(self, when: datetime):
        """Run a step as if at `when` (people.demo.moved_to)."""
        return people_demo.moved_to(when, TRACKED)

    # --- People -----------------------------------------------------------------------------------

    def residents(self, n: int, *, skip: int = 0) -> list[User]:
        """Verified residents of the estate, one per household in tree order, never a demo
        login (those stay for whoever tries the demo); every third household from `skip`."""
        rows = (
            Residency.objects.filter(
                status=ResidencyStatus.VERIFIED, household__path__startswith=self.c.estate.path
            )
            .exclude(user_id__in=self.c.demo_ids)
            .select_related("user")
            .order_by("household__path", "user__mobile")
        )
        seen, found = set(), []
        for r in rows:
            if r.household_id not in seen:
                seen.add(r.household_id)
                found.append(r.user)
        return found[skip::3][:n]

    # --- The story --------------------------------------------------------------------------------

    def run(self) -> dict:
        rubric = self.consultation()
        contest = self.contest(rubric)
        for back in range(PAST_MONTHS, 0, -1):
            self.past_round(contest, back)
        self.current_round(contest)
        self.next_version(rubric)
        self.stars()
        self.lock_settled()
        return {
            "contests": 2,
            "rating_rounds": len(self.rounds),
            "score_sheets": self.sheets,
        }

    # 制定评分细则 → 召集居民集中讨论 → 完善 → adopted.
    def consultation(self) -> Rubric:
        c, staff = self.c, self.staff
        start = _month_start(self.today, PAST_MONTHS)
        with self.at(self.on(start - timedelta(days=40), "09:30")):
            draft = rubrics.copy_rubric(
                user=staff, rubric=defaults.template(defaults.CONTEST), place_id=c.estate.pk
            )
            rubrics.update_rubric(
                user=staff,
                rubric=draft,
                name=f"{c.estate.name}文明单元“红‘栋’力”评比细则",
                description=draft.description,
            )
        with self.at(self.on(start - timedelta(days=38), "10:00")):
            rubrics.put_to_residents(user=staff, rubric=draft)
        items = {i.code: i for i in draft.items.all()}
        said = [
            (
                "flying_wire",
                "飞线充电太危险了，一票否决我赞成。建议写清楚：从窗口、楼道拉线都算。",
                "20:15",
            ),
            ("hygiene", "老人的轮椅、孩子的婴儿车放楼道是没办法的事，希望不要因此扣分。", "21:40"),
        ]
        for day, (who, (code, text, hm)) in enumerate(zip(self.residents(2), said, strict=True)):
            with self.at(self.on(start - timedelta(days=36 - day * 3), hm)):
                rubrics.comment_rubric(user=who, rubric=draft, text=text, item_id=items[code].pk)
        with self.at(self.on(start - timedelta(days=25), "16:00")):
            return rubrics.adopt_rubric(user=staff, rubric=draft)

    def contest(self, rubric) -> Contest:
        c, staff = self.c, self.staff
        created = self.on(_month_start(self.today, PAST_MONTHS) - timedelta(days=20), "10:00")
        resident = self.residents(1, skip=1)[0]
        with self.at(created):
            contest = rounds.create_contest(
                user=staff,
                place_id=c.estate.pk,
                name=f"{c.estate.name}文明单元“红‘栋’力”评比",
                rubric_id=rubric.pk,
                fee_fen_per_sqm_month=FEE_FEN,
            )
            panel = [
                (staff, Party.COMMUNITY),
                (c.property_manager, Party.PROPERTY),
                (c.owners_committee, Party.OWNERS_COMMITTEE),
                (resident, Party.RESIDENTS),
            ]
            for person, party in panel:
                rounds.add_panellist(user=staff, contest=contest, person_id=person.pk, party=party)
        Panellist.objects.filter(contest=contest).update(since=created.date())
        self.panel = [p for p, _party in panel]
        return contest

    # --- Marks ------------------------------------------------------------------------------------

    def plan(self, round_, rng) -> dict:
        """Each target's deductions on the plain items, the same for every panellist: the month's
        order is shuffled so the flags rotate; ranks 1–3 lose 0, 0.5 and 1 point."""
        targets = list(round_.targets.order_by("position"))
        order = targets[:]
        rng.shuffle(order)
        plan = {}
        for i, target in enumerate(order):
            lost = {}
            for _half in range(min(i, 24)):
                code = rng.choice(PLAIN)
                lost[code] = lost.get(code, 0) + Decimal("0.5")
            plan[target.pk] = (i, lost)
        return {"targets": targets, "order": order, "lost": plan}

    def marks(self, round_, plan, target, rng, extra=None) -> dict:
        items = list(round_.rubric.items.all())
        rank, lost = plan["lost"][target.pk]
        lost = dict(lost)
        # Beyond the leaders, panellists see a little more or less than each other.
        if rank >= 3 and rng.random() < 0.4:
            code = rng.choice(PLAIN)
            lost[code] = lost.get(code, 0) + Decimal("0.5")
        marks = {}
        for item in items:
            points = default_points(item)
            if item.kind == ItemKind.SCORE:
                points = max(points - lost.get(item.code, 0), Decimal(0))
            marks[item.code] = {"points": str(points), "exempt": False, "vetoed": False}
        for code, change in (extra or {}).items():
            marks[code] = {**marks[code], **change}
        return marks

    def score(self, when, round_, judge, sheets) -> None:
        """One panellist's evening of scoring: [(target, marks)]. Sheets with evidence go
        through `save_sheet`; the plain ones are written in bulk (`plain_sheets`)."""
        with self.at(when):
            plain = []
            for target, marks in sheets:
                if any("photo" in mark for mark in marks.values()):
                    rounds.save_sheet(user=judge, round_=round_, target_id=target.pk, marks=marks)
                else:
                    plain.append((target, marks))
            self.plain_sheets(round_, judge, plain)
        self.sheets += len(sheets)

    def plain_sheets(self, round_, judge, sheets) -> None:
        """What `save_sheet` writes for marks without a photo, in three statements instead of a
        dozen a sheet (the demo's thousand sheets would take half a minute one by one): each
        mark checked by `scoring.clean_mark`, its effect and the sheet's totals computed by
        `scoring`, an audit event a sheet."""
        if not sheets:
            return
        items = list(round_.rubric.items.all())
        now = timezone.now()
        made = []
        for target, marks in sheets:
            rows = []
            for item in items:
                mark = marks[item.code]
                exempt, vetoed = bool(mark.get("exempt")), bool(mark.get("vetoed"))
                points = scoring.clean_mark(
                    item,
                    points=mark.get("points"),
                    exempt=exempt,
                    vetoed=vetoed,
                    has_photo=False,
                    field=f"marks.{item.code}",
                )
                value, lost = scoring.effect(item, points=points, exempt=exempt)
                rows.append((item, points, exempt, vetoed, value, lost))
            totals = scoring.sheet_totals([(i, v, lo, ve) for i, _p, _e, ve, v, lo in rows])
            sheet = Sheet(
                round=round_,
                target=target,
                panellist=judge,
                submitted_at=now,
                updated_at=now,
                **totals,
            )
            made.append((sheet, rows))
        Sheet.objects.bulk_create([sheet for sheet, _rows in made])
        Entry.objects.bulk_create(
            Entry(
                sheet=sheet,
                item=item,
                points=points,
                exempt=exempt,
                vetoed=vetoed,
                value=value,
                lost=lost,
            )
            for sheet, rows in made
            for item, points, exempt, vetoed, value, lost in rows
        )
        AuditEvent.objects.bulk_create(
            AuditEvent(
                actor=judge,
                verb="ratings.sheet_save",
                object_type=round_._meta.label_lower,
                object_id=str(round_.pk),
                object_repr=str(round_)[:200],
                scope_path=round_.path,
                data={
                    "target": sheet.target_id,
                    "total": str(sheet.total),
                    "vetoed": sheet.vetoed,
                },
            )
            for sheet, _rows in made
        )

    # --- Rounds -----------------------------------------------------------------------------------

    def open(self, contest, start, opened, scoring, due_on) -> Round:
        with self.at(opened):
            round_ = rounds.open_round(user=self.staff, contest=contest, period=start)
        with self.at(scoring):
            rounds.start_scoring(user=self.staff, round_=round_)
        # The service dates the due day from today; this round was opened back then.
        Round.objects.filter(pk=round_.pk).update(due_on=due_on)
        round_.refresh_from_db()
        self.rounds.append(round_)
        return round_

    def past_round(self, contest, back: int) -> Round:
        start = _month_start(self.today, back)
        end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
        # Panels walk the units in the month's last days and publish early the next month; the
        # last month's round was published yesterday at the latest (its objections still open).
        published = self.on(end + timedelta(days=5), "10:00")
        shift = max(published - (self.now - timedelta(days=1)), timedelta(0))
        shift = timedelta(days=-(-shift // timedelta(days=1)))  # whole days, rounded up

        def on(day, hm):
            return self.on(day, hm) - shift

        round_ = self.open(
            contest,
            start,
            opened=min(self.on(start, "09:00"), on(end - timedelta(days=5), "09:00")),
            scoring=on(end - timedelta(days=4), "09:00"),
            due_on=end + timedelta(days=contest.scoring_days),
        )
        rng = random.Random(f"{SEED}-{start:%Y-%m}")
        plan = self.plan(round_, rng)
        order = plan["order"]
        story = self.stories(back, order)
        for j, judge in enumerate(self.panel):
            sheets = [
                (t, self.marks(round_, plan, t, rng, story.get((t.pk, j)))) for t in plan["targets"]
            ]
            self.score(on(end - timedelta(days=3 - j), f"19:{10 + j * 7}"), round_, judge, sheets)
        with self.at(on(end + timedelta(days=3), "10:00")):
            rounds.close_scoring(user=self.staff, round_=round_)
        if back == 3 and len(order) >= 2:
            # In review: the deduction was for a resident's wheelchair, which is exempt.
            entry = (
                round_.sheets.get(target=order[min(2, len(order) - 1)], panellist=self.panel[0])
                .entries.select_related("item")
                .get(item__code="hygiene")
            )
            with self.at(on(end + timedelta(days=4), "15:30")):
                rounds.correct_entry(
                    user=self.staff,
                    entry=entry,
                    points=entry.item.max_points,
                    exempt=True,
                    reason="经核实为住户的轮椅，按细则不算楼道杂物，撤销扣分。",
                )
        publish_at = published - shift
        if back == 1:
            # Last month's ranking went up two days ago: its objection days are still open.
            publish_at = max(publish_at, self.ago(2))
        with self.at(publish_at):
            rounds.publish_round(user=self.staff, round_=round_)
        return round_

    def stories(self, back: int, order) -> dict:
        """The month's events, as extra marks {(target id, panellist index): {code: mark}}; in
        a small estate (tests) several fall on the same unit."""
        out = {}
        n = len(order)
        if n < 2:
            return out

        def unit(i):
            return order[min(i, n - 1)].pk

        def add(i, judges, code, mark):
            for j in judges:
                out.setdefault((unit(i), j), {})[code] = mark()

        if back == 4:
            # 考取大学: a student of the unit admitted to university (录取通知书 as evidence).
            add(6, range(4), "university", lambda: {"points": "5", "photo": evidence("letter")})
        if back == 3:
            # Corrected in review (`past_round`): the "clutter" was a resident's wheelchair.
            add(
                2,
                [0],
                "hygiene",
                lambda: {"points": "17", "photo": evidence("wheelchair"), "note": "楼道停放轮椅"},
            )
        if back == 2:
            # 一票否决: the property company's panellist saw a cable from a window (飞线充电).
            add(
                5,
                [1],
                "flying_wire",
                lambda: {
                    "vetoed": True,
                    "photo": evidence("wire"),
                    "note": "三楼窗口拉线给电动车充电",
                },
            )
        if back == 1:
            # The pram is not clutter (轮椅、婴儿车不算楼道杂物).
            add(
                1,
                range(2),
                "hygiene",
                lambda: {
                    "points": "20",
                    "exempt": True,
                    "photo": evidence("pram"),
                    "note": "楼道停放婴儿车，属生活必需品，不扣分",
                },
            )
            # 高空抛物, seen and confirmed by two of the four.
            add(
                8,
                range(2),
                "uncivil",
                lambda: {"points": "4", "photo": evidence("litter"), "note": "高空抛物"},
            )
        return out

    def current_round(self, contest) -> Round:
        """This month: three panellists done, the property company's a third of the way and
        late (scoring was due yesterday)."""
        start = _month_start(self.today, 0)
        opened = min(self.on(start, "09:00"), self.now - timedelta(hours=12))
        round_ = self.open(
            contest,
            start,
            opened=opened,
            scoring=opened + timedelta(minutes=30),
            due_on=self.today - timedelta(days=1),
        )
        rng = random.Random(f"{SEED}-{start:%Y-%m}")
        plan = self.plan(round_, rng)
        targets = plan["targets"]
        span = (self.now - timedelta(hours=2)) - opened
        for j, judge in enumerate(self.panel):
            done = targets if judge != self.c.property_manager else targets[: len(targets) // 3]
            sheets = [(t, self.marks(round_, plan, t, rng)) for t in done]
            self.score(opened + span * (j + 1) / 5, round_, judge, sheets)
        return round_

    def next_version(self, rubric) -> Rubric:
        """精益求精: the next version of the estate's rubric, a draft with a wider exemption."""
        with self.at(self.ago(6, "15:00")):
            draft = rubrics.copy_rubric(user=self.staff, rubric=rubric)
            hygiene = draft.items.get(code="hygiene")
            rubrics.save_item(
                user=self.staff,
                rubric=draft,
                item_id=hygiene.pk,
                code=hygiene.code,
                kind=hygiene.kind,
                max_points=hygiene.max_points,
                title=hygiene.title,
                description=hygiene.description,
                exemptions="轮椅、婴儿车、助行器等居民生活必需品不作为楼道杂物扣分。",
                evidence_required=hygiene.evidence_required,
                tiebreak=hygiene.tiebreak,
                position=hygiene.position,
            )
        return draft

    # 党员星级评定: last year's round of the community party committee, published in December.
    def stars(self) -> Round | None:
        c, staff = self.c, self.staff
        org = (
            PartyOrganisation.objects.filter(kind=PartyOrgKind.COMMITTEE, place=c.community)
            .order_by("pk")
            .first()
        )
        if org is None:
            return None
        year = self.today.year - 1
        dec = date(year, 12, 1)
        with self.at(self.on(dec, "09:00")):
            draft = rubrics.copy_rubric(
                user=staff, rubric=defaults.template(defaults.STARS), place_id=c.community.pk
            )
        with self.at(self.on(dec + timedelta(days=2), "16:00")):
            rubric = rubrics.adopt_rubric(user=staff, rubric=draft)
        with self.at(self.on(dec + timedelta(days=3), "10:00")):
            contest = rounds.create_contest(
                user=staff,
                place_id=c.community.pk,
                name=f"{org.name}党员星级评定",
                rubric_id=rubric.pk,
                purpose=Purpose.STARS,
                party_organisation_id=org.pk,
            )
            panel = [(staff, Party.PARTY_BRANCH), (c.second_staff, Party.COMMUNITY)]
            for person, party in dict(panel).items():
                rounds.add_panellist(user=staff, contest=contest, person_id=person.pk, party=party)
        Panellist.objects.filter(contest=contest).update(since=dec + timedelta(days=3))
        round_ = self.open(
            contest,
            date(year, 1, 1),
            opened=self.on(dec + timedelta(days=10), "09:00"),
            scoring=self.on(dec + timedelta(days=10), "09:30"),
            due_on=date(year, 12, 31) + timedelta(days=contest.scoring_days),
        )
        rng = random.Random(f"{SEED}-stars-{year}")
        items = list(round_.rubric.items.all())
        targets = list(round_.targets.order_by("position"))
        # A member's year, as points short of 100: most reach four or five stars, a few fall
        # short; each panellist sees it a half point either way on some items.
        short = {t.pk: rng.choice([2, 8, 8, 14, 14, 14, 22, 35]) for t in targets}
        for j, judge in enumerate(dict(panel)):
            sheets = []
            for t in targets:
                marks = {}
                for item in items:
                    lost = (item.max_points * short[t.pk] / 50).to_integral_value() / 2
                    lost = min(lost + rng.choice([0, 0, Decimal("0.5")]), item.max_points)
                    marks[item.code] = {"points": str(item.max_points - lost)}
                sheets.append((t, marks))
            self.score(self.on(dec + timedelta(days=15 + j * 2), "20:00"), round_, judge, sheets)
        with self.at(self.on(dec + timedelta(days=20), "10:00")):
            rounds.close_scoring(user=staff, round_=round_)
        with self.at(self.on(dec + timedelta(days=27), "10:00")):
            rounds.publish_round(user=staff, round_=round_)
        return round_

    def lock_settled(self) -> None:
        """Rounds whose objection days are over are locked, when the sweep would have."""
        days = timedelta(days=rounds.objection_days())
        for round_ in self.rounds:
            round_.refresh_from_db()
            if round_.status == RoundStatus.PUBLISHED and round_.published_at < self.now - days:
                with self.at(round_.published_at + days + timedelta(minutes=5)):
                    rounds.lock_round(user=None, round_=round_)
