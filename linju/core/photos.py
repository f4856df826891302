"""Photos as residents' phones send them: any common format, often 4000 px and carrying the
GPS position of the photographer's home in EXIF (PIPL, DESIGN §4 Privacy). Pillow decodes,
turns them upright, shrinks them and writes a fresh JPEG with no metadata at all."""

import io

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from linju.core.errors import Invalid

MAX_PHOTOS = 9
MAX_SIDE = 1600
MAX_UPLOAD_BYTES = 15 * 1024 * 1024
# Decompression bombs: a 2 kB PNG can claim 50,000 × 50,000 pixels.
MAX_PIXELS = 40_000_000


def clean_photos(files, *, field: str = "photos") -> list[ContentFile]:
    """Decode, check and re-encode every upload before anything is saved."""
    files = list(files or [])
    if len(files) > MAX_PHOTOS:
        raise Invalid({field: _("At most %(n)d photos.") % {"n": MAX_PHOTOS}})
    return [clean_photo(f, field=f"{field}.{i}") for i, f in enumerate(files)]


def clean_photo(upload, *, field: str) -> ContentFile:
    """One photo, its errors reported on `field`."""
    if getattr(upload, "size", 0) > MAX_UPLOAD_BYTES:
        raise Invalid({field: _("A photo may be at most 15 MB.")})
    try:
        upload.seek(0)
        with Image.open(upload) as img:
            if img.width * img.height > MAX_PIXELS:
                raise Invalid({field: _("This photo is too large.")})
            img.load()
            img = ImageOps.exif_transpose(img)
            img = img.convert("RGB")
            img.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            # No exif= argument: the new file carries no metadata (no GPS, no camera serial).
            img.save(out, "JPEG", quality=82, optimize=True)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError) as exc:
        raise Invalid({field: _("This file is not a photo we can read.")}) from exc
    return ContentFile(out.getvalue(), name="photo.jpg")
