import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from tiantou.core.tests.xlsx import xlsx_upload
from tiantou.regions import services
from tiantou.regions.choices import OrganisationKind
from tiantou.regions.importers import ORGANISATION_COLUMNS
from tiantou.regions.models import Organisation

LIST = reverse("regions:organisation_list")


def make(actor, region, name="岸堤合作社", **fields):
    return services.organisation_create(
        actor=actor, name=name, kind=OrganisationKind.COOPERATIVE, region=region, **fields
    )


@pytest.fixture
def org_a(alice, township_a):
    return make(alice, township_a)


@pytest.fixture
def org_b(charlie, township_b):
    return make(charlie, township_b, name="孙祖合作社")


@pytest.mark.parametrize("name", ["detail", "edit", "deactivate"])
def test_it_checks_scope(client_for, charlie, org_a, name):
    url = reverse(f"regions:organisation_{name}", args=[org_a.pk])
    assert client_for(charlie).get(url).status_code == 404
    assert client_for(charlie).post(url, {"reason": "x"}).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        reverse("regions:organisation_create"),
        reverse("regions:organisation_import"),
    ],
)
def test_viewer_gets_403_on_writes(client_for, dana, url):
    assert client_for(dana).get(url).status_code == 403


def test_viewer_gets_403_on_edit_but_sees_detail(client_for, dana, org_a):
    client = client_for(dana)
    assert client.get(reverse("regions:organisation_edit", args=[org_a.pk])).status_code == 403
    assert client.get(reverse("regions:organisation_detail", args=[org_a.pk])).status_code == 200


def test_alice_creates_and_sees_it_in_the_list(client_for, alice, township_a):
    client = client_for(alice)
    assert client.get(reverse("regions:organisation_create")).status_code == 200
    response = client.post(
        reverse("regions:organisation_create"),
        {"name": "岸堤种植基地", "kind": OrganisationKind.BASE, "region": township_a.code},
    )
    org = Organisation.objects.get(name="岸堤种植基地")
    assert response.status_code == 302
    assert response["Location"] == reverse("regions:organisation_detail", args=[org.pk])
    assert "岸堤种植基地" in client.get(LIST).content.decode()


def test_create_form_offers_only_regions_in_scope(client_for, alice, township_b):
    response = client_for(alice).post(
        reverse("regions:organisation_create"),
        {"name": "越界", "kind": OrganisationKind.BASE, "region": township_b.code},
    )
    assert response.status_code == 200
    assert "region" in response.context["form"].errors
    assert not Organisation.objects.filter(name="越界").exists()


def test_list_is_scoped(client_for, alice, org_a, org_b):
    content = client_for(alice).get(LIST).content.decode()
    assert org_a.name in content
    assert org_b.name not in content


def test_list_filters_and_htmx_partial(client_for, bob, org_a, org_b, township_b):
    client = client_for(bob)
    response = client.get(LIST, {"region": township_b.code}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert "<html" not in content
    assert org_b.name in content and org_a.name not in content


def test_region_filter_outside_scope_is_an_error(client_for, alice, org_a, township_b):
    response = client_for(alice).get(LIST, {"region": township_b.code})
    assert response.status_code == 200
    assert "region" in response.context["filter"].form.errors


def test_deactivated_are_hidden_by_default(client_for, alice, org_a):
    services.organisation_deactivate(actor=alice, organisation=org_a, reason="注销")
    client = client_for(alice)
    assert org_a.name not in client.get(LIST).content.decode()
    assert org_a.name in client.get(LIST, {"is_active": "all"}).content.decode()


def test_list_query_count_does_not_grow_with_rows(
    client_for, bob, township_a, django_assert_num_queries
):
    def count_queries(n):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client = client_for(bob)
        with CaptureQueriesContext(connection) as context:
            assert client.get(LIST).status_code == 200
        return len(context)

    for i in range(3):
        make(bob, township_a, name=f"单位{i}")
    few = count_queries(3)
    for i in range(3, 60):
        make(bob, township_a, name=f"单位{i}")
    assert count_queries(60) == few


def test_detail_shows_history_to_auditors(client_for, alice, org_a):
    response = client_for(alice).get(reverse("regions:organisation_detail", args=[org_a.pk]))
    assert response.context["can_read_audit"]
    assert len(response.context["history"]) == 1


def test_edit_with_stale_version_keeps_the_input(client_for, alice, org_a):
    url = reverse("regions:organisation_edit", args=[org_a.pk])
    data = {
        "name": org_a.name,
        "kind": org_a.kind,
        "region": org_a.region_id,
        "phone": "0539-1",
        "is_active": "on",
        "version": 1,
    }
    client = client_for(alice)
    assert client.post(url, data).status_code == 302
    data["phone"] = "0539-2"
    response = client.post(url, data)  # still version 1: someone else's edit came first
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "0539-2" in response.content.decode()
    assert Organisation.objects.get(pk=org_a.pk).phone == "0539-1"


def test_deactivate_view(client_for, alice, org_a):
    url = reverse("regions:organisation_deactivate", args=[org_a.pk])
    client = client_for(alice)
    assert client.post(url, {"reason": ""}).status_code == 200
    assert client.post(url, {"reason": "已合并"}).status_code == 302
    org_a.refresh_from_db()
    assert not org_a.is_active


def test_export_is_a_real_xlsx_with_the_rows(client_for, alice, org_a, org_b):
    response = client_for(alice).get(reverse("regions:organisation_export"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert list(rows[0]) == [str(c.label) for c in ORGANISATION_COLUMNS]
    names = [row[0] for row in rows[1:]]
    assert names == [org_a.name]


def test_import_page_template_preview_and_confirm(
    client_for, alice, township_a, settings, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    url = reverse("regions:organisation_import")
    client = client_for(alice)
    template = client.get(url, {"template": 1})
    assert template.status_code == 200
    load_workbook(io.BytesIO(template.content))
    header = [str(c.label) for c in ORGANISATION_COLUMNS]
    upload = xlsx_upload(
        [header, ["岸堤农技协", str(OrganisationKind.ASSOCIATION.label), None, township_a.code]]
    )
    preview = client.post(url, {"file": upload})
    assert preview.status_code == 200
    assert preview.context["result"].to_create == 1
    assert not Organisation.objects.exists()
    token = preview.context["token"]
    done = client.post(url, {"confirm": "1", "token": token})
    assert done.status_code == 200
    assert done.context["result"].written
    assert Organisation.objects.get().name == "岸堤农技协"
    # The confirmation cannot be replayed.
    assert client.post(url, {"confirm": "1", "token": token}).status_code == 302
    assert Organisation.objects.count() == 1


def test_import_page_shows_errors_with_row_and_column(client_for, alice):
    url = reverse("regions:organisation_import")
    response = client_for(alice).post(
        url, {"file": SimpleUploadedFile("x.xlsx", b"not a workbook")}
    )
    assert response.status_code == 200
    assert not response.context["result"].ok
    assert response.context["token"] == ""


def test_village_import_page(client_for, alice, charlie, township_a, dana):
    url = reverse("regions:region_import_villages", args=[township_a.code])
    assert client_for(charlie).get(url).status_code == 404
    assert client_for(dana).get(url).status_code == 403
    assert client_for(alice).get(url).status_code == 200
