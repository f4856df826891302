"""core.uploads: every upload typed by its bytes, limited in size and pixels, images re-encoded
without metadata, stored under random names and served with safe headers."""

import dataclasses
import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404
from django.test import RequestFactory
from django.utils import translation
from PIL import Image, ImageFile

from linju.core import uploads
from linju.core.errors import Invalid
from linju.core.views import media, private_download

from . import upload_samples as s


def clean(data, name="file", use=uploads.PHOTO, field="photo"):
    return uploads.clean(s.upload(name, data), use=use, field=field)


def refused(data, name="file", use=uploads.PHOTO, field="photo") -> str:
    """The one message clean() gives, on `field` and nothing else."""
    with translation.override("en"), pytest.raises(Invalid) as caught:
        clean(data, name, use, field)
    assert list(caught.value.errors) == [field]
    return caught.value.errors[field][0]


@pytest.fixture
def decoded(monkeypatch):
    """The images Pillow decoded pixels of (a spy on ImageFile.load; it still decodes)."""
    seen = []
    load = ImageFile.ImageFile.load

    def spy(self):
        seen.append(self.size)
        return load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    return seen


# --- Images ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("side", [50_000, 7_000])
def test_an_image_claiming_too_many_pixels_is_refused_before_decoding(decoded, side):
    # 50,000² is past Pillow's own bomb guard; 7,000² (49 MP) only past ours (40 MP).
    bomb = s.png_claiming(side, side)
    assert len(bomb) < 200
    for use in (uploads.PHOTO, uploads.SHEET, uploads.DOCUMENT):
        assert "megapixels" in refused(bomb, "photo.png", use)
    assert decoded == []
    clean(s.png(), "small.png")
    assert decoded, "the spy sees a real decode"


def test_a_photo_comes_back_upright_smaller_and_without_exif_gps_or_comment():
    original = s.jpeg((2400, 1800), orientation=6)
    exif = Image.open(io.BytesIO(original)).getexif()
    assert exif.get_ifd(0x8825) and exif[0x010F] == "PhoneMaker"
    stored = clean(original, "IMG_0001.JPG")
    data = stored.read()
    img = Image.open(io.BytesIO(data))
    assert img.format == "JPEG" and img.size == (1200, 1600)  # turned as EXIF said, ≤ 1600
    assert not img.getexif() and not {"exif", "comment", "icc_profile"} & set(img.info)
    assert b"Exif" not in data and b"PhoneMaker" not in data and b"taken at home" not in data
    assert stored.name == "upload.jpg"


@pytest.mark.parametrize("use", [uploads.PHOTO, uploads.SHEET])
def test_html_named_photo_jpg_is_refused(use):
    refused(s.HTML, "photo.jpg", use)
    refused(s.HTML.replace(b"<!doctype html>", b"\xff\xd8\xff\xe0"), "photo.jpg", use)


@pytest.mark.parametrize("use", [uploads.PHOTO, uploads.SHEET, uploads.DOCUMENT])
def test_a_gif_script_polyglot_is_re_encoded_and_the_script_is_gone(use):
    polyglot = s.gif_polyglot()
    assert Image.open(io.BytesIO(polyglot)).format == "GIF" and polyglot.count(b"script") == 4
    data = clean(polyglot, "cat.gif", use).read()
    assert Image.open(io.BytesIO(data)).format == "JPEG"
    assert b"script" not in data and b"alert" not in data


def test_transparency_is_kept_as_png_in_documents_and_flattened_on_white_in_photos():
    transparent = s.png(transparent=True)
    document = clean(transparent, "plan.gif", uploads.DOCUMENT, "document")
    assert document.name == "upload.png"
    assert Image.open(document).getpixel((0, 0))[3] == 0
    photo = clean(transparent, "plan.png")
    assert photo.name == "upload.jpg"
    assert Image.open(photo).getpixel((0, 0)) >= (250, 250, 250)


