"""At phone size: a cadre records a training with a photo, the township admin confirms it,
the cadre sees it counted."""

import datetime
import re

import pytest
from django.utils import timezone

from conftest import PASSWORD
from tests.browser.conftest import login
from tiantou.ledger.models import Activity
from tiantou.ledger.tests.photos import jpeg_bytes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("standard_types"),
]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_cadre_records_a_training_and_sees_it_counted(
    phone_page, page, live_server, alice, posting_ming
):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    photo = jpeg_bytes(taken_at=datetime.datetime.combine(yesterday, datetime.time(10)))

    # ming, on his phone, records a training with a photo and submits it.
    login(phone_page, live_server.url, "ming", PASSWORD)
    phone_page.goto(live_server.url + "/ledger/new/")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    phone_page.select_option("#id_activity_type", label="科技培训")
    assert phone_page.locator("[data-measure=area_mu]").is_hidden()
    assert phone_page.locator("[data-measure=participants]").is_visible()
    phone_page.fill("#id_title", "大棚蔬菜栽培技术培训")
    phone_page.fill("#id_starts_on", yesterday.isoformat())
    phone_page.fill("#id_participants", "60")
    phone_page.get_by_label("日光温室蔬菜高效栽培技术").check()
    phone_page.set_input_files(
        "#id_photo", files=[{"name": "training.jpg", "mimeType": "image/jpeg", "buffer": photo}]
    )
    phone_page.click("[data-testid=submit]")
    phone_page.wait_for_url(re.compile(r"/ledger/\d+/$"))
    activity = Activity.objects.get()
    assert activity.status == "submitted"
    assert activity.photos.get().taken_at is not None
    assert activity.technologies.count() == 1

    # alice confirms it in her queue.
    login(page, live_server.url, "alice", PASSWORD)
    page.goto(live_server.url + "/ledger/queue/")
    row = page.locator("[data-testid=queue-row]", has_text="大棚蔬菜栽培技术培训")
    row.locator("[data-testid=confirm]").click()
    page.locator("[data-testid=queue-row] [data-testid=status]").filter(
        has_text=str(Activity._meta.get_field("status").flatchoices[2][1])
    ).wait_for()
    activity.refresh_from_db()
    assert activity.status == "confirmed"

    # ming sees it counted in his list.
    phone_page.goto(live_server.url + "/ledger/mine/")
    record = phone_page.locator("[data-testid=my-record]", has_text="大棚蔬菜栽培技术培训")
    record.locator("[data-testid=counted]").wait_for()


def test_a_record_made_offline_is_kept_and_sent_once(phone_page, live_server, posting_ming):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    login(phone_page, live_server.url, "ming", PASSWORD)
    phone_page.goto(live_server.url + "/ledger/new/")
    phone_page.select_option("#id_activity_type", label="科技培训")
    phone_page.fill("#id_title", "离线录入的培训")
    phone_page.fill("#id_starts_on", yesterday.isoformat())
    phone_page.fill("#id_participants", "20")
    phone_page.context.set_offline(True)
    phone_page.click("[data-testid=submit]")
    phone_page.locator("[data-ledger-outbox][data-count='1']").wait_for()
    assert Activity.objects.count() == 0
    phone_page.context.set_offline(False)
    phone_page.locator("[data-ledger-outbox][data-count='0']").wait_for(state="attached")
    # Sending again (a second flush) makes no second record.
    phone_page.evaluate("window.tiantouLedgerOutbox.flush()")
    assert Activity.objects.filter(title="离线录入的培训").count() == 1
