"""manage.py sweep_reports: the scheduled sweep of snap-and-report (run it every few minutes).

Escalates every report whose time limit to accept or to resolve has passed (吹哨 by the clock)
and closes resolutions the reporter left unconfirmed for 7 days."""

import time

from django.core.management.base import BaseCommand
from tqdm import tqdm

from linju.reports import services


class Command(BaseCommand):
    help = (
        "Escalate reports past their time limit and close resolutions unconfirmed for "
        f"{services.AUTO_CLOSE_DAYS} days."
    )

    def handle(self, *args, **options):
        quiet = options["verbosity"] == 0
        started = time.perf_counter()
        with tqdm(desc="escalating overdue", unit=" reports", disable=quiet) as bar:
            escalated = services.sweep_overdue(progress=bar.update)
        with tqdm(desc="closing unconfirmed", unit=" reports", disable=quiet) as bar:
            closed = services.close_unconfirmed(progress=bar.update)
        seconds = time.perf_counter() - started
        if not quiet:
            self.stdout.write(f"escalated {escalated}, closed {closed} in {seconds:.2f} s")
