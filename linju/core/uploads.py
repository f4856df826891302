"""Uploads (photos, signed sheets, stage documents, rosters): what a file is comes from its
bytes, never from its name or the Content-Type the client sent.

One rule for every upload path:
- `sniff` reads the kind from the content (images by Pillow, restricted to the decoders below;
  PDF by its header and end marker; DOCX/XLSX/ODT by the zip's declared content types; text as
  UTF-8 or GB18030 without NUL bytes) and refuses what the use (`Use`) does not allow, what is
  too large, and an image claiming more pixels than allowed, before a single pixel is decoded
  (a 2 kB PNG can claim 50,000 × 50,000 pixels).
- `clean` returns what is stored: images decoded and written afresh as JPEG (PNG where a
  document's transparency matters) with no metadata at all (phones put the GPS position of the
  home in EXIF, PIPL; DESIGN §4 Privacy), so whatever rode along in the file (a script after a
  GIF's trailer, a comment) is gone; text as UTF-8; PDF and office files as sent.
- `stored_name` gives the random name the file is stored under, with the extension of the kind
  `clean` produced: media may be served by the web server without a login check.
- `protect` puts the headers every served upload carries (private_download, DEBUG media; the
  production web server sends the same, docs/operations.md "Media files").

No sniffing library: Pillow already identifies images (and must decode them anyway), zipfile
reads the office formats' declared types, and a magic-number table would still need both."""

import codecs
import io
import os
import re
import secrets
import zipfile
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps

from .errors import Invalid


@dataclass(frozen=True)
class Kind:
    code: str
    ext: str
    content_type: str
    image: bool = False


JPEG = Kind("jpeg", ".jpg", "image/jpeg", image=True)
PNG = Kind("png", ".png", "image/png", image=True)
GIF = Kind("gif", ".gif", "image/gif", image=True)
WEBP = Kind("webp", ".webp", "image/webp", image=True)
BMP = Kind("bmp", ".bmp", "image/bmp", image=True)
TIFF = Kind("tiff", ".tif", "image/tiff", image=True)
AVIF = Kind("avif", ".avif", "image/avif", image=True)
HEIC = Kind("heic", ".heic", "image/heic", image=True)
PDF = Kind("pdf", ".pdf", "application/pdf")
DOCX = Kind(
    "docx",
    ".docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)
XLSX = Kind("xlsx", ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
ODT = Kind("odt", ".odt", "application/vnd.oasis.opendocument.text")
TEXT = Kind("text", ".txt", "text/plain; charset=utf-8")

# Pillow's format name → kind. Only these decoders ever see an upload (never EPS, which runs
# Ghostscript, nor PSD, ICO and the rest). HEIF is there when a plugin (pillow-heif) registered
# it; phones' browsers send HEIC photos as JPEG anyway. A JPEG with a multi-picture index
# (many phones' photos) opens as MPO.
_PILLOW_KINDS = {
    "JPEG": JPEG,
    "MPO": JPEG,
    "PNG": PNG,
    "GIF": GIF,
    "WEBP": WEBP,
    "BMP": BMP,
    "TIFF": TIFF,
    "AVIF": AVIF,
    "HEIF": HEIC,
}
IMAGES = frozenset(_PILLOW_KINDS.values())

# Kinds `clean` stores, and what each is served as: (Content-Type, shown in the browser). Only
# images show inline; a PDF downloads (browsers' PDF viewers run scripts of their own).
# ".jpeg" is for files stored before names followed the sniffed kind.
SERVED = {
    ".jpg": ("image/jpeg", True),
    ".jpeg": ("image/jpeg", True),
    ".png": ("image/png", True),
    ".pdf": (PDF.content_type, False),
    ".docx": (DOCX.content_type, False),
    ".xlsx": (XLSX.content_type, False),
    ".odt": (ODT.content_type, False),
    ".txt": (TEXT.content_type, False),
}
SAFE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # An upload opened as a page runs nothing, loads nothing and is its own opaque origin.
    "Content-Security-Policy": (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
        "frame-ancestors 'none'; sandbox"
    ),
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "private, no-store",
}

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc, .xls: the format that carries macros
_PDF_HEAD = re.compile(rb"%PDF-[12]\.\d")
_TEXT_ENCODINGS = ("utf-8-sig", "gb18030")  # GB18030: as Excel and Notepad save on Chinese Windows
_BINARY = re.compile("[\x00-\x08\x0e-\x19\x1b-\x1f]")  # not \t \n \v \f \r, DOS's \x1a
_HEAD_BYTES = 64 * 1024
_CONTENT_TYPES_MAX = 1024 * 1024


@dataclass(frozen=True)
class Use:
    """Where an upload goes: the kinds it accepts, its limits and what to say otherwise.
    `max_bytes` None: the caller limits the size (the roster, whose limit is a setting)."""

    kinds: frozenset
    max_bytes: int | None
    refused: object  # the message for any other kind (lazy)
    max_pixels: int = 40_000_000
    max_side: int = 1600
    transparency: bool = False  # an image with transparency is stored as PNG, not flattened
    max_unzipped: int = 200 * 1024 * 1024  # DOCX/XLSX/ODT: the declared size of all members


PHOTO = Use(
    kinds=IMAGES,
    max_bytes=15 * 1024 * 1024,
    refused=gettext_lazy("This file is not a photo we can read."),
)
SHEET = Use(
    kinds=IMAGES | {PDF},
    max_bytes=15 * 1024 * 1024,
    max_side=2400,
    refused=gettext_lazy("Send a photo or a PDF of the signed sheet."),
)
DOCUMENT = Use(
    kinds=IMAGES | {PDF, DOCX, XLSX, ODT, TEXT},
    max_bytes=10 * 1024 * 1024,
    max_side=2400,
    transparency=True,
    refused=gettext_lazy("Upload a PDF, an image, a Word, Excel or text file."),
)
ROSTER = Use(
    kinds=frozenset({XLSX, TEXT}),
    max_bytes=None,
    # 1,048,576 rows of inline strings; openpyxl never inflates a member past its declared size.
    max_unzipped=4 * 1024 * 1024 * 1024,
    refused=gettext_lazy("Upload an .xlsx or .csv file."),
)
MAX_PHOTOS = 9


# --- Sniffing -------------------------------------------------------------------------------------


def sniff(upload, *, use: Use, field: str) -> Kind:
    """The upload's kind, from its bytes; Invalid({field: …}) when empty, too large, of a kind
    `use` does not accept, or an image with too many pixels. Reads little: a header, a PDF's
    last kilobyte, a zip's directory, the first 64 kB of text."""
    size = _size(upload)
    if not size:
        raise Invalid({field: _("The file is empty.")})
    if use.max_bytes is not None and size > use.max_bytes:
        raise Invalid(
            {field: _("The file is larger than %(max)s.") % {"max": filesizeformat(use.max_bytes)}}
        )
    upload.seek(0)
    head = upload.read(_HEAD_BYTES)
    upload.seek(0)
    kind = None
    if _PDF_HEAD.match(head):
        kind = PDF
        if PDF in use.kinds and not _pdf_ends(upload, size):
            raise Invalid({field: _("The PDF is cut off or damaged.")})
    elif head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(upload, use, field)
    elif head.startswith(_OLE):
        if use.kinds & {DOCX, XLSX}:
            raise Invalid(
                {field: _("Old Office files are not accepted: save it as .docx, .xlsx or .csv.")}
            )
    else:  # Pillow knows the images' signatures; text has none, so it comes last
        if use.kinds & IMAGES:
            kind = _image_kind(upload, use, field)
        if kind is None and TEXT in use.kinds and _text(head, final=len(head) == size):
            kind = TEXT
    upload.seek(0)
    if kind not in use.kinds:
        raise Invalid({field: use.refused})
    return kind


def _size(upload) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, os.SEEK_END)
        size = upload.tell()
    return size


