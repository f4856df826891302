"""manage.py sweep_ratings: the scheduled sweep of ratings (run it every hour or so).

Reminds, once, the panellists of every round whose scoring was due before today and who still
have targets to score (services_rounds.remind_late_panellists), and locks the published rounds
whose objection days are over (lock_due_rounds, `LINJU_RATING_OBJECTION_DAYS`, 7 by default).
Each part runs in its own transactions, so one failing part leaves the other's work done."""

import time

from django.core.management.base import BaseCommand
from django.utils import timezone
from tqdm import tqdm

from linju.ratings import services_rounds


class Command(BaseCommand):
    help = (
        "Remind late panellists of rounds whose scoring is overdue (once a round) and lock "
        "published rounds whose objection days are over."
    )

    def handle(self, *args, **options):
        quiet = options["verbosity"] == 0
        started = time.perf_counter()
        now = timezone.now()
        with tqdm(desc="reminding late panellists", unit=" panellists", disable=quiet) as bar:
            reminded = services_rounds.remind_late_panellists(now=now)
            bar.update(reminded)
        with tqdm(desc="locking settled rounds", unit=" rounds", disable=quiet) as bar:
            locked = services_rounds.lock_due_rounds(now=now)
            bar.update(locked)
        seconds = time.perf_counter() - started
        if not quiet:
            self.stdout.write(
                f"reminded {reminded} panellists, locked {locked} rounds in {seconds:.2f} s"
            )
