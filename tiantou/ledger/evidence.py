"""Evidence behind an activity: what a photo says about itself, and the checks that flag a
record for the confirming admin (never blocking it)."""

import datetime
import math
import statistics
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from .choices import ActivityStatus, FlagKind
from .models import ActivityPhoto

MAX_PHOTO_BYTES = 10 * 1024 * 1024
ALLOWED_FORMATS = {"JPEG", "PNG"}
REUSE_DISTANCE = 4  # Hamming distance of perceptual hashes counted as the same photo
FAR_KM = 5.0
FAR_DAYS = 3
# At most this many photos are compared for reuse, newest first, so the check stays bounded.
REUSE_CANDIDATES = 5000

# EXIF tags (numbers from the standard).
EXIF_IFD = 0x8769
GPS_IFD = 0x8825
DATETIME_ORIGINAL = 0x9003
DATETIME = 0x0132


@dataclass(frozen=True)
class PhotoInfo:
    """What a photo file says about itself."""

    phash: str
    taken_at: datetime.datetime | None
    latitude: Decimal | None
    longitude: Decimal | None


def _rational(value) -> float:
    if isinstance(value, tuple) and len(value) == 2:
        return float(value[0]) / float(value[1]) if value[1] else 0.0
    return float(value)


def gps_to_degrees(dms, ref: str) -> float | None:
    """Degrees, minutes, seconds (EXIF rationals) and N/S/E/W as signed decimal degrees."""
    try:
        degrees, minutes, seconds = (_rational(v) for v in dms)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = degrees + minutes / 60 + seconds / 3600
    if not math.isfinite(value):
        return None
    if isinstance(ref, bytes):
        ref = ref.decode(errors="ignore")
    return -value if (ref or "").strip().upper() in ("S", "W") else value


def _taken_at(exif) -> datetime.datetime | None:
    raw = exif.get_ifd(EXIF_IFD).get(DATETIME_ORIGINAL) or exif.get(DATETIME)
    if isinstance(raw, bytes):
        raw = raw.decode(errors="ignore")
    try:
        naive = datetime.datetime.strptime(  # noqa: DTZ007 - EXIF has no zone; made aware below
            str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S"
        )
    except (TypeError, ValueError):
        return None
    # Phones write local time without a zone: read it as the deployment's time zone.
    return timezone.make_aware(naive, timezone.get_current_timezone())


def _gps(exif) -> tuple[Decimal | None, Decimal | None]:
    gps = exif.get_ifd(GPS_IFD)
    if not gps or 2 not in gps or 4 not in gps:
        return None, None
    lat = gps_to_degrees(gps[2], gps.get(1, "N"))
    lon = gps_to_degrees(gps[4], gps.get(3, "E"))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    if lat == 0 and lon == 0:
        return None, None
    q = Decimal("0.000001")
    return Decimal(str(lat)).quantize(q), Decimal(str(lon)).quantize(q)


