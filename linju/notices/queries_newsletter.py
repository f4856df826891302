"""Reads of the newsletter (睦邻服务报, seed 003): the quarter's bounds, the editors' rota (the
party members of the newsletter's organisation and its sub-organisations, in turn), the
newsletters a person runs or reads, their issues, an issue's items by section, and the latest
published issues a person reads (shown from the notice board)."""

import datetime as dt

from django.db.models import Count, F, Q
from django.utils import timezone

from linju.core import access
from linju.core.cleaning import as_id
from linju.people.models import PartyMembership, PartyOrganisation
from linju.places.models import Place, PlaceKind
from linju.places.paths import prefixes_of

from . import rules
from .models import IssueItem, IssueStatus, Newsletter, NewsletterIssue, Section


def quarter_bounds(year: int, quarter: int) -> tuple[dt.datetime, dt.datetime]:
    """The quarter as local calendar time [first day 00:00, next quarter's first day 00:00)."""
    tz = timezone.get_current_timezone()
    first = dt.datetime(year, 3 * (quarter - 1) + 1, 1)
    after = dt.datetime(year + 1, 1, 1) if quarter == 4 else dt.datetime(year, 3 * quarter + 1, 1)
    return timezone.make_aware(first, tz), timezone.make_aware(after, tz)


def current_quarter(today=None) -> tuple[int, int]:
    today = today or timezone.localdate()
    return today.year, (today.month - 1) // 3 + 1


def organisation_tree(organisation) -> list[int]:
    """The organisation and every organisation below it (branch → building groups)."""
    ids, frontier = [organisation.pk], [organisation.pk]
    while frontier:
        frontier = list(
            PartyOrganisation.objects.filter(parent_id__in=frontier)
            .exclude(pk__in=ids)
            .values_list("pk", flat=True)
        )
        ids.extend(frontier)
    return ids


def rota(newsletter) -> list:
    """The editors in turn: every party member of the organisation (or below it), ordered by
    when they joined (unknown last), then by user id; a member of two groups counts once."""
    memberships = (
        PartyMembership.objects.filter(
            organisation_id__in=organisation_tree(newsletter.organisation),
            user__is_active=True,
        )
        .select_related("user")
        .order_by(F("joined_at").asc(nulls_last=True), "user_id", "pk")
    )
    seen, members = set(), []
    for m in memberships:
        if m.user_id not in seen:
            seen.add(m.user_id)
            members.append(m.user)
    return members


def is_member(newsletter, user_id) -> bool:
    return PartyMembership.objects.filter(
        organisation_id__in=organisation_tree(newsletter.organisation), user_id=user_id
    ).exists()


def next_editor(newsletter):
    """The member after the last issue's editor, wrapping round; the first when no issue had
    an editor, or when that editor has left the rota. None without members."""
    members = rota(newsletter)
    if not members:
        return None
    last = (
        newsletter.issues.filter(editor__isnull=False)
        .order_by("-number")
        .values_list("editor_id", flat=True)
        .first()
    )
    ids = [m.pk for m in members]
    if last not in ids:
        return members[0]
    return members[(ids.index(last) + 1) % len(members)]


# A paper belongs to a community or an estate (seed 003: 在小区里创办了睦邻服务报).
PLACE_KINDS = (PlaceKind.COMMUNITY, PlaceKind.ESTATE)


def founding_choices(user):
    """Places a person may found a paper for, and the party organisations at, above or inside
    their scope (at most 200 of each)."""
    scope = access.scope(user, "notices.newsletter")
    places = access.filter_queryset(
        user, "notices.newsletter", Place.objects.filter(kind__in=PLACE_KINDS)
    ).order_by("path")
    above = {p for prefix in scope.prefixes for p in prefixes_of(prefix)}
    organisations = PartyOrganisation.objects.filter(
        Q(place__path__in=above) | scope.q("place__path")
    ).order_by("place__path", "name")
    return list(places[:200]), list(organisations[:200])


def _reader_q(user) -> Q:
    return Q(path__in=rules.reader_prefixes(user)) | access.scope(user, "notices.view").q()


def managed(user):
    """The newsletters of the scopes the user runs newsletters in (community staff)."""
    qs = access.filter_queryset(
        user, "notices.newsletter", Newsletter.objects.select_related("place", "organisation")
    )
    return qs.annotate(issue_count=Count("issues")).order_by("path", "name", "pk")


def readable(user):
    """The newsletters reaching the user: run by them, or of a place holding their home or
    their staff scope."""
    q = _reader_q(user) | access.scope(user, "notices.newsletter").q()
    return Newsletter.objects.select_related("place", "organisation").filter(q)


def newsletter_for(user, newsletter_id):
    """The newsletter if the user may see it, else None (callers answer 404)."""
    found = readable(user).filter(pk=as_id(newsletter_id)).first()
    if found is None or not rules.can_read_newsletter(user, found):
        return None
    return found


def issues(user, newsletter):
    """Its issues, newest first: every one for those who run it, the published ones and the
    drafts they edit for anyone else."""
    qs = newsletter.issues.select_related("editor")
    if not rules.can_run_newsletter(user, newsletter):
        qs = qs.filter(Q(status=IssueStatus.PUBLISHED) | Q(editor_id=getattr(user, "pk", None)))
    return qs.order_by("-year", "-quarter", "-pk")


def issue_for(user, issue_id):
    """The issue if the user may read it (its audience once published; its editor and the
    newsletter's runners before), else None."""
    issue = (
        NewsletterIssue.objects.select_related(
            "newsletter", "newsletter__place", "newsletter__organisation", "editor"
        )
        .filter(pk=as_id(issue_id))
        .first()
    )
    if issue is None or not rules.can_read_issue(user, issue):
        return None
    return issue


def item_for(user, item_id):
    """An item of an issue the user may read, else None."""
    item = IssueItem.objects.select_related("issue").filter(pk=as_id(item_id)).first()
    if item is None or issue_for(user, item.issue_id) is None:
        return None
    return item


def my_drafts(user):
    """Drafts the user edits (their turn in the rota)."""
    if not getattr(user, "is_authenticated", False):
        return NewsletterIssue.objects.none()
    return (
        NewsletterIssue.objects.filter(editor=user, status=IssueStatus.DRAFT)
        .select_related("newsletter")
        .order_by("-year", "-quarter", "-pk")
    )


def sections(issue, *, included_only: bool) -> list[dict]:
    """The issue's items grouped by section, sections in the paper's order, empty ones out."""
    items = issue.items.order_by("position", "pk")
    if included_only:
        items = items.filter(included=True)
    by_section: dict[str, list] = {}
    for item in items:
        by_section.setdefault(item.section, []).append(item)
    return [
        {"section": value, "label": label, "items": by_section[value]}
        for value, label in Section.choices
        if by_section.get(value)
    ]


def latest_published(user, limit: int = 3):
    """The newest published issues of the newsletters reaching the user (the notice board's
    link to the paper)."""
    if not getattr(user, "is_authenticated", False):
        return []
    newsletters = Newsletter.objects.filter(_reader_q(user))
    return list(
        NewsletterIssue.objects.filter(newsletter__in=newsletters, status=IssueStatus.PUBLISHED)
        .select_related("newsletter")
        .order_by("-published_at", "-pk")[:limit]
    )