def test_damaged_images_and_other_decoders_are_refused():
    refused(s.jpeg()[:300], "cut.jpg")
    eps = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n"
    refused(eps, "photo.eps")  # Pillow could read it, by running Ghostscript
    ico = io.BytesIO()
    Image.new("RGB", (16, 16)).save(ico, "ICO")
    refused(ico.getvalue(), "photo.jpg")


# --- Documents and rosters ------------------------------------------------------------------------


def test_real_docx_xlsx_pdf_and_text_are_accepted_as_sent():
    for data, kind in [
        (s.docx(), uploads.DOCX),
        (s.xlsx(), uploads.XLSX),
        (s.pdf(), uploads.PDF),
    ]:
        stored = clean(data, "whatever.bin", uploads.DOCUMENT, "document")
        assert stored.name == f"upload{kind.ext}" and stored.read() == data
    assert clean(s.pdf(), "sheet", uploads.SHEET, "scan").name == "upload.pdf"
    gbk = "会议纪要：同意加装电梯。\n".encode("gb18030")
    stored = clean(gbk, "minutes.doc", uploads.DOCUMENT, "document")
    assert (
        stored.name == "upload.txt"
        and stored.read().decode("utf-8") == "会议纪要：同意加装电梯。\n"
    )


def test_an_exe_named_pdf_and_other_strangers_are_refused_as_documents():
    def no(data, name):
        return refused(data, name, uploads.DOCUMENT, "document")

    assert "PDF, an image, a Word" in no(s.EXE, "minutes.pdf")
    no(s.EXE, "minutes.txt")
    no("会议纪要".encode("utf-16"), "minutes.txt")  # NUL bytes: not text we take
    no(s.docm(), "minutes.docx")
    no(s.docx(extra=[("word/vbaProject.bin", b"\x00macro")]), "minutes.docx")
    no(b"PK\x03\x04 not really a zip", "minutes.docx")
    assert "Old Office" in no(s.ole(), "minutes.doc")
    assert "cut off" in no(s.pdf()[:-40], "minutes.pdf")
    assert "not a photo" in refused(s.pdf(), "photo.jpg")


def test_a_zip_that_unpacks_past_the_limit_is_refused():
    small = dataclasses.replace(uploads.DOCUMENT, max_unzipped=1000)
    docx = s.docx(extra=[("word/media/zeros.bin", b"\x00" * 5000)])
    assert len(docx) < 2000
    assert "unpacks" in refused(docx, "a.docx", small, "document")


def test_roster_files_are_sniffed_not_named():
    csv = "小区,楼栋\n阳光花园,1栋\n"
    for data, kind in [
        (s.xlsx(), uploads.XLSX),
        (csv.encode("utf-8-sig"), uploads.TEXT),
        (csv.encode("gb18030"), uploads.TEXT),
    ]:
        assert uploads.sniff(io.BytesIO(data), use=uploads.ROSTER, field="file") is kind
    for data in (s.EXE, s.docx(), s.ole(), s.png(), b""):
        with pytest.raises(Invalid) as caught:
            uploads.sniff(io.BytesIO(data), use=uploads.ROSTER, field="file")
        assert list(caught.value.errors) == ["file"]


# --- Limits ---------------------------------------------------------------------------------------


def test_oversize_and_empty_files_are_refused_naming_the_field():
    big = s.jpeg() + b"\x00" * uploads.PHOTO.max_bytes
    assert "larger than" in refused(big, "big.jpg", uploads.PHOTO, "photos.3")
    assert "larger than" in refused(
        s.pdf() + b" " * 10_485_760, "big.pdf", uploads.DOCUMENT, "document"
    )
    assert "empty" in refused(b"", "nothing.pdf", uploads.SHEET, "scan")


def test_photos_are_counted_and_the_bad_one_named():
    photos = [s.upload(f"{i}.jpg", s.jpeg()) for i in range(3)]
    photos.append(s.upload("3.jpg", s.HTML))
    with pytest.raises(Invalid) as caught:
        uploads.clean_photos(photos)
    assert list(caught.value.errors) == ["photos.3"]
    with pytest.raises(Invalid) as caught:
        uploads.clean_photos([s.upload("p.jpg", s.jpeg())] * 10)
    assert list(caught.value.errors) == ["photos"]
    assert [f.name for f in uploads.clean_photos(photos[:2])] == ["upload.jpg", "upload.jpg"]


