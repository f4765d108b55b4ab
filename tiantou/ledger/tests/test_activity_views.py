"""Pages of recording and confirming: status codes, scope, re-sends, the one-time link."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tiantou.ledger import services
from tiantou.ledger.models import Activity, ActivityType

from .photos import jpeg_bytes, upload

pytestmark = pytest.mark.django_db
YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def zh(msgid: str) -> str:
    """A message as the Chinese page shows it (the English msgid until it is translated)."""
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def training():
    return ActivityType.objects.get(key="training")


@pytest.fixture
def submitted(ming, posting_ming, township_a, training):
    activity, _ = services.activity_create(
        actor=ming,
        activity_type=training,
        title="苹果修剪培训",
        region=township_a,
        starts_on=YESTERDAY,
        posting=posting_ming,
        participants=30,
        submit=True,
    )
    return activity


def _form(training, township_a, posting_ming, **overrides):
    data = {
        "uuid": str(uuid.uuid4()),
        "activity_type": training.pk,
        "title": "玉米种植培训",
        "starts_on": YESTERDAY.isoformat(),
        "region": township_a.pk,
        "posting": posting_ming.pk,
        "participants": "45",
        "action": "submit",
    }
    data |= overrides
    return data


def test_the_entry_form_defaults_to_the_cadres_township(client_for, ming, posting_ming):
    response = client_for(ming).get(reverse("ledger:activity_create"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["region"] == posting_ming.host_region_id
    assert form.initial["uuid"]
    assert 'capture="environment"' in response.content.decode()


def test_posting_the_form_with_a_photo_records_and_submits(
    client_for, ming, posting_ming, township_a, training
):
    data = _form(training, township_a, posting_ming, latitude="35.5", longitude="118.4")
    data["photo"] = upload(jpeg_bytes())
    response = client_for(ming).post(reverse("ledger:activity_create"), data)
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("ledger:activity_detail", args=[activity.pk])
    assert activity.status == "submitted"
    photo = activity.photos.get()
    assert photo.location_source == "browser"


def test_the_same_uuid_twice_makes_one_record(client_for, ming, posting_ming, township_a, training):
    client = client_for(ming)
    data = _form(training, township_a, posting_ming)
    url = reverse("ledger:activity_create")
    first = client.post(url, data, headers={"Accept": "application/json"})
    again = client.post(url, data, headers={"Accept": "application/json"})
    assert first.json()["created"] is True
    assert again.status_code == 200 and again.json()["created"] is False
    assert first.json()["url"] == again.json()["url"]
    assert Activity.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("participants", "-3", "Enter a number of 0 or more."),
        ("participants", "很多", "Enter a whole number."),
        (
            "starts_on",
            (timezone.localdate() + datetime.timedelta(days=2)).isoformat(),
            "The date cannot be in the future.",
        ),
        (
            "ends_on",
            (YESTERDAY - datetime.timedelta(days=3)).isoformat(),
            "The end date cannot be before the start date.",
        ),
    ],
)
def test_bad_input_gets_a_chinese_message_and_saves_nothing(
    client_for, ming, posting_ming, township_a, training, field, value, message
):
    data = _form(training, township_a, posting_ming, **{field: value})
    data["photo"] = upload(jpeg_bytes())
    response = client_for(ming).post(reverse("ledger:activity_create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert zh(message) in errors, errors
    assert Activity.objects.count() == 0
    # What was typed is kept on the page.
    assert "玉米种植培训" in response.content.decode()


def test_bad_input_by_json_answers_400(client_for, ming, posting_ming, township_a, training):
    data = _form(training, township_a, posting_ming, participants="-1")
    response = client_for(ming).post(
        reverse("ledger:activity_create"), data, headers={"Accept": "application/json"}
    )
    assert response.status_code == 400
    assert "participants" in response.json()["errors"]


def test_a_file_that_is_not_a_photo_is_refused(
    client_for, ming, posting_ming, township_a, training
):
    data = _form(training, township_a, posting_ming)
    data["photo"] = upload(b"not an image", "x.jpg")
    response = client_for(ming).post(reverse("ledger:activity_create"), data)
    assert response.status_code == 200
    assert "JPEG" in " ".join(response.context["form"].errors["photo"])
    assert Activity.objects.count() == 0


def test_dana_cannot_open_the_entry_form(client_for, dana):
    assert client_for(dana).get(reverse("ledger:activity_create")).status_code == 403


def test_detail_shows_measures_flags_and_history(client_for, alice, submitted):
    response = client_for(alice).get(reverse("ledger:activity_detail", args=[submitted.pk]))
    assert response.status_code == 200
    assert response.context["can_confirm"]
    assert len(response.context["history"]) == 2


def test_charlie_gets_404_on_township_a_records(client_for, charlie, submitted):
    client = client_for(charlie)
    assert client.get(reverse("ledger:activity_detail", args=[submitted.pk])).status_code == 404
    assert client.post(reverse("ledger:activity_confirm", args=[submitted.pk])).status_code == 404


def test_the_queue_lists_and_confirms_with_htmx(client_for, alice, submitted):
    client = client_for(alice)
    queue = client.get(reverse("ledger:confirm_queue"))
    assert [r["activity"] for r in queue.context["rows"]] == [submitted]
    response = client.post(
        reverse("ledger:activity_confirm", args=[submitted.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == "confirmed"


def test_a_cadre_does_not_see_the_queue_and_cannot_confirm(client_for, ming, submitted):
    client = client_for(ming)
    assert client.get(reverse("ledger:confirm_queue")).status_code == 403
    assert client.post(reverse("ledger:activity_confirm", args=[submitted.pk])).status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_reject_without_reason_shows_a_message(client_for, alice, submitted):
    client = client_for(alice)
    response = client.post(
        reverse("ledger:activity_reject", args=[submitted.pk]),
        {"reason": ""},
        headers={"HX-Request": "true"},
    )
    assert zh("Give a reason.") in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_my_records_show_whether_counted(client_for, alice, ming, submitted):
    services.activity_confirm(actor=alice, activity=submitted)
    response = client_for(ming).get(reverse("ledger:activity_mine"))
    assert response.status_code == 200
    assert 'data-testid="counted"' in response.content.decode()


def test_period_close_page_is_for_the_county(client_for, bob, alice, county):
    assert client_for(alice).get(reverse("ledger:period_close")).status_code == 403
    client = client_for(bob)
    assert client.get(reverse("ledger:period_close")).status_code == 200
    last = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    response = client.post(
        reverse("ledger:period_close"),
        {"region": county.pk, "year": last.year, "month": last.month},
    )
    assert response.status_code == 302


def test_every_ledger_page_answers_the_cast(client_for, request, submitted):
    for who in ("alice", "bob", "charlie", "dana", "ming"):
        client = client_for(request.getfixturevalue(who))
        for name in ("activity_create", "activity_mine", "confirm_queue", "period_close"):
            assert client.get(reverse(f"ledger:{name}")).status_code in (200, 403), (who, name)


# ---- the one-time link (public: a token, not an id) ----


def test_the_link_page_confirms_once_without_login(client, ming, submitted):
    _link, token = services.confirmation_link_create(actor=ming, activity=submitted)
    url = reverse("ledger:confirm_link", args=[token])
    page = client.get(url)
    assert page.status_code == 200
    assert "苹果修剪培训" in page.content.decode()
    assert client.post(url, {"name": "王村长"}).status_code == 200
    submitted.refresh_from_db()
    assert submitted.status == "confirmed" and submitted.confirmed_by_party == "王村长"
    used = client.get(url)
    assert used.status_code == 404
    assert zh("This confirmation link has already been used.") in used.content.decode()


def test_a_wrong_or_expired_token_gets_a_chinese_message(client, ming, submitted):
    wrong = client.get(reverse("ledger:confirm_link", args=["nonsense"]))
    assert wrong.status_code == 404
    assert zh("This confirmation link is not valid.") in wrong.content.decode()
    link, token = services.confirmation_link_create(actor=ming, activity=submitted)
    link.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    link.save()
    expired = client.get(reverse("ledger:confirm_link", args=[token]))
    assert zh("This confirmation link has expired.") in expired.content.decode()
