"""The objects the access matrix reaches: the `city` fixture (conftest.py) and, for every kind of
object a route takes, one inside community C1 and its twin inside C2, made through each app's
services and test helpers (the makers live beside each app's routes, in routes_<app>.py).
Every object a list, a count or an export can show carries a marker (`AXM-C1-report`,
`AXM-C2-report`) so that a response can be searched for what it must not hold.

`World.case(kind, side)` says where an object sits and who it belongs to, for the rules of
policy.py; `World.value(kind, side)` is what goes into a route's path."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.test import Client
from django.utils import timezone

from conftest import build_city
from linju.core import tokens

from .policy import TWIN, Case

SIDES = ("C1", "C2")
MARK = "AXM-"


def marker(kind: str, side: str, suffix: str = "") -> str:
    return f"{MARK}{side}-{kind}{suffix}"


@dataclass
class Thing:
    obj: object
    place: str | None  # a place key of policy.PARENT
    people: dict = field(default_factory=dict)  # e.g. {"reporter": "owner"}
    value: object = None  # what a path parameter takes, when it is not the object's pk


@dataclass
class World:
    city: object
    things: dict = field(default_factory=dict)  # (kind, side) → Thing
    sessions: dict = field(default_factory=dict)  # person → session key
    bearer: dict = field(default_factory=dict)  # person → personal API token

    def obj(self, kind, side):
        return self.things[kind, side].obj

    def value(self, kind, side):
        thing = self.things[kind, side]
        return thing.value if thing.value is not None else thing.obj.pk

    def case(self, kind, side) -> Case:
        if kind is None:
            return Case(side=side, place=None)
        thing = self.things[kind, side]
        return Case(side=side, place=thing.place, people=thing.people)

    def user(self, key):
        return self.city.users[key]

    def place(self, key):
        return self.city.places[key]


# --- Makers: each app's routes module registers one or more ----------------------------------


@dataclass(frozen=True)
class Maker:
    kinds: tuple
    make: object  # (world, side, suffix) → {kind: Thing}
    again: bool  # may run a second time on a side (to add one more object for the count check)


MAKERS: list[Maker] = []


def makes(*kinds, again=False):
    """Register a maker of `kinds` for one side: `fn(w, side, suffix) -> {kind: Thing}`. Makers
    run in the order they are registered, so a maker may use the kinds made before it."""

    def register(fn):
        MAKERS.append(Maker(kinds=kinds, make=fn, again=again))
        return fn

    return register


def maker_of(kind) -> Maker:
    return next(m for m in MAKERS if kind in m.kinds)


def twin(side, key):
    """The place key playing `key`'s part on a side (U1 → U3 in C2)."""
    return key if side == "C1" else TWIN[key]


def person(side, key):
    """The person playing `key`'s part on a side (owner → owner_2 in C2)."""
    return key if side == "C1" else f"{key}_2"


def sessions_and_tokens(w: World, persons):
    """A logged-in session and a personal API token for each person, made once. The tokens'
    last use is set ahead, so that no request spends a write on recording it."""
    from linju.core.models import ApiToken

    for key in persons:
        if key == "anonymous":
            continue
        client = Client()
        client.force_login(w.user(key))
        w.sessions[key] = client.cookies[settings.SESSION_COOKIE_NAME].value
        token, secret = tokens.create_token(user=w.user(key), name="matrix")
        w.bearer[key] = secret
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() + timedelta(days=1))


def build_world(persons) -> World:
    from . import spec  # noqa: F401  (imports every routes module, which registers its makers)

    w = World(city=build_city())
    for maker in MAKERS:
        for side in SIDES:
            made = maker.make(w, side, "")
            missing = set(maker.kinds) - set(made)
            assert not missing, f"{maker.make.__name__} made no {missing}"
            for kind, thing in made.items():
                w.things[kind, side] = thing
    sessions_and_tokens(w, persons)
    return w
