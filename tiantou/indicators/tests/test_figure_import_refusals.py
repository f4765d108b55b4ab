"""Every refusal of `figure_enter` is also the figure import's, with the same message.

Each case runs the service with what it would be given and the import with the sheet
that says the same thing, and expects the service's message among the row's errors.
"""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import TOWNSHIP_A, TOWNSHIP_B
from tiantou.core.tests.xlsx import xlsx_upload
from tiantou.indicators.figures import services
from tiantou.indicators.figures.importers import FIGURE_COLUMNS, FigureImporter
from tiantou.indicators.models import ExternalFigure
from tiantou.regions.models import Region

pytestmark = pytest.mark.django_db

OUTPUT = "above_scale_output"
KEYS = ["indicator", "region", "period", "value", "source"]


def _service_messages(actor, figure=None, **given) -> list[str]:
    arguments: dict[str, Any] = {
        "indicator": OUTPUT,
        "period": "2026-H1",
        "value": "100",
        "source": "县统计局",
    }
    arguments |= given
    region = Region.objects.get(code=arguments.pop("region", TOWNSHIP_A))
    with pytest.raises(ValidationError) as refused:
        services.figure_enter(actor=actor, region=region, figure=figure, **arguments)
    return refused.value.messages


def _import_messages(actor, **cells) -> list[str]:
    row = {
        "indicator": OUTPUT,
        "region": TOWNSHIP_A,
        "period": "2026-H1",
        "value": "100",
        "source": "县统计局",
    }
    row |= cells
    labels = {c.key: str(c.label) for c in FIGURE_COLUMNS}
    upload = xlsx_upload([[labels[k] for k in KEYS], [row[k] for k in KEYS]])
    result = FigureImporter(actor=actor).run(upload, dry_run=True)
    assert not result.ok
    return [error.message for error in result.errors]


def _same(service: list[str], imported: list[str]) -> None:
    assert service, "the service must refuse"
    for message in service:
        assert message in imported, (message, imported)


def _enter(actor, **given) -> ExternalFigure:
    arguments: dict[str, Any] = {"indicator": OUTPUT, "period": "2026-H1", "value": "100"}
    arguments |= given
    region = Region.objects.get(code=arguments.pop("region", TOWNSHIP_A))
    return services.figure_enter(actor=actor, region=region, **arguments)


def test_an_indicator_not_entered_from_outside(alice):
    _same(
        _service_messages(alice, indicator="trainings"),
        _import_messages(alice, indicator="trainings"),
    )


def test_a_bad_period(alice):
    _same(_service_messages(alice, period="2026-13"), _import_messages(alice, period="2026-13"))


@pytest.mark.parametrize("value", ["-1", "1e17"])
def test_a_value_out_of_range(alice, value):
    _same(_service_messages(alice, value=value), _import_messages(alice, value=value))


def test_a_source_too_long(alice):
    _same(_service_messages(alice, source="局" * 201), _import_messages(alice, source="局" * 201))


def test_a_period_overlapping_a_figure_there(alice):
    _enter(alice, period="2026")
    _same(_service_messages(alice), _import_messages(alice))


def test_a_period_overlapping_a_figure_above(alice, bob):
    _enter(bob, region="371321000000", period="2026-Q2")
    _same(_service_messages(alice), _import_messages(alice))


def test_correcting_a_confirmed_figure(alice, bob):
    figure = _enter(alice)
    services.figure_confirm(actor=bob, figure=figure)
    _same(
        _service_messages(alice, figure=figure, value="200"),
        _import_messages(alice, value="200"),
    )


def test_a_region_outside_the_area_is_refused_by_both(alice):
    # The service answers 403, the import a row error.
    with pytest.raises(PermissionDenied):
        _service_messages(alice, region=TOWNSHIP_B)
    assert _import_messages(alice, region=TOWNSHIP_B)
