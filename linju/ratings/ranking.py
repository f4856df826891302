"""The month's ranking (seed 001: 每月积分排名, 得分最高的三个单元获得流动红旗), computed by the
database in one statement for a round of any size, on SQLite and PostgreSQL alike.

Per item, the mean of the panellists' marks (or the trimmed mean: the `trim` highest and
lowest dropped where more than 2 × trim panellists marked it), summed over the items. Every
submitted sheet holds a mark for every item, so with the plain mean the sum of the items' means
is the mean of the sheets' totals: that path reads one row a sheet, not one a mark. A veto on
any sheet (一票否决: one vote is enough) sets the total to zero and keeps the target from the
flag. Totals are compared as published, to two decimals; ties go to fewer points deducted,
then to the higher score on the rubric's tie-break item (hygiene), and are otherwise shared:
a shared rank inside the top N gets the flag. Targets nobody scored get no rank."""

from django.db import connection

from .models import Aggregation, Purpose

_MEAN = """
agg AS (
    SELECT target_id, COUNT(*) AS n,
           ROUND(AVG(total), 2) AS total, ROUND(AVG(lost), 2) AS lost,
           ROUND(AVG(tiebreak), 2) AS tiebreak,
           MAX(CASE WHEN vetoed THEN 1 ELSE 0 END) AS vetoed
    FROM ratings_sheet WHERE round_id = %s GROUP BY target_id
)"""

_TRIMMED = """
marks AS (
    SELECT s.target_id, e.item_id, e.value, e.lost,
           ROW_NUMBER() OVER (PARTITION BY s.target_id, e.item_id ORDER BY e.value, e.id) AS rn,
           COUNT(*) OVER (PARTITION BY s.target_id, e.item_id) AS n
    FROM ratings_entry e JOIN ratings_sheet s ON s.id = e.sheet_id
    WHERE s.round_id = %s
),
items AS (
    SELECT target_id, item_id, AVG(value) AS value, AVG(lost) AS lost
    FROM marks WHERE n <= 2 * %s OR (rn > %s AND rn <= n - %s)
    GROUP BY target_id, item_id
),
sheets AS (
    SELECT target_id, COUNT(*) AS n, MAX(CASE WHEN vetoed THEN 1 ELSE 0 END) AS vetoed
    FROM ratings_sheet WHERE round_id = %s GROUP BY target_id
),
agg AS (
    SELECT i.target_id, MAX(sh.n) AS n, ROUND(SUM(i.value), 2) AS total,
           ROUND(SUM(i.lost), 2) AS lost,
           ROUND(SUM(CASE WHEN ri.tiebreak THEN i.value ELSE 0 END), 2) AS tiebreak,
           MAX(sh.vetoed) AS vetoed
    FROM items i
    JOIN ratings_rubricitem ri ON ri.id = i.item_id
    JOIN sheets sh ON sh.target_id = i.target_id
    GROUP BY i.target_id
)"""

_RANK = """,
ranked AS (
    SELECT t.id, COALESCE(a.n, 0) AS n, a.lost, a.tiebreak,
           CASE WHEN a.vetoed = 1 THEN TRUE ELSE FALSE END AS vetoed,
           CASE WHEN a.vetoed = 1 THEN 0 ELSE a.total END AS total,
           CASE WHEN a.n IS NULL THEN NULL ELSE RANK() OVER (
               ORDER BY CASE WHEN a.n IS NULL THEN 1 ELSE 0 END, COALESCE(a.vetoed, 0),
                        CASE WHEN a.vetoed = 1 THEN 0 ELSE a.total END DESC,
                        a.lost, a.tiebreak DESC
           ) END AS rank
    FROM ratings_target t LEFT JOIN agg a ON a.target_id = t.id
    WHERE t.round_id = %s
),
final AS (
    SELECT id, n, lost, tiebreak, vetoed, total, rank,
           CASE WHEN rank <= %s AND NOT vetoed THEN TRUE ELSE FALSE END AS flag,
           CASE WHEN vetoed THEN CAST(NULL AS INTEGER) ELSE {stars} END AS stars
    FROM ranked
)
UPDATE ratings_target SET
    sheets = f.n, total = f.total, lost = f.lost, tiebreak = f.tiebreak, vetoed = f.vetoed,
    rank = f.rank, flag = f.flag, stars = f.stars
FROM final f
WHERE ratings_target.id = f.id AND ({changed})"""

# Only rows whose result changes are written: a correction in review ranks the round again,
# and in a large round it moves few targets.
_COLUMNS = [
    ("sheets", "n"),
    ("total", "total"),
    ("lost", "lost"),
    ("tiebreak", "tiebreak"),
    ("vetoed", "vetoed"),
    ("rank", "rank"),
    ("flag", "flag"),
    ("stars", "stars"),
]


def _changed() -> str:
    # Null-safe "differs": PostgreSQL's IS DISTINCT FROM; SQLite's IS NOT (which older SQLite
    # releases, still shipped with Python, know under no other name).
    op = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    return " OR ".join(f"ratings_target.{col} {op} f.{value}" for col, value in _COLUMNS)


def rank_round(round_) -> int:
    """Compute and store every target's total, rank, flag (and stars); returns how many
    targets changed. Called inside the caller's transaction, with the round locked."""
    if round_.aggregation == Aggregation.TRIMMED:
        k = round_.trim
        head, params = _TRIMMED, [round_.pk, k, k, k, round_.pk]
    else:
        head, params = _MEAN, [round_.pk]
    flags = round_.flags if round_.contest.purpose == Purpose.CONTEST else 0
    stars, star_params = _stars_case(round_)
    sql = "WITH " + head + _RANK.format(stars=stars, changed=_changed())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # For this statement only: compiling it (JIT) costs more than it saves, and the
            # rank's sort of a large round should not spill to disk.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(sql, [*params, round_.pk, flags, *star_params])
        return cursor.rowcount


def _stars_case(round_) -> tuple[str, list]:
    """星级 from the rubric's bands, highest band first; NULL where no band is reached."""
    none = "CAST(NULL AS INTEGER)"  # typed: PostgreSQL compares it with the stars column
    if round_.contest.purpose != Purpose.STARS:
        return none, []
    bands = list(round_.rubric.bands.order_by("-min_score").values_list("min_score", "stars"))
    if not bands:
        return none, []
    # SQLite compares a computed REAL with a Decimal parameter (sent as text) as text.
    whens = " ".join("WHEN total >= CAST(%s AS NUMERIC) THEN %s" for _ in bands)
    return f"CASE {whens} ELSE NULL END", [v for band in bands for v in band]
