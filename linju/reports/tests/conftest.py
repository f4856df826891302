"""Report fixtures on top of the shared city (conftest.py at the root)."""

import io

import pytest
from PIL import Image


def jpeg_bytes(size=(2400, 1800), color=(200, 80, 40), exif_gps=True) -> bytes:
    """A phone-sized JPEG that carries a GPS position in its EXIF, as phones write them."""
    img = Image.new("RGB", size, color)
    out = io.BytesIO()
    exif = Image.Exif()
    if exif_gps:
        exif[0x010F] = "PhoneMaker"  # Make
        # GPSInfo IFD: latitude 31°13'N, longitude 121°28'E (a Shanghai home).
        exif[0x8825] = {1: "N", 2: (31.0, 13.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)}
    img.save(out, "JPEG", exif=exif)
    return out.getvalue()


def upload(name="photo.jpg", **kwargs):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, jpeg_bytes(**kwargs), content_type="image/jpeg")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def submit(city, media):
    """submit(user_key="owner", place="B1", category="clutter", **more) → Report."""
    from linju.reports import services

    def _submit(user_key="owner", place="B1", category="clutter", **more):
        more.setdefault("description", "楼道里堆满了纸箱")
        return services.submit_report(
            user=city.users[user_key],
            category_code=category,
            place_id=city.places[place].pk,
            **more,
        )

    return _submit
