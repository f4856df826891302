"""Household roster import (户籍台账导入): staff load a community's estates, buildings, units,
households and owners from the property company's XLSX or CSV roster, so residents find their
household already there and owners are verified from day one (seed 002: households are the
unit of owners' votes, weighted by exclusive floor area).

How it stays fast and whole (DESIGN §7 "Bulk loads"):
1. The file is streamed (csv module; openpyxl read-only) and every row validated in Python in
   one pass; valid rows go to a temporary staging table (PostgreSQL COPY, SQLite executemany).
2. Checks that need the whole file (duplicate rooms, one mobile with two names) are SQL over the
   staging table. Any problem rejects the file whole, listing each bad row and column.
3. Set-based statements then upsert places, households, users and residencies. A re-import of
   the same file changes nothing. Everything runs in one transaction with one audit event.
"""

import codecs
import csv
import hashlib
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from linju.core import access, audit, uploads
from linju.core.errors import Invalid
from linju.places.codes import ALPHABET, LENGTH
from linju.places.models import PATH_WIDTH, Household, Place, PlaceKind

from .models import Relation, Residency, ResidencyStatus, User, mobile_validator

FIELDS = ("estate", "building", "unit", "room", "floor", "area", "owner_name", "mobile")
FIELD_LABELS = {
    "estate": gettext_lazy("Estate"),
    "building": gettext_lazy("Building"),
    "unit": gettext_lazy("Unit"),
    "room": gettext_lazy("Room"),
    "floor": gettext_lazy("Floor"),
    "area": gettext_lazy("Area (m²)"),
    "owner_name": gettext_lazy("Owner name"),
    "mobile": gettext_lazy("Mobile"),
}
# Header spellings seen in rosters, compared after _header_key() (lower case, no spaces, no
# bracketed units): "建筑面积（㎡）" → "建筑面积".
HEADER_ALIASES = {
    "estate": ("estate", "小区", "小区名称"),
    "building": ("building", "楼栋", "楼号", "栋"),
    "unit": ("unit", "单元"),
    "room": ("room", "房号", "室", "房间号", "门牌号"),
    "floor": ("floor", "楼层", "层"),
    "area": ("area", "面积", "建筑面积", "专有面积"),
    "owner_name": ("ownername", "owner", "name", "业主姓名", "姓名", "业主"),
    "mobile": ("mobile", "phone", "手机", "手机号", "手机号码", "联系电话"),
}
_ALIAS_TO_FIELD = {alias: f for f, aliases in HEADER_ALIASES.items() for alias in aliases}
TEMPLATE_HEADERS = ("小区", "楼栋", "单元", "房号", "楼层", "面积", "业主姓名", "手机号")
TEMPLATE_EXAMPLE = ("阳光花园", "1栋", "1单元", "101", "1", "88.50", "张三", "13800000000")

PLACE_NAME_MAX = Place._meta.get_field("code").max_length  # the name doubles as the code
ROOM_MAX = Household._meta.get_field("room").max_length
OWNER_NAME_MAX = User._meta.get_field("name").max_length
FLOOR_RANGE = (-20, 300)
AREA_MAX = Decimal("1000000")
CENT = Decimal("0.01")
MAX_ERRORS = 1000  # listed; a file with more is still rejected, with the total given
BATCH = 10_000
ANALYZE_AFTER = 10_000  # rows written to a table before its planner statistics are refreshed
_MOBILE = re.compile(mobile_validator.regex.pattern)
_AREA_UNITS = ("平方米", "平米", "㎡", "m²", "M²", "m2", "M2")


@dataclass(frozen=True)
class RowError:
    """One problem: `row` as a spreadsheet shows it (the header is row 1), `field` one of
    FIELDS (or "file"), `column` the header as written in the file."""

    row: int
    field: str
    column: str
    message: str


