"""Helpers of the newsletter tests: a paper of community C1 run by the C1 committee, whose
members (the party liaison, and members added here) edit it in turn; pieces dated inside a
quarter."""

import datetime

import time_machine

from linju.notices import queries_newsletter, services_newsletter
from linju.people.models import PartyMembership, PartyOrganisation, PartyOrgKind

from .conftest import notice

YEAR, QUARTER = 2026, 3


def committee(city):
    return PartyOrganisation.objects.get(name="C1 committee")


def add_member(city, key, *, joined, organisation=None):
    """`key` joins the C1 committee (or `organisation`) on `joined` (an ISO date or None)."""
    org = organisation or committee(city)
    PartyMembership.objects.create(
        organisation=org,
        user=city.users[key],
        joined_at=datetime.date.fromisoformat(joined) if joined else None,
    )
    return city.users[key]


def branch(city):
    """A grid party branch below the C1 committee (its members edit too)."""
    return PartyOrganisation.objects.create(
        kind=PartyOrgKind.BRANCH,
        name="G1 branch",
        place=city.places["E1"],
        parent=committee(city),
    )


def paper(city, *, place="C1", who="community_staff"):
    return services_newsletter.create_newsletter(
        user=city.users[who],
        place_id=city.places[place].pk,
        name="睦邻服务报",
        organisation_id=committee(city).pk,
    )


def in_quarter(days=10, year=YEAR, quarter=QUARTER):
    """A moment `days` into the quarter (negative: before its end)."""
    start, end = queries_newsletter.quarter_bounds(year, quarter)
    base = start if days >= 0 else end
    return base + datetime.timedelta(days=days, hours=10)


def notice_at(when, city, **kw):
    with time_machine.travel(when, tick=False):
        return notice(city, **kw)


def start(city, newsletter, *, year=YEAR, quarter=QUARTER, editor=None, who="community_staff"):
    return services_newsletter.start_issue(
        user=city.users[who],
        newsletter_id=newsletter.pk,
        year=year,
        quarter=quarter,
        editor_id=city.users[editor].pk if editor else None,
    )


def publish(city, issue, *, who=None):
    user = issue.editor if who is None else city.users[who]
    services_newsletter.write_foreword(user=user, issue_id=issue.pk, foreword="各位邻居好。")
    return services_newsletter.publish_issue(user=user, issue_id=issue.pk)
