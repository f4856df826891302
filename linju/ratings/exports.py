"""The year's award list for the property company (物业费补贴名单), as XLSX: one row per household
with its unit, room, the owner's name on the roster, area, why (red flags or the three heads),
flags, rank, percent and amount in yuan, and a total row. Written with openpyxl in write-only
mode (rows go straight to the file, never a whole sheet in memory) into a temporary file the
response streams."""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from linju.core.exports import text_cell, workbook_file
from linju.places.models import Place
from linju.places.queries import place_labels

from .queries import confirmed_awards


def yuan(fen) -> Decimal:
    """Integer fen as yuan with two decimals (12345 → 123.45)."""
    return (Decimal(int(fen or 0)) / 100).quantize(Decimal("0.01"))


def unit_labels(unit_ids) -> dict[int, str]:
    """Each unit's full name (estate, building and unit)."""
    return place_labels(Place.objects.filter(pk__in=set(unit_ids)))


def headers() -> list[str]:
    return [
        _("Unit"),
        _("Room"),
        _("Owner"),
        _("Area (m²)"),
        pgettext("award", "Why"),
        _("Red flags"),
        _("Rank"),
        _("Subsidy (%)"),
        _("Amount (yuan)"),
    ]


def awards_xlsx(contest, year: int):
    """The confirmed list as an XLSX in a temporary file, rewound; the caller streams and
    closes it."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=str(year))
    sheet.append([text_cell(sheet, f"{contest.name} · {year}")])
    sheet.append(headers())

    def money(value):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "0.00"
        return cell

    rows = list(confirmed_awards(contest, year))
    labels = unit_labels(a.unit_id for a in rows)
    total = 0
    for award in rows:
        total += award.amount_fen
        sheet.append(
            [
                text_cell(sheet, labels.get(award.unit_id, "")),
                text_cell(sheet, award.household.room),
                text_cell(sheet, award.household.owner_name),
                award.area,
                award.get_kind_display(),
                award.flags if award.kind == "flags" else None,
                award.rank,
                award.percent,
                money(yuan(award.amount_fen)),
            ]
        )
    sheet.append([_("Total"), None, None, None, None, None, None, None, money(yuan(total))])
    return workbook_file(book)


def file_name(contest, year: int) -> str:
    name = "".join(ch for ch in contest.name if ch.isalnum() or ch in "-_") or "contest"
    return f"{name}-{year}.xlsx"
