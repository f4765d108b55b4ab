"""The figure pages: access (403 without the right, 404 outside scope), filters, forms,
confirm and return, import, export and completeness."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B
from tiantou.indicators.figures import services as figures
from tiantou.indicators.models import ExternalFigure
from tiantou.regions.models import Region

pytestmark = pytest.mark.django_db

OUTPUT = "above_scale_output"


def enter(actor, code, period, value, indicator=OUTPUT):
    return figures.figure_enter(
        actor=actor,
        indicator=indicator,
        region=Region.objects.get(code=code),
        period=period,
        value=value,
    )


@pytest.fixture
def figure_a(alice):
    return enter(alice, TOWNSHIP_A, "2026-H1", "1234.5")


def test_the_list_takes_the_provenance_link(client_for, dana, figure_a, charlie):
    enter(charlie, TOWNSHIP_B, "2026", "1", indicator="hitech_output")
    response = client_for(dana).get(reverse("indicators:figure_list"), {"indicator": OUTPUT})
    assert response.status_code == 200
    assert [row["figure"].pk for row in response.context["rows"]] == [figure_a.pk]
    assert "1,234.50" in response.content.decode()
    # dana may only read: no buttons
    assert not response.context["rows"][0]["can_edit"]
    assert not response.context["can_add"]


def test_the_list_filters_and_shows_bad_filters(client_for, bob, figure_a, charlie):
    b = enter(charlie, TOWNSHIP_B, "2026", "1")
    client = client_for(bob)
    url = reverse("indicators:figure_list")

    def pks(**params):
        return [row["figure"].pk for row in client.get(url, params).context["rows"]]

    assert set(pks()) == {figure_a.pk, b.pk}
    assert pks(region=TOWNSHIP_B) == [b.pk]
    assert pks(period="2026-H1") == [figure_a.pk]
    assert pks(period="2026-Q1") == []
    assert pks(status="returned") == []
    response = client.get(url, {"period": "去年"})
    assert response.context["form"].errors["period"]
    assert len(response.context["rows"]) == 2


def test_a_township_sees_only_its_figures(client_for, charlie, figure_a):
    response = client_for(charlie).get(reverse("indicators:figure_list"))
    assert response.context["rows"] == []


def test_entering_through_the_form(client_for, alice):
    client = client_for(alice)
    url = reverse("indicators:figure_create")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "indicator": OUTPUT,
            "region": TOWNSHIP_A,
            "period": "2026-h2",
            "value": "88",
            "source": "县统计局",
        },
    )
    assert response.status_code == 302
    figure = ExternalFigure.objects.get()
    assert (figure.period, figure.value, figure.entered_by) == ("2026-H2", Decimal("88"), alice)


def test_the_form_shows_an_overlap_and_saves_nothing(client_for, alice, figure_a):
    response = client_for(alice).post(
        reverse("indicators:figure_create"),
        {"indicator": OUTPUT, "region": TOWNSHIP_A, "period": "2026", "value": "1"},
    )
    assert response.status_code == 200
    assert "岸堤镇" in str(response.context["form"].non_field_errors())
    assert ExternalFigure.objects.count() == 1


def test_the_form_offers_only_regions_of_the_user(client_for, alice, charlie):
    response = client_for(alice).post(
        reverse("indicators:figure_create"),
        {"indicator": OUTPUT, "region": TOWNSHIP_B, "period": "2026", "value": "1"},
    )
    assert response.status_code == 200 and "region" in response.context["form"].errors
    assert not ExternalFigure.objects.exists()


def test_who_may_enter_and_correct(client_for, dana, charlie, figure_a):
    assert client_for(dana).get(reverse("indicators:figure_create")).status_code == 403
    assert client_for(dana).get(reverse("indicators:figure_import")).status_code == 403
    edit = reverse("indicators:figure_edit", args=[figure_a.pk])
    assert client_for(dana).get(edit).status_code == 403
    assert client_for(charlie).get(edit).status_code == 404


def test_correcting_with_a_stale_version_is_refused(client_for, alice, figure_a):
    url = reverse("indicators:figure_edit", args=[figure_a.pk])
    data = {"indicator": OUTPUT, "region": TOWNSHIP_A, "period": "2026-H1", "value": "2"}
    response = client_for(alice).post(url, {**data, "version": 0})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    response = client_for(alice).post(url, {**data, "version": 1})
    assert response.status_code == 302
    figure_a.refresh_from_db()
    assert figure_a.value == 2


def test_confirm_and_return_by_post(client_for, bob, alice, figure_a):
    client = client_for(bob)
    confirm = reverse("indicators:figure_confirm", args=[figure_a.pk])
    assert client.get(confirm).status_code == 405
    response = client.post(confirm, {"version": 1})
    assert response.status_code == 302
    figure_a.refresh_from_db()
    assert figure_a.status == "confirmed"
    back = reverse("indicators:figure_return", args=[figure_a.pk])
    client.post(back, {"reason": ""})
    figure_a.refresh_from_db()
    assert figure_a.status == "confirmed"  # a reason is needed
    client.post(back, {"reason": "统计局修订"})
    figure_a.refresh_from_db()
    assert (figure_a.status, figure_a.status_reason) == ("returned", "统计局修订")


def test_a_township_admin_cannot_confirm(client_for, alice, charlie, figure_a):
    confirm = reverse("indicators:figure_confirm", args=[figure_a.pk])
    assert client_for(alice).post(confirm).status_code == 403
    assert client_for(charlie).post(confirm).status_code == 404
    figure_a.refresh_from_db()
    assert figure_a.status == "submitted"


def test_the_export_imports_back(client_for, bob, alice, figure_a):
    response = client_for(bob).get(reverse("indicators:figure_export"), {"indicator": OUTPUT})
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows[1][:4] == (str(figures.figure_indicators()[0].name), TOWNSHIP_A, "2026-H1", 1234.5)
    upload = io.BytesIO(data)
    upload.name = "back.xlsx"
    from tiantou.indicators.figures.importers import FigureImporter

    result = FigureImporter(actor=alice).run(upload, dry_run=True)
    assert result.ok and result.unchanged == 1


def test_the_template_and_the_import_page(client_for, alice):
    client = client_for(alice)
    template = client.get(reverse("indicators:figure_template"))
    assert template.status_code == 200
    header = [c.value for c in next(load_workbook(io.BytesIO(template.content)).active.rows)]
    assert len(header) == 9
    book = Workbook()
    book.active.append(header[:5])
    book.active.append([OUTPUT, TOWNSHIP_A, "2026", 5, ""])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "f.xlsx"
    url = reverse("indicators:figure_import")
    assert client.get(url).status_code == 200
    response = client.post(url, {"file": buffer})
    assert response.status_code == 200 and response.context["result"].ok
    assert not ExternalFigure.objects.exists()
    token = response.context["token"]
    response = client.post(url, {"confirm": "1", "token": token})
    assert response.context["result"].written
    assert ExternalFigure.objects.get().value == 5


def test_completeness_page(client_for, bob, alice, figure_a):
    response = client_for(bob).get(
        reverse("indicators:figure_completeness"), {"indicator": OUTPUT, "period": "2026"}
    )
    assert response.status_code == 200
    table = response.context["table"]
    assert [(r.region.code, r.status) for r in table.rows] == [
        (TOWNSHIP_A, "submitted"),
        (TOWNSHIP_B, "missing"),
    ]
    assert "1" in response.context["headline"] and "2" in response.context["headline"]
    response = client_for(bob).get(
        reverse("indicators:figure_completeness"), {"indicator": OUTPUT, "period": "bad"}
    )
    assert response.status_code == 200 and response.context["table"] is None


def test_completeness_needs_the_right_to_view(client_for, ming):
    assert client_for(ming).get(reverse("indicators:figure_completeness")).status_code == 403
    assert client_for(ming).get(reverse("indicators:figure_list")).status_code == 403


def test_the_county_row_for_a_county_figure(client_for, bob, dana):
    enter(bob, COUNTY, "2026", "9")
    response = client_for(dana).get(
        reverse("indicators:figure_completeness"), {"indicator": OUTPUT, "period": "2026"}
    )
    assert response.context["table"].at_own_level
    assert [r.region.code for r in response.context["table"].rows] == [COUNTY]
