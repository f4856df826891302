"""Stages "users" and "residencies": the accounts (staff, residents, newcomers) and each
resident's link to their household, as sign-ups, invites and staff decisions leave them."""

from .copy import DAY, NULL, ts
from .names import mix, person_mobile, person_name, staff_mobile

PASSWORD = "bench-Pass-9"
CONSENT_VERSION = "2026-11"  # settings.PRIVACY_NOTICE_VERSION
# Person numbers (names and mobiles) of users who are not roster owners; owners are 0, 1, …
OTHER_PERSONS = 50_000_000
STAFF_PERSONS = 90_000_000
ELDER_SHARE = 0.04  # accounts that switched on elder mode

HISTORY = 0.02  # ended or rejected residencies, per resident
REJECT_REASONS = ["房号填写有误", "非本户成员，请核实后重新申请", "信息不完整，请补充后重新申请"]

USER_COLUMNS = (
    "id, password, last_login, is_superuser, mobile, name, email, is_active, is_staff,"
    " date_joined, privacy_consent_at, privacy_consent_version, elder_mode, language"
)
RESIDENCY_COLUMNS = (
    "id, user_id, household_id, relation, status, note, reason, source, requested_at,"
    " decided_at, decided_by_id"
)


def password_hash(seed: int) -> str:
    """One hash for everyone (argon2 is slow by design); a fixed salt keeps reruns identical."""
    from django.contrib.auth.hashers import make_password

    return make_password(PASSWORD, salt=f"linjubench{seed}")


def staff_joined(plan, uid: int) -> int:
    return plan.signup_start - 120 * DAY + mix(uid, plan.seed) % (30 * DAY)


def newcomer_joined(plan, uid: int) -> int:
    return plan.anchor - DAY - mix(uid, plan.seed) % (30 * DAY)


def fill_users(ctx):
    plan, seed, random_ = ctx.plan, ctx.seed, ctx.rng.random
    head = f"\t{password_hash(seed)}\t{NULL}\tf\t"
    middle = "\t\tt\tf\t"  # email, is_active, is_staff
    tail = f"\t{CONSENT_VERSION}\t"

    def row(uid, mobile, name, joined):
        at = ts(joined)
        elder = "t" if random_() < ELDER_SHARE else "f"
        return f"{uid}{head}{mobile}\t{name}{middle}{at}\t{at}{tail}{elder}\t\n"

    def lines():
        for uid in range(1, plan.staff_users + 1):
            name = person_name(STAFF_PERSONS + uid, seed)
            yield row(uid, staff_mobile(uid, seed), name, staff_joined(plan, uid))
        owner_uid, owner_no, second = plan.owner_uid, plan.owner_no, plan.second_home
        first_other, n_other, joined = plan.first_other, plan.n_other, plan.joined
        for h in range(1, plan.households + 1):
            uid = owner_uid[h]
            if uid and not second[h]:
                owner = owner_no[h]
                yield row(uid, person_mobile(owner, seed), person_name(owner, seed), joined(uid))
            first = first_other[h]
            for uid in range(first, first + n_other[h]):
                person = OTHER_PERSONS + uid
                yield row(uid, person_mobile(person, seed), person_name(person, seed), joined(uid))
        for uid in range(plan.first_newcomer, plan.users + 1):
            person = OTHER_PERSONS + uid
            mobile, name = person_mobile(person, seed), person_name(person, seed)
            yield row(uid, mobile, name, newcomer_joined(plan, uid))

    ctx.copy("people_user", USER_COLUMNS, lines())


def fill_residencies(ctx):
    """Owners verified by their roster mobile at sign-up (no decider, as the app records it),
    other members by a community worker after a request or an invite; then the newcomers'
    pending requests and some ended or rejected history."""
    plan, rng = ctx.plan, ctx.rng
    random_, randint, choice = rng.random, rng.randint, rng.choice
    latest = plan.anchor - 3600
    staff_of = [plan.community_staff(c) for c in plan.communities]
    comm_of_unit = [u.community for u in plan.units]
    hh_unit = plan.hh_unit

    def decided(uid):
        requested = plan.joined(uid) + randint(60, 2 * 3600)
        return requested, min(requested + randint(600, 3 * DAY), latest)

    def lines():
        pk = 0
        owner_uid, second = plan.owner_uid, plan.second_home
        first_other, n_other = plan.first_other, plan.n_other
        for h in range(1, plan.households + 1):
            uid = owner_uid[h]
            if not uid:
                continue
            pk += 1
            at = ts(plan.joined(uid) + (60 if second[h] else 0))
            yield f"{pk}\t{uid}\t{h}\towner\tverified\t\t\troster\t{at}\t{at}\t{NULL}\n"
            staff = staff_of[comm_of_unit[hh_unit[h]]]
            first = first_other[h]
            for uid in range(first, first + n_other[h]):
                if second[h]:
                    relation = "tenant"
                elif uid == first:
                    r = random_()
                    relation = "co_owner" if r < 0.45 else "family" if r < 0.85 else "tenant"
                else:
                    relation = "family" if random_() < 0.8 else "tenant"
                source = "invite" if random_() < 0.6 else "request"
                requested, at = decided(uid)
                pk += 1
                yield (
                    f"{pk}\t{uid}\t{h}\t{relation}\tverified\t\t\t{source}\t{ts(requested)}\t"
                    f"{ts(at)}\t{choice(staff)}\n"
                )
        for k, h in enumerate(plan.newcomer_household):
            uid = plan.first_newcomer + k
            relation = choice(("family", "family", "tenant", "tenant", "co_owner"))
            source = "invite" if random_() < 0.5 else "request"
            requested = ts(newcomer_joined(plan, uid) + randint(60, 3600))
            pk += 1
            yield (
                f"{pk}\t{uid}\t{h}\t{relation}\tpending\t\t\t{source}\t{requested}\t"
                f"{NULL}\t{NULL}\n"
            )
        for _ in range(round(plan.residents * HISTORY)):
            h = randint(1, plan.households)
            members = plan.members(h)
            if not members:
                continue
            uid = choice(members)
            comm = plan.communities[comm_of_unit[hh_unit[h]]]
            other = randint(comm.first, comm.end - 1)
            if abs(other - h) <= 1:  # a second home sits next to the first
                continue
            pk += 1
            staff = choice(staff_of[comm.index])
            if random_() < 0.6:  # a former home: verified once, then left
                requested = plan.signup_start + randint(0, 2 * 365 * DAY)
                ended = min(requested + randint(30 * DAY, 300 * DAY), latest)
                yield (
                    f"{pk}\t{uid}\t{other}\ttenant\tended\t\t\trequest\t{ts(requested)}\t"
                    f"{ts(ended)}\t{staff}\n"
                )
            else:
                requested, at = decided(uid)
                reason = choice(REJECT_REASONS)
                yield (
                    f"{pk}\t{uid}\t{other}\tfamily\trejected\t\t{reason}\trequest\t"
                    f"{ts(requested)}\t{ts(at)}\t{staff}\n"
                )

    ctx.copy("people_residency", RESIDENCY_COLUMNS, lines())


def expected_residencies(plan) -> int:
    verified = sum(map(bool, plan.owner_uid)) + sum(plan.n_other)
    return verified + len(plan.newcomer_household) + round(plan.residents * HISTORY)