class RosterInvalid(Invalid):
    """The whole file is rejected; `problems` lists up to MAX_ERRORS of `total` problems."""

    def __init__(self, problems: list[RowError], total: int | None = None):
        self.problems = sorted(
            problems, key=lambda p: (p.row, FIELDS.index(p.field) + 1 if p.field in FIELDS else 0)
        )
        self.total = total if total is not None else len(problems)
        errors: dict[str, list[str]] = {}
        for p in self.problems:
            key = "file" if p.field == "file" else f"rows.{p.row}.{p.field}"
            errors.setdefault(key, []).append(p.message)
        message = ngettext(
            "The file has %(n)d problem; nothing was imported.",
            "The file has %(n)d problems; nothing was imported.",
            self.total,
        ) % {"n": self.total}
        super().__init__(errors, message=message)


@dataclass
class RosterResult:
    rows: int = 0
    households_created: int = 0
    households_updated: int = 0
    households_unchanged: int = 0
    estates_created: int = 0
    buildings_created: int = 0
    units_created: int = 0
    residencies_created: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


# --- Reading files --------------------------------------------------------------------------


def _header_key(text: str) -> str:
    text = re.sub(r"[(（\[【].*?[)）\]】]", "", str(text).lstrip("\ufeff"))
    return re.sub(r"[\s_\-]", "", text).lower()


def _cell_text(value) -> str:
    """Spreadsheet cells come typed: 13800000000 (int), 88.5 or 3.0 (float); make them text."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _sha256(file) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    while chunk := file.read(1 << 20):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def _csv_lines(file, problems) -> Iterator[str]:
    """Decoded lines of a CSV file: UTF-8 (with or without BOM), else GB18030 as saved by Excel
    on Chinese Windows. Splits on "\\n" only, so "\\r\\n" across chunks stays one line end."""
    first = file.read(1 << 16)
    encoding = "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(first, final=False)
    except UnicodeDecodeError:
        encoding = "gb18030"
    decoder = codecs.getincrementaldecoder(encoding)()
    pending = ""
    chunk = first
    while chunk:
        try:
            text = pending + decoder.decode(chunk)
        except UnicodeDecodeError:
            problems.append(
                RowError(0, "file", "", _("The file is neither UTF-8 nor GB18030 text."))
            )
            return
        *lines, pending = text.split("\n")
        for line in lines:
            yield line + "\n"
        chunk = file.read(1 << 20)
    pending += decoder.decode(b"", final=True)
    if pending:
        yield pending


def _kind(file) -> uploads.Kind:
    """XLSX or CSV (text), from the file's bytes, never its name (core.uploads.ROSTER)."""
    try:
        return uploads.sniff(file, use=uploads.ROSTER, field="file")
    except Invalid as exc:
        raise RosterInvalid([RowError(0, "file", "", exc.errors["file"][0])]) from None


def _records(file, kind: uploads.Kind, problems: list) -> Iterator[list[str]]:
    """Rows of the first sheet (XLSX) or of the CSV, as lists of strings."""
    file.seek(0)
    if kind is uploads.XLSX:
        yield from _xlsx_records(file, problems)
    else:
        try:
            yield from csv.reader(_csv_lines(file, problems))
        except csv.Error as exc:
            problems.append(RowError(0, "file", "", _("The CSV file is malformed: %s") % exc))


def _xlsx_records(file, problems) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged zip or workbook
        problems.append(RowError(0, "file", "", _("The file is not a readable XLSX workbook.")))
        return
    try:
        for values in book.worksheets[0].iter_rows(values_only=True):
            yield [_cell_text(v) for v in values]
    finally:
        book.close()


