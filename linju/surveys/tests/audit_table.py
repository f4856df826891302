"""surveys's part of the audit coverage table (linju/core/tests/test_audit_coverage.py)."""

TABLE = {}
