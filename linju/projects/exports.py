"""A campaign's public account (众筹公开账目) as XLSX: the figures (goal, pledged, income,
expenses, refunds, balance) and one row per entry with its date, kind, amount, balance after,
household, note, recorder and approver. openpyxl in write-only mode into a temporary file the
response streams; every typed text goes through core.exports.text_cell (no formula runs)."""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from linju.core.exports import text_cell, workbook_file
from linju.core.masking import staff_label

from . import queries_funds as queries


def _yuan(fen: int) -> Decimal:
    return Decimal(fen) / 100


def headers() -> list[str]:
    return [
        _("Date"),
        _("Kind"),
        _("Amount (yuan)"),
        _("Balance after (yuan)"),
        _("Household"),
        _("Note"),
        _("Recorded by"),
        _("Approved by"),
    ]


def account_workbook(campaign):
    """The workbook file of `campaign`'s account, rewound, for `core.exports.xlsx_response`."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Public account")[:31])
    sheet.append([text_cell(sheet, campaign.title)])
    for label, fen in [
        (_("Goal"), campaign.goal_fen),
        (_("Pledged"), campaign.pledged_fen),
        (_("Income"), campaign.income_fen),
        (_("Expenses"), campaign.expense_fen),
        (_("Refunds"), campaign.refund_fen),
        (_("Balance"), campaign.balance_fen),
    ]:
        sheet.append([label, _yuan(fen)])
    sheet.append([])
    sheet.append(headers())
    for e in queries.account_entries(campaign).iterator(chunk_size=2000):
        sheet.append(
            [
                timezone.localtime(e.created_at).replace(tzinfo=None),
                str(e.get_kind_display()),
                _yuan(e.amount_fen),
                _yuan(e.balance_fen),
                text_cell(sheet, queries.household_label(e)),
                text_cell(sheet, e.note),
                text_cell(sheet, staff_label(e.recorded_by)),
                text_cell(sheet, staff_label(e.approved_by) if e.approved_by_id else ""),
            ]
        )
    return workbook_file(book)
