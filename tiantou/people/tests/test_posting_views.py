import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tiantou.people import services
from tiantou.people.choices import PostingStatus
from tiantou.people.models import Posting

ROSTER = reverse("people:roster")
ACTIONS = [
    "posting_detail",
    "posting_edit",
    "posting_activate",
    "posting_recall",
    "posting_withdraw",
    "posting_letter",
]


@pytest.fixture
def posting_b(bob, county, programme, township_b):
    person = services.person_create(actor=bob, name="孙祖人", region=county)
    return services.posting_create(
        actor=bob,
        person=person,
        programme=programme,
        host_region=township_b,
        starts_on=datetime.date(2025, 3, 1),
    )


@pytest.mark.parametrize("name", ACTIONS)
def test_charlie_gets_404_on_a_posting_in_township_a(client_for, charlie, posting_ming, name):
    url = reverse(f"people:{name}", args=[posting_ming.pk])
    client = client_for(charlie)
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "x", "on": "2025-05-01"}).status_code == 404


@pytest.mark.parametrize("name", ACTIONS[1:])
def test_dana_and_alice_get_403_on_posting_writes(client_for, dana, alice, posting_ming, name):
    url = reverse(f"people:{name}", args=[posting_ming.pk])
    for user in (dana, alice):
        assert client_for(user).post(url, {"reason": "x"}).status_code == 403
    assert client_for(dana).get(reverse("people:posting_create")).status_code == 403


def test_alice_sees_only_township_a_in_the_roster(
    client_for, alice, charlie, posting_ming, posting_b
):
    page = client_for(alice).get(ROSTER).context["page"]
    assert [p.pk for p in page.object_list] == [posting_ming.pk]
    page = client_for(charlie).get(ROSTER).context["page"]
    assert [p.pk for p in page.object_list] == [posting_b.pk]


def test_roster_filters_and_htmx_partial(client_for, bob, posting_ming, posting_b, township_b):
    client = client_for(bob)
    response = client.get(ROSTER, {"township": township_b.code}, headers={"HX-Request": "true"})
    assert "<html" not in response.content.decode()
    assert [p.pk for p in response.context["page"].object_list] == [posting_b.pk]
    by_status = client.get(ROSTER, {"status": PostingStatus.PLANNED}).context["page"]
    assert [p.pk for p in by_status.object_list] == [posting_b.pk]
    by_rank = client.get(ROSTER, {"title_rank": 2}).context["page"]
    assert [p.pk for p in by_rank.object_list] == [posting_ming.pk]
    current = client.get(ROSTER, {"current": "true"}).context["page"]
    assert [p.pk for p in current.object_list] == [posting_ming.pk]


def test_a_township_filter_outside_scope_is_an_error(client_for, alice, township_b, posting_ming):
    response = client_for(alice).get(ROSTER, {"township": township_b.code})
    assert "township" in response.context["filter"].form.errors


def test_roster_export_uses_the_same_filters(client_for, bob, posting_ming, posting_b, township_a):
    response = client_for(bob).get(reverse("people:roster_export"), {"township": township_a.code})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == "刘明" and rows[1][2] == "科技副镇长"


def test_roster_query_count_does_not_grow_with_rows(client_for, bob, county, programme, township_a):
    def add(n):
        for i in range(n):
            person = services.person_create(
                actor=bob, name=f"人{Posting.objects.count()}{i}", region=county
            )
            services.posting_create(
                actor=bob,
                person=person,
                programme=programme,
                host_region=township_a,
                starts_on=datetime.date(2025, 3, 1),
            )

    def count():
        client = client_for(bob)
        with CaptureQueriesContext(connection) as context:
            assert client.get(ROSTER).status_code == 200
        return len(context)

    add(3)
    few = count()
    add(27)
    assert count() == few


