"""Files for the upload tests (core.uploads and each app's upload routes): real ones made by the
libraries that write them, and the hostile ones a client may send under any name."""

import io
import struct
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>\n"
SCRIPT = b"<script>alert(1)</script>"
# The start of a Windows program: an "MZ" header, its DOS stub and the NUL bytes between.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + (
    b"\x00" * 48 + b"This program cannot be run in DOS mode.\r\r\n$" + b"\x00" * 200
)


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def jpeg(size=(320, 240), *, gps=True, orientation=None, color=(200, 80, 40)) -> bytes:
    """A JPEG as phones write them: EXIF with the camera and the GPS position of a home."""
    exif = Image.Exif()
    if gps:
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x8825] = {1: "N", 2: (31.0, 13.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)}
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", exif=exif, comment=b"taken at home")
    return out.getvalue()


def png(size=(64, 48), *, transparent=False) -> bytes:
    mode, color = ("RGBA", (0, 120, 0, 0)) if transparent else ("RGB", (0, 120, 0))
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, "PNG")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A few hundred bytes whose header claims width × height pixels (a decompression bomb:
    its one row of data would be inflated into all of them)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _chunk(b"IEND", b"")
    )


def gif_polyglot() -> bytes:
    """A valid GIF that is also a script: one in its comment, another after its trailer."""
    out = io.BytesIO()
    Image.new("P", (8, 8), 3).save(out, "GIF", comment=SCRIPT)
    return out.getvalue() + SCRIPT


def pdf() -> bytes:
    """A real one-page PDF (Pillow writes objects, xref table, trailer and %%EOF)."""
    out = io.BytesIO()
    Image.new("RGB", (40, 60), (255, 255, 255)).save(out, "PDF")
    return out.getvalue()


def xlsx(rows=(("小区", "楼栋"), ("阳光花园", "1栋"))) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _ooxml(main_type: str, part: str, extra=()) -> bytes:
    types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package'
        '.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{part}" ContentType="{main_type}"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships/officeDocument" Target="{part}"/></Relationships>'
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>会议纪要</w:t></w:r></w:p></w:body></w:document>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr(part, document)
        for name, data in extra:
            archive.writestr(name, data)
    return out.getvalue()


WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
WORD_MACROS = "application/vnd.ms-word.document.macroEnabled.main+xml"


def docx(extra=()) -> bytes:
    """A minimal Word document: what Word itself needs to open it."""
    return _ooxml(WORD_MAIN, "word/document.xml", extra)


def docm() -> bytes:
    """A Word document with macros (.docm), whatever it is named."""
    return _ooxml(WORD_MACROS, "word/document.xml", [("word/vbaProject.bin", b"\x00macro")])


def ole() -> bytes:
    """The start of a pre-2007 Office file (.doc, .xls)."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
