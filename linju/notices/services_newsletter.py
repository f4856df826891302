"""Every write of the newsletter (睦邻服务报, seed 003: 网格党支部在小区里创办了睦邻服务报, 每个季度
推出一期, 由支部的党员轮流执笔): community staff found a place's paper, run by a party
organisation; each quarter an issue is started, its editor chosen in turn from the
organisation's members (queries_newsletter.next_editor) and its pieces copied from every
registered source (sources.py); the editor rewords, reorders or leaves pieces out, writes the
foreword and publishes it to the residents. A published issue is final. Each function is one
transaction, checks its permission inside, records its audit event and notifies after
commit."""

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.core import audit
from linju.core.cleaning import as_id, clean_text, violated
from linju.core.errors import Conflict, Invalid, NotFound
from linju.core.notifications import notify, notify_many
from linju.people.models import PartyOrganisation, Residency, ResidencyStatus
from linju.places.models import Place

from . import queries_newsletter as queries
from . import rules, sources
from .models import IssueItem, IssueStatus, Newsletter, NewsletterIssue, Section

KIND = "notices.newsletter"
# A paper belongs to a neighbourhood: a community or one of its estates.
PLACE_KINDS = queries.PLACE_KINDS
MAX_POSITION = 10_000


def _edit_url(issue) -> str:
    return reverse("notices:issue_edit", args=[issue.pk])


def _issue_url(issue) -> str:
    return reverse("notices:issue", args=[issue.pk])


def create_newsletter(*, user, place_id, name, organisation_id) -> Newsletter:
    """A place's paper, run by the party organisation whose members edit it in turn; the
    organisation sits at or above the place, or inside it."""
    with transaction.atomic():
        place = Place.objects.filter(pk=as_id(place_id)).first()
        if place is None or place.kind not in PLACE_KINDS:
            raise Invalid({"place": _("Choose the community or estate the paper is for.")})
        rules.require(rules.can_run_newsletter(user, place))
        organisation = (
            PartyOrganisation.objects.select_related("place")
            .filter(pk=as_id(organisation_id))
            .first()
        )
        if organisation is None or not (
            place.path.startswith(organisation.place.path)
            or organisation.place.path.startswith(place.path)
        ):
            raise Invalid(
                {"organisation": _("Choose a party organisation of this place, above or in it.")}
            )
        newsletter = Newsletter.objects.create(
            place=place,
            path=place.path,
            organisation=organisation,
            name=clean_text(
                name, field="name", max_length=60, required=_("Give the paper a name.")
            ),
        )
        audit.record(
            actor=user,
            verb="newsletter.create",
            obj=newsletter,
            data={"organisation": organisation.pk},
        )
        return newsletter


def _period(year, quarter) -> tuple[int, int]:
    try:
        year, quarter = int(year), int(quarter)
    except (TypeError, ValueError):
        raise Invalid({"year": _("Give the year and the quarter.")}) from None
    if not 2000 <= year <= 2100:
        raise Invalid({"year": _("Give a year between 2000 and 2100.")})
    if not 1 <= quarter <= 4:
        raise Invalid({"quarter": _("The quarter is 1, 2, 3 or 4.")})
    return year, quarter


def _assemble(issue) -> tuple[int, set]:
    """Copy the quarter's new pieces of every section into the issue, after the pieces already
    there; a piece is copied once (its source key). Returns how many were added and the keys
    the sources offer now."""
    start, end = queries.quarter_bounds(issue.year, issue.quarter)
    path = issue.newsletter.path
    known = set(issue.items.values_list("source", flat=True))
    ends = dict(
        issue.items.values_list("section")
        .annotate(last=Max("position"))
        .values_list("section", "last")
    )
    rows, offered = [], set()
    for section in Section.values:
        position = ends.get(section, -1)
        for piece in sources.pieces(section, path, start, end):
            key = str(piece.get("source", ""))[:64]
            offered.add(key)
            if key and key in known:
                continue
            known.add(key)
            position += 1
            rows.append(
                IssueItem(
                    issue=issue,
                    section=section,
                    position=position,
                    title=sources.shorten(piece.get("title", ""), 160) or "—",
                    summary=sources.shorten(piece.get("summary", ""), 2000),
                    link=str(piece.get("link", ""))[:200],
                    source=key,
                )
            )
    IssueItem.objects.bulk_create(rows)
    return len(rows), offered