def test_rolling_dispatch_activate_and_page(client_for, bob, person_ming, programme, township_a):
    client = client_for(bob)
    response = client.post(
        reverse("people:posting_create"),
        {
            "person": person_ming.pk,
            "programme": programme.pk,
            "host_region": township_a.code,
            "mode": "selected",
            "post_type": "secondment",
            "dispatch_level": "county",
            "starts_on": "2025-03-01",
        },
    )
    posting = Posting.objects.get()
    assert response.status_code == 302
    assert posting.ends_on == datetime.date(2028, 2, 29)
    url = reverse("people:posting_activate", args=[posting.pk])
    assert client.post(url, {"on": "2025-03-01"}).status_code == 302
    posting.refresh_from_db()
    assert posting.status == PostingStatus.ACTIVE
    page = client.get(reverse("people:posting_detail", args=[posting.pk]))
    assert page.context["can_recall"] and page.context["history"]
    assert [e.kind for e in page.context["events"]] == ["created", "activated"]


def test_recall_through_the_page_stops_the_subsidy_that_day(client_for, bob, posting_ming):
    url = reverse("people:posting_recall", args=[posting_ming.pk])
    client = client_for(bob)
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "", "on": "2025-05-16"})
    assert response.status_code == 200 and response.context["form"].errors
    assert client.post(url, {"reason": "无故不在岗", "on": "2025-05-16"}).status_code == 302
    posting_ming.refresh_from_db()
    assert posting_ming.status == PostingStatus.RECALLED
    assert posting_ming.ended_on == datetime.date(2025, 5, 16)
    page = client.get(reverse("people:posting_detail", args=[posting_ming.pk]))
    assert page.context["owed"][-1] == (datetime.date(2025, 5, 1), Decimal("77.42"))
    assert page.context["owed_total"] == Decimal("377.42")
    assert "无故不在岗" in page.content.decode()


def test_withdraw_a_planned_posting(client_for, bob, posting_b):
    url = reverse("people:posting_withdraw", args=[posting_b.pk])
    assert client_for(bob).post(url, {"reason": "本人因病"}).status_code == 302
    posting_b.refresh_from_db()
    assert posting_b.status == PostingStatus.WITHDRAWN


def test_edit_posting_with_stale_version_keeps_input(client_for, bob, posting_ming):
    url = reverse("people:posting_edit", args=[posting_ming.pk])
    data = {
        "mode": "selected",
        "post_type": "secondment",
        "dispatch_level": "county",
        "ends_on": "2028-02-29",
        "treatment_grade": "副科级",
        "monthly_subsidy": "180",
        "version": posting_ming.version,
    }
    client = client_for(bob)
    assert client.post(url, data).status_code == 302
    data["monthly_subsidy"] = "190"
    response = client.post(url, data)
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert 'value="190"' in response.content.decode()
    posting_ming.refresh_from_db()
    assert posting_ming.monthly_subsidy == Decimal("180")


def test_sign_the_letter_through_the_page(client_for, bob, posting_ming, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    url = reverse("people:posting_letter", args=[posting_ming.pk])
    client = client_for(bob)
    assert client.get(url).status_code == 200
    data = {
        "signed_on": "2025-03-10",
        "targets-TOTAL_FORMS": "2",
        "targets-INITIAL_FORMS": "0",
        "targets-0-year": "2025",
        "targets-0-description": "建示范基地",
        "targets-0-target_value": "2",
        "targets-0-unit": "个",
        "targets-1-year": "",
        "targets-1-description": "",
    }
    bad = client.post(url, {**data, "file": SimpleUploadedFile("x.exe", b"MZ")})
    assert bad.status_code == 200 and "file" in bad.context["form"].errors
    good = client.post(url, {**data, "file": SimpleUploadedFile("l.pdf", b"%PDF-1.4 x")})
    assert good.status_code == 302
    assert posting_ming.letter.targets.get().description == "建示范基地"
    ming_page = client.get(reverse("people:posting_detail", args=[posting_ming.pk]))
    assert "建示范基地" in ming_page.content.decode()
