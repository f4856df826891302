"""manage.py sweep_points: the scheduled expiry sweep of points (积分有效期; run it daily, or at
least on the first day of each month).

In each community with an expiry policy, what a person earned there before the cutoff (the
first day of the month `months` back) and has not spent lapses, one expiry entry per person,
community and cutoff (services.expire_points). The entries' keys make a second run, or two runs
at once, change nothing."""

import time

from django.core.management.base import BaseCommand
from django.utils import timezone
from tqdm import tqdm

from linju.points import services


class Command(BaseCommand):
    help = (
        "Let points lapse that were earned before the expiry policy of their community allows "
        "and are not spent (once per person, community and month)."
    )

    def handle(self, *args, **options):
        quiet = options["verbosity"] == 0
        started = time.perf_counter()
        with tqdm(desc="expiring points", unit=" people", file=self.stderr, disable=quiet) as bar:
            expired = services.expire_points(now=timezone.now(), progress=bar.update)
        seconds = time.perf_counter() - started
        if not quiet:
            self.stdout.write(f"wrote {expired} expiry entries in {seconds:.2f} s")
