"""The points and service-hours ledgers (积分台账, 志愿服务时长台账) as XLSX: one row per entry
with its date, the person (name and mobile, masked unless the viewer may see the person's
personal data), kind, amount, balance after, reason, what it is for and the community, and a
total row. Written with openpyxl in write-only mode (rows go straight to the file, never a whole
sheet in memory) into a temporary file the response streams; every text a user typed goes
through core.exports.text_cell, so a name like "=HYPERLINK(…)" stays text."""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from linju.core.exports import text_cell, workbook_file
from linju.people.queries import label_people

# An XLSX sheet holds 1,048,576 rows; the title, the headers and the total take three.
MAX_ROWS = 1_048_576 - 4
CHUNK = 2_000


def _chunks(queryset):
    """The rows of `queryset` in chunks, so people are labelled with one Residency query a
    chunk, not one a row."""
    chunk = []
    for row in queryset.iterator(chunk_size=CHUNK):
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _local(moment):
    """An aware datetime as a naive local one (XLSX has no time zones)."""
    return timezone.localtime(moment).replace(tzinfo=None)


def points_headers() -> list[str]:
    return [
        _("Date"),
        _("Name"),
        _("Mobile number"),
        _("Kind"),
        pgettext("volunteer points", "Points"),
        _("Balance after"),
        _("Reason"),
        _("For"),
        _("Community"),
    ]


def hours_headers() -> list[str]:
    return [
        _("Served on"),
        _("Name"),
        _("Mobile number"),
        _("Service"),
        _("Minutes"),
        _("Hours"),
        _("Total after (hours)"),
        _("For"),
        _("Community"),
        _("Recorded at"),
    ]


def _hours(minutes) -> Decimal:
    return (Decimal(int(minutes or 0)) / 60).quantize(Decimal("0.01"))


def _book(title: str, headers):
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append([text_cell(sheet, title)])
    sheet.append(headers)
    return book, sheet


def _cell(sheet, value, number_format):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    return cell


def points_xlsx(viewer, entries, title: str):
    """`entries` (PointsEntry rows with user and place) as an XLSX in a temporary file,
    rewound; the caller streams and closes it."""
    book, sheet = _book(title, points_headers())
    kinds = dict(entries.model._meta.get_field("kind").choices)
    total = written = 0
    for chunk in _chunks(entries[:MAX_ROWS]):
        for e in label_people(viewer, chunk):
            total += e.amount
            written += 1
            sheet.append(
                [
                    _cell(sheet, _local(e.created_at), "yyyy-mm-dd hh:mm"),
                    text_cell(sheet, e.person_name),
                    text_cell(sheet, e.person_mobile),
                    str(kinds.get(e.kind, e.kind)),
                    e.amount,
                    e.balance,
                    text_cell(sheet, e.reason),
                    text_cell(sheet, e.ref),
                    text_cell(sheet, e.place.name if e.place_id else ""),
                ]
            )
    sheet.append([_("Total"), None, None, _("%(n)d entries") % {"n": written}, total])
    return workbook_file(book)


def hours_xlsx(viewer, entries, title: str):
    """`entries` (HoursEntry rows with user and place) as an XLSX, like points_xlsx."""
    book, sheet = _book(title, hours_headers())
    total = written = 0
    for chunk in _chunks(entries[:MAX_ROWS]):
        for e in label_people(viewer, chunk):
            total += e.minutes
            written += 1
            sheet.append(
                [
                    _cell(sheet, e.served_on, "yyyy-mm-dd"),
                    text_cell(sheet, e.person_name),
                    text_cell(sheet, e.person_mobile),
                    text_cell(sheet, e.what),
                    e.minutes,
                    _cell(sheet, _hours(e.minutes), "0.00"),
                    _cell(sheet, _hours(e.total), "0.00"),
                    text_cell(sheet, e.ref),
                    text_cell(sheet, e.place.name if e.place_id else ""),
                    _cell(sheet, _local(e.created_at), "yyyy-mm-dd hh:mm"),
                ]
            )
    sheet.append(
        [
            _("Total"),
            None,
            None,
            _("%(n)d entries") % {"n": written},
            total,
            _cell(sheet, _hours(total), "0.00"),
        ]
    )
    return workbook_file(book)


def file_name(ledger: str, month: str | None) -> str:
    stamp = month or timezone.localdate().isoformat()
    return f"{ledger}-{stamp}.xlsx"
