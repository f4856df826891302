"""The month's activity figures (每月一活动, 参与人次) as XLSX, and how the desk names people.
The workbook is written with openpyxl in write-only mode into a temporary file the response
streams; every text that came from a user (a place's name) goes through
core.exports.text_cell, so a name like "=HYPERLINK(…)" stays text. People are named in full
to the person and to handlers whose scope holds one of their households, masked otherwise
(core.access.can_see_personal_data)."""

from django.utils.translation import gettext as _

from linju.core.exports import text_cell, workbook_file


def figures_headers() -> list[str]:
    return [_("Building"), _("Activities"), _("Person-times"), _("No activity this month")]


def figures_xlsx(figures: dict, labels: dict, title: str):
    """`figures` (queries.monthly_figures) as an XLSX in a temporary file, rewound: a row per
    building (its label from `labels`, by place id) and a total row; the caller streams and
    closes it."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_("Figures")[:31])
    sheet.append([text_cell(sheet, title)])
    sheet.append(figures_headers())
    for row in figures["buildings"]:
        place = row["place"]
        sheet.append(
            [
                text_cell(sheet, labels.get(place.pk, place.name)),
                row["activities"],
                row["person_times"],
                "" if row["activities"] else _("none"),
            ]
        )
    sheet.append([_("Total"), figures["activities"], figures["person_times"]])
    sheet.append(
        [
            _("Buildings with an activity"),
            figures["buildings_with_activity"],
            None,
            _("%(n)d of %(total)d")
            % {"n": figures["buildings_with_activity"], "total": len(figures["buildings"])},
        ]
    )
    return workbook_file(book)


def file_name(place, year: int, month: int) -> str:
    return f"activities-{place.pk}-{year:04d}-{month:02d}.xlsx"
