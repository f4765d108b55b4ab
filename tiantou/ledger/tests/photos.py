"""Small test photos made with Pillow, with EXIF time and GPS when asked."""

import datetime
import io

from PIL import Image

EXIF_IFD, GPS_IFD, DATETIME_ORIGINAL = 0x8769, 0x8825, 0x9003


def _dms(value: float):
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60, 2)
    return (float(degrees), float(minutes), seconds)


def jpeg_bytes(
    *,
    seed: int = 1,
    taken_at: datetime.datetime | None = None,
    lat: float | None = None,
    lon: float | None = None,
    fmt: str = "JPEG",
) -> bytes:
    """A 64×64 picture whose pattern depends on `seed` (different seeds, different hashes)."""
    image = Image.new("RGB", (64, 64), "white")
    pixels = image.load()
    assert pixels is not None
    for x in range(64):
        for y in range(64):
            if ((x * (seed + 3)) // 16 + (y * (seed % 5 + 1)) // 8 + seed) % 2:
                pixels[x, y] = (20 * seed % 255, 90, 40)
    exif = Image.Exif()
    if taken_at is not None:
        exif.get_ifd(EXIF_IFD)[DATETIME_ORIGINAL] = taken_at.strftime("%Y:%m:%d %H:%M:%S")
    if lat is not None and lon is not None:
        gps = exif.get_ifd(GPS_IFD)
        gps[1] = "N" if lat >= 0 else "S"
        gps[2] = _dms(lat)
        gps[3] = "E" if lon >= 0 else "W"
        gps[4] = _dms(lon)
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, "JPEG", exif=exif)
    else:
        image.save(out, fmt)
    return out.getvalue()


def upload(data: bytes, name: str = "photo.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="image/jpeg")