def _find_header(records, problems) -> tuple[int, list[str], dict[str, int]]:
    """The header is the first row naming at least three known columns (a title row may sit
    above it). Returns its row number, its cells and field → column index."""
    candidates = []
    for rn, cells in enumerate(records, start=1):
        if not any(c.strip() for c in cells):
            continue
        known = [_ALIAS_TO_FIELD.get(_header_key(c)) for c in cells]
        candidates.append((rn, cells, known))
        if len(set(filter(None, known))) >= 3 or len(candidates) >= 10:
            break
    if not candidates:
        problems.append(RowError(0, "file", "", _("The file is empty.")))
        return 0, [], {}
    rn, cells, known = next(
        (c for c in candidates if len(set(filter(None, c[2]))) >= 3), candidates[0]
    )
    colmap: dict[str, int] = {}
    for i, field in enumerate(known):
        if not field:
            continue
        if field in colmap:
            problems.append(
                RowError(
                    rn,
                    field,
                    cells[i],
                    _("Column %(column)s appears twice.") % {"column": FIELD_LABELS[field]},
                )
            )
        colmap[field] = i
    for field in FIELDS:
        if field not in colmap:
            label = FIELD_LABELS[field]
            problems.append(
                RowError(
                    rn, field, str(label), _("Column missing: %(column)s.") % {"column": label}
                )
            )
    return rn, cells, colmap


# --- Validating and staging -----------------------------------------------------------------

# Unbiased random invite codes at C speed: bytes outside the alphabet's multiple are dropped.
_KEEP = 256 - 256 % len(ALPHABET)
_TO_ALPHABET = bytes(ord(ALPHABET[b % len(ALPHABET)]) for b in range(_KEEP)) + bytes(256 - _KEEP)
_DROP = bytes(range(_KEEP, 256))


def invite_codes() -> Iterator[str]:
    """An endless supply of codes like places.codes.new_invite_code(), thousands at a time."""
    while True:
        pool = secrets.token_bytes(LENGTH * 4096).translate(_TO_ALPHABET, _DROP).decode()
        for i in range(0, len(pool) - LENGTH + 1, LENGTH):
            yield pool[i : i + LENGTH]


class _Places:
    """Estates, buildings and units named in the file, keyed by small integers the staging
    rows carry instead of three names; key 0 is the community."""

    def __init__(self):
        self.rows = [(0, PlaceKind.COMMUNITY.value, "", None)]
        self.keys: dict[tuple, int] = {}
        self.units: dict[tuple[str, str, str], int] = {}

    def _key(self, kind, name, parent_key):
        key = self.keys.get((kind, name, parent_key))
        if key is None:
            key = self.keys[(kind, name, parent_key)] = len(self.rows)
            self.rows.append((key, kind, name, parent_key))
        return key

    def unit_key(self, estate, building, unit) -> int:
        e = self._key(PlaceKind.ESTATE.value, estate, 0)
        b = self._key(PlaceKind.BUILDING.value, building, e)
        key = self.units[(estate, building, unit)] = self._key(PlaceKind.UNIT.value, unit, b)
        return key


