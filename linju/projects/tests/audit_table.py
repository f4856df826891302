"""Co-creation's part of the audit coverage table (linju/core/tests/test_audit_coverage.py):
every public function of linju/projects/services*.py and privacy.py, classified; the scenarios
of the audited ones are registered by the modules imported below."""

from linju.core.tests.audit_kinds import CALLER, CLEAN, ERASE, READ, audited, exempt  # noqa: F401
from linju.core.tests.audit_scenarios import Case, scenario

from . import audit_funds, audit_lists, audit_work

P = "linju.projects."

TABLE = {
    P + "privacy.export": exempt(READ),
    P + "privacy.erase": exempt(ERASE, "linju.people.services.delete_account"),
    **audit_lists.TABLE,
    **audit_work.TABLE,
    **audit_funds.TABLE,
    # The public account on the notice board (services_publish).
    P + "services_publish.publish_account": audited("projects.account_publish"),
    P + "services_publish.may_publish_account": exempt(READ),
}


@scenario(P + "services_publish.publish_account")
def _(c):
    from linju.projects import services_publish

    from .fixtures_funds import open_fund

    campaign = open_fund(c.city)
    staff = c.u["community_staff"]
    return Case(
        act=lambda: services_publish.publish_account(user=staff, campaign_id=campaign.pk),
        actor=staff,
        obj=campaign,
        within=c.p["C1"],
    )
