"""The newsletter's part of the audit coverage table (linju/core/tests/test_audit_coverage.py):
every public function of linju/notices/services_newsletter.py, with the scenarios of the
audited ones."""

from linju.core.tests.audit_kinds import audited
from linju.core.tests.audit_scenarios import Case, scenario
from linju.notices import services_newsletter as services

N = "linju.notices.services_newsletter."

TABLE = {
    N + "create_newsletter": audited("newsletter.create"),
    N + "start_issue": audited("newsletter.issue_start"),
    N + "reassemble": audited("newsletter.reassemble"),
    N + "update_item": audited("newsletter.item_update"),
    N + "write_foreword": audited("newsletter.foreword"),
    N + "publish_issue": audited("newsletter.publish"),
}


def _issue(c, foreword=""):
    from linju.notices.models import IssueItem

    from .newsletter_helpers import paper, start

    issue = start(c.city, paper(c.city))
    IssueItem.objects.create(issue=issue, section="notices", title="停水通知")
    if foreword:
        services.write_foreword(user=issue.editor, issue_id=issue.pk, foreword=foreword)
    return issue


@scenario(N + "create_newsletter")
def _(c):
    from linju.people.models import PartyOrganisation

    staff = c.u["community_staff"]
    org = PartyOrganisation.objects.get(name="C1 committee")
    return Case(
        act=lambda: services.create_newsletter(
            user=staff, place_id=c.p["E1"].pk, name="睦邻服务报", organisation_id=org.pk
        ),
        actor=staff,
        obj=lambda n: n,
        within=c.p["E1"],
    )


@scenario(N + "start_issue")
def _(c):
    from .newsletter_helpers import paper

    staff, nl = c.u["community_staff"], paper(c.city)
    return Case(
        act=lambda: services.start_issue(user=staff, newsletter_id=nl.pk, year=2026, quarter=3),
        actor=staff,
        obj=lambda i: i,
        within=c.p["C1"],
    )


@scenario(N + "reassemble")
def _(c):
    issue = _issue(c)
    return Case(
        act=lambda: services.reassemble(user=issue.editor, issue_id=issue.pk),
        actor=issue.editor,
        obj=issue,
        within=c.p["C1"],
    )


@scenario(N + "update_item")
def _(c):
    issue = _issue(c)
    item = issue.items.get()
    return Case(
        act=lambda: services.update_item(
            user=issue.editor,
            item_id=item.pk,
            title="停水",
            summary="",
            included=True,
            position=1,
        ),
        actor=issue.editor,
        obj=item,
        within=c.p["C1"],
    )


@scenario(N + "write_foreword")
def _(c):
    issue = _issue(c)
    return Case(
        act=lambda: services.write_foreword(user=issue.editor, issue_id=issue.pk, foreword="你好"),
        actor=issue.editor,
        obj=issue,
        within=c.p["C1"],
    )


@scenario(N + "publish_issue")
def _(c):
    issue = _issue(c, foreword="各位邻居好")
    return Case(
        act=lambda: services.publish_issue(user=issue.editor, issue_id=issue.pk),
        actor=issue.editor,
        obj=issue,
        within=c.p["C1"],
    )
