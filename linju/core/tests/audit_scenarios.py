"""One scenario per governance service for test_audit_coverage: set the stage with the real
services (and, where a service needs the past, a row moved back in time), then say what the
call under test is, who acts, which object its event names and the place its scope lies in.

A scenario is registered under the service's dotted name; `act` runs the call and returns what
the service returned, from which `actor`, `obj` and `within` may be computed (a callable taking
that result) when they do not exist before the call."""

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from linju.activities import services_activities as acts
from linju.activities import services_talents as talents
from linju.activities import services_teams as teams
from linju.activities.models import ActivityPhoto, Invitation, ServiceRecord, Talent
from linju.core import tokens
from linju.deliberation import publishing
from linju.deliberation import services_ballots as ballots
from linju.deliberation import services_meetings as meetings
from linju.deliberation import services_settings as settings_services
from linju.deliberation import services_topics as topics
from linju.deliberation.models import Elector, Publication, Topic, TopicStatus
from linju.people import roster, sms
from linju.people import services as people
from linju.people.models import LiaisonHousehold, PartyOrganisation, RoleGrant
from linju.places import services as places
from linju.points import services as points
from linju.points import services_store as store
from linju.points.models import PointsEntry
from linju.ratings import defaults as rating_defaults
from linju.ratings import services_awards as awards
from linju.ratings import services_rounds as rounds
from linju.ratings import services_rubrics as rubrics
from linju.ratings.models import Entry, Party, Round
from linju.ratings.tests.conftest import marks_for
from linju.reports import services as reports
from linju.reports.models import CategoryAttribute
from linju.reports.tests.conftest import upload

PASSWORD = "pass-Word-9"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@dataclass
class Case:
    """The call under test and what its audit event must say. `actor` None: the system acts (a
    sweep); `within` None: the object is city-wide (scope path "")."""

    act: Callable[[], Any]
    actor: Any
    obj: Any
    within: Any


@dataclass
class Ctx:
    city: Any
    fixture: Callable[[str], Any]  # pytest's request.getfixturevalue

    @property
    def u(self):
        return self.city.users

    @property
    def p(self):
        return self.city.places

    @property
    def h(self):
        return self.city.households


SCENARIOS: dict[str, Callable[[Ctx], Case]] = {}


def scenario(name: str):
    def register(fn):
        assert name not in SCENARIOS, name
        SCENARIOS[name] = fn
        return fn

    return register


