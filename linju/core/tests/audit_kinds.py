"""The kinds of the audit coverage table (test_audit_coverage.py), importable by the apps' own
tables (an app with many services keeps its part beside its tests: APP_TABLES)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Audited:
    verbs: tuple[str, ...]


@dataclass(frozen=True)
class Exempt:
    reason: str
    callers: tuple[str, ...] = ()  # the audited services whose transaction it runs in


def audited(*verbs):
    return Audited(verbs)


def exempt(reason, *callers):
    return Exempt(reason, callers)


READ = "a read: it changes nothing"
CLEAN = "cleans or checks input; writes nothing"
CALLER = "runs inside its caller's transaction; the caller's event records it"
ERASE = "part of account deletion; delete_account records it (account.delete)"
