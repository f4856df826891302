"""Co-creation (lists): audit table entries and scenarios (see audit_table.py). Supporting a
need is audited, not exempt as a personal preference: how many residents need it is what the
lists are weighed by, so each count and each withdrawal is kept."""

from linju.core.tests.audit_kinds import CALLER, CLEAN, ERASE, READ, audited, exempt  # noqa: F401
from linju.core.tests.audit_scenarios import Case, scenario
from linju.projects import services_lists as lists

P = "linju.projects."
S = P + "services_lists."

TABLE = {
    S + "create_need": audited("projects.need_create"),
    S + "update_need": audited("projects.need_update"),
    S + "close_need": audited("projects.need_close"),
    S + "reopen_need": audited("projects.need_reopen"),
    S + "support_need": audited("projects.need_support"),
    S + "withdraw_support": audited("projects.need_unsupport"),
    S + "create_partner": audited("projects.partner_create"),
    S + "update_partner": audited("projects.partner_update"),
    S + "set_partner_active": audited("projects.partner_deactivate", "projects.partner_activate"),
    S + "add_agreement": audited("projects.agreement_add"),
    S + "add_delivery": audited("projects.delivery_add"),
    S + "create_resource": audited("projects.resource_create"),
    S + "update_resource": audited("projects.resource_update"),
    S + "withdraw_resource": audited("projects.resource_withdraw"),
}


def _need(c):
    return lists.create_need(
        user=c.u["grid_worker"], place_id=c.p["B1"].pk, title="楼道灯", source="visit"
    )


def _partner(c):
    return lists.create_partner(
        user=c.u["community_staff"],
        place_id=c.p["C1"].pk,
        name="幸福物业",
        kind="enterprise",
        members=[c.u["partner"].pk],
    )


def _resource(c):
    return lists.create_resource(
        user=c.u["partner"], partner_id=_partner(c).pk, title="会议室", kind="venue"
    )


@scenario(S + "create_need")
def _(c):
    worker = c.u["grid_worker"]
    return Case(act=lambda: _need(c), actor=worker, obj=lambda n: n, within=c.p["B1"])


@scenario(S + "update_need")
def _(c):
    need, staff = _need(c), c.u["community_staff"]
    return Case(
        act=lambda: lists.update_need(user=staff, need=need, households=3),
        actor=staff,
        obj=need,
        within=c.p["B1"],
    )


@scenario(S + "close_need")
def _(c):
    need, staff = _need(c), c.u["community_staff"]
    return Case(
        act=lambda: lists.close_need(user=staff, need=need, reason="已修好"),
        actor=staff,
        obj=need,
        within=c.p["B1"],
    )


@scenario(S + "reopen_need")
def _(c):
    need, staff = _need(c), c.u["community_staff"]
    lists.close_need(user=staff, need=need, reason="已修好")
    return Case(
        act=lambda: lists.reopen_need(user=staff, need=need),
        actor=staff,
        obj=need,
        within=c.p["B1"],
    )


@scenario(S + "support_need")
def _(c):
    need, owner = _need(c), c.u["owner"]
    return Case(
        act=lambda: lists.support_need(user=owner, need=need),
        actor=owner,
        obj=need,
        within=c.p["B1"],
    )


@scenario(S + "withdraw_support")
def _(c):
    need, owner = _need(c), c.u["owner"]
    lists.support_need(user=owner, need=need)
    return Case(
        act=lambda: lists.withdraw_support(user=owner, need=need),
        actor=owner,
        obj=need,
        within=c.p["B1"],
    )


@scenario(S + "create_partner")
def _(c):
    return Case(
        act=lambda: _partner(c), actor=c.u["community_staff"], obj=lambda p: p, within=c.p["C1"]
    )


@scenario(S + "update_partner")
def _(c):
    partner, staff = _partner(c), c.u["community_staff"]
    return Case(
        act=lambda: lists.update_partner(user=staff, partner=partner, contact_name="王"),
        actor=staff,
        obj=partner,
        within=c.p["C1"],
    )


@scenario(S + "set_partner_active")
def _(c):
    partner, staff = _partner(c), c.u["community_staff"]
    return Case(
        act=lambda: lists.set_partner_active(user=staff, partner=partner, active=False),
        actor=staff,
        obj=partner,
        within=c.p["C1"],
    )


@scenario(S + "add_agreement")
def _(c):
    partner, staff = _partner(c), c.u["community_staff"]
    return Case(
        act=lambda: lists.add_agreement(
            user=staff,
            partner=partner,
            title="共建协议",
            commitments="场地",
            starts_on="2025-01-01",
            ends_on="2025-12-31",
            signed_on="2025-01-01",
        ),
        actor=staff,
        obj=lambda a: a,
        within=c.p["C1"],
    )


@scenario(S + "add_delivery")
def _(c):
    partner, staff = _partner(c), c.u["community_staff"]
    return Case(
        act=lambda: lists.add_delivery(
            user=staff, partner=partner, delivered_on="2025-03-01", what="场地", value_fen=100
        ),
        actor=staff,
        obj=lambda d: d,
        within=c.p["C1"],
    )


@scenario(S + "create_resource")
def _(c):
    owner = c.u["owner"]
    return Case(
        act=lambda: lists.create_resource(
            user=owner, place_id=c.p["U1"].pk, title="维修", kind="expertise"
        ),
        actor=owner,
        obj=lambda r: r,
        within=c.p["U1"],
    )


@scenario(S + "update_resource")
def _(c):
    resource, who = _resource(c), c.u["partner"]
    return Case(
        act=lambda: lists.update_resource(user=who, resource=resource, quantity=2),
        actor=who,
        obj=resource,
        within=c.p["C1"],
    )


@scenario(S + "withdraw_resource")
def _(c):
    resource, staff = _resource(c), c.u["community_staff"]
    return Case(
        act=lambda: lists.withdraw_resource(user=staff, resource=resource),
        actor=staff,
        obj=resource,
        within=c.p["C1"],
    )
