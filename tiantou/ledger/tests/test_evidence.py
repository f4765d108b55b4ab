"""Reading photos (EXIF time and GPS, perceptual hash) and the evidence flags."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from PIL import Image, ImageDraw

from tiantou.ledger import evidence, services
from tiantou.ledger.choices import FlagKind
from tiantou.ledger.models import ActivityType

from .photos import jpeg_bytes, upload

TODAY = timezone.localdate()
DAY = TODAY - datetime.timedelta(days=10)
NOON = datetime.datetime.combine(DAY, datetime.time(12))
PLACE = (35.55, 118.45)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_exif_time_and_gps_are_read():
    info = evidence.inspect_image(upload(jpeg_bytes(taken_at=NOON, lat=35.5, lon=-118.25)))
    assert timezone.localtime(info.taken_at).replace(tzinfo=None) == NOON
    assert info.latitude is not None and info.longitude is not None
    assert float(info.latitude) == pytest.approx(35.5, abs=1e-4)
    assert float(info.longitude) == pytest.approx(-118.25, abs=1e-4)
    assert len(info.phash) == 16


def test_a_plain_photo_has_no_time_or_place():
    info = evidence.inspect_image(upload(jpeg_bytes()))
    assert info.taken_at is None and info.latitude is None


def test_png_is_accepted_and_other_formats_are_not():
    assert evidence.inspect_image(upload(jpeg_bytes(fmt="PNG"), "a.png")).phash
    gif = io.BytesIO()
    Image.new("RGB", (8, 8)).save(gif, "GIF")
    with pytest.raises(ValidationError) as excinfo:
        evidence.inspect_image(upload(gif.getvalue(), "a.gif"))
    assert "photo" in excinfo.value.message_dict


def test_a_file_that_is_not_a_photo_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        evidence.inspect_image(upload(b"%PDF-1.4 not a photo", "photo.jpg"))
    assert excinfo.value.message_dict["photo"]


def test_a_photo_over_10_mb_is_refused():
    big = upload(jpeg_bytes())
    big.size = evidence.MAX_PHOTO_BYTES + 1
    with pytest.raises(ValidationError):
        evidence.inspect_image(big)


def _scene(seed: int) -> Image.Image:
    """A 400×300 picture: a grey gradient with coloured ellipses placed by `seed`."""
    image = Image.linear_gradient("L").resize((400, 300)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for i in range(6):
        x, y = (seed * 97 + i * 61) % 340, (seed * 53 + i * 37) % 240
        colour = ((seed * 40 + i * 30) % 256, 120, (i * 50) % 256)
        draw.ellipse((x, y, x + 40 + i * 9, y + 30 + i * 7), fill=colour)
    return image


def _encoded(image: Image.Image, fmt: str = "JPEG", **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def _hash(data: bytes) -> str:
    return evidence.inspect_image(upload(data)).phash


def test_the_same_photo_re_encoded_or_resized_still_matches():
    original = _hash(_encoded(_scene(1), quality=95))
    for quality, size in [(40, (400, 300)), (60, (380, 285)), (75, (420, 315))]:
        again = _hash(_encoded(_scene(1).resize(size), quality=quality))
        assert evidence.hamming(original, again) <= evidence.REUSE_DISTANCE


def test_a_different_photo_does_not_match():
    original = _hash(_encoded(_scene(1), quality=95))
    for seed in (2, 3, 4):
        other = _hash(_encoded(_scene(seed), quality=95))
        assert evidence.hamming(original, other) > 4 * evidence.REUSE_DISTANCE


def test_the_hash_keeps_the_bits_of_the_hashes_stored_before():
    # Computed for this picture with ImageHash's phash, which made the hashes stored so far.
    assert _hash(_encoded(_scene(1), "PNG")) == "9e611c43fc05fa3c"


def test_haversine_and_hamming():
    assert evidence.haversine_km(35.0, 118.0, 35.0, 118.0) == 0
    assert evidence.haversine_km(35.0, 118.0, 36.0, 118.0) == pytest.approx(111.2, abs=0.5)
    assert evidence.hamming("ffff", "fffe") == 1
    assert evidence.hamming("zz", "00") == 64


# ---- flags on records ----


@pytest.fixture
def make(ming, posting_ming, township_a):
    def make(**overrides):
        fields = {
            "actor": ming,
            "activity_type": ActivityType.objects.get(key="training"),
            "title": "培训",
            "region": township_a,
            "starts_on": DAY,
            "posting": posting_ming,
            "participants": 30,
            "latitude": PLACE[0],
            "longitude": PLACE[1],
        }
        fields |= overrides
        activity, _created = services.activity_create(**fields)
        return activity

    return make


def _kinds(activity):
    activity.refresh_from_db()
    return sorted(f["kind"] for f in activity.flags)


@pytest.mark.django_db
def test_a_good_photo_raises_no_flag(make, ming):
    activity = make()
    photo = jpeg_bytes(taken_at=NOON, lat=PLACE[0] + 0.01, lon=PLACE[1])
    services.activity_photo_add(actor=ming, activity=activity, image=upload(photo))
    services.activity_submit(actor=ming, activity=activity)
    assert _kinds(activity) == []


@pytest.mark.django_db
def test_far_place_and_far_date_are_flagged_not_blocked(make, ming):
    activity = make()
    far = jpeg_bytes(taken_at=NOON - datetime.timedelta(days=5), lat=PLACE[0] + 0.2, lon=PLACE[1])
    services.activity_photo_add(actor=ming, activity=activity, image=upload(far))
    services.activity_submit(actor=ming, activity=activity)
    assert _kinds(activity) == [FlagKind.FAR_FROM_DATE, FlagKind.FAR_FROM_PLACE]
    flag = next(f for f in activity.flags if f["kind"] == FlagKind.FAR_FROM_DATE)
    assert flag["days"] == 5
    assert activity.status == "submitted"


@pytest.mark.django_db
def test_browser_location_fills_in_and_is_not_compared(make, ming):
    activity = make()
    photo = services.activity_photo_add(
        actor=ming, activity=activity, image=upload(jpeg_bytes()), latitude="36.0", longitude="119"
    )
    assert photo.location_source == "browser"
    services.activity_submit(actor=ming, activity=activity)
    assert _kinds(activity) == []


@pytest.mark.django_db
def test_the_same_photo_on_two_records_is_flagged(make, ming):
    first = make()
    data = jpeg_bytes(seed=3)
    services.activity_photo_add(actor=ming, activity=first, image=upload(data))
    second = make(title="另一次培训")
    services.activity_submit(actor=ming, activity=second)
    services.activity_photo_add(actor=ming, activity=second, image=upload(data, "copy.jpg"))
    second.refresh_from_db()
    assert [f["kind"] for f in second.flags] == [FlagKind.REUSED_PHOTO]
    assert second.flags[0]["other"] == first.pk
    assert str(first.pk) in evidence.describe_flags(second.flags)[0]["text"]


@pytest.mark.django_db
def test_unusual_participants_are_flagged(make, ming):
    activity = make(participants=301)
    services.activity_submit(actor=ming, activity=activity)
    assert _kinds(activity) == [FlagKind.UNUSUAL_PARTICIPANTS]
