"""The notice board's pages (公示栏, seeds 002, 003): the board, a notice and its actions, its A4
sheet, its files, its read coverage, composing and correcting, the desk. Rules:
linju/notices/rules.py and docs/notices.md — a published notice reaches the residents whose
home lies in its scope and the staff whose scope holds it or lies inside it (`can_read`); the
handlers of a scope holding it publish, pin, withdraw and correct it, and see its coverage
(notices.publish). The API's entries are in routes_notices_api.py, the newsletter's in
routes_notices_newsletter.py."""

from django.core.files.uploadedfile import SimpleUploadedFile

from linju.core import access

from .policy import Anywhere, LoggedIn, Perm, Rule, covers, homes_of, scopes_of
from .spec import Route
from .world import Thing, makes, marker, person, twin

APP = "notices"


@makes("board_notice", "board_file", again=True)
def notices_board_made(w, side, suffix):
    """An important announcement on the board of estate E1 (E2), published by the community
    staff, with a text file attached."""
    from linju.notices import services

    staff = w.user(person(side, "community_staff"))
    where = twin(side, "E1")
    notice = services.create_notice(
        user=staff,
        place_id=w.place(where).pk,
        kind="announcement",
        title=marker("board_notice", side, suffix),
        body="停水检修",
        important=True,
        publish=True,
    )
    upload = SimpleUploadedFile("说明.txt", "停水说明".encode(), content_type="text/plain")
    attachment = services.add_attachment(user=staff, notice_id=notice.pk, upload=upload)
    return {
        "board_notice": Thing(notice, where),
        "board_file": Thing(attachment, where),
    }


class Reader(Rule):
    """rules.can_read of a published notice: a home inside its scope, or notices.view at a
    scope that holds it or lies inside it (a building head reads the community's notices)."""

    why = "home inside, or notices.view at a scope holding it or inside it"

    def __call__(self, who, case):
        roles = access.PERMISSIONS["notices.view"]
        for role, places in scopes_of(who).items():
            if role not in roles:
                continue
            if any(covers(s, case.place) or covers(case.place, s) for s in places):
                return True
        return any(covers(case.place, h) for h in homes_of(who))


READER = Reader()
PUBLISH = Perm("notices.publish")
NOTICE = {"notice_id": "board_notice"}


def _compose(w, side):
    return {
        "place": w.obj("community", side).pk,
        "kind": "announcement",
        "title": "x",
        "body": "y",
        "submit": "draft",
    }


def _correct(w, side):
    return {"kind": "announcement", "title": "x", "body": "y"}


PAGES = {
    "notices/": Route(
        LoggedIn(),
        shows={"board_notice": READER},
        why="the notices reaching the person, unread first",
    ),
    "notices/desk/": Route(
        Anywhere("notices.publish"),
        shows={"board_notice": PUBLISH},
        why="the publishers' list of their scope's notices, drafts included",
    ),
    "notices/new/": Route(
        Anywhere("notices.publish"),
        post=PUBLISH,
        post_kind="community",
        data=_compose,
        why="compose at a place of the publisher's scope; any other place: 403",
    ),
    "notices/<int:notice_id>/": Route(
        READER,
        params=NOTICE,
        post=PUBLISH,
        data=lambda w, s: {"action": "pin"},
        why="a notice to its readers (opening it is the read receipt); publishers act on it",
    ),
    "notices/<int:notice_id>/edit/": Route(
        PUBLISH,
        params=NOTICE,
        seen=READER,
        post=PUBLISH,
        data=_correct,
        why="correcting is the publishers'",
    ),
    "notices/<int:notice_id>/print/": Route(
        READER, params=NOTICE, why="the A4 sheet, for anyone who may read the notice"
    ),
    "notices/<int:notice_id>/coverage/": Route(
        PUBLISH,
        params=NOTICE,
        seen=READER,
        why="read coverage per building of an important notice, for its publishers",
    ),
    "notices/<int:notice_id>/files/<int:attachment_id>/": Route(
        READER,
        params={"notice_id": "board_notice", "attachment_id": "board_file"},
        why="a notice's file, served to its readers only",
    ),
}

API = {}
