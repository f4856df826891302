"""People and places: logging in, one's own data and tokens, binding to a household, the
verification queue, role grants, the party overlay, invite cards, the roster import;
/api/v1/people and /api/v1/places. Rules: docs/access.md (people.*, places.view), the views'
own notes (the binding directory is public by name only; residents see their own requests)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from linju.core import tokens
from linju.people import roster
from linju.people import services as people
from linju.people.models import LiaisonHousehold, RoleGrant, User
from linju.places.models import Grid, Place

from .policy import Anywhere, Everyone, Is, LoggedIn, Nobody, Perm
from .spec import Route
from .world import Thing, makes, marker, person, twin

APP = "people"


@makes("unit", "building", "estate", "community", "household", "invite_code", "grid")
def places_made(w, side, suffix):
    """The tree's places, the unit, building, community and grid renamed to carry markers
    (their names are shown wherever a report, a topic or a household is)."""
    made = {}
    for key, kind in (("U1", "unit"), ("B1", "building"), ("C1", "community")):
        place = w.place(twin(side, key))
        place.name = marker(kind, side)
        Place.objects.filter(pk=place.pk).update(name=place.name)
    for key, kind in (("U1", "unit"), ("B1", "building"), ("E1", "estate"), ("C1", "community")):
        made[kind] = Thing(w.place(twin(side, key)), twin(side, key))
    grid = w.city.grids["G1" if side == "C1" else "G2"]
    grid.name = marker("grid", side)
    Grid.objects.filter(pk=grid.pk).update(name=grid.name)
    made["grid"] = Thing(grid, twin(side, "B1"))
    household = w.city.households[twin(side, "H101")]
    made["household"] = Thing(household, twin(side, "H101"))
    made["invite_code"] = Thing(household, twin(side, "H101"), value=household.invite_code)
    return made


@makes("token")
def token_made(w, side, suffix):
    owner = person(side, "owner")
    token, _ = tokens.create_token(user=w.user(owner), name=marker("token", side, suffix))
    return {"token": Thing(token, None, {"owner": owner})}


@makes("residency", again=True)
def residency_made(w, side, suffix):
    """A pending request to join H101: the newcomer's in C1, a stranger's in C2."""
    if side == "C1" and not suffix:
        applicant, key = w.user("newcomer"), "newcomer"
    else:
        n = User.objects.count()
        applicant = User.objects.create_user(f"137{n:08d}", "pass-Word-9", name="申请人")
        key = ""
    residency = people.request_residency(
        user=applicant,
        household_id=w.city.households[twin(side, "H101")].pk,
        relation="tenant",
        note=marker("residency", side, suffix),
    )
    return {"residency": Thing(residency, twin(side, "H101"), {"applicant": key})}


@makes("grant", "liaison", "head")
def grant_made(w, side, suffix):
    """A unit head's grant at U1 (U3) of a person who is nothing else; the party liaison."""
    n = User.objects.count()
    spare = User.objects.create_user(f"136{n:08d}", "pass-Word-9", name="备用")
    grant = RoleGrant.objects.create(user=spare, role="unit_head", place=w.place(twin(side, "U1")))
    liaison = LiaisonHousehold.objects.get(member=w.user(person(side, "party_liaison")))
    return {
        "grant": Thing(grant, twin(side, "U1")),
        "liaison": Thing(liaison, twin(side, "H201")),
        "head": Thing(w.user(person(side, "unit_head")), twin(side, "U1")),
    }


def _roster_file():
    return SimpleUploadedFile("roster.csv", roster.template_csv(), "text/csv")


VERIFY = Perm("people.verify_residency")
GRANT = Perm("people.grant_role")

