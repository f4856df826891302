"""manage.py sweep_deliberation: the scheduled sweep of deliberation (run it every few minutes).

Flags open tasks past their due date to the supervising role (督导), closes the residents'
evaluations whose time is up (closing the topics whose stages are all done), and closes the
ballots whose voting time has ended (services_ballots.close_due). Each part runs in its own
transactions, so one failing part leaves the others' work done."""

import time

from django.core.management.base import BaseCommand
from django.utils import timezone
from tqdm import tqdm

from linju.deliberation import services_topics


class Command(BaseCommand):
    help = (
        "Flag overdue tasks to their supervisors, close evaluations whose time is up and close "
        "ballots whose voting time has ended."
    )

    def handle(self, *args, **options):
        quiet = options["verbosity"] == 0
        started = time.perf_counter()
        now = timezone.now()
        with tqdm(desc="flagging overdue tasks", unit=" tasks", disable=quiet) as bar:
            flagged = services_topics.flag_overdue_tasks(now=now, progress=bar.update)
        with tqdm(desc="closing evaluations", unit=" topics", disable=quiet) as bar:
            closed = services_topics.close_due_evaluations(now=now, progress=bar.update)
        ballots = self._close_ballots(now, quiet)
        seconds = time.perf_counter() - started
        if not quiet:
            self.stdout.write(
                f"flagged {flagged} tasks, closed {closed} evaluations, "
                f"closed {ballots} ballots in {seconds:.2f} s"
            )

    def _close_ballots(self, now, quiet) -> int:
        # Imported here: the ballots' services are their own module, written beside this one.
        from linju.deliberation import services_ballots

        close_due = getattr(services_ballots, "close_due", None)
        if close_due is None:
            return 0
        with tqdm(desc="closing ballots", unit=" ballots", disable=quiet) as bar:
            result = close_due(now=now)
            count = result if isinstance(result, int) else len(result or [])
            bar.update(count)
        return count
