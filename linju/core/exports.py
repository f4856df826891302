"""What every spreadsheet export needs (ledgers, award lists): text that a spreadsheet program
never runs. A roster name or a room typed as "=HYPERLINK(…)" would otherwise be stored as a
formula and run on the desk of whoever opens the file (CSV/formula injection)."""


def text_cell(sheet, value):
    """A write-only cell holding `value` as text, whatever it starts with."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=str(value if value is not None else ""))
    cell.data_type = "s"
    return cell


def workbook_file(book):
    """A workbook saved into a temporary file, rewound: the response streams it and closes it
    (a ledger of a subdistrict is too large to build in memory)."""
    import tempfile

    # Not a `with`: the response streams the file and closes it when sent.
    out = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        book.save(out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(handle, filename: str):
    """A workbook file streamed as a private download (never cached by a proxy)."""
    from django.http import FileResponse

    response = FileResponse(handle, content_type=XLSX_TYPE, as_attachment=True, filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response