def start_issue(*, user, newsletter_id, year, quarter, editor_id=None) -> NewsletterIssue:
    """The quarter's issue, numbered after the last one, its editor given (a member of the
    organisation or of one below it) or the next in the rota; assembled from every source; the
    editor is told."""
    with transaction.atomic():
        newsletter = (
            Newsletter.objects.select_for_update()
            .select_related("organisation")
            .filter(pk=as_id(newsletter_id))
            .first()
        )
        if newsletter is None or not rules.can_read_newsletter(user, newsletter):
            raise NotFound(_("Not found."))
        rules.require(rules.can_run_newsletter(user, newsletter))
        year, quarter = _period(year, quarter)
        if editor_id in (None, ""):
            editor = queries.next_editor(newsletter)
            if editor is None:
                raise Invalid(
                    {"editor": _("The party organisation has no members to edit the issue.")}
                )
        else:
            editor = next((m for m in queries.rota(newsletter) if m.pk == as_id(editor_id)), None)
            if editor is None:
                raise Invalid(
                    {"editor": _("The editor is a party member of the paper's organisation.")}
                )
        if newsletter.issues.filter(year=year, quarter=quarter).exists():
            raise Conflict(_("This quarter's issue exists already."), code="issue_exists")
        last = newsletter.issues.aggregate(n=Max("number"))["n"] or 0
        try:
            with transaction.atomic():
                issue = NewsletterIssue.objects.create(
                    newsletter=newsletter,
                    year=year,
                    quarter=quarter,
                    number=last + 1,
                    editor=editor,
                )
        except IntegrityError as exc:
            if violated(
                exc,
                "newsletter_issue_per_quarter",
                still_there=lambda: newsletter.issues.filter(year=year, quarter=quarter).exists(),
            ):
                raise Conflict(
                    _("This quarter's issue exists already."), code="issue_exists"
                ) from None
            raise
        added, _offered = _assemble(issue)
        audit.record(
            actor=user,
            verb="newsletter.issue_start",
            obj=issue,
            data={"number": issue.number, "editor": editor.pk, "items": added},
        )
        if editor.pk != user.pk:
            title = _("Your turn to edit %(paper)s, %(year)s Q%(quarter)s") % {
                "paper": newsletter.name,
                "year": year,
                "quarter": quarter,
            }
            who, url = editor.pk, _edit_url(issue)
            transaction.on_commit(lambda: notify(recipients=[who], kind=KIND, title=title, url=url))
        return issue


def _locked_issue(user, issue_id) -> NewsletterIssue:
    issue = (
        NewsletterIssue.objects.select_for_update()
        .select_related("newsletter")
        .filter(pk=as_id(issue_id))
        .first()
    )
    if issue is None or not rules.can_read_issue(user, issue):
        raise NotFound(_("Not found."))
    rules.require(rules.can_edit_issue(user, issue))
    if issue.status == IssueStatus.PUBLISHED:
        raise Conflict(_("A published issue cannot be changed."), code="published")
    return issue


def reassemble(*, user, issue_id) -> NewsletterIssue:
    """Add the pieces published since the issue was started; the editor's edits stay. A piece
    its source no longer offers (a notice withdrawn, say because a consent was withdrawn) is
    left out of the issue."""
    with transaction.atomic():
        issue = _locked_issue(user, issue_id)
        added, offered = _assemble(issue)
        gone = (
            issue.items.exclude(source="")
            .exclude(source__in=offered)
            .filter(included=True)
            .update(included=False)
        )
        audit.record(
            actor=user,
            verb="newsletter.reassemble",
            obj=issue,
            data={"items": added, "left_out": gone},
        )
        issue.added = added
        return issue


def update_item(*, user, item_id, title, summary, included, position) -> IssueItem:
    """The editor rewords a piece, moves it within its section or leaves it out."""
    with transaction.atomic():
        item = IssueItem.objects.filter(pk=as_id(item_id)).first()
        if item is None:
            raise NotFound(_("Not found."))
        issue = _locked_issue(user, item.issue_id)
        item = IssueItem.objects.select_for_update().get(pk=item.pk, issue=issue)
        try:
            position = int(position)
        except (TypeError, ValueError):
            raise Invalid({"position": _("Give a whole number.")}) from None
        if not 0 <= position <= MAX_POSITION:
            raise Invalid({"position": _("Between 0 and %(n)s.") % {"n": f"{MAX_POSITION:,}"}})
        before = {"title": item.title, "included": item.included, "position": item.position}
        item.title = clean_text(
            title, field="title", max_length=160, required=_("Give the piece a title.")
        )
        item.summary = clean_text(summary, field="summary", max_length=2000)
        item.included = bool(included)
        item.position = position
        item.save(update_fields=["title", "summary", "included", "position"])
        audit.record(actor=user, verb="newsletter.item_update", obj=item, data={"before": before})
        return item


def write_foreword(*, user, issue_id, foreword) -> NewsletterIssue:
    """The editor's foreword (卷首语), signed with their name when published."""
    with transaction.atomic():
        issue = _locked_issue(user, issue_id)
        issue.foreword = clean_text(foreword, field="foreword", max_length=5000)
        issue.save(update_fields=["foreword"])
        audit.record(
            actor=user,
            verb="newsletter.foreword",
            obj=issue,
            data={"length": len(issue.foreword)},
        )
        return issue


def publish_issue(*, user, issue_id) -> NewsletterIssue:
    """Put the issue on the web for the verified residents of the paper's place, who are told;
    from now on it is read-only."""
    with transaction.atomic():
        issue = _locked_issue(user, issue_id)
        if not issue.foreword.strip():
            raise Invalid({"foreword": _("Write the foreword before publishing.")})
        issue.status = IssueStatus.PUBLISHED
        issue.published_at = timezone.now()
        issue.save(update_fields=["status", "published_at"])
        included = issue.items.filter(included=True).count()
        audit.record(actor=user, verb="newsletter.publish", obj=issue, data={"items": included})
        readers = list(
            Residency.objects.filter(
                status=ResidencyStatus.VERIFIED,
                household__path__startswith=issue.newsletter.path,
            )
            .exclude(user_id=user.pk)
            .values_list("user_id", flat=True)
            .distinct()
        )
        title = _("%(paper)s: the issue of %(year)s Q%(quarter)s is out") % {
            "paper": issue.newsletter.name,
            "year": issue.year,
            "quarter": issue.quarter,
        }
        url = _issue_url(issue)
        transaction.on_commit(
            lambda: notify_many(
                messages=[{"recipients": readers, "title": title, "url": url}], kind=KIND
            )
        )
        return issue
