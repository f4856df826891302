"""manage.py sweep_activities: the scheduled reminders of activities and volunteer teams (run it
every fifteen minutes, or at least hourly).

- 月月有活动 (seed 000): everyone with a place at an activity starting within the next 24 hours
  is reminded of its time and venue, once per activity (`Activity.reminded_at`); those on the
  wait list are told if a place frees, not here.
- 志愿服务队伍 (seed 002): team service a member submitted more than three days ago and still
  waiting is brought to the team's leaders, once per record (`ServiceRecord.reminded_at`); a
  leader is not reminded of their own service, and where no other leader could confirm it the
  community staff (who may confirm any team's service) are reminded instead (the subdistrict's
  administrators only where the community has no staff).

Batches of SWEEP_BATCH rows, one transaction each: the marks and the inbox rows are written
together (`notify_many`, one insert a batch), so a record is reminded once even when two runs
overlap (rows another run holds are skipped on PostgreSQL; SQLite has one writer at a time)."""

import time
from collections import defaultdict
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from linju.activities.models import (
    Activity,
    ActivityStatus,
    MemberRole,
    ServiceRecord,
    ServiceStatus,
    SignUp,
    SignUpStatus,
    TeamMember,
)
from linju.core import access
from linju.core.notifications import notify_many
from linju.people.models import RoleGrant
from linju.places.paths import prefixes_of

SWEEP_BATCH = 1000
REMIND_AHEAD = timedelta(hours=24)
SERVICE_WAITING = timedelta(days=3)


def remind_activities(*, now, progress=None) -> tuple[int, int]:
    """Remind those signed up for the open activities starting within REMIND_AHEAD, once.
    Returns (activities, people reminded)."""
    activities = people = 0
    while True:
        with transaction.atomic():
            batch = list(
                Activity.objects.select_for_update(skip_locked=True)
                .filter(
                    status=ActivityStatus.OPEN,
                    reminded_at__isnull=True,
                    starts_at__gt=now,
                    starts_at__lte=now + REMIND_AHEAD,
                )
                .order_by("starts_at", "pk")[:SWEEP_BATCH]
            )
            if not batch:
                return activities, people
            ids = [a.pk for a in batch]
            Activity.objects.filter(pk__in=ids).update(reminded_at=now)
            signed = defaultdict(list)
            for activity_id, user_id in SignUp.objects.filter(
                activity_id__in=ids, status=SignUpStatus.SIGNED, user__is_active=True
            ).values_list("activity_id", "user_id"):
                signed[activity_id].append(user_id)
            messages = [
                {
                    "recipients": signed[a.pk],
                    "title": _("Reminder: %(title)s at %(when)s")
                    % {"title": a.title, "when": f"{timezone.localtime(a.starts_at):%m-%d %H:%M}"},
                    "body": a.venue,
                    "url": f"/activities/{a.pk}/",
                }
                for a in batch
                if signed[a.pk]
            ]
            notify_many(messages=messages, kind="activities.activity")
        activities += len(batch)
        people += sum(len(m["recipients"]) for m in messages)
        if progress:
            progress(len(batch))


def _staff_of(paths) -> dict[str, set[int]]:
    """For each team path: the active holders of `activities.manage` nearest above it (the
    community's staff; the subdistrict's only where the community has none)."""
    wanted = {p for path in paths for p in prefixes_of(path)}
    grants = RoleGrant.objects.filter(
        role__in=access.PERMISSIONS["activities.manage"],
        revoked_at__isnull=True,
        scope_path__in=wanted,
        user__is_active=True,
    ).values_list("user_id", "scope_path")
    by_scope = defaultdict(set)
    for user_id, scope_path in grants:
        by_scope[scope_path].add(user_id)
    holders = {}
    for path in paths:
        nearest = max((s for s in by_scope if path.startswith(s)), key=len, default=None)
        holders[path] = by_scope[nearest] if nearest else set()
    return holders


def remind_leaders(*, now, progress=None) -> tuple[int, int]:
    """Bring service left waiting more than SERVICE_WAITING to those who confirm it, once per
    record: one message per team and person, with the number waiting for them. Returns
    (records, people reminded)."""
    records = people = 0
    while True:
        with transaction.atomic():
            batch = list(
                ServiceRecord.objects.select_for_update(of=("self",), skip_locked=True)
                .filter(
                    status=ServiceStatus.SUBMITTED,
                    reminded_at__isnull=True,
                    submitted_at__lte=now - SERVICE_WAITING,
                )
                .select_related("team")
                .order_by("submitted_at", "pk")[:SWEEP_BATCH]
            )
            if not batch:
                return records, people
            ServiceRecord.objects.filter(pk__in=[r.pk for r in batch]).update(reminded_at=now)
            teams = {r.team_id: r.team for r in batch}
            leaders = defaultdict(set)
            for team_id, user_id in TeamMember.objects.filter(
                team_id__in=teams, role=MemberRole.LEADER, user__is_active=True
            ).values_list("team_id", "user_id"):
                leaders[team_id].add(user_id)
            staff = None
            waiting = defaultdict(int)  # (team id, person to remind) → records
            for r in batch:
                deciders = leaders[r.team_id] - {r.user_id}
                if not deciders:
                    if staff is None:
                        staff = _staff_of({t.path for t in teams.values()})
                    deciders = staff[r.team.path] - {r.user_id}
                for person in deciders:
                    waiting[(r.team_id, person)] += 1
            messages = [
                {
                    "recipients": [person],
                    "title": ngettext(
                        "%(n)d service record of %(team)s waits for your confirmation",
                        "%(n)d service records of %(team)s wait for your confirmation",
                        n,
                    )
                    % {"n": n, "team": teams[team_id].name},
                    # Leaders confirm on the team's page, the staff at their desk.
                    "url": (
                        f"/activities/teams/{team_id}/"
                        if person in leaders[team_id]
                        else "/activities/desk/services/"
                    ),
                }
                for (team_id, person), n in sorted(waiting.items())
            ]
            notify_many(messages=messages, kind="activities.team")
        records += len(batch)
        people += len({person for _team, person in waiting})
        if progress:
            progress(len(batch))


class Command(BaseCommand):
    help = (
        "Remind those signed up for activities starting within 24 hours, and team leaders of "
        "service waiting more than 3 days for their confirmation (each once)."
    )

    def handle(self, *args, **options):
        quiet = options["verbosity"] == 0
        started = time.perf_counter()
        now = timezone.now()
        with tqdm(
            desc="reminding of activities", unit=" activities", file=self.stderr, disable=quiet
        ) as bar:
            activities, participants = remind_activities(now=now, progress=bar.update)
        with tqdm(
            desc="reminding team leaders", unit=" records", file=self.stderr, disable=quiet
        ) as bar:
            records, leaders = remind_leaders(now=now, progress=bar.update)
        seconds = time.perf_counter() - started
        if not quiet:
            self.stdout.write(
                f"reminded {participants} people of {activities} activities, "
                f"{leaders} leaders of {records} service records in {seconds:.2f} s"
            )
