"""Stage "ballot_estate": issue 5's owners' ballot at its largest — one estate of 20,600
households under the city's first community, whose owners freeze into an electorate of a
little over 20,000 (bench/ballots.py opens the ballot, votes and tallies).

The estate is built as a large Chinese estate is: buildings of two units of 18 floors × 2
rooms. Ownership is as mixed as the Civil Code's headcount rules are meant for: most units have
one owner with an account; some are co-owned by two (they count once); some owners hold a
second unit (they count once, with both areas); some unsold units are still the developer's
(together one head); some owners never signed up and appear only on the roster (they vote on
paper). The shares are below."""

from .copy import NULL, ts
from .names import person_name
from .people import CONSENT_VERSION, RESIDENCY_COLUMNS, USER_COLUMNS, password_hash
from .plan import PER_UNIT, UNITS_PER_BUILDING, seg

HOUSEHOLDS = 20_600
ESTATE_CODE = "BALLOT-20K"
CO_OWNED = 0.04
SECOND_UNIT = 0.02  # the owner of the household before also owns this one
DEVELOPER = 0.01
ROSTER_ONLY = 0.05
MOBILE_PREFIX = "166"  # no other generated person has a number in this range
PERSONS = 70_000_000  # person numbers for names, past every other stage's


def expected(plan) -> int:
    units = -(-HOUSEHOLDS // PER_UNIT)
    buildings = -(-units // UNITS_PER_BUILDING)
    # places + households + about 1.02 users and residencies per household
    return 1 + buildings + units + HOUSEHOLDS + 2 * int(HOUSEHOLDS * (1 + CO_OWNED))


def fill(ctx):
    plan, rng, seed = ctx.plan, ctx.rng, ctx.seed
    community = plan.communities[0]
    at = ts(plan.anchor - 400 * 86_400)
    place_id = ctx.next_id("places_place")
    estate_path = community.path + seg(place_id)
    places = [f"{place_id}\testate\t万人花园\t{ESTATE_CODE}\t{estate_path}\t{community.id}\n"]
    units = []  # (id, path)
    n_units = -(-HOUSEHOLDS // PER_UNIT)
    next_place = place_id + 1
    for b in range(-(-n_units // UNITS_PER_BUILDING)):
        bid, next_place = next_place, next_place + 1
        bpath = estate_path + seg(bid)
        places.append(f"{bid}\tbuilding\t{b + 1}栋\t{ESTATE_CODE}-B{b + 1}\t{bpath}\t{place_id}\n")
        for u in range(UNITS_PER_BUILDING):
            if len(units) == n_units:
                break
            uid, next_place = next_place, next_place + 1
            upath = bpath + seg(uid)
            code = f"{ESTATE_CODE}-B{b + 1}U{u + 1}"
            places.append(f"{uid}\tunit\t{u + 1}单元\t{code}\t{upath}\t{bid}\n")
            units.append((uid, upath))
    ctx.copy("places_place", "id, kind, name, code, path, parent_id", places)

    first_h = ctx.next_id("places_household")
    first_user = ctx.next_id("people_user")
    first_res = ctx.next_id("people_residency")
    households, users, residencies = [], [], []
    hash_ = password_hash(seed)
    person = PERSONS
    user_id, res_id = first_user, first_res
    last_owner = None  # (user id, name, mobile) of the previous household's owner

    def new_user():
        nonlocal user_id, person
        person += 1
        uid, user_id = user_id, user_id + 1
        mobile = f"{MOBILE_PREFIX}{person % 10**8:08d}"
        name = person_name(person, seed)
        users.append(
            f"{uid}\t{hash_}\t{NULL}\tf\t{mobile}\t{name}\t\tt\tf\t{at}\t{at}\t"
            f"{CONSENT_VERSION}\tf\t\n"
        )
        return uid, name, mobile

    def reside(uid, h, relation):
        nonlocal res_id
        residencies.append(
            f"{res_id}\t{uid}\t{h}\t{relation}\tverified\t\t\troster\t{at}\t{at}\t{NULL}\n"
        )
        res_id += 1

    for i in range(HOUSEHOLDS):
        h = first_h + i
        unit_id, upath = units[i // PER_UNIT]
        floor, room = (i % PER_UNIT) // 2 + 1, f"{(i % PER_UNIT) // 2 + 1}{i % 2 + 1:02d}"
        area = rng.randint(5000, 16000)
        roll = rng.random()
        developer = "f"
        name = mobile = ""
        if roll < DEVELOPER:
            developer = "t"
        elif roll < DEVELOPER + ROSTER_ONLY:
            person += 1
            name, mobile = person_name(person, seed), f"{MOBILE_PREFIX}{person % 10**8:08d}"
        elif roll < DEVELOPER + ROSTER_ONLY + SECOND_UNIT and last_owner:
            uid, name, mobile = last_owner
            reside(uid, h, "owner")
        else:
            uid, name, mobile = new_user()
            reside(uid, h, "owner")
            last_owner = (uid, name, mobile)
            if rng.random() < CO_OWNED:
                co = new_user()
                reside(co[0], h, "co_owner")
        households.append(
            f"{h}\t{unit_id}\t{room}\t{floor}\t{area // 100}.{area % 100:02d}\t"
            f"{upath}h{h:010d}/\tZ{h:010d}\t{name}\t{mobile}\t{developer}\t{at}\t{at}\n"
        )
    ctx.copy(
        "places_household",
        "id, unit_id, room, floor, area, path, invite_code, owner_name, owner_mobile,"
        " developer_held, created_at, updated_at",
        households,
    )
    ctx.copy("people_user", USER_COLUMNS, users)
    ctx.copy("people_residency", RESIDENCY_COLUMNS, residencies)
