"""/api/v1/notices/newsletters: the neighbourhood newsletter (睦邻服务报, seed 003) — the papers a
caller runs or reads, their issues, an issue with its pieces; for community staff founding a
paper and starting the quarter's issue; for the issue's editor (or the staff) gathering new
pieces, arranging them, writing the foreword and publishing. Writes go through
services_newsletter, reads through queries_newsletter; anything unseen is 404."""

from django.http import Http404
from ninja import Router, Status
from ninja.pagination import paginate

from linju.core.api_support import ERRORS, CappedLimitOffset, Listing, renamed_fields

from . import queries_newsletter as queries
from . import rules
from . import services_newsletter as services
from .models import IssueStatus, Section
from .schemas_newsletter import (
    NewsletterForewordIn,
    NewsletterIn,
    NewsletterIssueDetailOut,
    NewsletterIssueOut,
    NewsletterItemIn,
    NewsletterItemOut,
    NewsletterOut,
    NewsletterStartIn,
)

router = Router(tags=["newsletter"])
UNSEEN = " 404 for anything the caller does not see."
EDITORS = " By the issue's editor or the community staff of its place (403 for its readers); " + (
    "409 `published` once published." + UNSEEN
)
SECTION_ORDER = {value: i for i, value in enumerate(Section.values)}


def _paper(user, n) -> dict:
    return {
        "id": n.pk,
        "name": n.name,
        "place": n.place_id,
        "place_name": n.place.name,
        "organisation": n.organisation_id,
        "organisation_name": n.organisation.name,
        "runs": rules.can_run_newsletter(user, n),
    }


def _issue(i) -> dict:
    return {
        "id": i.pk,
        "newsletter": i.newsletter_id,
        "year": i.year,
        "quarter": i.quarter,
        "number": i.number,
        "status": i.status,
        "editor": i.editor_id,
        "editor_name": i.editor.name if i.editor_id else "",
        "foreword": i.foreword,
        "published_at": i.published_at,
    }


def _item(item) -> dict:
    return {
        "id": item.pk,
        "section": item.section,
        "position": item.position,
        "title": item.title,
        "summary": item.summary,
        "link": item.link,
        "source": item.source,
        "included": item.included,
    }


def _detail(user, issue) -> dict:
    editing = rules.can_edit_issue(user, issue) and issue.status == IssueStatus.DRAFT
    items = issue.items.all() if editing else issue.items.filter(included=True)
    rows = sorted(items, key=lambda it: (SECTION_ORDER.get(it.section, 99), it.position, it.pk))
    return {**_issue(issue), "items": [_item(it) for it in rows]}


def _found_paper(user, newsletter_id):
    found = queries.newsletter_for(user, newsletter_id)
    if found is None:
        raise Http404
    return found


def _found_issue(user, issue_id):
    found = queries.issue_for(user, issue_id)
    if found is None:
        raise Http404
    return found


@router.get(
    "",
    response={200: list[NewsletterOut], **ERRORS},
    summary="Newsletters (睦邻服务报)",
    description="The papers the caller runs (community staff) or reads (residents and staff of "
    "a place they cover). Capped.",
)
@paginate(CappedLimitOffset)
def list_newsletters(request):
    user = request.user
    qs = queries.readable(user).order_by("path", "name", "pk")
    return Listing(qs, lambda rows: [_paper(user, n) for n in rows])


@router.post(
    "",
    response={201: NewsletterOut, **ERRORS},
    summary="Found a paper",
    description="By community staff or the subdistrict at a community or estate of their scope "
    "(403 otherwise). 422 `place`, `name`, `organisation` (a party organisation at, above or "
    "inside the place: its members edit in turn).",
)
def create_newsletter(request, payload: NewsletterIn):
    user = request.user
    with renamed_fields(place_id="place", organisation_id="organisation"):
        paper = services.create_newsletter(
            user=user,
            place_id=payload.place,
            name=payload.name,
            organisation_id=payload.organisation,
        )
    return Status(201, _paper(user, _found_paper(user, paper.pk)))


