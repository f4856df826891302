"""Co-creation's part of the audit coverage table (linju/core/tests/test_audit_coverage.py):
every public function of linju/projects/services*.py and privacy.py, classified; the scenarios
of the audited ones are registered by the modules imported below."""

from linju.core.tests.audit_kinds import CALLER, CLEAN, ERASE, READ, audited, exempt  # noqa: F401

from . import audit_funds, audit_lists, audit_work

P = "linju.projects."

TABLE = {
    P + "privacy.export": exempt(READ),
    P + "privacy.erase": exempt(ERASE, "linju.people.services.delete_account"),
    **audit_lists.TABLE,
    **audit_work.TABLE,
    **audit_funds.TABLE,
}
