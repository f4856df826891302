"""The notice board's JSON API, /api/v1/notices (linju/notices/api.py; the newsletter's routes
under /notices/newsletters are in routes_notices_newsletter.py, the pages in
routes_notices_board.py). Rules: linju/notices/rules.py and docs/notices.md — a published
notice reaches the residents whose home lies in its scope and the staff whose scope holds it or
lies inside it (`can_read`); a draft is its publishers' only; the handlers of a scope holding it
write, publish, pin, withdraw and correct it, attach files, answer objections and see its
coverage (notices.publish); a resident whose home lies in a 公示's scope objects to it
(`lives_under`) and sees their own objections."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from linju.core import access

from .policy import Home, Is, LoggedIn, Nobody, Perm, Rule, covers, homes_of, scopes_of
from .spec import Route
from .world import Thing, makes, marker, person, twin

APP = "notices"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@makes("napi_notice", "napi_file", "napi_draft", "napi_disclosure", "napi_objection", again=True)
def notices_api_made(w, side, suffix):
    """On the board of building B1 (B3): a published announcement with a PDF attached and a
    draft; on the board of estate E1 (E2): a 公示 open for a week, with an objection of the
    owner of H101 (H301). All by the community staff."""
    from linju.notices import services

    staff = w.user(person(side, "community_staff"))
    owner_key = person(side, "owner")
    building, estate = twin(side, "B1"), twin(side, "E1")

    def write(kind, where, name, **kw):
        return services.create_notice(
            user=staff,
            place_id=w.place(where).pk,
            kind=kind,
            title=marker(name, side, suffix),
            body="周三停水",
            **kw,
        )

    published = write("announcement", building, "napi_notice", publish=True)
    upload = SimpleUploadedFile("预算.pdf", PDF, content_type="application/pdf")
    attachment = services.add_attachment(user=staff, notice_id=published.pk, upload=upload)
    draft = write("announcement", building, "napi_draft")
    ends = timezone.localdate() + timedelta(days=7)
    disclosure = write(
        "disclosure", estate, "napi_disclosure", disclosure_ends_on=ends, publish=True
    )
    objection = services.raise_objection(
        user=w.user(owner_key),
        notice_id=disclosure.pk,
        text=marker("napi_objection", side, suffix),
    )
    return {
        "napi_notice": Thing(published, building),
        "napi_file": Thing(attachment, building),
        "napi_draft": Thing(draft, building),
        "napi_disclosure": Thing(disclosure, estate),
        "napi_objection": Thing(objection, estate, {"author": owner_key}),
    }


class Reader(Rule):
    """rules.can_read of a published notice: a home inside its scope, or notices.view at a
    scope that holds it or lies inside it (a building head reads the community's notices)."""

    why = "home inside, or notices.view at a scope holding it or inside it"

    def __call__(self, who, case):
        roles = access.PERMISSIONS["notices.view"]
        for role, places in scopes_of(who).items():
            if role in roles and any(
                covers(s, case.place) or covers(case.place, s) for s in places
            ):
                return True
        return any(covers(case.place, h) for h in homes_of(who))


PUBLISH = Perm("notices.publish")
SEEN = Reader() | PUBLISH
NOTICE = {"notice_id": "napi_notice"}
DISCLOSURE = {"notice_id": "napi_disclosure"}
FIRST_PAGE = {"limit": 100}


def _write(w, side):
    return {
        "place": w.place(twin(side, "B1")).pk,
        "kind": "announcement",
        "title": "x",
        "body": "y",
    }


PAGES: dict = {}  # the pages are in routes_notices_board.py and routes_notices_newsletter.py

API = {
    "GET /notices": Route(
        LoggedIn(),
        query=lambda w, s: FIRST_PAGE,
        shows={"napi_notice": SEEN, "napi_disclosure": SEEN, "napi_draft": Nobody()},
        why="the board: published notices of the scopes holding the home and of the staff "
        "scope (holding it or inside it); drafts never",
    ),
    "GET /notices/manage": Route(
        LoggedIn(),
        query=lambda w, s: FIRST_PAGE,
        shows={"napi_notice": PUBLISH, "napi_draft": PUBLISH, "napi_disclosure": PUBLISH},
        why="the publishers' list of their scope, drafts included; empty for anyone else",
    ),
    "POST /notices": Route(
        PUBLISH,
        kind="napi_notice",
        data=_write,
        refused=(403,),
        why="the handlers of a scope holding the place write its notices",
    ),
    "GET /notices/{notice_id}": Route(SEEN, params=NOTICE, why="opening it is the read receipt"),
    "PATCH /notices/{notice_id}": Route(PUBLISH, params=NOTICE, seen=SEEN),
    "POST /notices/{notice_id}/read": Route(SEEN, params=NOTICE),
    "POST /notices/{notice_id}/publish": Route(
        PUBLISH, params={"notice_id": "napi_draft"}, why="a draft is its publishers' only"
    ),
    "POST /notices/{notice_id}/pin": Route(
        PUBLISH, params=NOTICE, seen=SEEN, data=lambda w, s: {"pinned": True}
    ),
    "POST /notices/{notice_id}/withdraw": Route(
        PUBLISH, params=NOTICE, seen=SEEN, data=lambda w, s: {"reason": "x"}
    ),
    "POST /notices/{notice_id}/attachments": Route(
        PUBLISH,
        params=NOTICE,
        seen=SEEN,
        data=lambda w, s: {"file": SimpleUploadedFile("a.pdf", PDF)},
    ),
    "GET /notices/attachments/{attachment_id}": Route(
        SEEN, params={"attachment_id": "napi_file"}, why="files go to the notice's readers"
    ),
    "DELETE /notices/attachments/{attachment_id}": Route(
        PUBLISH, params={"attachment_id": "napi_file"}, seen=SEEN
    ),
    "GET /notices/{notice_id}/objections": Route(
        SEEN,
        params=DISCLOSURE,
        shows={"napi_objection": PUBLISH | Is("author")},
        why="the publishers see every objection; a resident their own",
    ),
    "POST /notices/{notice_id}/objections": Route(
        Home(),
        params=DISCLOSURE,
        seen=SEEN,
        data=lambda w, s: {"text": "x"},
        why="a resident whose home lies in the 公示's scope (rules.lives_under)",
    ),
    "POST /notices/objections/{objection_id}/answer": Route(
        PUBLISH,
        params={"objection_id": "napi_objection"},
        seen=SEEN,
        data=lambda w, s: {"answer": "x"},
    ),
    "GET /notices/{notice_id}/coverage": Route(
        PUBLISH, params=NOTICE, seen=SEEN, why="read coverage for the publishers"
    ),
}