def _stage(records, first_rn, header, colmap, places: _Places, loader, problems, progress):
    """Validate every row in one pass and stream the good ones to the staging table.
    Returns the number of data rows (blank rows are skipped, not counted)."""
    width = len(header)
    i_estate, i_building, i_unit, i_room, i_floor, i_area, i_name, i_mobile = (
        colmap[f] for f in FIELDS
    )
    column = {f: header[i] for f, i in colmap.items()}
    units = places.units
    codes = invite_codes()
    lo_floor, hi_floor = FLOOR_RANGE
    batch, rows = [], 0
    msg_required = _("Required.")

    def bad(rn, field, message):
        problems.append(RowError(rn, field, column[field], str(message)))

    for rn, cells in enumerate(records, start=first_rn + 1):
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        estate, building, unit = (
            cells[i_estate].strip(),
            cells[i_building].strip(),
            cells[i_unit].strip(),
        )
        room, floor_s, area_s = cells[i_room].strip(), cells[i_floor].strip(), cells[i_area].strip()
        name, mobile = cells[i_name].strip(), cells[i_mobile].strip()
        if not (estate or building or unit or room or floor_s or area_s or name or mobile):
            continue
        rows += 1
        n_before = len(problems)
        unit_key = units.get((estate, building, unit))
        if unit_key is None:
            for field, value in (("estate", estate), ("building", building), ("unit", unit)):
                if not value:
                    bad(rn, field, msg_required)
                elif len(value) > PLACE_NAME_MAX:
                    bad(rn, field, _("At most %d characters.") % PLACE_NAME_MAX)
            if len(problems) == n_before:
                unit_key = places.unit_key(estate, building, unit)
        if not room:
            bad(rn, "room", msg_required)
        elif len(room) > ROOM_MAX:
            bad(rn, "room", _("At most %d characters.") % ROOM_MAX)
        try:
            floor = int(floor_s)
            if not lo_floor <= floor <= hi_floor:
                bad(
                    rn,
                    "floor",
                    _("A floor between %(lo)d and %(hi)d.") % {"lo": lo_floor, "hi": hi_floor},
                )
        except ValueError:
            bad(rn, "floor", _("A whole number, like 5 or -1.") if floor_s else msg_required)
        area = _area(area_s)
        if isinstance(area, str):
            bad(rn, "area", area)
        if len(name) > OWNER_NAME_MAX:
            bad(rn, "owner_name", _("At most %d characters.") % OWNER_NAME_MAX)
        if mobile and not _MOBILE.fullmatch(mobile):
            mobile = _clean_mobile(mobile)
            if not _MOBILE.fullmatch(mobile):
                bad(rn, "mobile", mobile_validator.message)
        elif not mobile and name:
            bad(rn, "mobile", _("Give the owner's mobile number, or leave the name empty."))
        if len(problems) == n_before:
            batch.append((rn, unit_key, room, floor, area, name, mobile, next(codes)))
            if len(batch) >= BATCH:
                loader(batch)
                batch = []
        if progress and rows % BATCH == 0:
            progress(BATCH)
    if batch:
        loader(batch)
    if progress and rows % BATCH:
        progress(rows % BATCH)
    return rows


def _area(text: str):
    """The area as a 2-decimal string, or an error message (a str that is not a number)."""
    if not text:
        return str(_("Required."))
    if not text[-1].isdigit():
        for unit in _AREA_UNITS:
            text = text.removesuffix(unit)
        text = text.strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        return str(_("A number of square metres, like 88.5."))
    if not (value.is_finite() and 0 < value < AREA_MAX):
        return str(_("Between 0 and 1,000,000 m²."))
    rounded = value.quantize(CENT)
    if rounded != value:
        return str(_("At most two decimals."))
    return rounded


def _clean_mobile(text: str) -> str:
    text = text.replace(" ", "").replace("-", "")
    return text.removeprefix("+86")


# --- Database dialects ----------------------------------------------------------------------


class Sql(str):
    """A SQL expression for _insert_select(), as opposed to a value bound as a parameter."""


STAGE_ROWS = "roster_row"
STAGE_PLACES = "roster_place"
STAGE_OWNERS = "roster_owner"
ROW_COLUMNS = ("rn", "unit_key", "room", "floor", "area", "owner_name", "mobile", "invite_code")


class _Dialect:
    """What differs between PostgreSQL and SQLite; everything else is shared SQL."""

    subquery_fence = ""

    def __init__(self, cursor):
        self.cursor = cursor

    def create_stage(self):
        c = self.cursor
        for table in (STAGE_ROWS, STAGE_PLACES, STAGE_OWNERS):
            c.execute(f"DROP TABLE IF EXISTS {table}")
        c.execute(
            f"CREATE TEMP TABLE {STAGE_ROWS} (rn integer NOT NULL, unit_key integer NOT NULL,"
            " room varchar(20) NOT NULL, floor integer NOT NULL, area numeric(8, 2) NOT NULL,"
            " owner_name varchar(50) NOT NULL, mobile varchar(11) NOT NULL,"
            " invite_code varchar(12) NOT NULL)"
        )
        c.execute(
            f"CREATE TEMP TABLE {STAGE_PLACES} (key integer PRIMARY KEY, kind varchar(16) NOT NULL,"
            " name varchar(100) NOT NULL, parent_key integer, place_id bigint,"
            " path varchar(255))"
        )

    def drop_stage(self):
        for table in (STAGE_ROWS, STAGE_PLACES, STAGE_OWNERS):
            self.cursor.execute(f"DROP TABLE {table}")

    def analyze(self, *tables):
        pass

    def pad_id(self, expr: str) -> str:
        raise NotImplementedError

    def unusable_password(self) -> str:
        raise NotImplementedError

    def new_ids(self, model) -> tuple[str, list]:
        """An expression numbering new rows of `model` inside a SELECT ordered by s.rn."""
        raise NotImplementedError


