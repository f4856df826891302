"""Demo deliberation (议事协商, seeds 000–002) in the demo community of linju.people.demo: the
topics near the demo owner in every state — one gathering support (加装电梯 in their unit), two
on the agenda (电动自行车充电桩, 续聘物业), one under 四议两公开 with its first four stages done,
one carried through a 议事会 to its published result with residents' ratings and an overdue
follow-up task flagged to the supervisors (督导), one closed after 四步协商, one decided at a
楼栋会, one declined with a reason and one withdrawn; the community's resident representatives;
meetings (an upcoming 议事会 the demo owner is invited to, an upcoming 业主大会 noticed more than
15 days ahead, a held 楼栋会 with check-ins, minutes and a decision, and the held meetings of the
procedures); ballots (an open ordinary-matters owners' ballot with online, proxy and paper
votes, one paper ballot waiting for its second check; a published elevator retrofit in one
unit with its directly affected households; the closed party members' and representatives'
ballots the 四议两公开 topic used).

Everything goes through the services, so timelines, audit events, public notices and
notifications are those of real use. Each step runs inside `_Script.at(when)`: afterwards
every time the step wrote (the rows' "now") is moved back to `when`, so the demo reads as two
months of deliberation. Where a service insists on a time that has not come yet (a meeting
must start in the future to be noticed, a ballot must reach its closing time to be closed, a
task's due date may not have passed when it is set) the row's time is set first, as a clock
would have moved. Audit events are append-only and notifications are written when the
demo's transaction commits: both carry the time of loading.

Deterministic: people are picked from the demo's residents in tree order with
`random.Random(SEED)`. The demo community's households with nobody on the roster (the people
demo's "unsold or empty" flats) are marked as the developer's unsold units, so owners' ballots
count them once together. The audit event `MARKER` says the demo is loaded; `load_demo` then
changes nothing.
"""

import io
import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from PIL import Image, ImageDraw

from linju.core import audit
from linju.core.models import AuditEvent
from linju.people import demo as people_demo
from linju.people.models import (
    OWNER_RELATIONS,
    PartyOrganisation,
    PartyOrgKind,
    Residency,
    ResidencyStatus,
    RoleGrant,
    User,
)
from linju.people.roles import Role
from linju.places.models import Household, Place, PlaceKind

from . import defaults
from . import services_ballots as ballots
from . import services_meetings as meetings
from . import services_topics as topics
from .models import (
    Ballot,
    Decision,
    Elector,
    Electorate,
    ElectorMember,
    Evaluation,
    Invitee,
    Meeting,
    Procedure,
    Publication,
    Representative,
    Rule,
    StageCompletion,
    Task,
    TaskUpdate,
    Topic,
    TopicSupport,
    Vote,
)

SEED = 2026
MARKER = "deliberation.demo.load"
REPRESENTATIVES = 15
PROPERTY_COMPANY = "江城安居物业服务有限公司"

# Every time a service sets to "now", per model: `_Script.at` moves them to the step's time.
TRACKED = (
    (Topic, ("created_at", "agenda_at", "result_at", "evaluation_closed_at", "closed_at")),
    (TopicSupport, ("created_at",)),
    (StageCompletion, ("completed_at",)),
    (Publication, ("published_at",)),
    (Decision, ("decided_at",)),
    (Task, ("created_at", "done_at", "overdue_flagged_at")),
    (TaskUpdate, ("created_at",)),
    (Evaluation, ("created_at",)),
    (Meeting, ("created_at", "notice_sent_at", "held_at")),
    (Invitee, ("rsvp_at", "checked_in_at")),
    (Ballot, ("created_at", "opened_at", "closed_at")),
    (Vote, ("cast_at", "confirmed_at", "changed_at")),
)


def is_loaded() -> bool:
    return AuditEvent.objects.filter(verb=MARKER).exists()


# --- Scanned sheets -------------------------------------------------------------------------------


def sheet(kind: str, seed: int = 0) -> ContentFile:
    """A phone photo of a signed sheet: a proxy's written authorisation (委托书) or a paper
    ballot (表决票), drawn as ruled lines, a ticked box, a signature and a red seal. Drawn with
    Pillow, never fetched."""
    rng = random.Random(f"{kind}-{seed}")
    img = Image.new("RGB", (600, 820), (236, 233, 226))
    d = ImageDraw.Draw(img)
    d.rectangle([40, 30, 560, 790], fill=(252, 252, 248), outline=(200, 196, 188))
    d.rectangle([180, 60, 420, 84], fill=(60, 60, 60))  # the title
    for i in range(9 if kind == "authorisation" else 5):
        y = 130 + i * 38
        d.line([(80, y), (80 + rng.randint(330, 440), y)], fill=(120, 120, 120), width=3)
    if kind == "ballot":
        for i, ticked in enumerate([True, False, False]):
            y = 360 + i * 60
            d.rectangle([100, y, 130, y + 30], outline=(40, 40, 40), width=3)
            d.line([(180, y + 15), (300, y + 15)], fill=(90, 90, 90), width=4)
            if ticked:
                d.line([(104, y + 14), (114, y + 26), (134, y - 6)], fill=(20, 40, 160), width=5)
    points = [(340 + i * 18, 640 + rng.randint(-14, 14)) for i in range(9)]
    d.line(points, fill=(20, 30, 120), width=4)  # the signature
    d.ellipse([400, 560, 520, 680], outline=(200, 30, 30), width=6)  # the seal
    d.regular_polygon((460, 620, 22), 5, fill=(200, 30, 30))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=75)
    return ContentFile(out.getvalue(), name=f"{kind}.jpg")


# --- Who takes part -------------------------------------------------------------------------------


@dataclass
class _Cast:
    owner: User
    resident: User
    building_head: User
    community_staff: User
    property_manager: User
    owners_committee: User
    staff: list  # the community's staff, the demo one first
    community: Place
    estate: Place
    building: Place
    home_unit: Place
    demo_ids: set