@router.get(
    "/{int:newsletter_id}/issues",
    response={200: list[NewsletterIssueOut], **ERRORS},
    summary="A paper's issues",
    description="Newest first: every issue for those who run it; the published ones (and the "
    "drafts they edit) for its readers." + UNSEEN,
)
@paginate(CappedLimitOffset)
def list_issues(request, newsletter_id: int):
    user = request.user
    paper = _found_paper(user, newsletter_id)
    return Listing(queries.issues(user, paper), lambda rows: [_issue(i) for i in rows])


@router.post(
    "/{int:newsletter_id}/issues",
    response={201: NewsletterIssueDetailOut, **ERRORS},
    summary="Start the quarter's issue",
    description="By those who run the paper (403 for its readers). The issue is numbered after "
    "the last; its editor is `editor` (a party member of the paper's organisation or one below "
    "it, 422 `editor`) or the next in the rota; the quarter's pieces are gathered from every "
    "section and the editor is told. 422 `year`, `quarter`; 409 `issue_exists`." + UNSEEN,
)
def start_issue(request, newsletter_id: int, payload: NewsletterStartIn):
    user = request.user
    paper = _found_paper(user, newsletter_id)
    issue = services.start_issue(
        user=user,
        newsletter_id=paper.pk,
        year=payload.year,
        quarter=payload.quarter,
        editor_id=payload.editor,
    )
    return Status(201, _detail(user, _found_issue(user, issue.pk)))


@router.get(
    "/issues/{int:issue_id}",
    response={200: NewsletterIssueDetailOut, **ERRORS},
    summary="An issue with its pieces",
    description="Published: for the paper's readers. A draft: for its editor and those who run "
    "the paper, with the pieces left out too." + UNSEEN,
)
def get_issue(request, issue_id: int):
    user = request.user
    return _detail(user, _found_issue(user, issue_id))


@router.post(
    "/issues/{int:issue_id}/reassemble",
    response={200: NewsletterIssueDetailOut, **ERRORS},
    summary="Gather the quarter's new pieces",
    description="Adds what was published since the issue was started; the editor's edits stay; "
    "a piece its source no longer offers (a notice withdrawn) is left out." + EDITORS,
)
def reassemble(request, issue_id: int):
    user = request.user
    issue = _found_issue(user, issue_id)
    services.reassemble(user=user, issue_id=issue.pk)
    return _detail(user, _found_issue(user, issue_id))


@router.put(
    "/items/{int:item_id}",
    response={200: NewsletterItemOut, **ERRORS},
    summary="Reword, move or leave out a piece",
    description="422 `title`, `summary`, `position`." + EDITORS,
)
def update_item(request, item_id: int, payload: NewsletterItemIn):
    user = request.user
    if queries.item_for(user, item_id) is None:
        raise Http404
    item = services.update_item(user=user, item_id=item_id, **payload.model_dump())
    return _item(item)


@router.put(
    "/issues/{int:issue_id}/foreword",
    response={200: NewsletterIssueOut, **ERRORS},
    summary="Write the foreword (卷首语)",
    description="Signed with the editor's name once published. 422 `foreword`." + EDITORS,
)
def write_foreword(request, issue_id: int, payload: NewsletterForewordIn):
    user = request.user
    issue = _found_issue(user, issue_id)
    services.write_foreword(user=user, issue_id=issue.pk, foreword=payload.foreword)
    return _issue(_found_issue(user, issue_id))


@router.post(
    "/issues/{int:issue_id}/publish",
    response={200: NewsletterIssueOut, **ERRORS},
    summary="Publish the issue",
    description="On the web for the paper's readers; the verified residents of its place are "
    "told; final from now on. 422 `foreword` without one." + EDITORS,
)
def publish_issue(request, issue_id: int):
    user = request.user
    issue = _found_issue(user, issue_id)
    services.publish_issue(user=user, issue_id=issue.pk)
    return _issue(_found_issue(user, issue_id))
