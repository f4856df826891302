"""manage.py sweep_deliberation: the scheduled sweep of deliberation (run it every few minutes).

Flags open tasks past their due date to the supervising role (督导), closes the residents'
evaluations whose time is up (closing the topics whose stages are all done), and closes the
ballots whose voting time has ended (services_ballots.close_due), after opening the drafts
whose opening time has come (open_due). Each part runs in its own
transactions, so one failing part leaves the others' work done."""

import time

from django.core.management.base import BaseCommand
from django.utils import timezone
from tqdm import tqdm

from linju.deliberation import services_ballots, services_topics


class Command(BaseCommand):
    help = (
        "Flag overdue tasks to their supervisors, close evaluations whose time is up, open "
        "ballots whose planned opening has come and close those whose voting and paper-entry "
        "time has ended."
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
        # Drafts whose opening time has come open (their electorate frozen), then ballots
        # whose voting time has ended close with their result.
        with tqdm(desc="opening and closing ballots", unit=" ballots", disable=quiet) as bar:
            opened = services_ballots.open_due(now=now)
            bar.update(opened)
            closed = services_ballots.close_due(now=now)
            bar.update(closed)
        return closed
