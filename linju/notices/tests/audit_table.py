"""The notice board's part of the audit coverage table (linju/core/tests/test_audit_coverage.py):
every public function of linju/notices/services.py and privacy.py, classified, with the
scenarios of the audited ones. What goes up on a scope's board, is corrected, pinned or taken
down, and every objection and answer of a 公示 are audited: the "two disclosures" of the
four-and-two procedure are only as good as their record. A read receipt is not: it is the
reader's own trace, kept as a row (and erased with the account)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from linju.core.tests.audit_kinds import ERASE, READ, audited, exempt
from linju.core.tests.audit_scenarios import PDF, Case, scenario
from linju.notices import services

P = "linju.notices."
S = P + "services."

TABLE = {
    P + "privacy.export": exempt(READ),
    P + "privacy.erase": exempt(ERASE, "linju.people.services.delete_account"),
    S + "create_notice": audited("notices.create"),
    S + "update_notice": audited("notices.update"),
    S + "publish_notice": audited("notices.publish"),
    S + "set_pinned": audited("notices.pin"),
    S + "withdraw_notice": audited("notices.withdraw"),
    S + "add_attachment": audited("notices.attach"),
    S + "remove_attachment": audited("notices.detach"),
    S + "mark_read": exempt(
        "a read receipt: the reader's own trace (a unique row), not a change of governance weight"
    ),
    S + "raise_objection": audited("notices.object"),
    S + "answer_objection": audited("notices.answer"),
    S + "publish_result": audited("notices.result"),
}


def _notice(c, *, publish=True, **kw):
    from .conftest import notice

    return notice(c.city, publish=publish, **kw)


def _staff(c):
    return c.u["community_staff"]


@scenario(S + "create_notice")
def _(c):
    return Case(
        act=lambda: _notice(c, place="B1", publish=False),
        actor=_staff(c),
        obj=lambda n: n,
        within=c.p["B1"],
    )


@scenario(S + "update_notice")
def _(c):
    n = _notice(c)
    return Case(
        act=lambda: services.update_notice(
            user=_staff(c), notice_id=n.pk, kind="announcement", title="更正", body="时间改为周四"
        ),
        actor=_staff(c),
        obj=n,
        within=c.p["C1"],
    )


@scenario(S + "publish_notice")
def _(c):
    n = _notice(c, publish=False)
    return Case(
        act=lambda: services.publish_notice(user=_staff(c), notice_id=n.pk),
        actor=_staff(c),
        obj=n,
        within=c.p["C1"],
    )


@scenario(S + "set_pinned")
def _(c):
    n = _notice(c)
    return Case(
        act=lambda: services.set_pinned(user=_staff(c), notice_id=n.pk, pinned=True),
        actor=_staff(c),
        obj=n,
        within=c.p["C1"],
    )


@scenario(S + "withdraw_notice")
def _(c):
    n = _notice(c)
    return Case(
        act=lambda: services.withdraw_notice(user=_staff(c), notice_id=n.pk, reason="发错了"),
        actor=_staff(c),
        obj=n,
        within=c.p["C1"],
    )


@scenario(S + "add_attachment")
def _(c):
    c.fixture("media")
    n = _notice(c)
    return Case(
        act=lambda: services.add_attachment(
            user=_staff(c), notice_id=n.pk, upload=SimpleUploadedFile("a.pdf", PDF)
        ),
        actor=_staff(c),
        obj=n,
        within=c.p["C1"],
    )


@scenario(S + "remove_attachment")
def _(c):
    c.fixture("media")
    n = _notice(c)
    a = services.add_attachment(
        user=_staff(c), notice_id=n.pk, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    return Case(
        act=lambda: services.remove_attachment(user=_staff(c), attachment_id=a.pk),
        actor=_staff(c),
        obj=n,
        within=c.p["C1"],
    )


@scenario(S + "raise_objection")
def _(c):
    n = _notice(c, kind="disclosure")
    return Case(
        act=lambda: services.raise_objection(user=c.u["owner"], notice_id=n.pk, text="预算偏高"),
        actor=c.u["owner"],
        obj=n,
        within=c.p["C1"],
    )


@scenario(S + "answer_objection")
def _(c):
    n = _notice(c, kind="disclosure")
    o = services.raise_objection(user=c.u["owner"], notice_id=n.pk, text="预算偏高")
    return Case(
        act=lambda: services.answer_objection(user=_staff(c), objection_id=o.pk, answer="已核实"),
        actor=_staff(c),
        obj=n,
        within=c.p["C1"],
    )


@scenario(S + "publish_result")
def _(c):
    return Case(
        act=lambda: services.publish_result(
            user=_staff(c),
            place=c.p["E1"],
            title="表决结果",
            body="通过",
            source="test.ballot:1",
            source_app="deliberation",
        ),
        actor=_staff(c),
        obj=lambda n: n,
        within=c.p["E1"],
    )
