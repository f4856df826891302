"""`manage.py load_demo`: the fictional demo subdistrict (issue 2 §7), once."""

import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from linju.activities import demo as activities_demo
from linju.deliberation import demo as deliberation_demo
from linju.mutualaid import demo as mutualaid_demo
from linju.notices import demo as notices_demo
from linju.people import demo
from linju.points import demo as points_demo
from linju.projects import demo as projects_demo
from linju.ratings import demo as ratings_demo
from linju.reports import demo as reports_demo
from linju.services import demo as services_demo
from linju.surveys import demo as surveys_demo


class Command(BaseCommand):
    help = (
        "Load the fictional demo subdistrict (2 communities, 4 estates, ~3,000 households) and "
        "print one demo login per role. Deterministic; a second run changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED)
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="multiply the number of buildings (1.0 ≈ 60 buildings, 3,000 households)",
        )

    def handle(self, *args, seed, scale, verbosity, **options):
        if scale <= 0:
            raise CommandError("--scale must be positive")
        started = time.monotonic()
        # No progress bar for a run that will write nothing.
        quiet = verbosity < 1 or demo.is_loaded()
        steps = ["places", "households", "grids", "users", "residencies", "roles and party"]
        with tqdm(
            total=len(steps), desc="demo", unit="step", file=self.stderr, disable=quiet
        ) as bar:

            def progress(step, detail):
                bar.set_postfix_str(f"{step}: {detail}")
                bar.update(1)

            try:
                counts = demo.load_demo(seed=seed, scale=scale, progress=progress)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        # Snap-and-report's demo reports, once, in the community above (also for a database
        # whose community was loaded before the reports existed).
        reports = reports_demo.load_demo()
        # Deliberation's demo topics, meetings and ballots, once, likewise.
        deliberation = deliberation_demo.load_demo()
        # Ratings' demo contest, rounds and star rating, once, likewise.
        ratings = ratings_demo.load_demo()
        # Points' earning rules, love supermarket, volunteer service and redemptions, likewise.
        points = points_demo.load_demo()
        # Teams, activities, interest groups and talents, likewise (after the points demo: its
        # ledgers first).
        activities = activities_demo.load_demo()
        # Co-creation's lists, partners, projects, funds and elevator retrofits, likewise (after
        # deliberation: its topics and the published elevator ballot).
        projects = projects_demo.load_demo()
        # Surveys (after co-creation: their top demands join its needs list), assisted
        # services and the mobile desk, mutual aid, likewise.
        surveys = surveys_demo.load_demo()
        assisted = services_demo.load_demo()
        mutualaid = mutualaid_demo.load_demo()
        # The notice board and the newsletter last: its issues gather the quarter's pieces of
        # the modules above.
        notices = notices_demo.load_demo()
        added = {
            **(reports or {}),
            **(deliberation or {}),
            **(ratings or {}),
            **(points or {}),
            **(activities or {}),
            **(projects or {}),
            **(surveys or {}),
            **(assisted or {}),
            **(mutualaid or {}),
            **(notices or {}),
        }
        if counts is None and not added:
            self.stdout.write("The demo community is already loaded; nothing changed.")
        elif counts is None:
            summary = ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in added.items())
            self.stdout.write(
                self.style.SUCCESS(f"The demo community was already loaded; added {summary}.")
            )
        else:
            counts = {**counts, **added}
            summary = ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in counts.items())
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded the demo community in {time.monotonic() - started:.1f} s: {summary}."
                )
            )
        if verbosity >= 1:
            self.stdout.write("")
            self.stdout.write("Demo logins (one per role):")
            self.stdout.write(demo.format_logins(demo.demo_logins()))