def _pdf_ends(upload, size: int) -> bool:
    """A whole PDF ends with %%EOF (readers look in the last kilobyte): a cut-off upload or
    a file that only borrowed the header does not."""
    upload.seek(max(size - 1024, 0))
    return b"%%EOF" in upload.read(1024)


def _zip_kind(upload, use: Use, field: str) -> Kind | None:
    """DOCX and XLSX by the main part [Content_Types].xml declares (the macro-enabled ones
    declare another and are refused), ODT by its `mimetype` member. The members' declared
    sizes are summed first: zipfile never inflates a member past it, so this bounds a bomb."""
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
            if sum(m.file_size for m in members) > use.max_unzipped:
                raise Invalid({field: _("The file unpacks to more than we accept.")})
            names = {m.filename: m for m in members}
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                return None
            types = names.get("[Content_Types].xml")
            if types is not None and types.file_size <= _CONTENT_TYPES_MAX:
                declared = archive.read(types)
                if b"wordprocessingml.document.main+xml" in declared:
                    return DOCX
                if b"spreadsheetml.sheet.main+xml" in declared:
                    return XLSX
                return None
            mimetype = names.get("mimetype")
            if (
                mimetype is not None
                and mimetype.file_size < 100
                and archive.read(mimetype).strip() == ODT.content_type.encode()
            ):
                return ODT
    except Invalid:
        raise
    except Exception:  # a damaged archive: zipfile raises BadZipFile, zlib.error, EOFError, …
        return None
    return None


def _pillow_formats() -> list[str]:
    Image.init()
    return [name for name in _PILLOW_KINDS if name in Image.OPEN]


def _open_image(upload, use: Use, field: str):
    """The image, opened (its header parsed, nothing decoded) and its size checked."""
    upload.seek(0)
    try:
        img = Image.open(upload, formats=_pillow_formats())
    except Image.DecompressionBombError:
        raise Invalid({field: _too_many_pixels(use)}) from None
    except Exception:  # not an image of ours, or a damaged one (plugins raise many types)
        return None
    if img.width * img.height > use.max_pixels:
        img.close()
        raise Invalid({field: _too_many_pixels(use)})
    return img