class _Postgres(_Dialect):
    # A volatile nextval() must be evaluated once per row, before the path refers to it.
    subquery_fence = "OFFSET 0"

    def create_stage(self):
        # Hash joins over a million staged rows want more than the 4 MB default; compiling
        # each big statement with JIT costs more than it saves on these simple expressions.
        self.cursor.execute("SET LOCAL work_mem = '256MB'")
        self.cursor.execute("SET LOCAL jit = off")
        super().create_stage()

    def loader(self, table, columns):
        copy_cm = self.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN")
        copy = copy_cm.__enter__()

        def write(rows):
            for row in rows:
                copy.write_row(row)

        def close():
            copy_cm.__exit__(None, None, None)

        return write, close

    def analyze(self, *tables):
        # Autovacuum never analyses temporary tables, nor sees rows this transaction has just
        # written; with stale statistics the planner picks nested loops over a million rows.
        self.cursor.execute(f"ANALYZE {', '.join(tables)}")

    def pad_id(self, expr):
        return f"lpad(CAST({expr} AS text), {PATH_WIDTH}, '0') || '/'"

    def unusable_password(self):
        return "'!' || md5(random()::text)"

    def new_ids(self, model):
        return "nextval(pg_get_serial_sequence(%s, 'id'))", [model._meta.db_table]


class _Sqlite(_Dialect):
    def loader(self, table, columns):
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"

        def write(rows):
            self.cursor.executemany(sql, rows)

        return write, lambda: None

    def pad_id(self, expr):
        return f"substr('{'0' * PATH_WIDTH}' || {expr}, -{PATH_WIDTH}) || '/'"

    def unusable_password(self):
        return "'!' || lower(hex(randomblob(20)))"

    def new_ids(self, model):
        # SQLite has one writer at a time, so max(id) cannot move under us; sqlite_sequence
        # keeps AUTOINCREMENT's promise not to reuse the ids of deleted rows.
        table = model._meta.db_table
        self.cursor.execute(
            f"SELECT max(coalesce((SELECT max(id) FROM {table}), 0),"
            " coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [table],
        )
        base = self.cursor.fetchone()[0]
        return "%s + row_number() OVER (ORDER BY s.rn)", [base]


def _dialect(cursor) -> _Dialect:
    return _Postgres(cursor) if connection.vendor == "postgresql" else _Sqlite(cursor)


def _insert_select(model, values: dict, tail: str, tail_params=()) -> tuple[str, list]:
    """INSERT INTO model's table (every concrete column) SELECT … `tail`. `values` maps field
    names to Sql expressions or plain values; other fields get their model default, so a field
    added to the model later does not break the import."""
    qn = connection.ops.quote_name
    columns, exprs, params = [], [], []
    for f in model._meta.concrete_fields:
        if f.primary_key and f.name not in values:
            continue
        value = values[f.name] if f.name in values else f.get_default()
        columns.append(qn(f.column))
        if isinstance(value, Sql):
            exprs.append(value)
        else:
            exprs.append("%s")
            params.append(f.get_db_prep_save(value, connection))
    sql = (
        f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(columns)})"
        f" SELECT {', '.join(exprs)} {tail}"
    )
    return sql, [*params, *tail_params]


# --- Whole-file checks ----------------------------------------------------------------------


