"""Mutual aid: the wish wall (心愿墙) — the wall, posting, one wish and its actions, the desk;
/api/v1/mutualaid. Rules: linju/mutualaid/rules.py and docs/mutualaid.md — a wish sits at its
poster's unit; the residents of its community and the staff of a scope holding it see it
(mutualaid.view); anyone who sees it claims it (not its poster) and flags it; the poster marks it
fulfilled or withdraws it; the poster or the claimant releases the claim; the handlers of the
scope moderate and follow up the unclaimed (mutualaid.moderate)."""

from linju.mutualaid import services
from linju.mutualaid import services_sharing as sharing

from .policy import Anywhere, HasRole, HomeIn, Is, LoggedIn, Perm
from .spec import Route
from .world import Thing, makes, marker, person, twin

APP = "mutualaid"


@makes("wish", "shared", again=True)
def mutualaid_made(w, side, suffix):
    """A need posted by the owner of U1 (U3), claimed by nobody; a book of the book corner
    they share, asked for by nobody."""
    owner_key = person(side, "owner")
    post = services.create_post(
        user=w.user(owner_key), kind="need", title=marker("wish", side, suffix)
    )
    item = sharing.create_item(
        user=w.user(owner_key), kind="book", title=marker("shared", side, suffix)
    )
    where = twin(side, "U1")
    return {
        "wish": Thing(post, where, {"poster": owner_key}),
        "shared": Thing(item, where, {"owner": owner_key}),
    }


VIEW = Perm("mutualaid.view")
MODERATE = Perm("mutualaid.moderate")
SEEN = HomeIn("C") | VIEW | MODERATE | Is("poster")
ITEM_SEEN = HomeIn("C") | VIEW | MODERATE | Is("owner")
DESK = Anywhere("mutualaid.moderate")
RESIDENT = HasRole("resident")


PAGES = {
    "mutualaid/": Route(
        LoggedIn(),
        shows={"wish": SEEN},
        why="the wall of the communities the person lives in and of their staff scope",
    ),
    "mutualaid/new/": Route(
        RESIDENT, why="residents post on their community's wall; without a verified home: 403"
    ),
    "mutualaid/<int:pk>/": Route(
        SEEN,
        params={"pk": "wish"},
        post=SEEN & ~Is("poster"),
        data=lambda w, s: {"action": "claim"},
        why="one wish, to those who see it; neighbours claim it",
    ),
    "mutualaid/items/": Route(
        LoggedIn(), shows={"shared": ITEM_SEEN}, why="the sharing shelf of the person's community"
    ),
    "mutualaid/items/new/": Route(RESIDENT, why="residents share at home"),
    "mutualaid/items/<int:pk>/": Route(
        ITEM_SEEN,
        params={"pk": "shared"},
        post=ITEM_SEEN & ~Is("owner"),
        data=lambda w, s: {"action": "request"},
        why="one item, to those who see it; neighbours ask for it",
    ),
    "mutualaid/desk/": Route(
        DESK,
        counts=("wish", "shared"),
        why="the moderators' desk: flagged and long-unclaimed wishes",
    ),
}

API = {
    "GET /mutualaid/posts": Route(LoggedIn(), shows={"wish": SEEN}),
    "POST /mutualaid/posts": Route(
        RESIDENT,
        data=lambda w, s: {"kind": "need", "title": "x"},
        refused=(409,),
        why="residents post at home; without a verified home 409 no_home",
    ),
    "GET /mutualaid/posts/{post_id}": Route(SEEN, params={"post_id": "wish"}),
    "POST /mutualaid/posts/{post_id}/claim": Route(
        SEEN & ~Is("poster"), params={"post_id": "wish"}, seen=SEEN
    ),
    "POST /mutualaid/posts/{post_id}/release": Route(
        Is("poster"), params={"post_id": "wish"}, seen=SEEN, data=lambda w, s: {}
    ),
    "POST /mutualaid/posts/{post_id}/fulfil": Route(
        Is("poster"), params={"post_id": "wish"}, seen=SEEN, data=lambda w, s: {}
    ),
    "POST /mutualaid/posts/{post_id}/withdraw": Route(
        Is("poster"), params={"post_id": "wish"}, seen=SEEN
    ),
    "POST /mutualaid/posts/{post_id}/flag": Route(
        SEEN, params={"post_id": "wish"}, data=lambda w, s: {"reason": "x"}
    ),
    "POST /mutualaid/posts/{post_id}/moderate": Route(
        MODERATE, params={"post_id": "wish"}, seen=SEEN, data=lambda w, s: {"action": "dismiss"}
    ),
    "GET /mutualaid/items": Route(LoggedIn(), shows={"shared": ITEM_SEEN}),
    "POST /mutualaid/items": Route(
        RESIDENT,
        data=lambda w, s: {"kind": "book", "title": "x"},
        refused=(409,),
        why="residents share at home; without a verified home 409 no_home",
    ),
    "GET /mutualaid/items/{item_id}": Route(ITEM_SEEN, params={"item_id": "shared"}),
    "POST /mutualaid/items/{item_id}/request": Route(
        ITEM_SEEN & ~Is("owner"), params={"item_id": "shared"}, seen=ITEM_SEEN
    ),
    "POST /mutualaid/items/{item_id}/cancel": Route(
        Is("owner"), params={"item_id": "shared"}, seen=ITEM_SEEN, why="owner or borrower"
    ),
    "POST /mutualaid/items/{item_id}/hand-over": Route(
        Is("owner"), params={"item_id": "shared"}, seen=ITEM_SEEN
    ),
    "POST /mutualaid/items/{item_id}/return": Route(
        Is("owner"), params={"item_id": "shared"}, seen=ITEM_SEEN, why="owner or borrower"
    ),
    "POST /mutualaid/items/{item_id}/withdraw": Route(
        Is("owner"), params={"item_id": "shared"}, seen=ITEM_SEEN
    ),
    "POST /mutualaid/items/{item_id}/flag": Route(
        ITEM_SEEN, params={"item_id": "shared"}, data=lambda w, s: {"reason": "x"}
    ),
    "POST /mutualaid/items/{item_id}/moderate": Route(
        MODERATE,
        params={"item_id": "shared"},
        seen=ITEM_SEEN,
        data=lambda w, s: {"action": "dismiss"},
    ),
    "GET /mutualaid/desk/flagged-items": Route(LoggedIn(), why="empty but for the moderators"),
    "GET /mutualaid/desk/flagged": Route(LoggedIn(), why="empty but for the moderators"),
    "GET /mutualaid/desk/unclaimed": Route(
        LoggedIn(),
        query=lambda w, s: {"days": 0},
        shows={"wish": MODERATE},
        why="the scope's open wishes, for its moderators",
    ),
}
