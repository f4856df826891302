"""manage.py purge_logs: remove login history, SMS codes, sessions and (when a retention is set)
audit events older than the retention settings allow; run it daily (docs/operations.md)."""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from linju.core import retention


class Command(BaseCommand):
    help = (
        "Remove security records older than the retention settings "
        "(LINJU_LOGIN_HISTORY_DAYS, LINJU_AUDIT_RETENTION_DAYS)."
    )

    def handle(self, *args, verbosity=1, **options):
        with tqdm(desc="purge", unit="rows", disable=verbosity < 1) as bar:
            removed = retention.purge(progress=bar.update)
        if verbosity:
            for kind, count in removed.items():
                self.stdout.write(f"{kind}: {count}")
