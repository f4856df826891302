"""The month's activity figures (每月一活动, 参与人次) as XLSX, and how the desk names people.
The workbook is written with openpyxl in write-only mode into a temporary file the response
streams; every text that came from a user (a place's name) goes through
core.exports.text_cell, so a name like "=HYPERLINK(…)" stays text. People are named in full
to the person and to handlers whose scope holds one of their households, masked otherwise
(core.access.can_see_personal_data)."""

from collections import defaultdict

from django.utils.translation import gettext as _

from linju.core.access import can_see_personal_data
from linju.core.exports import text_cell, workbook_file
from linju.core.masking import mask_mobile, mask_name


def person_labels(viewer, users) -> dict[int, tuple[str, str]]:
    """(name, mobile) of each person as `viewer` may see them; one query for all the
    households (can_see_personal_data takes them as `paths`)."""
    from linju.people.models import Residency

    users = {u.pk: u for u in users}
    paths = defaultdict(list)
    rows = (
        Residency.objects.filter(user_id__in=list(users))
        .exclude(status="rejected")
        .values_list("user_id", "household__path")
    )
    for user_id, path in rows:
        paths[user_id].append(path)
    out = {}
    for pk, person in users.items():
        if can_see_personal_data(viewer, person, paths=paths[pk]):
            out[pk] = (person.name, person.mobile)
        else:
            out[pk] = (mask_name(person.name), mask_mobile(person.mobile))
    return out


def label_people(viewer, rows, attr="user") -> list:
    """Set `person_name` and `person_mobile` on each row, for the person at `attr` (loaded)."""
    rows = list(rows)
    people = {getattr(r, attr).pk: getattr(r, attr) for r in rows}
    labels = person_labels(viewer, people.values())
    for row in rows:
        row.person_name, row.person_mobile = labels[getattr(row, attr).pk]
    return rows


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
