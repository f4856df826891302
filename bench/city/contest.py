"""Stage "contest_100k": issue 6's civilised-unit contest (文明单元评比, 红"栋"力) at its largest
— a month of 100,000 units scored by a four-party panel, waiting to be ranked
(bench/contest.py times `linju.ratings.ranking.rank_round` on it).

Its size does not depend on the preset: a small city and the full city both get the same
100,000 units, 400,000 sheets and 3,200,000 marks, so the ranking's figures compare across
databases (the city only changes what else the tables and the cache hold).

What it adds, under the city's first community:
- 小区 "十万单元" (code CONTEST-100K): 50,000 buildings × 2 units = 100,000 unit places;
- the contest rubric template (linju/ratings/defaults.py, installed by migration) copied into
  that estate and adopted, as `services_rubrics.copy_rubric` + `adopt_rubric` leave it
  (code "p<estate id>-hongdongli", its 8 items: five scored to 20, a deduction up to 10, the
  university bonus up to 5 and the flying-wire veto 飞线充电);
- the estate's monthly contest, its four-party panel (社区、物业、业委会、居民代表: four
  community workers of the first community sit for the four parties);
- the round of the month before the anchor, in review: opened on the 1st, scored, closed. Its
  targets are as `close_scoring` finds them just before it ranks (sheets, totals, ranks still
  empty, `ranked_at` NULL): the ranking is what the benchmark measures;
- every panellist's sheet for every unit (400,000) and a mark for every item of every sheet
  (3,200,000), value and lost as `scoring.effect` derives them, each sheet's total, lost,
  tie-break (hygiene) and veto as `scoring.sheet_totals` adds them up, and an evidence photo
  name wherever `scoring.clean_mark` asks for one.

The marks have the spread a real month has: most units at full marks (many ties, broken by
the bonus, deductions and hygiene, the rest shared), some with points lost on the scored items
where panellists disagree by half a point or a point (the trimmed mean differs from the
mean), some verified uncivil behaviour, a few university bonuses, ~1% of units vetoed by one
to four panellists, and prams and wheelchairs in corridors marked exempt by most panellists
(the others deducted: what a correction in review is for). The shares are below.
"""

from datetime import UTC, date, datetime, timedelta

from .copy import DAY, NULL, ts

ESTATE_CODE = "CONTEST-100K"
ESTATE_NAME = "十万单元"
BUILDINGS = 50_000
UNITS_PER_BUILDING = 2
UNITS = BUILDINGS * UNITS_PER_BUILDING
PANEL = ["community", "property", "owners_committee", "residents"]
TEMPLATE = "hongdongli"  # linju.ratings.defaults.CONTEST

# Shares of units (targets) and marks; points are counted in half points (STEP = 0.5).
CLEAN = 0.55  # no point lost on any scored item (before the panellists' own noise)
ITEM_LOST = 0.35  # otherwise, each scored item loses 0.5–4 points with this chance
NOISE = 0.2  # a panellist marks one scored item 0.5–1 point off the others
UNCIVIL = 0.06  # verified uncivil behaviour: 1–5 points deducted…
UNCIVIL_SEEN = 0.85  # …by each panellist with this chance
BONUS = 0.01  # a student admitted to university: 0.5–5 points, by every panellist
VETO = 0.01  # flying-wire charging seen by 1–4 panellists (one is enough)
PRAM = 0.04  # a pram or wheelchair in the corridor…
PRAM_EXEMPT = 0.75  # …marked exempt by each panellist with this chance (else 1–2 points lost)

PLACE_COLUMNS = "id, kind, name, code, path, parent_id"
ENTRY_COLUMNS = "id, sheet_id, item_id, points, exempt, vetoed, note, photo, value, lost"
SHEET_COLUMNS = (
    "id, round_id, target_id, panellist_id, note, total, lost, tiebreak, vetoed, submitted_at,"
    " updated_at"
)
ITEM_COLUMNS = (
    "position, code, title, description, kind, max_points, exemptions, evidence_required, tiebreak"
)

# Half points as numeric text, for every value a mark or a sheet can hold.
_HALF = {h: f"{'-' if h < 0 else ''}{abs(h) // 2}.{5 if h % 2 else 0}" for h in range(-40, 440)}
NOTES = {
    "hygiene": "楼道堆放杂物",
    "exempt": "婴儿车、轮椅，不扣分",
    "uncivil": "高空抛物，经核实",
    "university": "考取大学",
    "flying_wire": "飞线充电",
}