# --- Names and serving ----------------------------------------------------------------------------


def test_stored_names_are_random_and_end_in_the_sniffed_extension():
    stored = clean(s.png(transparent=True), "evil.html", uploads.DOCUMENT, "document")
    names = {uploads.stored_name("deliberation", stored.name) for _ in range(50)}
    assert len(names) == 50
    for name in names:
        assert re.fullmatch(r"deliberation/\d{4}/\d{2}/[0-9a-f]{32}\.png", name), name
    # The client's own name never reaches the stored one.
    assert re.fullmatch(r"r/\d{4}/\d{2}/[0-9a-f]{32}", uploads.stored_name("r", "x.html"))
    assert re.fullmatch(r"r/\d{4}/\d{2}/[0-9a-f]{32}", uploads.stored_name("r", "photo.JPEG"))
    assert not uploads.stored_name("r", "photo.svg").endswith(".svg")


def test_upload_to_functions_name_files_randomly_by_the_cleaned_kind():
    from linju.activities.models import activity_photo_path
    from linju.deliberation.models import private_path
    from linju.points.models import item_photo_path
    from linju.ratings.models import evidence_path
    from linju.reports.models import photo_path

    for fn, folder in [
        (private_path, "deliberation"),
        (evidence_path, "ratings"),
        (photo_path, "reports"),
        (activity_photo_path, "activities/photos"),
        (item_photo_path, "points/items"),
    ]:
        name = fn(None, "upload.jpg")
        assert re.fullmatch(rf"{folder}/\d{{4}}/\d{{2}}/[0-9a-f]{{32}}\.jpg", name), name
        assert not fn(None, "shell.php").endswith(".php")


class Stored:
    """What private_download is given: a stored file's name and a way to open it."""

    def __init__(self, name):
        self.name = name

    def open(self, mode):
        return default_storage.open(self.name, mode)


def store(name, data) -> Stored:
    return Stored(default_storage.save(name, ContentFile(data)))


SAFE = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'; sandbox",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "private, no-store",
}


def headers(response) -> dict:
    return {k: response[k] for k in SAFE}


def test_served_uploads_carry_safe_headers_and_only_images_show_inline():
    image = store(uploads.stored_name("t", "upload.jpg"), s.jpeg(gps=False))
    response = private_download(image)
    base = image.name.rsplit("/", 1)[-1]
    assert response["Content-Type"] == "image/jpeg" and headers(response) == SAFE
    assert response["Content-Disposition"] == f'inline; filename="{base}"'
    document = store(uploads.stored_name("t", "upload.pdf"), s.pdf())
    response = private_download(document)
    assert response["Content-Type"] == "application/pdf" and headers(response) == SAFE
    assert response["Content-Disposition"].startswith("attachment; filename=")
    text = private_download(store(uploads.stored_name("t", "upload.txt"), "纪要".encode()))
    assert text["Content-Type"] == "text/plain; charset=utf-8"
    assert text["Content-Disposition"].startswith("attachment")
    # A file stored under its client's name before names followed the content.
    legacy = private_download(store("t/legacy/minutes.html", s.HTML))
    assert legacy["Content-Type"] == "application/octet-stream" and headers(legacy) == SAFE
    assert legacy["Content-Disposition"] == 'attachment; filename="minutes.html"'
    with pytest.raises(Http404):
        private_download(Stored("t/never/saved.jpg"))
    with pytest.raises(Http404):
        private_download(None)


def test_debug_media_serving_sends_the_same_headers(settings):
    image = store(uploads.stored_name("t", "upload.png"), s.png())
    request = RequestFactory().get(f"/media/{image.name}")
    response = media(request, image.name, document_root=settings.MEDIA_ROOT)
    assert response.status_code == 200 and headers(response) == SAFE
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    legacy = store("t/legacy/page.svg", b"<svg onload='alert(1)'/>")
    response = media(RequestFactory().get("/"), legacy.name, document_root=settings.MEDIA_ROOT)
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