def _check_file(cursor, column: dict[str, str], limit: int) -> list[RowError]:
    problems = []
    cursor.execute(
        f"SELECT s.rn, s.room, d.first_rn FROM {STAGE_ROWS} s JOIN ("
        f" SELECT unit_key, room, min(rn) AS first_rn FROM {STAGE_ROWS}"
        "  GROUP BY unit_key, room HAVING count(*) > 1) d"
        " ON d.unit_key = s.unit_key AND d.room = s.room"
        " WHERE s.rn > d.first_rn ORDER BY s.rn LIMIT %s",
        [limit],
    )
    for rn, room, first in cursor.fetchall():
        message = _("Room %(room)s of this unit is already in row %(row)d.")
        problems.append(
            RowError(rn, "room", column["room"], message % {"room": room, "row": first})
        )
    cursor.execute(
        f"SELECT s.rn, s.mobile, d.first_rn FROM {STAGE_ROWS} s JOIN ("
        f" SELECT mobile, min(rn) AS first_rn FROM {STAGE_ROWS}"
        "  WHERE mobile <> '' AND owner_name <> ''"
        "  GROUP BY mobile HAVING min(owner_name) <> max(owner_name)) d ON d.mobile = s.mobile"
        " WHERE s.owner_name <> '' ORDER BY s.rn LIMIT %s",
        [limit],
    )
    for rn, mobile, first in cursor.fetchall():
        message = _("Mobile %(mobile)s is given with different owner names (first in row %(row)d).")
        problems.append(
            RowError(rn, "mobile", column["mobile"], message % {"mobile": mobile, "row": first})
        )
    return problems


# --- Applying -------------------------------------------------------------------------------

_LEVELS = (PlaceKind.ESTATE, PlaceKind.BUILDING, PlaceKind.UNIT)


def _apply_places(d: _Dialect, community: Place, result: RosterResult) -> None:
    """Find each estate, building and unit by name under its parent, else create it (code =
    name), level by level so each level's parents are known."""
    c = d.cursor
    places = Place._meta.db_table
    c.execute(
        f"UPDATE {STAGE_PLACES} SET place_id = %s, path = %s WHERE key = 0",
        [community.pk, community.path],
    )

    def resolve(kind, column):
        c.execute(
            f"UPDATE {STAGE_PLACES} SET place_id = ("
            f" SELECT min(p.id) FROM {places} p JOIN {STAGE_PLACES} parent"
            f"  ON p.parent_id = parent.place_id"
            f" WHERE parent.key = {STAGE_PLACES}.parent_key AND p.kind = %s"
            f"  AND p.{column} = {STAGE_PLACES}.name)"
            " WHERE kind = %s AND place_id IS NULL",
            [kind, kind],
        )

    for kind in _LEVELS:
        resolve(kind, "name")
        sql, params = _insert_select(
            Place,
            {
                "kind": kind.value,
                "name": Sql("r.name"),
                "code": Sql("r.name"),
                "parent": Sql("parent.place_id"),
                "path": "",
            },
            f"FROM {STAGE_PLACES} r JOIN {STAGE_PLACES} parent ON parent.key = r.parent_key"
            " WHERE r.kind = %s AND r.place_id IS NULL"
            " ON CONFLICT (parent_id, code) DO NOTHING",
            [kind.value],
        )
        c.execute(sql, params)
        setattr(result, f"{kind.value}s_created", max(c.rowcount, 0))
        resolve(kind, "name")
        # A sibling whose code equals the name (but named otherwise) kept the insert out.
        resolve(kind, "code")
        c.execute(
            f"UPDATE {places} SET path = ("
            f" SELECT parent.path FROM {places} parent WHERE parent.id = {places}.parent_id)"
            f" || {d.pad_id(f'{places}.id')}"
            f" WHERE path = '' AND id IN (SELECT place_id FROM {STAGE_PLACES} WHERE kind = %s)",
            [kind.value],
        )
        c.execute(
            f"UPDATE {STAGE_PLACES} SET path = ("
            f" SELECT path FROM {places} WHERE id = {STAGE_PLACES}.place_id) WHERE kind = %s",
            [kind.value],
        )