def expected(plan) -> int:
    places = 1 + BUILDINGS + UNITS
    # rubric and items, contest, panel, round and its panel, targets, sheets, marks
    return places + 1 + 8 + 1 + 4 + 1 + 4 + UNITS + 4 * UNITS + 32 * UNITS


def period_of(anchor: int) -> date:
    """The month before the anchor's: the last month whose scoring can be over."""
    day = datetime.fromtimestamp(anchor, UTC).date()
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def _midnight_shanghai(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) - 8 * 3600


def fill(ctx):
    plan, rng, conn = ctx.plan, ctx.rng, ctx.conn
    community = plan.communities[0]
    staff = plan.community_staff(community)[: len(PANEL)]
    boss = staff[0]
    created = ts(plan.anchor - 400 * DAY)

    # --- the estate: 50,000 buildings of 2 units ----------------------------------------
    estate_id = ctx.next_id("places_place")
    estate_path = f"{community.path}{estate_id:010d}/"
    places = [f"{estate_id}\testate\t{ESTATE_NAME}\t{ESTATE_CODE}\t{estate_path}\t{community.id}\n"]
    units = []  # (id, label)
    pk = estate_id
    for b in range(1, BUILDINGS + 1):
        pk += 1
        bid, bpath = pk, f"{estate_path}{pk:010d}/"
        places.append(f"{bid}\tbuilding\t{b}栋\tB{b:05d}\t{bpath}\t{estate_id}\n")
        for u in range(1, UNITS_PER_BUILDING + 1):
            pk += 1
            places.append(f"{pk}\tunit\t{u}单元\tU{u}\t{bpath}{pk:010d}/\t{bid}\n")
            units.append((pk, f"{community.name} {ESTATE_NAME} {b}栋 {u}单元"))
    ctx.copy("places_place", PLACE_COLUMNS, places)
    del places

    # --- the adopted rubric, copied from the template ------------------------------------
    template_id = conn.execute(
        "SELECT id FROM ratings_rubric WHERE code = %s AND version = 1 AND place_id IS NULL",
        (TEMPLATE,),
    ).fetchone()[0]
    name, description = conn.execute(
        "SELECT name, description FROM ratings_rubric WHERE id = %s", (template_id,)
    ).fetchone()
    template_items = conn.execute(
        f"SELECT {ITEM_COLUMNS} FROM ratings_rubricitem WHERE rubric_id = %s ORDER BY position, id",
        (template_id,),
    ).fetchall()
    rubric_id = ctx.next_id("ratings_rubric")
    adopted = ts(plan.anchor - 300 * DAY)
    ctx.copy(
        "ratings_rubric",
        "id, purpose, code, version, name, description, path, status, comments_open,"
        " created_at, adopted_at, adopted_by_id, based_on_id, created_by_id, place_id, topic_id",
        [
            f"{rubric_id}\tcontest\tp{estate_id}-{TEMPLATE}\t1\t{name}\t{description}\t"
            f"{estate_path}\tadopted\tf\t{created}\t{adopted}\t{boss}\t{template_id}\t{boss}\t"
            f"{estate_id}\t{NULL}\n"
        ],
    )
    first_item = ctx.next_id("ratings_rubricitem")
    items = []  # (id, code, kind, max half points, tiebreak, evidence)
    lines = []
    for i, (pos, code, title, text, kind, max_points, exempt, evidence, tie) in enumerate(
        template_items
    ):
        item_id = first_item + i
        items.append((item_id, code, kind, int(max_points * 2), tie, evidence))
        lines.append(
            f"{item_id}\t{rubric_id}\t{pos}\t{code}\t{title}\t{text}\t{kind}\t{max_points}\t"
            f"{exempt}\t{'t' if evidence else 'f'}\t{'t' if tie else 'f'}\n"
        )
    ctx.copy("ratings_rubricitem", f"id, rubric_id, {ITEM_COLUMNS}", lines)
    kinds = [kind for _, _, kind, _, _, _ in items]
    if kinds != ["score"] * 5 + ["deduction", "bonus", "veto"]:
        raise RuntimeError(f"the contest template changed ({kinds}): update bench/city/contest.py")

    # --- contest, panel, round ------------------------------------------------------------
    contest_id = ctx.next_id("ratings_contest")
    ctx.copy(
        "ratings_contest",
        "id, path, purpose, name, target_kind, period, aggregation, trim, flags, scoring_days,"
        " award_places, award_percent, head_percent, head_bonus_percent, fee_fen_per_sqm_month,"
        " active, created_at, created_by_id, party_organisation_id, place_id, rubric_id",
        [
            f"{contest_id}\t{estate_path}\tcontest\t{ESTATE_NAME}文明单元评比\tunit\tmonth\tmean\t"
            f"1\t3\t7\t3\t10\t10\t10\t150\tt\t{adopted}\t{boss}\t{NULL}\t{estate_id}\t"
            f"{rubric_id}\n"
        ],
    )
    first_seat = ctx.next_id("ratings_panellist")
    since = datetime.fromtimestamp(plan.anchor - 300 * DAY, UTC).date()
    ctx.copy(
        "ratings_panellist",
        "id, contest_id, user_id, party, since, until",
        [
            f"{first_seat + i}\t{contest_id}\t{uid}\t{party}\t{since}\t{NULL}\n"
            for i, (uid, party) in enumerate(zip(staff, PANEL, strict=True))
        ],
    )
    start = period_of(plan.anchor)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    opened = _midnight_shanghai(start)
    scoring = opened + 20 * DAY
    review = plan.anchor - 3600
    round_id = ctx.next_id("ratings_round")
    ctx.copy(
        "ratings_round",
        "id, path, period_start, status, due_on, aggregation, trim, flags, opened_at, scoring_at,"
        " review_at, ranked_at, reminded_at, published_at, locked_at, contest_id, opened_by_id,"
        " place_id, published_by_id, rubric_id",
        [
            f"{round_id}\t{estate_path}\t{start}\treview\t{end + timedelta(days=7)}\tmean\t1\t3\t"
            f"{ts(opened)}\t{ts(scoring)}\t{ts(review)}\t{NULL}\t{NULL}\t{NULL}\t{NULL}\t"
            f"{contest_id}\t{boss}\t{estate_id}\t{NULL}\t{rubric_id}\n"
        ],
    )
    first_rp = ctx.next_id("ratings_roundpanellist")
    ctx.copy(
        "ratings_roundpanellist",
        "id, round_id, user_id, party",
        [
            f"{first_rp + i}\t{round_id}\t{uid}\t{party}\n"
            for i, (uid, party) in enumerate(zip(staff, PANEL, strict=True))
        ],
    )

    # --- targets, marks, sheets -----------------------------------------------------------
    first_target = ctx.next_id("ratings_target")
    with (
        ctx.indexes_rebuilt("ratings_target"),
        ctx.indexes_rebuilt("ratings_sheet"),
        ctx.indexes_rebuilt("ratings_entry"),
    ):
        ctx.copy(
            "ratings_target",
            "id, round_id, place_id, member_id, label, position, sheets, total, lost, tiebreak,"
            " vetoed, rank, flag, stars",
            (
                f"{first_target + i}\t{round_id}\t{uid}\t{NULL}\t{label}\t{i}\t0\t{NULL}\t{NULL}"
                f"\t{NULL}\tf\t{NULL}\tf\t{NULL}\n"
                for i, (uid, label) in enumerate(units)
            ),
        )
        sheets = []
        marks = _marks(
            rng,
            items,
            staff,
            sheets,
            round_id=round_id,
            first_target=first_target,
            first_sheet=ctx.next_id("ratings_sheet"),
            first_entry=ctx.next_id("ratings_entry"),
            window=(scoring, review),
            photo_dir=f"ratings/{start:%Y/%m}",
        )
        # Marks first, their sheets' totals gathered on the way (the foreign key to the sheet
        # is checked at the stage's end); then the sheets, 400,000 short lines.
        ctx.copy("ratings_entry", ENTRY_COLUMNS, marks)
        ctx.copy("ratings_sheet", SHEET_COLUMNS, sheets)