PAGES = {
    "accounts/login/": Route(Everyone(), ok=(200, 302), why="public: the login page"),
    "accounts/login/code/": Route(Everyone(), ok=(200, 302), why="public: login by SMS code"),
    "accounts/code/": Route(Everyone(), get=405, why="public, POST only: sends a login code"),
    "accounts/logout/": Route(Everyone(), get=405, why="public, POST only"),
    "accounts/signup/": Route(Everyone(), ok=(200, 302), why="public: signing up"),
    "privacy/": Route(Everyone(), why="public: the privacy notice"),
    "me/data/": Route(LoggedIn(), why="the person's own data"),
    "me/security/": Route(LoggedIn(), why="the person's own password and logins"),
    "accounts/verify/": Route(
        LoggedIn(), ok=(200, 302), why="step-up before the admin: the person's own factors"
    ),
    "me/delete/": Route(LoggedIn(), why="deletes the person's own account"),
    "me/tokens/": Route(
        LoggedIn(),
        post=Is("owner"),
        post_kind="token",
        data=lambda w, side: {"action": "revoke", "token_id": w.obj("token", side).pk},
        refused=(302,),
        why="the person's own tokens; revoking someone else's is 'no such token'",
    ),
    "me/household/bind/": Route(
        LoggedIn(),
        public=("community",),
        why="resident-facing: ask to join a household; every estate is offered by name",
    ),
    "me/household/join/<str:invite_code>/": Route(
        LoggedIn(),
        params={"invite_code": "invite_code"},
        public=("community",),
        why="resident-facing: the QR code of a household card, for anyone logged in; the "
        "binding form offers every estate by name",
    ),
    "me/household/options/": Route(
        LoggedIn(),
        kind="estate",
        query=lambda w, side: {"level": "building", "estate": w.obj("estate", side).pk},
        why="the binding directory: names of estates, buildings, units, rooms for anyone",
    ),
    "me/household/<int:residency_id>/end/": Route(
        Nobody(),
        params={"residency_id": "residency"},
        get=405,
        post=Is("applicant") | VERIFY,
        refused=(403, 404),
        why="POST only: the resident or a verifier of the household",
    ),
    "people/verify/": Route(
        Anywhere("people.verify_residency"),
        shows={"residency": VERIFY},
        post=VERIFY,
        post_kind="residency",
        data=lambda w, side: {
            "residency": w.obj("residency", side).pk,
            "decision": "approve",
            "reason": "",
        },
        refused=(200, 403),
        why="the verification queue of the scope; a decision outside it is a form error",
    ),
    "people/roles/": Route(
        Anywhere("people.grant_role"),
        shows={"unit": GRANT},
        why="the role grants of the scope (each names its place)",
    ),
    "people/roles/places/": Route(
        Anywhere("people.grant_role"),
        query=lambda w, side: {"role": "unit_head"},
        shows={"unit": GRANT},
        why="the places a grant may be bound to, inside the scope",
    ),
    "people/roles/<int:grant_id>/revoke/": Route(
        GRANT, params={"grant_id": "grant"}, post=GRANT, why="one grant of the scope"
    ),
    "people/party/": Route(
        Anywhere("places.view"),
        post=Anywhere("people.manage_party"),
        data=lambda w, side: {"action": "end_liaison", "liaison": w.obj("liaison", side).pk},
        post_kind="liaison",
        why="the party overlay of the scope; managing it is community staff's",
    ),
    "people/party/liaison/<int:liaison_id>/": Route(
        Perm("people.manage_party"),
        params={"liaison_id": "liaison"},
        post=Perm("people.manage_party"),
        data=lambda w, side: {"households": []},
        why="the households a liaison serves",
    ),
    "places/<int:place_id>/invites/": Route(
        Perm("people.print_invites"),
        params={"place_id": "unit"},
        why="printable invite cards of a unit",
    ),
    "people/roster/import/": Route(
        Anywhere("people.import_roster"),
        post=Perm("people.import_roster"),
        post_kind="community",
        data=lambda w, side: {"community": w.obj("community", side).pk, "file": _roster_file()},
        refused=(200, 403),
        why="the roster import; a community outside the scope is not offered (a form error)",
    ),
    "people/roster/template.csv": Route(LoggedIn(), why="an empty template"),
    "people/roster/template.xlsx": Route(LoggedIn(), why="an empty template"),
}

API = {
    "POST /people/residencies": Route(LoggedIn(), why="anyone logged in asks to join"),
    "GET /people/residencies/mine": Route(LoggedIn(), why="the caller's own requests"),
    "GET /people/residencies/pending": Route(
        Anywhere("people.verify_residency"), shows={"residency": VERIFY}
    ),
    "POST /people/residencies/{residency_id}/decision": Route(
        VERIFY,
        params={"residency_id": "residency"},
        seen=Is("applicant") | VERIFY,
        data=lambda w, side: {"approve": True},
        why="a verifier of the household; never the applicant",
    ),
    "DELETE /people/residencies/{residency_id}": Route(
        Is("applicant") | VERIFY, params={"residency_id": "residency"}
    ),
    "GET /people/roles": Route(Anywhere("people.grant_role"), shows={"unit": GRANT}),
    "POST /people/roles": Route(
        GRANT,
        kind="unit",
        data=lambda w, side: {
            "user_id": w.user("newcomer").pk,
            "role": "unit_head",
            "place_id": w.obj("unit", side).pk,
        },
        refused=(403,),
        why="grants inside the granting scope",
    ),
    "DELETE /people/roles/{grant_id}": Route(GRANT, params={"grant_id": "grant"}),
    "GET /people/directory/estates": Route(
        LoggedIn(),
        public=("community",),
        why="the binding directory: estates (with their community) by name, for anyone",
    ),
    "GET /people/directory/{place_id}/children": Route(
        LoggedIn(),
        params={"place_id": "building"},
        why="the binding directory: names only, for anyone logged in",
    ),
    "POST /people/roster/": Route(
        Perm("people.import_roster"),
        kind="community",
        data=lambda w, side: {"community": w.obj("community", side).pk, "file": _roster_file()},
        refused=(403,),
        why="the roster import into a community of the scope",
    ),
    # --- places ---
    "GET /places": Route(
        LoggedIn(),
        shows={"unit": Perm("places.view")},
        why="staff: the places of their scope; everyone logged in: the estates",
    ),
    "GET /places/grids": Route(
        LoggedIn(),
        shows={"grid": Perm("places.view")},
        why="the grids whose community or one of whose buildings lies in the caller's scope",
    ),
    "GET /places/households": Route(LoggedIn(), why="the households the caller may see"),
    "GET /places/households/{household_id}": Route(
        Perm("people.view_household"), params={"household_id": "household"}
    ),
    "GET /places/{place_id}": Route(Perm("places.view"), params={"place_id": "unit"}),
    "GET /places/{place_id}/children": Route(Perm("places.view"), params={"place_id": "building"}),
}