def _fix_invite_code_clashes(d: _Dialect) -> None:
    """Random codes may repeat (31⁸ ≈ 8.5·10¹¹ codes; a million draws make a clash likely):
    redraw the few that clash with each other or with existing households."""
    c = d.cursor
    codes = invite_codes()
    while True:
        c.execute(
            f"SELECT s.rn FROM {STAGE_ROWS} s WHERE EXISTS ("
            f" SELECT 1 FROM {Household._meta.db_table} h WHERE h.invite_code = s.invite_code)"
            f" OR s.invite_code IN (SELECT invite_code FROM {STAGE_ROWS}"
            "  GROUP BY invite_code HAVING count(*) > 1)"
        )
        clashes = [rn for (rn,) in c.fetchall()]
        if not clashes:
            return
        c.executemany(
            f"UPDATE {STAGE_ROWS} SET invite_code = %s WHERE rn = %s",
            [(next(codes), rn) for rn in clashes],
        )


def _apply_households(d: _Dialect, now, result: RosterResult) -> None:
    c = d.cursor
    households = Household._meta.db_table
    c.execute(
        f"UPDATE {households} AS h SET floor = s.floor, area = s.area,"
        " owner_name = s.owner_name, owner_mobile = s.mobile, updated_at = %s"
        f" FROM {STAGE_ROWS} s JOIN {STAGE_PLACES} u ON u.key = s.unit_key"
        " WHERE h.unit_id = u.place_id AND h.room = s.room"
        " AND (h.floor <> s.floor OR h.area <> s.area OR h.owner_name <> s.owner_name"
        "  OR h.owner_mobile <> s.mobile)",
        [now],
    )
    result.households_updated = max(c.rowcount, 0)
    _fix_invite_code_clashes(d)
    new_id, id_params = d.new_ids(Household)
    sql, params = _insert_select(
        Household,
        {
            "id": Sql("x.id"),
            "unit": Sql("x.unit_id"),
            "room": Sql("x.room"),
            "floor": Sql("x.floor"),
            "area": Sql("x.area"),
            # Household.save() sets the same path: unit path + "h" + own segment.
            "path": Sql(f"x.unit_path || 'h' || {d.pad_id('x.id')}"),
            "invite_code": Sql("x.invite_code"),
            "owner_name": Sql("x.owner_name"),
            "owner_mobile": Sql("x.mobile"),
            "created_at": now,
            "updated_at": now,
        },
        f"FROM (SELECT {new_id} AS id, u.place_id AS unit_id, u.path AS unit_path,"
        " s.room, s.floor, s.area, s.invite_code, s.owner_name, s.mobile"
        f" FROM {STAGE_ROWS} s JOIN {STAGE_PLACES} u ON u.key = s.unit_key"
        f" WHERE NOT EXISTS (SELECT 1 FROM {households} h"
        "  WHERE h.unit_id = u.place_id AND h.room = s.room)"
        # In file order, ids, paths and (unit, room) keys all grow at their index's right edge.
        f" ORDER BY s.rn {d.subquery_fence}) x",
        id_params,
    )
    c.execute(sql, params)
    result.households_created = max(c.rowcount, 0)
    if result.households_created > ANALYZE_AFTER:
        d.analyze(households)
    result.households_unchanged = (
        result.rows - result.households_created - result.households_updated
    )