def _cast():
    if not people_demo.is_loaded():
        return None
    users = {u.mobile: u for u in User.objects.filter(mobile__in=people_demo.DEMO_NUMBERS)}
    by_role = {role: users.get(mobile) for role, mobile in people_demo.DEMO_MOBILE.items()}
    needed = (
        Role.OWNER,
        Role.RESIDENT,
        Role.BUILDING_HEAD,
        Role.COMMUNITY_STAFF,
        Role.PROPERTY_MANAGER,
        Role.OWNERS_COMMITTEE,
    )
    if any(by_role.get(r) is None for r in needed):
        return None
    home = (
        Residency.objects.filter(user=by_role[Role.OWNER], status=ResidencyStatus.VERIFIED)
        .select_related("household__unit__parent__parent__parent")
        .first()
    )
    if home is None:
        return None
    unit = home.household.unit
    estate = unit.parent.parent
    staff_ids = RoleGrant.objects.filter(
        role=Role.COMMUNITY_STAFF, place=estate.parent, revoked_at__isnull=True
    ).values("user_id")
    demo_staff = by_role[Role.COMMUNITY_STAFF]
    others = User.objects.filter(pk__in=staff_ids).exclude(pk=demo_staff.pk).order_by("mobile")
    staff = [demo_staff, *others]
    return _Cast(
        owner=by_role[Role.OWNER],
        resident=by_role[Role.RESIDENT],
        building_head=by_role[Role.BUILDING_HEAD],
        community_staff=demo_staff,
        property_manager=by_role[Role.PROPERTY_MANAGER],
        owners_committee=by_role[Role.OWNERS_COMMITTEE],
        staff=staff,
        community=estate.parent,
        estate=estate,
        building=unit.parent,
        home_unit=unit,
        demo_ids={u.pk for u in users.values()},
    )


def load_demo(*, progress=None) -> dict | None:
    """Write the demo deliberation once. Returns what was made ({"topics": n, "meetings": n,
    "ballots": n, "votes": n, "representatives": n}), or None when it is there already or the
    demo community is not."""
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        if is_loaded():
            return None
        cast = _cast()
        if cast is None:
            return None
        if not Procedure.objects.filter(code="four_two").exists():
            defaults.install()  # a test database flushed since migration 0002
        counts = _Script(cast).run()
        audit.record(actor=None, verb=MARKER, obj=cast.community, data=counts)
    if progress:
        progress("deliberation", f"{counts['topics']} topics")
    return counts


# --- The script -----------------------------------------------------------------------------------