def _image_kind(upload, use: Use, field: str) -> Kind | None:
    img = _open_image(upload, use, field)
    if img is None:
        return None
    with img:
        return _PILLOW_KINDS.get(img.format)


def _too_many_pixels(use: Use) -> str:
    return _("The image is too large: at most %(n)d megapixels.") % {
        "n": use.max_pixels // 1_000_000
    }


def _text(data: bytes, *, final: bool) -> str | None:
    """The text of `data` (all of a file, or its head when not `final`) in the first encoding
    that reads it; None for binary content (NUL and the other control characters no text
    file holds)."""
    if b"\x00" in data:
        return None
    for encoding in _TEXT_ENCODINGS:
        try:
            text = codecs.getincrementaldecoder(encoding)().decode(data, final=final)
        except UnicodeDecodeError:
            continue
        return None if _BINARY.search(text) else text
    return None


# --- Cleaning: what is stored ---------------------------------------------------------------------


def clean(upload, *, use: Use, field: str) -> ContentFile:
    """The upload as it is stored (see the module's docstring), named "upload<ext>" with the
    extension of what is stored; Invalid({field: …}) otherwise. Nothing is written anywhere:
    callers save it with the row, in their transaction."""
    kind = sniff(upload, use=use, field=field)
    if kind.image:
        data, kind = _reencode(upload, use, field)
    elif kind is TEXT:
        text = _text(upload.read(), final=True)
        if text is None:
            raise Invalid({field: _("The text is neither UTF-8 nor GB18030.")})
        data = text.encode("utf-8")
    else:
        data = upload.read()
    upload.seek(0)
    return ContentFile(data, name=f"upload{kind.ext}")


def _reencode(upload, use: Use, field: str) -> tuple[bytes, Kind]:
    img = _open_image(upload, use, field)
    if img is None:
        raise Invalid({field: use.refused})
    try:
        with img:
            # A JPEG decodes straight at the smallest scale still above the target size.
            img.draft("RGB", (use.max_side, use.max_side))
            img = ImageOps.exif_transpose(img)  # the first frame only, upright
            keep_alpha = use.transparency and img.has_transparency_data
            img = img.convert("RGBA") if keep_alpha else _flattened(img)
            img.thumbnail((use.max_side, use.max_side), Image.Resampling.LANCZOS)
            # Savers copy some of `info` (a JPEG's comment, a PNG's ICC profile, text chunks).
            img.info = {}
            out = io.BytesIO()
            if keep_alpha:
                img.save(out, "PNG")
                return out.getvalue(), PNG
            img.save(out, "JPEG", quality=82, optimize=True)
            return out.getvalue(), JPEG
    except Exception as exc:  # a damaged image: decoders raise OSError, ValueError, zlib.error, …
        raise Invalid({field: _("This image is damaged or cannot be read.")}) from exc


def _flattened(img):
    """RGB; transparent parts white, as they look on a page (not black, as a bare convert
    leaves them)."""
    if not img.has_transparency_data:
        return img.convert("RGB")
    rgba = img.convert("RGBA")
    flat = Image.new("RGB", rgba.size, (255, 255, 255))
    flat.paste(rgba, mask=rgba.getchannel("A"))
    return flat


def clean_photo(upload, *, field: str) -> ContentFile:
    """One photo (PHOTO), its errors reported on `field`."""
    return clean(upload, use=PHOTO, field=field)


def clean_photos(files, *, field: str = "photos") -> list[ContentFile]:
    """Up to MAX_PHOTOS photos, every one checked and re-encoded before anything is saved;
    the one that is wrong is named `<field>.<n>`."""
    files = list(files or [])
    if len(files) > MAX_PHOTOS:
        raise Invalid({field: _("At most %(n)d photos.") % {"n": MAX_PHOTOS}})
    return [clean_photo(f, field=f"{field}.{i}") for i, f in enumerate(files)]


# --- Storing and serving --------------------------------------------------------------------------


def stored_name(folder: str, filename: str) -> str:
    """`folder/YYYY/MM/<32 random hex digits><ext>`, the extension kept only when it is one
    `clean` produces (the cleaned file's name carries it); the client's name never counts."""
    ext = os.path.splitext(filename or "")[1].lower()
    if ext not in SERVED or ext == ".jpeg":
        ext = ""
    return f"{folder}/{timezone.now():%Y/%m}/{secrets.token_hex(16)}{ext}"


def served_type(name: str) -> tuple[str, bool]:
    """(Content-Type, inline) for a stored file, from its stored extension; anything else is
    an octet stream that downloads."""
    return SERVED.get(os.path.splitext(name)[1].lower(), ("application/octet-stream", False))


def protect(response, name: str):
    """The headers of a served upload: its type from the stored extension, never sniffed by
    the browser, nothing run or loaded if it is opened as a page, not cached on the way, and
    downloaded under its stored name unless it is an image."""
    content_type, inline = served_type(name)
    response["Content-Type"] = content_type
    response["Content-Disposition"] = content_disposition_header(not inline, os.path.basename(name))
    for header, value in SAFE_HEADERS.items():
        response[header] = value
    return response