def _apply_owners(d: _Dialect, now, result: RosterResult) -> None:
    """Owners who already have an account become verified owners of their households. Nobody
    else gets an account here: the roster's names and mobiles stay on the households until the
    person signs up and consents (PIPL), and sign-up then verifies them (services.sign_up)."""
    c = d.cursor
    users = User._meta.db_table
    # The (user, household) pairs first, as a table with statistics: joined inline, the
    # planner misjudges the (unit, room) match as one row and probes residencies in a loop.
    # Only rows whose mobile has an account match, so on a first import this is small.
    c.execute(
        f"CREATE TEMP TABLE {STAGE_OWNERS} AS SELECT u.id AS user_id, h.id AS household_id"
        f" FROM {STAGE_ROWS} s JOIN {STAGE_PLACES} p ON p.key = s.unit_key"
        f" JOIN {Household._meta.db_table} h ON h.unit_id = p.place_id AND h.room = s.room"
        f" JOIN {users} u ON u.mobile = s.mobile WHERE s.mobile <> ''"
    )
    d.analyze(STAGE_OWNERS)
    residencies = Residency._meta.db_table
    live = [ResidencyStatus.PENDING.value, ResidencyStatus.VERIFIED.value]
    sql, params = _insert_select(
        Residency,
        {
            "user": Sql("o.user_id"),
            "household": Sql("o.household_id"),
            "relation": Relation.OWNER.value,
            "status": ResidencyStatus.VERIFIED.value,
            "source": "roster",
            "requested_at": now,
            "decided_at": now,
            # The import's one audit event names who decided; leaving decided_by empty spares
            # a million foreign-key checks at commit (~5 s per million rows on PostgreSQL).
            "decided_by": None,
        },
        f"FROM {STAGE_OWNERS} o WHERE NOT EXISTS (SELECT 1 FROM {residencies} r"
        "  WHERE r.user_id = o.user_id AND r.household_id = o.household_id"
        "  AND r.status IN (%s, %s)) ORDER BY o.household_id",
        live,
    )
    c.execute(sql, params)
    result.residencies_created = max(c.rowcount, 0)


# --- The service ----------------------------------------------------------------------------


def _community(community_id) -> Place:
    try:
        return Place.objects.get(pk=int(community_id), kind=PlaceKind.COMMUNITY)
    except (Place.DoesNotExist, TypeError, ValueError):
        raise Invalid({"community": _("Choose a community.")}) from None


def import_roster(
    *,
    actor,
    community_id,
    file,
    filename: str,
    progress: Callable[[int], None] | None = None,
) -> RosterResult:
    """Import a household roster (XLSX or CSV) into a community, all or nothing.

    `actor` needs people.import_roster at the community; None means the system (an operator
    running the management command). `file` is a seekable binary file. `progress` is called
    with the number of rows read since its last call. Raises RosterInvalid listing every bad
    row and column; returns the counts otherwise."""
    community = _community(community_id)
    if actor is not None:
        access.require(actor, "people.import_roster", community)
    kind = _kind(file)
    digest = _sha256(file)
    problems: list[RowError] = []
    result = RosterResult()
    now = timezone.now()
    with transaction.atomic():
        # One import per community at a time: the second waits instead of racing the first.
        Place.objects.select_for_update().filter(pk=community.pk).first()
        with connection.cursor() as cursor:
            d = _dialect(cursor)
            d.create_stage()
            records = iter(_records(file, kind, problems))
            header_rn, header, colmap = _find_header(records, problems)
            if problems:
                raise RosterInvalid(problems)
            places = _Places()
            write, close = d.loader(STAGE_ROWS, ROW_COLUMNS)
            try:
                result.rows = _stage(
                    records, header_rn, header, colmap, places, write, problems, progress
                )
            finally:
                close()
            if not result.rows and not problems:
                problems.append(RowError(header_rn, "file", "", _("The file has no rows.")))
            column = {f: header[i] for f, i in colmap.items()}
            problems += _check_file(cursor, column, MAX_ERRORS)
            if problems:
                raise RosterInvalid(problems[:MAX_ERRORS], total=len(problems))
            write, close = d.loader(STAGE_PLACES, ("key", "kind", "name", "parent_key"))
            write(places.rows)
            close()
            d.analyze(STAGE_ROWS, STAGE_PLACES)
            _apply_places(d, community, result)
            _apply_households(d, now, result)
            _apply_owners(d, now, result)
            d.drop_stage()
        audit.record(
            actor=actor,
            verb="people.roster_import",
            obj=community,
            data={"file": filename, "sha256": digest, **result.as_dict()},
        )
    return result


# --- Templates for staff --------------------------------------------------------------------


def template_csv() -> bytes:
    """An empty roster with the headers and one example row; BOM so Excel reads it as UTF-8."""
    lines = [",".join(TEMPLATE_HEADERS), ",".join(TEMPLATE_EXAMPLE)]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


def template_xlsx() -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(list(TEMPLATE_HEADERS))
    sheet.append(list(TEMPLATE_EXAMPLE))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