class _Script:
    def __init__(self, cast: _Cast):
        self.c = cast
        self.rng = random.Random(SEED)
        self.today = timezone.localdate()
        self.made = {"topics": [], "meetings": [], "ballots": []}
        self._homes = {}

    # --- Time -------------------------------------------------------------------------------------

    def when(self, days: int, hm: str = "10:00") -> datetime:
        """Local wall time `hm` on the day `days` ago (a negative number: ahead)."""
        hour, minute = (int(x) for x in hm.split(":"))
        day = self.today - timedelta(days=days)
        return timezone.make_aware(datetime.combine(day, time(hour, minute)))

    def at(self, when: datetime):
        """Run a step as if at `when` (people.demo.moved_to)."""
        return people_demo.moved_to(when, TRACKED)

    # --- People -----------------------------------------------------------------------------------

    def homes(self, place, *, owners=False, exclude=()) -> list[tuple[User, Household]]:
        """One verified resident per household under `place` (tree order), never a demo login:
        those stay for whoever tries the demo."""
        key = (place.path, owners)
        if key not in self._homes:
            rows = Residency.objects.filter(
                status=ResidencyStatus.VERIFIED, household__path__startswith=place.path
            ).exclude(user_id__in=self.c.demo_ids)
            if owners:
                rows = rows.filter(relation__in=OWNER_RELATIONS)
            seen, found = set(), []
            for r in rows.select_related("user", "household").order_by(
                "household__path", "user__mobile"
            ):
                if r.household_id not in seen:
                    seen.add(r.household_id)
                    found.append((r.user, r.household))
            self._homes[key] = found
        skip = set(exclude)
        return [(u, hh) for u, hh in self._homes[key] if u.pk not in skip]

    def people(self, place, n, *, owners=False, exclude=()) -> list[User]:
        homes = self.homes(place, owners=owners, exclude=exclude)
        return [u for u, _hh in self.rng.sample(homes, min(n, len(homes)))]

    # --- Building blocks --------------------------------------------------------------------------

    def propose(self, when, user, place, title, body, **more) -> Topic:
        with self.at(when):
            topic = topics.propose_topic(
                user=user, place_id=place.pk, title=title, body=body, **more
            )
        self.made["topics"].append(topic)
        return topic

    def support(self, topic, users, first_day, last_day) -> Topic:
        """Households back the topic, a few each evening from `first_day` to `last_day` ago."""
        days = list(range(first_day, last_day - 1, -1))
        batches = min(len(users), len(days), 8)
        for i in range(batches):
            day = days[i * (len(days) - 1) // max(batches - 1, 1)]
            with self.at(self.when(day, f"{18 + i % 4}:{(i * 17) % 60:02d}")):
                for user in users[i::batches]:
                    topics.support_topic(user=user, topic=topic)
        topic.refresh_from_db()
        return topic

    def backers(self, topic, place, n, *, exclude=()) -> list[User]:
        """`n` residents of other households than the topic's supporters."""
        taken = set(TopicSupport.objects.filter(topic=topic).values_list("household_id", flat=True))
        homes = [
            (u, hh)
            for u, hh in self.homes(place, exclude=exclude)
            if hh.pk not in taken and u.pk != topic.proposer_id
        ]
        return [u for u, _hh in self.rng.sample(homes, min(n, len(homes)))]

    def complete(self, when, user, topic, **more) -> StageCompletion:
        topic.refresh_from_db()
        with self.at(when):
            done = topics.complete_stage(
                user=user, topic=topic, stage_id=topic.current_stage_id, **more
            )
        topic.refresh_from_db()
        return done

    def meeting(
        self,
        *,
        host,
        kind,
        place,
        title,
        venue,
        created,
        noticed,
        starts,
        hours=2,
        agenda=(),
        roles=(),
        scope=False,
        user_ids=(),
        rsvps=(),
    ) -> Meeting:
        """A meeting created, invited and noticed through the services. The notice needs the
        kind's days ahead of the start as it is now: the meeting is created that far ahead,
        and moved to `starts` once the answers (RSVP, given before the start) are in."""
        with self.at(created):
            m = meetings.create_meeting(
                user=host,
                kind=kind,
                place_id=place.pk,
                title=title,
                venue=venue,
                starts_at=timezone.now() + timedelta(days=60),
            )
            if agenda:
                meetings.set_agenda(user=host, meeting=m, topic_ids=[t.pk for t in agenda])
            meetings.invite(
                user=host, meeting=m, roles=list(roles), scope=scope, user_ids=list(user_ids)
            )
        with self.at(noticed):
            meetings.send_notice(user=host, meeting=m)
        for i, (user, answer) in enumerate(rsvps):
            with self.at(noticed + timedelta(hours=3 + i * 5)):
                meetings.rsvp(user=user, meeting=m, answer=answer)
        Meeting.objects.filter(pk=m.pk).update(
            starts_at=starts, ends_at=starts + timedelta(hours=hours)
        )
        self.made["meetings"].append(m)
        m.refresh_from_db()
        return m

    def hold(self, m, host, *, present, ticked=(), minutes, decisions=(), held=None) -> Meeting:
        """The meeting takes place: invitees scan the code at the door (`present`), the host
        ticks off those without a phone (`ticked`), then records the minutes."""
        # People arrive in small groups over the half hour before the start.
        groups = [present[i : i + 8] for i in range(0, len(present), 8)]
        for i, group in enumerate(groups):
            with self.at(m.starts_at - timedelta(minutes=30 - 25 * i // max(len(groups), 1))):
                for user in group:
                    meetings.check_in(user=user, meeting=m, token=m.checkin_token)
        for user in ticked:
            with self.at(m.starts_at + timedelta(minutes=5)):
                meetings.check_in_by_host(user=host, meeting=m, invitee_user_id=user.pk)
        with self.at(held or m.ends_at):
            meetings.record_minutes(user=host, meeting=m, minutes=minutes, decisions=decisions)
        m.refresh_from_db()
        return m

    def ballot(self, when, user, **fields) -> Ballot:
        """A draft opened at once; `closes_at` is kept for later (it may lie in the past)."""
        closes_at = fields.pop("closes_at")
        with self.at(when):
            b = ballots.create_ballot(
                user=user, closes_at=timezone.now() + timedelta(days=60), **fields
            )
            ballots.open_ballot(user=user, ballot=b)
        self.made["ballots"].append(b)
        return b, closes_at

    def votes(self, b, plan, slots):
        """Online votes: `plan` is [(user, option)], cast in the time slots given."""
        per_slot = -(-len(plan) // len(slots)) if plan else 1
        for i, slot in enumerate(slots):
            chunk = plan[i * per_slot : (i + 1) * per_slot]
            if not chunk:
                continue
            with self.at(slot):
                for user, option in chunk:
                    ballots.cast_vote(user=user, ballot=b, option_id=option.pk)

    def close(self, b, user, closes_at, *, publish_at=None):
        """The closing time came (`closes_at`, in the past): staff close and count."""
        Ballot.objects.filter(pk=b.pk).update(closes_at=closes_at)
        with self.at(closes_at + timedelta(minutes=10)):
            ballots.close_ballot(user=user, ballot=b)
        if publish_at:
            with self.at(publish_at):
                ballots.publish_result(user=user, ballot=b)
        b.refresh_from_db()
        return b

    def options(self, b):
        return list(b.options.order_by("order"))

    # --- The story --------------------------------------------------------------------------------

    def run(self) -> dict:
        self.setup()
        self.elderly_canteen()
        self.neighbourhood_council()
        self.building_meeting()
        charging, renewal = self.open_topics()
        self.upcoming_meetings(charging, renewal)
        self.renewal_ballot(renewal)
        self.elevator_ballot()
        counts = {
            "topics": len(self.made["topics"]),
            "meetings": len(self.made["meetings"]),
            "ballots": len(self.made["ballots"]),
            "votes": Vote.objects.filter(ballot__in=[b.pk for b in self.made["ballots"]]).count(),
            "representatives": Representative.objects.filter(community=self.c.community).count(),
        }
        return counts

    def setup(self):
        """The developer's unsold flats and the resident representatives elected last year
        (the support thresholds are the shipped default: 10 households or 5%)."""
        c = self.c
        vacant = Household.objects.filter(
            path__startswith=c.community.path, developer_held=False, residencies__isnull=True
        )
        held = Household.objects.filter(pk__in=list(vacant.values_list("pk", flat=True))).update(
            developer_held=True
        )
        candidates = self.homes(c.community, owners=True)
        step = max(len(candidates) // (REPRESENTATIVES - 1), 1)
        chosen = [u for u, _hh in candidates[::step]][: REPRESENTATIVES - 1]
        if c.building_head.pk not in {u.pk for u in chosen}:
            chosen.append(c.building_head)  # a demo login who sits on the representatives
        since = self.today - timedelta(days=400)
        Representative.objects.bulk_create(
            Representative(community=c.community, user=u, since=since) for u in chosen
        )
        audit.record(
            actor=c.community_staff,
            verb="deliberation.representatives",
            obj=c.community,
            data={"elected": len(chosen), "developer_held": held},
        )

    # 四议两公开: a party branch's proposal through the representatives' resolution.
    def elderly_canteen(self) -> Topic:
        c, staff = self.c, self.c.community_staff
        branch = (
            PartyOrganisation.objects.filter(kind=PartyOrgKind.BRANCH, place=c.community)
            .order_by("pk")
            .first()
        )
        topic = self.propose(
            self.when(52, "10:00"),
            staff,
            c.community,
            "社区长者食堂选址和运营方案",
            "社区60岁以上老人约占三成，不少独居老人吃饭不方便。党支部提议利用社区服务中心一楼"
            "闲置用房开设长者食堂，由街道补贴、引入社会餐饮企业运营，老人凭卡就餐享受优惠。"
            "按“四议两公开”办理：两委商议、党员大会审议、居民代表会议决议。",
            source="party",
            source_ref=branch.name if branch else "社区党支部",
        )
        with self.at(self.when(52, "10:05")):
            topics.put_on_agenda(user=staff, topic=topic)
        with self.at(self.when(51, "09:00")):
            topics.start_procedure(user=staff, topic=topic, procedure="four_two")
        self.complete(
            self.when(51, "09:30"),
            staff,
            topic,
            note="党支部委员会讨论通过提议：选址社区服务中心一楼原阅览室（约180平方米），午餐"
            "11:00—12:30、晚餐17:00—18:00；60岁以上老人每餐补贴3元，80岁以上补贴5元。",
        )

        # 两委商议
        committees = self.meeting(
            host=staff,
            kind="committees",
            place=c.community,
            title="两委联席会议：商议长者食堂方案",
            venue="社区党群服务中心三楼会议室",
            created=self.when(50, "09:00"),
            noticed=self.when(50, "09:10"),
            starts=self.when(48, "14:30"),
            agenda=[topic],
            roles=[Role.COMMUNITY_STAFF],
        )
        self.hold(
            committees,
            staff,
            present=c.staff,
            minutes="社区党委、居委会成员出席。会议听取党支部关于开设长者食堂的提议，对选址、"
            "消防条件、运营企业遴选和补贴标准逐项商议，一致同意形成《丹桂社区长者食堂建设"
            "运营方案（草案）》，提交党员大会审议。",
        )
        self.complete(
            self.when(48, "17:00"),
            staff,
            topic,
            note="两委联席会议商议通过，形成《长者食堂建设运营方案（草案）》。",
        )

        # 党员大会审议: 2/3 present, more than half of the members due approve.
        party = self.meeting(
            host=staff,
            kind="party_assembly",
            place=c.community,
            title="党员大会：审议长者食堂方案",
            venue="社区党群服务中心多功能厅",
            created=self.when(46, "10:00"),
            noticed=self.when(46, "10:10"),
            starts=self.when(38, "19:00"),
            agenda=[topic],
            scope=True,
        )
        members = list(
            User.objects.filter(meeting_invitations__meeting=party).order_by("mobile").distinct()
        )
        present = members[: max(-(-len(members) * 5 // 6), 1)]
        vote, closes = self.ballot(
            self.when(38, "19:40"),
            staff,
            place_id=c.community.pk,
            title="是否同意《丹桂社区长者食堂建设运营方案（草案）》",
            description="党员大会审议：应到党员三分之二以上到会，同意票超过应到党员半数为通过。",
            electorate=Electorate.PARTY_MEMBERS,
            rule=Rule.CUSTOM,
            participation_numerator=2,
            participation_denominator=3,
            approval_numerator=1,
            approval_denominator=2,
            approval_strict=True,
            approval_of_electorate=True,
            closes_at=self.when(38, "20:30"),
            topic_id=topic.pk,
            meeting_id=party.pk,
        )
        approve, against, abstain = self.options(vote)
        plan = [
            (u, abstain if i % 9 == 8 else against if i % 13 == 6 else approve)
            for i, u in enumerate(present)
        ]
        self.votes(vote, plan, [self.when(38, "19:50")])
        self.close(vote, staff, closes)
        self.hold(
            party,
            staff,
            present=present,
            held=self.when(38, "21:00"),
            minutes=f"应到党员{len(members)}人，实到{len(present)}人。会议审议《长者食堂建设"
            "运营方案（草案）》，党员们就菜品价格、送餐上门、食品安全监督等提出意见，会议以"
            "表决方式审议通过。",
        )
        self.complete(
            self.when(37, "09:00"),
            staff,
            topic,
            note="党员大会审议通过，同意票超过应到党员半数。",
        )

        # 居民代表会议决议
        reps = self.meeting(
            host=staff,
            kind="rep_assembly",
            place=c.community,
            title="居民代表会议：长者食堂方案决议",
            venue="社区党群服务中心多功能厅",
            created=self.when(36, "10:00"),
            noticed=self.when(36, "10:10"),
            starts=self.when(28, "14:30"),
            agenda=[topic],
            scope=True,
        )
        delegates = list(
            User.objects.filter(meeting_invitations__meeting=reps).order_by("mobile").distinct()
        )
        here = delegates[: len(delegates) - 2] if len(delegates) > 3 else delegates
        vote, closes = self.ballot(
            self.when(28, "15:20"),
            staff,
            place_id=c.community.pk,
            title="是否通过《丹桂社区长者食堂建设运营方案》",
            description="居民代表会议表决：三分之二以上代表到会，同意票超过全体代表半数为通过。",
            electorate=Electorate.REPRESENTATIVES,
            rule=Rule.CUSTOM,
            participation_numerator=2,
            participation_denominator=3,
            approval_numerator=1,
            approval_denominator=2,
            approval_strict=True,
            approval_of_electorate=True,
            closes_at=self.when(28, "16:00"),
            topic_id=topic.pk,
            meeting_id=reps.pk,
        )
        approve, _against, abstain = self.options(vote)
        plan = [(u, abstain if i == 3 else approve) for i, u in enumerate(here)]
        self.votes(vote, plan, [self.when(28, "15:30")])
        self.close(vote, staff, closes)
        self.hold(
            reps,
            staff,
            present=here,
            held=self.when(28, "16:30"),
            minutes=f"应到居民代表{len(delegates)}人，实到{len(here)}人。会议听取方案说明，代表们"
            "建议增加送餐上门服务，并每月公开菜价和补贴账目。经表决，通过长者食堂建设运营方案。",
            decisions=[
                {
                    "topic_id": topic.pk,
                    "text": "同意在社区服务中心一楼开设长者食堂，引入社会餐饮企业运营；60岁以上"
                    "老人每餐补贴3元、80岁以上补贴5元，行动不便的老人可预约送餐；菜价和补贴"
                    "账目每月在公示栏公开。",
                }
            ],
        )
        self.complete(
            self.when(27, "09:00"),
            staff,
            topic,
            note="居民代表会议表决通过，决议待公开。",
        )
        return topic

    # A 议事会 takes up two estate topics: one carried out to its rated result (议事会议事), one
    # whose plan it reviews (四步协商) and which closes after its evaluation.
    def neighbourhood_council(self):
        c, staff, pm, oc = (
            self.c,
            self.c.community_staff,
            self.c.property_manager,
            self.c.owners_committee,
        )
        parcels = self.propose(
            self.when(60, "20:15"),
            self.people(c.estate, 1)[0],
            c.estate,
            "东门增设智能快递柜",
            "快递经常堆在门卫室门口，丢件多，老人取件也不方便。建议在东门内侧空地安装智能"
            "快递柜，24小时可以取件。",
        )
        self.support(
            parcels,
            self.backers(parcels, c.estate, parcels.support_needed - 1 + 3),
            59,
            56,
        )
        with self.at(self.when(55, "09:00")):
            topics.start_procedure(user=staff, topic=parcels, procedure="four_step")
        self.complete(
            self.when(55, "09:20"),
            oc,
            parcels,
            note="议题征集意见两周：收到支持意见23条，顾虑2条（噪音、占用消防通道）。",
        )

        fitness = self.propose(
            self.when(45, "08:40"),
            self.people(c.estate, 1, exclude={parcels.proposer_id})[0],
            c.estate,
            "更换中心花园老旧健身器材",
            "中心花园的健身器材是十多年前装的，漫步机轴承松动、单杠生锈，上周还有老人扶着器材"
            "摔倒。建议拆除坏的器材，换一批适合老人和孩子的新器材，地面铺上防滑垫。",
        )
        self.support(fitness, self.backers(fitness, c.estate, fitness.support_needed + 2), 44, 40)
        with self.at(self.when(36, "09:00")):
            topics.start_procedure(user=staff, topic=fitness, procedure="meeting")
        self.complete(
            self.when(36, "09:10"),
            staff,
            fitness,
            note="收集到居民意见15条，列入本月议事会议题。",
        )

        followers = [
            u.pk
            for t in (fitness, parcels)
            for u in User.objects.filter(
                pk__in=TopicSupport.objects.filter(topic=t).values("user_id")
            ).order_by("mobile")[:4]
        ]
        council = self.meeting(
            host=staff,
            kind="yishihui",
            place=c.estate,
            title=f"{c.estate.name}居民议事会",
            venue="物业服务中心二楼会议室",
            created=self.when(34, "10:00"),
            noticed=self.when(34, "10:30"),
            starts=self.when(30, "19:00"),
            agenda=[fitness, parcels],
            roles=[Role.OWNERS_COMMITTEE, Role.PROPERTY_MANAGER],
            user_ids=followers,
        )
        self.complete(
            self.when(34, "11:00"),
            staff,
            fitness,
            note="议事会通知已在公示栏和业主群发布。",
        )
        invited = list(
            User.objects.filter(meeting_invitations__meeting=council)
            .exclude(pk__in=c.demo_ids)
            .order_by("mobile")
            .distinct()
        )
        self.hold(
            council,
            staff,
            present=invited[:-1],
            ticked=[oc, pm],
            minutes="议事会由社区居委会主持，业委会、物业和居民代表参加。\n"
            "一、更换中心花园健身器材：物业报告器材现状和两家供应商报价，与会人员同意使用小区"
            "公共收益更换，优先选择适老化器材。\n"
            "二、东门增设智能快递柜：对选址、噪音和消防通道进行论证，请业委会与快递柜企业细化"
            "场地协议。",
            decisions=[
                {
                    "topic_id": fitness.pk,
                    "text": "使用小区公共收益约3.2万元更换中心花园健身器材8件（含2件适老化器材），"
                    "由物业负责采购安装，一个月内完成；安装前在公示栏公示器材清单和报价。",
                }
            ],
        )
        self.complete(self.when(29, "10:00"), staff, fitness)

        # 分解落实
        with self.at(self.when(29, "10:30")):
            install = topics.add_task(
                user=staff,
                topic=fitness,
                title="采购并安装新健身器材（8件）",
                owner_id=pm.pk,
                due_on=self.today + timedelta(days=1),
            )
        Task.objects.filter(pk=install.pk).update(due_on=self.today - timedelta(days=14))
        with self.at(self.when(22, "16:00")):
            topics.update_task(
                user=pm, task=install, text="已确定供应商，旧器材拆除完毕。", progress=40
            )
        with self.at(self.when(13, "17:30")):
            topics.update_task(
                user=pm,
                task=install,
                text="新器材已安装完毕并通过验收，旧器材已清运。",
                progress=100,
            )
        self.complete(self.when(11, "09:00"), staff, fitness, note="健身器材已全部安装并验收。")
        self.complete(
            self.when(10, "10:00"),
            staff,
            fitness,
            result_text="中心花园8件新健身器材已安装完成并通过验收，实际花费31,600元（小区公共"
            "收益支出），器材清单和发票已在物业服务中心公示。欢迎大家使用并评价。",
        )
        self._evaluation_from(fitness)
        raters = [
            u
            for u in User.objects.filter(
                pk__in=TopicSupport.objects.filter(topic=fitness).values("user_id")
            ).order_by("mobile")
            if u.pk not in c.demo_ids
        ][:5]
        ratings = [
            (5, "器材很好用，老人也能用。"),
            (4, "希望再加个遮阳棚。"),
            (5, ""),
            (3, "器材区地面下雨后有点滑。"),
            (4, "办得挺快。"),
        ]
        for i, (user, (stars, comment)) in enumerate(zip(raters, ratings, strict=False)):
            with self.at(self.when(9 - i * 2, "19:30")):
                topics.rate_topic(user=user, topic=fitness, stars=stars, comment=comment)
        # 督导: a follow-up task from the ratings, past its due date and flagged.
        with self.at(self.when(8, "09:30")):
            mats = topics.add_task(
                user=staff,
                topic=fitness,
                title="在器材区铺设防滑地垫",
                owner_id=pm.pk,
                due_on=self.today + timedelta(days=1),
            )
        Task.objects.filter(pk=mats.pk).update(due_on=self.today - timedelta(days=4))
        with self.at(self.when(6, "11:00")):
            topics.update_task(
                user=pm, task=mats, text="已询价，防滑地垫在等厂家发货。", progress=30
            )
        topics.flag_overdue_tasks(now=self.when(3, "08:00"))

        # 四步协商: the council reviewed the plan; decided, carried out, rated, closed.
        self.complete(
            self.when(29, "11:00"),
            oc,
            parcels,
            note="议事会对选址、噪音和消防通道进行论证：快递柜设在东门内侧绿化带边缘，背靠围墙，"
            "不占消防通道；夜间关闭提示音。",
            meeting_id=council.pk,
        )
        with self.at(self.when(28, "10:00")):
            topics.record_topic_decision(
                user=oc,
                topic=parcels,
                text="同意在东门内侧安装智能快递柜一组（60格），业委会与运营企业签订场地协议，"
                "场地费计入小区公共收益。",
            )
        steps = [
            ("与快递柜运营企业签订场地协议", oc, 24, "协议已签订，场地费每年3,600元。"),
            ("东门内侧场地硬化和接电", pm, 21, "场地硬化和接电完成，快递柜已安装调试。"),
        ]
        for title, owner, done_days, text in steps:
            with self.at(self.when(28, "10:30")):
                task = topics.add_task(
                    user=oc,
                    topic=parcels,
                    title=title,
                    owner_id=owner.pk,
                    due_on=self.today + timedelta(days=1),
                )
            Task.objects.filter(pk=task.pk).update(due_on=self.today - timedelta(days=done_days))
            with self.at(self.when(done_days + 1, "16:00")):
                topics.update_task(user=owner, task=task, text=text, progress=100)
        self.complete(self.when(20, "09:00"), oc, parcels, note="快递柜已安装启用。")
        self.complete(
            self.when(19, "10:00"),
            oc,
            parcels,
            result_text="东门智能快递柜已启用，共60格，24小时可取件；场地费每年3,600元计入小区"
            "公共收益，收支在公示栏公开。",
        )
        self._evaluation_from(parcels)
        raters = [
            u
            for u in User.objects.filter(
                pk__in=TopicSupport.objects.filter(topic=parcels).values("user_id")
            ).order_by("mobile")
            if u.pk not in c.demo_ids
        ][:4]
        for i, (user, stars) in enumerate(zip(raters, [5, 5, 4, 5], strict=False)):
            with self.at(self.when(18 - i * 3, "20:00")):
                topics.rate_topic(
                    user=user,
                    topic=parcels,
                    stars=stars,
                    comment="取件方便多了。" if i == 0 else "",
                )
        with self.at(self.when(5, "09:00")):
            topics.close_evaluation(user=staff, topic=parcels)
        return fitness, parcels

    def _evaluation_from(self, topic):
        """The evaluation runs its days from the (moved) result."""
        days = getattr(settings, "DELIBERATION_EVALUATION_DAYS", topics.DEFAULT_EVALUATION_DAYS)
        Topic.objects.filter(pk=topic.pk).update(
            evaluation_closes_at=F("result_at") + timedelta(days=days)
        )

    # A 楼栋会 in the demo owner's building: check-ins at the door, minutes, a decision.
    def building_meeting(self) -> Topic:
        c, head = self.c, self.c.building_head
        topic = self.propose(
            self.when(20, "21:00"),
            head,
            c.building,
            f"{c.building.name}楼道堆物清理和电动车禁止进楼",
            f"{c.building.name}各单元楼道里堆了不少纸箱、旧家具，还有人把电动车推进楼道充电，"
            "有火灾隐患。建议楼栋统一清理一次，并约定电动车不进楼道。",
        )
        self.support(topic, self.backers(topic, c.building, topic.support_needed + 1), 20, 17)
        m = self.meeting(
            host=head,
            kind="loudonghui",
            place=c.building,
            title=f"{c.building.name}楼栋会：楼道堆物和电动车管理",
            venue=f"{c.building.name}楼前小广场",
            created=self.when(16, "20:00"),
            noticed=self.when(16, "20:10"),
            starts=self.when(10, "19:30"),
            hours=1,
            agenda=[topic],
            roles=[Role.GRID_WORKER, Role.PROPERTY_MANAGER],
            scope=True,
            rsvps=[(c.owner, "yes"), (c.resident, "maybe")],
        )
        invited = list(
            User.objects.filter(meeting_invitations__meeting=m)
            .exclude(pk__in=c.demo_ids)
            .order_by("mobile")
            .distinct()
        )
        rng = random.Random(f"{SEED}-loudonghui")
        present = [c.owner, *rng.sample(invited, min(len(invited) * 2 // 5, len(invited)))]
        self.hold(
            m,
            head,
            present=present[:-3],
            ticked=present[-3:],
            minutes=f"楼栋长主持，{len(present)}位居民参加，网格员和物业管理员列席。大家同意本周六"
            "统一清理楼道堆物，物业提供清运车辆；电动车一律不进楼道，到小区充电棚充电。",
            decisions=[
                {
                    "topic_id": topic.pk,
                    "text": "本周六上午9点统一清理楼道堆物，无人认领的杂物由物业清运；自即日起"
                    "电动车不进楼道，由楼栋长提醒、物业劝导。约定写入楼栋公约。",
                }
            ],
        )
        return topic

    def open_topics(self):
        c, staff = self.c, self.c.community_staff
        charging = self.propose(
            self.when(15, "21:30"),
            self.people(c.estate, 1)[0],
            c.estate,
            "新增电动自行车充电桩",
            "小区只有北门一个充电棚，20个插座根本不够用，晚上不少人从窗口拉线充电。建议在空地"
            "再建一个充电棚，安装智能充电桩（扫码充电、充满自动断电）。",
        )
        self.support(charging, self.backers(charging, c.estate, charging.support_needed + 1), 14, 5)

        renewal = self.propose(
            self.when(8, "10:00"),
            c.owners_committee,
            c.estate,
            "续聘物业服务企业",
            f"现物业服务合同年底到期。业委会组织了满意度调查（满意率82%）并与{PROPERTY_COMPANY}"
            "谈判，提议续聘三年，服务标准不变，物业费维持每月每平方米1.2元。按《民法典》第278条，"
            "须经业主共同决定：专有部分面积和人数均三分之二以上的业主参与表决，并经参与表决的"
            "面积过半数、人数过半数同意。",
        )
        with self.at(self.when(7, "15:00")):
            topics.put_on_agenda(user=staff, topic=renewal)

        top = (
            Household.objects.filter(unit=c.home_unit, residencies__status=ResidencyStatus.VERIFIED)
            .order_by("-floor", "room")
            .values_list("floor", flat=True)
            .first()
        )
        upstairs = [
            (u, hh) for u, hh in self.homes(c.home_unit) if top is None or hh.floor >= top - 2
        ] or self.homes(c.home_unit)
        lift = self.propose(
            self.when(6, "19:00"),
            upstairs[0][0],
            c.home_unit,
            f"{c.building.name}{c.home_unit.name}加装电梯",
            "我们单元没有电梯，楼上住的多是老人，上下楼很吃力。政府对老旧小区加装电梯有补贴，"
            "建议本单元业主一起商量加装电梯，费用按楼层分摊，一楼不出钱。",
        )
        short = max(lift.support_needed - 1 - lift.support_count, 0)
        self.support(lift, [u for u, _hh in upstairs[1 : 1 + short]], 5, 4)

        park = self.propose(
            self.when(25, "22:10"),
            self.people(c.estate, 1)[0],
            c.estate,
            "把中心花园改成停车场",
            "小区车位太少，晚上车都停到消防通道上了。建议把中心花园改成停车场，能多出30多个车位。",
        )
        self.support(park, self.backers(park, c.estate, 2), 24, 23)
        with self.at(self.when(22, "10:00")):
            topics.decline_topic(
                user=staff,
                topic=park,
                reason="中心花园是规划确定的公共绿地，按规定不能改作停车场；停车难问题已请业委会"
                "和物业研究错时停车方案，另行提交议事会。",
            )

        dance = self.propose(
            self.when(14, "21:40"),
            self.people(c.estate, 1)[0],
            c.estate,
            "限制广场舞音响音量",
            "晚上广场舞音响太大声，影响孩子写作业和老人休息，希望规定音量和结束时间。",
        )
        with self.at(self.when(12, "18:00")):
            topics.withdraw_topic(user=dance.proposer, topic=dance)
        return charging, renewal

    def upcoming_meetings(self, charging, renewal):
        c, staff = self.c, self.c.community_staff
        backers = [
            s.user
            for s in TopicSupport.objects.filter(topic=charging)
            .exclude(user=None)
            .select_related("user")
            .order_by("created_at", "pk")[:6]
        ]
        council = self.meeting(
            host=staff,
            kind="yishihui",
            place=c.estate,
            title=f"{c.estate.name}居民议事会：充电桩选址",
            venue="物业服务中心二楼会议室",
            created=self.when(2, "09:30"),
            noticed=self.when(2, "10:00"),
            starts=self.when(-4, "19:00"),
            agenda=[charging],
            roles=[Role.OWNERS_COMMITTEE, Role.PROPERTY_MANAGER, Role.BUILDING_HEAD],
            user_ids=[c.owner.pk, c.resident.pk, *(u.pk for u in backers)],
        )
        answers = ["yes", "yes", "maybe", "yes", "no", "yes"]
        for i, user in enumerate(backers):
            with self.at(self.when(1, f"{9 + i}:15")):
                meetings.rsvp(user=user, meeting=council, answer=answers[i % 6])

        self.meeting(
            host=staff,
            kind="owners_assembly",
            place=c.estate,
            title=f"{c.estate.name}业主大会：续聘物业服务企业",
            venue="小区中心花园（另设书面表决）",
            created=self.when(1, "09:00"),
            noticed=self.when(1, "09:30"),
            starts=self.when(-17, "09:30"),
            agenda=[renewal],
            scope=True,
        )

    # An ordinary-matters owners' ballot, open: online votes, a proxy, a paper ballot to check.
    def renewal_ballot(self, renewal) -> Ballot:
        c, oc = self.c, self.c.owners_committee
        assembly = Meeting.objects.filter(topics=renewal, kind__code="owners_assembly").first()
        b, _closes = self.ballot(
            self.when(5, "09:00"),
            oc,
            place_id=c.estate.pk,
            title=f"是否同意续聘{PROPERTY_COMPANY}为{c.estate.name}物业服务企业",
            description="合同期三年，物业服务标准和收费标准（每月每平方米1.2元）不变。可以在线"
            "投票，也可以到物业服务中心填写纸质表决票，或书面委托他人投票。",
            electorate=Electorate.OWNERS,
            rule=Rule.ORDINARY,
            closes_at=None,
            topic_id=renewal.pk,
            meeting_id=assembly.pk if assembly else None,
        )
        closes = assembly.starts_at + timedelta(hours=3) if assembly else self.when(-17, "12:00")
        Ballot.objects.filter(pk=b.pk).update(closes_at=closes)
        approve, against, abstain = self.options(b)
        electors = self._free_electors(b)
        online = electors[: len(electors) * 11 // 20]
        rest = electors[len(online) :]
        plan = []
        for _elector, user in online:
            roll = self.rng.random()
            plan.append((user, approve if roll < 0.78 else against if roll < 0.92 else abstain))
        slots = [self.when(d, hm) for d in (5, 4, 3, 2, 1) for hm in ("08:10", "20:30")]
        self.votes(b, plan, slots)
        # A voter changes their mind (the ballot allows it until closing).
        changer = next((u for u, option in plan if option == against), None)
        if changer is not None:
            with self.at(self.when(1, "21:00")):
                ballots.cast_vote(user=changer, ballot=b, option_id=approve.pk)
        if len(rest) >= 2:
            (proxy_for, owner), (paper_for, _owner) = rest[0], rest[1]
            with self.at(self.when(2, "10:20")):
                ballots.record_proxy_vote(
                    user=oc,
                    ballot=b,
                    elector_id=proxy_for.pk,
                    option_id=approve.pk,
                    proxy_name=f"{owner.name[0]}晓东（业主之子）",
                    authorisation=sheet("authorisation", proxy_for.pk),
                )
            with self.at(self.when(1, "16:40")):
                ballots.enter_paper_vote(
                    user=c.community_staff,
                    ballot=b,
                    elector_id=paper_for.pk,
                    option_id=approve.pk,
                    scan=sheet("ballot", paper_for.pk),
                )
        return b

    def _free_electors(self, b) -> list[tuple[Elector, User]]:
        """Electors of the ballot with a member who may vote, none of them a demo login, each
        with its first member, in a fixed order."""
        members = {}
        for elector_id, user_id in (
            ElectorMember.objects.filter(ballot=b).order_by("elector_id", "user_id")
        ).values_list("elector_id", "user_id"):
            members.setdefault(elector_id, []).append(user_id)
        users = User.objects.in_bulk([ids[0] for ids in members.values()])
        out = []
        for elector in Elector.objects.filter(ballot=b, pk__in=list(members)).order_by("pk"):
            ids = members[elector.pk]
            if not set(ids) & self.c.demo_ids:
                out.append((elector, users[ids[0]]))
        self.rng.shuffle(out)
        return out

    # An elevator retrofit in one unit, published: the directly affected consented.
    def elevator_ballot(self) -> Ballot | None:
        c, oc = self.c, self.c.owners_committee
        # A unit where no demo login lives: their votes stay theirs to cast.
        demo_units = Residency.objects.filter(user_id__in=c.demo_ids).values("household__unit_id")
        units = list(
            Place.objects.filter(kind=PlaceKind.UNIT, path__startswith=c.estate.path)
            .exclude(pk__in=demo_units)
            .order_by("path")
        )
        units.sort(key=lambda u: u.parent_id == c.building.pk)  # another building first
        unit = next(
            (
                u
                for u in units
                if Household.objects.filter(
                    unit=u,
                    floor__lte=2,
                    developer_held=False,
                    residencies__status=ResidencyStatus.VERIFIED,
                    residencies__relation__in=OWNER_RELATIONS,
                ).exists()
            ),
            None,
        )
        if unit is None:
            return None
        affected = list(
            Household.objects.filter(
                unit=unit,
                floor__lte=2,
                developer_held=False,
                residencies__status=ResidencyStatus.VERIFIED,
                residencies__relation__in=OWNER_RELATIONS,
            )
            .order_by("room")
            .values_list("pk", flat=True)
            .distinct()
        )
        name = f"{unit.parent.name}{unit.name}"
        b, closes = self.ballot(
            self.when(26, "09:00"),
            oc,
            place_id=unit.pk,
            title=f"{name}加装电梯方案表决",
            description="方案：在单元北侧加装一部8人载客电梯，平层入户。总造价约68万元，政府"
            "补贴20万元，其余由二楼以上业主按楼层系数分摊，一楼业主不出资。一、二楼业主为直接"
            "受影响业主（采光、噪音），须本人同意。",
            electorate=Electorate.OWNERS,
            rule=Rule.ELEVATOR,
            affected_household_ids=affected,
            closes_at=self.when(12, "20:00"),
        )
        approve, against, _abstain = self.options(b)
        electors = sorted(self._free_electors(b), key=lambda pair: pair[0].pk)
        plan = []
        for i, (elector, user) in enumerate(electors):
            if elector.affected:
                plan.append((user, approve))
            elif i % 11 == 5:
                plan.append((user, against))
            elif i % 11 != 9:
                plan.append((user, approve))
        slots = [self.when(d, "19:45") for d in (25, 22, 18, 15, 13)]
        self.votes(b, plan, slots)
        return self.close(b, oc, closes, publish_at=self.when(11, "10:00"))
