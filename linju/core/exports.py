"""What every spreadsheet export needs (ledgers, award lists): text that a spreadsheet program
never runs. A roster name or a room typed as "=HYPERLINK(…)" would otherwise be stored as a
formula and run on the desk of whoever opens the file (CSV/formula injection)."""


def text_cell(sheet, value):
    """A write-only cell holding `value` as text, whatever it starts with."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=str(value if value is not None else ""))
    cell.data_type = "s"
    return cell