def pdf(name="sheet.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def travel(moment):
    return time_machine.travel(moment, tick=False)


# --- places ------------------------------------------------------------------------------------


@scenario("linju.places.services.create_place")
def _(c):
    staff = c.u["community_staff"]
    return Case(
        act=lambda: places.create_place(
            actor=staff, kind="building", name="9栋", code="B9", parent_id=c.p["E1"].pk
        ),
        actor=staff,
        obj=lambda place: place,
        within=c.p["E1"],
    )


@scenario("linju.places.services.create_grid")
def _(c):
    staff = c.u["community_staff"]
    return Case(
        act=lambda: places.create_grid(
            actor=staff,
            community_id=c.p["C1"].pk,
            name="G9",
            code="G9",
            building_ids=[c.p["B2"].pk],
        ),
        actor=staff,
        obj=lambda grid: grid,
        within=c.p["C1"],
    )


@scenario("linju.places.services.create_household")
def _(c):
    staff = c.u["community_staff"]
    return Case(
        act=lambda: places.create_household(
            actor=staff, unit_id=c.p["U2"].pk, room="202", floor=2, area="70.5"
        ),
        actor=staff,
        obj=lambda household: household,
        within=c.p["U2"],
    )


# --- people ------------------------------------------------------------------------------------


@scenario("linju.people.services.sign_up")
def _(c):
    c.fixture("sms_outbox")
    mobile = "13912345678"
    # The code is sent once the transaction commits.
    with c.fixture("django_capture_on_commit_callbacks")(execute=True):
        people.send_code(mobile=mobile, purpose="signup")
    code = re.search(r"\d{6}", next(text for to, text in sms.outbox if to == mobile))[0]
    return Case(
        act=lambda: people.sign_up(
            mobile=mobile, name="新人", password="a-Longer-Pass-9", code=code, consent=True
        ),
        actor=lambda user: user,
        obj=lambda user: user,
        within=None,
    )


@scenario("linju.people.services.give_consent")
def _(c):
    owner = c.u["owner"]
    return Case(
        act=lambda: people.give_consent(user=owner), actor=owner, obj=owner, within=c.h["H101"]
    )


@scenario("linju.people.services.change_password")
def _(c):
    owner = c.u["owner"]
    return Case(
        act=lambda: people.change_password(
            user=owner, current_password=PASSWORD, new_password="another-Pass-7"
        ),
        actor=owner,
        obj=owner,
        within=c.h["H101"],
    )


@scenario("linju.people.services.end_other_sessions")
def _(c):
    owner = c.u["owner"]
    return Case(
        act=lambda: people.end_other_sessions(user=owner),
        actor=owner,
        obj=owner,
        within=c.h["H101"],
    )


@scenario("linju.people.services.delete_account")
def _(c):
    tenant = c.u["tenant"]
    return Case(
        act=lambda: people.delete_account(user=tenant, password=PASSWORD),
        actor=tenant,
        obj=tenant,
        within=c.h["H102"],  # where they lived: recorded before the residency ends
    )


@scenario("linju.people.services.request_residency")
def _(c):
    newcomer = c.u["newcomer"]
    return Case(
        act=lambda: people.request_residency(
            user=newcomer, household_id=c.h["H101"].pk, relation="family"
        ),
        actor=newcomer,
        obj=lambda residency: residency,
        within=c.h["H101"],
    )


@scenario("linju.people.services.request_residency_by_invite")
def _(c):
    newcomer = c.u["newcomer"]
    return Case(
        act=lambda: people.request_residency_by_invite(
            user=newcomer, invite_code=c.h["H101"].invite_code, relation="family"
        ),
        actor=newcomer,
        obj=lambda residency: residency,
        within=c.h["H101"],
    )


@scenario("linju.people.services.decide_residency")
def _(c):
    residency = people.request_residency(
        user=c.u["newcomer"], household_id=c.h["H101"].pk, relation="family"
    )
    head = c.u["unit_head"]
    return Case(
        act=lambda: people.decide_residency(actor=head, residency_id=residency.pk, approve=True),
        actor=head,
        obj=residency,
        within=c.h["H101"],
    )


@scenario("linju.people.services.end_residency")
def _(c):
    owner = c.u["owner"]
    residency = owner.residencies.get()
    return Case(
        act=lambda: people.end_residency(actor=owner, residency_id=residency.pk),
        actor=owner,
        obj=residency,
        within=c.h["H101"],
    )


@scenario("linju.people.services.grant_role")
def _(c):
    staff = c.u["community_staff"]
    return Case(
        act=lambda: people.grant_role(
            actor=staff, user_id=c.u["newcomer"].pk, role="unit_head", place_id=c.p["U2"].pk
        ),
        actor=staff,
        obj=lambda grant: grant,
        within=c.p["U2"],
    )


@scenario("linju.people.services.revoke_role")
def _(c):
    staff = c.u["community_staff"]
    grant = RoleGrant.objects.get(user=c.u["unit_head"])
    return Case(
        act=lambda: people.revoke_role(actor=staff, grant_id=grant.pk),
        actor=staff,
        obj=grant,
        within=c.p["U1"],
    )


def _committee(c):
    return PartyOrganisation.objects.get(name="C1 committee")


@scenario("linju.people.services.create_party_organisation")
def _(c):
    staff = c.u["community_staff"]
    return Case(
        act=lambda: people.create_party_organisation(
            actor=staff,
            kind="branch",
            name="G1 支部",
            place_id=c.p["C1"].pk,
            parent_id=_committee(c).pk,
            grid_id=c.city.grids["G1"].pk,
        ),
        actor=staff,
        obj=lambda org: org,
        within=c.p["C1"],
    )


@scenario("linju.people.services.add_party_member")
def _(c):
    staff, committee = c.u["community_staff"], _committee(c)
    return Case(
        act=lambda: people.add_party_member(
            actor=staff, organisation_id=committee.pk, mobile=c.u["owner"].mobile
        ),
        actor=staff,
        obj=committee,
        within=c.p["C1"],
    )


@scenario("linju.people.services.remove_party_member")
def _(c):
    staff, committee = c.u["community_staff"], _committee(c)
    membership = people.add_party_member(
        actor=staff, organisation_id=committee.pk, mobile=c.u["owner"].mobile
    )
    return Case(
        act=lambda: people.remove_party_member(actor=staff, membership_id=membership.pk),
        actor=staff,
        obj=committee,
        within=c.p["C1"],
    )


@scenario("linju.people.services.set_liaison_household")
def _(c):
    staff, committee = c.u["community_staff"], _committee(c)
    people.add_party_member(actor=staff, organisation_id=committee.pk, mobile=c.u["owner"].mobile)
    return Case(
        act=lambda: people.set_liaison_household(
            actor=staff, organisation_id=committee.pk, mobile=c.u["owner"].mobile
        ),
        actor=staff,
        obj=lambda liaison: liaison,
        within=c.h["H101"],
    )


def _liaison(c):
    return LiaisonHousehold.objects.get(member=c.u["party_liaison"])


@scenario("linju.people.services.link_served_households")
def _(c):
    staff, liaison = c.u["community_staff"], _liaison(c)
    return Case(
        act=lambda: people.link_served_households(
            actor=staff, liaison_id=liaison.pk, household_ids=[c.h["H101"].pk]
        ),
        actor=staff,
        obj=liaison,
        within=c.h["H201"],
    )


@scenario("linju.people.services.end_liaison_household")
def _(c):
    staff, liaison = c.u["community_staff"], _liaison(c)
    return Case(
        act=lambda: people.end_liaison_household(actor=staff, liaison_id=liaison.pk),
        actor=staff,
        obj=liaison,
        within=c.h["H201"],
    )


@scenario("linju.people.roster.import_roster")
def _(c):
    staff = c.u["community_staff"]
    return Case(
        act=lambda: roster.import_roster(
            actor=staff,
            community_id=c.p["C1"].pk,
            file=io.BytesIO(roster.template_csv()),
            filename="roster.csv",
        ),
        actor=staff,
        obj=c.p["C1"],
        within=c.p["C1"],
    )


@scenario("linju.core.tokens.create_token")
def _(c):
    owner = c.u["owner"]
    return Case(
        act=lambda: tokens.create_token(user=owner, name="脚本"),
        actor=owner,
        obj=lambda made: made[0],
        within=None,
    )


@scenario("linju.core.tokens.revoke_token")
def _(c):
    owner = c.u["owner"]
    token, _key = tokens.create_token(user=owner, name="脚本")
    return Case(
        act=lambda: tokens.revoke_token(user=owner, token_id=token.pk),
        actor=owner,
        obj=token,
        within=None,
    )


# --- reports -----------------------------------------------------------------------------------


def _report(c, key="owner", place="B1"):
    c.fixture("media")
    return reports.submit_report(
        user=c.u[key],
        category_code="clutter",
        place_id=c.p[place].pk,
        description="楼道里堆满了纸箱",
    )


def _dispatched(c):
    report = _report(c)
    reports.dispatch_report(
        user=c.u["grid_worker"], report=report, handler_id=c.u["property_manager"].pk
    )
    return report


def _resolved(c):
    report = _dispatched(c)
    reports.resolve_report(user=c.u["property_manager"], report=report, reply="已清理")
    return report


def _report_case(c, report, key, call):
    user = c.u[key]
    return Case(act=lambda: call(user, report), actor=user, obj=report, within=c.p["B1"])


@scenario("linju.reports.services.submit_report")
def _(c):
    c.fixture("media")
    owner = c.u["owner"]
    return Case(
        act=lambda: reports.submit_report(
            user=owner, category_code="clutter", place_id=c.p["B1"].pk, description="纸箱"
        ),
        actor=owner,
        obj=lambda report: report,
        within=c.p["B1"],
    )


@scenario("linju.reports.services.support_report")
def _(c):
    return _report_case(
        c, _report(c), "tenant", lambda u, r: reports.support_report(user=u, report=r)
    )


@scenario("linju.reports.services.accept_report")
def _(c):
    return _report_case(
        c, _report(c), "grid_worker", lambda u, r: reports.accept_report(user=u, report=r)
    )


@scenario("linju.reports.services.reject_report")
def _(c):
    return _report_case(
        c,
        _report(c),
        "grid_worker",
        lambda u, r: reports.reject_report(user=u, report=r, reason="不属于平台受理范围"),
    )


@scenario("linju.reports.services.dispatch_report")
def _(c):
    handler = c.u["property_manager"].pk
    return _report_case(
        c,
        _report(c),
        "grid_worker",
        lambda u, r: reports.dispatch_report(user=u, report=r, handler_id=handler),
    )


@scenario("linju.reports.services.bulk_dispatch")
def _(c):
    first, second = _report(c), _report(c, "tenant")
    handler = c.u["property_manager"].pk
    return _report_case(
        c,
        first,
        "grid_worker",
        lambda u, r: reports.bulk_dispatch(
            user=u, report_ids=[r.pk, second.pk], handler_id=handler
        ),
    )


@scenario("linju.reports.services.start_work")
def _(c):
    return _report_case(
        c,
        _dispatched(c),
        "property_manager",
        lambda u, r: reports.start_work(user=u, report=r),
    )


@scenario("linju.reports.services.resolve_report")
def _(c):
    return _report_case(
        c,
        _dispatched(c),
        "property_manager",
        lambda u, r: reports.resolve_report(user=u, report=r, reply="已清理"),
    )


@scenario("linju.reports.services.confirm_report")
def _(c):
    return _report_case(
        c, _resolved(c), "owner", lambda u, r: reports.confirm_report(user=u, report=r)
    )


@scenario("linju.reports.services.reopen_report")
def _(c):
    return _report_case(
        c,
        _resolved(c),
        "owner",
        lambda u, r: reports.reopen_report(user=u, report=r, comment="还没清完"),
    )


@scenario("linju.reports.services.rate_report")
def _(c):
    report = _resolved(c)
    reports.confirm_report(user=c.u["owner"], report=report)
    return _report_case(
        c, report, "owner", lambda u, r: reports.rate_report(user=u, report=r, rating=4)
    )


@scenario("linju.reports.services.escalate_report")
def _(c):
    return _report_case(
        c,
        _report(c),
        "grid_worker",
        lambda u, r: reports.escalate_report(user=u, report=r, reason="需要社区协调"),
    )


@scenario("linju.reports.services.extend_deadline")
def _(c):
    return _report_case(
        c,
        _report(c),
        "grid_worker",
        lambda u, r: reports.extend_deadline(user=u, report=r, hours=24, reason="等配件"),
    )


@scenario("linju.reports.services.merge_report")
def _(c):
    first, dup = _report(c), _report(c, "tenant")
    return _report_case(
        c,
        dup,
        "grid_worker",
        lambda u, r: reports.merge_report(user=u, report=r, into_id=first.pk),
    )


@scenario("linju.reports.services.open_joint_case")
def _(c):
    return _report_case(
        c,
        _report(c),
        "community_staff",
        lambda u, r: reports.open_joint_case(user=u, report=r, note="三方协调"),
    )


@scenario("linju.reports.services.sweep_overdue")
def _(c):
    report = _report(c)
    later = timezone.now() + timedelta(days=30)
    return Case(
        act=lambda: reports.sweep_overdue(now=later), actor=None, obj=report, within=c.p["B1"]
    )


@scenario("linju.reports.services.close_unconfirmed")
def _(c):
    report = _resolved(c)
    later = timezone.now() + timedelta(days=reports.AUTO_CLOSE_DAYS + 1)
    return Case(
        act=lambda: reports.close_unconfirmed(now=later), actor=None, obj=report, within=c.p["B1"]
    )


@scenario("linju.reports.services.save_category")
def _(c):
    admin = c.u["subdistrict_admin"]
    return Case(
        act=lambda: reports.save_category(user=admin, code="pets", name="宠物", accept_hours=4),
        actor=admin,
        obj=lambda category: category,
        within=None,
    )


def _category(c):
    return reports.save_category(user=c.u["subdistrict_admin"], code="pets", name="宠物")


@scenario("linju.reports.services.save_attribute")
def _(c):
    admin, category = c.u["subdistrict_admin"], _category(c)
    return Case(
        act=lambda: reports.save_attribute(
            user=admin, category=category, code="kind", datatype="string", description="什么宠物"
        ),
        actor=admin,
        obj=category,
        within=None,
    )


@scenario("linju.reports.services.delete_attribute")
def _(c):
    admin, category = c.u["subdistrict_admin"], _category(c)
    attribute = reports.save_attribute(
        user=admin, category=category, code="kind", datatype="string", description="什么宠物"
    )
    assert CategoryAttribute.objects.filter(pk=attribute.pk).exists()
    return Case(
        act=lambda: reports.delete_attribute(user=admin, attribute_id=attribute.pk),
        actor=admin,
        obj=category,
        within=None,
    )


# --- points ------------------------------------------------------------------------------------


def _give(c, person, amount=100):
    return points.adjust_points(
        user=c.u["community_staff"],
        person_id=person.pk,
        place_id=c.p["C1"].pk,
        amount=amount,
        reason="测试发放",
    )


@scenario("linju.points.services.record_service")
def _(c):
    staff = c.u["community_staff"]
    return Case(
        act=lambda: points.record_service(
            user=staff,
            person_id=c.u["owner"].pk,
            place_id=c.p["C1"].pk,
            served_on=timezone.localdate(),
            minutes=90,
            what="清扫楼道",
        ),
        actor=staff,
        obj=lambda made: made[0],  # the hours entry
        within=c.p["C1"],
    )


@scenario("linju.points.services.adjust_points")
def _(c):
    staff = c.u["community_staff"]
    return Case(
        act=lambda: _give(c, c.u["owner"], 5),
        actor=staff,
        obj=lambda entry: entry,
        within=c.p["C1"],
    )


@scenario("linju.points.services.set_rule")
def _(c):
    staff = c.u["community_staff"]
    return Case(
        act=lambda: points.set_rule(user=staff, place_id=c.p["C1"].pk, kind="service", points=2),
        actor=staff,
        obj=lambda rule: rule,
        within=c.p["C1"],
    )


@scenario("linju.points.services.set_expiry")
def _(c):
    staff = c.u["community_staff"]
    return Case(
        act=lambda: points.set_expiry(user=staff, place_id=c.p["C1"].pk, months=12),
        actor=staff,
        obj=c.p["C1"],
        within=c.p["C1"],
    )


@scenario("linju.points.services.expire_points")
def _(c):
    owner = c.u["owner"]
    _give(c, owner, 30)
    points.set_expiry(user=c.u["community_staff"], place_id=c.p["C1"].pk, months=1)
    later = timezone.now() + timedelta(days=400)

    def lapsed():
        return PointsEntry.objects.get(user=owner, kind="expiry")

    return Case(
        act=lambda: points.expire_points(now=later),
        actor=None,
        obj=lambda _n: lapsed(),
        within=c.p["C1"],
    )


def _item(c, **kw):
    kw.setdefault("stock", 5)
    return store.create_item(
        user=c.u["community_staff"], place_id=c.p["C1"].pk, name="大米", cost=10, **kw
    )


def _redeemed(c):
    owner = c.u["owner"]
    _give(c, owner)
    return store.redeem(user=owner, item=_item(c))


@scenario("linju.points.services_store.create_item")
def _(c):
    staff = c.u["community_staff"]
    return Case(act=lambda: _item(c), actor=staff, obj=lambda item: item, within=c.p["C1"])


@scenario("linju.points.services_store.update_item")
def _(c):
    staff, item = c.u["community_staff"], _item(c)
    return Case(
        act=lambda: store.update_item(user=staff, item=item, name="东北大米"),
        actor=staff,
        obj=item,
        within=c.p["C1"],
    )


@scenario("linju.points.services_store.restock")
def _(c):
    staff, item = c.u["community_staff"], _item(c)
    return Case(
        act=lambda: store.restock(user=staff, item=item, change=3, reason="共建单位捐赠"),
        actor=staff,
        obj=item,
        within=c.p["C1"],
    )


@scenario("linju.points.services_store.redeem")
def _(c):
    owner = c.u["owner"]
    _give(c, owner)
    item = _item(c)
    return Case(
        act=lambda: store.redeem(user=owner, item=item),
        actor=owner,
        obj=lambda redemption: redemption,
        within=c.p["C1"],
    )


@scenario("linju.points.services_store.collect")
def _(c):
    staff, redemption = c.u["community_staff"], _redeemed(c)
    return Case(
        act=lambda: store.collect(user=staff, redemption=redemption),
        actor=staff,
        obj=redemption,
        within=c.p["C1"],
    )


@scenario("linju.points.services_store.cancel")
def _(c):
    owner, redemption = c.u["owner"], _redeemed(c)
    return Case(
        act=lambda: store.cancel(user=owner, redemption=redemption),
        actor=owner,
        obj=redemption,
        within=c.p["C1"],
    )


# --- activities --------------------------------------------------------------------------------


def _hood(c):
    from linju.activities.tests.conftest import started

    return c.fixture("hood"), started


@scenario("linju.activities.services_activities.create_activity")
def _(c):
    staff = c.u["community_staff"]
    start = timezone.now() + timedelta(days=2)
    return Case(
        act=lambda: acts.create_activity(
            user=staff,
            place_id=c.p["B1"].pk,
            title="楼组茶话会",
            kind="festival",
            venue="B1 楼下",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
        ),
        actor=staff,
        obj=lambda activity: activity,
        within=c.p["B1"],
    )


@scenario("linju.activities.services_activities.update_activity")
def _(c):
    hood, _started = _hood(c)
    party = hood.party
    return Case(
        act=lambda: acts.update_activity(
            user=hood.staff,
            activity_id=party.pk,
            title="楼组包馄饨",
            kind=party.kind,
            venue=party.venue,
            starts_at=party.starts_at,
            ends_at=party.ends_at,
            capacity=party.capacity,
        ),
        actor=hood.staff,
        obj=party,
        within=c.p["B1"],
    )


@scenario("linju.activities.services_activities.cancel_activity")
def _(c):
    hood, _started = _hood(c)
    return Case(
        act=lambda: acts.cancel_activity(user=hood.staff, activity_id=hood.party.pk, reason="下雨"),
        actor=hood.staff,
        obj=hood.party,
        within=c.p["B1"],
    )


@scenario("linju.activities.services_activities.sign_up")
def _(c):
    hood, _started = _hood(c)
    return Case(
        act=lambda: acts.sign_up(user=hood.member, activity_id=hood.party.pk),
        actor=hood.member,
        obj=hood.party,
        within=c.p["B1"],
    )


@scenario("linju.activities.services_activities.cancel_sign_up")
def _(c):
    hood, _started = _hood(c)
    acts.sign_up(user=hood.member, activity_id=hood.party.pk)
    return Case(
        act=lambda: acts.cancel_sign_up(user=hood.member, activity_id=hood.party.pk),
        actor=hood.member,
        obj=hood.party,
        within=c.p["B1"],
    )


@scenario("linju.activities.services_activities.check_in")
def _(c):
    hood, started = _hood(c)
    party = started(hood.party)
    return Case(
        act=lambda: acts.check_in(user=hood.member, code=party.check_in_code),
        actor=hood.member,
        obj=party,
        within=c.p["B1"],
    )


@scenario("linju.activities.services_activities.check_in_person")
def _(c):
    hood, started = _hood(c)
    party = started(hood.party)
    return Case(
        act=lambda: acts.check_in_person(
            user=hood.staff, activity_id=party.pk, person_id=hood.member.pk
        ),
        actor=hood.staff,
        obj=party,
        within=c.p["B1"],
    )


@scenario("linju.activities.services_activities.confirm_attendance")
def _(c):
    hood, started = _hood(c)
    party = started(hood.party)
    mine = acts.check_in(user=hood.member, code=party.check_in_code)
    return Case(
        act=lambda: acts.confirm_attendance(
            user=hood.staff, activity_id=party.pk, sign_up_ids=[mine.pk]
        ),
        actor=hood.staff,
        obj=party,
        within=c.p["B1"],
    )


@scenario("linju.activities.services_activities.add_photos")
def _(c):
    c.fixture("media")
    hood, started = _hood(c)
    party = started(hood.party)
    return Case(
        act=lambda: acts.add_photos(user=hood.staff, activity_id=party.pk, photos=[upload()]),
        actor=hood.staff,
        obj=party,
        within=c.p["B1"],
    )


@scenario("linju.activities.services_activities.delete_photo")
def _(c):
    c.fixture("media")
    hood, started = _hood(c)
    party = started(hood.party)
    (photo,) = acts.add_photos(user=hood.staff, activity_id=party.pk, photos=[upload()])
    assert ActivityPhoto.objects.filter(pk=photo.pk).exists()
    return Case(
        act=lambda: acts.delete_photo(user=hood.staff, photo_id=photo.pk),
        actor=hood.staff,
        obj=party,
        within=c.p["B1"],
    )


@scenario("linju.activities.services_talents.set_talent")
def _(c):
    tenant = c.u["tenant"]
    return Case(
        act=lambda: talents.set_talent(user=tenant, skill="repairs", note="修水管"),
        actor=tenant,
        obj=lambda talent: talent,
        within=c.p["U1"],
    )


@scenario("linju.activities.services_talents.remove_talent")
def _(c):
    tenant = c.u["tenant"]
    talents.set_talent(user=tenant, skill="repairs")
    return Case(
        act=lambda: talents.remove_talent(user=tenant, skill="repairs"),
        actor=tenant,
        obj=tenant,
        within=c.h["H102"],
    )


def _invitation(c):
    talent = talents.set_talent(user=c.u["tenant"], skill="repairs", visibility="staff")
    return talents.invite(
        user=c.u["community_staff"], talent_id=talent.pk, message="请来帮忙", project="读书角"
    )


@scenario("linju.activities.services_talents.invite")
def _(c):
    staff = c.u["community_staff"]
    talent = talents.set_talent(user=c.u["tenant"], skill="repairs", visibility="staff")
    assert Talent.objects.filter(pk=talent.pk).exists()
    return Case(
        act=lambda: talents.invite(
            user=staff, talent_id=talent.pk, message="请来帮忙", project="读书角"
        ),
        actor=staff,
        obj=lambda invitation: invitation,
        within=c.p["U1"],
    )


@scenario("linju.activities.services_talents.answer")
def _(c):
    tenant, invitation = c.u["tenant"], _invitation(c)
    assert Invitation.objects.filter(pk=invitation.pk).exists()
    return Case(
        act=lambda: talents.answer(user=tenant, invitation_id=invitation.pk, accept=True),
        actor=tenant,
        obj=invitation,
        within=c.p["U1"],
    )


@scenario("linju.activities.services_teams.create_team")
def _(c):
    staff = c.u["community_staff"]
    return Case(
        act=lambda: teams.create_team(
            user=staff, place_id=c.p["C1"].pk, name="文明劝导队", kind="civility"
        ),
        actor=staff,
        obj=lambda team: team,
        within=c.p["C1"],
    )


@scenario("linju.activities.services_teams.update_team")
def _(c):
    hood, _started = _hood(c)
    patrol = hood.patrol
    return Case(
        act=lambda: teams.update_team(
            user=hood.staff, team_id=patrol.pk, name="夜间巡逻队", kind=patrol.kind
        ),
        actor=hood.staff,
        obj=patrol,
        within=c.p["C1"],
    )


@scenario("linju.activities.services_teams.join_team")
def _(c):
    hood, _started = _hood(c)
    joiner = c.u["party_liaison"]
    return Case(
        act=lambda: teams.join_team(user=joiner, team_id=hood.patrol.pk),
        actor=joiner,
        obj=hood.patrol,
        within=c.p["C1"],
    )


@scenario("linju.activities.services_teams.add_team_member")
def _(c):
    hood, _started = _hood(c)
    return Case(
        act=lambda: teams.add_team_member(
            user=hood.staff, team_id=hood.patrol.pk, person_id=c.u["party_liaison"].pk
        ),
        actor=hood.staff,
        obj=hood.patrol,
        within=c.p["C1"],
    )


@scenario("linju.activities.services_teams.leave_team")
def _(c):
    hood, _started = _hood(c)
    return Case(
        act=lambda: teams.leave_team(user=hood.member, team_id=hood.patrol.pk),
        actor=hood.member,
        obj=hood.patrol,
        within=c.p["C1"],
    )


def _service_record(hood):
    return teams.submit_service(
        user=hood.member,
        team_id=hood.patrol.pk,
        served_on=timezone.localdate(),
        minutes=60,
        what="夜间巡逻",
    )


@scenario("linju.activities.services_teams.submit_service")
def _(c):
    hood, _started = _hood(c)
    return Case(
        act=lambda: _service_record(hood),
        actor=hood.member,
        obj=lambda record: record,
        within=c.p["C1"],
    )


@scenario("linju.activities.services_teams.decide_service")
def _(c):
    hood, _started = _hood(c)
    record = _service_record(hood)
    assert ServiceRecord.objects.filter(pk=record.pk).exists()
    return Case(
        act=lambda: teams.decide_service(user=hood.leader, record_id=record.pk, confirm=True),
        actor=hood.leader,
        obj=record,
        within=c.p["C1"],
    )


def _group(c):
    return teams.create_group(user=c.u["community_staff"], place_id=c.p["C1"].pk, name="书法组")


@scenario("linju.activities.services_teams.create_group")
def _(c):
    staff = c.u["community_staff"]
    return Case(act=lambda: _group(c), actor=staff, obj=lambda group: group, within=c.p["C1"])


@scenario("linju.activities.services_teams.update_group")
def _(c):
    staff, group = c.u["community_staff"], _group(c)
    return Case(
        act=lambda: teams.update_group(user=staff, group_id=group.pk, name="书画组"),
        actor=staff,
        obj=group,
        within=c.p["C1"],
    )


@scenario("linju.activities.services_teams.join_group")
def _(c):
    owner, group = c.u["owner"], _group(c)
    return Case(
        act=lambda: teams.join_group(user=owner, group_id=group.pk),
        actor=owner,
        obj=group,
        within=c.p["C1"],
    )


@scenario("linju.activities.services_teams.add_group_member")
def _(c):
    staff, group = c.u["community_staff"], _group(c)
    return Case(
        act=lambda: teams.add_group_member(
            user=staff, group_id=group.pk, person_id=c.u["owner"].pk, role="leader"
        ),
        actor=staff,
        obj=group,
        within=c.p["C1"],
    )


@scenario("linju.activities.services_teams.leave_group")
def _(c):
    owner, group = c.u["owner"], _group(c)
    teams.join_group(user=owner, group_id=group.pk)
    return Case(
        act=lambda: teams.leave_group(user=owner, group_id=group.pk),
        actor=owner,
        obj=group,
        within=c.p["C1"],
    )


# --- deliberation: topics ------------------------------------------------------------------------


def _proposed(c, key="owner", place="E1"):
    """A resident's topic of E1 (three households: it gathers support, threshold 3)."""
    return topics.propose_topic(
        user=c.u[key], place_id=c.p[place].pk, title="楼道灯坏了", body="晚上看不见。"
    )


def _staff_topic(c, place="C1"):
    return topics.propose_topic(
        user=c.u["community_staff"],
        place_id=c.p[place].pk,
        title="加装电梯",
        body="老楼加装电梯。",
        source="staff",
    )


def _deliberating(c, procedure="meeting"):
    staff = c.u["community_staff"]
    topic = topics.put_on_agenda(user=staff, topic=_staff_topic(c))
    return topics.start_procedure(user=staff, topic=topic, procedure=procedure)


def _decided(c):
    topic = _deliberating(c)
    topics.record_topic_decision(user=c.u["community_staff"], topic=topic, text="修门禁")
    return topic


def _evaluating(c):
    topic = _deliberating(c)
    Topic.objects.filter(pk=topic.pk).update(
        status=TopicStatus.EVALUATING, evaluation_closes_at=timezone.now() + timedelta(days=14)
    )
    return Topic.objects.get(pk=topic.pk)


def _task(c):
    """A task of a C1 topic, owned by a resident of C1."""
    return topics.add_task(
        user=c.u["community_staff"],
        topic=_decided(c),
        title="修门禁",
        owner_id=c.u["owner"].pk,
        due_on=timezone.localdate() + timedelta(days=7),
    )


def _topic_case(c, topic, key, call, obj=None):
    user = c.u[key]
    return Case(act=lambda: call(user, topic), actor=user, obj=obj or topic, within=topic.place)


@scenario("linju.deliberation.services_topics.propose_topic")
def _(c):
    owner = c.u["owner"]
    return Case(act=lambda: _proposed(c), actor=owner, obj=lambda t: t, within=c.p["E1"])


@scenario("linju.deliberation.services_topics.support_topic")
def _(c):
    return _topic_case(
        c, _proposed(c), "tenant", lambda u, t: topics.support_topic(user=u, topic=t)
    )


@scenario("linju.deliberation.services_topics.unsupport_topic")
def _(c):
    topic = _proposed(c)
    topics.support_topic(user=c.u["tenant"], topic=topic)
    return _topic_case(c, topic, "tenant", lambda u, t: topics.unsupport_topic(user=u, topic=t))


@scenario("linju.deliberation.services_topics.withdraw_topic")
def _(c):
    return _topic_case(
        c, _proposed(c), "owner", lambda u, t: topics.withdraw_topic(user=u, topic=t)
    )


@scenario("linju.deliberation.services_topics.decline_topic")
def _(c):
    return _topic_case(
        c,
        _proposed(c),
        "community_staff",
        lambda u, t: topics.decline_topic(user=u, topic=t, reason="已有同类议题"),
    )


@scenario("linju.deliberation.services_topics.put_on_agenda")
def _(c):
    return _topic_case(
        c, _proposed(c), "community_staff", lambda u, t: topics.put_on_agenda(user=u, topic=t)
    )


@scenario("linju.deliberation.services_topics.start_procedure")
def _(c):
    topic = topics.put_on_agenda(user=c.u["community_staff"], topic=_staff_topic(c))
    return _topic_case(
        c,
        topic,
        "community_staff",
        lambda u, t: topics.start_procedure(user=u, topic=t, procedure="meeting"),
    )


@scenario("linju.deliberation.services_topics.complete_stage")
def _(c):
    topic = _deliberating(c)
    staff = c.u["community_staff"]
    return Case(
        act=lambda: topics.complete_stage(
            user=staff, topic=topic, stage_id=topic.current_stage_id, note="已收集"
        ),
        actor=staff,
        obj=lambda completion: completion,
        within=topic.place,
    )


@scenario("linju.deliberation.services_topics.record_topic_decision")
def _(c):
    topic = _deliberating(c)
    staff = c.u["community_staff"]
    return Case(
        act=lambda: topics.record_topic_decision(user=staff, topic=topic, text="修门禁"),
        actor=staff,
        obj=lambda decision: decision,
        within=topic.place,
    )


@scenario("linju.deliberation.services_topics.rate_topic")
def _(c):
    return _topic_case(
        c, _evaluating(c), "owner", lambda u, t: topics.rate_topic(user=u, topic=t, stars=4)
    )


@scenario("linju.deliberation.services_topics.close_evaluation")
def _(c):
    return _topic_case(
        c,
        _evaluating(c),
        "community_staff",
        lambda u, t: topics.close_evaluation(user=u, topic=t),
    )


@scenario("linju.deliberation.services_topics.close_due_evaluations")
def _(c):
    topic = _evaluating(c)
    later = timezone.now() + timedelta(days=30)
    return Case(
        act=lambda: topics.close_due_evaluations(now=later),
        actor=None,
        obj=topic,
        within=topic.place,
    )


@scenario("linju.deliberation.services_topics.add_task")
def _(c):
    topic = _decided(c)
    staff = c.u["community_staff"]
    return Case(
        act=lambda: topics.add_task(
            user=staff,
            topic=topic,
            title="修门禁",
            owner_id=c.u["owner"].pk,
            due_on=timezone.localdate() + timedelta(days=7),
        ),
        actor=staff,
        obj=lambda task: task,
        within=topic.place,
    )


@scenario("linju.deliberation.services_topics.update_task")
def _(c):
    task = _task(c)
    owner = c.u["owner"]
    return Case(
        act=lambda: topics.update_task(user=owner, task=task, text="已订配件", progress=50),
        actor=owner,
        obj=task,
        within=task.topic.place,
    )


@scenario("linju.deliberation.services_topics.cancel_task")
def _(c):
    task = _task(c)
    staff = c.u["community_staff"]
    return Case(
        act=lambda: topics.cancel_task(user=staff, task=task, reason="不再需要"),
        actor=staff,
        obj=task,
        within=task.topic.place,
    )


@scenario("linju.deliberation.services_topics.flag_overdue_tasks")
def _(c):
    task = _task(c)
    later = timezone.now() + timedelta(days=30)
    return Case(
        act=lambda: topics.flag_overdue_tasks(now=later),
        actor=None,
        obj=task,
        within=task.topic.place,
    )


@scenario("linju.deliberation.publishing.publish")
def _(c):
    staff = c.u["community_staff"]
    return Case(
        act=lambda: publishing.publish(
            user=staff,
            kind=Publication.Kind.STAGE,
            place=c.p["C1"],
            title="公示",
            body="议事结果",
        ),
        actor=staff,
        obj=lambda publication: publication,
        within=c.p["C1"],
    )


@scenario("linju.deliberation.publishing.record_decision")
def _(c):
    topic = _deliberating(c)
    staff = c.u["community_staff"]
    return Case(
        act=lambda: publishing.record_decision(user=staff, topic=topic, text="修门禁"),
        actor=staff,
        obj=lambda decision: decision,
        within=topic.place,
    )


# --- deliberation: meetings ----------------------------------------------------------------------


def _meeting(c, days=20):
    return meetings.create_meeting(
        user=c.u["community_staff"],
        kind="yishihui",
        place_id=c.p["B1"].pk,
        title="B1 议事会",
        starts_at=timezone.now() + timedelta(days=days),
        venue="活动室",
    )


def _noticed(c, days=4):
    staff = c.u["community_staff"]
    meeting = _meeting(c, days)
    meetings.invite(user=staff, meeting=meeting, user_ids=[c.u["owner"].pk, c.u["tenant"].pk])
    return meetings.send_notice(user=staff, meeting=meeting)


def _meeting_case(c, meeting, key, call, moment=None):
    user = c.u[key]

    def act():
        if moment is None:
            return call(user, meeting)
        with travel(moment):
            return call(user, meeting)

    return Case(act=act, actor=user, obj=meeting, within=c.p["B1"])


@scenario("linju.deliberation.services_meetings.create_meeting")
def _(c):
    staff = c.u["community_staff"]
    return Case(act=lambda: _meeting(c), actor=staff, obj=lambda m: m, within=c.p["B1"])


@scenario("linju.deliberation.services_meetings.update_meeting")
def _(c):
    return _meeting_case(
        c,
        _meeting(c),
        "community_staff",
        lambda u, m: meetings.update_meeting(user=u, meeting=m, title="B1 楼栋议事会"),
    )


@scenario("linju.deliberation.services_meetings.set_agenda")
def _(c):
    topic = _proposed(c)
    return _meeting_case(
        c,
        _meeting(c),
        "community_staff",
        lambda u, m: meetings.set_agenda(user=u, meeting=m, topic_ids=[topic.pk]),
    )


@scenario("linju.deliberation.services_meetings.add_topic")
def _(c):
    topic = _proposed(c)
    return _meeting_case(
        c,
        _meeting(c),
        "community_staff",
        lambda u, m: meetings.add_topic(user=u, meeting=m, topic_id=topic.pk),
    )


@scenario("linju.deliberation.services_meetings.remove_topic")
def _(c):
    topic, meeting = _proposed(c), _meeting(c)
    meetings.add_topic(user=c.u["community_staff"], meeting=meeting, topic_id=topic.pk)
    return _meeting_case(
        c,
        meeting,
        "community_staff",
        lambda u, m: meetings.remove_topic(user=u, meeting=m, topic_id=topic.pk),
    )


@scenario("linju.deliberation.services_meetings.invite")
def _(c):
    owner = c.u["owner"].pk
    return _meeting_case(
        c,
        _meeting(c),
        "community_staff",
        lambda u, m: meetings.invite(user=u, meeting=m, user_ids=[owner]),
    )


@scenario("linju.deliberation.services_meetings.send_notice")
def _(c):
    meeting = _meeting(c)
    meetings.invite(user=c.u["community_staff"], meeting=meeting, user_ids=[c.u["owner"].pk])
    return _meeting_case(
        c, meeting, "community_staff", lambda u, m: meetings.send_notice(user=u, meeting=m)
    )


@scenario("linju.deliberation.services_meetings.check_in")
def _(c):
    meeting = _noticed(c)
    return _meeting_case(
        c,
        meeting,
        "owner",
        lambda u, m: meetings.check_in(user=u, meeting=m, token=m.checkin_token),
        moment=meeting.starts_at - timedelta(hours=1),
    )


@scenario("linju.deliberation.services_meetings.check_in_by_host")
def _(c):
    meeting = _noticed(c)
    owner = c.u["owner"].pk
    return _meeting_case(
        c,
        meeting,
        "community_staff",
        lambda u, m: meetings.check_in_by_host(user=u, meeting=m, invitee_user_id=owner),
        moment=meeting.starts_at - timedelta(hours=1),
    )


@scenario("linju.deliberation.services_meetings.rotate_token")
def _(c):
    return _meeting_case(
        c, _meeting(c), "community_staff", lambda u, m: meetings.rotate_token(user=u, meeting=m)
    )


@scenario("linju.deliberation.services_meetings.record_minutes")
def _(c):
    meeting = _noticed(c)
    return _meeting_case(
        c,
        meeting,
        "community_staff",
        lambda u, m: meetings.record_minutes(user=u, meeting=m, minutes="会议纪要"),
        moment=meeting.starts_at + timedelta(minutes=30),
    )


@scenario("linju.deliberation.services_meetings.cancel")
def _(c):
    return _meeting_case(
        c,
        _meeting(c),
        "community_staff",
        lambda u, m: meetings.cancel(user=u, meeting=m, reason="改期"),
    )


@scenario("linju.deliberation.services_meetings.save_kind")
def _(c):
    admin = c.u["subdistrict_admin"]
    return Case(
        act=lambda: meetings.save_kind(
            user=admin, code="street_talk", name="街巷恳谈", notice_days=2
        ),
        actor=admin,
        obj=lambda kind: kind,
        within=None,
    )


# --- deliberation: ballots -----------------------------------------------------------------------


def _ballot(c, **kw):
    kw.setdefault("closes_at", timezone.now() + timedelta(days=7))
    return ballots.create_ballot(
        user=c.u["community_staff"],
        place_id=c.p["E1"].pk,
        title="更换小区大门",
        electorate="owners",
        rule="ordinary",
        **kw,
    )


def _opened(c):
    return ballots.open_ballot(user=c.u["community_staff"], ballot=_ballot(c))


def _elector(ballot, household):
    return next(e for e in Elector.objects.filter(ballot=ballot) if household.pk in e.household_ids)


def _paper(c):
    c.fixture("media")
    ballot = _opened(c)
    vote = ballots.enter_paper_vote(
        user=c.u["community_staff"],
        ballot=ballot,
        elector_id=_elector(ballot, c.h["H102"]).pk,
        option_id=ballot.options.get(order=0).pk,
        scan=pdf(),
    )
    return ballot, vote


def _closed(c):
    ballot = _opened(c)
    with travel(ballot.closes_at + timedelta(minutes=1)):
        return ballots.close_ballot(user=c.u["community_staff"], ballot=ballot)


def _ballot_case(c, ballot, key, call, moment=None):
    user = c.u[key]

    def act():
        if moment is None:
            return call(user, ballot)
        with travel(moment):
            return call(user, ballot)

    return Case(act=act, actor=user, obj=ballot, within=c.p["E1"])


@scenario("linju.deliberation.services_ballots.create_ballot")
def _(c):
    staff = c.u["community_staff"]
    return Case(act=lambda: _ballot(c), actor=staff, obj=lambda b: b, within=c.p["E1"])


@scenario("linju.deliberation.services_ballots.update_ballot")
def _(c):
    return _ballot_case(
        c,
        _ballot(c),
        "community_staff",
        lambda u, b: ballots.update_ballot(user=u, ballot=b, title="更换小区东大门"),
    )


@scenario("linju.deliberation.services_ballots.open_ballot")
def _(c):
    return _ballot_case(
        c, _ballot(c), "community_staff", lambda u, b: ballots.open_ballot(user=u, ballot=b)
    )


@scenario("linju.deliberation.services_ballots.open_due")
def _(c):
    ballot = _ballot(c, opens_at=timezone.now() + timedelta(hours=1))
    later = timezone.now() + timedelta(hours=2)
    return Case(act=lambda: ballots.open_due(now=later), actor=None, obj=ballot, within=c.p["E1"])


@scenario("linju.deliberation.services_ballots.cast_vote")
def _(c):
    ballot = _opened(c)
    option = ballot.options.get(order=0).pk
    return _ballot_case(
        c, ballot, "owner", lambda u, b: ballots.cast_vote(user=u, ballot=b, option_id=option)
    )


@scenario("linju.deliberation.services_ballots.record_proxy_vote")
def _(c):
    c.fixture("media")
    ballot = _opened(c)
    elector = _elector(ballot, c.h["H102"]).pk
    option = ballot.options.get(order=0).pk
    return _ballot_case(
        c,
        ballot,
        "community_staff",
        lambda u, b: ballots.record_proxy_vote(
            user=u,
            ballot=b,
            elector_id=elector,
            option_id=option,
            proxy_name="王某",
            authorisation=pdf("proxy.pdf"),
        ),
    )


@scenario("linju.deliberation.services_ballots.enter_paper_vote")
def _(c):
    c.fixture("media")
    ballot = _opened(c)
    elector = _elector(ballot, c.h["H102"]).pk
    option = ballot.options.get(order=0).pk
    return _ballot_case(
        c,
        ballot,
        "community_staff",
        lambda u, b: ballots.enter_paper_vote(
            user=u, ballot=b, elector_id=elector, option_id=option, scan=pdf()
        ),
    )


@scenario("linju.deliberation.services_ballots.confirm_paper_vote")
def _(c):
    ballot, vote = _paper(c)
    return _ballot_case(
        c,
        ballot,
        "subdistrict_admin",  # a second person, not the one who entered it
        lambda u, b: ballots.confirm_paper_vote(user=u, ballot=b, vote_id=vote.pk),
    )


@scenario("linju.deliberation.services_ballots.reject_paper_vote")
def _(c):
    ballot, vote = _paper(c)
    return _ballot_case(
        c,
        ballot,
        "subdistrict_admin",
        lambda u, b: ballots.reject_paper_vote(user=u, ballot=b, vote_id=vote.pk, reason="不符"),
    )


@scenario("linju.deliberation.services_ballots.close_ballot")
def _(c):
    ballot = _opened(c)
    return _ballot_case(
        c,
        ballot,
        "community_staff",
        lambda u, b: ballots.close_ballot(user=u, ballot=b),
        moment=ballot.closes_at + timedelta(minutes=1),
    )


@scenario("linju.deliberation.services_ballots.close_due")
def _(c):
    ballot = _opened(c)
    later = ballot.closes_at + ballots.paper_entry_time() + timedelta(minutes=1)
    return Case(act=lambda: ballots.close_due(now=later), actor=None, obj=ballot, within=c.p["E1"])


@scenario("linju.deliberation.services_ballots.publish_result")
def _(c):
    return _ballot_case(
        c, _closed(c), "community_staff", lambda u, b: ballots.publish_result(user=u, ballot=b)
    )


# --- deliberation: settings ----------------------------------------------------------------------


@scenario("linju.deliberation.services_settings.appoint_representative")
def _(c):
    staff = c.u["community_staff"]
    return Case(
        act=lambda: settings_services.appoint_representative(
            user=staff, community_id=c.p["C1"].pk, user_id=c.u["owner"].pk
        ),
        actor=staff,
        obj=lambda rep: rep,
        within=c.p["C1"],
    )


@scenario("linju.deliberation.services_settings.end_representative")
def _(c):
    staff = c.u["community_staff"]
    rep = settings_services.appoint_representative(
        user=staff, community_id=c.p["C1"].pk, user_id=c.u["owner"].pk
    )
    return Case(
        act=lambda: settings_services.end_representative(user=staff, representative_id=rep.pk),
        actor=staff,
        obj=rep,
        within=c.p["C1"],
    )


@scenario("linju.deliberation.services_settings.set_support_rule")
def _(c):
    staff = c.u["community_staff"]
    return Case(
        act=lambda: settings_services.set_support_rule(
            user=staff, place_id=c.p["E1"].pk, households=2
        ),
        actor=staff,
        obj=lambda rule: rule,
        within=c.p["E1"],
    )


@scenario("linju.deliberation.services_settings.clear_support_rule")
def _(c):
    staff = c.u["community_staff"]
    rule = settings_services.set_support_rule(user=staff, place_id=c.p["E1"].pk, households=2)
    return Case(
        act=lambda: settings_services.clear_support_rule(user=staff, place_id=c.p["E1"].pk),
        actor=staff,
        obj=rule,
        within=c.p["E1"],
    )


# --- ratings -----------------------------------------------------------------------------------
# Rounds run on estate E2 (one unit, U3): a panel of the four parties of C2 and a single target.


def _draft(c, purpose="contest"):
    return rubrics.create_rubric(
        user=c.u["community_staff"], place_id=c.p["E1"].pk, purpose=purpose, name="文明单元细则"
    )


def _copied(c):
    return rubrics.copy_rubric(
        user=c.u["community_staff"],
        rubric=rating_defaults.template(rating_defaults.CONTEST),
        place_id=c.p["E1"].pk,
    )


def _rubric_case(c, rubric, key, call):
    user = c.u[key]
    return Case(act=lambda: call(user, rubric), actor=user, obj=rubric, within=c.p["E1"])


def _contest(c):
    staff, e2 = c.u["community_staff_2"], c.p["E2"]
    rubric = rubrics.copy_rubric(
        user=staff, rubric=rating_defaults.template(rating_defaults.CONTEST), place_id=e2.pk
    )
    rubrics.adopt_rubric(user=staff, rubric=rubric)
    contest = rounds.create_contest(
        user=staff,
        place_id=e2.pk,
        name="E2 文明单元评比",
        rubric_id=rubric.pk,
        fee_fen_per_sqm_month=100,
    )
    for key, party in [
        ("community_staff_2", Party.COMMUNITY),
        ("property_manager_2", Party.PROPERTY),
        ("owners_committee_2", Party.OWNERS_COMMITTEE),
        ("owner_2", Party.RESIDENTS),
    ]:
        rounds.add_panellist(user=staff, contest=contest, person_id=c.u[key].pk, party=party)
    return contest


def _round(c, until="open"):
    """A round of this month in the small contest, moved on to `until`."""
    staff = c.u["community_staff_2"]
    round_ = rounds.open_round(
        user=staff, contest=_contest(c), period=timezone.localdate().strftime("%Y-%m")
    )
    steps = ["open", "scoring", "review", "published"]
    if steps.index(until) >= 1:
        rounds.start_scoring(user=staff, round_=round_)
    if steps.index(until) >= 2:
        rounds.save_sheet(
            user=c.u["owner_2"],
            round_=round_,
            target_id=round_.targets.get().pk,
            marks=marks_for(round_.rubric),
        )
        rounds.close_scoring(user=staff, round_=round_)
    if steps.index(until) >= 3:
        rounds.publish_round(user=staff, round_=round_)
    return Round.objects.get(pk=round_.pk)


def _round_case(c, round_, key, call):
    user = c.u[key]
    return Case(act=lambda: call(user, round_), actor=user, obj=round_, within=c.p["E2"])


@scenario("linju.ratings.services_rubrics.create_rubric")
def _(c):
    staff = c.u["community_staff"]
    return Case(act=lambda: _draft(c), actor=staff, obj=lambda r: r, within=c.p["E1"])


@scenario("linju.ratings.services_rubrics.copy_rubric")
def _(c):
    staff = c.u["community_staff"]
    return Case(act=lambda: _copied(c), actor=staff, obj=lambda r: r, within=c.p["E1"])


@scenario("linju.ratings.services_rubrics.update_rubric")
def _(c):
    return _rubric_case(
        c,
        _draft(c),
        "community_staff",
        lambda u, r: rubrics.update_rubric(user=u, rubric=r, name="文明单元评比细则"),
    )


def _item_data():
    return {"code": "stairs", "kind": "score", "max_points": "10", "title": "楼道整洁"}


@scenario("linju.ratings.services_rubrics.save_item")
def _(c):
    return _rubric_case(
        c,
        _draft(c),
        "community_staff",
        lambda u, r: rubrics.save_item(user=u, rubric=r, **_item_data()),
    )


@scenario("linju.ratings.services_rubrics.delete_item")
def _(c):
    rubric = _draft(c)
    item = rubrics.save_item(user=c.u["community_staff"], rubric=rubric, **_item_data())
    return _rubric_case(
        c, rubric, "community_staff", lambda u, r: rubrics.delete_item(user=u, item=item)
    )


@scenario("linju.ratings.services_rubrics.set_bands")
def _(c):
    return _rubric_case(
        c,
        _draft(c, "stars"),
        "community_staff",
        lambda u, r: rubrics.set_bands(user=u, rubric=r, bands=[{"min_score": 60, "stars": 1}]),
    )


@scenario("linju.ratings.services_rubrics.put_to_residents")
def _(c):
    return _rubric_case(
        c,
        _copied(c),
        "community_staff",
        lambda u, r: rubrics.put_to_residents(user=u, rubric=r, raise_topic=False),
    )


@scenario("linju.ratings.services_rubrics.comment_rubric")
def _(c):
    rubric = rubrics.put_to_residents(
        user=c.u["community_staff"], rubric=_copied(c), raise_topic=False
    )
    return _rubric_case(
        c,
        rubric,
        "owner",
        lambda u, r: rubrics.comment_rubric(user=u, rubric=r, text="婴儿车不算堆物"),
    )


@scenario("linju.ratings.services_rubrics.adopt_rubric")
def _(c):
    return _rubric_case(
        c, _copied(c), "community_staff", lambda u, r: rubrics.adopt_rubric(user=u, rubric=r)
    )


@scenario("linju.ratings.services_rounds.create_contest")
def _(c):
    staff = c.u["community_staff"]
    rubric = rubrics.adopt_rubric(user=staff, rubric=_copied(c))
    return Case(
        act=lambda: rounds.create_contest(
            user=staff, place_id=c.p["E1"].pk, name="E1 评比", rubric_id=rubric.pk
        ),
        actor=staff,
        obj=lambda contest: contest,
        within=c.p["E1"],
    )


def _contest_case(c, contest, key, call):
    user = c.u[key]
    return Case(act=lambda: call(user, contest), actor=user, obj=contest, within=c.p["E2"])


@scenario("linju.ratings.services_rounds.update_contest")
def _(c):
    return _contest_case(
        c,
        _contest(c),
        "community_staff_2",
        lambda u, k: rounds.update_contest(user=u, contest=k, name="E2 红栋力评比"),
    )


@scenario("linju.ratings.services_rounds.add_panellist")
def _(c):
    return _contest_case(
        c,
        _contest(c),
        "community_staff_2",
        lambda u, k: rounds.add_panellist(
            user=u, contest=k, person_id=c.u["subdistrict_admin"].pk, party=Party.COMMUNITY
        ),
    )


@scenario("linju.ratings.services_rounds.end_panellist")
def _(c):
    contest = _contest(c)
    seat = contest.panellists.get(user=c.u["owner_2"])
    return _contest_case(
        c,
        contest,
        "community_staff_2",
        lambda u, k: rounds.end_panellist(user=u, panellist=seat),
    )


@scenario("linju.ratings.services_rounds.open_round")
def _(c):
    staff, contest = c.u["community_staff_2"], _contest(c)
    return Case(
        act=lambda: rounds.open_round(
            user=staff, contest=contest, period=timezone.localdate().strftime("%Y-%m")
        ),
        actor=staff,
        obj=lambda round_: round_,
        within=c.p["E2"],
    )


@scenario("linju.ratings.services_rounds.start_scoring")
def _(c):
    return _round_case(
        c, _round(c), "community_staff_2", lambda u, r: rounds.start_scoring(user=u, round_=r)
    )


@scenario("linju.ratings.services_rounds.save_sheet")
def _(c):
    round_ = _round(c, "scoring")
    return _round_case(
        c,
        round_,
        "owner_2",
        lambda u, r: rounds.save_sheet(
            user=u, round_=r, target_id=r.targets.get().pk, marks=marks_for(r.rubric)
        ),
    )


@scenario("linju.ratings.services_rounds.close_scoring")
def _(c):
    return _round_case(
        c,
        _round(c, "scoring"),
        "community_staff_2",
        lambda u, r: rounds.close_scoring(user=u, round_=r),
    )


@scenario("linju.ratings.services_rounds.correct_entry")
def _(c):
    round_ = _round(c, "review")
    entry = Entry.objects.filter(sheet__round=round_, item__kind="score").first()
    return _round_case(
        c,
        round_,
        "community_staff_2",
        lambda u, r: rounds.correct_entry(
            user=u, entry=entry.pk, reason="婴儿车不算堆物", points=entry.item.max_points - 1
        ),
    )


@scenario("linju.ratings.services_rounds.publish_round")
def _(c):
    return _round_case(
        c,
        _round(c, "review"),
        "community_staff_2",
        lambda u, r: rounds.publish_round(user=u, round_=r),
    )


@scenario("linju.ratings.services_rounds.reopen_review")
def _(c):
    return _round_case(
        c,
        _round(c, "published"),
        "community_staff_2",
        lambda u, r: rounds.reopen_review(user=u, round_=r, reason="异议成立"),
    )


@scenario("linju.ratings.services_rounds.lock_round")
def _(c):
    return _round_case(
        c,
        _round(c, "published"),
        "community_staff_2",
        lambda u, r: rounds.lock_round(user=u, round_=r),
    )


@scenario("linju.ratings.services_rounds.lock_due_rounds")
def _(c):
    round_ = _round(c, "published")
    later = timezone.now() + timedelta(days=rounds.objection_days() + 1)
    return Case(
        act=lambda: rounds.lock_due_rounds(now=later), actor=None, obj=round_, within=c.p["E2"]
    )


@scenario("linju.ratings.services_awards.set_head_duty")
def _(c):
    return _contest_case(
        c,
        _contest(c),
        "community_staff_2",
        lambda u, k: awards.set_head_duty(
            user=u,
            contest=k,
            year=timezone.localdate().year,
            person_id=c.u["unit_head_2"].pk,
            fulfilled=True,
        ),
    )


@scenario("linju.ratings.services_awards.confirm_awards")
def _(c):
    return _contest_case(
        c,
        _contest(c),
        "community_staff_2",
        lambda u, k: awards.confirm_awards(user=u, contest=k, year=timezone.localdate().year - 1),
    )
