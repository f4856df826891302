"""The neighbourhood newsletter (睦邻服务报, seed 003): the papers' list (founding one), a paper's
page (its issues, the rota, starting an issue), an issue on the web and on A4, the editor's
page; /api/v1/notices/newsletters. Rules: linju/notices/rules.py and docs/newsletter.md —
community staff and the subdistrict run a paper of their scope (notices.newsletter); an issue
is edited by its editor (a party member, in turn) or by them; a published issue reaches the
paper's audience like a notice of its place (residents living under it, staff whose scope
holds it or lies inside it)."""

from django.utils import timezone

from .policy import Is, LoggedIn, Perm
from .routes_notices_board import READER
from .spec import Route
from .world import Thing, makes, marker, person, twin

APP = "notices"


def _quarters():
    """This quarter and the one before (the published issue's)."""
    today = timezone.localdate()
    year, quarter = today.year, (today.month - 1) // 3 + 1
    before = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return (year, quarter), before


@makes("newsletter", "issue", "draft_issue", "draft_item", again=True)
def newsletter_made(w, side, suffix):
    """A paper of community C1 (C2) run by its party committee: last quarter's issue published
    by its editor (the committee's party liaison), this quarter's a draft with a piece."""
    from linju.notices import services_newsletter as services
    from linju.notices.models import IssueItem
    from linju.people.models import PartyOrganisation

    staff = w.user(person(side, "community_staff"))
    where = twin(side, "C1")
    org = PartyOrganisation.objects.get(name=f"{where} committee")
    paper = services.create_newsletter(
        user=staff,
        place_id=w.place(where).pk,
        name=marker("newsletter", side, suffix),
        organisation_id=org.pk,
    )
    editor_key = person(side, "party_liaison")
    editor = w.user(editor_key)
    now, before = _quarters()
    old = services.start_issue(
        user=staff, newsletter_id=paper.pk, year=before[0], quarter=before[1], editor_id=editor.pk
    )
    services.write_foreword(
        user=editor, issue_id=old.pk, foreword=marker("issue", side, suffix) + " 各位邻居好"
    )
    services.publish_issue(user=editor, issue_id=old.pk)
    draft = services.start_issue(
        user=staff, newsletter_id=paper.pk, year=now[0], quarter=now[1], editor_id=editor.pk
    )
    services.write_foreword(
        user=editor, issue_id=draft.pk, foreword=marker("draft_issue", side, suffix)
    )
    item = IssueItem.objects.create(issue=draft, section="notices", title="停水通知")
    people = {"editor": editor_key}
    return {
        "newsletter": Thing(paper, where),
        "issue": Thing(old, where, people),
        "draft_issue": Thing(draft, where, people),
        "draft_item": Thing(item, where, people),
    }


RUN = Perm("notices.newsletter")
EDIT = Is("editor") | RUN
ISSUE_READER = READER | EDIT
NL = {"pk": "newsletter"}


def _found(w, side):
    from linju.people.models import PartyOrganisation

    org = PartyOrganisation.objects.get(name=f"{twin(side, 'C1')} committee")
    return {"name": "x", "place": w.obj("community", side).pk, "organisation": org.pk}


PAGES = {
    "notices/newsletters/": Route(
        LoggedIn(),
        shows={"newsletter": READER},
        post=RUN,
        post_kind="community",
        data=_found,
        why="the papers run, edited and read (latest issues); founding one is for the "
        "community staff of the place (notices.newsletter)",
    ),
    "notices/newsletters/<int:pk>/": Route(
        READER | RUN,
        params=NL,
        post=RUN,
        data=lambda w, side: {"year": 2030, "quarter": 1},
        why="a paper's issues to its audience; the rota and starting an issue are its runners'",
    ),
    "notices/newsletters/issues/<int:pk>/": Route(
        ISSUE_READER,
        params={"pk": "issue"},
        why="a published issue reaches the paper's audience like a notice of its place",
    ),
    "notices/newsletters/issues/<int:pk>/print/": Route(
        ISSUE_READER, params={"pk": "issue"}, why="the A4 sheet, for anyone who reads the issue"
    ),
    "notices/newsletters/issues/<int:pk>/edit/": Route(
        EDIT,
        params={"pk": "draft_issue"},
        post=EDIT,
        data=lambda w, side: {"action": "foreword", "foreword": "x"},
        why="a draft is seen by its editor (the party member whose turn it is) and the runners",
    ),
}

ISSUE = {"issue_id": "draft_issue"}

API = {
    "GET /notices/newsletters": Route(LoggedIn(), shows={"newsletter": READER}),
    "POST /notices/newsletters": Route(
        RUN,
        kind="community",
        data=_found,
        refused=(403,),
        why="community staff and the subdistrict found a paper at a place of their scope",
    ),
    "GET /notices/newsletters/{newsletter_id}/issues": Route(
        READER | RUN,
        params={"newsletter_id": "newsletter"},
        shows={"issue": ISSUE_READER, "draft_issue": EDIT},
        why="the published issues to the audience; drafts to their editor and the runners",
    ),
    "POST /notices/newsletters/{newsletter_id}/issues": Route(
        RUN,
        params={"newsletter_id": "newsletter"},
        seen=READER | RUN,
        why="the runners start the quarter's issue",
    ),
    "GET /notices/newsletters/issues/{issue_id}": Route(ISSUE_READER, params={"issue_id": "issue"}),
    "POST /notices/newsletters/issues/{issue_id}/reassemble": Route(EDIT, params=ISSUE),
    "PUT /notices/newsletters/items/{item_id}": Route(EDIT, params={"item_id": "draft_item"}),
    "PUT /notices/newsletters/issues/{issue_id}/foreword": Route(EDIT, params=ISSUE),
    "POST /notices/newsletters/issues/{issue_id}/publish": Route(
        EDIT, params=ISSUE, why="the editor (or a runner) publishes; the issue is final then"
    ),
}
