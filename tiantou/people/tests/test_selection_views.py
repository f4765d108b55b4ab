"""Selection pages: scope (404), rights (403), the whole flow through the forms, query counts."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from conftest import TOWNSHIP_A, TOWNSHIP_B
from tiantou.accounts.models import Membership, User
from tiantou.accounts.roles import Role
from tiantou.people.choices import ApplicationStatus, BatchStatus, PostingStatus
from tiantou.people.models import Application, Batch, Posting
from tiantou.people.selection import services as selection
from tiantou.people.tests.test_selection_services import (
    apply,
    make_batch,
    make_person,
    scored_batch,
)
from tiantou.regions.choices import Level, RegionKind
from tiantou.regions.models import Region

BATCH_URLS = [
    "batch_detail",
    "batch_quotas",
    "application_create",
    "batch_start_scoring",
    "batch_score",
    "batch_close_scoring",
    "batch_auto_allocate",
    "batch_publish",
    "batch_allocation_xlsx",
    "batch_allocation_docx",
]
WRITE_URLS = [
    "batch_quotas",
    "application_create",
    "batch_start_scoring",
    "batch_close_scoring",
    "batch_auto_allocate",
    "batch_publish",
]


@pytest.fixture
def batch(bob, programme, township_a, township_b):
    return make_batch(bob, programme, judges=[bob], quotas={township_a: 1, township_b: 1})


@pytest.fixture
def applicant_a(bob, county, batch, township_a, home_unit):
    return apply(bob, batch, make_person(bob, county, "岸堤人", unit=home_unit), township_a)


@pytest.fixture
def outsider(county):
    """The county admin of the neighbouring county (沂水县)."""
    other = Region.objects.create(
        code="371323000000",
        name="沂水县",
        level=Level.COUNTY,
        kind=RegionKind.COUNTY,
        parent=county.parent,
    )
    user = User.objects.create_user(username="yishui", password="x", name="沂水管理员")
    Membership.objects.create(user=user, role=Role.COUNTY_ADMIN, region=other)
    return user


def url(name, pk):
    return reverse(f"people:{name}", args=[pk])


# ---- scope and rights ----


@pytest.mark.parametrize("name", BATCH_URLS)
def test_a_user_of_another_county_gets_404(name, client_for, outsider, batch):
    client = client_for(outsider)
    assert client.get(url(name, batch.pk)).status_code == 404
    assert client.post(url(name, batch.pk), {}).status_code == 404


def test_deciding_an_applicant_of_another_county_is_404(client_for, outsider, applicant_a):
    response = client_for(outsider).post(
        url("application_decide", applicant_a.pk), {"status": "waiting"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["alice", "charlie", "dana"])
@pytest.mark.parametrize("name", WRITE_URLS)
def test_those_who_only_see_batches_get_403_on_writes(who, name, request, client_for, batch):
    client = client_for(request.getfixturevalue(who))
    assert client.post(url(name, batch.pk), {}).status_code == 403
    assert client.get(reverse("people:batch_create")).status_code == 403
    batch.refresh_from_db()
    assert batch.status == BatchStatus.OPEN


@pytest.mark.parametrize("who", ["alice", "charlie", "dana"])
def test_township_admins_and_viewers_see_the_county_batch(who, request, client_for, batch):
    client = client_for(request.getfixturevalue(who))
    assert client.get(reverse("people:batch_list")).status_code == 200
    response = client.get(url("batch_detail", batch.pk))
    assert response.status_code == 200
    assert not response.context["can_manage"]
    assert b'data-testid="start-scoring"' not in response.content


def test_a_township_sees_only_its_own_applicants(client_for, charlie, alice, applicant_a):
    rows = client_for(charlie).get(url("batch_detail", applicant_a.batch_id)).context["rows"]
    assert rows == []
    rows = client_for(alice).get(url("batch_detail", applicant_a.batch_id)).context["rows"]
    assert [r.application for r in rows] == [applicant_a]


def test_charlie_cannot_decide_township_a_applicant(client_for, charlie, applicant_a):
    response = client_for(charlie).post(
        url("application_decide", applicant_a.pk), {"status": "waiting"}
    )
    assert response.status_code == 404


def test_a_cadre_has_no_selection_pages(client_for, ming, batch):
    client = client_for(ming)
    assert client.get(reverse("people:batch_list")).status_code == 403
    # The county's batch is above ming's township, so in sight; the right to view is missing.
    assert client.get(url("batch_detail", batch.pk)).status_code == 403


def test_only_judges_open_the_scoring_page(client_for, bob, alice, dana, batch, applicant_a):
    selection.batch_start_scoring(actor=bob, batch=batch)
    assert client_for(dana).get(url("batch_score", batch.pk)).status_code == 404
    assert client_for(alice).get(url("batch_score", batch.pk)).status_code == 404
    response = client_for(bob).get(url("batch_score", batch.pk))
    assert response.status_code == 200
    assert "岸堤人" in response.content.decode()


def test_a_judge_without_other_rights_finds_the_batch_to_score(client, bob, batch, applicant_a):
    expert = User.objects.create_user(username="expert", password="x", name="专家")
    selection.batch_set_judges(actor=bob, batch=batch, judges=[expert])
    selection.batch_start_scoring(actor=bob, batch=batch)
    client.force_login(expert)
    listing = client.get(reverse("people:batch_list"))
    assert listing.status_code == 200
    assert list(listing.context["to_score"]) == [batch]
    assert client.get(url("batch_detail", batch.pk)).status_code == 404
    response = client.post(
        url("batch_score", batch.pk), {f"a{applicant_a.pk}-score": "77.5"}, follow=True
    )
    assert response.status_code == 200
    assert applicant_a.scores.get().score == 77.5


# ---- the flow through the forms ----


def test_the_whole_flow_through_the_pages(client_for, bob, programme, county, home_unit):
    client = client_for(bob)
    response = client.post(
        reverse("people:batch_create"),
        {
            "programme": programme.pk,
            "year": 2026,
            "number": 1,
            "term_start_on": "2026-04-01",
            "judges": [bob.pk],
        },
    )
    batch = Batch.objects.get()
    assert response.status_code == 302 and response["Location"] == url("batch_detail", batch.pk)

    response = client.post(
        url("batch_quotas", batch.pk), {f"quota_{TOWNSHIP_A}": 1, f"quota_{TOWNSHIP_B}": 0}
    )
    assert response.status_code == 302
    assert {(q.region_id, q.quota) for q in batch.quotas.all()} == {(TOWNSHIP_A, 1)}

    first = make_person(bob, county, "赵一", unit=home_unit)
    second = make_person(bob, county, "钱二")
    form = client.get(url("application_create", batch.pk)).context["form"]
    assert set(form.fields["person"].queryset) == {first, second}
    client.post(
        url("application_create", batch.pk),
        {"person": first.pk, "recommended_by": home_unit.pk, "preferred_region": TOWNSHIP_A},
    )
    client.post(url("application_create", batch.pk), {"person": second.pk})
    assert batch.applications.count() == 2

    client.post(url("batch_start_scoring", batch.pk))
    apps = {a.person.name: a for a in batch.applications.select_related("person")}
    response = client.post(
        url("batch_score", batch.pk),
        {f"a{apps['赵一'].pk}-score": "91", f"a{apps['钱二'].pk}-score": "120"},
    )
    assert response.status_code == 200  # 120 is refused, nothing saved
    assert not apps["赵一"].scores.exists()
    client.post(
        url("batch_score", batch.pk),
        {f"a{apps['赵一'].pk}-score": "91", f"a{apps['钱二'].pk}-score": "85"},
    )
    client.post(url("batch_close_scoring", batch.pk))
    client.post(url("batch_auto_allocate", batch.pk))
    statuses = dict(batch.applications.values_list("person__name", "status"))
    assert statuses == {"赵一": "selected", "钱二": "waiting"}

    # Over the quota without a reason: the row shows the error (htmx gets the table back).
    response = client.post(
        url("application_decide", apps["钱二"].pk),
        {"status": "selected", "allocated_region": TOWNSHIP_A},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert b'id="applicants"' in response.content and b"<html" not in response.content
    assert b'class="text-danger small" role="alert"' in response.content
    assert "岸堤镇" in response.content.decode().split(f'id="application-{apps["钱二"].pk}"')[1]
    response = client.post(url("application_decide", apps["钱二"].pk), {"status": "not_selected"})
    assert response.status_code == 302

    assert client.get(url("batch_publish", batch.pk)).status_code == 200
    client.post(url("batch_publish", batch.pk))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PUBLISHED
    posting = Posting.objects.get()
    assert (posting.person, posting.status) == (first, PostingStatus.PLANNED)

    xlsx = client.get(url("batch_allocation_xlsx", batch.pk))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in xlsx["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(row=3, column=2).value == "赵一"
    docx = client.get(url("batch_allocation_docx", batch.pk))
    assert Document(io.BytesIO(docx.content)).tables[0].rows[1].cells[1].text == "赵一"


def test_the_list_cannot_be_downloaded_before_decisions(client_for, bob, batch):
    response = client_for(bob).get(url("batch_allocation_xlsx", batch.pk))
    assert response.status_code == 302


def test_publish_page_refuses_while_undecided(client_for, bob, programme, county, township_a):
    people = [make_person(bob, county, n) for n in ("甲", "乙")]
    batch, _apps = scored_batch(bob, programme, people, {"甲": 90}, {township_a: 1}, {})
    client = client_for(bob)
    page = client.get(url("batch_publish", batch.pk))
    assert page.context["undecided"] == 2 and not page.context["can_publish"]
    response = client.post(url("batch_publish", batch.pk), follow=True)
    assert response.status_code == 200
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DECIDED


def test_an_ineligible_applicant_is_added_with_a_warning(client_for, bob, programme, county, batch):
    programme.min_title_rank = 3
    programme.save()
    junior = make_person(bob, county, "初级", rank=1)
    response = client_for(bob).post(
        url("application_create", batch.pk), {"person": junior.pk}, follow=True
    )
    assert response.status_code == 200
    assert Application.objects.get().status == ApplicationStatus.INELIGIBLE


# ---- query counts ----


@pytest.mark.parametrize("view", ["batch_detail", "batch_publish"])
def test_query_count_does_not_grow_with_applicants(
    view, client_for, bob, programme, county, township_a
):
    client = client_for(bob)
    counts = []
    for size, number in ((3, 1), (30, 2)):
        people = [make_person(bob, county, f"候选{number}-{i}") for i in range(size)]
        batch = make_batch(bob, programme, judges=[bob], number=number, quotas={township_a: 2})
        apps = [apply(bob, batch, p, township_a) for p in people]
        selection.batch_start_scoring(actor=bob, batch=batch)
        for i, application in enumerate(apps):
            selection.score_record(actor=bob, application=application, score=60 + i)
        selection.batch_close_scoring(actor=bob, batch=batch)
        selection.batch_auto_allocate(actor=bob, batch=batch)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(view, batch.pk)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