def _marks(
    rng,
    items,
    panel,
    sheets,
    *,
    round_id,
    first_target,
    first_sheet,
    first_entry,
    window,
    photo_dir,
):
    """Yield the marks' COPY lines, unit by unit and panellist by panellist; append each
    sheet's line (with the totals of its marks) to `sheets`."""
    random_, randint, choice = rng.random, rng.randint, rng.choice
    (s1, s2, s3, s4, s5, uncivil, university, veto) = items
    scored = [s1, s2, s3, s4, s5]
    hygiene = next(i for i, it in enumerate(scored) if it[1] == "hygiene")
    tie = next(i for i, it in enumerate(scored) if it[4])
    full = [it[3] for it in scored]
    max_deduction, max_bonus = uncivil[3], university[3]
    half = _HALF
    plain = {}  # (item position, half points) → the line's middle part, for marks without note

    def body(item, points, value, lost, exempt="f", vetoed="f", note="", photo=""):
        return (
            f"{item[0]}\t{half[points]}\t{exempt}\t{vetoed}\t{note}\t{photo}\t{half[value]}\t"
            f"{half[lost]}\n"
        )

    for pos, it in enumerate(scored):
        for p in range(full[pos] + 1):
            plain[(pos, p)] = body(it, p, p, full[pos] - p)
    no_uncivil = body(uncivil, 0, 0, 0)
    no_bonus = body(university, 0, 0, 0)
    no_veto = body(veto, 0, 0, 0)

    entry = first_entry
    sheet = first_sheet
    span = window[1] - window[0]
    n_panel = len(panel)
    for t in range(UNITS):
        target = first_target + t
        # What the unit is like this month: points lost per scored item (half points).
        if random_() < CLEAN:
            lost = [0, 0, 0, 0, 0]
        else:
            lost = [randint(1, 8) if random_() < ITEM_LOST else 0 for _ in range(5)]
        ded = randint(2, max_deduction) if random_() < UNCIVIL else 0
        bonus = randint(1, max_bonus) if random_() < BONUS else 0
        vetoers = set(rng.sample(range(n_panel), randint(1, n_panel))) if random_() < VETO else ()
        pram = random_() < PRAM
        for p, panellist in enumerate(panel):
            marks = list(lost)
            if random_() < NOISE:
                k = randint(0, 4)
                marks[k] = min(full[k], max(0, marks[k] + choice((-2, -1, 1, 2))))
            exempt = pram and random_() < PRAM_EXEMPT
            if pram and not exempt:
                marks[hygiene] = min(full[hygiene], marks[hygiene] + randint(2, 4))
            total = lost_sum = 0
            lines = []
            for k in range(5):
                points = full[k] - marks[k]
                if k == hygiene and (exempt or marks[k]):
                    photo = f"{photo_dir}/{entry + k:032x}.jpg"
                    if exempt:  # what was seen is not held against the unit
                        line = body(scored[k], points, full[k], 0, "t", "f", NOTES["exempt"], photo)
                        value, item_lost = full[k], 0
                    else:
                        line = body(
                            scored[k], points, points, marks[k], "f", "f", NOTES["hygiene"], photo
                        )
                        value, item_lost = points, marks[k]
                else:
                    line = plain[(k, points)]
                    value, item_lost = points, marks[k]
                lines.append(line)
                total += value
                lost_sum += item_lost
                if k == tie:
                    tiebreak = value
            if ded and random_() < UNCIVIL_SEEN:
                photo = f"{photo_dir}/{entry + 5:032x}.jpg"
                lines.append(body(uncivil, ded, -ded, ded, "f", "f", NOTES["uncivil"], photo))
                total -= ded
                lost_sum += ded
            else:
                lines.append(no_uncivil)
            if bonus:
                photo = f"{photo_dir}/{entry + 6:032x}.jpg"
                lines.append(
                    body(university, bonus, bonus, 0, "f", "f", NOTES["university"], photo)
                )
                total += bonus
            else:
                lines.append(no_bonus)
            vetoed = p in vetoers
            if vetoed:
                photo = f"{photo_dir}/{entry + 7:032x}.jpg"
                lines.append(body(veto, 0, 0, 0, "f", "t", NOTES["flying_wire"], photo))
            else:
                lines.append(no_veto)
            prefix = f"\t{sheet}\t"
            for line in lines:
                yield f"{entry}{prefix}{line}"
                entry += 1
            at = ts(window[0] + (t * n_panel + p) * span // (UNITS * n_panel))
            sheets.append(
                f"{sheet}\t{round_id}\t{target}\t{panellist}\t\t{half[total]}\t{half[lost_sum]}\t"
                f"{half[tiebreak]}\t{'t' if vetoed else 'f'}\t{at}\t{at}\n"
            )
            sheet += 1