def inspect_image(upload) -> PhotoInfo:
    """Check an upload is a JPEG or PNG of at most 10 MB (by content) and read its EXIF."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_PHOTO_BYTES:
        raise ValidationError(
            {"photo": _("The photo is larger than 10 MB; send a smaller one.")}, code="too_big"
        )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            fmt = probe.format
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
            exif = image.getexif()
            phash = perceptual_hash(image)
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as error:
        raise ValidationError(
            {"photo": _("This file is not a photo that can be read; send a JPEG or PNG.")},
            code="not_an_image",
        ) from error
    finally:
        upload.seek(0)
    if fmt not in ALLOWED_FORMATS:
        raise ValidationError(
            {"photo": _("Only JPEG and PNG photos are accepted.")}, code="bad_format"
        )
    try:
        taken_at = _taken_at(exif)
        latitude, longitude = _gps(exif)
    except (KeyError, TypeError, ValueError, AttributeError):
        taken_at, latitude, longitude = None, None, None
    return PhotoInfo(phash=phash, taken_at=taken_at, latitude=latitude, longitude=longitude)


# The perceptual hash: a photo shrunk to 32×32 grey pixels, its 8×8 lowest frequencies of a
# discrete cosine transform (DCT-II), one bit per frequency above their median.
_SIDE, _LOW = 32, 8
_COSINES = [
    [math.cos(math.pi * k * (2 * n + 1) / (2 * _SIDE)) for n in range(_SIDE)] for k in range(_LOW)
]


def perceptual_hash(image: Image.Image) -> str:
    """The 64-bit perceptual hash of a picture as 16 hex digits.

    The same bits as ImageHash's `phash` (which needed scipy for the transform), so the
    hashes stored before still compare: re-encoding or slightly resizing a photo moves a few
    bits at most, a different photo about half of them."""
    grey = image.convert("L").resize((_SIDE, _SIDE), Image.Resampling.LANCZOS).tobytes()
    rows = [grey[r * _SIDE : (r + 1) * _SIDE] for r in range(_SIDE)]
    # Down the columns first, then along the rows; only the low frequencies are needed.
    columns = [
        [sum(c * row[x] for c, row in zip(cosines, rows, strict=True)) for x in range(_SIDE)]
        for cosines in _COSINES
    ]
    # Rounded so that the float noise of a symmetric picture's zero frequencies stays zero.
    low = [
        round(sum(c * v for c, v in zip(cosines, line, strict=True)), 6)
        for line in columns
        for cosines in _COSINES
    ]
    median = statistics.median(low)
    bits = "".join("1" if value > median else "0" for value in low)
    return f"{int(bits, 2):016x}"


def hamming(a: str, b: str) -> int:
    """Bits that differ between two hex perceptual hashes."""
    try:
        return bin(int(a, 16) ^ int(b, 16)).count("1")
    except ValueError:
        return 64


def haversine_km(lat1, lon1, lat2, lon2) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lon2) - float(lon1))
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _days_away(day: datetime.date, starts_on: datetime.date, ends_on) -> int:
    end = ends_on or starts_on
    if day < starts_on:
        return (starts_on - day).days
    if day > end:
        return (day - end).days
    return 0


def activity_flags(activity) -> list[dict]:
    """The evidence flags of an activity as JSON-ready dicts (kind plus the figures)."""
    flags: list[dict] = []
    photos = list(activity.photos.all()) if activity.pk else []
    hashes = {p.pk: p.phash for p in photos if p.phash}
    if hashes:
        county_low = activity.region_id[:6] + "000000"
        county_high = activity.region_id[:6] + "999999"
        candidates = (
            ActivityPhoto.objects.filter(activity__region__code__range=(county_low, county_high))
            .exclude(activity_id=activity.pk)
            .exclude(activity__status=ActivityStatus.DELETED)
            .exclude(phash="")
            .order_by("-id")
            .values_list("activity_id", "phash")[:REUSE_CANDIDATES]
        )
        seen: set[int] = set()
        for other_id, other_hash in candidates:
            if other_id in seen:
                continue
            for photo_id, own in hashes.items():
                if hamming(own, other_hash) <= REUSE_DISTANCE:
                    flags.append(
                        {"kind": FlagKind.REUSED_PHOTO.value, "photo": photo_id, "other": other_id}
                    )
                    seen.add(other_id)
                    break
    for photo in photos:
        if (
            photo.location_source == "exif"
            and photo.latitude is not None
            and activity.latitude is not None
            and activity.longitude is not None
        ):
            km = haversine_km(
                photo.latitude, photo.longitude, activity.latitude, activity.longitude
            )
            if km > FAR_KM:
                flags.append(
                    {"kind": FlagKind.FAR_FROM_PLACE.value, "photo": photo.pk, "km": round(km, 1)}
                )
        if photo.taken_at is not None:
            day = timezone.localdate(photo.taken_at)
            days = _days_away(day, activity.starts_on, activity.ends_on)
            if days > FAR_DAYS:
                flags.append(
                    {"kind": FlagKind.FAR_FROM_DATE.value, "photo": photo.pk, "days": days}
                )
    usual = activity.activity_type.usual_max_participants
    if usual is not None and activity.participants is not None and activity.participants > usual:
        flags.append(
            {
                "kind": FlagKind.UNUSUAL_PARTICIPANTS.value,
                "participants": activity.participants,
                "usual": usual,
            }
        )
    return flags


def describe_flag(flag: dict) -> str:
    """A flag as a sentence for the confirming admin."""
    kind = flag.get("kind")
    if kind == FlagKind.REUSED_PHOTO:
        return _("The same photo is also on record no. %(other)s.") % {"other": flag.get("other")}
    if kind == FlagKind.FAR_FROM_PLACE:
        return _("A photo was taken %(km)s km from where the record was made.") % {
            "km": flag.get("km")
        }
    if kind == FlagKind.FAR_FROM_DATE:
        return _("A photo was taken %(days)s days away from the activity's date.") % {
            "days": flag.get("days")
        }
    if kind == FlagKind.UNUSUAL_PARTICIPANTS:
        return _("%(participants)s participants; usually at most %(usual)s for this type.") % {
            "participants": flag.get("participants"),
            "usual": flag.get("usual"),
        }
    return str(kind)


def describe_flags(flags) -> list[dict]:
    """Flags with their label and sentence, for templates."""
    out = []
    for flag in flags or []:
        try:
            label = FlagKind(flag.get("kind")).label
        except ValueError:
            label = flag.get("kind")
        out.append({**flag, "label": label, "text": describe_flag(flag)})
    return out
