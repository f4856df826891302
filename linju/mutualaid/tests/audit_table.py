"""mutualaid's part of the audit coverage table (linju/core/tests/test_audit_coverage.py): every
public function of linju/mutualaid/services.py and privacy.py, classified, with the scenarios of
the audited ones. Claims, releases and thanks are audited: who helped whom is what the wish
wall's figures are read from, and a moderator's decision hides a resident's words."""

from linju.core.tests.audit_kinds import ERASE, READ, audited, exempt
from linju.core.tests.audit_scenarios import Case, scenario
from linju.mutualaid import services
from linju.mutualaid import services_sharing as sharing

P = "linju.mutualaid."
S = P + "services."
H = P + "services_sharing."

TABLE = {
    P + "privacy.export": exempt(READ),
    P + "privacy.erase": exempt(ERASE, "linju.people.services.delete_account"),
    S + "create_post": audited("mutualaid.post"),
    S + "claim_post": audited("mutualaid.claim"),
    S + "release_claim": audited("mutualaid.release"),
    S + "fulfil_post": audited("mutualaid.fulfil"),
    S + "withdraw_post": audited("mutualaid.withdraw"),
    S + "flag_post": audited("mutualaid.flag"),
    S + "moderate_post": audited("mutualaid.hide", "mutualaid.restore", "mutualaid.dismiss"),
    H + "create_item": audited("mutualaid.item_create"),
    H + "request_item": audited("mutualaid.item_request"),
    H + "cancel_request": audited("mutualaid.item_cancel"),
    H + "hand_over": audited("mutualaid.item_hand_over"),
    H + "return_item": audited("mutualaid.item_return"),
    H + "withdraw_item": audited("mutualaid.item_withdraw"),
    H + "flag_item": audited("mutualaid.item_flag"),
    H + "moderate_item": audited(
        "mutualaid.item_hide", "mutualaid.item_restore", "mutualaid.item_dismiss"
    ),
}


def _wish(c):
    return services.create_post(user=c.u["owner"], kind="need", title="帮忙取快递")


def _claimed(c):
    post = _wish(c)
    services.claim_post(user=c.u["tenant"], post_id=post.pk)
    return post


@scenario(S + "create_post")
def _(c):
    return Case(act=lambda: _wish(c), actor=c.u["owner"], obj=lambda p: p, within=c.p["U1"])


@scenario(S + "claim_post")
def _(c):
    post = _wish(c)
    return Case(
        act=lambda: services.claim_post(user=c.u["tenant"], post_id=post.pk),
        actor=c.u["tenant"],
        obj=post,
        within=c.p["U1"],
    )


@scenario(S + "release_claim")
def _(c):
    post = _claimed(c)
    return Case(
        act=lambda: services.release_claim(user=c.u["owner"], post_id=post.pk),
        actor=c.u["owner"],
        obj=post,
        within=c.p["U1"],
    )


@scenario(S + "fulfil_post")
def _(c):
    post = _claimed(c)
    return Case(
        act=lambda: services.fulfil_post(user=c.u["owner"], post_id=post.pk, thanks="谢谢"),
        actor=c.u["owner"],
        obj=post,
        within=c.p["U1"],
    )


@scenario(S + "withdraw_post")
def _(c):
    post = _wish(c)
    return Case(
        act=lambda: services.withdraw_post(user=c.u["owner"], post_id=post.pk),
        actor=c.u["owner"],
        obj=post,
        within=c.p["U1"],
    )


@scenario(S + "flag_post")
def _(c):
    post = _wish(c)
    return Case(
        act=lambda: services.flag_post(user=c.u["tenant"], post_id=post.pk, reason="广告"),
        actor=c.u["tenant"],
        obj=post,
        within=c.p["U1"],
    )


@scenario(S + "moderate_post")
def _(c):
    post = _wish(c)
    return Case(
        act=lambda: services.moderate_post(
            user=c.u["community_staff"], post_id=post.pk, action="hide"
        ),
        actor=c.u["community_staff"],
        obj=post,
        within=c.p["U1"],
    )


def _item(c):
    return sharing.create_item(user=c.u["owner"], kind="book", title="《围城》")


def _requested(c):
    item = _item(c)
    sharing.request_item(user=c.u["tenant"], item_id=item.pk)
    return item


def _item_case(c, item, fn, who="owner", **kw):
    user = c.u[who]
    return Case(
        act=lambda: fn(user=user, item_id=item.pk, **kw), actor=user, obj=item, within=c.p["U1"]
    )


@scenario(H + "create_item")
def _(c):
    return Case(act=lambda: _item(c), actor=c.u["owner"], obj=lambda i: i, within=c.p["U1"])


@scenario(H + "request_item")
def _(c):
    return _item_case(c, _item(c), sharing.request_item, "tenant")


@scenario(H + "cancel_request")
def _(c):
    return _item_case(c, _requested(c), sharing.cancel_request, "tenant")


@scenario(H + "hand_over")
def _(c):
    return _item_case(c, _requested(c), sharing.hand_over)


@scenario(H + "return_item")
def _(c):
    item = _requested(c)
    sharing.hand_over(user=c.u["owner"], item_id=item.pk)
    return _item_case(c, item, sharing.return_item, "tenant")


@scenario(H + "withdraw_item")
def _(c):
    return _item_case(c, _item(c), sharing.withdraw_item)


@scenario(H + "flag_item")
def _(c):
    return _item_case(c, _item(c), sharing.flag_item, "tenant", reason="广告")


@scenario(H + "moderate_item")
def _(c):
    return _item_case(c, _item(c), sharing.moderate_item, "community_staff", action="hide")
